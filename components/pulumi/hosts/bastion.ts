import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { hostInstance } from "./instance";
import { InstancePlan } from "../../plan/layout";
import { nameTags } from "../../plan/plan";
import { IngressRule, securityGroupWithRules } from "../network";

export interface BastionArgs {
    /** Its instance type, root volume and user data. */
    host: InstancePlan;
    /** Who may reach its SSH port, by address family: nothing else is open to the internet. */
    trustedCidrs: { ipv4: string[]; ipv6: string[] };
    /** The cluster's tags, on every resource (each adds its Name). */
    tags: Record<string, string>;
    vpcId: pulumi.Input<string>;
    /** The public subnet. */
    subnetId: pulumi.Input<string>;
    /** The platform's Debian AMI. */
    ami: pulumi.Input<string>;
    /** The admin's EC2 key pair. */
    keyName: pulumi.Input<string>;
}

/** The only host with a public address: SSH from trustedCidrs, nothing else. */
export class Bastion extends pulumi.ComponentResource {
    public readonly securityGroup: aws.ec2.SecurityGroup;
    public readonly instance: aws.ec2.Instance;
    public readonly publicIp: pulumi.Output<string>;
    /** Its VPC-private address (not fixed: a replacement comes up before the old one goes). */
    public readonly privateIp: pulumi.Output<string>;

    constructor(name: string, args: BastionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hpc-stack:bastion:Bastion", name, {}, opts);
        const ssh = { from: 22, to: 22 };
        const ingress: IngressRule[] = [
            ...args.trustedCidrs.ipv4.map((c, i) => ({ id: `ssh-v4-${i}`, description: `SSH from trusted ${c}`, ports: ssh, source: { cidrIpv4: c } })),
            ...args.trustedCidrs.ipv6.map((c, i) => ({ id: `ssh-v6-${i}`, description: `SSH from trusted ${c}`, ports: ssh, source: { cidrIpv6: c } })),
        ];
        this.securityGroup = securityGroupWithRules(`${name}-sg`, {
            vpcId: args.vpcId,
            description: "hpc-stack bastion: SSH from trusted CIDRs only",
            tags: nameTags(args.tags, `${name}-sg`),
            ingress,
        }, { parent: this });

        this.instance = hostInstance(`${name}-instance`, {
            host: args.host,
            ami: args.ami,
            subnetId: args.subnetId,
            securityGroupId: this.securityGroup.id,
            keyName: args.keyName,
            // The Elastic IP below is the public address; a second, ephemeral one would only leak.
            associatePublicIpAddress: false,
            tags: nameTags(args.tags, name, "bastion"),
        }, { parent: this });

        // A stable address: it goes into ssh configs, firewalls and known_hosts.
        const eip = new aws.ec2.Eip(`${name}-eip`, {
            domain: "vpc",
            instance: this.instance.id,
            tags: nameTags(args.tags, `${name}-eip`),
        }, { parent: this });
        this.publicIp = eip.publicIp;

        this.privateIp = this.instance.privateIp;

        this.registerOutputs({ publicIp: this.publicIp, instanceId: this.instance.id });
    }

    /**
     * Lets the controller's Prometheus scrape this host's node exporter, which listens
     * on the private address only: from the controller's security group, nothing else.
     * A method, since the controller's group is declared after the bastion's.
     */
    allowMetricsFrom(name: string, controllerSecurityGroupId: pulumi.Input<string>, port: number, tags: Record<string, string>): aws.vpc.SecurityGroupIngressRule {
        return new aws.vpc.SecurityGroupIngressRule(name, {
            securityGroupId: this.securityGroup.id,
            description: "node exporter, from the controller's Prometheus",
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            referencedSecurityGroupId: controllerSecurityGroupId,
            tags,
        }, { parent: this.securityGroup });
    }
}
