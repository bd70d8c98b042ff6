// The pure core: plan(config) -> ClusterPlan. No Pulumi, no I/O, so the Pulumi
// components and the local lab consume exactly the same decisions.
import { ClusterConfig } from "./config";
import { bootstrapSteps } from "./bootstrapSteps";
import { computeImage, ComputeImage, ContainerSpec, containerSpecs, DcgmExporterSpec, dcgmExporterSpecs } from "./containers";
import { ClusterLayout, layout } from "./layout";
import { BootstrapStep } from "./steps";

export interface ClusterPlan extends ClusterLayout {
    /** Shell work on the bastion and the controller, in dependency order. */
    steps: BootstrapStep[];
    /** One container per compute node. */
    containers: ContainerSpec[];
    /** A DCGM exporter beside each GPU node, in its network namespace. */
    dcgmExporters: DcgmExporterSpec[];
    /** The compute image: content-hashed tag, Dockerfile (relative to config-files/), base, build args. */
    computeImage: ComputeImage;
}

export function plan(c: ClusterConfig): ClusterPlan {
    const l = layout(c);
    return {
        ...l, steps: bootstrapSteps(l), containers: containerSpecs(l), dcgmExporters: dcgmExporterSpecs(l),
        computeImage: computeImage(l.docker.baseImage, l.docker.installStreamlit),
    };
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

/** A web UI on the controller's loopback: its URL on your machine, once `command` (ssh -L through the bastion) runs. */
export interface WebEndpoint { url: string; command: string }

/** Prometheus, Alertmanager and (when enabled) Grafana, each with the ssh -L that reaches it; sshHost names the controller in your ssh_config. */
export function monitoringEndpoints(p: ClusterLayout, sshHost: string, sshArgs = ""): { prometheus: WebEndpoint; alertmanager: WebEndpoint; grafana?: WebEndpoint } {
    const m = p.monitoring;
    const at = (port: number, path = "/"): WebEndpoint => ({
        url: `http://localhost:${port}${path}`,
        command: `ssh ${sshArgs ? `${sshArgs} ` : ""}-N -L ${port}:127.0.0.1:${port} ${sshHost}`,
    });
    return {
        prometheus: at(m.prometheusPort),
        alertmanager: at(m.alertmanagerPort),
        ...(m.grafanaEnabled ? { grafana: at(m.grafanaPort) } : {}),
    };
}
