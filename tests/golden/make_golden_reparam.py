"""Write ``reparam.npz``: weight normalization and spectral normalization by PyTorch 2.13.

    pip install torch==2.13.0
    python tests/golden/make_golden_reparam.py

For each case of ``reparam_cases.CASES`` (a layer, the reparametrization, its options):
the layer's initial weight and bias, the power iteration's first ``u`` and ``v`` (spectral
norm: ``u_init``, ``v_init``), and for three training forwards on fixed inputs, then one
evaluation forward: the output, the buffers (``u<step>``, ``v<step>``) and the gradients
of the reparametrized parameters for ``(out ** 2).sum()``.
``tests/test_reparametrize.py`` starts minigrad's layers from the same values and compares.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import torch
from make_golden import save_atomically
from reparam_cases import CASES, SEED, tensors_of, value_of

HERE = Path(__file__).resolve().parent


def run(name, layer_kind, shape, kind, options, rng) -> dict[str, np.ndarray]:
    nn = torch.nn
    layer = layer_kind(nn)
    out = {"weight0": layer.weight.detach().numpy().copy(),
           "bias0": layer.bias.detach().numpy().copy()}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        if kind == "weight":
            nn.utils.weight_norm(layer, **options)
        elif kind == "spectral":
            nn.utils.spectral_norm(layer, **options)
        elif kind == "p_weight":
            nn.utils.parametrizations.weight_norm(layer, **options)
        else:
            nn.utils.parametrizations.spectral_norm(layer, **options)
    params, buffers = tensors_of(kind)
    if buffers:
        out["u_init"], out["v_init"] = (value_of(layer, b).numpy().copy() for b in buffers)
    inputs = rng.standard_normal((4, *shape)).astype(np.float32)
    for step, x in enumerate(inputs):
        if step == 3:
            layer.eval()
        layer.zero_grad()
        y = layer(torch.tensor(x))
        (y**2).sum().backward()
        out[f"out{step}"] = y.detach().numpy()
        for p in params:
            out[f"grad{step}.{p}"] = value_of(layer, p).grad.numpy().copy()
        if buffers:
            out[f"u{step}"], out[f"v{step}"] = (value_of(layer, b).numpy().copy() for b in buffers)
    out["inputs"] = inputs
    out["keys"] = np.array(list(layer.state_dict()))
    return out


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    for name, case in CASES.items():
        for key, value in run(name, *case, rng).items():
            arrays[f"{name}.{key}"] = value
    path = HERE / "reparam.npz"
    save_atomically(path, arrays)
    print(f"wrote {len(CASES)} cases with PyTorch {torch.__version__} to {path}")


if __name__ == "__main__":
    sys.exit(main())
