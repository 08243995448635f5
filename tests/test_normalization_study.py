"""The normalization study (examples/normalization_study.py), each code path on tiny inputs."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import nn

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "normalization_study.py"


def _load():
    spec = importlib.util.spec_from_file_location("normalization_study", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["normalization_study"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


study = _load()

TINY = study.Profile(
    name="quick",
    norms=("none", "bn", "gn"),
    batch_sizes=(2, 8),
    images=32,
    train_images=40,
    test_images=50,
    loss_fraction=0.25,
)


class Args:
    device = "cpu"
    seed = 0
    base_lr = 0.02
    lr_rule = "linear"
    lr_cap = 0.04


@pytest.fixture(scope="module")
def data():
    return study.load_data(TINY, "cpu")


@pytest.mark.parametrize("kind", study.NORMS)
def test_each_normalization_builds_and_trains_a_step(kind):
    minigrad.manual_seed(0)
    model = study.build_model(kind)
    norms = [m for m in model.modules() if type(m).__name__ in (
        "BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm2d")]  # fmt: skip
    assert len(norms) == (0 if kind == "none" else 3)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert all((c.bias is None) == (kind != "none") for c in convs)  # a norm replaces the bias
    x = minigrad.randn(2, 1, 28, 28)
    before = [p.numpy().copy() for p in model.parameters()]
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss()(model(x), minigrad.tensor([3, 7]))
    assert model(x).shape == (2, 10) and math.isfinite(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    changed = [not np.array_equal(b, p.numpy()) for b, p in zip(before, model.parameters())]
    assert all(changed), "every parameter, norms' affine included, gets a gradient step"


def test_the_variants_normalize_over_the_stated_axes():
    ln, gn, inorm = (study.norm_layer(k, 32, 28) for k in ("ln", "gn", "in"))
    assert ln.normalized_shape == (32, 28, 28)  # LayerNorm over (C, H, W) of each sample
    assert gn.num_groups == 8 and study.norm_layer("gn", 4, 5).num_groups == 4
    assert inorm.affine and not inorm.track_running_stats
    with pytest.raises(ValueError, match="unknown normalization"):
        study.norm_layer("batch", 4, 5)
    # none of the variants depends on the batch: a sample's output is the same alone
    minigrad.manual_seed(0)
    x = minigrad.randn(4, 32, 28, 28) * 3 + 1
    for layer in (ln, gn, inorm):
        np.testing.assert_allclose(layer(x)[:1].numpy(), layer(x[:1]).numpy(), atol=1e-5)


def test_learning_rate_rules():
    assert study.learning_rate(32, 0.02, "linear") == pytest.approx(0.02)
    assert study.learning_rate(128, 0.02, "linear") == pytest.approx(0.08)
    assert study.learning_rate(2, 0.02, "linear") == pytest.approx(0.00125)
    assert study.learning_rate(2, 0.02, "sqrt") == pytest.approx(0.005)
    assert study.learning_rate(128, 0.02, "sqrt") == pytest.approx(0.04)
    assert study.learning_rate(8, 0.02, "constant") == 0.02
    # the study's rule: linear up to the cap, which only batch 128 reaches
    assert study.learning_rate(128, 0.02, "linear", cap=0.04) == pytest.approx(0.04)
    assert study.learning_rate(64, 0.02, "linear", cap=0.04) == pytest.approx(0.04)
    assert study.learning_rate(16, 0.02, "linear", cap=0.04) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="unknown learning-rate rule"):
        study.learning_rate(8, 0.02, "cubic")


def test_a_run_sees_the_same_images_at_every_batch_size(data):
    small = study.train_run("bn", 2, data, TINY, Args())["row"]
    large = study.train_run("bn", 8, data, TINY, Args())["row"]
    assert (small["steps"], large["steps"]) == (16, 4)
    assert small["images"] == large["images"] == TINY.images
    assert small["lr"] == pytest.approx(large["lr"] / 4)
    assert 0.0 <= small["test_error"] <= 1.0 and math.isfinite(small["train_loss"])
    with pytest.raises(ValueError, match="whole number of batches"):
        study.train_run("bn", 3, data, TINY, Args())


def test_same_seed_same_rows_other_seed_other_rows(data):
    first = study.train_run("gn", 4, data, TINY, Args())["row"]
    again = study.train_run("gn", 4, data, TINY, Args())["row"]
    assert first == again  # floats compared exactly

    class Other(Args):
        seed = 1

    assert study.train_run("gn", 4, data, TINY, Other())["row"] != first


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
def test_a_diverging_run_is_marked(data):
    """A diverging run overflows (NumPy warns) and ends with a NaN loss: it is marked."""

    class Huge(Args):
        base_lr = 1e12
        lr_cap = None

    row = study.train_run("none", 8, data, TINY, Huge())["row"]
    assert row["diverged"]


def test_population_statistics_are_exact(monkeypatch):
    """On 13 images fed in chunks of 5: each BN layer gets the mean and unbiased variance
    of its input over all 13, with the layers before it on their population statistics."""
    monkeypatch.setattr(study, "EVAL_CHUNK", 5)
    minigrad.manual_seed(0)
    model = study.build_model("bn")
    images = minigrad.randn(13, 1, 28, 28)
    original = [m.running_mean.numpy().copy() for m in study.batchnorm_layers(model)]
    exact, stats = study.population_statistics(model, images)
    assert len(stats) == 3
    positions = [i for i, m in enumerate(exact) if isinstance(m, nn.BatchNorm2d)]
    with minigrad.no_grad():
        for i, (mean, var) in zip(positions, stats):
            x = exact[:i].eval()(images).numpy().astype(np.float64)  # all 13 at once
            np.testing.assert_allclose(mean, x.mean(axis=(0, 2, 3)), rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(var, x.var(axis=(0, 2, 3), ddof=1), rtol=1e-4)
            np.testing.assert_allclose(exact[i].running_mean.numpy(), mean, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(exact[i].running_var.numpy(), var, rtol=1e-5)
    # the model itself keeps its running estimates: the statistics went to a copy
    for layer, before in zip(study.batchnorm_layers(model), original):
        np.testing.assert_array_equal(layer.running_mean.numpy(), before)


def test_test_batch_statistics_use_batches_of_the_training_size(monkeypatch):
    minigrad.manual_seed(0)
    model = study.build_model("bn").eval()
    images, labels = minigrad.randn(7, 1, 28, 28), minigrad.tensor([0, 1, 2, 3, 4, 5, 6])
    seen = []
    monkeypatch.setattr(
        nn.Sequential, "forward",
        lambda self, x, _f=nn.Sequential.forward: seen.append(x.shape[0]) or _f(self, x),
    )  # fmt: skip
    accuracy = study.batch_statistics_accuracy(model, images, labels, 2)
    assert seen == [2, 2, 3]  # a last batch of one joins the batch before it
    assert 0.0 <= accuracy <= 1.0 and not model.training  # a copy ran in training mode
    # batch statistics on one batch of all 7 = normalising with those 7 images' statistics
    probe = study.copy.deepcopy(model).train()
    with minigrad.no_grad():
        expected = (probe(images).argmax(dim=1) == labels).float().mean().item()
    assert study.batch_statistics_accuracy(model, images, labels, 7) == pytest.approx(expected)


def test_main_is_byte_identical_for_the_same_seed(monkeypatch, tmp_path, capsys):
    profile = dataclasses.replace(TINY, norms=("bn", "in"), batch_sizes=(4, 8), images=16)
    monkeypatch.setitem(study.PROFILES, "quick", profile)
    for name in ("a", "b"):
        assert study.main(["--quick", "--out", str(tmp_path / name)]) == 0
    final = capsys.readouterr().out.strip().splitlines()[-1]
    fields = dict(item.split("=") for item in final.split()[1:])
    assert final.startswith("final ") and fields["profile"] == "quick"
    assert set(fields) >= {"bn_error_b4", "bn_error_b8", "seconds"}
    for file in ("results.csv", "gap.csv", "summary.json", "error_vs_batch.png", "gap.png"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
    rows = (tmp_path / "a" / "results.csv").read_text().splitlines()
    assert rows[0] == "norm,batch_size,lr,steps,images,test_error,train_loss,diverged"
    assert len(rows) == 1 + 4
    gap = (tmp_path / "a" / "gap.csv").read_text().splitlines()
    assert gap[0] == "batch_size,running_estimates,test_batch_statistics,population_statistics"
    timings = json.loads((tmp_path / "a" / "timings.json").read_text())
    assert set(timings["runs"]) == {"bn/4", "bn/8", "in/4", "in/8"}
    page = (tmp_path / "a" / "results.md").read_text()
    assert "| BatchNorm |" in page and "(c) population statistics" in page


def test_quick_profile_writes_nothing_without_out(monkeypatch, tmp_path):
    profile = dataclasses.replace(TINY, norms=("ln",), batch_sizes=(8,), images=8)
    monkeypatch.setitem(study.PROFILES, "quick", profile)
    monkeypatch.setattr(study, "ROOT", tmp_path)
    assert study.main(["--quick", "--no-plots"]) == 0
    assert list(tmp_path.iterdir()) == []
