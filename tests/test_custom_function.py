"""Custom autograd Functions written as in PyTorch (``minigrad/custom_function.py``):
static ``forward(ctx, ...)`` and ``backward(ctx, ...)`` on tensors, ``Function.apply``."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function


class LegendreP3(Function):
    """P3(x) = (5x^3 - 3x) / 2, as in PyTorch's "Learning PyTorch with Examples"."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 1.5 * (5 * x**2 - 1)


class ScaledAdd(Function):
    """x + scale * y, with a number among the inputs, in PyTorch 2's style."""

    @staticmethod
    def forward(x, scale, y):
        return x + scale * y

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.scale = inputs[1]
        ctx.seen = ctx.needs_input_grad

    @staticmethod
    def backward(ctx, grad):
        return grad, None, ctx.scale * grad


class RoundThrough(Function):
    """A straight-through estimator: round forward, identity backward."""

    @staticmethod
    def forward(ctx, x):
        return minigrad.tensor(np.round(x.numpy()), device=x.device)

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_the_tutorials_polynomial(device):
    x = minigrad.tensor([-1.0, 0.5, 2.0], device=device, requires_grad=True)
    y = LegendreP3.apply(x)
    values = np.array([-1.0, 0.5, 2.0], dtype=np.float32)
    np.testing.assert_allclose(y.numpy(), 0.5 * (5 * values**3 - 3 * values), rtol=1e-6)
    assert y.grad_fn.name() == "LegendreP3Backward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * (5 * values**2 - 1), rtol=1e-6)


def test_gradcheck(device):
    x = minigrad.randn(4, 3, dtype=minigrad.float64, device=device, requires_grad=True)
    y = minigrad.randn(3, dtype=minigrad.float64, device=device, requires_grad=True)
    assert minigrad.gradcheck(LegendreP3.apply, (x,))
    assert minigrad.gradcheck(lambda a, b: ScaledAdd.apply(a, 2.5, b), (x, y))


def test_setup_context_numbers_and_a_broadcast_gradient(device):
    """A number among the inputs gets no gradient; y's gradient, returned in the output's
    shape (4, 3), is summed back to y's (3,), as for any op."""
    x = minigrad.ones(4, 3, device=device, requires_grad=True)
    y = minigrad.ones(3, device=device, requires_grad=True)
    out = ScaledAdd.apply(x, 2.0, y)
    assert out.grad_fn.ctx.seen == (True, False, True)
    out.sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 4
    assert y.grad.tolist() == [8.0, 8.0, 8.0]


def test_needs_input_grad_and_no_graph_without_gradients(device):
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    a = minigrad.ones(2, device=device, requires_grad=True)
    b = minigrad.ones(2, device=device)
    assert Probe.apply(a, b).grad_fn is not None
    with minigrad.no_grad():
        assert Probe.apply(a, b).grad_fn is None
    assert Probe.apply(b, b).grad_fn is None
    assert seen == [(True, False), (False, False), (False, False)]


def test_a_straight_through_estimator(device):
    x = minigrad.tensor([0.2, 1.7, -0.6], device=device, requires_grad=True)
    y = RoundThrough.apply(x)
    assert y.tolist() == [0.0, 2.0, -1.0]
    (y * minigrad.tensor([1.0, 2.0, 3.0], device=device)).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 3.0]


def test_a_saved_input_changed_in_place_is_refused(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    a = x * 1.0
    y = LegendreP3.apply(a)
    with minigrad.no_grad():
        a.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_a_second_backward_needs_retain_graph(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = LegendreP3.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [12.0, 57.0]  # twice 1.5 * (5x^2 - 1)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_mark_non_differentiable(device):
    class Argmax(Function):
        @staticmethod
        def forward(ctx, x):
            out = x.argmax().float()
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            raise AssertionError("never called")

    x = minigrad.tensor([1.0, 3.0, 2.0], device=device, requires_grad=True)
    out = Argmax.apply(x)
    assert out.item() == 1.0 and not out.requires_grad and out.grad_fn is None


def test_what_backward_returns_is_checked(device):
    def fn(backward, *args):
        class Bad(Function):
            @staticmethod
            def forward(ctx, x, *rest):
                return x * 2

        Bad.backward = staticmethod(backward)
        return Bad.apply(*args)

    x = minigrad.ones(2, device=device, requires_grad=True)
    cases = [
        (lambda ctx, g: (g, g), (x,), "incorrect number of gradients \\(expected 1, got 2\\)"),
        (lambda ctx, g: (g, g), (x, 3.0), "gradient different than None at position 2"),
        (lambda ctx, g: minigrad.ones(3, device=g.device), (x,), "got \\[3\\] but expected"),
    ]
    for backward, args, message in cases:
        with pytest.raises(RuntimeError, match=message):
            fn(backward, *args).sum().backward()
    with pytest.raises(TypeError, match="must be a Tensor or None"):
        fn(lambda ctx, g: 1.0, x).sum().backward()
    # Extra Nones at the end are allowed, as in PyTorch.
    fn(lambda ctx, g: (2 * g, None), x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_what_forward_returns_and_saves_is_checked(device):
    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x, x

    class Number(Function):
        @staticmethod
        def forward(ctx, x):
            return 1.0

    class SavesANumber(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 2.0)
            return x

    x = minigrad.ones(2, device=device, requires_grad=True)
    with pytest.raises(NotImplementedError, match="returned 2 values"):
        Two.apply(x)
    with pytest.raises(TypeError, match="must return a Tensor, got float"):
        Number.apply(x)
    with pytest.raises(TypeError, match="argument 1 is not a Tensor or None"):
        SavesANumber.apply(x)


def test_minigrad_style_functions_still_work_beside_them(device):
    """Array-level Functions (``forward(self, *arrays)``, minigrad's own ops) keep the
    engine's ``apply``."""

    class Square(Function):
        def forward(self, a):
            self.save(a)
            return a * a

        def backward(self, grad):
            (a,) = self.saved
            return 2 * a * grad

    assert Square.apply is not LegendreP3.apply
    x = minigrad.tensor([3.0], device=device, requires_grad=True)
    Square.apply(LegendreP3.apply(x)).backward()
    p3, dp3 = 0.5 * (5 * 27 - 9), 1.5 * (5 * 9 - 1)
    assert x.grad.tolist() == [pytest.approx(2 * p3 * dp3)]
