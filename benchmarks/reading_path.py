"""How much code one training step makes a reader go through: the reading-path measure.

    python benchmarks/reading_path.py            # the table (default mode and reference mode)
    python benchmarks/reading_path.py --list     # also every executed function, file by file

It traces one training step (a batch from the DataLoader, forward, loss, ``zero_grad``,
``backward``, ``optimizer.step``) of the default MLP (``examples/mnist_mlp.py``: 784 -> 7 x
[Linear, BatchNorm1d, ReLU] -> 10, SGD with momentum and weight decay) and of the MNIST CNN
(``examples/mnist_cnn.py``), with ``sys.settrace``, after one untraced warm-up step. For
each it counts, inside the ``minigrad`` package:

* **files**: the files that hold a function the step executed;
* **file lines**: all the lines of those files (what a reader who opens them meets);
* **function lines**: the lines, from ``def`` to the last line, of every function the
  step executed (a function nested in another executed one is counted once, inside it);
* **of which code**: those lines less their docstrings, comment-only and blank lines
  (what the step runs, apart from the prose that explains it).

It also traces the convolution alone (one ``F.conv2d`` forward and backward, in reference
mode) and reports the executed lines of its primitive, ``ops/conv.py``: the textbook
im2col, matrix product and col2im that a learner comes to read. Reference mode is
``MINIGRAD_REFERENCE=1``, set for a child process so that both modes are measured from a
fresh import. The table goes into ``docs/architecture.md``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "minigrad"


def function_spans(path: Path) -> dict[int, tuple[int, int]]:
    """For each function in a file: its first line (decorators included) -> (start, end)."""
    spans = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans[node.lineno] = (start, node.end_lineno)
            spans[start] = (start, node.end_lineno)
    return spans


def prose_lines(path: Path) -> set[int]:
    """The lines of a file that are not code: docstrings, comment-only and blank lines."""
    text = path.read_text()
    lines = {i for i, line in enumerate(text.splitlines(), 1)
             if not line.strip() or line.lstrip().startswith("#")}  # fmt: skip
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if (isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):  # fmt: skip
            lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def trace(step) -> set[tuple[str, int]]:
    """The (file, first line) of every minigrad function that ``step()`` executes."""
    called: set[tuple[str, int]] = set()
    prefix = str(PACKAGE) + os.sep

    def on_call(frame, event, arg):
        code = frame.f_code
        if code.co_filename.startswith(prefix) and not code.co_name.startswith("<"):
            called.add((code.co_filename, code.co_firstlineno))

    sys.settrace(on_call)
    try:
        step()
    finally:
        sys.settrace(None)
    return called


def measure(called: set[tuple[str, int]]) -> dict:
    """Files, their lines, and the lines of the executed functions (outermost only)."""
    by_file: dict[str, list[tuple[int, int]]] = {}
    for filename, first in called:
        spans = function_spans(Path(filename))
        if first in spans:
            by_file.setdefault(filename, []).append(spans[first])
    functions = {}
    function_lines = code_lines = 0
    for filename, ranges in by_file.items():
        outer = [r for r in set(ranges) if not any(o != r and o[0] <= r[0] and r[1] <= o[1]
                                                   for o in set(ranges))]  # fmt: skip
        lines = sum(end - start + 1 for start, end in outer)
        functions[str(Path(filename).relative_to(ROOT))] = lines
        function_lines += lines
        prose = prose_lines(Path(filename))
        code_lines += sum(1 for start, end in outer for i in range(start, end + 1)
                          if i not in prose)  # fmt: skip
    file_lines = sum(len(Path(f).read_text().splitlines()) for f in by_file)
    return {
        "files": len(by_file),
        "file_lines": file_lines,
        "function_lines": function_lines,
        "code_lines": code_lines,
        "per_file": dict(sorted(functions.items(), key=lambda kv: -kv[1])),
    }


def training_step(name: str):
    """A function that runs one training step of the example ``name`` ("mlp" or "cnn")."""
    sys.path.insert(0, str(ROOT / "examples"))
    import minigrad
    from minigrad import nn
    from minigrad.data import DataLoader, TensorDataset
    from minigrad.optim import SGD

    minigrad.manual_seed(0)
    if name == "mlp":
        from mnist_mlp import build_model

        model, batch, lr = build_model(), 128, 0.1
    else:
        from mnist_cnn import build_model

        model, batch, lr = build_model(), 128, 0.05
    images = minigrad.randn(4 * batch, 1, 28, 28)
    labels = minigrad.randint(0, 10, (4 * batch,))
    loader = DataLoader(TensorDataset(images, labels), batch_size=batch, shuffle=True)
    batches = iter(loader)
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step():
        x, y = next(batches)
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def convolution():
    """One ``F.conv2d`` forward and backward, on a W2-sized layer (32 -> 32, 3x3)."""
    import minigrad
    import minigrad.nn.functional as F

    minigrad.manual_seed(0)
    x = minigrad.randn(8, 32, 28, 28, requires_grad=True)
    w = minigrad.randn(32, 32, 3, 3, requires_grad=True)

    def step():
        F.conv2d(x, w, padding=1).sum().backward()

    return step


def child(what: str) -> dict:
    """Measure in this process (``--child``): warm up once, then trace one step."""
    step = convolution() if what == "conv" else training_step(what)
    step()
    return measure(trace(step))


def run_child(what: str, reference: bool) -> dict:
    env = dict(os.environ)
    env.pop("MINIGRAD_REFERENCE", None)
    if reference:
        env["MINIGRAD_REFERENCE"] = "1"
    out = subprocess.run(
        [sys.executable, __file__, "--child", what],
        env=env, capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="also the lines per file")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--child", choices=["mlp", "cnn", "conv"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return

    rows = [
        ("Default MLP step", "mlp", False),
        ("Default MLP step, reference mode", "mlp", True),
        ("MNIST CNN step", "cnn", False),
        ("MNIST CNN step, reference mode", "cnn", True),
        ("Reference convolution, forward and backward", "conv", True),
    ]
    results = {}
    print("| what is traced | files | lines in those files | lines of executed functions "
          "| of which code |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, what, reference in rows:
        figures = run_child(what, reference)
        results[label] = figures
        print(
            f"| {label} | {figures['files']} | {figures['file_lines']:,} | "
            f"{figures['function_lines']:,} | {figures['code_lines']:,} |"
        )
    conv = results["Reference convolution, forward and backward"]["per_file"]
    primitive = conv.get("minigrad/ops/conv.py", 0)
    print(f"\nThe reference convolution's own code (ops/conv.py), forward and backward: "
          f"{primitive} lines of executed functions.")  # fmt: skip
    if args.list:
        for label, figures in results.items():
            print(f"\n{label}:")
            for path, lines in figures["per_file"].items():
                print(f"  {lines:5d}  {path}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
