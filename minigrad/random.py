"""The random number generator behind ``rand``, ``randn``, ``randint``, dropout and init.

Random values are always drawn on the host, from one NumPy ``Generator``, and then moved
to the tensor's device. So a seed gives the same numbers on the CPU and on a GPU, and a
training run is reproducible from ``manual_seed`` alone.

Like PyTorch, the generator starts from a fixed seed, so a program that never seeds is
still deterministic from run to run.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SEED = 67280421310721  # PyTorch's default seed for its CPU generator

_generator = np.random.default_rng(DEFAULT_SEED)
_seed = DEFAULT_SEED


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the generator, making the following random draws reproducible.

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0); a = minigrad.rand(2)
        >>> _ = minigrad.manual_seed(0); b = minigrad.rand(2)
        >>> bool((a == b).all())
        True
    """
    global _generator, _seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    _seed = int(seed)
    # PyTorch takes any int64 seed; NumPy wants a non-negative one: -1 becomes 2**64 - 1.
    _generator = np.random.default_rng(_seed % 2**64)
    return _generator


def initial_seed() -> int:
    """The seed the generator was last seeded with.

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(1234)
        >>> minigrad.initial_seed()
        1234
    """
    return _seed


def generator() -> np.random.Generator:
    """The NumPy generator that all of minigrad's random draws come from."""
    return _generator


def get_rng_state() -> dict:
    """A snapshot of the generator's state (a plain dict), for checkpoints.

    Example:
        >>> import minigrad
        >>> state = minigrad.get_rng_state()
        >>> a = minigrad.randn(3)
        >>> minigrad.set_rng_state(state)  # rewind
        >>> bool((minigrad.randn(3) == a).all())
        True
    """
    return _generator.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a state returned by :func:`get_rng_state`.

    Example:
        >>> import minigrad
        >>> state = minigrad.get_rng_state()
        >>> first = minigrad.rand(2).tolist()
        >>> minigrad.set_rng_state(state)
        >>> minigrad.rand(2).tolist() == first
        True
    """
    _generator.bit_generator.state = state


class Generator:
    """A generator of its own, as ``torch.Generator``: ``Generator().manual_seed(42)``
    gives the ``generator=`` argument of :func:`~minigrad.data.random_split`, the
    :class:`~minigrad.data.DataLoader` and the samplers a stream of random numbers that
    does not disturb (and is not disturbed by) the global one.

    It wraps a ``numpy.random.Generator`` (its ``numpy`` attribute); those places accept
    a NumPy generator directly too. ``device`` is accepted for PyTorch's signature:
    minigrad draws every random number on the host (see the module docstring).

    Example:
        >>> import minigrad
        >>> from minigrad.data import TensorDataset, random_split
        >>> data = TensorDataset(minigrad.arange(10))
        >>> a, _ = random_split(data, [0.5, 0.5], generator=minigrad.Generator().manual_seed(42))
        >>> b, _ = random_split(data, [0.5, 0.5], generator=minigrad.Generator().manual_seed(42))
        >>> a.indices == b.indices
        True
    """

    def __init__(self, device="cpu") -> None:
        self.device = device
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed this generator (returns it, so ``Generator().manual_seed(0)`` chains)."""
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise TypeError(f"Generator.manual_seed expects an int, got {type(seed).__name__}")
        self._seed = int(seed)
        self.numpy = np.random.default_rng(self._seed % 2**64)
        return self

    def seed(self) -> int:
        """Reseed from a fresh, non-deterministic seed, and return it."""
        self.manual_seed(int(np.random.SeedSequence().entropy % 2**63))
        return self._seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> dict:
        """A snapshot of this generator's state, for :meth:`set_state`."""
        return self.numpy.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        """Restore a state returned by :meth:`get_state`."""
        self.numpy.bit_generator.state = state
        return self


def numpy_generator(generator, what: str) -> np.random.Generator:
    """The NumPy generator to draw from for a ``generator=`` argument: minigrad's global
    one for None, the one a :class:`Generator` wraps, or a ``numpy.random.Generator``."""
    if generator is None:
        return _generator
    if isinstance(generator, Generator):
        return generator.numpy
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"{what}: generator must be None (minigrad's global generator), a "
        f"minigrad.Generator or a numpy.random.Generator, got {type(generator).__name__}"
    )
