#!/usr/bin/env bash
# Starts dockerd when no engine answers (CI machines and this sandbox have no
# init system to do it), then waits until `docker info` works.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  echo "docker engine already running"
  exit 0
fi
command -v dockerd >/dev/null || { echo "dockerd not installed: apt-get install docker.io containerd runc iptables" >&2; exit 1; }
mkdir -p /var/lib/docker
started=0
# A machine restored from a snapshot, or restarted without an init system, can keep
# the last engine's pid files: dockerd then refuses to start ("pid file found").
# A pid file whose process is not that daemon any more is stale and goes.
for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
  [[ -f $pidfile ]] || continue
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && grep -qE '^(dockerd|containerd)$' "/proc/$pid/comm" 2>/dev/null; then
    # A live dockerd that does not answer yet is starting: wait for it, do not start a second.
    [[ $pidfile == /var/run/docker.pid ]] && started=1
    continue
  fi
  echo "removing stale $pidfile (pid ${pid:-none} is not running)"
  rm -f "$pidfile"
done
((started)) || nohup dockerd --data-root /var/lib/docker >/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then echo "docker engine started"; exit 0; fi
  sleep 1
done
echo "dockerd did not come up; see /var/log/dockerd.log" >&2
tail -20 /var/log/dockerd.log >&2
exit 1
