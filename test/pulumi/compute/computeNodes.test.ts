// ComputeNodes declares its containers in batches, after its constructor returns: a
// declaration that fails there must reach `pulumi up`, not vanish in a promise.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../../../components/plan/config";
import { plan } from "../../../components/plan/plan";
import { ComputeNodes } from "../../../components/pulumi/compute";
import { installMocks, TEST_ADMIN_PUBLIC_KEY } from "../../../mocks";

describe("ComputeNodes", () => {
    const p = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], adminPublicKey: TEST_ADMIN_PUBLIC_KEY }));
    const args = {
        dockerHosts: p.dockerHosts, computeImage: p.computeImage, home: p.home.volume, clusterName: p.clusterName,
        homeServer: p.homeServer, containers: p.containers, dcgmExporters: p.dcgmExporters,
        generated: () => pulumi.output("generated"),
    };

    it("resolves ready once every container is declared", async () => {
        const m = installMocks({});
        const nodes = new ComputeNodes("t-compute", args);
        await nodes.ready;
        assert.deepEqual((await nodes.containers).length, p.containers.length);
        await pulumi.runtime.disconnect();
        assert.ok(m.resources.some((r) => r.name === `t-compute-${p.containers[0].node}`));
    });

    it("rejects ready with the reason when a container cannot be declared", async () => {
        installMocks({});
        const stray = { ...p.containers[1], host: "nowhere" };
        const nodes = new ComputeNodes("t-compute", { ...args, containers: [p.containers[0], stray] });
        await assert.rejects(nodes.ready, /runs on Docker host nowhere, which the plan does not declare/);
    });
});
