// The Slurm figures of `npm run bench`, each timed on the controller itself
// by one shell loop, so the ssh round trip from here to the lab is in none of them.
import { ClusterPlan } from "../components/plan/plan";
import { ssh } from "../lab/ssh";

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
/** Median and p95 of milliseconds, in seconds to the hundredth. */
export function stats(ms: number[]): { n: number; medianS: number; p95S: number; maxS: number } {
    const s = [...ms].sort((a, b) => a - b);
    const sec = (v: number) => Math.round(v / 10) / 100;
    return { n: s.length, medianS: sec(quantile(s, 0.5)), p95S: sec(quantile(s, 0.95)), maxS: sec(s[s.length - 1]) };
}

/** a over b to the hundredth: the bench's tunnel-over-direct ratios. */
export const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

/** Milliseconds since t (set by `t=$(date +%s%N)`), in the controller's shell. */
const MS = "$(( ($(date +%s%N) - t) / 1000000 ))";
/** The loop's states of a job not yet ended: scontrol keeps an ended one MinJobAge seconds, as COMPLETED. */
const NOT_ENDED = "JobState=(PENDING|CONFIGURING|RUNNING|COMPLETING)";

async function controller(p: ClusterPlan, script: string, timeoutMs = 900_000): Promise<string> {
    return ssh(p, "controller", "bash -s", { input: script, timeoutMs });
}

/**
 * A trivial array (`sbatch --array=1-N --wrap true`): seconds from sbatch until no task
 * is left in squeue, and tasks per second, per CPU of the cluster.
 */
export async function arrayThroughput(p: ClusterPlan, tasks = 300): Promise<{ tasks: number; cpus: number; seconds: number; jobsPerS: number; jobsPerCpuS: number }> {
    const out = await controller(p, [
        "set -e",
        "t=$(date +%s%N)",
        `id=$(sbatch --parsable --array=1-${tasks} -o /dev/null --wrap true)`,
        "while [ -n \"$(squeue -h -j $id -o %i | head -1)\" ]; do sleep 0.1; done",
        `echo ${MS}`,
        // Every task ran: none failed.
        "sacct -n -X -P -j $id -o State | sort | uniq -c | tr '\\n' ' '",
    ].join("\n"));
    const [ms, states] = out.trim().split("\n");
    if (!/^\s*\d+ COMPLETED\s*$/.test(states) || Number(states.trim().split(" ")[0]) !== tasks) {
        throw new Error(`array of ${tasks}: not every task COMPLETED: ${states}`);
    }
    const cpus = p.nodes.reduce((a, n) => a + n.cpus, 0);
    const seconds = Number(ms) / 1000;
    return { tasks, cpus, seconds: Math.round(seconds * 10) / 10, jobsPerS: Math.round((tasks / seconds) * 100) / 100, jobsPerCpuS: Math.round((tasks / seconds / cpus) * 100) / 100 };
}

/**
 * One trivial job at a time, n times: sbatch until scontrol says it ended (COMPLETED),
 * and until its record is in sacct, each timed from its sbatch. slurmctld starts batch
 * jobs on a once-a-second pass aligned to the clock's seconds, so a job's wait depends on
 * when in the second it comes: back-to-back submissions would each land just after a
 * pass (a job ends just after the pass that started it) and wait the longest. So job i
 * of n is submitted at (i + 0.5)/n into a second: the n jobs sample the second evenly,
 * as users' jobs coming at any moment do, and two runs compare the same moments.
 */
export async function turnaround(p: ClusterPlan, n = 20): Promise<{ end: ReturnType<typeof stats>; sacct: ReturnType<typeof stats> }> {
    const out = await controller(p, [
        "set -e",
        `n=${n}`,
        "for i in $(seq $n); do",
        "  now=$(date +%s%N); at=$(( (2 * (i - 1) + 1) * 500000000 / n ))",
        "  sleep 0.$(printf %09d $(( (at - now % 1000000000 + 1000000000) % 1000000000 )))",
        "  t=$(date +%s%N)",
        "  id=$(sbatch --parsable -o /dev/null --wrap true)",
        `  while scontrol show job $id -o | grep -Eq '${NOT_ENDED}'; do sleep 0.02; done`,
        "  scontrol show job $id -o | grep -q JobState=COMPLETED || { echo \"job $id did not complete\" >&2; exit 1; }",
        `  e=${MS}`,
        "  until [ \"$(sacct -n -X -P -j $id -o State)\" = COMPLETED ]; do sleep 0.02; done",
        `  echo $e ${MS}`,
        "done",
    ].join("\n"));
    const rows = out.trim().split("\n").map((l) => l.split(" ").map(Number));
    return { end: stats(rows.map((r) => r[0])), sacct: stats(rows.map((r) => r[1])) };
}

/** `srun -N<all> <command>` from the controller, n times: one step on every node. */
export async function srunAll(p: ClusterPlan, n = 10, command = "true"): Promise<ReturnType<typeof stats> & { nodes: number }> {
    const out = await controller(p, [
        "set -e",
        `for i in $(seq ${n}); do t=$(date +%s%N); srun -N${p.nodes.length} ${command} >/dev/null; echo ${MS}; done`,
    ].join("\n"));
    return { nodes: p.nodes.length, ...stats(out.trim().split("\n").map(Number)) };
}

/** Lines of slurmctld.log saying an RPC timed out (MessageTimeout): what would call for raising it. */
export async function rpcTimeouts(p: ClusterPlan): Promise<number> {
    return Number((await ssh(p, "controller", "sudo grep -ciE 'timed out' /var/log/slurm/slurmctld.log || true")).trim());
}
