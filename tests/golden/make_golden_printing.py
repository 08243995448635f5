"""Write ``printing.npz``: how PyTorch 2.13 prints the tensors of ``printing_cases``.

    pip install torch==2.13.0
    python tests/golden/make_golden_printing.py

Stores each case's text with ``torch.`` spelled ``minigrad.``; ``tests/test_printing.py``
builds the same values on minigrad and compares the text.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import torch
from make_golden import save_atomically
from printing_cases import CASES

HERE = Path(__file__).resolve().parent


def main() -> None:
    lib = types.SimpleNamespace(torch=torch)
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    for name, case in CASES.items():
        arrays[name] = np.array(case(lib).replace("torch.", "minigrad."))
    path = HERE / "printing.npz"
    save_atomically(path, arrays)
    print(f"wrote {len(CASES)} cases with PyTorch {torch.__version__} to {path}")


if __name__ == "__main__":
    sys.exit(main())
