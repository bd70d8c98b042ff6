// The pure core: plan(config) -> ClusterPlan. No Pulumi, no I/O, so the Pulumi
// components and the local lab consume exactly the same decisions.
import { ClusterConfig } from "./config";
import { bootstrapSteps } from "./bootstrap";
import { homeServerSpec, loginUsers } from "./users";
import { computeImage, ComputeImage, ContainerSpec, containerSpecs, DcgmExporterSpec, dcgmExporterSpecs } from "./compute";
import { ClusterLayout, layout } from "./layout";
import { BootstrapStep } from "./steps";

export interface ClusterPlan extends ClusterLayout {
    /** Shell work on the bastion and the controller, in dependency order. */
    steps: BootstrapStep[];
    /** One container per compute node. */
    containers: ContainerSpec[];
    /** A DCGM exporter beside each GPU node, in its network namespace. */
    dcgmExporters: DcgmExporterSpec[];
    /** The SFTP server of /home on premises, from the compute image (homeServer.ts). */
    homeServer: ContainerSpec;
    /** The compute image: content-hashed tag, Dockerfile (relative to config-files/), build args. */
    computeImage: ComputeImage;
}

export function plan(c: ClusterConfig): ClusterPlan {
    const l = layout(c);
    return {
        ...l, steps: bootstrapSteps(l), containers: containerSpecs(l), dcgmExporters: dcgmExporterSpecs(l),
        homeServer: homeServerSpec(l), computeImage: computeImage(l.docker.baseImage, l.docker.installStreamlit),
    };
}

/** Tags for one AWS resource: the plan's base tags, its Name and, for instances, its Role. */
export function tagsFor(p: ClusterLayout, name: string, role?: string): Record<string, string> {
    return nameTags(p.tags, name, role);
}

/** A resource's tags: the cluster's, its Name, and its Role where it has one (policy reads Role). */
export function nameTags(tags: Record<string, string>, name: string, role?: string): Record<string, string> {
    return { ...tags, Name: name, ...(role ? { Role: role } : {}) };
}

/** The ssh_config Host names of a cluster user: their jump on the bastion, and their login on the controller. */
export const userSshHosts = (p: ClusterLayout, user: string) => ({ bastion: `${p.clusterName}-bastion-${user}`, controller: `${p.clusterName}-${user}` });

/** Each cluster user's login, as one command: through the bastion, as themselves on both hops. */
export function userSshCommands(p: ClusterLayout, bastionPublicIp: string): Record<string, string> {
    return Object.fromEntries(loginUsers(p).map((u) => [u.name, `ssh -J ${u.name}@${bastionPublicIp} ${u.name}@${p.controller.privateIp}`]));
}

/**
 * An ssh_config: the admin's bastion and controller (ProxyJump), then one block pair
 * per cluster user, the template a user copies. userIdentityFile: a user's key file
 * when known (the lab's); else ssh's defaults and agent pick the user's own key.
 */
export function renderSshConfig(p: ClusterLayout, bastionPublicIp: string, identityFile = "~/.ssh/hpc-stack-admin",
    userIdentityFile?: (user: string) => string): string {
    const prefix = p.clusterName;
    const userBlocks = loginUsers(p).flatMap((u) => {
        const h = userSshHosts(p, u.name);
        const key = userIdentityFile ? [`    IdentityFile ${userIdentityFile(u.name)}`, `    IdentitiesOnly yes`] : [];
        return [
            `# Cluster user ${u.name}: \`ssh ${h.controller}\` logs in on the controller through the bastion.`,
            `Host ${h.bastion}`,
            `    HostName ${bastionPublicIp}`,
            `    User ${u.name}`,
            ...key,
            ``,
            `Host ${h.controller}`,
            `    HostName ${p.controller.privateIp}`,
            `    User ${u.name}`,
            ...key,
            `    ProxyJump ${h.bastion}`,
            ``,
        ];
    });
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
        ...userBlocks,
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
