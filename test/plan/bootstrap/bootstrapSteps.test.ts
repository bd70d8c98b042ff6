// Bootstrap steps as data, and the rendered programs judged by shellcheck.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gunzipSync } from "zlib";
import { BootstrapStep, configFile, orderSteps, pinnedHosts, REVIEW_TEXT_LIMIT, shq, stepCommand, stepProgram, stepReview, stepStdin } from "../../../components/plan/steps";
import { parseConfig, readStackFile } from "../../../components/plan/config";
import { plan } from "../../../components/plan/plan";

const p = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"] }));

describe("bootstrap steps", () => {
    it("quote anything for the shell", () => {
        const nasty = `it's "quoted" $(rm -rf /) \`x\` \\ \n end`;
        assert.equal(execFileSync("bash", ["-c", `printf %s ${shq(nasty)}`]).toString(), nasty);
    });

    it("carry the whole program in the command, gzipped, and get it back byte for byte", () => {
        for (const step of p.steps) {
            const cmd = stepCommand(step);
            const blob = cmd.split(" ").pop()!;
            assert.equal(gunzipSync(Buffer.from(blob, "base64")).toString(), stepProgram(step), step.id);
            assert.ok(cmd.startsWith("sudo -n /bin/bash -c "), step.id);
        }
    });

    const nodes = Array.from({ length: 1000 }, (_, i) => ({ name: `gpu${i + 1}`, gpus: i % 2 }));
    // 1000 nodes' tunnels need the largest bastion and controller (tunnelCapacity.ts).
    const big = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], computeNodes: nodes, tunnelPortBase: 30000, bastionInstanceType: "t3.large", controllerInstanceType: "t3.large" }));

    it("write no fixed path under /tmp, in any stack's program (steps run side by side, and users share the host)", () => {
        const stacks = ["Pulumi.dev.yaml", "Pulumi.prod.yaml"].map((f) => plan(parseConfig(readStackFile(fs.readFileSync(path.resolve(__dirname, "../../..", f), "utf8")))));
        for (const step of [p, big, ...stacks].flatMap((x) => x.steps)) {
            const fixed = stepProgram(step).match(/\/(?:var\/)?tmp\/[\w.$-]+/g);
            assert.equal(fixed, null, `${step.id} writes ${fixed?.join(", ")}: use $HPC_TMP, the step's own root-only directory`);
        }
    });

    it("never plan one file in two steps of a host (they may run at the same time)", () => {
        for (const x of [p, big]) {
            const owner = new Map<string, string>();
            for (const step of x.steps) for (const f of step.files) {
                const key = `${step.host}:${f.path}`;
                assert.equal(owner.get(key), undefined, `${key} is planned by ${owner.get(key)} and ${step.id}`);
                owner.set(key, step.id);
            }
        }
    });

    it("stay under the 128 KiB single-argument limit at 1000 nodes", () => {
        for (const step of big.steps) assert.ok(stepCommand(step).length < 128 * 1024, `${step.id}: ${stepCommand(step).length} bytes`);
    });

    it("are reviewed as the texts they run: scripts, env and files, each as it is", () => {
        for (const step of p.steps) {
            const review = stepReview(step);
            const program = stepProgram(step);
            assert.deepEqual(Object.keys(review.scripts), ["bootstrap/lib.sh", `bootstrap/${step.script}`], step.id);
            for (const text of Object.values(review.scripts)) assert.ok(program.includes(text), step.id);
            for (const [k, v] of Object.entries(review.env)) assert.ok(program.includes(`export ${k}=${shq(v)}\n`), `${step.id} ${k}`);
            assert.deepEqual(Object.keys(review.files), step.files.map((f) => f.path), step.id);
            for (const f of step.files) assert.deepEqual(review.files[f.path], { mode: f.mode, owner: f.owner, content: f.content }, f.path);
        }
    });

    it("are reviewed by digest only for a text over the limit: at 1000 nodes the controller's tunnel keys, slurm.conf and Prometheus's node targets", () => {
        const digests: string[] = [];
        for (const step of big.steps) {
            const review = stepReview(step);
            const texts: [string, string, string][] = [
                ...Object.entries(review.scripts).map(([k, v]): [string, string, string] => [k, v, configFile(k)]),
                ...Object.entries(review.env).map(([k, v]): [string, string, string] => [`env ${k}`, v, ({ HPC_STEP: step.id, ...step.env } as Record<string, string>)[k]]),
                ...step.files.map((f): [string, string, string] => [f.path, review.files[f.path].content, f.content]),
            ];
            for (const [what, shown, text] of texts) {
                if (Buffer.byteLength(text) <= REVIEW_TEXT_LIMIT) assert.equal(shown, text, what);
                else {
                    assert.match(shown, /^sha256:[0-9a-f]{64} \(\d+ bytes, \d+ lines: over the 128 KiB review limit\)$/, what);
                    digests.push(`${step.id} ${what}`);
                }
            }
        }
        // The bastion's key list (one short line a node) is about 80 KB: still text.
        assert.deepEqual(digests, ["controller-ssh env TUNNEL_KEYS", "controller-slurmctld /etc/slurm/slurm.conf",
            "controller-prometheus /etc/hpc/prometheus/node.json.in"]);
    });

    it("never put a generated value in the command: only names, resolved on stdin", () => {
        const values = Object.fromEntries(p.steps.flatMap((s) => s.generated).map((n) => [n, `SECRET-${n}`]));
        for (const step of p.steps) {
            assert.ok(!stepProgram(step).includes("SECRET-"), step.id);
            const stdin = stepStdin(step, values);
            for (const n of step.generated) assert.ok(stdin.includes(`${n} ${Buffer.from(`SECRET-${n}`).toString("base64")}\n`));
        }
        assert.throws(() => stepStdin(p.steps[0], {}), /no generated value/);
    });

    it("order by dependsOn and reject cycles and unknown steps", () => {
        const ids = orderSteps([...p.steps].reverse()).map((s) => s.id);
        for (const s of p.steps) for (const d of s.dependsOn) assert.ok(ids.indexOf(d) < ids.indexOf(s.id));
        const a = { id: "a", dependsOn: ["b"] } as BootstrapStep;
        const b = { id: "b", dependsOn: ["a"] } as BootstrapStep;
        assert.throws(() => orderSteps([a, b]), /cycle: a -> b -> a/);
        assert.throws(() => orderSteps([{ ...a, dependsOn: ["zz"] }]), /unknown step zz/);
    });

    it("pin a host's key in every step after the one that installs it, which holds nothing but that key", () => {
        const pinned = Object.fromEntries(p.steps.map((s) => [s.id, pinnedHosts(p.steps, s)]));
        assert.deepEqual(pinned["bastion-hostkey"], []);
        // Reached through the bastion, whose key is in by then; its own is not yet.
        assert.deepEqual(pinned["controller-hostkey"], ["bastion"]);
        for (const s of p.steps.filter((x) => !x.id.endsWith("-hostkey"))) {
            assert.deepEqual(pinned[s.id], s.host === "bastion" ? ["bastion"] : ["bastion", "controller"], s.id);
        }
        for (const h of ["bastion", "controller"]) {
            const k = p.steps.find((s) => s.id === `${h}-hostkey`)!;
            assert.deepEqual([k.generated, k.files, Object.keys(k.env)], [[`${h}HostKey`], [], ["HOST_KEY"]], k.id);
        }
        // Through a chain, and only through dependsOn: a key step beside a step pins nothing for it.
        const key = { id: "k", host: "controller", generated: ["controllerHostKey"], dependsOn: [] } as unknown as BootstrapStep;
        const mid = { id: "m", host: "controller", generated: [], dependsOn: ["k"] } as unknown as BootstrapStep;
        const late = { id: "l", host: "controller", generated: [], dependsOn: ["m"] } as unknown as BootstrapStep;
        const beside = { id: "b", host: "controller", generated: [], dependsOn: [] } as unknown as BootstrapStep;
        assert.deepEqual(pinnedHosts([key, mid, late, beside], late), ["controller"]);
        assert.deepEqual(pinnedHosts([key, mid, late, beside], beside), []);
        assert.deepEqual(pinnedHosts([key, mid, late, beside], key), []);
        assert.throws(() => pinnedHosts([late], late), /depends on unknown step m/);
    });

    it("change no step that meets a host unpinned when nodes, users or app ports change: only a replaced host re-runs one", () => {
        const raw = { trustedCidrs: ["203.0.113.0/24"] };
        const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample";
        const variants = [
            { computeNodes: [{ name: "compute1" }, { name: "compute2", gpus: 2 }, { name: "compute3" }] },
            { users: [{ name: "carol", uid: 2003, account: "chem", sshPublicKey: `${key} carol` }] },
            { appPortsPerNode: 2 },
        ];
        const unpinned = (x: typeof p, s: BootstrapStep) => {
            const hops: string[] = s.host === "bastion" ? ["bastion"] : ["bastion", "controller"];
            return hops.some((h) => !pinnedHosts(x.steps, s).includes(h as "bastion"));
        };
        const values = (x: typeof p) => Object.fromEntries(x.steps.flatMap((s) => s.generated).map((n) => [n, `value of ${n}`]));
        for (const v of variants) {
            const q = plan(parseConfig({ ...raw, ...v }));
            const changed = q.steps.filter((s) => {
                const was = p.steps.find((o) => o.id === s.id);
                return !was || stepCommand(was) !== stepCommand(s) || stepStdin(was, values(p)) !== stepStdin(s, values(q));
            });
            assert.ok(changed.length > 0, `${JSON.stringify(v)} changes some step`);
            for (const s of changed) assert.ok(!unpinned(q, s), `${JSON.stringify(v)} re-runs ${s.id}, which meets a host unpinned`);
        }
    });

    it("install the tunnel keys with restrictions for exactly each node's ports", () => {
        const ctlStep = p.steps.find((s) => s.id === "controller-ssh")!;
        const lines = ctlStep.env.TUNNEL_KEYS.split("\n");
        assert.equal(lines.length, p.nodes.length + 1);
        for (const n of p.nodes) {
            const line = lines.find((l) => l.startsWith(`${n.name} `))!;
            assert.match(line, /^\S+ restrict,port-forwarding,command="\/bin\/false",/);
            for (const port of [n.ports.slurmd, n.ports.ssh, n.ports.nodeExporter, ...n.appPorts]) assert.ok(line.includes(`permitlisten="127.0.0.1:${port}"`));
            for (const o of p.nodes.filter((x) => x !== n)) assert.ok(!line.includes(`127.0.0.1:${o.ports.slurmd}"`), `${n.name} may not listen on ${o.name}'s port`);
            assert.ok(line.includes(`permitopen="127.0.0.1:${p.ports.slurmctld}"`));
        }
        // The home server's key may listen on its SFTP port only, and open nothing.
        const home = lines.find((l) => l.startsWith("home "))!;
        assert.equal(home, `home restrict,port-forwarding,command="/bin/false",permitlisten="127.0.0.1:${p.home.tunnelPort}"`);
        const bastion = p.steps.find((s) => s.id === "bastion-ssh")!.env.TUNNEL_KEYS;
        for (const l of bastion.split("\n")) assert.match(l, new RegExp(`permitopen="${p.controller.privateIp.replace(/\./g, "\\.")}:22"$`));
    });

    it("render programs that shellcheck accepts", function () {
        this.timeout(60_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-steps-"));
        try {
            const files = p.steps.map((s) => {
                const f = path.join(dir, `${s.id}.sh`);
                fs.writeFileSync(f, `#!/bin/bash\n${stepProgram(s)}`);
                return f;
            });
            execFileSync("shellcheck", ["-S", "warning", ...files], { stdio: "pipe" });
        } catch (e) {
            const err = e as { stdout?: Buffer; message: string };
            assert.fail(err.stdout?.toString() || err.message);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
