"""Conv2d's two CPU backward paths, side by side in one process.

    python benchmarks/conv_paths.py                      # 32->32 channels, 28x28, batch 128
    python benchmarks/conv_paths.py --channels 32 64 --size 14

A "same" convolution with no more outputs than inputs takes the gradient-columns backward
(``Conv2d._backward_from_gradient_columns``); the plain one rebuilds the input's columns
and scatters the input gradient back with col2im. This script times forward and backward
of one layer with each, alternating call by call, so that both see the same moments of
the machine (whose speed drifts; see docs/benchmarks.md). ``--force`` sends the
layer down the gradient-columns path even where backward would not choose it (more
outputs than inputs), to see why it does not.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import minigrad
from minigrad.fast.conv import Conv2dFast as Conv2d
from minigrad.nn import functional as F


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--channels", type=int, nargs=2, default=(32, 32), metavar=("C", "O"))
    parser.add_argument("--size", type=int, default=28, help="height and width")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--kernel", type=int, default=3, help="odd: padding (k - 1) / 2")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2, help="NumPy's BLAS threads")
    parser.add_argument("--force", action="store_true", help="gradient columns even if O > C")
    args = parser.parse_args()
    for name in ("size", "batch", "kernel", "rounds", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    if min(args.channels) < 1:
        parser.error(f"--channels must be at least 1, got {args.channels}")
    if args.kernel % 2 == 0:
        parser.error(f"--kernel must be odd for a 'same' convolution, got {args.kernel}")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("threadpoolctl is not installed: BLAS uses its default thread count")
    else:
        threadpool_limits(args.threads)

    (c, o), size, k = args.channels, args.size, args.kernel
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((args.batch, c, size, size)).astype(np.float32),
                        requires_grad=True)  # fmt: skip
    w = minigrad.tensor(rng.standard_normal((o, c, k, k)).astype(np.float32) * 0.1,
                        requires_grad=True)  # fmt: skip
    upstream = minigrad.tensor(rng.standard_normal((args.batch, o, size, size)).astype(np.float32))

    if o > c and not args.force:
        print(f"{o} outputs > {c} inputs: backward takes the plain path both times (--force)")
    chooses = Conv2d._gradient_columns_pay
    paths = {
        "gradient columns": (lambda self, weight: self.same_padding and self.fused is None)
        if args.force
        else chooses,
        "plain": lambda self, weight: False,
    }

    def step():
        x.grad = w.grad = None
        F.conv2d(x, w, padding=k // 2).backward(upstream)

    times = {name: [] for name in paths}
    try:
        for rule in paths.values():  # warm-up
            Conv2d._gradient_columns_pay = rule
            step()
        for _ in range(args.rounds):
            for name, rule in paths.items():
                Conv2d._gradient_columns_pay = rule
                start = time.perf_counter()
                step()
                times[name].append((time.perf_counter() - start) * 1e3)
    finally:
        Conv2d._gradient_columns_pay = chooses
    print(f"Conv2d {c}->{o} {k}x{k}, batch {args.batch} of {size}x{size}, forward and backward,"
          f" medians (min-max) of {args.rounds} alternating calls:")  # fmt: skip
    for name, ts in times.items():
        print(f"  {name:17} {statistics.median(ts):8.1f} ms ({min(ts):.1f}-{max(ts):.1f})")


if __name__ == "__main__":
    main()
