"""capsim.sweep on a Dask cluster, and the pickling of a Scenario that takes
it there: the table is the thread pool's, bit for bit."""

import copy
import os
import pickle

import pandas.testing as pdt
import pytest

import capsim

# Tornado, under distributed 2022.12, on Python 3.11.
pytestmark = pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")

# A day of Philly-shaped jobs (about 360) on 96 GPUs: a few hundred
# milliseconds a run.
SMALL = {
    "name": "small",
    "cluster": {"nodes_per_rack": 4, "node_groups": [{"gpu": "V100", "gpus_per_node": 8, "count": 12}]},
    "workload": {"synthetic": {"preset": "philly-2017", "span": "1d", "jobs_per_hour": 15, "max_gpus": 32,
                               "max_duration": "2d", "recorded_on": "V100"}},
    "policies": {"queue": "fifo", "placement": "best_fit"},
    "run": {"seed": 5, "metrics_interval": "1h"},
}
VARIANTS = dict(queue=["fifo", "srtf", {"name": "tiresias", "queue_thresholds": ["1h"]}],
                placement=["best_fit", "first_fit"], seed=[0, 1])


@pytest.fixture(scope="module")
def small():
    return capsim.Scenario.from_dict(SMALL)


@pytest.fixture(scope="module")
def local_table(small):
    return capsim.sweep(small, workers=2, **VARIANTS)


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    # Two worker processes: each task's scenario crosses by pickle.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


def same_run(a, b):
    assert capsim.run(a).summary == capsim.run(b).summary


def same_but_trace_path(copied, original, folder):
    # The copy's summary names its trace by the absolute path it was read
    # again with; all else is the same.
    assert copied["trace"].pop("path") == str(folder / original["trace"].pop("path"))
    assert copied == original


def test_a_scenario_pickles_with_its_changes(small):
    changed = small.with_policy(queue={"name": "tiresias", "queue_thresholds": ["2h"]},
                                placement="first_fit").with_seed(9)
    back = pickle.loads(pickle.dumps(changed))
    assert isinstance(back, capsim.Scenario)
    for field in ("name", "file", "text", "seed", "queue", "placement", "nodes", "gpus"):
        assert getattr(back, field) == getattr(changed, field), field
    assert changed.base_dir == "." and back.base_dir == os.path.abspath(".")
    same_run(back, changed)
    same_run(copy.deepcopy(changed), changed)
    # The original is untouched, and a YAML name survives.
    assert (small.queue, small.seed) == ("fifo", 5)
    named = capsim.Scenario.from_yaml("cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
                                      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1h}]}\n",
                                      name="mine.yaml")
    assert pickle.loads(pickle.dumps(named)).name == named.name == "mine"


def test_a_loaded_scenario_finds_its_trace_from_another_folder(source_dir, tmp_path, monkeypatch):
    # Loaded by a relative path, its trace relative to its folder: the copy
    # reads it again with the folder made absolute.
    monkeypatch.chdir(source_dir)
    loaded = capsim.Scenario.load(os.path.join("tests", "data", "golden", "mixed_fifo_best_fit.yaml"))
    loaded = loaded.with_policy(queue="srtf")
    expected = capsim.run(loaded).summary
    data = pickle.dumps(loaded)
    monkeypatch.chdir(tmp_path)
    back = pickle.loads(data)
    assert back.file == loaded.file and back.queue == "srtf"
    assert back.base_dir == str(source_dir / "tests" / "data" / "golden")
    same_but_trace_path(capsim.run(back).summary, expected, source_dir)


def test_a_trace_given_later_is_recorded_absolute(source_dir, tmp_path, monkeypatch):
    golden = source_dir / "tests" / "data" / "golden"
    (tmp_path / "jobs.csv").write_bytes((golden / "mixed_jobs.csv").read_bytes())
    monkeypatch.chdir(tmp_path)
    traced = capsim.Scenario.load(golden / "mixed_fifo_best_fit.yaml").with_trace("jobs.csv")
    expected = capsim.run(traced).summary
    data = pickle.dumps(traced)
    monkeypatch.chdir(source_dir)
    same_but_trace_path(capsim.run(pickle.loads(data)).summary, expected, tmp_path)


class PickleEverything:
    """Not Dask: any object with its map and gather, here sending each
    scenario through pickle as a worker process would."""

    def map(self, function, items):
        return [function(pickle.loads(pickle.dumps(item))) for item in items]

    def gather(self, futures):
        return list(futures)


def test_any_client_with_map_and_gather_gives_the_same_table(small, local_table):
    pdt.assert_frame_equal(capsim.sweep(small, client=PickleEverything(), **VARIANTS), local_table,
                           check_exact=True)


def test_a_dask_cluster_gives_the_thread_pool_table_bit_for_bit(small, local_table, client):
    assert os.getpid() not in client.run(os.getpid).values()  # other processes
    table = capsim.sweep(small, client=client, **VARIANTS)
    pdt.assert_frame_equal(table, local_table, check_exact=True)
    assert len(table) == 12
    assert list(table["queue"][:4]) == ["fifo"] * 4 and list(table["seed"][:4]) == [0, 1, 0, 1]


def test_a_trace_scenario_on_dask(source_dir, client):
    # The workers read the trace (relative to the scenario's folder) themselves.
    traced = capsim.Scenario.load(source_dir / "tests" / "data" / "golden" / "mixed_fifo_best_fit.yaml")
    kw = dict(queue=["fifo", "srtf"], placement=["best_fit", "first_fit"])
    pdt.assert_frame_equal(capsim.sweep(traced, client=client, **kw), capsim.sweep(traced, **kw),
                           check_exact=True)


def test_processes_false_is_the_same(small, local_table):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        pdt.assert_frame_equal(capsim.sweep(small, client=c, **VARIANTS), local_table, check_exact=True)


def test_client_errors(small):
    with pytest.raises(TypeError, match="dask.distributed.Client"):
        capsim.sweep(small, client=object())
    with pytest.raises(TypeError, match="got str"):
        capsim.sweep(small, client="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="not both"):
        capsim.sweep(small, client=PickleEverything(), workers=2)
    with pytest.raises(ValueError, match="not both"):
        capsim.sweep(small, client=PickleEverything(), workers=1)


def test_a_python_policy_is_refused_with_a_client(small):
    class ByArrival(capsim.QueuePolicy):
        def key(self, job):
            return job.submit

    capsim.register_queue_policy("py_test_arrival", ByArrival)
    try:
        with pytest.raises(ValueError, match="py_test_arrival.*written in Python"):
            capsim.sweep(small, queue=["fifo", "py_test_arrival"], client=PickleEverything())
        # Without a client it runs here.
        assert len(capsim.sweep(small, queue=["py_test_arrival"])) == 1
    finally:
        capsim.unregister_policy("py_test_arrival")
