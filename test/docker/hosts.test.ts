// Nodes on two Docker hosts: the lab gives each host its own on-premises
// network, with no route between them (Docker isolates bridge networks), so a step
// across hosts can only go through the controller's tunnels (tunnels.ts srunSlices).
import { strict as assert } from "assert";
import { up } from "../../lab/cluster";
import { docker } from "../../lab/docker";
import { containerName, LAB_TWO_HOSTS, labPlan } from "../../lab/labPlan";
import { ctl, finished, inNode, labDown, labUp, p, sbatch } from "./harness";

after(labDown);


describe("lab: nodes on two Docker hosts with no route between them", function () {
    const two = labPlan(LAB_TWO_HOSTS);
    const log = (s: string) => console.log(`      [lab] ${s}`);

    before(async function () {
        await labUp(this);
        this.timeout(15 * 60_000);
        await up(two, log);
    });


    it("puts each host's nodes on their own network, from which the other host's nodes cannot be reached", async () => {
        const ip = async (node: string) => (await docker(["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", containerName(node)])).trim().split(/\s+/);
        const nets = async (node: string) => Object.keys(JSON.parse(await docker(["inspect", "-f", "{{json .NetworkSettings.Networks}}", containerName(node)])));
        const [n1, n3] = [await nets("compute1"), await nets("compute3")];
        const onprem1 = n1.filter((n) => !n3.includes(n));
        assert.ok(onprem1.length === 1, `compute1 has a network compute3 has not: ${n1} vs ${n3}`);
        // compute1's address on that network, from compute3: no route (Docker's isolation drops it).
        const target = (await ip("compute1"))[n1.indexOf(onprem1[0])];
        const out = await inNode("compute3", `timeout 5 bash -c 'exec 3<>/dev/tcp/${target}/22' 2>&1; echo rc=$?`);
        assert.match(out, /rc=[1-9]/, out);
    });

    it("runs a step across both hosts inside a job, through the controller's tunnels", async function () {
        this.timeout(180_000);
        const job = await sbatch("-N3 -w compute[1-3] -o /tmp/hosts-%j.out --wrap 'srun -N3 hostname | sort; srun -N2 -w compute1,compute3 hostname | sort'");
        assert.deepEqual(await finished(job, 120_000), ["COMPLETED", "0:0"]);
        const out = (await inNode("compute1", `cat /tmp/hosts-${job}.out`)).trim();
        assert.equal(out, "compute1\ncompute2\ncompute3\ncompute1\ncompute3", out);
    });

    it("goes back to one host with up, though the slices move under running tunnels: every node runs a step", async function () {
        this.timeout(15 * 60_000);
        // The socket unit once failed here on a port a leaving node's -R still held (SRUN_HOLD_ADDRESS).
        await up(p, log);
        const out = await ctl(`timeout 60 srun -N${p.nodes.length} hostname | sort | xargs`);
        assert.equal(out.trim(), p.nodes.map((n) => n.name).sort().join(" "));
    });
});
