// The monitoring config judged by the real tools: promtool (config and every alert
// rule's unit tests) and amtool, on the files the plan renders. Runs on the host
// (.ci/run installs Debian's prometheus and prometheus-alertmanager for promtool and amtool).
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { BASTION_IP_MARKER, dcgmTargets, nodeTargets, renderAlertmanagerYml, renderPrometheusYml, renderRules, renderTargets, ruleValues } from "../../../components/plan/monitoring";
import { alertSecretMarker, alertSecrets, parseConfig, RawConfig } from "../../../components/plan/config";
import { plan } from "../../../components/plan/plan";
import { ClusterLayout } from "../../../components/plan/layout";
import { LAB_CONFIG } from "../../../lab/labPlan";

const TESTS_DIR = path.join(__dirname, "prometheus");
const configs: [string, RawConfig][] = [["the default config", { trustedCidrs: ["203.0.113.0/24"] }], ["the lab's config", LAB_CONFIG]];

function tool(cmd: string, args: string[]): { ok: boolean; out: string } {
    try {
        return { ok: true, out: execFileSync(cmd, args, { encoding: "utf8", stdio: "pipe" }) };
    } catch (e) {
        const err = e as { stdout?: string; stderr?: string; message: string };
        return { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message };
    }
}

function withDir<T>(f: (dir: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-prom-"));
    try {
        return f(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Writes the rendered rules and the rule tests (with the plan's values) under dir; returns the test files. */
function stage(dir: string, p: ClusterLayout, rules = renderRules(p)): string[] {
    fs.mkdirSync(path.join(dir, "rules"));
    fs.mkdirSync(path.join(dir, "tests"));
    for (const [name, text] of Object.entries(rules)) fs.writeFileSync(path.join(dir, "rules", name), text);
    const values = ruleValues(p);
    return fs.readdirSync(TESTS_DIR).filter((f) => f.endsWith(".test.yml")).map((f) => {
        const text = fs.readFileSync(path.join(TESTS_DIR, f), "utf8").replace(/\{\{([A-Za-z]+)\}\}/g, (_, k: string) => String(values[k]));
        fs.writeFileSync(path.join(dir, "tests", f), text);
        return path.join(dir, "tests", f);
    });
}

const alertsOf = (rules: Record<string, string>) => Object.entries(rules).flatMap(([file, text]) =>
    (parse(text) as { groups: { rules: { alert?: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => [file, r.alert!] as const)));

describe("Prometheus and Alertmanager config, judged by promtool and amtool", () => {
    for (const [label, raw] of configs) {
        describe(`with ${label}`, () => {
            const p = plan(parseConfig(raw));

            it("prometheus.yml passes promtool check config, with its rules", () => withDir((dir) => {
                stage(dir, p);
                fs.mkdirSync(path.join(dir, "targets"));
                fs.writeFileSync(path.join(dir, "prometheus.yml"), renderPrometheusYml(p, { rules: path.join(dir, "rules"), targets: path.join(dir, "targets") }));
                const r = tool("promtool", ["check", "config", path.join(dir, "prometheus.yml")]);
                assert.ok(r.ok, r.out);
                for (const name of Object.keys(renderRules(p))) assert.match(r.out, new RegExp(`SUCCESS: \\d+ rules found[\\s\\S]*|${name}`));
                assert.match(r.out, /SUCCESS: \d+ rules found/);
            }));

            it("every alert rule passes its promtool unit tests", function () {
                this.timeout(60_000);
                withDir((dir) => {
                    const r = tool("promtool", ["test", "rules", ...stage(dir, p)]);
                    assert.ok(r.ok, r.out);
                });
            });
        });
    }

    const p = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"] }));

    it("every alert has a case where it fires: made never to fire, its tests fail", function () {
        this.timeout(120_000);
        const rules = renderRules(p);
        const alerts = alertsOf(rules);
        assert.ok(alerts.length >= 12, `${alerts.length} alerts`);
        for (const [file, alert] of alerts) {
            const doc = parse(rules[file]) as { groups: { rules: { alert?: string; expr: string }[] }[] };
            for (const g of doc.groups) for (const r of g.rules) if (r.alert === alert) r.expr = "vector(1) == 0";
            withDir((dir) => {
                const r = tool("promtool", ["test", "rules", ...stage(dir, p, { ...rules, [file]: stringify(doc) })]);
                assert.ok(!r.ok, `${alert}: the tests still pass with an alert that never fires`);
                assert.match(r.out, new RegExp(`alertname: ${alert}`), `${alert}: no failing case names it`);
            });
        }
    });

    it("every alert has a case where it stays quiet", () => {
        const quiet = new Set(fs.readdirSync(TESTS_DIR).filter((f) => f.endsWith(".test.yml")).flatMap((f) => {
            const doc = parse(fs.readFileSync(path.join(TESTS_DIR, f), "utf8")) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };
            return doc.tests.flatMap((t) => t.alert_rule_test.filter((c) => c.exp_alerts.length === 0).map((c) => c.alertname));
        }));
        for (const [, alert] of alertsOf(renderRules(p))) assert.ok(quiet.has(alert), `${alert} has no case where it does not fire`);
    });

    it("targets every host and every GPU node's DCGM exporter, with instance, role, site, gpu and, on premises, the Docker host", () => {
        const nodes = nodeTargets(p);
        assert.deepEqual(nodes.map((t) => t.labels.instance), ["controller", "bastion", ...p.nodes.map((n) => n.name)]);
        assert.deepEqual(nodes.map((t) => t.targets[0]), ["127.0.0.1:9100", `${BASTION_IP_MARKER}:9100`, ...p.nodes.map((n) => `127.0.0.1:${n.ports.nodeExporter}`)]);
        for (const t of nodes.slice(2)) assert.deepEqual(Object.keys(t.labels).sort(), ["docker_host", "gpu", "instance", "role", "site"]);
        assert.deepEqual(nodes.map((t) => [t.labels.role, t.labels.site, t.labels.gpu]),
            [["controller", "aws", "false"], ["bastion", "aws", "false"], ["compute", "onprem", "false"], ["compute", "onprem", "true"]]);
        const gpuNode = p.nodes.find((n) => n.gpus > 0)!;
        assert.deepEqual(dcgmTargets(p), [{ targets: [`127.0.0.1:${gpuNode.ports.dcgmExporter}`],
            labels: { instance: gpuNode.name, role: "compute", site: "onprem", gpu: "true", docker_host: "unix:///var/run/docker.sock" } }]);
        assert.deepEqual(JSON.parse(renderTargets(nodes)), nodes);
    });

    it("Alertmanager's config passes amtool check-config with no receiver, and with one of each kind and its secret swapped in", () => withDir((dir) => {
        const receivers = [
            { name: "ops-hook", type: "webhook", url: "https://hooks.example.com/services/T0/B0/token?x=1&y=%27" },
            { name: "ops-slack", type: "slack", url: "https://hooks.slack.com/services/T0/B0/XXXX", channel: "#hpc-alerts" },
            { name: "ops-mail", type: "email", to: "hpc@example.com", from: "alertmanager@example.com", smarthost: "smtp.example.com:587",
                authUsername: "alertmanager", authPassword: "s3cret pass" },
        ];
        for (const config of [{}, { alertReceivers: receivers }]) {
            const c = parseConfig({ trustedCidrs: ["203.0.113.0/24"], ...config });
            let text = renderAlertmanagerYml(plan(c));
            // As the controller-alertmanager step does: the secret in place of its marker, quotes doubled.
            for (const [name, secret] of Object.entries(alertSecrets(c.alertReceivers))) {
                text = text.split(alertSecretMarker(name.slice("alertSecret/".length))).join(secret.replace(/'/g, "''"));
            }
            fs.writeFileSync(path.join(dir, "alertmanager.yml"), text);
            const r = tool("amtool", ["check-config", path.join(dir, "alertmanager.yml")]);
            assert.ok(r.ok, r.out);
            assert.match(r.out, new RegExp(`${1 + (c.alertReceivers.length)} receivers`));
            const doc = parse(text) as { receivers: Record<string, { url?: string; api_url?: string; auth_password?: string }[]>[] };
            if (c.alertReceivers.length) {
                assert.equal(doc.receivers[1].webhook_configs[0].url, receivers[0].url);
                assert.equal(doc.receivers[3].email_configs[0].auth_password, "s3cret pass");
            }
        }
    }));

    it("keeps every receiver's secret out of the plan: only its marker is planned", () => {
        const c = parseConfig({ trustedCidrs: ["203.0.113.0/24"], alertReceivers: [{ name: "hook", type: "webhook", url: "https://h.example.com/SECRET-TOKEN" }] });
        const planned = JSON.stringify(plan(c));
        assert.ok(!planned.includes("SECRET-TOKEN"));
        assert.ok(planned.includes(alertSecretMarker("hook")));
        const step = plan(c).steps.find((s) => s.id === "controller-alertmanager")!;
        assert.deepEqual(step.generated, ["alertSecret/hook", "alertmanagerPassword"]);
    });
});
