"""Write the golden files: inputs, outputs and gradients computed by PyTorch.

    pip install torch==2.13.0
    python tests/golden/make_golden.py

For every case in ``cases.py`` this draws the inputs, runs the case with PyTorch, draws a
random output gradient ``v`` and backpropagates it, and stores inputs, output, ``v`` and
input gradients in ``core.npz``. The tests replay the same case in minigrad and compare,
so they never need PyTorch. The file is written atomically and records the PyTorch version.
"""

from __future__ import annotations

import os
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from cases import CASES

HERE = Path(__file__).resolve().parent
SEED = 20261122


def torch_namespace() -> types.SimpleNamespace:
    """``torch`` with the few ``nn.functional`` names that minigrad has at top level."""
    names = {name: getattr(torch, name) for name in dir(torch) if not name.startswith("_")}
    names.update(pad=F.pad, cross_entropy=F.cross_entropy)
    return types.SimpleNamespace(**names)


def make_input(rng: np.random.Generator, shape, kind: str) -> np.ndarray:
    if kind in ("f", "c"):
        return rng.standard_normal(shape).astype(np.float32)
    if kind == "d":
        return rng.standard_normal(shape)
    if kind in ("p", "q"):
        return rng.uniform(0.5, 2.0, shape).astype(np.float32)
    if kind == "b":
        return rng.random(shape) < 0.5
    if kind.startswith("i"):
        return rng.integers(0, int(kind[1:]), shape).astype(np.int64)
    raise ValueError(f"unknown input kind {kind!r}")


def run_case(m, case, arrays) -> dict[str, np.ndarray]:
    inputs = []
    for array, (_, kind) in zip(arrays, case.inputs):
        t = torch.tensor(array)
        if kind in ("f", "p", "d"):
            t.requires_grad_(True)
        inputs.append(t)
    out = case.fn(m, *inputs)
    record = {f"in{i}": a for i, a in enumerate(arrays)}
    record["out"] = out.detach().numpy()
    if out.requires_grad:
        v = np.random.default_rng(SEED + 1).standard_normal(out.shape).astype(record["out"].dtype)
        out.backward(torch.tensor(v))
        record["v"] = v
        for i, t in enumerate(inputs):
            if t.requires_grad:
                record[f"grad{i}"] = t.grad.numpy()
    return record


def save_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    os.close(fd)
    try:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_cases(cases: dict, lib, seed: int, path: Path) -> None:
    """Run each ``case(lib, rng)`` of ``cases`` on PyTorch (``lib``) with a generator drawn
    from ``seed``, and save the tensors it returns as ``<case>.<key>`` in ``path``."""
    torch.set_num_threads(1)
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    for name, case in cases.items():
        for key, value in case(lib, np.random.default_rng(seed)).items():
            arrays[f"{name}.{key}"] = value.detach().numpy()
    save_atomically(path, arrays)
    print(f"wrote {len(cases)} cases with PyTorch {torch.__version__} to {path}")


def main() -> None:
    torch.manual_seed(0)
    m = torch_namespace()
    rng = np.random.default_rng(SEED)
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    for name, case in CASES.items():
        inputs = [make_input(rng, shape, kind) for shape, kind in case.inputs]
        for key, value in run_case(m, case, inputs).items():
            arrays[f"{name}.{key}"] = np.asarray(value)
    save_atomically(HERE / "core.npz", arrays)
    print(f"wrote {len(CASES)} cases with PyTorch {torch.__version__} to {HERE / 'core.npz'}")


if __name__ == "__main__":
    sys.exit(main())
