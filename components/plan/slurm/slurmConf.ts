// slurm.conf and gres.conf for the tunnelled cluster, rendered from config-files/slurm.
import { ClusterLayout, ComputeNodePlan } from "../layout";
import { render } from "../steps";

/** Slurm hostlist of the names, compressed where they share a prefix: compute[1-3],gpu-a. */
export function hostlist(names: string[]): string {
    const groups = new Map<string, number[]>();
    const singles: string[] = [];
    for (const n of names) {
        const m = /^(.*?)(\d+)$/.exec(n);
        if (m && !m[2].startsWith("0")) {
            const g = groups.get(m[1]) ?? [];
            g.push(Number(m[2]));
            groups.set(m[1], g);
        } else singles.push(n);
    }
    const parts: string[] = [];
    for (const [prefix, nums] of groups) {
        if (nums.length === 1) { parts.push(`${prefix}${nums[0]}`); continue; }
        const sorted = [...nums].sort((a, b) => a - b);
        const ranges: string[] = [];
        let start = sorted[0];
        let prev = start;
        for (const x of [...sorted.slice(1), NaN]) {
            if (x === prev + 1) { prev = x; continue; }
            ranges.push(start === prev ? `${start}` : `${start}-${prev}`);
            start = prev = x;
        }
        parts.push(`${prefix}[${ranges.join(",")}]`);
    }
    return [...parts, ...singles].join(",");
}

/** Where slurm.conf lives on the controller (compute nodes fetch it configless). */
export const SLURM_CONF_PATH = "/etc/slurm/slurm.conf";
/** A node's address as slurmctld sees it: its tunnel's end on the controller's loopback. */
export const TUNNEL_END = "127.0.0.1";
/** A node's address in slurm.conf: the tunnel's end, unless a bench variant addresses nodes directly (bench/direct.ts). */
export type NodeAddress = (n: ComputeNodePlan) => string;

export function nodeLine(n: ComputeNodePlan, address: NodeAddress = () => TUNNEL_END): string {
    return [
        `NodeName=${n.name}`,
        `NodeAddr=${address(n)}`,
        `Port=${n.ports.slurmd}`,
        `CPUs=${n.cpus}`,
        "Boards=1",
        "SocketsPerBoard=1",
        `CoresPerSocket=${n.cpus}`,
        "ThreadsPerCore=1",
        `RealMemory=${n.memoryMb}`,
        ...(n.gpus > 0 ? [`Gres=gpu:${n.gpuType}:${n.gpus}`] : []),
        "State=UNKNOWN",
    ].join(" ");
}

export function accountingLines(p: ClusterLayout): string {
    return [
        "AccountingStorageType=accounting_storage/slurmdbd",
        `AccountingStorageHost=${p.controller.hostname}`,
        `AccountingStoragePort=${p.ports.slurmdbd}`,
        "AccountingStorageTRES=gres/gpu",
        "AccountingStoreFlags=job_comment",
        // No job runs without an association: not a system account (nobody, prometheus),
        // not a user removed from the config; and limits and QOS hold.
        "AccountingStorageEnforce=associations,limits,qos,safe",
    ].join("\n");
}

/** DefMemPerCPU: the least memory per CPU of any node, so a job with no --mem fits wherever it lands. */
export function defMemPerCpu(nodes: ComputeNodePlan[]): number {
    return Math.max(1, Math.min(...nodes.map((n) => Math.floor(n.memoryMb / n.cpus))));
}

export function renderSlurmConf(p: ClusterLayout, address?: NodeAddress): string {
    return render("slurm/slurm.conf.tmpl", {
        clusterName: p.clusterName,
        controllerHost: p.controller.hostname,
        slurmctldPort: p.ports.slurmctld,
        srunPortRange: `${p.ports.srun.from}-${p.ports.srun.to}`,
        treeWidth: Math.max(p.nodes.length, 1),
        accountingLines: accountingLines(p),
        defMemPerCpu: defMemPerCpu(p.nodes),
        nodeLines: p.nodes.map((n) => nodeLine(n, address)).join("\n"),
        partitionLines: p.partitions.map((x) =>
            `PartitionName=${x.name} Nodes=${hostlist(x.nodes)}${x.isDefault ? " Default=YES" : ""}`
            + `${p.exclusiveUserPartitions.includes(x.name) ? " ExclusiveUser=YES" : ""} MaxTime=INFINITE State=UP`).join("\n"),
    });
}

/** GPU indices as a gres.conf File= suffix: "0", or "[2-3]" (a node's indices are consecutive). */
function deviceRange(ids: number[]): string {
    return ids.length > 1 ? `[${ids[0]}-${ids[ids.length - 1]}]` : String(ids[0]);
}

/** One gres.conf for the whole cluster: configless slurmd reads the controller's. */
export function renderGresConf(p: ClusterLayout): string {
    const lines = p.nodes.filter((n) => n.gpus > 0).map((n) =>
        `NodeName=${n.name} Name=gpu Type=${n.gpuType} File=/dev/nvidia${deviceRange(n.gpuIds)}`);
    return render("slurm/gres.conf.tmpl", { gresLines: lines.join("\n") });
}
