"""``minigrad.distributions``, as ``torch.distributions``: probability distributions with
``sample`` (no gradient), ``rsample`` (the reparameterised draw, differentiable in the
parameters), ``log_prob``, ``entropy``, ``mean`` and ``variance``, and ``kl_divergence``
between two of them. The distributions reinforcement learning and variational
autoencoders use: :class:`Normal`, :class:`MultivariateNormal`, :class:`Categorical`,
:class:`Bernoulli`, :class:`Uniform`, :class:`Exponential`, :class:`Laplace`,
:class:`Gamma`, :class:`Chi2`, :class:`StudentT`, :class:`Beta`, :class:`Dirichlet`,
:class:`Poisson`,
:class:`OneHotCategorical`, :class:`HalfNormal`, :class:`LogNormal`, :class:`Cauchy`,
:class:`Geometric`, :class:`Binomial` and :class:`Independent` (batch dims read as event
dims). Gamma, Chi2, StudentT, Beta, Dirichlet, Poisson, Geometric and Binomial draws
carry no gradient
(``sample`` only).

Each is a few lines of tensor functions, so its gradients are autograd's: a policy
gradient is ``-(dist.log_prob(action) * advantage).mean()``, a VAE's KL term
``kl_divergence(Normal(mu, sigma), Normal(0, 1)).sum()``.
"""

from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .counts import Binomial, Geometric
from .distribution import Distribution
from .exponential import Exponential, Laplace
from .gamma import Beta, Chi2, Dirichlet, Gamma, Poisson, StudentT
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .relatives import Cauchy, HalfNormal, LogNormal
from .uniform import Uniform

__all__ = [
    "Bernoulli",
    "Beta",
    "Binomial",
    "Categorical",
    "Cauchy",
    "Chi2",
    "Dirichlet",
    "Distribution",
    "Exponential",
    "Gamma",
    "Geometric",
    "HalfNormal",
    "Independent",
    "Laplace",
    "LogNormal",
    "MultivariateNormal",
    "Normal",
    "OneHotCategorical",
    "Poisson",
    "StudentT",
    "Uniform",
    "kl_divergence",
    "register_kl",
]  # fmt: skip
