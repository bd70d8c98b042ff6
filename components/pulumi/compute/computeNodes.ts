import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { inBatches } from "../../plan/compute";
import { ContainerShare, ContainerSpec, DcgmExporterSpec } from "../../plan/compute";
import { LOCAL_DOCKER_HOST } from "../../plan/config";
import { GeneratedName, isRef, resolveValue, Value } from "../../plan/steps";
import { ClusterPlan } from "../../plan/plan";
import { HOME_SERVER, hostOf } from "../../plan/layout";
import { CONFIG_FILES_DIR } from "../../plan/steps";
import { Limited, limitPids } from "./pidsLimit";

export interface ComputeNodesArgs {
    plan: ClusterPlan;
    /** Generated values (munge key, tunnel keys, known_hosts, bastion address). */
    generated: (n: GeneratedName) => pulumi.Output<string>;
}

/**
 * Builds one input from the generated values a spec refers to: one Output per
 * input, not one per field (at 1000 nodes every Output counts, see README).
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
        networksAdvanced: [{ name: network, aliases: [spec.name], ...(spec.address ? { ipv4Address: spec.address } : {}) }],
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
export function homeVolumeArgs(p: ClusterPlan): docker.VolumeArgs {
    const nfs = p.home.volume.nfs;
    const [server, exportPath] = nfs ? [nfs.export.slice(0, nfs.export.indexOf(":")), nfs.export.slice(nfs.export.indexOf(":") + 1)] : [];
    return {
        name: p.home.volume.name,
        driver: "local",
        ...(nfs ? { driverOpts: { type: "nfs", o: `addr=${server},${nfs.options}`, device: `:${exportPath}` } } : {}),
        labels: [{ label: "hpc-stack.cluster", value: p.clusterName }, { label: "hpc-stack.role", value: "home" }],
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

/** What one Docker host holds: its provider, image and network, and what its nodes mount. */
interface HostResources {
    child: pulumi.CustomResourceOptions;
    image: docker.Image;
    network: docker.Network;
    /** Its engine's home volume (a host sharing another's engine mounts that one's). */
    home: docker.Volume;
    /** Only on a host with GPU nodes. */
    dcgmImage?: docker.RemoteImage;
}

/**
 * The on-premises half, per Docker host: the compute image built on its engine, its
 * network, and one container per node that dials out through the tunnels.
 */
export class ComputeNodes extends pulumi.ComponentResource {
    /** One container per node, and a DCGM exporter per GPU node, declared in batches (components/plan/batches.ts): await it. */
    public readonly containers: Promise<docker.Container[]>;
    /** The compute image, by Docker host name. */
    public readonly images: Record<string, docker.Image>;

    constructor(name: string, args: ComputeNodesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hpc-stack:compute:ComputeNodes", name, {}, opts);
        const p = args.plan;
        // The DCGM exporter's image, on each host with GPU nodes.
        const dcgmImages = new Map(p.dcgmExporters.map((d) => [d.host, d.image]));
        // One volume per engine: hosts that share one (the lab's two sites on one dockerd)
        // share its volume, which Docker names alone, so a second resource would fight the first.
        const homes = new Map<string, docker.Volume>();
        const hosts = new Map(p.dockerHosts.map((h): [string, HostResources] => {
            // "local" keeps the names of the stacks deployed before dockerHosts: no replacement.
            const suffix = h.name === LOCAL_DOCKER_HOST ? "" : `-${h.name}`;
            const provider = new docker.Provider(`${name}-docker${suffix}`, { host: h.url }, { parent: this });
            const child = { parent: this, provider };
            const image = new docker.Image(`${name}-image${suffix}`, {
                // Tagged by content, so a changed Dockerfile or script replaces the containers.
                imageName: p.computeImage.tag,
                build: {
                    context: CONFIG_FILES_DIR,
                    dockerfile: path.join(CONFIG_FILES_DIR, p.computeImage.dockerfile),
                    args: p.computeImage.buildArgs,
                    platform: "linux/amd64",
                },
                skipPush: true,
            }, child);
            const network = new docker.Network(`${name}-network${suffix}`, { name: h.network, driver: "bridge" }, child);
            // /home: kept when the stack's containers are replaced, and protected, for it holds
            // the users' files (remove it by hand, after a backup, to destroy the stack).
            const home = homes.get(h.url) ?? new docker.Volume(`${name}-home${suffix}`, homeVolumeArgs(p), { ...child, protect: true });
            homes.set(h.url, home);
            // Pulled once per Docker host, by its pinned tag; kept when the stack goes (a large image).
            const dcgm = dcgmImages.get(h.name);
            const dcgmImage = dcgm ? new docker.RemoteImage(`${name}-dcgm-exporter-image${suffix}`, { name: dcgm, keepLocally: true }, child) : undefined;
            return [h.name, { child, image, network, home, dcgmImage }];
        }));
        this.images = Object.fromEntries([...hosts].map(([h, r]) => [h, r.image]));
        const on = (spec: { name: string; host: string }): HostResources => {
            const r = hosts.get(spec.host);
            if (!r) throw new Error(`container ${spec.name} runs on Docker host ${spec.host}, which the plan does not declare`);
            return r;
        };

        const homeHost = on(p.homeServer);
        const homeServer = new docker.Container(`${name}-${HOME_SERVER}`,
            containerArgs(p.homeServer, homeHost.image.imageName, homeHost.network.name, args.generated),
            { ...homeHost.child, deleteBeforeReplace: true, dependsOn: [homeHost.home] });

        // Delete-first on replacement (a new image, say): the node's container name, its
        // published SSH port and its tunnel's ports on the controller are one node's,
        // so a second copy cannot start beside the first (pulumi-docker#1356).
        const dcgm = new Map(p.dcgmExporters.map((d) => [d.node, d]));
        const exporters: Limited[] = [];
        this.containers = inBatches(p.containers, (spec) => {
            const host = on(spec);
            const node = new docker.Container(`${name}-${spec.node}`,
                containerArgs(spec, host.image.imageName, host.network.name, args.generated), { ...host.child, deleteBeforeReplace: true, dependsOn: [host.home] });
            const exporter = dcgm.get(spec.node);
            // A new node container (new id) replaces its exporter, which must join the new namespace.
            if (exporter && host.dcgmImage) {
                const container = new docker.Container(`${name}-${exporter.name}`, dcgmExporterArgs(exporter, host.dcgmImage.imageId, node),
                    { ...host.child, deleteBeforeReplace: true });
                exporters.push({ spec: exporter, container, host: hostOf(p, exporter) });
            }
            return node;
        });
        const limited = this.containers.then((cs) => limitPids(name, [...[p.homeServer, ...p.containers].map((spec, i) =>
            ({ spec, container: i === 0 ? homeServer : cs[i - 1], host: hostOf(p, spec) })), ...exporters], this));
        Promise.all([this.containers, limited]).then(([cs]) => this.registerOutputs({ containers: cs.map((c) => c.name) }), () => undefined);
    }
}
