"""Scenario fields set from Python by their dotted paths (Scenario.with_fields)
and swept (capsim.sweep(fields=...)), as a scenario's sweep: block does."""

import pickle

import pytest

import capsim

SMALL = {
    "name": "small",
    "cluster": {"node_groups": [{"name": "v100", "gpu": "V100", "gpus_per_node": 8, "count": 4}]},
    "workload": {"synthetic": {"preset": "philly-2017", "jobs": 200, "jobs_per_hour": 20, "max_gpus": 8}},
    "run": {"seed": 3},
}


@pytest.fixture(scope="module")
def small():
    return capsim.Scenario.from_dict(SMALL)


def test_with_fields_sets_fields_and_keeps_earlier_changes(small):
    changed = small.with_seed(9).with_policy(queue="srtf").with_fields(
        {"cluster.node_groups[v100].count": 6, "workload.synthetic.jobs_per_hour": 40})
    assert changed.gpus == 48 and changed.nodes == 6
    assert (changed.seed, changed.queue) == (9, "srtf")  # made before, kept
    assert (small.gpus, small.seed) == (32, 3)  # the original is untouched
    # The same as writing the values into the YAML.
    by_hand = dict(SMALL, cluster={"node_groups": [dict(SMALL["cluster"]["node_groups"][0], count=6)]},
                   workload={"synthetic": dict(SMALL["workload"]["synthetic"], jobs_per_hour=40)})
    direct = capsim.Scenario.from_dict(by_hand).with_seed(9).with_policy(queue="srtf")
    assert capsim.run(changed).summary["metrics"] == capsim.run(direct).summary["metrics"]
    # It pickles: the copy is read again from the original text with the changes.
    back = pickle.loads(pickle.dumps(changed))
    assert (back.gpus, back.seed, back.queue) == (48, 9, "srtf")
    assert capsim.run(back).summary["metrics"] == capsim.run(changed).summary["metrics"]


def test_with_fields_errors_name_the_field(small):
    with pytest.raises(capsim.InputError, match=r"an item of cluster.node_groups"):
        small.with_fields({"cluster.node_groups[a100].count": 2})
    with pytest.raises(capsim.InputError, match=r"cluster.node_groups\[0\].count"):
        small.with_fields({"cluster.node_groups[0].count": -1})
    with pytest.raises(TypeError):
        small.with_fields({})


def test_sweep_over_fields_adds_a_column_per_field(small):
    table = capsim.sweep(small, fields={"cluster.node_groups[v100].count": [2, 4],
                                        "workload.synthetic.jobs_per_hour": [10, 20]},
                         queue=["fifo", "srtf"], workers=2)
    assert list(table.columns[:5]) == ["cluster.node_groups[v100].count", "workload.synthetic.jobs_per_hour",
                                       "queue", "placement", "seed"]
    assert len(table) == 8
    assert list(table["gpus"]) == [16] * 4 + [32] * 4
    # A smaller cluster under the same load waits longer (fifo, 20 jobs/h).
    small_fifo = table[(table["gpus"] == 16) & (table["queue"] == "fifo")]
    large_fifo = table[(table["gpus"] == 32) & (table["queue"] == "fifo")]
    assert small_fifo["queueing_delay_mean_s"].iloc[1] > large_fifo["queueing_delay_mean_s"].iloc[1]
    # The same table on one thread.
    one = capsim.sweep(small, fields={"cluster.node_groups[v100].count": [2, 4],
                                      "workload.synthetic.jobs_per_hour": [10, 20]},
                       queue=["fifo", "srtf"])
    assert one.equals(table)
