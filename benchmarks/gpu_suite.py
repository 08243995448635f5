"""minigrad (CuPy) against PyTorch CUDA eager on one GPU, side by side: the GPU suite.

    pip install -e ".[cuda12]"                       # CuPy (or .[cuda13])
    pip install torch==2.13.0                        # a CUDA build of PyTorch, for the comparison
    python benchmarks/gpu_suite.py                   # prints the table, writes results
    python benchmarks/gpu_suite.py --quick           # 2 rounds of fewer calls, a quick look
    python benchmarks/gpu_suite.py --no-write        # print only, write no files

Workloads, each one training step (zero_grad, forward, cross-entropy, backward, SGD with
lr 0.01, momentum 0.9 and weight decay 5e-4) on fixed random data already on the GPU:

* W1: the default deep MLP of the CPU suite (7 x [Linear(500) -> BatchNorm1d -> ReLU],
  Linear(500, 10)), at batch 500 and 8192;
* W2: the default MNIST CNN (``examples/mnist_cnn.py``), at batch 128 and 1024;
* the peak GPU memory of one step of each: for PyTorch the rise of
  ``torch.cuda.max_memory_allocated()`` over what was allocated before the step, for
  minigrad the same quantity from a CuPy memory hook that follows the memory pool's
  mallocs and frees (both count the blocks handed out, rounded to 512 bytes, not what
  the allocators cache).

Timing: both frameworks in this one process (a GPU framework leaves no spinning CPU
threads behind, unlike the BLAS pools the CPU suite keeps apart). Each framework first
runs a few warm-up steps (CuPy compiles its kernels on first use), then the rounds
alternate, minigrad then PyTorch, ``--rounds`` times. A round synchronizes the GPU, times
a fixed number of calls (about 0.2-0.5 s of work) and synchronizes again, so queued work
is counted; the step never reads the loss back to the host. The report gives the median
milliseconds per step over the rounds, the spread (min-max) and the ratio minigrad /
PyTorch. TF32 is off on both sides (``CUPY_TF32=0``; torch ``allow_tf32 = False`` for
matmul and cuDNN) and cuDNN's autotuner is off (``cudnn.benchmark = False``), so both
compute in full float32. Without PyTorch, or with a PyTorch that has no CUDA, minigrad's
figures are printed alone; without CuPy and a CUDA GPU the script exits with status 2.
Results go to ``benchmarks/gpu_results.json`` and ``docs/benchmarks.md`` (between the
``<!-- gpu results: ... -->`` markers).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("CUPY_TF32", "0")  # read when CuPy loads: before minigrad imports it

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from suite import (  # noqa: E402
    _row,
    deep_mlp,
    memory_table,
    mnist_cnn,
    timing_table,
    training_step,
    write_atomically,
    write_section,
)

import minigrad  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

TF32_NOTE = "TF32 off on both sides (CUPY_TF32=0; torch allow_tf32=False), cuDNN benchmark off"
WARMUP = 5  # steps per framework before anything is measured

# name: (model builder, batch, calls per timed round)
WORKLOADS = {
    "W1 MLP step, batch 500": (deep_mlp, 500, 50),
    "W1 MLP step, batch 8192": (deep_mlp, 8192, 10),
    "W2 CNN step, batch 128": (mnist_cnn, 128, 30),
    "W2 CNN step, batch 1024": (mnist_cnn, 1024, 10),
}


# ----------------------------------------------------------------------------------------
# Setting up
# ----------------------------------------------------------------------------------------


def torch_cuda():
    """PyTorch, set up for the comparison (TF32 off, cuDNN autotuner off), or None when it
    is not installed or cannot see a GPU."""
    if torch is None or not torch.cuda.is_available():
        return None
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    return torch


def frameworks(torch_lib) -> dict:
    """{name: (library, its synchronize function)} for the frameworks to compare."""
    libs = {"minigrad": (minigrad, minigrad.cuda.synchronize)}
    if torch_lib is not None:
        libs["torch"] = (torch_lib, torch_lib.cuda.synchronize)
    return libs


def release_cached_memory(with_torch: bool) -> None:
    """Hand the memory both allocators cache back to the GPU between workloads, so that
    one workload's pool does not crowd the next."""
    import cupy

    gc.collect()
    cupy.get_default_memory_pool().free_all_blocks()
    if with_torch:
        torch.cuda.empty_cache()


# ----------------------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------------------


def time_round(step, sync, calls: int) -> float:
    """Milliseconds per call over ``calls`` calls, the GPU idle at the start and the end."""
    sync()
    start = time.perf_counter()
    for _ in range(calls):
        step()
    sync()
    return (time.perf_counter() - start) / calls * 1e3


def warm_up(step, sync, calls: int = WARMUP) -> None:
    """Run ``calls`` steps and wait for them: kernels compiled, pools and buffers filled."""
    for _ in range(calls):
        step()
    sync()


def time_alternating(steps: dict, calls: int, rounds: int) -> dict:
    """``rounds`` rounds per framework, alternating (minigrad, PyTorch, minigrad, ...), so
    that drift in the GPU's clocks affects both alike. ``steps`` is {name: (step, sync)};
    returns {name: [milliseconds per call, one per round]}."""
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, (step, sync) in steps.items():
            times[name].append(time_round(step, sync, calls))
    return times


def summarize(times: dict) -> dict:
    """Median, min and max per framework, and the ratio minigrad / PyTorch of the medians
    when both are there (the shape of the CPU suite's results, so its helpers print it)."""
    result = {
        name: {"median_ms": statistics.median(ts), "min_ms": min(ts), "max_ms": max(ts)}
        for name, ts in times.items()
    }
    if "torch" in result:
        result["ratio"] = result["minigrad"]["median_ms"] / result["torch"]["median_ms"]
    return result


# ----------------------------------------------------------------------------------------
# Peak GPU memory of one step
# ----------------------------------------------------------------------------------------


def pool_peak_hook():
    """A CuPy memory hook that follows the live bytes of the memory pool during a ``with``
    block: each block the pool hands out (``malloc_postprocess``) adds its rounded size,
    each block given back (``free_postprocess``, also for blocks allocated before the
    block began) subtracts it. ``peak`` is then the highest rise over the start, as
    ``torch.cuda.max_memory_allocated()`` minus the bytes allocated before."""
    from cupy.cuda.memory_hook import MemoryHook

    class PoolPeakHook(MemoryHook):
        name = "gpu_suite_pool_peak"

        def __init__(self):
            self.live = 0
            self.peak = 0

        def malloc_postprocess(self, **kwargs):
            if kwargs["mem_ptr"]:  # 0 when the allocation failed (or was empty)
                self.live += kwargs["mem_size"]
                self.peak = max(self.peak, self.live)

        def free_postprocess(self, **kwargs):
            self.live -= kwargs["mem_size"]

    return PoolPeakHook()


def minigrad_peak_mib(step) -> float:
    """The peak rise of CuPy's pool allocations during one step, in MiB."""
    minigrad.cuda.synchronize()
    with pool_peak_hook() as hook:
        step()
        minigrad.cuda.synchronize()
    return hook.peak / 2**20


def torch_peak_mib(step) -> float:
    """The peak rise of PyTorch's allocated CUDA memory during one step, in MiB."""
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    step()
    torch.cuda.synchronize()
    return (torch.cuda.max_memory_allocated() - base) / 2**20


PEAK_MIB = {"minigrad": minigrad_peak_mib, "torch": torch_peak_mib}


def memory_result(peaks: dict) -> dict:
    """{framework: MiB}, plus the ratio minigrad / PyTorch when both are there."""
    result = dict(peaks)
    if "torch" in result:
        result["ratio"] = result["minigrad"] / result["torch"] if result["torch"] else None
    return result


def _memory_line(name: str, r: dict) -> str:
    cells = "  ".join(f"{k} {v:.1f} MiB" for k, v in r.items() if k != "ratio")
    ratio = f"  ratio {r['ratio']:.2f}" if r.get("ratio") is not None else ""
    return f"peak GPU memory, {name}: {cells}{ratio}"


# ----------------------------------------------------------------------------------------
# Running it all
# ----------------------------------------------------------------------------------------


def run_workload(libs: dict, build, batch: int, calls: int, rounds: int) -> tuple[dict, dict]:
    """Build, warm up and measure one workload in every framework of ``libs`` (see
    :func:`frameworks`): the peak memory of one step, then the alternating timed rounds.
    Returns (timing result, memory result)."""
    steps = {}
    for name, (lib, sync) in libs.items():
        steps[name] = (training_step(lib, build, batch, device="cuda"), sync)
        warm_up(*steps[name])
    peaks = {name: PEAK_MIB[name](step) for name, (step, _) in steps.items()}
    timing = summarize(time_alternating(steps, calls, rounds))
    timing["calls"] = calls
    return timing, memory_result(peaks)


def run_all(libs: dict, rounds: int, quick: bool) -> dict:
    """Every workload, printing each row as it is done. Returns the timings and memory."""
    results = {"timings": {}, "memory": {}}
    for name, (build, batch, calls) in WORKLOADS.items():
        calls = max(2, calls // 5) if quick else calls
        timing, memory = run_workload(libs, build, batch, calls, rounds)
        results["timings"][name], results["memory"][name] = timing, memory
        print(_row(name, timing), flush=True)
        print(_memory_line(name, memory), flush=True)
        release_cached_memory("torch" in libs)
    return results


# ----------------------------------------------------------------------------------------
# Reporting
# ----------------------------------------------------------------------------------------


def _version(v: int) -> str:
    """CUDA's integer version (12040) as text (12.4)."""
    return f"{v // 1000}.{v % 1000 // 10}"


def machine_info(torch_lib, rounds: int) -> dict:
    """The GPU, the CUDA runtime and driver, the library versions, the settings."""
    import cupy

    name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    return {
        "gpu": name.decode() if isinstance(name, bytes) else str(name),
        "cuda_runtime": _version(cupy.cuda.runtime.runtimeGetVersion()),
        "cuda_driver": _version(cupy.cuda.runtime.driverGetVersion()),
        "cupy": cupy.__version__,
        "numpy": np.__version__,
        "torch": torch_lib.__version__ if torch_lib is not None else None,
        "torch_cuda": torch_lib.version.cuda if torch_lib is not None else None,
        "minigrad": minigrad.__version__,
        "python": platform.python_version(),
        "precision": TF32_NOTE,
        "warmup": WARMUP,
        "rounds": rounds,
        "date": time.strftime("%Y-%m-%d"),
    }


def results_lines(results: dict) -> list[str]:
    """The markdown report: what was measured, on what, and the two tables."""
    meta = results["machine"]
    torch_text = (
        f"PyTorch {meta['torch']} (CUDA {meta['torch_cuda']})" if meta["torch"] else
        "PyTorch not available"
    )  # fmt: skip
    return [
        "minigrad (CuPy) against PyTorch CUDA eager on the same GPU, in one process, in one"
        " run of `python benchmarks/gpu_suite.py`: each framework warms every workload up"
        f" ({meta['warmup']} steps), then {meta['rounds']} timed rounds alternate between"
        " them, each round synchronizing the GPU before and after its calls. Times are"
        " medians per training step in milliseconds over the rounds, with the min-max"
        " spread; the ratio is minigrad / PyTorch (below 1: minigrad is faster).",
        "",
        f"Machine: {meta['gpu']}, CUDA runtime {meta['cuda_runtime']} (driver"
        f" {meta['cuda_driver']}). CuPy {meta['cupy']}, NumPy {meta['numpy']}, {torch_text},"
        f" minigrad {meta['minigrad']}, Python {meta['python']}; {meta['precision']};"
        f" {meta['date']}.",
        "",
        *timing_table(results["timings"]),
        "",
        "Peak GPU memory of one training step (after the warm-up): the highest rise of the"
        " allocated bytes over those allocated before the step; for PyTorch from"
        " `torch.cuda.max_memory_allocated()`, for minigrad from a CuPy memory hook on the"
        " memory pool's mallocs and frees. Memory the allocators cache is not counted.",
        "",
        *memory_table(results.get("memory", {})),
    ]


START, END = "<!-- gpu results: start -->", "<!-- gpu results: end -->"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per framework")
    parser.add_argument("--quick", action="store_true", help="2 rounds of fewer calls")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "gpu_results.json"))
    parser.add_argument("--markdown", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print only, write no files")
    args = parser.parse_args()

    if not minigrad.cuda.is_available():
        print(
            "gpu_suite.py needs a CUDA GPU and CuPy (pip install -e '.[cuda12]'); "
            "minigrad.cuda.is_available() is False. For the CPU: benchmarks/suite.py",
            file=sys.stderr,
        )
        sys.exit(2)

    torch_lib = torch_cuda()
    if torch is None:
        print("PyTorch is not installed: minigrad's figures only")
    elif torch_lib is None:
        print("PyTorch cannot see a CUDA GPU (a CPU build?): minigrad's figures only")

    rounds = 2 if args.quick else args.rounds
    results = {"machine": machine_info(torch_lib, rounds)}
    print(f"{results['machine']['gpu']}; {TF32_NOTE}", flush=True)
    results.update(run_all(frameworks(torch_lib), rounds, args.quick))
    print("\n".join(results_lines(results)))
    if not args.no_write:
        write_atomically(Path(args.json), json.dumps(results, indent=2) + "\n")
        write_section(Path(args.markdown), results_lines(results), START, END, "## GPU results")
        print(f"wrote {args.json} and {args.markdown}")


if __name__ == "__main__":
    main()
