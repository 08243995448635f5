"""``kl_divergence(p, q)``, the Kullback-Leibler divergence ``E_p[log p - log q]``, by a
registry of closed forms per pair of distribution types (``register_kl`` adds one)."""

from __future__ import annotations

import math

from ..functions import where
from .bernoulli import Bernoulli, softplus
from .categorical import Categorical
from .distribution import Distribution
from .normal import Normal
from .uniform import Uniform

_KL = {}


def register_kl(type_p: type, type_q: type):
    """A decorator: the function it decorates computes ``KL(p || q)`` for distributions
    of these types (and their subclasses, unless a closer pair is registered).

    Example:
        >>> from minigrad.distributions import Normal, register_kl
        >>> class Standard(Normal): ...
        >>> @register_kl(Standard, Standard)
        ... def _kl_standard(p, q):
        ...     return p.loc * 0
    """

    def decorator(fn):
        _KL[type_p, type_q] = fn
        return fn

    return decorator


def kl_divergence(p: Distribution, q: Distribution):
    """``KL(p || q)`` per batch element, by the closed form registered for the pair of
    types nearest in their class hierarchies.

    Example:
        >>> from minigrad.distributions import Normal, kl_divergence
        >>> kl_divergence(Normal(1.0, 1.0), Normal(0.0, 1.0)).item()
        0.5
    """
    for cp in type(p).__mro__:
        for cq in type(q).__mro__:
            if (cp, cq) in _KL:
                return _KL[cp, cq](p, q)
    raise NotImplementedError(
        f"No KL(p || q) is implemented for p = {type(p).__name__}, q = {type(q).__name__}"
    )


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t = where(q.probs == 0, math.inf, t)
    t = where(p.probs == 0, 0.0, t)
    return t.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = where(p.probs == 0, 0.0, where(q.probs == 0, math.inf, t1))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = where(p.probs == 1, 0.0, where(q.probs == 1, math.inf, t2))
    return t1 + t2


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return where((q.low > p.low) | (q.high < p.high), math.inf, result)
