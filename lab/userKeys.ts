// The lab's cluster users log in with keys the lab makes for them: the stack config
// names public keys whose private halves only their owners hold, so the lab replaces
// each user's key with one of its own, kept in .lab-state/users/.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RawConfig } from "../components/plan/config";
import { STATE_DIR } from "./paths";

const USERS_DIR = path.join(STATE_DIR, "users");

/** The private key file of a lab user's key pair, made on first use. */
export function labUserKeyFile(name: string): string {
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(name)) throw new Error(`not a user name: ${JSON.stringify(name)}`);
    const file = path.join(USERS_DIR, `${name}_ed25519`);
    if (!fs.existsSync(file) || !fs.existsSync(`${file}.pub`)) {
        fs.mkdirSync(USERS_DIR, { recursive: true, mode: 0o700 });
        fs.rmSync(file, { force: true });
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `hpc-lab-${name}`, "-f", file]);
    }
    return file;
}

/** The config with each user's sshPublicKey replaced by the lab's key for them. */
export function withLabUserKeys(raw: RawConfig): RawConfig {
    if (!Array.isArray(raw.users)) return raw;
    return {
        ...raw,
        users: raw.users.map((u: Record<string, unknown>) => typeof u?.name === "string"
            ? { ...u, sshPublicKey: fs.readFileSync(`${labUserKeyFile(u.name)}.pub`, "utf8").trim() } : u),
    };
}
