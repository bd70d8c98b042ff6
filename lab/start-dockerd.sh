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
nohup dockerd --data-root /var/lib/docker >/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then echo "docker engine started"; exit 0; fi
  sleep 1
done
echo "dockerd did not come up; see /var/log/dockerd.log" >&2
tail -20 /var/log/dockerd.log >&2
exit 1
