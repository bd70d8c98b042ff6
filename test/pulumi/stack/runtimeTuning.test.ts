import { strict as assert } from "assert";
import { tuneStackTraces } from "../../../components/pulumi/stack";

describe("runtime tuning", () => {
    const saved = Error.stackTraceLimit;
    afterEach(() => { Error.stackTraceLimit = saved; });

    it("turns off the SDK's per-promise stack capture by default", () => {
        Error.stackTraceLimit = 10;
        assert.equal(tuneStackTraces({}), 0);
    });

    it("keeps full traces when promise-leak debugging or HPC_STACK_FULL_TRACES asks for them", () => {
        Error.stackTraceLimit = 10;
        assert.equal(tuneStackTraces({ PULUMI_DEBUG_PROMISE_LEAKS: "1" }), 10);
        assert.equal(tuneStackTraces({ HPC_STACK_FULL_TRACES: "1" }), 10);
    });
});
