// Pulumi.yaml's typed config block and the zod schema must agree, or `pulumi up`
// and the mocks would run with different defaults.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { configSchema, decodeEngineConfig, DEFAULTS, parseConfig } from "../components/plan/config";
import { DEV_STACK_FILE, ROOT, stackConfigFromFile } from "../mocks";

interface ConfigDecl { type?: string; description?: string; default?: unknown; items?: { type: string } }
const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; runtime: unknown; config: Record<string, ConfigDecl> };

describe("Pulumi.yaml", () => {
    it("names the project hpc-stack on the nodejs runtime", () => {
        assert.equal(project.name, "hpc-stack");
        assert.equal((project.runtime as { name: string }).name, "nodejs");
    });

    it("declares exactly the schema's keys, each with a description and a default", () => {
        assert.deepEqual(Object.keys(project.config).sort(), Object.keys(configSchema.shape).sort());
        for (const [k, d] of Object.entries(project.config)) {
            assert.ok(d.description && d.description.length > 10, `${k} has a description`);
            assert.ok("default" in d, `${k} has a default`);
        }
    });

    it("uses the schema's defaults", () => {
        for (const [k, d] of Object.entries(project.config)) {
            if (k === "trustedCidrs") assert.deepEqual(d.default, []);
            else assert.deepEqual(d.default, (DEFAULTS as Record<string, unknown>)[k], k);
        }
    });

    // Lists of strings Pulumi can type; lists of objects (computeNodes, users) stay untyped.
    const STRING_ARRAYS = new Set(["trustedCidrs", "exclusiveUserPartitions"]);
    it("types every scalar key the way the schema reads it", () => {
        for (const [k, d] of Object.entries(project.config)) {
            const v = k === "trustedCidrs" ? [] : (DEFAULTS as Record<string, unknown>)[k];
            const expected = typeof v === "string" ? "string" : typeof v === "number" ? "integer" : typeof v === "boolean" ? "boolean"
                : Array.isArray(v) && STRING_ARRAYS.has(k) ? "array" : undefined;
            assert.equal(d.type, expected, k);
        }
    });
});

describe("Pulumi.dev.yaml", () => {
    it("is a valid stack config as is: a documentation range, a region, two nodes with one GPU node", () => {
        const flat = stackConfigFromFile(DEV_STACK_FILE);
        assert.ok(flat["aws:region"]);
        const c = parseConfig(decodeEngineConfig("hpc-stack", flat));
        assert.deepEqual(c.trustedCidrs, ["203.0.113.0/24"]);
        assert.equal(c.computeNodes.length, 2);
        assert.equal(c.computeNodes.filter((n) => n.gpus > 0).length, 1);
        assert.ok(!Object.keys(flat).some((k) => /secure/i.test(flat[k])), "needs no secret config");
    });

    it("rejects structured config that is not JSON, naming the key", () => {
        assert.throws(() => decodeEngineConfig("hpc-stack", { "hpc-stack:computeNodes": "[{name: " }), /computeNodes = "\[\{name: ": is not valid/);
    });

    it("ignores other namespaces and keeps strings as strings", () => {
        assert.deepEqual(decodeEngineConfig("hpc-stack", { "aws:region": "us-east-1", "hpc-stack:clusterName": "123" }), { clusterName: "123" });
    });
});
