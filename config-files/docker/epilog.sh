#!/usr/bin/env bash
# Slurm's Epilog on every compute node (slurm.conf Epilog=; slurmd runs it as root
# after each job on the node): when the job's user has no other job here, kill what
# they left behind. Without cgroups, proctrack/linuxproc loses a process that left its
# job's tree (`setsid sleep 300 &`, a daemonised server), and it would go on using the
# node's CPUs and GPUs under the next user's job. SchedMD shipped this as
# slurm.epilog.clean until pam_slurm_adopt replaced it; see lab/EXPERIMENT.md on cgroups.
set -uo pipefail
uid=${SLURM_JOB_UID:-${SLURM_UID:-}}
job=${SLURM_JOB_ID:-}
node=${SLURMD_NODENAME:-}
[[ "$uid" =~ ^[0-9]+$ && -n "$job" && -n "$node" ]] || exit 0
# root, the daemons' accounts and the tunnel's are never cleaned.
((uid >= 1000)) || exit 0
# Another job of theirs still runs here: leave them be. If slurmctld cannot say (a
# tunnel down), clean nothing: killing a running job's processes is the worse error.
others=$(timeout 15 squeue -h -w "$node" -u "$uid" -o %A) || exit 0
for j in $others; do
  [[ "$j" == "$job" ]] || exit 0
done
pkill -KILL -U "$uid" || true
exit 0
