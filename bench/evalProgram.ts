// One measurement, in its own process so peak memory is this evaluation's alone:
// plan + the whole Pulumi program under mocks for N compute nodes, or (`floor`)
// the SDK's own cost for the N docker.Containers the program must declare, with
// no plan and the least inputs the provider accepts.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { performance } from "perf_hooks";
import { parseConfig } from "../components/plan/config";
import { inBatches } from "../components/plan/compute";
import { deploy } from "../components/pulumi/deploy";
import { plan } from "../components/plan/plan";
import { tuneStackTraces } from "../components/pulumi/stack";
import { installMocks, settle } from "../mocks";

function program(n: number): { planMs: number; run: () => Promise<Record<string, unknown>> } {
    const t0 = performance.now();
    const cfg = parseConfig({
        trustedCidrs: ["203.0.113.0/24"],
        // Any admin key: the program generates none.
        adminPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxu88puL/7zOQ6A8Idls62O0CLoS/GEftu4NwfTibHt bench@hpc-stack",
        // The types that carry 1000 nodes' tunnels (tunnelCapacity.ts); no resource differs but their instance type.
        bastionInstanceType: "t3.large", controllerInstanceType: "t3.large",
        computeNodes: Array.from({ length: n }, (_, i) => ({ name: `compute${i + 1}`, gpus: i % 4 === 3 ? 2 : 0 })),
    });
    plan(cfg);
    return { planMs: performance.now() - t0, run: async () => (await deploy(cfg)) as unknown as Record<string, unknown> };
}

function floor(n: number): { planMs: number; run: () => Promise<Record<string, unknown>> } {
    return {
        planMs: 0,
        // Declared as the program declares its containers: in batches.
        run: async () => ({ names: pulumi.all((await inBatches(Array.from({ length: n }, (_, i) => i),
            (i) => new docker.Container(`c${i}`, { name: `c${i}`, image: "x" }))).map((c) => c.name)) }),
    };
}

async function main(): Promise<void> {
    // As index.ts does: the figure is the program's, not the SDK's debug stacks.
    tuneStackTraces();
    const n = Number(process.argv[2]);
    const mode = process.argv[3] === "floor" ? "floor" : "program";
    const { planMs, run } = mode === "floor" ? floor(n) : program(n);
    const mocks = installMocks({});
    const t1 = performance.now();
    await settle(await run());
    const programMs = performance.now() - t1;
    process.stdout.write(JSON.stringify({
        nodes: n, mode, planMs: Math.round(planMs), programMs: Math.round(programMs), resources: mocks.resources.length,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }));
}

main().catch((e) => { console.error(e); process.exit(1); });
