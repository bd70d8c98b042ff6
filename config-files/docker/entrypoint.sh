#!/usr/bin/env bash
# hpc-stack compute node entrypoint (PID 1 is tini). Nothing node-specific is
# baked into the image: it all comes from the environment and from files
# uploaded into the container before it starts.
#
# Environment:
#   NODE_NAME               Slurm NodeName of this container (default: short hostname).
#   SLURMD_PORT             this node's slurmd port; must equal Port= in slurm.conf
#                           and the -R forward on the controller (required).
#   SLURM_CONF_SERVER       configless server for slurmd (default 127.0.0.1:6817,
#                           i.e. slurmctld reached through the tunnel's -L forward).
#   SLURMD_ARGS             extra slurmd arguments, word-split (e.g. "-v").
#   TUNNEL_TARGET           controller sshd as seen from the bastion, an ssh
#                           destination: "user@10.0.1.10" or "ssh://user@10.0.1.10:22".
#                           Empty: no tunnel (not useful outside tests).
#   TUNNEL_JUMP             bastion, ssh -J syntax "user@host[:port]"; empty = direct.
#   TUNNEL_LOCAL_PORTS      ports/ranges for -L 127.0.0.1:P:127.0.0.1:P, space separated,
#                           e.g. "6817 60001-60020" (slurmctld + the controller's half
#                           of SrunPortRange).
#   TUNNEL_REMOTE_FORWARDS  extra -R forwards "remotePort:localPort ..." (exporter, sshd...);
#                           "SLURMD_PORT:SLURMD_PORT" is always added.
#   TUNNEL_KEY              private key path (default /etc/hpc/tunnel/id_ed25519; uploaded).
#   TUNNEL_KNOWN_HOSTS      known_hosts for bastion + controller (default
#                           /etc/hpc/tunnel/known_hosts; uploaded).
#   TUNNEL_STRICT_HOST_KEY_CHECKING  yes (default) | accept-new.
#   (peer forwards for sruns inside multi-node jobs are derived from the served
#   slurm.conf by peer-forwards.sh: no per-peer settings here.)
#   NODE_EXPORTER_LISTEN    node exporter listen address (default 127.0.0.1:9100; empty disables).
#   SSH_AUTHORIZED_KEYS     root's authorized_keys content (alternatively upload
#                           /etc/ssh/authorized_keys/root). sshd is key-only.
#   FAKE_GPUS               lab only: GPU indices, e.g. "2 3": create /dev/nvidiaI (char 195:I)
#                           for each, as the NVIDIA runtime keeps the host's minor numbers.
#   SLURM_USERS             job users to create, "name:uid ..." (uids as on the controller).
#   HOME_USERS              users whose /home/<name> this node creates on the shared volume
#                           if missing (with the example jobs), "name:uid ...".
#   APP_PORTS               this node's forwarded app ports, for hpc-app-port, "p1 p2 ...";
#   APP_SSH_BASTION, APP_SSH_CONTROLLER  the hosts of the laptop command it prints.
#   MUNGED_THREADS          munged's threads (default munge's 2; the plan sets MUNGED_THREADS).
#   HPC_RESTART_DELAY       seconds between daemon restarts (default 2).
#   AUTOSSH_POLL            cap of autossh's retry back-off in seconds (default 10).
#
# Files uploaded before start:
#   /etc/munge/munge.key            (required) fixed up to munge:munge 0400 here.
#   $TUNNEL_KEY, $TUNNEL_KNOWN_HOSTS
#   /etc/ssh/ssh_host_*_key         optional; generated when missing.
# gres.conf is NOT read locally: in configless mode slurmd uses the one served by
# slurmctld (one file with NodeName= lines), so it lives on the controller.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=supervise.sh disable=SC1091
. /usr/local/lib/hpc/supervise.sh
# shellcheck source-path=SCRIPTDIR source=node-lib.sh disable=SC1091
. /usr/local/lib/hpc/node-lib.sh

NODE_NAME="${NODE_NAME:-$(hostname -s)}"
SLURM_CONF_SERVER="${SLURM_CONF_SERVER:-127.0.0.1:6817}"
TUNNEL_KEY="${TUNNEL_KEY:-/etc/hpc/tunnel/id_ed25519}"
TUNNEL_KNOWN_HOSTS="${TUNNEL_KNOWN_HOSTS:-/etc/hpc/tunnel/known_hosts}"
NODE_EXPORTER_LISTEN="${NODE_EXPORTER_LISTEN-127.0.0.1:9100}"
: "${SLURMD_PORT:?SLURMD_PORT is required}"

die() { hpc_log "FATAL: $*"; exit 1; }

# --- munge: the key must be munge-owned and private or munged refuses to start.
[[ -s /etc/munge/munge.key ]] || die "/etc/munge/munge.key missing (upload it before start)"
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
# slurmd/slurmstepd run as root but jobs run as users: the socket dir must be o+x.
install -d -o munge -g munge -m 0755 /run/munge

# --- sshd: key-only; host keys per container.
install -d -m 0755 /run/sshd
ssh-keygen -A >/dev/null
# Keys outside /home and /root (sshd-hardening.conf: AuthorizedKeysFile), root-owned.
install -d -m 0755 -o root -g root /etc/ssh/authorized_keys
if [[ -n "${SSH_AUTHORIZED_KEYS:-}" ]]; then
  printf '%s\n' "$SSH_AUTHORIZED_KEYS" >/etc/ssh/authorized_keys/root
fi
if [[ -f /etc/ssh/authorized_keys/root ]]; then
  chown root:root /etc/ssh/authorized_keys/root; chmod 0600 /etc/ssh/authorized_keys/root
fi

# --- job users: jobs run as the submitting uid, which must exist here with the
# same number as on the controller; their homes live on the shared /home volume.
hpc_create_users
hpc_ensure_homes

# --- users' web apps: this node's forwarded app ports and the laptop command's
# hosts, for hpc-app-port. Its claims: root's dir with one 0666 file per port, so
# any job can rewrite a stale claim (in a sticky 1777 dir another user's could not).
for p in ${APP_PORTS:-}; do
  [[ "$p" =~ ^[0-9]+$ ]] || die "APP_PORTS must list port numbers: $APP_PORTS"
done
install -d -m 0755 /etc/hpc
printf 'APP_PORTS=%q\nAPP_SSH_BASTION=%q\nAPP_SSH_CONTROLLER=%q\n' \
  "${APP_PORTS:-}" "${APP_SSH_BASTION:-}" "${APP_SSH_CONTROLLER:-}" >/etc/hpc/app.env
chmod 0644 /etc/hpc/app.env
rm -rf /run/hpc-app-ports
install -d -m 0755 /run/hpc-app-ports
for p in ${APP_PORTS:-}; do install -m 0666 /dev/null "/run/hpc-app-ports/$p"; done

# --- slurm runtime dirs (SlurmdSpoolDir holds the configless conf-cache).
install -d -m 0755 /var/spool/slurmd /var/log/slurm /run/slurm

# --- lab-only fake GPUs; real GPUs come from the container's device requests.
if [[ -n "${FAKE_GPUS:-}" ]]; then
  for i in $FAKE_GPUS; do
    [[ "$i" =~ ^[0-9]+$ ]] || die "FAKE_GPUS must list GPU indices: $FAKE_GPUS"
    [[ -e /dev/nvidia$i ]] || mknod -m 666 "/dev/nvidia$i" c 195 "$i"
  done
fi

# --- tunnel-up.sh tells a reconnect from the first connect by a marker in /run/hpc,
# which `docker restart` keeps (the container's files stay): cleared here, or the
# first connect after a restart HUPped a slurmd that was just starting (rc=129,
# issue #15: the first job after a restart waited for slurmctld's resend timeout).
rm -f /run/hpc/tunnel-connected-once

# --- tunnel: slurmd's port back to the controller, then the other forwards.
TUNNEL_REMOTE_FORWARDS="${SLURMD_PORT}:${SLURMD_PORT} ${TUNNEL_REMOTE_FORWARDS:-}"
TUNNEL_LOCAL_PORTS="${TUNNEL_LOCAL_PORTS:-6817}"
TUNNEL_LOCAL_COMMAND=/usr/local/lib/hpc/tunnel-up.sh
hpc_tunnel_command

supervise munged runuser -u munge -- /usr/sbin/munged -F --num-threads "${MUNGED_THREADS:-2}"
for _ in $(seq 50); do [[ -S /run/munge/munge.socket.2 ]] && break; sleep 0.1; done
supervise sshd /usr/sbin/sshd -D -e
export NODE_NAME
supervise peer-forwards /usr/local/lib/hpc/peer-forwards.sh
if ((${#HPC_TUNNEL_CMD[@]})); then
  supervise_group tunnel "${HPC_TUNNEL_CMD[@]}"
fi
if [[ -n "$NODE_EXPORTER_LISTEN" ]]; then
  supervise node-exporter /usr/bin/prometheus-node-exporter \
    --web.listen-address="$NODE_EXPORTER_LISTEN" --no-collector.systemd
fi
# slurmd starts once slurmctld answers through the tunnel (await-ctld.sh): its
# own retry of a failed configless fetch waits 10 s. The supervisor restarts it
# when it exits.
export SLURM_CONF_SERVER
# shellcheck disable=SC2086
supervise slurmd /usr/local/lib/hpc/await-ctld.sh /usr/sbin/slurmd -D --conf-server "$SLURM_CONF_SERVER" -N "$NODE_NAME" ${SLURMD_ARGS:-}

# --- on stop (docker stop or restart, the Docker host shutting down): tell slurmctld
# first, through the tunnel that is still up, so that it sends no job into a slurmd
# about to go (issue #15: a job launched into a restart's window was requeued, and its
# node's CPUs held until slurmctld's resend, 99 s). ReturnToService=2 brings the node
# back when its slurmd registers again. A drained, down or unreachable node is left as
# the admin or slurmctld set it, reason and all.
hpc_node_leaving() {
  local state
  state=$(SLURM_CONF=/run/slurm/conf/slurm.conf timeout 3 sinfo -h -n "$NODE_NAME" -o %T 2>/dev/null) || return 0
  case "$state" in
    idle | mixed | allocated | completing)
      SLURM_CONF=/run/slurm/conf/slurm.conf timeout 3 scontrol update nodename="$NODE_NAME" state=down reason="node container stopping" \
        && hpc_log "stopping: $NODE_NAME set DOWN in slurmctld until its slurmd registers again" ;;
  esac
  return 0
}
# shellcheck disable=SC2034 # called by supervise_wait's trap
HPC_ON_STOP=hpc_node_leaving
supervise_wait
