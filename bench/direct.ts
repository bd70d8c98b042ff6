// The bench's baseline: the same plan, daemons and slurm.conf options, with
// the compute nodes addressed directly instead of through their tunnels. slurmctld
// reaches each slurmd at a fixed address on the on-premises network, which the
// controller joins; each node fetches its config from the controller's address there.
// What the tunnels cost is the bench's figure through them over this one's.
// Bench-only: no stack deploys it (a hybrid site has no such route).
import { hostAddress } from "../components/plan/network";
import { ClusterPlan } from "../components/plan/plan";
import { renderSlurmConf, SLURM_CONF_PATH } from "../components/plan/slurm";
import { UpOptions } from "../lab/cluster";
import { NETWORKS } from "../lab/labPlan";

/** The controller's address on the on-premises network, in the variant only (the subnet's last host but a few). */
export const DIRECT_CONTROLLER_IP = hostAddress(NETWORKS.onprem.subnet, 250);

/** Nodes the variant has addresses for: hosts 100 to 249. */
export const MAX_DIRECT_NODES = 150;
/** Node i's address on the on-premises network: from host 100 up, above those Docker hands out to the rest, below the controller's. */
export const directNodeAddress = (i: number): string => hostAddress(NETWORKS.onprem.subnet, 100 + i);

/** The variant: its plan, and how the lab brings it up (each node at its fixed address, the controller on the on-premises network). */
export interface DirectVariant { plan: ClusterPlan; options: Required<Pick<UpOptions, "controllerOnPrem" | "nodeAddresses">> }

export function directVariant(p: ClusterPlan): DirectVariant {
    if (p.nodes.length > MAX_DIRECT_NODES) {
        throw new Error(`the direct baseline has addresses for ${MAX_DIRECT_NODES} nodes on ${NETWORKS.onprem.subnet}, not ${p.nodes.length}`);
    }
    if (new Set(p.dockerHosts.map((h) => h.network)).size > 1) {
        throw new Error("the direct baseline puts every node on one network: give it a plan with one Docker host");
    }
    // Fixed addresses: slurmctld starts before the containers exist, and it cannot start
    // on names Docker's DNS does not know yet (getaddrinfo fails, measured at 32 nodes).
    const address = new Map(p.nodes.map((n, i) => [n.name, directNodeAddress(i)]));
    const conf = renderSlurmConf(p, (n) => address.get(n.name)!);
    const plan = {
        ...p,
        steps: p.steps.map((s) => ({ ...s, files: s.files.map((f) => (f.path === SLURM_CONF_PATH ? { ...f, content: conf } : f)) })),
        containers: p.containers.map((c) => ({
            ...c,
            // No tunnel: entrypoint.sh starts none when TUNNEL_TARGET is empty.
            env: { ...c.env, TUNNEL_TARGET: "", SLURM_CONF_SERVER: `${DIRECT_CONTROLLER_IP}:${p.ports.slurmctld}` },
            hosts: [{ host: p.controller.hostname, ip: DIRECT_CONTROLLER_IP }],
        })),
    };
    return { plan, options: { controllerOnPrem: DIRECT_CONTROLLER_IP, nodeAddresses: Object.fromEntries(address) } };
}
