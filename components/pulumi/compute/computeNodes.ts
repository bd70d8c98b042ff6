import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ComputeImage, ContainerSpec, DcgmExporterSpec, inBatches } from "../../plan/compute";
import { DockerHostPlan, HOME_SERVER, HomePlan, hostOf } from "../../plan/layout";
import { GeneratedName } from "../../plan/steps";
import { containerArgs, dcgmExporterArgs } from "./containerArgs";
import { declareDockerHosts, HostResources } from "./dockerHosts";
import { Limited, limitPids } from "./pidsLimit";

export interface ComputeNodesArgs {
    /** The Docker engines: each builds the compute image, and gets a network and the home volume. */
    dockerHosts: DockerHostPlan[];
    /** The compute image: its content tag, Dockerfile and build args. */
    computeImage: ComputeImage;
    /** /home's Docker volume: local on each engine, or a site NFS export. */
    home: HomePlan["volume"];
    /** Labels the home volume, so an operator can tell whose it is. */
    clusterName: string;
    /** The home server's container (SFTP, its own tunnel). */
    homeServer: ContainerSpec;
    /** One container per compute node. */
    containers: ContainerSpec[];
    /** A DCGM exporter per GPU node, in its node's network namespace. */
    dcgmExporters: DcgmExporterSpec[];
    /** Generated values (munge key, tunnel keys, known_hosts, bastion address). */
    generated: (n: GeneratedName) => pulumi.Output<string>;
}

/**
 * The on-premises half, per Docker host: the compute image built on its engine, its
 * network, and one container per node that dials out through the tunnels.
 */
export class ComputeNodes extends pulumi.ComponentResource {
    /** One container per node, declared in batches (plan compute inBatches). */
    public readonly containers: Promise<docker.Container[]>;
    /** The compute image, by Docker host name. */
    public readonly images: Record<string, docker.Image>;
    /**
     * Resolves once every container, DCGM exporter and PID limit is declared; rejects,
     * with the reason, if any declaration failed. deploy awaits it.
     */
    public readonly ready: Promise<void>;

    constructor(name: string, args: ComputeNodesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hpc-stack:compute:ComputeNodes", name, {}, opts);
        const hosts = declareDockerHosts(name, {
            dockerHosts: args.dockerHosts, computeImage: args.computeImage, home: args.home, clusterName: args.clusterName,
            dcgmImages: new Map(args.dcgmExporters.map((d) => [d.host, d.image])),
        }, this);
        this.images = Object.fromEntries([...hosts].map(([h, r]) => [h, r.image]));
        const on = (spec: { name: string; host: string }): HostResources => {
            const r = hosts.get(spec.host);
            if (!r) throw new Error(`container ${spec.name} runs on Docker host ${spec.host}, which the plan does not declare`);
            return r;
        };

        const homeHost = on(args.homeServer);
        const homeServer = new docker.Container(`${name}-${HOME_SERVER}`,
            containerArgs(args.homeServer, homeHost.image.imageName, homeHost.network.name, args.generated),
            { ...homeHost.child, deleteBeforeReplace: true, dependsOn: [homeHost.home] });

        // Delete-first on replacement (a new image, say): the node's container name, its
        // published SSH port and its tunnel's ports on the controller are one node's,
        // so a second copy cannot start beside the first (pulumi-docker#1356).
        const dcgm = new Map(args.dcgmExporters.map((d) => [d.node, d]));
        const exporters: Limited[] = [];
        this.containers = inBatches(args.containers, (spec) => {
            const host = on(spec);
            const node = new docker.Container(`${name}-${spec.node}`,
                containerArgs(spec, host.image.imageName, host.network.name, args.generated), { ...host.child, deleteBeforeReplace: true, dependsOn: [host.home] });
            const exporter = dcgm.get(spec.node);
            // A new node container (new id) replaces its exporter, which must join the new namespace.
            if (exporter && host.dcgmImage) {
                const container = new docker.Container(`${name}-${exporter.name}`, dcgmExporterArgs(exporter, host.dcgmImage.imageId, node),
                    { ...host.child, deleteBeforeReplace: true });
                exporters.push({ spec: exporter, container, host: hostOf(args, exporter) });
            }
            return node;
        });
        const limited = this.containers.then((cs) => limitPids(name, [...[args.homeServer, ...args.containers].map((spec, i) =>
            ({ spec, container: i === 0 ? homeServer : cs[i - 1], host: hostOf(args, spec) })), ...exporters], this));
        this.ready = Promise.all([this.containers, limited]).then(([cs]) => this.registerOutputs({ containers: cs.map((c) => c.name) }));
    }
}
