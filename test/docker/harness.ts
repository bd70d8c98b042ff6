// Shared set-up for the lab suites: one lab per mocha run, brought up by the same
// code as `npm run lab -- up`, and skipped loudly (or failed, under CI) without Docker.
import { ClusterPlan } from "../../components/plan/plan";
import { down, preflight, up, UpResult } from "../../lab/cluster";
import { docker } from "../../lab/docker";
import { containerName, labPlan } from "../../lab/labPlan";
import { ssh } from "../../lab/ssh";

export const p: ClusterPlan = labPlan();
let ready: Promise<UpResult> | undefined;
let reason: string | undefined;

/** Brings the lab up once; resolves with what the first run did (reports, step spans). */
export function labUp(ctx: Mocha.Context): Promise<UpResult> {
    ctx.timeout(20 * 60_000);
    if (!ready) {
        ready = preflight().then(() => up(p, (s) => console.log(`      [lab] ${s}`)), (e: Error) => {
            reason = e.message;
            throw e;
        });
    }
    return ready.catch((e: Error) => {
        if (process.env.CI === "true") throw new Error(`the lab suite is mandatory under CI=true: ${e.message}`);
        if (reason) {
            console.warn(`\n  !!! LAB SUITE SKIPPED: ${reason}\n  !!! Install docker.io, start dockerd (bash lab/start-dockerd.sh) and run as root to run it.\n`);
            ctx.skip();
        }
        throw e;
    });
}

/** Tears the lab down after the last suite, unless HPC_LAB_KEEP=1. */
export async function labDown(): Promise<void> {
    if (ready && process.env.HPC_LAB_KEEP !== "1") await down(() => undefined);
}

export const ctl = (cmd: string, timeoutMs = 120_000, input?: string) => ssh(p, "controller", cmd, { timeoutMs, input });
export const onBastion = (cmd: string, timeoutMs = 60_000) => ssh(p, "bastion", cmd, { timeoutMs });
export const inNode = (node: string, cmd: string) => docker(["exec", containerName(node), "bash", "-c", cmd]);

/** Submits a batch job on the controller; resolves with its id. */
export async function sbatch(args: string): Promise<string> {
    const out = await ctl(`sbatch --parsable ${args}`);
    return out.trim().split(";")[0];
}

/** `sacct` fields of a job (allocation line only). */
export async function sacct(job: string, fields = "State,ExitCode"): Promise<string[]> {
    return (await ctl(`sacct -n -X -P -j ${job} -o ${fields}`)).trim().split("|");
}

/** Polls until f() is truthy or the deadline passes. */
export async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 1000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await f();
            if (v) return v;
            last = v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) throw new Error(`${what}: not true after ${timeoutMs / 1000}s (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

/**
 * Polls until an srun on `node` runs: slurmctld can call a node idle a moment before
 * a restarted slurmd listens, and a launch then is reset. `resume` also clears a
 * drain or down state (for tests that broke the node on purpose).
 */
export function untilJobRunsOn(node: string, timeoutMs: number, resume = false): Promise<boolean> {
    return until(`a job runs on ${node}`, async () => {
        const st = (await ctl(`sinfo -h -n ${node} -o %T | sort -u`)).trim();
        if (resume && /drain|down/.test(st)) await ctl(`sudo scontrol update nodename=${node} state=resume`).catch(() => undefined);
        if (st !== "idle") return false;
        return (await ctl(`timeout 30 srun -N1 -w ${node} hostname 2>&1`).catch((e: Error) => e.message)).trim() === node;
    }, timeoutMs, 3000);
}

/** Waits for a job to reach a final state in sacct; returns [State, ExitCode]. */
export function finished(job: string, timeoutMs = 90_000): Promise<string[]> {
    return until(`job ${job} finished`, async () => {
        const r = await sacct(job);
        return /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY)/.test(r[0]) ? r : undefined;
    }, timeoutMs);
}
