// Compute containers as data: what both adapters (docker.Container, the lab's
// `docker create`) start for each node.
import { configDir, configFile, contentHash, ref, Value } from "../steps";
import { ClusterLayout, ComputeNodePlan, hostOf } from "../layout";
import { NODE_LOCAL_PORTS, nodeTunnel, TUNNEL_USER, tunnelledPeers } from "../tunnels";

export const TUNNEL_KEY_PATH = "/etc/hpc/tunnel/id_ed25519";
export const KNOWN_HOSTS_PATH = "/etc/hpc/tunnel/known_hosts";
/** Label naming the node a compute container runs (so a removed node's container can be found). */
export const NODE_LABEL = "hpc-stack.node";
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
 * munged's threads on every host (SchedMD's HTC guide: "munged --num-threads 10"): each job's
 * start and end authenticates several RPCs on the controller and its node, and munge's
 * default of 2 threads queues them in a burst of job ends.
 */
export const MUNGED_THREADS = 10;

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

/** The files that make the compute image (its build context's used part); their hash is its tag. */
export const computeImageFiles = (): string[] => [...configDir("docker"), ...configDir("jobs"), "ssh/sshd-hardening.conf"];

export interface ComputeImage {
    tag: string;
    /** Relative to config-files/, the build context. */
    dockerfile: string;
    baseImage: string;
    /** The Dockerfile's ARGs (BASE_IMAGE, INSTALL_STREAMLIT): part of the tag, as they change the image. */
    buildArgs: Record<string, string>;
}

export function computeImage(baseImage: string, installStreamlit = true): ComputeImage {
    const buildArgs = { BASE_IMAGE: baseImage, INSTALL_STREAMLIT: installStreamlit ? "1" : "0" };
    const seed = Object.entries(buildArgs).map(([k, v]) => `${k}=${v}`).join("\n");
    const tag = `hpc-stack/compute:${contentHash(seed, computeImageFiles().map((f) => [f, configFile(f)]))}`;
    return { tag, dockerfile: "docker/Dockerfile", baseImage, buildArgs };
}

/**
 * A file put in the container before it starts; base64 content is decoded (binary
 * keys). Whether it is secret follows from its content's name (isSecretName).
 */
export interface Upload { path: string; content: Value; mode: string; base64?: boolean }

/** A Docker volume mounted in a container (the home volume on /home). */
export interface VolumeMount { volume: string; target: string }

export interface ContainerSpec extends ContainerShare {
    node: string;
    /** The Docker host (layout's DockerHostPlan name) whose engine runs it. */
    host: string;
    /** The Docker network it joins: its host's (DockerHostPlan.network). */
    network: string;
    /** Container name and hostname. */
    name: string;
    env: Record<string, Value>;
    uploads: Upload[];
    /** The image's default command, unless set (the home server runs its own entrypoint). */
    command?: string[];
    volumes: VolumeMount[];
    /** Published ports: only the node's SSH, on sshBindAddress. */
    ports: { internal: number; external: number; ip: string }[];
    /** /etc/hosts entries: the controller's name resolves to the tunnel's end. */
    hosts: { host: string; ip: string }[];
    gpus: number;
    /** The Docker host's GPUs this node holds, by index (deviceIds, never a count). */
    gpuIds: number[];
    /*
     * limits (ContainerShare): a node holds its declared share of the Docker host. Memory is
     * the node's memoryMb (what Slurm schedules) plus room for its own daemons, with no swap
     * beyond it; CPUs are a quota of the node's count; pids caps its processes and threads.
     * securityOpts: no-new-privileges, so no setuid binary or file capability raises a job.
     */
    /**
     * Capabilities Docker drops (capDrop, e.g. ALL) and adds back, never privileged. See
     * COMPUTE_CAPABILITIES for the compute nodes' set, each with its reason.
     */
    capDrop: string[];
    capAdd: string[];
    restart: "unless-stopped";
    labels: Record<string, string>;
}

/** "name:uid ..." for the containers' entrypoints (node-lib.sh). */
export const userList = (users: { name: string; uid: number }[]): string => users.map((u) => `${u.name}:${u.uid}`).join(" ");

/** /home in every container: the volume, on each Docker engine (README "Home"). */
export const homeMount = (p: ClusterLayout): VolumeMount => ({ volume: p.home.volume.name, target: "/home" });

function envFor(p: ClusterLayout, n: ComputeNodePlan): Record<string, Value> {
    const t = nodeTunnel(p, n);
    const extraRemote = t.remote.filter((f) => f.listen !== n.ports.slurmd).map((f) => `${f.listen}:${f.target}`);
    return {
        NODE_NAME: n.name,
        SLURMD_PORT: String(n.ports.slurmd),
        SLURM_CONF_SERVER: `127.0.0.1:${p.ports.slurmctld}`,
        TUNNEL_TARGET: `${TUNNEL_USER}@${p.controller.privateIp}`,
        TUNNEL_JUMP: ref("bastionAddress", `${TUNNEL_USER}@`),
        TUNNEL_LOCAL_PORTS: t.local.join(" "),
        TUNNEL_REMOTE_FORWARDS: extraRemote.join(" "),
        // Peers on other Docker hosts: their slurmd through the tunnel, not peer-forwards.sh.
        PEER_TUNNEL_PORTS: tunnelledPeers(p, n).map((j) => j.ports.slurmd).join(" "),
        SLURM_USERS: userList(p.users),
        // Every job user, admin included, gets a home on the volume: jobs start in it.
        HOME_USERS: userList(p.users),
        APP_PORTS: n.appPorts.join(" "),
        // The laptop command hpc-app-port prints: the bastion as compute (and laptops) dial it.
        APP_SSH_BASTION: ref("bastionAddress"),
        APP_SSH_CONTROLLER: p.controller.privateIp,
        NODE_EXPORTER_LISTEN: `127.0.0.1:${NODE_LOCAL_PORTS.nodeExporter}`,
        MUNGED_THREADS: String(MUNGED_THREADS),
        // The GPUs themselves come from deviceRequests by id; NVIDIA_VISIBLE_DEVICES is a device
        // selector of its own to the toolkit, so it is never set here beside them.
        ...(n.gpus > 0 ? { NVIDIA_DRIVER_CAPABILITIES: "compute,utility" } : {}),
    };
}

export function containerSpecs(p: ClusterLayout): ContainerSpec[] {
    return p.nodes.map((n) => ({
        node: n.name,
        host: n.host,
        network: hostOf(p, n).network,
        name: n.name,
        env: envFor(p, n),
        uploads: [
            { path: "/etc/munge/munge.key", content: ref("mungeKey"), mode: "0400", base64: true },
            { path: TUNNEL_KEY_PATH, content: ref(`tunnelPrivateKey/${n.name}`), mode: "0600" },
            { path: KNOWN_HOSTS_PATH, content: ref("knownHosts"), mode: "0644" },
            { path: "/etc/ssh/authorized_keys/root", content: ref("adminPublicKey"), mode: "0600" },
        ],
        volumes: [homeMount(p)],
        limits: { memoryMb: n.memoryMb + DAEMON_HEADROOM_MB, cpus: n.cpus, pids: DAEMON_PIDS + PIDS_PER_CPU * n.cpus },
        healthcheck: healthCheck("node"),
        securityOpts: [NO_NEW_PRIVILEGES],
        ports: [{ internal: NODE_LOCAL_PORTS.ssh, external: n.hostSshPort, ip: p.docker.sshBindAddress }],
        hosts: [{ host: p.controller.hostname, ip: "127.0.0.1" }],
        gpus: n.gpus,
        gpuIds: n.gpuIds,
        capDrop: ["ALL"],
        capAdd: Object.keys(COMPUTE_CAPABILITIES),
        restart: "unless-stopped",
        labels: { "hpc-stack.cluster": p.clusterName, [NODE_LABEL]: n.name, "hpc-stack.role": "compute" },
    }));
}


/**
 * NVIDIA's DCGM exporter, pinned: later tags are OCI image indexes that some Docker
 * engines cannot pull (aws-samples pins the same one).
 */
export const DCGM_EXPORTER_IMAGE = "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.0-4.1.0-ubuntu22.04";
export const DCGM_COUNTERS_PATH = "/etc/dcgm-exporter/hpc-counters.csv";

/**
 * The DCGM exporter beside a GPU node: it joins the node container's network
 * namespace (networkMode container:<node>), so it listens on the node's loopback
 * and the node's own tunnel carries its port to the controller. It gets the node's
 * GPUs and nothing else: no port, no capability (so no DCGM_FI_PROF_* fields).
 */
export interface DcgmExporterSpec extends ContainerShare {
    node: string;
    /** Its node's Docker host: it joins the node's network namespace, so it runs on the node's engine. */
    host: string;
    /** Container name. It sets no hostname: a container in another's network namespace may not. */
    name: string;
    image: string;
    /** The compute container whose network namespace it joins. */
    networkContainer: string;
    gpuIds: number[];
    env: Record<string, string>;
    uploads: { path: string; content: string; mode: string }[];
    restart: "unless-stopped";
    labels: Record<string, string>;
}

export function dcgmExporterSpecs(p: ClusterLayout): DcgmExporterSpec[] {
    return p.nodes.filter((n) => n.gpus > 0).map((n) => ({
        node: n.name,
        host: n.host,
        name: `${n.name}-dcgm-exporter`,
        image: DCGM_EXPORTER_IMAGE,
        networkContainer: n.name,
        gpuIds: n.gpuIds,
        env: {
            // The node's loopback: reachable through its tunnel, from nowhere else.
            DCGM_EXPORTER_LISTEN: `127.0.0.1:${NODE_LOCAL_PORTS.dcgmExporter}`,
            DCGM_EXPORTER_COLLECTORS: DCGM_COUNTERS_PATH,
        },
        uploads: [{ path: DCGM_COUNTERS_PATH, content: configFile("dcgm/hpc-counters.csv"), mode: "0644" }],
        restart: "unless-stopped",
        labels: { "hpc-stack.cluster": p.clusterName, [NODE_LABEL]: n.name, "hpc-stack.role": "dcgm-exporter" },
        limits: { ...DCGM_EXPORTER_LIMITS },
        healthcheck: dcgmHealthCheck(NODE_LOCAL_PORTS.dcgmExporter),
        securityOpts: [NO_NEW_PRIVILEGES],
    }));
}

/** The DCGM field names the exporter serves, from its counters file. */
export function dcgmMetricNames(): string[] {
    return configFile("dcgm/hpc-counters.csv").split("\n").map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#")).map((l) => l.split(",")[0].trim());
}
