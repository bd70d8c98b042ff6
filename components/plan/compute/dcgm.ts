// GPU metrics: NVIDIA's DCGM exporter beside each GPU node, in its network namespace.
import { ClusterLayout } from "../layout";
import { configFile } from "../steps";
import { NODE_LOCAL_PORTS } from "../tunnels";
import { NODE_LABEL } from "./containers";
import { ContainerShare, DCGM_EXPORTER_LIMITS, dcgmHealthCheck, NO_NEW_PRIVILEGES } from "./share";

/**
 * NVIDIA's DCGM exporter, pinned: later tags are OCI image indexes that some Docker
 * engines cannot pull (aws-samples pins the same one).
 */
export const DCGM_EXPORTER_IMAGE = "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.0-4.1.0-ubuntu22.04";
export const DCGM_COUNTERS_PATH = "/etc/dcgm-exporter/hpc-counters.csv";

/**
 * The DCGM exporter beside a GPU node: it joins the node container's network
 * namespace (networkMode container:<node>), so it listens on the node's loopback
 * and the node's own tunnel carries its port to the controller. It gets the node's
 * GPUs and nothing else: no port, no capability (so no DCGM_FI_PROF_* fields).
 */
export interface DcgmExporterSpec extends ContainerShare {
    node: string;
    /** Its node's Docker host: it joins the node's network namespace, so it runs on the node's engine. */
    host: string;
    /** Container name. It sets no hostname: a container in another's network namespace may not. */
    name: string;
    image: string;
    /** The compute container whose network namespace it joins. */
    networkContainer: string;
    gpuIds: number[];
    env: Record<string, string>;
    uploads: { path: string; content: string; mode: string }[];
    restart: "unless-stopped";
    labels: Record<string, string>;
}

export function dcgmExporterSpecs(p: ClusterLayout): DcgmExporterSpec[] {
    return p.nodes.filter((n) => n.gpus > 0).map((n) => ({
        node: n.name,
        host: n.host,
        name: `${n.name}-dcgm-exporter`,
        image: DCGM_EXPORTER_IMAGE,
        networkContainer: n.name,
        gpuIds: n.gpuIds,
        env: {
            // The node's loopback: reachable through its tunnel, from nowhere else.
            DCGM_EXPORTER_LISTEN: `127.0.0.1:${NODE_LOCAL_PORTS.dcgmExporter}`,
            DCGM_EXPORTER_COLLECTORS: DCGM_COUNTERS_PATH,
        },
        uploads: [{ path: DCGM_COUNTERS_PATH, content: configFile("dcgm/hpc-counters.csv"), mode: "0644" }],
        restart: "unless-stopped",
        labels: { "hpc-stack.cluster": p.clusterName, [NODE_LABEL]: n.name, "hpc-stack.role": "dcgm-exporter" },
        limits: { ...DCGM_EXPORTER_LIMITS },
        healthcheck: dcgmHealthCheck(NODE_LOCAL_PORTS.dcgmExporter),
        securityOpts: [NO_NEW_PRIVILEGES],
    }));
}

/** The DCGM field names the exporter serves, from its counters file. */
export function dcgmMetricNames(): string[] {
    return configFile("dcgm/hpc-counters.csv").split("\n").map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#")).map((l) => l.split(",")[0].trim());
}
