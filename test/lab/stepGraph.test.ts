// The lab's step executor (lab/stepGraph.ts) against steps whose ends the test
// decides: what starts together, what waits, and what a failure stops.
import { strict as assert } from "assert";
import { orderSteps } from "../../components/plan/steps";
import { maxOverlap, runGraph } from "../../lab/stepGraph";

interface S { id: string; dependsOn: string[] }
const step = (id: string, ...dependsOn: string[]): S => ({ id, dependsOn });

/**
 * A runner whose steps end only when the test says so: started() lists what runs,
 * finish(id) or fail(id) ends it. A virtual clock makes every span exact.
 */
function controlled() {
    let clock = 0;
    const pending = new Map<string, { ok: () => void; ko: (e: Error) => void }>();
    const order: string[] = [];
    const run = (s: S) => new Promise<string>((resolve, reject) => {
        order.push(s.id);
        pending.set(s.id, { ok: () => resolve(`hpc-step ${s.id}: changed=0 unchanged=1`), ko: reject });
    });
    const tick = () => new Promise((r) => setImmediate(r));
    return {
        run, order, now: () => clock,
        running: () => [...pending.keys()].sort(),
        async finish(id: string, at: number) { clock = at; pending.get(id)!.ok(); pending.delete(id); await tick(); await tick(); },
        async fail(id: string, at: number) { clock = at; pending.get(id)!.ko(new Error(`${id} broke`)); pending.delete(id); await tick(); await tick(); },
        tick,
    };
}

// The plan's shape: one root, a fan-out, a join.
const STEPS = [step("ssh"), step("munge", "ssh"), step("db", "ssh"), step("users", "ssh"), step("dbd", "munge", "db"), step("accounts", "dbd", "users")];

describe("runGraph: the bootstrap as pulumi up runs it", () => {
    it("starts every step whose dependencies are done at once, and a join only after all of them", async () => {
        const c = controlled();
        const done = runGraph(STEPS, c.run, {}, undefined, c.now);
        await c.tick();
        assert.deepEqual(c.running(), ["ssh"]);
        await c.finish("ssh", 1000);
        assert.deepEqual(c.running(), ["db", "munge", "users"], "the fan-out runs together, with no cap");
        await c.finish("munge", 2000);
        assert.deepEqual(c.running(), ["db", "users"], "dbd waits for db too");
        await c.finish("db", 3000);
        assert.deepEqual(c.running(), ["dbd", "users"]);
        await c.finish("dbd", 4000);
        await c.finish("users", 5000);
        await c.finish("accounts", 6000);
        const r = await done;
        assert.deepEqual(r.failures, []);
        assert.deepEqual(r.notRun, []);
        assert.equal(Object.keys(r.reports).length, STEPS.length);
        assert.deepEqual(r.spans.find((s) => s.id === "users"), { id: "users", startMs: 1000, endMs: 5000, ok: true });
        assert.deepEqual(maxOverlap(r.spans), { count: 3, steps: ["db", "munge", "users"] });
    });

    it("--parallel 1 runs the steps one by one, in the serial order (orderSteps)", async () => {
        const c = controlled();
        const done = runGraph(STEPS, c.run, { parallel: 1 }, undefined, c.now);
        for (let i = 0; i < STEPS.length; i++) {
            await c.tick();
            assert.equal(c.running().length, 1, `one at a time (${c.running().join(",")})`);
            await c.finish(c.running()[0], (i + 1) * 1000);
        }
        const r = await done;
        assert.deepEqual(c.order, orderSteps(STEPS).map((s) => s.id));
        assert.equal(maxOverlap(r.spans).count, 1);
    });

    it("--parallel 2 never runs more than two", async () => {
        const c = controlled();
        const done = runGraph(STEPS, c.run, { parallel: 2 }, undefined, c.now);
        await c.tick();
        await c.finish("ssh", 1);
        assert.deepEqual(c.running(), ["db", "munge"]);
        await c.finish("munge", 2);
        assert.deepEqual(c.running(), ["db", "users"]);
        for (const id of ["db", "users", "dbd", "accounts"]) await c.finish(id, 3);
        assert.equal((await done).failures.length, 0);
    });

    it("after a failure, lets the running steps finish and starts none, listing every failure and what never ran", async () => {
        const c = controlled();
        const events: string[] = [];
        const done = runGraph(STEPS, c.run, {}, (e) => events.push(`${e.kind} ${e.id}${e.kind === "end" ? (e.ok ? " ok" : " failed") : ""}`), c.now);
        await c.tick();
        await c.finish("ssh", 1);
        await c.fail("munge", 2);
        assert.deepEqual(c.running(), ["db", "users"], "the running steps are not cut off");
        await c.fail("users", 3);
        await c.finish("db", 4);
        const r = await done;
        assert.deepEqual(c.running(), [], "nothing started after the failure: not dbd, though db succeeded");
        assert.deepEqual(r.failures.map((f) => [f.id, f.error]), [["munge", "munge broke"], ["users", "users broke"]]);
        assert.deepEqual(r.notRun, ["dbd", "accounts"]);
        assert.ok(r.reports.db, "what succeeded is reported");
        assert.deepEqual(events.filter((e) => e.includes("failed")), ["end munge failed", "end users failed"]);
    });

    it("with continueOnError, goes on with every step that does not depend on a failed one", async () => {
        const c = controlled();
        const steps = [...STEPS, step("exporter", "ssh"), step("prometheus", "exporter")];
        const done = runGraph(steps, c.run, { continueOnError: true }, undefined, c.now);
        await c.tick();
        await c.finish("ssh", 1);
        await c.fail("munge", 2);
        await c.finish("exporter", 3);
        assert.deepEqual(c.running(), ["db", "prometheus", "users"], "prometheus starts after munge failed");
        for (const id of ["db", "prometheus", "users"]) await c.finish(id, 4);
        const r = await done;
        assert.deepEqual(r.failures.map((f) => f.id), ["munge"]);
        assert.deepEqual(r.notRun, ["dbd", "accounts"], "only munge's dependents are left out");
    });

    it("refuses an unknown or cyclic dependency before running anything", async () => {
        const c = controlled();
        await assert.rejects(runGraph([step("a", "nope")], c.run), /step a depends on unknown step nope/);
        await assert.rejects(runGraph([step("a", "b"), step("b", "a")], c.run), /cycle/);
        assert.deepEqual(c.order, []);
    });
});
