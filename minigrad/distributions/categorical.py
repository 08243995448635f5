"""The categorical distribution over ``0, ..., K - 1``, and its one-hot form."""

from __future__ import annotations

from .. import dtypes as _dtypes
from ..creation import arange
from ..functions import softmax
from ..functions_math import logsumexp
from ..functions_select import broadcast_tensors, gather
from ..nn.functional import one_hot
from ..sampling import multinomial
from ..tensor import Tensor
from .distribution import Distribution, as_parameters


class Categorical(Distribution):
    """A distribution over the categories ``0, ..., K - 1`` given by ``probs``
    (non-negative, normalised along the last dim) or ``logits`` (unnormalised log
    probabilities), not both; the last dim indexes the categories, the others are the
    batch. Both forms are kept: ``logits`` normalised (``log_softmax``) and ``probs``.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Categorical
        >>> d = Categorical(probs=minigrad.tensor([0.25, 0.75]))
        >>> round(d.log_prob(minigrad.tensor(1)).exp().item(), 4)
        0.75
    """

    arg_names = ("probs",)

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = as_parameters(probs if logits is None else logits)[0]
        if given.ndim < 1:
            raise ValueError("`probs` or `logits` parameter must be at least one-dimensional.")
        super().__init__(given.shape[:-1], (), validate_args)
        if logits is None:
            self._check("parameter probs", given, (given >= 0) & ~given.isnan(), "Simplex()")
            self.probs = given / given.sum(-1, keepdim=True)
            eps = float(_dtypes.finfo(given.dtype).eps)  # PyTorch's probs_to_logits
            self.logits = self.probs.clamp(eps, 1 - eps).log()
        else:
            self._check(
                "parameter logits", given, ~given.isnan(), "IndependentConstraint(Real(), 1)"
            )
            self.logits = given - logsumexp(given, -1, keepdim=True)
            self.probs = softmax(given, -1)
        self._num_events = given.shape[-1]

    @property
    def support(self):
        """The integers ``0, ..., K - 1``."""
        return f"IntegerInterval(lower_bound=0, upper_bound={self._num_events - 1})"

    def _in_support(self, value):
        return (value >= 0) & (value < self._num_events) & (value == value.floor())

    def sample(self, sample_shape=()):
        """Category indices (int64) of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        count = 1
        for n in shape[: len(shape) - len(self.batch_shape)]:
            count *= n
        rows = self.probs.detach().reshape(-1, self._num_events)
        drawn = multinomial(rows, count, replacement=True)  # (batch, count)
        return drawn.mT.reshape(*shape)

    def log_prob(self, value):
        """``logits[value]``, the value broadcast against the batch."""
        value = self._check_value(value).long()
        index, log_pmf = broadcast_tensors(value.unsqueeze(-1), self.logits)
        return gather(log_pmf, -1, index[..., :1].contiguous()).squeeze(-1)

    def entropy(self):
        """``-sum p log p`` (0 log 0 = 0: the logits are clamped at the dtype's minimum)."""
        logits = self.logits.clamp(min=_dtypes.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every category, shaped ``(K,) + (1,) * len(batch_shape)`` (expanded to
        ``(K,) + batch_shape`` with ``expand``)."""
        values = arange(self._num_events, device=self.probs.device)
        values = values.reshape(-1, *(1,) * len(self.batch_shape))
        return values.expand(-1, *self.batch_shape) if expand else values

    @property
    def param_shape(self):
        """The shape of ``probs``: ``batch_shape + (K,)``."""
        return tuple(self.probs.shape)

    @property
    def mean(self):
        """NaN: categories have no mean (as PyTorch)."""
        return self.probs.new_full(self._extended_shape(), float("nan"))

    @property
    def mode(self):
        """The most probable category."""
        return self.probs.argmax(-1)

    @property
    def variance(self):
        """NaN: categories have no variance (as PyTorch)."""
        return self.probs.new_full(self._extended_shape(), float("nan"))


class OneHotCategorical(Distribution):
    """:class:`Categorical` with its values one-hot vectors of size K (the event shape),
    in ``probs``' dtype.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import OneHotCategorical
        >>> d = OneHotCategorical(probs=minigrad.tensor([0.0, 1.0, 0.0]))
        >>> d.sample().tolist()
        [0.0, 1.0, 0.0]
    """

    arg_names = ("probs",)
    support = "OneHot()"

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args)
        self.probs, self.logits = self._categorical.probs, self._categorical.logits
        k = self._categorical._num_events
        super().__init__(self._categorical.batch_shape, (k,), validate_args)

    def _in_support(self, value):
        return ((value == 0) | (value == 1)) & (value.sum(-1, keepdim=True) == 1)

    def sample(self, sample_shape=()):
        """One-hot vectors of the categorical draws."""
        index = self._categorical.sample(sample_shape)
        return one_hot(index, self.event_shape[0]).to(self.probs.dtype)

    def log_prob(self, value):
        """The log probability of the category the one-hot vector marks."""
        value = self._check_value(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        """The categorical entropy."""
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True):
        """The K one-hot vectors, shaped ``(K,) + (1,) * len(batch_shape) + (K,)``."""
        k = self.event_shape[0]
        values = one_hot(arange(k, device=self.probs.device), k).to(self.probs.dtype)
        values = values.reshape(k, *(1,) * len(self.batch_shape), k)
        return values.expand(k, *self.batch_shape, k) if expand else values

    @property
    def mean(self):
        """``probs``."""
        return self.probs

    @property
    def mode(self):
        """The one-hot vector of the most probable category."""
        return one_hot(self.probs.argmax(-1), self.event_shape[0]).to(self.probs.dtype)

    @property
    def variance(self):
        """``p (1 - p)``."""
        return self.probs * (1 - self.probs)
