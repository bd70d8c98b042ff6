// The layer boundary and the import graph checks can fail: each is broken on
// purpose here, and the check must say so. eslint.config.mjs keeps @pulumi and
// components/pulumi/ out of components/plan/ and lab/; .dependency-cruiser.cjs (run
// by npm test) refuses any import cycle, and any path from the plan or the lab to
// Pulumi through a third module, and any import of the program by the policy pack.
// CONTRIBUTING.md, How the boundary is enforced.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { ESLint } from "eslint";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../mocks";

const RULE = "@typescript-eslint/no-restricted-imports";

describe("layer boundary (eslint, no-restricted-imports)", () => {
    const eslint = new ESLint({ cwd: ROOT });

    /** The boundary rule's messages for a real file of the repo with `lines` put on top. */
    async function restricted(rel: string, lines: string[]): Promise<string[]> {
        const file = path.join(ROOT, rel);
        const text = [...lines, fs.readFileSync(file, "utf8")].join("\n");
        const [result] = await eslint.lintText(text, { filePath: file });
        return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
    }

    it("lets the plan and the lab be as they are", async () => {
        assert.deepEqual(await restricted("components/plan/slurm/slurmConf.ts", []), []);
        assert.deepEqual(await restricted("lab/labPlan.ts", []), []);
    });

    it("refuses an @pulumi package in components/plan/", async () => {
        const [m, ...rest] = await restricted("components/plan/slurm/slurmConf.ts", ['import * as pulumi from "@pulumi/pulumi";']);
        assert.match(m, /'@pulumi\/pulumi' import is restricted/);
        assert.deepEqual(rest, []);
    });

    it("refuses components/pulumi/ in components/plan/", async () => {
        const [m, ...rest] = await restricted("components/plan/slurm/slurmConf.ts", ['import { deploy } from "../../pulumi/deploy";']);
        assert.match(m, /'\.\.\/\.\.\/pulumi\/deploy' import is restricted/);
        assert.deepEqual(rest, []);
    });

    it("refuses both in lab/, type-only imports too", async () => {
        const found = await restricted("lab/labPlan.ts", [
            'import { Network } from "../components/pulumi/network";',
            'import type { Output } from "@pulumi/pulumi";',
        ]);
        assert.equal(found.length, 2, found.join("\n"));
        assert.match(found[0], /'\.\.\/components\/pulumi\/network' import is restricted/);
        assert.match(found[1], /'@pulumi\/pulumi' import is restricted/);
    });
});

describe("import graph (dependency-cruiser)", () => {
    let dir: string;
    before(() => {
        // A small tree laid out like the repo's, with a cycle of type-only imports
        // (erased when compiled, still a cycle in the source) and a plan module that
        // reaches components/pulumi/ only through a module outside both folders, and a
        // pack module that imports the plan beside a Node built-in.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-graph-"));
        const files: Record<string, string> = {
            "tsconfig.json": JSON.stringify({ compilerOptions: { module: "commonjs", moduleResolution: "node", strict: true } }),
            "components/plan/a.ts": 'import { B } from "./b";\nexport interface A { b?: B }\n',
            "components/plan/b.ts": 'import type { A } from "./a";\nexport interface B { a?: A }\n',
            "components/plan/c.ts": 'import { helper } from "../../other/d";\nexport const c = helper;\n',
            "other/d.ts": 'import { network } from "../components/pulumi/network";\nexport const helper = network;\n',
            "components/pulumi/network.ts": "export const network = 1;\n",
            "policy/decode.ts": 'import { gzipSync } from "zlib";\nimport { c } from "../components/plan/c";\nexport const d = [gzipSync, c];\n',
            // An area: its own files import each other freely; others go through its index.
            "components/plan/x/index.ts": 'export * from "./inner";\n',
            "components/plan/x/inner.ts": "export const inner = 1;\n",
            "components/plan/x/sibling.ts": 'import { inner } from "./inner";\nexport const sibling = inner;\n',
            "components/plan/y/z.ts": 'import { inner } from "../x/inner";\nimport { inner as viaIndex } from "../x";\nexport const z = [inner, viaIndex];\n',
            "other/e.ts": 'import { inner } from "../components/plan/x/inner";\nimport { inner as viaIndex } from "../components/plan/x";\nexport const e = [inner, viaIndex];\n',
        };
        for (const [rel, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
            fs.writeFileSync(path.join(dir, rel), text);
        }
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("fails on a cycle, on a plan module that reaches Pulumi, on a pack that imports the program, and on an area entered past its index", () => {
        const bin = path.join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
        const r = spawnSync(process.execPath, [bin, "--config", path.join(ROOT, ".dependency-cruiser.cjs"), "components", "other", "policy"], { cwd: dir, encoding: "utf8" });
        assert.notEqual(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /error no-circular: components\/plan\/a\.ts/);
        assert.match(r.stdout, /error plan-and-lab-reach-no-pulumi: components\/plan\/c\.ts → components\/pulumi\/network\.ts/);
        assert.match(r.stdout, /error policy-pack-self-contained: policy\/decode\.ts → components\/plan\/c\.ts/);
        assert.doesNotMatch(r.stdout, /policy-pack-self-contained: policy\/decode\.ts → zlib/);
        assert.match(r.stdout, /error area-entered-through-its-index: components\/plan\/y\/z\.ts → components\/plan\/x\/inner\.ts/);
        assert.match(r.stdout, /error area-entered-through-its-index-from-outside: other\/e\.ts → components\/plan\/x\/inner\.ts/);
        assert.doesNotMatch(r.stdout, /sibling\.ts →|→ components\/plan\/x\/index\.ts/);
        assert.match(r.stdout, /5 dependency violations \(5 errors/);
    });
});

describe("areas", () => {
    for (const [layer, entry] of [["components/plan", "plan.ts"], ["components/pulumi", "deploy.ts"]]) {
        it(`${layer}/ holds its entry point and area folders, each with an index.ts`, () => {
            const dir = path.join(ROOT, layer);
            const entries = fs.readdirSync(dir, { withFileTypes: true });
            assert.deepEqual(entries.filter((e) => e.isFile()).map((e) => e.name), [entry]);
            const areas = entries.filter((e) => e.isDirectory()).map((e) => e.name);
            assert.ok(areas.length >= 5, areas.join(", "));
            for (const a of areas) assert.ok(fs.existsSync(path.join(dir, a, "index.ts")), `${layer}/${a} has no index.ts`);
        });
    }
});
