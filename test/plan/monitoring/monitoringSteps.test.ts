// The monitoring plan without mocks: exporters' tunnels, GPUs by index, the Slurm
// collector on Debian's python3 and promtool, the dashboards, the Grafana key check.
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../../components/plan/config";
import { dcgmExporterSpecs, dcgmMetricNames } from "../../../components/plan/compute";
import { dashboardQueries, GRAFANA_APT, PROMETHEUS_DATASOURCE_UID, renderDashboards } from "../../../components/plan/monitoring";
import { monitoringEndpoints, plan } from "../../../components/plan/plan";
import { renderGresConf } from "../../../components/plan/slurm";
import { CONFIG_FILES_DIR } from "../../../components/plan/steps";
import { controllerKeyOptions, nodeTunnel } from "../../../components/plan/tunnels";
import { labPlan } from "../../../lab/labPlan";

const p = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"] }));
const FIXTURES = path.resolve(__dirname, "../../fixtures/slurm");

describe("monitoring plan", () => {
    it("forwards each GPU node's DCGM exporter port through its tunnel, and no other node's", () => {
        for (const n of p.nodes) {
            const t = nodeTunnel(p, n);
            const dcgm = t.remote.find((f) => f.listen === n.ports.dcgmExporter);
            if (n.gpus > 0) {
                assert.deepEqual(dcgm, { listen: n.ports.dcgmExporter, target: 9400 });
                assert.ok(controllerKeyOptions(t).includes(`permitlisten="127.0.0.1:${n.ports.dcgmExporter}"`));
                assert.ok(p.containers.find((c) => c.node === n.name)!.env.TUNNEL_REMOTE_FORWARDS.toString().includes(`${n.ports.dcgmExporter}:9400`));
            } else {
                assert.equal(dcgm, undefined, n.name);
                assert.ok(!controllerKeyOptions(t).includes(`127.0.0.1:${n.ports.dcgmExporter}"`));
            }
        }
    });

    it("gives GPU nodes disjoint GPU indices, in containers, DCGM exporters and gres.conf", () => {
        const q = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], computeNodes: [{ name: "a", gpus: 2 }, { name: "b" }, { name: "c", gpus: 3 }, { name: "d", gpus: 1 }] }));
        assert.deepEqual(q.nodes.map((n) => n.gpuIds), [[0, 1], [], [2, 3, 4], [5]]);
        assert.deepEqual(q.containers.map((c) => c.gpuIds), [[0, 1], [], [2, 3, 4], [5]]);
        assert.deepEqual(dcgmExporterSpecs(q).map((d) => [d.node, d.gpuIds, d.networkContainer]), [["a", [0, 1], "a"], ["c", [2, 3, 4], "c"], ["d", [5], "d"]]);
        assert.deepEqual(renderGresConf(q).trim().split("\n").filter((l) => l.startsWith("NodeName")), [
            "NodeName=a Name=gpu Type=nvidia File=/dev/nvidia[0-1]",
            "NodeName=c Name=gpu Type=nvidia File=/dev/nvidia[2-4]",
            "NodeName=d Name=gpu Type=nvidia File=/dev/nvidia5",
        ]);
    });

    it("runs the DCGM exporter with no capability and only device-level fields (no DCGM_FI_PROF_*, which need SYS_ADMIN)", () => {
        const names = dcgmMetricNames();
        for (const m of ["DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_XID_ERRORS"]) assert.ok(names.includes(m), m);
        assert.ok(names.every((n) => n.startsWith("DCGM_FI_DEV_")), names.join(" "));
        for (const d of p.dcgmExporters) assert.equal(d.env.DCGM_EXPORTER_LISTEN, "127.0.0.1:9400");
    });

    it("installs Prometheus, Alertmanager and node exporter everywhere; Grafana only where it can be installed", () => {
        const ids = p.steps.map((s) => s.id);
        for (const id of ["bastion-node-exporter", "controller-node-exporter", "controller-slurm-metrics", "controller-prometheus", "controller-alertmanager", "controller-grafana"]) {
            assert.ok(ids.includes(id), id);
        }
        assert.ok(!labPlan().steps.some((s) => s.id === "controller-grafana"), "the lab cannot reach apt.grafana.com");
        const grafana = p.steps.find((s) => s.id === "controller-grafana")!;
        assert.equal(grafana.env.GRAFANA_KEY_FINGERPRINT, "B53AE77BADB630A683046005963FA27710458545");
        assert.deepEqual(grafana.generated, ["grafanaAdminPassword"]);
        // Every listener on loopback, but the bastion's exporter on its private address (read from stdin).
        assert.match(p.steps.find((s) => s.id === "controller-prometheus")!.files.find((f) => f.path === "/etc/default/prometheus")!.content, /--web\.listen-address=127\.0\.0\.1:9090 /);
        assert.match(p.steps.find((s) => s.id === "controller-alertmanager")!.files.find((f) => f.path === "/etc/default/prometheus-alertmanager")!.content,
            /ARGS="--web\.listen-address=127\.0\.0\.1:9093 --cluster\.listen-address= --web\.config\.file=\/etc\/prometheus\/alertmanager-web\.yml"/);
        assert.match(grafana.files.find((f) => f.path === "/etc/grafana/grafana.ini")!.content, /^http_addr = 127\.0\.0\.1$/m);
        assert.equal(p.steps.find((s) => s.id === "controller-node-exporter")!.env.LISTEN_HOST, "127.0.0.1");
        assert.deepEqual(p.steps.find((s) => s.id === "bastion-node-exporter")!.generated, ["bastionPrivateIp"]);
    });

    it("tells how to reach each web UI: its URL and the ssh -L through the bastion", () => {
        const e = monitoringEndpoints(p, "hpc-controller");
        assert.deepEqual(e.prometheus, { url: "http://localhost:9090/", command: "ssh -N -L 9090:127.0.0.1:9090 hpc-controller" });
        assert.deepEqual(e.alertmanager, { url: "http://localhost:9093/", command: "ssh -N -L 9093:127.0.0.1:9093 hpc-controller" });
        assert.equal(e.grafana?.url, "http://localhost:3000/");
        assert.equal(monitoringEndpoints(labPlan(), "lab-controller").grafana, undefined);
    });
});

describe("dashboards as code", () => {
    const dashboards = renderDashboards();

    it("name the provisioned datasource by its fixed uid in every panel and query, never ${DS_...}", () => {
        assert.ok(Object.keys(dashboards).includes("hpc-cluster-overview.json"));
        for (const [name, text] of Object.entries(dashboards)) {
            assert.doesNotMatch(text, /\$\{DS_/, name);
            const d = JSON.parse(text) as { panels: { type: string; datasource?: { uid: string }; targets?: { datasource: { uid: string } }[] }[] };
            for (const panel of d.panels.filter((x) => x.type !== "row")) {
                assert.equal(panel.datasource?.uid, PROMETHEUS_DATASOURCE_UID, name);
                for (const t of panel.targets ?? []) assert.equal(t.datasource.uid, PROMETHEUS_DATASOURCE_UID, name);
            }
        }
    });

    it("give the cluster overview nodes by state, the queue, and CPU, memory and GPU use per node", () => {
        const exprs = dashboardQueries(dashboards["hpc-cluster-overview.json"]).map((q) => q.expr).join("\n");
        for (const m of ["slurm_node_count_per_state", "slurm_partition_job_state_total", "node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "DCGM_FI_DEV_GPU_UTIL"]) {
            assert.ok(exprs.includes(m), m);
        }
    });

    it("use only Grafana's own variables that a live query can stand without (none)", () => {
        for (const text of Object.values(dashboards)) for (const q of dashboardQueries(text)) assert.doesNotMatch(q.expr, /\$/, q.expr);
    });
});

describe("hpc-slurm-metrics (python3, judged by promtool check metrics)", () => {
    const run = (dir: string) => spawnSync("python3", [path.join(CONFIG_FILES_DIR, "monitoring", "slurm-metrics.py"), "-"], {
        encoding: "utf8", env: { ...process.env, HPC_SLURM_FIXTURES: dir },
    });

    it("writes rivosinc's metric names from Slurm 24.11's JSON, with zeros for an empty queue", () => {
        const r = run(FIXTURES);
        assert.equal(r.status, 0, r.stderr);
        const out = r.stdout;
        for (const line of [
            'slurm_node_count_per_state{state="idle"} 1', 'slurm_node_count_per_state{state="drained"} 1',
            'slurm_node_count_per_state{state="draining"} 1', 'slurm_node_count_per_state{state="down"} 1',
            "slurm_cpus_total 10", "slurm_cpus_idle 9",
            'slurm_partition_job_state_total{partition="cpu",state="PENDING"} 2', 'slurm_partition_job_state_total{partition="cpu",state="RUNNING"} 0',
            'slurm_partition_job_state_total{partition="gpu",state="RUNNING"} 1', 'slurm_partition_alloc_cpus{partition="cpu"} 1',
            "slurm_dbd_agent_queue_size 12", "hpc_slurmdbd_up 0",
            'hpc_slurm_node_state{node="compute3",state="drained"} 1', 'hpc_slurm_node_state{node="compute4",state="down"} 1',
        ]) assert.ok(out.split("\n").includes(line), `no line ${line} in:\n${out}`);
        const stamp = Number(/^slurm_exporter_last_success_timestamp_seconds (\S+)$/m.exec(out)![1]);
        assert.ok(Math.abs(stamp - Date.now() / 1000) < 60, String(stamp));
        // promtool's only complaints may be about rivosinc's names (_total and _count on gauges), which we keep on purpose.
        const check = spawnSync("promtool", ["check", "metrics"], { input: out, encoding: "utf8" });
        const problems = `${check.stdout}${check.stderr}`.trim().split("\n").filter((l) => l && !/should not have "_(total|count)" suffix/.test(l));
        assert.deepEqual(problems, []);
    });

    it("fails, writing nothing, when Slurm's answer cannot be read, so the stamp ages and SlurmMetricsStale fires", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-slurm-"));
        try {
            for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
            fs.writeFileSync(path.join(dir, "sdiag.json"), "slurm_load_ctl_conf error: Unable to contact slurm controller");
            const r = run(dir);
            assert.equal(r.status, 1);
            assert.equal(r.stdout, "");
            assert.match(r.stderr, /hpc-slurm-metrics: /);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("verify-apt-key (the Grafana step's key check)", function () {
    this.timeout(120_000);
    const script = path.join(CONFIG_FILES_DIR, "bootstrap", "verify-apt-key.sh");
    let dir: string;
    const gpg = (...args: string[]) => execFileSync("gpg", ["--homedir", path.join(dir, "gnupg"), "--batch", ...args], { encoding: "utf8", stdio: "pipe" });
    const newKey = (uid: string) => {
        gpg("--passphrase", "", "--quick-generate-key", uid, "ed25519", "sign", "never");
        const fpr = gpg("--with-colons", "--list-keys", uid).split("\n").find((l) => l.startsWith("fpr"))!.split(":")[9];
        fs.writeFileSync(path.join(dir, `${uid}.asc`), gpg("--armor", "--export", uid));
        return fpr;
    };
    const verify = (key: string, fpr: string) => spawnSync("bash", [script, key, fpr, path.join(dir, "out.gpg")], { encoding: "utf8" });

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-key-"));
        fs.mkdirSync(path.join(dir, "gnupg"), { mode: 0o700 });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("accepts the key whose fingerprint is pinned and writes it as a keyring", () => {
        const fpr = newKey("good@example.com");
        const r = verify(path.join(dir, "good@example.com.asc"), fpr.toLowerCase());
        assert.equal(r.status, 0, r.stderr);
        assert.ok(fs.statSync(path.join(dir, "out.gpg")).size > 0);
    });

    it("refuses another key, a key with a second beside it, and a file that is no key", () => {
        fs.rmSync(path.join(dir, "out.gpg"), { force: true });
        const good = newKey("good2@example.com");
        newKey("evil@example.com");
        const wrong = verify(path.join(dir, "evil@example.com.asc"), good);
        assert.equal(wrong.status, 1);
        assert.match(wrong.stderr, /fingerprint [0-9A-F]{40}; expected one, /);
        fs.writeFileSync(path.join(dir, "both.asc"), fs.readFileSync(path.join(dir, "good2@example.com.asc"), "utf8") + fs.readFileSync(path.join(dir, "evil@example.com.asc"), "utf8"));
        assert.match(verify(path.join(dir, "both.asc"), good).stderr, /holds 2 primary key/);
        fs.writeFileSync(path.join(dir, "html.asc"), "<html>502 Bad Gateway</html>");
        assert.equal(verify(path.join(dir, "html.asc"), good).status, 1);
        assert.equal(fs.existsSync(path.join(dir, "out.gpg")), false, "no keyring written");
        assert.equal(GRAFANA_APT.fingerprint.length, 40);
    });
});
