import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { forTypes, refersTo } from "./match";
import { asArray, asRecord, asString, isController } from "./props";
import { types } from "./resources";

export interface InstanceTypeConfig {
    allowedInstanceTypes?: string[];
}

export const defaultAllowedInstanceTypes = ["t2.micro", "t3.micro", "t3.small", "t3.medium", "t3.large"];

// One policy with both halves, so a single name covers the whole guarantee:
// the resource half sees inputs before anything is created, the stack half
// sees how resources are wired together (subnet, Elastic IPs).
export const controllerNoPublicIp: ResourceValidationPolicy & StackValidationPolicy = {
    name: "controller-no-public-ip",
    description:
        "The Slurm controller (tag Role=controller) has associatePublicIpAddress=false, sits in a subnet " +
        "that does not map public IPs, and no Elastic IP targets it.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.instance], (props, _args, report) => {
        // Explicit false is required: when unset, AWS falls back to the subnet's
        // setting, so a later subnet change could silently expose the controller.
        if (isController(props) && props.associatePublicIpAddress !== false) {
            report(
                `Controller instance must set associatePublicIpAddress: false explicitly ` +
                    `(got ${String(props.associatePublicIpAddress)}).`,
            );
        }
    }),
    validateStack: (args, report) => {
        const controllers = args.resources.filter((r) => r.type === types.instance && isController(r.props));
        const subnets = args.resources.filter((r) => r.type === types.subnet);
        for (const c of controllers) {
            const subnet = subnets.find((s) => refersTo(c, "subnetId", s));
            if (subnet) {
                if (subnet.props.mapPublicIpOnLaunch === true) {
                    report(`Controller ${c.name} is in subnet ${subnet.name}, which maps public IPs on launch.`, c.urn);
                }
            } else {
                // Without its subnet in the stack we cannot show the controller is private.
                const id = asString(c.props.subnetId);
                report(
                    id
                        ? `Controller ${c.name} is in subnet ${id}, which is not managed by this stack; ` +
                              `cannot verify it is private.`
                        : `Controller ${c.name} has no subnetId, so it lands in a default (public) subnet.`,
                    c.urn,
                );
            }
            for (const r of args.resources) {
                const prop = r.type === types.eip ? "instance" : r.type === types.eipAssociation ? "instanceId" : "";
                if (prop && refersTo(r, prop, c)) {
                    report(`Elastic IP ${r.name} (${r.type}) targets the controller ${c.name}.`, r.urn);
                }
            }
        }
    },
};

export const imdsv2Required: ResourceValidationPolicy = {
    name: "imdsv2-required",
    description: "EC2 instances require IMDSv2 (metadataOptions.httpTokens = required).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.instance], (props, _args, report) => {
        const tokens = asRecord(props.metadataOptions).httpTokens;
        if (tokens !== "required") {
            report(`metadataOptions.httpTokens must be "required" (got ${String(tokens)}).`);
        }
    }),
};

export const ebsEncrypted: ResourceValidationPolicy = {
    name: "ebs-encrypted",
    description: "EBS storage is encrypted: instance root and extra block devices, and standalone volumes.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.instance, types.ebsVolume], (props, args, report) => {
        if (args.type === types.ebsVolume) {
            if (props.encrypted !== true) {
                report("EBS volume must set encrypted: true.");
            }
            return;
        }
        // An omitted rootBlockDevice means an unencrypted root unless the account
        // default is on, which the pack cannot see; require it to be explicit.
        if (asRecord(props.rootBlockDevice).encrypted !== true) {
            report("rootBlockDevice.encrypted must be true.");
        }
        asArray(props.ebsBlockDevices).forEach((d, i) => {
            const dev = asRecord(d);
            if (dev.encrypted !== true) {
                report(`ebsBlockDevices[${i}] (${String(dev.deviceName)}) must set encrypted: true.`);
            }
        });
    }),
};

export const instanceTypeAllowed: ResourceValidationPolicy = {
    name: "instance-type-allowed",
    description: "EC2 instance types come from an allowed list (cost guard).",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            allowedInstanceTypes: {
                type: "array",
                items: { type: "string" },
                default: defaultAllowedInstanceTypes,
            },
        },
    },
    validateResource: forTypes([types.instance], (props, args, report) => {
        const allowed = args.getConfig<InstanceTypeConfig>().allowedInstanceTypes ?? defaultAllowedInstanceTypes;
        const t = asString(props.instanceType);
        if (t === undefined || !allowed.includes(t)) {
            report(`Instance type ${String(t)} is not in allowedInstanceTypes [${allowed.join(", ")}].`);
        }
    }),
};

export const computePolicies = [controllerNoPublicIp, imdsv2Required, ebsEncrypted, instanceTypeAllowed];
