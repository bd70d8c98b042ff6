import { strict as assert } from "assert";
import { ConfigError, configuredDockerHosts, DEFAULTS, parseConfig, RawConfig } from "../../../components/plan/config";

const valid: RawConfig = { trustedCidrs: ["203.0.113.0/24"] };
/** A syntactically valid OpenSSH public key (its private half was never kept). */
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJekrC+b9xW5S3Pu8L1Cxa5TKkvDBrm+v4sSeT21Uwqu alice@example.org";
const SSH_URL = "ssh://ops@gpusrv1";
/** Two hosts on two engines, with the NFS /home that takes; gpusrv1 declares `gpus` when given. */
const hosts = (gpus?: number) => ({ local: { url: "unix:///var/run/docker.sock" }, gpusrv1: { url: SSH_URL, ...(gpus === undefined ? {} : { gpus }) } });
const NFS = { homeNfsExport: "nas1.example.org:/export/home" };
const user = (overrides: Record<string, unknown> = {}) => ({ name: "alice", uid: 2001, sshPublicKey: KEY, ...overrides });

/** Parses, expecting a ConfigError whose message names the key and shows the value. */
function rejects(overrides: RawConfig, key: string, shown: string, reason?: RegExp): string {
    try {
        parseConfig({ ...valid, ...overrides });
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        const line = e.problems.find((p) => p.startsWith(`${key} = `));
        assert.ok(line, `no problem names ${key}:\n${e.message}`);
        assert.ok(line.includes(shown), `problem for ${key} does not show ${shown}: ${line}`);
        if (reason) assert.match(line, reason);
        return line;
    }
    assert.fail(`config ${JSON.stringify(overrides)} was accepted`);
}

describe("stack config schema", () => {
    it("accepts the minimal config and applies the defaults", () => {
        const c = parseConfig(valid);
        assert.equal(c.vpcCidr, "10.0.0.0/16");
        assert.equal(c.controllerInstanceType, "t3.medium");
        assert.equal(c.computeNodes.length, 2);
        assert.deepEqual(c.trustedCidrs, ["203.0.113.0/24"]);
    });

    it("accepts t3.large, IPv6 trusted CIDRs and custom nodes", () => {
        const c = parseConfig({ ...valid, controllerInstanceType: "t3.large", trustedCidrs: ["2001:db8::/32", "198.51.100.7/32"],
            computeNodes: [{ name: "gpu-a1", gpus: 4 }] });
        assert.equal(c.computeNodes[0].cpus, 2);
        assert.equal(c.computeNodes[0].gpus, 4);
    });

    describe("rejects, naming the key and the value", () => {
        it("an invalid CIDR", () => rejects({ vpcCidr: "10.0.0.0/33" }, "vpcCidr", "\"10.0.0.0/33\"", /not a valid CIDR/));
        it("a CIDR that is not a CIDR at all", () => rejects({ privateSubnetCidr: "10.0.1.0" }, "privateSubnetCidr", "\"10.0.1.0\"", /not a CIDR/));
        it("a CIDR with host bits set", () => rejects({ publicSubnetCidr: "10.0.2.7/24" }, "publicSubnetCidr", "10.0.2.7/24", /did you mean 10\.0\.2\.0\/24/));
        it("a private subnet outside the VPC", () => rejects({ privateSubnetCidr: "10.1.1.0/24" }, "privateSubnetCidr", "10.1.1.0/24", /outside vpcCidr/));
        it("a public subnet outside the VPC", () => rejects({ vpcCidr: "172.16.0.0/16", privateSubnetCidr: "172.16.1.0/24" }, "publicSubnetCidr", "\"10.0.2.0/24\" (default)", /outside vpcCidr 172\.16\.0\.0\/16/));
        it("two subnets that overlap", () => rejects({ publicSubnetCidr: "10.0.0.0/23" }, "publicSubnetCidr", "10.0.0.0/23", /overlaps privateSubnetCidr/));
        it("trustedCidrs unset", () => rejects({ trustedCidrs: undefined }, "trustedCidrs", "(unset)", /at least one CIDR/));
        it("trustedCidrs empty", () => rejects({ trustedCidrs: [] }, "trustedCidrs", "[]", /at least one CIDR/));
        it("trustedCidrs containing 0.0.0.0/0", () => rejects({ trustedCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }, "trustedCidrs[1]", "0.0.0.0/0", /whole internet/));
        it("trustedCidrs containing ::/0", () => rejects({ trustedCidrs: ["::/0"] }, "trustedCidrs[0]", "::/0", /whole internet/));
        it("a controller instance type outside the allowed list", () => rejects({ controllerInstanceType: "m5.24xlarge" }, "controllerInstanceType", "m5.24xlarge", /t3\.medium.*t3\.large/));
        it("duplicate node names", () => rejects({ computeNodes: [{ name: "gpu1" }, { name: "gpu1" }] }, "computeNodes[1].name", "gpu1", /duplicates computeNodes\[0\]/));
        it("a node name that is not a host name", () => rejects({ computeNodes: [{ name: "Compute_1" }] }, "computeNodes[0].name", "Compute_1", /host name/));
        it("a node name Slurm cannot parse", () => rejects({ computeNodes: [{ name: "node[1-2]" }] }, "computeNodes[0].name", "node[1-2]", /host name/));
        it("a node name reserved for the control plane", () => rejects({ computeNodes: [{ name: "controller" }] }, "computeNodes[0].name", "controller", /reserved/));
        it("a negative GPU count", () => rejects({ computeNodes: [{ name: "g1", gpus: -1 }] }, "computeNodes[0].gpus", "-1", /0 or more/));
        it("a tag the program sets on every resource itself", () => {
            rejects({ tags: { team: "hpc", Name: "x" } }, "tags.Name", "x", /set by the program on each resource \(its own Name\)/);
            for (const k of ["Project", "Cluster", "ManagedBy", "Role"]) rejects({ tags: { [k]: "v" } }, `tags.${k}`, "v", /set by the program/);
            assert.doesNotThrow(() => parseConfig({ trustedCidrs: ["203.0.113.0/24"], tags: { name: "x", team: "hpc" } }), "tag keys are case-sensitive");
        });
        it("an exclusive-user partition the cluster does not have, or twice", () => {
            rejects({ exclusiveUserPartitions: ["gpu"], computeNodes: [{ name: "c1" }] }, "exclusiveUserPartitions[0]", "gpu", /no compute node has a GPU/);
            rejects({ exclusiveUserPartitions: ["cpu", "cpu"] }, "exclusiveUserPartitions[1]", "cpu", /duplicates exclusiveUserPartitions\[0\]/);
            rejects({ exclusiveUserPartitions: ["debug"] }, "exclusiveUserPartitions[0]", "debug");
        });
        it("zero compute nodes", () => rejects({ computeNodes: [] }, "computeNodes", "[]", /at least one compute node/));
        it("a port collision between Slurm daemons", () => rejects({ slurmdbdPort: 6817 }, "slurmdbdPort", "6817", /collides with slurmctldPort/));
        it("a port collision between the srun range and the tunnels", () => rejects({ srunPortRange: "20000-20009" }, "tunnelPortBase", "20000 (default)", /compute1's slurmd tunnel port\) collides with srunPortRange/));
        it("a port collision with MariaDB", () => rejects({ grafanaPort: 3306 }, "grafanaPort", "3306", /collides with MariaDB/));
        it("a tunnel port block that runs past 65535", () => rejects({ tunnelPortBase: 65530 }, "tunnelPortBase", "65530", /no room/));
        it("a compute SSH port published on the wildcard address", () => rejects({ computeSshBindAddress: "0.0.0.0" }, "computeSshBindAddress", "0.0.0.0", /wildcard/));
        it("an unauthenticated Docker host", () => rejects({ dockerHost: "tcp://10.9.9.9:2375" }, "dockerHost", "tcp://10.9.9.9:2375", /unauthenticated/));
        it("a misspelt key", () => rejects({ trustedCidr: ["203.0.113.0/24"] }, "trustedCidr", "203.0.113.0/24", /unknown key/));
        it("a wrongly typed value", () => rejects({ computeNodes: [{ name: "c1", cpus: "two" }] }, "computeNodes[0].cpus", "\"two\""));
        it("a VPC larger than AWS allows", () => rejects({ vpcCidr: "10.0.0.0/8" }, "vpcCidr", "10.0.0.0/8", /is a \/8: AWS takes \/16 to \/28/));
        it("a private subnet too small for the controller's address", () => rejects({ privateSubnetCidr: "10.0.1.0/29" }, "privateSubnetCidr", "10.0.1.0/29", /\/16 to \/28 \(the controller's fixed address is host #10\)/));
        it("an IPv6 subnet", () => rejects({ publicSubnetCidr: "2001:db8::/64" }, "publicSubnetCidr", "2001:db8::/64", /must be an IPv4 block/));
        it("an srun range too small to split", () => rejects({ srunPortRange: "60001-60009" }, "srunPortRange", "60001-60009", /holds 9 ports.*at least 10/));
        it("an srun range too large to forward", () => rejects({ srunPortRange: "40000-45000" }, "srunPortRange", "40000-45000", /holds 5001 ports.*at most 1000/));
        describe("more nodes than the bastion or the controller carries (tunnelCapacity.ts)", () => {
            const nodes = (n: number) => ({ computeNodes: Array.from({ length: n }, (_, i) => ({ name: `c${i + 1}` })) });
            it("takes the most the default t2.micro bastion and t3.medium controller carry", () => {
                assert.equal(parseConfig({ ...valid, ...nodes(217) }).computeNodes.length, 217);
            });
            it("refuses one more, naming both numbers, the arithmetic and the bigger bastion", () => rejects(nodes(218), "bastionInstanceType", "t2.micro",
                /t2\.micro carries the tunnels of at most 217 compute nodes \(1024 MiB \/ 2 = 512 MiB; 512 MiB \/ 2400 KiB per tunnel = 218 tunnels, less the home server's = 217\), and computeNodes has 218: choose t3\.small$/));
            it("names the controller's limit and type too", () => rejects({ ...nodes(403), bastionInstanceType: "t3.small" }, "controllerInstanceType", "t3.medium",
                /at most 402 compute nodes .*computeNodes has 403: choose t3\.large$/));
            it("says when no allowed type carries them", () => rejects({ ...nodes(1800), bastionInstanceType: "t3.large", controllerInstanceType: "t3.large" },
                "bastionInstanceType", "t3.large", /no allowed bastionInstanceType carries 1800; the largest, t3\.large, carries 1746$/));
        });
        it("a compute base image of another Debian release", () => rejects({ computeBaseImage: "debian:bookworm" }, "computeBaseImage", "debian:bookworm", /Debian 13 image.*Slurm 24\.11/));
        it("an untagged compute base image", () => rejects({ computeBaseImage: "registry.example:5000/debian" }, "computeBaseImage", "registry.example:5000/debian", /tagged trixie\* or 13\*/));
        it("a replaceForPlatform naming another platform", () => rejects({ replaceForPlatform: "debian-12/slurm-22.05" }, "replaceForPlatform", "debian-12/slurm-22.05", /must be empty, or debian-13\/slurm-24\.11/));
        it("an alert receiver of an unknown type", () => rejects({ alertReceivers: [{ name: "ops", type: "pager" }] }, "alertReceivers[0].type", "pager"));
        it("a webhook receiver whose URL is not https, showing only its host", () => {
            const line = rejects({ alertReceivers: [{ name: "ops", type: "webhook", url: "http://hooks.example.com/T0/SECRETTOKEN" }] },
                "alertReceivers[0].url", "http://hooks.example.com/…(redacted)", /https:\/\/ URL/);
            assert.ok(!line.includes("SECRETTOKEN"), line);
        });
        it("a Slack receiver without a channel", () => rejects({ alertReceivers: [{ name: "chat", type: "slack", url: "https://hooks.slack.com/services/X" }] },
            "alertReceivers[0].channel", "(unset)"));
        it("an e-mail receiver with a password but no user, never showing the password", () => {
            const line = rejects({ alertReceivers: [{ name: "mail", type: "email", to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com:587", authPassword: "hunter2hunter2" }] },
                "alertReceivers[0].authPassword", "(redacted, 14 characters)", /authUsername and authPassword together/);
            assert.ok(!line.includes("hunter2"), line);
        });
        it("two receivers with one name", () => rejects({ alertReceivers: [{ name: "ops", type: "webhook", url: "https://a.example.com/x" }, { name: "ops", type: "webhook", url: "https://b.example.com/y" }] },
            "alertReceivers[1].name", "ops", /duplicates alertReceivers\[0\]/));
        it("a retention that is not a duration", () => rejects({ prometheusRetention: "2 weeks" }, "prometheusRetention", "2 weeks", /whole number and one unit/));
        it("a monitoring interval in days", () => rejects({ monitoringInterval: "1d" }, "monitoringInterval", "1d", /one unit of s, m/));
        it("an alertFor that is not a duration", () => rejects({ alertFor: "soon" }, "alertFor", "soon", /whole number and one unit/));
        it("Alertmanager on Prometheus's port", () => rejects({ alertmanagerPort: 9090 }, "alertmanagerPort", "9090", /collides with prometheusPort/));
        it("Prometheus on node exporter's port", () => rejects({ prometheusPort: 9100 }, "prometheusPort", "9100", /collides with node exporter/));
        it("a malformed admin public key", () => rejects({ adminPublicKey: "not-a-key" }, "adminPublicKey", "not-a-key", /OpenSSH/));

        // Cluster users: each becomes a Unix account on every host and a Slurm association.
        it("a user uid among the system accounts", () => rejects({ users: [user({ uid: 999 })] }, "users[0].uid", "999", /1001 or more/));
        it("a user uid equal to admin's 1000", () => rejects({ users: [user({ uid: 1000 })] }, "users[0].uid", "1000", /1001 or more.*admin's 1000/));
        it("a user uid above Debian's UID_MAX", () => rejects({ users: [user({ uid: 60000 })] }, "users[0].uid", "60000", /59999 or less/));
        it("two users with one name", () => rejects({ users: [user({ uid: 2001 }), user({ uid: 2002 })] }, "users[1].name", "alice", /duplicates users\[0\]\.name/));
        it("two users with one uid", () => rejects({ users: [user(), user({ name: "bob" })] }, "users[1].uid", "2001", /duplicates users\[0\]\.uid/));
        for (const name of ["root", "admin", "slurm", "munge", "hpc-tunnel"]) {
            it(`a user named ${name}, a system or daemon account`, () => rejects({ users: [user({ name })] }, "users[0].name", `"${name}"`, /reserved name/));
        }
        it("a user name in upper case", () => rejects({ users: [user({ name: "Alice" })] }, "users[0].name", "Alice", /lower-case user name/));
        it("a user key of two lines (two authorized keys)", () => rejects({ users: [user({ sshPublicKey: `${KEY}\n${KEY.replace("alice", "mallory")}` })] },
            "users[0].sshPublicKey", "mallory@example.org", /one OpenSSH public key on one line/));
        it("a user DSA key, which OpenSSH no longer accepts", () => rejects({ users: [user({ sshPublicKey: "ssh-dss AAAAB3NzaC1kc3MAAACBAP alice@example.org" })] },
            "users[0].sshPublicKey", "ssh-dss AAAAB3NzaC1kc3MAAACBAP", /one OpenSSH public key/));
        it("a user key that is not a key", () => rejects({ users: [user({ sshPublicKey: "-----BEGIN OPENSSH PRIVATE KEY-----" })] },
            "users[0].sshPublicKey", "BEGIN OPENSSH PRIVATE KEY", /one OpenSSH public key/));
        it("a user account in upper case (sacctmgr lower-cases it)", () => rejects({ users: [user({ account: "Physics" })] }, "users[0].account", "Physics", /lower-case Slurm account/));
        it("an unknown key inside a user, listing the known ones", () => rejects({ users: [user({ shell: "/bin/zsh" })] }, "users[0].shell", "/bin/zsh",
            /unknown key \(known keys: name, uid, sshPublicKey, account\)/));
        it("no app port per node", () => rejects({ appPortsPerNode: 0 }, "appPortsPerNode", "0", />=1/));
        it("more app ports than a node's tunnel block holds", () => rejects({ appPortsPerNode: 7 }, "appPortsPerNode", "7", /at most 6.*block of 10/));
        it("the home server's tunnel port on Prometheus's", () => rejects({ homeTunnelPort: 9090 }, "homeTunnelPort", "9090", /port 9090 \(homeTunnelPort\) collides with prometheusPort/));
        it("a node's last app port inside the srun range", () => rejects({ computeNodes: [{ name: "c1" }], appPortsPerNode: 6, srunPortRange: "20009-20018" },
            "tunnelPortBase", "20000 (default)", /port 20009 \(c1's app tunnel port\) collides with srunPortRange/));
        it("an NFS export without a path", () => rejects({ homeNfsExport: "nas1.example.org:export/home" }, "homeNfsExport", "nas1.example.org:export/home", /server:\/path/));
        it("an NFS export with a space in its path", () => rejects({ homeNfsExport: "nas1:/export/my home" }, "homeNfsExport", "nas1:/export/my home", /server:\/path/));
        it("a node named home, the home server's container and tunnel", () => rejects({ computeNodes: [{ name: "home" }] }, "computeNodes[0].name", "home", /reserved/));

        // Several Docker hosts: each node on one, holding GPUs no other node on it holds.
        it("an srun range too small for a slice per node when nodes span hosts, naming the range that is enough", () => rejects({
            dockerHosts: { local: { url: "unix:///var/run/docker.sock" }, site2: { url: "unix:///var/run/docker.sock" } },
            computeNodes: [1, 2, 3, 4, 5, 6].map((i) => ({ name: `c${i}`, host: i > 3 ? "site2" : "local" })),
        }, "srunPortRange", "\"60001-60040\" (default)", /gives each of the 6 nodes 3 ports.*2 Docker hosts need 4 each.*use at least 60001-60048/));
        it("accepts the same six nodes on one host, and on two with the range it names", () => {
            const nodes = [1, 2, 3, 4, 5, 6].map((i) => ({ name: `c${i}`, host: i > 3 ? "site2" : "local" }));
            const hosts = { local: { url: "unix:///var/run/docker.sock" }, site2: { url: "unix:///var/run/docker.sock" } };
            parseConfig({ trustedCidrs: ["203.0.113.0/24"], computeNodes: nodes.map((n) => ({ name: n.name })) });
            parseConfig({ trustedCidrs: ["203.0.113.0/24"], dockerHosts: hosts, computeNodes: nodes, srunPortRange: "60001-60048" });
        });
        it("an unauthenticated Docker host in dockerHosts", () => rejects({ dockerHosts: { gpusrv1: { url: "tcp://10.9.9.9:2375" } } },
            "dockerHosts.gpusrv1.url", "tcp://10.9.9.9:2375", /unauthenticated/));
        it("a Docker host name that is not a host name", () => rejects({ dockerHosts: { GPU_1: { url: SSH_URL } } }, "dockerHosts.GPU_1", SSH_URL, /lower-case host name/));
        it("an unknown key inside a Docker host, listing the known ones", () => rejects({ dockerHosts: { gpusrv1: { url: SSH_URL, cpus: 8 } } },
            "dockerHosts.gpusrv1.cpus", "8", /unknown key \(known keys: url, gpus\)/));
        it("a negative GPU count on a Docker host", () => rejects({ dockerHosts: { gpusrv1: { url: SSH_URL, gpus: -1 } } }, "dockerHosts.gpusrv1.gpus", "-1", /0 or more/));
        it("dockerHost set beside dockerHosts", () => rejects({ dockerHost: "ssh://ops@old", dockerHosts: { local: { url: SSH_URL } } },
            "dockerHost", "ssh://ops@old", /set the Docker host in dockerHosts/));
        it("a node on an unknown host", () => rejects({ dockerHosts: hosts(), computeNodes: [{ name: "c1" }, { name: "c2", host: "gpusrv1" }, { name: "c3", host: "gpu9" }] },
            "computeNodes[2].host", "\"gpu9\"", /is not a key of dockerHosts \(known: local, gpusrv1\)/));
        it("a node left on local when dockerHosts has no local", () => rejects({ dockerHosts: { gpusrv1: { url: SSH_URL } }, computeNodes: [{ name: "c1" }] },
            "computeNodes[0].host", "\"local\" (default)", /is not a key of dockerHosts \(known: gpusrv1\)/));
        it("deviceIds fewer than the node's GPUs", () => rejects({ computeNodes: [{ name: "g1", gpus: 2, deviceIds: [3] }] },
            "computeNodes[0].deviceIds", "[3]", /names 1 GPUs, but the node's gpus is 2/));
        it("deviceIds naming one GPU twice", () => rejects({ computeNodes: [{ name: "g1", gpus: 2, deviceIds: [1, 1] }] },
            "computeNodes[0].deviceIds", "[1,1]", /names GPU 1 twice/));
        it("deviceIds on a node with no GPU", () => rejects({ computeNodes: [{ name: "c1", deviceIds: [0] }] },
            "computeNodes[0].deviceIds", "[0]", /on a node with gpus 0/));
        it("a negative deviceId", () => rejects({ computeNodes: [{ name: "g1", gpus: 1, deviceIds: [-1] }] }, "computeNodes[0].deviceIds[0]", "-1", /0 or more/));
        it("a deviceId beyond its host's GPUs", () => rejects({ dockerHosts: hosts(4), computeNodes: [{ name: "g1", host: "gpusrv1", gpus: 2, deviceIds: [3, 4] }] },
            "computeNodes[0].deviceIds", "[3,4]", /names GPU 4, but host gpusrv1 declares 4 GPUs \(indices 0 to 3\)/));
        it("two nodes on one host naming one GPU, naming both", () => rejects({ dockerHosts: hosts(), computeNodes: [
            { name: "g1", host: "gpusrv1", gpus: 2, deviceIds: [0, 1] }, { name: "g2", host: "gpusrv1", gpus: 2, deviceIds: [1, 2] }] },
        "computeNodes[1].deviceIds", "[1,2]", /GPU 1 of host gpusrv1, which computeNodes\[0\] \(g1\) names too: g2 and g1/));
        it("more GPUs asked on a host than it declares", () => rejects({ dockerHosts: hosts(4), computeNodes: [
            { name: "gpu1", host: "gpusrv1", gpus: 2 }, { name: "c1" }, { name: "gpu2", host: "gpusrv1", gpus: 4 }] },
        "dockerHosts.gpusrv1.gpus", "4", /host gpusrv1 declares 4 GPUs; its nodes ask for 6 \(gpu1: 2, gpu2: 4\)/));
        it("several Docker engines without an NFS /home", () => rejects({ dockerHosts: hosts() }, "homeNfsExport", "\"\" (default)",
            /names 2 Docker engines \(unix:\/\/\/var\/run\/docker.sock, ssh:\/\/ops@gpusrv1\).*site NFS export/));
    });

    it("accepts users at both ends of the uid range, in Slurm's default account unless told", () => {
        const c = parseConfig({ ...valid, users: [user({ uid: 1001 }), user({ name: "bob", uid: 59999, account: "physics" })] });
        assert.deepEqual(c.users.map((u) => [u.name, u.uid, u.account]), [["alice", 1001, "default"], ["bob", 59999, "physics"]]);
    });

    it("accepts as many app ports as a node's block holds, and an NFS export with options", () => {
        const c = parseConfig({ ...valid, appPortsPerNode: 6, homeNfsExport: "nas1.example.org:/export/home", homeNfsOptions: "nfsvers=4.1,soft" });
        assert.equal(c.appPortsPerNode, 6);
        assert.equal(c.homeNfsExport, "nas1.example.org:/export/home");
    });

    it("lets a node's app ports end just below the srun range", () => {
        assert.equal(parseConfig({ ...valid, computeNodes: [{ name: "c1" }], appPortsPerNode: 5, srunPortRange: "20009-20018" }).appPortsPerNode, 5);
    });

    it("accepts Debian 13 images however the site tags them", () => {
        for (const ref of ["debian:trixie", "debian:13", "debian:13.2-slim", "debian:trixie-20251117", "reg.example:5000/debian:trixie@sha256:abc"]) {
            assert.equal(parseConfig({ ...valid, computeBaseImage: ref }).computeBaseImage, ref);
        }
    });

    it("runs a config without dockerHosts on the one host local, at dockerHost", () => {
        const c = parseConfig({ ...valid, dockerHost: SSH_URL });
        assert.deepEqual(configuredDockerHosts(c), [["local", { url: SSH_URL }]]);
        assert.deepEqual(c.computeNodes.map((n) => n.host), ["local", "local"]);
        assert.deepEqual(configuredDockerHosts(parseConfig(valid)), [["local", { url: "unix:///var/run/docker.sock" }]]);
    });

    it("accepts nodes on several hosts, in the hosts' order, with explicit deviceIds and an NFS /home", () => {
        const c = parseConfig({ ...valid, ...NFS, dockerHosts: hosts(4), computeNodes: [
            { name: "c1" }, { name: "g1", host: "gpusrv1", gpus: 2, deviceIds: [3, 1] }, { name: "g2", host: "gpusrv1", gpus: 2 }] });
        assert.deepEqual(configuredDockerHosts(c).map(([h]) => h), ["local", "gpusrv1"]);
        assert.deepEqual(c.computeNodes.map((n) => [n.host, n.deviceIds]), [["local", undefined], ["gpusrv1", [3, 1]], ["gpusrv1", undefined]]);
    });

    it("lets two hosts share one engine and its /home volume, without NFS, and dockerHost at its default beside dockerHosts", () => {
        const url = "unix:///var/run/docker.sock";
        const c = parseConfig({ ...valid, dockerHost: url, dockerHosts: { local: { url }, site2: { url } }, computeNodes: [{ name: "c1" }, { name: "c2", host: "site2" }] });
        assert.deepEqual(configuredDockerHosts(c).map(([h, d]) => [h, d.url]), [["local", url], ["site2", url]]);
    });

    it("reports every problem in one error", () => {
        assert.throws(() => parseConfig({ trustedCidrs: ["0.0.0.0/0"], controllerInstanceType: "x1" }),
            (e: ConfigError) => e.problems.length === 2 && /trustedCidrs\[0\]/.test(e.message) && /controllerInstanceType/.test(e.message));
    });

    it("exposes every default but trustedCidrs", () => {
        assert.equal("trustedCidrs" in DEFAULTS, false);
        assert.equal(DEFAULTS.srunPortRange, "60001-60040");
    });
});
