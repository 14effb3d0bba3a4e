"""capsim.plots draws what the results hold."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import capsim  # noqa: E402


@pytest.fixture(scope="module")
def two(request):
    from conftest import SOURCE_DIR

    sc = capsim.Scenario.load(SOURCE_DIR / "scenarios" / "quickstart.yaml")
    return {"fifo": capsim.run(sc), "srtf": capsim.run(sc.with_policy(queue="srtf"))}


def test_jct_cdf_has_a_curve_per_policy_ending_at_one(two, tmp_path):
    ax = capsim.plots.jct_cdf(two)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["fifo", "srtf"]
    for line, res in zip(lines, two.values()):
        x, y = line.get_data()
        jct = res.jobs["jct"].dropna()
        assert len(x) == int((jct > 0).sum())
        assert y[-1] == 1.0
        assert x[-1] == pytest.approx(jct.max() / 3600)
    assert ax.get_xscale() == "log"
    ax.figure.savefig(tmp_path / "cdf.png")
    assert (tmp_path / "cdf.png").stat().st_size > 1000
    plt.close("all")


def test_utilisation_and_queue_length_follow_the_timeseries(two):
    res = two["fifo"]
    ax = capsim.plots.utilisation(res)
    x, y = ax.get_lines()[0].get_data()
    assert np.allclose(y, res.timeseries["gpu_utilisation"].to_numpy() * 100)
    assert np.allclose(x, res.timeseries.index.to_numpy() / 3600)
    assert ax.get_lines()[0].get_label() == "fifo+best_fit"
    ax = capsim.plots.queue_length(two)
    assert len(ax.get_lines()) == 2
    with pytest.raises(TypeError):
        capsim.plots.utilisation([res])
    plt.close("all")
