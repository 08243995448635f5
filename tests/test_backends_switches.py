"""``minigrad.backends.cuda``: PyTorch's TF32 switches, recorded with PyTorch's rules."""

from __future__ import annotations

import pytest

import minigrad
from minigrad.backends import cuda as backends_cuda


@pytest.fixture(autouse=True)
def restore_precision():
    before = minigrad.get_float32_matmul_precision()
    yield
    minigrad.set_float32_matmul_precision(before)


def test_allow_tf32_and_the_precision_are_one_setting():
    matmul = minigrad.backends.cuda.matmul
    assert minigrad.get_float32_matmul_precision() == "highest" and matmul.allow_tf32 is False
    matmul.allow_tf32 = True  # what training scripts for recent GPUs write
    assert minigrad.get_float32_matmul_precision() == "high"
    minigrad.set_float32_matmul_precision("medium")
    assert matmul.allow_tf32 is True
    minigrad.set_float32_matmul_precision("highest")
    assert matmul.allow_tf32 is False
    assert matmul.allow_fp16_reduced_precision_reduction is True


def test_an_unknown_precision_warns_and_changes_nothing():
    with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
        minigrad.set_float32_matmul_precision("low")
    assert minigrad.get_float32_matmul_precision() == "highest"


def test_unknown_flags_are_refused_and_products_are_unchanged():
    with pytest.raises(AttributeError, match="Unknown attribute allow_fp8"):
        minigrad.backends.cuda.matmul.allow_fp8 = True
    a = minigrad.randn(8, 8)
    before = (a @ a).numpy()
    minigrad.backends.cuda.matmul.allow_tf32 = True
    assert ((a @ a).numpy() == before).all()  # recorded only (see the module's docstring)
    assert isinstance(backends_cuda.is_built(), bool)


def test_deterministic_algorithms_are_recorded():
    assert not minigrad.are_deterministic_algorithms_enabled()
    try:
        minigrad.use_deterministic_algorithms(True, warn_only=True)
        assert minigrad.are_deterministic_algorithms_enabled()
        assert minigrad.is_deterministic_algorithms_warn_only_enabled()
        with pytest.raises(TypeError, match="argument 'mode' must be bool"):
            minigrad.use_deterministic_algorithms("yes")
    finally:
        minigrad.use_deterministic_algorithms(False)
    assert not minigrad.is_deterministic_algorithms_warn_only_enabled()


def test_devices_minigrad_does_not_have_answer_no():
    # Recent PyTorch examples try cuda, mps and xpu in turn before the CPU.
    assert not minigrad.xpu.is_available() and minigrad.xpu.device_count() == 0
    assert not minigrad.backends.mps.is_available()
