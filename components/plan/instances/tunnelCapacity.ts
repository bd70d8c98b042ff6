// How many compute nodes a bastion and a controller can carry. Every node
// holds one tunnel, which is one sshd session on each: a ProxyJump connection on the
// bastion, and the tunnel's own connection with its forwards on the controller. The
// figures are measured (docs/benchmarks.md, `npm run bench -- --nodes 32`); the limit
// is the arithmetic on them, shown there and in the error.

/** Memory of each instance type the config allows, MiB (AWS's published sizes). */
export const INSTANCE_MEMORY_MB: Record<string, number> = {
    "t2.micro": 1024, "t3.micro": 1024, "t3.small": 2048, "t3.medium": 4096, "t3.large": 8192,
};

/**
 * One tunnel's sshd session (OpenSSH's privileged monitor and its child) in KiB of PSS,
 * the memory one more session adds (pages shared among sessions counted once): 2333-2339
 * on the bastion and 2488-2514 on the controller with 32 nodes' tunnels (three runs),
 * rounded up (RSS, which counts the shared pages in every session, was 18 MB:
 * `npm run bench -- --only scale`).
 */
export const SSHD_KB_PER_TUNNEL = { bastion: 2400, controller: 2600 } as const;
export type TunnelHost = keyof typeof SSHD_KB_PER_TUNNEL;

/**
 * The controller's daemons beside the tunnels, MiB: 400 measured with 32 nodes (MariaDB
 * 148, Prometheus 139, Alertmanager 36, node exporter 23, slurmctld 21, journald 18,
 * slurmdbd 12, munged 4), rounded up to 512, and 512 for Grafana, Grafana's documented
 * minimum (the lab runs none). Prometheus grows with the nodes it scrapes; that growth
 * is not counted here.
 */
export const CONTROLLER_DAEMONS_MB = 1024;

/** Tunnels that are not a node's: the home server's. */
export const OTHER_TUNNELS = 1;

/**
 * What an instance of this type carries as this host. Half the memory stays for the
 * kernel, journald and page cache, and for the reconnect storm after a restart (every
 * tunnel's pre-authentication child at once, MaxStartups 50); the controller's daemons
 * come out of the other half. nodes is the tunnels less the home server's.
 */
function capacity(host: TunnelHost, instanceType: string): { mb: number; freeMb: number; tunnels: number; nodes: number } {
    const mb = INSTANCE_MEMORY_MB[instanceType];
    if (mb === undefined) throw new Error(`no memory figure for instance type ${instanceType}`);
    const freeMb = mb / 2 - (host === "controller" ? CONTROLLER_DAEMONS_MB : 0);
    const tunnels = Math.max(0, Math.floor((freeMb * 1024) / SSHD_KB_PER_TUNNEL[host]));
    return { mb, freeMb, tunnels, nodes: Math.max(0, tunnels - OTHER_TUNNELS) };
}

/** The most compute nodes an instance of this type can carry as this host. */
export const nodeLimit = (host: TunnelHost, instanceType: string): number => capacity(host, instanceType).nodes;

/** The arithmetic behind nodeLimit, for the error and docs/benchmarks.md. */
export function nodeLimitArithmetic(host: TunnelHost, instanceType: string): string {
    const c = capacity(host, instanceType);
    const daemons = host === "controller" ? ` - ${CONTROLLER_DAEMONS_MB} MiB of daemons` : "";
    return `${c.mb} MiB / 2${daemons} = ${c.freeMb} MiB; ${c.freeMb} MiB / ${SSHD_KB_PER_TUNNEL[host]} KiB per tunnel = ` +
        `${c.tunnels} tunnels, less the home server's = ${c.nodes}`;
}

/** The smallest of these types that carries n nodes as this host, if any does. */
export function smallestTypeFor(host: TunnelHost, types: readonly string[], n: number): string | undefined {
    return [...types].sort((a, b) => INSTANCE_MEMORY_MB[a] - INSTANCE_MEMORY_MB[b]).find((t) => nodeLimit(host, t) >= n);
}
