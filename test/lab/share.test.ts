// A compute node holds its declared share (issue #15, in part): Docker limits its
// container to the node's CPUs and memory, with no new privileges. Slurm schedules
// memory (CR_Core_Memory); enforcing a job's --mem without cgroups is still open.
import { strict as assert } from "assert";
import { DAEMON_HEADROOM_MB } from "../../components/plan/containers";
import { docker } from "../../lab/docker";
import { containerName } from "../../lab/labPlan";
import { inNode, labDown, labUp, p } from "./harness";

after(labDown);

describe("lab: a node holds its share", function () {
    before(async function () {
        await labUp(this);
    });

    it("runs each compute container under Docker limits of its node's memory and CPUs, no swap beyond, no new privileges", async () => {
        for (const n of p.nodes) {
            const [memory, swap, nanoCpus, opts] = (await docker(["inspect", "-f",
                "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{json .HostConfig.SecurityOpt}}", containerName(n.name)])).trim().split(" ");
            const bytes = (n.memoryMb + DAEMON_HEADROOM_MB) * 2 ** 20;
            assert.deepEqual([Number(memory), Number(swap), Number(nanoCpus)], [bytes, bytes, n.cpus * 1e9], n.name);
            assert.deepEqual(JSON.parse(opts), ["no-new-privileges:true"], n.name);
            // As the kernel holds the container to it, not only as Docker recorded it.
            assert.equal((await inNode(n.name, "grep -h NoNewPrivs /proc/1/status")).trim(), "NoNewPrivs:\t1");
        }
    });
});
