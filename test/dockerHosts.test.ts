// Several Docker hosts: each node on its host's engine and network, holding GPUs no
// other node on that host holds. The layout alone, then the Pulumi adapter under mocks.
import { strict as assert } from "assert";
import { parseConfig, RawConfig } from "../components/plan/config";
import { layout } from "../components/plan/layout";
import { plan } from "../components/plan/plan";
import { dcgmTargets, nodeTargets } from "../components/plan/monitoring";
import { deploy } from "../components/pulumi/deploy";
import { installMocks, Recorded, RecordingMocks, settle, TEST_ADMIN_PUBLIC_KEY } from "./mocks";

const UNIX = "unix:///var/run/docker.sock";
const SSH = "ssh://ops@gpusrv1";
const NFS = { homeNfsExport: "nas1.example.org:/export/home" };
const base: RawConfig = { trustedCidrs: ["203.0.113.0/24"] };

/** local runs c1 and g1 (1 GPU); gpusrv1 runs g2 and g3 (2 GPUs each), ids left to the layout. */
const AUTO: RawConfig = {
    ...base, ...NFS,
    dockerHosts: { local: { url: UNIX }, gpusrv1: { url: SSH, gpus: 4 } },
    computeNodes: [{ name: "c1" }, { name: "g1", gpus: 1 }, { name: "g2", gpus: 2, host: "gpusrv1" }, { name: "g3", gpus: 2, host: "gpusrv1" }],
};
/** gpusrv1 first (the home server's host); local and site2 share one engine; g2 names its GPUs, g3 takes what is left. */
const EXPLICIT: RawConfig = {
    ...base, ...NFS,
    dockerHosts: { gpusrv1: { url: SSH, gpus: 4 }, local: { url: UNIX }, site2: { url: UNIX } },
    computeNodes: [{ name: "c1" }, { name: "c2", host: "site2" }, { name: "g2", gpus: 2, host: "gpusrv1", deviceIds: [3, 1] }, { name: "g3", gpus: 2, host: "gpusrv1" }],
};

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

const PROVIDER = "pulumi:providers:docker";
const CONTAINER = "docker:index/container:Container";
const IMAGE = "docker:index/image:Image";

async function deployed(raw: RawConfig): Promise<RecordingMocks> {
    const mocks = installMocks({});
    await settle(await deploy(parseConfig({ adminPublicKey: TEST_ADMIN_PUBLIC_KEY, ...raw })) as unknown as Record<string, unknown>);
    return mocks;
}

/** A container by its resource name exactly (g1's exporter's name starts with g1's). */
function container(m: RecordingMocks, name: string): Recorded {
    const found = m.ofType(CONTAINER).filter((r) => r.name === `hpc-compute-${name}`);
    assert.equal(found.length, 1, `one container hpc-compute-${name}`);
    return found[0];
}
const deviceIds = (c: Recorded) => (c.inputs.deviceRequests as { deviceIds: string[] }[] | undefined)?.[0].deviceIds;

describe("Docker hosts: the Pulumi adapter", () => {
    describe("two hosts on two engines", () => {
        let m: RecordingMocks;
        before(async () => { m = await deployed(AUTO); });

        it("declares one provider per host, with its URL, local's under today's name", () => {
            assert.deepEqual(m.ofType(PROVIDER).map((r) => [r.name, r.inputs.host]), [["hpc-compute-docker", UNIX], ["hpc-compute-docker-gpusrv1", SSH]]);
        });

        it("starts each node container, and its DCGM exporter, with its host's provider and network", () => {
            const hostOf: Record<string, [string, string]> = { c1: ["hpc-compute-docker", "slurm_network"], g1: ["hpc-compute-docker", "slurm_network"],
                g2: ["hpc-compute-docker-gpusrv1", "slurm_network-gpusrv1"], g3: ["hpc-compute-docker-gpusrv1", "slurm_network-gpusrv1"] };
            for (const [node, [provider, network]] of Object.entries(hostOf)) {
                const c = container(m, node);
                assert.equal(c.options.provider, provider, node);
                assert.deepEqual((c.inputs.networksAdvanced as { name: string }[]).map((n) => n.name), [network], node);
                if (node !== "c1") assert.equal(container(m, `${node}-dcgm-exporter`).options.provider, provider, `${node}'s exporter`);
            }
        });

        it("builds the image, and makes the network, home volume and DCGM image, once per host: local's under today's names", () => {
            const names = (type: string) => m.ofType(type).map((r) => [r.name, r.options.provider]);
            assert.deepEqual(names(IMAGE), [["hpc-compute-image", "hpc-compute-docker"], ["hpc-compute-image-gpusrv1", "hpc-compute-docker-gpusrv1"]]);
            assert.deepEqual(names("docker:index/network:Network"), [["hpc-compute-network", "hpc-compute-docker"], ["hpc-compute-network-gpusrv1", "hpc-compute-docker-gpusrv1"]]);
            assert.deepEqual(names("docker:index/volume:Volume"), [["hpc-compute-home", "hpc-compute-docker"], ["hpc-compute-home-gpusrv1", "hpc-compute-docker-gpusrv1"]]);
            assert.deepEqual(names("docker:index/remoteImage:RemoteImage"),
                [["hpc-compute-dcgm-exporter-image", "hpc-compute-docker"], ["hpc-compute-dcgm-exporter-image-gpusrv1", "hpc-compute-docker-gpusrv1"]]);
            for (const v of m.ofType("docker:index/volume:Volume")) assert.equal((v.inputs.driverOpts as Record<string, string>).device, ":/export/home", v.name);
        });

        it("gives two GPU nodes on one host disjoint deviceIds", () => {
            const [g2, g3] = [deviceIds(container(m, "g2"))!, deviceIds(container(m, "g3"))!];
            assert.equal(g2.length + g3.length, 4);
            assert.deepEqual(g2.filter((id) => g3.includes(id)), [], `g2 ${g2} and g3 ${g3} share a GPU of gpusrv1`);
            // The exporter watches the GPUs its node holds.
            assert.deepEqual(deviceIds(container(m, "g3-dcgm-exporter")), g3);
        });

        it("lets GPU nodes on two hosts both hold their host's GPU 0", () => {
            assert.deepEqual(deviceIds(container(m, "g1")), ["0"]);
            assert.deepEqual(deviceIds(container(m, "g2")), ["0", "1"]);
        });
    });

    describe("three hosts, two sharing one engine, the first not local", () => {
        let m: RecordingMocks;
        before(async () => { m = await deployed(EXPLICIT); });

        it("honours explicit deviceIds, and gives the node beside them the rest", () => {
            assert.deepEqual(deviceIds(container(m, "g2")), ["3", "1"]);
            assert.deepEqual(deviceIds(container(m, "g3")), ["0", "2"]);
        });

        it("declares one home volume per engine: hosts on one engine share it, each with its own network", () => {
            assert.deepEqual(m.ofType("docker:index/volume:Volume").map((r) => [r.name, r.options.provider]),
                [["hpc-compute-home-gpusrv1", "hpc-compute-docker-gpusrv1"], ["hpc-compute-home", "hpc-compute-docker"]]);
            assert.deepEqual(m.ofType("docker:index/network:Network").map((r) => r.inputs.name), ["slurm_network-gpusrv1", "slurm_network", "slurm_network-site2"]);
            assert.equal(container(m, "c2").options.provider, "hpc-compute-docker-site2");
            assert.deepEqual(m.ofType(PROVIDER).map((r) => r.inputs.host), [SSH, UNIX, UNIX]);
        });

        it("runs the home server on the first host, gpusrv1, and pulls DCGM only where GPU nodes run", () => {
            const home = container(m, "home");
            assert.equal(home.options.provider, "hpc-compute-docker-gpusrv1");
            assert.deepEqual((home.inputs.networksAdvanced as { name: string }[]).map((n) => n.name), ["slurm_network-gpusrv1"]);
            assert.deepEqual(m.ofType("docker:index/remoteImage:RemoteImage").map((r) => r.name), ["hpc-compute-dcgm-exporter-image-gpusrv1"]);
        });
    });
});
