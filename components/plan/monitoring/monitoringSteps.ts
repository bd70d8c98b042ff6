// The monitoring half of the bootstrap: node exporter on the bastion and the
// controller, the Slurm collector, Prometheus, Alertmanager and Grafana.
import { alertmanagerArgs, renderAlertmanagerYml } from "./alertmanager";
import { renderDashboards } from "./dashboards";
import { BootstrapStep, configFile, GeneratedName, PlannedFile, render } from "../steps";
import { grafanaEnv, grafanaFiles } from "./grafana";
import { ClusterLayout } from "../layout";
import {
    dcgmTargets, nodeExporterArgs, nodeTargets, PROMETHEUS_RULES_DIR, PROMETHEUS_TARGETS_DIR, prometheusArgs,
    renderPrometheusYml, renderRules, renderTargets, TEXTFILE_DIR,
} from "./prometheus";
import { alertSecretName } from "../config";

const file = (path: string, content: string, mode = "0644", owner = "root:root"): PlannedFile => ({ path, content, mode, owner });
const LISTEN_HOST = "@LISTEN_HOST@";

function nodeExporterStep(p: ClusterLayout, host: "bastion" | "controller"): BootstrapStep {
    const port = p.monitoring.nodeExporterPort;
    return {
        id: `${host}-node-exporter`,
        host,
        script: "node-exporter.sh",
        env: {
            NODE_EXPORTER_ARGS: nodeExporterArgs(`${LISTEN_HOST}:${port}`),
            LISTEN_PORT: String(port),
            TEXTFILE_DIR,
            // The controller's own loopback; the bastion's private address exists only once the instance does.
            ...(host === "controller" ? { LISTEN_HOST: "127.0.0.1" } : { LISTEN_HOST_FROM: "bastionPrivateIp" }),
        },
        files: [],
        generated: host === "bastion" ? ["bastionPrivateIp"] : [],
        dependsOn: [`${host}-ssh`],
    };
}

export function monitoringSteps(p: ClusterLayout): BootstrapStep[] {
    const m = p.monitoring;
    const rules = renderRules(p);
    const secrets: GeneratedName[] = m.receivers.filter((r) => r.type !== "email" || r.authUsername).map((r) => alertSecretName(r.name));
    const steps: BootstrapStep[] = [
        nodeExporterStep(p, "bastion"),
        nodeExporterStep(p, "controller"),
        {
            id: "controller-slurm-metrics", host: "controller", script: "controller-slurm-metrics.sh",
            env: { TEXTFILE_DIR }, generated: [],
            files: [
                file("/usr/local/sbin/hpc-slurm-metrics", configFile("monitoring/slurm-metrics.py"), "0755"),
                file("/etc/systemd/system/hpc-slurm-metrics.service", configFile("systemd/hpc-slurm-metrics.service")),
                file("/etc/systemd/system/hpc-slurm-metrics.timer", render("systemd/hpc-slurm-metrics.timer.tmpl", { interval: m.interval })),
            ],
            dependsOn: ["controller-slurmctld", "controller-node-exporter"],
        },
        {
            id: "controller-prometheus", host: "controller", script: "controller-prometheus.sh",
            env: {
                TARGETS_DIR: PROMETHEUS_TARGETS_DIR, RULES_DIR: PROMETHEUS_RULES_DIR,
                RULE_FILES: Object.keys(rules).join(" "), PROMETHEUS_PORT: String(m.prometheusPort),
            },
            files: [
                file("/etc/prometheus/prometheus.yml", renderPrometheusYml(p)),
                ...Object.entries(rules).map(([name, text]) => file(`${PROMETHEUS_RULES_DIR}/${name}`, text)),
                file("/etc/hpc/prometheus/node.json.in", renderTargets(nodeTargets(p))),
                file("/etc/hpc/prometheus/dcgm.json.in", renderTargets(dcgmTargets(p))),
                file("/etc/default/prometheus", `# hpc-stack: written by the controller-prometheus step\nARGS="${prometheusArgs(p)}"\n`),
            ],
            generated: ["bastionPrivateIp"],
            // Its alerting client reads Alertmanager's password file, which that step writes.
            dependsOn: ["controller-node-exporter", "controller-alertmanager"],
        },
        {
            id: "controller-alertmanager", host: "controller", script: "controller-alertmanager.sh",
            env: { ALERTMANAGER_PORT: String(m.alertmanagerPort), ALERT_SECRET_RECEIVERS: secrets.map((s) => s.slice(s.indexOf("/") + 1)).join(" ") },
            files: [
                file("/etc/hpc/alertmanager.yml.in", renderAlertmanagerYml(p), "0600"),
                file("/etc/default/prometheus-alertmanager", `# hpc-stack: written by the controller-alertmanager step\nARGS="${alertmanagerArgs(p)}"\n`),
            ],
            generated: [...secrets, "alertmanagerPassword"],
            dependsOn: ["controller-ssh"],
        },
    ];
    if (m.grafanaEnabled) {
        const dashboards = renderDashboards();
        steps.push({
            id: "controller-grafana", host: "controller", script: "controller-grafana.sh",
            env: grafanaEnv(p, dashboards),
            files: grafanaFiles(p, dashboards),
            generated: ["grafanaAdminPassword"],
            dependsOn: ["controller-prometheus"],
        });
    }
    return steps;
}
