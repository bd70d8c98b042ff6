import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Debian's own AWS account: the images it publishes as debian-12-amd64-*. */
export const DEBIAN_AMI_OWNER = "136693071363";
export const DEBIAN_AMI_NAME = "debian-12-amd64-*";

/** The newest Debian 12 amd64 AMI, so controller and compute share Slurm 22.05. */
export function debian12Ami(opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    return aws.ec2.getAmiOutput({
        owners: [DEBIAN_AMI_OWNER],
        mostRecent: true,
        filters: [
            { name: "name", values: [DEBIAN_AMI_NAME] },
            { name: "architecture", values: ["x86_64"] },
            { name: "virtualization-type", values: ["hvm"] },
        ],
    }, opts).id;
}
