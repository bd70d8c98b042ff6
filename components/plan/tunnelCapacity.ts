// How many compute nodes a bastion and a controller can carry (issue #16). Every node
// holds one tunnel, which is one sshd session on each: a ProxyJump connection on the
// bastion, and the tunnel's own connection with its forwards on the controller. The
// figures are measured (README "Benchmarks", `npm run bench -- --nodes 32`); the limit
// is the arithmetic on them, shown in the README and in the error.

/** Memory of each instance type the config allows, MiB (AWS's published sizes). */
export const INSTANCE_MEMORY_MB: Record<string, number> = {
    "t2.micro": 1024, "t3.micro": 1024, "t3.small": 2048, "t3.medium": 4096, "t3.large": 8192,
};

/**
 * One tunnel's sshd session (OpenSSH's privileged monitor and its child) in KiB of PSS,
 * the memory one more session adds (pages shared among sessions counted once): measured
 * with 32 nodes and rounded up (bench/scale.ts sshdPerTunnel).
 */
export const SSHD_KB_PER_TUNNEL = { bastion: 2400, controller: 2500 } as const;

/**
 * What each host keeps for everything but the tunnels. The bastion: half its memory, for
 * the kernel, journald and page cache, and the reconnect storm after its restart (every
 * tunnel's pre-authentication child at once, MaxStartups 50). The controller: the same
 * half plus its daemons' memory (slurmctld, slurmdbd, MariaDB, Prometheus, Alertmanager,
 * Grafana), measured at CONTROLLER_DAEMONS_MB.
 */
export const CONTROLLER_DAEMONS_MB = 0;
export type TunnelHost = keyof typeof SSHD_KB_PER_TUNNEL;

/** Tunnels that are not a node's: the home server's. */
export const OTHER_TUNNELS = 1;

/** The most compute nodes an instance of this type can carry as this host. */
export function nodeLimit(host: TunnelHost, instanceType: string): number {
    const mb = INSTANCE_MEMORY_MB[instanceType];
    if (mb === undefined) throw new Error(`no memory figure for instance type ${instanceType}`);
    const forTunnels = mb / 2 - (host === "controller" ? CONTROLLER_DAEMONS_MB : 0);
    return Math.max(0, Math.floor((forTunnels * 1024) / SSHD_KB_PER_TUNNEL[host]) - OTHER_TUNNELS);
}

/** The arithmetic behind nodeLimit, for the error and the README. */
export function nodeLimitArithmetic(host: TunnelHost, instanceType: string): string {
    const mb = INSTANCE_MEMORY_MB[instanceType];
    const daemons = host === "controller" ? ` - ${CONTROLLER_DAEMONS_MB} MiB of daemons` : "";
    return `(${mb} MiB / 2${daemons}) / ${SSHD_KB_PER_TUNNEL[host]} KiB per tunnel - ${OTHER_TUNNELS} home tunnel = ${nodeLimit(host, instanceType)}`;
}

/** The smallest of these types that carries n nodes as this host, if any does. */
export function smallestTypeFor(host: TunnelHost, types: readonly string[], n: number): string | undefined {
    return [...types].sort((a, b) => INSTANCE_MEMORY_MB[a] - INSTANCE_MEMORY_MB[b]).find((t) => nodeLimit(host, t) >= n);
}
