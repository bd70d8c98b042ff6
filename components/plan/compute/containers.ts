// Compute containers as data: what both adapters (docker.Container, the lab's
// `docker create`) start for each node.
import { ref, Value } from "../steps";
import { ClusterLayout, ComputeNodePlan, hostOf } from "../layout";
import { NODE_LOCAL_PORTS, nodeTunnel, TUNNEL_USER, tunnelledPeers } from "../tunnels";
import { MUNGED_THREADS } from "../slurm";
import { COMPUTE_CAPABILITIES, ContainerShare, DAEMON_HEADROOM_MB, DAEMON_PIDS, healthCheck, NO_NEW_PRIVILEGES, PIDS_PER_CPU } from "./share";

export const TUNNEL_KEY_PATH = "/etc/hpc/tunnel/id_ed25519";
export const KNOWN_HOSTS_PATH = "/etc/hpc/tunnel/known_hosts";
/** Label naming the node a compute container runs (so a removed node's container can be found). */
export const NODE_LABEL = "hpc-stack.node";
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

/** /home in every container: the volume, on each Docker engine (docs/users-and-jobs.md, Home). */
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
