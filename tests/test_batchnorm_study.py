"""The Batch Normalization study (examples/batchnorm_study.py), each part on a tiny budget."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "batchnorm_study.py"


def _load():
    spec = importlib.util.spec_from_file_location("batchnorm_study", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["batchnorm_study"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


study = _load()

TINY = study.Profile(
    name="quick",
    paper_steps=100,
    paper_eval_every=50,
    depths=(1,),
    width=16,
    depth_budget=20,
    inference_batches=50,
    batch_sizes=(2, 1000),
    fold_repeats=1,
)


class Args:
    device = "cpu"
    seed = 0
    lr = 0.1
    momentum = 0.0
    init_std = 0.05
    unit = 0
    inputs = "unit"


@pytest.fixture(scope="module")
def data():
    """A fifth of MNIST, to keep the suite fast."""
    full = study.load_data("cpu", normalize=False)
    images, labels = full.train.tensors
    return study.Data(
        study.TensorDataset(images[:12_000], labels[:12_000]),
        full.test_images[:2_000],
        full.test_labels[:2_000],
    )


@pytest.fixture(scope="module")
def paper(data):
    minigrad.manual_seed(0)
    return study.run_paper(data, TINY, Args())


def test_both_paper_nets_start_from_the_same_weights():
    plain, bn = study.paper_net(False, 0.1, seed=3), study.paper_net(True, 0.1, seed=3)
    linears = [[m for m in net if type(m).__name__ == "Linear"] for net in (plain, bn)]
    assert [(m.in_features, m.out_features) for m in linears[0]] == [
        (784, 100), (100, 100), (100, 100), (100, 10)]  # fmt: skip
    for a, b in zip(*linears):
        np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    assert abs(float(linears[0][0].weight.numpy().std()) - 0.1) < 0.005
    kinds = [type(m).__name__ for m in bn]
    assert kinds.count("BatchNorm1d") == 3 and kinds.index("BatchNorm1d") < kinds.index("Sigmoid")


def test_paper_run_records_accuracy_and_sigmoid_input_percentiles(paper):
    runs = paper["runs"]
    for key in ("plain", "bn"):
        history = runs[key]["history"]
        assert [h["step"] for h in history] == [50, 100]
        for h in history:
            assert h["p15"] <= h["p50"] <= h["p85"]
        assert not any(m._forward_hooks for m in runs[key]["model"].modules())  # removed
    # BN's head start is visible after 100 steps already: far above chance, above plain
    assert runs["bn"]["history"][-1]["accuracy"] > 0.75
    assert runs["bn"]["history"][-1]["accuracy"] > runs["plain"]["history"][-1]["accuracy"]
    summary = paper["summary"]
    assert summary["steps"] == 100 and summary["versus_paper"] == []  # 5K steps not reached
    assert abs(summary["bn_max_abs_median"]) < 1.0


def test_depth_run_stops_at_90_percent_and_times_steps(data):
    screen = (data.test_images[:1000], data.test_labels[:1000])
    profile = dataclasses.replace(TINY, width=64, depth_budget=100)
    row = study.depth_run(1, "relu", True, data, screen, profile, Args())
    assert row["steps_to_90"] is not None and row["steps_to_90"] % 10 == 0
    assert row["steps_run"] == row["steps_to_90"] and row["ms_per_step"] > 0
    assert row["full_test_evaluations"] >= 1
    stuck = study.depth_run(4, "sigmoid", False, data, screen, TINY, Args())
    assert stuck["steps_to_90"] is None and stuck["steps_run"] == TINY.depth_budget
    assert stuck["full_test_evaluations"] == 0  # the screen never got near 90%


def test_running_estimates_approach_the_population_statistics(paper, data):
    model = paper["runs"]["bn"]["model"]
    population = study.population_statistics(model, data)
    assert len(population) == 3 and population[0][0].shape == (100,)
    # the first BN input does not depend on other BN layers: check it directly
    x = data.train.tensors[0].numpy().reshape(-1, 784).astype(np.float64)
    z = x @ model[1].weight.numpy().astype(np.float64).T
    np.testing.assert_allclose(population[0][0], z.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(population[0][1], z.var(axis=0, ddof=1), rtol=1e-5)

    curves = study.running_estimate_convergence(model, data, population, TINY, Args())
    for label in ("momentum=0.1", "momentum=None"):
        first, last = curves[label]["curve"][0], curves[label]["curve"][-1]
        assert last["batches"] == TINY.inference_batches
        assert np.mean(last["var_error"]) < np.mean(first["var_error"])
        assert np.mean(last["mean_error"]) < np.mean(first["mean_error"])
    # the cumulative average (Algorithm 2) is close after 50 batches of 60 ...
    cumulative = curves["momentum=None"]["curve"][-1]
    assert max(cumulative["mean_error"]) < 0.1 and max(cumulative["var_error"]) < 0.2
    # ... while the exponential average still remembers its start (0.9 ** 50 of it)
    exponential = curves["momentum=0.1"]["curve"][-1]
    assert np.mean(cumulative["var_error"]) < np.mean(exponential["var_error"])


def test_batch_statistics_need_large_test_batches(paper, data):
    model = paper["runs"]["bn"]["model"]
    running = study.evaluate(model, data.test_images, data.test_labels)
    tiny = study.batch_statistics_accuracy(model, data, 2, seed=0)
    large = study.batch_statistics_accuracy(model, data, 1000, seed=0)
    assert tiny < large - 0.1
    assert abs(large - running) < 0.03
    assert not model.training  # evaluated on a copy: the model is left in eval mode


def test_folding_keeps_outputs_and_times_both(paper, data):
    row = study.fold_one("paper", paper["runs"]["bn"]["model"], data, 500, TINY, Args())
    assert row["max_abs_logit_difference"] < 1e-4
    assert row["same_predictions"] == 1.0
    assert row["ms_with_bn"] > 0 and row["ms_folded"] > 0 and row["bn_layers"] == 3


def test_main_writes_results_and_a_final_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(study.PROFILES, "quick", TINY)
    assert study.main(["paper", "--quick", "--out", str(tmp_path), "--no-plots"]) == 0
    final = capsys.readouterr().out.strip().splitlines()[-1]
    fields = dict(item.split("=") for item in final.split()[1:])
    assert final.startswith("final ") and fields["profile"] == "quick"
    assert float(fields["paper_bn_accuracy"]) > 0.75
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["paper"]["steps"] == 100
    assert (tmp_path / "paper.csv").read_text().startswith("step,plain_accuracy,")
