// The cluster's layout: addresses, hosts, nodes and ports, derived from the config
// alone. The rendered parts (bootstrap steps, containers, slurm.conf, tunnels) are
// derived from it, so it imports none of them; plan.ts composes them.
import { assignGpus, ClusterConfig, configuredDockerHosts, DEFAULT_ACCOUNT, LOCAL_DOCKER_HOST, ReceiverPlan, receiverPlan } from "../config";
import { CONTROLLER_HOST_INDEX, hostAddress, parseCidr } from "../network";
import { NODE_EXPORTER_PORT, NODE_PORT_KINDS, NODE_PORT_STRIDE } from "../ports";

export const PROJECT = "hpc-stack";
/** The login user of Debian's cloud images; the lab's EC2 stand-ins use it too. */
export const ADMIN_USER = "admin";
/** The admin user's uid on Debian's cloud images (the first user created). */
export const ADMIN_UID = 1000;
/** slurmd's default port: only used by in-VPC nodes, tunnelled nodes get their own. */

export type NodePortKind = typeof NODE_PORT_KINDS[number];
export type NodePorts = Record<NodePortKind, number>;

export interface PortRange { from: number; to: number }

/** The on-premises SFTP server of /home: its container and tunnel name (reserved as a node name). */
export const HOME_SERVER = "home";

/** Docker network the compute containers of the host "local" share on premises (today's stacks' one network). */
export const COMPUTE_NETWORK = "slurm_network";

/** One Docker engine on premises, as the config names it, and the network its nodes join. */
export interface DockerHostPlan {
    name: string;
    /** The engine: unix:///... or ssh://user@host. Hosts may share one (each keeps its own network). */
    url: string;
    /** The GPUs the host declares, when it does (config checked its nodes ask no more). */
    gpus?: number;
    /**
     * COMPUTE_NETWORK for "local", so an existing stack keeps its network; slurm_network-<host>
     * for the rest, so two hosts on one engine get two networks, as two machines would.
     */
    network: string;
}

/** The Docker network of a host's nodes. */
export const hostNetwork = (host: string): string => (host === LOCAL_DOCKER_HOST ? COMPUTE_NETWORK : `${COMPUTE_NETWORK}-${host}`);

/** A user that runs jobs: admin, and the cluster users from config. */
export interface ClusterUser {
    name: string;
    uid: number;
    /** Slurm account of the user's association. */
    account: string;
    /** Absent for admin, whose key the hosts' first step installs. */
    sshPublicKey?: string;
}

/** /home on premises, and the controller's view of it (docs/users-and-jobs.md, Home). */
export interface HomePlan {
    /** Docker volume holding /home on the Docker host (name, and driver options for a site NFS export). */
    volume: { name: string; nfs?: { export: string; options: string } };
    /** The SFTP server's port on the controller's loopback: its tunnel's one forward. */
    tunnelPort: number;
}

export interface ComputeNodePlan {
    name: string;
    index: number;
    cpus: number;
    memoryMb: number;
    gpus: number;
    gpuType: string;
    /** The Docker host (a DockerHostPlan's name) whose engine runs this node. */
    host: string;
    /**
     * Its Docker host's GPU indices this node holds, named device by device (Docker's
     * count requests always give GPUs 0..N-1, so two nodes would share them): the
     * config's deviceIds, else the host's lowest free indices in config order
     * (dockerHosts.ts assignGpus). Nodes on other hosts may hold the same numbers.
     */
    gpuIds: number[];
    /** Ports on the controller's loopback, each a reverse forward to the same port on the node. */
    ports: NodePorts;
    /** Ports for users' web apps: the same number on the node's loopback and the controller's. */
    appPorts: number[];
    /** Port published on the Docker host for admin SSH into the container. */
    hostSshPort: number;
    partitions: string[];
}

export interface NetworkPlan {
    vpcCidr: string;
    privateSubnetCidr: string;
    publicSubnetCidr: string;
    availabilityZone?: string;
    names: {
        vpc: string; privateSubnet: string; publicSubnet: string; igw: string; nat: string;
        natEip: string; publicRouteTable: string; privateRouteTable: string; flowLogs: string;
    };
}

export interface InstancePlan {
    instanceType: string;
    rootVolumeGb: number;
    hostname: string;
}

/** Prometheus, Alertmanager and Grafana on the controller's loopback, and what they watch. */
export interface MonitoringPlan {
    prometheusPort: number;
    alertmanagerPort: number;
    grafanaPort: number;
    grafanaEnabled: boolean;
    /** Node exporter on the controller (loopback) and the bastion (its private address). */
    nodeExporterPort: number;
    retention: string;
    /** Scrape and evaluation interval, and the Slurm collector's period. */
    interval: string;
    /** How long an outage holds before its alert fires. */
    alertFor: string;
    /** Receivers without their secrets (receivers.ts). */
    receivers: ReceiverPlan[];
}

/** Addresses, hosts, nodes and ports: everything the rendered parts are derived from. */
export interface ClusterLayout {
    clusterName: string;
    adminUser: string;
    /** Users that may run jobs: they exist with these uids on the controller and every node; admin first. */
    users: ClusterUser[];
    home: HomePlan;
    network: NetworkPlan;
    bastion: InstancePlan;
    controller: InstancePlan & { privateIp: string };
    trustedCidrs: { ipv4: string[]; ipv6: string[] };
    /** Slurm's ports on the controller; monitoring's own are under monitoring. */
    ports: { slurmctld: number; slurmdbd: number; srun: PortRange };
    nodes: ComputeNodePlan[];
    partitions: { name: string; nodes: string[]; isDefault: boolean }[];
    /** Partitions whose nodes serve one user at a time (ExclusiveUser=YES). */
    exclusiveUserPartitions: string[];
    /**
     * The engines on premises, in config order. The first runs the home server: there is
     * one (the controller mounts one SFTP server), it needs the home volume, which on one
     * engine is there and with NFS is on every engine alike, and the first host is the one
     * a config keeps as it adds hosts after it ("local" for today's configs).
     */
    dockerHosts: DockerHostPlan[];
    /** What every Docker host builds and publishes alike. */
    docker: { baseImage: string; sshBindAddress: string; installStreamlit: boolean };
    adminPublicKey?: string;
    /** Days of nightly accounting-DB dumps kept on the controller. */
    backupRetentionDays: number;
    monitoring: MonitoringPlan;
    tags: Record<string, string>;
}

export function nodePorts(base: number, index: number): NodePorts {
    const start = base + index * NODE_PORT_STRIDE;
    return Object.fromEntries(NODE_PORT_KINDS.map((k, i) => [k, start + i])) as NodePorts;
}

/** The Docker host a node runs on. */
export function hostOf(p: Pick<ClusterLayout, "dockerHosts">, n: { host: string }): DockerHostPlan {
    const h = p.dockerHosts.find((d) => d.name === n.host);
    if (!h) throw new Error(`node on host ${n.host}, which is not among dockerHosts (${p.dockerHosts.map((d) => d.name).join(", ")})`);
    return h;
}

export function layout(c: ClusterConfig): ClusterLayout {
    const [srunFrom, srunTo] = c.srunPortRange.split("-").map(Number);
    const gpuIds = assignGpus(c.computeNodes);
    const nodes: ComputeNodePlan[] = c.computeNodes.map((n, index) => ({
        name: n.name,
        index,
        cpus: n.cpus,
        memoryMb: n.memoryMb,
        gpus: n.gpus,
        gpuType: n.gpuType,
        host: n.host,
        gpuIds: gpuIds[index],
        ports: nodePorts(c.tunnelPortBase, index),
        appPorts: Array.from({ length: c.appPortsPerNode }, (_, a) => nodePorts(c.tunnelPortBase, index).app + a),
        hostSshPort: c.computeSshPortBase + index,
        partitions: n.gpus > 0 ? ["cpu", "gpu"] : ["cpu"],
    }));
    const gpuNodes = nodes.filter((n) => n.gpus > 0).map((n) => n.name);
    const partitions = [{ name: "cpu", nodes: nodes.map((n) => n.name), isDefault: true }];
    if (gpuNodes.length > 0) partitions.push({ name: "gpu", nodes: gpuNodes, isDefault: false });

    return {
        clusterName: c.clusterName,
        adminUser: ADMIN_USER,
        users: [{ name: ADMIN_USER, uid: ADMIN_UID, account: DEFAULT_ACCOUNT }, ...c.users],
        home: {
            volume: {
                name: `${c.clusterName}-home`,
                ...(c.homeNfsExport ? { nfs: { export: c.homeNfsExport, options: c.homeNfsOptions } } : {}),
            },
            tunnelPort: c.homeTunnelPort,
        },
        network: {
            vpcCidr: c.vpcCidr,
            privateSubnetCidr: c.privateSubnetCidr,
            publicSubnetCidr: c.publicSubnetCidr,
            availabilityZone: c.availabilityZone || undefined,
            names: {
                vpc: "SLURM-VPC", privateSubnet: "PrivateSubnet", publicSubnet: "PublicSubnet",
                igw: "SLURM-IGW", nat: "SLURM-NAT", natEip: "SLURM-NAT-EIP",
                publicRouteTable: "Public-RT", privateRouteTable: "Private-RT", flowLogs: "SLURM-VPC-flow-logs",
            },
        },
        bastion: { instanceType: c.bastionInstanceType, rootVolumeGb: 8, hostname: "bastion" },
        controller: {
            instanceType: c.controllerInstanceType,
            rootVolumeGb: 20,
            hostname: "controller",
            privateIp: hostAddress(c.privateSubnetCidr, CONTROLLER_HOST_INDEX),
        },
        trustedCidrs: {
            ipv4: c.trustedCidrs.filter((t) => parseCidr(t).kind === "ipv4"),
            ipv6: c.trustedCidrs.filter((t) => parseCidr(t).kind === "ipv6"),
        },
        ports: {
            slurmctld: c.slurmctldPort,
            slurmdbd: c.slurmdbdPort,
            srun: { from: srunFrom, to: srunTo },
        },
        nodes,
        partitions,
        exclusiveUserPartitions: c.exclusiveUserPartitions,
        dockerHosts: configuredDockerHosts(c).map(([name, h]) => ({ name, url: h.url, ...(h.gpus === undefined ? {} : { gpus: h.gpus }), network: hostNetwork(name) })),
        docker: { baseImage: c.computeBaseImage, sshBindAddress: c.computeSshBindAddress, installStreamlit: c.installStreamlit },
        adminPublicKey: c.adminPublicKey || undefined,
        backupRetentionDays: c.backupRetentionDays,
        monitoring: {
            prometheusPort: c.prometheusPort,
            alertmanagerPort: c.alertmanagerPort,
            grafanaPort: c.grafanaPort,
            grafanaEnabled: c.grafanaEnabled,
            nodeExporterPort: NODE_EXPORTER_PORT,
            retention: c.prometheusRetention,
            interval: c.monitoringInterval,
            alertFor: c.alertFor,
            receivers: c.alertReceivers.map(receiverPlan),
        },
        tags: { ...c.tags, Project: PROJECT, Cluster: c.clusterName, ManagedBy: "pulumi" },
    };
}
