// Values that exist only at deploy time: secrets and keys that Pulumi generates
// (@pulumi/random, @pulumi/tls) and the lab generates itself. The plan refers to
// them by name; each adapter supplies them.

/** A reference to a generated value, resolved by the adapter; prefix is prepended. */
export interface Ref { ref: GeneratedName; prefix?: string }
export type Value = string | Ref;

export type GeneratedName =
    | "mungeKey"               // base64 of 1024 random bytes
    | "dbPassword"             // slurmdbd's MariaDB password
    | "adminPublicKey"
    | "bastionHostKey"         // OpenSSH private host keys, so known_hosts is known ahead
    | "controllerHostKey"
    | "bastionHostPublicKey"   // their public halves: remote.Command pins them (steps.pinnedHosts)
    | "controllerHostPublicKey"
    | "knownHosts"             // bastion + controller host public keys (tunnels.renderKnownHosts)
    | "bastionAddress"         // how compute reaches the bastion: its EIP, or the lab's wan IP
    | "bastionPrivateIp"       // where the controller's Prometheus reaches the bastion's node exporter
    | "grafanaAdminPassword"   // @pulumi/random; reaches the controller only on stdin
    | "alertmanagerPassword"   // @pulumi/random; Alertmanager's login (user admin), for Prometheus and admins
    | "homeHostKey"            // the home server's SFTP host key: the controller's sshfs pins it
    | "homeHostPublicKey"
    | "homeClientPrivateKey"   // the controller's sshfs key, authorized on the home server for each user
    | "homeClientPublicKey"
    | `alertSecret/${string}`  // a receiver's webhook/Slack URL or SMTP password, from the stack config (receivers.ts)
    | `tunnelPrivateKey/${string}`
    | `tunnelPublicKey/${string}`;

/** The generated names of a host's SSH host key pair. */
export const hostKeyNames = (host: "bastion" | "controller"): { privateKey: GeneratedName; publicKey: GeneratedName } =>
    ({ privateKey: `${host}HostKey` as GeneratedName, publicKey: `${host}HostPublicKey` as GeneratedName });

/** Generated values that are secrets: they never appear in plain outputs or logs. */
export function isSecretName(n: GeneratedName): boolean {
    return n === "mungeKey" || n === "dbPassword" || n.endsWith("HostKey") || n.startsWith("tunnelPrivateKey/") || n === "homeClientPrivateKey"
        || n === "grafanaAdminPassword" || n === "alertmanagerPassword" || n.startsWith("alertSecret/");
}

export const ref = (name: GeneratedName, prefix?: string): Ref => (prefix ? { ref: name, prefix } : { ref: name });
export const isRef = (v: unknown): v is Ref => typeof v === "object" && v !== null && "ref" in v;

/** Resolves a Value against the adapter's generated values (strings pass through). */
export function resolveValue(v: Value, values: Partial<Record<GeneratedName, string>>): string {
    if (!isRef(v)) return v;
    const x = values[v.ref];
    if (x === undefined) throw new Error(`no generated value ${v.ref}`);
    return (v.prefix ?? "") + x;
}
