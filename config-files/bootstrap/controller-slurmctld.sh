# shellcheck shell=bash
# Step controller-slurmctld: slurmctld in configless mode. slurm.conf, gres.conf
# and cgroup.conf are planned files; compute nodes fetch them through the tunnel.

hpc_install_planned
hpc_apt slurmctld slurm-client

install -d -o slurm -g slurm -m 0755 /var/lib/slurm/slurmctld /var/log/slurm

# The controller's own sruns must use the half of SrunPortRange that every
# compute node forwards back; the socket unit holds the other half.
if hpc_changed /etc/systemd/system/hpc-srun-ports.socket || hpc_changed /etc/systemd/system/hpc-srun-ports@.service; then
  systemctl daemon-reload
fi
hpc_service hpc-srun-ports.socket /etc/systemd/system/hpc-srun-ports.socket

# A bad slurm.conf can kill a running slurmctld on reconfigure: refuse it first.
slurmctld -V >/dev/null
hpc_service slurmctld /etc/slurm/slurm.conf /etc/slurm/gres.conf /etc/slurm/cgroup.conf

ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
hpc_wait 60 /var/log/slurm/slurmctld.log "slurmctld does not answer scontrol ping" ctld_up

# Configless slurmds keep the config they fetched when they started, and a restart
# of slurmctld does not refresh it: push the new one, or nodes added by this run are
# unknown to the others (a job spanning old and new nodes fails with "Can't find an
# address, check slurm.conf").
if hpc_changed /etc/slurm/slurm.conf || hpc_changed /etc/slurm/gres.conf || hpc_changed /etc/slurm/cgroup.conf; then
  scontrol reconfigure
  hpc_note "pushed the new config to every slurmd (scontrol reconfigure)"
fi
