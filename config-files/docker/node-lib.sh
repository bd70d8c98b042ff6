# shellcheck shell=bash
# Shared by the compute node's and the home server's entrypoints (sourced after
# supervise.sh): job users, their homes, and the tunnel's autossh command.

# hpc_create_users: the users of SLURM_USERS="name:uid ...", with the uid and gid
# they have on the controller (files on /home and jobs go by number). No password.
hpc_create_users() {
  local u name uid
  for u in ${SLURM_USERS:-}; do
    name=${u%%:*} uid=${u##*:}
    getent group "$name" >/dev/null || groupadd --gid "$uid" "$name"
    id "$name" >/dev/null 2>&1 || useradd --uid "$uid" --gid "$uid" --no-create-home --home-dir "/home/$name" --shell /bin/bash "$name"
    usermod -p '*' "$name"
  done
}

# hpc_ensure_homes: /home/<user> on the shared volume for HOME_USERS="name:uid ...",
# 0700, with the skeleton and the example jobs the first time. Idempotent, and safe
# when several containers of one volume start at once: nothing is overwritten.
hpc_ensure_homes() {
  local u name uid home
  for u in ${HOME_USERS:-}; do
    name=${u%%:*} uid=${u##*:} home=/home/${u%%:*}
    if [[ ! -d "$home" ]]; then
      install -d -m 0700 -o "$uid" -g "$uid" "$home"
      runuser -u "$name" -- cp -rn /etc/skel/. "$home/" 2>/dev/null || true
      [[ -d /usr/local/share/hpc/jobs ]] && runuser -u "$name" -- cp -rn /usr/local/share/hpc/jobs/. "$home/"
      hpc_log "home $home created"
    fi
  done
}

# hpc_tunnel_command: sets HPC_TUNNEL_CMD to the autossh command of the tunnel.
#   TUNNEL_TARGET, TUNNEL_JUMP, TUNNEL_KEY, TUNNEL_KNOWN_HOSTS, TUNNEL_LOCAL_PORTS,
#   TUNNEL_REMOTE_FORWARDS ("remote:local ..."), TUNNEL_STRICT_HOST_KEY_CHECKING;
#   TUNNEL_LOCAL_COMMAND: run by ssh on every (re)connect (empty: none).
# One ssh config, so the ProxyJump child gets the same key and options (options
# given with -o on the command line are NOT passed to the jump ssh).
hpc_tunnel_command() {
  # shellcheck disable=SC2034 # read by the sourcing entrypoint
  HPC_TUNNEL_CMD=()
  [[ -n "${TUNNEL_TARGET:-}" ]] || return 0
  [[ -r "$TUNNEL_KEY" ]] || die "tunnel key $TUNNEL_KEY missing"
  [[ -r "$TUNNEL_KNOWN_HOSTS" ]] || die "known_hosts $TUNNEL_KNOWN_HOSTS missing"
  chmod 0600 "$TUNNEL_KEY"
  install -d -m 0700 /run/hpc
  # AES-GCM first: every job's RPCs cross both hops, and with the CPUs' AES instructions
  # it costs less than OpenSSH's default chacha20 (a 640-task array on 32 nodes: 13.3 s
  # against 15.2 s, lab/EXPERIMENT.md); chacha20 stays for a peer without them.
  cat >/run/hpc/ssh_config <<CFG
Host *
  Ciphers aes128-gcm@openssh.com,chacha20-poly1305@openssh.com
  IdentityFile $TUNNEL_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $TUNNEL_KNOWN_HOSTS
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking ${TUNNEL_STRICT_HOST_KEY_CHECKING:-yes}
  BatchMode yes
  ConnectTimeout 5
  ServerAliveInterval 5
  ServerAliveCountMax 2
  ExitOnForwardFailure yes
  RequestTTY no
CFG
  local fwd=() r p q
  for r in ${TUNNEL_REMOTE_FORWARDS:-}; do
    fwd+=(-R "127.0.0.1:${r%%:*}:127.0.0.1:${r##*:}")
  done
  for p in ${TUNNEL_LOCAL_PORTS:-}; do
    if [[ "$p" == *-* ]]; then
      for ((q = ${p%-*}; q <= ${p#*-}; q++)); do fwd+=(-L "127.0.0.1:$q:127.0.0.1:$q"); done
    else
      fwd+=(-L "127.0.0.1:$p:127.0.0.1:$p")
    fi
  done
  # autossh 1.4g's getopt does not know -J (it swallows the next word), so use -o ProxyJump.
  local jump=()
  [[ -n "${TUNNEL_JUMP:-}" ]] && jump=(-o "ProxyJump=$TUNNEL_JUMP")
  # LocalCommand on the command line (not in the config file) so the jump ssh does not run it.
  local local_cmd=()
  [[ -n "${TUNNEL_LOCAL_COMMAND:-}" ]] && local_cmd=(-o PermitLocalCommand=yes -o "LocalCommand=$TUNNEL_LOCAL_COMMAND")
  # shellcheck disable=SC2034 # read by the sourcing entrypoint
  HPC_TUNNEL_CMD=(autossh -M 0 -N -F /run/hpc/ssh_config "${jump[@]}" "${local_cmd[@]}" "${fwd[@]}" "$TUNNEL_TARGET")
  # autossh treats an early first failure as fatal unless GATETIME=0; the
  # supervisor loop is the second line of defence.
  export AUTOSSH_GATETIME=0
  # autossh backs off after repeated failures up to AUTOSSH_POLL (default 600 s);
  # cap it so a tunnel returns within seconds of the network coming back.
  export AUTOSSH_POLL="${AUTOSSH_POLL:-10}"
}
