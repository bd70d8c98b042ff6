#!/usr/bin/env bash
# app.py as a Streamlit web app on a compute node: `sbatch run_streamlit.sh` from
# this folder, then read streamlit_<jobid>.out for the ssh command to run on your
# laptop and the URL to open. The app runs until the time limit or `scancel <jobid>`.
#SBATCH --job-name=streamlit
#SBATCH --output=streamlit_%j.out
#SBATCH --ntasks=1
#SBATCH --time=01:00:00
set -euo pipefail

cd "${SLURM_SUBMIT_DIR:-.}"

if ! command -v streamlit >/dev/null 2>&1; then
  echo "streamlit is not installed on $(uname -n): this compute image was built without it" >&2
  echo "(installStreamlit: false, or no access to PyPI). Try run_stdlib_app.sh instead," >&2
  echo "or ask your administrator to enable installStreamlit." >&2
  exit 1
fi

# One of the few ports this node forwards to the controller, free, and claimed
# for this job (its shell, which exec below hands to streamlit).
port=$(hpc-app-port)

echo "Streamlit app of job ${SLURM_JOB_ID:-?} on $(uname -n), port $port."
hpc-app-port --howto "$port"

# 127.0.0.1 only: the tunnel reaches it, the network does not. Headless: no
# browser to open and no e-mail prompt on a node; no usage statistics sent from
# the user's browser to Streamlit's servers about a private cluster's app.
exec streamlit run app.py --server.address 127.0.0.1 --server.port "$port" --server.headless true \
  --browser.gatherUsageStats false
