#!/usr/bin/env bash
# Installs what the lab needs on a Debian host and starts the Docker engine.
# Used by `npm run lab -- up` (when no engine answers) and by .ci/run. Root only.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
[[ $(id -u) == 0 ]] || { echo "setup-host.sh must run as root" >&2; exit 1; }

# prometheus and prometheus-alertmanager for promtool and amtool (test/plan/monitoring/prometheus.test.ts),
# gpg for the Grafana key check's test; none of their daemons is started here.
pkgs=(debootstrap ca-certificates openssh-client shellcheck prometheus prometheus-alertmanager gpg python3)
# A host that already runs an engine (GitHub's runners) keeps it: docker.io would conflict.
if ! docker info >/dev/null 2>&1; then pkgs+=(docker.io containerd runc iptables); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[setup-host] apt-get install ${missing[*]}"
  apt-get update -qq
  # Packages must not start daemons (Prometheus on the host's 9090): policy-rc.d says no.
  rc_d_was_there=0
  [[ -e /usr/sbin/policy-rc.d ]] && rc_d_was_there=1
  ((rc_d_was_there)) || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ((rc_d_was_there)) || rm -f /usr/sbin/policy-rc.d
fi
bash start-dockerd.sh
