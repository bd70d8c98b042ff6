#!/usr/bin/env bash
# The example analysis as a batch job: `sbatch submit_python.sh` from this folder,
# then read analysis_<jobid>.out here (squeue --me shows it while it waits or runs).
#SBATCH --job-name=analysis
#SBATCH --output=analysis_%j.out
#SBATCH --ntasks=1
#SBATCH --time=00:05:00
set -euo pipefail

# Slurm runs a copy of this script (kept in its spool dir), so $0 does not say
# where example.py is: the dir you submitted from does.
cd "${SLURM_SUBMIT_DIR:-.}"
python3 example.py
