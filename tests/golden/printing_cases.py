"""What ``tests/golden/printing.npz`` holds: how PyTorch 2.13 prints tensors and shapes.

Each case builds a value from NumPy data with ``lib`` (PyTorch's names, or minigrad's)
under some print options, and returns its ``repr``; minigrad's text must equal PyTorch's
with ``torch.`` read as ``minigrad.``. The cases cover each number format (integers,
fixed point, scientific, non-finite values), each dtype's suffix, the line wrapping, the
summary of large tensors, the suffixes (``requires_grad``, ``grad_fn``) and the options.
"""

from __future__ import annotations

import numpy as np

SEED = 20261207


def _rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def _t(lib, array, **kw):
    return lib.torch.tensor(np.asarray(array), **kw)


ARRAYS = {
    "normal_2x3": lambda r: r.standard_normal((2, 3)).astype(np.float32),
    "normal_row_30": lambda r: r.standard_normal(30).astype(np.float32),
    "normal_4x12": lambda r: r.standard_normal((4, 12)).astype(np.float32),
    "normal_2x3x4": lambda r: r.standard_normal((2, 3, 4)).astype(np.float32),
    "integers_as_float": lambda r: np.array([[1.0, -2.0, 30.0], [4.0, 5.0, 600.0]], np.float32),
    "wide_range_ints": lambda r: np.array([1.0, 2.0, 3000.0], np.float32),
    "huge": lambda r: np.array([1.5e9, 2.0, -3.25], np.float32),
    "tiny": lambda r: np.array([1e-5, 0.5, 0.25], np.float32),
    "mixed_magnitudes": lambda r: np.array([0.001, 2.5, 3000.0], np.float64),
    "non_finite": lambda r: np.array([np.nan, np.inf, -np.inf, 0.0, 1.5], np.float32),
    "non_finite_ints": lambda r: np.array([np.nan, 2.0, -np.inf, 0.0], np.float32),
    "all_nan": lambda r: np.array([np.nan, np.nan], np.float32),
    "zeros": lambda r: np.zeros((2, 2), np.float32),
    "negative_zero": lambda r: np.array([-0.0, 0.5], np.float32),
    "float16": lambda r: r.standard_normal(5).astype(np.float16),
    "float64": lambda r: r.standard_normal((2, 2)),
    "int64": lambda r: r.integers(-1000, 1000, (3, 4)),
    "int32": lambda r: r.integers(-5, 5, 6).astype(np.int32),
    "uint8": lambda r: r.integers(0, 255, 7).astype(np.uint8),
    "bool": lambda r: np.array([[True, False], [False, True]]),
    "scalar_float": lambda r: np.array(0.39301, np.float32),
    "scalar_int": lambda r: np.array(7),
    "scalar_bool": lambda r: np.array(True),
    "scalar_nan": lambda r: np.array(np.nan, np.float32),
    "scalar_float64": lambda r: np.array(-2.5),
    "empty": lambda r: np.zeros(0, np.float32),
    "empty_2d": lambda r: np.zeros((0, 3), np.float32),
    "empty_3d_int": lambda r: np.zeros((2, 0, 3), np.int64),
    "empty_int": lambda r: np.zeros(0, np.int64),
    "summarized_1d": lambda r: np.arange(2000, dtype=np.float32) / 7,
    "summarized_2d": lambda r: r.standard_normal((40, 50)).astype(np.float32),
    "summarized_3d": lambda r: r.integers(0, 9, (12, 10, 11)),
    "long_ints": lambda r: np.arange(100),
}


def _plain(name):
    return lambda lib: repr(_t(lib, ARRAYS[name](_rng())))


def _with_options(name, **options):
    def case(lib):
        lib.torch.set_printoptions(**options)
        try:
            return repr(_t(lib, ARRAYS[name](_rng())))
        finally:
            lib.torch.set_printoptions(profile="default")

    return case


def _requires_grad(lib):
    return repr(_t(lib, ARRAYS["normal_2x3"](_rng()), requires_grad=True))


def _graph(lib):
    x = _t(lib, ARRAYS["normal_2x3"](_rng()), requires_grad=True)
    y = x * 2
    return " | ".join(repr(v) for v in (y, y + 1, y.sum(), y.mean()))


def _float64_with_grad(lib):
    return repr(_t(lib, ARRAYS["float64"](_rng()), requires_grad=True).sum())


def _parameter(lib):
    return repr(lib.torch.nn.Parameter(_t(lib, ARRAYS["normal_2x3"](_rng()))))


def _long_suffix(lib):
    x = _t(lib, ARRAYS["normal_row_30"](_rng()).astype(np.float64), requires_grad=True)
    return repr(x * 3)


def _sizes(lib):
    x = lib.torch.zeros(2, 3, 4)
    s = x.shape
    # Size's own + and * (not unpacking into a tuple) are what is compared.
    values = (s, x.size(), s[1:], s + (5,), (1,) + s, s * 2, s.numel(), lib.torch.Size([]))  # noqa: RUF005
    return " | ".join(repr(v) for v in values) + f" | {lib.torch.Size([]).numel()}"


CASES = {name: _plain(name) for name in ARRAYS}
CASES.update(
    {
        "precision_2": _with_options("normal_4x12", precision=2),
        "precision_8_float64": _with_options("float64", precision=8),
        "sci_mode_true": _with_options("normal_2x3", sci_mode=True),
        "sci_mode_false": _with_options("tiny", sci_mode=False),
        "linewidth_40": _with_options("normal_row_30", linewidth=40),
        "threshold_5": _with_options("normal_4x12", threshold=5),
        "edgeitems_1": _with_options("summarized_2d", edgeitems=1),
        "profile_short": _with_options("summarized_2d", profile="short"),
        "profile_full": _with_options("long_ints", profile="full"),
        "requires_grad": _requires_grad,
        "graph": _graph,
        "float64_with_grad": _float64_with_grad,
        "parameter": _parameter,
        "long_suffix": _long_suffix,
        "sizes": _sizes,
    }
)
