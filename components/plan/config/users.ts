// Cluster users from config: one list makes the bastion's jump-only accounts, the
// controller's logins, the compute nodes' job users and Slurm's associations.
import { z } from "zod";
import { Check, uniqueBy } from "./check";

/** The admin's uid on Debian's cloud images: cluster users start above it. */
export const FIRST_USER_UID = 1001;
/** Debian's UID_MAX (/etc/login.defs): above it lie the system and nobody ranges. */
export const LAST_USER_UID = 59999;
/**
 * Names that already mean something on one of the hosts (Debian's own accounts and the
 * daemons this program installs): a cluster user by one of them would take it over.
 */
export const RESERVED_USER_NAMES = [
    "root", "admin", "slurm", "munge", "hpc-tunnel", "prometheus", "grafana", "mysql", "sshd", "nobody",
    "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data",
    "backup", "list", "irc", "_apt", "messagebus", "systemd-network", "systemd-timesync",
];
/** Slurm's default account: users without one of their own join it. */
export const DEFAULT_ACCOUNT = "default";

/** One OpenSSH public key on one line: an authorized_keys line with two lines would be two keys. */
const PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n\r]*)?$/;

/** useradd's NAME_REGEX, and short enough for sacctmgr and ls -l. */
export const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

export const userSchema = z.object({
    name: z.string().regex(USER_NAME, "must be a lower-case user name: letters, digits, '_' or '-', starting with a letter or '_', at most 32")
        .refine((n) => !RESERVED_USER_NAMES.includes(n), "is a reserved name (a system or daemon account on the hosts)"),
    uid: z.number().int().min(FIRST_USER_UID, `must be ${FIRST_USER_UID} or more (below are system accounts and admin's 1000)`)
        .max(LAST_USER_UID, `must be ${LAST_USER_UID} or less (Debian's UID_MAX)`),
    sshPublicKey: z.string().regex(PUBLIC_KEY, "must be one OpenSSH public key on one line (ssh-ed25519, ssh-rsa, ecdsa-sha2-* or sk-ssh-ed25519@openssh.com)"),
    // sacctmgr lower-cases account names; upper case would never match on the next run.
    account: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "must be a lower-case Slurm account name").default(DEFAULT_ACCOUNT),
}).strict();

export type UserConfig = z.output<typeof userSchema>;
export const USER_KEYS = Object.keys(userSchema.shape);

/** Duplicate names and uids, each reported on the later entry with the earlier one's index. */
export const uniqueUsers: Check<{ users: UserConfig[] }> = (c, issue) => {
    for (const key of ["name", "uid"] as const) uniqueBy(c.users, (u) => u[key], "users", key, issue);
};
