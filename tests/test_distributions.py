"""``minigrad.distributions`` beyond the golden comparisons with ``torch.distributions``
(densities, entropies, KL divergences and their gradients): draws with the right shapes
and statistics, reproducible under a seed, reparameterised gradients, the supports and
parameter checks, and the KL registry."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad.distributions import (
    Bernoulli,
    Beta,
    Binomial,
    Categorical,
    Cauchy,
    Chi2,
    Dirichlet,
    Exponential,
    Gamma,
    Geometric,
    HalfNormal,
    Independent,
    Laplace,
    LogNormal,
    MultivariateNormal,
    Normal,
    OneHotCategorical,
    Poisson,
    StudentT,
    Uniform,
    kl_divergence,
    register_kl,
)

F64 = minigrad.float64


def test_draws_have_the_shapes_and_statistics(device):
    minigrad.manual_seed(0)
    loc = minigrad.tensor([0.0, 3.0], dtype=F64, device=device)
    normal = Normal(loc, minigrad.tensor([1.0, 0.5], dtype=F64, device=device))
    x = normal.sample((20000,))
    assert x.shape == (20000, 2) and not x.requires_grad
    np.testing.assert_allclose(x.mean(0).numpy(), [0.0, 3.0], atol=0.03)
    np.testing.assert_allclose(x.std(0).numpy(), [1.0, 0.5], rtol=0.03)
    u = Uniform(-1.0, 3.0).sample((5000, 3))
    assert u.shape == (5000, 3) and u.min().item() >= -1.0 and u.max().item() < 3.0
    assert abs(u.mean().item() - 1.0) < 0.05
    b = Bernoulli(probs=minigrad.tensor([0.1, 0.9], device=device)).sample((10000,))
    np.testing.assert_allclose(b.mean(0).numpy(), [0.1, 0.9], atol=0.02)
    assert set(b.unique().tolist()) == {0.0, 1.0}
    probs = minigrad.tensor([[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]], device=device)
    c = Categorical(probs=probs).sample((4, 5000))
    assert c.shape == (4, 5000, 2) and c.dtype == minigrad.int64
    freq = [(c[..., 0] == k).float().mean().item() for k in range(3)]
    np.testing.assert_allclose(freq, [0.2, 0.8, 0.0], atol=0.02)
    freq = [(c[..., 1] == k).float().mean().item() for k in range(3)]
    np.testing.assert_allclose(freq, [0.5, 0.25, 0.25], atol=0.02)
    assert Categorical(logits=minigrad.zeros(3, device=device)).sample().shape == ()


def test_the_same_seed_gives_the_same_draws():
    draws = []
    for _ in range(2):
        minigrad.manual_seed(7)
        draws.append(
            (Normal(0.0, 1.0).sample((3,)).tolist(),
             Categorical(logits=minigrad.zeros(4)).sample((5,)).tolist())
        )  # fmt: skip
    assert draws[0] == draws[1]


def test_rsample_carries_the_gradient_to_the_parameters(device):
    minigrad.manual_seed(1)
    mu = minigrad.tensor([0.5], dtype=F64, device=device, requires_grad=True)
    sigma = minigrad.tensor([2.0], dtype=F64, device=device, requires_grad=True)
    x = Normal(mu, sigma).rsample((1000,))
    eps = (x - mu) / sigma
    x.sum().backward()
    assert mu.grad.item() == 1000.0  # d(mu + sigma eps)/d mu
    assert sigma.grad.item() == pytest.approx(eps.sum().item())
    low = minigrad.tensor(0.0, device=device, requires_grad=True)
    Uniform(low, 2.0).rsample((10,)).sum().backward()
    assert 0.0 < low.grad.item() < 10.0  # d(low + u (high - low))/d low = 1 - u
    with pytest.raises(NotImplementedError, match="Categorical has no reparameterised"):
        Categorical(logits=minigrad.zeros(2)).rsample()


def test_policy_gradient_through_log_prob(device):
    logits = minigrad.zeros(3, dtype=F64, device=device, requires_grad=True)
    dist = Categorical(logits=logits)
    loss = -(dist.log_prob(minigrad.tensor([2, 2, 0], device=device)) * 1.0).sum()
    loss.backward()
    # d/dlogits of -sum log softmax[a] = counts * p - onehot counts: p = 1/3 each
    np.testing.assert_allclose(logits.grad.numpy(), [-1 + 1.0, 1.0, 1.0 - 2], atol=1e-12)


def test_values_outside_the_support(device):
    normal = Normal(0.0, 1.0)
    with pytest.raises(ValueError, match="must be a Tensor"):
        normal.log_prob(1.0)
    uniform = Uniform(0.0, 1.0)
    with pytest.raises(ValueError, match=r"Expected value .* to satisfy the constraint Interval"):
        uniform.log_prob(minigrad.tensor([0.5, 2.0]))
    lenient = Uniform(0.0, 1.0, validate_args=False)
    assert lenient.log_prob(minigrad.tensor([0.5, 2.0])).tolist() == [0.0, -math.inf]
    with pytest.raises(ValueError, match="IntegerInterval"):
        Categorical(logits=minigrad.zeros(3)).log_prob(minigrad.tensor(3))
    with pytest.raises(ValueError, match="Boolean"):
        Bernoulli(probs=0.5).log_prob(minigrad.tensor(0.5))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Normal(0.0, -1.0), r"parameter scale .* GreaterThan\(lower_bound=0.0\)"),
        (lambda: Uniform(1.0, 0.0), "parameter low"),
        (lambda: Bernoulli(probs=1.5), "parameter probs"),
        (lambda: Bernoulli(), "Either `probs` or `logits` must be specified"),
        (lambda: Categorical(probs=minigrad.tensor([0.5, -0.1])), "parameter probs"),
        (lambda: Categorical(probs=minigrad.ones(2), logits=minigrad.ones(2)), "not both"),
        (lambda: Categorical(logits=minigrad.tensor(1.0)), "at least one-dimensional"),
    ],
)
def test_bad_parameters_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_moments_supports_and_repr(device):
    b = Bernoulli(logits=minigrad.tensor([0.0, 2.0], device=device))
    np.testing.assert_allclose(b.mean.numpy(), b.probs.numpy())
    assert b.enumerate_support().shape == (2, 2) and b.enumerate_support(False).shape == (2, 1)
    assert math.isnan(b.mode[0].item()) and b.mode[1].item() == 1.0
    c = Categorical(probs=minigrad.tensor([[1.0, 3.0], [2.0, 2.0]], device=device))
    np.testing.assert_allclose(c.probs.numpy(), [[0.25, 0.75], [0.5, 0.5]])
    assert c.enumerate_support().tolist() == [[0, 0], [1, 1]] and c.mode.tolist() == [1, 0]
    assert c.batch_shape == (2,) and c.event_shape == () and c.param_shape == (2, 2)
    n = Normal(minigrad.zeros(3, device=device), 2.0)
    assert n.variance.tolist() == [4.0] * 3 and n.stddev.tolist() == [2.0] * 3
    assert repr(Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"  # as PyTorch prints it
    assert repr(n).startswith("Normal(loc: minigrad.Size([3])")
    assert Normal(1.0, 2.0).icdf(Normal(1.0, 2.0).cdf(minigrad.tensor(0.3))).item() == (
        pytest.approx(0.3)
    )


def test_kl_divergence_registry():
    assert kl_divergence(Normal(1.0, 1.0), Normal(1.0, 1.0)).item() == 0.0
    p = Categorical(probs=minigrad.tensor([0.5, 0.5, 0.0]))
    q = Categorical(probs=minigrad.tensor([0.5, 0.0, 0.5]))
    assert kl_divergence(p, q).item() == math.inf  # p puts mass where q has none
    assert kl_divergence(q, q).item() == pytest.approx(0.0, abs=1e-6)
    assert kl_divergence(Uniform(0.0, 1.0), Uniform(0.5, 2.0)).item() == math.inf
    assert kl_divergence(Bernoulli(probs=0.0), Bernoulli(probs=0.5)).item() == pytest.approx(
        math.log(2.0)
    )
    with pytest.raises(NotImplementedError, match=r"No KL.*p = Normal, q = Uniform"):
        kl_divergence(Normal(0.0, 1.0), Uniform(0.0, 1.0))

    class Wide(Normal):
        pass

    assert kl_divergence(Wide(1.0, 1.0), Normal(0.0, 1.0)).item() == 0.5  # the parent's

    @register_kl(Wide, Normal)
    def _kl_wide(p, q):
        return p.loc * 0 - 1

    assert kl_divergence(Wide(1.0, 1.0), Normal(0.0, 1.0)).item() == -1.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: Exponential(minigrad.tensor([0.5, 4.0], dtype=F64)),
        lambda: Laplace(minigrad.tensor([-1.0, 2.0], dtype=F64), 0.7),
        lambda: Gamma(minigrad.tensor([0.4, 3.0], dtype=F64), 2.0),
        lambda: Beta(minigrad.tensor([0.5, 2.0], dtype=F64), minigrad.tensor([0.5, 6.0])),
        lambda: Poisson(minigrad.tensor([0.3, 7.0], dtype=F64)),
        lambda: HalfNormal(minigrad.tensor([0.5, 2.0], dtype=F64)),
        lambda: LogNormal(minigrad.tensor([0.0, 1.0], dtype=F64), 0.4),
        lambda: Geometric(probs=minigrad.tensor([0.3, 0.9], dtype=F64)),
        lambda: Binomial(minigrad.tensor([5.0, 40.0], dtype=F64), probs=0.3),
        lambda: Chi2(minigrad.tensor([1.0, 6.0], dtype=F64)),
        lambda: StudentT(minigrad.tensor([9.0, 30.0], dtype=F64), 1.0, 2.0),
    ],
    ids=[
        "exponential",
        "laplace",
        "gamma",
        "beta",
        "poisson",
        "half_normal",
        "log_normal",
        "geometric",
        "binomial",
        "chi2",
        "student_t",
    ],
)
def test_more_draws_match_their_moments(make):
    minigrad.manual_seed(3)
    dist = make()
    x = dist.sample((40000,))
    assert x.shape == (40000, 2) and not x.requires_grad
    np.testing.assert_allclose(x.mean(0).numpy(), dist.mean.numpy(), rtol=0.03, atol=0.01)
    np.testing.assert_allclose(x.var(0).numpy(), dist.variance.numpy(), rtol=0.06, atol=0.01)
    assert bool(dist.log_prob(x[:100]).isfinite().all())  # every draw is in the support


def test_multivariate_normal_draws_and_shapes(device):
    minigrad.manual_seed(4)
    cov = minigrad.tensor([[2.0, 0.6], [0.6, 0.5]], dtype=F64, device=device)
    loc = minigrad.tensor([1.0, -1.0], dtype=F64, device=device)
    d = MultivariateNormal(loc, covariance_matrix=cov)
    x = d.sample((40000,))
    assert x.shape == (40000, 2) and d.event_shape == (2,) and d.batch_shape == ()
    np.testing.assert_allclose(x.mean(0).numpy(), [1.0, -1.0], atol=0.03)
    np.testing.assert_allclose(minigrad.cov(x.mT).numpy(), cov.numpy(), atol=0.04)
    np.testing.assert_allclose(d.covariance_matrix.numpy(), cov.numpy(), atol=1e-12)
    np.testing.assert_allclose(d.variance.numpy(), [2.0, 0.5], atol=1e-12)
    same = MultivariateNormal(loc, precision_matrix=minigrad.linalg.inv(cov))
    np.testing.assert_allclose(same.log_prob(x[:5]).numpy(), d.log_prob(x[:5]).numpy())
    zeros = minigrad.zeros(4, 1, 2, dtype=F64, device=device)
    batched = MultivariateNormal(zeros, scale_tril=d.scale_tril)
    assert batched.batch_shape == (4, 1) and batched.log_prob(x[:3]).shape == (4, 3)
    assert kl_divergence(d, same).abs().item() < 1e-12
    mu = loc.clone().requires_grad_()
    MultivariateNormal(mu, covariance_matrix=cov).rsample((10,)).sum().backward()
    assert mu.grad.tolist() == [10.0, 10.0]


def test_independent_sums_the_reinterpreted_dims():
    base = Normal(minigrad.zeros(4, 3), minigrad.ones(4, 3))
    d = Independent(base, 1)
    x = d.sample((2,))
    assert x.shape == (2, 4, 3) and d.log_prob(x).shape == (2, 4)
    np.testing.assert_allclose(d.log_prob(x).numpy(), base.log_prob(x).sum(-1).numpy())
    assert d.entropy().shape == (4,) and d.has_rsample
    assert repr(Independent(Normal(0.0, 1.0), 0)).startswith("Independent(Normal(")
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims <= len"):
        Independent(base, 3)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: MultivariateNormal(minigrad.zeros(2)), ValueError, "Exactly one of"),
        (lambda: MultivariateNormal(minigrad.zeros(2), covariance_matrix=minigrad.eye(3)),
         ValueError, "loc has 2 elements but the matrices are 3 x 3"),
        (lambda: Gamma(1.0, 1.0).rsample(), NotImplementedError, "use sample()"),
        (lambda: Gamma(-1.0, 1.0), ValueError, "parameter concentration"),
        (lambda: Beta(1.0, 0.0), ValueError, "parameter concentration0"),
        (lambda: Poisson(-0.5), ValueError, "parameter rate"),
        (lambda: Poisson(2.0).log_prob(minigrad.tensor(1.5)), ValueError, "IntegerGreaterThan"),
        (lambda: Exponential(1.0).log_prob(minigrad.tensor(-1.0)), ValueError, "GreaterThanEq"),
        (lambda: minigrad.poisson(minigrad.tensor([-1.0])), RuntimeError, "non-negative"),
    ],
)  # fmt: skip
def test_more_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_dirichlet_and_one_hot_draws():
    minigrad.manual_seed(5)
    c = minigrad.tensor([0.5, 2.0, 4.0], dtype=F64)
    d = Dirichlet(c)
    x = d.sample((40000,))
    assert x.shape == (40000, 3) and d.event_shape == (3,) and d.batch_shape == ()
    np.testing.assert_allclose(x.sum(-1).numpy(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(x.mean(0).numpy(), d.mean.numpy(), atol=0.01)
    np.testing.assert_allclose(x.var(0).numpy(), d.variance.numpy(), rtol=0.06)
    assert bool(d.log_prob(x[:100]).isfinite().all())
    with pytest.raises(ValueError, match="Simplex"):
        d.log_prob(minigrad.tensor([0.5, 0.6, 0.1], dtype=F64))
    o = OneHotCategorical(probs=minigrad.tensor([[0.2, 0.8], [1.0, 0.0]]))
    draws = o.sample((5000,))
    assert draws.shape == (5000, 2, 2) and bool((draws.sum(-1) == 1).all())
    assert abs(draws[:, 0, 1].mean().item() - 0.8) < 0.02 and draws[:, 1, 0].min().item() == 1
    assert o.enumerate_support().shape == (2, 2, 2) and o.mode.tolist() == [[0, 1], [1, 0]]
    with pytest.raises(ValueError, match="OneHot"):
        o.log_prob(minigrad.tensor([[1.0, 1.0], [1.0, 0.0]]))


def test_cauchy_draws_follow_its_quantiles():
    minigrad.manual_seed(6)
    d = Cauchy(minigrad.tensor(1.0, dtype=F64), 2.0)
    x = d.sample((40000,))
    # no mean to compare: the median and the quartiles, loc and loc +- scale
    np.testing.assert_allclose(np.quantile(x.numpy(), [0.25, 0.5, 0.75]), [-1, 1, 3], atol=0.1)
    assert math.isnan(d.mean.item()) and d.variance.item() == math.inf
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        Geometric()
    with pytest.raises(ValueError, match="parameter total_count"):
        Binomial(2.5, probs=0.5)
    with pytest.raises(ValueError, match="IntegerInterval"):
        Binomial(3, probs=0.5).log_prob(minigrad.tensor(4.0))
    lenient = HalfNormal(1.0, validate_args=False)
    assert lenient.log_prob(minigrad.tensor(-1.0)).item() == -math.inf


def test_student_t_moments_by_degrees_of_freedom():
    d = StudentT(minigrad.tensor([0.5, 1.5, 3.0]), 2.0, 3.0)
    mean, variance = d.mean.tolist(), d.variance.tolist()
    assert math.isnan(mean[0]) and mean[1:] == [2.0, 2.0]
    assert math.isnan(variance[0]) and variance[1] == math.inf and variance[2] == 27.0
    assert Chi2(3.0).df.item() == 3.0 and repr(Chi2(3.0)) == "Chi2(df: 3.0)"
    with pytest.raises(ValueError, match="parameter df"):
        StudentT(0.0)
