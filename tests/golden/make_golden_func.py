"""Write ``func.npz``: the function transforms of ``torch.func`` in PyTorch 2.13.

    pip install torch==2.13.0
    python tests/golden/make_golden_func.py

Runs every case of ``func_cases.CASES`` (gradients, per-sample gradients through
``functional_call``, Jacobians, vector products, ``vmap``'s dimensions, a stacked
ensemble and its gradients) on PyTorch and stores what each returns.
``tests/test_func.py`` runs the same cases on minigrad and compares.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import torch
import torch.func
import torch.nn.functional
from func_cases import CASES, SEED
from make_golden import save_cases

HERE = Path(__file__).resolve().parent


def library() -> types.SimpleNamespace:
    return types.SimpleNamespace(
        torch=torch, func=torch.func, nn=torch.nn, F=torch.nn.functional,
        tensor=lambda a: torch.tensor(a), to_device=lambda m: m,
    )  # fmt: skip


def main() -> None:
    save_cases(CASES, library(), SEED, HERE / "func.npz")


if __name__ == "__main__":
    sys.exit(main())
