"""Distributions of counts from Bernoulli trials: ``Geometric`` (failures before the
first success) and ``Binomial`` (successes in ``total_count`` trials)."""

from __future__ import annotations

from .. import dtypes as _dtypes
from ..backend import to_host
from ..creation import rand
from ..functions import where
from ..functions_special import lgamma
from ..random import numpy_generator
from ..tensor import Tensor
from .bernoulli import softplus
from .distribution import Distribution, as_parameters


def _probs_and_logits(dist, probs, logits):
    """``(probs, logits)`` from whichever is given (exactly one), as :class:`Bernoulli`."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    if logits is None:
        (probs,) = as_parameters(probs)
        eps = float(_dtypes.finfo(probs.dtype).eps)
        p = probs.clamp(eps, 1 - eps)
        return probs, p.log() - (-p).log1p()
    (logits,) = as_parameters(logits)
    return logits.sigmoid(), logits


class Geometric(Distribution):
    """The number of failures before the first success, each trial succeeding with
    ``probs`` (in (0, 1]): ``P(k) = (1 - p)^k p``. Given ``probs`` or ``logits``.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Geometric
        >>> Geometric(probs=0.25).mean.item()
        3.0
    """

    arg_names = ("probs",)
    support = "IntegerGreaterThan(lower_bound=0)"

    def __init__(self, probs=None, logits=None, validate_args=None):
        self.probs, self.logits = _probs_and_logits(self, probs, logits)
        super().__init__(self.probs.shape, (), validate_args)
        if probs is not None:
            self._check("parameter probs", self.probs, (self.probs > 0) & (self.probs <= 1),
                        "HalfOpenInterval(lower_bound=0.0, upper_bound=1.0)")  # fmt: skip

    def _in_support(self, value):
        return (value >= 0) & (value == value.floor())

    def sample(self, sample_shape=()):
        """``floor(log(u) / log(1 - p))``, u uniform on (0, 1) (no gradient)."""
        shape = self._extended_shape(sample_shape)
        tiny = float(_dtypes.finfo(self.probs.dtype).tiny)
        u = rand(*shape, dtype=self.probs.dtype, device=self.probs.device).clamp(min=tiny)
        return (u.log() / (-self.probs.detach()).log1p()).floor()

    def log_prob(self, value):
        """``k log(1 - p) + log p`` (0 for k = 0 when p = 1)."""
        value = self._check_value(value)
        p = self.probs
        failures = where((p == 1) & (value == 0), 0.0, value * (-p).log1p())
        return failures + p.log()

    def entropy(self):
        """``(softplus(logits) - p logits) / p``: the Bernoulli entropy per success."""
        return (softplus(self.logits) - self.probs * self.logits) / self.probs

    @property
    def mean(self):
        """``1 / p - 1``."""
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        """0."""
        return self.probs.new_zeros(self.batch_shape)

    @property
    def variance(self):
        """``(1 / p - 1) / p``."""
        return (1.0 / self.probs - 1.0) / self.probs


class Binomial(Distribution):
    """Successes in ``total_count`` trials that succeed with ``probs`` each:
    ``P(k) = C(n, k) p^k (1 - p)^(n - k)``, computed from the logits as
    ``log C(n, k) + k logits - n softplus(logits)``. Given ``probs`` or ``logits``.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Binomial
        >>> Binomial(10, probs=0.3).mean.item()
        3.0
    """

    arg_names = ("total_count", "probs")
    support = "IntegerInterval(lower_bound=0, upper_bound=total_count)"

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        probs_, logits_ = _probs_and_logits(self, probs, logits)
        count = total_count if isinstance(total_count, Tensor) else float(total_count)
        self.total_count, self.probs, self.logits = as_parameters(count, probs_, logits_)
        super().__init__(self.probs.shape, (), validate_args)
        whole = (self.total_count >= 0) & (self.total_count == self.total_count.floor())
        self._check("parameter total_count", self.total_count, whole,
                    "IntegerGreaterThan(lower_bound=0)")  # fmt: skip
        if probs is not None:
            self._check("parameter probs", self.probs, (self.probs >= 0) & (self.probs <= 1),
                        "Interval(lower_bound=0.0, upper_bound=1.0)")  # fmt: skip

    def _in_support(self, value):
        return (value >= 0) & (value <= self.total_count) & (value == value.floor())

    def sample(self, sample_shape=()):
        """Counts in ``probs``' dtype, from the host generator (no gradient)."""
        shape = self._extended_shape(sample_shape)
        n = to_host(self.total_count.detach().expand(*shape).contiguous()._data)
        p = to_host(self.probs.detach().expand(*shape).contiguous()._data)
        drawn = numpy_generator(None, "Binomial.sample").binomial(n.astype("int64"), p)
        device = self.probs.device
        return Tensor._wrap(device.from_host(drawn.astype(p.dtype)), device)

    def log_prob(self, value):
        """``log C(n, k) + k logits - n softplus(logits)``."""
        value = self._check_value(value)
        n = self.total_count
        log_comb = lgamma(n + 1) - lgamma(value + 1) - lgamma(n - value + 1)
        return log_comb + value * self.logits - n * softplus(self.logits)

    @property
    def mean(self):
        """``n p``."""
        return self.total_count * self.probs

    @property
    def mode(self):
        """``floor((n + 1) p)``, at most n."""
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        """``n p (1 - p)``."""
        return self.total_count * self.probs * (1 - self.probs)
