"""Why a W2 step's time jumps between two levels on some machines: two measurements.

    python benchmarks/phases.py              # both, 30 s each
    python benchmarks/phases.py probe --seconds 20
    python benchmarks/phases.py ops --seconds 60

**probe** times a plain 4 MiB copy into a buffer that a matrix product has just read
(the pattern of a convolution's chunk loop: the product reads the columns of one chunk,
then the next chunk's im2col overwrites them). It alternates windows of a quarter of a
second with NumPy's BLAS on one thread and on two. With one thread the copy's time is
steady. With two, the BLAS worker thread has read half of the buffer on the other core;
the copy must take those cache lines back, which is cheap when both cores share a cache
and several times slower when they do not (on the 2-core CI virtual machine the host
moves its two virtual CPUs between the two cases every few seconds).

**ops** runs W2 training steps (the MNIST CNN, batch 128) for ``--seconds``, timing every
primitive's forward and backward in each step, then compares the fastest quarter of the
steps with the slowest: which ops account for the difference.

Both take the default thread count of ``--threads`` (2, as the suite) for NumPy's BLAS.
docs/benchmarks.md gives the figures of the CI machine and what they mean.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def probe(seconds: float) -> None:
    """Copy into a buffer right after a (32 x 288) @ (288 x 3600) product read it."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    kernels = rng.random((32, 288), dtype=np.float32)
    columns = rng.random((288, 3600), dtype=np.float32)  # 4 MiB, a chunk's columns
    source = rng.random(columns.shape, dtype=np.float32)
    product = np.empty((32, 3600), dtype=np.float32)
    windows: dict[int, list[float]] = {1: [], 2: []}
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for threads in windows:
            with threadpool_limits(threads, user_api="blas"):
                copies = []
                stop = time.perf_counter() + 0.25
                while time.perf_counter() < stop:
                    np.matmul(kernels, columns, out=product)
                    start = time.perf_counter()
                    np.copyto(columns, source)
                    copies.append(time.perf_counter() - start)
                windows[threads].append(statistics.median(copies) * 1e3)
    print(f"probe: median ms of a 4 MiB copy into the columns a product just read, "
          f"per {len(windows[1])} windows of 0.25 s")  # fmt: skip
    for threads, times in windows.items():
        print(f"  BLAS on {threads} thread(s): " + " ".join(f"{t:.2f}" for t in times))
    steady = statistics.median(windows[1])
    slow = sum(t > 3 * steady for t in windows[2])
    print(f"  windows where the copy after a 2-thread product took over 3x the 1-thread "
          f"median ({steady:.2f} ms): {slow} of {len(windows[2])}")  # fmt: skip


def ops(seconds: float) -> None:
    """Per-op time in the fastest and the slowest quarter of W2 steps."""
    from suite import mnist_cnn, training_step

    import minigrad
    from minigrad.autograd import Function

    spent: collections.Counter[str] = collections.Counter()

    def timed(cls, method: str):
        original = getattr(cls, method)

        def wrapper(self, *args, **kwargs):
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                spent[f"{cls.__name__}.{method}"] += time.perf_counter() - start

        return wrapper

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in set(subclasses(Function)):
        for method in ("forward", "backward"):
            if method in vars(cls):  # wrap each class's own code once
                setattr(cls, method, timed(cls, method))

    step = training_step(minigrad, mnist_cnn, 128)
    step(), step()  # warm-up
    steps = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        spent.clear()
        start = time.perf_counter()
        step()
        steps.append((time.perf_counter() - start, dict(spent)))
    steps.sort(key=lambda s: s[0])
    quarter = max(1, len(steps) // 4)
    fast, slow = steps[:quarter], steps[-quarter:]

    def mean_ms(group, key=None):
        values = [s[0] if key is None else s[1].get(key, 0.0) for s in group]
        return statistics.fmean(values) * 1e3

    print(f"ops: {len(steps)} W2 steps; the fastest and the slowest {quarter}, mean ms")
    print(f"  {'whole step':28s} {mean_ms(fast):7.1f} {mean_ms(slow):7.1f}")
    keys = sorted(steps[-1][1], key=lambda k: -mean_ms(slow, k))
    for key in keys:
        print(f"  {key:28s} {mean_ms(fast, key):7.1f} {mean_ms(slow, key):7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", nargs="?", choices=("probe", "ops", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=30.0, help="for each measurement")
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads in the W2 steps")
    args = parser.parse_args()
    if args.seconds <= 0:
        parser.error(f"--seconds must be positive, got {args.seconds}")
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        parser.error("this script needs threadpoolctl: pip install threadpoolctl")
    threadpool_limits(args.threads, user_api="blas")
    if args.what in ("probe", "both"):
        probe(args.seconds)
    if args.what in ("ops", "both"):
        ops(args.seconds)


if __name__ == "__main__":
    main()
