"""Write ``amp.npz``: mixed precision computed by PyTorch 2.13 on the CPU.

    pip install torch==2.13.0
    python tests/golden/make_golden_amp.py

For every case of ``amp_cases.autocast_cases``, run inside
``torch.autocast("cpu", dtype=torch.float16)``: the result's dtype and values, and for the
ones that require grad the float32 gradients of the inputs. For ``amp_cases.scaler_run``
(GradScaler with steps that overflow, with and without unscale_ and clipping): the
weights and the scale after every step. The file is written atomically and records the
PyTorch version.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from amp_cases import autocast_cases, inputs, scaler_run
from make_golden import save_atomically

HERE = Path(__file__).resolve().parent


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    data = inputs()
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    arrays.update({f"input.{k}": v for k, v in data.items()})
    for name in autocast_cases(torch, {}):
        t = {k: torch.tensor(v, requires_grad=v.dtype.kind == "f") for k, v in data.items()}
        with torch.autocast("cpu", dtype=torch.float16):
            out = autocast_cases(torch, t)[name]()
        arrays[f"autocast.{name}.dtype"] = np.array(str(out.dtype).removeprefix("torch."))
        arrays[f"autocast.{name}.value"] = out.detach().double().numpy()
        if out.requires_grad:
            out.float().sum().backward()
            for k, v in t.items():
                if v.grad is not None:
                    arrays[f"autocast.{name}.grad.{k}"] = v.grad.numpy()
    for clip in (False, True):
        for key, value in scaler_run(torch, data, clip=clip).items():
            arrays[f"scaler.clip{int(clip)}.{key}"] = value
    path = HERE / "amp.npz"
    save_atomically(path, arrays)
    print(f"wrote {len(autocast_cases(torch, {}))} autocast cases and 2 scaler runs with "
          f"PyTorch {torch.__version__} to {path}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
