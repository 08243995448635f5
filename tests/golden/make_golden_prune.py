"""Write ``prune.npz``: ``torch.nn.utils.prune`` in PyTorch 2.13 on the cases of
``prune_cases.run`` (magnitude, structured, iterative, global and custom pruning).

    pip install torch==2.13.0
    python tests/golden/make_golden_prune.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.utils.prune  # a submodule: torch.nn.utils does not import it
from make_golden import save_atomically
from prune_cases import run, weights

HERE = Path(__file__).resolve().parent


def main() -> None:
    torch.set_num_threads(1)
    data = weights()
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    arrays.update({f"input.{k}": v for k, v in data.items()})
    arrays.update(run(torch, data))
    path = HERE / "prune.npz"
    save_atomically(path, arrays)
    print(f"wrote {len(arrays)} arrays with PyTorch {torch.__version__} to {path}")


if __name__ == "__main__":
    sys.exit(main())
