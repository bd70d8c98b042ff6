// policy/README.md is the pack's reference: one row per policy, with its level,
// what it reads and its Checkov equivalent. A policy added, renamed or moved to
// another level without its row fails here.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policy/policies";

describe("policy/README.md", () => {
    const rows = fs.readFileSync(path.resolve(__dirname, "../../policy/README.md"), "utf8")
        .split("\n").filter((l) => /^\| `[a-z0-9-]+` \| (mandatory|advisory|disabled) \|/.test(l))
        .map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));

    it("has one row per policy, with its level, what it checks and a Checkov column", () => {
        const byName = (a: string[], b: string[]) => a[0].localeCompare(b[0]);
        assert.deepStrictEqual(rows.map((r) => [r[0], r[1]]).sort(byName), policies.map((p) => [`\`${p.name}\``, String(p.enforcementLevel)]).sort(byName));
        for (const r of rows) {
            assert.strictEqual(r.length, 4, r[0]);
            assert.ok(r[2].length > 20 && r[3].length > 0, r[0]);
        }
    });
});
