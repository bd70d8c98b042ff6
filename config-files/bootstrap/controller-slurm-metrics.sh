# shellcheck shell=bash
# Step controller-slurm-metrics: Slurm's state for Prometheus, as node exporter
# textfile metrics written by hpc-slurm-metrics (a python3 script) every monitoring
# interval (hpc-slurm-metrics.timer).
# Runs after lib.sh (hpc_* functions). Env: TEXTFILE_DIR. No stdin.
# Planned files:
#   /usr/local/sbin/hpc-slurm-metrics                 0755 (monitoring/slurm-metrics.py)
#   /etc/systemd/system/hpc-slurm-metrics.service     0644
#   /etc/systemd/system/hpc-slurm-metrics.timer       0644 (its period is the monitoring interval)

hpc_install_planned
hpc_apt python3

# Only the collector writes here (as slurm, the SlurmUser, which may run sdiag).
if [[ "$(stat -c '%a %U' "$TEXTFILE_DIR" 2>/dev/null)" == "755 slurm" ]]; then
  hpc_same
else
  install -d -m 0755 -o slurm -g slurm "$TEXTFILE_DIR"
  hpc_note "$TEXTFILE_DIR owned by slurm"
fi

hpc_reload_units /etc/systemd/system/hpc-slurm-metrics.service /etc/systemd/system/hpc-slurm-metrics.timer
hpc_service hpc-slurm-metrics.timer /etc/systemd/system/hpc-slurm-metrics.timer

# One run now, so a collector that cannot read this Slurm fails the step, not only an alert.
if ! systemctl start hpc-slurm-metrics.service; then
  hpc_log "hpc-slurm-metrics failed:" >&2
  journalctl -u hpc-slurm-metrics.service -n 20 --no-pager >&2 || true
  exit 1
fi
grep -q '^slurm_exporter_last_success_timestamp_seconds ' "$TEXTFILE_DIR/slurm.prom"
