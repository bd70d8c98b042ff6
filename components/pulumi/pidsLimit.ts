import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec } from "../plan/containers";

/**
 * The spec's PID limit on a created container (CIS Docker 5.29). @pulumi/docker 5.2.0's
 * Container has no pidsLimit (its Terraform provider lacks pids_limit), so `docker update`
 * sets it, on the container's own engine, once per container (its id is the trigger: a
 * replaced container gets it again). Needs the docker CLI where `pulumi up` runs, as the
 * image build does. The command holds names and a number only, never a secret.
 */
export function limitPids(name: string, spec: ContainerSpec, container: docker.Container, dockerHost: string,
    parent: pulumi.Resource): command.local.Command {
    return new command.local.Command(`${name}-pids`, {
        create: pulumi.interpolate`docker update --pids-limit ${spec.limits.pids} ${container.name}`,
        environment: { DOCKER_HOST: dockerHost },
        triggers: [container.id, spec.limits.pids],
    }, { parent, dependsOn: [container] });
}
