"""A module called with other tensors in place of its parameters and buffers.

``functional_call(model, {"fc.weight": w}, (x,))`` runs ``model(x)`` as if ``model.fc``'s
weight were ``w``, then puts the module back as it was. It is what turns a module into a
pure function of its parameters, for ``minigrad.func``'s transforms (per-sample gradients,
model ensembles). This module holds the swap (:func:`reparametrized`); the public name is
``minigrad.func.functional_call``, and ``nn.utils.stateless.functional_call`` is PyTorch's
older spelling of it.

The tensors go into the module's registries for the call: a buffer that ``forward``
updates in place (BatchNorm's running statistics) updates the tensor given, not the
module's own. Parameters tied in the module (the same tensor under two names, such as an
embedding shared with the output layer) stay tied: a value given for one name serves all
of them (``tie_weights=False`` replaces only the name given).
"""

from __future__ import annotations

import contextlib
import warnings

from ...tensor import Tensor

__all__ = ["functional_call"]


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):  # fmt: skip
    """PyTorch's deprecated spelling of :func:`minigrad.func.functional_call` (warns).

    Example:
        >>> import warnings
        >>> import minigrad
        >>> from minigrad import nn
        >>> layer = nn.Linear(2, 1)
        >>> new = {"weight": minigrad.ones(1, 2), "bias": minigrad.zeros(1)}
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)
        ...     nn.utils.stateless.functional_call(layer, new, minigrad.tensor([[1.0, 2.0]]))
        tensor([[3.]])
    """
    warnings.warn(
        "`minigrad.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and "
        "will be removed in a future version of PyTorch. Please use "
        "`minigrad.func.functional_call` instead which is a drop-in replacement.",
        FutureWarning,
        stacklevel=2,
    )
    return call_with(module, parameters_and_buffers, args, kwargs, tie_weights, strict)


def call_with(module, dicts, args, kwargs, tie_weights: bool, strict: bool):
    """``module(*args, **kwargs)`` with the tensors of ``dicts`` (one dict, or a sequence of
    dicts with no name in two) in place of its parameters and buffers."""
    if isinstance(dicts, dict):
        tensors = dict(dicts)
    elif isinstance(dicts, list | tuple) and all(isinstance(d, dict) for d in dicts):
        tensors = {}
        for d in dicts:
            twice = sorted(set(tensors) & set(d))
            if twice:
                raise ValueError(
                    f"{twice} appeared in multiple dictionaries; behavior of functional call "
                    "is ambiguous"
                )
            tensors.update(d)
    else:
        raise TypeError(
            "functional_call: parameter_and_buffer_dicts must be a dict of name -> Tensor, or "
            f"a sequence of such dicts, got {type(dicts).__name__}"
        )
    for name, value in tensors.items():
        if not isinstance(value, Tensor):
            raise TypeError(
                f"functional_call: the value for {name!r} must be a Tensor, got "
                f"{type(value).__name__}"
            )
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with reparametrized(module, tensors, tie_weights, strict):
        return module(*args, **(kwargs or {}))


@contextlib.contextmanager
def reparametrized(module, tensors: dict, tie_weights: bool = True, strict: bool = False):
    """Within the block, ``module``'s parameters and buffers named in ``tensors`` (dotted
    names, as in ``state_dict()``) are those tensors; afterwards, the module's own again."""
    names = [n for n, _ in module.named_parameters(remove_duplicate=False)]
    names += [n for n, _ in module.named_buffers(remove_duplicate=False)]
    if tie_weights:
        tensors = _with_ties(module, tensors)
    if strict:
        _check_strict(module, names, tensors)
    swapped = []  # (registry or None for a plain attribute, owner, name, what was there)
    try:
        for dotted, value in tensors.items():
            path, _, name = dotted.rpartition(".")
            owner = module.get_submodule(path)
            registry = next((r for r in (owner._parameters, owner._buffers) if name in r), None)
            if registry is not None:
                swapped.append((registry, owner, name, registry[name]))
                registry[name] = value
            else:  # not a parameter or buffer of the module (strict=False): an attribute
                _check_plain_attribute(owner, dotted, name)
                swapped.append((None, owner, name, owner.__dict__.get(name, _MISSING)))
                object.__setattr__(owner, name, value)
        yield
    finally:
        for registry, owner, name, old in reversed(swapped):
            if registry is not None:
                registry[name] = old
            elif old is _MISSING:
                owner.__dict__.pop(name, None)
            else:
                object.__setattr__(owner, name, old)


_MISSING = object()


def _check_plain_attribute(owner, dotted: str, name: str) -> None:
    """Refuse a name that is neither a parameter, a buffer nor a plain attribute: a
    submodule, or a tensor computed by a property (a parametrization), whose setter would
    change the module's own tensors instead of standing in for them for one call."""
    if name in owner._modules:
        raise TypeError(
            f"functional_call: {dotted!r} is a submodule ({type(owner._modules[name]).__name__}),"
            " not a parameter or buffer: name its tensors instead (e.g. "
            f"'{dotted}.weight')"
        )
    if isinstance(getattr(type(owner), name, None), property):
        path = dotted[: -len(name)]  # "layer." for "layer.weight"
        raise NotImplementedError(
            f"functional_call: {dotted!r} is computed by a parametrization (or another "
            "property); minigrad does not bypass it for the call: pass the tensors it is "
            f"computed from instead (e.g. '{path}parametrizations.{name}.original')"
        )


def _with_ties(module, tensors: dict) -> dict:
    """``tensors`` with a value given for one name of a tied tensor given for all of its
    names; two different values for one tied tensor are an error."""
    groups: dict[int, list[str]] = {}
    for name, t in [*module.named_parameters(remove_duplicate=False),
                    *module.named_buffers(remove_duplicate=False)]:  # fmt: skip
        groups.setdefault(id(t), []).append(name)
    out = dict(tensors)
    for tied in groups.values():
        if len(tied) < 2:
            continue
        given = [n for n in tied if n in tensors]
        if not given:
            continue
        if len({id(tensors[n]) for n in given}) > 1:
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(given)}, which are "
                "tied. Consider using tie_weights=False"
            )
        for name in tied:
            out[name] = tensors[given[0]]
    return out


def _check_strict(module, names: list[str], tensors: dict) -> None:
    missing = [n for n in names if n not in tensors]
    unexpected = [n for n in tensors if n not in set(names)]
    if missing or unexpected:
        lines = []
        if unexpected:
            lines.append("Unexpected key(s): " + ", ".join(repr(n) for n in unexpected) + ".")
        if missing:
            lines.append("Missing key(s): " + ", ".join(repr(n) for n in missing) + ".")
        raise RuntimeError(
            f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(lines)
        )
