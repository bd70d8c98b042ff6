"""An example Streamlit app, run as a Slurm job by run_streamlit.sh.

Edit it and resubmit; `streamlit hello` shows what else Streamlit can draw.
"""
import os
import socket

import numpy as np
import pandas as pd
import streamlit as st

st.title("hpc-stack: Streamlit on a compute node")
st.caption(f"Node {socket.gethostname()}, Slurm job {os.environ.get('SLURM_JOB_ID', '-')}")

points = st.slider("Days of measurements", min_value=10, max_value=365, value=90)
rng = np.random.default_rng(seed=42)
df = pd.DataFrame(
    rng.normal(loc=0.0, scale=1.0, size=(points, 3)).cumsum(axis=0),
    columns=["sensor a", "sensor b", "sensor c"],
    index=pd.date_range("2025-01-01", periods=points, freq="D"),
)

st.subheader("Cumulative drift")
st.line_chart(df)
st.subheader("Summary")
st.dataframe(df.describe().round(3))
