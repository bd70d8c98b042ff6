// Compute containers as data: what both adapters (docker.Container, the lab's
// `docker create`) start for each node.
import { contentHash } from "./contentHash";
import { ref, Value } from "./generated";
import { configDir, configFile } from "./templates";
import { ClusterLayout, ComputeNodePlan } from "./layout";
import { nodeTunnel, NODE_LOCAL_PORTS, TUNNEL_USER } from "./tunnels";

/** Docker network the compute containers share on premises. */
export const COMPUTE_NETWORK = "slurm_network";
export const TUNNEL_KEY_PATH = "/etc/hpc/tunnel/id_ed25519";
export const KNOWN_HOSTS_PATH = "/etc/hpc/tunnel/known_hosts";
/** Label naming the node a compute container runs (so a removed node's container can be found). */
export const NODE_LABEL = "hpc-stack.node";

/** The files that make the compute image (its build context's used part); their hash is its tag. */
export const computeImageFiles = (): string[] => [...configDir("docker"), "ssh/sshd-hardening.conf"];

export function computeImage(baseImage: string): { tag: string; dockerfile: string; baseImage: string } {
    const tag = `hpc-stack/compute:${contentHash(baseImage, computeImageFiles().map((f) => [f, configFile(f)]))}`;
    return { tag, dockerfile: "docker/Dockerfile", baseImage };
}

/**
 * A file put in the container before it starts; base64 content is decoded (binary
 * keys). Whether it is secret follows from its content's name (isSecretName).
 */
export interface Upload { path: string; content: Value; mode: string; base64?: boolean }

export interface ContainerSpec {
    node: string;
    /** Container name and hostname. */
    name: string;
    env: Record<string, Value>;
    uploads: Upload[];
    /** Published ports: only the node's SSH, on sshBindAddress. */
    ports: { internal: number; external: number; ip: string }[];
    /** /etc/hosts entries: the controller's name resolves to the tunnel's end. */
    hosts: { host: string; ip: string }[];
    gpus: number;
    /** Extra capabilities: SYS_NICE, or task/affinity cannot pin jobs (execve fails). Never privileged. */
    capAdd: string[];
    restart: "unless-stopped";
    labels: Record<string, string>;
}

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
        SLURM_USERS: p.users.map((u) => `${u.name}:${u.uid}`).join(" "),
        NODE_EXPORTER_LISTEN: `127.0.0.1:${NODE_LOCAL_PORTS.nodeExporter}`,
        ...(n.gpus > 0 ? { NVIDIA_VISIBLE_DEVICES: "all", NVIDIA_DRIVER_CAPABILITIES: "compute,utility" } : {}),
    };
}

export function containerSpecs(p: ClusterLayout): ContainerSpec[] {
    return p.nodes.map((n) => ({
        node: n.name,
        name: n.name,
        env: envFor(p, n),
        uploads: [
            { path: "/etc/munge/munge.key", content: ref("mungeKey"), mode: "0400", base64: true },
            { path: TUNNEL_KEY_PATH, content: ref(`tunnelPrivateKey/${n.name}`), mode: "0600" },
            { path: KNOWN_HOSTS_PATH, content: ref("knownHosts"), mode: "0644" },
            { path: "/root/.ssh/authorized_keys", content: ref("adminPublicKey"), mode: "0600" },
        ],
        ports: [{ internal: NODE_LOCAL_PORTS.ssh, external: n.hostSshPort, ip: p.docker.sshBindAddress }],
        hosts: [{ host: p.controller.hostname, ip: "127.0.0.1" }],
        gpus: n.gpus,
        capAdd: ["SYS_NICE"],
        restart: "unless-stopped",
        labels: { "hpc-stack.cluster": p.clusterName, [NODE_LABEL]: n.name },
    }));
}

