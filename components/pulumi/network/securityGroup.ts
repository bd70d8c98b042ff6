// Security groups built only from separate rule resources: inline rules and rule
// resources on one group fight each other on every `pulumi up`.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PortRange } from "../../plan/layout";

/** One source for an ingress rule: a CIDR, or another security group. */
export type RuleSource =
    | { cidrIpv4: string }
    | { cidrIpv6: string }
    | { securityGroupId: pulumi.Input<string> };

export interface IngressRule {
    /** Stable suffix for the rule's resource name. */
    id: string;
    description: string;
    ports: PortRange;
    source: RuleSource;
}

/** Declares a security group, its ingress rules, and one explicit all-egress rule. */
export function securityGroupWithRules(
    name: string,
    args: { vpcId: pulumi.Input<string>; description: string; tags: Record<string, string>; ingress: IngressRule[] },
    opts: pulumi.ComponentResourceOptions,
): aws.ec2.SecurityGroup {
    const sg = new aws.ec2.SecurityGroup(name, {
        vpcId: args.vpcId,
        description: args.description,
        tags: args.tags,
    }, opts);
    const ruleOpts = { ...opts, parent: sg };
    for (const r of args.ingress) {
        const src = r.source;
        new aws.vpc.SecurityGroupIngressRule(`${name}-${r.id}`, {
            securityGroupId: sg.id,
            description: r.description,
            ipProtocol: "tcp",
            fromPort: r.ports.from,
            toPort: r.ports.to,
            cidrIpv4: "cidrIpv4" in src ? src.cidrIpv4 : undefined,
            cidrIpv6: "cidrIpv6" in src ? src.cidrIpv6 : undefined,
            referencedSecurityGroupId: "securityGroupId" in src ? src.securityGroupId : undefined,
            tags: args.tags,
        }, ruleOpts);
    }
    // Instances need apt, the NAT and the AWS APIs; egress is open but declared, not implied.
    new aws.vpc.SecurityGroupEgressRule(`${name}-egress-all`, {
        securityGroupId: sg.id,
        description: "All outbound traffic",
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        tags: args.tags,
    }, ruleOpts);
    return sg;
}
