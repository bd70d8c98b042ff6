// The lab adapter for compute containers: the plan's ContainerSpec through the
// docker CLI, as docker.Container would create it, with GPUs faked (major 195).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ContainerShare, ContainerSpec } from "../components/plan/compute";
import { contentHash, GeneratedName, resolveValue } from "../components/plan/steps";
import { docker } from "./docker";
import { containerName, LAB_LABEL, labNetworkName, NETWORKS } from "./labPlan";

/** A container's limits, health check and security options, as `docker create` flags: the same for every container. */
export function shareFlags(s: ContainerShare): string[] {
    return [
        "--memory", `${s.limits.memoryMb}m`, "--memory-swap", `${s.limits.memoryMb}m`, "--cpus", String(s.limits.cpus),
        "--pids-limit", String(s.limits.pids),
        "--health-cmd", s.healthcheck.test[1], "--health-interval", `${s.healthcheck.intervalS}s`,
        "--health-timeout", `${s.healthcheck.timeoutS}s`, "--health-start-period", `${s.healthcheck.startPeriodS}s`,
        "--health-retries", String(s.healthcheck.retries),
        ...s.securityOpts.flatMap((o) => ["--security-opt", o]),
    ];
}

/**
 * `docker create` arguments for a spec (no secrets: those go in as files). address, a
 * fixed IPv4 address on its network, is the bench's direct baseline's alone
 * (bench/direct.ts): in every stack Docker picks one, and only the tunnels address a node.
 */
export function createArgs(spec: ContainerSpec, image: string, values: Record<GeneratedName, string>, extraLabels: string[] = [], address?: string): string[] {
    const args = [
        "create", "--name", containerName(spec.node), "--hostname", spec.name,
        "--label", `${LAB_LABEL}=1`, ...extraLabels.flatMap((l) => ["--label", l]),
        ...Object.entries(spec.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
        "--network", labNetworkName(spec.network), "--network-alias", spec.name, ...(address ? ["--ip", address] : []),
        "--restart", spec.restart,
        ...spec.capDrop.flatMap((c) => ["--cap-drop", c]),
        ...spec.capAdd.flatMap((c) => ["--cap-add", c]),
        ...Object.entries(spec.env).flatMap(([k, v]) => ["-e", `${k}=${resolveValue(v, values)}`]),
        ...spec.ports.flatMap((p) => ["-p", `${p.ip}:${p.external}:${p.internal}`]),
        ...spec.volumes.flatMap((v) => ["--mount", `type=volume,source=${v.volume},target=${v.target}`]),
        ...shareFlags(spec),
        ...spec.hosts.flatMap((h) => ["--add-host", `${h.host}:${h.ip}`]),
    ];
    if (spec.gpuIds.length > 0) {
        // No NVIDIA runtime here: the entrypoint mknods fake /dev/nvidiaN (char 195:N) for the node's
        // GPU indices, which the device cgroup must allow.
        // Lab stand-in only: the NVIDIA runtime makes the real device files, so MKNOD is the lab's alone.
        args.push("-e", `FAKE_GPUS=${spec.gpuIds.join(" ")}`, "--device-cgroup-rule", "c 195:* rwm", "--cap-add", "MKNOD");
    }
    args.push(image, ...(spec.command ?? []));
    return args;
}

/** Copies the spec's uploads into a created (not started) container, as the provider's uploads do. */
export async function upload(spec: ContainerSpec, values: Record<GeneratedName, string>): Promise<void> {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-lab-upload-"));
    try {
        for (const u of spec.uploads) {
            const dest = path.join(stage, u.path);
            fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
            const text = resolveValue(u.content, values);
            fs.writeFileSync(dest, u.base64 ? Buffer.from(text, "base64") : text, { mode: parseInt(u.mode, 8) });
            fs.chmodSync(dest, parseInt(u.mode, 8));
        }
        // docker cp copies directory modes too: keep root's home private.
        if (fs.existsSync(path.join(stage, "root"))) fs.chmodSync(path.join(stage, "root"), 0o700);
        if (fs.existsSync(path.join(stage, "root/.ssh"))) fs.chmodSync(path.join(stage, "root/.ssh"), 0o700);
        fs.chmodSync(stage, 0o755);
        await docker(["cp", `${stage}/.`, `${containerName(spec.node)}:/`]);
    } finally {
        fs.rmSync(stage, { recursive: true, force: true });
    }
}

/** What a compute container is made of (image, arguments, uploaded files): it changes exactly when `up` must replace the container. */
export function computeSpecHash(spec: ContainerSpec, image: string, values: Record<GeneratedName, string>, address?: string): string {
    return contentHash(createArgs(spec, image, values, [], address).join("\0"), spec.uploads.map((u) => [`${u.path} ${u.mode}`, resolveValue(u.content, values)]));
}

export async function createCompute(spec: ContainerSpec, image: string, values: Record<GeneratedName, string>, extraLabels: string[] = [], address?: string): Promise<void> {
    await docker(createArgs(spec, image, values, extraLabels, address));
    // The wan network is the compute site's way out to the bastion (the internet).
    await docker(["network", "connect", NETWORKS.wan.name, containerName(spec.node)]);
    await upload(spec, values);
    await docker(["start", containerName(spec.node)]);
}
