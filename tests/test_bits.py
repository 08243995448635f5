"""``gcd``, ``lcm``, the bit shifts, ``frexp``, ``ldexp``, ``nextafter`` and the complex-number
functions of real tensors; the expected values are PyTorch 2.13's (checked against it when
this was written), shifts out of range included."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad

T = minigrad.tensor


def test_gcd_and_lcm(device):
    a, b = T([12, -18, 0, 7], device=device), T([8, 12, 5, 0], device=device)
    assert minigrad.gcd(a, b).tolist() == [4, 6, 5, 7]
    assert minigrad.lcm(a, b).tolist() == [24, 36, 0, 0]
    small = minigrad.lcm(T([0, 4], dtype=minigrad.int8), T([0, 6], dtype=minigrad.int8))
    assert small.tolist() == [0, 12] and small.dtype == minigrad.int8
    z = T([5, 6])
    z.gcd_(T([3, 4]))
    assert z.tolist() == [1, 2]
    with pytest.raises(NotImplementedError, match="gcd"):
        minigrad.gcd(a.float(), b.float())


@pytest.mark.parametrize(
    ("x", "n", "left", "right"),
    [
        ([1, -8, 5], [1, 2, 40], [2, -32, 0], [0, -2, 0]),  # 40 >= 32 bits: 0, or the sign
        ([8, -8], [-1, -1], [0, 0], [0, -1]),  # a negative shift: 0, or the sign
    ],
)
def test_shifts_follow_pytorch_out_of_range(x, n, left, right, device):
    x, n = T(x, dtype=minigrad.int32, device=device), T(n, dtype=minigrad.int32, device=device)
    assert minigrad.bitwise_left_shift(x, n).tolist() == left
    assert (x >> n).tolist() == right and (x >> n).dtype == minigrad.int32


def test_shift_operators_and_dtypes():
    x = T([1, -8, 5], dtype=minigrad.int32)
    assert (x << 2).tolist() == [4, -32, 20] and (2 << x).tolist() == [4, 0, 64]
    assert (T([-8], dtype=minigrad.int8) >> T([9], dtype=minigrad.int8)).tolist() == [-1]
    assert (T([200], dtype=minigrad.uint8) >> 1).tolist() == [100]
    assert (T([5], dtype=minigrad.uint8) << 7).tolist() == [128]  # wraps, as uint8 does
    shifted = minigrad.bitwise_left_shift(T([True]), 1)
    assert shifted.tolist() == [2] and shifted.dtype == minigrad.int64
    with pytest.raises(NotImplementedError, match="bitwise_left_shift"):
        T([1.0]) << 1
    with pytest.raises(NotImplementedError):
        T([1]) << 1.5


def test_frexp_ldexp_nextafter():
    mantissa, exponent = minigrad.frexp(T([8.0, 0.3, 0.0, -5.0]))
    np.testing.assert_allclose(mantissa.numpy(), [0.5, 0.6, 0.0, -0.625], rtol=1e-6)
    assert exponent.tolist() == [4, -1, 0, 3] and exponent.dtype == minigrad.int32
    assert minigrad.frexp(T([8.0])).mantissa.tolist() == [0.5]
    with pytest.raises(RuntimeError, match="only supports floating-point dtypes"):
        minigrad.frexp(T([1, 2]))
    assert minigrad.ldexp(T([1.0, 2.0]), T([3, -1])).tolist() == [8.0, 1.0]
    ints = minigrad.ldexp(T([1, 2]), T([3, 1]))
    assert ints.tolist() == [8.0, 4.0] and ints.dtype == minigrad.float32
    w = T([1.0, 2.0], requires_grad=True)
    minigrad.ldexp(w, T([1, 2])).sum().backward()
    assert w.grad.tolist() == [2.0, 4.0]
    step = minigrad.nextafter(T([1.0]), T([2.0])) - 1
    assert step.item() == float(np.finfo(np.float32).eps)
    with pytest.raises(NotImplementedError, match="nextafter"):
        minigrad.nextafter(T([1]), T([2]))


def test_complex_functions_of_real_tensors():
    y = minigrad.ones(2, 3)
    for f in (minigrad.conj, minigrad.real, minigrad.resolve_conj, minigrad.resolve_neg):
        assert f(y) is y
    assert y.conj() is y and y.real is y and not y.is_conj() and not y.is_neg()
    assert minigrad.isreal(T([1.0, float("nan")])).tolist() == [True, True]
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex"):
        _ = y.imag
    assert y.adjoint().shape == y.mH.shape == y.H.shape == (3, 2)
    with pytest.raises(RuntimeError, match="only supported on matrices or batches of matrices"):
        minigrad.ones(3).adjoint()
    with pytest.raises(RuntimeError, match=r"Got 3-D tensor. For batches of matrices, consider"):
        _ = minigrad.ones(2, 2, 2).H
    assert not (y.is_sparse or y.is_meta or y.is_quantized or y.is_mkldnn or y.is_nested)
    assert not y.is_pinned()


def test_pytorchs_gradients_and_promotion_for_ldexp_and_nextafter():
    a = T([1.0, 2.0], requires_grad=True)
    b = T([1.0, 0.5], requires_grad=True)
    minigrad.ldexp(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [2.0, 2**0.5], rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), [1.3862944, 1.9605163], rtol=1e-6)
    assert minigrad.ldexp(T(0.0, dtype=minigrad.float64), T([1.0, 2.0])).dtype == minigrad.float32
    assert minigrad.ldexp(T([True]), T(1.0, dtype=minigrad.float64)).dtype == minigrad.float64
    x, o = T([1.0, 2.0], requires_grad=True), T([3.0, 0.0], requires_grad=True)
    minigrad.nextafter(x, o).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0] and o.grad.tolist() == [0.0, 0.0]
    assert minigrad.nextafter(T([1]), T([2.0])).dtype == minigrad.float32
    with pytest.raises(NotImplementedError, match="nextafter"):
        minigrad.nextafter(T([True]), T([False]))
    with pytest.raises(NotImplementedError, match="not implemented for bool"):
        T([True]) << T([False])


def test_fuzzer_findings_for_ldexp_and_nextafter():
    """The promoted dtype includes a 0-d float64 input against an integer exponent, and
    an infinite gradient where nextafter's input equals its target gives 0, not NaN."""
    assert minigrad.ldexp(
        T(0.0, dtype=minigrad.float64), T([0, 0], dtype=minigrad.uint8)
    ).dtype == (minigrad.float64)
    x = minigrad.zeros(3, requires_grad=True)
    minigrad.nextafter(x, x).backward(T([0.0, -float("inf"), 1.0]))
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_ldexp_and_nextafter_pass_gradcheck():
    """float64 central differences: ldexp in both arguments; nextafter where input and
    target differ (a step of one ulp, whose derivative in the input is 1)."""
    rng = np.random.default_rng(0)
    a = T(rng.standard_normal(4), dtype=minigrad.float64, requires_grad=True)
    b = T(rng.standard_normal(4), dtype=minigrad.float64, requires_grad=True)
    assert minigrad.gradcheck(minigrad.ldexp, (a, b))
    target = (a + 1).detach()
    assert minigrad.gradcheck(lambda x: minigrad.nextafter(x, target), (a,))
