// The stack config's fields: one zod schema per key, each with the message a user
// sees for a bad value. Relations between keys are the checks (checks/, schema.ts).
import { z } from "zod";
import { isWorld, parseCidr } from "../network";
import { BASTION_INSTANCE_TYPES, CONTROLLER_INSTANCE_TYPES } from "../instances";
import { DEFAULT_COMPUTE_BASE_IMAGE, isPlatformImage, PLATFORM, PLATFORM_ID } from "../platform";
import { APP_PORTS_MAX, NODE_PORT_STRIDE } from "../ports";
import { DEFAULT_DOCKER_URL, dockerHostSchema, dockerUrl, LOCAL_DOCKER_HOST } from "./dockerHosts";
import { alertReceivers } from "./receivers";
import { userSchema } from "./users";

/** Tag keys the program sets on every resource itself (layout, plan.ts tagsFor): a config value for one would be silently replaced. */
export const PROGRAM_TAG_KEYS = ["Project", "Cluster", "ManagedBy", "Name", "Role"] as const;

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

export const computeNode = z.object({
    name: lowerCaseHostName.refine((n) => !RESERVED_NAMES.includes(n), "is a reserved name"),
    cpus: z.number().int().min(1).max(1024).default(COMPUTE_NODE_DEFAULTS.cpus),
    memoryMb: z.number().int().min(MIN_NODE_MEMORY_MB).default(COMPUTE_NODE_DEFAULTS.memoryMb),
    gpus: z.number().int().min(0, "must be 0 or more").max(16).default(COMPUTE_NODE_DEFAULTS.gpus),
    gpuType: z.string().regex(/^[a-z0-9_]+$/, "must be letters, digits or '_'").default(COMPUTE_NODE_DEFAULTS.gpuType),
    // A key of dockerHosts (checked by checkDockerHosts, against the hosts the config declares).
    host: z.string().default(COMPUTE_NODE_DEFAULTS.host),
    // Its host's GPU indices, one per GPU; without them the layout picks free ones (dockerHosts.ts assignGpus).
    deviceIds: z.array(z.number().int().min(0, "must be 0 or more")).optional(),
}).strict();

export const DEFAULT_COMPUTE_NODES = [
    { name: "compute1", cpus: 2, memoryMb: 2048, gpus: 0, gpuType: "nvidia", host: LOCAL_DOCKER_HOST },
    { name: "compute2", cpus: 2, memoryMb: 2048, gpus: 2, gpuType: "nvidia", host: LOCAL_DOCKER_HOST },
];

export const configFields = z.object({
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
    // platform (docs/operations/upgrading.md).
    replaceForPlatform: z.string().refine((v) => v === "" || v === PLATFORM_ID,
        `must be empty, or ${PLATFORM_ID} (the platform this program deploys) to replace every host of a stack that runs another`).default(""),
    tags: z.record(z.string().regex(/^[A-Za-z0-9 _.:/=+@-]{1,128}$/), z.string().max(256))
        .superRefine((t, ctx) => {
            for (const k of PROGRAM_TAG_KEYS.filter((k) => Object.hasOwn(t, k))) {
                ctx.addIssue({ code: "custom", path: [k], message: `is set by the program on each resource (its own ${k}), which would override this value: choose another key` });
            }
        }).default({}),
}).strict();

export type ClusterConfig = z.output<typeof configFields>;
export type ComputeNodeConfig = ClusterConfig["computeNodes"][number];
export type RawConfig = Record<string, unknown>;
