"""In-place operations on tensors in the graph: against PyTorch 2.13
(``tests/golden/make_golden_inplace.py``), against finite differences (float64
gradchecks of the nodes they record: ``SetItem``, ``CopySlices``, ``AsStrided``), and
the errors PyTorch gives (a leaf, a view of a leaf, a node whose saved values changed)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from inplace_cases import CASES, SEED

import minigrad
import minigrad.nn.functional as F
from minigrad import nn

GOLDEN = np.load(Path(__file__).parent / "golden" / "inplace.npz", allow_pickle=False)


def library(device) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        torch=minigrad, nn=nn, F=F, tensor=lambda a: minigrad.tensor(a, device=device),
        leaf=lambda a: minigrad.tensor(a, device=device, requires_grad=True),
    )  # fmt: skip


def test_golden_file_covers_every_case():
    assert {k.split(".")[0] for k in GOLDEN.files if k != "__torch_version__"} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, device):
    with minigrad.device(device):  # for the buffers the cases make (zeros, empty)
        results = CASES[name](library(device), np.random.default_rng(SEED))
    expected = {k.split(".", 1)[1]: GOLDEN[k] for k in GOLDEN.files if k.startswith(name + ".")}
    assert set(results) == set(expected)
    for key, value in results.items():
        got = value.detach().cpu().numpy()
        assert got.shape == expected[key].shape, key
        np.testing.assert_allclose(got, expected[key], rtol=1e-5, atol=1e-6, err_msg=key)


# ---------------------------------------------------------------------------------------
# The nodes, against finite differences (float64).
# ---------------------------------------------------------------------------------------


def _f64(device, *shape):
    rng = np.random.default_rng(0)
    return minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)


def test_gradcheck_setitem(device):
    def f(x, v):
        y = x * 1
        y[1:, [0, 2]] = v
        y[y > 1.5] = 0.25
        return y

    assert minigrad.gradcheck(f, (_f64(device, 3, 4), _f64(device, 2, 2)))


def test_gradcheck_writes_through_views(device):
    """The base after in-place ops on its views (``CopySlices``), and views read again
    out of it (``AsStrided``)."""

    def f(x, w):
        y = x * 1
        early = y[:, 1]  # made before the writes
        y.t()[1:3].mul_(w)
        y.view(-1)[::3].add_(w[0])
        return y.sum(0) * early.sum() + y[0] ** 2

    assert minigrad.gradcheck(f, (_f64(device, 3, 4), _f64(device, 3)))


def test_gradcheck_copy_into_a_buffer_through_a_view(device):
    def f(h):
        buf = minigrad.zeros(2, 3, 4, dtype=minigrad.float64, device=device)
        for t in range(3):
            buf[:, t].copy_(h * (t + 1))
        return buf.tanh()

    assert minigrad.gradcheck(f, (_f64(device, 2, 4),))


# ---------------------------------------------------------------------------------------
# What the graph looks like, and what PyTorch refuses.
# ---------------------------------------------------------------------------------------


def test_a_write_through_a_view_gives_the_base_pytorchs_nodes(device):
    x = minigrad.ones(3, 4, device=device, requires_grad=True)
    y = x * 2
    view = y[0]
    assert view._base is y and y._base is None
    view.add_(1)
    assert y.grad_fn.name() == "CopySlices"
    assert view.grad_fn.name() == "AsStridedBackward0"
    assert y[0].tolist() == [3.0] * 4


def test_a_reshape_that_copies_is_not_a_view(device):
    """``x.t().reshape(-1)`` copies (as in PyTorch): writing into it leaves ``x`` alone,
    and ``x`` stays usable in the graph."""
    w = minigrad.ones(2, 3, device=device, requires_grad=True)
    x = w * 1
    flat = x.t().reshape(-1)
    assert flat._base is None
    flat.add_(5)
    assert x.tolist() == [[1.0] * 3] * 2
    (x * 2).sum().backward()
    assert w.grad.tolist() == [[2.0] * 3] * 2


def test_in_place_on_a_leaf_that_requires_grad_raises(device):
    w = minigrad.ones(3, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"leaf Variable that requires grad .*\(add_\)"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 2.0


@pytest.mark.parametrize("made_under_no_grad", [False, True])
def test_in_place_on_a_view_of_a_leaf_raises(device, made_under_no_grad):
    w = minigrad.ones(3, device=device, requires_grad=True)
    if made_under_no_grad:
        with minigrad.no_grad():
            view = w[:2]
    else:
        view = w[:2]
    with pytest.raises(RuntimeError, match=r"a view of a leaf Variable .*\(mul_\)"):
        view.mul_(minigrad.ones(2, device=device, requires_grad=True))
    assert w.is_leaf and w.grad_fn is None


def test_a_node_whose_saved_output_was_changed_refuses_backward(device):
    x = minigrad.ones(3, device=device, requires_grad=True)
    y = x.exp()  # exp's backward reads its output
    y[0].add_(1)
    with pytest.raises(RuntimeError, match=r"<ExpBackward0> has been modified by an in-place"):
        y.sum().backward()


def test_a_tensor_changed_through_a_detached_alias_is_refused(device):
    """``y.detach()`` shares y's memory; a recorded write into it leaves y's node out of
    date (PyTorch goes on with the old node; minigrad says so instead)."""
    w = minigrad.ones(3, device=device, requires_grad=True)
    y = w * 2
    y.detach().add_(w)
    with pytest.raises(RuntimeError, match=r"out of date \(it came from <MulBackward0>\)"):
        y * 2


def test_outside_grad_mode_nothing_is_recorded(device):
    w = minigrad.ones(3, device=device, requires_grad=True)
    y = w * 2
    with minigrad.no_grad():
        y[0].add_(1)
        y.mul_(w)
    assert y.grad_fn.name() == "MulBackward0"  # the node y had
    y.sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
