// Grafana dashboards as code (@grafana/grafana-foundation-sdk), provisioned from
// files by the controller-grafana step. Every query names the datasource by its
// fixed uid, so no dashboard carries an unresolved ${DS_PROMETHEUS}; the lab checks
// that every query parses and returns data from its live Prometheus.
import * as common from "@grafana/grafana-foundation-sdk/common";
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";

/** The provisioned Prometheus datasource's uid (grafana.ts provisions it under this uid). */
export const PROMETHEUS_DATASOURCE_UID = "hpc-prometheus";
const datasource: common.DataSourceRef = { type: "prometheus", uid: PROMETHEUS_DATASOURCE_UID };

/** File systems that are not disks (the same list as the DiskAlmostFull rule). */
const NOT_DISKS = 'fstype!~"tmpfs|ramfs|devtmpfs|squashfs|nsfs|fuse.*"';

interface Query { expr: string; legend: string }
interface Panel { title: string; unit: string; queries: Query[]; width?: number; max?: number }

function panel(p: Panel): TimeseriesPanel {
    const b = new TimeseriesPanel().title(p.title).unit(p.unit).datasource(datasource).height(8).span(p.width ?? 12);
    if (p.max !== undefined) b.min(0).max(p.max);
    p.queries.forEach((q, i) => b.withTarget(new DataqueryBuilder().datasource(datasource).refId(String.fromCharCode(65 + i))
        .expr(q.expr).legendFormat(q.legend).range()));
    return b;
}

function dashboard(uid: string, title: string, rows: [string, Panel[]][]): object {
    const d = new DashboardBuilder(title).uid(uid).tags(["hpc-stack"]).refresh("30s").time({ from: "now-1h", to: "now" })
        .timezone("browser").editable();
    for (const [row, panels] of rows) {
        d.withRow(new RowBuilder(row));
        for (const p of panels) d.withPanel(panel(p));
    }
    return d.build();
}

const q = (expr: string, legend: string): Query => ({ expr, legend });

/** The cluster at a glance: nodes by state, the queue, and CPU, memory and GPU use per node. */
function clusterOverview(): object {
    return dashboard("hpc-cluster-overview", "HPC cluster overview", [
        ["Slurm", [
            { title: "Nodes by state", unit: "short", queries: [q("sum by (state) (slurm_node_count_per_state)", "{{state}}")] },
            // squeue --json also lists jobs that ended within MinJobAge: the queue is what still waits or runs.
            { title: "Queue: jobs by state", unit: "short",
                queries: [q('sum by (state) (slurm_partition_job_state_total{state=~"PENDING|RUNNING|COMPLETING|SUSPENDED"})', "{{state}}")] },
            { title: "CPUs", unit: "short", queries: [q("slurm_cpus_total", "total"), q("slurm_cpus_idle", "idle")] },
            { title: "Allocated CPUs per partition", unit: "short", queries: [q("slurm_partition_alloc_cpus", "{{partition}}")] },
        ]],
        ["Use per node", [
            { title: "CPU use", unit: "percentunit", max: 1,
                queries: [q('1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', "{{instance}}")] },
            { title: "Memory use", unit: "percentunit", max: 1,
                queries: [q("1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "{{instance}}")] },
            { title: "GPU use", unit: "percent", max: 100, queries: [q("DCGM_FI_DEV_GPU_UTIL", "{{instance}} GPU {{gpu}}")] },
            { title: "GPU memory used", unit: "mbytes", queries: [q("DCGM_FI_DEV_FB_USED", "{{instance}} GPU {{gpu}}")] },
        ]],
        ["Health", [
            { title: "Targets up (1) or down (0)", unit: "short", queries: [q("up", "{{job}} {{instance}}")] },
            { title: "slurmdbd: records queued in slurmctld", unit: "short",
                queries: [q("slurm_dbd_agent_queue_size", "queue"), q("hpc_slurmdbd_up", "slurmdbd up")] },
        ]],
    ]);
}

/** Per GPU, the panels of NVIDIA's DCGM exporter dashboard (grafana.com 12239). */
function gpus(): object {
    const perGpu = "{{instance}} GPU {{gpu}}";
    return dashboard("hpc-gpus", "HPC GPUs (DCGM)", [
        ["GPUs", [
            { title: "Temperature", unit: "celsius", queries: [q("DCGM_FI_DEV_GPU_TEMP", perGpu)] },
            { title: "Power draw", unit: "watt", queries: [q("DCGM_FI_DEV_POWER_USAGE", perGpu)] },
            { title: "Utilisation", unit: "percent", max: 100, queries: [q("DCGM_FI_DEV_GPU_UTIL", perGpu)] },
            { title: "Framebuffer used", unit: "mbytes", queries: [q("DCGM_FI_DEV_FB_USED", perGpu)] },
            { title: "SM clock", unit: "hertz", queries: [q("DCGM_FI_DEV_SM_CLOCK * 1000000", perGpu)] },
            { title: "Last XID error (0: none)", unit: "short", queries: [q("DCGM_FI_DEV_XID_ERRORS", perGpu)] },
        ]],
    ]);
}

/** Per host, the core of Node Exporter Full (grafana.com 1860), and what monitoring itself costs. */
function hosts(): object {
    return dashboard("hpc-hosts", "HPC hosts", [
        ["Hosts", [
            { title: "Load (1 min)", unit: "short", queries: [q("node_load1", "{{instance}}")] },
            { title: "Disk use", unit: "percentunit", max: 1,
                queries: [q(`1 - node_filesystem_avail_bytes{${NOT_DISKS}} / node_filesystem_size_bytes{${NOT_DISKS}}`, "{{instance}} {{mountpoint}}")] },
            { title: "Network received", unit: "Bps", queries: [q('rate(node_network_receive_bytes_total{device!="lo"}[5m])', "{{instance}} {{device}}")] },
            { title: "Network sent", unit: "Bps", queries: [q('rate(node_network_transmit_bytes_total{device!="lo"}[5m])', "{{instance}} {{device}}")] },
        ]],
        ["Monitoring", [
            { title: "Scrape duration per target (compute nodes: through their tunnel)", unit: "s",
                queries: [q("scrape_duration_seconds", "{{job}} {{instance}}")] },
            { title: "Prometheus resident memory", unit: "bytes", queries: [q('process_resident_memory_bytes{job="prometheus"}', "prometheus")] },
        ]],
    ]);
}

/** Every dashboard, as the JSON file Grafana provisions: file name -> text. */
export function renderDashboards(): Record<string, string> {
    return Object.fromEntries([clusterOverview(), gpus(), hosts()].map((d) => {
        const uid = (d as { uid: string }).uid;
        return [`${uid}.json`, `${JSON.stringify(d, null, 2)}\n`];
    }));
}

/** Every PromQL expression of a dashboard's JSON, with its panel's title. */
export function dashboardQueries(json: string): { panel: string; expr: string }[] {
    const d = JSON.parse(json) as { panels?: { title?: string; targets?: { expr?: string }[] }[] };
    return (d.panels ?? []).flatMap((p) => (p.targets ?? []).filter((t) => t.expr).map((t) => ({ panel: p.title ?? "", expr: t.expr! })));
}
