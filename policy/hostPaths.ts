// Host paths and devices as the host's kernel resolves them: normalised first, so
// "/etc/", "/srv/../etc" and "//etc" are all /etc, then compared by whole path
// components, so /etcetera is not under /etc.
import { posix } from "path";

/** Absolute, no "." or ".." segments, no repeated or trailing slash ("/" stays "/"). */
export function normalisePath(p: string): string {
    const n = posix.normalize(posix.join("/", p.trim()));
    return n === "/" ? n : n.replace(/\/+$/, "");
}

/** Is `p` the directory `dir` itself or inside it? Both normalised. */
export function isUnder(p: string, dir: string): boolean {
    return dir === "/" || p === dir || p.startsWith(`${dir}/`);
}

/**
 * What a container must never see of its host: the host's configuration and the
 * kernel's views of it (/proc, /sys, /dev, /boot), root's home, and the Docker
 * engine (its state, its socket at either path, containerd's), any of which
 * hands over the host.
 */
export const SENSITIVE_HOST_PATHS = [
    "/etc", "/proc", "/sys", "/dev", "/boot", "/root",
    "/var/lib/docker", "/var/run/docker.sock", "/run/docker.sock", "/run/containerd",
];

/**
 * Why mounting host path `raw` exposes the host, or undefined: it is one of the
 * sensitive paths, lies under one, or contains one (an ancestor such as / or /var).
 */
export function hostPathExposure(raw: string): string | undefined {
    const p = normalisePath(raw);
    for (const s of SENSITIVE_HOST_PATHS) {
        if (isUnder(p, s)) return p === s ? `is ${s}` : `is under ${s}`;
        if (isUnder(s, p)) return `contains ${s}`;
    }
    return undefined;
}

// Block devices by their kernel names (disks, partitions, loop, device-mapper, md
// RAID, SD cards, network block devices) and the directories of links to them.
// Character devices such as the GPUs (/dev/nvidia*, /dev/dri/*) do not match.
const BLOCK_DEVICE = /^\/dev\/(?:(?:sd|nvme|vd|xvd|hd|loop|dm-|md|mmcblk|nbd)[^/]*|(?:mapper|disk|block|md)\/.+)$/;

/** Is `raw` a host block device by name? */
export function isBlockDevice(raw: string): boolean {
    return BLOCK_DEVICE.test(normalisePath(raw));
}
