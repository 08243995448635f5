"""Per-op Python overhead: minigrad against PyTorch on the CPU, side by side, in one run.

On 8-element tensors the arithmetic is free, so what is timed is the framework's own
work per op: argument handling, graph recording, the backward pass. Each workload is run
in rounds that alternate between the two frameworks (after a warm-up), and the report
gives the median time per call, the spread (min-max over rounds) and the ratio
minigrad / PyTorch. Both run single-threaded.

    python benchmarks/op_overhead.py            # needs: pip install torch==2.13.0
    python benchmarks/op_overhead.py --json out.json

Without PyTorch installed, only minigrad's figures are printed.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np

import minigrad

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

CALLS_PER_ROUND = 2000


def workloads(lib):
    """name -> a function that runs one op (and its backward) in ``lib``."""
    a = lib.randn(8, requires_grad=True)
    b = lib.randn(8, requires_grad=True)
    g = lib.ones(8)
    c = lib.randn(8)

    def mul_forward():
        return a * b

    def mul_forward_backward():
        (a * b).backward(g)

    def exp_forward_backward():
        a.exp().backward(g)

    def sum_forward_backward():
        (a * c).sum().backward()

    def no_grad_add():
        with lib.no_grad():
            return a + b

    return {
        "mul forward": mul_forward,
        "mul forward+backward": mul_forward_backward,
        "exp forward+backward": exp_forward_backward,
        "mul+sum forward+backward": sum_forward_backward,
        "add under no_grad": no_grad_add,
    }


def time_round(fn) -> float:
    """Microseconds per call, over one round."""
    start = time.perf_counter()
    for _ in range(CALLS_PER_ROUND):
        fn()
    return (time.perf_counter() - start) / CALLS_PER_ROUND * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args()

    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # the figures are per-op overheads: BLAS threads barely matter
        pass
    libs = {"minigrad": minigrad}
    if torch is not None:
        torch.set_num_threads(1)
        libs["torch"] = torch
    runs = {name: workloads(lib) for name, lib in libs.items()}

    results = {}
    for workload in runs["minigrad"]:
        times = {name: [] for name in libs}
        for name in libs:  # warm-up
            time_round(runs[name][workload])
        for _ in range(args.rounds):
            for name in libs:  # alternate, so drift affects both alike
                times[name].append(time_round(runs[name][workload]))
        results[workload] = {
            name: {
                "median_us": statistics.median(ts),
                "min_us": min(ts),
                "max_us": max(ts),
            }
            for name, ts in times.items()
        }
        if "torch" in times:
            results[workload]["ratio"] = (
                results[workload]["minigrad"]["median_us"] / results[workload]["torch"]["median_us"]
            )

    header = f"{'workload':<28}{'minigrad us (min-max)':>26}"
    if torch is not None:
        header += f"{'PyTorch us (min-max)':>26}{'ratio':>8}"
    print(f"Per-op overhead on 8-element float32 tensors, 1 thread, {args.rounds} rounds")
    print(header)
    for workload, r in results.items():
        m = r["minigrad"]
        line = f"{workload:<28}{_cell(m):>26}"
        if "torch" in r:
            line += f"{_cell(r['torch']):>26}{r['ratio']:>8.2f}"
        print(line)

    if args.json:
        meta = {
            "machine": platform.machine(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__ if torch is not None else None,
            "threads": 1,
        }
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=2)


def _cell(r: dict) -> str:
    return f"{r['median_us']:.2f} ({r['min_us']:.2f}-{r['max_us']:.2f})"


if __name__ == "__main__":
    main()
