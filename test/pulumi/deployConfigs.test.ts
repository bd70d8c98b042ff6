// Component inputs for configurations other than the dev stack.
import { strict as assert } from "assert";
import { parseConfig } from "../../components/plan/config";
import { deploy } from "../../components/pulumi/deploy";
import { installMocks, settle, TEST_ADMIN_PUBLIC_KEY } from "../../mocks";

async function run(raw: Record<string, unknown>) {
    const mocks = installMocks({});
    const out = await deploy(parseConfig({ trustedCidrs: ["203.0.113.0/24"], adminPublicKey: TEST_ADMIN_PUBLIC_KEY, ...raw }));
    await settle(out as unknown as Record<string, unknown>);
    return { mocks, out };
}

describe("components under other configurations", () => {
    it("uses the admin's public key and makes no admin private key", async () => {
        const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample admin@laptop";
        const { mocks, out } = await run({ adminPublicKey: key });
        assert.equal(mocks.ofType("tls:index/privateKey:PrivateKey").filter((k) => k.name.includes("admin")).length, 0);
        assert.equal(mocks.one("aws:ec2/keyPair:KeyPair").inputs.publicKey, key);
        assert.equal("adminPrivateKey" in out, false);
    });

    it("refuses a config without adminPublicKey before declaring any resource, saying how to make one", async () => {
        const mocks = installMocks({});
        await assert.rejects(deploy(parseConfig({ trustedCidrs: ["203.0.113.0/24"] })),
            /adminPublicKey is not set[^]*ssh-keygen -t ed25519[^]*pulumi config set adminPublicKey/);
        assert.equal(mocks.resources.length, 0, mocks.resources.map((r) => r.type).join(", "));
    });

    it("opens SSH to IPv6 trusted ranges through cidrIpv6 rules", async () => {
        const { mocks } = await run({ trustedCidrs: ["2001:db8::/48", "198.51.100.0/24"] });
        const ssh = mocks.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.startsWith("hpc-bastion-sg-ssh"));
        assert.deepEqual(ssh.map((r) => r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6).sort(), ["198.51.100.0/24", "2001:db8::/48"]);
    });

    it("honours a custom VPC layout, instance type and cluster name", async () => {
        const { mocks } = await run({
            clusterName: "lab2", vpcCidr: "172.20.0.0/16", privateSubnetCidr: "172.20.8.0/24", publicSubnetCidr: "172.20.9.0/24",
            controllerInstanceType: "t3.large", availabilityZone: "eu-west-1a",
        });
        const ctl = mocks.one("aws:ec2/instance:Instance", "lab2-controller");
        assert.equal(ctl.inputs.instanceType, "t3.large");
        assert.equal(ctl.inputs.privateIp, "172.20.8.10");
        for (const s of mocks.ofType("aws:ec2/subnet:Subnet")) assert.equal(s.inputs.availabilityZone, "eu-west-1a");
        assert.equal(mocks.one("aws:ec2/vpc:Vpc").inputs.cidrBlock, "172.20.0.0/16");
    });

    it("tags every taggable AWS resource with Name, Project and ManagedBy", async () => {
        const { mocks } = await run({ tags: { CostCenter: "hpc-42" } });
        const taggable = mocks.resources.filter((r) => r.type.startsWith("aws:") && r.type !== "aws:iam/rolePolicy:RolePolicy"
            && r.type !== "aws:ec2/route:Route" && r.type !== "aws:ec2/routeTableAssociation:RouteTableAssociation");
        assert.ok(taggable.length > 20);
        for (const r of taggable) {
            const tags = r.inputs.tags as Record<string, string>;
            assert.ok(tags, `${r.type} ${r.name} has tags`);
            for (const k of ["Name", "Project", "ManagedBy", "CostCenter"]) assert.ok(tags[k], `${r.name} has ${k}`);
        }
    });
});
