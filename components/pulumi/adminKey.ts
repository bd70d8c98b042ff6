import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { ClusterPlan, tagsFor } from "../plan/plan";

export interface AdminKeyArgs {
    plan: ClusterPlan;
}

/**
 * The admin SSH key pair: the user's public key from config, or one generated
 * here whose private half exists only as a Pulumi secret.
 */
export class AdminKey extends pulumi.ComponentResource {
    public readonly keyPair: aws.ec2.KeyPair;
    public readonly publicKey: pulumi.Output<string>;
    /** Undefined when the public key came from config. */
    public readonly privateKey?: pulumi.Output<string>;

    constructor(name: string, args: AdminKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hpc-stack:keys:AdminKey", name, {}, opts);
        const p = args.plan;
        if (p.adminPublicKey) {
            this.publicKey = pulumi.output(p.adminPublicKey);
        } else {
            const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ED25519" }, { parent: this });
            this.publicKey = key.publicKeyOpenssh.apply((k) => k.trim());
            this.privateKey = pulumi.secret(key.privateKeyOpenssh);
        }
        this.keyPair = new aws.ec2.KeyPair(`${name}-keypair`, {
            publicKey: this.publicKey,
            tags: tagsFor(p, `${p.clusterName}-admin`),
        }, { parent: this });
        this.registerOutputs({ keyName: this.keyPair.keyName, publicKey: this.publicKey });
    }
}
