// What a reviewer reads of a bootstrap step in `pulumi preview --diff`: the
// prelude and the script, each env value and each planned file, every one a text
// of its own. Pulumi diffs a changed multi-line string input line by line (two
// lines of context), so a one-line edit to a template or a script shows as that
// line under the file or script it belongs to. The host never receives this: it
// runs the step's command (steps.ts), the same parts gzipped into one argument.
import { createHash } from "crypto";
import { BootstrapStep, stepParts } from "./steps";

/**
 * A text over this size is reviewed by its digest, not its lines: at 1000 nodes the
 * tunnel key list (about 780 KB) and slurm.conf (about 190 KB) would each add their
 * whole size to the state, twice (inputs and outputs), and a diff of them would be
 * no shorter. Below it (about 160 nodes for the key list, 680 for slurm.conf) the
 * text is carried as it is.
 */
export const REVIEW_TEXT_LIMIT = 128 * 1024;

export interface StepReview {
    /** config-files/ path -> text: the prelude (bootstrap/lib.sh) and the step's script. */
    scripts: Record<string, string>;
    /** The env the program exports (no secrets: those come on stdin). */
    env: Record<string, string>;
    /** Each planned file by its path on the host. */
    files: Record<string, { mode: string; owner: string; content: string }>;
}

/** `text` itself, or one line naming its digest and size when it is over the limit. */
export function reviewText(text: string): string {
    const bytes = Buffer.byteLength(text);
    if (bytes <= REVIEW_TEXT_LIMIT) return text;
    const digest = createHash("sha256").update(text).digest("hex");
    return `sha256:${digest} (${bytes} bytes, ${text.split("\n").length} lines: over the ${REVIEW_TEXT_LIMIT / 1024} KiB review limit)`;
}

export function stepReview(step: BootstrapStep): StepReview {
    const { prelude, script, env, files } = stepParts(step);
    return {
        scripts: { [prelude.path]: reviewText(prelude.text), [script.path]: reviewText(script.text) },
        env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, reviewText(v)])),
        files: Object.fromEntries(files.map((f) => [f.path, { mode: f.mode, owner: f.owner, content: reviewText(f.content) }])),
    };
}
