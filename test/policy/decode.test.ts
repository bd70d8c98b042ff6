// The pack's decoder (policy/decode.ts) against the program's real step encoder
// (components/plan/steps/steps.ts): the pack may not import the encoder, so this test
// is what keeps the two in step.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { deflateSync, gzipSync } from "zlib";
import { parseConfig } from "../../components/plan/config";
import { plan } from "../../components/plan/plan";
import { stepCommand, stepProgram } from "../../components/plan/steps";
import { carriedBytes, carriedTexts, unquoteShell } from "../../policy/decode";

const p = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"] }));
const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
const viaOf = (carrier: string, text: string) => carriedTexts(carrier).texts.find((t) => t.text === text)?.via;

describe("policy: decoding what commands carry", () => {
    it("reads every step's program out of the program's own step command, byte for byte", () => {
        for (const step of p.steps) {
            assert.deepStrictEqual(viaOf(stepCommand(step), stepProgram(step)), ["base64", "gzip"], step.id);
        }
    });

    it("peels other wrappings too: plain base64, hex, zlib, wrapped lines, nested layers", () => {
        const script = "echo 'root:pw' | chpasswd\n";
        assert.deepStrictEqual(viaOf(`echo ${b64(script)} | base64 -d | sh`, script), ["base64"]);
        assert.deepStrictEqual(viaOf(`echo ${Buffer.from(script).toString("hex")} | xxd -r -p | sh`, script), ["hex"]);
        assert.deepStrictEqual(viaOf(`x ${deflateSync(script).toString("base64")}`, script), ["base64", "zlib"]);
        const long = script.repeat(20);
        const wrapped = b64(long).replace(/(.{76})/g, "$1\n");
        assert.ok(wrapped.split("\n").length > 2);
        assert.deepStrictEqual(viaOf(`base64 -d <<'EOF' | sh\n${wrapped}\nEOF`, long), ["base64"]);
        const nested = b64(gzipSync(`eval "$(echo ${b64(script)} | base64 -d)"`));
        assert.deepStrictEqual(viaOf(nested, script), ["base64", "gzip", "base64"]);
    });

    it("undoes shell quoting that hides text", () => {
        assert.equal(unquoteShell(`echo '\\''root:pw'\\'' | chpasswd`), "echo 'root:pw' | chpasswd");
        assert.equal(unquoteShell(`echo $'\\x72oot:pw' \\\n| chpasswd`), "echo root:pw  | chpasswd");
        // And the unquoted view is read as a layer of its own.
        assert.deepStrictEqual(viaOf(`echo $'\\x72oot:pw' | chpasswd`, "echo root:pw | chpasswd"), ["shell quoting"]);
    });

    it("reports what it cannot read as opaque, when it is long enough to hide a script", () => {
        const opaque = (s: string) => carriedTexts(s).opaque.map((o) => o.what);
        assert.deepStrictEqual(opaque(`echo ${b64(randomBytes(200))} | openssl enc -d | sh`), ["binary data"]);
        const xz = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), randomBytes(200)]);
        assert.deepStrictEqual(opaque(`echo ${b64(xz)} | base64 -d | xz -d | sh`), ["an xz stream"]);
        const bomb = gzipSync(Buffer.alloc(65 * 1024 * 1024));
        assert.deepStrictEqual(opaque(b64(bomb)), ["a gzip stream that does not inflate"]);
        // Short runs are words, not payloads; an SSH public key blob is binary but runs nothing.
        assert.deepStrictEqual(opaque(`${b64(randomBytes(60))} SlurmctldParameters=enable_configless`), []);
        const rsa = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from("ssh-rsa"), randomBytes(270)]);
        assert.deepStrictEqual(opaque(`echo 'ssh-rsa ${b64(rsa)} admin' >> /root/.ssh/authorized_keys`), []);
    });

    it("finds nothing opaque in the project's own steps and config-files/ (no false positives)", () => {
        for (const step of p.steps) assert.deepStrictEqual(carriedTexts(stepCommand(step)).opaque, [], step.id);
        const root = path.resolve(__dirname, "../../config-files");
        for (const f of fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
            const file = path.join(f.parentPath, f.name);
            assert.deepStrictEqual(carriedTexts(fs.readFileSync(file, "utf8")).opaque, [], file);
        }
    });

    it("reads bytes already decoded one layer (an upload's contentBase64)", () => {
        const conf = "PermitRootLogin yes\n";
        assert.ok(carriedBytes(gzipSync(conf), ["base64"]).texts.some((t) => t.text === conf));
        assert.deepStrictEqual(carriedBytes(randomBytes(1024), ["base64"]).texts, []);
    });
});
