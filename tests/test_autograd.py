"""The engine: graph order, accumulation, freeing, version counters, grad mode, grad()."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function
from minigrad.backend import Device


def leaf(values, device, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, device=device, requires_grad=True)


# ----------------------------------------------------------------------------------------
# Order and accumulation
# ----------------------------------------------------------------------------------------


def test_reused_tensor_accumulates_every_path(device):
    # b = a + a; c = b + b: dc/da = 4. A graph walk without a visited set gets this wrong.
    a = leaf([1.0], device)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.tolist() == [4.0]


def test_diamond_runs_each_function_once_with_its_full_gradient(device):
    x = leaf([2.0], device)
    y = x * 3.0
    z = y * y + y  # y feeds two consumers
    z.backward()
    # dz/dx = (2y + 1) * 3 with y = 6
    assert x.grad.tolist() == [39.0]


def test_chain_of_100000_ops_has_no_recursion_limit(device):
    x = leaf([1.0], device)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.tolist() == [1.0]


def test_gradients_accumulate_across_backward_calls(device):
    x = leaf([1.0, 2.0], device)
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [3.0 + 2.0, 3.0 + 4.0]


def test_leaf_gradients_do_not_alias(device):
    # Add passes one gradient array to both inputs; changing one .grad must not change the other.
    a, b = leaf([1.0, 1.0], device), leaf([1.0, 1.0], device)
    (a + b).sum().backward()
    with minigrad.no_grad():
        a.grad.add_(10.0)
    assert b.grad.tolist() == [1.0, 1.0]
    assert a.grad.tolist() == [11.0, 11.0]


def test_gradient_has_the_dtype_and_shape_of_the_leaf(device):
    w = leaf(np.ones((3, 1)), device, dtype=minigrad.float32)
    x = minigrad.ones(2, 1, 4, dtype=minigrad.float64, device=device)
    (w * x).sum().backward()
    assert w.grad.dtype == minigrad.float32
    assert w.grad.shape == (3, 1)
    assert w.grad.tolist() == [[8.0]] * 3


def test_operations_on_constants_record_nothing(device):
    x = minigrad.ones(3, device=device)
    y = x * 2.0 + 1.0
    assert not y.requires_grad
    assert y.grad_fn is None


def test_backward_through_a_leaf_directly(device):
    x = leaf([5.0], device)
    x.backward()
    assert x.grad.tolist() == [1.0]


def test_non_leaf_tensors_get_no_grad(device):
    x = leaf([1.0], device)
    y = x * 2.0
    (y * y).backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):  # as PyTorch warns
        assert y.grad is None
    assert x.grad.tolist() == [8.0]


def test_backward_inputs_restricts_which_leaves_get_gradients(device):
    a, b = leaf([1.0], device), leaf([2.0], device)
    (a * b).backward(inputs=[a])
    assert a.grad.tolist() == [2.0]
    assert b.grad is None


# ----------------------------------------------------------------------------------------
# Freeing the graph, and version counters
# ----------------------------------------------------------------------------------------


def test_saved_arrays_are_freed_after_backward(device):
    x = leaf([1.0, 2.0], device)
    y = x.exp()
    y.sum().backward()
    assert y.grad_fn.saved is None


def test_second_backward_through_a_freed_graph_raises(device):
    x = leaf([1.0, 2.0], device)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward(device):
    x = leaf([1.0, 2.0], device)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_in_place_change_of_a_saved_input_is_caught(device):
    w = leaf([1.0, 2.0], device)
    a = minigrad.tensor([3.0, 4.0], dtype=minigrad.float64, device=device)
    y = (w * a).sum()  # Mul saves a
    a.add_(1.0)
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation.*version 1"):
        y.backward()


def test_in_place_change_of_a_saved_output_is_caught(device):
    x = leaf([1.0, 2.0], device)
    y = x.exp()  # Exp saves its output
    with minigrad.no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_in_place_change_through_a_view_is_caught(device):
    x = leaf([[1.0, 2.0], [3.0, 4.0]], device)
    y = x.exp()
    view = y[0]  # shares storage, and so the version counter, with y
    with minigrad.no_grad():
        view.zero_()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_in_place_change_of_an_unsaved_tensor_is_fine(device):
    w = leaf([1.0, 2.0], device)
    a = minigrad.tensor([3.0, 4.0], dtype=minigrad.float64, device=device)
    y = (w + a).sum()  # Add saves nothing
    a.add_(1.0)
    y.backward()
    assert w.grad.tolist() == [1.0, 1.0]


# ----------------------------------------------------------------------------------------
# Grad mode
# ----------------------------------------------------------------------------------------


def test_no_grad_as_context_manager_and_decorator(device):
    x = leaf([1.0], device)
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        assert not (x * 2.0).requires_grad
    assert minigrad.is_grad_enabled()

    @minigrad.no_grad()
    def double(t):
        return t * 2.0

    assert not double(x).requires_grad
    assert minigrad.is_grad_enabled()


def test_enable_grad_inside_no_grad(device):
    x = leaf([1.0], device)
    with minigrad.no_grad(), minigrad.enable_grad():
        assert (x * 2.0).requires_grad
    assert minigrad.is_grad_enabled()


def test_set_grad_enabled_call_context_and_decorator(device):
    x = leaf([1.0], device)
    with minigrad.set_grad_enabled(False):
        assert not (x * 2.0).requires_grad
    assert minigrad.is_grad_enabled()
    minigrad.set_grad_enabled(False)
    try:
        assert not minigrad.is_grad_enabled()
    finally:
        minigrad.set_grad_enabled(True)

    @minigrad.set_grad_enabled(False)
    def f(t):
        return t * 2.0

    assert minigrad.is_grad_enabled()
    assert not f(x).requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError), minigrad.no_grad():
        raise ValueError
    assert minigrad.is_grad_enabled()


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------


def test_backward_on_non_scalar_needs_a_gradient(device):
    x = leaf([1.0, 2.0], device)
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*\(2,\)"):
        (x * 2.0).backward()
    (x * 2.0).backward(minigrad.ones(2, dtype=minigrad.float64, device=device))
    assert x.grad.tolist() == [2.0, 2.0]


def test_backward_gradient_of_the_wrong_shape(device):
    x = leaf([1.0, 2.0], device)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape.*\(3,\).*\(2,\)"):
        (x * 2.0).backward(minigrad.ones(3, device=device))


def test_backward_from_a_tensor_that_does_not_require_grad(device):
    x = minigrad.ones(2, device=device)
    with pytest.raises(RuntimeError, match="does not require grad"):
        x.sum().backward()


def test_higher_order_gradients_are_refused_clearly(device):
    x = leaf([1.0], device)
    with pytest.raises(NotImplementedError, match="create_graph"):
        (x * x).backward(create_graph=True)


def test_mixing_devices_names_both():
    # A stand-in GPU device (NumPy arrays, but another Device object) exercises the check
    # without a GPU.
    fake = object.__new__(Device)
    fake.type, fake.index, fake.xp = "cuda", 0, np
    a = minigrad.ones(2)
    b = minigrad.Tensor._wrap(np.ones(2, dtype=np.float32), fake)
    with pytest.raises(RuntimeError, match="cpu and cuda:0"):
        a + b
    with pytest.raises(RuntimeError, match="cpu and cuda:0"):
        a @ b


# ----------------------------------------------------------------------------------------
# autograd.grad and autograd.backward
# ----------------------------------------------------------------------------------------


def test_grad_returns_gradients_without_touching_dot_grad(device):
    x, y = leaf([1.0, 2.0], device), leaf([3.0, 4.0], device)
    gx, gy = minigrad.autograd.grad((x * y).sum(), (x, y))
    assert gx.tolist() == [3.0, 4.0]
    assert gy.tolist() == [1.0, 2.0]
    assert x.grad is None and y.grad is None


def test_grad_with_respect_to_an_intermediate(device):
    x = leaf([1.0, 2.0], device)
    h = x * 2.0
    (gh,) = minigrad.autograd.grad((h * h).sum(), h)
    assert gh.tolist() == [4.0, 8.0]


def test_grad_of_several_outputs_with_grad_outputs(device):
    x = leaf([1.0, 2.0], device)
    outs = [x * 2.0, x * x]
    vs = [minigrad.ones(2, dtype=minigrad.float64, device=device)] * 2
    (g,) = minigrad.autograd.grad(outs, [x], grad_outputs=vs)
    assert g.tolist() == [2.0 + 2.0, 2.0 + 4.0]


def test_grad_of_unused_input(device):
    x, unused = leaf([1.0], device), leaf([1.0], device)
    with pytest.raises(RuntimeError, match="not have been used"):
        minigrad.autograd.grad((x * x).sum(), [x, unused], retain_graph=True)
    gx, gu = minigrad.autograd.grad((x * x).sum(), [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_autograd_backward_function(device):
    x = leaf([1.0, 2.0], device)
    minigrad.autograd.backward([(x * x).sum()])
    assert x.grad.tolist() == [2.0, 4.0]


# ----------------------------------------------------------------------------------------
# Writing a Function of one's own
# ----------------------------------------------------------------------------------------


class Cube(Function):
    def forward(self, a):
        self.save(a)
        return a * a * a

    def backward(self, grad):
        (a,) = self.saved
        return 3 * a * a * grad


def test_custom_function(device):
    x = leaf([2.0], device)
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward0"
    y.backward()
    assert x.grad.tolist() == [12.0]
    assert minigrad.gradcheck(Cube.apply, (leaf([0.3, -1.2], device),))


def test_needs_input_grad_lets_backward_skip_work(device):
    seen = []

    class Probe(Function):
        def forward(self, a, b):
            seen.append(self.needs_input_grad)
            return a * b

        def backward(self, grad):
            return grad, grad

    w = leaf([1.0], device)
    c = minigrad.tensor([2.0], dtype=minigrad.float64, device=device)
    Probe.apply(w, c)
    assert seen == [(True, False)]


# ----------------------------------------------------------------------------------------
# Selection gradients where the function has a kink (not finite-difference checkable)
# ----------------------------------------------------------------------------------------


def test_max_of_all_splits_the_gradient_between_ties(device):
    x = leaf([1.0, 3.0, 3.0], device)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


def test_max_along_a_dim_sends_the_gradient_to_one_index(device):
    x = leaf([[3.0, 3.0, 1.0]], device)
    x.max(dim=1).values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0]]


def test_maximum_splits_ties(device):
    a, b = leaf([1.0, 2.0], device), leaf([1.0, 0.0], device)
    minigrad.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0]
    assert b.grad.tolist() == [0.5, 0.0]


def test_relu_abs_clamp_gradients_at_the_kink(device):
    x = leaf([-1.0, 0.0, 1.0], device)
    minigrad.relu(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
    x = leaf([-1.0, 0.0, 1.0], device)
    minigrad.abs(x).sum().backward()
    assert x.grad.tolist() == [-1.0, 0.0, 1.0]
    x = leaf([-1.0, 0.0, 1.0], device)
    x.clamp(0.0, 1.0).sum().backward()  # PyTorch: the gradient passes at both bounds
    assert x.grad.tolist() == [0.0, 1.0, 1.0]


def test_clamp_to_tensor_bounds_at_ties_and_crossed_bounds(device):
    # PyTorch's rule: the input's gradient where low <= x <= high (ties included), low's
    # where x < low, high's where x > high; with low > high the result is high.
    x = leaf([-1.0, 0.0, 0.5, 2.0, 1.0], device)
    low = leaf([0.0, 0.0, 0.0, 0.0, 3.0], device)
    high = leaf([1.0, 1.0, 1.0, 1.0, 2.0], device)
    out = minigrad.clamp(x, low, high)
    out.sum().backward()
    assert out.tolist() == [0.0, 0.0, 0.5, 1.0, 2.0]
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    assert low.grad.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert high.grad.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
    x, low = leaf([-1.0, 0.0, 1.0], device), leaf([0.0, 0.0, 0.0], device)
    x.clamp(min=low).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0] and low.grad.tolist() == [1.0, 0.0, 0.0]


def test_clamp_promotes_an_integer_input_to_a_float_bound(device):
    i = minigrad.tensor([0, 5], device=device)
    assert i.clamp(1, 3.5).tolist() == [1.0, 3.5] and i.clamp(1, 3.5).dtype == minigrad.float32
    assert i.clamp(min=2.5).dtype == minigrad.float32
    assert i.clamp(1, 3).dtype == minigrad.int64
    bound = minigrad.tensor(2.5, device=device)
    assert i.clamp(min=bound).tolist() == [2.5, 5.0]


def test_pow_gradient_conventions_at_zero(device):
    x = leaf([0.0, 2.0], device)
    (x**0).sum().backward()  # d/dx x**0 is defined as 0, even at x = 0
    assert x.grad.tolist() == [0.0, 0.0]
    base = leaf([0.0, 2.0], device)
    e = leaf([2.0, 1.0], device)
    (base**e).sum().backward()  # d/de 0**e = 0 for e >= 0 (not nan from 0 * log 0)
    assert e.grad.tolist()[0] == 0.0
    assert np.isclose(e.grad.tolist()[1], 2.0 * np.log(2.0))


def test_augmented_assignment_on_a_leaf_that_requires_grad_raises(device):
    w = leaf([1.0, 2.0], device)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w -= 0.1
    with minigrad.no_grad():
        w -= 0.5
    assert w.tolist() == [0.5, 1.5] and w.is_leaf and w.requires_grad


def test_leaf_gradient_never_aliases_an_array_the_graph_keeps(device):
    class PassSaved(Function):  # returns one of its saved arrays as the gradient
        def forward(self, a):
            self.save(self.xp.ones_like(a))
            return a * 1.0

        def backward(self, grad):
            return self.saved[0]

    x = leaf([1.0, 2.0], device)
    y = PassSaved.apply(x).sum()
    y.backward(retain_graph=True)
    with minigrad.no_grad():
        x.grad.add_(5.0)
    y.backward()
    assert x.grad.tolist() == [7.0, 7.0]  # 1 + 5 + 1: the saved ones were not changed


def test_leaf_keeps_a_fresh_gradient_without_copying(device):
    produced = []

    class Double(Function):
        def forward(self, a):
            return a * 2.0

        def backward(self, grad):
            produced.append(grad * 2.0)  # a new array that nothing else refers to
            return produced[-1]

    x = leaf([1.0, 2.0], device)
    Double.apply(x).sum().backward()
    assert x.grad._data is produced[0]  # kept, not copied
    y = leaf([1.0, 2.0], device)
    Double.apply(y).sum().backward(retain_graph=True)
    assert y.grad._data is not produced[1]  # the graph may run again: copied


def test_leaf_keeps_a_reshape_of_a_new_array_but_copies_shared_views(device):
    made = {}

    class Views(Function):  # backward's gradients: reshapes and parts of arrays
        def forward(self, a, b, kind):
            self.kind = kind
            return a * b

        def backward(self, grad):
            whole = grad.reshape(-1) * 2.0  # a new array
            made["owner"] = whole
            if self.kind == "reshape":  # a reshape of the whole new array, for a only
                return whole.reshape(grad.shape), None
            if self.kind == "twice":  # two reshapes of one array: they would alias
                return whole.reshape(grad.shape), whole.reshape(grad.shape)
            if self.kind == "part":  # half of a new array
                longer = self.xp.concatenate([whole, whole])
                made["owner"] = longer
                return longer[: whole.size].reshape(grad.shape), None
            return grad.reshape(grad.shape), None  # the incoming gradient, reshaped

    for kind, kept in (("reshape", True), ("twice", False), ("part", False), ("in", False)):
        a, b = leaf([[1.0, 2.0]], device), leaf([[3.0, 4.0]], device)
        Views.apply(a, b, kind=kind).sum().backward()
        assert (a.grad._data.base is made["owner"]) is kept, kind
        if kind == "twice":  # each leaf has its own copy: adding to one leaves the other
            with minigrad.no_grad():
                a.grad.add_(1.0)
            assert b.grad.tolist() == [[2.0, 2.0]]


def test_max_of_a_tensor_holding_nan_gives_the_nans_the_gradient(device):
    x = leaf([1.0, float("nan"), 3.0, float("nan")], device)
    x.max().backward()  # PyTorch: the result is nan, and the nans share the gradient
    assert x.grad.tolist() == [0.0, 0.5, 0.0, 0.5]
    x = leaf([1.0, float("nan"), 3.0], device)
    x.min().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_grad_modes_as_bare_decorators_and_on_generators():
    x = minigrad.ones(2, requires_grad=True)

    @minigrad.no_grad
    def frozen():
        return x * 2

    @minigrad.enable_grad
    def recording():
        return x * 2

    assert not frozen().requires_grad and frozen.__name__ == "frozen"
    with minigrad.no_grad():
        assert recording().requires_grad

    @minigrad.no_grad()
    def steps():
        received = yield minigrad.is_grad_enabled()
        yield received, (x * 2).requires_grad
        return "done"

    run = steps()
    assert next(run) is False  # the body runs without grad...
    assert minigrad.is_grad_enabled()  # ...and the caller keeps its mode between steps
    assert run.send("hello") == ("hello", False)
    with pytest.raises(StopIteration) as stop:
        next(run)
    assert stop.value.value == "done" and minigrad.is_grad_enabled()


def test_autograd_grad_returns_writable_gradients(device):
    x = leaf([1.0, 1.0, 1.0], device)
    (g,) = minigrad.autograd.grad(x.mean(), x)  # the mean's gradient is a broadcast
    g.mul_(3.0)  # a view with zero strides would refuse this
    assert g.tolist() == [1.0, 1.0, 1.0]


def test_keep_versions_makes_backward_refuse_after_a_write_into_a_kept_tensor():
    # What an op built from several Functions (mse_loss) or from converted copies uses to
    # refuse as PyTorch's op would, which saves the tensor itself.
    from minigrad.autograd import _keep_versions

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = (y + 1).sum()
    _keep_versions(z, y)
    with minigrad.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="needed for gradient computation by <SumBackward0>"):
        z.backward()
    w = (x * 1 + 1).sum()  # without it, nothing saved: backward runs
    w.backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_inference_mode_records_no_graph_as_pytorch(device):
    """As a context, a bare decorator and a called one; inference_mode(False) inside turns
    gradients back on, as PyTorch's does (checked against PyTorch 2.13)."""
    w = leaf([1.0, 2.0], device)
    with minigrad.inference_mode():
        assert not (w * 2).requires_grad and minigrad.is_inference_mode_enabled()
        with minigrad.inference_mode(False):
            assert (w * 2).requires_grad and not minigrad.is_inference_mode_enabled()
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled() and not minigrad.is_inference_mode_enabled()

    @minigrad.inference_mode
    def bare(x):
        return x * 2

    @minigrad.inference_mode()
    def called(x):
        return x * 2

    assert not bare(w).requires_grad and not called(w).requires_grad
    with minigrad.no_grad(), minigrad.inference_mode(False):
        assert minigrad.is_grad_enabled()
