// The fault table of docs/operations/faults.md: each fault done to the real lab, what comes
// back by itself, how long it took, and what Slurm keeps of the jobs. The figures
// printed here ("[lab] fault: ...") are the table's; they are bounded generously,
// for timing belongs to `npm run bench`.
import { strict as assert } from "assert";
import { docker } from "../../lab/docker";
import { containerName } from "../../lab/labPlan";
import { ctl, finished, labDown, labUp, p, sacct, sbatch, until } from "./harness";

after(labDown);

const seconds = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;
const allNodes = () => p.nodes.map((n) => n.name).join(",");

/** slurmctld.log's length now: lines after it are the fault's. */
const logMark = async () => Number((await ctl("sudo wc -l /var/log/slurm/slurmctld.log")).trim().split(" ")[0]);
const logSince = (mark: number) => ctl(`sudo tail -n +${mark + 1} /var/log/slurm/slurmctld.log`);
const requeues = (log: string) => log.split("\n").filter((l) => /requeu/i.test(l));

/** Submits and waits: seconds from sbatch to COMPLETED in sacct. */
async function jobTime(args: string, timeoutMs: number): Promise<{ job: string; s: number }> {
    const t0 = Date.now();
    const job = await sbatch(`-o /dev/null ${args}`);
    const end = await finished(job, timeoutMs);
    if (end[0] !== "COMPLETED") {
        // What the stopping node told slurmctld, and what slurmctld made of the job: the why of a failure.
        const nodes = (await ctl(`sacct -n -X -P -j ${job} -o NodeList`)).trim();
        const hooks = await Promise.all(p.nodes.map((n) => docker(["logs", "--since", "3m", containerName(n.name)]).catch((e: Error) => e.message)
            .then((l) => `${n.name}: ${l.split("\n").filter((x) => /stopping|DOWN/.test(x)).join(" | ")}`)));
        const ctld = (await ctl(`sudo grep -E 'JobId=${job}[^0-9]|${nodes}' /var/log/slurm/slurmctld.log | tail -15`).catch((e: Error) => e.message));
        assert.fail(`job ${job} (${args}) ended ${end.join(" ")} on ${nodes}\n${hooks.join("\n")}\n${ctld}`);
    }
    return { job, s: seconds(t0) };
}

/** Until a step spans every node (srun -N<all> from the controller, through every tunnel): seconds since t0. */
async function untilAllNodesRun(t0: number, timeoutMs: number): Promise<number> {
    const want = p.nodes.map((n) => n.name).sort().join(" ");
    await until("a step on every node", async () =>
        (await ctl(`timeout 20 srun -N${p.nodes.length} -w ${allNodes()} hostname 2>/dev/null | sort | xargs`).catch(() => "")).trim() === want,
    timeoutMs, 1000);
    return seconds(t0);
}

describe("lab: faults, and what comes back by itself", function () {
    before(async function () {
        await labUp(this);
        await untilAllNodesRun(Date.now(), 120_000);
    });

    it("a compute container restart: the first job after it completes within seconds, and none is requeued", async function () {
        this.timeout(180_000);
        const node = p.nodes[p.nodes.length - 1].name;
        const mark = await logMark();
        await docker(["restart", containerName(node)]);
        // Submitted the moment the container runs again, before slurmd or the tunnel is up.
        const { job, s } = await jobTime(`-w ${node} --wrap true`, 60_000);
        console.log(`      [lab] fault: ${node} container restart: job ${job} sbatch -> COMPLETED ${s}s after the restart returned`);
        assert.ok(s < 30, `${s}s`);
        assert.deepEqual(requeues(await logSince(mark)), [], "nothing requeued");
    });

    it("a Docker host reboot (every compute container and the home server at once): a 2-node job runs at once, a running batch job is requeued and completes", async function () {
        this.timeout(300_000);
        const running = await sbatch(`-w ${p.nodes[0].name} -o /dev/null --wrap 'sleep 20'`);
        await until(`job ${running} running`, async () => (await sacct(running, "State"))[0] === "RUNNING", 30_000, 500);
        const mark = await logMark();
        const t0 = Date.now();
        await docker(["restart", ...p.nodes.map((n) => containerName(n.name)), containerName("home")]);
        const { job, s } = await jobTime(`-N${p.nodes.length} --wrap 'srun hostname'`, 120_000);
        console.log(`      [lab] fault: host reboot: ${p.nodes.length}-node job ${job} COMPLETED ${s}s after sbatch (${seconds(t0)}s after the restarts began)`);
        assert.ok(seconds(t0) < 60);
        // Slurm's promise for batch jobs on a failed node (JobRequeue=1): requeued, run again from the start.
        assert.deepEqual(await finished(running, 180_000), ["COMPLETED", "0:0"]);
        assert.deepEqual(await sacct(running, "Restarts"), ["1"]);
        const log = requeues(await logSince(mark));
        assert.ok(log.every((l) => l.includes(`JobId=${running}`)), `only the running job is requeued: ${log.join(" | ")}`);
        console.log(`      [lab] fault: host reboot: running batch job ${running} requeued once and COMPLETED (${seconds(t0)}s after the restarts began)`);
    });

    it("a bastion restart: every tunnel reconnects, and a running job completes untouched", async function () {
        this.timeout(300_000);
        const running = await sbatch(`-w ${p.nodes[0].name} -o /dev/null --wrap 'sleep 20'`);
        await until(`job ${running} running`, async () => (await sacct(running, "State"))[0] === "RUNNING", 30_000, 500);
        const t0 = Date.now();
        await docker(["restart", containerName("bastion")]);
        const s = await untilAllNodesRun(t0, 120_000);
        console.log(`      [lab] fault: bastion restart: a step on all ${p.nodes.length} nodes ran ${s}s after the restart began`);
        assert.deepEqual(await finished(running, 120_000), ["COMPLETED", "0:0"]);
        assert.deepEqual(await sacct(running, "Restarts"), ["0"]);
    });

    it("a controller restart: queued and running jobs survive, and every node runs steps again", async function () {
        this.timeout(400_000);
        const running = await sbatch(`-w ${p.nodes[0].name} -o /dev/null --wrap 'sleep 30'`);
        // Held behind the running one by a dependency: queued across the restart whatever the
        // scheduler's timing (a job held only by CPUs could start first if both waited for the node).
        const queued = await sbatch(`--dependency=afterok:${running} -o /dev/null --wrap true`);
        await until(`job ${running} running`, async () => (await sacct(running, "State"))[0] === "RUNNING", 30_000, 500);
        assert.equal((await sacct(queued, "State"))[0], "PENDING");
        const t0 = Date.now();
        await docker(["restart", containerName("controller")]);
        const s = await untilAllNodesRun(t0, 240_000);
        console.log(`      [lab] fault: controller restart: a step on all ${p.nodes.length} nodes ran ${s}s after the restart began`);
        for (const j of [running, queued]) {
            assert.deepEqual(await finished(j, 180_000), ["COMPLETED", "0:0"], `job ${j}`);
            assert.deepEqual(await sacct(j, "Restarts"), ["0"], `job ${j}`);
        }
        // The homes come back too (hpc-home@ units are enabled): a user's file is readable.
        await until("the homes are mounted again", async () => /fuse\.sshfs/.test(await ctl("mount")), 60_000);
    });
});
