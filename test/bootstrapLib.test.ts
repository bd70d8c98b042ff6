// The bootstrap prelude (config-files/bootstrap/lib.sh) run by a real bash: the
// contract every step relies on to be idempotent and to lose nothing on failure.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configFile } from "../components/plan/templates";

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
            env: { ...process.env, DIR: dir, HPC_STATE_DIR: path.join(dir, "state"), FAIL: fail ? "1" : "" },
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
});
