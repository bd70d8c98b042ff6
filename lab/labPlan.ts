// The lab's stack config: the same schema and plan as `pulumi up`, with the
// addresses of the lab's own Docker networks instead of AWS's.
import { DEFAULT_COMPUTE_NODES, parseConfig, RawConfig } from "../components/plan/config";
import { COMPUTE_NETWORK } from "../components/plan/layout";
import { ClusterPlan, plan } from "../components/plan/plan";
import { BASE_IMAGE } from "./images";
import { withLabUserKeys } from "./userKeys";

export const LAB_PREFIX = "hpc-lab";
export const LAB_LABEL = "hpc-stack.lab";
/** Hash of what a lab container was created from; `up` replaces it when that changes. */
export const SPEC_LABEL = `${LAB_LABEL}.spec`;

/** The lab's networks. wan stands for the internet, vpc for SLURM-VPC, onprem for slurm_network. */
export const NETWORKS = {
    wan: { name: `${LAB_PREFIX}-wan`, subnet: "172.28.0.0/24" },
    vpc: { name: `${LAB_PREFIX}-vpc`, subnet: "172.29.0.0/16" },
    onprem: { name: `${LAB_PREFIX}-onprem`, subnet: "172.27.0.0/24" },
} as const;

/**
 * The lab's network for a Docker host's on-premises network: slurm_network is onprem, and
 * each other host's is its own (hpc-lab-onprem-<host>). Docker isolates bridge networks from
 * each other, so two hosts' nodes have no route between them, as at two sites.
 */
export const labNetworkName = (network: string): string =>
    network === COMPUTE_NETWORK ? NETWORKS.onprem.name : `${NETWORKS.onprem.name}-${network.slice(COMPUTE_NETWORK.length + 1)}`;

/** Every lab network the plan needs: the fixed three, and one /24 per further Docker host's network. */
export function labNetworks(p: ClusterPlan): { name: string; subnet: string }[] {
    const extra = [...new Set(p.dockerHosts.map((h) => h.network))].filter((n) => n !== COMPUTE_NETWORK)
        .map((n, i) => ({ name: labNetworkName(n), subnet: `172.27.${i + 1}.0/24` }));
    return [...Object.values(NETWORKS), ...extra];
}

export const BASTION_WAN_IP = "172.28.0.10";
/** Stands for a receiver's token in the lab: the tests look for it where it must be, and where it must not. */
export const LAB_WEBHOOK_TOKEN = "lab-webhook-token-1b9f";

export const LAB_CONFIG: RawConfig = {
    clusterName: "lab",
    vpcCidr: NETWORKS.vpc.subnet,
    privateSubnetCidr: "172.29.1.0/24",
    publicSubnetCidr: "172.29.2.0/24",
    // The lab's "internet": compute nodes and the host reach the bastion from here.
    trustedCidrs: [NETWORKS.wan.subnet],
    computeBaseImage: BASE_IMAGE,
    // Short enough that the lab's alert tests see an outage fire and resolve in well
    // under two minutes: a 5 s scrape, evaluation and Slurm collection, 15 s before firing.
    monitoringInterval: "5s",
    alertFor: "15s",
    // Grafana comes from apt.grafana.com, which the lab cannot reach; its dashboards'
    // queries are checked against the lab's Prometheus instead.
    grafanaEnabled: false,
    // Streamlit comes from PyPI, which the lab cannot reach either: its app jobs run
    // the standard-library stand-in (config-files/jobs/run_stdlib_app.sh).
    installStreamlit: false,
    // A webhook receiver, so a receiver's secret takes the real path (stdin, swapped in on
    // the controller). It points at the controller's own discard port: nothing leaves it.
    alertReceivers: [{ name: "lab-webhook", type: "webhook", url: `https://127.0.0.1:9/hpc-lab-alerts/${LAB_WEBHOOK_TOKEN}` }],
    // Two users of one account, as a small group shares a cluster; their keys are the lab's (userKeys.ts).
    users: [
        { name: "alice", uid: 2001, account: "physics", sshPublicKey: "ssh-ed25519 AAAA (the lab's)" },
        { name: "bob", uid: 2002, account: "physics", sshPublicKey: "ssh-ed25519 AAAA (the lab's)" },
    ],
};

/**
 * The lab's stack with a third node on a second Docker host: the same engine, its own
 * network, no route to the first's (the hosts suite, and the peer path's cost in the bench).
 */
export const LAB_TWO_HOSTS: RawConfig = {
    dockerHosts: { local: { url: "unix:///var/run/docker.sock" }, site2: { url: "unix:///var/run/docker.sock" } },
    computeNodes: [...DEFAULT_COMPUTE_NODES, { name: "compute3", host: "site2", cpus: 1, memoryMb: 1024 }],
};

/** The lab's plan: LAB_CONFIG with overrides, or (whole) a stack's config (stack.ts); users log in with the lab's keys. */
export function labPlan(overrides: RawConfig = {}, whole = false): ClusterPlan {
    return plan(parseConfig(withLabUserKeys(whole ? overrides : { ...LAB_CONFIG, ...overrides })));
}

/** The bastion's address on the vpc network: host .10 of the public subnet, as in AWS. */
export function bastionVpcIp(p: ClusterPlan): string {
    return p.network.publicSubnetCidr.replace(/\.0\/\d+$/, ".10");
}

export const containerName = (role: string) => `${LAB_PREFIX}-${role}`;
