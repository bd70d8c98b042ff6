// The cluster users' bootstrap steps: jump-only accounts on the bastion, logins on
// the controller, their homes mounted from premises, and their Slurm associations.
import { loginUsers } from "./logins";
import { ClusterLayout } from "../layout";
import { BootstrapStep, configFile, PlannedFile, render } from "../steps";
import { userList } from "../compute";
// A user's key on the bastion is restricted exactly as a tunnel's: a jump to the controller's sshd.
import { bastionKeyOptions, TUNNEL_USER } from "../tunnels";

export const AUTHORIZED_KEYS_DIR = "/etc/ssh/authorized_keys";
/** The bastion's sshd drop-in that holds the tunnel user and the cluster users to a jump. */
export const SSHD_JUMP_PATH = "/etc/ssh/sshd_config.d/60-hpc-jump.conf";

const keyFile = (name: string, line: string): PlannedFile =>
    ({ path: `${AUTHORIZED_KEYS_DIR}/${name}`, content: `${line}\n`, mode: "0644", owner: "root:root" });

export function userSteps(p: ClusterLayout): BootstrapStep[] {
    const users = loginUsers(p);
    const base = { env: {}, generated: [], files: [] };
    return [
        {
            ...base, id: "bastion-users", host: "bastion", script: "host-users.sh", dependsOn: ["bastion-ssh"],
            env: { CLUSTER_USERS: userList(users), USER_ROLE: "jump", SSHD_JUMP_CONF: SSHD_JUMP_PATH },
            files: [
                ...users.map((u) => keyFile(u.name, `${bastionKeyOptions(p)} ${u.sshPublicKey}`)),
                {
                    path: SSHD_JUMP_PATH, mode: "0644", owner: "root:root",
                    content: render("ssh/sshd-jump.conf.tmpl", { jumpUsers: [TUNNEL_USER, ...users.map((u) => u.name)].join(","), controllerIp: p.controller.privateIp }),
                },
            ],
        },
        {
            ...base, id: "controller-users", host: "controller", script: "host-users.sh", dependsOn: ["controller-ssh"],
            env: { CLUSTER_USERS: userList(users), USER_ROLE: "login" },
            files: users.map((u) => keyFile(u.name, `${u.sshPublicKey}`)),
        },
        {
            ...base, id: "controller-home", host: "controller", script: "controller-home.sh", dependsOn: ["controller-users"],
            env: { HOME_MOUNT_USERS: users.map((u) => u.name).join(" "), HOME_PORT: String(p.home.tunnelPort) },
            generated: ["homeClientPrivateKey", "homeHostPublicKey"],
            files: [
                { path: "/etc/systemd/system/hpc-home@.service", content: configFile("systemd/hpc-home@.service"), mode: "0644", owner: "root:root" },
                { path: "/etc/hpc/home/home.env", content: `HOME_PORT=${p.home.tunnelPort}\n`, mode: "0644", owner: "root:root" },
            ],
        },
    ];
}

/** "user:account ..." for controller-accounts: every job user's association. */
export const accountUsers = (p: ClusterLayout): string => p.users.map((u) => `${u.name}:${u.account}`).join(" ");
