"""Tensors and shapes print as in PyTorch: the golden texts of ``tests/golden/printing.npz``
(``make_golden_printing.py``), and the options' checks."""

from __future__ import annotations

import pickle
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import printing

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from printing_cases import CASES

GOLDEN = np.load(Path(__file__).parent / "golden" / "printing.npz", allow_pickle=False)
LIB = types.SimpleNamespace(torch=minigrad)


def test_golden_file_covers_every_case():
    assert sorted(k for k in GOLDEN.files if not k.startswith("__")) == sorted(CASES)
    assert str(GOLDEN["__torch_version__"]).startswith("2.13.0")


@pytest.mark.parametrize("name", sorted(CASES))
def test_prints_as_pytorch(name):
    text = CASES[name](LIB)
    # The address in "<... object at 0x...>" is not the golden's; nothing else differs.
    assert text == str(GOLDEN[name]), f"\nminigrad:\n{text}\nPyTorch:\n{GOLDEN[name]}"


def test_cases_restore_the_default_options():
    assert printing.options == printing.PrintOptions()


def test_grad_fn_repr_names_the_node_as_pytorch():
    x = minigrad.ones(2, requires_grad=True)
    fn = (x * 2).grad_fn
    assert fn.name() == "MulBackward0"
    assert repr(fn).startswith("<MulBackward0 object at 0x")


def test_every_call_resets_sci_mode_unless_given():
    try:
        minigrad.set_printoptions(sci_mode=True)
        assert repr(minigrad.tensor([0.5])) == "tensor([5.0000e-01])"
        minigrad.set_printoptions(precision=4)  # as PyTorch: sci_mode back to None
        assert repr(minigrad.tensor([0.5])) == "tensor([0.5000])"
    finally:
        minigrad.set_printoptions(profile="default")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"profile": "long"}, "profile must be one of"),
        ({"precision": -1}, "precision must be a non-negative number"),
        ({"linewidth": "80"}, "linewidth must be a non-negative number"),
    ],
)
def test_bad_options_are_refused_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        minigrad.set_printoptions(**kwargs)
    assert printing.options == printing.PrintOptions()


def test_size_checks_its_items_and_pickles():
    import pickle

    with pytest.raises(TypeError, match=r"item 1 is 'float'"):
        minigrad.Size([2, 1.5])
    s = minigrad.Size([2, np.int64(3)])
    assert s == (2, 3) and type(s[0]) is int
    assert (
        pickle.loads(pickle.dumps(s)) == s and type(pickle.loads(pickle.dumps(s))) is minigrad.Size
    )
    assert isinstance(minigrad.zeros(2).shape, tuple) and hash(s) == hash((2, 3))


def test_results_with_several_parts_print_as_pytorchs_return_types():
    """Printed by PyTorch 2.13 (``torch.return_types``), with minigrad's name."""
    x = minigrad.tensor([[1.0, 3.0], [2.0, 0.0]])
    assert repr(x.sort(1)) == (
        "minigrad.return_types.sort(\n"
        "values=tensor([[1., 3.],\n        [0., 2.]]),\n"
        "indices=tensor([[0, 1],\n        [1, 0]]))"
    )
    assert repr(minigrad.histogram(minigrad.tensor([1.0, 2.0, 1.0]), bins=2)) == (
        "minigrad.return_types.histogram(\n"
        "hist=tensor([2., 1.]),\n"
        "bin_edges=tensor([1.0000, 1.5000, 2.0000]))"
    )
    result = x.max(1)
    assert type(result) is minigrad.return_types.max
    assert pickle.loads(pickle.dumps(result)).indices.tolist() == [1, 0]


def test_set_grad_enabled_prints_where_it_lives():
    try:
        assert repr(minigrad.set_grad_enabled(False)) == (
            "minigrad.grad_mode.set_grad_enabled(mode=False)"
        )
    finally:
        minigrad.set_grad_enabled(True)


def test_next_functions_show_the_graph_as_pytorch_does():
    w = minigrad.ones(2, requires_grad=True)
    h = w * 2
    y = h + minigrad.ones(2)
    (node, index), (constant, _) = y.grad_fn.next_functions
    assert node is h.grad_fn and index == 0 and constant is None
    (leaf, _), _ = node.next_functions
    assert leaf.name() == "AccumulateGrad" and leaf.variable is w
    assert leaf.next_functions == ()
    assert repr(leaf).startswith("<AccumulateGrad object at 0x")


def test_nodes_that_tutorials_print_have_pytorchs_names():
    """Printed by PyTorch 2.13 for the same expressions."""
    x = minigrad.ones(4, 5, requires_grad=True)
    names = {
        "x[0]": "Select", "x[:2]": "Slice", "x[:, 0]": "Select", "x[1:, 0]": "Select",
        "x[0, 1:]": "Slice", "x[[0, 1]]": "Index", "x[x > 0]": "Index", "x[None]": "Unsqueeze",
        "x[...]": "Alias", "x[:]": "Slice", "x[:, None]": "Unsqueeze", "x[0, [1, 2]]": "Index",
    }  # fmt: skip
    for expression, name in names.items():
        assert eval(expression).grad_fn.name() == f"{name}Backward0", expression
    biased, plain = minigrad.nn.Linear(5, 2), minigrad.nn.Linear(5, 2, bias=False)
    batch = minigrad.ones(3, 4, 5, requires_grad=True)
    assert biased(x).grad_fn.name() == "AddmmBackward0"
    assert plain(x).grad_fn.name() == "MmBackward0"
    assert biased(batch).grad_fn.name() == "ViewBackward0"
    assert plain(batch).grad_fn.name() == "UnsafeViewBackward0"
    assert biased(x[0]).grad_fn.name() == "ViewBackward0"
    shaped = {
        "x.view(-1)": "View", "x.reshape(20)": "View", "x.t().reshape(-1)": "UnsafeView",
        "x.flatten()": "View", "x[None].squeeze()": "Squeeze", "x[None].squeeze(0)":
        "Squeeze", "x.unsqueeze(1)": "Unsqueeze",
    }  # fmt: skip
    for expression, name in shaped.items():
        assert eval(expression).grad_fn.name().startswith(f"{name}Backward"), expression
    assert x[None].squeeze(0).grad_fn.name() == "SqueezeBackward1"  # PyTorch's overloads
    assert x[None].squeeze((0,)).grad_fn.name() == "SqueezeBackward2"
