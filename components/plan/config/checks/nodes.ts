// The compute nodes as a whole: unique names, no more than the hosts' sshd carries,
// and exclusive partitions that exist.
import { BASTION_INSTANCE_TYPES, CONTROLLER_INSTANCE_TYPES, nodeLimit, nodeLimitArithmetic, smallestTypeFor } from "../../instances";
import { Check, uniqueBy } from "../check";
import { ClusterConfig } from "../fields";

export const uniqueNodeNames: Check<ClusterConfig> = (c, issue) => uniqueBy(c.computeNodes, (n) => n.name, "computeNodes", "name", issue);

/** Each node's tunnel is an sshd session on the bastion and the controller: refuses more than their type can carry (instances tunnelCapacity). */
export const tunnelCapacity: Check<ClusterConfig> = (c, issue) => {
    const n = c.computeNodes.length;
    for (const [host, key, types] of [["bastion", "bastionInstanceType", BASTION_INSTANCE_TYPES], ["controller", "controllerInstanceType", CONTROLLER_INSTANCE_TYPES]] as const) {
        const type = c[key];
        const limit = nodeLimit(host, type);
        if (n <= limit) continue;
        const bigger = smallestTypeFor(host, types, n);
        issue([key], `${type} carries the tunnels of at most ${limit} compute nodes (${nodeLimitArithmetic(host, type)}), ` +
            `and computeNodes has ${n}: ` + (bigger ? `choose ${bigger}` : `no allowed ${key} carries ${n}; the largest, ${types[types.length - 1]}, carries ${nodeLimit(host, types[types.length - 1])}`));
    }
};

/** An exclusive partition exists (gpu only with a GPU node), and is named once. */
export const exclusivePartitions: Check<ClusterConfig> = (c, issue) => {
    c.exclusiveUserPartitions.forEach((x, i) => {
        if (x === "gpu" && !c.computeNodes.some((n) => n.gpus > 0)) issue(["exclusiveUserPartitions", i], "names the gpu partition, but no compute node has a GPU (the cluster has only cpu)");
    });
    uniqueBy(c.exclusiveUserPartitions, (x) => x, "exclusiveUserPartitions", undefined, issue);
};
