#!/usr/bin/python3
"""What a queue policy written in Python costs: the same policy (shortest
recorded run time first, skipping blocked jobs) built in and in Python,
run alternately (and once more in Python with every hook overridden, to
show what each call costs) on the quickstart (and on Philly's 82,247 jobs when
../shared/traces is there); prints the median wall time of each and their
ratio. The two give identical results (tests/python/test_policies.py).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_policy.py [--repeat 5]
"""

import argparse
import pathlib
import statistics
import sys
import time

import capsim

ROOT = pathlib.Path(__file__).resolve().parents[1]


class ShortestFirst(capsim.QueuePolicy):
    """Shortest recorded run time first (the oracle)."""

    def key(self, job):
        return (job.recorded_duration, job.submit)


class ShortestFirstAdmitting(ShortestFirst):
    """The same, also asked about every job it passes over (admit: per
    waiting job per pass), and told of every start and end."""

    def admit(self, job):
        return "try"

    def on_job_started(self, job):
        pass

    def on_job_ended(self, job):
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    capsim.register_queue_policy("py_sjf", ShortestFirst)
    capsim.register_queue_policy("py_sjf_hooks", ShortestFirstAdmitting)
    scenarios = [("quickstart", ROOT / "scenarios" / "quickstart.yaml")]
    if (ROOT.parent / "shared" / "traces" / "philly" / "philly_jobs.csv").exists():
        scenarios.append(("philly (82,247 jobs, 640 GPUs)", ROOT / "scenarios" / "philly_policies.yaml"))
    builtin = {"name": "sjf", "duration": "oracle", "skip_blocked": True}
    print(f"{'scenario':32} {'built-in (s)':>13} {'Python (s)':>11} {'ratio':>7} "
          f"{'Python, all hooks (s)':>22} {'ratio':>7}   median of {args.repeat}")
    for label, path in scenarios:
        sc = capsim.Scenario.load(path)
        variants = {"builtin": sc.with_policy(queue=builtin), "python": sc.with_policy(queue="py_sjf"),
                    "hooks": sc.with_policy(queue="py_sjf_hooks")}
        times = {k: [] for k in variants}
        for _ in range(args.repeat):
            for name, variant in variants.items():  # alternate, so that noise hits both
                start = time.perf_counter()
                res = capsim.run(variant)
                times[name].append(time.perf_counter() - start)
        b, p, h = (statistics.median(times[k]) for k in ("builtin", "python", "hooks"))
        print(f"{label:32} {b:13.3f} {p:11.3f} {p / b:6.1f}x {h:22.3f} {h / b:6.1f}x   "
              f"({res.metrics['jobs_completed']:,} jobs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
