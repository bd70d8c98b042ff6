// Cluster users, their home and their apps in the plan (pure, no mocks): what each
// host is told to create, which key may do what, and where an app's port goes.
import { strict as assert } from "assert";
import { parseConfig } from "../../../components/plan/config";
import { loginUsers } from "../../../components/plan/users";
import { plan, renderSshConfig, userSshCommands } from "../../../components/plan/plan";
import { nodeTunnel } from "../../../components/plan/tunnels";
import { DAEMON_HEADROOM_MB, DAEMON_PIDS, HOME_SERVER_LIMITS, PIDS_PER_CPU } from "../../../components/plan/compute";
import { renderSlurmConf } from "../../../components/plan/slurm";

const KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJekrC+b9xW5S3Pu8L1Cxa5TKkvDBrm+v4sSeT21Uwqu alice@example.org";
const KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC3oXTqkQ8N1Z1R+AEWeBG09LttsEA0vmyKTIFh5Q8xa bob@example.org";
const p = plan(parseConfig({
    trustedCidrs: ["203.0.113.0/24"],
    users: [{ name: "alice", uid: 2001, account: "physics", sshPublicKey: KEY_A }, { name: "bob", uid: 2002, sshPublicKey: KEY_B }],
}));
const step = (id: string) => p.steps.find((s) => s.id === id)!;
const fileOf = (id: string, path: string) => step(id).files.find((f) => f.path === path)!;

describe("cluster users in the plan", () => {
    it("gives each user a jump-only key on the bastion: the controller's port 22 and nothing else, root-owned outside /home", () => {
        const f = fileOf("bastion-users", "/etc/ssh/authorized_keys/alice");
        assert.equal(f.content, `restrict,port-forwarding,command="/bin/false",permitopen="${p.controller.privateIp}:22" ${KEY_A}\n`);
        assert.deepEqual([f.mode, f.owner], ["0644", "root:root"]);
        assert.equal(step("bastion-users").env.USER_ROLE, "jump");
    });

    it("gives each user a plain login key on the controller, and the same uids as every other host", () => {
        assert.equal(fileOf("controller-users", "/etc/ssh/authorized_keys/bob").content, `${KEY_B}\n`);
        assert.equal(step("controller-users").env.USER_ROLE, "login");
        for (const id of ["bastion-users", "controller-users"]) assert.equal(step(id).env.CLUSTER_USERS, "alice:2001 bob:2002", id);
        for (const c of [...p.containers, p.homeServer]) assert.equal(c.env.SLURM_USERS, "admin:1000 alice:2001 bob:2002", c.name);
    });

    it("makes each user's association in their account, admin's in default", () => {
        assert.equal(step("controller-accounts").env.ACCOUNT_USERS, "admin:default alice:physics bob:default");
    });

    it("mounts the cluster users' homes on the controller, not admin's, from the home server's tunnel port with its pinned key", () => {
        const home = step("controller-home");
        assert.equal(home.env.HOME_MOUNT_USERS, "alice bob");
        assert.equal(home.env.HOME_PORT, String(p.home.tunnelPort));
        assert.deepEqual(home.generated, ["homeClientPrivateKey", "homeHostPublicKey"]);
        assert.deepEqual(home.dependsOn, ["controller-users"]);
        const unit = fileOf("controller-home", "/etc/systemd/system/hpc-home@.service").content;
        for (const o of ["reconnect", "ServerAliveInterval=5", "ServerAliveCountMax=3", "StrictHostKeyChecking=yes", "idmap=none", "default_permissions", "dir_cache=no"]) {
            assert.match(unit, new RegExp(`[,=]${o}[,\\s]|-o ${o}`), o);
        }
        assert.match(unit, /^Restart=always$/m);
    });

    it("serves only the cluster users over SFTP, from an unprivileged container that publishes nothing", () => {
        const h = p.homeServer;
        assert.equal(h.env.SFTP_USERS, "alice:2001 bob:2002");
        assert.deepEqual(h.capAdd, []);
        assert.deepEqual(h.ports, []);
        assert.deepEqual(h.volumes, [{ volume: `${p.clusterName}-home`, target: "/home" }]);
        assert.equal(h.env.TUNNEL_REMOTE_FORWARDS, `${p.home.tunnelPort}:22`);
        for (const c of p.containers) assert.deepEqual(c.volumes, h.volumes, c.name);
    });

    it("renders an ssh_config block pair per user, and a users output of one command each", () => {
        const text = renderSshConfig(p, "198.51.100.1");
        assert.match(text, /^Host hpc-bastion-alice\n {4}HostName 198\.51\.100\.1\n {4}User alice\n/m);
        assert.match(text, new RegExp(`^Host hpc-alice\\n {4}HostName ${p.controller.privateIp.replace(/\./g, "\\.")}\\n {4}User alice\\n {4}ProxyJump hpc-bastion-alice$`, "m"));
        assert.doesNotMatch(text, /IdentityFile ~\/\.ssh\/hpc-stack-admin\n {4}IdentitiesOnly yes\n {4}ProxyJump hpc-bastion-alice/, "a user's own key, not admin's");
        assert.deepEqual(userSshCommands(p, "198.51.100.1"), {
            alice: `ssh -J alice@198.51.100.1 alice@${p.controller.privateIp}`,
            bob: `ssh -J bob@198.51.100.1 bob@${p.controller.privateIp}`,
        });
        assert.deepEqual(loginUsers(p).map((u) => u.name), ["alice", "bob"]);
    });
});

describe("a node's share in the plan", () => {
    it("schedules memory (CR_Core_Memory, DefMemPerCPU of the smallest node per CPU) and kills a step over its --mem", () => {
        const q = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], computeNodes: [{ name: "a", cpus: 4, memoryMb: 8192 }, { name: "b", cpus: 2, memoryMb: 3000 }] }));
        const conf = renderSlurmConf(q);
        assert.match(conf, /^SelectTypeParameters=CR_Core_Memory$/m);
        assert.match(conf, /^DefMemPerCPU=1500$/m);
        assert.match(conf, /^JobAcctGatherParams=OverMemoryKill$/m);
        assert.match(conf, /^NodeName=b .* RealMemory=3000 /m);
    });

    it("limits each compute container to its node's CPUs, memory (plus its daemons' room, no swap) and processes, with no-new-privileges", () => {
        for (const c of p.containers) {
            const n = p.nodes.find((x) => x.name === c.node)!;
            assert.deepEqual(c.limits, { memoryMb: n.memoryMb + DAEMON_HEADROOM_MB, cpus: n.cpus, pids: DAEMON_PIDS + PIDS_PER_CPU * n.cpus });
            assert.deepEqual(c.securityOpts, ["no-new-privileges:true"]);
            assert.deepEqual(c.healthcheck.test, ["CMD-SHELL", "/usr/local/lib/hpc/healthcheck.sh node"]);
        }
        assert.deepEqual(p.homeServer.securityOpts, ["no-new-privileges:true"]);
        assert.deepEqual(p.homeServer.limits, HOME_SERVER_LIMITS);
        assert.deepEqual(p.homeServer.healthcheck.test, ["CMD-SHELL", "/usr/local/lib/hpc/healthcheck.sh home"]);
    });

    it("checks health within SlurmdTimeout: three failed checks make a node unhealthy before slurmctld gives up on it", () => {
        const timeout = Number(/^SlurmdTimeout=(\d+)$/m.exec(renderSlurmConf(p))![1]);
        for (const c of [...p.containers, p.homeServer]) {
            assert.ok(c.healthcheck.intervalS * c.healthcheck.retries < timeout, `${c.node}: ${JSON.stringify(c.healthcheck)} vs SlurmdTimeout=${timeout}`);
            assert.ok(c.healthcheck.timeoutS < c.healthcheck.intervalS, c.node);
        }
    });
});

describe("app ports in the plan", () => {
    it("forwards each node's app ports to the same number on the node, and lists them for hpc-app-port", () => {
        const q = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], appPortsPerNode: 3 }));
        for (const n of q.nodes) {
            assert.deepEqual(n.appPorts, [n.ports.app, n.ports.app + 1, n.ports.app + 2]);
            const remote = nodeTunnel(q, n).remote;
            for (const port of n.appPorts) assert.ok(remote.some((f) => f.listen === port && f.target === port), `${n.name} ${port}`);
            const c = q.containers.find((x) => x.node === n.name)!;
            assert.equal(c.env.APP_PORTS, n.appPorts.join(" "));
            assert.equal(c.env.APP_SSH_CONTROLLER, q.controller.privateIp);
            assert.deepEqual(c.env.APP_SSH_BASTION, { ref: "bastionAddress" });
        }
        // Blocks do not overlap: a node's last app port is below the next node's slurmd port.
        assert.ok(q.nodes[0].appPorts[2] < q.nodes[1].ports.slurmd);
    });
});
