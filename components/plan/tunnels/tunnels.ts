// The reverse-tunnel design as data: which ports each node forwards, and the
// authorized_keys restrictions that allow exactly those forwards and no shell.
import { srunSliceSize } from "../ports";
import { ClusterLayout, ComputeNodePlan, HOME_SERVER, PortRange } from "../layout";

export const TUNNEL_USER = "hpc-tunnel";

/** Ports inside a compute container that the tunnel exposes on the controller. */
export const NODE_LOCAL_PORTS = { ssh: 22, nodeExporter: 9100, dcgmExporter: 9400 } as const;

export interface Forward { listen: number; target: number }

export interface NodeTunnel {
    node: string;
    /** -R: controller 127.0.0.1:listen -> node 127.0.0.1:target. */
    remote: Forward[];
    /** -L: node 127.0.0.1:p -> controller 127.0.0.1:p (slurmctld and the controller's srun ports). */
    local: number[];
}

/**
 * srun binds its listening port anywhere in SrunPortRange, on 0.0.0.0. Compute
 * nodes hold the low half with -L listeners (for sruns on the controller), so
 * sruns inside jobs on compute nodes can only bind the high half; the controller
 * reserves the high half (hpc-srun-ports.socket) so its own sruns pick the low half.
 */
export function splitSrunRange(r: PortRange): { controller: PortRange; compute: PortRange } {
    const size = r.to - r.from + 1;
    if (size < 2) throw new Error(`srunPortRange ${r.from}-${r.to} needs at least 2 ports (one half each for controller and compute sruns)`);
    const mid = r.from + Math.ceil(size / 2) - 1;
    return { controller: { from: r.from, to: mid }, compute: { from: mid + 1, to: r.to } };
}

export function rangePorts(r: PortRange): number[] {
    return Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from + i);
}

/** Whether the nodes run on several Docker hosts: then a step's traffic between hosts goes through the controller. */
export const spansHosts = (p: ClusterLayout): boolean => new Set(p.nodes.map((n) => n.host)).size > 1;

/**
 * Each node's own ports of the compute half, when the nodes span Docker hosts (else none:
 * every srun in a job may bind anywhere in the compute half, and peers reach it over the
 * host's network).
 *
 * Why slices: a peer on another host reaches a node's slurmd through the controller (its
 * -L to the node's -R), so that slurmd sees the launch come from 127.0.0.1, and its
 * slurmstepd connects back to 127.0.0.1:<the srun's port>. That port must therefore
 * lead, on every node, to the one node whose srun holds it: each node's sruns are kept to
 * its own slice (it holds every other slice with -L listeners, as the compute nodes hold
 * the controller's half), and its slice reaches it from every other node through its own -R.
 */
export function srunSlices(p: ClusterLayout): Map<string, PortRange> {
    if (!spansHosts(p)) return new Map();
    const half = splitSrunRange(p.ports.srun).compute;
    const size = srunSliceSize(p.ports.srun.to - p.ports.srun.from + 1, p.nodes.length);
    return new Map(p.nodes.map((n, i) => [n.name, { from: half.from + i * size, to: half.from + (i + 1) * size - 1 }]));
}

/**
 * The controller's socket unit holds the whole compute half on this address: a listener
 * on any 127.x address keeps srun's 0.0.0.0 bind off a port (measured), and unlike
 * 127.0.0.1 it never takes a port from a node's -R forward of its slice, so no change of
 * slices (a node added, a host added) can fail on a port a running tunnel still holds.
 */
export const SRUN_HOLD_ADDRESS = "127.0.0.2";

/** The slurmd ports of a node's peers on other Docker hosts: reached through its tunnel, not over its host's network. */
export function tunnelledPeers(p: ClusterLayout, n: ComputeNodePlan): ComputeNodePlan[] {
    return p.nodes.filter((j) => j.host !== n.host);
}

export function nodeTunnel(p: ClusterLayout, n: ComputeNodePlan): NodeTunnel {
    const own = srunSlices(p).get(n.name);
    return {
        node: n.name,
        remote: [
            { listen: n.ports.slurmd, target: n.ports.slurmd },
            { listen: n.ports.ssh, target: NODE_LOCAL_PORTS.ssh },
            { listen: n.ports.nodeExporter, target: NODE_LOCAL_PORTS.nodeExporter },
            // The DCGM exporter shares the node's network namespace, so this tunnel carries it too.
            ...(n.gpus > 0 ? [{ listen: n.ports.dcgmExporter, target: NODE_LOCAL_PORTS.dcgmExporter }] : []),
            // Users' apps bind the same number on the node's loopback: the port a job
            // picks is the one its laptop command names.
            ...n.appPorts.map((port) => ({ listen: port, target: port })),
            // Its sruns' ports, for the slurmstepds of peers on other hosts (srunSlices).
            ...(own ? rangePorts(own).map((port) => ({ listen: port, target: port })) : []),
        ],
        local: [
            p.ports.slurmctld, ...rangePorts(splitSrunRange(p.ports.srun).controller),
            ...tunnelledPeers(p, n).map((j) => j.ports.slurmd),
            // Every other port of the compute half is held here, so its sruns keep to their slice.
            ...(own ? rangePorts(splitSrunRange(p.ports.srun).compute).filter((port) => port < own.from || port > own.to) : []),
        ],
    };
}

/** The home server's tunnel: its SFTP sshd (port 22 in its container) on the controller's loopback, nothing else. */
export function homeTunnel(p: ClusterLayout): NodeTunnel {
    return { node: HOME_SERVER, remote: [{ listen: p.home.tunnelPort, target: NODE_LOCAL_PORTS.ssh }], local: [] };
}

/** Every tunnel that dials the controller: one per node, and the home server's. */
export function allTunnels(p: ClusterLayout): NodeTunnel[] {
    return [...p.nodes.map((n) => nodeTunnel(p, n)), homeTunnel(p)];
}

/** Options for the node's key on the controller: only its own listens and opens, no pty, no shell. */
export function controllerKeyOptions(t: NodeTunnel): string {
    return [
        "restrict",
        "port-forwarding",
        // restrict alone still runs commands; with this and a nologin shell nothing runs.
        'command="/bin/false"',
        ...t.remote.map((f) => `permitlisten="127.0.0.1:${f.listen}"`),
        ...t.local.map((p) => `permitopen="127.0.0.1:${p}"`),
    ].join(",");
}

/** Options for every key on the bastion, tunnels' and users': a jump to the controller's sshd, nothing else. */
export function bastionKeyOptions(p: ClusterLayout): string {
    return `restrict,port-forwarding,command="/bin/false",permitopen="${p.controller.privateIp}:22"`;
}

/**
 * known_hosts for the tunnel: the bastion by the address compute nodes dial, the
 * controller by its private IP (the ProxyJump target). Keys are generated ahead,
 * so compute nodes check host keys strictly from their first connection.
 */
export function renderKnownHosts(bastionAddress: string, bastionPublicKey: string, controllerIp: string, controllerPublicKey: string): string {
    return `${bastionAddress} ${bastionPublicKey.trim()}\n${controllerIp} ${controllerPublicKey.trim()}\n`;
}
