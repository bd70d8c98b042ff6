import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerShare } from "../../plan/compute";

/** A declared container and the spec it came from, with its Docker host's name and engine. */
export interface Limited { spec: Pick<ContainerShare, "limits">; container: docker.Container; host: { name: string; url: string } }

/**
 * Each container's PID limit from its spec (CIS Docker 5.29). @pulumi/docker 5.2.0's
 * Container has no pidsLimit (its Terraform provider lacks pids_limit), so `docker update`
 * sets it on the containers' own engine: one command per host and limit, not per
 * container (at 1000 nodes, 1000 more resources would slow every `pulumi up`). The
 * containers' ids are its triggers, so a replaced container gets its limit again. Needs
 * the docker CLI where `pulumi up` runs, as the image build does; the command holds names
 * and numbers only, never a secret.
 */
export function limitPids(name: string, items: Limited[], parent: pulumi.Resource): command.local.Command[] {
    const groups = new Map<string, Limited[]>();
    for (const i of items) {
        const key = `${i.host.name}-${i.spec.limits.pids}`;
        groups.set(key, [...(groups.get(key) ?? []), i]);
    }
    return [...groups].map(([key, group]) => new command.local.Command(`${name}-pids-${key}`, {
        create: pulumi.interpolate`docker update --pids-limit ${group[0].spec.limits.pids} ${pulumi.all(group.map((g) => g.container.name)).apply((ns) => ns.join(" "))}`,
        environment: { DOCKER_HOST: group[0].host.url },
        triggers: group.map((g) => g.container.id),
    }, { parent, dependsOn: group.map((g) => g.container) }));
}
