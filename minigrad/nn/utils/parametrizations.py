"""Weight normalization and spectral normalization as parametrizations (``parametrize.py``),
PyTorch's current forms of ``torch.nn.utils.parametrizations.weight_norm`` and
``spectral_norm``: the tensors live in ``module.parametrizations.weight`` (``original0``
the length and ``original1`` the direction; ``original`` and the power iteration's
``_u``, ``_v`` buffers), and ``module.weight`` is computed when read. The older, hook-based
forms are ``nn.utils.weight_norm`` and ``nn.utils.spectral_norm`` (same arithmetic, other
names). PyTorch's ``orthogonal`` is not here (it needs the matrix exponential or
Householder products).
"""

from __future__ import annotations

from ...grad_mode import no_grad
from ...linalg import vector_norm
from ..conv3d import ConvTranspose3d
from ..conv_variants import ConvTranspose1d, ConvTranspose2d
from ..module import Module
from . import parametrize
from .weight_norm import norm_except_dim

__all__ = ["spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """``weight = g * v / ||v||``, from ``(g, v)``; its right inverse splits a weight so."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Parametrize ``module``'s ``name`` as a length times a direction (``original0``:
    the norms over every dimension but ``dim``; ``original1``: the direction); returns the
    module.

    Example:
        >>> from minigrad import nn
        >>> from minigrad.nn.utils.parametrizations import weight_norm
        >>> layer = weight_norm(nn.Linear(3, 2))
        >>> sorted(layer.state_dict())
        ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
        >>> layer.parametrizations.weight.original0.shape
        minigrad.Size([2, 1])
    """
    return parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


def _normalize(x, eps: float):
    return x / vector_norm(x).clamp_min(eps)


class _SpectralNorm(Module):
    """``weight / sigma``, ``sigma`` from power iteration on the buffers ``_u``, ``_v``."""

    def __init__(self, weight, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                "Dimension out of range (expected to be in range of "
                f"[-{ndim}, {ndim - 1}] but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            w = self._matrix(weight)
            h, width = w.shape
            with no_grad():
                u = _normalize(weight.new_empty(h).normal_(0, 1), eps)
                v = _normalize(weight.new_empty(width).normal_(0, 1), eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            self._power_method(w, 15)  # start near the top singular vectors

    def _matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, w, iterations: int) -> None:
        with no_grad():
            for _ in range(iterations):  # u first, then v (the hook-based form: v first)
                self._u.copy_(_normalize(w.mv(self._v), self.eps))
                self._v.copy_(_normalize(w.t().mv(self._u), self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return _normalize(weight, self.eps)
        w = self._matrix(weight)
        if self.training:
            self._power_method(w, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        return weight / u.dot(w.mv(v))

    def right_inverse(self, value):
        return value


def spectral_norm(
    module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12, dim=None
):
    """Parametrize ``module``'s ``name`` as itself divided by its spectral norm (see
    ``nn.utils.spectral_norm`` for the method); returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils.parametrizations import spectral_norm
        >>> layer = spectral_norm(nn.Linear(4, 3))
        >>> round(minigrad.linalg.matrix_norm(layer.weight, ord=2).item(), 3)
        1.0
    """
    weight = getattr(module, name, None)
    if weight is None:
        raise ValueError(
            f"Module '{type(module).__name__}' has no parameter or buffer with name '{name}'"
        )
    if dim is None:
        dim = 1 if isinstance(module, ConvTranspose1d | ConvTranspose2d | ConvTranspose3d) else 0
    return parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps)
    )
