// A compute node holds its declared share (issue #15): Docker limits its container
// to the node's CPUs and memory, and Slurm schedules and enforces memory without
// cgroups (CR_Core_Memory, jobacct_gather's OverMemoryKill, which needs SYS_PTRACE).
import { strict as assert } from "assert";
import { DAEMON_HEADROOM_MB } from "../../components/plan/containers";
import { docker } from "../../lab/docker";
import { containerName } from "../../lab/labPlan";
import { ctl, finished, inNode, labDown, labUp, p, sacct } from "./harness";

after(labDown);

describe("lab: a node holds its share", function () {
    before(async function () {
        await labUp(this);
    });

    it("runs each compute container under Docker limits of its node's memory and CPUs, no swap beyond, no new privileges", async () => {
        for (const n of p.nodes) {
            const [memory, swap, nanoCpus, opts] = (await docker(["inspect", "-f",
                "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{json .HostConfig.SecurityOpt}}", containerName(n.name)])).trim().split(" ");
            const bytes = (n.memoryMb + DAEMON_HEADROOM_MB) * 2 ** 20;
            assert.deepEqual([Number(memory), Number(swap), Number(nanoCpus)], [bytes, bytes, n.cpus * 1e9], n.name);
            assert.deepEqual(JSON.parse(opts), ["no-new-privileges:true"], n.name);
            // As the kernel holds the container to it, not only as Docker recorded it.
            assert.equal((await inNode(n.name, "grep -h NoNewPrivs /proc/1/status")).trim(), "NoNewPrivs:\t1");
        }
    });

    it("kills a job that allocates 300 MB under --mem=64, and sacct says why", async function () {
        this.timeout(180_000);
        const hog = [
            "#!/bin/bash",
            "#SBATCH -N1 -w compute1 --mem=64 -o /tmp/hog-%j.out",
            // Touched, not only reserved: 300 MB of resident memory.
            `python3 -c 'import time; b = b"x" * (300 * 2**20); print("allocated", flush=True); time.sleep(40); print("survived")'`,
        ].join("\n");
        await ctl("cat > /tmp/hog.sh", 30_000, `${hog}\n`);
        const job = (await ctl("sbatch --parsable /tmp/hog.sh")).trim().split(";")[0];
        const [state] = await finished(job, 120_000);
        const out = await inNode("compute1", `cat /tmp/hog-${job}.out`);
        assert.match(out, /^allocated$/m, out);
        assert.doesNotMatch(out, /survived/, "the job ran to its end over its --mem");
        assert.match(state, /^(OUT_OF_MEMORY|FAILED|CANCELLED)/, state);
        // The step's peak memory, as accounting recorded it, is what it was killed for.
        const steps = await ctl(`sacct -n -P -j ${job} -o JobID,State,ExitCode,MaxRSS,ReqMem`);
        console.log(`      [lab] ${steps.trim().replace(/\n/g, " | ")}`);
        assert.match(steps, /OUT_OF_MEMORY|0:9|9:0/, steps);
        // Why: the batch step's peak RSS, as accounting recorded it, is far over its 64M.
        const rss = /\.batch\|[^|]*\|[^|]*\|(\d+)K\|/.exec(steps);
        assert.ok(rss && Number(rss[1]) > 200 * 1024, `batch step MaxRSS over 200 MB: ${steps}`);
        assert.deepEqual(await sacct(job, "ReqMem"), ["64M"]);
    });
});
