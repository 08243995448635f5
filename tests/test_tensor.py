"""Tests of the Tensor itself: creation, randomness, attributes, dtypes, devices, in-place
updates, detaching and copying, and the errors raised for bad input.

Every expectation follows PyTorch's documented behaviour (checked against torch 2.13), not
minigrad's own output.
"""

from __future__ import annotations

import importlib.util
import operator
import re

import numpy as np
import pytest

import minigrad


def dev(device: str) -> minigrad.device:
    """The interned Device for the fixture's device string."""
    return minigrad.device(device)


def values(t: minigrad.Tensor) -> np.ndarray:
    """The tensor's values on the host."""
    return t.numpy()


def _t(data, device, dtype=None):
    """Shorthand for ``minigrad.tensor(data, dtype=dtype, device=device)``."""
    return minigrad.tensor(data, dtype=dtype, device=device)


# ========================================================================================
# Creation: tensor()
# ========================================================================================


@pytest.mark.parametrize(
    ("data", "dtype", "shape"),
    [
        ([1.5, 2.0], minigrad.float32, (2,)),  # Python floats -> the default float type
        ([1, 2, 3], minigrad.int64, (3,)),  # Python ints -> int64
        ([True, False], minigrad.bool, (2,)),
        ([1, 2.5], minigrad.float32, (2,)),  # mixed ints and floats -> float
        ([True, 2], minigrad.int64, (2,)),  # mixed bools and ints -> int
        (2.5, minigrad.float32, ()),
        (7, minigrad.int64, ()),
        (True, minigrad.bool, ()),
        ([[1, 2, 3], [4, 5, 6]], minigrad.int64, (2, 3)),
        ([[[1.0], [2.0]]], minigrad.float32, (1, 2, 1)),
        ([], minigrad.float32, (0,)),
    ],
)
def test_tensor_infers_dtype_from_python_data(device, data, dtype, shape):
    t = minigrad.tensor(data, device=device)
    assert t.dtype == dtype
    assert t.shape == shape
    np.testing.assert_array_equal(values(t), np.array(data, dtype=dtype))


@pytest.mark.parametrize(
    "np_dtype", [np.float16, np.float32, np.float64, np.uint8, np.int8, np.int32, np.int64, bool]
)
def test_tensor_keeps_numpy_dtype(device, np_dtype):
    array = np.arange(6).reshape(2, 3).astype(np_dtype)
    t = minigrad.tensor(array, device=device)
    assert t.dtype == np.dtype(np_dtype)
    assert t.shape == (2, 3)
    np.testing.assert_array_equal(values(t), array)


def test_tensor_keeps_numpy_scalar_dtype(device):
    assert minigrad.tensor(np.float64(1.5), device=device).dtype == minigrad.float64
    assert minigrad.tensor(np.array(2.0), device=device).dtype == minigrad.float64
    assert minigrad.tensor(np.int32(3), device=device).dtype == minigrad.int32


@pytest.mark.parametrize(
    ("data", "dtype", "expected"),
    [
        ([1, 2], minigrad.float32, [1.0, 2.0]),
        ([1.7, -1.7], minigrad.int64, [1, -1]),  # casting to int truncates toward zero
        ([0.0, 2.0], minigrad.bool, [False, True]),
        (np.array([1.5], dtype=np.float32), minigrad.float64, [1.5]),
        ([1, 2], float, [1.0, 2.0]),  # dtype=float means float64, as in PyTorch
        ([1.0, 2.0], int, [1, 2]),  # and dtype=int means int64
    ],
)
def test_tensor_dtype_keyword_overrides_inference(device, data, dtype, expected):
    t = minigrad.tensor(data, dtype=dtype, device=device)
    want = {float: minigrad.float64, int: minigrad.int64}.get(dtype, dtype)
    assert t.dtype == want
    assert t.tolist() == expected


def test_tensor_accepts_numpy_type_objects_as_dtype(device):
    assert minigrad.tensor([1], dtype=np.float16, device=device).dtype == minigrad.float16


def test_tensor_copies_numpy_data(device):
    array = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    t = minigrad.tensor(array, device=device)
    array[0] = 100.0
    assert t.tolist() == [1.0, 2.0, 3.0]
    t2 = minigrad.tensor(array, device=device)
    t2.fill_(0.0)
    assert array.tolist() == [100.0, 2.0, 3.0]


def test_tensor_of_a_tensor_copies(device):
    source = minigrad.tensor([1.0, 2.0], device=device)
    t = minigrad.tensor(source)
    assert t is not source
    assert t.device is source.device
    source.add_(10.0)
    assert t.tolist() == [1.0, 2.0]


def test_tensor_from_list_of_zero_dim_tensors(device):
    parts = [minigrad.tensor(1.0, device=device), minigrad.tensor(2.0, device=device)]
    t = minigrad.tensor(parts)
    assert t.shape == (2,)
    assert t.tolist() == [1.0, 2.0]


def test_tensor_class_constructor_matches_tensor_function(device):
    t = minigrad.Tensor([1, 2], device=device)
    assert isinstance(t, minigrad.Tensor)
    assert t.dtype == minigrad.int64
    assert t.tolist() == [1, 2]


def test_tensor_of_list_of_numpy_float64_scalars_is_float64(device):
    assert minigrad.tensor([np.float64(1.5)], device=device).dtype == minigrad.float64


# ========================================================================================
# Creation: from_numpy
# ========================================================================================


def test_from_numpy_shares_memory_both_ways():
    array = np.array([[1, 2], [3, 4]], dtype=np.int32)
    t = minigrad.from_numpy(array)
    assert t.dtype == minigrad.int32
    assert str(t.device) == "cpu"
    array[0, 0] = 10
    assert t.tolist() == [[10, 2], [3, 4]]
    t.add_(1)
    assert array.tolist() == [[11, 3], [4, 5]]


def test_from_numpy_rejects_non_arrays_and_unsupported_dtypes():
    with pytest.raises(TypeError, match="ndarray"):
        minigrad.from_numpy([1, 2, 3])
    with pytest.raises(TypeError, match="complex"):
        minigrad.from_numpy(np.array([1 + 2j]))


# ========================================================================================
# Creation: zeros, ones, full, empty, arange, eye, linspace
# ========================================================================================


@pytest.mark.parametrize(("factory", "fill"), [(minigrad.zeros, 0.0), (minigrad.ones, 1.0)])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],)])
def test_zeros_ones_accept_varargs_tuple_or_list(device, factory, fill, size):
    t = factory(*size, device=device)
    assert t.shape == (2, 3)
    assert t.dtype == minigrad.float32
    assert t.device is dev(device)
    np.testing.assert_array_equal(values(t), np.full((2, 3), fill, dtype=np.float32))


@pytest.mark.parametrize("factory", [minigrad.zeros, minigrad.ones, minigrad.empty])
def test_sized_factories_dtype_and_shapes(device, factory):
    t = factory(4, dtype=minigrad.int64, device=device)
    assert (t.shape, t.dtype) == ((4,), minigrad.int64)
    assert factory((), device=device).shape == ()
    assert factory(0, 3, device=device).shape == (0, 3)
    assert factory(2, 3, dtype=minigrad.float64, device=device).dtype == minigrad.float64


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_sized_factories_take_size_as_a_keyword(device, name):
    """``torch.zeros(size=(2, 3))``, as PyTorch programs write it; not both spellings."""
    factory = getattr(minigrad, name)
    assert factory(size=(2, 3), device=device).shape == (2, 3)
    assert factory(size=[4], device=device).shape == (4,)
    assert factory(size=(), device=device).shape == ()
    with pytest.raises(TypeError, match=rf"{name}\(\) got multiple values for argument 'size'"):
        factory(2, size=(3,))


def test_empty_has_requested_shape_and_default_dtype(device):
    t = minigrad.empty(3, 2, device=device)
    assert (t.shape, t.dtype) == ((3, 2), minigrad.float32)
    assert t.device is dev(device)


@pytest.mark.parametrize(
    ("fill", "dtype"),
    [(7, minigrad.int64), (2.5, minigrad.float32), (True, minigrad.bool)],
)
def test_full_infers_dtype_from_fill_value(device, fill, dtype):
    t = minigrad.full((2, 2), fill, device=device)
    assert t.dtype == dtype
    assert t.shape == (2, 2)
    assert t.tolist() == [[fill, fill], [fill, fill]]


def test_full_dtype_keyword(device):
    t = minigrad.full((3,), 7, dtype=minigrad.float64, device=device)
    assert t.dtype == minigrad.float64
    assert t.tolist() == [7.0, 7.0, 7.0]
    assert minigrad.full((2,), 2.9, dtype=minigrad.int64, device=device).tolist() == [2, 2]


@pytest.mark.parametrize(
    ("args", "kwargs", "dtype", "expected"),
    [
        ((5,), {}, minigrad.int64, [0, 1, 2, 3, 4]),
        ((2, 6), {}, minigrad.int64, [2, 3, 4, 5]),
        ((0, 10, 3), {}, minigrad.int64, [0, 3, 6, 9]),
        ((5, 0, -1), {}, minigrad.int64, [5, 4, 3, 2, 1]),
        ((5.0,), {}, minigrad.float32, [0.0, 1.0, 2.0, 3.0, 4.0]),
        ((0, 1, 0.25), {}, minigrad.float32, [0.0, 0.25, 0.5, 0.75]),
        ((1, 2.5, 0.5), {}, minigrad.float32, [1.0, 1.5, 2.0]),
        ((3,), {"dtype": minigrad.float64}, minigrad.float64, [0.0, 1.0, 2.0]),
        ((0, 0), {}, minigrad.int64, []),
    ],
)
def test_arange_values_and_dtype(device, args, kwargs, dtype, expected):
    t = minigrad.arange(*args, **kwargs, device=device)
    assert t.dtype == dtype
    assert t.device is dev(device)
    assert t.tolist() == expected


def test_arange_length_for_fractional_step(device):
    assert minigrad.arange(0, 1, 0.1, device=device).shape == (10,)


def test_arange_inconsistent_bounds_raise(device):
    with pytest.raises(RuntimeError, match="inconsistent"):
        minigrad.arange(5, 0, device=device)


def test_arange_of_numpy_integer_is_int64(device):
    assert minigrad.arange(np.int64(3), device=device).dtype == minigrad.int64


def test_eye(device):
    t = minigrad.eye(3, device=device)
    assert (t.shape, t.dtype) == ((3, 3), minigrad.float32)
    np.testing.assert_array_equal(values(t), np.eye(3))
    rect = minigrad.eye(2, 3, dtype=minigrad.int64, device=device)
    assert rect.dtype == minigrad.int64
    assert rect.tolist() == [[1, 0, 0], [0, 1, 0]]


def test_linspace(device):
    t = minigrad.linspace(0, 1, 5, device=device)
    assert t.dtype == minigrad.float32
    assert t.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert minigrad.linspace(2, 3, 1, device=device).tolist() == [2.0]
    ints = minigrad.linspace(0, 10, 5, dtype=minigrad.int64, device=device)
    assert ints.tolist() == [0, 2, 5, 7, 10]  # computed in floating point, then truncated


# ========================================================================================
# Creation: random tensors
# ========================================================================================


def test_rand_is_uniform_on_unit_interval(device):
    t = minigrad.rand(100, 50, device=device)
    assert (t.shape, t.dtype) == ((100, 50), minigrad.float32)
    v = values(t)
    assert v.min() >= 0.0
    assert v.max() < 1.0
    assert abs(v.mean() - 0.5) < 0.02
    assert minigrad.rand((2, 3), dtype=minigrad.float64, device=device).dtype == minigrad.float64
    assert minigrad.rand(4, dtype=minigrad.float16, device=device).dtype == minigrad.float16


def test_randn_is_standard_normal(device):
    t = minigrad.randn(20000, device=device)
    assert (t.shape, t.dtype) == ((20000,), minigrad.float32)
    v = values(t)
    assert abs(v.mean()) < 0.03
    assert abs(v.std() - 1.0) < 0.03
    assert minigrad.randn((2, 3), device=device).shape == (2, 3)


def test_randint_high_size_form(device):
    t = minigrad.randint(10, (2000,), device=device)
    assert (t.shape, t.dtype) == ((2000,), minigrad.int64)
    assert set(t.tolist()) == set(range(10))  # every value in [0, 10), and only those


def test_randint_low_high_size_form(device):
    t = minigrad.randint(3, 5, (10, 20), device=device)
    assert t.shape == (10, 20)
    assert set(np.unique(values(t)).tolist()) == {3, 4}
    assert minigrad.randint(-2, 0, size=(50,), device=device).numpy().max() < 0


def test_randint_dtype_keyword(device):
    t = minigrad.randint(0, 4, (8,), dtype=minigrad.int32, device=device)
    assert t.dtype == minigrad.int32
    assert values(t).min() >= 0
    assert values(t).max() < 4


def test_randint_needs_low_below_high(device):
    with pytest.raises(RuntimeError, match="5"):
        minigrad.randint(5, 5, (3,), device=device)


def test_randint_accepts_low_high_keywords(device):
    t = minigrad.randint(low=2, high=5, size=(10,), device=device)
    assert values(t).min() >= 2


# ========================================================================================
# Creation: the *_like functions
# ========================================================================================


@pytest.mark.parametrize(
    ("like", "args", "check"),
    [
        (minigrad.zeros_like, (), lambda v: (v == 0).all()),
        (minigrad.ones_like, (), lambda v: (v == 1).all()),
        (minigrad.empty_like, (), lambda v: True),
        (minigrad.full_like, (7,), lambda v: (v == 7).all()),
        (minigrad.rand_like, (), lambda v: ((v >= 0) & (v < 1)).all()),
        (minigrad.randn_like, (), lambda v: np.isfinite(v).all() and v.std() > 0),
        (minigrad.randint_like, (3, 6), lambda v: ((v >= 3) & (v < 6)).all()),
    ],
)
def test_like_functions_copy_shape_dtype_and_device(device, like, args, check):
    source = minigrad.zeros(4, 5, dtype=minigrad.float64, device=device, requires_grad=True)
    t = like(source, *args)
    assert t.shape == (4, 5)
    assert t.dtype == minigrad.float64
    assert t.device is dev(device)
    assert not t.requires_grad  # requires_grad is not copied
    assert check(values(t))
    assert like(source, *args, dtype=minigrad.float32).dtype == minigrad.float32


def test_like_functions_on_integer_tensors(device):
    ints = minigrad.tensor([1, 2, 3], device=device)
    assert minigrad.zeros_like(ints).dtype == minigrad.int64
    assert minigrad.full_like(ints, 2.5).tolist() == [2, 2, 2]  # cast to the input's dtype
    r = minigrad.randint_like(ints, 10)
    assert r.dtype == minigrad.int64
    assert values(r).max() < 10


def test_like_functions_requires_grad_keyword(device):
    source = minigrad.ones(3, device=device)
    t = minigrad.zeros_like(source, requires_grad=True)
    assert t.requires_grad
    assert t.is_leaf


# ========================================================================================
# Creation: keywords common to all factories
# ========================================================================================


@pytest.mark.parametrize(
    "make_tensor",
    [
        lambda **kw: minigrad.tensor([1.0, 2.0], **kw),
        lambda **kw: minigrad.zeros(2, **kw),
        lambda **kw: minigrad.ones(2, **kw),
        lambda **kw: minigrad.empty(2, **kw),
        lambda **kw: minigrad.full((2,), 1.0, **kw),
        lambda **kw: minigrad.arange(2.0, **kw),
        lambda **kw: minigrad.linspace(0, 1, 2, **kw),
        lambda **kw: minigrad.eye(2, **kw),
        lambda **kw: minigrad.rand(2, **kw),
        lambda **kw: minigrad.randn(2, **kw),
    ],
)
def test_factories_take_device_and_requires_grad(device, make_tensor):
    plain = make_tensor(device=device)
    assert plain.device is dev(device)
    assert not plain.requires_grad
    t = make_tensor(device=device, requires_grad=True)
    assert t.requires_grad
    assert t.is_leaf
    assert t.grad_fn is None
    assert t.grad is None


@pytest.mark.parametrize(
    "make_int_tensor",
    [
        lambda d: minigrad.tensor([1, 2], device=d, requires_grad=True),
        lambda d: minigrad.zeros(2, dtype=minigrad.int64, device=d, requires_grad=True),
        lambda d: minigrad.arange(3, device=d, requires_grad=True),
        lambda d: minigrad.randint(0, 3, (2,), device=d, requires_grad=True),
    ],
)
def test_factories_refuse_requires_grad_for_integer_dtypes(device, make_int_tensor):
    with pytest.raises(RuntimeError, match="floating point"):
        make_int_tensor(device)


def test_default_device_is_cpu():
    t = minigrad.zeros(2)
    assert str(t.device) == "cpu"
    assert t.device is minigrad.device("cpu")
    assert not t.is_cuda


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda d: minigrad.zeros(2, -1, device=d), RuntimeError, "negative"),
        (lambda d: minigrad.ones(2.5, device=d), TypeError, "int"),
        (lambda d: minigrad.arange(0, 5, 0, device=d), RuntimeError, "nonzero"),
    ],
)
def test_factories_reject_bad_arguments(device, call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(device)


# ========================================================================================
# Randomness: seeding and generator state
# ========================================================================================


def _draws(device):
    return [
        values(minigrad.rand(5, device=device)),
        values(minigrad.randn(2, 3, device=device)),
        values(minigrad.randint(0, 1000, (5,), device=device)),
        values(minigrad.empty(4, device=device).uniform_(-1.0, 1.0)),
        values(minigrad.empty(4, device=device).normal_(3.0, 2.0)),
    ]


def test_manual_seed_makes_draws_reproducible(device):
    minigrad.manual_seed(1234)
    first = _draws(device)
    minigrad.manual_seed(1234)
    second = _draws(device)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert minigrad.initial_seed() == 1234


def test_different_seeds_give_different_draws(device):
    minigrad.manual_seed(1)
    a = values(minigrad.rand(10, device=device))
    minigrad.manual_seed(2)
    b = values(minigrad.rand(10, device=device))
    assert not np.array_equal(a, b)


def test_consecutive_draws_differ(device):
    a = values(minigrad.randn(10, device=device))
    b = values(minigrad.randn(10, device=device))
    assert not np.array_equal(a, b)


def test_rng_state_round_trip(device):
    state = minigrad.get_rng_state()
    a = values(minigrad.randn(6, device=device))
    minigrad.manual_seed(999)  # even a reseed in between is undone by set_rng_state
    minigrad.set_rng_state(state)
    b = values(minigrad.randn(6, device=device))
    np.testing.assert_array_equal(a, b)
    # The snapshot is not a live view: drawing after taking it does not change it.
    again = minigrad.get_rng_state()
    minigrad.rand(3, device=device)
    minigrad.set_rng_state(again)
    c = values(minigrad.randn(6, device=device))
    assert not np.array_equal(b, c)  # continues after b, it does not restart


# ========================================================================================
# Attributes and conversions to Python
# ========================================================================================


def test_shape_ndim_size_dim_numel_len(device):
    t = minigrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device)
    assert t.shape == (2, 3)
    assert t.ndim == 2
    assert t.dim() == 2
    assert t.size() == (2, 3)
    assert t.size(0) == 2
    assert t.size(1) == 3
    assert t.size(-1) == 3
    assert t.numel() == 6
    assert len(t) == 2
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(2)


def test_zero_dim_tensor_attributes(device):
    t = minigrad.tensor(4.0, device=device)
    assert t.shape == ()
    assert t.ndim == 0
    assert t.numel() == 1
    with pytest.raises(TypeError, match="0-d"):
        len(t)
    with pytest.raises(TypeError, match="0-d"):
        iter(t)


def test_dtype_device_and_autograd_attributes(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    assert x.dtype == minigrad.float32
    assert x.device is dev(device)
    assert str(x.device) == ("cpu" if device == "cpu" else "cuda:0")
    assert x.requires_grad
    assert x.is_leaf
    assert x.grad_fn is None
    assert x.is_floating_point()

    y = x * 2.0
    assert y.requires_grad
    assert not y.is_leaf
    assert y.grad_fn is not None

    z = minigrad.tensor([1.0], device=device) * 2.0  # nothing requires grad: still a leaf
    assert not z.requires_grad
    assert z.is_leaf
    assert z.grad_fn is None

    with minigrad.no_grad():
        w = x * 2.0
    assert not w.requires_grad
    assert w.grad_fn is None


def test_iteration_yields_rows(device):
    t = minigrad.tensor([[1, 2], [3, 4], [5, 6]], device=device)
    rows = list(t)
    assert len(rows) == 3
    assert all(isinstance(r, minigrad.Tensor) and r.shape == (2,) for r in rows)
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4], [5, 6]]


def test_item_returns_python_numbers(device):
    f = minigrad.tensor([2.5], device=device).item()
    i = minigrad.tensor([[7]], device=device).item()
    b = minigrad.tensor(True, device=device).item()
    assert (f, type(f)) == (2.5, float)
    assert (i, type(i)) == (7, int)
    assert (b, type(b)) == (True, bool)


def test_tolist(device):
    t = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
    out = t.tolist()
    assert out == [[1.0, 2.0], [3.0, 4.0]]
    assert type(out[0][0]) is float
    ints = minigrad.tensor([1, 2], device=device).tolist()
    assert ints == [1, 2]
    assert type(ints[0]) is int
    assert minigrad.tensor(3, device=device).tolist() == 3  # a 0-d tensor gives a number


def test_numpy_returns_a_copy(device):
    t = minigrad.tensor([1.0, 2.0, 3.0], device=device)
    array = t.numpy()
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.float32
    array[0] = 100.0
    assert t.tolist() == [1.0, 2.0, 3.0]
    assert np.asarray(t).tolist() == [1.0, 2.0, 3.0]  # the __array__ protocol


@pytest.mark.parametrize(
    ("data", "convert", "expected"),
    [
        ([2.5], float, 2.5),
        (3.7, int, 3),
        (-3.7, int, -3),  # truncation toward zero
        ([[4]], int, 4),
        (7, float, 7.0),
        ([0.0], bool, False),
        (2, bool, True),
        ([True], bool, True),
    ],
)
def test_python_conversions_of_one_element_tensors(device, data, convert, expected):
    out = convert(minigrad.tensor(data, device=device))
    assert out == expected
    assert type(out) is convert


def test_integer_tensor_as_index(device):
    assert [10, 20, 30][minigrad.tensor(1, device=device)] == 20
    assert operator.index(minigrad.tensor(2, device=device)) == 2
    with pytest.raises(TypeError, match="integer"):
        operator.index(minigrad.tensor(1.0, device=device))


def test_cpu_index_tensor_indexes_a_tensor_on_any_device(device):
    # PyTorch copies CPU indices to the indexed tensor's device; so does minigrad.
    x = minigrad.arange(12.0, device=device).reshape(3, 4).requires_grad_()
    rows, cols = minigrad.tensor([0, 2, 2]), minigrad.tensor([3, 0, 0])
    picked = x[rows, cols]
    assert picked.device == x.device
    assert picked.tolist() == [3.0, 8.0, 8.0]
    picked.sum().backward()
    assert x.grad.tolist() == [[0, 0, 0, 1], [0, 0, 0, 0], [2, 0, 0, 0]]
    y = minigrad.zeros(3, 4, device=device)
    y[rows, cols] = 1.0  # assignment takes them too
    assert y.sum().item() == 2.0


@pytest.mark.skipif(not minigrad.cuda.is_available(), reason="needs a CUDA GPU (CuPy)")
def test_gpu_index_tensor_on_a_cpu_tensor_raises():
    with pytest.raises(RuntimeError, match=r"indices should be either on cpu.*cuda:0"):
        minigrad.arange(4.0)[minigrad.tensor([1], device="cuda")]


@pytest.mark.parametrize("convert", [float, int])
def test_number_conversion_of_multi_element_tensor_raises_value_error(device, convert):
    with pytest.raises(ValueError, match="one element"):
        convert(minigrad.tensor([1.0, 2.0], device=device))


# ----------------------------------------------------------------------------------------
# repr (checked on the CPU; on a GPU the device is also shown)
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_tensor", "expected"),
    [
        (lambda: minigrad.tensor([1.0, 2.0]), "tensor([1., 2.])"),
        (lambda: minigrad.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
        (lambda: minigrad.tensor([True, False]), "tensor([ True, False])"),
        (lambda: minigrad.tensor(3.0), "tensor(3.)"),
        (lambda: minigrad.tensor(3), "tensor(3)"),
        (
            lambda: minigrad.tensor([1.0, 2.0], requires_grad=True),
            "tensor([1., 2.], requires_grad=True)",
        ),
        (
            lambda: minigrad.tensor([1.0, 2.0], dtype=minigrad.float64),
            "tensor([1., 2.], dtype=minigrad.float64)",
        ),
        (
            lambda: minigrad.tensor([1, 2], dtype=minigrad.int32),
            "tensor([1, 2], dtype=minigrad.int32)",
        ),
    ],
)
def test_repr(make_tensor, expected):
    assert repr(make_tensor()) == expected


def test_repr_of_result_shows_grad_fn_instead_of_requires_grad():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    text = repr(x * 2.0)
    assert text.startswith("tensor([2., 4.], grad_fn=<")
    assert text.endswith(">)")
    assert "Mul" in text
    assert "requires_grad" not in text


def test_repr_shows_device_only_off_the_cpu(device):
    text = repr(minigrad.tensor([1.0], device=device))
    if device == "cpu":
        assert "device" not in text
    else:
        assert f"device='{minigrad.device(device)}'" in text


def test_str_and_repr_of_devices():
    cpu = minigrad.device("cpu")
    assert str(cpu) == "cpu"
    assert repr(cpu) == "device(type='cpu')"
    assert cpu.type == "cpu"
    assert cpu.index is None


# ========================================================================================
# dtype conversion
# ========================================================================================


@pytest.mark.parametrize(
    ("method", "dtype", "expected"),
    [
        ("float", minigrad.float32, [-1.5, 0.0, 2.75]),
        ("double", minigrad.float64, [-1.5, 0.0, 2.75]),
        ("half", minigrad.float16, [-1.5, 0.0, 2.75]),
        ("long", minigrad.int64, [-1, 0, 2]),  # truncation toward zero
        ("int", minigrad.int32, [-1, 0, 2]),
        ("bool", minigrad.bool, [True, False, True]),
    ],
)
def test_dtype_conversion_methods(device, method, dtype, expected):
    t = minigrad.tensor([-1.5, 0.0, 2.75], dtype=minigrad.float64, device=device)
    out = getattr(t, method)()
    assert out.dtype == dtype
    assert out.device is t.device
    assert out.tolist() == expected
    assert t.dtype == minigrad.float64  # the original is unchanged


def test_to_dtype_device_and_other_tensor(device):
    t = minigrad.tensor([1, 2], device=device)
    assert t.to(minigrad.float64).dtype == minigrad.float64
    assert t.to(dtype=minigrad.float32).tolist() == [1.0, 2.0]
    on_cpu = t.to("cpu")
    assert str(on_cpu.device) == "cpu"
    assert on_cpu.tolist() == [1, 2]
    both = t.to(device, minigrad.float16)
    assert (both.dtype, both.device) == (minigrad.float16, dev(device))
    other = minigrad.zeros(1, dtype=minigrad.float64, device=device)
    matched = t.to(other)
    assert (matched.dtype, matched.device) == (minigrad.float64, other.device)
    assert t.type_as(other).dtype == minigrad.float64
    assert t.to(minigrad.device(device)).device is dev(device)


def test_to_returns_self_when_nothing_changes(device):
    t = minigrad.tensor([1.0, 2.0], device=device)
    assert t.to(minigrad.float32) is t
    assert t.to(device) is t
    assert t.to(device=device, dtype=minigrad.float32) is t
    assert t.to(t) is t
    assert t.float() is t
    assert t.type_as(t) is t
    ints = minigrad.tensor([1], device=device)
    assert ints.long() is ints


def test_cpu_is_self_on_the_cpu():
    t = minigrad.tensor([1.0])
    assert t.cpu() is t


def test_to_with_copy_true_returns_a_new_tensor(device):
    t = minigrad.tensor([1.0, 2.0], device=device)
    c = t.to(minigrad.float32, copy=True)
    assert c is not t
    c.fill_(0.0)
    assert t.tolist() == [1.0, 2.0]


def test_to_rejects_unknown_keywords(device):
    with pytest.raises(TypeError, match="memory_format_typo"):
        minigrad.tensor([1.0], device=device).to(memory_format_typo=True)


def test_gradient_flows_back_through_a_cast(device):
    x = minigrad.tensor([1.0, -2.0, 3.0], device=device, requires_grad=True)
    y = x.double()
    assert y.dtype == minigrad.float64
    assert y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.dtype == minigrad.float32  # the gradient has the leaf's dtype
    assert x.grad.tolist() == [2.0, -4.0, 6.0]


def test_gradient_dtype_matches_leaf_after_promotion(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    w = minigrad.tensor([3.0, 4.0], dtype=minigrad.float64, device=device, requires_grad=True)
    z = x * w
    assert z.dtype == minigrad.float64
    z.sum().backward()
    assert x.grad.dtype == minigrad.float32
    assert w.grad.dtype == minigrad.float64
    assert x.grad.tolist() == [3.0, 4.0]
    assert w.grad.tolist() == [1.0, 2.0]


def test_exported_dtype_names():
    assert minigrad.float32 == np.dtype("float32")
    assert minigrad.float64 == np.dtype("float64")
    assert minigrad.float16 == np.dtype("float16")
    assert minigrad.int64 == np.dtype("int64")
    assert minigrad.int32 == np.dtype("int32")
    assert minigrad.int16 == np.dtype("int16")
    assert minigrad.int8 == np.dtype("int8")
    assert minigrad.uint8 == np.dtype("uint8")
    assert minigrad.bool == np.dtype("bool")
    # PyTorch's aliases
    assert minigrad.float == minigrad.float32
    assert minigrad.double == minigrad.float64
    assert minigrad.half == minigrad.float16
    assert minigrad.long == minigrad.int64
    assert minigrad.int == minigrad.int32
    assert minigrad.short == minigrad.int16


# ========================================================================================
# Type promotion (PyTorch's rules, which differ from NumPy's)
# ========================================================================================


@pytest.mark.parametrize(
    ("compute", "dtype", "expected"),
    [
        # A Python scalar never widens a tensor of the same category...
        (lambda d: _t([1.0, 2.0], d) * 2.5, minigrad.float32, [2.5, 5.0]),
        (lambda d: _t([1, 2], d) + 3, minigrad.int64, [4, 5]),
        (lambda d: _t([1, 2], d, minigrad.int32) + 3, minigrad.int32, [4, 5]),
        (lambda d: _t([1.0], d, minigrad.float16) * 2.0, minigrad.float16, [2.0]),
        # ...but a Python float lifts an integer tensor to the default float type, float32.
        (lambda d: _t([1, 2], d) * 2.5, minigrad.float32, [2.5, 5.0]),
        (lambda d: 0.5 + _t([1, 2], d), minigrad.float32, [1.5, 2.5]),
        (lambda d: _t([True, False], d) + 1, minigrad.int64, [2, 1]),
        (lambda d: _t([True, False], d) * 1.5, minigrad.float32, [1.5, 0.0]),
        # Tensors with dimensions promote as usual.
        (
            lambda d: _t([1.0, 2.0], d) + _t([1.0, 1.0], d, minigrad.float64),
            minigrad.float64,
            [2.0, 3.0],
        ),
        (lambda d: _t([1, 2], d) * _t([0.5, 0.5], d), minigrad.float32, [0.5, 1.0]),
        (
            lambda d: _t([1], d, minigrad.uint8) + _t([1], d, minigrad.int8),
            minigrad.int16,
            [2],
        ),
        # A 0-d tensor of the same category does not widen a tensor with dimensions...
        (
            lambda d: _t([[1.0, 2.0]], d) * _t(2.0, d, minigrad.float64),
            minigrad.float32,
            [[2.0, 4.0]],
        ),
        (
            lambda d: _t([1, 2], d, minigrad.int32) + _t(1, d),
            minigrad.int32,
            [2, 3],
        ),
        # ...but one of a higher category does.
        (
            lambda d: _t([1, 2], d) * _t(2.5, d, minigrad.float64),
            minigrad.float64,
            [2.5, 5.0],
        ),
        # True division of integers gives float32.
        (lambda d: _t([1, 2], d) / _t([2, 2], d), minigrad.float32, [0.5, 1.0]),
        (lambda d: _t([3, 4], d) / 2, minigrad.float32, [1.5, 2.0]),
        (lambda d: 1 / _t([2, 4], d), minigrad.float32, [0.5, 0.25]),
    ],
)
def test_binary_op_result_dtype(device, compute, dtype, expected):
    out = compute(device)
    assert out.dtype == dtype
    assert out.tolist() == expected


@pytest.mark.parametrize(
    ("data", "dtype"),
    [([True, False, True], None), ([1, 2, 3], None), ([1, 2, 3], minigrad.int32)],
)
def test_sum_of_bool_and_integer_tensors_is_int64(device, data, dtype):
    s = _t(data, device, dtype).sum()
    assert s.dtype == minigrad.int64
    assert s.item() == sum(data)


def test_comparisons_return_bool_tensors(device):
    a = _t([1, 2, 3], device)
    b = _t([3.0, 2.0, 1.0], device)
    cases = {
        "lt": (a < b, [True, False, False]),
        "le": (a <= b, [True, True, False]),
        "gt": (a > 2, [False, False, True]),
        "ge": (a >= 2, [False, True, True]),
        "eq": (a == b, [False, True, False]),
        "ne": (a != 2, [True, False, True]),
    }
    for name, (out, expected) in cases.items():
        assert out.dtype == minigrad.bool, name
        assert out.tolist() == expected, name
        assert not out.requires_grad, name


def test_comparison_broadcasts(device):
    out = _t([[1], [2]], device) == _t([1, 2, 3], device)
    assert out.shape == (2, 3)
    assert out.tolist() == [[True, False, False], [False, True, False]]


def test_logical_operators_on_bool_tensors(device):
    p = _t([True, True, False, False], device)
    q = _t([True, False, True, False], device)
    assert (~p).tolist() == [False, False, True, True]
    assert (p & q).tolist() == [True, False, False, False]
    assert (p | q).tolist() == [True, True, True, False]
    for out in (~p, p & q, p | q):
        assert out.dtype == minigrad.bool


def test_bitwise_operators_on_integer_tensors(device):
    a = _t([6, 3, 0], device)
    b = _t([3, 1, 5], device)
    assert (~a).tolist() == [-7, -4, -1]
    assert (a & b).tolist() == [2, 1, 0]
    assert (a | b).tolist() == [7, 3, 5]
    assert (a & b).dtype == minigrad.int64


def test_invert_of_float_tensor_raises(device):
    with pytest.raises(TypeError):
        ~_t([0.0, 1.0], device)


# ========================================================================================
# Devices
# ========================================================================================


def test_devices_are_interned():
    assert minigrad.device("cpu") is minigrad.device("cpu")
    assert minigrad.device(minigrad.device("cpu")) is minigrad.device("cpu")
    assert minigrad.Device is minigrad.device


@pytest.mark.parametrize("spec", ["tpu", "cuda:x", "cpu:x", "gpu"])
def test_unknown_device_strings_raise(spec):
    with pytest.raises(RuntimeError, match=re.escape(spec)):
        minigrad.device(spec)
    with pytest.raises(RuntimeError, match=re.escape(spec)):
        minigrad.zeros(2, device=spec)


def test_cuda_is_available_returns_bool():
    available = minigrad.cuda.is_available()
    assert isinstance(available, bool)
    assert isinstance(minigrad.cuda.device_count(), int)
    assert (minigrad.cuda.device_count() > 0) == available


@pytest.mark.skipif(
    importlib.util.find_spec("cupy") is not None or minigrad.cuda.is_available(),
    reason="CuPy (or the strict stand-in) is there, so 'cuda' does not fail for want of it",
)
@pytest.mark.parametrize(
    "request_cuda",
    [
        lambda: minigrad.device("cuda"),
        lambda: minigrad.zeros(2, device="cuda"),
        lambda: minigrad.tensor([1.0]).cuda(),
        lambda: minigrad.tensor([1.0]).to("cuda:0"),
    ],
)
def test_cuda_without_cupy_says_cupy_is_needed(request_cuda):
    assert not minigrad.cuda.is_available()
    with pytest.raises(RuntimeError, match="CuPy"):
        request_cuda()


# ========================================================================================
# In-place operations
# ========================================================================================


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (lambda t, d: t.add_(_t([1.0, 1.0, 1.0], d)), [2.0, 3.0, 5.0]),
        (lambda t, d: t.add_(2.0), [3.0, 4.0, 6.0]),
        (lambda t, d: t.add_(_t([1.0, 2.0, 3.0], d), alpha=2), [3.0, 6.0, 10.0]),
        (lambda t, d: t.sub_(_t([1.0, 1.0, 1.0], d)), [0.0, 1.0, 3.0]),
        (lambda t, d: t.sub_(_t([1.0, 2.0, 3.0], d), alpha=0.5), [0.5, 1.0, 2.5]),
        (lambda t, d: t.sub_(2.0, alpha=3), [-5.0, -4.0, -2.0]),
        (lambda t, d: t.mul_(_t([2.0, 0.5, -1.0], d)), [2.0, 1.0, -4.0]),
        (lambda t, d: t.mul_(3), [3.0, 6.0, 12.0]),
        (lambda t, d: t.div_(_t([2.0, 4.0, 8.0], d)), [0.5, 0.5, 0.5]),
        (lambda t, d: t.div_(2), [0.5, 1.0, 2.0]),
        (lambda t, d: t.zero_(), [0.0, 0.0, 0.0]),
        (lambda t, d: t.fill_(7.5), [7.5, 7.5, 7.5]),
        (lambda t, d: t.copy_(_t([9.0, 8.0, 7.0], d)), [9.0, 8.0, 7.0]),
        (lambda t, d: t.copy_(_t([5, 6, 7], d)), [5.0, 6.0, 7.0]),  # cast to t's dtype
        (lambda t, d: t.copy_(_t(3.0, d)), [3.0, 3.0, 3.0]),  # broadcast
    ],
)
def test_inplace_ops_update_values_bump_version_and_return_self(device, update, expected):
    t = _t([1.0, 2.0, 4.0], device)
    version = t._version.value
    out = update(t, device)
    assert out is t
    assert t.dtype == minigrad.float32
    assert t.tolist() == expected
    assert t._version.value == version + 1


def test_inplace_ops_broadcast_the_other_operand(device):
    t = minigrad.ones(2, 3, device=device)
    t.mul_(_t([1.0, 2.0, 3.0], device))
    t.add_(_t([[10.0], [20.0]], device))
    assert t.tolist() == [[11.0, 12.0, 13.0], [21.0, 22.0, 23.0]]


def test_copy_broadcasts_a_smaller_source(device):
    t = minigrad.zeros(2, 3, device=device)
    t.copy_(_t([1.0, 2.0, 3.0], device))
    assert t.tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]


def test_copy_with_incompatible_shape_names_both_shapes(device):
    t = minigrad.zeros(2, 3, device=device)
    with pytest.raises(RuntimeError) as info:
        t.copy_(minigrad.ones(4, device=device))
    assert "(4,)" in str(info.value)
    assert "(2, 3)" in str(info.value)
    assert t.tolist() == [[0.0] * 3] * 2
    assert t._version.value == 0


def test_inplace_on_a_view_changes_the_base(device):
    base = minigrad.zeros(4, device=device)
    view = base[1:3]
    view.add_(1.0)
    assert base.tolist() == [0.0, 1.0, 1.0, 0.0]
    assert base._version.value == view._version.value == 1


def test_uniform_fills_in_place(device):
    t = minigrad.zeros(1000, device=device)
    out = t.uniform_(2.0, 3.0)
    assert out is t
    assert t._version.value == 1
    assert t.dtype == minigrad.float32
    v = values(t)
    assert v.min() >= 2.0
    assert v.max() < 3.0
    assert abs(v.mean() - 2.5) < 0.05
    default = values(minigrad.zeros(1000, device=device).uniform_())
    assert default.min() >= 0.0
    assert default.max() < 1.0


def test_normal_fills_in_place(device):
    t = minigrad.zeros(20000, dtype=minigrad.float64, device=device)
    out = t.normal_(5.0, 0.5)
    assert out is t
    assert t._version.value == 1
    assert t.dtype == minigrad.float64
    v = values(t)
    assert abs(v.mean() - 5.0) < 0.02
    assert abs(v.std() - 0.5) < 0.02


_INPLACE_UPDATES = {
    "add_": lambda t: t.add_(1.0),
    "sub_": lambda t: t.sub_(1.0, alpha=2),
    "mul_": lambda t: t.mul_(2.0),
    "div_": lambda t: t.div_(2.0),
    "zero_": lambda t: t.zero_(),
    "fill_": lambda t: t.fill_(3.0),
    "copy_": lambda t: t.copy_(minigrad.zeros(3, device=t.device)),
    "uniform_": lambda t: t.uniform_(),
    "normal_": lambda t: t.normal_(),
}


@pytest.mark.parametrize("name", list(_INPLACE_UPDATES))
def test_inplace_on_leaf_requiring_grad_raises_outside_no_grad(device, name):
    w = minigrad.ones(3, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        _INPLACE_UPDATES[name](w)
    assert w.tolist() == [1.0, 1.0, 1.0]
    assert w._version.value == 0


@pytest.mark.parametrize("name", list(_INPLACE_UPDATES))
def test_inplace_on_leaf_requiring_grad_works_under_no_grad(device, name):
    w = minigrad.ones(3, device=device, requires_grad=True)
    with minigrad.no_grad():
        out = _INPLACE_UPDATES[name](w)
    assert out is w
    assert w._version.value == 1
    assert w.requires_grad
    assert w.is_leaf
    assert w.grad_fn is None


def test_inplace_optimizer_step_under_no_grad(device):
    w = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    (w * w).sum().backward()
    with minigrad.no_grad():
        w.sub_(w.grad, alpha=0.25)
    assert w.tolist() == [0.5, 1.0]
    assert w.requires_grad
    assert w.is_leaf


def test_inplace_alpha_may_be_a_one_element_tensor(device):
    """As in PyTorch (L-BFGS passes its 0-d scalars so): the tensor is read as its number."""
    t = _t([1.0, 2.0], device)
    t.add_(_t([1.0, 1.0], device), alpha=minigrad.tensor(-0.5, device=device))
    t.sub_(_t([2.0, 2.0], device), alpha=minigrad.tensor([0.25], device=device))
    assert t.tolist() == [0.0, 1.0]
    with pytest.raises(RuntimeError, match=r"alpha must be a number or a one-element tensor"):
        t.add_(t, alpha=_t([1.0, 2.0], device))


@pytest.mark.parametrize("update", [lambda t: t.add_(1.5), lambda t: t.div_(2)])
def test_inplace_dtype_mismatch_raises_runtime_error(device, update):
    with pytest.raises(RuntimeError, match="cast"):
        update(_t([1, 2], device))


def test_inplace_broadcast_to_larger_shape_raises_runtime_error(device):
    with pytest.raises(RuntimeError):
        minigrad.ones(3, device=device).mul_(minigrad.ones(2, 3, device=device))


# ----------------------------------------------------------------------------------------
# Augmented assignment (x += ...)
# ----------------------------------------------------------------------------------------


def test_augmented_assignment_on_plain_tensor_is_in_place(device):
    t = _t([1.0, 2.0], device)
    original = t
    t += 1
    t *= 4
    t -= 2
    t /= 2
    assert t is original
    assert t.tolist() == [3.0, 5.0]
    assert t._version.value == 4
    n = _t([1, 2], device)
    n_original = n
    n += 3
    assert n is n_original
    assert n.dtype == minigrad.int64
    assert n.tolist() == [4, 5]


def test_augmented_assignment_in_grad_mode_records_the_graph(device):
    x = _t([1.0, 2.0], device)
    x.requires_grad_()
    y = x * 3.0
    y += 1.0
    assert y.grad_fn is not None
    assert y.requires_grad
    assert y.tolist() == [4.0, 7.0]
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert x.tolist() == [1.0, 2.0]


def test_augmented_assignment_with_a_grad_operand_records_the_graph(device):
    w = _t([2.0, 3.0], device)
    w.requires_grad_()
    acc = minigrad.zeros(2, device=device)
    acc += w
    acc *= 2.0
    assert acc.tolist() == [4.0, 6.0]
    assert acc.requires_grad
    assert acc.grad_fn is not None
    acc.sum().backward()
    assert w.grad.tolist() == [2.0, 2.0]


def test_augmented_assignment_under_no_grad_is_in_place(device):
    w = minigrad.ones(2, device=device, requires_grad=True)
    original = w
    with minigrad.no_grad():
        w += 1.0
    assert w is original
    assert w.is_leaf
    assert w.requires_grad
    assert w.tolist() == [2.0, 2.0]


# ========================================================================================
# detach, clone, .data and requires_grad
# ========================================================================================


def test_detach_shares_storage_and_drops_the_graph(device):
    x = _t([1.0, 2.0], device)
    x.requires_grad_()
    y = x * 2.0
    d = y.detach()
    assert not d.requires_grad
    assert d.grad_fn is None
    assert d.is_leaf
    assert d.tolist() == [2.0, 4.0]
    d.add_(1.0)  # allowed: d does not require grad
    assert y.tolist() == [3.0, 5.0]  # ...and it is the same storage as y
    leaf_view = x.detach()
    leaf_view.zero_()
    assert x.tolist() == [0.0, 0.0]


def test_detach_shares_the_version_counter(device):
    x = _t([1.0, 2.0], device)
    x.requires_grad_()
    y = x.exp()  # exp saves its output for backward
    y.detach().mul_(2.0)
    assert y._version.value == 1
    with pytest.raises(RuntimeError, match=r"in-?place"):
        y.sum().backward()


def test_clone_copies_and_keeps_the_graph(device):
    t = _t([1.0, 2.0], device)
    c = t.clone()
    assert c is not t
    assert c.tolist() == [1.0, 2.0]
    c.add_(1.0)
    assert t.tolist() == [1.0, 2.0]

    x = _t([1.0, 2.0], device)
    x.requires_grad_()
    cx = x.clone()
    assert cx.requires_grad
    assert cx.grad_fn is not None
    assert not cx.is_leaf
    (cx * 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert minigrad.clone(x).tolist() == [1.0, 2.0]


def test_clone_of_integer_tensor_keeps_dtype(device):
    t = _t([1, 2], device, minigrad.int32)
    assert t.clone().dtype == minigrad.int32


def test_data_is_outside_the_graph_and_shares_storage(device):
    x = _t([1.0, 2.0], device)
    x.requires_grad_()
    d = x.data
    assert isinstance(d, minigrad.Tensor)
    assert not d.requires_grad
    assert d.grad_fn is None
    d.mul_(3.0)  # allowed in grad mode: .data is outside the graph
    assert x.tolist() == [3.0, 6.0]
    assert x.requires_grad
    assert x.is_leaf


def test_data_setter_replaces_values(device):
    x = _t([1.0, 2.0], device)
    x.requires_grad_()
    x.data = _t([5.0, 6.0], device)
    assert x.tolist() == [5.0, 6.0]
    assert x.requires_grad


def test_inplace_change_through_data_is_not_tracked(device):
    x = _t([0.0, 1.0], device)
    x.requires_grad_()
    y = x.exp()
    y.data.mul_(2.0)
    y.sum().backward()  # PyTorch: no error; exp's backward uses the modified output
    np.testing.assert_allclose(values(x.grad), 2.0 * np.exp([0.0, 1.0]), rtol=1e-6)


def test_requires_grad_on_floating_tensors(device):
    t = _t([1.0, 2.0], device)
    assert not t.requires_grad
    assert t.requires_grad_() is t
    assert t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad
    t.requires_grad = True
    assert t.requires_grad
    h = _t([1.0], device, minigrad.float16).requires_grad_()
    assert h.requires_grad


@pytest.mark.parametrize(
    ("dtype", "name"), [(minigrad.int64, "int64"), (minigrad.int32, "int32"), (bool, "bool")]
)
def test_requires_grad_on_non_float_tensor_raises(device, dtype, name):
    t = minigrad.zeros(2, dtype=dtype, device=device)
    with pytest.raises(RuntimeError, match=name):
        t.requires_grad_()
    with pytest.raises(RuntimeError, match=name):
        t.requires_grad = True
    assert not t.requires_grad
    t.requires_grad_(False)  # turning it off is always fine


def test_requires_grad_false_on_non_leaf_raises(device):
    x = _t([1.0], device)
    x.requires_grad_()
    y = x * 2.0
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    assert y.requires_grad


# ========================================================================================
# Errors for bad input: the right exception type, and a message that names the problem
# ========================================================================================


def _raises(error, call, *fragments):
    """Check that ``call()`` raises ``error`` and that its message holds every fragment."""
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_add_with_unbroadcastable_shapes(device):
    a, b = minigrad.ones(2, 3, device=device), minigrad.ones(4, device=device)
    _raises(RuntimeError, lambda: a + b, "(2, 3)", "(4,)")
    _raises(RuntimeError, lambda: b * a, "(2, 3)", "(4,)")


def test_matmul_with_mismatched_shapes(device):
    a, b = minigrad.ones(2, 3, device=device), minigrad.ones(4, 5, device=device)
    _raises(RuntimeError, lambda: a @ b, "(2, 3)", "(4, 5)")
    _raises(RuntimeError, lambda: minigrad.matmul(a, b), "(2, 3)", "(4, 5)")


@pytest.mark.parametrize("lead", [(3,), (2, 3), (0, 3), (3, 0), ()], ids=str)
@pytest.mark.parametrize("frozen", [None, "matrix", "stack"])
def test_a_stack_times_a_matrix_is_the_product_of_each_slice(device, lead, frozen):
    """``matmul`` of (*, n, k) by (k, m), and ``linear`` of (*, k), run as one product of
    all the rows: the values and gradients are those of the slices' own products (empty
    stacks and frozen operands included)."""
    rng = np.random.default_rng(0)
    a0 = rng.standard_normal((*lead, 4, 5))
    b0 = rng.standard_normal((5, 6))
    a = minigrad.tensor(a0, device=device, requires_grad=frozen != "stack")
    b = minigrad.tensor(b0, device=device, requires_grad=frozen != "matrix")
    g0 = rng.standard_normal((*lead, 4, 6))
    for out in (a @ b, minigrad.nn.functional.linear(a, b.T)):
        assert out.shape == (*lead, 4, 6)
        np.testing.assert_allclose(values(out), np.matmul(a0, b0), rtol=1e-12, atol=1e-12)
        a.grad = b.grad = None
        out.backward(minigrad.tensor(g0, device=device))
        if frozen != "stack":
            np.testing.assert_allclose(values(a.grad), g0 @ b0.T, rtol=1e-12, atol=1e-12)
        if frozen != "matrix":
            expected = (np.swapaxes(a0, -1, -2) @ g0).reshape(-1, 5, 6).sum(axis=0)
            np.testing.assert_allclose(values(b.grad), expected, rtol=1e-12, atol=1e-12)
        assert (a.grad is None) == (frozen == "stack") and (b.grad is None) == (frozen == "matrix")


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.sum(dim=5),
        lambda t: t.sum(dim=-3),
        lambda t: t.mean(dim=2),
        lambda t: t.softmax(dim=2),
        lambda t: t.unsqueeze(4),
        lambda t: t.transpose(0, 2),
    ],
)
def test_dimension_out_of_range(device, call):
    t = minigrad.ones(2, 3, device=device)
    with pytest.raises(IndexError, match="Dimension out of range"):
        call(t)


def test_reshape_to_incompatible_shape(device):
    t = minigrad.ones(2, 3, device=device)
    _raises(RuntimeError, lambda: t.reshape(4, 2), "(4, 2)", "invalid")
    _raises(RuntimeError, lambda: t.reshape(-1, 4), "invalid")
    _raises(RuntimeError, lambda: t.view(5), "invalid")


def test_view_of_non_contiguous_tensor_suggests_reshape(device):
    t = minigrad.ones(3, 4, device=device).t()
    _raises(RuntimeError, lambda: t.view(12), "reshape")
    assert t.reshape(12).shape == (12,)  # which works
    assert t.contiguous().view(12).shape == (12,)


def test_item_of_multi_element_tensor(device):
    _raises(RuntimeError, lambda: minigrad.ones(2, device=device).item(), "2 elements")


def test_bool_of_multi_element_tensor(device):
    t = minigrad.tensor([1.0, 2.0], device=device)
    _raises(RuntimeError, lambda: bool(t), "ambiguous")
    with pytest.raises(RuntimeError, match="ambiguous"):
        if t > 0:
            pass


def test_bool_of_empty_tensor(device):
    _raises(RuntimeError, lambda: bool(minigrad.zeros(0, device=device)), "ambiguous")


def test_cat_of_mismatched_shapes(device):
    a, b = minigrad.ones(2, 3, device=device), minigrad.ones(2, 4, device=device)
    with pytest.raises(RuntimeError, match=r"(?i)sizes of tensors must match"):
        minigrad.cat([a, b])
    assert minigrad.cat([a, b], dim=1).shape == (2, 7)


def test_stack_of_mismatched_shapes(device):
    a, b = minigrad.ones(2, 3, device=device), minigrad.ones(3, 2, device=device)
    _raises(RuntimeError, lambda: minigrad.stack([a, b]), "equal size", "(2, 3)", "(3, 2)")


@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1.0], [2.0, 3.0]], [[[1, 2]], [[3]]]])
def test_tensor_of_ragged_lists(device, data):
    with pytest.raises(ValueError, match="ragged"):
        minigrad.tensor(data, device=device)


@pytest.mark.parametrize(
    "call",
    [
        lambda d: minigrad.tensor([1, 2], dtype=np.complex64, device=d),
        lambda d: minigrad.tensor(np.array([1 + 1j], dtype=np.complex64), device=d),
        lambda d: minigrad.zeros(2, dtype="complex64", device=d),
        lambda d: minigrad.ones(2, device=d).to(np.complex64),
    ],
)
def test_unsupported_dtype_lists_supported_ones(device, call):
    with pytest.raises(TypeError) as info:
        call(device)
    message = str(info.value)
    assert "complex64" in message
    for name in ("float32", "float64", "int64", "bool"):
        assert name in message


def test_cross_entropy_with_float_target(device):
    logits = minigrad.zeros(2, 3, device=device)
    target = minigrad.tensor([0.0, 1.0], device=device)
    _raises(RuntimeError, lambda: minigrad.cross_entropy(logits, target), "target", "float32")


def test_cross_entropy_accepts_valid_and_ignored_targets(device):
    logits = minigrad.zeros(2, 3, device=device)
    loss = minigrad.cross_entropy(logits, minigrad.tensor([2, -100], device=device))
    np.testing.assert_allclose(loss.item(), np.log(3.0), rtol=1e-6)  # uniform over 3 classes


# ----------------------------------------------------------------------------------------
# Cases found by the review of the GPU paths (they hold on every device)
# ----------------------------------------------------------------------------------------


def test_inplace_on_an_expanded_tensor_raises(device):
    t = minigrad.ones(3, 1, device=device).expand(3, 4)
    with pytest.raises(RuntimeError, match="single memory location"):
        t.add_(1.0)
    with pytest.raises(RuntimeError, match="single memory location"):
        t.fill_(minigrad.tensor(0.0, device=device))
    t.fill_(0.0)  # one number everywhere: PyTorch 2.13 runs it, and so does minigrad
    assert t.tolist() == [[0.0] * 4] * 3


def test_fill_with_a_one_element_tensor(device):
    t = minigrad.zeros(3, device=device)
    t.fill_(minigrad.tensor(2.5, device=device))
    assert t.tolist() == [2.5, 2.5, 2.5]


def test_uint8_labels_work_in_the_losses(device):
    logits = minigrad.tensor([[2.0, 0.0], [0.0, 2.0]], device=device)
    as_uint8 = minigrad.cross_entropy(
        logits, minigrad.tensor([0, 1], dtype=minigrad.uint8, device=device)
    )
    as_int64 = minigrad.cross_entropy(logits, minigrad.tensor([0, 1], device=device))
    assert as_uint8.item() == pytest.approx(as_int64.item())


def test_comparing_small_integers_with_an_out_of_range_number(device):
    labels = minigrad.tensor([0, 7], dtype=minigrad.uint8, device=device)
    assert (labels != -100).tolist() == [True, True]
    assert (labels < 300).tolist() == [True, True]


def test_out_of_range_integer_index_raises(device):
    t = minigrad.arange(6, device=device).reshape(2, 3)
    with pytest.raises(IndexError):
        t[minigrad.tensor([0, 2], device=device)]
    with pytest.raises(IndexError):
        t[:, minigrad.tensor([3], device=device)]
    assert t[..., minigrad.tensor([-1], device=device)].tolist() == [[2], [5]]


def test_inplace_update_from_a_numpy_array(device):
    t = minigrad.zeros(2, device=device)
    t.add_(np.array([1.0, 2.0], dtype=np.float32))
    assert t.tolist() == [1.0, 2.0]


def test_setitem_writes_in_place(device):
    x = minigrad.arange(6, dtype=minigrad.float32, device=device).reshape(2, 3)
    x[0, 1] = 10.0
    x[x > 4] = 0.0
    x[:, minigrad.tensor([0], device=device)] = minigrad.tensor([[7.0], [8.0]], device=device)
    assert x.tolist() == [[7.0, 0.0, 2.0], [8.0, 4.0, 0.0]]
    assert x._version.value == 3
    w = minigrad.ones(2, requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 2.0
    with minigrad.no_grad():
        w[0] = 2.0
    assert w.tolist() == [2.0, 1.0]


# ========================================================================================
# Details found by a side-by-side audit against torch 2.13 (expected values are PyTorch's)
# ========================================================================================


def test_an_integer_result_carries_no_gradient(device):
    x = minigrad.tensor([1.5, 2.5], device=device, requires_grad=True)
    as_int = x.long()
    assert not as_int.requires_grad and as_int.grad_fn is None
    assert not x.sum(dtype=minigrad.int64).requires_grad
    assert not (x > 2).requires_grad
    (x.long() * x).sum().backward()  # the cast is a constant: d/dx (long(x) * x) = long(x)
    assert x.grad.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="integer or bool tensor"):
        (x.long().float() * 2).sum().backward()


@pytest.mark.parametrize("bad", [3, "floaty", object(), np.complex64])
def test_an_unsupported_dtype_is_rejected_not_replaced(bad):
    for make in (
        lambda: minigrad.zeros(2, dtype=bad),
        lambda: minigrad.tensor([1.5], dtype=bad),
        lambda: minigrad.ones(2).to(dtype=bad),
    ):
        with pytest.raises(TypeError, match="unsupported dtype"):
            make()


def test_numpy_scalars_promote_like_the_python_numbers_they_hold(device):
    x = minigrad.tensor([1.0, 2.0], device=device)
    i = minigrad.tensor([1, 2], device=device)
    assert (x / np.sqrt(2.0)).dtype == minigrad.float32  # np.sqrt gives an np.float64
    assert (x * np.float64(2.5)).dtype == minigrad.float32
    assert (np.float64(2.5) - x).dtype == minigrad.float32
    assert (i * np.float64(2.5)).dtype == minigrad.float32
    assert (i + np.int64(3)).dtype == minigrad.int64
    assert (minigrad.tensor([1], dtype=minigrad.int8, device=device) + np.int64(3)).dtype == (
        minigrad.int8
    )
    assert minigrad.full((2,), np.float64(1.5), device=device).dtype == minigrad.float32
    x += np.float64(0.5)
    assert x.dtype == minigrad.float32 and x.tolist() == [1.5, 2.5]


def test_an_empty_dim_list_and_the_dims_of_a_0d_tensor(device):
    x = minigrad.arange(6.0, device=device).reshape(2, 3)
    assert x.sum(()).item() == 15.0 and x.sum([]).item() == 15.0  # all dims, as in PyTorch
    assert x.mean(()).item() == 2.5 and x.var(()).item() == 3.5
    assert (x > 0).all(()).shape == (2, 3)  # but all/any reduce nothing
    s = minigrad.tensor(2.0, device=device, requires_grad=True)
    for dim in (0, -1, (0,)):
        assert s.sum(dim).item() == 2.0 and s.mean(dim).item() == 2.0
        assert (s > 1).all(dim).item() is True
    assert s.sum(0, keepdim=True).shape == ()
    s.sum(0).backward()
    assert s.grad.item() == 1.0
    with pytest.raises(IndexError, match="Dimension out of range"):
        s.sum(1)


def test_in_place_fills_of_zero_element_tensors_work(device):
    empty = minigrad.empty(0, 3, device=device)
    minigrad.nn.init.normal_(empty)  # NumPy gives it zero strides, like an expand()ed tensor
    minigrad.nn.init.zeros_(empty)
    param = minigrad.nn.Parameter(minigrad.empty(0, 3, device=device))
    param.grad = minigrad.zeros(0, 3, device=device)
    minigrad.optim.SGD([param], lr=0.1).zero_grad(set_to_none=False)
    for init in (minigrad.nn.init.kaiming_uniform_, minigrad.nn.init.kaiming_normal_):
        with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
            assert init(minigrad.empty(3, 0, device=device)).shape == (3, 0)


def test_max_argmax_and_squeeze_check_dims_on_0d_and_empty_tensors(device):
    scalar = minigrad.tensor(3.0, device=device)
    for bad in (lambda: scalar.max(5), lambda: scalar.argmax(1), lambda: scalar.squeeze(3)):
        with pytest.raises(IndexError, match="Dimension out of range"):
            bad()
    assert scalar.max(0).values.item() == 3.0 and scalar.max(-1).indices.item() == 0
    empty = minigrad.zeros(0, 3, device=device, requires_grad=True)
    values, indices = empty.max(1)  # reducing a non-empty dim of an empty tensor is fine
    assert values.shape == (0,) and indices.shape == (0,) and indices.dtype == minigrad.int64
    assert empty.argmin(1).shape == (0,)
    values.sum().backward()
    assert empty.grad.shape == (0, 3)
    for bad in (lambda: empty.max(0), lambda: empty.argmax(0)):
        with pytest.raises(IndexError, match="reduction dim 0 to have non-zero size"):
            bad()
    for bad, error in ((lambda: empty.max(), RuntimeError), (lambda: empty.argmax(), IndexError)):
        with pytest.raises(error, match=r"cannot reduce an empty tensor \(shape \(0, 3\)\)"):
            bad()  # PyTorch's types
    assert minigrad.zeros(2, 1, device=device).squeeze(()).shape == (2, 1)


def test_error_messages_name_the_actual_problem(device):
    with pytest.raises(RuntimeError, match=r"dimensions, \(2,\) and \(3,\), do not broadcast"):
        minigrad.ones(2, 3, 4, device=device) @ minigrad.ones(3, 4, 5, device=device)
    with pytest.raises(RuntimeError, match="last dimension of the first, 3, must equal"):
        minigrad.ones(2, 3, device=device) @ minigrad.ones(4, 5, device=device)
    with pytest.raises(RuntimeError, match="with no values is ambiguous"):
        bool(minigrad.ones(0, device=device))
    with pytest.raises(IndexError) as info:
        minigrad.ones(3)[3]
    assert "index index" not in str(info.value) and "shape (3,)" in str(info.value)


def test_a_uint8_index_is_a_mask_with_a_warning(device):
    x = minigrad.arange(3.0, device=device)
    mask = minigrad.tensor([1, 0, 1], dtype=minigrad.uint8, device=device)
    with pytest.warns(UserWarning, match="uint8 is deprecated"):
        assert x[mask].tolist() == [0.0, 2.0]  # PyTorch 2.13: a mask, not indices 1, 0, 1
    with pytest.warns(UserWarning, match="uint8 is deprecated"):
        x[mask] = 5.0
    assert x.tolist() == [5.0, 1.0, 5.0]


def test_add_and_sub_scale_a_number_by_alpha(device):
    x = minigrad.ones(2, device=device)
    assert minigrad.add(x, 1, alpha=2).tolist() == [3.0, 3.0]
    assert x.sub(1, alpha=2).tolist() == [-1.0, -1.0]
    assert minigrad.add(minigrad.tensor([1, 2], device=device), 1, alpha=2).tolist() == [3, 4]


def test_comparing_with_none_or_a_string_compares_identities(device):
    t = minigrad.ones(2, device=device)
    assert (t == None) is False and (t != None) is True  # noqa: E711 (the point here)
    assert (t == "a") is False and (t != "a") is True
    assert (t == 1).tolist() == [True, True]


def test_one_element_of_a_tensor_is_a_view_of_it(device):
    x = minigrad.tensor([1.0, 2.0], device=device)
    first = x[0]
    x.add_(1.0)
    assert first.item() == 2.0  # PyTorch: x[0] is a view, not a copy
    x[1].fill_(9.0)
    assert x.tolist() == [2.0, 9.0]
    grid = minigrad.arange(6.0, device=device).reshape(2, 3)
    assert grid[1, 2].item() == 5.0 and grid[0, ..., 1].item() == 1.0


def test_an_empty_list_and_a_tuple_inside_the_key_index_as_in_pytorch(device):
    x = minigrad.arange(6.0, device=device).reshape(2, 3)
    assert x[[]].shape == (0, 3)  # nothing selected (not a float index)
    assert x[(1, 0),].tolist() == [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]  # the tuple is a list
    x[[]] = 7.0
    assert x.sum().item() == 15.0


def test_arange_with_an_integer_dtype_truncates_float_arguments_first(device):
    int64 = minigrad.int64
    assert minigrad.arange(-2.5, 2.5, 1.0, dtype=int64, device=device).tolist() == [-2, -1, 0, 1]
    assert minigrad.arange(0, 3, 1.5, dtype=int64, device=device).tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        minigrad.arange(0, 2, 0.5, dtype=int64, device=device)  # the step truncates to 0
    assert minigrad.arange(minigrad.tensor(3), device=device).dtype == int64  # a 0-d int
    assert minigrad.full((2,), minigrad.tensor(1.5, dtype=minigrad.float64)).dtype == (
        minigrad.float32  # a 0-d tensor fills as the Python number it holds
    )


def test_small_integer_arithmetic_wraps_around_as_in_pytorch(device):
    small = minigrad.tensor([1, 2], dtype=minigrad.uint8, device=device)
    assert (small + 300).tolist() == [45, 46] and (small * -1).tolist() == [255, 254]
    assert (minigrad.tensor([1], dtype=minigrad.int8, device=device) + 200).tolist() == [-55]
    assert small.clone().add_(300).tolist() == [45, 46]
    signed = minigrad.tensor([1], dtype=minigrad.int8, device=device)
    assert small.clone().add_(signed).tolist() == [2, 3]  # an int16 result into uint8
    for update in (lambda t: t.add_(1.5), lambda t: t.div_(2)):  # but never a float result
        with pytest.raises(RuntimeError, match="in place"):
            update(minigrad.tensor([1, 2], device=device))


def test_negative_seeds_and_dims_of_0d_tensors():
    minigrad.manual_seed(-1)  # PyTorch accepts any int64 seed
    first = minigrad.rand(3)
    minigrad.manual_seed(-1)
    assert first.tolist() == minigrad.rand(3).tolist()
    scalar = minigrad.tensor(1.0)
    assert scalar.flatten(0).shape == (1,)
    with pytest.raises(IndexError, match="Dimension out of range"):
        scalar.flatten(2)
    with pytest.raises(IndexError, match="tensor has no dimensions"):
        scalar.size(0)


def test_random_fills_and_randint_refuse_what_does_not_fit_the_dtype(device):
    ints = minigrad.zeros(4, dtype=minigrad.int64, device=device)
    for fill in (ints.normal_, ints.uniform_):
        with pytest.raises(RuntimeError, match="needs a floating point tensor, got int64"):
            fill()
    for low, high in ((0, 300), (-5, 5)):
        with pytest.raises(RuntimeError, match=r"does not fit uint8 \(range 0\.\.255\)"):
            minigrad.randint(low, high, (3,), dtype=minigrad.uint8, device=device)
    assert minigrad.randint(0, 256, (3,), dtype=minigrad.uint8, device=device).dtype == (
        minigrad.uint8
    )


def test_pad_checks_its_amounts(device):
    x = minigrad.ones(2, 2, device=device)
    assert minigrad.pad(x, (-2, 0)).shape == (2, 0) and minigrad.pad(x, (1, 1)).shape == (2, 4)
    with pytest.raises(RuntimeError, match="crops more than shape"):
        minigrad.pad(x, (-3, 1))  # PyTorch refuses it too (a RuntimeError): the crop must fit
    with pytest.raises(TypeError, match="amounts must be ints"):
        minigrad.pad(x, (1.5, 1))


def test_a_string_or_none_operand_is_named_in_the_error(device):
    for bad in ("a", None):
        with pytest.raises(TypeError, match=f"unsupported operand of type {type(bad).__name__}"):
            minigrad.ones(2, device=device) + bad


def test_cat_skips_a_legacy_empty_vector_and_all_any_keep_uint8(device):
    joined = minigrad.cat([minigrad.ones(2, 3, device=device), minigrad.zeros(0, device=device)])
    assert joined.shape == (2, 3)  # PyTorch: a (0,) tensor joins anything
    flags = minigrad.tensor([1, 0], dtype=minigrad.uint8, device=device)
    assert flags.all().dtype == minigrad.uint8 and flags.any(0).item() == 1
    assert minigrad.tensor([1.0, 0.0], device=device).all().dtype == minigrad.bool


def test_an_assigned_gradient_is_checked_as_in_pytorch(device):
    """PyTorch refuses a gradient of another shape, dtype or device (an optimizer would
    broadcast a (1,) gradient over the parameter without a word), and a non-tensor."""
    x = minigrad.zeros(2, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient of size '\[3\]' to a tensor of size '\[2\]'"):
        x.grad = minigrad.zeros(3, device=device)
    with pytest.raises(RuntimeError, match=r"size '\[2, 1\]'"):
        x.grad = minigrad.zeros(2, 1, device=device)
    with pytest.raises(RuntimeError, match="dtype 'float64' to a tensor with dtype 'float32'"):
        x.grad = minigrad.zeros(2, dtype=minigrad.float64, device=device)
    with pytest.raises(TypeError, match="Tensor or None but got grad of type int"):
        x.grad = 3
    assert x.grad is None  # nothing was assigned
    x.grad = minigrad.ones(2, device=device)
    assert x.grad.tolist() == [1.0, 1.0]
    x.grad = None
    assert x.grad is None
    counts = minigrad.zeros(2, dtype=minigrad.int64, device=device)  # no requires_grad
    counts.grad = minigrad.ones(2, dtype=minigrad.int64, device=device)  # PyTorch allows it
    assert counts.grad.dtype == minigrad.int64


def test_format_spec_formats_a_0d_tensor_as_its_number():
    # f"{loss:.3f}" and "{:6.2f}".format(acc[0]) in real programs; other shapes only with
    # an empty spec, as in PyTorch.
    assert f"{minigrad.tensor(1.5):+.2f}" == "+1.50"
    assert f"{minigrad.tensor([1.25, 3.0])[0]:6.2f}" == "  1.25"
    assert f"{minigrad.tensor(7):03d}" == "007"
    assert f"{minigrad.tensor([1.0, 2.0])}" == repr(minigrad.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{minigrad.tensor([1.0]):.2f}"


def test_default_device(device):
    """set_default_device and ``with minigrad.device(...)`` place new tensors and layers,
    as PyTorch's do; tensors given a device, and the data's own device, are kept."""
    try:
        minigrad.set_default_device(device)
        assert minigrad.get_default_device() == minigrad.device(device)
        assert minigrad.zeros(2).device == minigrad.device(device)
        assert minigrad.tensor([1.0, 2.0]).device == minigrad.device(device)
        assert minigrad.nn.Linear(2, 3).weight.device == minigrad.device(device)
        assert minigrad.randn(2, device="cpu").device.type == "cpu"
    finally:
        minigrad.set_default_device(None)
    assert minigrad.get_default_device().type == "cpu"
    with minigrad.device(device):
        assert minigrad.arange(3).device == minigrad.device(device)
        with minigrad.device("cpu"):
            assert minigrad.ones(1).device.type == "cpu"
        assert minigrad.rand(1).device == minigrad.device(device)
    assert minigrad.ones(1).device.type == "cpu"


def test_float_of_a_tensor_that_requires_grad_warns_in_grad_mode_as_pytorch():
    """PyTorch 2.13 warns in ``float()`` (and so in ``"%f" % t``) of a tensor that
    requires grad, with gradients on; not in ``item()``, ``int()`` or ``format``."""
    w = minigrad.ones(1, requires_grad=True)
    with pytest.warns(UserWarning, match="requires_grad=True to a scalar"):
        assert float(w * 2) == 2.0
    with pytest.warns(UserWarning, match="Consider using tensor.detach"):
        assert "%.1f" % w == "1.0"  # noqa: UP031 (what the lectures write)
    with minigrad.no_grad():
        assert float(w) == 1.0
    assert (w * 2).item() == 2.0 and int(w) == 1 and f"{(w * 2).sum():.1f}" == "2.0"
    assert float(w.detach()) == 1.0


def test_copies_of_a_view_hold_only_its_elements_and_graph_tensors_are_refused(device):
    """``copy.deepcopy`` and ``pickle`` of a view keep its own elements, not its base
    (as PyTorch's); a tensor in the graph is refused with PyTorch's reason."""
    import copy
    import pickle

    x = minigrad.arange(10.0, device=device)
    view = x[2:4]
    for copied in (copy.deepcopy(view), pickle.loads(pickle.dumps(view))):
        assert copied._base is None and copied.tolist() == [2.0, 3.0]
        copied.add_(1)
        assert x[2].item() == 2.0  # the copy is its own memory
    y = minigrad.ones(2, device=device, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"graph leaves.*came from <MulBackward0>"):
        copy.deepcopy(y)
    assert copy.deepcopy(y.detach()).tolist() == [2.0, 2.0]
