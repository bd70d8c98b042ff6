// The EC2 settings every hpc-stack host shares, so a hardening choice is made once.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { InstancePlan } from "../../plan/layout";
import { platformUserData } from "../../plan/platform";

export interface HostInstanceArgs {
    host: InstancePlan;
    ami: pulumi.Input<string>;
    subnetId: pulumi.Input<string>;
    securityGroupId: pulumi.Input<string>;
    keyName: pulumi.Input<string>;
    associatePublicIpAddress: boolean;
    privateIp?: string;
    tags: Record<string, string>;
}

export function hostInstance(name: string, a: HostInstanceArgs, opts: pulumi.CustomResourceOptions): aws.ec2.Instance {
    return new aws.ec2.Instance(name, {
        ami: a.ami,
        instanceType: a.host.instanceType,
        subnetId: a.subnetId,
        vpcSecurityGroupIds: [a.securityGroupId],
        keyName: a.keyName,
        associatePublicIpAddress: a.associatePublicIpAddress,
        privateIp: a.privateIp,
        // IMDSv2 only, one hop: a container on the host cannot reach the instance role.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        rootBlockDevice: { volumeSize: a.host.rootVolumeGb, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
        // Names the platform: the one input whose change replaces the instance.
        userData: platformUserData(),
        userDataReplaceOnChange: true,
        tags: a.tags,
        volumeTags: a.tags,
    }, {
        ...opts,
        ignoreChanges: ["ami"],
        // A fixed private IP (the controller's: every tunnel and known_hosts line names
        // it) cannot be held by the replacement and the old instance at once.
        deleteBeforeReplace: a.privateIp !== undefined,
    });
}
