import * as assert from "assert";
import { isTrustedCidr, isWildcardAddress, isWorld } from "../../policy/cidr";
import { policies } from "../../policy/policies";
import { UNKNOWN, checkResource, checkStack, findPolicy } from "./util";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const TRUSTED = { trustedCidrs: ["203.0.113.0/24", "2001:db8::/32"] };

const ssh = (extra: Record<string, unknown>) => ({ protocol: "tcp", fromPort: 22, toPort: 22, ...extra });

describe("policy: network", () => {
    describe("cidr helpers", () => {
        it("recognises the world in any spelling", () => {
            assert.ok(isWorld("0.0.0.0/0") && isWorld("::/0") && isWorld(" 10.1.2.3/0 "));
            assert.ok(!isWorld("10.0.0.0/8") && !isWorld("nonsense"));
        });

        it("checks containment, family and prefix", () => {
            const trusted = ["203.0.113.0/24"];
            assert.ok(isTrustedCidr("203.0.113.0/24", trusted));
            assert.ok(isTrustedCidr("203.0.113.7/32", trusted));
            assert.ok(!isTrustedCidr("203.0.112.0/23", trusted), "wider than the trusted block");
            assert.ok(!isTrustedCidr("198.51.100.1/32", trusted));
            assert.ok(!isTrustedCidr("::ffff:203.0.113.7/128", trusted), "other family");
            assert.ok(!isTrustedCidr("0.0.0.0/0", ["0.0.0.0/0"]), "the world is never trusted");
            assert.ok(!isTrustedCidr("garbage", trusted));
        });

        it("treats unset, empty and unspecified bind addresses as wildcards", () => {
            for (const ip of [undefined, "", "0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "not-an-ip"]) {
                assert.ok(isWildcardAddress(ip), String(ip));
            }
            assert.ok(!isWildcardAddress("127.0.0.1") && !isWildcardAddress("::1") && !isWildcardAddress("10.0.0.5"));
        });
    });

    describe("ssh-ingress-trusted-cidrs-only", () => {
        const policy = findPolicy(policies, "ssh-ingress-trusted-cidrs-only");
        const check = (type: string, props: Record<string, unknown>) => checkResource(policy, type, props, { config: TRUSTED });

        it("accepts inline SSH from a trusted CIDR, a narrower one, and IPv6 inside the list", async () => {
            const props = {
                ingress: [
                    ssh({ cidrBlocks: ["203.0.113.0/24", "203.0.113.9/32"] }),
                    ssh({ ipv6CidrBlocks: ["2001:db8:1::/48"] }),
                ],
            };
            assert.deepStrictEqual(await check(SG, props), []);
        });

        it("accepts SSH from a referenced security group (inline, self, rule, ingress rule)", async () => {
            assert.deepStrictEqual(await check(SG, { ingress: [ssh({ securityGroups: ["sg-bastion"] }), ssh({ self: true })] }), []);
            assert.deepStrictEqual(await check(SG_RULE, ssh({ type: "ingress", sourceSecurityGroupId: "sg-bastion" })), []);
            const rule = { ipProtocol: "tcp", fromPort: 22, toPort: 22, referencedSecurityGroupId: "sg-bastion" };
            assert.deepStrictEqual(await check(INGRESS_RULE, rule), []);
        });

        it("accepts group references whose ids are still unknown (preview)", async () => {
            assert.deepStrictEqual(await check(SG, { ingress: [ssh({ securityGroups: [UNKNOWN] })] }), []);
            assert.deepStrictEqual(await check(SG_RULE, ssh({ type: "ingress", sourceSecurityGroupId: UNKNOWN })), []);
            const rule = { ipProtocol: "tcp", fromPort: 22, toPort: 22, referencedSecurityGroupId: UNKNOWN, securityGroupId: UNKNOWN };
            assert.deepStrictEqual(await check(INGRESS_RULE, rule), []);
        });

        it("accepts non-SSH ingress from anywhere inside the VPC and egress rules", async () => {
            const props = { ingress: [{ protocol: "tcp", fromPort: 6817, toPort: 6819, cidrBlocks: ["10.0.0.0/16"] }] };
            assert.deepStrictEqual(await check(SG, props), []);
            const egress = { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] };
            assert.deepStrictEqual(await check(SG_RULE, egress), []);
        });

        it("rejects inline SSH from 0.0.0.0/0", async () => {
            const v = await check(SG, { ingress: [ssh({ cidrBlocks: ["0.0.0.0/0"] })] });
            assert.strictEqual(v.length, 1);
            assert.match(v[0], /whole internet/);
        });

        it("rejects a SecurityGroupRule opening SSH to the world", async () => {
            const v = await check(SG_RULE, ssh({ type: "ingress", cidrBlocks: ["0.0.0.0/0"] }));
            assert.strictEqual(v.length, 1);
        });

        it("rejects a vpc.SecurityGroupIngressRule opening SSH to the world", async () => {
            const v = await check(INGRESS_RULE, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" });
            assert.strictEqual(v.length, 1);
        });

        it("rejects protocol -1 / all from the world (covers 22 whatever the ports say)", async () => {
            const inline = await check(SG, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
            assert.strictEqual(inline.length, 1);
            const rule = await check(INGRESS_RULE, { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" });
            assert.strictEqual(rule.length, 1);
            const all = await check(SG_RULE, { type: "ingress", protocol: "all", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
            assert.strictEqual(all.length, 1);
        });

        it("rejects ::/0", async () => {
            const v = await check(SG, { ingress: [ssh({ ipv6CidrBlocks: ["::/0"] })] });
            assert.strictEqual(v.length, 1);
            assert.strictEqual((await check(INGRESS_RULE, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv6: "::/0" })).length, 1);
        });

        it("rejects a CIDR outside trustedCidrs, including one wider than a trusted block", async () => {
            const v = await check(SG, { ingress: [ssh({ cidrBlocks: ["198.51.100.0/24", "203.0.0.0/16"] })] });
            assert.strictEqual(v.length, 2);
            assert.match(v[0], /198\.51\.100\.0\/24.*not inside trustedCidrs/);
        });

        it('rejects protocol "6" and port ranges that include 22', async () => {
            const six = await check(SG_RULE, { type: "ingress", protocol: "6", fromPort: 22, toPort: 22, cidrBlocks: ["198.51.100.0/24"] });
            assert.strictEqual(six.length, 1);
            const range = await check(SG, { ingress: [{ protocol: "TCP", fromPort: 1, toPort: 1024, cidrBlocks: ["198.51.100.0/24"] }] });
            assert.strictEqual(range.length, 1);
        });

        it("does not apply to UDP 22", async () => {
            const udp = await check(SG, { ingress: [{ protocol: "udp", fromPort: 22, toPort: 22, cidrBlocks: ["198.51.100.0/24"] }] });
            assert.deepStrictEqual(udp, []);
        });

        it("rejects prefix lists and any CIDR when trustedCidrs is empty (the default)", async () => {
            assert.strictEqual((await check(INGRESS_RULE, { ipProtocol: "tcp", fromPort: 22, toPort: 22, prefixListId: "pl-1" })).length, 1);
            const v = await checkResource(policy, SG, { ingress: [ssh({ cidrBlocks: ["203.0.113.0/24"] })] });
            assert.strictEqual(v.length, 1);
        });
    });

    describe("slurm-ports-not-public", () => {
        const policy = findPolicy(policies, "slurm-ports-not-public");

        it("accepts Slurm ports from the VPC and SSH from the world (another policy's job)", async () => {
            const props = {
                ingress: [
                    { protocol: "tcp", fromPort: 6817, toPort: 6819, cidrBlocks: ["10.0.0.0/16"] },
                    ssh({ cidrBlocks: ["0.0.0.0/0"] }),
                    { protocol: "icmp", fromPort: -1, toPort: -1, cidrBlocks: ["0.0.0.0/0"] },
                ],
            };
            assert.deepStrictEqual(await checkResource(policy, SG, props), []);
        });

        it("rejects Slurm ports open to the world, in each rule shape", async () => {
            const inline = await checkResource(policy, SG, { ingress: [{ protocol: "tcp", fromPort: 6817, toPort: 6819, cidrBlocks: ["0.0.0.0/0"] }] });
            assert.strictEqual(inline.length, 1);
            assert.match(inline[0], /Slurm/);
            const rule = await checkResource(policy, SG_RULE, { type: "ingress", protocol: "tcp", fromPort: 6818, toPort: 6818, ipv6CidrBlocks: ["::/0"] });
            assert.strictEqual(rule.length, 1);
            const ing = await checkResource(policy, INGRESS_RULE, { ipProtocol: "6", fromPort: 6819, toPort: 6819, cidrIpv4: "0.0.0.0/0" });
            assert.strictEqual(ing.length, 1);
        });

        it("rejects any other port, UDP, and protocol -1 from the world", async () => {
            const web = await checkResource(policy, INGRESS_RULE, { ipProtocol: "tcp", fromPort: 3000, toPort: 3000, cidrIpv4: "0.0.0.0/0" });
            assert.strictEqual(web.length, 1);
            const udp = await checkResource(policy, SG, { ingress: [{ protocol: "udp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] });
            assert.strictEqual(udp.length, 1);
            const all = await checkResource(policy, SG, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
            assert.strictEqual(all.length, 1);
            const wide = await checkResource(policy, SG, { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 23, cidrBlocks: ["0.0.0.0/0"] }] });
            assert.strictEqual(wide.length, 1);
        });
    });

    describe("vpc-flow-logs-enabled", () => {
        const policy = findPolicy(policies, "vpc-flow-logs-enabled");
        const vpc = { type: "aws:ec2/vpc:Vpc", name: "vpc", props: { id: "vpc-1", cidrBlock: "10.0.0.0/16" } };

        it("accepts a VPC with a flow log (by id, or by property dependency)", async () => {
            const fl = { type: "aws:ec2/flowLog:FlowLog", name: "fl", props: { id: "fl-1", vpcId: "vpc-1", trafficType: "ALL" } };
            assert.deepStrictEqual(await checkStack(policy, [vpc, fl]), []);
            const byDep = { ...fl, props: { id: "fl-1" }, propertyDependencies: { vpcId: ["vpc"] } };
            assert.deepStrictEqual(await checkStack(policy, [vpc, byDep]), []);
        });

        it("rejects a VPC without one, or whose flow log targets another VPC", async () => {
            assert.strictEqual((await checkStack(policy, [vpc])).length, 1);
            const other = { type: "aws:ec2/flowLog:FlowLog", name: "fl", props: { id: "fl-1", vpcId: "vpc-2" } };
            assert.strictEqual((await checkStack(policy, [vpc, other])).length, 1);
        });
    });

    describe("default-security-group-closed", () => {
        const policy = findPolicy(policies, "default-security-group-closed");
        const DSG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";

        it("accepts a default security group with no rules", async () => {
            assert.deepStrictEqual(await checkResource(policy, DSG, { vpcId: "vpc-1" }), []);
            assert.deepStrictEqual(await checkResource(policy, DSG, { vpcId: "vpc-1", ingress: [], egress: [] }), []);
        });

        it("rejects ingress or egress rules", async () => {
            const props = {
                vpcId: "vpc-1",
                ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }],
                egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
            };
            assert.strictEqual((await checkResource(policy, DSG, props)).length, 2);
        });
    });
});
