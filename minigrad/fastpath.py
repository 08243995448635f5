"""Fast paths: which implementation of an op runs on a device.

Every op has a *reference* implementation, the textbook one, written once for every device
with the array module ``xp`` (a primitive in ``ops/``, an optimizer's ``step``). Some ops
also have a *fast path* for one kind of device: the CPU convolution's wide rows and
workspace, BatchNorm's pass-counting CPU code, the GPU's fused CUDA kernels, the
optimizer's buffer reuse. A fast path lives in ``minigrad/fast/`` and is registered here
for the op it stands in for and a device type; the reference code never mentions it.

``Function.apply`` (and an optimizer's step) looks in :data:`active` (or asks
:func:`lookup`) which implementation to run: the registered fast path, or the reference.
Both must give the same results (to float rounding); ``tests/test_fast_paths.py`` checks
each fast path against its reference.

**Reference mode.** With the environment variable ``MINIGRAD_REFERENCE=1`` set before
minigrad is imported, or inside ``with reference_mode():``, no fast path runs: every op
takes its textbook code, on every device, so a learner can step through it. CI runs the
whole test suite both ways.

Example:
    >>> import minigrad
    >>> from minigrad import fastpath
    >>> from minigrad.nn.rnn import run_sequence
    >>> with fastpath.reference_mode(False):
    ...     fastpath.lookup(run_sequence, "cpu").__name__
    'run_sequence_on_cpu'
    >>> with fastpath.reference_mode():
    ...     fastpath.lookup(run_sequence, "cpu") is None
    True
"""

from __future__ import annotations

import contextlib
import os

_registry: dict[tuple[object, str], object] = {}
_enabled = os.environ.get("MINIGRAD_REFERENCE", "").strip().lower() in ("", "0", "false", "no")
# What the callers look in, (op, device type) -> fast path: the registry itself, or an
# empty dict in reference mode. ``Function.apply`` reads it directly, once per op.
active: dict[tuple[object, str], object] = _registry if _enabled else {}


def register(op, device_type: str):
    """A decorator that registers a fast path for ``op`` (a Function subclass, or another
    key) on devices of ``device_type`` ("cpu" or "cuda").

    A fast path for a Function is a subclass of it with its own ``forward`` and
    ``backward``; it keeps the op's name in the graph.
    """
    if device_type not in ("cpu", "cuda"):
        raise ValueError(f"a fast path is for device type 'cpu' or 'cuda', got {device_type!r}")

    def decorate(impl):
        key = (op, device_type)
        if key in _registry:
            raise ValueError(f"a fast path for {op!r} on {device_type} is already registered")
        if isinstance(impl, type):
            impl.reference = op  # the op it stands in for: its name, in graphs and errors
        _registry[key] = impl
        return impl

    return decorate


def lookup(op, device_type: str):
    """The fast path registered for ``op`` on ``device_type``, or ``None`` (run the
    reference) when there is none or reference mode is on."""
    return active.get((op, device_type))


def enabled() -> bool:
    """False in reference mode (``MINIGRAD_REFERENCE=1`` or :func:`reference_mode`)."""
    return _enabled


def registered() -> list[tuple[object, str]]:
    """Every (op, device type) that has a fast path (for tests and the docs)."""
    return list(_registry)


@contextlib.contextmanager
def reference_mode(on: bool = True):
    """A context in which every op runs its reference code (with ``on=False``: its fast
    path, where one is registered)."""
    global _enabled, active
    before = _enabled
    _enabled, active = not on, ({} if on else _registry)
    try:
        yield
    finally:
        _enabled, active = before, (_registry if before else {})
