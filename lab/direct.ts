// The bench's baseline (issue #16): the same plan, daemons and slurm.conf options, with
// the compute nodes addressed directly instead of through their tunnels. slurmctld
// reaches each slurmd by its container name on the on-premises network, which the
// controller joins; each node fetches its config from the controller's address there.
// What the tunnels cost is the bench's figure through them over this one's.
// Bench-only: no stack deploys it (a hybrid site has no such route).
import { ClusterPlan } from "../components/plan/plan";
import { renderSlurmConf, SLURM_CONF_PATH } from "../components/plan/slurmConf";
import { NETWORKS } from "./labPlan";

/** The controller's address on the on-premises network, in the variant only (the subnet's last host but a few). */
export const DIRECT_CONTROLLER_IP = NETWORKS.onprem.subnet.replace(/\.0\/24$/, ".250");

export function directPlan(p: ClusterPlan): ClusterPlan {
    if (new Set(p.dockerHosts.map((h) => h.network)).size > 1) {
        throw new Error("the direct baseline puts every node on one network: give it a plan with one Docker host");
    }
    // Docker's DNS resolves each container's network alias (its node name) on the controller.
    const conf = renderSlurmConf(p, (n) => n.name);
    return {
        ...p,
        steps: p.steps.map((s) => ({ ...s, files: s.files.map((f) => (f.path === SLURM_CONF_PATH ? { ...f, content: conf } : f)) })),
        containers: p.containers.map((c) => ({
            ...c,
            // No tunnel: entrypoint.sh starts none when TUNNEL_TARGET is empty.
            env: { ...c.env, TUNNEL_TARGET: "", SLURM_CONF_SERVER: `${DIRECT_CONTROLLER_IP}:${p.ports.slurmctld}` },
            hosts: [{ host: p.controller.hostname, ip: DIRECT_CONTROLLER_IP }],
        })),
    };
}
