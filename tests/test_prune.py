"""``nn.utils.prune`` against PyTorch 2.13 (``tests/golden/make_golden_prune.py``): the same
masks, outputs and gradients for magnitude, structured, iterative, global and custom
pruning, and ``remove``; the random methods by their counts."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from prune_cases import run

import minigrad
from minigrad import nn
from minigrad.nn.utils import prune

GOLDEN = np.load(Path(__file__).parent / "golden" / "prune.npz", allow_pickle=False)
DATA = {k.removeprefix("input."): GOLDEN[k] for k in GOLDEN.files if k.startswith("input.")}


@pytest.fixture(scope="module")
def results():
    return run(minigrad, DATA)


def test_every_golden_array_is_produced(results):
    assert set(results) == {k for k in GOLDEN.files if "." in k and not k.startswith("input.")} | {
        "pruned"
    } - {"__torch_version__"}


@pytest.mark.parametrize(
    "key",
    sorted(k for k in GOLDEN.files if k != "__torch_version__" and not k.startswith("input.")),
)
def test_matches_pytorch(results, key):
    want, got = GOLDEN[key], results[key]
    if want.dtype.kind in "fc":
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_array_equal(got, want)


def test_the_golden_masks_prune_what_they_say():
    assert int((GOLDEN["l1.weight_mask"] == 0).sum()) == 6  # round(0.3 * 20)
    assert int((GOLDEN["l1_again.weight_mask"] == 0).sum()) == 8
    units = GOLDEN["ln_after_l1.weight_mask"].sum(1)
    assert (units == 0).sum() == 1


def test_the_pruned_parameter_is_orig_times_mask_and_its_gradient_is_masked():
    layer = nn.Linear(3, 2)
    prune.l1_unstructured(layer, "weight", amount=2)
    assert sorted(n for n, _ in layer.named_parameters()) == ["bias", "weight_orig"]
    assert sorted(n for n, _ in layer.named_buffers()) == ["weight_mask"]
    np.testing.assert_array_equal(
        layer.weight.detach().numpy(), (layer.weight_orig * layer.weight_mask).detach().numpy()
    )
    layer(minigrad.ones(4, 3)).sum().backward()
    pruned = layer.weight_mask.numpy() == 0
    assert (layer.weight_orig.grad.numpy()[pruned] == 0).all()
    with minigrad.no_grad():  # an optimizer step moves weight_orig: the hook re-masks it
        layer.weight_orig.add_(1.0)
    layer(minigrad.ones(1, 3))
    assert (layer.weight.detach().numpy()[pruned] == 0).all()


def test_random_methods_prune_the_right_counts(device):
    minigrad.manual_seed(0)
    layer = prune.random_unstructured(nn.Linear(10, 10).to(device), "weight", amount=0.37)
    assert int((layer.weight_mask == 0).sum()) == 37
    prune.random_unstructured(layer, "weight", amount=10)  # among the 63 left
    assert int((layer.weight_mask == 0).sum()) == 47
    conv = prune.random_structured(nn.Conv2d(3, 6, 3).to(device), "weight", amount=0.5, dim=0)
    filters = conv.weight_mask.cpu().numpy().reshape(6, -1)
    assert (filters.sum(1) == 0).sum() == 3 and set(np.unique(filters)) <= {0.0, 1.0}


def test_remove_and_is_pruned():
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    assert not prune.is_pruned(model)
    prune.l1_unstructured(model[0], "weight", amount=1)
    assert prune.is_pruned(model)
    prune.remove(model[0], "weight")
    assert not prune.is_pruned(model) and isinstance(model[0].weight, nn.Parameter)
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        prune.remove(model[0], "weight")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m: prune.l1_unstructured(m, "weight", amount=1.5), ValueError,
         r"should either be a float in the range \[0, 1\] or a non-negative integer"),
        (lambda m: prune.l1_unstructured(m, "weight", amount=-1), ValueError, "non-negative"),
        (lambda m: prune.l1_unstructured(m, "weight", amount="half"), TypeError,
         "Invalid type for amount"),
        (lambda m: prune.l1_unstructured(m, "weight", amount=7), ValueError,
         "should be smaller than the number of parameters to prune=6"),
        (lambda m: prune.ln_structured(m, "bias", amount=1, n=2, dim=0), ValueError,
         "Structured pruning can only be applied to multidimensional tensors"),
        (lambda m: prune.ln_structured(m, "weight", amount=1, n=2, dim=2), IndexError,
         "Invalid index 2"),
        (lambda m: prune.l1_unstructured(m, "weight", 1, importance_scores=minigrad.ones(2)),
         ValueError, "importance_scores should have the same shape"),
        (lambda m: prune.global_unstructured([(m, "weight")], prune.LnStructured, amount=1,
                                             n=2, dim=0), TypeError,
         'Only "unstructured" PRUNING_TYPE supported'),
    ],
)  # fmt: skip
def test_bad_arguments(call, error, message):
    layer = nn.Linear(3, 2)
    with pytest.raises(error, match=message):
        call(layer)
    assert sorted(n for n, _ in layer.named_parameters()) == ["bias", "weight"]  # unchanged
