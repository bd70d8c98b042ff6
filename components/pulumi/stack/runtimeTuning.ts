// @pulumi/pulumi captures `new Error().stack` for every internal promise
// (runtime/debuggable.ts), and under ts-node each stack is source-mapped. At 1000
// compute nodes that was over 90% of the program's evaluation time (bench/).
// Those stacks only serve PULUMI_DEBUG_PROMISE_LEAKS, so keep them short unless
// it, or HPC_STACK_FULL_TRACES=1, asks for full traces.
export function tuneStackTraces(env: NodeJS.ProcessEnv = process.env): number {
    if (!env.PULUMI_DEBUG_PROMISE_LEAKS && env.HPC_STACK_FULL_TRACES !== "1") Error.stackTraceLimit = 0;
    return Error.stackTraceLimit;
}
