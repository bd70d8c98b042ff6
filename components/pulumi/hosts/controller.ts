import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { hostInstance } from "./instance";
import { InstancePlan } from "../../plan/layout";
import { nameTags } from "../../plan/plan";
import { IngressRule, securityGroupWithRules } from "../network";

export interface ControllerArgs {
    /** Its instance type, root volume, user data and fixed private address. */
    host: InstancePlan & { privateIp: string };
    /** The cluster's tags, on every resource (each adds its Name). */
    tags: Record<string, string>;
    vpcId: pulumi.Input<string>;
    /** The private subnet: the controller never gets a public address. */
    subnetId: pulumi.Input<string>;
    /** The platform's Debian AMI. */
    ami: pulumi.Input<string>;
    /** The admin's EC2 key pair. */
    keyName: pulumi.Input<string>;
    /** SSH is allowed only from this group (the bastion's). */
    bastionSecurityGroupId: pulumi.Input<string>;
}

/**
 * The Slurm controller: private IP only, SSH from the bastion and nothing else. Every
 * Slurm node reaches slurmctld through its tunnel, on the loopback; no host in the VPC
 * is a Slurm node, so no Slurm port opens to it (a bastion would reach slurmctld and
 * slurmdbd before authentication).
 */
export class Controller extends pulumi.ComponentResource {
    public readonly securityGroup: aws.ec2.SecurityGroup;
    public readonly instance: aws.ec2.Instance;
    public readonly privateIp: pulumi.Output<string>;

    constructor(name: string, args: ControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hpc-stack:controller:Controller", name, {}, opts);
        const ingress: IngressRule[] = [
            { id: "ssh-from-bastion", description: "SSH from the bastion", ports: { from: 22, to: 22 }, source: { securityGroupId: args.bastionSecurityGroupId } },
        ];
        this.securityGroup = securityGroupWithRules(`${name}-sg`, {
            vpcId: args.vpcId,
            description: "hpc-stack controller: SSH from the bastion",
            tags: nameTags(args.tags, `${name}-sg`),
            ingress,
        }, { parent: this });

        this.instance = hostInstance(`${name}-instance`, {
            host: args.host,
            ami: args.ami,
            subnetId: args.subnetId,
            securityGroupId: this.securityGroup.id,
            keyName: args.keyName,
            associatePublicIpAddress: false,
            // Fixed, so the bastion's tunnel key can be pinned to permitopen="<ip>:22" at plan time.
            privateIp: args.host.privateIp,
            tags: nameTags(args.tags, name, "controller"),
        }, { parent: this });
        this.privateIp = this.instance.privateIp;

        this.registerOutputs({ privateIp: this.privateIp, instanceId: this.instance.id });
    }
}
