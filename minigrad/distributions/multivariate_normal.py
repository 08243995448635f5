"""The multivariate normal distribution, by its Cholesky factor."""

from __future__ import annotations

import math

from .. import linalg
from ..creation import randn
from ..functions_select import broadcast_shapes
from .distribution import Distribution


class MultivariateNormal(Distribution):
    """``N(loc, Sigma)`` over vectors of size k, given one of ``covariance_matrix``
    (symmetric positive definite), ``precision_matrix`` (its inverse) or ``scale_tril``
    (the lower Cholesky factor L, ``Sigma = L L^T``); everything is computed from L.
    ``rsample`` is ``loc + L eps``; ``log_prob`` solves ``L z = x - loc`` and gives
    ``-(|z|^2 + k log(2 pi)) / 2 - sum log diag(L)``.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import MultivariateNormal
        >>> d = MultivariateNormal(minigrad.zeros(2), covariance_matrix=minigrad.eye(2))
        >>> round(d.log_prob(minigrad.zeros(2)).item(), 4)  # -log(2 pi)
        -1.8379
    """

    has_rsample = True
    arg_names = ("loc",)
    support = "IndependentConstraint(Real(), 1)"

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):  # fmt: skip
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        matrix = given[0]
        if matrix.ndim < 2 or matrix.shape[-1] != matrix.shape[-2]:
            raise ValueError(
                f"the covariance, precision or scale_tril must be at least 2-D square "
                f"matrices, got shape {tuple(matrix.shape)}"
            )
        if matrix.shape[-1] != loc.shape[-1]:
            raise ValueError(
                f"loc has {loc.shape[-1]} elements but the matrices are "
                f"{matrix.shape[-1]} x {matrix.shape[-1]}"
            )
        if scale_tril is not None:
            low = scale_tril
        elif covariance_matrix is not None:
            low = linalg.cholesky(covariance_matrix)
        else:
            low = linalg.cholesky(linalg.inv(precision_matrix))
        batch = broadcast_shapes(tuple(loc.shape[:-1]), tuple(low.shape[:-2]))
        k = loc.shape[-1]
        self.loc = loc.expand(*batch, k)
        self.scale_tril = low.expand(*batch, k, k)
        super().__init__(batch, (k,), validate_args)

    def _in_support(self, value):
        return ~value.isnan()

    def rsample(self, sample_shape=()):
        """``loc + L eps``, ``eps`` standard normal vectors."""
        shape = self._extended_shape(sample_shape)
        eps = randn(*shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + (self.scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self):
        return self.scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        """``-(|L^-1 (x - loc)|^2 + k log(2 pi)) / 2 - sum log diag(L)``."""
        value = self._check_value(value)
        diff = value - self.loc
        low = self.scale_tril.expand(*diff.shape, diff.shape[-1])
        z = linalg.solve(low, diff.unsqueeze(-1)).squeeze(-1)
        k = self.event_shape[0]
        return -0.5 * ((z**2).sum(-1) + k * math.log(2 * math.pi)) - self._half_log_det()

    def entropy(self):
        """``k (1 + log(2 pi)) / 2 + sum log diag(L)``."""
        k = self.event_shape[0]
        return 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()

    @property
    def covariance_matrix(self):
        """``L L^T``."""
        return self.scale_tril @ self.scale_tril.mT

    @property
    def precision_matrix(self):
        """The inverse covariance."""
        return linalg.inv(self.covariance_matrix)

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
        """The diagonal of the covariance: the squared rows of L, summed."""
        return (self.scale_tril**2).sum(-1)
