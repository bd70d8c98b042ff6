// The bootstrap steps run as `pulumi up` runs resources: a step starts as soon as every
// step in its dependsOn has succeeded, independent steps run at the same time, and
// --parallel caps how many. On a failure the running steps finish and no new one
// starts, unless continueOnError, which lets every step that does not depend on a
// failed one go on (the CLI's --continue-on-error). Pure: the runner is passed in.
import { orderSteps, StepNode } from "../components/plan/steps";

export interface GraphOptions {
    /** At most this many steps at once; 0 or absent: no cap, as `pulumi up` by default. */
    parallel?: number;
    /** Go on with the steps that do not depend on a failed one. */
    continueOnError?: boolean;
}

/** One step's run, as offsets in ms from the start of the graph. */
export interface StepSpan { id: string; startMs: number; endMs: number; ok: boolean }

export type GraphEvent =
    | { kind: "start"; id: string; atMs: number }
    | { kind: "end"; id: string; atMs: number; ok: true; report: string }
    | { kind: "end"; id: string; atMs: number; ok: false; error: string };

export interface GraphResult {
    reports: Record<string, string>;
    failures: { id: string; error: string }[];
    /** Steps never started: after a failure, or because a step they depend on failed. */
    notRun: string[];
    spans: StepSpan[];
}

/** Runs every step through run(), honouring dependsOn; never throws for a step's failure (see failures). */
export async function runGraph<S extends StepNode>(steps: S[], run: (s: S) => Promise<string>, opts: GraphOptions = {},
    onEvent: (e: GraphEvent) => void = () => undefined, now: () => number = Date.now): Promise<GraphResult> {
    const cap = opts.parallel && opts.parallel > 0 ? opts.parallel : Infinity;
    // Plan order, dependencies first: with --parallel 1 this is the serial order.
    const order = orderSteps(steps);
    const t0 = now();
    const done = new Set<string>();
    const failed = new Set<string>();
    const started = new Set<string>();
    const result: GraphResult = { reports: {}, failures: [], notRun: [], spans: [] };
    const running = new Map<string, Promise<void>>();

    const launch = (s: S): void => {
        started.add(s.id);
        const startMs = now() - t0;
        onEvent({ kind: "start", id: s.id, atMs: startMs });
        running.set(s.id, Promise.resolve().then(() => run(s)).then((report) => {
            done.add(s.id);
            result.reports[s.id] = report;
            const atMs = now() - t0;
            result.spans.push({ id: s.id, startMs, endMs: atMs, ok: true });
            onEvent({ kind: "end", id: s.id, atMs, ok: true, report });
        }, (e: unknown) => {
            failed.add(s.id);
            const error = e instanceof Error ? e.message : String(e);
            result.failures.push({ id: s.id, error });
            const atMs = now() - t0;
            result.spans.push({ id: s.id, startMs, endMs: atMs, ok: false });
            onEvent({ kind: "end", id: s.id, atMs, ok: false, error });
        }).finally(() => running.delete(s.id)));
    };

    for (;;) {
        const stopping = failed.size > 0 && !opts.continueOnError;
        if (!stopping) {
            for (const s of order) {
                if (running.size >= cap) break;
                if (!started.has(s.id) && s.dependsOn.every((d) => done.has(d))) launch(s);
            }
        }
        if (running.size === 0) break;
        await Promise.race(running.values());
    }
    result.notRun = order.filter((s) => !started.has(s.id)).map((s) => s.id);
    return result;
}

/** "+12.3s", the offset every line of the bootstrap's output starts with. */
export const offset = (ms: number): string => `+${(ms / 1000).toFixed(1).padStart(5)}s`;

/** The greatest number of steps of one host that ran at the same time, and one such set. */
export function maxOverlap(spans: StepSpan[], ids: (id: string) => boolean = () => true): { count: number; steps: string[] } {
    const mine = spans.filter((s) => ids(s.id));
    let best: { count: number; steps: string[] } = { count: 0, steps: [] };
    for (const s of mine) {
        // At the moment s starts, every span that started no later and has not ended runs beside it.
        const beside = mine.filter((o) => o.startMs <= s.startMs && o.endMs > s.startMs);
        if (beside.length > best.count) best = { count: beside.length, steps: beside.map((o) => o.id).sort() };
    }
    return best;
}
