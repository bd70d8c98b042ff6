// The text policies against fixtures in the project's own step format: each
// command is built by the plan's real encoder (components/plan/steps/steps.ts) from a
// real step with one pull request's edit, never by hand.
import * as assert from "assert";
import { gzipSync } from "zlib";
import { parseConfig } from "../../components/plan/config";
import { plan } from "../../components/plan/plan";
import { BootstrapStep, shq, stepCommand, stepProgram } from "../../components/plan/steps";
import { patchConfigFile } from "../../components/plan/steps";
import { policies } from "../../policy/policies";
import { checkResource, findPolicy } from "./util";

const COMMAND = "command:remote:Command";
const CONTAINER = "docker:index/container:Container";
const p = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"] }));
const step = (id: string): BootstrapStep => p.steps.find((s) => s.id === id)!;

const ROOT_LOGIN = "sed -i 's/^#\\?PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config";
const ROOT_PASSWORD = "echo 'root:pw' | chpasswd";

/** The real command of a step whose script gained `line`: a one-line pull request. */
function withScriptLine(s: BootstrapStep, line: string): string {
    const restore = patchConfigFile(`bootstrap/${s.script}`, (t) => `${t}\n${line}\n`);
    try {
        return stepCommand(s);
    } finally {
        restore();
    }
}

describe("policy: what the bootstrap steps run (the step format)", () => {
    // Looked up in each test, so that against a pack without one policy only its tests fail.
    const rootSsh = () => findPolicy(policies, "no-password-root-ssh-in-containers");
    const unreadable = () => findPolicy(policies, "no-unreadable-payloads");

    it("accepts every real step of the plan", async () => {
        for (const s of p.steps) {
            assert.deepStrictEqual(await checkResource(rootSsh(), COMMAND, { create: stepCommand(s) }), [], s.id);
            assert.deepStrictEqual(await checkResource(unreadable(), COMMAND, { create: stepCommand(s) }), [], s.id);
        }
    });

    it("sees a step script that enables root login (a sed line that sets PermitRootLogin yes)", async () => {
        const create = withScriptLine(step("bastion-ssh"), ROOT_LOGIN);
        assert.deepStrictEqual(await checkResource(rootSsh(), COMMAND, { create }), ["create [base64 → gzip] enables PermitRootLogin yes."]);
    });

    it("sees a step script that sets root's password with chpasswd", async () => {
        const create = withScriptLine(step("controller-munge"), ROOT_PASSWORD);
        assert.deepStrictEqual(await checkResource(rootSsh(), COMMAND, { create }), ["create [base64 → gzip] sets a root password with chpasswd."]);
    });

    it("sees a planned file that the step drops on disk", async () => {
        const s = step("controller-ssh");
        const bad = { path: "/etc/ssh/sshd_config.d/99-root.conf", content: "PasswordAuthentication yes\n", mode: "0644", owner: "root:root" };
        const create = stepCommand({ ...s, files: [...s.files, bad] });
        assert.deepStrictEqual(await checkResource(rootSsh(), COMMAND, { create }), ["create [base64 → gzip] enables PasswordAuthentication yes."]);
    });

    it("sees the same program in whatever wrapping it travels", async () => {
        const program = stepProgram({ ...step("controller-munge"), env: { BOOT: ROOT_PASSWORD } });
        for (const create of [
            `sudo -n /bin/bash -c ${shq(program)}`,
            `echo ${Buffer.from(program).toString("base64")} | base64 -d | sudo bash`,
            `echo ${gzipSync(Buffer.from(Buffer.from(program).toString("base64"))).toString("base64")} | base64 -d | gunzip | base64 -d | sudo bash`,
        ]) {
            assert.strictEqual((await checkResource(rootSsh(), COMMAND, { create })).length, 1, create.slice(0, 60));
        }
    });

    it("sees a gzipped upload and a base64 payload in a container's command", async () => {
        const gz = gzipSync("PermitRootLogin yes\n").toString("base64");
        const upload = { name: "c", image: "i", uploads: [{ file: "/etc/ssh/sshd_config", contentBase64: gz }] };
        assert.deepStrictEqual(await checkResource(rootSsh(), CONTAINER, upload), ["uploads[0] (/etc/ssh/sshd_config) [base64 → gzip] enables PermitRootLogin yes."]);
        const command = ["sh", "-c", `echo ${Buffer.from(ROOT_PASSWORD).toString("base64")} | base64 -d | sh`];
        assert.deepStrictEqual(await checkResource(rootSsh(), CONTAINER, { name: "c", image: "i", command }), ["command [base64] sets a root password with chpasswd."]);
    });

    it("refuses a step the pack cannot read (xz, or encrypted) and an upload from a local file", async () => {
        const program = Buffer.from(stepProgram(step("controller-munge")));
        const xz = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), program]).toString("base64");
        assert.match((await checkResource(unreadable(), COMMAND, { create: `echo ${xz} | base64 -d | xz -d | sudo bash` }))[0], /^create \[base64\] carries an xz stream/);
        const sealed = Buffer.from(program.map((b) => b ^ 0x5a)).toString("base64");
        assert.match((await checkResource(unreadable(), COMMAND, { create: `echo ${sealed} | base64 -d | decrypt | sudo bash` }))[0], /carries binary data/);
        const fromFile = { name: "c", image: "i", uploads: [{ file: "/etc/ssh/sshd_config", source: "./sshd_config" }] };
        assert.deepStrictEqual(await checkResource(unreadable(), CONTAINER, fromFile), [
            "uploads[0] copies the local file ./sshd_config, which the policies cannot read; use content or contentBase64.",
        ]);
    });

    it("lets binary data be piped in or uploaded (generated keys), as the program does", async () => {
        const key = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 131) % 256)).toString("base64");
        assert.deepStrictEqual(await checkResource(unreadable(), COMMAND, { create: "true", stdin: `mungeKey ${key}\n` }), []);
        const upload = { name: "c", image: "i", uploads: [{ file: "/etc/munge/munge.key", contentBase64: key }] };
        assert.deepStrictEqual(await checkResource(unreadable(), CONTAINER, upload), []);
    });
});
