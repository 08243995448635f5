"""The base of every distribution: its shapes, the sample shapes, and the checks of
parameters and values that PyTorch makes by default (``validate_args=False`` skips
them)."""

from __future__ import annotations

import math

from .. import dtypes as _dtypes
from ..creation import rand, tensor
from ..functions_select import broadcast_tensors
from ..grad_mode import no_grad
from ..tensor import Tensor


def as_parameters(*values) -> tuple[Tensor, ...]:
    """The parameters as tensors of one shape: numbers become tensors of the tensors'
    dtype and device (the default float dtype if none is a tensor)."""
    like = next((v for v in values if isinstance(v, Tensor)), None)
    dtype = like.dtype if like is not None and like.is_floating_point() else None
    dtype = dtype or _dtypes.get_default_dtype()
    device = like.device if like is not None else None
    tensors = [
        v if isinstance(v, Tensor) and v.is_floating_point()
        else tensor(v.tolist() if isinstance(v, Tensor) else float(v), dtype=dtype,
                    device=device)
        for v in values
    ]  # fmt: skip
    return tuple(broadcast_tensors(*tensors))


class Distribution:
    """A batch of distributions of shape ``batch_shape``, each over values of shape
    ``event_shape``. Subclasses define ``rsample`` or ``sample``, ``log_prob``,
    ``entropy``, ``mean`` and ``variance``; draws have shape
    ``sample_shape + batch_shape + event_shape``.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Normal
        >>> d = Normal(minigrad.zeros(3), 1.0)
        >>> d.batch_shape, d.event_shape, d.sample((5,)).shape
        ((3,), (), minigrad.Size([5, 3]))
    """

    has_rsample = False

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self.batch_shape = tuple(batch_shape)
        self.event_shape = tuple(event_shape)
        self._validate_args = True if validate_args is None else bool(validate_args)

    def _extended_shape(self, sample_shape=()) -> tuple[int, ...]:
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        return tuple(sample_shape) + self.batch_shape + self.event_shape

    def sample(self, sample_shape=()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape``, no gradient."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()) -> Tensor:
        """A reparameterised draw: ``f(parameters, noise)``, differentiable in the
        parameters (the distributions with ``has_rsample``)."""
        raise NotImplementedError(
            f"{type(self).__name__} has no reparameterised sample (rsample); use sample()"
        )

    @property
    def stddev(self) -> Tensor:
        """The standard deviation, ``sqrt(variance)``."""
        return self.variance.sqrt()

    def _check(self, name: str, value: Tensor, ok: Tensor, constraint: str) -> None:
        if self._validate_args and value.numel() and not bool(ok.all()):
            raise ValueError(
                f"Expected {name} (Tensor of shape {tuple(value.shape)}) of distribution "
                f"{type(self).__name__} to satisfy the constraint {constraint}, but found "
                f"invalid values:\n{value}"
            )

    def _check_value(self, value) -> Tensor:
        """``value`` as a tensor, checked against the support when validating."""
        if not isinstance(value, Tensor):
            raise ValueError(
                f"The value argument to log_prob must be a Tensor, got {type(value).__name__}"
            )
        if self._validate_args:
            self._check("value", value, self._in_support(value), self.support)
        return value

    def __repr__(self) -> str:
        shown = []
        for name in self.arg_names:
            value = getattr(self, name)
            shown.append(f"{name}: {value.shape if value.numel() > 1 else value}")
        shown = ", ".join(shown)
        return f"{type(self).__name__}({shown})"


class LocScale(Distribution):
    """A location-scale family over the real line (Normal, Laplace, Cauchy): ``loc``
    and ``scale`` (> 0), broadcast together; a reparameterised draw is
    ``loc + scale * noise``."""

    has_rsample = True
    arg_names = ("loc", "scale")
    support = "Real()"

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = as_parameters(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)
        self._check("parameter scale", self.scale, self.scale > 0,
                    "GreaterThan(lower_bound=0.0)")  # fmt: skip
        self._check("parameter loc", self.loc, ~self.loc.isnan(), "Real()")

    def _in_support(self, value):
        return ~value.isnan()

    def _uniform(self, sample_shape):
        """Uniform [0, 1) noise of the draw's shape, in the parameters' dtype and device."""
        return rand(*self._extended_shape(sample_shape), dtype=self.loc.dtype,
                    device=self.loc.device)  # fmt: skip


_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
