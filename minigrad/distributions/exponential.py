"""The exponential and Laplace distributions."""

from __future__ import annotations

from ..creation import rand
from .distribution import Distribution, LocScale, as_parameters


class Exponential(Distribution):
    """Waiting times at ``rate`` (> 0): density ``rate exp(-rate x)`` on x >= 0;
    ``rsample`` is ``-log(1 - u) / rate``.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Exponential
        >>> Exponential(2.0).mean.item()
        0.5
    """

    has_rsample = True
    arg_names = ("rate",)
    support = "GreaterThanEq(lower_bound=0.0)"

    def __init__(self, rate, validate_args=None):
        (self.rate,) = as_parameters(rate)
        super().__init__(self.rate.shape, (), validate_args)
        self._check("parameter rate", self.rate, self.rate > 0, "GreaterThan(lower_bound=0.0)")

    def _in_support(self, value):
        return value >= 0

    def rsample(self, sample_shape=()):
        """``-log(1 - u) / rate``, u uniform on [0, 1)."""
        u = rand(*self._extended_shape(sample_shape), dtype=self.rate.dtype,
                 device=self.rate.device)  # fmt: skip
        return -(-u).log1p() / self.rate

    def log_prob(self, value):
        """``log(rate) - rate x``."""
        value = self._check_value(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        """``1 - exp(-rate x)``."""
        value = self._check_value(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        """``-log(1 - p) / rate``."""
        return -(-value).log1p() / self.rate

    def entropy(self):
        """``1 - log(rate)``."""
        return 1.0 - self.rate.log()

    @property
    def mean(self):
        """``1 / rate``."""
        return self.rate.reciprocal()

    @property
    def mode(self):
        """0."""
        return self.rate.new_zeros(self.batch_shape)

    @property
    def variance(self):
        """``1 / rate^2``."""
        return self.rate**-2


class Laplace(LocScale):
    """The double exponential: density ``exp(-|x - loc| / scale) / (2 scale)``;
    ``rsample`` is ``loc - scale sign(u) log(1 - |u|)``, u uniform on (-1, 1).

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Laplace
        >>> Laplace(0.0, 1.0).cdf(minigrad.tensor(0.0)).item()
        0.5
    """

    def rsample(self, sample_shape=()):
        """``loc - scale sign(u) log(1 - |u|)``."""
        u = self._uniform(sample_shape) * 2 - 1
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        """``-log(2 scale) - |x - loc| / scale``."""
        value = self._check_value(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        """``1/2 - 1/2 sign(x - loc) expm1(-|x - loc| / scale)``."""
        value = self._check_value(value)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * (-z.abs() / self.scale).expm1()

    def icdf(self, value):
        """``loc - scale sign(p - 1/2) log(1 - 2 |p - 1/2|)``."""
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self):
        """``1 + log(2 scale)``."""
        return 1 + (2 * self.scale).log()

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
        """``2 scale^2``."""
        return 2 * self.scale**2
