import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policy/policies";
import { rootSshHazards } from "../../policy/sshd";
import { Props, checkResource, findPolicy } from "./util";

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:remote:Command";
const LOCAL_COMMAND = "command:local:Command";

/** A compliant compute container, shaped like components/pulumi/compute/computeNodes.ts will declare it. */
function compute(overrides: Props = {}): Props {
    return {
        name: "compute1",
        image: "hpc-compute:latest",
        hostname: "compute1",
        command: ["/usr/local/bin/entrypoint.sh"],
        envs: ["SLURM_NODENAME=compute1", "NVIDIA_VISIBLE_DEVICES=all"],
        ports: [
            { internal: 22, external: 2221, ip: "127.0.0.1" },
            { internal: 8501, external: 8501 },
        ],
        uploads: [
            {
                file: "/etc/ssh/sshd_config.d/hpc.conf",
                content: "PermitRootLogin no\nPasswordAuthentication no\n#PermitRootLogin yes\n",
            },
            { file: "/etc/munge/munge.key", contentBase64: Buffer.from("key").toString("base64") },
        ],
        ...overrides,
    };
}

describe("policy: containers", () => {
    describe("no-password-root-ssh-in-containers", () => {
        const policy = findPolicy(policies, "no-password-root-ssh-in-containers");

        it("accepts a key-only compute container and a benign bootstrap command", async () => {
            assert.deepStrictEqual(await checkResource(policy, CONTAINER, compute()), []);
            const script = [
                "set -eu",
                "chown root:root /etc/munge && echo 'slurm:x' | chpasswd",
                "sed -i 's/^#\\?PasswordAuthentication.*/PasswordAuthentication no/' /etc/ssh/sshd_config",
                "systemctl restart ssh",
            ].join("\n");
            assert.deepStrictEqual(await checkResource(policy, COMMAND, { create: script, delete: "true" }), []);
        });

        it("reads local commands too (the PID limit's docker update runs where pulumi up runs)", async () => {
            assert.deepStrictEqual(await checkResource(policy, LOCAL_COMMAND, { create: "docker update --pids-limit 2304 compute1" }), []);
            const v = await checkResource(policy, LOCAL_COMMAND, { create: "echo 'PermitRootLogin yes' >> /etc/ssh/sshd_config" });
            assert.deepStrictEqual(v, ["create enables PermitRootLogin yes."]);
        });

        it("rejects PermitRootLogin yes in an upload, any case and spacing", async () => {
            const c = compute({ uploads: [{ file: "/etc/ssh/sshd_config", content: "Port 22\n  permitrootlogin \t YES\n" }] });
            const v = await checkResource(policy, CONTAINER, c);
            assert.deepStrictEqual(v, ["uploads[0] (/etc/ssh/sshd_config) enables PermitRootLogin yes."]);
        });

        it("rejects PasswordAuthentication=yes passed to sshd in the command", async () => {
            const c = compute({ command: ["/usr/sbin/sshd", "-D", "-o", "PasswordAuthentication=yes"] });
            assert.strictEqual((await checkResource(policy, CONTAINER, c)).length, 1);
        });

        it("rejects base64 uploads and entrypoints that enable root login", async () => {
            const b64 = Buffer.from("PermitRootLogin yes\n").toString("base64");
            const up = compute({ uploads: [{ file: "/etc/ssh/sshd_config", contentBase64: b64 }] });
            assert.strictEqual((await checkResource(policy, CONTAINER, up)).length, 1);
            const ep = compute({ entrypoints: ["sh", "-c", "echo 'PermitRootLogin yes' >> /etc/ssh/sshd_config; exec sshd -D"] });
            assert.strictEqual((await checkResource(policy, CONTAINER, ep)).length, 1);
        });

        it("rejects a root password set with chpasswd in the command or an env", async () => {
            const c = compute({ command: ["bash", "-c", "echo root:hunter2 |chpasswd && exec /usr/sbin/sshd -D"] });
            assert.match((await checkResource(policy, CONTAINER, c))[0], /root password with chpasswd/);
            const env = compute({ envs: ["BOOT=echo 'root:pw' | sudo chpasswd"] });
            assert.strictEqual((await checkResource(policy, CONTAINER, env)).length, 1);
            const rootPw = compute({ envs: ["ROOT_PASSWORD=hunter2"] });
            assert.strictEqual((await checkResource(policy, CONTAINER, rootPw)).length, 1);
        });

        it("rejects a remote command that sets a root password or enables root login", async () => {
            for (const create of [
                "echo \"root:$PW\" | chpasswd",
                "chpasswd <<< 'root:pw'",
                "chpasswd <<EOF\nroot:pw\nEOF",
                "printf 'pw\\npw\\n' | passwd root",
                "sed -i 's/^#PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config",
            ]) {
                assert.strictEqual((await checkResource(policy, COMMAND, { create })).length, 1, create);
            }
            const update = await checkResource(policy, COMMAND, { create: "true", update: "echo root:pw | chpasswd" });
            assert.match(update[0], /^update /);
        });

        it("treats usermod -p with a locked hash as hardening, any other hash as a password", async () => {
            assert.deepStrictEqual(await checkResource(policy, COMMAND, { create: "usermod -p '*' root && usermod -p '!' root" }), []);
            const v = await checkResource(policy, COMMAND, { create: "usermod -p '*' admin && usermod -p '$6$salt$hash' root" });
            assert.deepStrictEqual(v, ["create sets a root password with usermod."]);
        });

        it("finds nothing in the project's own config-files/ (no false positives)", () => {
            const root = path.resolve(__dirname, "../../config-files");
            const files = fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
            assert.ok(files.length > 0);
            for (const f of files) {
                const file = path.join(f.parentPath, f.name);
                assert.deepStrictEqual(rootSshHazards(fs.readFileSync(file, "utf8")), [], file);
            }
        });

        it("reports each hazard once per text", () => {
            assert.deepStrictEqual(rootSshHazards("PermitRootLogin yes\nPermitRootLogin yes\n#PasswordAuthentication yes"), [
                "enables PermitRootLogin yes",
            ]);
        });
    });

    describe("container-ssh-not-public", () => {
        const policy = findPolicy(policies, "container-ssh-not-public");

        it("accepts SSH published on 127.0.0.1 or a specific address", async () => {
            assert.deepStrictEqual(await checkResource(policy, CONTAINER, compute()), []);
            const lan = compute({ ports: [{ internal: 22, external: 2222, ip: "192.168.10.5" }] });
            assert.deepStrictEqual(await checkResource(policy, CONTAINER, lan), []);
        });

        it("rejects SSH published on all interfaces: unset, empty, 0.0.0.0, ::", async () => {
            for (const ip of [undefined, "", "0.0.0.0", "::"]) {
                const c = compute({ ports: [{ internal: 22, external: 2221, ip }] });
                assert.strictEqual((await checkResource(policy, CONTAINER, c)).length, 1, String(ip));
            }
        });
    });

    describe("no-privileged-containers", () => {
        const policy = findPolicy(policies, "no-privileged-containers");

        it("accepts an unprivileged container", async () => {
            assert.deepStrictEqual(await checkResource(policy, CONTAINER, compute({ privileged: false })), []);
        });

        it("rejects privileged: true", async () => {
            assert.strictEqual((await checkResource(policy, CONTAINER, compute({ privileged: true }))).length, 1);
        });
    });
});
