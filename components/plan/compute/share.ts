// What Docker holds every container to, and how it judges it: limits, health checks,
// capabilities and security options (CIS Docker Benchmark section 5).

/** Memory a compute container has beyond what Slurm schedules: its daemons (slurmd, munged, sshd, autossh, node exporter: 78 MB of RSS by ps, 30 MiB of cgroup usage idle, in the lab). */
export const DAEMON_HEADROOM_MB = 256;
export const NO_NEW_PRIVILEGES = "no-new-privileges:true";
/**
 * Processes and threads a node's container may hold (CIS Docker 5.29): a fork bomb in a
 * job stops at it instead of at the Docker host's. 1024 per CPU, far above what HPC codes
 * start per core, plus the daemons' (about 40 idle, in the lab).
 */
export const PIDS_PER_CPU = 1024;
export const DAEMON_PIDS = 256;
/** The home server's share: sshd, an sftp-server per mounted home, its tunnel. */
export const HOME_SERVER_LIMITS = { memoryMb: 512, cpus: 1, pids: 512 } as const;
/**
 * What a compute container holds after dropping ALL (CIS Docker 5.3), each with its
 * reason; the lab suite runs under exactly this set. Gone from Docker's defaults:
 * NET_RAW (ARP spoofing on the bridge that carries peer Slurm traffic), MKNOD, AUDIT_WRITE,
 * FSETID, SETFCAP, SETPCAP and NET_BIND_SERVICE (Docker lets any uid bind a low port in
 * the container's own network namespace).
 */
export const COMPUTE_CAPABILITIES: Record<string, string> = {
    CHOWN: "the entrypoint and slurmd hand files to their owners: users' new homes, munge's and slurmd's state",
    DAC_OVERRIDE: "root works in directories other users own: homes on first creation, spool directories",
    FOWNER: "root sets modes on files it does not own (a new home's example jobs, the app-port claims)",
    SETUID: "slurmstepd runs each job as its user; munged, sshd and autossh drop to their own users",
    SETGID: "the same, for groups",
    KILL: "slurmd signals users' tasks (scancel, time limits, OverMemoryKill), and the epilog kills their leftovers",
    SYS_CHROOT: "sshd's privilege separation chroots its pre-authentication child",
    SYS_NICE: "task/affinity pins each job to its CPUs (execve fails without it)",
    SYS_PTRACE: "slurmstepd reads each task's /proc/<pid>/io; without it jobacct_gather drops every task of another uid, so no MaxRSS and no OverMemoryKill (measured). It reaches only this container's own processes, and jobs run as users with no-new-privileges",
};
export const HEALTHCHECK_PATH = "/usr/local/lib/hpc/healthcheck.sh";

/**
 * A container's Docker health check (CIS Docker 5.27): a command that goes through the
 * container's work (healthcheck.sh), so "healthy" means a node slurmctld reaches and that
 * reaches slurmctld, not only a live process. CMD-SHELL, the one form `docker create` takes too.
 */
export interface HealthCheck { test: ["CMD-SHELL", string]; intervalS: number; timeoutS: number; startPeriodS: number; retries: number }

/** Checked every 15 s; three failures in a row (45 s, under SlurmdTimeout) make it unhealthy. */
export const healthCheck = (role: "node" | "home"): HealthCheck =>
    ({ test: ["CMD-SHELL", `${HEALTHCHECK_PATH} ${role}`], intervalS: 15, timeoutS: 10, startPeriodS: 60, retries: 3 });

/** What Docker holds a container to, and how it judges it (CIS Docker 5.10-5.12, 5.25, 5.27, 5.29): every container the program runs has all of it. */
export interface ContainerShare {
    limits: { memoryMb: number; cpus: number; pids: number };
    healthcheck: HealthCheck;
    /** Docker --security-opt values; every container has no-new-privileges. */
    securityOpts: string[];
}

/**
 * The DCGM exporter's share. Not measured here (no GPU, no NVIDIA image): NVIDIA's
 * exporter with its embedded host engine, for a handful of GPUs, stays well under these;
 * the lab's stand-in runs under the very same limits.
 */
export const DCGM_EXPORTER_LIMITS = { memoryMb: 512, cpus: 0.5, pids: 256 } as const;

/**
 * The exporter is healthy when its own /metrics answers with a DCGM field: bash's
 * /dev/tcp, since NVIDIA's image need not carry curl (the stand-in runs the same line).
 */
export const dcgmHealthCheck = (port: number): HealthCheck => ({
    test: ["CMD-SHELL", `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && printf "GET /metrics HTTP/1.0\\r\\n\\r\\n" >&3 && grep -q "^DCGM_FI_" <&3'`],
    intervalS: 30, timeoutS: 10, startPeriodS: 60, retries: 3,
});
