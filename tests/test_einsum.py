"""``einsum`` beyond the golden cases: float64 gradchecks over the equation forms (a
diagonal, letters summed in one operand only, broadcasting, ellipses, the implicit
output), the parser's output order, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad

EQUATIONS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->ji", [(3, 4)]),
    ("ij->j", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("iij->ij", [(3, 3, 4)]),
    ("ijj,j->ij", [(2, 3, 3), (3,)]),
    ("ij,ij->ij", [(2, 1), (2, 3)]),
    ("ij,j->i", [(3, 1), (4,)]),
    ("b...->...b", [(2, 3, 4)]),
    ("...ij,...jk", [(5, 2, 3), (3, 4)]),
    ("i...i->...", [(3, 4, 3)]),
    ("ijk,ikl,j->il", [(2, 3, 4), (2, 4, 5), (3,)]),
    ("Ab,aB", [(2, 3), (4, 5)]),
    ("->", [()]),
]


@pytest.mark.parametrize(("equation", "shapes"), EQUATIONS)
def test_einsum_passes_gradcheck(equation, shapes, device, rng):
    xs = [
        minigrad.tensor(rng.standard_normal(s), device=device, requires_grad=True) for s in shapes
    ]
    assert minigrad.gradcheck(lambda *t: minigrad.einsum(equation, *t), tuple(xs))


def test_einsum_matches_the_plain_formulas(device, rng):
    a = minigrad.tensor(rng.standard_normal((3, 4)), device=device)
    b = minigrad.tensor(rng.standard_normal((4, 5)), device=device)
    np.testing.assert_allclose(minigrad.einsum("ij,jk->ik", a, b).numpy(), (a @ b).numpy())
    np.testing.assert_allclose(minigrad.einsum("ij->ji", a).numpy(), a.numpy().T)
    square = a[:, :3]
    assert minigrad.einsum("ii", square).item() == pytest.approx(np.trace(square.numpy()))
    # the implicit output: the letters used once, in ASCII order (capitals first)
    assert minigrad.einsum("bA", a).shape == (4, 3)
    assert minigrad.einsum("Ab,aB", a, b).shape == (3, 5, 4, 4)
    # operands as one list; integers stay integers; spaces are ignored
    ints = minigrad.tensor([1, 2], device=device)
    assert minigrad.einsum("i,i", [ints, ints]).item() == 5
    assert minigrad.einsum(" i j -> j i ", a).shape == (4, 3)


def test_a_summed_letter_gets_a_writable_broadcast_gradient(device):
    x = minigrad.ones(2, 3, device=device, requires_grad=True)
    y = minigrad.einsum("ij->i", x) * 2.0
    y.sum().backward()
    assert x.grad.tolist() == [[2.0] * 3] * 2
    x.grad.mul_(0.5)  # a real array, not a read-only broadcast view
    assert x.grad.tolist() == [[1.0] * 3] * 2


@pytest.mark.parametrize(
    ("equation", "shapes", "message"),
    [
        ("ij,jk", [(3, 2), (3, 2)], "subscript j has size 3 for operand 1"),
        ("ij->ik", [(3, 2)], "output subscript k does not appear"),
        ("ij->", [(3, 2), (2,)], "more operands were provided"),
        ("i,i->i", [(2,)], "fewer operands were provided"),
        ("ijk->", [(3, 2)], r"subscripts in the equation \(3\) does not match"),
        ("ij->ii", [(3, 3)], "output subscript i appears more than once"),
        ("i1->i", [(2,)], "invalid subscript given at index 1"),
        ("i..->i", [(2,)], "'.' for operand 0 that is not part of any ellipsis"),
        ("ii->i", [(2, 3)], "subscript i is repeated for operand 0 but the sizes don't match"),
        ("...ijk->", [(2, 3)], r"\(3\) is more than the number of dimensions \(2\)"),
    ],
)
def test_bad_equations_get_pytorchs_errors(equation, shapes, message):
    with pytest.raises(RuntimeError, match=message):
        minigrad.einsum(equation, *[minigrad.ones(s) for s in shapes])


def test_bad_operands_are_named():
    with pytest.raises(ValueError, match="at least one operand"):
        minigrad.einsum("i->i")
    with pytest.raises(TypeError, match="expected a Tensor, got list"):
        minigrad.einsum("i->i", [1.0, 2.0], minigrad.ones(2))
    with pytest.raises(TypeError, match="the equation must be a str"):
        minigrad.einsum(minigrad.ones(2), [0])
    with pytest.raises(RuntimeError, match="one dtype, got float32 and float64"):
        minigrad.einsum("i,i", minigrad.ones(2), minigrad.ones(2, dtype=minigrad.float64))
