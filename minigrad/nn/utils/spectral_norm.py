"""Spectral normalization (Miyato et al., 2018): a weight divided by its largest singular
value, so that the layer is 1-Lipschitz (a GAN discriminator's usual constraint).

``spectral_norm(layer)`` keeps the learned weight as ``weight_orig`` and, before every
forward, sets ``weight = weight_orig / sigma``. ``sigma`` is estimated by power iteration:
the buffers ``weight_u`` and ``weight_v`` approximate the top singular vectors of the
weight (as a matrix: output units by the rest), and each training forward takes
``n_power_iterations`` steps, ``v = normalize(W^T u)``, ``u = normalize(W v)``, which
converge as training changes ``W`` slowly; ``sigma = u . W v``, differentiated with ``u``
and ``v`` held fixed. In evaluation mode the vectors are not updated. This is PyTorch's
hook-based ``torch.nn.utils.spectral_norm``, with its names, buffers and arithmetic (its
parametrization form is not in minigrad).
"""

from __future__ import annotations

from ...grad_mode import no_grad
from ...linalg import vector_norm
from ..conv3d import ConvTranspose3d
from ..conv_variants import ConvTranspose1d, ConvTranspose2d
from ..parameter import Parameter

__all__ = ["remove_spectral_norm", "spectral_norm"]


def _normalize(x, eps):
    return x / vector_norm(x).clamp_min(eps)


class SpectralNorm:
    """The forward pre-hook that sets ``name`` from ``name_orig`` and the power iteration."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float) -> None:
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps

    def matrix(self, weight):
        """The weight as a matrix: dimension ``dim`` (the outputs) first, the rest flattened."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.ndim) if d != self.dim])
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module, do_power_iteration: bool):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        w = self.matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(_normalize(w.t().mv(u), self.eps))  # in place: they are buffers
                    u.copy_(_normalize(w.mv(v), self.eps))
                u, v = u.clone(), v.clone()  # the gradient holds these, not the buffers
        sigma = u.dot(w.mv(v))
        return weight / sigma

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(
    module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12, dim=None
):
    """Divide ``module``'s parameter ``name`` by its spectral norm before every forward
    (see the module's docstring). ``dim``: the dimension of the outputs, 0 unless the
    module is a transposed convolution (1). Returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> layer = nn.utils.spectral_norm(nn.Linear(4, 3))
        >>> sorted(layer.state_dict())
        ['bias', 'weight_orig', 'weight_u', 'weight_v']
        >>> for _ in range(20):  # training forwards refine sigma
        ...     _ = layer(minigrad.ones(1, 4))
        >>> round(minigrad.linalg.matrix_norm(layer.weight, ord=2).item(), 3)
        1.0
    """
    if dim is None:
        dim = 1 if isinstance(module, ConvTranspose1d | ConvTranspose2d | ConvTranspose3d) else 0
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise RuntimeError(
                f"Cannot register two spectral_norm hooks on the same parameter {name}"
            )
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
    if getattr(weight, "is_uninitialized", False):
        raise ValueError(
            "The module passed to `SpectralNorm` can't have uninitialized parameters. Make sure "
            "to run the dummy forward before applying spectral normalization"
        )
    with no_grad():
        h, w = fn.matrix(weight).shape
        u = _normalize(weight.new_empty(h).normal_(0, 1), eps)
        v = _normalize(weight.new_empty(w).normal_(0, 1), eps)
    delattr(module, name)
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module, name: str = "weight"):
    """Undo :func:`spectral_norm`: ``name`` a plain parameter holding the normalized weight.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> layer = nn.utils.remove_spectral_norm(nn.utils.spectral_norm(nn.Linear(4, 3)))
        >>> sorted(layer.state_dict())
        ['bias', 'weight']
    """
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            with no_grad():
                weight = hook.compute_weight(module, do_power_iteration=False)
            delattr(module, name)
            delattr(module, name + "_u")
            delattr(module, name + "_v")
            delattr(module, name + "_orig")
            module.register_parameter(name, Parameter(weight.detach()))
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
