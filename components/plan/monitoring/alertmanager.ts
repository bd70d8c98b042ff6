// Alertmanager on the controller: its configuration from the plan's receivers.
// Secrets stay markers here (receivers.ts); the step swaps them in on the host.
import { stringify } from "yaml";
import { ClusterLayout } from "../layout";
import { alertSecretMarker, ReceiverPlan } from "../config";

/** The receiver alerts go to when none is configured: Alertmanager keeps and shows them, sends nothing. */
export const NULL_RECEIVER = "null";

function receiverConfig(r: ReceiverPlan): Record<string, unknown> {
    const secret = alertSecretMarker(r.name);
    switch (r.type) {
        case "webhook":
            return { name: r.name, webhook_configs: [{ url: secret, send_resolved: true }] };
        case "slack":
            return { name: r.name, slack_configs: [{ api_url: secret, channel: r.channel, send_resolved: true }] };
        case "email":
            return {
                name: r.name,
                email_configs: [{
                    to: r.to, from: r.from, smarthost: r.smarthost, send_resolved: true,
                    ...(r.authUsername ? { auth_username: r.authUsername, auth_password: secret } : {}),
                }],
            };
    }
}

/**
 * alertmanager.yml: every alert reaches every configured receiver (one child route
 * each, continue: true), or the null receiver when there is none. Strings are
 * single-quoted, so a secret swapped in for its marker needs only its quotes doubled.
 */
export function renderAlertmanagerYml(p: ClusterLayout): string {
    const receivers = p.monitoring.receivers;
    const doc = {
        route: {
            receiver: NULL_RECEIVER,
            group_by: ["alertname", "instance"],
            group_wait: "10s",
            group_interval: "1m",
            repeat_interval: "4h",
            routes: receivers.map((r) => ({ receiver: r.name, continue: true })),
        },
        receivers: [{ name: NULL_RECEIVER }, ...receivers.map(receiverConfig)],
    };
    return `# /etc/prometheus/alertmanager.yml, rendered by hpc-stack (components/plan/alertmanager.ts).\n${stringify(doc, { defaultStringType: "QUOTE_SINGLE", defaultKeyType: "PLAIN" })}`;
}

/** Alertmanager's basic-auth user: Prometheus and admins log in as it; cluster users on the controller cannot. */
export const ALERTMANAGER_USER = "admin";
/** Its password, for Prometheus's alerting client (0640 root:prometheus). */
export const ALERTMANAGER_PASSWORD_FILE = "/etc/prometheus/alertmanager.password";
/** The web config holding the password's bcrypt hash (exporter-toolkit's basic_auth_users). */
export const ALERTMANAGER_WEB_CONFIG = "/etc/prometheus/alertmanager-web.yml";

/**
 * Flags for Debian's prometheus-alertmanager unit: loopback only, no cluster listener (one
 * Alertmanager, no peers), and a login: once cluster users log in on the controller, its
 * loopback is theirs too, and without one any of them could silence every alert.
 */
export function alertmanagerArgs(p: ClusterLayout): string {
    return `--web.listen-address=127.0.0.1:${p.monitoring.alertmanagerPort} --cluster.listen-address= --web.config.file=${ALERTMANAGER_WEB_CONFIG}`;
}
