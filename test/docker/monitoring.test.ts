// Monitoring for real: Prometheus on the controller scrapes every host, each compute
// node through its tunnel, the DCGM stand-in and the Slurm metrics; every dashboard
// query returns data; a cut tunnel and a drained node fire their alerts, which reach
// Alertmanager, and resolve. Reached the way a user reaches it: ssh -L through the bastion.
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as net from "net";
import { DEFAULT_COMPUTE_NODES } from "../../components/plan/config";
import { dashboardQueries, renderDashboards } from "../../components/plan/monitoring";
import { monitoringEndpoints } from "../../components/plan/plan";
import { up } from "../../lab/cluster";
import { docker } from "../../lab/docker";
import { stepCommand } from "../../components/plan/steps";
import { containerName, LAB_WEBHOOK_TOKEN, labPlan, NETWORKS } from "../../lab/labPlan";
import { sshHost } from "../../lab/ssh";
import { generatedValues, SSH_CONFIG } from "../../lab/state";
import { ctl, inNode, labUp, onBastion, p, until, untilJobRunsOn } from "./harness";

interface Target { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }
interface Alert { labels: Record<string, string>; status: { state: string } }

/** A free port on this machine's loopback. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        }).on("error", reject);
    });
}

/** `ssh -L` to a port on the controller's loopback, as the stack's outputs tell a user to. */
async function forward(remotePort: number): Promise<{ base: string; child: ChildProcess }> {
    const local = await freePort();
    const child = spawn("ssh", ["-F", SSH_CONFIG, "-N", "-o", "ExitOnForwardFailure=yes", "-L", `${local}:127.0.0.1:${remotePort}`, sshHost(p, "controller")], { stdio: "ignore" });
    const base = `http://127.0.0.1:${local}`;
    await until(`ssh -L to the controller's ${remotePort}`, () => fetch(base).then(() => true, () => false), 30_000, 500);
    return { base, child };
}

describe("lab: monitoring", function () {
    this.timeout(300_000);
    let prom: { base: string; child: ChildProcess };
    let am: { base: string; child: ChildProcess };

    const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
        const r = await fetch(`${prom.base}${path}?${new URLSearchParams(params)}`);
        const body = await r.json() as { status: string; data: T; error?: string };
        if (body.status !== "success") throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
        return body.data;
    };
    const query = (q: string) => api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>("/api/v1/query", { query: q }).then((d) => d.result);
    // Alertmanager asks for its login (user admin), as the alertmanagerPassword output gives it.
    const amAuth = async () => ({ Authorization: `Basic ${Buffer.from(`admin:${(await generatedValues(p)).alertmanagerPassword}`).toString("base64")}` });
    const amAlerts = async () => (await (await fetch(`${am.base}/api/v2/alerts`, { headers: await amAuth() })).json()) as Alert[];
    const listed = (alerts: Alert[], name: string, match: Record<string, string>) =>
        alerts.some((a) => a.labels.alertname === name && Object.entries(match).every(([k, v]) => a.labels[k] === v) && a.status.state === "active");

    /** Waits for an alert to fire in Prometheus and be listed by Alertmanager; returns the seconds it took. */
    async function firesAndReachesAlertmanager(name: string, match: Record<string, string>, timeoutMs: number): Promise<number> {
        const t0 = Date.now();
        await until(`${name} ${JSON.stringify(match)} listed by Alertmanager`, async () => listed(await amAlerts(), name, match), timeoutMs, 2000);
        return (Date.now() - t0) / 1000;
    }
    async function resolves(name: string, match: Record<string, string>, timeoutMs: number): Promise<void> {
        const sel = Object.entries(match).map(([k, v]) => `${k}="${v}"`).join(",");
        await until(`${name} resolved`, async () => !listed(await amAlerts(), name, match)
            && (await query(`ALERTS{alertname="${name}",${sel}}`)).length === 0, timeoutMs, 2000);
    }

    before(async function () {
        await labUp(this);
        const e = monitoringEndpoints(p, sshHost(p, "controller"));
        prom = await forward(Number(new URL(e.prometheus.url).port));
        am = await forward(Number(new URL(e.alertmanager.url).port));
    });
    after(() => {
        prom?.child.kill();
        am?.child.kill();
    });

    it("reports every target up: controller, bastion, each compute node through its tunnel, the DCGM stand-in, Prometheus", async () => {
        const expected = [
            "prometheus/controller", "node/controller", "node/bastion", ...p.nodes.map((n) => `node/${n.name}`),
            ...p.nodes.filter((n) => n.gpus > 0).map((n) => `dcgm/${n.name}`),
        ].sort();
        const targets = await until("every target up", async () => {
            const t = (await api<{ activeTargets: Target[] }>("/api/v1/targets")).activeTargets;
            const up = t.filter((x) => x.health === "up").map((x) => `${x.labels.job}/${x.labels.instance}`).sort();
            return JSON.stringify(up) === JSON.stringify(expected) ? t : undefined;
        }, 120_000, 2000);
        for (const t of targets.filter((x) => x.labels.job !== "prometheus")) {
            const n = p.nodes.find((x) => x.name === t.labels.instance);
            assert.deepEqual([t.labels.role, t.labels.site, t.labels.gpu], n ? ["compute", "onprem", n.gpus > 0 ? "true" : "false"]
                : [t.labels.instance, "aws", "false"], t.scrapeUrl);
            if (n) {
                assert.equal(t.labels.docker_host, p.dockerHosts.find((h) => h.name === n.host)?.url);
                // Through the node's tunnel: a port of the controller's loopback.
                const port = t.labels.job === "dcgm" ? n.ports.dcgmExporter : n.ports.nodeExporter;
                assert.equal(t.scrapeUrl, `http://127.0.0.1:${port}/metrics`);
            }
        }
        assert.equal(targets.find((t) => t.labels.instance === "bastion")!.scrapeUrl, `http://${p.network.publicSubnetCidr.replace(/\.0\/\d+$/, ".10")}:9100/metrics`);
    });

    it("has fresh Slurm metrics under rivosinc's names, and the DCGM fields for every fake GPU", async () => {
        await until("fresh Slurm metrics", async () => {
            const [age] = await query("time() - slurm_exporter_last_success_timestamp_seconds");
            return age && Number(age.value[1]) < 30;
        }, 60_000, 2000);
        // Polled: a collection from just before an earlier suite shrank the lab (compute3 gone)
        // is fresh by the clock and still counts the node it had.
        await until(`slurm_node_count_per_state sums to ${p.nodes.length}`, async () =>
            (await query("slurm_node_count_per_state")).reduce((s, r) => s + Number(r.value[1]), 0) === p.nodes.length, 60_000, 2000);
        const cpus = p.nodes.reduce((s, n) => s + n.cpus, 0);
        await until(`slurm_cpus_total is ${cpus}`, async () => Number((await query("slurm_cpus_total"))[0]?.value[1]) === cpus, 60_000, 2000);
        assert.equal(Number((await query("hpc_slurmdbd_up"))[0].value[1]), 1);
        // Each GPU by its index in `gpu` (the dcgm job's relabelling). Polled: series from before
        // a config reload linger until their next scrape marks them stale.
        const gpus = JSON.stringify(p.nodes.flatMap((n) => n.gpuIds.map((g) => `${n.name}/${g}`)).sort());
        for (const m of ["DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_XID_ERRORS"]) {
            await until(`${m} for ${gpus}`, async () => JSON.stringify((await query(m)).map((x) => `${x.metric.instance}/${x.metric.gpu}`).sort()) === gpus, 60_000, 2000);
        }
    });

    it("runs every dashboard query: each parses and returns at least one series", async () => {
        const failing = new Map<string, string>();
        await until("every dashboard query returns data", async () => {
            failing.clear();
            for (const [file, json] of Object.entries(renderDashboards())) {
                for (const q of dashboardQueries(json)) {
                    const n = await query(q.expr).then((r) => r.length, (e: Error) => e.message);
                    if (n === 0 || typeof n === "string") failing.set(`${file} "${q.panel}": ${q.expr}`, String(n));
                }
            }
            return failing.size === 0;
        }, 90_000, 5000).catch((e: Error) => { throw new Error(`${e.message}\n${[...failing].map(([k, v]) => `${k} -> ${v}`).join("\n")}`); });
    });

    it("binds Prometheus, Alertmanager and every exporter to loopback or a private address only", async () => {
        const listeners = (out: string) => out.trim().split("\n").filter(Boolean).map((l) => l.trim().split(/\s+/)[3]);
        const ctlListen = listeners(await ctl("ss -Hltn"));
        for (const port of [9090, 9093, 9100]) {
            const bound = ctlListen.filter((a) => a.endsWith(`:${port}`));
            assert.deepEqual(bound, [`127.0.0.1:${port}`], `controller :${port}: ${bound}`);
        }
        assert.ok(!ctlListen.some((a) => a.endsWith(":9094")), "Alertmanager's cluster listener is off");
        const bastion = listeners(await onBastion("ss -Hltn")).filter((a) => a.endsWith(":9100"));
        assert.deepEqual(bastion, [`${p.network.publicSubnetCidr.replace(/\.0\/\d+$/, ".10")}:9100`], "bastion: its VPC-private address only");
        const gpu = p.nodes.find((n) => n.gpus > 0)!;
        const node = listeners(await inNode(gpu.name, "ss -Hltn")).filter((a) => /:(9100|9400)$/.test(a)).sort();
        assert.deepEqual(node, ["127.0.0.1:9100", "127.0.0.1:9400"], `${gpu.name}'s network namespace`);
    });

    it("passes the controller's own promtool check config and amtool check-config (trixie's releases)", async () => {
        assert.match(await ctl("sudo promtool check config /etc/prometheus/prometheus.yml 2>&1"), /SUCCESS/);
        assert.match(await ctl("sudo amtool check-config /etc/prometheus/alertmanager.yml 2>&1"), /SUCCESS/);
        // Alertmanager's login: a bcrypt hash promtool accepts, readable by root and prometheus only.
        assert.match(await ctl("sudo promtool check web-config /etc/prometheus/alertmanager-web.yml 2>&1"), /SUCCESS/);
        assert.equal((await ctl("sudo stat -c '%a %U:%G' /etc/prometheus/alertmanager-web.yml /etc/prometheus/alertmanager.password")).trim(), "640 root:prometheus\n640 root:prometheus");
    });

    it("swaps a receiver's secret in on the controller only: in alertmanager.yml (0640 root:prometheus), not in the planned file or the step's command", async () => {
        assert.equal((await ctl(`sudo grep -c ${LAB_WEBHOOK_TOKEN} /etc/prometheus/alertmanager.yml`)).trim(), "1");
        assert.equal((await ctl("sudo stat -c '%a %U:%G' /etc/prometheus/alertmanager.yml")).trim(), "640 root:prometheus");
        assert.equal((await ctl(`sudo grep -c ${LAB_WEBHOOK_TOKEN} /etc/hpc/alertmanager.yml.in || true`)).trim(), "0");
        const step = p.steps.find((s) => s.id === "controller-alertmanager")!;
        assert.ok(!stepCommand(step).includes(LAB_WEBHOOK_TOKEN));
        assert.deepEqual(step.generated, ["alertSecret/lab-webhook", "alertmanagerPassword"]);
    });

    it("fires ComputeTunnelDown when a node's tunnel is cut, lists it in Alertmanager, and resolves it when the tunnel is back", async () => {
        const node = "compute1";
        const match = { instance: node };
        assert.ok(!listed(await amAlerts(), "ComputeTunnelDown", match), "not firing before the cut");
        const t0 = Date.now();
        await docker(["network", "disconnect", NETWORKS.wan.name, containerName(node)]);
        try {
            const s = await firesAndReachesAlertmanager("ComputeTunnelDown", match, 120_000);
            console.log(`      [lab] ComputeTunnelDown listed by Alertmanager ${s.toFixed(1)} s after the cut`);
            // Another node on the same Docker host answers: a tunnel, not the host.
            assert.ok(!listed(await amAlerts(), "DockerHostDown", {}), "DockerHostDown must not fire while compute2 answers");
        } finally {
            await docker(["network", "connect", NETWORKS.wan.name, containerName(node)]);
        }
        await resolves("ComputeTunnelDown", match, 120_000);
        console.log(`      [lab] cut, fired and resolved in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        await untilJobRunsOn(node, 180_000, true);
    });

    it("fires SlurmNodeDrained for a drained node and resolves it on resume", async () => {
        const node = p.nodes[p.nodes.length - 1].name;
        await ctl(`sudo scontrol update nodename=${node} state=drain reason=monitoring-test`);
        try {
            const s = await firesAndReachesAlertmanager("SlurmNodeDrained", { node }, 120_000);
            console.log(`      [lab] SlurmNodeDrained listed by Alertmanager ${s.toFixed(1)} s after the drain`);
        } finally {
            await ctl(`sudo scontrol update nodename=${node} state=resume`);
        }
        await resolves("SlurmNodeDrained", { node }, 120_000);
    });

    it("scrapes a node added by up, and drops it when it goes, without restarting Prometheus", async function () {
        this.timeout(600_000);
        const pid = async () => (await ctl("systemctl show -p MainPID --value prometheus")).trim();
        const before = await pid();
        const log = (l: string) => console.log(`      [lab] ${l}`);
        const targetUp = async (instance: string) => (await query(`up{job="node",instance="${instance}"}`)).map((r) => r.value[1]).join();
        try {
            await up(labPlan({ computeNodes: [...DEFAULT_COMPUTE_NODES, { name: "compute3" }] }), log);
            await until("compute3 scraped through its tunnel", async () => (await targetUp("compute3")) === "1", 90_000, 2000);
        } finally {
            await up(p, log);
        }
        await until("compute3 dropped", async () => (await targetUp("compute3")) === "", 90_000, 2000);
        assert.equal(await pid(), before, "Prometheus kept running (file_sd, no restart)");
    });
});
