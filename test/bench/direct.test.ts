// The bench's direct-network baseline (bench/direct.ts): the same plan with nodes addressed
// directly, so that the only difference the bench measures is the tunnels.
import { strict as assert } from "assert";
import { SLURM_CONF_PATH } from "../../components/plan/slurm";
import { DIRECT_CONTROLLER_IP, directNodeAddress, directVariant } from "../../bench/direct";
import { LAB_TWO_HOSTS, labPlan } from "../../lab/labPlan";

const slurmConf = (p: ReturnType<typeof labPlan>) => p.steps.flatMap((s) => s.files).find((f) => f.path === SLURM_CONF_PATH)!.content;

describe("the direct-network baseline", () => {
    const p = labPlan();
    const { plan: d, options } = directVariant(p);

    it("addresses each node at its fixed address, and changes nothing else in slurm.conf", () => {
        const tunnelled = slurmConf(p).split("\n");
        const direct = slurmConf(d).split("\n");
        assert.equal(direct.length, tunnelled.length);
        const changed = direct.filter((l, i) => l !== tunnelled[i]);
        assert.deepEqual(changed, p.nodes.map((n) => tunnelled.find((l) => l.startsWith(`NodeName=${n.name} `))!
            .replace("NodeAddr=127.0.0.1", `NodeAddr=${directNodeAddress(n.index)}`)));
        // The containers get those addresses, and the controller its own on that network.
        assert.deepEqual(d.containers.map((c) => options.nodeAddresses[c.node]), p.nodes.map((n) => directNodeAddress(n.index)));
        assert.equal(options.controllerOnPrem, DIRECT_CONTROLLER_IP);
    });

    it("starts no tunnel on a node, which fetches its config from the controller's address", () => {
        for (const c of d.containers) {
            assert.equal(c.env.TUNNEL_TARGET, "");
            assert.equal(c.env.SLURM_CONF_SERVER, `${DIRECT_CONTROLLER_IP}:${p.ports.slurmctld}`);
            assert.deepEqual(c.hosts, [{ host: p.controller.hostname, ip: DIRECT_CONTROLLER_IP }]);
        }
        // The tunnelled plan is left as it was.
        assert.ok(p.containers.every((c) => c.env.TUNNEL_TARGET !== "" && c.hosts[0].ip === "127.0.0.1"));
    });

    it("refuses nodes on two Docker hosts' networks: the baseline has one", () => {
        assert.throws(() => directVariant(labPlan(LAB_TWO_HOSTS)), /one network/);
    });
});
