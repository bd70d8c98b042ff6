import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEBIAN_AMI_NAME, DEBIAN_AMI_OWNER } from "../../plan/platform";

/** The newest amd64 AMI of the platform's Debian release, so controller and compute share one Slurm. */
export function debianAmi(opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
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
