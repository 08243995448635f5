"""``minigrad.special``, as ``torch.special``: the special functions under their SciPy
names. The gamma family, ``erfinv`` and the normal distribution's functions live in
``functions_special.py``; the rest are the functions minigrad has at the top level, under
``torch.special``'s names (``expit`` is the sigmoid, ``gammaln`` is ``lgamma``, ``psi``
is ``digamma``, ``multigammaln`` is ``mvlgamma``).
"""

from __future__ import annotations

from .functions import log_softmax, sigmoid, softmax
from .functions_math import expm1, log1p, logsumexp, round
from .functions_numeric import sinc
from .functions_pointwise import erf, erfc, exp2, logit, xlogy
from .functions_special import (
    digamma,
    entr,
    erfinv,
    lgamma,
    log_ndtr,
    mvlgamma,
    ndtr,
    ndtri,
    polygamma,
    xlog1py,
)

expit = sigmoid
gammaln = lgamma
psi = digamma
multigammaln = mvlgamma

__all__ = [
    "digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln",
    "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr",
    "ndtri", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py", "xlogy",
]  # fmt: skip
