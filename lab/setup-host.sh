#!/usr/bin/env bash
# Installs what the lab needs on a Debian host and starts the Docker engine.
# Used by `npm run lab -- up` (when no engine answers) and by .ci/run. Root only.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
[[ $(id -u) == 0 ]] || { echo "setup-host.sh must run as root" >&2; exit 1; }

pkgs=(debootstrap ca-certificates openssh-client shellcheck)
# A host that already runs an engine (GitHub's runners) keeps it: docker.io would conflict.
if ! docker info >/dev/null 2>&1; then pkgs+=(docker.io containerd runc iptables); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[setup-host] apt-get install ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
bash start-dockerd.sh
