import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nameTags } from "../../plan/plan";

export interface AdminKeyArgs {
    /** The admin's OpenSSH public key (required: deploy refuses a config without one). */
    publicKey: string;
    /** The cluster's tags (the key pair adds its Name). */
    tags: Record<string, string>;
}

/**
 * The admin's EC2 key pair, from the public key the admin brings. The program makes
 * no private key: one in the stack would reach every reader of its outputs (on
 * Pulumi Cloud, "Stack Read" includes decrypt), and it is root on every node.
 */
export class AdminKey extends pulumi.ComponentResource {
    public readonly keyPair: aws.ec2.KeyPair;
    public readonly publicKey: pulumi.Output<string>;

    constructor(name: string, args: AdminKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hpc-stack:keys:AdminKey", name, {}, opts);
        this.publicKey = pulumi.output(args.publicKey);
        this.keyPair = new aws.ec2.KeyPair(`${name}-keypair`, {
            publicKey: this.publicKey,
            tags: nameTags(args.tags, name),
        }, { parent: this });
        this.registerOutputs({ keyName: this.keyPair.keyName, publicKey: this.publicKey });
    }
}

/** What a stack without adminPublicKey is told, before any resource is declared. */
export const ADMIN_KEY_MISSING = "adminPublicKey is not set: the program makes no admin key (a private key in the stack would reach " +
    "everyone who reads its outputs). Make one and set its public half, then load the private half into ssh-agent for pulumi up:\n" +
    "  ssh-keygen -t ed25519 -f ~/.ssh/hpc-stack-admin\n" +
    "  pulumi config set adminPublicKey \"$(cat ~/.ssh/hpc-stack-admin.pub)\"\n" +
    "  ssh-add ~/.ssh/hpc-stack-admin";
