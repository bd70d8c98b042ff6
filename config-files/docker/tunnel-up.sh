#!/usr/bin/env bash
# ssh LocalCommand of the tunnel: runs on every (re)connect. After an outage
# longer than SlurmdTimeout slurmctld marks the node DOWN* and, in 22.05, only
# re-polls DOWN nodes every few minutes (measured: 5m20s). A SIGHUP makes
# slurmd re-register at once, so the node returns as soon as the tunnel does.
# ssh waits for LocalCommand, so do the work in the background and return;
# its output goes to PID 1's stderr, i.e. `docker logs`.
set -u
marker=/run/hpc/tunnel-connected-once
if [[ ! -e "$marker" ]]; then
  # First connect after container start: slurmd registers by itself, and a HUP
  # before slurmd has installed its handlers would kill it.
  : >"$marker"
  exit 0
fi
(
  # Wait until slurmctld answers through the new -L forward.
  for _ in $(seq 30); do
    if (exec 3<>/dev/tcp/127.0.0.1/6817) 2>/dev/null; then
      pkill -HUP -x slurmd && echo "[hpc] tunnel re-established: slurmd re-registering" >&2
      exit 0
    fi
    sleep 1
  done
) </dev/null >>/proc/1/fd/2 2>&1 &
exit 0
