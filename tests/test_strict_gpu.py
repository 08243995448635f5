"""The strict stand-in for CuPy (``strict_gpu.py``, ``pytest --device strict``) keeps
CuPy's rules: these tests check the rules themselves, on the CPU, in every run."""

from __future__ import annotations

import numpy as np
import pytest
from strict_gpu import cupy, host_syncs


def test_an_array_is_not_a_numpy_array():
    a = cupy.asarray(np.arange(3.0))
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array"):
        np.asarray(a)
    assert isinstance(a.get(), np.ndarray) and cupy.asnumpy(a).tolist() == [0.0, 1.0, 2.0]


def test_numpy_arrays_are_refused_as_operands_and_scalars_are_not():
    a = cupy.ones(3)
    for mix in (lambda: a + np.ones(3), lambda: np.ones(3) * a, lambda: cupy.add(a, np.ones(3))):
        with pytest.raises(TypeError, match="must be moved to the device"):
            mix()
    assert isinstance(a + 2.0, cupy.ndarray) and isinstance(a * np.float32(2), cupy.ndarray)


def test_reductions_give_0d_arrays_and_reading_them_counts_a_sync():
    total = cupy.arange(4.0).sum()
    assert isinstance(total, cupy.ndarray) and total.shape == ()
    before = host_syncs["count"]
    assert float(total) == 6.0 and total.item() == 6.0
    assert host_syncs["count"] == before + 2


def test_copies_to_the_device_do_not_share_host_memory_and_asarray_keeps_device_arrays():
    host = np.zeros(2)
    a = cupy.asarray(host)
    host[0] = 5.0
    assert a.tolist() == [0.0, 0.0]
    assert cupy.asarray(a) is a and cupy.ascontiguousarray(a) is a


def test_in_place_updates_views_and_ufunc_methods_write_through():
    a = cupy.zeros(4)
    view = a[1:3]
    view += 1.0
    cupy.add.at(a, cupy.asarray(np.array([0, 0])), 2.0)
    assert a.tolist() == [4.0, 1.0, 1.0, 0.0]
    assert cupy is not np and cupy.float32 is np.float32


def test_nothing_warns():
    assert np.isinf((cupy.ones(1) / 0.0).get()).all()  # filterwarnings = error
