"""``minigrad.autograd.functional``: Jacobians, vjp and jvp against central differences
(float64), in PyTorch's structure (tensors or nested tuples) and with its strict-mode rules."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp


def numeric_jacobian(f, x: np.ndarray, eps=1e-6) -> np.ndarray:
    y0 = f(x)
    out = np.empty(y0.shape + x.shape)
    for index in np.ndindex(*x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        out[(..., *index)] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


FUNCTIONS = {
    "tanh_layer": lambda x, w: minigrad.tanh(x @ w),
    "softmax": lambda x, w: minigrad.softmax(x * w.sum(), dim=-1),
    "norm": lambda x, w: (x**2).sum().sqrt() * w,
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_jacobian_matches_central_differences(name, device):
    rng = np.random.default_rng(0)
    x0, w0 = rng.standard_normal((2, 3)), rng.standard_normal((3, 3))
    f = FUNCTIONS[name]

    def as_tensors(*arrays):
        return [minigrad.tensor(a, dtype=minigrad.float64, device=device) for a in arrays]

    jx, jw = jacobian(f, tuple(as_tensors(x0, w0)))
    want_x = numeric_jacobian(lambda a: f(*as_tensors(a, w0)).cpu().numpy(), x0)
    want_w = numeric_jacobian(lambda a: f(*as_tensors(x0, a)).cpu().numpy(), w0)
    np.testing.assert_allclose(jx.cpu().numpy(), want_x, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(jw.cpu().numpy(), want_w, rtol=1e-6, atol=1e-8)
    assert (
        jx.device == minigrad.device(device) and jx.shape == f(*as_tensors(x0, w0)).shape + x0.shape
    )


def test_structure_follows_inputs_and_outputs():
    x, y = minigrad.tensor([1.0, 2.0]), minigrad.tensor([3.0, 4.0])
    (jxx, jxy), (jsx, jsy) = jacobian(lambda a, b: (a * b, (a**2).sum()), (x, y))
    assert jxx.tolist() == [[3.0, 0.0], [0.0, 4.0]] and jsx.tolist() == [2.0, 4.0]
    assert jxy.tolist() == [[1.0, 0.0], [0.0, 2.0]]
    assert jsy.tolist() == [0.0, 0.0]  # an input the output does not depend on: zeros
    assert jacobian(lambda a: a**2, x).tolist() == [[2.0, 0.0], [0.0, 4.0]]
    (only,) = jacobian(lambda a: a * 2, (x,))  # a tuple of one input gives a tuple
    assert only.shape == (2, 2)


def test_vjp_and_jvp():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    out, grad = vjp(lambda a: a**3, x, minigrad.tensor([1.0, 0.5]))
    assert out.tolist() == [1.0, 8.0] and grad.tolist() == [3.0, 6.0]
    assert not out.requires_grad and x.grad is None  # the input is a copy cut from its graph
    out, tangent = jvp(lambda a: a**3, x, minigrad.tensor([1.0, 0.5]))
    assert tangent.tolist() == [3.0, 6.0]
    (_, s), (t1, t2) = jvp(lambda a, b: (a * b, (a * b).sum()), (x, x), (x, x))
    assert t1.tolist() == [2.0, 8.0] and t2.item() == 10.0 and s.item() == 5.0
    assert vjp(lambda a: (a**2).sum(), x)[1].tolist() == [2.0, 4.0]  # v=None: one element
    with pytest.raises(RuntimeError, match="v can only be None if the user-provided function"):
        vjp(lambda a: a**2, x)
    with pytest.raises(RuntimeError, match="v can only be None if the input"):
        jvp(lambda a: a**2, x)
    with pytest.raises(RuntimeError, match="v must match the outputs"):
        vjp(lambda a: a**2, x, minigrad.ones(3))


def test_strict_mode():
    x = minigrad.tensor([1.0, 2.0])
    assert jacobian(lambda a: minigrad.ones(2), x).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    with pytest.raises(RuntimeError, match="does not require gradients"):
        jacobian(lambda a: minigrad.ones(2), x, strict=True)
    with pytest.raises(RuntimeError, match="is independent of input 1"):
        jacobian(lambda a, b: a * 2, (x, x), strict=True)


def test_what_is_not_available_says_why():
    x = minigrad.ones(2)
    for fn in (hessian, hvp, vhp):
        with pytest.raises(NotImplementedError, match="needs gradients of gradients"):
            fn(lambda a: (a**3).sum(), x)
    with pytest.raises(NotImplementedError, match="reverse mode only"):
        jacobian(lambda a: a, x, strategy="forward-mode")
    with pytest.raises(TypeError, match="inputs must be a Tensor or a tuple of Tensors"):
        jacobian(lambda a: a, [1.0, 2.0])
    with pytest.raises(TypeError, match="must return a Tensor or a tuple of Tensors"):
        jacobian(lambda a: 3.0, x)


def test_importable_under_pytorchs_name():
    import minigrad.autograd.functional as functional

    assert functional.jacobian is jacobian and minigrad.autograd.functional is functional


def test_jvp_calls_the_function_once():
    bn = minigrad.nn.BatchNorm1d(3)
    jvp(bn, minigrad.randn(4, 3), minigrad.ones(4, 3))
    assert bn.num_batches_tracked.item() == 1  # its statistics moved once
    out, grad = vjp(lambda a: ((a**2).sum(),), minigrad.tensor([1.0, 2.0]))  # v=None: 1-tuple
    assert out[0].item() == 5.0
    assert grad.tolist() == [2.0, 4.0]
