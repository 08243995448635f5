"""LayerNorm, GroupNorm and InstanceNorm against PyTorch 2.13, through ``golden/norm.npz``.

The cases are ``NORM_CASES`` in ``golden/make_golden_norm.py``. Each starts from PyTorch's
state_dict (its parameters moved off the ones and zeros), runs the training steps and an
evaluation pass, and compares outputs, the input and parameter gradients, and the final
state_dict (InstanceNorm's running statistics) at float32 tolerance.
"""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest

import minigrad
from golden.make_golden_norm import NORM_CASES
from minigrad import nn
from minigrad.nn import normalization

GOLDEN = np.load(Path(__file__).parent / "golden" / "norm.npz", allow_pickle=False)
TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}
# minigrad.nn with the new layers under their PyTorch names, for the cases' ``build(nn)``
# (the same objects once minigrad.nn exports them itself).
_NEW = ("LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d")
NN = types.SimpleNamespace(
    **{name: getattr(nn, name) for name in dir(nn) if not name.startswith("_")}
    | {name: getattr(normalization, name) for name in _NEW}
)


def _entries(name: str, section: str) -> dict[str, np.ndarray]:
    prefix = f"{name}/{section}."
    return {k[len(prefix) :]: GOLDEN[k] for k in GOLDEN.files if k.startswith(prefix)}


def test_golden_file_covers_every_case():
    assert str(GOLDEN["__torch_version__"]).startswith("2.13")
    stored = {key.split("/")[0] for key in GOLDEN.files if not key.startswith("__")}
    assert stored == set(NORM_CASES)


@pytest.mark.parametrize("name", sorted(NORM_CASES))
def test_normalization_matches_pytorch(name, device):
    case = NORM_CASES[name]
    module = case.build(NN).to(device)
    state0 = _entries(name, "state0")
    assert list(module.state_dict()) == list(state0), "state_dict keys differ from PyTorch's"
    module.load_state_dict(state0)

    for step in range(case.train_steps):
        x = minigrad.tensor(GOLDEN[f"{name}/in{step}"], device=device, requires_grad=True)
        module.train()
        out = module(x)
        assert out.dtype == minigrad.float32
        np.testing.assert_allclose(
            out.numpy(), GOLDEN[f"{name}/out{step}"], **TOLERANCE, err_msg=f"output {step}"
        )
    module.zero_grad()
    out.backward(minigrad.tensor(GOLDEN[f"{name}/v"], device=device))
    np.testing.assert_allclose(x.grad.numpy(), GOLDEN[f"{name}/input_grad"], **TOLERANCE)
    grads = _entries(name, "param_grad")
    assert sorted(grads) == sorted(n for n, _ in module.named_parameters())
    for pname, param in module.named_parameters():
        np.testing.assert_allclose(
            param.grad.numpy(), grads[pname], **TOLERANCE, err_msg=f"gradient of {pname}"
        )

    state1 = _entries(name, "state1")
    for key, value in module.state_dict().items():
        np.testing.assert_allclose(value.numpy(), state1[key], **TOLERANCE, err_msg=key)
        assert value.dtype == state1[key].dtype, key

    module.eval()
    with minigrad.no_grad():
        out = module(x)
    np.testing.assert_allclose(out.numpy(), GOLDEN[f"{name}/eval_out"], **TOLERANCE)


def test_the_golden_comparison_can_fail(device):
    """A layer that takes its statistics over the wrong set (the whole batch) is caught."""
    name = "groupnorm"
    module = NORM_CASES[name].build(NN).to(device)
    module.load_state_dict(_entries(name, "state0"))
    module.num_groups = 1  # statistics over all channels, not per group
    out = module(minigrad.tensor(GOLDEN[f"{name}/in0"], device=device))
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(out.numpy(), GOLDEN[f"{name}/out0"], **TOLERANCE)
