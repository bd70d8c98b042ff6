// Runs the real index.ts under mocks with exactly Pulumi.dev.yaml and checks the
// seed's topology, the security posture and the output contract.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DEV_STACK_FILE, Recorded, RecordingMocks, runIndex, stackConfigFromFile, TEST_ADMIN_PUBLIC_KEY, withTestAdminKey } from "../../mocks";

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    igw: "aws:ec2/internetGateway:InternetGateway",
    nat: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    rt: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    rta: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    instance: "aws:ec2/instance:Instance",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    flowLog: "aws:ec2/flowLog:FlowLog",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
};

/** The output contract other teams rely on: every name, and whether it is secret. */
const OUTPUT_CONTRACT: Record<string, { secret: boolean }> = {
    vpcId: { secret: false },
    publicSubnetId: { secret: false },
    privateSubnetId: { secret: false },
    bastionPublicIp: { secret: false },
    controllerPrivateIp: { secret: false },
    natPublicIp: { secret: false },
    sshConfig: { secret: false },
    users: { secret: false },
    alertmanagerPassword: { secret: true },
    knownHosts: { secret: false },
    clusterName: { secret: false },
    partitions: { secret: false },
    platform: { secret: false },
    prometheusUrl: { secret: false },
    alertmanagerUrl: { secret: false },
    grafanaUrl: { secret: false },
    grafanaAdminPassword: { secret: true },
};

const tagName = (r: Recorded) => (r.inputs.tags as Record<string, string> | undefined)?.Name;
const byName = (m: RecordingMocks, type: string, name: string) => {
    const found = m.ofType(type).filter((r) => tagName(r) === name);
    assert.equal(found.length, 1, `expected one ${type} tagged Name=${name}`);
    return found[0];
};

describe("the program under mocks with Pulumi.dev.yaml", () => {
    let m: RecordingMocks;
    let outputs: Record<string, unknown>;
    const devConfig = withTestAdminKey(stackConfigFromFile(DEV_STACK_FILE));

    before(async () => {
        ({ mocks: m, outputs } = await runIndex(devConfig));
    });

    it("declares SLURM-VPC with both subnets", () => {
        const vpc = byName(m, T.vpc, "SLURM-VPC");
        assert.equal(vpc.inputs.cidrBlock, "10.0.0.0/16");
        const priv = byName(m, T.subnet, "PrivateSubnet");
        const pub = byName(m, T.subnet, "PublicSubnet");
        assert.equal(priv.inputs.cidrBlock, "10.0.1.0/24");
        assert.equal(pub.inputs.cidrBlock, "10.0.2.0/24");
        assert.equal(priv.inputs.mapPublicIpOnLaunch, false);
        assert.equal(priv.inputs.vpcId, vpc.id);
        assert.equal(pub.inputs.vpcId, vpc.id);
    });

    it("routes the public subnet to SLURM-IGW and the private one through SLURM-NAT with an EIP", () => {
        const igw = byName(m, T.igw, "SLURM-IGW");
        const nat = byName(m, T.nat, "SLURM-NAT");
        const pub = byName(m, T.subnet, "PublicSubnet");
        const priv = byName(m, T.subnet, "PrivateSubnet");
        const natEip = m.ofType(T.eip).find((e) => e.id === nat.inputs.allocationId);
        assert.ok(natEip, "the NAT gateway's allocationId is an EIP of this stack");
        assert.equal(nat.inputs.subnetId, pub.id);

        const publicRt = byName(m, T.rt, "Public-RT");
        const privateRt = byName(m, T.rt, "Private-RT");
        const routeOf = (rt: Recorded) => m.ofType(T.route).filter((r) => r.inputs.routeTableId === rt.id);
        assert.deepEqual(routeOf(publicRt).map((r) => [r.inputs.destinationCidrBlock, r.inputs.gatewayId]), [["0.0.0.0/0", igw.id]]);
        assert.deepEqual(routeOf(privateRt).map((r) => [r.inputs.destinationCidrBlock, r.inputs.natGatewayId]), [["0.0.0.0/0", nat.id]]);
        const assoc = (rt: Recorded) => m.ofType(T.rta).filter((a) => a.inputs.routeTableId === rt.id).map((a) => a.inputs.subnetId);
        assert.deepEqual(assoc(publicRt), [pub.id]);
        assert.deepEqual(assoc(privateRt), [priv.id]);
    });

    it("gives the controller no public IP, in the private subnet, and no EIP", () => {
        const ctl = byName(m, T.instance, "hpc-controller");
        assert.equal(ctl.inputs.associatePublicIpAddress, false);
        assert.equal(ctl.inputs.subnetId, byName(m, T.subnet, "PrivateSubnet").id);
        assert.equal(ctl.inputs.instanceType, "t3.medium");
        assert.ok(!m.ofType(T.eip).some((e) => e.inputs.instance === ctl.id), "no EIP targets the controller");
    });

    it("requires IMDSv2 and encrypts the root volume on every instance", () => {
        const instances = m.ofType(T.instance);
        assert.equal(instances.length, 2);
        for (const i of instances) {
            assert.equal((i.inputs.metadataOptions as Record<string, unknown>).httpTokens, "required", i.name);
            const root = i.inputs.rootBlockDevice as Record<string, unknown>;
            assert.equal(root.encrypted, true, i.name);
            assert.equal(root.volumeType, "gp3", i.name);
        }
        assert.equal((byName(m, T.instance, "hpc-bastion").inputs.rootBlockDevice as Record<string, unknown>).volumeSize, 8);
        assert.equal((byName(m, T.instance, "hpc-controller").inputs.rootBlockDevice as Record<string, unknown>).volumeSize, 20);
    });

    it("replaces the controller delete-first, since its fixed private IP cannot be held twice", () => {
        const ctl = byName(m, T.instance, "hpc-controller");
        assert.match(String(ctl.inputs.privateIp), /^\d+\.\d+\.\d+\.\d+$/);
        assert.equal(ctl.options.deleteBeforeReplace, true);
        // The bastion has no fixed address: its replacement comes up before the old one goes.
        assert.equal(byName(m, T.instance, "hpc-bastion").options.deleteBeforeReplace, false);
        // A newer Debian AMI must not replace a running cluster's hosts.
        for (const i of m.ofType(T.instance)) assert.deepEqual(i.options.ignoreChanges, ["ami"], i.name);
    });

    it("uses the Debian 13 AMI from Debian's account", () => {
        const ami = m.invokes.find((i) => i.token === "aws:ec2/getAmi:getAmi");
        assert.ok(ami);
        assert.deepEqual(ami.inputs.owners, ["136693071363"]);
        assert.deepEqual((ami.inputs.filters as { name: string; values: string[] }[]).find((f) => f.name === "name")?.values, ["debian-13-amd64-*"]);
        for (const i of m.ofType(T.instance)) assert.equal(i.inputs.ami, "ami-0debian13mock");
    });

    it("names the platform in every instance's user data, which replaces the instance when it changes", () => {
        for (const i of m.ofType(T.instance)) {
            assert.match(String(i.inputs.userData), /^#cloud-config\n# hpc-stack platform debian-13\/slurm-24\.11:/, i.name);
            assert.equal(i.inputs.userDataReplaceOnChange, true, i.name);
        }
    });

    it("opens port 22 only to trustedCidrs and to the bastion's security group", () => {
        const bastionSg = byName(m, T.sg, "hpc-bastion-sg");
        const controllerSg = byName(m, T.sg, "hpc-controller-sg");
        const covers22 = (r: Recorded) => r.inputs.ipProtocol === "-1" || ((r.inputs.fromPort as number) <= 22 && 22 <= (r.inputs.toPort as number));
        const ssh = m.ofType(T.ingress).filter(covers22);
        assert.deepEqual(ssh.map((r) => [r.inputs.securityGroupId, r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId]).sort(), [
            [bastionSg.id, "203.0.113.0/24"],
            [controllerSg.id, bastionSg.id],
        ].sort());
    });

    it("opens nothing to the world, and no Slurm port at all (every node reaches slurmctld through its tunnel)", () => {
        for (const r of m.ofType(T.ingress)) {
            assert.ok(!["0.0.0.0/0"].includes(r.inputs.cidrIpv4 as string) && r.inputs.cidrIpv6 !== "::/0", r.name);
        }
        const slurm = m.ofType(T.ingress).filter((r) => r.inputs.ipProtocol === "-1" || ((r.inputs.fromPort as number) <= 6819 && (r.inputs.toPort as number) >= 6817));
        assert.deepEqual(slurm.map((r) => r.name), []);
        // The controller admits SSH from the bastion's security group, and nothing else.
        const controllerSg = byName(m, T.sg, "hpc-controller-sg");
        assert.deepEqual(m.ofType(T.ingress).filter((r) => r.inputs.securityGroupId === controllerSg.id).map((r) => [r.inputs.fromPort, r.inputs.toPort]), [[22, 22]]);
    });

    it("lets only the controller's security group reach the bastion's node exporter", () => {
        const bastionSg = byName(m, T.sg, "hpc-bastion-sg");
        const controllerSg = byName(m, T.sg, "hpc-controller-sg");
        const metrics = m.ofType(T.ingress).filter((r) => (r.inputs.fromPort as number) <= 9100 && 9100 <= (r.inputs.toPort as number));
        assert.deepEqual(metrics.map((r) => [r.inputs.securityGroupId, r.inputs.referencedSecurityGroupId, r.inputs.cidrIpv4, r.inputs.fromPort, r.inputs.toPort]),
            [[bastionSg.id, controllerSg.id, undefined, 9100, 9100]]);
    });

    it("exports where Prometheus, Alertmanager and Grafana are, each with the ssh -L that reaches it", async () => {
        const get = (k: string) => new Promise<{ url: string; command: string }>((r) => (outputs[k] as pulumi.Output<{ url: string; command: string }>).apply(r));
        assert.deepEqual(await get("prometheusUrl"), { url: "http://localhost:9090/", command: "ssh -N -L 9090:127.0.0.1:9090 hpc-controller" });
        assert.deepEqual(await get("alertmanagerUrl"), { url: "http://localhost:9093/", command: "ssh -N -L 9093:127.0.0.1:9093 hpc-controller" });
        assert.deepEqual(await get("grafanaUrl"), { url: "http://localhost:3000/", command: "ssh -N -L 3000:127.0.0.1:3000 hpc-controller" });
        const password = await new Promise<string>((r) => (outputs.grafanaAdminPassword as pulumi.Output<string>).apply(r));
        assert.equal(password, m.one("random:index/randomPassword:RandomPassword", "grafana-admin-password").state.result);
    });

    it("uses only separate rule resources, with explicit egress", () => {
        assert.equal(m.ofType(T.sgRule).length, 0);
        for (const sg of m.ofType(T.sg)) {
            assert.equal(sg.inputs.ingress, undefined, `${sg.name} has inline ingress`);
            assert.equal(sg.inputs.egress, undefined, `${sg.name} has inline egress`);
            assert.equal(m.ofType(T.egress).filter((e) => e.inputs.securityGroupId === sg.id).length, 1, `${sg.name} egress`);
        }
    });

    it("logs VPC flows to CloudWatch and closes the default security group", () => {
        const vpc = byName(m, T.vpc, "SLURM-VPC");
        const flow = m.one(T.flowLog);
        assert.equal(flow.inputs.vpcId, vpc.id);
        assert.equal(flow.inputs.trafficType, "ALL");
        assert.equal(flow.inputs.logDestinationType, "cloud-watch-logs");
        assert.ok(flow.inputs.iamRoleArn);
        const dsg = m.one(T.defaultSg);
        assert.equal(dsg.inputs.vpcId, vpc.id);
        assert.equal(dsg.inputs.ingress, undefined);
        assert.equal(dsg.inputs.egress, undefined);
    });

    it("registers the admin's own public key as the instances' key pair, and makes no admin private key", () => {
        assert.equal(m.ofType("tls:index/privateKey:PrivateKey").filter((k) => k.name.includes("admin")).length, 0);
        const kp = m.one("aws:ec2/keyPair:KeyPair");
        assert.equal(kp.inputs.publicKey, TEST_ADMIN_PUBLIC_KEY);
        for (const i of m.ofType(T.instance)) assert.equal(i.inputs.keyName, kp.state.keyName);
    });

    it("declares no two resources with the same type and name", () => {
        const urns = m.resources.map((r) => `${r.type}::${r.name}`);
        const dupes = urns.filter((u, i) => urns.indexOf(u) !== i);
        assert.deepEqual(dupes, []);
    });

    it("parents every resource under a component (nothing floats at the stack root)", () => {
        const components = m.resources.filter((r) => r.type.startsWith("hpc-stack:")).map((r) => r.type).sort();
        assert.deepEqual(components, [
            "hpc-stack:bastion:Bastion", "hpc-stack:bootstrap:Bootstrap", "hpc-stack:compute:ComputeNodes", "hpc-stack:controller:Controller",
            "hpc-stack:keys:AdminKey", "hpc-stack:network:Network", "hpc-stack:secrets:ClusterSecrets",
        ]);
    });

    it("pins the output contract: names and secrecy", async () => {
        assert.deepEqual(Object.keys(outputs).sort(), Object.keys(OUTPUT_CONTRACT).sort());
        for (const [name, { secret }] of Object.entries(OUTPUT_CONTRACT)) {
            const o = outputs[name] as pulumi.Output<unknown>;
            assert.ok(pulumi.Output.isInstance(o), `${name} is an Output`);
            assert.equal(await pulumi.isSecret(o), secret, `${name} secret=${secret}`);
        }
    });

    it("exports known_hosts lines with the generated host keys of the bastion's EIP and the controller", async () => {
        const text = await new Promise<string>((r) => (outputs.knownHosts as pulumi.Output<string>).apply(r));
        const bastionIp = m.one("aws:ec2/eip:Eip", "bastion-eip").state.publicIp;
        const pub = (host: string) => String(m.one("tls:index/privateKey:PrivateKey", `-${host}-host-key`).state.publicKeyOpenssh).trim();
        assert.equal(text, `${bastionIp} ${pub("bastion")}\n10.0.1.10 ${pub("controller")}\n`);
    });

    it("exports an ssh config that reaches the controller through the bastion", async () => {
        const text = await new Promise<string>((r) => (outputs.sshConfig as pulumi.Output<string>).apply(r));
        const bastionIp = await new Promise<string>((r) => (outputs.bastionPublicIp as pulumi.Output<string>).apply(r));
        assert.ok(text.includes(`HostName ${bastionIp}`));
        assert.match(text, /Host hpc-controller\n {4}HostName 10\.0\.1\.10[\s\S]*ProxyJump hpc-bastion/);
    });
});

describe("the program with a bad stack config", () => {
    it("stops with one RunError naming the key and value, before declaring any resource", async () => {
        const bad = { ...stackConfigFromFile(DEV_STACK_FILE), "hpc-stack:trustedCidrs": JSON.stringify(["0.0.0.0/0"]) };
        let mocks: RecordingMocks | undefined;
        await assert.rejects(async () => { ({ mocks } = await runIndex(bad)); }, (e: Error) => {
            assert.ok(e instanceof pulumi.RunError, `expected RunError, got ${e.constructor.name}`);
            assert.match(e.message, /trustedCidrs\[0\] = "0\.0\.0\.0\/0": opens SSH to the whole internet/);
            return true;
        });
        assert.equal(mocks, undefined);
    });
});
