"""``minigrad.set_num_threads`` / ``get_num_threads``: the BLAS pool and numba's loops."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad
from minigrad import fastpath
from minigrad.fast import compiled


@pytest.fixture
def restore_threads():
    before = minigrad.get_num_threads()
    yield
    minigrad.set_num_threads(before)
    if compiled.AVAILABLE:
        compiled._use_threads(compiled.numba.config.NUMBA_NUM_THREADS)


def test_the_count_is_set_and_read_back(restore_threads):
    minigrad.set_num_threads(1)
    assert minigrad.get_num_threads() == 1
    a = np.random.default_rng(0).standard_normal((300, 300)).astype(np.float32)
    one = (minigrad.tensor(a) @ minigrad.tensor(a)).numpy()
    minigrad.set_num_threads(2)
    assert minigrad.get_num_threads() == 2
    np.testing.assert_allclose((minigrad.tensor(a) @ minigrad.tensor(a)).numpy(), one, rtol=1e-5)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2", None])
def test_only_a_positive_integer_is_a_count(bad):
    with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer"):
        minigrad.set_num_threads(bad)


@pytest.mark.skipif(not compiled.AVAILABLE, reason="numba is not installed (the fast extra)")
def test_compiled_loops_take_the_count(restore_threads):
    x = minigrad.randn(1 << 20)
    with fastpath.reference_mode(False):  # (also under MINIGRAD_REFERENCE=1)
        minigrad.relu(x)  # a parallel loop: the threading layer has started
    minigrad.set_num_threads(1)
    assert compiled.numba.get_num_threads() == 1
    np.testing.assert_array_equal(minigrad.relu(x).numpy(), np.maximum(x.numpy(), 0))


@pytest.mark.skipif(not compiled.AVAILABLE, reason="numba is not installed (the fast extra)")
def test_a_count_set_before_the_first_parallel_loop_waits_for_it():
    """numba's own call would start its threads at once, on a threading layer minigrad has
    not chosen yet; the count is applied when the first loop has chosen it."""
    script = (
        "import minigrad; from minigrad.fast import compiled; import numba.np.ufunc.parallel as p\n"
        "minigrad.set_num_threads(1)\n"
        "assert not p._is_initialized, 'threads started early'\n"
        "minigrad.relu(minigrad.randn(1 << 20))\n"
        "print(compiled.numba.get_num_threads(), compiled.numba.threading_layer())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MINIGRAD_REFERENCE"}  # fast paths on
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    count, layer = out.stdout.split()
    assert count == "1" and layer in ("omp", "workqueue")
