// What AWS allows of a VPC, and where in it the controller sits.

/** AWS's VPC and subnet sizes: /16 (largest) to /28 (smallest). */
export const AWS_PREFIX = { largest: 16, smallest: 28 } as const;
/** The controller's host number in the private subnet: AWS reserves the first four, .10 leaves room for humans. */
export const CONTROLLER_HOST_INDEX = 10;
