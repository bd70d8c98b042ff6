// The lab's stand-in for the DCGM exporter beside a GPU node: the plan's
// DcgmExporterSpec (listen address, counters file, GPUs) in the node's network
// namespace, as `pulumi up` starts the real one, but running a small python3
// server from the compute image instead of NVIDIA's image.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DcgmExporterSpec } from "../components/plan/compute";
import { contentHash } from "../components/plan/steps";
import { shareFlags } from "./compute";
import { docker } from "./docker";
import { containerName, LAB_LABEL } from "./labPlan";

const SCRIPT = path.join(__dirname, "images", "dcgm-standin.py");

export const standinName = (spec: DcgmExporterSpec) => containerName(`${spec.node}-dcgm-standin`);

/**
 * `docker create` arguments: the node container's network namespace, no port, no
 * capability, and the real sidecar's limits, health check and no-new-privileges, so that
 * docker-bench-security judges here what production runs.
 */
export function standinArgs(spec: DcgmExporterSpec, image: string, labels: string[] = []): string[] {
    return [
        "create", "--name", standinName(spec), "--label", `${LAB_LABEL}=1`, ...labels.flatMap((l) => ["--label", l]),
        "--network", `container:${containerName(spec.networkContainer)}`,
        "--restart", spec.restart,
        ...shareFlags(spec),
        ...Object.entries(spec.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
        "-e", `GPU_IDS=${spec.gpuIds.join(" ")}`, "-e", `NODE_NAME=${spec.node}`,
        "--entrypoint", "python3", image, "-c", fs.readFileSync(SCRIPT, "utf8"),
    ];
}

/** What the stand-in is made of, including its node container's id: a replaced node replaces it. */
export function standinSpecHash(spec: DcgmExporterSpec, image: string, nodeContainerId: string): string {
    return contentHash([...standinArgs(spec, image), nodeContainerId].join("\0"), spec.uploads.map((u) => [`${u.path} ${u.mode}`, u.content]));
}

export async function createStandin(spec: DcgmExporterSpec, image: string, labels: string[]): Promise<void> {
    await docker(standinArgs(spec, image, labels));
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-lab-dcgm-"));
    try {
        for (const u of spec.uploads) {
            const dest = path.join(stage, u.path);
            fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
            fs.writeFileSync(dest, u.content, { mode: parseInt(u.mode, 8) });
        }
        fs.chmodSync(stage, 0o755);
        await docker(["cp", `${stage}/.`, `${standinName(spec)}:/`]);
    } finally {
        fs.rmSync(stage, { recursive: true, force: true });
    }
    await docker(["start", standinName(spec)]);
}
