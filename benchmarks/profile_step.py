"""Profile one training step of minigrad with cProfile: where the host's time goes.

    python benchmarks/profile_step.py w1 500              # the deep MLP, batch 500, on the CPU
    python benchmarks/profile_step.py w2 128 --device cuda  # the MNIST CNN on a GPU

On a GPU most ops are launch-bound at these sizes, so the host's time per step (printed
first, before and after waiting for the GPU) is the figure to bring down, and the
profile's call counts show how many array calls each layer makes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gpu_suite import training_step
from suite import deep_mlp, mnist_cnn

import minigrad

MODELS = {"w1": deep_mlp, "w2": mnist_cnn}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("batch", type=int)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--lines", type=int, default=30, help="profile lines to print")
    parser.add_argument("--callers", help="also print who calls the functions matching this")
    parser.add_argument(
        "--kernels", action="store_true",
        help="on a GPU, also list the CUDA kernels by GPU time (needs PyTorch with CUDA, "
        "whose profiler records every kernel the process launches, CuPy's included)",
    )  # fmt: skip
    args = parser.parse_args()

    step = training_step(minigrad, MODELS[args.model], args.batch, device=args.device)
    for _ in range(5):  # warm-up: kernel compilation, memory pools
        step()
    minigrad.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    queued = time.perf_counter()
    minigrad.cuda.synchronize()
    done = time.perf_counter()
    print(
        f"{args.model} batch {args.batch} on {args.device}: "
        f"{(queued - start) / args.steps * 1e3:.2f} ms per step on the host, "
        f"{(done - start) / args.steps * 1e3:.2f} ms with the device's work"
    )
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.steps):
        step()
    minigrad.cuda.synchronize()
    profile.disable()
    stats = pstats.Stats(profile).sort_stats("tottime")
    stats.print_stats(args.lines)
    if args.callers:
        stats.print_callers(args.callers)
    if args.kernels:
        print_kernel_times(step, args.steps, args.lines)


def print_kernel_times(step, steps: int, lines: int) -> None:
    """The GPU kernels of ``steps`` steps, by total GPU time (PyTorch's profiler)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(steps):
            step()
        minigrad.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=lines))


if __name__ == "__main__":
    main()
