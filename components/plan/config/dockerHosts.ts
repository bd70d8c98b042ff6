// Docker hosts from config: the engines that run the compute containers, which node
// runs on which, and which of its host's GPUs each node holds.
import { z } from "zod";
import { Check } from "./check";

/** The engine of a config that names no host: dockerHost's default. */
export const DEFAULT_DOCKER_URL = "unix:///var/run/docker.sock";
/**
 * The host of a config without dockerHosts (it is dockerHost's engine), and every
 * node's host unless it names one. Its resources keep today's names (no suffix), so
 * a stack deployed before dockerHosts existed is not replaced.
 */
export const LOCAL_DOCKER_HOST = "local";

export const dockerUrl = z.string().regex(/^(unix:\/\/\/.+|ssh:\/\/[^\s]+)$/,
    "must be unix:///path/to/docker.sock or ssh://user@host (plain tcp:// is unauthenticated)");

export const dockerHostSchema = z.object({
    url: dockerUrl,
    // Optional: without it the host's GPUs are not counted against its nodes'.
    gpus: z.number().int().min(0, "must be 0 or more").optional(),
}).strict();

export type DockerHostConfig = z.output<typeof dockerHostSchema>;
export const DOCKER_HOST_KEYS = Object.keys(dockerHostSchema.shape);

/** What of a node decides its host and GPUs. */
export interface HostedNode { name: string; gpus: number; host: string; deviceIds?: number[] }

/** The config keys the host checks read. */
export interface HostsConfig {
    dockerHost: string;
    dockerHosts: Record<string, DockerHostConfig>;
    computeNodes: HostedNode[];
    homeNfsExport: string;
}

/**
 * The hosts a config deploys to, in its order: dockerHosts, or (empty, as today's
 * configs leave it) the one host "local" at dockerHost.
 */
export function configuredDockerHosts(c: Pick<HostsConfig, "dockerHost" | "dockerHosts">): [string, DockerHostConfig][] {
    const hosts = Object.entries(c.dockerHosts);
    return hosts.length ? hosts : [[LOCAL_DOCKER_HOST, { url: c.dockerHost }]];
}


/** Every node's GPU indices on its host: explicit deviceIds as given, the rest lowest free first, in config order. */
export function assignGpus(nodes: HostedNode[]): number[][] {
    const taken = new Map<string, Set<number>>();
    const takenOn = (host: string) => taken.get(host) ?? taken.set(host, new Set()).get(host)!;
    // Explicit ids first, whatever their node's place: an earlier node must not take them.
    for (const n of nodes) for (const id of n.deviceIds ?? []) takenOn(n.host).add(id);
    return nodes.map((n) => {
        if (n.deviceIds) return [...n.deviceIds];
        const used = takenOn(n.host);
        const ids: number[] = [];
        for (let id = 0; ids.length < n.gpus; id++) {
            if (!used.has(id)) { used.add(id); ids.push(id); }
        }
        return ids;
    });
}

/**
 * What one host per node and one GPU per index require: every node on a declared
 * host, its deviceIds one per GPU and within its host's, no GPU held twice on a host,
 * no host asked for more GPUs than it declares, and one /home for every engine.
 */
export const checkDockerHosts: Check<HostsConfig> = (c, issue) => {
    const explicit = Object.keys(c.dockerHosts).length > 0;
    if (explicit && c.dockerHost !== DEFAULT_DOCKER_URL) {
        issue(["dockerHost"], `set the Docker host in dockerHosts (dockerHost is the url of the one host "${LOCAL_DOCKER_HOST}" only when dockerHosts is empty; ` +
            `leave it at ${DEFAULT_DOCKER_URL})`);
    }
    const hosts = new Map(configuredDockerHosts(c));
    const known = [...hosts.keys()].join(", ");

    // GPU index on a host -> the node index holding it, from explicit deviceIds.
    const holders = new Map<string, Map<number, number>>();
    c.computeNodes.forEach((n, i) => {
        const host = hosts.get(n.host);
        if (!host) {
            issue(["computeNodes", i, "host"], `is not a key of dockerHosts (known: ${known})`);
            return;
        }
        if (n.deviceIds === undefined) return;
        const at = ["computeNodes", i, "deviceIds"];
        if (n.gpus === 0) return issue(at, `names GPUs on a node with gpus 0: remove deviceIds, or set gpus`);
        if (n.deviceIds.length !== n.gpus) return issue(at, `names ${n.deviceIds.length} GPUs, but the node's gpus is ${n.gpus}: one index per GPU`);
        const dup = n.deviceIds.find((id, k) => n.deviceIds!.indexOf(id) !== k);
        if (dup !== undefined) return issue(at, `names GPU ${dup} twice`);
        const over = n.deviceIds.filter((id) => host.gpus !== undefined && id >= host.gpus);
        if (over.length) {
            return issue(at, `names GPU ${over.join(", ")}, but host ${n.host} declares ${host.gpus} GPUs (indices 0 to ${host.gpus! - 1})`);
        }
        const held = holders.get(n.host) ?? holders.set(n.host, new Map()).get(n.host)!;
        for (const id of n.deviceIds) {
            const other = held.get(id);
            if (other !== undefined) {
                issue(at, `names GPU ${id} of host ${n.host}, which computeNodes[${other}] (${c.computeNodes[other].name}) names too: ` +
                    `${n.name} and ${c.computeNodes[other].name} would share it`);
            } else held.set(id, i);
        }
    });

    for (const [name, host] of hosts) {
        const on = c.computeNodes.filter((n) => n.host === name && n.gpus > 0);
        const asked = on.reduce((s, n) => s + n.gpus, 0);
        if (host.gpus !== undefined && asked > host.gpus) {
            issue(["dockerHosts", name, "gpus"], `host ${name} declares ${host.gpus} GPUs; its nodes ask for ${asked} (${on.map((n) => `${n.name}: ${n.gpus}`).join(", ")})`);
        }
    }

    const urls = [...new Set([...hosts.values()].map((h) => h.url))];
    if (urls.length > 1 && !c.homeNfsExport) {
        issue(["homeNfsExport"], `is empty, but dockerHosts names ${urls.length} Docker engines (${urls.join(", ")}): every node's /home must be the same files, ` +
            `and a Docker volume is local to its engine, so nodes on several engines need a site NFS export (server:/path) that each engine mounts`);
    }
};
