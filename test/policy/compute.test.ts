import * as assert from "assert";
import { policies } from "../../policy/policies";
import { Props, StackResourceSpec, UNKNOWN, checkResource, checkStack, findPolicy } from "./util";

const INSTANCE = "aws:ec2/instance:Instance";
const SUBNET = "aws:ec2/subnet:Subnet";
const VOLUME = "aws:ebs/volume:Volume";

/** A compliant controller, as components/pulumi/hosts/controller.ts should declare it. */
function controller(overrides: Props = {}): Props {
    return {
        ami: "ami-0debian13mock",
        instanceType: "t3.medium",
        subnetId: "private-id",
        associatePublicIpAddress: false,
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
        rootBlockDevice: { volumeSize: 20, encrypted: true },
        tags: { Name: "hpc-controller", Role: "controller", Project: "hpc", ManagedBy: "pulumi" },
        ...overrides,
    };
}

describe("policy: compute", () => {
    describe("controller-no-public-ip (resource half)", () => {
        const policy = findPolicy(policies, "controller-no-public-ip");

        it("accepts a controller with associatePublicIpAddress: false", async () => {
            assert.deepStrictEqual(await checkResource(policy, INSTANCE, controller()), []);
        });

        it("rejects a controller with associatePublicIpAddress: true", async () => {
            const v = await checkResource(policy, INSTANCE, controller({ associatePublicIpAddress: true }));
            assert.strictEqual(v.length, 1);
            assert.match(v[0], /associatePublicIpAddress: false/);
        });

        it("rejects a controller that leaves associatePublicIpAddress undefined", async () => {
            const props = controller();
            delete props.associatePublicIpAddress;
            assert.strictEqual((await checkResource(policy, INSTANCE, props)).length, 1);
        });

        it("matches the Role tag case-insensitively on the value", async () => {
            const props = controller({ associatePublicIpAddress: undefined, tags: { Role: "Controller" } });
            assert.strictEqual((await checkResource(policy, INSTANCE, props)).length, 1);
        });

        it("ignores instances in other roles (the bastion has a public IP)", async () => {
            const bastion = controller({ associatePublicIpAddress: true, tags: { Role: "bastion" } });
            assert.deepStrictEqual(await checkResource(policy, INSTANCE, bastion), []);
        });
    });

    describe("controller-no-public-ip (stack half)", () => {
        const policy = findPolicy(policies, "controller-no-public-ip");
        const privateSubnet: StackResourceSpec = {
            type: SUBNET,
            name: "private",
            props: { id: "private-id", cidrBlock: "10.0.1.0/24", mapPublicIpOnLaunch: false },
        };
        const publicSubnet: StackResourceSpec = {
            type: SUBNET,
            name: "public",
            props: { id: "public-id", cidrBlock: "10.0.2.0/24", mapPublicIpOnLaunch: true },
        };
        const ctl: StackResourceSpec = { type: INSTANCE, name: "controller", props: { ...controller(), id: "ctl-id" } };
        const bastion: StackResourceSpec = {
            type: INSTANCE,
            name: "bastion",
            props: { ...controller({ subnetId: "public-id", tags: { Role: "bastion" } }), id: "bastion-id" },
        };

        it("accepts a controller in a private subnet with the only EIP on the bastion", async () => {
            const eip = { type: "aws:ec2/eip:Eip", name: "bastion-eip", props: { id: "e1", instance: "bastion-id" } };
            const natEip = { type: "aws:ec2/eip:Eip", name: "nat-eip", props: { id: "e2", domain: "vpc" } };
            assert.deepStrictEqual(await checkStack(policy, [privateSubnet, publicSubnet, ctl, bastion, eip, natEip]), []);
        });

        it("rejects a controller in a subnet that maps public IPs (matched by id)", async () => {
            const c = { ...ctl, props: { ...ctl.props, subnetId: "public-id" } };
            const v = await checkStack(policy, [privateSubnet, publicSubnet, c]);
            assert.strictEqual(v.length, 1);
            assert.match(v[0], /maps public IPs/);
        });

        it("rejects a public subnet found through property dependencies (ids unknown in preview)", async () => {
            const c = { ...ctl, props: { ...ctl.props, subnetId: undefined }, propertyDependencies: { subnetId: ["public"] } };
            assert.strictEqual((await checkStack(policy, [privateSubnet, publicSubnet, c])).length, 1);
        });

        it("judges a preview, where every id is unknown, by property dependencies alone", async () => {
            const unknownIds = (r: StackResourceSpec, deps: Record<string, string[]> = {}): StackResourceSpec => ({
                ...r,
                props: { ...r.props, id: UNKNOWN, ...(r.props.subnetId ? { subnetId: UNKNOWN } : {}) },
                propertyDependencies: deps,
            });
            const eip = { type: "aws:ec2/eip:Eip", name: "eip", props: { id: UNKNOWN, instance: UNKNOWN } };
            const resources = (subnet: string, eipTarget: string) => [
                unknownIds(privateSubnet),
                unknownIds(publicSubnet),
                unknownIds(ctl, { subnetId: [subnet] }),
                unknownIds(bastion, { subnetId: ["public"] }),
                { ...eip, propertyDependencies: { instance: [eipTarget] } },
            ];
            assert.deepStrictEqual(await checkStack(policy, resources("private", "bastion")), []);
            assert.strictEqual((await checkStack(policy, resources("public", "bastion"))).length, 1);
            assert.strictEqual((await checkStack(policy, resources("private", "controller"))).length, 1);
        });

        it("rejects a controller whose subnet is not in the stack, or that has none", async () => {
            const outside = { ...ctl, props: { ...ctl.props, subnetId: "subnet-elsewhere" } };
            assert.match((await checkStack(policy, [privateSubnet, outside]))[0], /not managed by this stack/);
            const none = { ...ctl, props: { ...ctl.props, subnetId: undefined } };
            assert.match((await checkStack(policy, [privateSubnet, none]))[0], /no subnetId/);
        });

        it("rejects an Eip whose instance is the controller", async () => {
            const eip = { type: "aws:ec2/eip:Eip", name: "ctl-eip", props: { id: "e1", instance: "ctl-id" } };
            const v = await checkStack(policy, [privateSubnet, ctl, eip]);
            assert.strictEqual(v.length, 1);
            assert.match(v[0], /ctl-eip/);
        });

        it("rejects an EipAssociation whose instanceId is the controller", async () => {
            const assoc = {
                type: "aws:ec2/eipAssociation:EipAssociation",
                name: "ctl-assoc",
                props: { id: "a1", allocationId: "eipalloc-1", instanceId: "ctl-id" },
            };
            const v = await checkStack(policy, [privateSubnet, ctl, assoc]);
            assert.strictEqual(v.length, 1);
            assert.match(v[0], /ctl-assoc/);
        });
    });

    describe("imdsv2-required", () => {
        const policy = findPolicy(policies, "imdsv2-required");

        it("accepts httpTokens: required", async () => {
            assert.deepStrictEqual(await checkResource(policy, INSTANCE, controller()), []);
        });

        it("rejects httpTokens: optional and missing metadataOptions", async () => {
            const optional = controller({ metadataOptions: { httpTokens: "optional" } });
            assert.strictEqual((await checkResource(policy, INSTANCE, optional)).length, 1);
            const missing = controller({ metadataOptions: undefined });
            assert.strictEqual((await checkResource(policy, INSTANCE, missing)).length, 1);
        });
    });

    describe("ebs-encrypted", () => {
        const policy = findPolicy(policies, "ebs-encrypted");

        it("accepts an encrypted root and encrypted extra volumes", async () => {
            const props = controller({ ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }] });
            assert.deepStrictEqual(await checkResource(policy, INSTANCE, props), []);
            assert.deepStrictEqual(await checkResource(policy, VOLUME, { size: 10, encrypted: true }), []);
        });

        it("rejects an unencrypted or unspecified root volume", async () => {
            const plain = controller({ rootBlockDevice: { volumeSize: 20, encrypted: false } });
            assert.strictEqual((await checkResource(policy, INSTANCE, plain)).length, 1);
            const unset = controller({ rootBlockDevice: undefined });
            assert.strictEqual((await checkResource(policy, INSTANCE, unset)).length, 1);
        });

        it("rejects an unencrypted extra block device", async () => {
            const props = controller({
                ebsBlockDevices: [
                    { deviceName: "/dev/sdf", encrypted: true },
                    { deviceName: "/dev/sdg" },
                ],
            });
            const v = await checkResource(policy, INSTANCE, props);
            assert.strictEqual(v.length, 1);
            assert.match(v[0], /ebsBlockDevices\[1\].*sdg/);
        });

        it("rejects an unencrypted aws.ebs.Volume", async () => {
            assert.strictEqual((await checkResource(policy, VOLUME, { size: 10 })).length, 1);
        });
    });

    describe("instance-type-allowed", () => {
        const policy = findPolicy(policies, "instance-type-allowed");

        it("accepts the default list's types", async () => {
            for (const t of ["t2.micro", "t3.medium", "t3.large"]) {
                assert.deepStrictEqual(await checkResource(policy, INSTANCE, controller({ instanceType: t })), []);
            }
        });

        it("rejects a type outside the list", async () => {
            const v = await checkResource(policy, INSTANCE, controller({ instanceType: "p4d.24xlarge" }));
            assert.strictEqual(v.length, 1);
        });

        it("honours a configured list", async () => {
            const config = { allowedInstanceTypes: ["m5.large"] };
            assert.deepStrictEqual(await checkResource(policy, INSTANCE, controller({ instanceType: "m5.large" }), { config }), []);
            assert.strictEqual((await checkResource(policy, INSTANCE, controller(), { config })).length, 1);
        });
    });
});
