// The lab's images: the Debian base (pulled or debootstrapped), the EC2 stand-in,
// and the compute image built from the very Dockerfile `pulumi up` builds.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ClusterPlan } from "../components/plan";
import { CONFIG_FILES_DIR } from "../components/templates";
import { docker, exists, run } from "./docker";
import { BASE_IMAGE } from "./labPlan";

const IMAGES_DIR = path.join(__dirname, "images");

function hashFiles(dir: string, files: string[], base: string): string {
    const h = createHash("sha256").update(base).update("\0");
    for (const f of files) h.update(f).update("\0").update(fs.readFileSync(path.join(dir, f))).update("\0");
    return h.digest("hex").slice(0, 12);
}

export function hostImageTag(): string {
    return `hpc-stack/host:${hashFiles(IMAGES_DIR, ["host.Dockerfile", "host/hpc-firstboot.sh", "host/hpc-firstboot.service"], BASE_IMAGE)}`;
}

export async function ensureBaseImage(log: (s: string) => void): Promise<void> {
    if (await exists("image", BASE_IMAGE)) return log(`${BASE_IMAGE}: cached`);
    await run(["bash", path.join(IMAGES_DIR, "build-base.sh")], { stream: true, env: { ...process.env, BASE_IMAGE } });
}

async function build(tag: string, dockerfile: string, context: string, log: (s: string) => void): Promise<void> {
    if (await exists("image", tag)) return log(`${tag}: cached`);
    log(`building ${tag}`);
    await docker(["build", "-q", "-f", dockerfile, "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`, "-t", tag, context], { stream: false });
}

export async function ensureImages(p: ClusterPlan, log: (s: string) => void): Promise<{ host: string; compute: string }> {
    await ensureBaseImage(log);
    const host = hostImageTag();
    await build(host, path.join(IMAGES_DIR, "host.Dockerfile"), IMAGES_DIR, log);
    await build(p.computeImage.tag, path.join(CONFIG_FILES_DIR, p.computeImage.dockerfile), CONFIG_FILES_DIR, log);
    return { host, compute: p.computeImage.tag };
}
