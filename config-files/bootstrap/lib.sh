# hpc-stack bootstrap prelude: prepended to every step's script by
# components/plan/steps.ts (stepCommand). Runs as root under `bash -c`, on EC2 through
# @pulumi/command and in the lab through ssh: the same bytes on both.
#
# Contract:
#   HPC_STEP          the step id (exported by stepCommand)
#   stdin             generated values, one per line: NAME BASE64 (secrets never
#                     reach argv, the environment of other processes, or logs)
#   hpc_secret NAME   prints a generated value (decoded)
#   hpc_file PATH MODE OWNER <<'EOF'   installs a file only when its content or
#                     mode/owner differ; counts a change
#   hpc_file_from_secret NAME PATH MODE OWNER   same, with a generated value
#   hpc_apt PKG...    installs only the packages that are missing; counts a change
#   hpc_apt_update    apt-get update, as hpc_apt does it (after adding a source)
#   hpc_changed PATH  true when PATH was changed by this run, or by an earlier run
#                     of this step that failed before it finished
#   hpc_note MSG      counts a change that is not a file (a user, a service, a DB row)
#   hpc_report        prints "hpc-step <id>: changed=N unchanged=M" (the last line)
#   HPC_TMP           this run's scratch directory, root-only, removed at exit
#
# Steps on one host run at the same time (pulumi up starts every step whose
# dependsOn are done), so nothing here uses a fixed scratch path, and what the
# whole host shares (dpkg, policy-rc.d) is taken under a lock.
# shellcheck shell=bash
set -euo pipefail
umask 022
export LC_ALL=C.UTF-8

declare -A HPC_SECRETS=()
HPC_CHANGES=0
HPC_UNCHANGED=0
HPC_CHANGED_PATHS=" "

hpc_log() { printf '[%s] %s\n' "${HPC_STEP:-step}" "$*"; }

# A run that fails after it replaced a file but before it acted on it (a restart, a
# reconfigure) would leave the daemon on the old config, and the next run, finding
# the file already right, would not act either. So every replaced path stays
# pending, on the host, until the step succeeds.
HPC_STATE_DIR=${HPC_STATE_DIR:-/var/lib/hpc-stack}
_hpc_pending() { printf '%s/pending/%s' "$HPC_STATE_DIR" "${HPC_STEP:-step}"; }

# Scratch files and the host's locks live in a root-only directory under /run, never
# at a fixed path in /tmp, where a user logged in on the host could plant a file
# or a symlink first.
HPC_RUN_DIR=${HPC_RUN_DIR:-/run/hpc-stack}
install -d -m 0700 "$HPC_RUN_DIR"
HPC_TMP=$(mktemp -d "$HPC_RUN_DIR/${HPC_STEP:-step}.XXXXXX")
# Where dpkg looks for the script that keeps packages from starting daemons.
HPC_POLICY_RC=${HPC_POLICY_RC:-/usr/sbin/policy-rc.d}

hpc_read_secrets() {
  local name value
  # Only read when stdin carries data: a step with no generated values gets none.
  if [[ ! -t 0 ]]; then
    while read -r name value; do
      [[ -n "$name" ]] && HPC_SECRETS[$name]="$value"
    done
  fi
  return 0
}

hpc_secret() {
  local name=$1
  [[ -n "${HPC_SECRETS[$name]+x}" ]] || { hpc_log "missing generated value $name on stdin" >&2; exit 1; }
  printf '%s' "${HPC_SECRETS[$name]}" | base64 -d
}

hpc_note() { HPC_CHANGES=$((HPC_CHANGES + 1)); hpc_log "changed: $*"; }
hpc_same() { HPC_UNCHANGED=$((HPC_UNCHANGED + 1)); }

# _hpc_install SRC PATH MODE OWNER: the one place a file is compared and replaced.
_hpc_install() {
  local src=$1 path=$2 mode=$3 owner=$4
  if [[ -f "$path" ]] && cmp -s "$src" "$path" \
     && [[ "$(stat -c '%a %U:%G' "$path")" == "$(printf '%o' "$((8#$mode))") $owner" ]]; then
    hpc_same
    return 0
  fi
  install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$src" "$path.hpc-new"
  install -d -m 0700 "$HPC_STATE_DIR" "$HPC_STATE_DIR/pending"
  printf '%s\n' "$path" >>"$(_hpc_pending)"
  mv -f "$path.hpc-new" "$path"
  HPC_CHANGED_PATHS+="$path "
  hpc_note "$path"
}

hpc_file() {
  local tmp
  tmp=$(mktemp "$HPC_TMP/file.XXXXXX")
  cat >"$tmp"
  _hpc_install "$tmp" "$@"
  rm -f "$tmp"
}

hpc_file_from_secret() {
  local name=$1 tmp
  shift
  tmp=$(mktemp "$HPC_TMP/secret.XXXXXX")
  chmod 600 "$tmp"
  hpc_secret "$name" >"$tmp"
  _hpc_install "$tmp" "$@"
  rm -f "$tmp"
}

hpc_changed() {
  [[ "$HPC_CHANGED_PATHS" == *" $1 "* ]] && return 0
  if [[ -f "$(_hpc_pending)" ]] && grep -qxF -- "$1" "$(_hpc_pending)"; then
    hpc_log "$1 was replaced by a run that failed: acting on it now"
    HPC_CHANGED_PATHS+="$1 "
    return 0
  fi
  return 1
}

# systemctl daemon-reload when any of the given unit files changed in this run.
hpc_reload_units() {
  local u
  for u in "$@"; do
    if hpc_changed "$u"; then
      systemctl daemon-reload
      hpc_note "systemd daemon-reload"
      return 0
    fi
  done
  hpc_same
}

_hpc_missing() {
  local p
  HPC_MISSING=()
  for p in "$@"; do
    # Compared whole, not with grep -q in a pipe: under pipefail an early exit of grep is a failure.
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || HPC_MISSING+=("$p")
  done
}

# Package work of parallel steps waits for one another under one host lock, held
# across a whole install: dpkg's own lock covers one apt-get run, not an
# update-then-retry, and not policy-rc.d, which one step removing while another
# installs would let a daemon start before its config is in place. apt's
# DPkg::Lock::Timeout still waits for apt runs that know nothing of this lock
# (apt-daily and unattended-upgrades on a cloud image's first boot).
HPC_APT=(-q -o DPkg::Lock::Timeout=600)
# apt and dpkg run with the lock's fd closed ({HPC_APT_FD}>&-): a daemon a package
# script spawned would otherwise inherit it and hold the lock for its lifetime.
_hpc_apt_lock() {
  exec {HPC_APT_FD}>"$HPC_RUN_DIR/apt.lock"
  flock -n "$HPC_APT_FD" && return 0
  hpc_log "waiting for another step's package install"
  flock -w 1800 "$HPC_APT_FD" || { hpc_log "the host's package lock was held for 30 min; giving up" >&2; exit 1; }
}
_hpc_apt_unlock() { exec {HPC_APT_FD}>&-; }

# hpc_apt_update: apt-get update (after a new source), under the host's package lock.
hpc_apt_update() {
  _hpc_apt_lock
  apt-get update "${HPC_APT[@]}" >"$HPC_TMP/apt-update.log" 2>&1 {HPC_APT_FD}>&- || { tail -20 "$HPC_TMP/apt-update.log" >&2; exit 1; }
  _hpc_apt_unlock
}

hpc_apt() {
  local log="$HPC_TMP/apt.log"
  _hpc_missing "$@"
  if ((${#HPC_MISSING[@]} == 0)); then hpc_same; return 0; fi
  _hpc_apt_lock
  # Another step may have installed some of them while this one waited.
  _hpc_missing "$@"
  if ((${#HPC_MISSING[@]} == 0)); then _hpc_apt_unlock; hpc_same; return 0; fi
  hpc_log "apt-get install ${HPC_MISSING[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages must not start daemons before their config is in place.
  printf '#!/bin/sh\nexit 101\n' >"$HPC_POLICY_RC"
  chmod 755 "$HPC_POLICY_RC"
  # Planned files are installed first; a package that ships one as a conffile
  # (slurm-wlm-basic-plugins' plugstack.conf) keeps ours.
  local opts=(-y "${HPC_APT[@]}" --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  if ! apt-get install "${opts[@]}" "${HPC_MISSING[@]}" >"$log" 2>&1 {HPC_APT_FD}>&-; then
    apt-get update "${HPC_APT[@]}" >"$HPC_TMP/apt-update.log" 2>&1 {HPC_APT_FD}>&- \
      || { rm -f "$HPC_POLICY_RC"; tail -20 "$HPC_TMP/apt-update.log" >&2; exit 1; }
    apt-get install "${opts[@]}" "${HPC_MISSING[@]}" >"$log" 2>&1 {HPC_APT_FD}>&- || { rm -f "$HPC_POLICY_RC"; tail -20 "$log" >&2; exit 1; }
  fi
  rm -f "$HPC_POLICY_RC"
  _hpc_apt_unlock
  hpc_note "installed ${HPC_MISSING[*]}"
}

# hpc_service UNIT CHANGED_PATH...: enable+start UNIT; restart it when any path changed.
hpc_service() {
  local unit=$1 p restart=0
  shift
  for p in "$@"; do hpc_changed "$p" && restart=1; done
  if ! systemctl is-enabled --quiet "$unit" 2>/dev/null; then systemctl enable --quiet "$unit"; hpc_note "enabled $unit"; fi
  if ! systemctl is-active --quiet "$unit"; then
    systemctl start "$unit"; hpc_note "started $unit"
  elif ((restart)); then
    systemctl restart "$unit"; hpc_note "restarted $unit"
  else
    hpc_same
  fi
}

# hpc_wait SECONDS LOG WHAT CMD...: retry CMD every second until it succeeds; on
# timeout say WHAT, show the tail of LOG, and fail the step.
hpc_wait() {
  local secs=$1 logfile=$2 what=$3 deadline
  shift 3
  deadline=$((SECONDS + secs))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      hpc_log "$what after $secs s; last lines of $logfile:" >&2
      tail -n 20 "$logfile" >&2 || true
      exit 1
    fi
    sleep 1
  done
}

hpc_report() { printf 'hpc-step %s: changed=%d unchanged=%d\n' "$HPC_STEP" "$HPC_CHANGES" "$HPC_UNCHANGED"; }
_hpc_exit() {
  local rc=$?
  rm -rf "$HPC_TMP"
  if ((rc == 0)); then rm -f "$(_hpc_pending)"; hpc_report; else hpc_log "FAILED (exit $rc)" >&2; fi
}
trap _hpc_exit EXIT

hpc_read_secrets
