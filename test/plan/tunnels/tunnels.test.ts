// The peer path across Docker hosts, pure (tunnels.ts srunSlices): which forwards each
// node's tunnel carries, and what the controller's socket unit still holds.
import { strict as assert } from "assert";
import { parseConfig } from "../../../components/plan/config";
import { ClusterLayout, layout } from "../../../components/plan/layout";
import { controllerKeyOptions, nodeTunnel, rangePorts, splitSrunRange, srunSlices, tunnelledPeers } from "../../../components/plan/tunnels";

/** Three nodes; hosts as given (the layout's own field, so this test needs no dockerHosts config). */
function withHosts(hosts: string[]): ClusterLayout {
    const l = layout(parseConfig({ trustedCidrs: ["203.0.113.0/24"], computeNodes: [{ name: "a1" }, { name: "a2" }, { name: "b1" }] }));
    return { ...l, nodes: l.nodes.map((n, i) => ({ ...n, host: hosts[i] })) };
}

describe("the peer path across Docker hosts", () => {
    const one = withHosts(["a", "a", "a"]);
    const two = withHosts(["a", "a", "b"]);
    const half = rangePorts(splitSrunRange(two.ports.srun).compute);

    it("changes nothing on one host: no slices, no tunnelled peer", () => {
        assert.equal(srunSlices(one).size, 0);
        for (const n of one.nodes) assert.deepEqual(tunnelledPeers(one, n), []);
        const t = nodeTunnel(one, one.nodes[0]);
        assert.deepEqual(t.local, [one.ports.slurmctld, ...rangePorts(splitSrunRange(one.ports.srun).controller)]);
    });

    it("gives each node its own disjoint slice of the compute half", () => {
        const slices = [...srunSlices(two).values()].map(rangePorts);
        assert.equal(slices.length, 3);
        const all = slices.flat();
        assert.equal(new Set(all).size, all.length, "disjoint");
        assert.ok(all.every((port) => half.includes(port)), "inside the compute half");
        assert.ok(slices.every((s) => s.length >= 4), "room for an srun each");
        assert.ok(half.length - all.length < slices.length, "the slices leave less than one port per node unused");
    });

    it("reaches a peer on the other host through the tunnel, and one on its own host over its network", () => {
        const [a1, a2, b1] = two.nodes;
        assert.deepEqual(tunnelledPeers(two, a1).map((n) => n.name), ["b1"]);
        assert.deepEqual(tunnelledPeers(two, b1).map((n) => n.name), ["a1", "a2"]);
        const t = nodeTunnel(two, a1);
        assert.ok(t.local.includes(b1.ports.slurmd), "b1's slurmd through the controller");
        assert.ok(!t.local.includes(a2.ports.slurmd), "a2's slurmd over the host's network, not the tunnel");
    });

    it("forwards a node's own slice back from the controller, and holds every other port of the compute half", () => {
        const slices = srunSlices(two);
        for (const n of two.nodes) {
            const t = nodeTunnel(two, n);
            const own = rangePorts(slices.get(n.name)!);
            for (const port of own) assert.ok(t.remote.some((f) => f.listen === port && f.target === port), `${n.name} -R ${port}`);
            // Its sruns can bind nothing of the compute half but its own slice.
            assert.deepEqual(half.filter((port) => !t.local.includes(port)), own, n.name);
            // And the controller lets its key do exactly that.
            const opts = controllerKeyOptions(t);
            for (const port of own) assert.ok(opts.includes(`permitlisten="127.0.0.1:${port}"`), `${n.name} may listen on ${port}`);
            for (const port of half.filter((x) => !own.includes(x))) assert.ok(opts.includes(`permitopen="127.0.0.1:${port}"`), `${n.name} may open ${port}`);
        }
    });
});
