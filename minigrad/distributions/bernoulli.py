"""The Bernoulli distribution over ``{0, 1}``."""

from __future__ import annotations

from .. import dtypes as _dtypes
from ..functions_pointwise import logaddexp
from ..sampling import bernoulli
from .distribution import Distribution, as_parameters


def softplus(x):
    """``log(1 + exp(x))``, stably (``logaddexp(0, x)``)."""
    return logaddexp(x.new_zeros(()), x)


class Bernoulli(Distribution):
    """1 with probability ``probs`` (in [0, 1]), else 0; or given ``logits``, the log
    odds ``log(p / (1 - p))`` (not both). ``log_prob(x) = x logits - softplus(logits)``
    (the negative of ``binary_cross_entropy_with_logits``).

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Bernoulli
        >>> round(Bernoulli(probs=0.3).log_prob(minigrad.tensor(1.0)).exp().item(), 4)
        0.3
    """

    arg_names = ("probs",)
    support = "Boolean()"

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if logits is None:
            (self.probs,) = as_parameters(probs)
            super().__init__(self.probs.shape, (), validate_args)
            self._check("parameter probs", self.probs, (self.probs >= 0) & (self.probs <= 1),
                        "Interval(lower_bound=0.0, upper_bound=1.0)")  # fmt: skip
            # PyTorch's probs_to_logits: clamped away from 0 and 1 by the dtype's eps
            eps = float(_dtypes.finfo(self.probs.dtype).eps)
            p = self.probs.clamp(eps, 1 - eps)
            self.logits = p.log() - (-p).log1p()
        else:
            (self.logits,) = as_parameters(logits)
            super().__init__(self.logits.shape, (), validate_args)
            self._check("parameter logits", self.logits, ~self.logits.isnan(), "Real()")
            self.probs = self.logits.sigmoid()

    def _in_support(self, value):
        return (value == 0) | (value == 1)

    def sample(self, sample_shape=()):
        """Zeros and ones of shape ``sample_shape + batch_shape``, ``probs``' dtype."""
        shape = self._extended_shape(sample_shape)
        return bernoulli(self.probs.detach().expand(*shape).contiguous())

    def log_prob(self, value):
        """``x logits - softplus(logits)``, the log probability of 0 or 1."""
        value = self._check_value(value)
        return value * self.logits - softplus(self.logits)

    def entropy(self):
        """``softplus(logits) - p logits``, the cross-entropy of p with itself."""
        return softplus(self.logits) - self.probs * self.logits

    def enumerate_support(self, expand: bool = True):
        """``[0, 1]``, shaped ``(2,) + (1,) * len(batch_shape)`` (expanded with
        ``expand``)."""
        values = self.probs.new_tensor([0.0, 1.0]).reshape(2, *(1,) * len(self.batch_shape))
        return values.expand(2, *self.batch_shape) if expand else values

    @property
    def mean(self):
        """``probs``."""
        return self.probs

    @property
    def mode(self):
        """1 where ``probs > 1/2``, 0 below, NaN at exactly 1/2 (as PyTorch)."""
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return mode.masked_fill(self.probs == 0.5, float("nan"))

    @property
    def variance(self):
        """``p (1 - p)``."""
        return self.probs * (1 - self.probs)
