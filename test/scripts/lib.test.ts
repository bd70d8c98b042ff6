// The bootstrap prelude (config-files/bootstrap/lib.sh) run by a real bash: the
// contract every step relies on to be idempotent and to lose nothing on failure.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configFile } from "../../components/plan/steps";

describe("bootstrap prelude (lib.sh)", () => {
    let dir: string;
    const owner = `${os.userInfo().username}:${spawnSync("id", ["-gn"]).stdout.toString().trim()}`;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-lib-")); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** One run of a step that installs a.conf, "restarts" when it changed, and may then fail. */
    function run(content: string, fail = false): { status: number | null; restarted: boolean; report: string } {
        const step = [
            configFile("bootstrap/lib.sh"),
            "export HPC_STEP=t",
            `hpc_file "$DIR/a.conf" 0644 ${owner} <<'EOF'\n${content}\nEOF`,
            'if hpc_changed "$DIR/a.conf"; then hpc_note "restarted"; echo RESTARTED; fi',
            'if [[ -n "${FAIL:-}" ]]; then exit 7; fi',
        ].join("\n");
        const r = spawnSync("bash", ["-c", step], {
            input: "", encoding: "utf8",
            env: { ...process.env, DIR: dir, HPC_STATE_DIR: path.join(dir, "state"), HPC_RUN_DIR: path.join(dir, "run"), FAIL: fail ? "1" : "" },
        });
        return { status: r.status, restarted: r.stdout.includes("RESTARTED"), report: r.stdout.trim().split("\n").pop() ?? "" };
    }

    it("acts on a changed file once, and not on a re-run that changes nothing", () => {
        assert.deepEqual(run("v1"), { status: 0, restarted: true, report: "hpc-step t: changed=2 unchanged=0" });
        assert.deepEqual(run("v1"), { status: 0, restarted: false, report: "hpc-step t: changed=0 unchanged=1" });
        assert.equal(run("v2").restarted, true);
    });

    it("still acts on a file that a failed run replaced, until a run succeeds", () => {
        assert.equal(run("v1").status, 0);
        const failed = run("v2", true);
        assert.equal(failed.status, 7);
        // The file is already v2, but the daemon never saw it: the re-run must act.
        const retried = run("v2");
        assert.deepEqual([retried.status, retried.restarted], [0, true]);
        assert.equal(retried.report, "hpc-step t: changed=1 unchanged=1");
        assert.equal(run("v2").restarted, false);
    });

    describe("package installs of steps that run at the same time", () => {
        const fakeBin = path.resolve(__dirname, "../fixtures/fake-apt");

        /** One step's hpc_apt, run by a real bash with the fake apt-get and dpkg-query first on PATH. */
        const install = (id: string, pkgs: string[]) => new Promise<{ id: string; status: number | null; out: string }>((resolve) => {
            const child = spawn("bash", ["-c", [configFile("bootstrap/lib.sh"), `hpc_apt ${pkgs.join(" ")}`].join("\n")], {
                env: {
                    ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, HPC_STEP: id, FAKE_APT: dir,
                    HPC_STATE_DIR: path.join(dir, "state"), HPC_RUN_DIR: path.join(dir, "run"), HPC_POLICY_RC: path.join(dir, "policy-rc.d"),
                },
            });
            let out = "";
            child.stdout.on("data", (d) => { out += d; });
            child.stderr.on("data", (d) => { out += d; });
            child.stdin.end();
            child.on("close", (status) => resolve({ id, status, out }));
        });

        it("wait for one another instead of failing, and keep policy-rc.d in place for each whole install", async function () {
            this.timeout(30_000);
            const runs = await Promise.all([install("a", ["munge"]), install("b", ["mariadb-server"]), install("c", ["munge", "prometheus"])]);
            for (const r of runs) assert.equal(r.status, 0, `step ${r.id} failed:\n${r.out}`);
            assert.deepEqual(fs.readdirSync(path.join(dir, "installed")).sort(), ["mariadb-server", "munge", "prometheus"]);
            assert.equal(fs.existsSync(path.join(dir, "violations")) ? fs.readFileSync(path.join(dir, "violations"), "utf8") : "", "");
            assert.equal(fs.existsSync(path.join(dir, "policy-rc.d")), false, "removed once the last install is done");
            // c waited for a, and then installed only what was still missing.
            assert.match(fs.readFileSync(path.join(dir, "log"), "utf8"), /\d prometheus\n/);
        });

        it("leave no scratch file behind, and write none outside the step's own root-only directory", async () => {
            const r = await install("a", ["munge"]);
            assert.equal(r.status, 0, r.out);
            const run = path.join(dir, "run");
            assert.equal((fs.statSync(run).mode & 0o777).toString(8), "700");
            assert.deepEqual(fs.readdirSync(run), ["apt.lock"]);
        });
    });
});
