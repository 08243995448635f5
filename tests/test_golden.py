"""Every op against PyTorch 2.13: forward values and gradients from the golden file.

The file was written by ``tests/golden/make_golden.py``; see ``tests/golden/cases.py`` for
the cases. Inputs are float32 (a few float64), so the tolerance is float32's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import minigrad
from golden.cases import CASES

GOLDEN = np.load(Path(__file__).parent / "golden" / "core.npz", allow_pickle=False)
GRAD_KINDS = ("f", "p", "d")


def test_golden_file_covers_every_case():
    assert str(GOLDEN["__torch_version__"]).startswith("2.13")
    stored = {key.split(".")[0] for key in GOLDEN.files if not key.startswith("__")}
    assert stored == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, device):
    case = CASES[name]
    inputs = []
    for i, (_, kind) in enumerate(case.inputs):
        inputs.append(
            minigrad.tensor(
                GOLDEN[f"{name}.in{i}"], device=device, requires_grad=kind in GRAD_KINDS
            )
        )
    if case.warns:  # as PyTorch warns
        with pytest.warns(UserWarning, match=case.warns):
            out = case.fn(minigrad, *inputs)
    else:
        out = case.fn(minigrad, *inputs)

    expected = GOLDEN[f"{name}.out"]
    assert out.shape == expected.shape
    assert out.dtype == expected.dtype
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)

    if f"{name}.v" in GOLDEN:
        out.backward(minigrad.tensor(GOLDEN[f"{name}.v"], device=device))
        for i, t in enumerate(inputs):
            if t.requires_grad:
                want = GOLDEN[f"{name}.grad{i}"]
                assert t.grad is not None, f"input {i} got no gradient"
                assert t.grad.dtype == want.dtype
                np.testing.assert_allclose(
                    t.grad.numpy(), want, rtol=1e-5, atol=1e-6, err_msg=f"gradient of input {i}"
                )
