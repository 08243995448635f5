"""Pruning: zero a fraction of a layer's weights through a mask, as ``torch.nn.utils.prune``.

Pruning a parameter ``weight`` of a module keeps the learned values as the parameter
``weight_orig``, adds a buffer ``weight_mask`` of ones and zeros, and makes ``weight`` a
plain tensor, ``weight_orig * weight_mask``, recomputed before every forward (a forward
pre-hook). The optimizer still updates ``weight_orig``, but a pruned entry's gradient is
zero (it is multiplied by the mask) and the entry stays out of the layer's output.
:func:`remove` makes the pruning permanent: ``weight`` a parameter again, holding the
masked values, and the mask gone. ::

    prune.l1_unstructured(layer, "weight", amount=0.3)   # the 30% smallest |w|
    prune.ln_structured(conv, "weight", amount=2, n=2, dim=0)  # the 2 weakest filters
    prune.global_unstructured([(l1, "weight"), (l2, "weight")],
                              pruning_method=prune.L1Unstructured, amount=0.2)
    prune.remove(layer, "weight")

``amount`` is a fraction of the entries (a float in [0, 1]) or their number (an int).
Pruning a parameter again prunes among the entries (or channels) still left, and the
methods applied are kept in a :class:`PruningContainer`. The masks are PyTorch's for the
same weights, except where ``topk`` meets ties: minigrad's is stable, PyTorch's order is
unspecified; the random methods draw from minigrad's generator.
"""

from __future__ import annotations

import numbers

from ... import creation
from ...functions_extra import topk
from ...functions_order import kthvalue
from ...grad_mode import no_grad
from ...linalg import vector_norm
from ..utils.convert_parameters import parameters_to_vector

__all__ = [
    "BasePruningMethod",
    "CustomFromMask",
    "Identity",
    "L1Unstructured",
    "LnStructured",
    "PruningContainer",
    "RandomStructured",
    "RandomUnstructured",
    "custom_from_mask",
    "global_unstructured",
    "identity",
    "is_pruned",
    "l1_unstructured",
    "ln_structured",
    "random_structured",
    "random_unstructured",
    "remove",
]


class BasePruningMethod:
    """A way of choosing a mask: subclasses define ``compute_mask(t, default_mask)`` and
    ``PRUNING_TYPE`` (``"unstructured"``: entries; ``"structured"``: whole channels along
    ``dim``; ``"global"``).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> class Odd(prune.BasePruningMethod):  # prune every other entry
        ...     PRUNING_TYPE = "unstructured"
        ...     def compute_mask(self, t, default_mask):
        ...         mask = default_mask.clone()
        ...         mask.view(-1)[::2] = 0
        ...         return mask
        >>> layer = nn.Linear(2, 2)
        >>> _ = Odd.apply(layer, "weight")
        >>> layer.weight_mask
        tensor([[0., 1.],
                [0., 1.]])
    """

    _tensor_name: str | None = None
    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        """The new mask for ``t``, given the mask so far (``default_mask``)."""
        raise NotImplementedError

    def apply_mask(self, module):
        """The pruned tensor: ``name_orig * name_mask``."""
        if self._tensor_name is None:
            raise ValueError(f"Module {module} has to be pruned")
        orig = getattr(module, self._tensor_name + "_orig")
        return orig * getattr(module, self._tensor_name + "_mask").to(dtype=orig.dtype)

    def __call__(self, module, inputs) -> None:
        setattr(module, self._tensor_name, self.apply_mask(module))

    @classmethod
    def apply(cls, module, name: str, *args, importance_scores=None, **kwargs):
        """Prune ``module``'s parameter ``name`` by this method, ranking entries by
        ``importance_scores`` (default: the parameter itself); returns the method (or
        the container, if ``name`` was pruned before)."""
        method = _composite_method(cls, module, name, *args, **kwargs)
        orig = getattr(module, name)
        if importance_scores is None:
            importance_scores = orig
        elif importance_scores.shape != orig.shape:
            raise ValueError(
                f"importance_scores should have the same shape as parameter {name} of "
                f"{type(module).__name__}, got {importance_scores.shape} vs {orig.shape}"
            )
        first = not isinstance(method, PruningContainer)
        if first:
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = creation.ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            with no_grad():
                mask = method.compute_mask(importance_scores.detach(), default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if first:  # leave the module as it was
                orig = module._parameters.pop(name + "_orig")
                module.register_parameter(name, orig)
            raise
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """``t`` with this method's mask applied (no module involved)."""
        scores = t if importance_scores is None else importance_scores
        default_mask = creation.ones_like(t) if default_mask is None else default_mask
        with no_grad():
            mask = self.compute_mask(scores, default_mask=default_mask)
        return t * mask

    def remove(self, module) -> None:
        """Make the pruning permanent (see :func:`remove`)."""
        if self._tensor_name is None:
            raise ValueError(f"Module {module} has to be pruned before pruning can be removed")
        name = self._tensor_name
        with no_grad():
            weight = self.apply_mask(module)
        if name in module.__dict__:
            delattr(module, name)
        orig = module._parameters.pop(name + "_orig")
        with no_grad():
            orig.copy_(weight)
        del module._buffers[name + "_mask"]
        module.register_parameter(name, orig)


def _composite_method(cls, module, name, *args, **kwargs):
    """A new ``cls(*args)`` for ``name``; if ``name`` was pruned already, its old method's
    hook is replaced by a container holding both."""
    old, keys = None, []
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            old = hook
            keys.append(key)
    if len(keys) > 1:
        raise RuntimeError(
            f"Avoid adding multiple pruning hooks to the same tensor {name} of module "
            f"{type(module).__name__}. Use a PruningContainer."
        )
    for key in keys:
        del module._forward_pre_hooks[key]
    method = cls(*args, **kwargs)
    method._tensor_name = name
    if isinstance(old, PruningContainer):
        old.add_pruning_method(method)
        return old
    if old is not None:
        container = PruningContainer(old)
        container.add_pruning_method(method)
        return container
    return method


class PruningContainer(BasePruningMethod):
    """The methods applied to one parameter in turn: each prunes among what the earlier
    ones left (entries still unmasked, or channels still nonzero).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> layer = nn.Linear(5, 2)
        >>> _ = prune.l1_unstructured(layer, "weight", amount=2)
        >>> method = prune.l1_unstructured(layer, "weight", amount=3)._forward_pre_hooks
        >>> [type(m).__name__ for hook in method.values() for m in hook]
        ['L1Unstructured', 'L1Unstructured']
        >>> int((layer.weight_mask == 0).sum())
        5
    """

    def __init__(self, *methods) -> None:
        self._pruning_methods: tuple = ()
        if len(methods) == 1:
            self._tensor_name = methods[0]._tensor_name
        for method in methods:
            self.add_pruning_method(method)

    def add_pruning_method(self, method) -> None:
        """Append ``method`` (a pruning method for the same parameter)."""
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if self._tensor_name != method._tensor_name:
            raise ValueError(
                "Can only add pruning methods acting on the parameter named "
                f"'{self._tensor_name}' to PruningContainer {self}. Found '{method._tensor_name}'"
            )
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, index):
        return self._pruning_methods[index]

    def compute_mask(self, t, default_mask):
        """The last method's mask, computed on the part of ``t`` the earlier ones left."""
        method = self._pruning_methods[-1]
        mask = default_mask.to(dtype=t.dtype).clone()
        if method.PRUNING_TYPE == "unstructured":
            kept = mask == 1
        elif method.PRUNING_TYPE == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError(
                    "Pruning methods of PRUNING_TYPE 'structured' need to have the attribute "
                    "`dim` defined."
                )
            dim = method.dim % t.ndim
            others = tuple(d for d in range(t.ndim) if d != dim)
            channels = mask.sum(others) != 0
            kept = (slice(None),) * dim + (channels,)
        elif method.PRUNING_TYPE == "global":
            kept = (slice(None),) * t.ndim
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")
        mask[kept] = method.compute_mask(t[kept], default_mask=mask[kept]).to(dtype=mask.dtype)
        return mask


class Identity(BasePruningMethod):
    """Prune nothing: a mask of ones (to get the ``_orig``/``_mask`` layout).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.utils import prune
        >>> prune.Identity().prune(minigrad.tensor([1.0, 2.0]))
        tensor([1., 2.])
    """

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class _Unstructured(BasePruningMethod):
    """Prune the ``amount`` entries of smallest :meth:`scores` (among those left)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount) -> None:
        _check_amount(amount)
        self.amount = amount

    def scores(self, t):
        """The entries' scores: the smallest are pruned."""
        raise NotImplementedError

    def compute_mask(self, t, default_mask):
        count = _count(self.amount, t.numel())
        mask = default_mask.clone()
        if count:
            mask.view(-1)[topk(self.scores(t).reshape(-1), count, largest=False).indices] = 0
        return mask


class RandomUnstructured(_Unstructured):
    """Prune ``amount`` entries chosen at random (among those not pruned yet).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.utils import prune
        >>> pruned = prune.RandomUnstructured(amount=2).prune(minigrad.ones(5))
        >>> int((pruned == 0).sum())
        2
    """

    def scores(self, t):
        """Uniform random draws: a random choice."""
        return creation.rand_like(t)

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(_Unstructured):
    """Prune the ``amount`` entries of smallest absolute value (among those left).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.utils import prune
        >>> prune.L1Unstructured(amount=1).prune(minigrad.tensor([3.0, 1.0, -2.0]))
        tensor([ 3.,  0., -2.])
    """

    def scores(self, t):
        """The absolute values: the smallest weights go."""
        return t.abs()

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class _Structured(BasePruningMethod):
    """Prune ``amount`` whole channels along ``dim``: those :meth:`kept` leaves out."""

    PRUNING_TYPE = "structured"

    def kept(self, t, dim: int, count: int):
        """A bool vector over the channels: which stay when ``count`` of them go."""
        raise NotImplementedError

    def compute_mask(self, t, default_mask):
        _check_structured(t, self.dim)
        count = _count(self.amount, t.shape[self.dim])
        if not count:
            return default_mask
        dim = self.dim % t.ndim
        return _channel_mask(t, dim, self.kept(t, dim, count)) * default_mask.to(dtype=t.dtype)


class RandomStructured(_Structured):
    """Prune ``amount`` whole channels along ``dim``, chosen at random.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.utils import prune
        >>> pruned = prune.RandomStructured(amount=1, dim=0).prune(minigrad.ones(4, 3))
        >>> pruned.sum(1).tolist().count(0.0)  # one row of the four
        1
    """

    def __init__(self, amount, dim: int = -1) -> None:
        _check_amount(amount)
        self.amount, self.dim = amount, dim

    def kept(self, t, dim: int, count: int):
        """The channels above the ``count``-th smallest of uniform draws."""
        draws = creation.rand(t.shape[dim], device=t.device)
        return draws > kthvalue(draws, count).values

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(_Structured):
    """Prune the ``amount`` channels along ``dim`` of smallest ``n``-norm (taken over all
    the other dimensions): a convolution's weakest filters, a Linear layer's units.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.utils import prune
        >>> w = minigrad.tensor([[1.0, 1.0], [0.1, 0.1]])
        >>> prune.LnStructured(amount=1, n=2, dim=0).prune(w)
        tensor([[1., 1.],
                [0., 0.]])
    """

    def __init__(self, amount, n, dim: int = -1) -> None:
        _check_amount(amount)
        self.amount, self.n, self.dim = amount, n, dim

    def kept(self, t, dim: int, count: int):
        """The channels of the largest norms."""
        channels = t.shape[dim]
        norms = vector_norm(t, ord=self.n, dim=tuple(d for d in range(t.ndim) if d != dim))
        kept = creation.zeros(channels, dtype=bool, device=t.device)
        kept[topk(norms, channels - count, largest=True).indices] = True
        return kept

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(
            module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores
        )


class CustomFromMask(BasePruningMethod):
    """Prune by a given mask (combined with the mask so far).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.utils import prune
        >>> prune.CustomFromMask(minigrad.tensor([1.0, 0.0])).prune(minigrad.tensor([5.0, 6.0]))
        tensor([5., 0.])
    """

    PRUNING_TYPE = "global"

    def __init__(self, mask) -> None:
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise ValueError(
                f"custom_from_mask: the mask has shape {self.mask.shape}, the parameter "
                f"{default_mask.shape}"
            )
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def identity(module, name: str):
    """Give ``name`` the pruned layout with a mask of ones (nothing pruned); returns the
    module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> layer = prune.identity(nn.Linear(2, 2), "weight")
        >>> sorted(layer.state_dict())
        ['bias', 'weight_mask', 'weight_orig']
    """
    Identity.apply(module, name)
    return module


def random_unstructured(module, name: str, amount):
    """Prune ``amount`` random entries of ``name``; returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> layer = prune.random_unstructured(nn.Linear(4, 5), "weight", amount=0.25)
        >>> int((layer.weight == 0).sum())
        5
    """
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name: str, amount, importance_scores=None):
    """Prune the ``amount`` entries of ``name`` of smallest absolute value (or of
    smallest ``importance_scores``); returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> layer = nn.Linear(3, 1, bias=False)
        >>> with minigrad.no_grad():
        ...     _ = layer.weight.copy_(minigrad.tensor([[0.5, 0.1, -2.0]]))
        >>> layer = prune.l1_unstructured(layer, "weight", amount=1)
        >>> layer.weight
        tensor([[ 0.5000,  0.0000, -2.0000]], grad_fn=<MulBackward0>)
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name: str, amount, dim: int):
    """Prune ``amount`` random channels of ``name`` along ``dim``; returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> layer = prune.random_structured(nn.Linear(3, 4), "weight", amount=2, dim=0)
        >>> int((layer.weight.abs().sum(1) == 0).sum())  # two of the four units
        2
    """
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name: str, amount, n, dim: int, importance_scores=None):
    """Prune the ``amount`` channels of ``name`` along ``dim`` of smallest ``n``-norm;
    returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> conv = prune.ln_structured(nn.Conv2d(1, 4, 3), "weight", amount=0.5, n=2, dim=0)
        >>> int((conv.weight_mask.sum((1, 2, 3)) == 0).sum())  # two of the four filters
        2
    """
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs) -> None:
    """Prune the ``(module, name)`` pairs of ``parameters`` together: ``pruning_method``
    (an unstructured method's class) ranks all their entries at once, so layers lose
    different fractions (``amount`` of the total).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> a, b = nn.Linear(4, 4), nn.Linear(4, 4)
        >>> with minigrad.no_grad():
        ...     _ = a.weight.fill_(1.0)
        ...     _ = b.weight.fill_(0.01)
        >>> prune.global_unstructured([(a, "weight"), (b, "weight")],
        ...                           pruning_method=prune.L1Unstructured, amount=16)
        >>> int(a.weight_mask.sum()), int(b.weight_mask.sum())
        (16, 0)
    """
    parameters = list(parameters)
    importance_scores = {} if importance_scores is None else importance_scores
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    scores = parameters_to_vector(
        [importance_scores.get((m, n), getattr(m, n)).detach() for m, n in parameters]
    )
    default_mask = parameters_to_vector(
        [getattr(m, n + "_mask") if hasattr(m, n + "_mask") else creation.ones_like(getattr(m, n))
         for m, n in parameters]
    )  # fmt: skip
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
            f"{pruning_method} of type {method.PRUNING_TYPE}"
        )
    method._tensor_name = "temp"
    container = PruningContainer(method)
    with no_grad():
        final = container.compute_mask(scores, default_mask)
    start = 0
    for module, name in parameters:
        param = getattr(module, name)
        custom_from_mask(module, name, final[start : start + param.numel()].reshape(param.shape))
        start += param.numel()


def custom_from_mask(module, name: str, mask):
    """Prune ``name`` by ``mask`` (ones keep, zeros prune); returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> layer = prune.custom_from_mask(nn.Linear(2, 1), "bias", minigrad.tensor([0.0]))
        >>> layer.bias_mask, layer.bias.abs()
        (tensor([0.]), tensor([0.], grad_fn=<AbsBackward0>))
    """
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name: str):
    """Make the pruning of ``name`` permanent: a parameter again, holding the masked
    values, without ``name_orig``, ``name_mask`` or the hook; returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> layer = prune.l1_unstructured(nn.Linear(2, 2), "weight", amount=1)
        >>> layer = prune.remove(layer, "weight")
        >>> sorted(layer.state_dict()), int((layer.weight == 0).sum())
        (['bias', 'weight'], 1)
    """
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(
        f"Parameter '{name}' of module {type(module).__name__} has to be pruned before pruning "
        "can be removed"
    )


def is_pruned(module) -> bool:
    """Whether ``module`` or any module inside it has a pruned parameter.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import prune
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        >>> prune.is_pruned(model), prune.is_pruned(prune.identity(model[0], "bias"))
        (False, True)
    """
    return any(
        isinstance(hook, BasePruningMethod)
        for m in module.modules()
        for hook in m._forward_pre_hooks.values()
    )


def _check_amount(amount) -> None:
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
        not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0
    ):
        raise ValueError(
            f"amount={amount} should either be a float in the range [0, 1] or a non-negative "
            "integer"
        )


def _count(amount, size: int) -> int:
    """How many of ``size`` entries (or channels) ``amount`` prunes."""
    count = amount if isinstance(amount, numbers.Integral) else round(amount * size)
    if count > size:
        raise ValueError(
            f"amount={amount} should be smaller than the number of parameters to prune={size}"
        )
    return int(count)


def _check_structured(t, dim: int) -> None:
    if t.ndim <= 1:
        raise ValueError(
            "Structured pruning can only be applied to multidimensional tensors. Found tensor "
            f"of shape {t.shape} with {t.ndim} dims"
        )
    if dim >= t.ndim:
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")


def _channel_mask(t, dim: int, kept):
    """Ones in the channels along ``dim`` where ``kept`` (a bool vector) is true."""
    shape = [1] * t.ndim
    shape[dim] = t.shape[dim]
    return kept.to(dtype=t.dtype).reshape(shape).expand(t.shape).contiguous()
