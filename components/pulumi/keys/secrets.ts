import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { inBatches } from "../../plan/compute";
import { GeneratedName, hostKeyNames, isSecretName } from "../../plan/steps";
import { NodeTunnel, renderKnownHosts } from "../../plan/tunnels";

export interface ClusterSecretsArgs {
    /** Every tunnel (each node's, and the home server's): one key pair each. */
    tunnels: NodeTunnel[];
    /** Whether Grafana runs, and so has an admin password. */
    grafanaEnabled: boolean;
    /** The controller's fixed private address, for known_hosts. */
    controllerPrivateIp: string;
    /** The admin public key (from config or generated). */
    adminPublicKey: pulumi.Input<string>;
    /** How compute nodes reach the bastion: its Elastic IP. */
    bastionAddress: pulumi.Input<string>;
    /** Where the controller's Prometheus reaches the bastion's node exporter. */
    bastionPrivateIp: pulumi.Input<string>;
    /** Alert receivers' secrets from the stack config, by generated name (receivers.alertSecrets). */
    alertSecrets: Record<string, string>;
}

/**
 * Every generated value the plan refers to: the munge key and DB password from
 * @pulumi/random, host and tunnel keys from @pulumi/tls. Secrets stay Pulumi secrets.
 */
export class ClusterSecrets extends pulumi.ComponentResource {
    private readonly values = new Map<GeneratedName, pulumi.Output<string>>();
    /** Resolves when every per-node tunnel key is declared (in batches, components/plan/compute/batches.ts). */
    public readonly ready: Promise<void>;

    constructor(name: string, args: ClusterSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hpc-stack:secrets:ClusterSecrets", name, {}, opts);
        const parent = { parent: this };

        // munged wants at least 32 bytes; 1024 is what mungekey(8) writes by default.
        const munge = new random.RandomBytes(`${name}-munge-key`, { length: 1024 }, parent);
        this.set("mungeKey", munge.base64);
        const db = new random.RandomPassword(`${name}-db-password`, { length: 32, special: false }, parent);
        this.set("dbPassword", db.result);
        // Grafana is declared only where it runs, but its password is a stack output either way.
        if (args.grafanaEnabled) {
            const grafana = new random.RandomPassword(`${name}-grafana-admin-password`, { length: 32, special: false }, parent);
            this.set("grafanaAdminPassword", grafana.result);
        }
        const am = new random.RandomPassword(`${name}-alertmanager-password`, { length: 32, special: false }, parent);
        this.set("alertmanagerPassword", am.result);
        // From the stack config: secret whether or not the user set them with --secret.
        for (const [n, v] of Object.entries(args.alertSecrets)) this.set(n as GeneratedName, pulumi.output(v));

        const hostKey = (host: "bastion" | "controller") => {
            const k = new tls.PrivateKey(`${name}-${host}-host-key`, { algorithm: "ED25519" }, parent);
            this.set(hostKeyNames(host).privateKey, k.privateKeyOpenssh);
            this.set(hostKeyNames(host).publicKey, k.publicKeyOpenssh.apply((x) => x.trim()));
            return k;
        };
        const bastionKey = hostKey("bastion");
        const controllerKey = hostKey("controller");
        this.set("knownHosts", pulumi.all([args.bastionAddress, bastionKey.publicKeyOpenssh, controllerKey.publicKeyOpenssh])
            .apply(([addr, b, c]) => renderKnownHosts(addr, b, args.controllerPrivateIp, c)));

        // The home server's SFTP host key (pinned by the controller's sshfs) and the sshfs client key.
        const homeHost = new tls.PrivateKey(`${name}-home-host-key`, { algorithm: "ED25519" }, parent);
        this.set("homeHostKey", homeHost.privateKeyOpenssh);
        this.set("homeHostPublicKey", homeHost.publicKeyOpenssh.apply((x) => x.trim()));
        const homeClient = new tls.PrivateKey(`${name}-home-client-key`, { algorithm: "ED25519" }, parent);
        this.set("homeClientPrivateKey", homeClient.privateKeyOpenssh);
        this.set("homeClientPublicKey", homeClient.publicKeyOpenssh.apply((x) => x.trim()));

        this.set("adminPublicKey", pulumi.output(args.adminPublicKey));
        this.set("bastionAddress", pulumi.output(args.bastionAddress));
        this.set("bastionPrivateIp", pulumi.output(args.bastionPrivateIp));
        // One per tunnel: each node's, and the home server's.
        this.ready = inBatches(args.tunnels, (t) => {
            const k = new tls.PrivateKey(`${name}-tunnel-${t.node}`, { algorithm: "ED25519" }, parent);
            this.set(`tunnelPrivateKey/${t.node}`, k.privateKeyOpenssh);
            this.set(`tunnelPublicKey/${t.node}`, k.publicKeyOpenssh.apply((x) => x.trim()));
        }).then(() => this.registerOutputs({}));
    }

    private set(n: GeneratedName, v: pulumi.Output<string>): void {
        this.values.set(n, isSecretName(n) ? pulumi.secret(v) : v);
    }

    /** The value of a generated name; secrets come back as secret Outputs. */
    get(n: GeneratedName): pulumi.Output<string> {
        const v = this.values.get(n);
        if (!v) throw new Error(`no generated value ${n}${n.startsWith("tunnel") ? " (await ClusterSecrets.ready first)" : ""}`);
        return v;
    }
}
