// The lab's images: the Debian base (pulled or debootstrapped), the EC2 stand-in,
// and the compute image built from the very Dockerfile `pulumi up` builds.
import * as fs from "fs";
import * as path from "path";
import { CONFIG_FILES_DIR, contentHash } from "../components/plan/steps";
import { ClusterPlan } from "../components/plan/plan";
import { PLATFORM } from "../components/plan/platform";
import { docker, exists, run } from "./docker";

const IMAGES_DIR = path.join(__dirname, "images");
const hashOf = (seed: string, files: string[]) => contentHash(seed, files.map((f) => [f, fs.readFileSync(path.join(IMAGES_DIR, f))]));

/**
 * The Debian base, tagged by its recipe like every other image here: a changed
 * build-base.sh gives a new tag, and so new host and compute images on top of it.
 */
export const BASE_IMAGE = `hpc-stack/debian:${PLATFORM.debianSuite}-${hashOf(PLATFORM.debianSuite, ["build-base.sh"])}`;

export function hostImageTag(): string {
    return `hpc-stack/host:${hashOf(BASE_IMAGE, ["host.Dockerfile", "host/hpc-firstboot.sh", "host/hpc-firstboot.service"])}`;
}

export async function ensureBaseImage(log: (s: string) => void): Promise<void> {
    if (await exists("image", BASE_IMAGE)) return log(`${BASE_IMAGE}: cached`);
    await run(["bash", path.join(IMAGES_DIR, "build-base.sh")], { stream: true, env: { ...process.env, BASE_IMAGE, SUITE: PLATFORM.debianSuite } });
}

async function build(tag: string, dockerfile: string, context: string, log: (s: string) => void, args: Record<string, string> = {}): Promise<void> {
    if (await exists("image", tag)) return log(`${tag}: cached`);
    log(`building ${tag}`);
    const buildArgs = Object.entries({ ...args, BASE_IMAGE }).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
    await docker(["build", "-q", "-f", dockerfile, ...buildArgs, "-t", tag, context], { stream: false });
}

export async function ensureImages(p: ClusterPlan, log: (s: string) => void): Promise<{ host: string; compute: string }> {
    await ensureBaseImage(log);
    const host = hostImageTag();
    // Both build on the base and on nothing else, so they build at once: on EC2 the AMI
    // the host image stands in for is there before the compute image's build starts.
    const builds = await Promise.allSettled([
        build(host, path.join(IMAGES_DIR, "host.Dockerfile"), IMAGES_DIR, log),
        // The plan's build args, but the lab's own base image (the plan names it too: LAB_CONFIG).
        build(p.computeImage.tag, path.join(CONFIG_FILES_DIR, p.computeImage.dockerfile), CONFIG_FILES_DIR, log, p.computeImage.buildArgs),
    ]);
    const failed = builds.flatMap((b) => (b.status === "rejected" ? [(b.reason as Error).message] : []));
    if (failed.length) throw new Error(`image build failed:\n${failed.join("\n")}`);
    return { host, compute: p.computeImage.tag };
}
