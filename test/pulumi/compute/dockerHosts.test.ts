// Several Docker hosts: each node on its host's engine and network, holding GPUs no
// other node on that host holds: the Pulumi adapter under mocks (the layout: test/plan/config/dockerHosts.test.ts).
import { strict as assert } from "assert";
import { AUTO, EXPLICIT, SSH, UNIX } from "../../fixtures/dockerHostConfigs";
import { parseConfig, RawConfig } from "../../../components/plan/config";
import { deploy } from "../../../components/pulumi/deploy";
import { installMocks, Recorded, RecordingMocks, settle, TEST_ADMIN_PUBLIC_KEY } from "../../../mocks";

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
