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
        choices=("cpu", "cuda"),
        help="run the suite on this device (cuda needs CuPy and an NVIDIA GPU)",
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
    """The device under test: "cpu", or "cuda" with --device cuda."""
    return request.config.getoption("--device")


@pytest.fixture
def fast_paths():
    """The fast paths on, also under ``MINIGRAD_REFERENCE=1``: for the tests of a fast
    path's own workings (its chunks, its second backward), which compare it with the
    reference in either mode."""
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
