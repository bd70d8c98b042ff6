// munge, Slurm's authentication, on every host.

/**
 * munged's threads on every host (SchedMD's HTC guide: "munged --num-threads 10"): each job's
 * start and end authenticates several RPCs on the controller and its node, and munge's
 * default of 2 threads queues them in a burst of job ends.
 */
export const MUNGED_THREADS = 10;
