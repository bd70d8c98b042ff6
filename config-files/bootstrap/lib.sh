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
#   hpc_changed PATH  true when PATH was changed by this run, or by an earlier run
#                     of this step that failed before it finished
#   hpc_note MSG      counts a change that is not a file (a user, a service, a DB row)
#   hpc_report        prints "hpc-step <id>: changed=N unchanged=M" (the last line)
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
  tmp=$(mktemp)
  cat >"$tmp"
  _hpc_install "$tmp" "$@"
  rm -f "$tmp"
}

hpc_file_from_secret() {
  local name=$1 tmp
  shift
  tmp=$(mktemp)
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

hpc_apt() {
  local missing=() p
  for p in "$@"; do
    # Compared whole, not with grep -q in a pipe: under pipefail an early exit of grep is a failure.
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then hpc_same; return 0; fi
  hpc_log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages must not start daemons before their config is in place.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  # Planned files are installed first; a package that ships one as a conffile
  # (slurm-wlm-basic-plugins' plugstack.conf) keeps ours.
  local opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  if ! apt-get install "${opts[@]}" "${missing[@]}" >/tmp/hpc-apt.log 2>&1; then
    apt-get update -q >/tmp/hpc-apt-update.log 2>&1
    apt-get install "${opts[@]}" "${missing[@]}" >/tmp/hpc-apt.log 2>&1 || { rm -f /usr/sbin/policy-rc.d; tail -20 /tmp/hpc-apt.log >&2; exit 1; }
  fi
  rm -f /usr/sbin/policy-rc.d
  hpc_note "installed ${missing[*]}"
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
  if ((rc == 0)); then rm -f "$(_hpc_pending)"; hpc_report; else hpc_log "FAILED (exit $rc)" >&2; fi
}
trap _hpc_exit EXIT

hpc_read_secrets
