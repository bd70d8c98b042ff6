#!/usr/bin/env bash
# Docker HEALTHCHECK (CIS Docker 5.27) of a compute node or of the home server. It is
# healthy only when the work the container exists for goes through, not merely when its
# processes exist:
#   node: slurmctld answers through the tunnel's -L (scontrol ping: the tunnel and munge),
#         and slurmctld reaches this node's slurmd back through its -R (sinfo's state has
#         no "*", Slurm's mark of a node that does not answer).
#   home: sshd answers on the loopback, and the tunnel's ssh holds its connection out
#         (ServerAliveInterval drops a dead one within 10 s; ExitOnForwardFailure means a
#         connected ssh holds its forward).
# Prints one line (docker inspect shows it) and exits 1 when unhealthy.
set -uo pipefail
fail() { echo "unhealthy: $*"; exit 1; }

case "${1:-node}" in
  node)
    export SLURM_CONF=/run/slurm/conf/slurm.conf
    [[ -r "$SLURM_CONF" ]] || fail "slurmd has not fetched slurm.conf from slurmctld yet"
    pgrep -x slurmd >/dev/null || fail "slurmd is not running"
    timeout 5 scontrol ping 2>&1 | grep -q 'is UP' || fail "slurmctld does not answer through the tunnel"
    state=$(timeout 5 sinfo -h -n "$NODE_NAME" -o %T 2>&1) || fail "sinfo: $state"
    [[ -n "$state" && "$state" != *'*'* ]] || fail "slurmctld does not reach this slurmd (state: ${state:-none})"
    echo "healthy: $NODE_NAME $state"
    ;;
  home)
    banner=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/22 && head -c 7 <&3' 2>/dev/null) || true
    [[ "$banner" == SSH-2.0 ]] || fail "sshd does not answer on 127.0.0.1:22"
    out=$(ss -Htnp state established '( dport = :22 )' 2>/dev/null | grep -v '127.0.0.1:22 ' | grep '"ssh"') \
      || fail "the tunnel has no connection out"
    echo "healthy: sftp and tunnel ($(wc -l <<<"$out") connection)"
    ;;
  *) fail "usage: $0 node|home" ;;
esac
