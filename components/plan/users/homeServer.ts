// The home server as data: an unprivileged SFTP-only container on premises that
// holds the home volume and joins the controller through its own restricted tunnel,
// where each user's home is mounted with sshfs (controller-home); docs/users-and-jobs.md.
import { ContainerSpec, healthCheck, HOME_SERVER_LIMITS, homeMount, KNOWN_HOSTS_PATH, NO_NEW_PRIVILEGES, TUNNEL_KEY_PATH, userList } from "../compute";
import { ref } from "../steps";
import { ClusterLayout, HOME_SERVER } from "../layout";
import { homeTunnel, TUNNEL_USER } from "../tunnels";
import { loginUsers } from "./logins";

export const HOME_HOST_KEY_PATH = "/etc/hpc/home/ssh_host_ed25519_key";

export function homeServerSpec(p: ClusterLayout): ContainerSpec {
    const t = homeTunnel(p);
    // The first Docker host: layout.ts ClusterLayout.dockerHosts says why.
    const host = p.dockerHosts[0];
    return {
        node: HOME_SERVER,
        host: host.name,
        network: host.network,
        name: `${p.clusterName}-${HOME_SERVER}`,
        command: ["/usr/local/sbin/hpc-home-entrypoint"],
        env: {
            SLURM_USERS: userList(p.users),
            HOME_USERS: userList(p.users),
            // Only they are served: admin's home on the controller stays its own disk.
            SFTP_USERS: userList(loginUsers(p)),
            HOME_CLIENT_PUBLIC_KEY: ref("homeClientPublicKey"),
            TUNNEL_TARGET: `${TUNNEL_USER}@${p.controller.privateIp}`,
            TUNNEL_JUMP: ref("bastionAddress", `${TUNNEL_USER}@`),
            TUNNEL_REMOTE_FORWARDS: t.remote.map((f) => `${f.listen}:${f.target}`).join(" "),
        },
        uploads: [
            { path: TUNNEL_KEY_PATH, content: ref(`tunnelPrivateKey/${HOME_SERVER}`), mode: "0600" },
            { path: KNOWN_HOSTS_PATH, content: ref("knownHosts"), mode: "0644" },
            { path: HOME_HOST_KEY_PATH, content: ref("homeHostKey"), mode: "0600" },
        ],
        volumes: [homeMount(p)],
        securityOpts: [NO_NEW_PRIVILEGES],
        limits: { ...HOME_SERVER_LIMITS },
        healthcheck: healthCheck("home"),
        ports: [],
        hosts: [{ host: p.controller.hostname, ip: "127.0.0.1" }],
        gpus: 0,
        gpuIds: [],
        // sshd's setuid, setgid and chroot are among Docker's defaults: nothing added.
        capDrop: [],
        capAdd: [],
        restart: "unless-stopped",
        // No node label: it is not a compute node (the lab removes node containers that left the plan).
        labels: { "hpc-stack.cluster": p.clusterName, "hpc-stack.role": "home-server" },
    };
}
