// The VPC and its two subnets: IPv4, inside one another as AWS requires, apart.
import { AWS_PREFIX, contains, CONTROLLER_HOST_INDEX, overlaps, parseCidr } from "../../network";
import { Check } from "../check";
import { ClusterConfig } from "../fields";

// Parse errors were already reported on the key; relations only make sense on valid CIDRs.
const safe = (v: string) => { try { return parseCidr(v); } catch { return undefined; } };
// Subnets are IPv4 (reported by ipv4Blocks), so relations are only checked between IPv4 blocks.
const v4 = (v: string) => { const b = safe(v); return b?.kind === "ipv4" ? b : undefined; };
const BLOCK_KEYS = ["vpcCidr", "privateSubnetCidr", "publicSubnetCidr"] as const;

/** Both subnets inside the VPC, and apart from each other. */
export const subnetsInVpc: Check<ClusterConfig> = (c, issue) => {
    const vpc = safe(c.vpcCidr);
    const priv = v4(c.privateSubnetCidr);
    const pub = v4(c.publicSubnetCidr);
    if (vpc && vpc.kind !== "ipv4") issue(["vpcCidr"], "must be an IPv4 block");
    if (vpc && priv && !contains(vpc, priv)) issue(["privateSubnetCidr"], `is outside vpcCidr ${c.vpcCidr}`);
    if (vpc && pub && !contains(vpc, pub)) issue(["publicSubnetCidr"], `is outside vpcCidr ${c.vpcCidr}`);
    if (priv && pub && overlaps(priv, pub)) issue(["publicSubnetCidr"], `overlaps privateSubnetCidr ${c.privateSubnetCidr}`);
};

/** Each block IPv4, and of a size AWS creates. */
export const awsBlockSizes: Check<ClusterConfig> = (c, issue) => {
    for (const key of BLOCK_KEYS) {
        const block = safe(c[key]);
        if (block?.kind !== "ipv4") {
            if (block && key !== "vpcCidr") issue([key], "must be an IPv4 block");
            continue;
        }
        if (block.prefix < AWS_PREFIX.largest || block.prefix > AWS_PREFIX.smallest) {
            issue([key], `is a /${block.prefix}: AWS takes /${AWS_PREFIX.largest} to /${AWS_PREFIX.smallest}` +
                (key === "privateSubnetCidr" && block.prefix > AWS_PREFIX.smallest ? ` (the controller's fixed address is host #${CONTROLLER_HOST_INDEX})` : ""));
        }
    }
};
