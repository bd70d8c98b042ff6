// npm run bench [-- --from-nothing] [-- --skip-lab] [-- --nodes N] [-- --only a,b]: the
// figures in docs/benchmarks.md. Timings are measured here, never asserted in tests.
// Sections (--only): mocks, bringup (the bootstrap in parallel and with --parallel 1,
// from cached images, and from nothing with --from-nothing), slurm (through the tunnels and direct, with the ratio),
// restart, crosshost, monitoring, scale (a lab of --nodes nodes, 32 by default).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { ClusterPlan } from "../components/plan/plan";
import { OTHER_TUNNELS } from "../components/plan/instances";
import { down, up, UpOptions } from "../lab/cluster";
import { maxOverlap } from "../lab/stepGraph";
import { directVariant } from "./direct";
import { docker } from "../lab/docker";
import { containerName, LAB_TWO_HOSTS, labPlan } from "../lab/labPlan";
import { ssh } from "../lab/ssh";
import { bastionRestart, scalePlan, sshdPerTunnel } from "./scale";
import { arrayThroughput, ratio, rpcTimeouts, srunAll, turnaround } from "./slurmFigures";

const argv = process.argv.slice(2);
const args = new Set(argv);
const valueOf = (flag: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
const SECTIONS = ["mocks", "bringup", "slurm", "restart", "crosshost", "monitoring", "scale"];
const only = valueOf("--only")?.split(",");
for (const x of only ?? []) if (!SECTIONS.includes(x)) throw new Error(`--only ${x}: sections are ${SECTIONS.join(", ")}`);
const runs = (section: string) => !only || only.includes(section);
const scaleNodes = Number(valueOf("--nodes") ?? 32);
const p = labPlan();
const results: Record<string, unknown> = { date: new Date().toISOString(), machine: `${os.cpus().length} cores` };
const secs = (ms: number) => Math.round(ms / 100) / 10;
const quiet = () => undefined;

const evaluate = (n: number, mode = "program") => JSON.parse(execFileSync(process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(__dirname, "evalProgram.ts"), String(n), mode], { encoding: "utf8" }));

function mocksEvaluation(): void {
    results.mocks = [4, 64, 256, 1000].map((n) => evaluate(n));
    console.log("\nplan + program under mocks (one process per size):");
    console.table(results.mocks);
    // What the SDK alone costs for the containers the program must declare: the
    // part of the figure above that no change to this program can remove.
    results.sdkFloor = [256, 1000].map((n) => evaluate(n, "floor"));
    console.log("\nSDK floor: N docker.Container with only name and image, same mocks, declared in the same batches:");
    console.table(results.sdkFloor);
}

/** What the last bringUp's bootstrap did: its length and the most steps that ran at once. */
let lastBootstrap = { s: 0, overlap: 0 };

/** Down, then up, until the first job is COMPLETED in sacct: seconds. */
async function bringUp(label: string, plan: ClusterPlan = p, opts: UpOptions = {}): Promise<number> {
    await down(quiet);
    const t = performance.now();
    const r = await up(plan, quiet, false, opts);
    lastBootstrap = { s: secs(Math.max(...r.spans.map((x) => x.endMs))), overlap: maxOverlap(r.spans).count };
    const deadline = Date.now() + 300_000;
    for (;;) {
        const out = await ssh(plan, "controller", "sacct -n -X -P -o JobID,State | grep -m1 '|COMPLETED' || true");
        if (out.trim()) break;
        if (Date.now() > deadline) throw new Error("no COMPLETED job in sacct 300 s after up");
        await new Promise((r) => setTimeout(r, 500));
    }
    const s = secs(performance.now() - t);
    console.log(`${label}: ${s}s to the first job COMPLETED in sacct (bootstrap ${lastBootstrap.s}s, at most ${lastBootstrap.overlap} steps at once)`);
    return s;
}

interface SlurmFigures {
    bringUpS: number;
    array: Awaited<ReturnType<typeof arrayThroughput>>;
    turnaround: Awaited<ReturnType<typeof turnaround>>;
    srunAll: Awaited<ReturnType<typeof srunAll>>;
    /** slurmctld.log's RPC timeouts over the whole variant. */
    rpcTimeouts: number;
}

/** One variant's Slurm figures (slurmFigures.ts), after its bring-up. */
async function slurmFigures(label: string, plan: ClusterPlan, opts: UpOptions = {}, tunnels = plan.nodes.length + OTHER_TUNNELS): Promise<SlurmFigures> {
    const bringUpS = await bringUp(`${label}: bring-up from cached images`, plan, opts);
    // What is measured is what it says: the tunnels the controller serves are the variant's.
    const sessions = (await sshdPerTunnel(plan, "controller")).sessions;
    if (sessions !== tunnels) throw new Error(`${label}: the controller serves ${sessions} tunnels, not ${tunnels}`);
    const array = await arrayThroughput(plan);
    console.log(`${label}: trivial array`, array);
    const turn = await turnaround(plan);
    console.log(`${label}: sbatch -> job end (scontrol) and -> record in sacct, ${turn.end.n} jobs one at a time`, turn);
    const srun = await srunAll(plan);
    console.log(`${label}: srun -N${plan.nodes.length} true from the controller`, srun);
    const timeouts = await rpcTimeouts(plan);
    console.log(`${label}: RPCs timed out in slurmctld.log: ${timeouts}`);
    return { bringUpS, array, turnaround: turn, srunAll: srun, rpcTimeouts: timeouts };
}

/** The same figures through the tunnels and on a direct network (bench/direct.ts), and tunnel over direct for each time. */
async function tunnelVsDirect(): Promise<void> {
    const tunnel = await slurmFigures("tunnels", p);
    const variant = directVariant(p);
    const direct = await slurmFigures("direct", variant.plan, variant.options, OTHER_TUNNELS);
    const over = (f: (x: SlurmFigures) => number) => ratio(f(tunnel), f(direct));
    const tunnelOverDirect = {
        arrayTime: over((x) => x.array.seconds),
        medianEnd: over((x) => x.turnaround.end.medianS),
        p95End: over((x) => x.turnaround.end.p95S),
        medianSacct: over((x) => x.turnaround.sacct.medianS),
        srunAll: over((x) => x.srunAll.medianS),
        bringUp: over((x) => x.bringUpS),
    };
    results.slurm = { tunnel, direct, tunnelOverDirect };
    console.log("\ntunnels over direct (time over time; 1.00 = the tunnels cost nothing):", tunnelOverDirect);
}

/** A lab of n nodes: bring-up, a step on all, 2n-slot throughput, sshd per tunnel, a bastion restart. */
async function scale(n: number): Promise<void> {
    const plan = scalePlan(n);
    const r: Record<string, unknown> = { nodes: n, bringUpS: await bringUp(`${n} nodes: bring-up from cached images`, plan) };
    const hostname = await srunAll(plan, 10, "hostname");
    r.srunAllHostname = hostname;
    console.log(`${n} nodes: srun -N${n} hostname`, hostname);
    // Ten tasks per slot at the least: 300 on 64 slots is under five waves of one-second ticks.
    const tasks = Math.max(300, 10 * n * plan.nodes[0].cpus);
    const tunnelArray = await arrayThroughput(plan, tasks);
    console.log(`${n} nodes: trivial array`, tunnelArray);
    r.sshd = [await sshdPerTunnel(plan, "bastion"), await sshdPerTunnel(plan, "controller")];
    console.log(`${n} nodes: the tunnels' sshd sessions`, r.sshd);
    r.bastionRestart = await bastionRestart(plan);
    console.log(`${n} nodes: after a bastion restart`, r.bastionRestart);
    r.rpcTimeouts = await rpcTimeouts(plan);
    console.log(`${n} nodes: RPCs timed out in slurmctld.log: ${r.rpcTimeouts}`);
    // The same array on the same nodes addressed directly: what the tunnels cost at this scale.
    const d = directVariant(plan);
    r.directBringUpS = await bringUp(`${n} nodes, direct: bring-up from cached images`, d.plan, d.options);
    const directArray = await arrayThroughput(d.plan, tasks);
    console.log(`${n} nodes, direct: trivial array`, directArray);
    r.array = { tunnel: tunnelArray, direct: directArray, tunnelOverDirect: ratio(tunnelArray.seconds, directArray.seconds) };
    results.scale = r;
    await down(quiet);
}

/** Polls sacct until a job is COMPLETED; any other final state fails the bench. */
async function completed(id: string, everyMs = 100): Promise<void> {
    for (;;) {
        const st = (await ssh(p, "controller", `sacct -n -X -P -j ${id} -o State`)).trim();
        if (st === "COMPLETED") return;
        if (/FAILED|CANCELLED|NODE_FAIL|TIMEOUT|OUT_OF_MEMORY/.test(st)) throw new Error(`job ${id} ${st}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

/**
 * A compute container restarted, and a job sent to it the moment `docker restart` returns
 * (before its slurmd and tunnel are up): seconds to COMPLETED in sacct, and whether
 * slurmctld requeued anything (it must not launch into a slurmd about to restart).
 */
async function restartReturn(n = 5): Promise<void> {
    const node = p.nodes[p.nodes.length - 1].name;
    const times: number[] = [];
    let requeued = 0;
    for (let i = 0; i < n; i++) {
        const mark = Number((await ssh(p, "controller", "sudo wc -l /var/log/slurm/slurmctld.log")).trim().split(" ")[0]);
        await docker(["restart", containerName(node)]);
        const t = performance.now();
        const id = (await ssh(p, "controller", `sbatch --parsable -w ${node} -o /dev/null --wrap true`)).trim();
        await completed(id);
        times.push(performance.now() - t);
        requeued += (await ssh(p, "controller", `sudo tail -n +${mark + 1} /var/log/slurm/slurmctld.log | grep -ci requeu || true`)).trim() === "0" ? 0 : 1;
        // Idle again before the next restart: a restart of a node slurmctld still calls down is another fault.
        await new Promise((r) => setTimeout(r, 5000));
    }
    times.sort((a, b) => a - b);
    results.restartReturn = { node, restarts: n, medianS: secs(times[Math.floor(n / 2)]), maxS: secs(times[n - 1]), restartsWithRequeue: requeued };
    console.log(`first job after a compute container restart (sbatch right after docker restart -> COMPLETED in sacct), ${n} restarts:`, results.restartReturn);
}

/**
 * What the peer path across Docker hosts costs (tunnels.ts srunSlices): in one job on the
 * two-host lab, `srun -N2 true` between two nodes of one host (over its network) against
 * one node of each host (through the controller's tunnels), timed in the batch script.
 */
async function crossHostCost(runs = 15): Promise<void> {
    const two = labPlan(LAB_TWO_HOSTS);
    await up(two, quiet);
    const ms = "$(( ($(date +%s%N) - t) / 1000000 ))";
    const loop = (nodes: string) => `for i in $(seq ${runs}); do t=$(date +%s%N); srun -N2 -w ${nodes} true; echo ${nodes} ${ms}; done`;
    const id = (await ssh(p, "controller", `sbatch --parsable -N3 -w compute[1-3] -o /tmp/cross-%j.out --wrap '${loop("compute1,compute2")}; ${loop("compute1,compute3")}'`)).trim();
    await completed(id, 1000);
    const lines = (await docker(["exec", containerName("compute1"), "cat", `/tmp/cross-${id}.out`])).trim().split("\n").map((l) => l.split(" "));
    const median = (nodes: string) => {
        const v = lines.filter((l) => l[0] === nodes).map((l) => Number(l[1])).sort((a, b) => a - b);
        return v[Math.floor(v.length / 2)];
    };
    const same = median("compute1,compute2");
    const cross = median("compute1,compute3");
    results.crossHost = { runs, sameHostMedianMs: same, crossHostMedianMs: cross, ratio: ratio(cross, same) };
    console.log("srun -N2 true inside a job: two nodes of one host vs one node on each of two hosts (through the controller):", results.crossHost);
    await up(p, quiet);
}

/** A PromQL query on the lab's Prometheus, from the controller itself (its loopback). */
async function promQuery(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const py = "import json,sys,urllib.parse,urllib.request;"
        + "print(urllib.request.urlopen('http://127.0.0.1:" + p.monitoring.prometheusPort + "/api/v1/query?'+urllib.parse.urlencode({'query':sys.argv[1]})).read().decode())";
    const out = await ssh(p, "controller", `python3 -c ${JSON.stringify(py)} '${q.replace(/'/g, `'\\''`)}'`);
    return (JSON.parse(out) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
}

/** What monitoring costs the controller: Prometheus's memory, and each scrape's duration (compute nodes through their tunnel). */
async function monitoringCost(): Promise<void> {
    // Two minutes of samples at the lab's 5 s interval: 24 scrapes per target.
    await new Promise((r) => setTimeout(r, 120_000));
    const rss = await promQuery('max_over_time(process_resident_memory_bytes{job="prometheus"}[2m])');
    const series = await promQuery("prometheus_tsdb_head_series");
    const scrapes = await promQuery("avg_over_time(scrape_duration_seconds[2m])");
    const max = await promQuery("max_over_time(scrape_duration_seconds[2m])");
    results.monitoring = {
        prometheusRssMB: Math.round(Number(rss[0]?.value[1]) / 1e6),
        headSeries: Number(series[0]?.value[1]),
        scrapeMs: scrapes.map((r) => ({
            target: `${r.metric.job}/${r.metric.instance}`,
            avgMs: Math.round(Number(r.value[1]) * 10000) / 10,
            maxMs: Math.round(Number(max.find((m) => m.metric.job === r.metric.job && m.metric.instance === r.metric.instance)?.value[1]) * 10000) / 10,
        })).sort((a, b) => a.target.localeCompare(b.target)),
    };
    console.log("\nmonitoring on the controller (lab, 5 s scrape interval, over 2 min):", results.monitoring);
}

/** Removes the lab's images and Docker's build cache, so the next up starts from nothing. */
async function forgetImages(): Promise<void> {
    await down(quiet);
    const ours = async () => (await docker(["images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "reference=hpc-stack/*"]))
        .trim().split("\n").filter(Boolean);
    // By tag, not id: an id two tags share, or a base with untagged child layers, refuses removal.
    const tags = await ours();
    if (tags.length) await docker(["rmi", "-f", ...tags]).catch(() => undefined);
    // The untagged layers the builds left (a base keeps them as children until they go).
    await docker(["image", "prune", "-f"]);
    const left = await ours();
    if (left.length) await docker(["rmi", "-f", ...left]);
    await docker(["builder", "prune", "-af"]).catch(() => undefined);
}

/**
 * Bring-up with the bootstrap run as pulumi up runs it (no cap) and one step at a
 * time (--parallel 1), each from cached images and, with --from-nothing, from nothing.
 */
async function bringUpFigures(): Promise<void> {
    const variant = async (label: string, parallel?: number) => {
        const s = await bringUp(label, p, parallel ? { parallel } : {});
        return { s, bootstrapS: lastBootstrap.s, mostAtOnce: lastBootstrap.overlap };
    };
    const figures: Record<string, unknown> = {};
    if (args.has("--from-nothing")) {
        await forgetImages();
        const parallel = await variant("bring-up from nothing (debootstrap, image builds, apt on the controller), steps in parallel");
        await forgetImages();
        const serial = await variant("bring-up from nothing, --parallel 1", 1);
        figures.fromNothing = { parallel, serial, serialOverParallel: ratio(serial.s, parallel.s) };
    }
    const parallel = await variant("bring-up from cached images, steps in parallel");
    const serial = await variant("bring-up from cached images, --parallel 1", 1);
    figures.cached = { parallel, serial, serialOverParallel: ratio(serial.s, parallel.s) };
    results.bringUp = figures;
    console.log("\nbring-up to the first job COMPLETED in sacct:", JSON.stringify(figures, null, 2));
}

async function main(): Promise<void> {
    if (runs("mocks")) mocksEvaluation();
    if (args.has("--skip-lab")) return;
    if (runs("bringup")) await bringUpFigures();
    if (runs("slurm")) await tunnelVsDirect();
    if (runs("restart") || runs("crosshost") || runs("monitoring")) {
        results.bringUpCachedS = await bringUp("bring-up from cached images");
        if (runs("restart")) await restartReturn();
        if (runs("crosshost")) await crossHostCost();
        if (runs("monitoring")) await monitoringCost();
    }
    if (runs("scale")) await scale(scaleNodes);
    if (process.env.HPC_LAB_KEEP !== "1") await down(quiet);
}

main().then(() => {
    const dir = path.join(__dirname, "results");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "latest.json"), JSON.stringify(results, null, 2));
    console.log(`\nwritten to bench/results/latest.json`);
}, (e: Error) => { console.error(`bench: ${e.message}`); process.exit(1); });
