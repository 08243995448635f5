"""Shared test setup: the device the suite runs on, and helpers to make test tensors.

The suite runs on the CPU by default. ``pytest --device cuda`` runs the same tests on a
GPU; without CuPy or a GPU they are skipped with the reason shown in pytest's summary.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import fastpath

# The golden-file generators, and the runner of the ported programs on PyTorch, need
# PyTorch; they are scripts, not tests.
collect_ignore_glob = ["golden/make_golden*.py", "ports/with_pytorch.py"]


def pytest_addoption(parser):
    parser.addoption(
        "--device",
        default="cpu",
        choices=("cpu", "cuda", "strict"),
        help="run the suite on this device (cuda needs CuPy and an NVIDIA GPU; strict runs "
        "it on 'cuda' with tests/strict_gpu.py, a stand-in for CuPy with its rules)",
    )


def pytest_configure(config):
    if config.getoption("--device") == "strict":
        import os
        import sys

        sys.path.insert(0, os.path.dirname(__file__))
        import strict_gpu

        from minigrad import backend

        backend.use_gpu_library(strict_gpu.cupy)
        # The fused CUDA kernels need the real CuPy: the stand-in runs the reference code.
        config._strict_reference = fastpath.reference_mode()
        config._strict_reference.__enter__()


def pytest_terminal_summary(terminalreporter, config):
    if config.getoption("--device") == "strict":
        import strict_gpu

        terminalreporter.write_line(
            f"strict stand-in GPU: {strict_gpu.host_syncs['count']} host synchronisations "
            "(float/int/bool/item/tolist/get) over the run"
        )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--device") == "cuda" and not minigrad.cuda.is_available():
        reason = (
            "--device cuda: CuPy is not installed"
            if not _cupy_installed()
            else "--device cuda: CuPy sees no CUDA GPU"
        )
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            item.add_marker(skip)


def _cupy_installed() -> bool:
    try:
        import cupy  # noqa: F401
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def device(request) -> str:
    """The device under test: "cpu", or "cuda" with --device cuda or --device strict."""
    chosen = request.config.getoption("--device")
    return "cuda" if chosen == "strict" else chosen


@pytest.fixture
def fast_paths(request):
    """The fast paths on, also under ``MINIGRAD_REFERENCE=1``: for the tests of a fast
    path's own workings (its chunks, its second backward), which compare it with the
    reference in either mode."""
    if request.config.getoption("--device") == "strict":
        pytest.skip("--device strict: the fused CUDA kernels need CuPy itself")
    with fastpath.reference_mode(False):
        yield


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same random state."""
    minigrad.manual_seed(0)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def make(device, rng):
    """make(shape, dtype=float64, requires_grad=True, low=None): a random test tensor."""

    def _make(shape, dtype=np.float64, requires_grad=True, low=None, high=None):
        if low is not None:
            values = rng.uniform(low, high if high is not None else low + 1.5, size=shape)
        else:
            values = rng.standard_normal(shape)
        return minigrad.tensor(values.astype(dtype), device=device, requires_grad=requires_grad)

    return _make
