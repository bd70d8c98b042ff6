// The lab's generated values (what @pulumi/random and @pulumi/tls make in AWS),
// kept in .lab-state/ with mode 600 so that re-running `up` changes nothing.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GeneratedName, hostKeyNames } from "../components/plan/steps";
import { ClusterPlan } from "../components/plan/plan";
import { allTunnels, renderKnownHosts } from "../components/plan/tunnels";
import { run } from "./docker";
import { alertSecrets, parseConfig } from "../components/plan/config";
import { BASTION_WAN_IP, bastionVpcIp, LAB_CONFIG } from "./labPlan";
import { STATE_DIR } from "./paths";

export { STATE_DIR };
export const ADMIN_KEY = path.join(STATE_DIR, "admin_ed25519");
/** Checks both hosts' generated keys: what `npm run lab -- ssh` and the tests use. */
export const SSH_CONFIG = path.join(STATE_DIR, "ssh_config");
export const KNOWN_HOSTS = path.join(STATE_DIR, "known_hosts");
const VALUES = path.join(STATE_DIR, "generated.json");

async function keypair(comment: string): Promise<{ priv: string; pub: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-lab-key-"));
    try {
        const f = path.join(dir, "k");
        await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", f]);
        return { priv: fs.readFileSync(f, "utf8"), pub: fs.readFileSync(`${f}.pub`, "utf8").trim() };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** 24 letters and digits, as @pulumi/random's RandomPassword with special: false makes them. */
const password = (): string => randomBytes(24).toString("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, 24).padEnd(24, "x");

/** Loads the lab's generated values, creating any that are missing (new nodes get new keys). */
export async function generatedValues(p: ClusterPlan): Promise<Record<GeneratedName, string>> {
    fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
    const v: Record<string, string> = fs.existsSync(VALUES) ? JSON.parse(fs.readFileSync(VALUES, "utf8")) : {};
    const ensureKey = async (priv: string, pub: string, comment: string) => {
        if (v[priv] && v[pub]) return;
        const k = await keypair(comment);
        v[priv] = k.priv;
        v[pub] = k.pub;
    };
    v.mungeKey ??= randomBytes(1024).toString("base64");
    v.dbPassword ??= password();
    await ensureKey("adminPrivateKey", "adminPublicKey", "hpc-lab-admin");
    for (const host of ["bastion", "controller"] as const) await ensureKey(hostKeyNames(host).privateKey, hostKeyNames(host).publicKey, host);
    for (const t of allTunnels(p)) await ensureKey(`tunnelPrivateKey/${t.node}`, `tunnelPublicKey/${t.node}`, `hpc-tunnel-${t.node}`);
    await ensureKey("homeHostKey", "homeHostPublicKey", "home");
    await ensureKey("homeClientPrivateKey", "homeClientPublicKey", "hpc-home-client");
    v.alertmanagerPassword ??= password();
    v.grafanaAdminPassword ??= password();
    v.bastionAddress = BASTION_WAN_IP;
    v.bastionPrivateIp = bastionVpcIp(p);
    // The lab's receivers' secrets, as Pulumi reads them from the stack config.
    Object.assign(v, alertSecrets(parseConfig(LAB_CONFIG).alertReceivers));
    v.knownHosts = renderKnownHosts(BASTION_WAN_IP, v.bastionHostPublicKey, p.controller.privateIp, v.controllerHostPublicKey);
    fs.writeFileSync(VALUES, JSON.stringify(v, null, 1), { mode: 0o600 });
    fs.writeFileSync(ADMIN_KEY, v.adminPrivateKey, { mode: 0o600 });
    return v as Record<GeneratedName, string>;
}

/** The ssh_config that checks the keys of `pinned` hosts only (SSH_CONFIG checks both). */
export function sshConfigPath(pinned: readonly string[]): string {
    return pinned.length === 2 ? SSH_CONFIG : path.join(STATE_DIR, `ssh_config.pinned-${pinned.join("-") || "none"}`);
}

export function writeStateFile(file: string, text: string): void {
    fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, text, { mode: 0o600 });
}

export function removeState(): void {
    fs.rmSync(STATE_DIR, { recursive: true, force: true });
}
