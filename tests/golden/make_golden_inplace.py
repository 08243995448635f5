"""Write ``inplace.npz``: in-place operations on tensors in the graph, in PyTorch 2.13.

    pip install torch==2.13.0
    python tests/golden/make_golden_inplace.py

Runs every case of ``inplace_cases.CASES`` (d2l's masked softmax, makemore's loops, a
residual ``out +=``, an RNN filling its outputs, writes through views and what PyTorch
does to their bases) on PyTorch and stores the values and gradients each returns.
``tests/test_inplace_graph.py`` runs the same cases on minigrad and compares.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import torch
import torch.nn.functional
from inplace_cases import CASES, SEED
from make_golden import save_cases

HERE = Path(__file__).resolve().parent


def library() -> types.SimpleNamespace:
    return types.SimpleNamespace(
        torch=torch, nn=torch.nn, F=torch.nn.functional, tensor=lambda a: torch.tensor(a),
        leaf=lambda a: torch.tensor(a, requires_grad=True),
    )  # fmt: skip


def main() -> None:
    save_cases(CASES, library(), SEED, HERE / "inplace.npz")


if __name__ == "__main__":
    sys.exit(main())
