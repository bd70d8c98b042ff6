// What a reviewer of `pulumi preview --diff` sees: the real program run twice under
// mocks, once as it is and once with one line of a template or a script changed
// (a pull request), and the inputs that differ compared as the CLI shows them
// (secrets masked). Pulumi prints a changed multi-line string as its changed
// lines, so the change is readable when some input that differs is a text whose
// only changed line is that line.
import { strict as assert } from "assert";
import { patchConfigFile } from "../../../components/plan/steps";
import { DEV_STACK_FILE, runIndex, stackConfigFromFile, withTestAdminKey } from "../../../mocks";

type Inputs = Map<string, Record<string, unknown>>;

/** Every resource's plain inputs, by type and name. */
async function plainInputs(): Promise<Inputs> {
    const { mocks } = await runIndex(withTestAdminKey(stackConfigFromFile(DEV_STACK_FILE)));
    return new Map(mocks.resources.map((r) => [`${r.type}::${r.name}`, r.plainInputs]));
}

/** The string leaves that differ between two input trees: [path, before, after]. */
function changedTexts(a: unknown, b: unknown, at = ""): [string, string, string][] {
    if (typeof a === "string" && typeof b === "string") return a === b ? [] : [[at, a, b]];
    if (a && b && typeof a === "object" && typeof b === "object") {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
        return keys.flatMap((k) => changedTexts((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`));
    }
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [[at, JSON.stringify(a), JSON.stringify(b)]];
}

/** Lines only in `before`, and lines only in `after`. */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
    const [x, y] = [before.split("\n"), after.split("\n")];
    return { removed: x.filter((l) => !y.includes(l)), added: y.filter((l) => !x.includes(l)) };
}

describe("readable diffs: a one-line change shows as that line in the changed inputs", function () {
    this.timeout(120_000);
    let original: Inputs;
    before(async () => { original = await plainInputs(); });

    /** Runs the program with `from` replaced by `to` in config-files/<rel>; returns what changed, by resource. */
    async function edit(rel: string, from: string, to: string): Promise<Map<string, [string, string, string][]>> {
        const restore = patchConfigFile(rel, (t) => {
            assert.equal(t.split("\n").filter((l) => l === from).length, 1, `${rel} has one line "${from}"`);
            return t.replace(from, to);
        });
        try {
            const after = await plainInputs();
            assert.deepEqual([...after.keys()].sort(), [...original.keys()].sort());
            return new Map([...after].map(([k, v]): [string, [string, string, string][]] => [k, changedTexts(original.get(k), v)]).filter(([, c]) => c.length));
        } finally {
            restore();
        }
    }

    /** The changed inputs whose only changed line is from -> to: what the reviewer reads. */
    const readable = (changes: [string, string, string][], from: string, to: string) =>
        changes.filter(([, a, b]) => JSON.stringify(lineDiff(a, b)) === JSON.stringify({ removed: [from], added: [to] })).map(([at]) => at);

    it("a line of slurm.conf.tmpl, under /etc/slurm/slurm.conf of the one step that installs it", async () => {
        const changed = await edit("slurm/slurm.conf.tmpl", "MpiDefault=none", "MpiDefault=pmix");
        assert.deepEqual([...changed.keys()], ["command:remote:Command::hpc-bootstrap-controller-slurmctld"]);
        const changes = [...changed.values()][0];
        assert.deepEqual(readable(changes, "MpiDefault=none", "MpiDefault=pmix"), [".triggers.1.files./etc/slurm/slurm.conf.content"]);
        // The command that carries it changes too, as one opaque string: that is what the host runs.
        assert.deepEqual(changes.map(([at]) => at).sort(), [".create", ".triggers.1.files./etc/slurm/slurm.conf.content"]);
    });

    it("a line of a step script, under its config-files/ path, in both steps that run it (which take secrets on stdin)", async () => {
        const [from, to] = ["install -d -m 0755 /run/sshd", "install -d -m 0711 /run/sshd"];
        const changed = await edit("bootstrap/host-ssh.sh", from, to);
        const steps = ["bastion-ssh", "controller-ssh"];
        assert.deepEqual([...changed.keys()], steps.map((s) => `command:remote:Command::hpc-bootstrap-${s}`));
        for (const changes of changed.values()) assert.deepEqual(readable(changes, from, to), [".triggers.1.scripts.bootstrap/host-ssh.sh"]);
    });
});
