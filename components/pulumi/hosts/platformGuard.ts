// Reads what the stack's last deployment ran, before any resource is declared,
// and refuses a change of platform that would mix Slurm releases.
import * as pulumi from "@pulumi/pulumi";
import { checkPlatform, PLATFORM_ID, PlatformChangeError } from "../../plan/platform";

/**
 * A StackReference to this very stack reads its last deployment's outputs (none for
 * a stack never deployed). Declared with no parent and awaited first, so a refusal
 * leaves nothing else declared.
 */
export async function guardPlatform(replaceForPlatform: string): Promise<void> {
    const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
    const [platform, clusterName] = await Promise.all([
        self.getOutputDetails("platform"),
        self.getOutputDetails("clusterName"),
    ]);
    const value = (d: pulumi.StackReferenceOutputDetails) => d.value ?? d.secretValue;
    try {
        const r = checkPlatform({
            platform: value(platform) as string | undefined,
            deployed: value(platform) !== undefined || value(clusterName) !== undefined,
        }, replaceForPlatform);
        if (r.replaceHosts) {
            pulumi.log.warn(`replacing the bastion, the controller and every compute node: ${r.from} -> ${PLATFORM_ID} (hpc-stack:replaceForPlatform)`);
        } else if (replaceForPlatform) {
            pulumi.log.warn(`hpc-stack:replaceForPlatform = ${replaceForPlatform} has nothing left to do on this stack: remove it (pulumi config rm hpc-stack:replaceForPlatform)`);
        }
    } catch (e) {
        if (e instanceof PlatformChangeError) throw new pulumi.RunError(e.message);
        throw e;
    }
}
