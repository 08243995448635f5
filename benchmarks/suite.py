"""minigrad against PyTorch on the CPU, side by side: the benchmark suite.

    pip install -e ".[torch]"                      # PyTorch 2.13 CPU and threadpoolctl
    python benchmarks/suite.py                     # prints the table, writes results
    python benchmarks/suite.py --quick             # fewer rounds, for a quick look
    python benchmarks/suite.py --mnist             # also the whole MNIST MLP run (6 minutes)
    python benchmarks/suite.py --only W1           # some workloads, printed, nothing written

Workloads:

* W1: one training step (forward, cross-entropy, backward, SGD with momentum and weight
  decay) of the default deep MLP (7 x [Linear(500) -> BatchNorm1d -> ReLU], Linear(500,
  10)), at batch 128 and 500;
* W2: one training step of the default MNIST CNN (``examples/mnist_cnn.py``), batch 128;
* micro: Linear, Conv2d 3x3 (stride 1 and 2), BatchNorm1d, BatchNorm2d, ReLU and
  cross-entropy, each forward and backward; and every other layer of W2 alone (its
  first two convolutions, BatchNorm2d at 14x14, both max poolings, a ReLU);
* per-op overhead: one small op and its backward on 8-element tensors;
* peak memory of a W1 and a W2 step: the rise of the process's peak resident memory
  during one step, measured the same way for both frameworks, each in a fresh process
  (with glibc's mmap threshold fixed, so that the rise is the peak of live arrays);
* optionally the whole default MNIST MLP run, wall time for both.

Timing: each framework runs every workload in worker processes of its own, alternating
(minigrad, PyTorch, minigrad, ... ``--passes`` times), with the same number of threads
(``OPENBLAS_NUM_THREADS`` and friends in the worker's environment, threadpoolctl when
installed, torch.set_num_threads). A worker warms each workload up,
then times ``--rounds`` rounds. Separate processes matter: worker threads spin for a while
after their last task (OpenBLAS for about 0.1 s), so in one shared process each
framework's idle threads would take a core from the other's next call. The report gives
the median time per call over all rounds, the spread (min-max) and the ratio minigrad /
PyTorch. Without PyTorch, minigrad's figures are printed alone.
Results go to ``benchmarks/results.json`` and ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

import minigrad  # noqa: E402
from minigrad.atomic import fsync_directory  # noqa: E402

# PyTorch (optional) is imported only in the processes that run it: in a minigrad worker
# its OpenMP library, loaded before minigrad's first parallel loop, would send minigrad's
# kernels to numba's work queue (minigrad/fast/compiled.py), as in any process that holds
# both; a worker measures a process that runs one framework.
HAVE_TORCH = importlib.util.find_spec("torch") is not None


# ----------------------------------------------------------------------------------------
# Models, written once for both frameworks (their nn APIs are the same)
# ----------------------------------------------------------------------------------------


def deep_mlp(nn):
    layers, features = [nn.Flatten()], 28 * 28
    for _ in range(7):
        layers += [nn.Linear(features, 500), nn.BatchNorm1d(500), nn.ReLU()]
        features = 500
    return nn.Sequential(*layers, nn.Linear(features, 10))


def mnist_cnn(nn):
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]

    return nn.Sequential(
        *block(1, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.BatchNorm1d(128), nn.ReLU(),
        nn.Linear(128, 10),
    )  # fmt: skip


def training_step(lib, build, batch: int, device: str = "cpu"):
    """A function that runs one SGD training step of ``build(lib.nn)`` on ``device``, on
    fixed random data put there beforehand. It returns nothing: on a GPU the loss stays
    there, so a call only queues work (the caller synchronizes)."""
    rng = np.random.default_rng(0)
    images = lib.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32), device=device)
    labels = lib.tensor(rng.integers(0, 10, batch, dtype=np.int64), device=device)
    model = build(lib.nn).to(device)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()

    return step


def layer_step(lib, make_layer, shape, with_labels=False, input_grad=True):
    """Forward and backward of one layer on a fixed input (which needs a gradient unless
    ``input_grad`` is false, as a network's first layer's input does not)."""
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=input_grad)
    layer = make_layer(lib)
    labels = lib.tensor(rng.integers(0, shape[1], shape[0])) if with_labels else None

    def step():
        out = layer(x, labels) if with_labels else layer(x)
        out.backward(lib.ones_like(out))

    return step


def first_output(layer):
    """A recurrent layer as a function of its input alone, returning its outputs only."""
    return lambda x: layer(x)[0]


def tiny_op(lib):
    a = lib.randn(8, requires_grad=True)
    b = lib.randn(8, requires_grad=True)
    g = lib.ones(8)

    def step():
        (a * b).backward(g)

    return step


WORKLOADS = {
    "W1 MLP step, batch 128": (lambda lib: training_step(lib, deep_mlp, 128), 10),
    "W1 MLP step, batch 500": (lambda lib: training_step(lib, deep_mlp, 500), 5),
    "W2 CNN step, batch 128": (lambda lib: training_step(lib, mnist_cnn, 128), 2),
    "Linear 784->500, batch 500": (
        lambda lib: layer_step(lib, lambda L: L.nn.Linear(784, 500), (500, 784)), 20),
    "Conv2d 32->64 3x3 s1, 128x14x14": (
        lambda lib: layer_step(lib, lambda L: L.nn.Conv2d(32, 64, 3, padding=1),
                               (128, 32, 14, 14)), 3),
    "Conv2d 32->64 3x3 s2, 128x14x14": (
        lambda lib: layer_step(lib, lambda L: L.nn.Conv2d(32, 64, 3, stride=2, padding=1),
                               (128, 32, 14, 14)), 5),
    "W2 layer: Conv2d 1->32 3x3, 128x28x28": (
        lambda lib: layer_step(lib, lambda L: L.nn.Conv2d(1, 32, 3, padding=1, bias=False),
                               (128, 1, 28, 28), input_grad=False), 5),
    "W2 layer: Conv2d 32->32 3x3, 128x28x28": (
        lambda lib: layer_step(lib, lambda L: L.nn.Conv2d(32, 32, 3, padding=1, bias=False),
                               (128, 32, 28, 28)), 2),
    "W2 layer: BatchNorm2d 64, 128x14x14": (
        lambda lib: layer_step(lib, lambda L: L.nn.BatchNorm2d(64), (128, 64, 14, 14)), 5),
    "W2 layer: MaxPool2d 2, 128x32x28x28": (
        lambda lib: layer_step(lib, lambda L: L.nn.MaxPool2d(2), (128, 32, 28, 28)), 5),
    "W2 layer: MaxPool2d 2, 128x64x14x14": (
        lambda lib: layer_step(lib, lambda L: L.nn.MaxPool2d(2), (128, 64, 14, 14)), 10),
    "W2 layer: ReLU, 128x32x28x28": (
        lambda lib: layer_step(lib, lambda L: L.nn.ReLU(), (128, 32, 28, 28)), 10),
    "BatchNorm1d 500, batch 500": (
        lambda lib: layer_step(lib, lambda L: L.nn.BatchNorm1d(500), (500, 500)), 20),
    "BatchNorm2d 32, 128x28x28": (
        lambda lib: layer_step(lib, lambda L: L.nn.BatchNorm2d(32), (128, 32, 28, 28)), 3),
    "ReLU 500x500": (lambda lib: layer_step(lib, lambda L: L.nn.ReLU(), (500, 500)), 50),
    "cross-entropy 500x10": (
        lambda lib: layer_step(lib, lambda L: L.nn.CrossEntropyLoss(), (500, 10), True), 100),
    "tiny op fwd+bwd, 8 elements": (tiny_op, 2000),
    "LSTM 64->128, 35 steps, batch 32": (
        lambda lib: layer_step(lib, lambda L: first_output(L.nn.LSTM(64, 128)), (35, 32, 64)), 3),
    "GRU 64->128 x2 layers, 35 steps, batch 32": (
        lambda lib: layer_step(lib, lambda L: first_output(L.nn.GRU(64, 128, 2)), (35, 32, 64)),
        2),
}  # fmt: skip


def time_calls(fn, calls: int) -> float:
    """Milliseconds per call over ``calls`` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e3


def selected(only: str | None) -> list[str]:
    """The workloads whose name contains ``only`` (case-insensitive), or all of them."""
    return [name for name in WORKLOADS if only is None or only.lower() in name.lower()]


def time_workloads(lib, rounds: int, only: str | None = None) -> dict:
    """The workloads of one framework: a warm-up, then ``rounds`` timed rounds each.
    Returns {workload: [milliseconds per call, one per round]}."""
    times = {}
    for name in selected(only):
        make, calls = WORKLOADS[name]
        step = make(lib)
        time_calls(step, max(1, calls // 2))  # warm-up: caches, allocator, thread pools
        times[name] = [time_calls(step, calls) for _ in range(rounds)]
    return times


def run_timings(
    lib_names: list, rounds: int, threads: int, passes: int, only: str | None = None
) -> dict:
    """Time every workload in ``passes`` alternating worker processes per framework.

    Each framework runs in processes of its own (minigrad, PyTorch, minigrad, ...): worker
    threads keep spinning for a while after their last task (OpenBLAS for about 0.1 s),
    so in one shared process each framework's idle threads would take a core from the
    other's next call. Alternating the processes spreads drift in the machine's speed
    over both frameworks; the medians are over all rounds of all passes.
    """
    names = selected(only)
    times = {lib_name: {name: [] for name in names} for lib_name in lib_names}
    for _ in range(passes):
        for lib_name in lib_names:
            command = [sys.executable, __file__, "--worker", lib_name, "--rounds", str(rounds),
                       "--threads", str(threads)]  # fmt: skip
            if only is not None:
                command += ["--only", only]
            out = subprocess.run(
                command, capture_output=True, text=True, check=True, cwd=ROOT,
                env=thread_env(threads),
            )  # fmt: skip
            for name, ts in json.loads(out.stdout.strip().splitlines()[-1]).items():
                times[lib_name][name] += ts
    results = {}
    for name in names:
        results[name] = {
            lib_name: {
                "median_ms": statistics.median(times[lib_name][name]),
                "min_ms": min(times[lib_name][name]),
                "max_ms": max(times[lib_name][name]),
            }
            for lib_name in lib_names
        }
        if "torch" in lib_names:
            results[name]["ratio"] = (
                results[name]["minigrad"]["median_ms"] / results[name]["torch"]["median_ms"]
            )
        print(_row(name, results[name]), flush=True)
    return results


def thread_env(threads: int) -> dict:
    """The environment of a worker process: its BLAS and OpenMP pools get ``threads``
    threads from the start (the variables are read when the libraries load)."""
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    env = dict(os.environ, **dict.fromkeys(names, str(threads)))
    # What ``import minigrad`` sets when numba is installed and NumPy not yet loaded (see
    # minigrad/__init__.py); a worker imports NumPy first, so its environment says it.
    # PyTorch's own pools do not read it.
    if importlib.util.find_spec("numba") is not None:
        env.setdefault("OPENBLAS_THREAD_TIMEOUT", "20")
    return env


def set_threads(lib, threads: int) -> None:
    """The same number of threads on both sides: NumPy's BLAS (and any OpenMP pool) through
    threadpoolctl when it is installed (the worker's environment already asks for the
    same), and PyTorch's intra-op pool."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the torch extra brings it; without it, thread_env did the job
        pass
    else:
        threadpool_limits(threads)
    if lib is not minigrad:
        lib.set_num_threads(threads)


# ----------------------------------------------------------------------------------------
# Peak memory, each measurement in a fresh process
# ----------------------------------------------------------------------------------------

MEMORY_PROBE = """
import sys, json
sys.path.insert(0, {bench!r})
import suite
lib = __import__({lib!r})
suite.set_threads(lib, {threads})
step = suite.training_step(lib, getattr(suite, {model!r}), {batch})
step()  # the first step allocates what every step keeps: gradients, momentum buffers
def rss_kib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])
before = rss_kib("VmRSS:")
open("/proc/self/clear_refs", "w").write("5")  # reset the peak (VmHWM) to the current RSS
step()
print(json.dumps({{"peak_rise_mib": (rss_kib("VmHWM:") - before) / 1024}}))
"""


def peak_memory(lib_name: str, model: str, batch: int, threads: int) -> float:
    code = MEMORY_PROBE.format(
        bench=str(Path(__file__).parent), threads=threads, lib=lib_name, model=model, batch=batch
    )
    # With glibc's adaptive heap, what a step adds to the resident memory depends on how
    # much the allocator kept from the step before, which differs between runs and between
    # frameworks. A fixed mmap threshold makes every array over 64 KiB its own mapping,
    # returned when freed: the rise is then the peak of the arrays alive during the step.
    env = dict(thread_env(threads), MALLOC_MMAP_THRESHOLD_="65536")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    ).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_rise_mib"]


def run_memory(lib_names, threads: int) -> dict:
    results = {}
    for label, model, batch in (("W1 MLP step, batch 500", "deep_mlp", 500),
                                ("W2 CNN step, batch 128", "mnist_cnn", 128)):  # fmt: skip
        results[label] = {name: peak_memory(name, model, batch, threads) for name in lib_names}
        if "torch" in results[label]:
            results[label]["ratio"] = results[label]["minigrad"] / results[label]["torch"]
        cells = "  ".join(f"{k} {v:.1f} MiB" for k, v in results[label].items() if k != "ratio")
        ratio = f"  ratio {results[label]['ratio']:.2f}" if "ratio" in results[label] else ""
        print(f"peak memory rise, {label}: {cells}{ratio}", flush=True)
    return results


# ----------------------------------------------------------------------------------------
# The whole MNIST MLP run
# ----------------------------------------------------------------------------------------


def run_mnist(threads: int, with_torch: bool, runs: int) -> dict:
    """The whole MNIST MLP run of each framework, ``runs`` times, alternating (minigrad,
    PyTorch, minigrad, ...): one run is a minute, long enough for the machine's speed to
    drift between two. Reports the median seconds and every run's."""
    commands = {"minigrad": [sys.executable, "examples/mnist_mlp.py", "--no-progress"]}
    if with_torch:
        commands["torch"] = [sys.executable, "benchmarks/mnist_mlp_torch.py",
                             "--threads", str(threads)]  # fmt: skip
    env = thread_env(threads)
    seconds = {name: [] for name in commands}
    accuracy = {}
    for _ in range(runs):
        for name, command in commands.items():
            out = subprocess.run(
                command, capture_output=True, text=True, check=True, cwd=ROOT, env=env
            )  # fmt: skip
            final = out.stdout.strip().splitlines()[-1]
            fields = dict(item.split("=", 1) for item in final.split()[1:])
            seconds[name].append(float(fields["seconds"]))
            accuracy[name] = float(fields["test_accuracy"])  # the same every run: seeded
            print(f"MNIST MLP run, {name}: {final}", flush=True)
    results = {
        name: {"seconds": statistics.median(seconds[name]), "runs": seconds[name],
               "test_accuracy": accuracy[name]}
        for name in commands
    }  # fmt: skip
    if "torch" in results:
        results["ratio"] = results["minigrad"]["seconds"] / results["torch"]["seconds"]
    return results


# ----------------------------------------------------------------------------------------
# Reporting
# ----------------------------------------------------------------------------------------


def _cell(r: dict) -> str:
    return f"{r['median_ms']:.3f} ({r['min_ms']:.3f}-{r['max_ms']:.3f})"


def _row(name: str, r: dict) -> str:
    line = f"{name:<34} minigrad {_cell(r['minigrad']):<26}"
    if "torch" in r:
        line += f" torch {_cell(r['torch']):<26} ratio {r['ratio']:.2f}"
    return line


def numpy_blas() -> list[str]:
    """The BLAS NumPy uses: threadpoolctl's view of the loaded library when it is
    installed, else what NumPy was built against."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return [f"{blas.get('name')} {blas.get('version')}"]
    return [f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})"
            for i in threadpool_info() if i["user_api"] == "blas"]  # fmt: skip


def machine_info(threads: int) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "minigrad": minigrad.__version__,
        "torch": importlib.metadata.version("torch") if HAVE_TORCH else None,
        "numpy_blas": numpy_blas(),
        "threads": threads,
        "date": time.strftime("%Y-%m-%d"),
    }


START, END = "<!-- suite results: start -->", "<!-- suite results: end -->"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``:
    a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "x") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_directory(path.parent)


def write_section(path: Path, lines: list[str], start: str, end: str, heading: str = "") -> None:
    """Put ``lines`` between the ``start`` and ``end`` markers of the page at ``path``
    (appended at the end, under ``heading`` if given, when the page has no markers yet),
    leaving the rest of the page alone."""
    table = "\n".join([start, *lines, end])
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + table + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + (f"{heading}\n\n" if heading else "") + table + "\n"
    write_atomically(path, text)


def timing_table(timings: dict) -> list[str]:
    """The markdown table of median (min-max) milliseconds and ratios."""
    lines = ["| workload | minigrad ms | PyTorch ms | ratio |", "| --- | --- | --- | --- |"]
    for name, r in timings.items():
        torch_cell = _cell(r["torch"]) if "torch" in r else "-"
        ratio = f"{r['ratio']:.2f}" if "ratio" in r else "-"
        lines.append(f"| {name} | {_cell(r['minigrad'])} | {torch_cell} | {ratio} |")
    return lines


def memory_table(memory: dict) -> list[str]:
    """The markdown table of peak memory in MiB and ratios."""
    lines = ["| step | minigrad MiB | PyTorch MiB | ratio |", "| --- | --- | --- | --- |"]
    for name, r in memory.items():
        torch_cell = f"{r['torch']:.1f}" if "torch" in r else "-"
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else "-"
        lines.append(f"| {name} | {r['minigrad']:.1f} | {torch_cell} | {ratio} |")
    return lines


def results_lines(results: dict) -> list[str]:
    meta = results["machine"]
    lines = [
        "minigrad against PyTorch on the same CPU, in one run of `python benchmarks/suite.py`"
        f" ({meta.get('passes', '?')} alternating worker processes per framework, each"
        " warming every workload up and then timing it in rounds; the same thread count on"
        " both sides). Times are medians per call in milliseconds over all rounds, with the"
        " min-max spread; the ratio is minigrad / PyTorch (below 1: minigrad is faster).",
        "",
        f"Machine: {meta['cpu']}, {meta['cores']} cores; {meta['threads']} threads on both"
        f" sides. Python {meta['python']}, NumPy {meta['numpy']} ({', '.join(meta['numpy_blas'])}),"
        f" PyTorch {meta['torch'] or 'not installed'}, minigrad {meta['minigrad']};"
        f" {meta['date']}.",
        "",
        *timing_table(results["timings"]),
        "",
        "Peak memory: the rise of the process's peak resident memory during one training step"
        " (after a first step), each framework in a fresh process, with glibc's mmap threshold"
        " fixed at 64 KiB so that the rise is the peak of the arrays alive during the step.",
        "",
        *memory_table(results.get("memory", {})),
    ]
    if "mnist" in results:
        m = results["mnist"]
        lines += ["", "The whole default MNIST MLP run (`examples/mnist_mlp.py` and"
                  " `benchmarks/mnist_mlp_torch.py`, 5 epochs), the frameworks alternating;"
                  " median seconds over the runs:", "",
                  "| framework | seconds | runs | test accuracy |",
                  "| --- | --- | --- | --- |"]  # fmt: skip
        for name in ("minigrad", "torch"):
            if name in m:
                runs = ", ".join(f"{t:.1f}" for t in m[name].get("runs", [m[name]["seconds"]]))
                lines.append(
                    f"| {name} | {m[name]['seconds']:.1f} | {runs} |"
                    f" {m[name]['test_accuracy']:.4f} |"
                )
        if "ratio" in m:
            lines += ["", f"Ratio minigrad / PyTorch: {m['ratio']:.2f}."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per process")
    parser.add_argument("--quick", action="store_true", help="1 pass of 2 rounds, no memory")
    parser.add_argument("--mnist", action="store_true", help="also the whole MNIST MLP run")
    parser.add_argument(
        "--mnist-runs", type=int, default=3, help="MNIST runs per framework, alternating"
    )
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--markdown", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--passes", type=int, default=5,
        help="worker processes per framework (this machine's speed differs between processes, "
        "so more processes give a steadier median than more rounds in each)",
    )  # fmt: skip
    parser.add_argument(
        "--only", metavar="TEXT",
        help="time only the workloads whose name contains TEXT; prints, writes nothing",
    )  # fmt: skip
    parser.add_argument("--worker", choices=["minigrad", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:  # one framework's timings, as JSON on the last line
        lib = importlib.import_module(args.worker)
        set_threads(lib, args.threads)
        print(json.dumps(time_workloads(lib, args.rounds, args.only)))
        return

    lib_names = ["minigrad"]
    if HAVE_TORCH:
        lib_names.append("torch")
    else:
        print("PyTorch is not installed: minigrad's figures only (pip install torch==2.13.0)")
    set_threads(minigrad, args.threads)

    results = {"machine": machine_info(args.threads)}
    rounds, passes = (2, 1) if args.quick else (args.rounds, args.passes)
    results["machine"]["passes"] = passes
    if args.mnist_runs < 1 or args.passes < 1 or args.rounds < 1:
        parser.error("--mnist-runs, --passes and --rounds must be at least 1")
    if args.only is not None and not selected(args.only):
        raise SystemExit(f"no workload name contains {args.only!r}: {list(WORKLOADS)}")
    results["timings"] = run_timings(lib_names, rounds, args.threads, passes, args.only)
    if args.only is not None:  # a partial run: the committed results stay as they are
        return
    if not args.quick:
        results["memory"] = run_memory(lib_names, args.threads)
    if args.mnist:
        results["mnist"] = run_mnist(args.threads, HAVE_TORCH, args.mnist_runs)
    write_atomically(Path(args.json), json.dumps(results, indent=2) + "\n")
    write_section(Path(args.markdown), results_lines(results), START, END)
    print(f"wrote {args.json} and {args.markdown}")


if __name__ == "__main__":
    main()
