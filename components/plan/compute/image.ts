// The compute image: built on each Docker host from config-files/, tagged by the
// content of its files and build args, so a change replaces the containers.
import { configDir, configFile, contentHash } from "../steps";

/** The files that make the compute image (its build context's used part); their hash is its tag. */
export const computeImageFiles = (): string[] => [...configDir("docker"), ...configDir("jobs"), "ssh/sshd-hardening.conf"];

export interface ComputeImage {
    tag: string;
    /** Relative to config-files/, the build context. */
    dockerfile: string;
    baseImage: string;
    /** The Dockerfile's ARGs (BASE_IMAGE, INSTALL_STREAMLIT): part of the tag, as they change the image. */
    buildArgs: Record<string, string>;
}

export function computeImage(baseImage: string, installStreamlit = true): ComputeImage {
    const buildArgs = { BASE_IMAGE: baseImage, INSTALL_STREAMLIT: installStreamlit ? "1" : "0" };
    const seed = Object.entries(buildArgs).map(([k, v]) => `${k}=${v}`).join("\n");
    const tag = `hpc-stack/compute:${contentHash(seed, computeImageFiles().map((f) => [f, configFile(f)]))}`;
    return { tag, dockerfile: "docker/Dockerfile", baseImage, buildArgs };
}
