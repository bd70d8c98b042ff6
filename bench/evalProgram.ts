// One measurement, in its own process so peak memory is this evaluation's alone:
// plan + the whole Pulumi program under mocks for N compute nodes.
import { performance } from "perf_hooks";
import { parseConfig } from "../components/config";
import { deploy } from "../components/deploy";
import { plan } from "../components/plan";
import { tuneStackTraces } from "../components/runtimeTuning";
import { installMocks, settle } from "../test/mocks";

async function main(): Promise<void> {
    // As index.ts does: the figure is the program's, not the SDK's debug stacks.
    tuneStackTraces();
    const n = Number(process.argv[2]);
    const raw = {
        trustedCidrs: ["203.0.113.0/24"],
        computeNodes: Array.from({ length: n }, (_, i) => ({ name: `compute${i + 1}`, gpus: i % 4 === 3 ? 2 : 0 })),
    };
    const t0 = performance.now();
    const cfg = parseConfig(raw);
    plan(cfg);
    const tPlan = performance.now() - t0;
    const mocks = installMocks({});
    const t1 = performance.now();
    const out = deploy(cfg);
    await settle(out as unknown as Record<string, unknown>);
    const tProgram = performance.now() - t1;
    process.stdout.write(JSON.stringify({
        nodes: n, planMs: Math.round(tPlan), programMs: Math.round(tProgram), resources: mocks.resources.length,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }));
}

main().catch((e) => { console.error(e); process.exit(1); });
