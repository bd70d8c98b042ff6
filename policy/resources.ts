// Pulumi type tokens the pack inspects. Policies match on these strings rather
// than on @pulumi/aws classes so the pack never has to load the (very large)
// provider SDKs, and so the in-process tests stay fast.
export const types = {
    instance: "aws:ec2/instance:Instance",
    subnet: "aws:ec2/subnet:Subnet",
    eip: "aws:ec2/eip:Eip",
    eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
    ebsVolume: "aws:ebs/volume:Volume",
    vpc: "aws:ec2/vpc:Vpc",
    flowLog: "aws:ec2/flowLog:FlowLog",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    securityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    container: "docker:index/container:Container",
    remoteCommand: "command:remote:Command",
    // Runs where `pulumi up` runs (the compute containers' PID limit: docker update).
    localCommand: "command:local:Command",
} as const;
