// inBatches, a pure helper: tested without mocks.
import { strict as assert } from "assert";
import { inBatches } from "../../../components/plan/compute";

describe("inBatches", () => {
    it("declares every item once, in order, and returns what each declaration made", async () => {
        assert.deepEqual(await inBatches([1, 2, 3, 4, 5], (x) => x * 10, 2), [10, 20, 30, 40, 50]);
        assert.deepEqual(await inBatches([], (x: number) => x, 2), []);
    });

    it("yields to the event loop between batches, so earlier registrations can settle", async () => {
        const seen: string[] = [];
        // Queued first, so it runs at the first yield: after batch one, before batch two.
        setImmediate(() => seen.push("event loop"));
        await inBatches([1, 2, 3, 4, 5], (x) => { seen.push(`declare ${x}`); return x; }, 2);
        assert.deepEqual(seen, ["declare 1", "declare 2", "event loop", "declare 3", "declare 4", "declare 5"]);
    });

    it("rejects a batch size that is not a positive integer, naming it", async () => {
        await assert.rejects(inBatches([1], (x) => x, 0), /batch size must be a positive integer, got 0/);
        await assert.rejects(inBatches([1], (x) => x, 2.5), /got 2\.5/);
    });
});
