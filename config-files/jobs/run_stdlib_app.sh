#!/usr/bin/env bash
# stdlib_app.py (Python's standard library only) as a web app on a compute node:
# the same job, port and tunnel as run_streamlit.sh, where Streamlit is missing.
# `sbatch run_stdlib_app.sh`, then read stdlib_app_<jobid>.out for the ssh command
# and the URL. It runs until the time limit or `scancel <jobid>`.
#SBATCH --job-name=stdlib-app
#SBATCH --output=stdlib_app_%j.out
#SBATCH --ntasks=1
#SBATCH --time=01:00:00
set -euo pipefail

cd "${SLURM_SUBMIT_DIR:-.}"

# One of the few ports this node forwards to the controller, free, and claimed
# for this job (its shell, which exec below hands to python3).
port=$(hpc-app-port)

echo "Web app of job ${SLURM_JOB_ID:-?} on $(uname -n), port $port."
hpc-app-port --howto "$port"

exec python3 stdlib_app.py "$port"
