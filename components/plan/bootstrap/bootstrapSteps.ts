// The bootstrap of the bastion and the controller, as pure data.
import { MUNGED_THREADS } from "../slurm";
import { BootstrapStep, configFile, GeneratedName, hostKeyNames, PlannedFile, render } from "../steps";
import { ClusterLayout } from "../layout";
import { renderGresConf, renderSlurmConf, SLURM_CONF_PATH } from "../slurm";
import { monitoringSteps } from "../monitoring";
import { DEFAULT_ACCOUNT } from "../config";
import { accountUsers, userSteps } from "../users";
import { allTunnels, bastionKeyOptions, controllerKeyOptions, rangePorts, splitSrunRange, SRUN_HOLD_ADDRESS, TUNNEL_USER } from "../tunnels";

export const ACCOUNTING_DB = "slurm_acct_db";
export const BACKUP_DIR = "/var/backups/slurm-accounting";

const MUNGE_DEFAULTS_PATH = "/etc/default/munge";
const file = (path: string, content: string, mode = "0644", owner = "root:root"): PlannedFile => ({ path, content, mode, owner });
const sshdHardening = () => file("/etc/ssh/sshd_config.d/50-hpc-hardening.conf", configFile("ssh/sshd-hardening.conf"));
/**
 * The controller's daemons are the last the kernel's OOM killer picks (-900, not -1000,
 * so it still can when nothing else is left): a user's or Prometheus's memory must not
 * take the scheduler, its accounting or their database with it.
 */
export const OOM_SCORE_ADJUST = -900;
const oomDropIn = (unit: string) => file(`/etc/systemd/system/${unit}.service.d/50-hpc-oom.conf`, `[Service]\nOOMScoreAdjust=${OOM_SCORE_ADJUST}\n`);

/** The EC2 hosts' own sshd settings, read before the shared hardening drop-in. */
const sshdEc2 = () => file("/etc/ssh/sshd_config.d/40-hpc-ec2.conf", configFile("ssh/sshd-ec2.conf"));

/**
 * The first step to each host: its generated host key, and nothing else in its command
 * or stdin, so it runs again only when the host is replaced. Every later step pins the
 * key (pinnedHosts); the controller's goes through the bastion, pinned by then.
 */
function hostKeyStep(host: "bastion" | "controller"): BootstrapStep {
    const hostKey = hostKeyNames(host).privateKey;
    return {
        id: `${host}-hostkey`, host, script: "host-key.sh", env: { HOST_KEY: hostKey }, files: [], generated: [hostKey],
        dependsOn: host === "controller" ? ["bastion-hostkey"] : [],
    };
}

function sshStep(p: ClusterLayout, host: "bastion" | "controller"): BootstrapStep {
    const tunnels = allTunnels(p);
    const keyLines = tunnels.map((t) => `${t.node} ${host === "bastion" ? bastionKeyOptions(p) : controllerKeyOptions(t)}`);
    return {
        id: `${host}-ssh`,
        host,
        script: "host-ssh.sh",
        env: { HOST_NAME: p[host].hostname, TUNNEL_USER, TUNNEL_KEYS: keyLines.join("\n"), ADMIN_USER: p.adminUser },
        files: [sshdEc2(), sshdHardening()],
        generated: ["adminPublicKey", ...tunnels.map((t): GeneratedName => `tunnelPublicKey/${t.node}`)],
        // After its host's key step (and, for the controller, the bastion's): every hop pinned.
        dependsOn: [`${host}-hostkey`],
    };
}

export function bootstrapSteps(p: ClusterLayout): BootstrapStep[] {
    const reserved = rangePorts(splitSrunRange(p.ports.srun).compute).map((port) => `ListenStream=${SRUN_HOLD_ADDRESS}:${port}`);
    const step = (s: Omit<BootstrapStep, "host" | "env" | "files" | "generated"> & Partial<BootstrapStep>): BootstrapStep =>
        ({ host: "controller", env: {}, files: [], generated: [], ...s });
    return [
        hostKeyStep("bastion"),
        hostKeyStep("controller"),
        sshStep(p, "bastion"),
        sshStep(p, "controller"),
        step({
            id: "controller-munge", script: "controller-munge.sh", generated: ["mungeKey"], dependsOn: ["controller-ssh"],
            // Read by Debian's munge.service (EnvironmentFile, $OPTIONS).
            files: [file(MUNGE_DEFAULTS_PATH, `OPTIONS="--num-threads ${MUNGED_THREADS}"\n`), oomDropIn("munge")],
        }),
        step({
            id: "controller-accounting-db", script: "controller-accounting-db.sh", generated: ["dbPassword"], dependsOn: ["controller-ssh"],
            env: { DB_NAME: ACCOUNTING_DB },
            files: [file("/etc/mysql/mariadb.conf.d/50-hpc-slurm.cnf", configFile("mariadb/50-hpc-slurm.cnf")), oomDropIn("mariadb")],
        }),
        step({
            id: "controller-slurmdbd", script: "controller-slurmdbd.sh", generated: ["dbPassword"],
            dependsOn: ["controller-munge", "controller-accounting-db"],
            env: { SLURMDBD_PORT: String(p.ports.slurmdbd) },
            files: [file("/etc/hpc/slurmdbd.conf.in", render("slurm/slurmdbd.conf.tmpl", {
                controllerHost: p.controller.hostname, slurmdbdPort: p.ports.slurmdbd, dbName: ACCOUNTING_DB,
            }), "0600"), oomDropIn("slurmdbd")],
        }),
        step({
            id: "controller-slurmctld", script: "controller-slurmctld.sh", dependsOn: ["controller-slurmdbd"],
            files: [
                file(SLURM_CONF_PATH, renderSlurmConf(p)),
                file("/etc/slurm/gres.conf", renderGresConf(p)),
                file("/etc/slurm/cgroup.conf", configFile("slurm/cgroup.conf")),
                file("/etc/slurm/plugstack.conf", configFile("slurm/plugstack.conf")),
                file("/etc/systemd/system/hpc-srun-ports.socket", render("systemd/hpc-srun-ports.socket.tmpl", { listenStreamLines: reserved.join("\n") })),
                file("/etc/systemd/system/hpc-srun-ports@.service", configFile("systemd/hpc-srun-ports@.service")),
                oomDropIn("slurmctld"),
            ],
        }),
        step({
            // After the users exist: slurmctld maps an association's user to a uid when it learns
            // of it, and one added before the user existed left their jobs with no account.
            id: "controller-accounts", script: "controller-accounts.sh", dependsOn: ["controller-slurmctld", "controller-users"],
            env: { CLUSTER_NAME: p.clusterName, DEFAULT_ACCOUNT, ACCOUNT_USERS: accountUsers(p), SLURM_ADMIN: p.adminUser },
        }),
        step({
            id: "controller-acct-backup", script: "controller-acct-backup.sh", dependsOn: ["controller-accounting-db"],
            files: [
                file("/etc/systemd/system/hpc-acct-backup.service", configFile("systemd/hpc-acct-backup.service")),
                file("/etc/systemd/system/hpc-acct-backup.timer", configFile("systemd/hpc-acct-backup.timer")),
                file("/usr/local/sbin/hpc-acct-backup", configFile("bootstrap/acct-backup.sh"), "0755"),
                file("/etc/hpc/acct-backup.env", `BACKUP_DIR=${BACKUP_DIR}\nRETENTION_DAYS=${p.backupRetentionDays}\nDB_NAME=${ACCOUNTING_DB}\n`, "0600"),
            ],
        }),
        ...userSteps(p),
        ...monitoringSteps(p),
    ];
}
