#!/usr/bin/env python3
"""Fits the `philly-2017` preset of capsim's synthetic workload generator.

Reads the Philly job list (../shared/traces/philly/philly_jobs.csv; see that
folder's README for its provenance) and prints the parameters that
core/synthetic.cpp carries, so the preset can be re-derived and checked:

- daily_profile: jobs submitted in each hour of the day (timestamps as recorded
  in the trace), divided by the mean over the 24 hours;
- weekly_profile: jobs submitted on each day of the week (Monday first),
  divided by the mean over the 7 days;
- gpu_weights: the number of jobs asking for each GPU count;
- duration classes: maximum-likelihood lognormal fits (mean and standard
  deviation of ln(duration in seconds)) for jobs of 1, 2-4, 5-8 and 9+ GPUs;
- jobs_per_hour: the trace's mean submission rate over its whole span.

Window: the whole trace, 2017-09-04 to 2017-12-22, all 82,247 jobs.
Run with Debian's Python (it has pandas): /usr/bin/python3 scripts/fit_synthetic.py
"""
import math
import sys

import numpy as np
import pandas as pd

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/traces/philly/philly_jobs.csv"
jobs = pd.read_csv(path, parse_dates=["timestamp"])
print(f"jobs: {len(jobs)}  span: {jobs.timestamp.min()} .. {jobs.timestamp.max()}")

hours = jobs.timestamp.dt.hour.value_counts().reindex(range(24), fill_value=0)
print("daily_profile:", ", ".join(f"{v:.3f}" for v in hours / hours.mean()))
days = jobs.timestamp.dt.dayofweek.value_counts().reindex(range(7), fill_value=0)
print("weekly_profile:", ", ".join(f"{v:.3f}" for v in days / days.mean()))

weights = jobs.num_gpus.value_counts().sort_index()
print("gpu_weights:", ", ".join(f"{g}: {n}" for g, n in weights.items()))

for low, high in [(1, 1), (2, 4), (5, 8), (9, 1 << 30)]:
    sel = jobs[(jobs.num_gpus >= low) & (jobs.num_gpus <= high)]
    logs = np.log(sel.duration.clip(lower=1.0))
    print(f"duration class gpus {low}-{high}: n={len(sel)} mu={logs.mean():.4f} sigma={logs.std(ddof=0):.4f}"
          f" (median {math.exp(logs.mean()):.0f} s)")

span_h = (jobs.timestamp.max() - jobs.timestamp.min()).total_seconds() / 3600
print(f"jobs_per_hour: {len(jobs) / span_h:.3f}")
