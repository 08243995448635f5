"""The continuous uniform distribution on ``[low, high)``."""

from __future__ import annotations

from ..creation import rand
from .distribution import Distribution, as_parameters


class Uniform(Distribution):
    """Uniform on ``[low, high)`` (``low < high``), elementwise; ``rsample`` is
    ``low + u (high - low)``, ``u`` uniform on [0, 1). ``log_prob`` is ``-log(high - low)``
    inside and -inf outside (when not validating; validation refuses such values).

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Uniform
        >>> Uniform(0.0, 4.0).log_prob(minigrad.tensor(1.0)).exp().item()
        0.25
    """

    has_rsample = True
    arg_names = ("low", "high")

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = as_parameters(low, high)
        super().__init__(self.low.shape, (), validate_args)
        self._check("parameter low", self.low, self.low < self.high, "LessThan(high)")

    @property
    def support(self):
        """The interval ``[low, high)``."""
        return f"Interval(lower_bound={self.low}, upper_bound={self.high})"

    def _in_support(self, value):
        return (value >= self.low) & (value < self.high)

    def rsample(self, sample_shape=()):
        """``low + u (high - low)``."""
        shape = self._extended_shape(sample_shape)
        u = rand(*shape, dtype=self.low.dtype, device=self.low.device)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        """``-log(high - low)`` inside ``[low, high)``, -inf outside."""
        value = self._check_value(value)
        inside = ((value >= self.low) & (value < self.high)).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value):
        """``(x - low) / (high - low)``, clamped to [0, 1]."""
        value = self._check_value(value)
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value):
        """``low + p (high - low)``."""
        return self.low + value * (self.high - self.low)

    def entropy(self):
        """``log(high - low)``."""
        return (self.high - self.low).log()

    @property
    def mean(self):
        """``(low + high) / 2``."""
        return (self.high + self.low) / 2

    @property
    def variance(self):
        """``(high - low)^2 / 12``."""
        return (self.high - self.low) ** 2 / 12
