// The controller's loopback ports: the srun range's size, and no port owned twice by
// the daemons, the srun range and the nodes' tunnel blocks.
import { MARIADB_PORT, NODE_EXPORTER_PORT, NODE_PORT_KINDS, NODE_PORT_STRIDE, SRUN_RANGE_PORTS, SRUN_SLICE_MIN, srunSliceSize } from "../../ports";
import { Check } from "../check";
import { ClusterConfig } from "../fields";

/** srunPortRange as [low, high], or undefined when its form is wrong (the field's schema says so). */
function srunRange(c: ClusterConfig): [number, number] | undefined {
    const range = /^(\d+)-(\d+)$/.exec(c.srunPortRange);
    return range ? [Number(range[1]), Number(range[2])] : undefined;
}

/** The range in order and within its size limits; across Docker hosts, a slice of it for every node. */
export const srunRangeSize: Check<ClusterConfig> = (c, issue) => {
    const srun = srunRange(c);
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
};

/** Every port below lives on the controller's loopback (directly or through a tunnel): one owner each, and room for every node. */
export const portOwners: Check<ClusterConfig> = (c, issue) => {
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
    const srun = srunRange(c);
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
};
