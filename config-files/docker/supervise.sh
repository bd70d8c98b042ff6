#!/usr/bin/env bash
# Minimal process supervisor, sourced by entrypoint.sh. tini is PID 1 and reaps
# orphans; this keeps each daemon in the foreground and restarts it when it
# exits, so a crashed slurmd/munged/autossh comes back without systemd.

declare -a HPC_SUPERVISED_PIDS=()

hpc_log() { printf '%s [hpc] %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

# supervise NAME CMD [ARGS...]: run CMD forever, restarting after
# HPC_RESTART_DELAY seconds (default 2) whenever it exits.
supervise() { _supervise "" "$@"; }

# supervise_group NAME CMD [ARGS...]: the same, but CMD runs in its own session
# and whatever is left of that session is SIGKILLed when CMD exits. Needed for
# autossh: killed hard, it orphans its ssh child, which keeps holding the -L
# ports so every new ssh fails with "Address already in use". Not for slurmd,
# whose slurmstepds must outlive a slurmd restart.
supervise_group() { _supervise group "$@"; }

_supervise() {
  local group="$1" name="$2"; shift 2
  (
    # The caller may run under `set -e`; a daemon's non-zero exit must not end the loop.
    set +e +u
    child=""
    # On container stop: TERM the daemon (autossh passes it on to ssh), then
    # for group mode sweep up anything left in its session.
    trap 'if [[ -n "$child" ]]; then kill -TERM "$child" 2>/dev/null; [[ -n "$group" ]] && { sleep 0.5; kill -KILL -- "-$child" 2>/dev/null; }; fi; exit 0' TERM INT
    while :; do
      hpc_log "start $name: $*"
      if [[ -n "$group" ]]; then
        # Not a group leader when started from a non-interactive shell, so
        # setsid execs in place and $! is the new session/group id.
        setsid "$@" &
      else
        "$@" &
      fi
      child=$!
      wait "$child"
      rc=$?
      [[ -n "$group" ]] && kill -KILL -- "-$child" 2>/dev/null
      child=""
      hpc_log "$name exited rc=$rc; restart in ${HPC_RESTART_DELAY:-2}s"
      sleep "${HPC_RESTART_DELAY:-2}"
    done
  ) &
  HPC_SUPERVISED_PIDS+=("$!")
}

# supervise_wait: block until the container is told to stop, then run the function
# named by HPC_ON_STOP (if any, while every daemon still runs), then stop every
# supervised loop (each loop stops its own child).
supervise_wait() {
  set +e
  trap 'hpc_log "stopping"; [[ -n "${HPC_ON_STOP:-}" ]] && "$HPC_ON_STOP"; kill -TERM "${HPC_SUPERVISED_PIDS[@]}" 2>/dev/null; wait; exit 0' TERM INT
  while :; do
    wait
    # `wait` returns early on signals; loop so that only the trap ends us.
    sleep 1
  done
}
