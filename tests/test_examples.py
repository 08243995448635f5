"""The examples run, and learn: a smoke test so that they cannot rot."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_spiral_demo_learns(capsys, device):
    demo = _load("spiral_demo")
    assert demo.main(["--steps", "600", "--device", device]) == 0
    final = capsys.readouterr().out.strip().splitlines()[-1]
    fields = dict(item.split("=") for item in final.split()[1:])
    assert final.startswith("final ")
    assert float(fields["train_accuracy"]) > 0.9  # chance is 0.5
    assert fields["device"] == device


def test_spiral_demo_is_deterministic(capsys):
    demo = _load("spiral_demo")
    demo.main(["--steps", "50"])
    first = capsys.readouterr().out.splitlines()[:-1]  # the last line holds the wall time
    demo.main(["--steps", "50"])
    assert capsys.readouterr().out.splitlines()[:-1] == first
