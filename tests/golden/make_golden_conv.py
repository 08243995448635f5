"""Write the convolution and pooling golden file: inputs, outputs and gradients from PyTorch.

    pip install torch==2.13.0
    python tests/golden/make_golden_conv.py

The cases are the table ``CASES`` below. Each is a function of ``F`` (the functional module:
``torch.nn.functional`` or ``minigrad.nn.functional``, which share the API) and of its input
tensors, so the same function runs in both libraries. For every case this draws the inputs,
runs the case with PyTorch, draws a random output gradient ``v`` and backpropagates it, and
stores inputs, output (and the indices, for ``return_indices``), ``v`` and input gradients in
``conv.npz``. ``tests/test_conv.py`` imports ``CASES`` from here (PyTorch is only imported
when this file runs as a script) and replays them in minigrad. The file is written
atomically and records the PyTorch version.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20261123


@dataclass(frozen=True)
class Case:
    fn: object
    inputs: tuple  # ((shape, kind), ...)


def _c(fn, *inputs):
    return Case(fn, tuple(inputs))


# Input kinds: "f" standard normal float32 that requires grad; "c" the same as a constant (no
# grad: a first layer's input); "t" float32 that requires grad, drawn from {0, 1, 2} so that
# windows hold ties; "i" int64 in [-9, 9] (integer pooling, no grad).
X, W, B = ((2, 3, 7, 7), "f"), ((4, 3, 3, 3), "f"), ((4,), "f")
P = ((2, 3, 7, 8), "f")  # a pooling input with odd and even sizes

CASES = {
    # Convolution: strides, paddings, dilations, groups, kernel shapes, bias or none.
    "conv_basic": _c(lambda F, x, w, b: F.conv2d(x, w, b), X, W, B),
    "conv_stride2": _c(lambda F, x, w, b: F.conv2d(x, w, b, stride=2), X, W, B),
    "conv_pad1": _c(lambda F, x, w, b: F.conv2d(x, w, b, padding=1), X, W, B),
    "conv_stride2_pad1": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, stride=2, padding=1), ((2, 3, 8, 9), "f"), W, B
    ),
    "conv_pad_pair": _c(lambda F, x, w, b: F.conv2d(x, w, b, padding=(1, 2)), X, W, B),
    "conv_same": _c(lambda F, x, w, b: F.conv2d(x, w, b, padding="same"), X, W, B),
    "conv_same_even_kernel": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, padding="same"), X, ((4, 3, 2, 4), "f"), B
    ),
    "conv_same_dilation2": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, padding="same", dilation=2), X, W, B
    ),
    "conv_valid": _c(lambda F, x, w, b: F.conv2d(x, w, b, padding="valid"), X, W, B),
    "conv_dilation2": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, padding=1, dilation=2), ((2, 3, 9, 8), "f"), W, B
    ),
    "conv_dilation_pair": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, stride=(1, 2), dilation=(2, 1)), X, W, B
    ),
    "conv_groups2": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, padding=1, groups=2),
        ((2, 4, 6, 6), "f"),
        ((6, 2, 3, 3), "f"),
        ((6,), "f"),
    ),
    "conv_groups4": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, groups=4),
        ((2, 8, 6, 5), "f"),
        ((4, 2, 3, 3), "f"),
        ((4,), "f"),
    ),
    "conv_depthwise": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, padding=1, groups=4),
        ((2, 4, 6, 6), "f"),
        ((4, 1, 3, 3), "f"),
        ((4,), "f"),
    ),
    "conv_depthwise_multiplier": _c(
        lambda F, x, w: F.conv2d(x, w, stride=2, groups=4), ((2, 4, 7, 7), "f"), ((8, 1, 3, 3), "f")
    ),
    "conv_kernel_3x1": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, padding=(1, 0)), X, ((4, 3, 3, 1), "f"), B
    ),
    "conv_kernel_2x3": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, stride=(2, 1)), X, ((4, 3, 2, 3), "f"), B
    ),
    "conv_1x1": _c(lambda F, x, w, b: F.conv2d(x, w, b), X, ((5, 3, 1, 1), "f"), ((5,), "f")),
    "conv_no_bias": _c(lambda F, x, w: F.conv2d(x, w, padding=1), X, W),
    "conv_unbatched": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, stride=2, padding=1), ((3, 7, 6), "f"), W, B
    ),
    "conv_batch3_mixed": _c(
        lambda F, x, w, b: F.conv2d(
            x, w, b, stride=(2, 3), padding=(2, 1), dilation=(2, 1), groups=2
        ),
        ((3, 4, 9, 10), "f"),
        ((6, 2, 3, 2), "f"),
        ((6,), "f"),
    ),
    "conv_first_layer": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, padding=1), ((2, 3, 7, 7), "c"), W, B
    ),
    # Max pooling.
    "max_k2": _c(lambda F, x: F.max_pool2d(x, 2), P),
    "max_k3_s1": _c(lambda F, x: F.max_pool2d(x, 3, stride=1), P),
    "max_k3_s2_pad1": _c(lambda F, x: F.max_pool2d(x, 3, stride=2, padding=1), P),
    "max_k2_s1_pad1": _c(lambda F, x: F.max_pool2d(x, 2, stride=1, padding=1), P),
    "max_dilation2": _c(lambda F, x: F.max_pool2d(x, 3, stride=1, padding=1, dilation=2), P),
    "max_ceil": _c(lambda F, x: F.max_pool2d(x, 2, ceil_mode=True), ((2, 3, 7, 7), "f")),
    "max_ceil_s2_pad1": _c(
        lambda F, x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), ((2, 3, 8, 8), "f")
    ),
    "max_kernel_2x3": _c(lambda F, x: F.max_pool2d(x, (2, 3), stride=(1, 2)), P),
    "max_unbatched": _c(lambda F, x: F.max_pool2d(x, 3, stride=2), ((3, 7, 8), "f")),
    "max_ties": _c(lambda F, x: F.max_pool2d(x, 3, stride=1, padding=1), ((2, 2, 6, 6), "t")),
    "max_indices": _c(
        lambda F, x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True),
        ((2, 3, 8, 9), "f"),
    ),
    "max_indices_dilation": _c(
        lambda F, x: F.max_pool2d(x, 2, stride=1, dilation=2, return_indices=True), P
    ),
    "max_indices_unbatched": _c(
        lambda F, x: F.max_pool2d(x, 2, padding=1, return_indices=True), ((3, 5, 6), "f")
    ),
    "max_int": _c(lambda F, x: F.max_pool2d(x, 3, stride=2, padding=1), ((2, 2, 7, 7), "i")),
    # Average pooling.
    "avg_k2": _c(lambda F, x: F.avg_pool2d(x, 2), P),
    "avg_k3_s1": _c(lambda F, x: F.avg_pool2d(x, 3, stride=1), P),
    "avg_k3_s2_pad1": _c(lambda F, x: F.avg_pool2d(x, 3, stride=2, padding=1), P),
    "avg_pad1_exclude_pad": _c(
        lambda F, x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), P
    ),
    "avg_ceil": _c(lambda F, x: F.avg_pool2d(x, 2, ceil_mode=True), ((2, 3, 7, 7), "f")),
    "avg_ceil_pad1": _c(
        lambda F, x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), ((2, 3, 8, 8), "f")
    ),
    "avg_ceil_pad1_exclude_pad": _c(
        lambda F, x: F.avg_pool2d(
            x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False
        ),
        ((2, 3, 8, 8), "f"),
    ),
    "avg_divisor_override": _c(
        lambda F, x: F.avg_pool2d(x, 3, stride=2, padding=1, divisor_override=4), P
    ),
    "avg_kernel_3x2": _c(lambda F, x: F.avg_pool2d(x, (3, 2), stride=(2, 1), padding=(1, 0)), P),
    "avg_unbatched": _c(lambda F, x: F.avg_pool2d(x, 2, stride=1), ((3, 5, 6), "f")),
    "avg_int": _c(lambda F, x: F.avg_pool2d(x, 2, stride=1, padding=1), ((2, 2, 5, 5), "i")),
    # "Same" convolutions with no more outputs than inputs: minigrad's backward builds the
    # columns of the output gradient instead of the input's (Conv2d's second path).
    "conv_same_grad_columns": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, padding=1),
        ((2, 5, 7, 6), "f"),
        ((4, 5, 3, 3), "f"),
        ((4,), "f"),
    ),
    "conv_same_grad_columns_5x5": _c(
        lambda F, x, w, b: F.conv2d(x, w, b, padding="same"),
        ((2, 3, 8, 7), "f"),
        ((3, 3, 5, 5), "f"),
        ((3,), "f"),
    ),
    "conv_same_grad_columns_3x1": _c(
        lambda F, x, w: F.conv2d(x, w, padding=(1, 0)), ((3, 4, 6, 5), "f"), ((2, 4, 3, 1), "f")
    ),
    "conv_same_grad_columns_frozen_weight": _c(
        lambda F, x, w: F.conv2d(x, w, padding=1), ((2, 4, 5, 5), "f"), ((4, 4, 3, 3), "c")
    ),
}


def make_input(rng: np.random.Generator, shape, kind: str) -> np.ndarray:
    if kind in ("f", "c"):
        return rng.standard_normal(shape).astype(np.float32)
    if kind == "t":
        return rng.integers(0, 3, shape).astype(np.float32)
    if kind == "i":
        return rng.integers(-9, 10, shape).astype(np.int64)
    raise ValueError(f"unknown input kind {kind!r}")


def run_case(F, case: Case, arrays) -> dict[str, np.ndarray]:
    import torch

    inputs = []
    for array, (_, kind) in zip(arrays, case.inputs):
        inputs.append(torch.tensor(array, requires_grad=kind in ("f", "t")))
    out = case.fn(F, *inputs)
    record = {f"in{i}": a for i, a in enumerate(arrays)}
    if isinstance(out, tuple):  # return_indices=True
        out, indices = out
        record["indices"] = indices.numpy()
    record["out"] = out.detach().numpy()
    if out.requires_grad:
        v = np.random.default_rng(SEED + 1).standard_normal(out.shape).astype(record["out"].dtype)
        out.backward(torch.tensor(v))
        record["v"] = v
        for i, t in enumerate(inputs):
            if t.requires_grad:
                record[f"grad{i}"] = t.grad.numpy()
    return record


def main() -> None:
    import torch
    import torch.nn.functional as F
    from make_golden import save_atomically  # imports torch, so only when run

    torch.manual_seed(0)
    rng = np.random.default_rng(SEED)
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    for name, case in CASES.items():
        inputs = [make_input(rng, shape, kind) for shape, kind in case.inputs]
        for key, value in run_case(F, case, inputs).items():
            arrays[f"{name}.{key}"] = np.asarray(value)
    save_atomically(HERE / "conv.npz", arrays)
    print(f"wrote {len(CASES)} cases with PyTorch {torch.__version__} to {HERE / 'conv.npz'}")


if __name__ == "__main__":
    sys.exit(main())
