// The one place that names the platform. Every host, image and lab container runs
// this Debian release, so every daemon runs the same Slurm: the AMI lookup, the
// compute image's default base, and the lab's debootstrapped base and host image
// all read it from here.

/** Debian's own AWS account, which publishes the debian-NN-amd64-* AMIs. */
export const DEBIAN_AMI_OWNER = "136693071363";

export const PLATFORM = {
    /** Debian's major version, as /etc/os-release's VERSION_ID says it. */
    debianVersion: "13",
    /** The suite: apt sources, debootstrap and the official image's tag. */
    debianSuite: "trixie",
    /** The Slurm release series the suite ships (slurm-wlm 24.11.x in trixie). */
    slurmSeries: "24.11",
} as const;

/** One string for the stack output and the controller's tag, compared across `pulumi up`s. */
export const PLATFORM_ID = `debian-${PLATFORM.debianVersion}/slurm-${PLATFORM.slurmSeries}`;

/** AMI name pattern in Debian's account, e.g. debian-13-amd64-20251117-2299. */
export const DEBIAN_AMI_NAME = `debian-${PLATFORM.debianVersion}-amd64-*`;

/** The compute image's default base: the official image of the same suite. */
export const DEFAULT_COMPUTE_BASE_IMAGE = `debian:${PLATFORM.debianSuite}`;

/**
 * Whether an image reference names the platform's Debian: its tag starts with the
 * suite or the version (debian:trixie, debian:13.2-slim, reg.example/debian:trixie-20251117@sha256:...).
 * An untagged (latest) reference moves with Debian's releases, so it does not.
 */
export function isPlatformImage(ref: string): boolean {
    const name = ref.split("@")[0];
    const colon = name.lastIndexOf(":");
    if (colon < 0 || colon < name.lastIndexOf("/")) return false;
    return new RegExp(`^(${PLATFORM.debianSuite}|${PLATFORM.debianVersion})([-.]|$)`).test(name.slice(colon + 1));
}

/** What every release of this program before the platform was named deployed. */
export const UNNAMED_PLATFORM_ID = "debian-12/slurm-22.05";

/** What the stack's last deployment says of itself, read from its own outputs. */
export interface PreviousDeployment {
    /** Its `platform` output; absent for stacks deployed before that output existed. */
    platform?: string;
    /** Whether it has any outputs at all: false for a stack never deployed. */
    deployed: boolean;
}

export class PlatformChangeError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlatformChangeError";
    }
}

/**
 * Decides whether this run may deploy PLATFORM_ID onto the stack as it stands.
 * The controller keeps its AMI across runs (ignoreChanges) while compute images
 * rebuild, so a silent change of release would leave slurmd of one Slurm talking
 * to slurmctld of another, which Slurm does not support across more than three
 * releases, and a slurmdbd that cannot convert the old database in one step.
 * Returns `replaceHosts`: whether this run rebuilds the EC2 hosts on the new release.
 */
export function checkPlatform(prev: PreviousDeployment, replaceForPlatform: string): { replaceHosts: boolean; from?: string } {
    const from = prev.deployed ? (prev.platform ?? UNNAMED_PLATFORM_ID) : undefined;
    if (from === undefined || from === PLATFORM_ID) return { replaceHosts: false };
    if (replaceForPlatform === PLATFORM_ID) return { replaceHosts: true, from };
    throw new PlatformChangeError([
        `this stack runs ${from}, and this program deploys ${PLATFORM_ID}.`,
        `Deploying it in place would mix Slurm releases (the controller keeps its AMI while the compute images rebuild),`,
        `and slurmdbd ${PLATFORM.slurmSeries} cannot convert a ${from.split("/slurm-")[1] ?? "older"} accounting database in one step.`,
        `Way out: dump the accounting database and copy it off the controller (docs/operations/upgrading.md),`,
        `then run \`pulumi config set hpc-stack:replaceForPlatform ${PLATFORM_ID}\` and \`pulumi up\`:`,
        `the bastion, the controller and every compute node are replaced together, and the accounting database starts empty.`,
        `Or stay on ${from} with the release of hpc-stack that deployed it.`,
    ].join("\n"));
}

/**
 * EC2 user data that names the platform. Instances ignore AMI changes, so this is
 * what replaces them (userDataReplaceOnChange) when the platform changes, and only then.
 */
export function platformUserData(): string {
    // This text is user data: a change to it replaces the bastion and the controller, so
    // it keeps its old pointer (now docs/operations/upgrading.md) until the platform next moves.
    return `#cloud-config\n# hpc-stack platform ${PLATFORM_ID}: a change of platform replaces this instance (README, "Upgrading a stack to a new platform").\n`;
}
