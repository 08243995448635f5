"""Every layer and loss against PyTorch 2.13, through the golden file ``nn.npz``.

See ``tests/golden/nn_cases.py``: each case starts from PyTorch's initial state_dict
(exported as NumPy arrays), runs training steps and an evaluation pass, and compares
outputs, gradients and the final state_dict (running statistics) at float32 tolerance.
Lazy modules load that state before their first call, which must materialize them; the
clipping utilities replay PyTorch's gradients and compare the clipped ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import minigrad
from golden.nn_cases import CLIP_CASES, NN_CASES
from minigrad import nn

GOLDEN = np.load(Path(__file__).parent / "golden" / "nn.npz", allow_pickle=False)
GRAD_KINDS = ("f", "p", "d")
TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}


def _entries(name: str, section: str) -> dict[str, np.ndarray]:
    prefix = f"{name}/{section}."
    return {k[len(prefix) :]: GOLDEN[k] for k in GOLDEN.files if k.startswith(prefix)}


def test_golden_file_covers_every_case():
    assert str(GOLDEN["__torch_version__"]).startswith("2.13")
    stored = {key.split("/")[0] for key in GOLDEN.files if not key.startswith("__")}
    assert stored == set(NN_CASES) | set(CLIP_CASES)


@pytest.mark.parametrize("name", sorted(NN_CASES))
def test_module_matches_pytorch(name, device):
    case = NN_CASES[name]
    module = case.build(nn).to(device)
    state0 = _entries(name, "state0")
    assert list(module.state_dict()) == list(state0), "state_dict keys differ from PyTorch's"
    lazy = [m for m in module.modules() if isinstance(m, nn.LazyModuleMixin)]
    before = [type(m) for m in lazy]
    module.load_state_dict(state0)  # PyTorch's initial weights, as NumPy arrays
    assert not any(m.has_uninitialized_params() for m in lazy), "the load materializes"

    for step in range(case.train_steps):
        inputs = [
            minigrad.tensor(
                GOLDEN[f"{name}/in{step}.{i}"], device=device, requires_grad=kind in GRAD_KINDS
            )
            for i, (_, kind) in enumerate(case.inputs)
        ]
        module.train()
        out = module(*inputs)
        np.testing.assert_allclose(
            out.numpy(), GOLDEN[f"{name}/out{step}"], **TOLERANCE, err_msg=f"output {step}"
        )
    if f"{name}/v" in GOLDEN.files:
        module.zero_grad()
        out.backward(minigrad.tensor(GOLDEN[f"{name}/v"], device=device))
        for i, t in enumerate(inputs):
            if t.requires_grad:
                np.testing.assert_allclose(
                    t.grad.numpy(), GOLDEN[f"{name}/input_grad.{i}"], **TOLERANCE,
                    err_msg=f"gradient of input {i}",
                )  # fmt: skip
        for pname, param in module.named_parameters():
            np.testing.assert_allclose(
                param.grad.numpy(), GOLDEN[f"{name}/param_grad.{pname}"], **TOLERANCE,
                err_msg=f"gradient of {pname}",
            )  # fmt: skip

    regular = {nn.LazyLinear: nn.Linear, nn.LazyConv2d: nn.Conv2d,
               nn.LazyBatchNorm1d: nn.BatchNorm1d, nn.LazyBatchNorm2d: nn.BatchNorm2d}  # fmt: skip
    expected = [regular[cls] for cls in before]
    assert [type(m) for m in lazy] == expected, "the first call makes them regular layers"

    state1 = _entries(name, "state1")
    for key, value in module.state_dict().items():
        np.testing.assert_allclose(value.numpy(), state1[key], **TOLERANCE, err_msg=key)
        assert value.dtype == state1[key].dtype, key

    if case.evaluate:
        module.eval()
        with minigrad.no_grad():
            out = module(*inputs)
        np.testing.assert_allclose(out.numpy(), GOLDEN[f"{name}/eval_out"], **TOLERANCE)


@pytest.mark.parametrize("name", sorted(CLIP_CASES))
def test_gradient_clipping_matches_pytorch(name, device):
    case = CLIP_CASES[name]
    params = []
    for i, (shape, kind) in enumerate(case.grads):
        dtype = minigrad.float64 if kind == "d" else minigrad.float32
        p = nn.Parameter(minigrad.zeros(shape, dtype=dtype, device=device))
        if kind != "n":
            p.grad = minigrad.tensor(GOLDEN[f"{name}/grad_in.{i}"], device=device)
        params.append(p)
    result = case.fn(nn, params)
    if f"{name}/result" in GOLDEN.files:
        expected = GOLDEN[f"{name}/result"]
        assert result.dtype == expected.dtype and result.shape == expected.shape
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    else:
        assert result is None
    for i, p in enumerate(params):
        key = f"{name}/grad_out.{i}"
        if key not in GOLDEN.files:
            assert p.grad is None
            continue
        assert p.grad.dtype == GOLDEN[key].dtype
        np.testing.assert_allclose(p.grad.numpy(), GOLDEN[key], rtol=1e-6, atol=1e-7)
