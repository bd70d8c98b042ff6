#!/usr/bin/env python3
"""An example analysis job: 1000 seeded random sensor measurements, summarised.

Run it with `sbatch submit_python.sh` (output in analysis_<jobid>.out), or try it
first with `python3 example.py`. numpy and pandas come with every compute node.
"""
import os
import socket

import numpy as np
import pandas as pd

rng = np.random.default_rng(seed=42)
n = 1000
df = pd.DataFrame({
    "sensor": rng.choice(["a", "b", "c", "d"], size=n),
    "temperature_c": rng.normal(loc=21.0, scale=2.5, size=n).round(2),
    "pressure_kpa": rng.normal(loc=101.3, scale=0.8, size=n).round(2),
    "flow_l_min": rng.gamma(shape=2.0, scale=3.0, size=n).round(2),
})

job = os.environ.get("SLURM_JOB_ID", "none (not under Slurm)")
print(f"hpc-stack example analysis on {socket.gethostname()}, job {job}: {n} measurements")
print(f"numpy {np.__version__}, pandas {pd.__version__}")
print()
print(df.describe())
print()
print("mean per sensor:")
print(df.groupby("sensor")[["temperature_c", "pressure_kpa", "flow_l_min"]].mean().round(3))
