// The pure core: plan(config) -> ClusterPlan. No Pulumi, no I/O, so the Pulumi
// components and the local lab consume exactly the same decisions.
import { ClusterConfig } from "./config";
import { bootstrapSteps } from "./bootstrapSteps";
import { computeImage, ContainerSpec, containerSpecs } from "./containers";
import { ClusterLayout, layout } from "./layout";
import { BootstrapStep } from "./steps";

export interface ClusterPlan extends ClusterLayout {
    /** Shell work on the bastion and the controller, in dependency order. */
    steps: BootstrapStep[];
    /** One container per compute node. */
    containers: ContainerSpec[];
    /** The compute image: content-hashed tag, Dockerfile (relative to config-files/), base. */
    computeImage: { tag: string; dockerfile: string; baseImage: string };
}

export function plan(c: ClusterConfig): ClusterPlan {
    const l = layout(c);
    return { ...l, steps: bootstrapSteps(l), containers: containerSpecs(l), computeImage: computeImage(l.docker.baseImage) };
}

/** Tags for one AWS resource: the plan's base tags, its Name and, for instances, its Role. */
export function tagsFor(p: ClusterLayout, name: string, role?: string): Record<string, string> {
    return { ...p.tags, Name: name, ...(role ? { Role: role } : {}) };
}

/** An ssh_config for admins: the bastion, and the controller through it with ProxyJump. */
export function renderSshConfig(p: ClusterLayout, bastionPublicIp: string, identityFile = "~/.ssh/hpc-stack-admin"): string {
    const prefix = p.clusterName;
    return [
        `Host ${prefix}-bastion`,
        `    HostName ${bastionPublicIp}`,
        `    User ${p.adminUser}`,
        `    IdentityFile ${identityFile}`,
        `    IdentitiesOnly yes`,
        ``,
        `Host ${prefix}-controller`,
        `    HostName ${p.controller.privateIp}`,
        `    User ${p.adminUser}`,
        `    IdentityFile ${identityFile}`,
        `    IdentitiesOnly yes`,
        `    ProxyJump ${prefix}-bastion`,
        ``,
    ].join("\n");
}
