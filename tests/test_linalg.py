"""``minigrad.linalg`` beyond the comparisons with PyTorch (which agree to rounding,
values and gradients, on every function): float64 gradchecks of every primitive, the
identities each satisfies, the full-matrices SVD, and the errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import linalg

F64 = minigrad.float64


def _m(rng, *shape, device="cpu"):
    return minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)


def test_inverses_and_solves_pass_gradcheck(device, rng):
    a, b, v = (
        _m(rng, 2, 3, 3, device=device),
        _m(rng, 2, 3, 2, device=device),
        _m(rng, 3, device=device),
    )
    assert minigrad.gradcheck(
        lambda a, b, v: (
            linalg.inv(a), linalg.det(a), linalg.slogdet(a).logabsdet, linalg.solve(a, b),
            linalg.solve(a[0], v), linalg.matrix_power(a, 3), linalg.matrix_power(a, -1),
        ),
        (a, b, v),
    )  # fmt: skip


def test_decompositions_pass_gradcheck(device, rng):
    a = _m(rng, 2, 4, 4, device=device)
    tall = _m(rng, 2, 5, 3, device=device)

    def spd(x):
        return x @ x.mT + 4 * minigrad.eye(4, dtype=F64, device=device)

    def sym(x):
        return (x + x.mT) / 2

    assert minigrad.gradcheck(
        lambda a, t: (
            linalg.cholesky(spd(a)), linalg.eigvalsh(sym(a)),
            linalg.eigh(sym(a)).eigenvectors ** 2,  # squared: free of the sign choice
            linalg.svdvals(t), linalg.svd(t, full_matrices=False).U ** 2,
            linalg.svd(t.mT, full_matrices=False).Vh ** 2, linalg.pinv(t),
            linalg.matrix_norm(t, "nuc"), linalg.matrix_norm(t, 2),
            *linalg.qr(a), *linalg.qr(t), *linalg.qr(t.mT), linalg.qr(t, "r").R,
        ),
        (a, tall),
    )  # fmt: skip


def test_the_factors_rebuild_their_matrix(device, rng):
    a = minigrad.tensor(rng.standard_normal((3, 4)), device=device)
    u, s, vh = linalg.svd(a)  # full matrices: U is 3x3, Vh 4x4
    assert u.shape == (3, 3) and vh.shape == (4, 4)
    np.testing.assert_allclose((u * s) @ vh[:3], a.numpy(), atol=1e-12)
    np.testing.assert_allclose((vh @ vh.mT).numpy(), np.eye(4), atol=1e-12)
    sym = a @ a.mT
    w, v = linalg.eigh(sym)
    np.testing.assert_allclose(((v * w) @ v.mT).numpy(), sym.numpy(), atol=1e-10)
    shifted = sym + minigrad.eye(3, dtype=F64, device=device)
    low = linalg.cholesky(shifted)
    np.testing.assert_allclose((low @ low.mT).numpy(), shifted.numpy(), atol=1e-10)
    assert np.triu(low.numpy(), 1).max() == 0.0
    sign, logabs = linalg.slogdet(sym)
    assert sign.item() * math.exp(logabs.item()) == pytest.approx(linalg.det(sym).item())
    np.testing.assert_allclose((linalg.pinv(a) @ a @ linalg.pinv(a)).numpy(),
                               linalg.pinv(a).numpy(), atol=1e-10)  # fmt: skip
    assert linalg.matrix_rank(minigrad.tensor([[1.0, 2.0], [2.0, 4.0]])).item() == 1
    for mat in (a, a.mT):  # wide, then tall
        q, r = linalg.qr(mat)
        np.testing.assert_allclose((q @ r).numpy(), mat.numpy(), atol=1e-12)
        np.testing.assert_allclose((q.mT @ q).numpy(), np.eye(3), atol=1e-12)
        assert np.tril(r.numpy(), -1).max() == 0.0 and np.tril(r.numpy(), -1).min() == 0.0
    q, r = linalg.qr(a.mT, mode="complete")  # Q square, R padded with zero rows
    assert q.shape == (4, 4) and r.shape == (4, 3) and r[3].abs().sum().item() == 0.0
    np.testing.assert_allclose((q @ r).numpy(), a.mT.numpy(), atol=1e-12)
    assert linalg.qr(a, mode="r").Q.shape == (0,)
    assert minigrad.qr(a.mT, some=False).Q.shape == (4, 4) and a.mT.qr().Q.shape == (4, 3)
    assert minigrad.inverse is linalg.inv and minigrad.det is linalg.det


def test_the_tensor_methods_call_linalg(device, rng):
    a = minigrad.tensor(rng.standard_normal((3, 3)), device=device)
    spd = a @ a.mT + minigrad.eye(3, dtype=F64, device=device)
    np.testing.assert_allclose(a.inverse().numpy(), np.linalg.inv(a.numpy()), atol=1e-10)
    assert a.det().item() == pytest.approx(np.linalg.det(a.numpy()))
    assert spd.logdet().item() == pytest.approx(math.log(np.linalg.det(spd.numpy())))
    flip = minigrad.tensor([[0.0, 1.0], [1.0, 0.0]], device=device)  # det -1: log is NaN
    assert math.isnan(flip.logdet().item()) and flip.slogdet().sign.item() == -1.0
    assert minigrad.zeros(2, 2, device=device).logdet().item() == -math.inf
    np.testing.assert_allclose(spd.cholesky().numpy(), np.linalg.cholesky(spd.numpy()))
    np.testing.assert_allclose(a.pinverse().numpy(), np.linalg.pinv(a.numpy()), atol=1e-10)
    np.testing.assert_allclose(a.matrix_power(2).numpy(), (a @ a).numpy())


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: linalg.inv(minigrad.ones(2, 3)), "must be batches of square matrices"),
        (lambda: linalg.det(minigrad.ones(3)), "must be batches of square matrices"),
        (lambda: linalg.inv(minigrad.eye(2).long()), "Expected a floating point tensor"),
        (lambda: linalg.solve(minigrad.eye(2), minigrad.ones(3)), "Incompatible shapes"),
        (lambda: linalg.eigh(minigrad.eye(2), UPLO="X"), "UPLO argument to be 'L' or 'U'"),
        (lambda: linalg.matrix_norm(minigrad.eye(2), "max"), "Order max not supported"),
        (lambda: linalg.qr(minigrad.ones(3)), "must have at least 2 dimensions"),
        (lambda: linalg.qr(minigrad.eye(2), mode="full"), "unrecognized mode 'full'"),
    ],
)
def test_bad_arguments_are_refused(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()
