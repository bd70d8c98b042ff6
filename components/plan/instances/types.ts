// The EC2 types a stack may choose for its two hosts.

export const CONTROLLER_INSTANCE_TYPES = ["t3.medium", "t3.large"] as const;
/** Smallest first: a config with more nodes than the chosen type carries is told the next that does (tunnelCapacity.ts). */
export const BASTION_INSTANCE_TYPES = ["t2.micro", "t3.micro", "t3.small", "t3.medium", "t3.large"] as const;
