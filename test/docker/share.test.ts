// A compute node holds its declared share: Docker limits its container
// to the node's CPUs and memory, and Slurm schedules and enforces memory without
// cgroups (CR_Core_Memory, jobacct_gather's OverMemoryKill, which needs SYS_PTRACE).
import { strict as assert } from "assert";
import { COMPUTE_CAPABILITIES, DAEMON_HEADROOM_MB, HEALTHCHECK_PATH } from "../../components/plan/compute";

/** Linux capability numbers (linux/capability.h) of the ones the compute set may hold. */
const CAP_BITS: Record<string, number> = {
    CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, KILL: 5, SETGID: 6, SETUID: 7, SYS_CHROOT: 18, SYS_PTRACE: 19, SYS_NICE: 23, MKNOD: 27,
};
import { standinName } from "../../lab/dcgmStandin";
import { docker } from "../../lab/docker";
import { sshAsUser } from "../../lab/ssh";
import { containerName, NETWORKS } from "../../lab/labPlan";
import { ctl, finished, inNode, labDown, labUp, p, sacct, until, untilJobRunsOn } from "./harness";

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
            assert.equal((await docker(["inspect", "-f", "{{.HostConfig.PidsLimit}}", containerName(n.name)])).trim(), String(p.containers.find((c) => c.node === n.name)!.limits.pids));
            // As the kernel holds the container to it, not only as Docker recorded it.
            assert.equal((await inNode(n.name, "grep -h NoNewPrivs /proc/1/status")).trim(), "NoNewPrivs:\t1");
            // The bounding set is the named set and nothing else: no NET_RAW (bit 13), no MKNOD but
            // the lab's fake GPUs' (the NVIDIA runtime makes real device files in production).
            const bnd = BigInt(`0x${(await inNode(n.name, "grep -h CapBnd /proc/1/status")).trim().split(/\s+/)[1]}`);
            const names = [...Object.keys(COMPUTE_CAPABILITIES), ...(n.gpus > 0 ? ["MKNOD"] : [])];
            const want = names.reduce((m, c) => m | (BigInt(1) << BigInt(CAP_BITS[c])), BigInt(0));
            assert.equal(bnd.toString(16), want.toString(16), `${n.name} CapBnd`);
            assert.equal(bnd & (BigInt(1) << BigInt(13)), BigInt(0), `${n.name} holds NET_RAW`);
        }
    });

    it("kills what a user's job left behind (setsid ... &) once their last job on the node ends, and not before", async function () {
        this.timeout(240_000);
        const user = p.users.find((u) => u.name !== p.adminUser)!.name;
        const as = (cmd: string) => sshAsUser(p, user, cmd, { timeoutMs: 60_000 });
        const node = p.nodes[0].name;
        const left = (secs: number) => inNode(node, `pgrep -u ${user} -f 'sleep ${secs}' || true`).then((o) => o.trim() !== "");
        // A long job of theirs holds the node; a short one leaves a process behind.
        const long = (await as(`cd ~ && sbatch --parsable -w ${node} -n1 -o /dev/null --wrap 'sleep 60'`)).trim();
        try {
            await until(`job ${long} running`, async () => (await sacct(long, "State"))[0] === "RUNNING", 60_000, 500);
            const short = (await as(`cd ~ && sbatch --parsable -w ${node} -n1 -o /dev/null --wrap 'setsid sleep 301 </dev/null >/dev/null 2>&1 & sleep 1'`)).trim();
            assert.deepEqual(await finished(short, 60_000), ["COMPLETED", "0:0"]);
            assert.ok(await left(301), "the leftover outlived its job (linuxproc does not track it)");
            // Their other job still runs here: the epilog leaves them be.
            await new Promise((r) => setTimeout(r, 3000));
            assert.ok(await left(301), "the epilog killed a process while the user still had a job on the node");
        } finally {
            await ctl(`scancel ${long}`);
        }
        // Their last job here ended: what they left is gone.
        await until("the leftover killed by the epilog", async () => !(await left(301)), 60_000, 1000);
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

    it("runs the DCGM stand-in under the real sidecar's limits, health check and no-new-privileges, and it turns healthy", async function () {
        this.timeout(180_000);
        assert.ok(p.dcgmExporters.length > 0, "the lab has a GPU node");
        for (const spec of p.dcgmExporters) {
            const c = standinName(spec);
            const [memory, swap, nanoCpus, pids, opts] = (await docker(["inspect", "-f",
                "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{json .HostConfig.SecurityOpt}}", c])).trim().split(" ");
            const bytes = spec.limits.memoryMb * 2 ** 20;
            assert.deepEqual([Number(memory), Number(swap), Number(nanoCpus), Number(pids)], [bytes, bytes, spec.limits.cpus * 1e9, spec.limits.pids], c);
            assert.deepEqual(JSON.parse(opts), ["no-new-privileges:true"], c);
            assert.deepEqual(JSON.parse(await docker(["inspect", "-f", "{{json .Config.Healthcheck.Test}}", c])), spec.healthcheck.test, c);
            // Docker's own verdict, by the check production's sidecar runs: its /metrics serves DCGM fields.
            await until(`${c} healthy`, async () => (await docker(["inspect", "-f", "{{.State.Health.Status}}", c])).trim() === "healthy", 150_000, 2000);
        }
    });

    describe("health checks (CIS Docker 5.27) that report the work, not the process", () => {
        const check = (container: string, role: string) =>
            docker(["exec", container, HEALTHCHECK_PATH, role]).then((out) => ({ ok: true, out }), (e: Error) => ({ ok: false, out: e.message }));
        const status = async (container: string) => (await docker(["inspect", "-f", "{{.State.Health.Status}}", container])).trim();
        const specs = () => [...p.containers.map((c) => [containerName(c.node), "node"]), [containerName("home"), "home"]];

        it("reports every compute container and the home server healthy, by Docker's own check", async function () {
            this.timeout(180_000);
            for (const [c, role] of specs()) {
                assert.deepEqual(JSON.parse(await docker(["inspect", "-f", "{{json .Config.Healthcheck.Test}}", c])), ["CMD-SHELL", `${HEALTHCHECK_PATH} ${role}`], c);
                await until(`${c} healthy`, async () => (await status(c)) === "healthy", 150_000, 2000);
            }
        });

        for (const role of ["node", "home"] as const) {
            it(`turns unhealthy, with the reason, when the ${role === "node" ? "compute node's" : "home server's"} tunnel is cut, and healthy when it is back`, async function () {
                this.timeout(240_000);
                const c = role === "node" ? containerName(p.nodes[0].name) : containerName("home");
                assert.ok((await check(c, role)).ok);
                // The wan network is the only way out to the bastion: the tunnel goes with it.
                await docker(["network", "disconnect", NETWORKS.wan.name, c]);
                try {
                    const down = await until(`${c}'s check fails`, async () => { const r = await check(c, role); return r.ok ? false : r.out; }, 60_000, 2000);
                    assert.match(down, role === "node" ? /slurmctld does not answer through the tunnel|does not reach this slurmd/ : /tunnel has no connection out/, down);
                } finally {
                    await docker(["network", "connect", NETWORKS.wan.name, c]);
                }
                await until(`${c}'s check passes again`, async () => (await check(c, role)).ok, 120_000, 2000);
                if (role === "node") await untilJobRunsOn(p.nodes[0].name, 120_000);
            });
        }
    });
});
