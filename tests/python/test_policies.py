"""Policies written in Python: the core calls them like built-in ones."""

import pandas.testing as pdt
import pytest

import capsim


class ShortestFirst(capsim.QueuePolicy):
    """Shortest recorded run time first (the oracle); lets jobs past a blocked one."""

    def key(self, job):
        return (job.recorded_duration, job.submit)


class FirstFit(capsim.PlacementPolicy):
    """The lowest-numbered node with room (jobs of one node, as in the scenario below)."""

    def place(self, job, cluster):
        for node in range(cluster.nodes):
            if cluster.fits(job, node, int(job.gpus)):
                return [(node, int(job.gpus))]
        return None


class YoungestFirstPreemptive(capsim.QueuePolicy):
    """Last come, first served, preempting the oldest running jobs."""

    preempts = True
    blocks_queue = True

    def __init__(self, params=None, seed=1):
        super().__init__(params, seed)
        self.running = []
        self.calls = 0

    def key(self, job):
        return -job.submit

    def victims(self, job):
        self.calls += 1
        return [j for j in sorted(self.running) if self.view.may_be_victim(j) and j < job.id]

    def on_job_started(self, job):
        self.running.append(job.id)

    def on_job_ended(self, job):
        self.running.remove(job.id)

    def on_job_preempted(self, job):
        self.running.remove(job.id)


@pytest.fixture(autouse=True)
def registered():
    capsim.register_queue_policy("py_sjf", ShortestFirst)
    capsim.register_placement_policy("py_first_fit", FirstFit)
    capsim.register_queue_policy("py_lifo", YoungestFirstPreemptive)
    yield
    for name in ("py_sjf", "py_first_fit", "py_lifo", "py_bad"):
        capsim.unregister_policy(name)


def one_node_jobs():
    return capsim.Scenario.from_dict({
        "name": "one-node-jobs",
        "cluster": {"node_groups": [{"gpu": "V100", "gpus_per_node": 8, "count": 6}]},
        "workload": {"synthetic": {"preset": "philly-2017", "span": "3d", "jobs_per_hour": 12, "max_gpus": 8,
                                   "max_duration": "1d"}},
        "policies": {"queue": {"name": "fifo", "skip_blocked": True}, "placement": "first_fit"},
        "run": {"seed": 5},
    })


def test_a_python_queue_policy_gives_the_built_in_results(quickstart, tmp_path):
    builtin = capsim.run(quickstart.with_policy(queue={"name": "sjf", "duration": "oracle", "skip_blocked": True}),
                         decision_log=tmp_path / "builtin.log")
    python = capsim.run(quickstart.with_policy(queue="py_sjf"), decision_log=tmp_path / "python.log")
    pdt.assert_frame_equal(python.jobs, builtin.jobs, check_exact=True)
    assert (tmp_path / "python.log").read_text() == (tmp_path / "builtin.log").read_text()
    fifo = capsim.run(quickstart.with_policy(queue={"name": "fifo", "skip_blocked": True}))
    assert not fifo.jobs["start_time"].equals(python.jobs["start_time"])
    assert python.summary["queue_policy"] == "py_sjf"
    assert python.metrics["jobs_completed"] == builtin.metrics["jobs_completed"] == 3274


def test_a_python_placement_policy_gives_the_built_in_results(tmp_path):
    # The decision logs name every node: the same log is the same placements.
    sc = one_node_jobs()
    builtin = capsim.run(sc, decision_log=tmp_path / "builtin.log")
    python = capsim.run(sc.with_policy(placement="py_first_fit"), decision_log=tmp_path / "python.log")
    assert builtin.metrics["jobs_completed"] > 500
    assert builtin.metrics["queueing_delay_mean_s"] > 0  # jobs do wait: placement matters
    pdt.assert_frame_equal(python.jobs, builtin.jobs, check_exact=True)
    assert (tmp_path / "python.log").read_text() == (tmp_path / "builtin.log").read_text()
    # Best fit places otherwise: the comparison can tell placements apart.
    capsim.run(sc.with_policy(placement="best_fit"), decision_log=tmp_path / "best_fit.log")
    assert (tmp_path / "best_fit.log").read_text() != (tmp_path / "builtin.log").read_text()


def test_a_preemptive_python_policy_preempts_and_is_deterministic():
    sc = one_node_jobs().with_policy(queue="py_lifo")
    a = capsim.run(sc)
    b = capsim.run(sc)
    assert a.metrics["preemptions"] > 0
    assert a.metrics["jobs_completed"] == a.metrics["jobs_submitted"]
    pdt.assert_frame_equal(a.jobs, b.jobs, check_exact=True)


def test_parameters_reach_the_policy_and_policies_are_listed():
    seen = {}

    class Scaled(capsim.QueuePolicy):
        def __init__(self, params=None, seed=1):
            super().__init__(params, seed)
            seen.update(self.params, seed=seed)

        def key(self, job):
            return job.submit * self.params.get("scale", 1)

    capsim.register_queue_policy("py_bad", Scaled, "scaled arrival order")
    sc = one_node_jobs().with_policy(queue={"name": "py_bad", "scale": 2, "window": "1h30m", "tags": ["a", 3]})
    capsim.run(sc)
    assert seen == {"scale": 2, "window": "1h30m", "tags": ["a", 3], "seed": 5}
    assert capsim.duration(seen["window"]) == 5400.0
    listed = capsim.policies()
    assert listed["queue"]["py_bad"] == "scaled arrival order (Python)"
    assert listed["placement"]["py_first_fit"].startswith("The lowest-numbered node")
    assert "fifo" in listed["queue"]


def test_an_exception_in_a_policy_stops_the_run_with_its_traceback():
    class Broken(capsim.QueuePolicy):
        def key(self, job):
            if job.id == 40:
                raise ZeroDivisionError("policy bug at job 40")
            return job.submit

    capsim.register_queue_policy("py_bad", Broken)
    with pytest.raises(ZeroDivisionError, match="policy bug at job 40") as e:
        capsim.run(one_node_jobs().with_policy(queue="py_bad"))
    assert any(entry.name == "key" for entry in e.traceback)


def test_what_a_policy_returns_is_checked():
    class BadKey(capsim.QueuePolicy):
        def key(self, job):
            return "soon"

    capsim.register_queue_policy("py_bad", BadKey)
    with pytest.raises(ValueError, match=r"queue policy py_bad: key\(job 0\): expected a number, got 'soon'"):
        capsim.run(one_node_jobs().with_policy(queue="py_bad"))

    class Overfull(capsim.PlacementPolicy):
        def place(self, job, cluster):
            return [(0, 9)]

    capsim.register_placement_policy("py_bad", Overfull)
    with pytest.raises(ValueError, match=r"placement policy py_bad: place\(job 0\): node 0 has no room for 9 GPUs"):
        capsim.run(one_node_jobs().with_policy(placement="py_bad"))

    class WrongVictim(capsim.QueuePolicy):
        preempts = True

        def key(self, job):
            return job.submit

        def victims(self, job):
            return [job.id]  # itself: waiting, not running

    capsim.register_queue_policy("py_bad", WrongVictim)
    with pytest.raises(ValueError, match="which is not a running preemptible job"):
        capsim.run(one_node_jobs().with_policy(queue="py_bad"))

    class PastWakeup(capsim.QueuePolicy):
        def key(self, job):
            return job.submit

        def next_wakeup(self, now):
            return now

    capsim.register_queue_policy("py_bad", PastWakeup)
    with pytest.raises(ValueError, match="must be later than now"):
        capsim.run(one_node_jobs().with_policy(queue="py_bad"))


def test_a_view_kept_after_the_run_is_refused():
    kept = []

    class Keeper(capsim.QueuePolicy):
        def key(self, job):
            kept.append(self.view)
            return job.submit

    capsim.register_queue_policy("py_bad", Keeper)
    capsim.run(one_node_jobs().with_policy(queue="py_bad"))
    with pytest.raises(ValueError, match="used after the call or run that lent it"):
        kept[0].now


def test_registration_is_checked():
    with pytest.raises(ValueError, match="built-in"):
        capsim.register_queue_policy("fifo", ShortestFirst)
    with pytest.raises(TypeError):
        capsim.register_queue_policy("py_bad", FirstFit)
    with pytest.raises(ValueError):
        capsim.register_queue_policy("bad name", ShortestFirst)
    with pytest.raises(capsim.InputError) as e:
        one_node_jobs().with_policy(queue="py_never_registered")
    assert e.value.field == "policies.queue"


def test_a_sweep_of_python_policies_is_the_same_on_two_workers():
    sc = one_node_jobs()
    kw = dict(queue=["py_sjf", "fifo"], placement=["py_first_fit", "best_fit"], seed=[1, 2])
    pdt.assert_frame_equal(capsim.sweep(sc, workers=1, **kw), capsim.sweep(sc, workers=2, **kw), check_exact=True)


def test_data_residency_binds_python_placement_policies():
    # Node 0 is the EU's, node 1 the US's; job a (EU-only) fills the EU, so
    # job b (EU-only too) must wait for it although the US is empty.
    scenario = capsim.Scenario.from_dict({
        "name": "residency",
        "cluster": {"regions": [{"name": "eu"}, {"name": "us"}],
                    "node_groups": [{"gpu": "V100", "gpus_per_node": 8, "count": 1, "region": "eu"},
                                    {"gpu": "V100", "gpus_per_node": 8, "count": 1, "region": "us"}]},
        "workload": {"job_classes": [{"name": "gdpr", "users": ["eve"], "regions": ["eu"]}, {"name": "default"}],
                     "jobs": [{"id": "a", "submit": "0s", "gpus": 8, "duration": "1h", "user": "eve"},
                              {"id": "b", "submit": "1m", "gpus": 4, "duration": "1h", "user": "eve"},
                              {"id": "c", "submit": "2m", "gpus": 4, "duration": "1h", "user": "bob"}]},
        "policies": {"queue": {"name": "fifo", "skip_blocked": True}, "placement": "py_first_fit"},
    })

    class Residency(capsim.PlacementPolicy):
        """First fit among the nodes of the job's regions."""

        def place(self, job, cluster):
            for node in range(cluster.nodes):
                if (not job.regions or cluster.region(node) in job.regions) and cluster.fits(job, node, int(job.gpus)):
                    return [(node, int(job.gpus))]
            return None

    capsim.register_placement_policy("py_bad", Residency)
    res = capsim.run(scenario.with_policy(placement="py_bad"))
    assert list(res.jobs["region"]) == ["eu", "eu", "us"]
    assert list(res.jobs["start_time"]) == [0.0, 3600.0, 120.0]
    capsim.unregister_policy("py_bad")

    class Spill(capsim.PlacementPolicy):
        """The last node with room: the idle US."""

        def place(self, job, cluster):
            for node in reversed(range(cluster.nodes)):
                if cluster.fits(job, node, int(job.gpus)):
                    return [(node, int(job.gpus))]
            return None

    capsim.register_placement_policy("py_bad", Spill)
    with pytest.raises(ValueError, match=r"in region us, where it may not run \(data residency\)"):
        capsim.run(scenario.with_policy(placement="py_bad"))
