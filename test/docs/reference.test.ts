// The documentation is checked against the code, so it cannot drift: the config
// reference's keys and defaults against the schema and Pulumi.yaml, the outputs
// reference against what the real program exports; and the front page and each
// docs/ page stay short enough to read, and every relative link leads to a file.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { configSchema, DEFAULTS } from "../../components/plan/config";
import { DEV_STACK_FILE, runIndex, stackConfigFromFile, withTestAdminKey } from "../../mocks";

const ROOT = path.resolve(__dirname, "../..");
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), "utf8");
const README_MAX_LINES = 200;
const PAGE_MAX_LINES = 300;

/** The cells of each table row of a page whose first cell is one code span, e.g. | `clusterName` | `hpc` | … |. */
function tableRows(rel: string): string[][] {
    return read(rel).split("\n")
        .filter((l) => /^\| `[^`]+` \|/.test(l))
        .map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
}
const unquote = (cell: string) => cell.replace(/^`|`$/g, "");

/**
 * A default the page states as one code span, as the value the schema holds: `""`, `[]`,
 * `{}`, a whole number, true or false, else the string itself. Prose ("(required)",
 * "compute1 (CPU), …") states no literal, and yields undefined.
 */
function literalDefault(cell: string): { value: unknown } | undefined {
    const m = /^`([^`]*)`$/.exec(cell);
    if (!m) return undefined;
    const text = m[1];
    if (text === '""') return { value: "" };
    if (text === "[]") return { value: [] };
    if (text === "{}") return { value: {} };
    if (/^-?\d+$/.test(text)) return { value: Number(text) };
    if (text === "true" || text === "false") return { value: text === "true" };
    return { value: text };
}

/** Equal sets, or a message naming what each side lacks. */
function assertSameKeys(documented: string[], actual: string[], what: string): void {
    const missing = actual.filter((k) => !documented.includes(k));
    const extra = documented.filter((k) => !actual.includes(k));
    assert.deepEqual(documented, actual, `${what}: not documented: [${missing.join(", ")}]; documented but not there: [${extra.join(", ")}]`);
}

/** Every .md file under docs/, as paths relative to the repository. */
function docsPages(dir = "docs"): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.posix.join(dir, e.name);
        return e.isDirectory() ? docsPages(rel) : e.name.endsWith(".md") ? [rel] : [];
    }).sort();
}
const lineCount = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);

/** The targets of a page's markdown links and images, outside code blocks and code spans. */
function linkTargets(text: string): string[] {
    const prose = text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
    return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

describe("docs/reference/config.md", () => {
    const PAGE = "docs/reference/config.md";
    const rows = tableRows(PAGE);
    const topLevel = rows.filter((r) => !/[.[]/.test(unquote(r[0])));
    const documented = topLevel.map((r) => unquote(r[0])).sort();
    const project = parse(read("Pulumi.yaml")) as { config: Record<string, unknown> };

    it("documents exactly the schema's keys, once each", () => {
        assertSameKeys(documented, Object.keys(configSchema.shape).sort(), "the schema's keys");
        assert.equal(new Set(documented).size, documented.length, "a key documented twice");
    });

    it("documents exactly Pulumi.yaml's config keys", () => {
        assertSameKeys(documented, Object.keys(project.config).sort(), "Pulumi.yaml's config keys");
    });

    it("states each default as the schema applies it", () => {
        let compared = 0;
        for (const [key, cell] of topLevel.map((r) => [unquote(r[0]), r[1]])) {
            const stated = literalDefault(cell);
            if (!stated) continue;
            assert.deepEqual(stated.value, (DEFAULTS as Record<string, unknown>)[key], `${key}: the page says ${cell}`);
            compared++;
        }
        // Most keys state one literal: a table the parser no longer reads must not pass by comparing nothing.
        assert.ok(compared >= 30, `compared ${compared} defaults`);
    });

    it("documents a list field only of a documented key, with the default every default element has", () => {
        for (const r of rows.filter((x) => /\[\]\./.test(x[0]))) {
            const [top, field] = unquote(r[0]).split("[].");
            assert.ok(documented.includes(top), `${r[0]}: ${top} is not documented`);
            const stated = literalDefault(r[1]);
            const elements = (DEFAULTS as Record<string, unknown>)[top] as Record<string, unknown>[];
            if (stated) for (const e of elements) assert.deepEqual(stated.value, e[field], `${r[0]}: the page says ${r[1]}`);
        }
    });
});

describe("docs/reference/outputs.md", function () {
    this.timeout(60000);
    const rows = tableRows("docs/reference/outputs.md");
    let outputs: Record<string, unknown>;
    before(async () => {
        ({ outputs } = await runIndex(withTestAdminKey(stackConfigFromFile(DEV_STACK_FILE))));
    });

    it("documents exactly the outputs the program exports", () => {
        assertSameKeys(rows.map((r) => unquote(r[0])).sort(), Object.keys(outputs).sort(), "the program's outputs");
    });

    it("marks exactly the secret outputs as secret", async () => {
        for (const [name, secret] of rows.map((r) => [unquote(r[0]), r[1]])) {
            assert.ok(secret === "no" || secret === "**yes**", `${name}: the Secret column says ${secret}`);
            assert.ok(pulumi.Output.isInstance(outputs[name]), `${name} is not an output of the program`);
            assert.equal(await pulumi.isSecret(outputs[name] as pulumi.Output<unknown>), secret === "**yes**", `${name} secret`);
        }
    });
});

describe("README.md, CONTRIBUTING.md and docs/", () => {
    const pages = docsPages();

    it(`keeps README.md to ${README_MAX_LINES} lines`, () => {
        const n = lineCount(read("README.md"));
        assert.ok(n <= README_MAX_LINES, `README.md has ${n} lines: move what is not front-page matter into docs/`);
    });

    it(`keeps every docs/ page to ${PAGE_MAX_LINES} lines`, () => {
        assert.ok(pages.length >= 20, `found ${pages.length} pages`);
        for (const p of pages) {
            const n = lineCount(read(p));
            assert.ok(n <= PAGE_MAX_LINES, `${p} has ${n} lines: split it over two pages`);
        }
    });

    it("links every docs/ page from the hub, docs/README.md", () => {
        const hub = new Set(linkTargets(read("docs/README.md")).map((t) => path.posix.join("docs", t.split("#")[0])));
        for (const p of pages.filter((x) => x !== "docs/README.md")) assert.ok(hub.has(p), `docs/README.md does not link ${p}`);
    });

    it("has no relative link to a file that does not exist", () => {
        let checked = 0;
        for (const page of ["README.md", "CONTRIBUTING.md", ...pages]) {
            for (const target of linkTargets(read(page))) {
                if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
                const file = path.join(ROOT, path.dirname(page), decodeURIComponent(target.split("#")[0]));
                assert.ok(fs.existsSync(file), `${page} links ${target}, which does not exist`);
                checked++;
            }
        }
        assert.ok(checked >= 100, `checked ${checked} links`);
    });
});
