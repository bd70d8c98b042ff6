// Reading a Pulumi.<stack>.yaml without the engine, and shrinking its nodes to the
// lab host: pure functions, tested on texts and plain values.
import { strict as assert } from "assert";
import { ConfigError, decodeEngineConfig, DEFAULT_COMPUTE_NODES, fitToHost, parseConfig, RawConfig, readStackFile } from "../../../components/plan/config";

/** Expects readStackFile to throw a ConfigError one of whose problems matches each pattern. */
function refuses(text: string, ...patterns: RegExp[]): string[] {
    try {
        readStackFile(text);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        for (const p of patterns) assert.ok(e.problems.some((l) => p.test(l)), `no problem matches ${p}:\n${e.message}`);
        return e.problems;
    }
    assert.fail(`accepted:\n${text}`);
}

const STACK = `# a stack
encryptionsalt: v1:abc
config:
  aws:region: eu-west-1
  other-project:clusterName: theirs
  hpc-stack:clusterName: prod
  hpc-stack:trustedCidrs:
    - 198.51.100.0/24
  hpc-stack:computeNodes:
    - name: cpu1
      cpus: 4
`;

describe("readStackFile", () => {
    it("keeps this project's keys without their namespace and drops the others'", () => {
        assert.deepEqual(readStackFile(STACK), {
            clusterName: "prod",
            trustedCidrs: ["198.51.100.0/24"],
            computeNodes: [{ name: "cpu1", cpus: 4 }],
        });
    });

    it("reads another project's keys when told its name", () => {
        assert.deepEqual(readStackFile(STACK, "other-project"), { clusterName: "theirs" });
    });

    it("gives each value as the program sees it: plain keys as strings, structured ones decoded", () => {
        const raw = readStackFile(`config:
  hpc-stack:clusterName: 123
  hpc-stack:slurmctldPort: "6818"
  hpc-stack:grafanaPort: 3001
  hpc-stack:installStreamlit: "false"
  hpc-stack:grafanaEnabled: false
`);
        assert.deepEqual(raw, { clusterName: "123", slurmctldPort: 6818, grafanaPort: 3001, installStreamlit: false, grafanaEnabled: false });
    });

    it("decodes a structured key as the program does, so a string that is not JSON is refused as pulumi up refuses it", () => {
        const text = 'config:\n  hpc-stack:computeNodes: "[{name: "\n';
        refuses(text, /^computeNodes = "\[\{name: ": is not valid YAML\/JSON structured config$/);
        let program = "";
        try { decodeEngineConfig("hpc-stack", { "hpc-stack:computeNodes": "[{name: " }); } catch (e) { program = (e as ConfigError).problems[0]; }
        let lab = "";
        try { readStackFile(text); } catch (e) { lab = (e as ConfigError).problems[0]; }
        assert.equal(lab, program);
    });

    it("reads an empty file, or one without config:, as a stack that sets nothing", () => {
        assert.deepEqual(readStackFile(""), {});
        assert.deepEqual(readStackFile("encryptionsalt: v1:abc\n"), {});
        assert.deepEqual(readStackFile("config:\n"), {});
    });

    it("refuses a secret, naming its key: the lab cannot decrypt it", () => {
        refuses(`config:\n  hpc-stack:adminPublicKey:\n    secure: AAABAJ0x\n`,
            /^hpc-stack:adminPublicKey = \[secure\]: is a Pulumi secret, which the lab cannot decrypt/);
    });

    it("refuses a secret inside a structured value, naming where it sits, and never shows the ciphertext", () => {
        const problems = refuses(`config:
  hpc-stack:alertReceivers:
    - name: ops
      type: webhook
      url:
        secure: AAABAciphertext
`, /^hpc-stack:alertReceivers\[0\]\.url = \[secure\]/);
        assert.ok(!problems.join("\n").includes("ciphertext"));
    });

    it("drops an allowed secret and keeps the rest", () => {
        const text = `config:\n  hpc-stack:clusterName: prod\n  hpc-stack:alertReceivers:\n    secure: AAABAJ0x\n`;
        assert.deepEqual(readStackFile(text, "hpc-stack", ["alertReceivers"]), { clusterName: "prod" });
        // The allowance is by key: another secret is still refused.
        assert.throws(() => readStackFile(`${text}  hpc-stack:adminPublicKey:\n    secure: AAABAJ0y\n`, "hpc-stack", ["alertReceivers"]),
            /hpc-stack:adminPublicKey = \[secure\]/);
    });

    it("ignores another namespace's secrets: they are the providers' to read", () => {
        assert.deepEqual(readStackFile(`config:\n  aws:secretKey:\n    secure: AAABAJ0x\n  hpc-stack:clusterName: prod\n`), { clusterName: "prod" });
    });

    it("takes a map holding more than secure: as a plain value", () => {
        assert.deepEqual(readStackFile(`config:\n  hpc-stack:tags:\n    secure: x\n    team: hpc\n`), { tags: { secure: "x", team: "hpc" } });
    });

    it("reports every problem at once", () => {
        const problems = refuses(`config:\n  hpc-stack:adminPublicKey:\n    secure: a\n  hpc-stack:alertReceivers:\n    secure: b\n`,
            /^hpc-stack:adminPublicKey =/, /^hpc-stack:alertReceivers =/);
        assert.equal(problems.length, 2);
    });

    it("refuses a config: that is not a map", () => {
        refuses("config:\n  - hpc-stack:clusterName\n", /^config = \["hpc-stack:clusterName"\]: must be a map of hpc-stack:key to value/);
        refuses("config: prod\n", /^config = "prod": must be a map/);
    });

    it("refuses a file that is not a map, or not YAML", () => {
        refuses("- config\n", /^\(stack file\) = \["config"\]: must be a YAML map/);
        refuses("config:\n  hpc-stack:clusterName: [prod\n", /^\(stack file\): is not valid YAML/);
        // Pulumi refuses a key given twice, and so does the lab.
        refuses("config:\n  hpc-stack:clusterName: a\n  hpc-stack:clusterName: b\n", /is not valid YAML.*unique/i);
    });

    it("refuses a key without its namespace, saying how Pulumi writes it", () => {
        refuses("config:\n  clusterName: prod\n", /^clusterName: is not a namespace:key config key \(Pulumi writes hpc-stack:clusterName\)/);
    });

    it("refuses ESC environments, whose values the lab cannot fetch", () => {
        refuses("environment:\n  - hpc/prod\nconfig:\n  hpc-stack:clusterName: prod\n", /^environment = \["hpc\/prod"\]: imports Pulumi ESC environments/);
    });
});

describe("fitToHost", () => {
    const node = (name: string, cpus: number, memoryMb: number, gpus = 0) => ({ name, cpus, memoryMb, gpus });
    const prodNodes = [node("cpu1", 4, 8192), node("cpu2", 4, 8192), node("gpu1", 8, 32768, 2), node("gpu2", 8, 32768, 2)];

    it("lowers each node's cpus to the host's, naming the node and both counts", () => {
        const { config, notes } = fitToHost({ computeNodes: [node("cpu1", 4, 512), node("cpu2", 2, 512)] }, { cpus: 2, memoryMb: 4096 });
        assert.deepEqual(notes, ["cpu1: cpus 4 -> 2 (the lab host has 2)"]);
        assert.deepEqual(config.computeNodes, [node("cpu1", 2, 512), node("cpu2", 2, 512)]);
    });

    it("lowers each node's memory to its share of the host's, and keeps everything else", () => {
        const { config, notes } = fitToHost({ clusterName: "prod", computeNodes: prodNodes }, { cpus: 16, memoryMb: 16000 });
        assert.deepEqual(notes, [
            "cpu1: memoryMb 8192 -> 4000 (the lab host has 16000 MB for 4 nodes)",
            "cpu2: memoryMb 8192 -> 4000 (the lab host has 16000 MB for 4 nodes)",
            "gpu1: memoryMb 32768 -> 4000 (the lab host has 16000 MB for 4 nodes)",
            "gpu2: memoryMb 32768 -> 4000 (the lab host has 16000 MB for 4 nodes)",
        ]);
        assert.equal(config.clusterName, "prod");
        assert.deepEqual((config.computeNodes as ReturnType<typeof node>[]).map((n) => [n.name, n.cpus, n.memoryMb, n.gpus]),
            [["cpu1", 4, 4000, 0], ["cpu2", 4, 4000, 0], ["gpu1", 8, 4000, 2], ["gpu2", 8, 4000, 2]]);
    });

    it("never goes below the least memory a node may declare", () => {
        const { config, notes } = fitToHost({ computeNodes: prodNodes }, { cpus: 8, memoryMb: 600 });
        assert.equal(notes[0], "cpu1: memoryMb 8192 -> 256 (the lab host has 600 MB for 4 nodes; a node declares at least 256)");
        assert.ok((config.computeNodes as ReturnType<typeof node>[]).every((n) => n.memoryMb === 256));
    });

    it("leaves a config that fits as it is, with no note, and never changes its argument", () => {
        const raw: RawConfig = { computeNodes: [node("cpu1", 2, 2048)] };
        const copy = structuredClone(raw);
        assert.deepEqual(fitToHost(raw, { cpus: 2, memoryMb: 2048 }), { config: raw, notes: [] });
        fitToHost(raw, { cpus: 1, memoryMb: 512 });
        assert.deepEqual(raw, copy);
    });

    it("counts the defaults: the default nodes, and a node's default cpus and memory", () => {
        const fromDefaults = fitToHost({}, { cpus: 1, memoryMb: 2048 });
        assert.deepEqual((fromDefaults.config.computeNodes as ReturnType<typeof node>[]).map((n) => [n.name, n.cpus, n.memoryMb]),
            DEFAULT_COMPUTE_NODES.map((n) => [n.name, 1, 1024]));
        assert.equal(fromDefaults.notes.length, 4);
        const { config, notes } = fitToHost({ computeNodes: [{ name: "c1" }] }, { cpus: 1, memoryMb: 1024 });
        assert.deepEqual(config.computeNodes, [{ name: "c1", cpus: 1, memoryMb: 1024 }]);
        assert.deepEqual(notes, ["c1: cpus 2 -> 1 (the lab host has 1)", "c1: memoryMb 2048 -> 1024 (the lab host has 1024 MB for 1 node)"]);
    });

    it("gives a config the schema accepts, so the lab can run a production stack", () => {
        const raw = { trustedCidrs: ["198.51.100.0/24"], computeNodes: prodNodes };
        const c = parseConfig(fitToHost(raw, { cpus: 2, memoryMb: 3000 }).config);
        assert.deepEqual(c.computeNodes.map((n) => [n.name, n.cpus, n.memoryMb, n.gpus]),
            [["cpu1", 2, 750, 0], ["cpu2", 2, 750, 0], ["gpu1", 2, 750, 2], ["gpu2", 2, 750, 2]]);
    });

    it("leaves values the schema refuses for parseConfig to report, naming an unnamed node by its index", () => {
        const { config, notes } = fitToHost({ computeNodes: [{ name: "c1", cpus: "two" }, "c2", { cpus: 8 }] }, { cpus: 2, memoryMb: 8192 });
        assert.deepEqual(config.computeNodes, [{ name: "c1", cpus: "two" }, "c2", { cpus: 2 }]);
        assert.deepEqual(notes, ["computeNodes[2]: cpus 8 -> 2 (the lab host has 2)"]);
        assert.deepEqual(fitToHost({ computeNodes: "c1" }, { cpus: 1, memoryMb: 256 }), { config: { computeNodes: "c1" }, notes: [] });
    });

    it("refuses a host size that is not whole and positive", () => {
        assert.throws(() => fitToHost({}, { cpus: 0, memoryMb: 1024 }), /whole, positive/);
        assert.throws(() => fitToHost({}, { cpus: 2, memoryMb: 1024.5 }), /whole, positive/);
    });
});
