# shellcheck shell=bash
# Step controller-slurmctld: slurmctld in configless mode. slurm.conf, gres.conf
# and cgroup.conf are planned files; compute nodes fetch them through the tunnel.

hpc_install_planned
hpc_apt slurmctld slurm-client

install -d -o slurm -g slurm -m 0755 /var/lib/slurm/slurmctld /var/log/slurm

# The controller's own sruns must use the half of SrunPortRange that every
# compute node forwards back; the socket unit holds the other half.
oom=/etc/systemd/system/slurmctld.service.d/50-hpc-oom.conf
if hpc_changed /etc/systemd/system/hpc-srun-ports.socket || hpc_changed /etc/systemd/system/hpc-srun-ports@.service || hpc_changed "$oom"; then
  systemctl daemon-reload
fi
hpc_service hpc-srun-ports.socket /etc/systemd/system/hpc-srun-ports.socket

# Slurm 24.11 reconfigures by starting a new slurmctld and handing over only if it
# starts (scontrol(1): "keep running with the previous configuration if there is a
# problem"), and the new one also learns added and removed nodes. So a changed
# config is applied with `scontrol reconfigure`, which also pushes it to every
# configless slurmd, and a bad one fails this step while the cluster keeps running.
# A restart is left for what reconfigure cannot change: the listening port.
conf_changed=0
for f in /etc/slurm/slurm.conf /etc/slurm/gres.conf /etc/slurm/cgroup.conf /etc/slurm/plugstack.conf; do
  hpc_changed "$f" && conf_changed=1
done
ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
running_port() { scontrol show config 2>/dev/null | awk '$1 == "SlurmctldPort" { print $3 }'; }

was_active=0
systemctl is-active --quiet slurmctld && was_active=1
# A new OOM score takes a restart (systemd applies it at start); its state is saved.
hpc_service slurmctld "$oom"
if ((was_active && conf_changed)) && [[ "$(running_port)" != "$(sed -n 's/^SlurmctldPort=//p' /etc/slurm/slurm.conf)" ]]; then
  systemctl restart slurmctld
  hpc_note "restarted slurmctld (SlurmctldPort changed)"
fi
hpc_wait 60 /var/log/slurm/slurmctld.log "slurmctld does not answer scontrol ping" ctld_up

if ((was_active && conf_changed)); then
  if ! scontrol reconfigure; then
    hpc_log "slurmctld refused the new config and keeps running the old one; its reason is in /var/log/slurm/slurmctld.log:"
    tail -n 20 /var/log/slurm/slurmctld.log >&2
    exit 1
  fi
  hpc_wait 60 /var/log/slurm/slurmctld.log "slurmctld does not answer scontrol ping after reconfigure" ctld_up
  hpc_note "applied the new config to slurmctld and every slurmd (scontrol reconfigure)"
fi
