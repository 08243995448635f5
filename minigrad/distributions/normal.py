"""The normal distribution ``N(loc, scale^2)``."""

from __future__ import annotations

import math

from ..creation import randn
from .distribution import _LOG_SQRT_2PI, LocScale


class Normal(LocScale):
    """The normal (Gaussian) distribution with mean ``loc`` and standard deviation
    ``scale`` (> 0), elementwise over their broadcast shape. ``rsample`` is
    ``loc + scale * eps`` with ``eps`` standard normal, so gradients reach both.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Normal
        >>> d = Normal(0.0, 1.0)
        >>> round(d.log_prob(minigrad.tensor(0.0)).item(), 4)
        -0.9189
    """

    def rsample(self, sample_shape=()):
        """``loc + scale * eps``, ``eps`` a standard normal draw."""
        shape = self._extended_shape(sample_shape)
        eps = randn(*shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        """``-(x - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi))``."""
        value = self._check_value(value)
        return -((value - self.loc) ** 2) / (2 * self.scale**2) - self.scale.log() - _LOG_SQRT_2PI

    def cdf(self, value):
        """``(1 + erf((x - loc) / (scale sqrt 2))) / 2``."""
        value = self._check_value(value)
        return 0.5 * (1 + ((value - self.loc) / (self.scale * math.sqrt(2))).erf())

    def icdf(self, value):
        """The quantile ``loc + scale sqrt(2) erfinv(2p - 1)``."""
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self):
        """``1/2 + log(sqrt(2 pi)) + log(scale)``."""
        return 0.5 + _LOG_SQRT_2PI + self.scale.log()

    @property
    def mean(self):
        """``loc``."""
        return self.loc

    @property
    def mode(self):
        """``loc``."""
        return self.loc

    @property
    def variance(self):
        """``scale^2``."""
        return self.scale**2

    @property
    def stddev(self):
        """``scale``."""
        return self.scale
