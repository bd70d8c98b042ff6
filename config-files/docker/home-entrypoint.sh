#!/usr/bin/env bash
# hpc-stack home server (PID 1 is tini): the users' /home, a Docker volume (or a site
# NFS export that dockerd mounts) shared with the compute containers of this Docker
# host, served to the controller by an SFTP-only sshd on this container's loopback,
# through its own tunnel (one -R forward, nothing else). The controller mounts each
# user's home with sshfs as that user, so the permissions on the volume hold there.
# No capability beyond Docker's defaults: sshd needs setuid/setgid/chroot only.
#
# Environment (as entrypoint.sh, where shared): SLURM_USERS and HOME_USERS ("name:uid ..."),
#   TUNNEL_TARGET, TUNNEL_JUMP, TUNNEL_REMOTE_FORWARDS ("<homePort>:22"),
#   SFTP_USERS ("name:uid ..."): the users whose homes the controller mounts;
#   HOME_CLIENT_PUBLIC_KEY: the controller's sshfs key, authorized for each of them.
# Files uploaded before start: $TUNNEL_KEY, $TUNNEL_KNOWN_HOSTS, /etc/hpc/home/ssh_host_ed25519_key.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=supervise.sh disable=SC1091
. /usr/local/lib/hpc/supervise.sh
# shellcheck source-path=SCRIPTDIR source=node-lib.sh disable=SC1091
. /usr/local/lib/hpc/node-lib.sh

TUNNEL_KEY="${TUNNEL_KEY:-/etc/hpc/tunnel/id_ed25519}"
TUNNEL_KNOWN_HOSTS="${TUNNEL_KNOWN_HOSTS:-/etc/hpc/tunnel/known_hosts}"
HOST_KEY=/etc/hpc/home/ssh_host_ed25519_key
die() { hpc_log "FATAL: $*"; exit 1; }

[[ -s "$HOST_KEY" ]] || die "$HOST_KEY missing (upload it before start: the controller pins it)"
chmod 0600 "$HOST_KEY"
[[ -n "${HOME_CLIENT_PUBLIC_KEY:-}" ]] || die "HOME_CLIENT_PUBLIC_KEY is required"

hpc_create_users
hpc_ensure_homes

# The controller's key may open an SFTP session as each user, and nothing else
# (restrict: no forwarding, no pty; sshd's ForceCommand: no shell).
install -d -m 0755 -o root -g root /etc/ssh/authorized_keys
for u in ${SFTP_USERS:-}; do
  printf 'restrict %s\n' "$HOME_CLIENT_PUBLIC_KEY" >"/etc/ssh/authorized_keys/${u%%:*}"
  chmod 0644 "/etc/ssh/authorized_keys/${u%%:*}"
done

install -d -m 0755 /run/sshd
/usr/sbin/sshd -t -f /etc/hpc/home/sshd_config || die "sshd_config rejected"
supervise sshd /usr/sbin/sshd -D -e -f /etc/hpc/home/sshd_config
TUNNEL_LOCAL_COMMAND="" hpc_tunnel_command
((${#HPC_TUNNEL_CMD[@]})) || die "TUNNEL_TARGET is required"
supervise_group tunnel "${HPC_TUNNEL_CMD[@]}"
supervise_wait
