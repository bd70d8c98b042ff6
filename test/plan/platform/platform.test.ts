// The platform is named once, and a stack deployed on another one is refused
// (or, when the user says so, rebuilt whole) before anything is declared.
import { strict as assert } from "assert";
import { checkPlatform, PLATFORM_ID, PlatformChangeError, UNNAMED_PLATFORM_ID } from "../../../components/plan/platform";
import { DEV_STACK_FILE, runIndex, stackConfigFromFile, withTestAdminKey } from "../../../mocks";

describe("platform: one Debian release and Slurm series for every host", () => {
    it("is Debian 13 with Slurm 24.11", () => assert.equal(PLATFORM_ID, "debian-13/slurm-24.11"));

    describe("checkPlatform", () => {
        it("lets a stack never deployed, or already on this platform, go ahead", () => {
            assert.deepEqual(checkPlatform({ deployed: false }, ""), { replaceHosts: false });
            assert.deepEqual(checkPlatform({ deployed: true, platform: PLATFORM_ID }, ""), { replaceHosts: false });
        });

        it("refuses a stack of an earlier release, naming both platforms and the way out", () => {
            assert.throws(() => checkPlatform({ deployed: true }, ""), (e: Error) => e instanceof PlatformChangeError
                && e.message.includes(`this stack runs ${UNNAMED_PLATFORM_ID}, and this program deploys ${PLATFORM_ID}`)
                && /cannot convert a 22\.05 accounting database in one step/.test(e.message)
                && e.message.includes(`pulumi config set hpc-stack:replaceForPlatform ${PLATFORM_ID}`)
                && /dump the accounting database/.test(e.message));
            assert.throws(() => checkPlatform({ deployed: true, platform: "debian-14/slurm-25.11" }, ""), /runs debian-14\/slurm-25\.11/);
        });

        it("rebuilds the hosts when replaceForPlatform names this platform", () => {
            assert.deepEqual(checkPlatform({ deployed: true }, PLATFORM_ID), { replaceHosts: true, from: UNNAMED_PLATFORM_ID });
        });
    });

    describe("the program under mocks", () => {
        const dev = withTestAdminKey(stackConfigFromFile(DEV_STACK_FILE));
        // What a stack deployed by the Debian 12 releases of hpc-stack exports: no platform output.
        const debian12Stack = { clusterName: "hpc", controllerPrivateIp: "10.0.1.10", vpcId: "vpc-1" };

        it("refuses a Debian 12 stack before declaring anything but the reference to itself", async () => {
            let mocks: Awaited<ReturnType<typeof runIndex>>["mocks"] | undefined;
            await assert.rejects(runIndex(dev, debian12Stack).then((r) => { mocks = r.mocks; }),
                (e: Error) => e.message.includes("this stack runs debian-12/slurm-22.05") && e.message.includes("replaceForPlatform"));
            assert.equal(mocks, undefined);
        });

        it("declares only the self reference when it refuses", async () => {
            const { installMocks } = await import("../../../mocks");
            const { deploy } = await import("../../../components/pulumi/deploy");
            const { decodeEngineConfig, parseConfig } = await import("../../../components/plan/config");
            const m = installMocks(dev, "hpc-stack", "dev", debian12Stack);
            await assert.rejects(deploy(parseConfig(decodeEngineConfig("hpc-stack", dev))), /debian-12\/slurm-22\.05/);
            assert.deepEqual(m.resources.map((r) => r.type), ["pulumi:pulumi:StackReference"]);
            assert.equal(m.resources[0].inputs.name, "organization/hpc-stack/dev");
        });

        it("deploys it whole when replaceForPlatform is set, and exports the new platform", async () => {
            const { mocks, outputs } = await runIndex({ ...dev, "hpc-stack:replaceForPlatform": PLATFORM_ID }, debian12Stack);
            assert.ok(mocks.ofType("aws:ec2/instance:Instance").length === 2);
            assert.ok(mocks.ofType("docker:index/container:Container").length > 0);
            const { value } = await import("../../../mocks");
            assert.equal(await value(outputs.platform as never), PLATFORM_ID);
        });

        it("goes ahead on a stack that already runs this platform", async () => {
            const { mocks } = await runIndex(dev, { ...debian12Stack, platform: PLATFORM_ID });
            assert.ok(mocks.ofType("aws:ec2/instance:Instance").length === 2);
        });
    });
});
