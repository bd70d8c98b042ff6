// Every Node.js release this project admits (package.json `engines`) must be one
// its Pulumi packages admit too, or `npm ci` warns and `pulumi up` runs the SDK on
// a Node.js it no longer supports (3.249 and later want Node.js 22).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import { ROOT } from "../mocks";

interface Manifest { version: string; engines?: { node?: string }; dependencies?: Record<string, string> }
const read = (file: string): Manifest => JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
const root = read(path.join(ROOT, "package.json"));
const policy = read(path.join(ROOT, "policy", "package.json"));

/** The lowest Node.js version a range admits, e.g. ">=20" -> 20.0.0. */
function lowestNode(range: string): string {
    const min = semver.minVersion(range);
    if (!min) throw new Error(`engines.node "${range}" admits no version`);
    return min.version;
}

describe("Node.js engines", () => {
    const ours = root.engines?.node ?? "";
    const pulumiPackages = [...new Set([...Object.keys(root.dependencies ?? {}), ...Object.keys(policy.dependencies ?? {})])]
        .filter((d) => d.startsWith("@pulumi/")).sort();

    it("declares a Node.js range", () => assert.ok(semver.validRange(ours), `engines.node "${ours}"`));

    for (const dep of pulumiPackages) {
        it(`${dep}, as installed, runs on the oldest Node.js we admit`, () => {
            const m = read(require.resolve(`${dep}/package.json`, { paths: [ROOT, path.join(ROOT, "policy")] }));
            const theirs = m.engines?.node;
            if (!theirs) return; // the package sets no engines: any Node.js
            const oldest = lowestNode(ours);
            assert.ok(semver.satisfies(oldest, theirs), `${dep}@${m.version} wants node ${theirs}, but package.json admits ${oldest}`);
        });
    }

    it("policy/ pins the same @pulumi/pulumi as the program", () => {
        assert.equal(policy.dependencies?.["@pulumi/pulumi"], root.dependencies?.["@pulumi/pulumi"]);
    });
});
