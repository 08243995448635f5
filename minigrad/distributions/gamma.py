"""The gamma distribution and those built from gamma draws (chi-squared, Student's t,
beta, Dirichlet), and the Poisson distribution of counts. Their draws
come from the host generator (``sampling.standard_gamma``, ``sampling.poisson``) and carry
no gradient: PyTorch's implicit reparameterisation of gamma draws is not built yet."""

from __future__ import annotations

import math

from ..creation import randn
from ..functions import where
from ..functions_pointwise import xlogy
from ..functions_special import digamma, lgamma
from ..sampling import poisson, standard_gamma
from .distribution import Distribution, as_parameters


def _positive(dist, **parameters):
    for name, value in parameters.items():
        dist._check(f"parameter {name}", value, value > 0, "GreaterThan(lower_bound=0.0)")


class Gamma(Distribution):
    """Density ``rate^c x^(c-1) exp(-rate x) / Gamma(c)`` on x > 0, for
    ``concentration`` c > 0 and ``rate`` > 0.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Gamma
        >>> Gamma(3.0, 2.0).mean.item()
        1.5
    """

    arg_names = ("concentration", "rate")
    support = "GreaterThanEq(lower_bound=0.0)"

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = as_parameters(concentration, rate)
        super().__init__(self.rate.shape, (), validate_args)
        _positive(self, concentration=self.concentration, rate=self.rate)

    def _in_support(self, value):
        return value >= 0

    def sample(self, sample_shape=()):
        """Gamma(c, 1) draws divided by ``rate`` (no gradient)."""
        shape = self._extended_shape(sample_shape)
        c = self.concentration.detach().expand(*shape).contiguous()
        return standard_gamma(c) / self.rate.detach()

    def log_prob(self, value):
        """``c log(rate) + (c - 1) log(x) - rate x - lgamma(c)``."""
        value = self._check_value(value)
        c = self.concentration
        return xlogy(c, self.rate) + xlogy(c - 1, value) - self.rate * value - lgamma(c)

    def entropy(self):
        """``c - log(rate) + lgamma(c) + (1 - c) digamma(c)``."""
        c = self.concentration
        return c - self.rate.log() + lgamma(c) + (1.0 - c) * digamma(c)

    @property
    def mean(self):
        """``c / rate``."""
        return self.concentration / self.rate

    @property
    def mode(self):
        """``(c - 1) / rate``, 0 when c < 1."""
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        """``c / rate^2``."""
        return self.concentration / self.rate**2


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom: Gamma(df / 2, 1/2).

    Example:
        >>> from minigrad.distributions import Chi2
        >>> Chi2(4.0).mean.item()
        4.0
    """

    arg_names = ("df",)

    def __init__(self, df, validate_args=None):
        (df,) = as_parameters(df)
        super().__init__(0.5 * df, df.new_full(tuple(df.shape), 0.5), validate_args)

    @property
    def df(self):
        """The degrees of freedom, ``2 concentration``."""
        return self.concentration * 2


class StudentT(Distribution):
    """Student's t with ``df`` degrees of freedom (> 0), shifted by ``loc`` and scaled by
    ``scale``: a draw is ``loc + scale X / sqrt(V / df)``, X standard normal and V
    chi-squared with ``df``. Heavy tails: the mean exists for df > 1, the variance for
    df > 2.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import StudentT
        >>> round(StudentT(1.0).log_prob(minigrad.tensor(0.0)).exp().item(), 4)  # 1 / pi
        0.3183
    """

    arg_names = ("df", "loc", "scale")
    support = "Real()"

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = as_parameters(df, loc, scale)
        super().__init__(self.df.shape, (), validate_args)
        _positive(self, df=self.df, scale=self.scale)

    def _in_support(self, value):
        return ~value.isnan()

    def sample(self, sample_shape=()):
        """``loc + scale X / sqrt(V / df)`` (no gradient)."""
        shape = self._extended_shape(sample_shape)
        df = self.df.detach()
        x = randn(*shape, dtype=df.dtype, device=df.device)
        v = 2 * standard_gamma((0.5 * df).expand(*shape).contiguous())
        return self.loc.detach() + self.scale.detach() * x * (v / df).rsqrt()

    def log_prob(self, value):
        """``-(df + 1)/2 log(1 + y^2 / df) - log(scale) - log B(1/2, df/2) - log(df)/2``,
        ``y = (x - loc) / scale``."""
        value = self._check_value(value)
        y = (value - self.loc) / self.scale
        half = 0.5 * self.df
        norm = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
                + lgamma(half) - lgamma(half + 0.5))  # fmt: skip
        return -(half + 0.5) * (y**2 / self.df).log1p() - norm

    def entropy(self):
        """``log(scale) + (df + 1)/2 (psi((df + 1)/2) - psi(df/2)) + log(df)/2
        + log B(df/2, 1/2)``."""
        half = 0.5 * self.df
        log_beta = lgamma(half) + math.lgamma(0.5) - lgamma(half + 0.5)
        return (self.scale.log() + (half + 0.5) * (digamma(half + 0.5) - digamma(half))
                + 0.5 * self.df.log() + log_beta)  # fmt: skip

    @property
    def mean(self):
        """``loc`` for df > 1, else NaN."""
        return where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self):
        """``loc``."""
        return self.loc

    @property
    def variance(self):
        """``scale^2 df / (df - 2)`` for df > 2, inf for 1 < df <= 2, NaN below."""
        finite = self.scale**2 * self.df / where(self.df > 2, self.df - 2, 1.0)
        return where(self.df > 2, finite, where(self.df > 1, math.inf, math.nan))


class Beta(Distribution):
    """Density ``x^(a-1) (1-x)^(b-1) / B(a, b)`` on [0, 1], ``a = concentration1``,
    ``b = concentration0`` (both > 0); a draw is ``X / (X + Y)`` with X ~ Gamma(a),
    Y ~ Gamma(b).

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Beta
        >>> Beta(2.0, 6.0).mean.item()
        0.25
    """

    arg_names = ("concentration1", "concentration0")
    support = "Interval(lower_bound=0.0, upper_bound=1.0)"

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = as_parameters(concentration1, concentration0)
        super().__init__(self.concentration1.shape, (), validate_args)
        _positive(self, concentration1=self.concentration1, concentration0=self.concentration0)

    def _in_support(self, value):
        return (value >= 0) & (value <= 1)

    def sample(self, sample_shape=()):
        """``X / (X + Y)`` of two gamma draws (no gradient)."""
        shape = self._extended_shape(sample_shape)
        x = standard_gamma(self.concentration1.detach().expand(*shape).contiguous())
        y = standard_gamma(self.concentration0.detach().expand(*shape).contiguous())
        return x / (x + y)

    def log_prob(self, value):
        """``(a - 1) log x + (b - 1) log(1 - x) - log B(a, b)``."""
        value = self._check_value(value)
        a, b = self.concentration1, self.concentration0
        log_beta = lgamma(a) + lgamma(b) - lgamma(a + b)
        return xlogy(a - 1, value) + xlogy(b - 1, 1 - value) - log_beta

    def entropy(self):
        """``log B(a, b) - (a - 1) psi(a) - (b - 1) psi(b) + (a + b - 2) psi(a + b)``."""
        a, b = self.concentration1, self.concentration0
        log_beta = lgamma(a) + lgamma(b) - lgamma(a + b)
        return log_beta - (a - 1) * digamma(a) - (b - 1) * digamma(b) + (a + b - 2) * digamma(a + b)

    @property
    def mean(self):
        """``a / (a + b)``."""
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def variance(self):
        """``a b / ((a + b)^2 (a + b + 1))``."""
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total**2 * (total + 1))


class Poisson(Distribution):
    """Counts at ``rate`` (>= 0): ``P(k) = rate^k exp(-rate) / k!``.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Poisson
        >>> round(Poisson(2.0).log_prob(minigrad.tensor(0.0)).item(), 4)
        -2.0
    """

    arg_names = ("rate",)
    support = "IntegerGreaterThan(lower_bound=0)"

    def __init__(self, rate, validate_args=None):
        (self.rate,) = as_parameters(rate)
        super().__init__(self.rate.shape, (), validate_args)
        self._check("parameter rate", self.rate, self.rate >= 0,
                    "GreaterThanEq(lower_bound=0.0)")  # fmt: skip

    def _in_support(self, value):
        return (value >= 0) & (value == value.floor())

    def sample(self, sample_shape=()):
        """Counts, in ``rate``'s dtype (no gradient)."""
        return poisson(self.rate.detach().expand(*self._extended_shape(sample_shape)).contiguous())

    def log_prob(self, value):
        """``k log(rate) - rate - lgamma(k + 1)``."""
        value = self._check_value(value)
        return xlogy(value, self.rate) - self.rate - lgamma(value + 1)

    @property
    def mean(self):
        """``rate``."""
        return self.rate

    @property
    def mode(self):
        """``floor(rate)``."""
        return self.rate.floor()

    @property
    def variance(self):
        """``rate``."""
        return self.rate


class Dirichlet(Distribution):
    """A distribution over probability vectors (the simplex) with ``concentration``
    (> 0, the last dim the K categories): density
    ``prod x_i^(c_i - 1) Gamma(sum c) / prod Gamma(c_i)``; a draw is K gamma draws,
    normalised.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Dirichlet
        >>> Dirichlet(minigrad.tensor([1.0, 3.0])).mean.tolist()
        [0.25, 0.75]
    """

    arg_names = ("concentration",)
    support = "Simplex()"

    def __init__(self, concentration, validate_args=None):
        (self.concentration,) = as_parameters(concentration)
        if self.concentration.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        shape = tuple(self.concentration.shape)
        super().__init__(shape[:-1], shape[-1:], validate_args)
        _positive(self, concentration=self.concentration)

    def _in_support(self, value):
        total = value.sum(-1, keepdim=True)
        return (value >= 0) & ((total - 1).abs() < 1e-6)

    def sample(self, sample_shape=()):
        """Gamma(c_i) draws divided by their sum (no gradient)."""
        shape = self._extended_shape(sample_shape)
        g = standard_gamma(self.concentration.detach().expand(*shape).contiguous())
        return g / g.sum(-1, keepdim=True)

    def log_prob(self, value):
        """``sum (c_i - 1) log x_i + lgamma(sum c) - sum lgamma(c_i)``."""
        value = self._check_value(value)
        c = self.concentration
        return xlogy(c - 1, value).sum(-1) + lgamma(c.sum(-1)) - lgamma(c).sum(-1)

    def entropy(self):
        """``sum lgamma(c_i) - lgamma(c0) - (K - c0) psi(c0) - sum (c_i - 1) psi(c_i)``."""
        c = self.concentration
        k, total = c.shape[-1], c.sum(-1)
        return (lgamma(c).sum(-1) - lgamma(total) - (k - total) * digamma(total)
                - ((c - 1) * digamma(c)).sum(-1))  # fmt: skip

    @property
    def mean(self):
        """``c / sum c``."""
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def variance(self):
        """``m (1 - m) / (sum c + 1)``, m the mean."""
        total = self.concentration.sum(-1, keepdim=True)
        m = self.concentration / total
        return m * (1 - m) / (total + 1)
