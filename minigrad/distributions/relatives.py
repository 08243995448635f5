"""The normal distribution's relatives: the half-normal ``|X|`` and the log-normal
``exp(X)`` for normal X, and the Cauchy distribution (the ratio of two normals)."""

from __future__ import annotations

import math

from ..functions import where
from .distribution import Distribution, LocScale, as_parameters
from .normal import Normal


class HalfNormal(Distribution):
    """``|X|`` for X ~ N(0, ``scale``^2): density ``2 N(x; 0, scale)`` on x >= 0.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import HalfNormal
        >>> round(HalfNormal(1.0).mean.item(), 4)  # sqrt(2 / pi)
        0.7979
    """

    has_rsample = True
    arg_names = ("scale",)
    support = "GreaterThanEq(lower_bound=0.0)"

    def __init__(self, scale, validate_args=None):
        (self.scale,) = as_parameters(scale)
        self._normal = Normal(self.scale.new_zeros(()), self.scale, validate_args)
        super().__init__(self.scale.shape, (), validate_args)

    def _in_support(self, value):
        return value >= 0

    def rsample(self, sample_shape=()):
        """``|scale eps|``."""
        return self._normal.rsample(sample_shape).abs()

    def log_prob(self, value):
        """``log 2 + log N(x; 0, scale)``, -inf below 0."""
        value = self._check_value(value)
        inside = self._normal.log_prob(value) + math.log(2.0)
        return where(value >= 0, inside, -math.inf)

    def cdf(self, value):
        """``2 Phi(x / scale) - 1``."""
        value = self._check_value(value)
        return 2 * self._normal.cdf(value) - 1

    def icdf(self, value):
        """``scale Phi^-1((p + 1) / 2)``."""
        return self._normal.icdf((value + 1) / 2)

    def entropy(self):
        """The normal's entropy less ``log 2``."""
        return self._normal.entropy() - math.log(2.0)

    @property
    def mean(self):
        """``scale sqrt(2 / pi)``."""
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self):
        """0."""
        return self.scale.new_zeros(self.batch_shape)

    @property
    def variance(self):
        """``scale^2 (1 - 2 / pi)``."""
        return self.scale**2 * (1 - 2 / math.pi)


class LogNormal(Distribution):
    """``exp(X)`` for X ~ N(``loc``, ``scale``^2), on x > 0.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import LogNormal
        >>> LogNormal(0.0, 1.0).cdf(minigrad.tensor(1.0)).item()
        0.5
    """

    has_rsample = True
    arg_names = ("loc", "scale")
    support = "GreaterThan(lower_bound=0.0)"

    def __init__(self, loc, scale, validate_args=None):
        self._normal = Normal(loc, scale, validate_args)
        self.loc, self.scale = self._normal.loc, self._normal.scale
        super().__init__(self.loc.shape, (), validate_args)

    def _in_support(self, value):
        return value > 0

    def rsample(self, sample_shape=()):
        """``exp(loc + scale eps)``."""
        return self._normal.rsample(sample_shape).exp()

    def log_prob(self, value):
        """``log N(log x; loc, scale) - log x``."""
        value = self._check_value(value)
        log_x = value.log()
        return self._normal.log_prob(log_x) - log_x

    def cdf(self, value):
        """``Phi((log x - loc) / scale)``."""
        value = self._check_value(value)
        return self._normal.cdf(value.log())

    def icdf(self, value):
        """``exp(loc + scale Phi^-1(p))``."""
        return self._normal.icdf(value).exp()

    def entropy(self):
        """The normal's entropy plus ``loc``."""
        return self._normal.entropy() + self.loc

    @property
    def mean(self):
        """``exp(loc + scale^2 / 2)``."""
        return (self.loc + self.scale**2 / 2).exp()

    @property
    def mode(self):
        """``exp(loc - scale^2)``."""
        return (self.loc - self.scale**2).exp()

    @property
    def variance(self):
        """``(exp(scale^2) - 1) exp(2 loc + scale^2)``."""
        s2 = self.scale**2
        return s2.expm1() * (2 * self.loc + s2).exp()


class Cauchy(LocScale):
    """Density ``1 / (pi scale (1 + ((x - loc) / scale)^2))``: heavy tails, no mean;
    ``rsample`` is ``loc + scale tan(pi (u - 1/2))``.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Cauchy
        >>> Cauchy(0.0, 1.0).cdf(minigrad.tensor(1.0)).item()
        0.75
    """

    def rsample(self, sample_shape=()):
        """``loc + scale tan(pi (u - 1/2))``."""
        u = self._uniform(sample_shape)
        return self.loc + self.scale * (math.pi * (u - 0.5)).tan()

    def log_prob(self, value):
        """``-log(pi) - log(scale) - log1p(((x - loc) / scale)^2)``."""
        value = self._check_value(value)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - (z**2).log1p()

    def cdf(self, value):
        """``atan((x - loc) / scale) / pi + 1/2``."""
        value = self._check_value(value)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value):
        """``loc + scale tan(pi (p - 1/2))``."""
        return self.loc + self.scale * (math.pi * (value - 0.5)).tan()

    def entropy(self):
        """``log(4 pi scale)``."""
        return math.log(4 * math.pi) + self.scale.log()

    @property
    def mean(self):
        """NaN: the Cauchy distribution has no mean."""
        return self.loc.new_full(self.batch_shape, math.nan)

    @property
    def mode(self):
        """``loc``."""
        return self.loc

    @property
    def variance(self):
        """inf, as PyTorch's."""
        return self.loc.new_full(self.batch_shape, math.inf)
