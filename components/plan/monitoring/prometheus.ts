// Prometheus on the controller, as data: what it scrapes (rendered from the plan,
// with the labels every dashboard and alert relies on) and its rules.
import { ALERTMANAGER_PASSWORD_FILE, ALERTMANAGER_USER } from "./alertmanager";
import { ClusterLayout, hostOf } from "../layout";
import { configDir, configFile, render } from "../steps";

export const PROMETHEUS_TARGETS_DIR = "/etc/prometheus/hpc-targets";
export const PROMETHEUS_RULES_DIR = "/etc/prometheus/hpc-rules";
/** Where node exporter's textfile collector reads, and hpc-slurm-metrics writes. */
export const TEXTFILE_DIR = "/var/lib/hpc-metrics";
/** Stands for the bastion's private address, known only at deploy time (generated bastionPrivateIp). */
export const BASTION_IP_MARKER = "@BASTION_PRIVATE_IP@";

/** The labels every target carries: who it is, where, and whether it has GPUs. */
export interface TargetLabels {
    instance: string;
    role: "controller" | "bastion" | "compute";
    site: "aws" | "onprem";
    gpu: "true" | "false";
    /** Compute nodes only: the Docker engine that runs them (the tunnel-down alert groups by it). */
    docker_host?: string;
}

/** One file_sd group: Prometheus's own JSON shape. */
export interface TargetGroup { targets: string[]; labels: TargetLabels }

/** Seconds in a Prometheus duration of one unit (the schema allows s, m, h, d, w, y). */
export function durationSeconds(d: string): number {
    const m = /^(\d+)([smhdwy])$/.exec(d);
    if (!m) throw new Error(`not a duration: ${d}`);
    return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[m[2] as "s"];
}

/** Node exporter on every host: the controller's own, the bastion's private address, each node's tunnel port. */
export function nodeTargets(p: ClusterLayout): TargetGroup[] {
    const port = p.monitoring.nodeExporterPort;
    return [
        { targets: [`127.0.0.1:${port}`], labels: { instance: p.controller.hostname, role: "controller", site: "aws", gpu: "false" } },
        { targets: [`${BASTION_IP_MARKER}:${port}`], labels: { instance: p.bastion.hostname, role: "bastion", site: "aws", gpu: "false" } },
        ...p.nodes.map((n): TargetGroup => ({
            targets: [`127.0.0.1:${n.ports.nodeExporter}`],
            labels: { instance: n.name, role: "compute", site: "onprem", gpu: n.gpus > 0 ? "true" : "false", docker_host: hostOf(p, n).url },
        })),
    ];
}

/** The DCGM exporter of each GPU node, through the node's tunnel. */
export function dcgmTargets(p: ClusterLayout): TargetGroup[] {
    return p.nodes.filter((n) => n.gpus > 0).map((n) => ({
        targets: [`127.0.0.1:${n.ports.dcgmExporter}`],
        labels: { instance: n.name, role: "compute", site: "onprem", gpu: "true", docker_host: hostOf(p, n).url },
    }));
}

export function renderTargets(groups: TargetGroup[]): string {
    return `${JSON.stringify(groups, null, 2)}\n`;
}

/** prometheus.yml; the directories are the controller's unless a test puts them elsewhere. */
export function renderPrometheusYml(p: ClusterLayout, dirs = { rules: PROMETHEUS_RULES_DIR, targets: PROMETHEUS_TARGETS_DIR }): string {
    const interval = p.monitoring.interval;
    return render("prometheus/prometheus.yml.tmpl", {
        interval,
        // Prometheus refuses a timeout longer than the interval; 10 s is its default.
        scrapeTimeout: durationSeconds(interval) < 10 ? interval : "10s",
        clusterName: p.clusterName,
        rulesDir: dirs.rules,
        targetsDir: dirs.targets,
        alertmanagerPort: p.monitoring.alertmanagerPort,
        alertmanagerUser: ALERTMANAGER_USER,
        alertmanagerPasswordFile: ALERTMANAGER_PASSWORD_FILE,
        prometheusPort: p.monitoring.prometheusPort,
    });
}

/** The values a rule file may use: each file gets those of its placeholders. */
export function ruleValues(p: ClusterLayout): Record<string, string | number> {
    return {
        alertFor: p.monitoring.alertFor,
        // Ten collector periods, and never less than two minutes: one slow sdiag is no outage.
        staleAfterSeconds: Math.max(120, 10 * durationSeconds(p.monitoring.interval)),
    };
}

/** Every rule file of config-files/prometheus/rules/, rendered: file name -> text. */
export function renderRules(p: ClusterLayout): Record<string, string> {
    const values = ruleValues(p);
    return Object.fromEntries(configDir("prometheus/rules").map((rel) => {
        const text = configFile(rel);
        const used = Object.fromEntries(Object.entries(values).filter(([k]) => text.includes(`{{${k}}}`)));
        return [rel.slice(rel.lastIndexOf("/") + 1), render(rel, used)];
    }));
}

/** Flags for Debian's prometheus unit (/etc/default/prometheus). */
export function prometheusArgs(p: ClusterLayout): string {
    return [
        `--web.listen-address=127.0.0.1:${p.monitoring.prometheusPort}`,
        `--storage.tsdb.retention.time=${p.monitoring.retention}`,
    ].join(" ");
}

/** Flags for Debian's node exporter unit; the bastion's listen address is filled in by its step. */
export function nodeExporterArgs(listen: string): string {
    return [`--web.listen-address=${listen}`, `--collector.textfile.directory=${TEXTFILE_DIR}`].join(" ");
}
