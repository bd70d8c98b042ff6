import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NetworkPlan } from "../../plan/layout";
import { nameTags } from "../../plan/plan";

export interface NetworkArgs {
    /** The VPC's and subnets' CIDRs, their availability zone, and each resource's Name. */
    network: NetworkPlan;
    /** The cluster's tags, on every resource (each adds its Name). */
    tags: Record<string, string>;
    /** Days to keep VPC flow logs in CloudWatch. */
    flowLogRetentionDays?: number;
}

/**
 * The VPC: a public subnet for the bastion and the NAT gateway, a private subnet
 * for the controller, routes, flow logs, and a default security group with no rules.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpc: aws.ec2.Vpc;
    public readonly publicSubnet: aws.ec2.Subnet;
    public readonly privateSubnet: aws.ec2.Subnet;
    public readonly natGateway: aws.ec2.NatGateway;
    public readonly natEip: aws.ec2.Eip;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hpc-stack:network:Network", name, {}, opts);
        const n = args.network.names;
        const t = (resourceName: string) => nameTags(args.tags, resourceName);
        const parent = { parent: this };

        this.vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.network.vpcCidr,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: t(n.vpc),
        }, parent);
        const vpcId = this.vpc.id;

        // No rules at all: anything that forgets a security group gets no traffic.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId, tags: t(`${n.vpc}-default`) }, parent);

        this.publicSubnet = new aws.ec2.Subnet(`${name}-public`, {
            vpcId,
            cidrBlock: args.network.publicSubnetCidr,
            availabilityZone: args.network.availabilityZone,
            // The bastion gets an Elastic IP instead; nothing here should get a public IP by accident.
            mapPublicIpOnLaunch: false,
            tags: t(n.publicSubnet),
        }, parent);
        this.privateSubnet = new aws.ec2.Subnet(`${name}-private`, {
            vpcId,
            cidrBlock: args.network.privateSubnetCidr,
            availabilityZone: args.network.availabilityZone,
            mapPublicIpOnLaunch: false,
            tags: t(n.privateSubnet),
        }, parent);

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId, tags: t(n.igw) }, parent);
        this.natEip = new aws.ec2.Eip(`${name}-nat-eip`, { domain: "vpc", tags: t(n.natEip) }, { parent: this, dependsOn: [igw] });
        this.natGateway = new aws.ec2.NatGateway(`${name}-nat`, {
            allocationId: this.natEip.id,
            subnetId: this.publicSubnet.id,
            tags: t(n.nat),
        }, { parent: this, dependsOn: [igw] });

        const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId, tags: t(n.publicRouteTable) }, parent);
        new aws.ec2.Route(`${name}-public-default`, {
            routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id,
        }, parent);
        new aws.ec2.RouteTableAssociation(`${name}-public-rta`, { routeTableId: publicRt.id, subnetId: this.publicSubnet.id }, parent);

        const privateRt = new aws.ec2.RouteTable(`${name}-private-rt`, { vpcId, tags: t(n.privateRouteTable) }, parent);
        new aws.ec2.Route(`${name}-private-default`, {
            routeTableId: privateRt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: this.natGateway.id,
        }, parent);
        new aws.ec2.RouteTableAssociation(`${name}-private-rta`, { routeTableId: privateRt.id, subnetId: this.privateSubnet.id }, parent);

        this.flowLogs(name, t(n.flowLogs), args.flowLogRetentionDays ?? 90);

        this.registerOutputs({
            vpcId: this.vpc.id,
            publicSubnetId: this.publicSubnet.id,
            privateSubnetId: this.privateSubnet.id,
            natPublicIp: this.natEip.publicIp,
        });
    }

    /** Flow logs of all traffic to CloudWatch: the only record of who knocked on the bastion. */
    private flowLogs(name: string, tags: Record<string, string>, retentionInDays: number): void {
        const parent = { parent: this };
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { retentionInDays, tags }, parent);
        const role = new aws.iam.Role(`${name}-flow-logs-role`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags,
        }, parent);
        new aws.iam.RolePolicy(`${name}-flow-logs-policy`, {
            role: role.id,
            policy: logGroup.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                    Resource: [arn, `${arn}:*`],
                }],
            })),
        }, parent);
        new aws.ec2.FlowLog(`${name}-flow-log`, {
            vpcId: this.vpc.id,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: logGroup.arn,
            iamRoleArn: role.arn,
            tags,
        }, parent);
    }
}
