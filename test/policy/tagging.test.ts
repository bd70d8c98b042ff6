import * as assert from "assert";
import { policies } from "../../policy/policies";
import { NotApplicable, checkResource, findPolicy } from "./util";

const TAGS = { Name: "hpc-vpc", Project: "hpc", ManagedBy: "pulumi" };

describe("policy: tagging", () => {
    describe("required-tags", () => {
        const policy = findPolicy(policies, "required-tags");

        it("accepts a taggable resource with Name, Project and ManagedBy", async () => {
            assert.deepStrictEqual(await checkResource(policy, "aws:ec2/vpc:Vpc", { cidrBlock: "10.0.0.0/16", tags: TAGS }), []);
        });

        it("counts the provider's defaultTags", async () => {
            const provider = { type: "pulumi:providers:aws", props: { defaultTags: { tags: { Project: "hpc", ManagedBy: "pulumi" } } } };
            const v = await checkResource(policy, "aws:ec2/subnet:Subnet", { tags: { Name: "private" } }, { provider });
            assert.deepStrictEqual(v, []);
        });

        it("rejects a known taggable type with no tags at all", async () => {
            const v = await checkResource(policy, "aws:ec2/natGateway:NatGateway", { subnetId: "s-1" });
            assert.deepStrictEqual(v, ["Missing required tag(s): Name, Project, ManagedBy."]);
        });

        it("rejects an empty tag value, and any aws resource that declares tags", async () => {
            const v = await checkResource(policy, "aws:ec2/vpc:Vpc", { tags: { ...TAGS, Project: " " } });
            assert.deepStrictEqual(v, ["Missing required tag(s): Project."]);
            const s3 = await checkResource(policy, "aws:s3/bucketV2:BucketV2", { tags: { Name: "b" } });
            assert.strictEqual(s3.length, 1);
        });

        it("honours a configured list", async () => {
            const config = { requiredTags: ["Owner"] };
            assert.deepStrictEqual(await checkResource(policy, "aws:ec2/vpc:Vpc", { tags: { Owner: "hpc" } }, { config }), []);
            assert.strictEqual((await checkResource(policy, "aws:ec2/vpc:Vpc", { tags: TAGS }, { config })).length, 1);
        });

        it("does not apply to untagged rule resources or non-AWS resources", async () => {
            for (const type of ["aws:ec2/securityGroupRule:SecurityGroupRule", "docker:index/container:Container"]) {
                await assert.rejects(checkResource(policy, type, {}), NotApplicable);
            }
        });
    });
});
