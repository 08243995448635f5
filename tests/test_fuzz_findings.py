"""What the differential fuzzer (tests/fuzz, issue 24) found last, checked without PyTorch:
overlapping in-place writes, indexed writes of another dtype, clamp's bounds, integer
avg_pool2d, backward after an in-place write into a tensor PyTorch saves; then nll_loss
over no classes with a weight, empty layer_norm/group_norm in the graph, indexed writes
into expanded tensors and from a tensor's own memory, and the comparator's rules for
empty products and item(). (nll_loss's and the norms' values and gradients from PyTorch
are golden cases, tests/golden/cases.py; the writes' results, PyTorch 2.13's, are here.)"""

import math

import numpy as np
import pytest
from fuzz import compare
from fuzz.compare import Mismatch, Summary, differ
from fuzz.runner import _Session, minigrad_library

import minigrad
from minigrad import backend
from minigrad.nn import functional as F

OVERLAP = "some elements of the input tensor and the written-to tensor"


def test_overlap_classes():
    x = np.zeros(6)
    assert backend.overlap(x, x[:]) == "full"
    assert backend.overlap(x[:3], x[1:4]) == "partial"
    assert backend.overlap(x[:3], x[3:]) == "none"
    assert backend.overlap(x[::2], x[1::2]) == "unknown"  # not dense: PyTorch lets it run
    assert backend.overlap(x.reshape(2, 3), x.reshape(3, 2).T) == "partial"  # other layout
    assert backend.overlap(x[:0], x) == "none"
    column = x.reshape(6, 1)
    assert backend.overlap(np.broadcast_to(column, (6, 1)), column) == "full"  # stride 0 of 1


@pytest.mark.parametrize(
    "write",
    [
        lambda x: x.unsqueeze(0).add_(x),
        lambda x: x.unsqueeze(0).copy_(x),
        lambda x: x[:2].add_(x[1:3]),
        lambda x: x.mul_(x[0]),
        lambda x: x.clamp_(x[0], None),
        lambda x: x.__setitem__(slice(0, 2), x[1:3]),
        lambda x: x.__setitem__([0], x[:1]),  # indexed: even a full overlap
        lambda x: x.__setitem__([0, 1, 2, 3], x),
    ],
)
def test_in_place_from_overlapping_memory_is_refused(write):
    x = minigrad.arange(4.0)
    with pytest.raises(RuntimeError, match=OVERLAP):
        write(x)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_indexed_write_of_an_empty_tensor_into_itself_is_refused():
    y = minigrad.zeros(2, 0, 3)
    with pytest.raises(RuntimeError, match=OVERLAP):
        y[..., [1, 1]] = y  # PyTorch: the same tensor overlaps fully, even empty


def test_in_place_from_the_same_or_separate_memory_runs():
    x = minigrad.arange(4.0)
    x.add_(x)  # the same elements: PyTorch allows it
    x[:2].add_(x[2:])
    x[0] = x[1]
    x[x > 100] = x[0]  # a one-element value for a mask: masked_fill, no check
    assert x.tolist() == [8.0, 8.0, 4.0, 6.0]


def test_indexed_write_needs_the_same_dtype():
    x = minigrad.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="dtypes match, got int64 for the destination and"):
        x[[0, 1]] = minigrad.tensor([1.5, 2.5])
    with pytest.raises(RuntimeError, match="int32 for the source"):
        x[x > 1] = minigrad.tensor([7, 8], dtype=minigrad.int32)
    x[0:2] = minigrad.tensor([1.5, 2.5])  # a slice copies, converting
    x[x > 1] = minigrad.tensor(9.5)  # one element through a mask converts too
    x[[2]] = 4.5  # and so does a number
    assert x.tolist() == [1, 9, 4]


def test_nonfinite_into_int64_converts_silently():
    x = minigrad.tensor([1, 2, 3])
    x[...] = minigrad.tensor([-math.inf])  # filterwarnings=error: no NumPy warning either
    assert x.tolist() == [np.iinfo(np.int64).min] * 3


def test_clamp_int_bounds_convert_as_pytorch():
    t = minigrad.tensor([1, 5, 250], dtype=minigrad.uint8)
    assert t.clamp(2, -2).tolist() == [2, 5, 250]  # -2 is 254
    assert t.clone().clamp_(-3).tolist() == [253, 253, 253]
    with pytest.raises(RuntimeError, match="value 300 cannot be converted to type uint8"):
        t.clamp(max=300)
    with pytest.raises(RuntimeError, match="value -200 cannot be converted to type int8"):
        minigrad.tensor([1], dtype=minigrad.int8).clamp_(-200)


def test_clamp_of_bool_with_bool_bounds_is_refused():
    b = minigrad.tensor([True, False])
    with pytest.raises(NotImplementedError, match="bool tensor with bool bounds"):
        b.clamp(min=True)
    with pytest.raises(NotImplementedError, match="bool tensor with bool bounds"):
        b.clamp(b, b)  # two tensor bounds: no bool kernel in PyTorch either
    assert b.clamp(b).tolist() == [True, False]  # one tensor bound: PyTorch's clamp_min
    assert b.clamp(0, 1).dtype == minigrad.int64  # an int bound promotes, as in PyTorch


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32"])
def test_avg_pool2d_of_small_integers_is_refused(dtype):
    x = minigrad.ones(1, 1, 2, 2, dtype=dtype)
    with pytest.raises(NotImplementedError, match=f"avg_pool2d is not implemented for {dtype}"):
        F.avg_pool2d(x, 2)
    assert F.avg_pool2d(x.long(), 2).tolist() == [[[[1]]]]


def _backward_after_write(make, write_input):
    x = minigrad.tensor([0.5, 1.0, 2.0, 3.0], dtype=minigrad.float64, requires_grad=True)
    a = x * 1
    y = make(a)
    with minigrad.no_grad():
        (a if write_input else y).add_(1)
    y.sum().backward()
    return x.grad


MODIFIED = "has been modified by an in-place operation"


@pytest.mark.parametrize(
    "make, write_input",
    [
        (lambda a: a.var(), True),  # Var keeps x - mean; PyTorch saves x
        (lambda a: a.var(0), True),
        (lambda a: a.sum().exp(), False),  # a 0-d output saved as a NumPy scalar
        (lambda a: a.max(), False),
        (lambda a: a.norm(), False),
        (lambda a: F.leaky_relu(a, 0.1), True),
        (lambda a: F.layer_norm(a, (4,)), True),
        (lambda a: F.mse_loss(a, a.detach() * 0), True),  # composed: checked as one op
    ],
)
def test_backward_refuses_after_a_write_into_a_saved_tensor(make, write_input):
    with pytest.raises(RuntimeError, match=MODIFIED):
        _backward_after_write(make, write_input)


@pytest.mark.parametrize(
    "make, write_input",
    [
        (lambda a: a * 2, True),  # a's gradient needs only the number
        (lambda a: a**2, False),  # the output is not needed for a number exponent
        (lambda a: minigrad.where(a > 1, a, a * 2), True),
        (lambda a: a + 1, True),
    ],
)
def test_backward_runs_where_pytorch_saves_nothing_written(make, write_input):
    assert _backward_after_write(make, write_input) is not None


def test_writing_one_element_of_an_expanded_tensor_is_allowed_as_in_pytorch():
    """PyTorch checks the view a basic index writes into, not the whole expanded tensor:
    ``t[0] = v`` writes one memory location once; ``t[:] = v`` would write it twice."""
    base = minigrad.tensor(0.0)
    expanded = base.expand(2)
    expanded[0] = minigrad.tensor(5.0)
    assert base.item() == 5.0 and expanded.tolist() == [5.0, 5.0]
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        expanded[:] = 1.0


# ---- the fuzzer's last classes (seed 2): what PyTorch 2.13 gives, written down ------------


@pytest.mark.parametrize(
    "reduction, expected", [("mean", "nan"), ("sum", 0.0), ("none", [0.0, 0.0])]
)
def test_nll_loss_over_no_classes_with_a_weight_is_pytorchs(reduction, expected):
    """Two rows, no classes, every target ignored, an empty weight: PyTorch's result
    (a raw IndexError before), and an empty gradient."""
    x = minigrad.zeros(2, 0, requires_grad=True)
    target = minigrad.tensor([-100, -100])
    loss = F.nll_loss(x, target, weight=minigrad.zeros(0), reduction=reduction)
    assert loss.requires_grad and not loss.is_leaf
    if expected == "nan":
        assert math.isnan(loss.item())
    else:
        assert loss.tolist() == expected
    loss.sum().backward()
    assert x.grad.shape == (2, 0)


def test_nll_loss_over_no_classes_still_checks_targets_and_weight():
    x = minigrad.zeros(2, 0)
    with pytest.raises(IndexError, match="Target 0 is out of bounds"):
        F.nll_loss(x, minigrad.tensor([0, -100]), weight=minigrad.zeros(0))
    with pytest.raises(ValueError, match="weight must have shape"):
        F.nll_loss(x, minigrad.tensor([-100, -100]), weight=minigrad.zeros(3))


NORMS_OF_EMPTY = [
    lambda x: F.layer_norm(x, (3,)),
    lambda x: F.group_norm(x, 2),
    lambda x: F.instance_norm(x),
]


@pytest.mark.parametrize("norm", NORMS_OF_EMPTY)
def test_normalization_of_an_empty_input_is_a_new_tensor_in_the_graph(norm):
    """PyTorch's result is a new tensor with a grad_fn (NativeLayerNormBackward0, ...);
    minigrad's was the input itself, a leaf."""
    x = minigrad.zeros(0, 4, 3, requires_grad=True)
    out = norm(x)
    assert out is not x and out.shape == (0, 4, 3)
    assert out.requires_grad and not out.is_leaf and out.grad_fn is not None
    out.sum().backward()
    assert x.grad.shape == (0, 4, 3)
    constant = minigrad.zeros(0, 4, 3)
    out = norm(constant)
    assert out is not constant and out.is_leaf and not out.requires_grad


def test_indexed_write_into_an_expanded_tensor_checks_the_view_its_ints_and_slices_make():
    """PyTorch applies an index's ints and slices first: ``e[0, [1]]`` writes into
    ``e[0]``, which repeats nothing, and runs without a warning; ``e[[0, 2]]`` and
    ``e[e > 1]`` write into ``e`` itself, deprecated in PyTorch (a warning), refused."""
    base = minigrad.tensor([1.0, 2.0])
    e = base.expand(3, 2)
    e[0, [1]] = 5.0
    e[0:1, [0]] = minigrad.tensor([4.0])
    e[1, e[1] > 4] = 6.0
    assert base.tolist() == [4.0, 6.0]
    for write in (
        lambda: e.__setitem__([0, 2], minigrad.tensor([[7.0, 8.0], [9.0, 10.0]])),
        lambda: e.__setitem__(e > 1, 0.0),
        lambda: e.__setitem__(([0], 1), 3.0),  # the int first: e[:, 1] still repeats
        lambda: e.__setitem__((slice(None), [0]), 3.0),
    ):
        with pytest.raises(RuntimeError, match="deprecation warning, minigrad refuses"):
            write()
    assert base.tolist() == [4.0, 6.0]
    e = e.clone()
    e[[0, 2]] = minigrad.tensor([[7.0, 8.0], [9.0, 10.0]])
    assert e.tolist() == [[7.0, 8.0], [4.0, 6.0], [9.0, 10.0]]


def _raise(op, minigrad_error="ran", torch_error="ran", kind="minigrad-only-raise", **extra):
    return Mismatch(kind, op, 0, "forward", "", "", minigrad_error, torch_error, ("int8",),
                    frozenset(), extra)  # fmt: skip


def test_allowlist_knows_the_empty_matmul_pool_and_deprecated_expanded_writes():
    checked = "RuntimeError: expected m1 and m2 to have the same dtype"
    assert compare.allowed(_raise("matmul_pool", checked, empty=True)) is not None
    assert compare.allowed(_raise("matmul_pool", checked, empty=False)) is None
    assert compare.allowed(_raise("matmul_pool", kind="dtype", empty=True)) is not None
    refused = "RuntimeError: __setitem__: unsupported operation: more than one element of the "
    refused += "written-to tensor refers to a single memory location (it was made by expand())"
    assert compare.allowed(_raise("setitem_tensor", refused, expanded_write=True)) is not None
    assert compare.allowed(_raise("setitem_mask", refused, expanded_write=True)) is not None
    # without PyTorch's deprecation warning, minigrad must run the write as PyTorch does
    assert compare.allowed(_raise("setitem_tensor", refused, expanded_write=False)) is None
    # fixed, no longer allowed: an empty group_norm's graph
    assert compare.allowed(_raise("group_norm", kind="requires_grad", empty=True)) is None
    size_mismatch = "RuntimeError: size mismatch (got input: [2, 0, 0, 0] , target: [2, 1, 3]"
    for op in ("cross_entropy", "nll_loss"):
        assert compare.allowed(_raise(op, torch_error=size_mismatch, kind="torch-only-raise"))
    # pow's gradient for an integer exponent at its dtype's minimum (PyTorch's e - 1 wraps), and
    # no longer norm's at a NaN (it is PyTorch's now)
    assert compare.allowed(_raise("pow", kind="grad", lowest_int_exponent=True)) is not None
    assert compare.allowed(_raise("pow", kind="grad", lowest_int_exponent=False)) is None
    written = "RuntimeError: one of the tensors needed for gradient computation by "
    written += "<MaxPool2dBackward> has been modified by an in-place operation: it is at"
    pooled = Mismatch("minigrad-only-raise", "copy_scalar_", 0, "backward", "", "", written,
                      "ran", ("float64",))  # fmt: skip
    assert compare.allowed(pooled) is not None
    out_of_bounds = "IndexError: index -3 is out of bounds for axis 2 with size 2"
    assert compare.allowed(_raise("getitem", out_of_bounds, empty_result=True)) is not None
    assert compare.allowed(_raise("getitem", out_of_bounds, empty_result=False)) is None
    nan_expected = Mismatch("grad", "norm_p", 0, "backward", "", "x.grad: value: no NaN where "
                            "the reference has one at [0]", "", "", ("float32",))  # fmt: skip
    assert compare.allowed(nan_expected) is None


def test_runner_records_the_warnings_of_each_step():
    session = _Session(minigrad_library())
    code = "import warnings\nwarnings.warn('Use of index_put_ on expanded tensors is deprecated')"
    assert session.exec(code) is None
    assert session.warned == ["Use of index_put_ on expanded tensors is deprecated"]
    assert session.exec("raise ValueError('no')") is not None
    assert session.warned == []


def test_item_of_a_float32_tensor_is_compared_at_float32_tolerance():
    """sin(1) in float32 is 0.84147096 in one library and 0.84147102 in the other: one
    float32 ulp, a bug at float64's tolerance, fine at float32's (the tensor's)."""
    mine, theirs = (Summary("value", dtype="float", array=v) for v in (0.84147096, 0.84147102))
    assert differ(mine, theirs)[0] == "value"  # float64's tolerance: a mismatch
    assert differ(mine, theirs, source="float32") is None
    assert differ(mine, theirs, low=True) is None  # float32 on the way, as for tensors
    assert differ(mine, theirs, source="float64") is not None
    far = Summary("value", dtype="float", array=0.8416)
    assert differ(far, theirs, source="float32") is not None


@pytest.mark.parametrize(
    "shape, write",
    [
        ((1,), lambda x: x.__setitem__(None, x)),  # a one-element value, laid out otherwise
        ((1, 1), lambda x: x.__setitem__(0, x)),
        ((1, 1), lambda x: x.__setitem__((slice(None), 0), x)),
        ((2, 0, 3), lambda x: x.__setitem__((slice(None), slice(0, 2), [1, 1]), x)),  # x
        ((3, 2), lambda x: x.__setitem__((slice(0, 3), [0, 1]), x)),  # x itself: full
    ],
)
def test_writes_from_own_memory_that_pytorch_refuses(shape, write):
    x = minigrad.zeros(*shape)
    with pytest.raises(RuntimeError, match=OVERLAP):
        write(x)


@pytest.mark.parametrize(
    "shape, key, source, expected",
    [
        ((3,), None, slice(None), [1.0, 2.0, 3.0]),  # PyTorch drops the 1: a full overlap
        ((1,), 0, slice(None), [1.0]),  # into a 0-d view: the same layout
        ((3,), slice(None), 0, [1.0, 1.0, 1.0]),  # a 0-d value: fill_, unchecked
        ((2, 2), 0, (0, 1), [[2.0, 2.0], [3.0, 4.0]]),
        ((2, 2), Ellipsis, (1, 0), [[3.0, 3.0], [3.0, 3.0]]),
        ((3,), slice(None), slice(0, 1), [1.0, 1.0, 1.0]),  # one element broadcast: unchecked
        ((3, 1), ([0, 1, 2], slice(1, None)), slice(None), [[1.0], [2.0], [3.0]]),  # x[:, 1:]
        ((3, 0), ([0, 1, 2], slice(1, None)), slice(None), [[], [], []]),  # a view, not x
    ],
)
def test_writes_from_own_memory_that_pytorch_runs(shape, key, source, expected):
    """``x[key] = x[source]``, each as PyTorch 2.13 runs it (x = 1, 2, 3, ...)."""
    x = (minigrad.arange(float(math.prod(shape))) + 1).reshape(*shape)
    x[key] = x[source]
    assert x.tolist() == expected


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ((0, [1, 2]), [7.0, 8.0], [[1.0, 7.0, 8.0]]),
        ((slice(0, 1), [2, 0]), [7.0, 8.0], [[8.0, -2.0, 7.0]]),
        ((2, "mask"), 0.5, [[1.0, 0.5, 0.5]]),
    ],
)
def test_indexed_writes_through_an_expanded_view_that_pytorch_runs(key, value, expected):
    """Into ``x.expand(4, 3)`` of x = [[1, -2, -3]]: each writes a location once."""
    x = minigrad.tensor([[1.0, -2.0, -3.0]])
    if key[1] == "mask":
        key = (key[0], x[0] < 0)
    x.expand(4, 3)[key] = minigrad.tensor(value) if isinstance(value, list) else value
    assert x.tolist() == expected


@pytest.mark.parametrize("shape", [(3, 0), (0,)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_no_classes_and_an_empty_weight_runs_as_in_pytorch(shape, reduction):
    # PyTorch 2.13: every target ignored, zero classes, weight of shape (0,): 'mean' nan,
    # 'sum' 0, 'none' zeros; the gradient is empty. minigrad used to raise an IndexError.
    x = minigrad.zeros(*shape, dtype=minigrad.float64, requires_grad=True)
    target = minigrad.tensor([-100] * shape[0] if len(shape) == 2 else -100)
    weight = minigrad.zeros(0, dtype=minigrad.float64)
    loss = minigrad.cross_entropy(x, target, weight=weight, reduction=reduction)
    expected = {"mean": np.nan, "sum": 0.0, "none": 0.0}[reduction]
    np.testing.assert_array_equal(loss.numpy(), np.full(loss.shape, expected))
    loss.sum().backward()
    assert x.grad.shape == shape


def test_relu_passes_the_gradient_of_a_nan_as_pytorch(device):
    # PyTorch 2.13's threshold_backward blocks where the input is <= 0, so a NaN (whose
    # output is NaN) gets its gradient: relu([nan, 1, -1, 0]) backward gives [1, 1, 0, 0].
    # minigrad used to block everything not > 0, NaN included. Also with a gradient that
    # is not finite, which the CPU fast path hands to the reference.
    for upstream in ([1.0, 1.0, 1.0, 1.0], [2.0, float("inf"), float("inf"), float("nan")]):
        x = minigrad.tensor([float("nan"), 1.0, -1.0, 0.0], device=device, requires_grad=True)
        minigrad.relu(x).backward(minigrad.tensor(upstream, device=device))
        np.testing.assert_array_equal(x.grad.numpy(), [upstream[0], upstream[1], 0.0, 0.0])


def test_frobenius_norm_over_more_than_two_dims_is_refused_as_in_pytorch():
    # PyTorch 2.13: p='fro' with a dim of 3 or more dims is a matrix norm, and refused;
    # None, one dim or two dims are the vector 2-norm. minigrad used to run every case.
    x = minigrad.ones(2, 3, 4)
    with pytest.raises(RuntimeError, match=r"dim must be a 2-tuple\. Got 0 1 2"):
        x.norm(p="fro", dim=(0, 1, 2))
    assert x.norm(p="fro", dim=(0, 1)).shape == (4,)
    assert x.norm(p="fro", dim=[2]).shape == (2, 3)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy", "smoothed"])
def test_an_ignored_sample_gets_no_gradient_even_from_an_infinite_one(loss, reduction):
    # PyTorch 2.13 skips ignored samples in backward: their gradient is 0 even when the
    # output gradient is inf (minigrad computed 0 * inf = nan there); a sample of a
    # class of weight 0 still gets 0 * inf = nan, in both.
    x = minigrad.tensor([[0.0, 0.0], [1.0, 2.0]], dtype=minigrad.float64, requires_grad=True)
    weight = minigrad.tensor([0.0, 1.0], dtype=minigrad.float64)
    target = minigrad.tensor([0, -100])
    if loss == "nll_loss":
        out = F.nll_loss(x, target, weight=weight, reduction=reduction)
    else:
        smoothing = 0.2 if loss == "smoothed" else 0.0
        out = F.cross_entropy(x, target, weight=weight, reduction=reduction,
                              label_smoothing=smoothing)  # fmt: skip
    out.backward(minigrad.full(tuple(out.shape), -math.inf, dtype=minigrad.float64))
    grad = x.grad.numpy()
    assert np.isnan(grad[0, 0])  # the weight-0 class's sample: 0 * inf, as in PyTorch
    np.testing.assert_array_equal(grad[1], [0.0, 0.0])  # the ignored sample


def test_rebinding_augmented_assignment_keeps_the_shape_and_dtype_an_inplace_write_would():
    # x += y on a tensor in the graph makes a new tensor in minigrad (PyTorch writes in
    # place): it used to take the promoted dtype and the broadcast shape; PyTorch keeps
    # x's dtype, and refuses a y that would grow x.
    x = minigrad.zeros(2, requires_grad=True)
    t = x * 1
    t += minigrad.ones(2, dtype=minigrad.float64)
    assert t.dtype == minigrad.float32
    t.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    t = x * 1
    with pytest.raises(RuntimeError, match=r"output with shape \[2\] doesn't match"):
        t += minigrad.ones(3, 2)
    counts = minigrad.zeros(2, dtype=minigrad.int64)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        counts += x


# (input, min, max) -> PyTorch 2.13's result dtype. "dim": a tensor of shape (2,), "0-d":
# one of shape (), a bare dtype name: a Python number of that kind.
CLAMP_DTYPES = [
    (("0-d", "float64"), ("dim", "float32"), ("0-d", "float64"), "float32"),  # fuzzer
    (("dim", "bool"), ("0-d", "uint8"), ("0-d", "int32"), "int32"),
    (("dim", "bool"), ("0-d", "int32"), ("dim", "uint8"), "uint8"),
    (("dim", "uint8"), ("0-d", "float16"), ("0-d", "float32"), "float32"),
    (("dim", "int32"), ("0-d", "float64"), None, "float64"),
    (("dim", "int32"), ("0-d", "float64"), "int", "float32"),  # a number: 0-d counts as one
    (("dim", "bool"), ("0-d", "uint8"), "int", "int64"),
    (("dim", "uint8"), "int", ("0-d", "float16"), "float32"),
    (("dim", "float16"), ("dim", "float64"), None, "float64"),
    (("0-d", "float16"), "float", None, "float16"),
    (("dim", "int64"), "float", None, "float32"),
    (("dim", "uint8"), "int", "int", "uint8"),
]


def _clamp_operand(spec):
    if spec is None or isinstance(spec, str):
        return {None: None, "int": 1, "float": 0.5}[spec]
    kind, dtype = spec
    return minigrad.zeros((2,) if kind == "dim" else (), dtype=getattr(minigrad, dtype))


@pytest.mark.parametrize(("input", "low", "high", "expected"), CLAMP_DTYPES)
def test_clamp_promotes_the_input_and_its_bounds_together_as_pytorch(input, low, high, expected):
    # PyTorch promotes the three operands at once (tensors with dims first, then 0-d
    # ones, then numbers), and with a number bound it takes its overload for numbers,
    # where a 0-d tensor counts as a number; minigrad promoted pairwise, input with
    # each bound in turn, so a 0-d float64 input clamped to a float32 tensor was float64.
    out = minigrad.clamp(*map(_clamp_operand, (input, low, high)))
    assert out.dtype == getattr(minigrad, expected)


def test_norm_gradient_at_a_nan_is_pytorchs():
    # PyTorch 2.13: the sign of a NaN is 0, so p=1 and p=inf give it no gradient; for
    # other p, a NaN norm makes every gradient NaN, even at zeros (minigrad used to
    # give NaN at the NaN for p=1 and inf, and 0 at the zeros).
    nan = float("nan")
    expected = {1: [0.0, 2.0, 0.0], math.inf: [0.0, 0.0, 0.0], 2: [nan] * 3, 3: [nan] * 3,
                0.5: [nan] * 3}  # fmt: skip
    for p, grad in expected.items():
        x = minigrad.tensor([nan, 1.0, 0.0], requires_grad=True)
        x.norm(p=p).backward(minigrad.tensor(2.0))
        np.testing.assert_array_equal(x.grad.numpy(), grad, err_msg=f"p={p}")
        zeros = minigrad.zeros(2, requires_grad=True)
        zeros.norm(p=p).backward()
        assert zeros.grad.tolist() == [0.0, 0.0], p


def test_pow_by_false_is_not_pow_by_zero_in_backward():
    # PyTorch 2.13's gradient of x ** 0 is 0, even at x = 0; False is not the number 0
    # there, so x ** False gets False * x ** -1, which is NaN at 0.
    x = minigrad.tensor([0.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    (x**False).backward(minigrad.ones(2, dtype=minigrad.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [math.nan, 0.0])
    x.grad = None
    (x**0).backward(minigrad.ones(2, dtype=minigrad.float64))
    assert x.grad.tolist() == [0.0, 0.0]


def test_indexed_write_of_an_empty_tensor_with_a_leading_one_into_itself_runs():
    # PyTorch drops the value's leading 1s first, which makes a new, empty view: it
    # overlaps nothing. Without a leading 1 the value is the tensor itself: refused.
    x = minigrad.zeros(1, 0, dtype=minigrad.int64)
    x[[-1]] = x
    assert x.shape == (1, 0)
    y = minigrad.zeros(2, 0, dtype=minigrad.int64)
    with pytest.raises(RuntimeError, match=OVERLAP):
        y[[1]] = y


@pytest.mark.parametrize("op", ["matmul", "linear"])
def test_a_product_keeps_only_the_operand_a_gradient_needs(op):
    # PyTorch 2.13 saves, for x @ w, w only when x needs a gradient and x only when w
    # does, so an in-place write into the other runs; minigrad saved both, and refused.
    def product(x, w):
        return x @ w.T if op == "matmul" else F.linear(x, w)

    for x_grad, written in [(True, "x"), (False, "w")]:
        x = minigrad.ones(2, 3, requires_grad=x_grad)
        w = minigrad.ones(4, 3, requires_grad=not x_grad)
        out = product(x, w)
        with minigrad.no_grad():
            (x if written == "x" else w).add_(1)
        out.sum().backward()  # runs: the written operand is not needed
        assert (x.grad if x_grad else w.grad).tolist()[0] == ([4.0] * 3 if x_grad else [2.0] * 3)
        x = minigrad.ones(2, 3, requires_grad=x_grad)
        w = minigrad.ones(4, 3, requires_grad=not x_grad)
        out = product(x, w)
        with minigrad.no_grad():
            (w if written == "x" else x).add_(1)  # the operand the gradient needs
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            out.sum().backward()


def test_avg_pool2d_refuses_backward_after_its_input_was_written_as_pytorch():
    # PyTorch's avg_pool2d saves its input (minigrad's backward needs only its shape).
    x = minigrad.zeros(2, 2, 2, dtype=minigrad.float64, requires_grad=True)
    out = F.avg_pool2d(x, 2)
    with minigrad.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.sum().backward()


def test_backward_refuses_after_writes_into_what_pytorch_saves_for_pow_and_div():
    # PyTorch saves x ** e's output for a tensor exponent even when e needs no gradient,
    # and a / b's a for b's gradient even when a was converted (a bool a is divided as
    # float64); minigrad saved neither, so a write into them went unnoticed.
    x = minigrad.tensor([2.0, 3.0], dtype=minigrad.float64, requires_grad=True)
    out = x ** minigrad.tensor([-3, 2])
    with minigrad.no_grad():
        out.clamp_(0.0, None)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.sum().backward()
    y = minigrad.tensor(1.0, dtype=minigrad.float64, requires_grad=True)
    flag = minigrad.tensor(False)
    out = flag / y
    with minigrad.no_grad():
        flag[...] = True
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.backward()
    out = x**2  # a number exponent: the output is not saved
    with minigrad.no_grad():
        out.add_(1)
    out.sum().backward()


def _int8():
    return minigrad.zeros(2, dtype=minigrad.int8)


# What PyTorch 2.13 raises (the type) where minigrad raised another type, or let a raw
# NumPy error through (OverflowError from fill(inf), "operands could not be broadcast").
ERROR_TYPES = [
    (lambda: -minigrad.tensor([True]), RuntimeError, "Negation, the `-` operator"),
    (lambda: _int8().fill_(math.inf), RuntimeError, "cannot be converted to type int8"),
    (lambda: _int8().fill_(math.nan), RuntimeError, "cannot be converted to type int8"),
    (lambda: _int8().fill_(1e10), RuntimeError, "cannot be converted to type int8"),
    (lambda: _int8().__setitem__(0, math.inf), RuntimeError, "cannot be converted"),
    (lambda: _int8().__setitem__([0], 1e10), RuntimeError, "cannot be converted"),
    (lambda: minigrad.zeros(3).__setitem__([0, 1], minigrad.zeros(3)), RuntimeError, "shape"),
    (
        lambda: minigrad.zeros(3).__setitem__(slice(0, 2), minigrad.zeros(3)),
        RuntimeError,
        "broadcast",
    ),
    (
        lambda: minigrad.clamp(minigrad.zeros(2, 3), minigrad.zeros(4), minigrad.zeros(4)),
        RuntimeError,
        r"clamp: shapes \(2, 3\) and \(4,\) and \(4,\) cannot be broadcast",
    ),
    (lambda: minigrad.zeros(2) | minigrad.zeros(2), NotImplementedError, "integer and bool"),
    (lambda: F.silu(minigrad.zeros(2, dtype=minigrad.int64)), NotImplementedError, "floating"),
    (
        lambda: F.layer_norm(minigrad.zeros(2, 3, dtype=minigrad.int64), (3,)),
        NotImplementedError,
        "floating",
    ),
    (lambda: F.dropout(minigrad.zeros(4, dtype=minigrad.int64), 0.5), RuntimeError, "floating"),
    (lambda: F.pad(minigrad.zeros(2), (1,)), RuntimeError, "even length"),
]


@pytest.mark.parametrize(("call", "error", "message"), ERROR_TYPES)
def test_errors_have_pytorchs_types(call, error, message):
    with pytest.raises(error, match=message) as caught:
        call()
    if error is RuntimeError:  # not a NotImplementedError where PyTorch's is plain
        assert type(caught.value) is RuntimeError
    assert minigrad.zeros(2, dtype=minigrad.int8).fill_(2.7).tolist() == [2, 2]  # truncates


def test_more_errors_of_pytorchs_types():
    with pytest.raises(NotImplementedError, match="input must be floating point"):
        F.cross_entropy(minigrad.zeros(2, 3, dtype=minigrad.int64), minigrad.tensor([0, 1]))
    with pytest.raises(NotImplementedError, match='"max_pool2d" is not implemented for bool'):
        F.max_pool2d(minigrad.zeros(1, 1, 2, 2, dtype=minigrad.bool), 2)
    x = minigrad.zeros(2)
    with pytest.raises(RuntimeError, match=r"value tensor of shape \(0, 3\) cannot be"):
        x[0:2] = minigrad.zeros(0, 3)  # an empty value: NumPy's own error was let through


def test_empty_one_d_tensors_alone_join_along_any_dim_as_in_pytorch():
    # PyTorch's legacy rule skips empty 1-D tensors in cat, and with nothing else to
    # join it checks no dim: torch.cat([torch.zeros(0)] * 2, dim=1) is tensor([]).
    e = minigrad.zeros(0, requires_grad=True)
    for dim in (0, 1, 5, -7):
        assert minigrad.cat([e, e], dim=dim).shape == (0,)
    assert minigrad.cat([e, minigrad.ones(2, 3)], dim=1).shape == (2, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        minigrad.cat([e, minigrad.ones(2, 3)], dim=2)  # checked against the others


def test_pow_exponent_gradient_multiplies_its_zero_by_the_upstream_gradient():
    # PyTorch 2.13: the exponent's gradient is grad * where(0 ** b is flat, 0, ...), so an
    # infinite upstream gradient gives NaN there; minigrad took the where last, giving 0.
    inf, nan = math.inf, math.nan
    x = minigrad.tensor([0.0, 0.0, -1.0], dtype=minigrad.float64, requires_grad=True)
    (0.0**x).backward(minigrad.tensor([0.0, -inf, 1.0], dtype=minigrad.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, nan, -inf])
    a = minigrad.tensor([0.0, 2.0], dtype=minigrad.float64)
    b = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    (a**b).backward(minigrad.tensor([inf, 1.0], dtype=minigrad.float64))
    np.testing.assert_allclose(b.grad.numpy(), [nan, 4 * math.log(2)])


def test_var_without_degrees_of_freedom_has_pytorchs_gradient_at_infinities():
    # PyTorch 2.13: with no degrees of freedom left, the gradient is NaN where x equals
    # the mean, inf elsewhere; x = inf is its own mean (minigrad compared x - mean, which
    # is NaN there, with 0, and gave inf).
    inf, nan = math.inf, math.nan
    for values, expected in [([-inf], nan), ([nan], inf), ([1.0], nan)]:
        x = minigrad.tensor(values[0], dtype=minigrad.float64, requires_grad=True)
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):  # as PyTorch
            x.var().backward()
        np.testing.assert_array_equal(x.grad.numpy(), expected)
    x = minigrad.tensor([inf, 0.0], dtype=minigrad.float64, requires_grad=True)
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        x.var(correction=2).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [nan, inf])


def test_a_basic_index_with_an_ellipsis_is_a_view_whatever_its_layout():
    # x[0, ::2, ...] is a strided view; minigrad copied a basic index's result that was
    # not contiguous when its key held an Ellipsis, so later writes into x did not show.
    x = minigrad.zeros(2, 3, dtype=minigrad.float64, requires_grad=True)
    y = x * 2
    for key in [(0, slice(None, None, 2), Ellipsis), (Ellipsis, 1), (slice(None), Ellipsis, 0)]:
        view = y[key]
        with minigrad.no_grad():
            y.fill_(5.0)
        assert set(view.flatten().tolist()) == {5.0}, key
        with minigrad.no_grad():
            y.zero_()
    y[0, ::2, ...].sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0, 2.0], [0.0, 0.0, 0.0]]


def test_power_of_minus_a_half_is_pytorchs_rsqrt():
    # PyTorch computes x ** -0.5 as rsqrt(x): NaN at -inf and -inf at -0.0, where C's pow
    # gives 0 and inf; x ** 0.5's gradient goes through it too (0.5 * x ** -0.5).
    inf, nan = math.inf, math.nan
    x = minigrad.tensor([-inf, -0.0, 0.0, 4.0], dtype=minigrad.float64, requires_grad=True)
    np.testing.assert_array_equal((x**-0.5).detach().numpy(), [nan, -inf, inf, 0.5])
    (x**0.5).backward(minigrad.tensor([0.0, 1.0, 1.0, 1.0], dtype=minigrad.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [nan, -inf, inf, 0.25])


def test_an_expanded_tensor_copied_into_itself_runs_as_in_pytorch():
    # PyTorch's copy_ returns at once when the source is the tensor itself, before it
    # checks for elements that share memory (minigrad refused the expanded tensor).
    t = minigrad.tensor(False).expand(2)
    with minigrad.no_grad():
        t.copy_(t)
    assert t.tolist() == [False, False]
    leaf = minigrad.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.copy_(leaf)  # with grad mode on, autograd's check still comes first


def test_filling_an_expanded_tensor_with_a_number_runs_as_in_pytorch():
    # PyTorch's fill_(number) and zero_() write one value everywhere, so they run on a
    # tensor whose elements share memory (expand()); fill_(tensor) is refused, as other
    # in-place writes are.
    base = minigrad.zeros(1)
    t = base.expand(3)
    with minigrad.no_grad():
        t.fill_(1.5)
        assert base.tolist() == [1.5] and t.tolist() == [1.5] * 3
        t.zero_()
        assert base.tolist() == [0.0]
        with pytest.raises(RuntimeError, match="more than one element of the written-to"):
            t.fill_(minigrad.tensor(2.0))


@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy", "smoothed"])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (1, 3, 2)])
def test_class_losses_refuse_backward_after_writes_into_what_pytorch_saves(loss, shape):
    # PyTorch saves nll_loss's input, and both losses' target and weight (cross_entropy's
    # input only feeds log_softmax, which saves its output). minigrad's primitives keep
    # converted copies, so writes into the given tensors went unnoticed.
    targets = {(3,): [0], (2, 3): [0, 1], (1, 3, 2): [[0, 1]]}
    for written, weighted in [("input", True), ("target", True), ("weight", True),
                              ("target", False)]:  # fmt: skip
        x = minigrad.zeros(shape, dtype=minigrad.float64, requires_grad=True)
        target = minigrad.tensor(targets[shape]).reshape(
            () if len(shape) == 1 else (shape[0], *shape[2:])
        )
        weight = minigrad.ones(3, dtype=minigrad.float64)
        given = weight if weighted else None
        if loss == "nll_loss":
            out = F.nll_loss(x, target, weight=given)
        else:
            smoothing = 0.1 if loss == "smoothed" else 0.0
            out = F.cross_entropy(x, target, weight=given, label_smoothing=smoothing)
        with minigrad.no_grad():
            {"input": x, "target": target, "weight": weight}[written].add_(1)
        if written == "input" and loss != "nll_loss":
            out.backward()  # runs, as in PyTorch
        else:
            with pytest.raises(RuntimeError, match="modified by an in-place operation"):
                out.backward()
