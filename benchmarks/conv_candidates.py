"""The candidates for the CPU convolution, side by side against PyTorch on the W2 layers.

    python benchmarks/conv_candidates.py [--passes 5] [--rounds 5] [--threads 2]

Each candidate times forward and backward of the three 3x3 convolutions of the MNIST CNN
(``examples/mnist_cnn.py``, batch 128; the first layer's input needs no gradient), in a
worker process of its own, one after the other, ``--passes`` times (PyTorch, taps,
direct, NumPy, PyTorch, ...): the machine's speed drifts, so every ratio is taken
within one pass, between processes that ran side by side. Separate processes, because
idle BLAS threads keep spinning for a while and would slow the next framework's call.

The candidates (docs/benchmarks.md tells the outcome):

* ``taps``: NumPy alone, without im2col. A 3x3 convolution is nine matrix products of the
  weight taps, (O, C) each, with shifted views of the padded input: with the channels
  first and each image's padded plane flattened into one long row, the pixels that tap
  (i, j) reads are the same row shifted by ``i * W' + j`` (wide rows: the last columns of
  each output row are junk, dropped at the end), so a tap needs no copy. The nine
  products are added up in place, a few images at a time so that the sums stay in cache.
  Backward is nine products for the weight gradient (one per tap) and nine shifted
  additions for the input gradient.
* ``direct``: ``Conv2dDirect`` (``minigrad/fast/conv.py``, kernels in
  ``minigrad/fast/direct_conv.py``): a direct convolution compiled with numba on every
  core, reading the padded input in place (wide rows), no columns and no BLAS. (An
  earlier candidate, numba-compiled im2col and col2im around BLAS products, lost to the
  NumPy path on the 32-channel layers: ``docs/benchmarks.md``.) Needs numba.
* ``numpy``: ``Conv2dFast``, the NumPy path (chunks, wide rows, the gradient-columns
  backward), the CPU's convolution without numba.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import suite  # noqa: E402  (the thread settings of the suite, for the same conditions)

LAYERS = {  # name: (in channels, out channels, image size, input needs a gradient)
    "Conv2d 1->32, 128x28x28": (1, 32, 28, False),
    "Conv2d 32->32, 128x28x28": (32, 32, 28, True),
    "Conv2d 32->64, 128x14x14": (32, 64, 14, True),
}
CANDIDATES = ["torch", "taps", "direct", "numpy"]


def taps_function():
    """Candidate (a) as a minigrad Function: a "same" 3x3 convolution (stride 1, padding
    1, one group) from nine shifted matrix products, NumPy only."""
    from minigrad.ops.conv import Conv2d

    class Conv2dTaps(Conv2d):
        def forward(self, x, weight, bias, stride, padding, dilation, groups):
            n, c, h, w = x.shape
            o = weight.shape[0]
            hp, wp = h + 2, w + 2
            self.geometry = n, c, h, w, o, hp, wp
            plane = hp * wp
            # (C, n*H'*W' + margin): channels first, each image's padded plane flattened
            xpad = np.zeros((c, n * plane + 2 * wp + 2), dtype=x.dtype)
            xpad[:, : n * plane].reshape(c, n, hp, wp)[:, :, 1 : h + 1, 1 : w + 1] = x.transpose(
                1, 0, 2, 3
            )
            taps = weight.transpose(2, 3, 0, 1).reshape(9, o, c)  # tap (i, j): (O, C)
            shifts = [i * wp + j for i in range(3) for j in range(3)]
            wide = np.empty((o, n * plane), dtype=x.dtype)  # output at each corner q
            step = max(1, (1 << 20) // (o * plane * x.dtype.itemsize))  # images in cache
            tmp = np.empty((o, step * plane), dtype=x.dtype)
            for start in range(0, n, step):
                a, b = start * plane, min(n, start + step) * plane
                out, part = wide[:, a:b], tmp[:, : b - a]
                np.matmul(taps[0], xpad[:, a:b], out=out)
                for t in range(1, 9):
                    s = shifts[t]
                    out += np.matmul(taps[t], xpad[:, a + s : b + s], out=part)
            result = np.ascontiguousarray(
                wide.reshape(o, n, hp, wp)[:, :, :h, :w].transpose(1, 0, 2, 3)
            )
            self.save(xpad, weight)
            return result

        def backward(self, grad):
            xpad, weight = self.saved
            n, c, h, w, o, hp, wp = self.geometry
            plane, margin = hp * wp, 2 * wp + 2
            shifts = [i * wp + j for i in range(3) for j in range(3)]
            # (O, margin + n*H'*W'): the gradient at each corner q, zero at junk corners
            g = np.zeros((o, margin + n * plane), dtype=grad.dtype)
            g[:, margin:].reshape(o, n, hp, wp)[:, :, :h, :w] = grad.transpose(1, 0, 2, 3)
            gq = g[:, margin:]
            gw = np.empty((9, o, c), dtype=grad.dtype)
            for t, s in enumerate(shifts):  # dW_t = G @ X_shifted^T
                np.matmul(gq, xpad[:, s : s + n * plane].T, out=gw[t])
            gw = np.ascontiguousarray(gw.reshape(3, 3, o, c).transpose(2, 3, 0, 1))
            taps_t = weight.transpose(2, 3, 1, 0).reshape(9, c, o)  # W_t^T: (C, O)
            gx = np.empty((c, n * plane), dtype=grad.dtype)  # at padded position p
            step = max(1, (1 << 20) // (c * plane * grad.dtype.itemsize))
            tmp = np.empty((c, step * plane), dtype=grad.dtype)
            for start in range(0, n, step):
                a, b = start * plane, min(n, start + step) * plane
                out, part = gx[:, a:b], tmp[:, : b - a]
                # position p took the gradient of corner p - s through tap s
                np.matmul(taps_t[0], g[:, margin + a : margin + b], out=out)
                for t in range(1, 9):
                    s = shifts[t]
                    out += np.matmul(taps_t[t], g[:, margin + a - s : margin + b - s], out=part)
            gx = np.ascontiguousarray(
                gx.reshape(c, n, hp, wp)[:, :, 1 : h + 1, 1 : w + 1].transpose(1, 0, 2, 3)
            )
            return gx, gw, None

    return Conv2dTaps


def layer_steps(candidate: str) -> dict:
    """``{layer: step}``: forward and backward of each layer with ``candidate``."""
    rng = np.random.default_rng(0)
    steps = {}
    if candidate == "torch":
        import torch

        suite.set_threads(torch, THREADS)
        for name, (c, o, size, input_grad) in LAYERS.items():
            x = torch.tensor(rng.standard_normal((128, c, size, size), dtype=np.float32),
                             requires_grad=input_grad)  # fmt: skip
            layer = torch.nn.Conv2d(c, o, 3, padding=1, bias=False)

            def step(x=x, layer=layer):
                out = layer(x)
                out.backward(torch.ones_like(out))

            steps[name] = step
        return steps

    import minigrad
    from minigrad.fast import conv as fast_conv

    suite.set_threads(minigrad, THREADS)
    op = {
        "taps": taps_function,
        "direct": lambda: fast_conv.Conv2dDirect,
        "numpy": lambda: fast_conv.Conv2dFast,
    }[candidate]()
    for name, (c, o, size, input_grad) in LAYERS.items():
        x = minigrad.tensor(rng.standard_normal((128, c, size, size), dtype=np.float32),
                            requires_grad=input_grad)  # fmt: skip
        w = minigrad.tensor(rng.standard_normal((o, c, 3, 3), dtype=np.float32) * 0.1,
                            requires_grad=True)  # fmt: skip

        def step(x=x, w=w):
            out = op.apply(x, w, None, stride=(1, 1), padding=(1, 1, 1, 1), dilation=(1, 1),
                           groups=1)  # fmt: skip
            out.backward(minigrad.ones_like(out))

        steps[name] = step
    return steps


def worker(candidate: str, rounds: int) -> None:
    """Print ``{layer: [ms, ...]}`` for ``rounds`` calls after a warm-up call."""
    times = {}
    for name, step in layer_steps(candidate).items():
        step()
        ts = []
        for _ in range(rounds):
            start = time.perf_counter()
            step()
            ts.append((time.perf_counter() - start) * 1e3)
        times[name] = ts
    print(json.dumps(times))


def check_taps() -> None:
    """Candidate (a) must compute the same convolution as the reference."""
    import minigrad
    import minigrad.nn.functional as F

    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((3, 4, 6, 5), dtype=np.float32)
    w0 = rng.standard_normal((5, 4, 3, 3), dtype=np.float32)
    results = []
    for run in (lambda x, w: taps_function().apply(x, w, None, stride=(1, 1),
                                                   padding=(1, 1, 1, 1), dilation=(1, 1),
                                                   groups=1),
                lambda x, w: F.conv2d(x, w, padding=1)):  # fmt: skip
        x = minigrad.tensor(x0, requires_grad=True)
        w = minigrad.tensor(w0, requires_grad=True)
        out = run(x, w)
        out.backward(minigrad.tensor(np.cos(np.arange(out.numel())).reshape(out.shape)
                                     .astype(np.float32)))  # fmt: skip
        results.append([out.numpy(), x.grad.numpy(), w.grad.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


THREADS = 2


def main() -> None:
    global THREADS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="+", choices=CANDIDATES, default=CANDIDATES)
    parser.add_argument("--worker", choices=CANDIDATES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    THREADS = args.threads
    if args.worker:
        worker(args.worker, args.rounds)
        return
    check_taps()
    candidates = ["torch"] + [c for c in args.only if c != "torch"]
    medians = {c: {name: [] for name in LAYERS} for c in candidates}  # per pass
    for _ in range(args.passes):
        for candidate in candidates:
            command = [sys.executable, __file__, "--worker", candidate,
                       "--rounds", str(args.rounds), "--threads", str(args.threads)]  # fmt: skip
            out = subprocess.run(command, capture_output=True, text=True, check=True,
                                 env=suite.thread_env(args.threads))  # fmt: skip
            for name, ts in json.loads(out.stdout.strip().splitlines()[-1]).items():
                medians[candidate][name].append(statistics.median(ts))
    print(f"forward + backward, batch 128, {args.threads} threads; ms: median of the "
          f"{args.passes} passes' medians (min-max); ratio to PyTorch within each pass: "
          "median (min-max)")  # fmt: skip
    print("| layer | " + " | ".join(candidates) + " |")
    print("| --- " * (len(candidates) + 1) + "|")
    for name in LAYERS:
        cells = []
        for candidate in candidates:
            ms = medians[candidate][name]
            cell = f"{statistics.median(ms):.1f} ({min(ms):.1f}-{max(ms):.1f})"
            if candidate != "torch":
                ratios = [a / b for a, b in zip(ms, medians["torch"][name])]
                cell += (f"; {statistics.median(ratios):.2f}x"
                         f" ({min(ratios):.2f}-{max(ratios):.2f})")  # fmt: skip
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
