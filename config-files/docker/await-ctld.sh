#!/usr/bin/env bash
# Starts its arguments (slurmd) once slurmctld answers at SLURM_CONF_SERVER, which
# is the tunnel's -L forward. slurmd 24.11 retries a failed configless fetch only
# every 10 s (measured; 22.05 exited and was restarted every 2 s), so a slurmd
# started before the tunnel was up registered up to 10 s late.
set -u
server=${SLURM_CONF_SERVER:-127.0.0.1:6817}
host=${server%:*} port=${server##*:}
until (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do sleep 0.5; done
exec "$@"
