// Several Docker hosts: each node on its host's engine and network, holding GPUs no
// other node on that host holds: the layout alone (the adapter: test/pulumi/compute/dockerHosts.test.ts).
import { strict as assert } from "assert";
import { AUTO, base, EXPLICIT, SSH, UNIX } from "../../fixtures/dockerHostConfigs";
import { parseConfig, RawConfig } from "../../../components/plan/config";
import { layout } from "../../../components/plan/layout";
import { dcgmTargets, nodeTargets } from "../../../components/plan/monitoring";
import { plan } from "../../../components/plan/plan";

const gpuIds = (raw: RawConfig) => Object.fromEntries(layout(parseConfig(raw)).nodes.map((n) => [n.name, n.gpuIds]));

describe("Docker hosts: the layout", () => {
    it("runs a config without dockerHosts on the one host local, on today's network", () => {
        const l = layout(parseConfig({ ...base, dockerHost: SSH }));
        assert.deepEqual(l.dockerHosts, [{ name: "local", url: SSH, network: "slurm_network" }]);
        assert.deepEqual(l.nodes.map((n) => [n.name, n.host, n.gpuIds]), [["compute1", "local", []], ["compute2", "local", [0, 1]]]);
    });

    it("gives each host its network, local keeping slurm_network, and each container its host's", () => {
        const p = plan(parseConfig(EXPLICIT));
        assert.deepEqual(p.dockerHosts.map((h) => [h.name, h.url, h.network, h.gpus]),
            [["gpusrv1", SSH, "slurm_network-gpusrv1", 4], ["local", UNIX, "slurm_network", undefined], ["site2", UNIX, "slurm_network-site2", undefined]]);
        assert.deepEqual(p.containers.map((c) => [c.name, c.host, c.network]),
            [["c1", "local", "slurm_network"], ["c2", "site2", "slurm_network-site2"], ["g2", "gpusrv1", "slurm_network-gpusrv1"], ["g3", "gpusrv1", "slurm_network-gpusrv1"]]);
        assert.deepEqual(p.dcgmExporters.map((d) => [d.node, d.host]), [["g2", "gpusrv1"], ["g3", "gpusrv1"]]);
        // The first host runs the home server.
        assert.deepEqual([p.homeServer.host, p.homeServer.network], ["gpusrv1", "slurm_network-gpusrv1"]);
    });

    it("labels each node's scrape targets with its own host's engine, which the Docker-host alerts group by", () => {
        const p = plan(parseConfig(AUTO));
        assert.deepEqual(nodeTargets(p).slice(2).map((t) => [t.labels.instance, t.labels.docker_host]), [["c1", UNIX], ["g1", UNIX], ["g2", SSH], ["g3", SSH]]);
        assert.deepEqual(dcgmTargets(p).map((t) => [t.labels.instance, t.labels.docker_host]), [["g1", UNIX], ["g2", SSH], ["g3", SSH]]);
    });

    it("assigns GPUs per host, lowest free first in config order: disjoint on one host, from 0 on each", () => {
        assert.deepEqual(gpuIds(AUTO), { c1: [], g1: [0], g2: [0, 1], g3: [2, 3] });
    });

    it("takes explicit deviceIds as given, and assigns the rest around them, even those of a later node", () => {
        assert.deepEqual(gpuIds(EXPLICIT), { c1: [], c2: [], g2: [3, 1], g3: [0, 2] });
        // g1 comes first and names nothing, but must not take g2's GPU 0.
        assert.deepEqual(gpuIds({ ...base, computeNodes: [{ name: "g1", gpus: 2 }, { name: "g2", gpus: 1, deviceIds: [0] }] }), { g1: [1, 2], g2: [0] });
    });
});
