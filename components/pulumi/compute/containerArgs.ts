// The one mapping from the plan's container specs to @pulumi/docker's arguments: pure
// functions of a spec, tested without mocks.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerShare, ContainerSpec, DcgmExporterSpec } from "../../plan/compute";
import { HomePlan } from "../../plan/layout";
import { GeneratedName, isRef, resolveValue, Value } from "../../plan/steps";

/**
 * Builds one input from the generated values a spec refers to: one Output per
 * input, not one per field (at 1000 nodes every Output counts, docs/benchmarks.md).
 */
function withGenerated<T>(values: Value[], generated: (n: GeneratedName) => pulumi.Output<string>,
    build: (vals: Partial<Record<GeneratedName, string>>) => T): pulumi.Output<T> {
    const names = [...new Set(values.filter(isRef).map((r) => r.ref))];
    return pulumi.all(names.map(generated)).apply((vs) => build(Object.fromEntries(names.map((n, i) => [n, vs[i]]))));
}

/** A container's limits, health check and security options (its PID limit: pidsLimit.ts): the same for every container. */
function shareArgs(s: ContainerShare): Pick<docker.ContainerArgs, "memory" | "memorySwap" | "cpus" | "healthcheck" | "securityOpts"> {
    return {
        memory: s.limits.memoryMb, memorySwap: s.limits.memoryMb, cpus: String(s.limits.cpus),
        healthcheck: {
            tests: s.healthcheck.test, interval: `${s.healthcheck.intervalS}s`, timeout: `${s.healthcheck.timeoutS}s`,
            startPeriod: `${s.healthcheck.startPeriodS}s`, retries: s.healthcheck.retries,
        },
        ...(s.securityOpts.length ? { securityOpts: s.securityOpts } : {}),
    };
}

/** docker.Container arguments for one spec: the one mapping from plan to provider. */
export function containerArgs(spec: ContainerSpec, image: pulumi.Input<string>, network: pulumi.Input<string>,
    generated: (n: GeneratedName) => pulumi.Output<string>): docker.ContainerArgs {
    return {
        name: spec.name,
        hostname: spec.name,
        image,
        envs: withGenerated(Object.values(spec.env), generated, (vals) => Object.entries(spec.env).map(([k, v]) => `${k}=${resolveValue(v, vals)}`)),
        uploads: withGenerated(spec.uploads.map((u) => u.content), generated, (vals) => spec.uploads.map((u) => ({
            file: u.path,
            permissions: u.mode,
            ...(u.base64 ? { contentBase64: resolveValue(u.content, vals) } : { content: resolveValue(u.content, vals) }),
        }))),
        ...(spec.command ? { command: spec.command } : {}),
        volumes: spec.volumes.map((v) => ({ volumeName: v.volume, containerPath: v.target })),
        ...shareArgs(spec),
        ports: spec.ports.map((p) => ({ internal: p.internal, external: p.external, ip: p.ip, protocol: "tcp" })),
        hosts: spec.hosts.map((h) => ({ host: h.host, ip: h.ip })),
        networksAdvanced: [{ name: network, aliases: [spec.name] }],
        restart: spec.restart,
        ...(spec.capAdd.length || spec.capDrop.length ? { capabilities: { ...(spec.capDrop.length ? { drops: spec.capDrop } : {}), ...(spec.capAdd.length ? { adds: spec.capAdd } : {}) } } : {}),
        labels: Object.entries(spec.labels).map(([label, value]) => ({ label, value })),
        // Real GPUs through the NVIDIA container runtime, named one by one (a count would
        // give every node GPUs 0..N-1); the lab fakes them instead.
        ...(spec.gpuIds.length ? { deviceRequests: gpuRequest(spec.gpuIds) } : {}),
        mustRun: true,
    };
}

/** The home volume: local on the Docker host, or a site NFS export that dockerd mounts (no capability in any container). */
export function homeVolumeArgs(volume: HomePlan["volume"], clusterName: string): docker.VolumeArgs {
    const nfs = volume.nfs;
    const [server, exportPath] = nfs ? [nfs.export.slice(0, nfs.export.indexOf(":")), nfs.export.slice(nfs.export.indexOf(":") + 1)] : [];
    return {
        name: volume.name,
        driver: "local",
        ...(nfs ? { driverOpts: { type: "nfs", o: `addr=${server},${nfs.options}`, device: `:${exportPath}` } } : {}),
        labels: [{ label: "hpc-stack.cluster", value: clusterName }, { label: "hpc-stack.role", value: "home" }],
    };
}

const gpuRequest = (ids: number[]) => [{ driver: "nvidia", deviceIds: ids.map(String), capabilities: ["gpu"] }];

/**
 * docker.Container arguments for a DCGM exporter: in its node's network namespace
 * (so no port, network or hostname of its own), the node's GPUs, no capability added.
 */
export function dcgmExporterArgs(spec: DcgmExporterSpec, image: pulumi.Input<string>, node: docker.Container): docker.ContainerArgs {
    return {
        name: spec.name,
        image,
        networkMode: pulumi.interpolate`container:${node.id}`,
        envs: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        uploads: spec.uploads.map((u) => ({ file: u.path, content: u.content, permissions: u.mode })),
        deviceRequests: gpuRequest(spec.gpuIds),
        restart: spec.restart,
        labels: Object.entries(spec.labels).map(([label, value]) => ({ label, value })),
        ...shareArgs(spec),
        mustRun: true,
    };
}
