// The stack config: one zod schema, so that every bad value is reported with
// its key and value before a single resource is declared.
import { z } from "zod";
import { contains, isWorld, overlaps, parseCidr } from "../network";
import { DEFAULT_COMPUTE_BASE_IMAGE, PLATFORM, PLATFORM_ID } from "../platform";
import { checkDockerHosts, DEFAULT_DOCKER_URL, DOCKER_HOST_KEYS, dockerHostSchema, dockerUrl, LOCAL_DOCKER_HOST } from "./dockerHosts";
import { alertReceivers, checkReceiverNames, redactReceiverValue } from "./receivers";
import { nodeLimit, nodeLimitArithmetic, smallestTypeFor } from "../instances";
import { checkUsers, USER_KEYS, userSchema } from "./users";

export const CONTROLLER_INSTANCE_TYPES = ["t3.medium", "t3.large"] as const;
/** Smallest first: a config with more nodes than the chosen type carries is told the next that does (tunnelCapacity.ts). */
export const BASTION_INSTANCE_TYPES = ["t2.micro", "t3.micro", "t3.small", "t3.medium", "t3.large"] as const;

/** Ports each compute node owns on the controller's loopback, in this order, from its block. */
export const NODE_PORT_KINDS = ["slurmd", "ssh", "nodeExporter", "dcgmExporter", "app"] as const;
/** Ports per node block: room to add kinds without renumbering existing nodes. */
export const NODE_PORT_STRIDE = 10;
/** A node's app ports run from its "app" port to the end of its block. */
export const APP_PORTS_MAX = NODE_PORT_STRIDE - NODE_PORT_KINDS.indexOf("app");
/** The controller's host number in the private subnet: AWS reserves the first four, .10 leaves room for humans. */
export const CONTROLLER_HOST_INDEX = 10;
/** AWS's VPC and subnet sizes: /16 (largest) to /28 (smallest). */
export const AWS_PREFIX = { largest: 16, smallest: 28 } as const;
/** srun(1): one srun opens 4 ports (5 with --pty), and the range is split in two halves: 5 ports each at the least. */
export const SRUN_RANGE_PORTS = { min: 10, max: 1000 } as const;
/**
 * Ports of each node's own slice of the compute half when the nodes span Docker hosts
 * (tunnels.ts srunSlices). An srun in a job holds 3 (measured, lab/EXPERIMENT.md), so a
 * slice needs at least SRUN_SLICE_MIN.
 */
export const srunSliceSize = (rangeSize: number, nodes: number): number => Math.floor((rangeSize - Math.ceil(rangeSize / 2)) / nodes);
export const SRUN_SLICE_MIN = 4;
/** Keys the schema keeps, with what nothing does with them yet: setting one is reported. None today. */
export const RESERVED_KEYS: Record<string, string> = {};

/** Tag keys the program sets on every resource itself (layout.ts, plan.ts tagsFor): a config value for one would be silently replaced. */
export const PROGRAM_TAG_KEYS = ["Project", "Cluster", "ManagedBy", "Name", "Role"] as const;

/** Node exporter's port on the controller's loopback (and on the bastion's private address). */
export const NODE_EXPORTER_PORT = 9100;

/** MariaDB's port; it binds 127.0.0.1 on the controller, so nothing else may take it. */
export const MARIADB_PORT = 3306;

// Lower-case, so one name is valid as a DNS label, a Docker container name and a
// Slurm NodeName (Slurm hostlists choke on commas, brackets and dots).
const hostName = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
// "home" is the home server's container and tunnel name (layout.ts HOME_SERVER).
const RESERVED_NAMES = ["bastion", "controller", "localhost", "all", "default", "home"];
const lowerCaseHostName = z.string().regex(hostName, "must be a lower-case host name: letters, digits and '-', starting with a letter");

const port = z.number().int().min(1024).max(65535);
/** A Prometheus duration of one unit, e.g. 30s, 5m, 15d. */
const duration = (units: string, example: string) =>
    z.string().regex(new RegExp(`^[1-9][0-9]*[${units}]$`), `must be a whole number and one unit of ${units.split("").join(", ")} (e.g. ${example})`);

const cidr = z.string().superRefine((v, ctx) => {
    try {
        parseCidr(v);
    } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
    }
});

const trustedCidr = cidr.refine((v) => { try { return !isWorld(parseCidr(v)); } catch { return true; } },
    "opens SSH to the whole internet; list your office or VPN ranges instead");

/** The least memory a compute node may declare, in MB. */
export const MIN_NODE_MEMORY_MB = 256;
/** A compute node's size when its config leaves it out. */
export const COMPUTE_NODE_DEFAULTS = { cpus: 2, memoryMb: 2048, gpus: 0, gpuType: "nvidia", host: LOCAL_DOCKER_HOST } as const;

const computeNode = z.object({
    name: lowerCaseHostName.refine((n) => !RESERVED_NAMES.includes(n), "is a reserved name"),
    cpus: z.number().int().min(1).max(1024).default(COMPUTE_NODE_DEFAULTS.cpus),
    memoryMb: z.number().int().min(MIN_NODE_MEMORY_MB).default(COMPUTE_NODE_DEFAULTS.memoryMb),
    gpus: z.number().int().min(0, "must be 0 or more").max(16).default(COMPUTE_NODE_DEFAULTS.gpus),
    gpuType: z.string().regex(/^[a-z0-9_]+$/, "must be letters, digits or '_'").default(COMPUTE_NODE_DEFAULTS.gpuType),
    // A key of dockerHosts (checked below, against the hosts the config declares).
    host: z.string().default(COMPUTE_NODE_DEFAULTS.host),
    // Its host's GPU indices, one per GPU; without them the layout picks free ones (dockerHosts.ts assignGpus).
    deviceIds: z.array(z.number().int().min(0, "must be 0 or more")).optional(),
}).strict();

export const DEFAULT_COMPUTE_NODES = [
    { name: "compute1", cpus: 2, memoryMb: 2048, gpus: 0, gpuType: "nvidia", host: LOCAL_DOCKER_HOST },
    { name: "compute2", cpus: 2, memoryMb: 2048, gpus: 2, gpuType: "nvidia", host: LOCAL_DOCKER_HOST },
];

export const configSchema = z.object({
    clusterName: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/, "must be lower-case letters, digits or '_', at most 31 characters, starting with a letter").default("hpc"),
    vpcCidr: cidr.default("10.0.0.0/16"),
    privateSubnetCidr: cidr.default("10.0.1.0/24"),
    publicSubnetCidr: cidr.default("10.0.2.0/24"),
    availabilityZone: z.string().default(""),
    // prefault, not default: the empty default must itself fail, so an unset key is reported.
    trustedCidrs: z.array(trustedCidr).min(1, "must list at least one CIDR allowed to reach the bastion's SSH port").prefault([]),
    bastionInstanceType: z.enum(BASTION_INSTANCE_TYPES).default("t2.micro"),
    controllerInstanceType: z.enum(CONTROLLER_INSTANCE_TYPES).default("t3.medium"),
    adminPublicKey: z.string().regex(/^(|ssh-(ed25519|rsa) [A-Za-z0-9+/=]+( .*)?)$/, "must be an OpenSSH ssh-ed25519 or ssh-rsa public key (the program makes none: pulumi up refuses an empty one)").default(""),
    computeNodes: z.array(computeNode).min(1, "must declare at least one compute node").default(DEFAULT_COMPUTE_NODES),
    // The one engine of a config without dockerHosts (the host "local"). Pulumi.yaml's
    // default reaches the program as a value, so only a value other than the default
    // counts as set (dockerHosts.ts checkDockerHosts).
    dockerHost: dockerUrl.default(DEFAULT_DOCKER_URL),
    // Host name -> {url, gpus?}: names are not reserved, as no container or tunnel takes
    // one (they suffix resource and network names). Empty: the one host "local" at dockerHost, as before it existed.
    dockerHosts: z.record(lowerCaseHostName, dockerHostSchema).default({}),
    computeBaseImage: z.string().refine(isPlatformImage,
        `must be a Debian ${PLATFORM.debianVersion} image, tagged ${PLATFORM.debianSuite}* or ${PLATFORM.debianVersion}* (e.g. ${DEFAULT_COMPUTE_BASE_IMAGE}), so that slurmd runs the controller's Slurm ${PLATFORM.slurmSeries}`)
        .default(DEFAULT_COMPUTE_BASE_IMAGE),
    computeSshBindAddress: z.ipv4("must be an IPv4 address").refine((a) => a !== "0.0.0.0", "must not be the wildcard address: compute SSH stays off public interfaces").default("127.0.0.1"),
    computeSshPortBase: port.default(2221),
    slurmctldPort: port.default(6817),
    slurmdbdPort: port.default(6819),
    // Each srun opens 4 ports (5 with --pty); half the range serves the controller, half the jobs.
    srunPortRange: z.string().regex(/^\d+-\d+$/, "must look like 60001-60040").default("60001-60040"),
    tunnelPortBase: port.default(20000),
    // Ports each node forwards for users' web apps (a Streamlit job picks a free one).
    // Partitions whose nodes serve one user at a time (slurm.conf ExclusiveUser=YES): no
    // other user's job, or what it left behind, shares a node with theirs.
    exclusiveUserPartitions: z.array(z.enum(["cpu", "gpu"])).default([]),
    appPortsPerNode: z.number().int().min(1).max(APP_PORTS_MAX, `must be at most ${APP_PORTS_MAX}: they share a node's block of ${NODE_PORT_STRIDE} tunnel ports`).default(4),
    // The home server's SFTP port on the controller's loopback (its own tunnel's one forward).
    homeTunnelPort: port.default(19999),
    // Empty: /home is a Docker volume on the Docker host. Else a site NFS export that dockerd mounts.
    homeNfsExport: z.string().regex(/^(|[A-Za-z0-9.-]+:\/[^\s,]*)$/, "must be empty or server:/path (e.g. nas1.example.org:/export/home)").default(""),
    homeNfsOptions: z.string().regex(/^[A-Za-z0-9=.,_-]*$/, "must be NFS mount options, comma separated (e.g. nfsvers=4.2,hard)").default("nfsvers=4.2,hard"),
    // Streamlit from PyPI in the compute image, at build time on the Docker host.
    installStreamlit: z.boolean().default(true),
    users: z.array(userSchema).default([]),
    prometheusPort: port.default(9090),
    grafanaPort: port.default(3000),
    alertmanagerPort: port.default(9093),
    // How long Prometheus keeps samples on the controller's disk (--storage.tsdb.retention.time).
    prometheusRetention: duration("hdwy", "15d").default("15d"),
    // Scrape and rule evaluation interval; the Slurm collector runs as often.
    monitoringInterval: duration("sm", "30s").default("30s"),
    // How long an outage condition holds before its alert fires (the rules' for:).
    alertFor: duration("sm", "5m").default("5m"),
    // Grafana comes from Grafana's apt repository, which the lab cannot reach.
    grafanaEnabled: z.boolean().default(true),
    alertReceivers: alertReceivers.default([]),
    backupRetentionDays: z.number().int().min(1).max(3650).default(14),
    // Set only for the one `pulumi up` that moves an existing stack to this program's
    // platform (README: "Upgrading a stack to a new platform").
    replaceForPlatform: z.string().refine((v) => v === "" || v === PLATFORM_ID,
        `must be empty, or ${PLATFORM_ID} (the platform this program deploys) to replace every host of a stack that runs another`).default(""),
    tags: z.record(z.string().regex(/^[A-Za-z0-9 _.:/=+@-]{1,128}$/), z.string().max(256))
        .superRefine((t, ctx) => {
            for (const k of PROGRAM_TAG_KEYS.filter((k) => Object.hasOwn(t, k))) {
                ctx.addIssue({ code: "custom", path: [k], message: `is set by the program on each resource (its own ${k}), which would override this value: choose another key` });
            }
        }).default({}),
}).strict().superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });

    // Parse errors were already reported on the key; relations only make sense on valid CIDRs.
    const safe = (v: string) => { try { return parseCidr(v); } catch { return undefined; } };
    const vpc = safe(c.vpcCidr);
    // Subnets are IPv4 (reported below), so relations are only checked between IPv4 blocks.
    const v4 = (v: string) => { const b = safe(v); return b?.kind === "ipv4" ? b : undefined; };
    const priv = v4(c.privateSubnetCidr);
    const pub = v4(c.publicSubnetCidr);
    if (vpc && vpc.kind !== "ipv4") issue(["vpcCidr"], "must be an IPv4 block");
    if (vpc && priv && !contains(vpc, priv)) issue(["privateSubnetCidr"], `is outside vpcCidr ${c.vpcCidr}`);
    if (vpc && pub && !contains(vpc, pub)) issue(["publicSubnetCidr"], `is outside vpcCidr ${c.vpcCidr}`);
    if (priv && pub && overlaps(priv, pub)) issue(["publicSubnetCidr"], `overlaps privateSubnetCidr ${c.privateSubnetCidr}`);
    for (const [key, block] of [["vpcCidr", vpc], ["privateSubnetCidr", safe(c.privateSubnetCidr)], ["publicSubnetCidr", safe(c.publicSubnetCidr)]] as const) {
        if (block?.kind !== "ipv4") {
            if (block && key !== "vpcCidr") issue([key], "must be an IPv4 block");
            continue;
        }
        if (block.prefix < AWS_PREFIX.largest || block.prefix > AWS_PREFIX.smallest) {
            issue([key], `is a /${block.prefix}: AWS takes /${AWS_PREFIX.largest} to /${AWS_PREFIX.smallest}` +
                (key === "privateSubnetCidr" && block.prefix > AWS_PREFIX.smallest ? ` (the controller's fixed address is host #${CONTROLLER_HOST_INDEX})` : ""));
        }
    }

    const seen = new Map<string, number>();
    c.computeNodes.forEach((n, i) => {
        const first = seen.get(n.name);
        if (first !== undefined) issue(["computeNodes", i, "name"], `duplicates computeNodes[${first}].name`);
        else seen.set(n.name, i);
    });

    checkTunnelCapacity(c, issue);
    checkDockerHosts(c, issue);
    checkReceiverNames(c.alertReceivers, issue);
    checkUsers(c.users, issue);
    c.exclusiveUserPartitions.forEach((x, i) => {
        if (x === "gpu" && !c.computeNodes.some((n) => n.gpus > 0)) issue(["exclusiveUserPartitions", i], "names the gpu partition, but no compute node has a GPU (the cluster has only cpu)");
        if (c.exclusiveUserPartitions.indexOf(x) !== i) issue(["exclusiveUserPartitions", i], `duplicates exclusiveUserPartitions[${c.exclusiveUserPartitions.indexOf(x)}]`);
    });

    const range = /^(\d+)-(\d+)$/.exec(c.srunPortRange);
    const srun = range ? [Number(range[1]), Number(range[2])] : undefined;
    if (srun && !(1024 <= srun[0] && srun[0] <= srun[1] && srun[1] <= 65535)) {
        issue(["srunPortRange"], "must be low-high with 1024 <= low <= high <= 65535");
    } else if (srun) {
        const size = srun[1] - srun[0] + 1;
        if (size < SRUN_RANGE_PORTS.min) {
            issue(["srunPortRange"], `holds ${size} ports: it is split between controller and job sruns, and one srun opens 4 (5 with --pty), so it needs at least ${SRUN_RANGE_PORTS.min}`);
        } else if (size > SRUN_RANGE_PORTS.max) {
            issue(["srunPortRange"], `holds ${size} ports: every node opens one tunnel forward per port of its lower half, so it may hold at most ${SRUN_RANGE_PORTS.max}`);
        }
        const hosts = new Set(c.computeNodes.map((n) => n.host));
        const slice = srunSliceSize(size, c.computeNodes.length);
        if (hosts.size > 1 && slice < SRUN_SLICE_MIN) {
            // The smallest range whose compute half gives every node a slice.
            let need = size;
            while (srunSliceSize(need, c.computeNodes.length) < SRUN_SLICE_MIN) need++;
            issue(["srunPortRange"], `gives each of the ${c.computeNodes.length} nodes ${slice} ports of its upper half, and nodes on ${hosts.size} Docker hosts ` +
                `need ${SRUN_SLICE_MIN} each (their sruns are reached through the controller, each in its own ports): use at least ${srun[0]}-${srun[0] + need - 1}`);
        }
    }

    // Every port below lives on the controller's loopback (directly or through a tunnel).
    const owners = new Map<number, string>();
    const reported = new Set<string>();
    const claim = (p: number, owner: string, path: (string | number)[]) => {
        const prev = owners.get(p);
        if (!prev) owners.set(p, owner);
        else if (!reported.has(`${path}`)) {
            reported.add(`${path}`);
            issue(path, `port ${p} (${owner}) collides with ${prev}`);
        }
    };
    claim(22, "sshd", ["slurmctldPort"]);
    claim(MARIADB_PORT, "MariaDB", ["slurmctldPort"]);
    claim(NODE_EXPORTER_PORT, "node exporter", ["slurmctldPort"]);
    for (const k of ["slurmctldPort", "slurmdbdPort", "prometheusPort", "grafanaPort", "alertmanagerPort", "homeTunnelPort"] as const) claim(c[k], k, [k]);
    if (srun && srun[0] <= srun[1] && srun[1] - srun[0] < SRUN_RANGE_PORTS.max) {
        for (let p = srun[0]; p <= srun[1]; p++) claim(p, "srunPortRange", ["srunPortRange"]);
    }
    const lastTunnelPort = c.tunnelPortBase + c.computeNodes.length * NODE_PORT_STRIDE - 1;
    if (lastTunnelPort > 65535) {
        issue(["tunnelPortBase"], `leaves no room for ${c.computeNodes.length} nodes x ${NODE_PORT_STRIDE} ports (needs up to ${lastTunnelPort})`);
    } else {
        c.computeNodes.forEach((n, i) => {
            const base = c.tunnelPortBase + i * NODE_PORT_STRIDE;
            NODE_PORT_KINDS.forEach((kind, k) => claim(base + k, `${n.name}'s ${kind} tunnel port`, ["tunnelPortBase"]));
            for (let a = 1; a < c.appPortsPerNode; a++) claim(base + NODE_PORT_KINDS.indexOf("app") + a, `${n.name}'s app tunnel port`, ["tunnelPortBase"]);
        });
    }
    if (c.computeSshPortBase + c.computeNodes.length - 1 > 65535) {
        issue(["computeSshPortBase"], `leaves no room for ${c.computeNodes.length} published SSH ports`);
    }
});

/** Each node's tunnel is an sshd session on the bastion and the controller: refuses more than their type can carry (tunnelCapacity.ts). */
function checkTunnelCapacity(c: { computeNodes: unknown[]; bastionInstanceType: string; controllerInstanceType: string },
    issue: (path: (string | number)[], message: string) => void): void {
    const n = c.computeNodes.length;
    for (const [host, key, types] of [["bastion", "bastionInstanceType", BASTION_INSTANCE_TYPES], ["controller", "controllerInstanceType", CONTROLLER_INSTANCE_TYPES]] as const) {
        const type = c[key];
        const limit = nodeLimit(host, type);
        if (n <= limit) continue;
        const bigger = smallestTypeFor(host, types, n);
        issue([key], `${type} carries the tunnels of at most ${limit} compute nodes (${nodeLimitArithmetic(host, type)}), ` +
            `and computeNodes has ${n}: ` + (bigger ? `choose ${bigger}` : `no allowed ${key} carries ${n}; the largest, ${types[types.length - 1]}, carries ${nodeLimit(host, types[types.length - 1])}`));
    }
}

/**
 * Whether an image reference names the platform's Debian: its tag starts with the
 * suite or the version (debian:trixie, debian:13.2-slim, reg.example/debian:trixie-20251117@sha256:...).
 * An untagged (latest) reference moves with Debian's releases, so it does not.
 */
export function isPlatformImage(ref: string): boolean {
    const name = ref.split("@")[0];
    const colon = name.lastIndexOf(":");
    if (colon < 0 || colon < name.lastIndexOf("/")) return false;
    return new RegExp(`^(${PLATFORM.debianSuite}|${PLATFORM.debianVersion})([-.]|$)`).test(name.slice(colon + 1));
}

/** Keys set in raw config that nothing uses yet, each with why: the user is told, not left guessing. */
export function configNotices(raw: RawConfig, reserved: Record<string, string> = RESERVED_KEYS): string[] {
    return Object.keys(reserved).filter((k) => raw[k] !== undefined).map((k) => `${k} = ${JSON.stringify(raw[k])}: ${reserved[k]}`);
}

export type ClusterConfig = z.output<typeof configSchema>;
export type ComputeNodeConfig = ClusterConfig["computeNodes"][number];
export type RawConfig = Record<string, unknown>;

/** The one error a user sees for bad config: every problem, each naming its key and value. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

function lookup(raw: unknown, path: PropertyKey[]): unknown {
    return path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
}

function keyName(path: PropertyKey[]): string {
    return path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), "");
}

/** Validates raw config values (already JSON-decoded) and applies defaults. Throws ConfigError. */
export function parseConfig(raw: RawConfig): ClusterConfig {
    const result = configSchema.safeParse(raw);
    if (result.success) return result.data;
    throw new ConfigError(result.error.issues.map((i) => {
        const path = i.code === "unrecognized_keys" ? [...i.path, i.keys[0]] : i.path;
        const value = lookup(raw, path);
        const fallback = defaultAt(path);
        const shown = value !== undefined ? showValue(path, value)
            : fallback !== undefined ? `${JSON.stringify(fallback)} (default)` : "(unset)";
        const message = i.code === "unrecognized_keys" ? `unknown key (known keys: ${knownKeys(i.path).join(", ")})`
            // A record's bad key: its key schema's own message, not zod's "Invalid key in record".
            : i.code === "invalid_key" ? i.issues[0]?.message ?? i.message : i.message;
        return `${keyName(path) || "(config)"} = ${shown}: ${message}`;
    }));
}

/** The default a key takes when unset: a top-level key's, or a compute node's field's (its host "local"). */
function defaultAt(path: PropertyKey[]): unknown {
    if (path.length === 1) return lookup(DEFAULTS, path);
    if (path.length === 3 && path[0] === "computeNodes") return lookup(COMPUTE_NODE_DEFAULTS, [path[2]]);
    return undefined;
}

function knownKeys(path: PropertyKey[]): string[] {
    if (path[0] === "dockerHosts") return DOCKER_HOST_KEYS;
    if (path[0] === "alertReceivers") return ["name", "type", "url", "channel", "to", "from", "smarthost", "authUsername", "authPassword"];
    if (path[0] === "users") return USER_KEYS;
    return path.length === 0 ? Object.keys(configSchema.shape) : Object.keys(computeNode.shape);
}

/** A value as the error shows it; a receiver's secret is shown without its secret part. */
function showValue(path: PropertyKey[], value: unknown): string {
    if (path[0] === "alertReceivers") return JSON.stringify(redactReceiverValue(path, value));
    return JSON.stringify(value);
}

/** Every default, as the schema applies it (trustedCidrs has none, so a placeholder stands in). */
export const DEFAULTS: Omit<ClusterConfig, "trustedCidrs"> = (({ trustedCidrs: _, ...rest }) => rest)(
    configSchema.parse({ trustedCidrs: ["192.0.2.0/24"] }));

/** Keys whose values are structured (JSON in Pulumi config); the rest are plain strings. */
export const STRUCTURED_KEYS: ReadonlySet<string> = new Set(
    Object.entries(configSchema.parse({ trustedCidrs: ["192.0.2.0/24"] }))
        .filter(([, v]) => typeof v !== "string")
        .map(([k]) => k));
