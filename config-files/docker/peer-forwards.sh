#!/usr/bin/env bash
# Compute-to-compute forwards, derived from the slurm.conf that slurmctld serves:
# every node is NodeAddr=127.0.0.1 Port=<p>, so an srun inside a job reaches a
# peer's slurmd through 127.0.0.1:<p>, forwarded here over the on-prem network
# to <peer>:<p> (peers resolve by container name). Reading the served config
# keeps each container's spec independent of the others: adding a node restarts
# nobody, and re-reading it every 10 s picks the new node up.
# Peers on other Docker hosts are not on this network: their slurmd ports
# (PEER_TUNNEL_PORTS) come through the tunnel's -L instead, and are skipped here.
# Env: NODE_NAME; PEER_CONF (default /run/slurm/conf/slurm.conf); PEER_TUNNEL_PORTS.
set -uo pipefail
conf=${PEER_CONF:-/run/slurm/conf/slurm.conf}
declare -A pids=()

stop_all() { for k in "${!pids[@]}"; do kill "${pids[$k]}" 2>/dev/null; done; exit 0; }
trap stop_all TERM INT

while :; do
  declare -A want=()
  if [[ -r "$conf" ]]; then
    while read -r line; do
      [[ "$line" =~ ^NodeName=([^[:space:]]+)[[:space:]].*[[:space:]]Port=([0-9]+) ]] || continue
      name=${BASH_REMATCH[1]} port=${BASH_REMATCH[2]}
      # Only tunnelled peers: a node addressed directly (the bench's baseline) is reached as it is.
      [[ " $line " == *" NodeAddr=127.0.0.1 "* ]] || continue
      [[ "$name" == "$NODE_NAME" || " ${PEER_TUNNEL_PORTS:-} " == *" $port "* ]] || want["$port"]=$name
    done <"$conf"
  fi
  for port in "${!pids[@]}"; do
    if [[ -z "${want[$port]:-}" ]] || ! kill -0 "${pids[$port]}" 2>/dev/null; then
      kill "${pids[$port]}" 2>/dev/null
      unset "pids[$port]"
    fi
  done
  for port in "${!want[@]}"; do
    [[ -n "${pids[$port]:-}" ]] && continue
    socat "TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork" "TCP:${want[$port]}:${port}" &
    pids[$port]=$!
    echo "[hpc] peer forward 127.0.0.1:${port} -> ${want[$port]}:${port}" >&2
  done
  unset want
  sleep 10 &
  wait $!
done
