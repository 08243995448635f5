"""Profile one training step: where the host's time goes, or how many kernel launches it makes.

    python benchmarks/profile_step.py w1 500              # cProfile of the deep MLP's step
    python benchmarks/profile_step.py w2 128 --device cuda  # the MNIST CNN on a GPU
    python benchmarks/profile_step.py w1 500 --kernels    # launches per step, both sides

**The cProfile view** (the default) prints the host's time per step (on a GPU before and
after waiting for it), then a cProfile of ``--steps`` steps: its call counts show how many
array calls each layer makes.

**The launch view** (``--kernels``). On a GPU a step at these sizes is launch-bound: the
GPU waits while the host launches one kernel after another, so the number of launches per
step is the figure to bring down. This view prints it per phase of one training step
(zero_grad, forward, loss, backward, the optimizer's step) for minigrad and PyTorch side
by side, with the same model, batch, data and optimizer as ``benchmarks/suite.py`` (SGD,
lr 0.01, momentum 0.9, weight decay 5e-4), counted in the steady state (after
``WARMUP`` steps: momentum buffers made, first-use caches filled):

* **minigrad, counted without a GPU**: the step runs on ``"cuda"`` on the strict stand-in
  GPU of ``tests/strict_gpu.py``, whose :class:`strict_gpu.LaunchCounter` counts every
  array call that would be a kernel launch on a GPU. A launch is a call that writes
  device memory: an elementwise op or ufunc, a reduction, a matrix product, a copy, a
  fill (``zeros``, ``full``, ``arange``), a gather, an in-place write, one fused kernel;
  views (``reshape``, ``.T``, slices) and bare allocations (``empty``) are not. Counted
  twice: with the GPU fast paths ("GPU path": what a real GPU step runs, the fused
  kernels of ``minigrad/fast/cuda_kernels.py`` emulated with NumPy bodies, one launch
  each) and in reference mode ("reference": every op's textbook array code, what
  ``pytest --device strict`` runs). Also per phase: the host syncs (waits for the GPU)
  and the copies from the host. A breakdown by op follows: each launch is charged to the
  innermost minigrad ``Function`` on the stack (``Linear.forward``,
  ``BatchNorm.backward``; ``run_backward`` is the fitting of a gradient to its input's
  shape), else to the optimizer (``SGD.step``), else to the innermost minigrad function
  (``Tensor._accumulate_grad``), prefixed with the innermost ``nn.Module`` around it.
* **PyTorch, on the CPU**: torch.profiler's ATen ops, counting the *kernel-level* ones:
  not the views, allocations and metadata ops (``view``, ``t``, ``empty``, ``detach``,
  ...), and not the wrappers, which do no work of their own but call the ops that do:
  the ops PyTorch's dispatcher runs as CompositeImplicitAutograd decompositions
  (``linear``, ``batch_norm``, ``cross_entropy_loss``), the CompositeExplicitAutograd
  ones whose work is an op they call (``zeros`` -> ``zero_``, ``_to_copy`` -> ``copy_``,
  ``convolution`` -> ``mkldnn_convolution``), and ``relu`` -> ``clamp_min``, ``zero_``
  -> ``fill_``; nor the copies of a Python number into a 0-d tensor (``mul_`` by a float
  makes one on the CPU; on a GPU the number is a kernel argument). An op with a kernel of
  its own counts once, and so does each counted op it calls: ``addmm`` is 2 (its bias
  ``copy_`` and the product). The CPU's ops are not
  the GPU's: on CUDA, PyTorch's SGD runs ``_foreach`` ops over all parameters at once
  (a few launches where the CPU's loop makes 4 per parameter), and a cuDNN call can be
  several kernels.
* **Host time per step**, of each phase and of the whole step, the median over
  ``--steps`` steps on ``--device``. On the CPU that is the whole step's work; on a GPU
  it is the time to queue the step (then also with the wait for the GPU).

**On a GPU** (``--device cuda``, with CuPy, and PyTorch with CUDA for its profiler) the
view also counts the real CUDA work of each phase for both frameworks, each phase in a
torch.profiler session of its own (CUDA activity, which records every kernel the process
launches, CuPy's included): kernels, memsets and memcpys; then minigrad's kernels by GPU
time. That path has not been run yet (written without a GPU).

``--json PATH`` writes the view's figures as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.append(str(ROOT / "tests"))  # strict_gpu.py, the stand-in GPU

import strict_gpu  # noqa: E402
from suite import deep_mlp, mnist_cnn, training_step  # noqa: E402

import minigrad  # noqa: E402
from minigrad.autograd import Function  # noqa: E402

MODELS = {"w1": deep_mlp, "w2": mnist_cnn}
PHASES = ("zero_grad", "forward", "loss", "backward", "step")
WARMUP = 2  # steps before anything is counted or timed


# ----------------------------------------------------------------------------------------
# One training step, phase by phase
# ----------------------------------------------------------------------------------------


def phased_step(lib, build, batch: int, device: str = "cpu") -> dict:
    """{phase: function} for one SGD training step of ``build(lib.nn)`` on ``device``, as
    ``suite.training_step`` (the same data, model, loss and optimizer), cut into
    :data:`PHASES`; calling the functions in order runs one step."""
    rng = np.random.default_rng(0)
    images = lib.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32), device=device)
    labels = lib.tensor(rng.integers(0, 10, batch, dtype=np.int64), device=device)
    model = build(lib.nn).to(device)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = lib.nn.CrossEntropyLoss()
    state = {}

    def forward():
        state["out"] = model(images)

    def loss():
        state["loss"] = loss_fn(state.pop("out"), labels)

    return {
        "zero_grad": optimizer.zero_grad,
        "forward": forward,
        "loss": loss,
        "backward": lambda: state.pop("loss").backward(),
        "step": optimizer.step,
    }


def run_step(phases: dict) -> None:
    for phase in phases.values():
        phase()


# ----------------------------------------------------------------------------------------
# minigrad: launches on the stand-in GPU
# ----------------------------------------------------------------------------------------

_MINIGRAD = str(Path(minigrad.__file__).resolve().parent) + os.sep


def launch_site() -> str:
    """What is making the array call being counted: the innermost minigrad ``Function``
    on the stack (``"Linear.forward"``), else the optimizer (``"SGD.step"``), else the
    innermost minigrad function; prefixed with the innermost ``nn.Module`` around it
    (``"BatchNorm1d: _BatchNorm.forward"``) unless a Function or the optimizer names
    it."""
    frame = sys._getframe(1)
    innermost = module = None
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith(_MINIGRAD):
            innermost = innermost or code
            owner = frame.f_locals.get("self")
            if isinstance(owner, Function):
                return f"{owner.op_name()}.{code.co_name}"
            if isinstance(owner, minigrad.optim.Optimizer):
                return f"{type(owner).__name__}.{code.co_name}"
            if module is None and isinstance(owner, minigrad.nn.Module):
                module = type(owner).__name__
        frame = frame.f_back
    if innermost is None:
        return "(outside minigrad)"
    name = getattr(innermost, "co_qualname", innermost.co_name)
    return f"{module}: {name}" if module else name


def count_minigrad(build, batch: int, fused: bool, steps: int = 1) -> dict:
    """minigrad's launches per step on the stand-in GPU: {phase: LaunchCounter} of the
    last of ``steps`` counted steps (after :data:`WARMUP`), and "steady": whether every
    counted step made the same calls."""
    with strict_gpu.installed(fused=fused):
        minigrad.manual_seed(0)
        phases = phased_step(minigrad, build, batch, device="cuda")
        for _ in range(WARMUP):
            run_step(phases)
        seen = []
        for _ in range(steps):
            counters = {}
            for name, phase in phases.items():
                with strict_gpu.LaunchCounter(attribute=launch_site) as counters[name]:
                    phase()
            seen.append([c.calls for c in counters.values()])
        minigrad.cuda.synchronize()
    return {"phases": counters, "steady": all(s == seen[0] for s in seen)}


# ----------------------------------------------------------------------------------------
# PyTorch: kernel-level ATen ops (CPU) or CUDA kernels
# ----------------------------------------------------------------------------------------

# Views, allocations and metadata: no kernel on any device.
TORCH_NO_KERNEL = {
    "aten::" + name
    for name in (
        "empty", "empty_strided", "empty_like", "view", "_unsafe_view", "_reshape_alias",
        "reshape", "flatten", "t", "numpy_T", "transpose", "permute", "expand", "expand_as",
        "as_strided", "as_strided_", "unsqueeze", "squeeze", "select", "slice", "narrow",
        "alias", "detach", "detach_", "lift_fresh", "resize_", "resolve_conj", "resolve_neg",
        "result_type", "set_", "unbind", "split", "chunk", "contiguous", "is_nonzero", "to",
    )
}  # fmt: skip
# Ops with a kernel of their own that only call another op (relu's kernel is clamp_min).
TORCH_FORWARDERS = {"aten::relu", "aten::relu_", "aten::zero_"}

_dispatch_memo: dict = {}


def _dispatch(torch, name: str, backend_key: str) -> tuple[bool, bool]:
    """For the ATen op ``name`` (any overload; the profiler does not say which): whether
    one of its overloads has a kernel for ``backend_key`` ("CPU", "CUDA"), and whether all
    of them (but the out= ones) are CompositeImplicitAutograd decompositions."""
    memo_key = (name, backend_key)
    if memo_key not in _dispatch_memo:
        backend, implicit = False, []
        try:
            schemas = torch._C._jit_get_schemas_for_operator(name)
        except RuntimeError:
            schemas = []
        for schema in schemas:
            overload = schema.overload_name
            if overload.endswith("out"):
                continue
            full = f"{name}.{overload}" if overload else name
            try:
                backend |= torch._C._dispatch_has_kernel_for_dispatch_key(full, backend_key)
                implicit.append(
                    torch._C._dispatch_has_kernel_for_dispatch_key(
                        full, "CompositeImplicitAutograd"
                    )
                )
            except RuntimeError:  # an overload of the TorchScript interpreter only
                continue
        _dispatch_memo[memo_key] = backend, bool(implicit) and all(implicit)
    return _dispatch_memo[memo_key]


def _scalar_copy(event) -> bool:
    """A copy between 0-d tensors: a Python number made a tensor on the host (``mul_`` by
    a float on the CPU); on a GPU the number is a kernel argument. Needs record_shapes."""
    shapes = event.input_shapes
    copy = event.name in ("aten::copy_", "aten::_to_copy")
    return copy and bool(shapes) and all(s == [] for s in shapes)


def torch_kernel_ops(torch, events, backend_key: str = "CPU") -> list:
    """The kernel-level ATen ops among torch.profiler's ``events`` (recorded with
    ``record_shapes=True``; see the module docstring): an op counts unless it is a view,
    allocation or metadata op, a copy of a number, or a wrapper whose work is done by the
    counted ops it calls."""
    memo: dict = {}

    def counted(e) -> bool:
        if id(e) not in memo:
            memo[id(e)] = False  # (a cycle cannot happen; this only guards the recursion)
            name = e.name
            if name.startswith("aten::") and name not in TORCH_NO_KERNEL and not _scalar_copy(e):
                backend, implicit = _dispatch(torch, name, backend_key)
                below = any(counted(c) or counted_below(c) for c in e.cpu_children)
                forwards = below and (name in TORCH_FORWARDERS or not backend)
                memo[id(e)] = not implicit and not forwards
        return memo[id(e)]

    def counted_below(e) -> bool:
        return any(counted(c) or counted_below(c) for c in e.cpu_children)

    return [e for e in events if counted(e)]


def count_torch_ops(torch, phases: dict, backend_key: str = "CPU") -> dict:
    """{phase: Counter of kernel-level ATen op names} for one step, after the warm-up;
    ``backend_key`` is the dispatch key of the device ("CPU", or "CUDA" on a GPU)."""
    from torch.profiler import ProfilerActivity, profile, record_function

    for _ in range(WARMUP):
        run_step(phases)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for name, phase in phases.items():
            with record_function(f"phase:{name}"):
                phase()
    events = list(prof.events())
    spans = [
        (e.name.removeprefix("phase:"), e.time_range.start, e.time_range.end)
        for e in events
        if e.name.startswith("phase:")
    ]
    counts = {name: Counter() for name in phases}
    for e in torch_kernel_ops(torch, events, backend_key):
        start = e.time_range.start
        phase = next((n for n, a, b in spans if a <= start <= b), None)
        if phase is not None:
            counts[phase][e.name] += 1
    return counts


def _device_kind(event) -> str:
    name = event.name.lower()
    return "memcpy" if "memcpy" in name else "memset" if "memset" in name else "kernel"


def count_cuda_work(phases: dict, sync) -> dict:
    """{phase: Counter of "kernel", "memset", "memcpy"} of one step on a real GPU, each
    phase in a torch.profiler session of its own (CUDA activity: every kernel the process
    launches, CuPy's too), the GPU idle at the start and the end. minigrad's wait runs
    its deferred checks, whose read of the target check's flag is one memcpy (in the
    phase after the loss). Unverified: written without a GPU."""
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile

    for _ in range(WARMUP):
        run_step(phases)
    counts = {}
    for name, phase in phases.items():
        sync()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            phase()
            sync()
        counts[name] = Counter(
            _device_kind(e) for e in prof.events() if e.device_type == DeviceType.CUDA
        )
    return counts


# ----------------------------------------------------------------------------------------
# Host time per step
# ----------------------------------------------------------------------------------------


def host_times(phases: dict, steps: int, sync) -> dict:
    """Median milliseconds per phase, per step as queued (``"total"``) and, after waiting
    for the device, per step done (``"done"``), over ``steps`` steps after the warm-up."""
    for _ in range(WARMUP):
        run_step(phases)
    sync()
    times = {name: [] for name in (*phases, "total", "done")}
    for _ in range(steps):
        start = time.perf_counter()
        for name, phase in phases.items():
            t = time.perf_counter()
            phase()
            times[name].append(time.perf_counter() - t)
        times["total"].append(time.perf_counter() - start)
        sync()
        times["done"].append(time.perf_counter() - start)
    return {name: statistics.median(ts) * 1e3 for name, ts in times.items()}


# ----------------------------------------------------------------------------------------
# The launch view
# ----------------------------------------------------------------------------------------


def _import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def kernels_view(args) -> dict:
    """Count, time and print (see the module docstring); returns the figures."""
    build = MODELS[args.model]
    torch = _import_torch()
    on_gpu = args.device == "cuda"
    results = {"model": args.model, "batch": args.batch, "device": args.device}
    results["threads"] = args.threads

    # minigrad on the stand-in GPU, the GPU paths and the reference code
    minigrad_counts = {
        mode: count_minigrad(build, args.batch, fused=(mode == "gpu path"), steps=2)
        for mode in ("gpu path", "reference")
    }
    results["minigrad"] = {
        mode: {
            "steady": r["steady"],
            "phases": {
                name: {
                    "launches": c.launches, "host_syncs": c.host_syncs,
                    "to_device": c.to_device, "to_host": c.to_host,
                    "sites": {site: n for (kind, site), n in c.sites.items() if kind == "launch"},
                }
                for name, c in r["phases"].items()
            },
        }
        for mode, r in minigrad_counts.items()
    }  # fmt: skip

    # PyTorch's kernel-level ATen ops (on the CPU, or on the GPU when there is one)
    torch_device = "cuda" if on_gpu and torch is not None and torch.cuda.is_available() else "cpu"
    if torch is not None:
        torch.manual_seed(0)
        phases = phased_step(torch, build, args.batch, torch_device)
        ops = count_torch_ops(torch, phases, "CUDA" if torch_device == "cuda" else "CPU")
        results["torch"] = {
            "device": torch_device,
            "version": torch.__version__,
            "phases": {name: dict(c) for name, c in ops.items()},
        }

    # Host time per step on --device
    sync = minigrad.cuda.synchronize
    results["host_ms"] = {
        "minigrad": host_times(
            phased_step(minigrad, build, args.batch, args.device), args.steps, sync
        )
    }
    if torch is not None and (not on_gpu or torch_device == "cuda"):
        torch_sync = torch.cuda.synchronize if on_gpu else (lambda: None)
        phases = phased_step(torch, build, args.batch, args.device)
        results["host_ms"]["torch"] = host_times(phases, args.steps, torch_sync)

    # Real CUDA work (unverified: written without a GPU)
    if on_gpu and torch_device == "cuda":
        results["cuda"] = {
            "minigrad": count_cuda_work(phased_step(minigrad, build, args.batch, "cuda"), sync),
            "torch": count_cuda_work(
                phased_step(torch, build, args.batch, "cuda"), torch.cuda.synchronize
            ),
        }
    print_view(results)
    if on_gpu and torch_device == "cuda":
        step = training_step(minigrad, build, args.batch, device="cuda")
        print_kernel_times(step, args.steps, args.lines)
    return results


def _line(values, widths) -> str:
    return "  ".join(
        f"{v:<{w}}" if i == 0 else f"{v:>{w}}" for i, (v, w) in enumerate(zip(values, widths))
    )


def print_view(r: dict) -> None:
    """Print the launch view's figures (:func:`kernels_view`'s results)."""
    mg = r["minigrad"]
    title = f"{r['model'].upper()} batch {r['batch']}"
    print(
        f"{title}: kernel launches per training step (steady state, after {WARMUP} steps)\n"
        "minigrad: counted on the strict stand-in GPU (tests/strict_gpu.py); 'GPU path' is\n"
        "what a GPU runs (fused kernels), 'reference' every op's textbook array code."
    )
    torch_ops = r.get("torch", {}).get("phases")
    if torch_ops is None:
        print("PyTorch: not installed, so its half is left out.")
    else:
        print(f"PyTorch {r['torch']['version']}: kernel-level ATen ops on {r['torch']['device']}.")
    host = r["host_ms"]
    have_torch_ms = "torch" in host
    cells = ["phase", "GPU path", "reference", "syncs", "to dev"]
    cells += ["PyTorch"] * (torch_ops is not None)
    cells += ["host ms"] + ["PyTorch ms"] * have_torch_ms
    widths = [10, 9, 9, 7, 6] + [8] * (torch_ops is not None) + [8] + [10] * have_torch_ms
    print("\n" + _line(cells, widths))
    totals = Counter()
    for name in (*PHASES, "total"):
        if name != "total":
            gpu, ref = mg["gpu path"]["phases"][name], mg["reference"]["phases"][name]
            row = Counter(
                gpu=gpu["launches"], ref=ref["launches"], gpu_syncs=gpu["host_syncs"],
                ref_syncs=ref["host_syncs"], dev=gpu["to_device"],
                torch=sum(torch_ops[name].values()) if torch_ops is not None else 0,
            )  # fmt: skip
            totals.update(row)
        else:
            row = totals
        syncs = f"{row['gpu_syncs']}/{row['ref_syncs']}"
        values = [name, row["gpu"], row["ref"], syncs, row["dev"]]
        if torch_ops is not None:
            values.append(row["torch"])
        values.append(f"{host['minigrad'][name]:.2f}")
        if have_torch_ms:
            values.append(f"{host['torch'][name]:.2f}")
        print(_line(values, widths))
    threads = f", threads: {r['threads']}" if r.get("threads") else ""
    print(
        "(syncs: host syncs, GPU path / reference; to dev: copies from the host; host ms: "
        f"median per step on {r['device']}{threads}"
        + (", queued" if r["device"] == "cuda" else ", the whole step's work on the CPU")
        + ")"
    )
    if r["device"] == "cuda":
        done = f"after waiting for the GPU: minigrad {host['minigrad']['done']:.2f} ms"
        if have_torch_ms:
            done += f", PyTorch {host['torch']['done']:.2f} ms"
        print(done)
    for mode in ("gpu path", "reference"):
        if not mg[mode]["steady"]:
            print(f"note: minigrad's {mode} counts differed between two steps (the last shown)")

    print(f"\nminigrad launches by op and phase, {title} (GPU path / reference):")
    for name in PHASES:
        gpu = mg["gpu path"]["phases"][name]["sites"]
        ref = mg["reference"]["phases"][name]["sites"]
        for site in sorted(set(gpu) | set(ref), key=lambda s: (-gpu.get(s, 0), -ref.get(s, 0), s)):
            print(f"  {name:<10} {site:<52} {gpu.get(site, 0):>4} / {ref.get(site, 0)}")
    if torch_ops is not None:
        print(f"\nPyTorch kernel-level ops by phase, {title}:")
        for name in PHASES:
            for op, n in sorted(torch_ops[name].items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"  {name:<10} {op:<52} {n:>4}")
    if "cuda" in r:
        print(f"\nCUDA work per step on the GPU, {title} (torch.profiler; an unverified path):")
        kinds = ("kernel", "memset", "memcpy")
        cells = ["phase"] + [f"{fw} {k}s" for fw in r["cuda"] for k in kinds]
        widths = [10] + [max(12, len(c)) for c in cells[1:]]
        print(_line(cells, widths))
        totals = Counter()
        for name in (*PHASES, "total"):
            values = [name]
            for fw, counts in r["cuda"].items():
                for k in kinds:
                    n = counts[name].get(k, 0) if name != "total" else totals[fw, k]
                    totals[fw, k] += n if name != "total" else 0
                    values.append(n)
            print(_line(values, widths))


def print_kernel_times(step, steps: int, lines: int) -> None:
    """The GPU kernels of ``steps`` steps, by total GPU time (PyTorch's profiler)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(steps):
            step()
        minigrad.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=lines))


# ----------------------------------------------------------------------------------------
# The cProfile view
# ----------------------------------------------------------------------------------------


def cprofile_view(args) -> None:
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("batch", type=int)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--steps", type=int, default=20, help="steps timed (and profiled)")
    parser.add_argument("--lines", type=int, default=30, help="profile lines to print")
    parser.add_argument("--callers", help="also print who calls the functions matching this")
    parser.add_argument(
        "--kernels", action="store_true",
        help="the launch view: kernel launches and host time per step, by phase, minigrad "
        "(counted on the stand-in GPU) and PyTorch (its profiler) side by side; on a GPU "
        "also the real CUDA kernels of both and minigrad's by GPU time",
    )  # fmt: skip
    parser.add_argument("--json", help="with --kernels: also write the figures to this file")
    parser.add_argument(
        "--threads", type=int,
        help="with --kernels: CPU threads for NumPy's BLAS (threadpoolctl) and PyTorch",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not args.kernels:
        cprofile_view(args)
        return
    limits = contextlib.nullcontext()
    if args.threads:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(args.threads)
        torch = _import_torch()
        if torch is not None:
            torch.set_num_threads(args.threads)
    with limits:
        results = kernels_view(args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
