import { ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, tagsOf } from "./props";

export interface TagConfig {
    requiredTags?: string[];
}

export const defaultRequiredTags = ["Name", "Project", "ManagedBy"];

// AWS types this program creates that accept tags. Resources of other aws
// types are checked too whenever they declare a `tags` input at all.
export const taggableTypes: readonly string[] = [
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/instance:Instance",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/keyPair:KeyPair",
    "aws:ebs/volume:Volume",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:iam/role:Role",
];

export const requiredTags: ResourceValidationPolicy = {
    name: "required-tags",
    description: "Taggable AWS resources carry the required tags (default Name, Project, ManagedBy).",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            requiredTags: {
                type: "array",
                items: { type: "string" },
                default: defaultRequiredTags,
            },
        },
    },
    validateResource: (args, report) => {
        const props = asRecord(args.props);
        if (!args.type.startsWith("aws:") || !(taggableTypes.includes(args.type) || "tags" in props)) {
            args.notApplicable("not a taggable AWS resource");
        }
        // The provider's defaultTags are applied to every resource it manages.
        const providerDefaults = asRecord(asRecord(args.provider?.props.defaultTags).tags);
        const present = { ...providerDefaults, ...tagsOf(props) };
        const want = args.getConfig<TagConfig>().requiredTags ?? defaultRequiredTags;
        const missing = want.filter((k) => {
            const v = present[k];
            return typeof v !== "string" || v.trim() === "";
        });
        if (missing.length > 0) {
            report(`Missing required tag(s): ${missing.join(", ")}.`);
        }
    },
};

export const taggingPolicies = [requiredTags];
