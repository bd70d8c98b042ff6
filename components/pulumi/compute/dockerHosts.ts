// What each Docker host holds before any node runs on it: its provider, the compute
// image built on its engine, its network, the home volume, and the DCGM exporter's
// image where GPU nodes run. Children of ComputeNodes (no component of their own, so
// no URN moves).
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ComputeImage } from "../../plan/compute";
import { LOCAL_DOCKER_HOST } from "../../plan/config";
import { DockerHostPlan, HomePlan } from "../../plan/layout";
import { CONFIG_FILES_DIR } from "../../plan/steps";
import { homeVolumeArgs } from "./containerArgs";

/** What one Docker host holds: its provider, image and network, and what its nodes mount. */
export interface HostResources {
    child: pulumi.CustomResourceOptions;
    image: docker.Image;
    network: docker.Network;
    /** Its engine's home volume (a host sharing another's engine mounts that one's). */
    home: docker.Volume;
    /** Only on a host with GPU nodes. */
    dcgmImage?: docker.RemoteImage;
}

export interface DockerHostsArgs {
    dockerHosts: DockerHostPlan[];
    computeImage: ComputeImage;
    home: HomePlan["volume"];
    clusterName: string;
    /** The DCGM exporter's image, by the name of each host with GPU nodes. */
    dcgmImages: Map<string, string>;
}

/** Each host's resources, by host name; `name` is the component's, which prefixes each. */
export function declareDockerHosts(name: string, args: DockerHostsArgs, parent: pulumi.Resource): Map<string, HostResources> {
    // One volume per engine: hosts that share one (the lab's two sites on one dockerd)
    // share its volume, which Docker names alone, so a second resource would fight the first.
    const homes = new Map<string, docker.Volume>();
    return new Map(args.dockerHosts.map((h): [string, HostResources] => {
        // "local" keeps the names of the stacks deployed before dockerHosts: no replacement.
        const suffix = h.name === LOCAL_DOCKER_HOST ? "" : `-${h.name}`;
        const provider = new docker.Provider(`${name}-docker${suffix}`, { host: h.url }, { parent });
        const child = { parent, provider };
        const image = new docker.Image(`${name}-image${suffix}`, {
            // Tagged by content, so a changed Dockerfile or script replaces the containers.
            imageName: args.computeImage.tag,
            build: {
                context: CONFIG_FILES_DIR,
                dockerfile: path.join(CONFIG_FILES_DIR, args.computeImage.dockerfile),
                args: args.computeImage.buildArgs,
                platform: "linux/amd64",
            },
            skipPush: true,
        }, child);
        const network = new docker.Network(`${name}-network${suffix}`, { name: h.network, driver: "bridge" }, child);
        // /home: kept when the stack's containers are replaced, and protected, for it holds
        // the users' files (remove it by hand, after a backup, to destroy the stack).
        const home = homes.get(h.url) ?? new docker.Volume(`${name}-home${suffix}`, homeVolumeArgs(args.home, args.clusterName), { ...child, protect: true });
        homes.set(h.url, home);
        // Pulled once per Docker host, by its pinned tag; kept when the stack goes (a large image).
        const dcgm = args.dcgmImages.get(h.name);
        const dcgmImage = dcgm ? new docker.RemoteImage(`${name}-dcgm-exporter-image${suffix}`, { name: dcgm, keepLocally: true }, child) : undefined;
        return [h.name, { child, image, network, home, dcgmImage }];
    }));
}
