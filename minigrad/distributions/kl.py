"""``kl_divergence(p, q)``, the Kullback-Leibler divergence ``E_p[log p - log q]``, by a
registry of closed forms per pair of distribution types (``register_kl`` adds one)."""

from __future__ import annotations

import math

from .. import linalg
from ..functions import where
from ..functions_special import digamma, lgamma
from .bernoulli import Bernoulli, softplus
from .categorical import Categorical, OneHotCategorical
from .distribution import Distribution
from .exponential import Exponential, Laplace
from .gamma import Beta, Dirichlet, Gamma, Poisson
from .independent import Independent
from .multivariate_normal import MultivariateNormal
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


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    ratio = q.rate / p.rate
    return ratio - 1 - ratio.log()


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    ratio = p.scale / q.scale
    gap = (p.loc - q.loc).abs()
    return -ratio.log() + gap / q.scale + ratio * (-gap / p.scale).exp() - 1


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    pc, qc = p.concentration, q.concentration
    return (qc * (p.rate / q.rate).log() + lgamma(qc) - lgamma(pc)
            + (pc - qc) * digamma(pc) + (q.rate - p.rate) * (pc / p.rate))  # fmt: skip


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    pa, pb, qa, qb = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    p_sum, q_sum = pa + pb, qa + qb
    t1 = lgamma(p_sum) - lgamma(pa) - lgamma(pb) - lgamma(q_sum) + lgamma(qa) + lgamma(qb)
    dp = digamma(p_sum)
    return t1 + (pa - qa) * (digamma(pa) - dp) + (pb - qb) * (digamma(pb) - dp)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            "KL(p || q) of Independent distributions needs equal reinterpreted_batch_ndims"
        )
    return p._sum(kl_divergence(p.base_dist, q.base_dist))


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    """``(tr(Sq^-1 Sp) + |Lq^-1 (mq - mp)|^2 - k) / 2 + log det Lq - log det Lp``."""
    if p.event_shape != q.event_shape:
        raise ValueError(
            "KL-divergence between two Multivariate Normals with different event shapes "
            "cannot be computed"
        )
    k = p.event_shape[0]
    lq, lp = q.scale_tril, p.scale_tril
    shape = (
        tuple(p.loc.shape[:-1])
        if len(p.batch_shape) >= len(q.batch_shape)
        else (tuple(q.loc.shape[:-1]))
    )
    lq = lq.expand(*shape, k, k)
    trace = (linalg.solve(lq, lp.expand(*shape, k, k)) ** 2).sum((-2, -1))
    gap = linalg.solve(lq, (q.loc - p.loc).expand(*shape, k).unsqueeze(-1)).squeeze(-1)
    return 0.5 * (trace + (gap**2).sum(-1) - k) + q._half_log_det() - p._half_log_det()


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    pc, qc = p.concentration, q.concentration
    p_sum = pc.sum(-1)
    t1 = lgamma(p_sum) - lgamma(qc.sum(-1)) - (lgamma(pc) - lgamma(qc)).sum(-1)
    return t1 + ((pc - qc) * (digamma(pc) - digamma(p_sum).unsqueeze(-1))).sum(-1)
