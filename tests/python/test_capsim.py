"""`import capsim`: scenarios, runs, results, files, sweeps and errors."""

import json
import os
import pathlib
import subprocess
import threading

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import capsim

# Three listed jobs on one node of 8 V100s, worked by hand: a (8 GPUs, 1 h)
# starts at 0; b (4 GPUs, 30 min) waits for it under strict FIFO; c (0.5 of a
# GPU) also waits behind b.
HAND = {
    "name": "hand",
    "cluster": {"node_groups": [{"gpu": "V100", "gpus_per_node": 8, "count": 1}]},
    "workload": {"jobs": [
        {"id": "a", "submit": "0s", "gpus": 8, "duration": "1h"},
        {"id": "b", "submit": "10m", "gpus": 4, "duration": "30m"},
        {"id": "c", "submit": "20m", "gpus": 0.5, "duration": "10m"},
    ]},
    "policies": {"queue": "fifo", "placement": "first_fit"},
    "run": {"seed": 3, "metrics_interval": "15m"},
}


def test_a_scenario_built_in_code_runs_as_worked_by_hand():
    sc = capsim.Scenario.from_dict(HAND)
    assert (sc.name, sc.nodes, sc.gpus, sc.queue, sc.placement, sc.seed) == ("hand", 1, 8, "fifo", "first_fit", 3)
    res = capsim.run(sc)
    jobs = res.jobs
    assert list(jobs["name"]) == ["a", "b", "c"]
    assert list(jobs["start_time"]) == [0.0, 3600.0, 3600.0]
    assert list(jobs["end_time"]) == [3600.0, 5400.0, 4200.0]
    assert list(jobs["queueing_delay"]) == [0.0, 3000.0, 2400.0]
    assert list(jobs["state"]) == ["completed"] * 3
    assert res.summary["metrics"]["jobs_completed"] == 3
    assert res.summary["metrics"]["jct_max_s"] == 4800.0  # b: submitted at 600, ends at 5400
    # Four 15-minute intervals while a holds the whole node.
    assert list(res.timeseries["allocated_gpus"].iloc[:4]) == [8.0] * 4
    assert res.timeseries.index.name == "time"


def test_with_methods_copy_and_never_mutate(quickstart):
    changed = quickstart.with_policy(queue="tiresias", placement="first_fit").with_seed(7)
    assert (quickstart.queue, quickstart.placement, quickstart.seed) == ("fifo", "best_fit", 42)
    assert (changed.queue, changed.placement, changed.seed) == ("tiresias", "first_fit", 7)
    with_params = quickstart.with_policy(queue={"name": "tiresias", "queue_thresholds": ["1h", "4h"]})
    assert with_params.queue == "tiresias"
    assert "tiresias" in repr(changed)


def test_jobs_are_typed_with_units(quickstart):
    res = capsim.run(quickstart)
    jobs = res.jobs
    assert jobs.index.name == "id"
    assert len(jobs) == res.summary["metrics"]["jobs_submitted"] == 3274
    assert jobs["submit_time"].dtype == np.float64
    assert jobs["nodes"].dtype == np.int32
    assert jobs["preemptions"].dtype == np.int32
    assert isinstance(jobs["state"].dtype, pd.CategoricalDtype)
    assert jobs.attrs["units"]["jct"] == "s"
    assert jobs.attrs["units"]["gpus"] == "GPUs"
    assert "completion" in jobs.attrs["descriptions"]["jct"]
    assert res.timeseries.attrs["units"]["allocated_gpus"] == "GPUs"
    assert res.timeseries.attrs["interval_s"] == 3600.0
    # The summary's mean JCT is the jobs' mean JCT.
    assert jobs["jct"].mean() == pytest.approx(res.metrics["jct_mean_s"], rel=1e-12)


def test_summary_is_summary_json_and_the_file_reads_back_the_same(quickstart, tmp_path):
    res = capsim.run(quickstart, output_dir=tmp_path / "out")
    with open(tmp_path / "out" / "summary.json", encoding="utf-8") as f:
        assert res.summary == json.load(f)
    back = capsim.read_results(tmp_path / "out" / "results.h5")
    pdt.assert_frame_equal(res.jobs, back.jobs, check_exact=True)
    pdt.assert_frame_equal(res.timeseries, back.timeseries, check_exact=True)
    assert back.summary == res.summary
    assert back.jobs.attrs == res.jobs.attrs
    assert back.scenario_text == quickstart.text
    # A folder stands for its results.h5.
    pdt.assert_frame_equal(capsim.read_results(tmp_path / "out").jobs, res.jobs)


def test_the_command_line_and_python_write_the_same_results(quickstart, source_dir, tmp_path):
    binary = pathlib.Path(os.environ.get("CAPSIM_BINARY", source_dir / "build" / "capsim"))
    if not binary.exists():
        pytest.skip(f"no capsim binary at {binary} (ctest sets CAPSIM_BINARY)")
    subprocess.run([str(binary), "run", str(source_dir / "scenarios" / "quickstart.yaml"), "-q", "-o",
                    str(tmp_path / "cli")], check=True)
    from_cli = capsim.read_results(tmp_path / "cli")
    res = capsim.run(quickstart)
    pdt.assert_frame_equal(from_cli.jobs, res.jobs, check_exact=True)
    assert from_cli.summary == res.summary


def test_runs_are_deterministic(quickstart):
    a = capsim.run(quickstart.with_seed(5))
    b = capsim.run(quickstart.with_seed(5))
    pdt.assert_frame_equal(a.jobs, b.jobs, check_exact=True)
    c = capsim.run(quickstart.with_seed(6))
    assert not a.jobs["submit_time"].equals(c.jobs["submit_time"])


def test_run_releases_the_gil():
    # While one thread is inside the simulation (100,000 jobs, a few tenths
    # of a second), this thread must keep running Python: with the GIL held
    # it records next to none (2 measured) until the run returns, against
    # about 120 when the GIL is released.
    import time

    sc = capsim.Scenario.from_dict({
        "cluster": {"node_groups": [{"gpu": "V100", "gpus_per_node": 8, "count": 100}]},
        "workload": {"synthetic": {"preset": "philly-2017", "jobs": 100_000, "jobs_per_hour": 200, "max_gpus": 8}},
    })
    window = {}
    done = threading.Event()

    def work():
        window["start"] = time.perf_counter()
        capsim.run(sc)
        window["end"] = time.perf_counter()
        done.set()

    stamps = []
    worker = threading.Thread(target=work)
    worker.start()
    while not done.is_set():
        stamps.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    start, end = window["start"], window["end"]
    middle = [t for t in stamps if start + 0.25 * (end - start) < t < start + 0.75 * (end - start)]
    assert end - start > 0.05
    assert len(middle) >= 10, f"{len(middle)} stamps in the middle of a {end - start:.3f} s run"


def test_sweep_is_the_same_with_one_or_two_workers(quickstart):
    kw = dict(queue=["fifo", "srtf", {"name": "tiresias", "queue_thresholds": ["1h"]}], seed=range(2))
    one = capsim.sweep(quickstart, workers=1, **kw)
    two = capsim.sweep(quickstart, workers=2, **kw)
    pdt.assert_frame_equal(one, two, check_exact=True)
    assert list(one["queue"]) == ["fifo", "fifo", "srtf", "srtf", "tiresias", "tiresias"]
    assert list(one["seed"]) == [0, 1] * 3
    assert set(one["placement"]) == {"best_fit"}
    # Each row is that run's summary.
    alone = capsim.run(quickstart.with_policy(queue="srtf").with_seed(1))
    assert one.loc[3, "jct_mean_s"] == alone.metrics["jct_mean_s"]
    # SRTF beats FIFO on mean JCT here.
    assert one.loc[2, "jct_mean_s"] < one.loc[0, "jct_mean_s"]


def test_errors_carry_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cluster:\n  node_groups:\n    - {gpu: V100, gpus_per_node: 8, count: -3}\n")
    with pytest.raises(capsim.InputError) as e:
        capsim.Scenario.load(bad)
    assert e.value.file == str(bad)
    assert e.value.line == 3
    assert e.value.field == "cluster.node_groups[0].count"
    assert "bad.yaml:3" in str(e.value)
    assert isinstance(e.value, ValueError)

    with pytest.raises(capsim.InputError) as e:
        capsim.Scenario.load(tmp_path / "missing.yaml")
    assert "missing.yaml" in str(e.value)


def test_policy_errors_name_the_field(quickstart):
    with pytest.raises(capsim.InputError) as e:
        quickstart.with_policy(queue="no_such_policy")
    assert e.value.field == "policies.queue"
    assert "tiresias" in e.value.expected  # the known names are listed
    with pytest.raises(capsim.InputError) as e:
        quickstart.with_policy(queue={"name": "tiresias", "queue_thresholds": "soon"})
    assert e.value.field.startswith("policies.queue")
    with pytest.raises(TypeError):
        quickstart.with_policy(queue=3)
    with pytest.raises(TypeError):
        quickstart.with_seed(-1)
    with pytest.raises(capsim.InputError):
        capsim.sweep(quickstart, queue=["fifo", "nope"])
    with pytest.raises(ValueError):
        capsim.sweep(quickstart, workers=0)


def test_a_dict_scenario_error_names_the_field():
    broken = json.loads(json.dumps(HAND))
    broken["cluster"]["node_groups"][0]["colour"] = "red"
    with pytest.raises(capsim.InputError) as e:
        capsim.Scenario.from_dict(broken)
    assert e.value.field == "cluster.node_groups[0].colour"
    assert e.value.file == "<dict>"


def test_an_energy_policy_saves_energy_with_every_job_finished(quickstart):
    always_on = capsim.run(quickstart.with_policy(energy="none"))
    sleeping = capsim.run(quickstart.with_policy(energy={"name": "power_off", "idle": "10m"}))
    assert sleeping.summary["metrics"]["jobs_completed"] == always_on.summary["metrics"]["jobs_completed"]
    assert sleeping.summary["metrics"]["facility_energy_kwh"] < always_on.summary["metrics"]["facility_energy_kwh"]
    assert sleeping.summary["metrics"]["nodes_powered_off"] > 0
    with pytest.raises(capsim.InputError) as e:
        quickstart.with_policy(energy={"name": "power_off", "idle": "soon"})
    assert e.value.field == "policies.energy.idle"


def test_a_reaped_notebook_in_the_jobs_frame_and_the_summary(tmp_path):
    # A 4-hour notebook idle for its second half, reaped after 30 minutes of
    # it: 0.5 GPU-hours held idle, 1.5 recovered at $2 a GPU-hour.
    spec = {
        "cluster": {"node_groups": [{"gpu": "V100", "gpus_per_node": 1, "count": 1, "usd_per_gpu_hour": 2}]},
        "workload": {"job_classes": [{"name": "notebook", "idle_tail": 0.5}],
                     "jobs": [{"id": "n", "submit": "0s", "gpus": 1, "duration": "4h"}]},
        "policies": {"reaping": {"idle": "30m"}},
    }
    res = capsim.run(capsim.Scenario.from_dict(spec), output_dir=tmp_path / "out")
    assert list(res.jobs["state"]) == ["reaped"]
    assert list(res.jobs["end_time"]) == [9000.0]
    assert list(res.jobs["idle_gpu_hours"]) == [0.5]
    assert res.jobs.attrs["units"]["idle_gpu_hours"] == "GPU-h"
    metrics = res.summary["metrics"]
    assert (metrics["jobs_reaped"], metrics["gpu_hours_recovered"], metrics["cost_recovered_usd"]) == (1, 1.5, 3.0)
    back = capsim.read_results(tmp_path / "out")
    pdt.assert_frame_equal(back.jobs, res.jobs, check_exact=True)


def test_policies_are_listed():
    listed = capsim.policies()
    assert {"fifo", "srtf", "tiresias", "gavel"} <= set(listed["queue"])
    assert {"best_fit", "fgd", "topology"} <= set(listed["placement"])
    assert {"none", "power_off"} <= set(listed["energy"])
    assert "hpa" in listed["autoscaling"]


def test_ctrl_c_stops_a_run_and_keeps_the_results_so_far(source_dir, tmp_path):
    # A child process runs a million jobs; SIGINT arrives once it has started.
    import signal
    import sys
    import time

    script = tmp_path / "child.py"
    script.write_text(
        "import sys, capsim\n"
        f"sc = capsim.Scenario.load({str(source_dir / 'bench' / 'scenarios' / 'million_jobs.yaml')!r})\n"
        "print('running', flush=True)\n"
        "try:\n"
        f"    capsim.run(sc, output_dir={str(tmp_path / 'out')!r})\n"
        "except KeyboardInterrupt as e:\n"
        "    print('interrupted:', e, flush=True)\n"
        "    sys.exit(3)\n"
        "sys.exit(0)\n")
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ))
    assert child.stdout.readline().strip() == "running"
    time.sleep(0.5)  # well inside run(), which takes seconds
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 3, out
    assert "results so far, marked partial" in out
    back = capsim.read_results(tmp_path / "out")
    assert back.summary["status"] == "partial"
    assert 0 < back.summary["metrics"]["jobs_submitted"] < 1_000_000


def test_the_simgrid_engine_runs_from_python_in_a_child_process():
    # The hand-worked scenario through SimGrid, twice in one interpreter
    # (SimGrid allows one simulation per process: each run forks): jobs on
    # one node with no gradient end exactly as under the native engine.
    native = capsim.run(capsim.Scenario.from_dict(HAND))
    spec = json.loads(json.dumps(HAND))
    spec["run"]["engine"] = "simgrid"
    for _ in range(2):
        res = capsim.run(capsim.Scenario.from_dict(spec))
        assert res.summary["engine"] == "simgrid"
        assert list(res.jobs["end_time"]) == list(native.jobs["end_time"])
        assert res.summary["metrics"]["gpu_energy_kwh"] > 0


# A fixed service of two replicas at 3 requests/s for an hour on one node
# of 4 V100s: 60 one-minute rows, 2 replica-hours at $3.06 per GPU-hour.
SERVICE = {
    "name": "service",
    "cluster": {"node_groups": [{"gpu": "V100", "gpus_per_node": 4, "count": 1}]},
    "workload": {"services": [{
        "name": "chat",
        "model": {"work": "1s", "step": "20ms", "step_per_request": "2ms", "max_batch": 8},
        "slo": {"latency": "5s"},
        "replicas": 2,
        "load": {"base": 3, "span": "1h"},
    }]},
}


def test_services_are_a_dataframe_in_memory_and_from_the_file(tmp_path):
    res = capsim.run(capsim.Scenario.from_dict(SERVICE), output_dir=tmp_path / "out")
    services = res.services
    assert len(services) == 60
    assert list(services["service"].unique()) == ["chat"]
    assert services["time"].iloc[-1] == 3600.0
    assert (services["replicas_ready"] == 2).all()
    assert services["arrived"].sum() == pytest.approx(10_800)
    assert services.attrs["units"]["latency_p99"] == "s"
    (chat,) = res.summary["services"]
    assert chat["name"] == "chat" and chat["autoscaler"] == "fixed"
    assert chat["replica_hours"] == pytest.approx(2)
    assert chat["cost_usd"] == pytest.approx(6.12)
    back = capsim.read_results(tmp_path / "out")
    pdt.assert_frame_equal(back.services, services, check_exact=True)
    # Without services the frame is empty.
    assert capsim.run(capsim.Scenario.from_dict(HAND)).services.empty


def test_with_policy_swaps_every_services_autoscaler():
    sc = capsim.Scenario.from_dict(SERVICE)
    scaled = capsim.run(sc.with_policy(autoscaling={"name": "hpa", "target_rate_per_replica": 1}))
    (chat,) = scaled.summary["services"]
    assert chat["autoscaler"] == "hpa"
    # 3 requests/s at 1 per replica: the HPA goes from 2 to 3 replicas.
    assert scaled.services["replicas"].max() == 3
    with pytest.raises(capsim.InputError, match="target"):
        sc.with_policy(autoscaling={"name": "hpa", "target": 1})
    with pytest.raises(capsim.InputError, match="services to scale"):
        capsim.Scenario.from_dict(HAND).with_policy(autoscaling="hpa")


def test_sweep_over_autoscalers_flattens_each_services_figures():
    sc = capsim.Scenario.from_dict(SERVICE)
    table = capsim.sweep(sc, autoscaling=[{"name": "hpa", "target_rate_per_replica": 1}, "knative"], workers=2)
    assert list(table["autoscaling"]) == ["hpa", "knative"]
    assert list(table["chat.autoscaler"]) == ["hpa", "knative"]
    assert list(table["chat.requests"]) == pytest.approx([10_800, 10_800])
    # Without the dimension the table keeps its columns, services flattened.
    plain = capsim.sweep(sc)
    assert "autoscaling" not in plain.columns
    assert plain["chat.replica_hours"].iloc[0] == pytest.approx(2)


def test_energy_and_carbon_from_python_and_the_file(tmp_path):
    # HAND on a node drawing 100 W of its own, PUE 1.2, 50 g CO2e/kWh: 8 V100s
    # idle at 40 W over 5,400 s, plus 260 W per allocated GPU-second (a: 8 x
    # 3,600; b: 4 x 1,800; c: 0.5 x 600), plus the node's 100 W.
    scenario = json.loads(json.dumps(HAND))
    scenario["cluster"]["pue"] = 1.2
    scenario["cluster"]["regions"] = [{"name": "here", "carbon": 50}]
    scenario["cluster"]["node_groups"][0]["node_watts"] = 100
    res = capsim.run(capsim.Scenario.from_dict(scenario), output_dir=tmp_path / "out")
    it_joules = (8 * 40 + 100) * 5400 + 260 * (8 * 3600 + 4 * 1800 + 0.5 * 600)
    assert res.metrics["it_energy_kwh"] == pytest.approx(it_joules / 3.6e6)
    assert res.metrics["facility_energy_kwh"] == pytest.approx(1.2 * it_joules / 3.6e6)
    assert res.metrics["emissions_kg_co2e"] == pytest.approx(1.2 * it_joules / 3.6e6 * 50 / 1000)
    assert res.summary["regions"][0]["name"] == "here"
    # Job a: 8 GPUs x 300 W x 1 h x 1.2.
    assert res.jobs["energy"].iloc[0] == pytest.approx(8 * 300 * 1.2 / 1000)
    assert res.timeseries.attrs["units"]["power_kw"] == "kW"
    # The facility's mean power over the run is the series' time-weighted mean.
    assert res.timeseries["power_kw"].mean() == pytest.approx(res.metrics["mean_power_kw"])
    # Cost: 8 V100s at $3.06 for 1.5 h; job a used 8 GPU-hours of it.
    assert res.metrics["cluster_cost_usd"] == pytest.approx(8 * 1.5 * 3.06)
    assert res.jobs["cost"].iloc[0] == pytest.approx(8 * 3.06)
    assert list(res.jobs["tenant"]) == [""] * 3  # no queue, no user
    back = capsim.read_results(tmp_path / "out")
    pdt.assert_frame_equal(back.timeseries, res.timeseries, check_exact=True)
    assert back.metrics["emissions_kg_co2e"] == res.metrics["emissions_kg_co2e"]
