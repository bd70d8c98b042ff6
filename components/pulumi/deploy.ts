// Wires the components together from one plan. index.ts only reads config and exports.
import * as pulumi from "@pulumi/pulumi";
import { ADMIN_KEY_MISSING, AdminKey, ClusterSecrets } from "./keys";
import { Bastion, Controller, debianAmi, guardPlatform } from "./hosts";
import { Bootstrap } from "./bootstrap";
import { ComputeNodes } from "./compute";
import { alertSecrets, ClusterConfig } from "../plan/config";
import { Network } from "./network";
import { monitoringEndpoints, plan, renderSshConfig, tagsFor, userSshCommands, WebEndpoint } from "../plan/plan";
import { DIAL_ERROR_LIMIT } from "../plan/steps";
import { allTunnels } from "../plan/tunnels";
import { PLATFORM_ID } from "../plan/platform";

/** The stack outputs: the contract other teams read through StackReference. */
export interface ClusterOutputs {
    /** ID of SLURM-VPC. */
    vpcId: pulumi.Output<string>;
    /** ID of PublicSubnet (bastion, NAT gateway). */
    publicSubnetId: pulumi.Output<string>;
    /** ID of PrivateSubnet (controller). */
    privateSubnetId: pulumi.Output<string>;
    /** The bastion's Elastic IP: the only public SSH endpoint. */
    bastionPublicIp: pulumi.Output<string>;
    /** The controller's fixed private IP. */
    controllerPrivateIp: pulumi.Output<string>;
    /** The NAT gateway's Elastic IP: what the internet sees of the private subnet. */
    natPublicIp: pulumi.Output<string>;
    /** An ssh_config with the bastion and the controller behind ProxyJump, for admin and for each cluster user. */
    sshConfig: pulumi.Output<string>;
    /** Each cluster user's login command, by user name: `ssh -J <user>@<bastion> <user>@<controller>`. */
    users: pulumi.Output<Record<string, string>>;
    /** known_hosts lines for the bastion's EIP and the controller's private IP: their generated host keys. */
    knownHosts: pulumi.Output<string>;
    /** Slurm ClusterName. */
    clusterName: pulumi.Output<string>;
    /** Slurm partitions and their nodes. */
    partitions: pulumi.Output<{ name: string; nodes: string[]; isDefault: boolean }[]>;
    /** The Debian release and Slurm series every host runs, e.g. "debian-13/slurm-24.11"; the next run compares it. */
    platform: pulumi.Output<string>;
    /** Prometheus on the controller's loopback: its URL once the ssh -L command in `command` runs. */
    prometheusUrl: pulumi.Output<WebEndpoint>;
    /** Alertmanager, likewise; it asks for a login: user admin, alertmanagerPassword. */
    alertmanagerUrl: pulumi.Output<WebEndpoint>;
    /** Alertmanager's password (user admin), a secret. */
    alertmanagerPassword: pulumi.Output<string>;
    /** Grafana, likewise; absent when grafanaEnabled is false. */
    grafanaUrl?: pulumi.Output<WebEndpoint>;
    /** Grafana's admin password (user admin), a secret; absent when grafanaEnabled is false. */
    grafanaAdminPassword?: pulumi.Output<string>;
}

/** Declares the whole cluster; resolves once every resource is declared. */
export async function deploy(config: ClusterConfig): Promise<ClusterOutputs> {
    if (!config.adminPublicKey) throw new Error(ADMIN_KEY_MISSING);
    const p = plan(config);
    await guardPlatform(config.replaceForPlatform);
    const name = p.clusterName;
    const ami = debianAmi();

    const adminKey = new AdminKey(`${name}-admin`, { publicKey: config.adminPublicKey, tags: p.tags });
    const network = new Network(`${name}-net`, { network: p.network, tags: p.tags });
    const bastion = new Bastion(`${name}-bastion`, {
        host: p.bastion,
        trustedCidrs: p.trustedCidrs,
        tags: p.tags,
        vpcId: network.vpc.id,
        subnetId: network.publicSubnet.id,
        ami,
        keyName: adminKey.keyPair.keyName,
    });
    const controller = new Controller(`${name}-controller`, {
        host: p.controller,
        tags: p.tags,
        vpcId: network.vpc.id,
        subnetId: network.privateSubnet.id,
        ami,
        keyName: adminKey.keyPair.keyName,
        bastionSecurityGroupId: bastion.securityGroup.id,
    });

    // The bastion's node exporter listens on its private address, for the controller's group only.
    bastion.allowMetricsFrom(`${name}-bastion-sg-node-exporter`, controller.securityGroup.id, p.monitoring.nodeExporterPort,
        tagsFor(p, `${p.clusterName}-bastion-node-exporter`));

    const secrets = new ClusterSecrets(`${name}-secrets`, {
        tunnels: allTunnels(p),
        grafanaEnabled: p.monitoring.grafanaEnabled,
        controllerPrivateIp: p.controller.privateIp,
        adminPublicKey: adminKey.publicKey,
        bastionAddress: bastion.publicIp,
        bastionPrivateIp: bastion.privateIp,
        alertSecrets: alertSecrets(config.alertReceivers),
    });
    await secrets.ready;
    const generated = (n: Parameters<ClusterSecrets["get"]>[0]) => secrets.get(n);

    // Host keys: each host's first step installs its generated key, and Bootstrap
    // pins it from then on. The admin key's private half is the admin's own: it comes
    // from their ssh-agent, never from the stack.
    const auth = { agentSocketPath: process.env.SSH_AUTH_SOCK ?? "" };
    const bastionConn = { host: bastion.publicIp, user: p.adminUser, ...auth, dialErrorLimit: DIAL_ERROR_LIMIT };
    const bootstrap = new Bootstrap(`${name}-bootstrap`, {
        steps: p.steps,
        connections: {
            bastion: bastionConn,
            controller: { host: controller.privateIp, user: p.adminUser, ...auth, dialErrorLimit: DIAL_ERROR_LIMIT },
        },
        generated,
        hostIds: { bastion: bastion.instance.id, controller: controller.instance.id },
    }, { dependsOn: [bastion, controller] });

    const compute = new ComputeNodes(`${name}-compute`, {
        dockerHosts: p.dockerHosts,
        computeImage: p.computeImage,
        home: p.home.volume,
        clusterName: p.clusterName,
        homeServer: p.homeServer,
        containers: p.containers,
        dcgmExporters: p.dcgmExporters,
        generated,
    }, { dependsOn: [bootstrap] });
    await compute.ready;

    return {
        vpcId: network.vpc.id,
        publicSubnetId: network.publicSubnet.id,
        privateSubnetId: network.privateSubnet.id,
        bastionPublicIp: bastion.publicIp,
        controllerPrivateIp: controller.privateIp,
        natPublicIp: network.natEip.publicIp,
        sshConfig: bastion.publicIp.apply((ip) => renderSshConfig(p, ip)),
        users: bastion.publicIp.apply((ip) => userSshCommands(p, ip)),
        knownHosts: secrets.get("knownHosts"),
        clusterName: pulumi.output(p.clusterName),
        partitions: pulumi.output(p.partitions),
        platform: pulumi.output(PLATFORM_ID),
        ...endpointOutputs(p),
        alertmanagerPassword: secrets.get("alertmanagerPassword"),
        ...(p.monitoring.grafanaEnabled ? { grafanaAdminPassword: secrets.get("grafanaAdminPassword") } : {}),
    };
}

function endpointOutputs(p: ReturnType<typeof plan>): Pick<ClusterOutputs, "prometheusUrl" | "alertmanagerUrl" | "grafanaUrl"> {
    const e = monitoringEndpoints(p, `${p.clusterName}-controller`);
    return {
        prometheusUrl: pulumi.output(e.prometheus),
        alertmanagerUrl: pulumi.output(e.alertmanager),
        ...(e.grafana ? { grafanaUrl: pulumi.output(e.grafana) } : {}),
    };
}
