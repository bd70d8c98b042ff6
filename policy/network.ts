import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isTrustedCidr, isWorld } from "./cidr";
import { forTypes, refersTo } from "./match";
import { coversTcpPort, describePorts, ingressRules, ingressTypes, opensPortsOtherThanSsh } from "./ports";
import { asArray } from "./props";
import { types } from "./resources";

export interface SshConfig {
    trustedCidrs?: string[];
}

// Slurm's daemons: slurmctld 6817, slurmd 6818, slurmdbd 6819.
const slurmPorts = [6817, 6818, 6819];

export const sshIngressTrustedCidrsOnly: ResourceValidationPolicy = {
    name: "ssh-ingress-trusted-cidrs-only",
    description:
        "Ingress to TCP 22 comes only from CIDRs inside the configured trustedCidrs, or from a security group.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            trustedCidrs: {
                type: "array",
                items: { type: "string" },
                // Empty by default: SSH is then reachable only through security-group references.
                default: [],
                description: "CIDRs allowed to reach SSH, e.g. the operators' egress range.",
            },
        },
    },
    validateResource: forTypes(ingressTypes, (props, args, report) => {
        const trusted = args.getConfig<SshConfig>().trustedCidrs ?? [];
        for (const r of ingressRules(args.type, props)) {
            if (!coversTcpPort(r, 22)) {
                continue;
            }
            for (const cidr of r.cidrs) {
                if (isWorld(cidr)) {
                    report(`${r.label} (${describePorts(r)}) opens SSH to the whole internet (${cidr}).`);
                } else if (!isTrustedCidr(cidr, trusted)) {
                    report(
                        `${r.label} (${describePorts(r)}) admits SSH from ${cidr}, ` +
                            `which is not inside trustedCidrs [${trusted.join(", ")}].`,
                    );
                }
            }
            // A prefix list's entries are invisible here, so it cannot be shown to be trusted.
            for (const pl of r.prefixLists) {
                report(`${r.label} admits SSH from prefix list ${pl}; use trustedCidrs or a security group.`);
            }
        }
    }),
};

export const slurmPortsNotPublic: ResourceValidationPolicy = {
    name: "slurm-ports-not-public",
    description:
        "No ingress rule opens a port other than SSH (and never Slurm's 6817-6819) to 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(ingressTypes, (props, args, report) => {
        for (const r of ingressRules(args.type, props)) {
            // World-open SSH alone is ssh-ingress-trusted-cidrs-only's finding, not this one's.
            if (!opensPortsOtherThanSsh(r)) {
                continue;
            }
            const world = r.cidrs.filter(isWorld);
            if (world.length === 0) {
                continue;
            }
            const slurm = slurmPorts.some((p) => r.fromPort <= p && p <= r.toPort && r.protocol !== "udp");
            report(
                `${r.label} opens ${describePorts(r)}${slurm ? " (includes Slurm 6817-6819)" : ""} ` +
                    `to the internet (${world.join(", ")}).`,
            );
        }
    }),
};

export const vpcFlowLogsEnabled: StackValidationPolicy = {
    name: "vpc-flow-logs-enabled",
    description: "Every VPC has a flow log attached to it.",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        const flowLogs = args.resources.filter((r) => r.type === types.flowLog);
        for (const vpc of args.resources.filter((r) => r.type === types.vpc)) {
            if (!flowLogs.some((fl) => refersTo(fl, "vpcId", vpc))) {
                report(`VPC ${vpc.name} has no aws.ec2.FlowLog with vpcId set to it.`, vpc.urn);
            }
        }
    },
};

export const defaultSecurityGroupClosed: ResourceValidationPolicy = {
    name: "default-security-group-closed",
    description: "A managed default security group has no ingress and no egress rules.",
    enforcementLevel: "advisory",
    validateResource: forTypes([types.defaultSecurityGroup], (props, _args, report) => {
        // Omitting a block makes the provider strip those rules, so absent == closed.
        for (const dir of ["ingress", "egress"] as const) {
            const n = asArray(props[dir]).length;
            if (n > 0) {
                report(`The default security group declares ${n} ${dir} rule(s); it should allow nothing.`);
            }
        }
    }),
};

export const networkPolicies = [
    sshIngressTrustedCidrsOnly,
    slurmPortsNotPublic,
    vpcFlowLogsEnabled,
    defaultSecurityGroupClosed,
];
