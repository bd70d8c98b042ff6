// The stack config's schema: every field's own schema (fields.ts), then the named
// checks of the relations between fields, by area, in the order their problems are
// listed. Nothing is declared before all of them pass.
import { Check } from "./check";
import { awsBlockSizes, subnetsInVpc } from "./checks/network";
import { exclusivePartitions, tunnelCapacity, uniqueNodeNames } from "./checks/nodes";
import { portOwners, srunRangeSize } from "./checks/ports";
import { checkDockerHosts } from "./dockerHosts";
import { ClusterConfig, configFields } from "./fields";
import { uniqueReceiverNames } from "./receivers";
import { uniqueUsers } from "./users";

/** Every relation check, in the order a user reads their problems. */
export const CHECKS: readonly Check<ClusterConfig>[] = [
    subnetsInVpc, awsBlockSizes, uniqueNodeNames, tunnelCapacity, checkDockerHosts, uniqueReceiverNames, uniqueUsers,
    exclusivePartitions, srunRangeSize, portOwners,
];

export const configSchema = configFields.superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    for (const check of CHECKS) check(c, issue);
});

/** Every default, as the schema applies it (trustedCidrs has none, so a placeholder stands in). */
export const DEFAULTS: Omit<ClusterConfig, "trustedCidrs"> = (({ trustedCidrs: _, ...rest }) => rest)(
    configSchema.parse({ trustedCidrs: ["192.0.2.0/24"] }));

/** Keys whose values are structured (JSON in Pulumi config); the rest are plain strings. */
export const STRUCTURED_KEYS: ReadonlySet<string> = new Set(
    Object.entries(configSchema.parse({ trustedCidrs: ["192.0.2.0/24"] }))
        .filter(([, v]) => typeof v !== "string")
        .map(([k]) => k));
