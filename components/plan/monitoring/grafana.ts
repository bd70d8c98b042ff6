// Grafana on the controller (production only), as planned files: its server
// settings, the Prometheus datasource under a fixed uid, and the dashboards.
import { PROMETHEUS_DATASOURCE_UID } from "./dashboards";
import { ClusterLayout } from "../layout";
import { configFile, PlannedFile, render } from "../steps";

export const GRAFANA_DASHBOARDS_DIR = "/etc/grafana/dashboards/hpc";
/** Grafana's apt repository and its signing key (rotated 2023-08-24; the step refuses any other). */
export const GRAFANA_APT = {
    keyUrl: "https://apt.grafana.com/gpg.key",
    fingerprint: "B53AE77BADB630A683046005963FA27710458545",
    line: "deb [signed-by=/etc/apt/keyrings/grafana.gpg] https://apt.grafana.com stable main",
} as const;

const file = (path: string, content: string, mode = "0644", owner = "root:root"): PlannedFile => ({ path, content, mode, owner });

export function grafanaFiles(p: ClusterLayout, dashboards: Record<string, string>): PlannedFile[] {
    const m = p.monitoring;
    return [
        file("/usr/local/lib/hpc/verify-apt-key", configFile("bootstrap/verify-apt-key.sh"), "0755"),
        // World-readable: they hold no secret (grafana cli sets the admin password), and they
        // are installed before the package creates the grafana group.
        file("/etc/grafana/grafana.ini", render("grafana/grafana.ini.tmpl", { grafanaPort: m.grafanaPort })),
        file("/etc/grafana/provisioning/datasources/hpc.yaml",
            render("grafana/datasource.yaml.tmpl", { uid: PROMETHEUS_DATASOURCE_UID, prometheusPort: m.prometheusPort })),
        file("/etc/grafana/provisioning/dashboards/hpc.yaml", render("grafana/dashboards.yaml.tmpl", { dashboardsDir: GRAFANA_DASHBOARDS_DIR })),
        ...Object.entries(dashboards).map(([name, text]) => file(`${GRAFANA_DASHBOARDS_DIR}/${name}`, text)),
    ];
}

/** The step's environment: where the key and the repository are, which dashboards exist. */
export function grafanaEnv(p: ClusterLayout, dashboards: Record<string, string>): Record<string, string> {
    return {
        GRAFANA_PORT: String(p.monitoring.grafanaPort),
        GRAFANA_KEY_URL: GRAFANA_APT.keyUrl,
        GRAFANA_KEY_FINGERPRINT: GRAFANA_APT.fingerprint,
        GRAFANA_APT_LINE: GRAFANA_APT.line,
        DASHBOARDS_DIR: GRAFANA_DASHBOARDS_DIR,
        DASHBOARD_FILES: Object.keys(dashboards).join(" "),
    };
}
