// The controller's loopback: which port belongs to whom. Every node's tunnel forwards
// land there, beside the controller's own daemons, so the config checks, the layout
// and the tunnels all count from these.

/** Ports each compute node owns on the controller's loopback, in this order, from its block. */
export const NODE_PORT_KINDS = ["slurmd", "ssh", "nodeExporter", "dcgmExporter", "app"] as const;
/** Ports per node block: room to add kinds without renumbering existing nodes. */
export const NODE_PORT_STRIDE = 10;
/** A node's app ports run from its "app" port to the end of its block. */
export const APP_PORTS_MAX = NODE_PORT_STRIDE - NODE_PORT_KINDS.indexOf("app");
/** srun(1): one srun opens 4 ports (5 with --pty), and the range is split in two halves: 5 ports each at the least. */
export const SRUN_RANGE_PORTS = { min: 10, max: 1000 } as const;
/**
 * Ports of each node's own slice of the compute half when the nodes span Docker hosts
 * (tunnels srunSlices). An srun in a job holds 3 (measured, docs/research), so a
 * slice needs at least SRUN_SLICE_MIN.
 */
export const srunSliceSize = (rangeSize: number, nodes: number): number => Math.floor((rangeSize - Math.ceil(rangeSize / 2)) / nodes);
export const SRUN_SLICE_MIN = 4;

/** Node exporter's port on the controller's loopback (and on the bastion's private address). */
export const NODE_EXPORTER_PORT = 9100;

/** MariaDB's port; it binds 127.0.0.1 on the controller, so nothing else may take it. */
export const MARIADB_PORT = 3306;
