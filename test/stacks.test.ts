// Every Pulumi.<stack>.yaml in the repository is a stack someone will deploy: each
// must pass the schema as the lab reads it (components/plan/config/stackFile.ts), read the
// same as through the engine, and run the real program under mocks.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { decodeEngineConfig, parseConfig, RawConfig, readStackFile } from "../components/plan/config";
import { RecordingMocks, ROOT, runIndex, stackConfigFromFile, withTestAdminKey } from "../mocks";

const CONTAINER = "docker:index/container:Container";
const STACK_FILES = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).sort();

/** The engine's flat map for raw config: `hpc-stack:key` to a string, structured values as JSON. */
const asEngineConfig = (raw: RawConfig): Record<string, string> =>
    Object.fromEntries(Object.entries(raw).map(([k, v]) => [`hpc-stack:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));

describe("the stack files", () => {
    it("include the dev and prod stacks", () => {
        assert.deepEqual(STACK_FILES.filter((f) => ["Pulumi.dev.yaml", "Pulumi.prod.yaml"].includes(f)), ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]);
    });

    for (const file of STACK_FILES) {
        describe(file, () => {
            let raw: RawConfig;
            let m: RecordingMocks;

            before(async () => {
                raw = readStackFile(fs.readFileSync(path.join(ROOT, file), "utf8"));
                ({ mocks: m } = await runIndex(withTestAdminKey(asEngineConfig(raw))));
            });

            it("reads the same through stackFile.ts as through the engine and the program's decoder", () => {
                assert.deepEqual(raw, decodeEngineConfig("hpc-stack", stackConfigFromFile(path.join(ROOT, file))));
            });

            it("passes the schema", () => {
                assert.doesNotThrow(() => parseConfig(raw));
            });

            it("runs the program under mocks, declaring one container per compute node and a DCGM exporter per GPU node", () => {
                const c = parseConfig(raw);
                const containers = m.ofType(CONTAINER);
                for (const n of c.computeNodes) {
                    assert.equal(containers.filter((r) => r.inputs.name === n.name).length, 1, `${n.name}'s container`);
                    assert.equal(containers.filter((r) => r.inputs.name === `${n.name}-dcgm-exporter`).length, n.gpus > 0 ? 1 : 0, `${n.name}'s DCGM exporter`);
                }
            });
        });
    }
});
