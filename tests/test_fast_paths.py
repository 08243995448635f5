"""Every fast path against its reference (``minigrad/fastpath.py``, ``minigrad/fast/``).

Each test runs the same computation twice, with the fast paths on and in reference mode,
from the same inputs, and compares outputs, gradients and state. The fast CPU paths run
here; the GPU ones run with ``pytest --device cuda`` (``tests/test_cuda_kernels.py``
compares each fused kernel with the plain code too).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import fastpath, nn
from minigrad.fast import direct_conv
from minigrad.nn.rnn import run_sequence
from minigrad.ops.batchnorm import BatchNorm
from minigrad.ops.conv import Conv2d
from minigrad.ops.elementwise import ReLU
from minigrad.ops.linalg import Linear, MatMul
from minigrad.ops.movement import Stack
from minigrad.ops.pooling import MaxPool2d
from minigrad.optim import SGD, Optimizer


def both_ways(run):
    """``run()`` with the fast paths on, then in reference mode: the two results."""
    with fastpath.reference_mode(False):
        fast = run()
    with fastpath.reference_mode(True):
        reference = run()
    return fast, reference


def assert_same_values(fast, reference, rtol, atol):
    """Arrays (None skipped) with their NaNs and infs in the same places, and the finite
    values close: for the tests that put an inf or a NaN into a fast path."""
    for a, b in zip(fast, reference):
        if a is None or b is None:
            continue
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_array_equal(np.isinf(a), np.isinf(b))
        finite = np.isfinite(a) & np.isfinite(b)
        np.testing.assert_allclose(a[finite], b[finite], rtol=rtol, atol=atol)


def on_one_and_all_threads(run):
    """``run()`` on one of numba's threads, then on all of them: the two results, which
    a compiled kernel must give bit for bit."""
    import numba

    before = numba.get_num_threads()
    results = []
    try:
        for threads in (1, before):
            numba.set_num_threads(threads)
            results.append(run())
    finally:
        numba.set_num_threads(before)
    return results


def assert_close(fast, reference, rtol, atol):
    assert len(fast) == len(reference)
    for a, b in zip(fast, reference):
        if a is None or b is None:
            assert a is None and b is None
            continue
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def test_every_cpu_fast_path_is_tested_here():
    """A new CPU fast path must get a comparison in this file: the tested ops are listed."""
    tested = {BatchNorm, Conv2d, SGD, ReLU, MaxPool2d, Optimizer, run_sequence, MatMul, Linear}
    # Optimizer: foreach, tested in test_flat_optim.py
    on_cpu = {op for op, device_type in fastpath.registered() if device_type == "cpu"}
    assert on_cpu == tested


def test_the_fast_path_runs_unless_reference_mode_is_on():
    x = minigrad.randn(2, 3, 5, 5, requires_grad=True)
    w = minigrad.randn(4, 3, 3, 3, requires_grad=True)
    with fastpath.reference_mode(False):
        fn = F.conv2d(x, w).grad_fn
        assert type(fn).__name__ in ("Conv2dDirect", "Conv2dFast") and isinstance(fn, Conv2d)
        assert fn.name() == "Conv2dBackward0"  # a fast path keeps the op's name
    with fastpath.reference_mode():
        assert type(F.conv2d(x, w).grad_fn) is Conv2d
        assert type(minigrad.relu(x).grad_fn).__name__ == "ReLU"
    with fastpath.reference_mode(False):
        relu = "ReLUCompiled" if direct_conv.AVAILABLE else "ReLUCPU"
        assert type(minigrad.relu(x).grad_fn).__name__ == relu
        pool = "MaxPool2dCompiled" if direct_conv.AVAILABLE else "MaxPool2dCPU"
        assert type(F.max_pool2d(x, 2).grad_fn).__name__ == pool


def test_registering_twice_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        fastpath.register(Conv2d, "cpu")(type("Again", (Conv2d,), {}))
    with pytest.raises(ValueError, match="device type"):
        fastpath.register(Conv2d, "tpu")


# ----------------------------------------------------------------------------------------
# Convolution: every layout and backward path of the fast one
# ----------------------------------------------------------------------------------------

# x shape, weight shape, stride, padding, dilation, groups: wide rows (stride 1 along W),
# plain rows, "same" convolutions (the gradient-columns backward), groups, dilation, 1x1.
CONV_CASES = {
    "same3x3": ((3, 4, 9, 8), (4, 4, 3, 3), 1, 1, 1, 1),
    "same3x3_more_out": ((2, 3, 7, 7), (6, 3, 3, 3), 1, 1, 1, 1),
    "same5x5": ((2, 4, 8, 9), (2, 4, 5, 5), 1, 2, 1, 1),
    "valid": ((2, 3, 8, 8), (5, 3, 3, 3), 1, 0, 1, 1),
    "stride2": ((2, 3, 9, 8), (4, 3, 3, 3), 2, 1, 1, 1),
    "stride_h_only": ((2, 3, 9, 8), (4, 3, 3, 3), (2, 1), (1, 0), 1, 1),
    "dilated": ((2, 2, 9, 9), (3, 2, 3, 3), 1, 2, 2, 1),
    "groups": ((2, 4, 6, 6), (6, 2, 3, 3), 1, 1, 1, 2),
    "depthwise": ((2, 4, 6, 6), (4, 1, 3, 3), 1, 1, 1, 4),
    "1x1": ((2, 5, 4, 4), (3, 5, 1, 1), 1, 0, 1, 1),
    "rect_kernel": ((2, 3, 7, 9), (4, 3, 3, 1), 1, (1, 0), 1, 1),
}


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_conv2d_fast_path_matches_reference(name, bias, rng):
    x_shape, w_shape, stride, padding, dilation, groups = CONV_CASES[name]
    x0 = rng.standard_normal(x_shape).astype(np.float32)
    w0 = rng.standard_normal(w_shape).astype(np.float32)
    b0 = rng.standard_normal(w_shape[0]).astype(np.float32)

    def run():
        x = minigrad.tensor(x0, requires_grad=True)
        w = minigrad.tensor(w0, requires_grad=True)
        b = minigrad.tensor(b0, requires_grad=True) if bias else None
        out = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation,
                       groups=groups)  # fmt: skip
        out.backward(minigrad.tensor(np.cos(np.arange(out.numel())).reshape(out.shape)
                                     .astype(np.float32)))  # fmt: skip
        grads = [x.grad.numpy(), w.grad.numpy(), b.grad.numpy() if bias else None]
        return [out.numpy(), *grads]

    fast, reference = both_ways(run)
    assert_close(fast, reference, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("where", ["input", "weight"])
@pytest.mark.parametrize("value", [np.inf, np.nan])
def test_conv2d_fast_path_keeps_infs_and_nans_as_the_reference(where, value, rng):
    """The fast path's junk columns and second backward must not spread a non-finite
    value where the reference (which has neither) does not."""
    x0 = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w0 = rng.standard_normal((3, 3, 3, 3)).astype(np.float32)
    (x0 if where == "input" else w0)[0, 1, 2, 2] = value

    def run():
        x = minigrad.tensor(x0, requires_grad=True)
        w = minigrad.tensor(w0, requires_grad=True)
        out = F.conv2d(x, w, padding=1)
        out.backward(minigrad.ones_like(out))  # not out.sum(): inf - inf would warn there
        return [out.numpy(), x.grad.numpy(), w.grad.numpy()]

    fast, reference = both_ways(run)
    assert_same_values(fast, reference, rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------------------------------
# BatchNorm: training and evaluation, 2-D and 4-D, with and without the affine part
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(16, 5), (4, 3, 5, 6), (3, 4, 7)])
def test_batch_norm_fast_path_matches_reference(shape, training, affine, rng):
    x0 = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    g0 = rng.standard_normal(shape).astype(np.float32)
    layer = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d}[len(shape)]

    def run():
        minigrad.manual_seed(0)
        bn = layer(shape[1], affine=affine)
        if affine:
            with minigrad.no_grad():
                bn.weight.copy_(minigrad.linspace(0.5, 2.0, shape[1]))
                bn.bias.copy_(minigrad.linspace(-1.0, 1.0, shape[1]))
        bn.train(training)
        if not training:
            bn.running_mean.copy_(minigrad.linspace(-0.5, 0.5, shape[1]))
            bn.running_var.copy_(minigrad.linspace(0.5, 1.5, shape[1]))
        x = minigrad.tensor(x0, requires_grad=True)
        out = bn(x)
        out.backward(minigrad.tensor(g0))
        result = [out.numpy(), x.grad.numpy(), bn.running_mean.numpy(), bn.running_var.numpy()]
        if affine:
            result += [bn.weight.grad.numpy(), bn.bias.grad.numpy()]
        return result

    fast, reference = both_ways(run)
    assert_close(fast, reference, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------------------
# SGD: every option, over a few steps (the momentum buffer's first step and later ones)
# ----------------------------------------------------------------------------------------

SGD_OPTIONS = [
    {},
    {"momentum": 0.9},
    {"momentum": 0.9, "weight_decay": 5e-4},
    {"momentum": 0.9, "dampening": 0.3},
    {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-2},
    {"momentum": 0.5, "maximize": True},
    {"weight_decay": 1e-2, "maximize": True},
]


@pytest.mark.parametrize("options", SGD_OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_sgd_fast_path_matches_reference(options, rng):
    w0 = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(3)]

    def run():
        w = minigrad.tensor(w0, requires_grad=True)
        opt = SGD([w], lr=0.1, **options)
        for g in grads:
            w.grad = minigrad.tensor(g)
            opt.step()
        buf = opt.state[w].get("momentum_buffer") if w in opt.state else None
        return [w.numpy(), None if buf is None else buf.numpy()]

    fast, reference = both_ways(run)
    assert_close(fast, reference, rtol=1e-6, atol=1e-7)
    assert w0.dtype == fast[0].dtype


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", SGD_OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_compiled_sgd_gives_the_numpy_updates_bit_for_bit(options, dtype, parallel, rng,
                                                         monkeypatch):  # fmt: skip
    """The compiled update (numba, or its Python code without numba) rounds as NumPy's
    float32 and float64 operations do: the same bits as ``sgd_update_cpu``, on one core
    and (below ``PARALLEL_SIZE``, lowered here) on all of them; a strided parameter takes
    the NumPy update."""
    from minigrad.fast import sgd as fast_sgd

    monkeypatch.setattr(fast_sgd, "PARALLEL_SIZE", 8 if parallel else 1 << 20)
    full = {"lr": 0.1, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0,
            "nesterov": False, "maximize": False, **options}  # fmt: skip
    w0 = rng.standard_normal((6, 5)).astype(dtype)
    grads = [rng.standard_normal((6, 5)).astype(dtype) for _ in range(3)]
    results = []
    for update in (fast_sgd.sgd_update_compiled, fast_sgd.sgd_update_cpu):
        p, state = minigrad.tensor(w0, requires_grad=True), {}
        for g in grads:
            p.grad = minigrad.tensor(g)
            update(p, state, *full.values())
        buf = state.get("momentum_buffer")
        results.append([p.numpy(), None if buf is None else buf.numpy()])
    for a, b in zip(*results):
        assert (a is None and b is None) or np.array_equal(a, b)
    strided = minigrad.tensor(np.asfortranarray(w0), requires_grad=True)
    strided.grad = minigrad.tensor(grads[0])
    fast_sgd.sgd_update_compiled(strided, {}, *full.values())
    expected = minigrad.tensor(w0, requires_grad=True)
    expected.grad = minigrad.tensor(grads[0])
    fast_sgd.sgd_update_cpu(expected, {}, *full.values())
    np.testing.assert_array_equal(strided.numpy(), expected.numpy())


def test_sgd_fast_path_does_not_alias_the_gradient():
    """The first momentum step copies the gradient into the buffer on both paths, so a
    later change of ``.grad`` does not change the buffer."""
    for reference in (False, True):
        with fastpath.reference_mode(reference):
            w = minigrad.ones(3, requires_grad=True)
            opt = SGD([w], lr=0.1, momentum=0.9)
            w.grad = minigrad.ones(3)
            opt.step()
            w.grad.fill_(5.0)
            assert opt.state[w]["momentum_buffer"].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    "value, reference", [(None, False), ("1", True), ("true", True), ("0", False), ("", False)]
)
def test_the_environment_switch(value, reference):
    """``MINIGRAD_REFERENCE`` is read when minigrad is imported: a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "MINIGRAD_REFERENCE"}
    if value is not None:
        env["MINIGRAD_REFERENCE"] = value
    code = (
        "import minigrad, minigrad.nn.functional as F\n"
        "x = minigrad.randn(1, 1, 4, 4, requires_grad=True)\n"
        "w = minigrad.randn(1, 1, 3, 3, requires_grad=True)\n"
        "print(minigrad.fastpath.enabled(), type(F.conv2d(x, w).grad_fn).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    fast = "Conv2dDirect" if direct_conv.AVAILABLE else "Conv2dFast"
    assert out == (["False", "Conv2d"] if reference else ["True", fast])


# ----------------------------------------------------------------------------------------
# ReLU and max pooling: multiplies where the gradient is finite, the reference's selects
# where it is not
# ----------------------------------------------------------------------------------------


def _upstream(shape, kind, rng):
    g = rng.standard_normal(shape).astype(np.float32)
    if kind == "inf":
        g.flat[:: max(1, g.size // 5)] = np.inf
    elif kind == "nan":
        g.flat[1 :: max(1, g.size // 4)] = np.nan
    return g


@pytest.mark.parametrize("kind", ["finite", "inf", "nan"])
def test_relu_fast_path_matches_reference(kind, rng):
    x_data = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    g = _upstream(x_data.shape, kind, rng)

    def run():
        x = minigrad.tensor(x_data, requires_grad=True)
        relu = "ReLUCompiled" if direct_conv.AVAILABLE else "ReLUCPU"
        assert type(minigrad.relu(x).grad_fn).__name__ == (relu if fastpath.enabled() else "ReLU")
        minigrad.relu(x).backward(minigrad.tensor(g))
        return [x.grad.numpy()]

    fast, reference = both_ways(run)
    assert_close(fast, reference, rtol=0, atol=0)
    if kind != "finite":  # where the output is 0 the gradient is 0, never inf * 0
        assert np.all(fast[0][x_data <= 0] == 0)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_relu_gives_the_reference_bit_for_bit(dtype, parallel, rng, monkeypatch):
    """Forward and backward of ``ReLUCompiled`` (numba, or its Python code without it)
    against the reference, with -0.0, infs and NaNs in the input and the gradient, on one
    core and (``PARALLEL_SIZE`` lowered) on all; strided and integer inputs take the
    NumPy path."""
    from minigrad.fast import elementwise

    monkeypatch.setattr(elementwise, "PARALLEL_SIZE", 8 if parallel else 1 << 20)
    x0 = rng.standard_normal((3, 4, 5)).astype(dtype)
    x0.flat[:6] = [-0.0, 0.0, np.nan, np.inf, -np.inf, -1.0]
    g0 = _upstream(x0.shape, "nan", rng).astype(dtype)
    g0.flat[6:9] = [np.inf, -np.inf, np.nan]
    results = []
    for op in (elementwise.ReLUCompiled, ReLU):
        x = minigrad.tensor(x0, requires_grad=True)
        out = op.apply(x)
        out.backward(minigrad.tensor(g0))
        results.append([out.numpy(), x.grad.numpy()])
    for a, b in zip(*results):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))
    strided = minigrad.tensor(np.asfortranarray(x0), requires_grad=True)
    assert not elementwise.ReLUCompiled.apply(strided).grad_fn.compiled
    out = elementwise.ReLUCompiled.apply(minigrad.tensor([-2, 3]))
    assert out.tolist() == [0, 3]


@pytest.mark.parametrize("kind", ["finite", "inf", "nan"])
@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 1, 1), (3, 2, 1)])
def test_max_pool_fast_path_matches_reference(kernel, stride, padding, kind, rng):
    x_data = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    x_data[0, 0, :2, :2] = 1.5  # ties: the first tap wins in both
    out_shape = F.max_pool2d(minigrad.tensor(x_data), kernel, stride, padding).shape
    g = _upstream(out_shape, kind, rng)

    def run():
        x = minigrad.tensor(x_data, requires_grad=True)
        F.max_pool2d(x, kernel, stride, padding).backward(minigrad.tensor(g))
        return [x.grad.numpy()]

    fast, reference = both_ways(run)
    assert_close(fast, reference, rtol=0, atol=0)


@pytest.mark.skipif(not direct_conv.AVAILABLE, reason="numba (the fast extra) is not installed")
def test_every_compiled_kernel_has_a_disk_cache_entry_of_its_own():
    """numba keys its disk cache by a function's module, name and first line, not by its
    options: two dispatchers of one function (a serial and a parallel version) would
    load each other's machine code, and the tests of one would run the other. (The max
    pooling's parallel backward, compiled wrong, ran as its serial one too.)"""
    import importlib
    import pkgutil

    from numba.core.dispatcher import Dispatcher

    import minigrad.fast

    seen = {}
    for info in pkgutil.iter_modules(minigrad.fast.__path__):
        if info.name == "cuda_kernels":  # CuPy's kernels, built on import: a GPU's
            continue
        module = importlib.import_module(f"minigrad.fast.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Dispatcher):  # (every kernel here is cached)
                f = value.py_func
                key = (f.__module__, f.__qualname__, f.__code__.co_firstlineno)
                assert seen.setdefault(key, (info.name, name)) == (info.name, name), key
    assert len(seen) >= 10  # the kernels of direct_conv, pooling, elementwise, sgd, ...


_THREADS_PROBE = """
import os, time
import numpy as np
import minigrad, numba
from minigrad.fast import compiled
from minigrad.fast.elementwise import PARALLEL_SIZE, _relu_parallel
a = np.ones(PARALLEL_SIZE, np.float32)
with compiled.one_at_a_time:  # as every kernel is run: the first time, the layer is chosen
    _relu_parallel(a, np.empty_like(a))  # a parallel loop: the threading layer starts
start = time.process_time()
time.sleep(0.1)  # idle: threads that spin would use this whole time on a core
print(numba.threading_layer(), os.environ.get("OMP_WAIT_POLICY"), time.process_time() - start)
"""


@pytest.mark.skipif(not direct_conv.AVAILABLE, reason="numba (the fast extra) is not installed")
@pytest.mark.parametrize("layer", [None, "workqueue"])
def test_the_threading_layer_and_its_idle_threads(layer):
    """minigrad runs numba's parallel loops on OpenMP's layer where an OpenMP library is
    installed, its idle threads asleep (``OMP_WAIT_POLICY=PASSIVE`` only while it
    loads: the variable is not left set), else on numba's work queue; a layer the user
    names is kept. Either way the threads use no CPU while idle."""
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_THREADING_LAYER",
                                                             "OMP_WAIT_POLICY")}  # fmt: skip
    if layer is not None:
        env["NUMBA_THREADING_LAYER"] = layer
    out = subprocess.run([sys.executable, "-c", _THREADS_PROBE], capture_output=True,
                         text=True, check=True, env=env).stdout.split()  # fmt: skip
    chosen, policy, idle_cpu = out[0], out[1], float(out[2])
    try:
        from numba.np.ufunc import omppool  # noqa: F401
    except ImportError:
        expected = "workqueue"  # no OpenMP library here
    else:
        expected = layer or "omp"
    assert (chosen, policy) == (expected, "None")
    assert idle_cpu < 0.05  # spinning threads: about 0.1 s


_LOADED_BETWEEN = """
import ctypes, ctypes.util
import numpy as np
import minigrad, numba
from minigrad.fast import compiled
from minigrad.fast.elementwise import PARALLEL_SIZE, _relu_parallel
ctypes.CDLL(ctypes.util.find_library("gomp"))  # as "import torch" would, here
a = np.ones(PARALLEL_SIZE, np.float32)
with compiled.one_at_a_time:
    _relu_parallel(a, np.empty_like(a))
print(numba.threading_layer())
"""


@pytest.mark.skipif(not direct_conv.AVAILABLE, reason="numba (the fast extra) is not installed")
def test_the_layer_is_chosen_at_the_first_parallel_loop_not_at_import():
    """An OpenMP library that another package loads after ``import minigrad`` (PyTorch
    bundles one) but before minigrad's first parallel loop keeps its own settings: minigrad
    then takes numba's work queue rather than load that library with its idle threads
    asleep (which slowed PyTorch's LSTM 3x)."""
    import ctypes.util

    if ctypes.util.find_library("gomp") is None:  # (not loaded here: this process's layer)
        pytest.skip("no GNU OpenMP library (libgomp) on this system to load")
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_THREADING_LAYER",
                                                             "OMP_WAIT_POLICY")}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", _LOADED_BETWEEN], capture_output=True,
                         text=True, check=True, env=env).stdout.split()  # fmt: skip
    assert out == ["workqueue"]


def _in_a_forked_child(work) -> tuple[int, bytes]:
    """Fork; the child runs ``work()`` (bytes) and exits: its exit status, and what
    ``work`` returned (empty if it never returned)."""
    import warnings

    read, write = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns of forking a threaded process:
        warnings.simplefilter("ignore", DeprecationWarning)  # that is the point here
        pid = os.fork()
    if pid == 0:  # the child: never back into pytest
        try:
            os.write(write, work())
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        return status, pipe.read()


@pytest.mark.skipif(not direct_conv.AVAILABLE, reason="numba (the fast extra) is not installed")
@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_kernels_run_in_a_child_forked_after_a_parallel_loop(rng):
    """OpenMP's threads do not survive a fork, and numba ends a forked child that starts a
    parallel loop on them (SIGTERM): after such a fork the kernels run their serial
    twins (``compiled.PARALLEL``), with the same results. Shown both ways: a child that
    skips the guard is ended, where the threading layer is OpenMP."""
    import numba

    from minigrad.fast import compiled
    from minigrad.fast.elementwise import PARALLEL_SIZE, _relu_parallel

    x = rng.standard_normal((4, 3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((5, 3, 9)).astype(np.float32)
    a = rng.standard_normal(PARALLEL_SIZE).astype(np.float32)
    expected, relu = direct_conv.correlate(x, w, (1, 1, 1, 1)), np.maximum(a, 0)
    with compiled.one_at_a_time:  # (a parallel loop here, before the fork)
        _relu_parallel(a, np.empty_like(a))
    omp = numba.threading_layer() == "omp"

    def guarded():
        conv = direct_conv.correlate(x, w, (1, 1, 1, 1))
        out = F.relu(minigrad.tensor(a)).numpy()
        same = np.array_equal(conv, expected) and np.array_equal(out, relu)
        return b"same" if same and compiled.PARALLEL is not omp else b"different"

    assert _in_a_forked_child(guarded) == (0, b"same")

    def unguarded():
        out = np.empty_like(a)
        _relu_parallel(a, out)  # straight to the parallel loop
        return b"ran"

    status, said = _in_a_forked_child(unguarded)
    if omp:
        assert os.WIFSIGNALED(status) and said == b""
    else:  # numba's work queue starts its threads again in the child
        assert (status, said) == (0, b"ran")
    assert compiled.PARALLEL  # (the parent's flag is its own)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (3, 2, 7, 9), (1, 1, 1, 5), (2, 2, 4, 1)])
def test_compiled_max_pool_gives_the_reference_bit_for_bit(shape, dtype, parallel, rng,
                                                           monkeypatch):  # fmt: skip
    """Forward and backward of ``MaxPool2dCompiled`` (numba, or its Python code without
    it) against the reference 2x2 pooling, on one core and (``PARALLEL_SIZE`` lowered) on
    all: odd sizes (a row or column that no window covers), ties, -0.0 against 0.0, NaN
    and inf in the input, infinite and NaN gradients, and a strided input."""
    from minigrad.fast import pooling

    monkeypatch.setattr(pooling, "PARALLEL_SIZE", 8 if parallel else 1 << 20)
    x0 = rng.integers(-2, 3, shape).astype(dtype)  # small integers: many ties
    flat = x0.reshape(-1)
    flat[: min(8, flat.size)] = [-0.0, 0.0, np.nan, 1.0, np.inf, -np.inf, 0.0, -0.0][: flat.size]
    out_shape = (*shape[:2], shape[2] // 2, shape[3] // 2)
    g0 = rng.standard_normal(out_shape).astype(dtype)
    g0.reshape(-1)[:3] = [np.inf, np.nan, -np.inf][: g0.size]
    for layout in (np.ascontiguousarray, np.asfortranarray):
        results = []
        for op in (pooling.MaxPool2dCompiled, MaxPool2d):
            x = minigrad.tensor(layout(x0), requires_grad=True)
            out = op.apply(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
            if op is pooling.MaxPool2dCompiled:
                assert out.grad_fn.compiled
            out.backward(minigrad.tensor(g0))
            results.append([out.numpy(), x.grad.numpy()])
        for a, b in zip(*results):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize(
    "args",
    [
        ((3, 3), (2, 2), (0, 0), (1, 1), False),  # another window
        ((2, 2), (1, 1), (0, 0), (1, 1), False),  # overlapping windows
        ((2, 2), (2, 2), (1, 1), (1, 1), False),  # padding
        ((2, 2), (2, 2), (0, 0), (2, 2), False),  # dilation
        ((2, 2), (2, 2), (0, 0), (1, 1), True),  # ceil_mode, with an odd size
    ],
)
def test_compiled_max_pool_hands_other_poolings_to_numpy(args, rng):
    """What the kernels are not written for takes ``MaxPool2dCPU``'s path, with the
    reference's results; so do integer inputs and ``return_indices``."""
    from minigrad.fast import pooling

    x0 = rng.standard_normal((2, 3, 7, 7))
    results = []
    for op in (pooling.MaxPool2dCompiled, MaxPool2d):
        x = minigrad.tensor(x0, requires_grad=True)
        out = op.apply(x, *args)
        if op is pooling.MaxPool2dCompiled:
            assert not out.grad_fn.compiled
        out.sum().backward()
        results.append([out.numpy(), x.grad.numpy()])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
    ints = minigrad.tensor(rng.integers(0, 9, (1, 1, 4, 4)))
    assert pooling.MaxPool2dCompiled.apply(ints, (2, 2), (2, 2), (0, 0), (1, 1), False).tolist() \
        == MaxPool2d.apply(ints, (2, 2), (2, 2), (0, 0), (1, 1), False).tolist()  # fmt: skip
    indices = []
    x = minigrad.tensor(x0)
    out = pooling.MaxPool2dCompiled.apply(x, (2, 2), (2, 2), (0, 0), (1, 1), False, indices)
    assert len(indices) == 1 and indices[0].shape == out.shape


# ----------------------------------------------------------------------------------------
# Recurrent layers: the loop over time as one op, against the loop of step functions
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "build",
    [
        lambda dt: nn.RNN(3, 5, 2, bidirectional=True, dtype=dt),
        lambda dt: nn.RNN(3, 5, nonlinearity="relu", bias=False, dtype=dt),
        lambda dt: nn.LSTM(3, 5, 2, bidirectional=True, dtype=dt),
        lambda dt: nn.LSTM(3, 5, proj_size=2, batch_first=True, dtype=dt),
        lambda dt: nn.GRU(3, 5, 2, bidirectional=True, dtype=dt),
        lambda dt: nn.GRU(3, 5, bias=False, dtype=dt),
    ],
    ids=["rnn", "rnn_relu", "lstm", "lstm_proj", "gru", "gru_no_bias"],
)
@pytest.mark.parametrize("loop", ["RecurrentSequenceCompiled", "RecurrentSequence"])
def test_recurrent_sequence_fast_path_matches_reference(build, dtype, loop, rng, monkeypatch):
    """The CPU's loop (its LSTM step compiled) and the NumPy one that GPUs run, each
    against the reference loop of step functions."""
    from minigrad.fast import rnn as fast_rnn

    monkeypatch.setattr(fast_rnn, "CPU_LOOP", getattr(fast_rnn, loop))
    dt = getattr(minigrad, dtype)
    minigrad.manual_seed(0)
    layer = build(dt)
    x_data = rng.standard_normal((4, 6, 3) if layer.batch_first else (6, 4, 3)).astype(dtype)
    directions = 1 + layer.bidirectional
    state_shapes = [(layer.num_layers * directions, 4, layer.proj_size or layer.hidden_size)]
    if isinstance(layer, nn.LSTM):
        state_shapes.append((layer.num_layers * directions, 4, layer.hidden_size))
    states = [rng.standard_normal(s).astype(dtype) for s in state_shapes]

    def run():
        layer.zero_grad()
        x = minigrad.tensor(x_data, requires_grad=True)
        hx = [minigrad.tensor(s, requires_grad=True) for s in states]
        out, last = layer(x, tuple(hx) if len(hx) == 2 else hx[0])
        op = out.grad_fn
        while not isinstance(op, fast_rnn.RecurrentSequence | Stack) and op.parents:
            op = next(p for p in op.parents if p is not None and p.__class__ is not nn.Parameter
                      and not isinstance(p, minigrad.Tensor))  # fmt: skip
        assert type(op).__name__ == (loop if fastpath.enabled() else "Stack")
        last = last if isinstance(last, tuple) else (last,)
        loss = (out * out).sum() + sum((h * (k + 2)).sum() for k, h in enumerate(last))
        loss.backward()
        grads = [x.grad.numpy()] + [h.grad.numpy() for h in hx]
        grads += [p.grad.numpy() for p in layer.parameters()]
        return [out.detach().numpy()] + [h.detach().numpy() for h in last] + grads

    fast, reference = both_ways(run)
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    assert_close(fast, reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("projected", [False, True])
def test_the_compiled_lstm_step_saturates_as_the_numpy_one(dtype, projected, rng):
    """Gates driven far into saturation (inputs of +-1e4 and infinities: exp overflows,
    sigmoids of exactly 0 and 1): the compiled LSTM step gives the NumPy step's outputs
    and gradients (any infinities and NaNs in the same places)."""
    from minigrad.fast.rnn import RecurrentSequence, RecurrentSequenceCompiled

    steps, batch, hidden = 4, 3, 5
    xi0 = (rng.standard_normal((steps, batch, 4 * hidden)) * 30).astype(dtype)
    xi0[0, 0, :6] = [1e4, -1e4, np.inf, -np.inf, 88.0, -104.0]
    arrays = [xi0, rng.standard_normal((batch, 2 if projected else hidden)),
              rng.standard_normal((batch, hidden)),
              rng.standard_normal((4 * hidden, 2 if projected else hidden)),
              rng.standard_normal(4 * hidden),
              rng.standard_normal((2, hidden)) if projected else None]  # fmt: skip
    width = 2 if projected else hidden
    g0 = rng.standard_normal(steps * batch * width + batch * hidden)  # outputs, last cell
    results = []
    for op in (RecurrentSequenceCompiled, RecurrentSequence):
        inputs = [None if a is None else minigrad.tensor(a.astype(dtype), requires_grad=True)
                  for a in arrays]  # fmt: skip
        out = op.apply(*inputs, mode="LSTM", reverse=False)
        out.backward(minigrad.tensor(g0.astype(dtype)))
        results.append([out.detach().numpy()] + [t.grad.numpy() for t in inputs if t is not None])
    assert (results[1][1] == 0).sum() > 10  # saturated gates: gradients of exactly 0
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    assert_same_values(*results, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("given", [None, "28"])
def test_openblas_threads_sleep_soon_beside_the_compiled_kernels(given):
    """With numba installed, ``import minigrad`` before NumPy asks OpenBLAS's idle threads
    to sleep after 2^20 cycles (not 2^28: they would take a core from the kernels), unless
    the user set the variable; without numba, or after NumPy's import, it leaves it
    alone."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    if given is not None:
        env["OPENBLAS_THREAD_TIMEOUT"] = given
    code = "import {}, os; print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))"
    first, after_numpy = (
        subprocess.run([sys.executable, "-c", code.format(modules)], env=env,
                       capture_output=True, text=True, check=True).stdout.strip()
        for modules in ("minigrad", "numpy, minigrad")
    )  # fmt: skip
    expected = given or ("20" if direct_conv.AVAILABLE else "None")
    assert first == expected
    assert after_numpy == (given or "None")


def test_without_numba_the_cpu_runs_the_numpy_paths():
    """numba is the ``fast`` extra: hidden from the import system (as if not installed),
    minigrad registers the NumPy paths on the CPU, and the compiled kernels run as plain
    Python when called directly."""
    code = (
        "import sys\n"
        "sys.modules['numba'] = None  # import numba now raises ImportError\n"
        "import minigrad, minigrad.nn.functional as F\n"
        "from minigrad import fastpath, nn\n"
        "from minigrad.fast import compiled, direct_conv\n"
        "from minigrad.ops.batchnorm import BatchNorm\n"
        "from minigrad.ops.conv import Conv2d\n"
        "import numpy as np\n"
        "x = minigrad.randn(2, 3, 5, 5, requires_grad=True)\n"
        "w = minigrad.randn(4, 3, 3, 3, requires_grad=True)\n"
        "F.conv2d(x, w, padding=1).sum().backward()\n"
        "out = direct_conv.correlate(np.ones((1, 1, 2, 2)), np.ones((1, 1, 9)), (1, 1, 1, 1))\n"
        "from minigrad.optim import SGD\n"
        "from minigrad.ops.elementwise import ReLU\n"
        "from minigrad.ops.pooling import MaxPool2d\n"
        "print(compiled.AVAILABLE, fastpath.lookup(Conv2d, 'cpu').__name__,\n"
        "      fastpath.lookup(BatchNorm, 'cpu').__name__, fastpath.lookup(SGD, 'cpu').__name__,\n"
        "      fastpath.lookup(ReLU, 'cpu').__name__, fastpath.lookup(MaxPool2d, 'cpu').__name__,\n"
        "      out.sum(), x.grad.shape)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MINIGRAD_REFERENCE"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    paths = ["Conv2dFast", "BatchNormCPU", "sgd_update_cpu", "ReLUCPU", "MaxPool2dCPU"]
    assert out[:7] == ["False", *paths, "16.0"]


# ----------------------------------------------------------------------------------------
# float16 matrix products (fast/half_products.py)
# ----------------------------------------------------------------------------------------


HALF_PRODUCTS = {
    "2-D": lambda a, b, w, bias: a @ b,
    "stacked rows": lambda a, b, w, bias: a[None].expand(3, -1, -1) @ b,
    "vector": lambda a, b, w, bias: a[0] @ b,
    "linear": lambda a, b, w, bias: F.linear(a, w, bias),
    "linear 3-D, no bias": lambda a, b, w, bias: F.linear(a[None].expand(2, -1, -1), w),
}


@pytest.mark.parametrize("name", sorted(HALF_PRODUCTS))
def test_half_products_match_the_reference(name):
    """The fast path multiplies float16 operands in float32 and rounds once, as NumPy's
    own float16 loop (the reference) does, 40x slower: the same products. Where a bias is
    added, or summed for its gradient, the reference rounds twice (after the product, and
    in float16's addition), the fast path once, as PyTorch's fused addmm: within an ulp."""
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s) for s in ((5, 64), (64, 3), (3, 64), (3,))]

    def run():
        tensors = [minigrad.tensor(v, dtype=minigrad.float16, requires_grad=True) for v in values]
        out = HALF_PRODUCTS[name](*tensors)
        out.backward(minigrad.ones_like(out))
        grads = [None if t.grad is None else t.grad.numpy() for t in tensors]
        return [out.detach().numpy(), *grads]

    fast, reference = both_ways(run)
    if name != "linear":
        np.testing.assert_array_equal(fast[0], reference[0])
    for f, r in zip(fast, reference):
        assert (f is None) == (r is None)
        if f is not None:
            assert f.dtype == r.dtype == np.float16
            np.testing.assert_allclose(f.astype(float), r.astype(float), rtol=2e-3, atol=2e-3)


def test_half_convolution_matches_the_reference():
    """The CPU convolution's float16 inputs are computed in float32 (fast/half_products.py
    wraps its fast path) and rounded once; the reference runs NumPy's float16 products.
    The same convolution, within float16's rounding, and float16 results and gradients."""
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s) for s in ((2, 3, 9, 9), (4, 3, 3, 3), (4,))]

    def run():
        x, w, b = (minigrad.tensor(v, dtype=minigrad.float16, requires_grad=True) for v in values)
        out = F.conv2d(x, w, b, stride=2, padding=1)
        out.backward(minigrad.ones_like(out))
        return [out.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()]

    fast, reference = both_ways(run)
    for f, r in zip(fast, reference):
        assert f.dtype == r.dtype == np.float16
        np.testing.assert_allclose(f.astype(float), r.astype(float), rtol=1e-2, atol=2e-2)
