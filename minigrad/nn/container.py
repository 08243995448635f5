"""The list- and dict-like containers: ``ModuleList``, ``ModuleDict``, ``ParameterList``,
``ParameterDict``.

They register what they hold, so that ``parameters()``, ``state_dict()`` and ``to()`` find
it, under PyTorch's names ("0", "1", ... or the dict's keys). ``Sequential``, the container
that also runs its modules, is in ``module.py`` beside ``Module``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..tensor import Tensor
from .module import Module, _index, _renumber
from .parameter import Parameter


class _NumberedList(Module):
    """The list protocol over one registry (``_registry``: "_modules" or "_parameters"),
    whose entries are named "0", "1", ... by position: what ModuleList and ParameterList
    share. A subclass adds ``append`` (how an entry is registered)."""

    _registry = "_modules"

    def __init__(self, items: Iterable | None = None) -> None:
        super().__init__()
        if items is not None:
            self.extend(items)

    def _entries(self) -> dict:
        return getattr(self, self._registry)

    def __len__(self) -> int:
        return len(self._entries())

    def __iter__(self) -> Iterator:
        return iter(self._entries().values())

    def __getitem__(self, index):
        items = list(self._entries().values())
        if isinstance(index, slice):
            return type(self)(items[index])
        return items[_index(index, len(items))]

    def extend(self, items: Iterable):
        """Append each of ``items``; returns the list."""
        for item in items:
            self.append(item)
        return self

    def __iadd__(self, items: Iterable):
        return self.extend(items)


class ModuleList(_NumberedList):
    """A list of submodules, registered so that their parameters are found.

    Example:
        >>> from minigrad import nn
        >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        >>> len(list(layers.parameters()))
        6
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__(modules)  # (PyTorch's keyword name)

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(str(_index(index, len(self))), module)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end (named by its position); returns the ModuleList."""
        self.add_module(str(len(self)), module)
        return self

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        """A new ModuleList with this one's modules, then ``other``'s."""
        return ModuleList([*self, *other])

    def __delitem__(self, index) -> None:
        """Remove the module(s) at ``index``; the rest are renamed by position."""
        keep = list(self._modules.values())
        del keep[index if isinstance(index, slice) else _index(index, len(keep))]
        _renumber(self, keep)

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index``; the modules are renamed by position."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        items = list(self._modules.values())
        items.insert(index, module)
        _renumber(self, items)

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at ``index`` (the last by default)."""
        module = self[index]
        del self[index]
        return module

    def forward(self, *args, **kwargs):
        """A ModuleList has no forward: iterate over it in the forward of the module that
        holds it.
        """
        raise NotImplementedError("ModuleList has no forward(); iterate over it instead")


class _Keyed(Module):
    """What ``ModuleDict`` and ``ParameterDict`` share: a dict whose values are registered
    (as submodules, or as parameters) under their keys, in insertion order. Subclasses
    name the registry (``_modules`` or ``_parameters``) and how a value is added."""

    _registry = ""

    def __init__(self, values=None) -> None:
        super().__init__()
        if values is not None:
            self.update(values)

    def _entries(self) -> dict:
        return getattr(self, self._registry)

    def _add(self, key: str, value) -> None:
        raise NotImplementedError

    def __getitem__(self, key: str):
        if key not in self._entries():
            raise KeyError(key)
        return self._entries()[key]

    def __setitem__(self, key: str, value) -> None:
        self._add(key, value)

    def __delitem__(self, key: str) -> None:
        if key not in self._entries():
            raise KeyError(key)
        del self._entries()[key]

    def __len__(self) -> int:
        return len(self._entries())

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries())

    def __contains__(self, key) -> bool:
        return key in self._entries()

    def keys(self):
        """The keys, in insertion order."""
        return self._entries().keys()

    def items(self):
        """``(key, value)`` pairs, in insertion order."""
        return self._entries().items()

    def values(self):
        """The values, in insertion order."""
        return self._entries().values()

    def get(self, key: str, default=None):
        """The value under ``key``, or ``default``."""
        return self._entries().get(key, default)

    def clear(self) -> None:
        """Remove every entry."""
        self._entries().clear()

    def pop(self, key: str):
        """Remove and return the value under ``key``."""
        value = self[key]
        del self[key]
        return value

    def update(self, values) -> None:
        """Add the entries of a mapping, or of an iterable of ``(key, value)`` pairs."""
        pairs = values.items() if hasattr(values, "items") else values
        for pair in pairs:
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(
                    f"{type(self).__name__}.update expects a mapping or (key, value) pairs, "
                    f"got an element of type {type(pair).__name__}"
                )
            self[pair[0]] = pair[1]

    def forward(self, *args, **kwargs):
        """A dict container has no forward: pick its entries in the holder's forward."""
        raise NotImplementedError(f"{type(self).__name__} has no forward(); index it instead")


class ModuleDict(_Keyed):
    """A dict of submodules, registered under their keys (so ``state_dict`` keys read
    ``"<key>.weight"``). Keeps insertion order.

    Example:
        >>> from minigrad import nn
        >>> heads = nn.ModuleDict({"digit": nn.Linear(8, 10), "parity": nn.Linear(8, 2)})
        >>> list(heads), type(heads["digit"]).__name__, "parity" in heads
        (['digit', 'parity'], 'Linear', True)
    """

    _registry = "_modules"

    def __init__(self, modules=None) -> None:
        super().__init__(modules)  # (PyTorch's keyword name)

    def _add(self, key: str, module) -> None:
        self.add_module(key, module)


class ParameterDict(_Keyed):
    """A dict of parameters, registered under their keys so that ``parameters()`` and
    ``state_dict()`` find them; plain tensors are wrapped in a Parameter, as in PyTorch.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> scales = nn.ParameterDict({"left": minigrad.ones(2), "right": minigrad.zeros(2)})
        >>> list(scales.state_dict()), scales["left"].requires_grad
        (['left', 'right'], True)
    """

    _registry = "_parameters"

    def __init__(self, parameters=None) -> None:
        super().__init__(parameters)  # (PyTorch's keyword name)

    def _add(self, key: str, value) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict keys must be strings, got {type(key).__name__}")
        self.register_parameter(key, _as_parameter(value, "ParameterDict"))


class ParameterList(_NumberedList):
    """A list of parameters, registered as "0", "1", ... so that ``parameters()`` and
    ``state_dict()`` find them. Plain tensors are wrapped in a Parameter, as in PyTorch.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> weights = nn.ParameterList([minigrad.ones(2) for _ in range(3)])
        >>> len(list(weights.parameters())), list(weights.state_dict())
        (3, ['0', '1', '2'])
    """

    _registry = "_parameters"

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__(values)  # (PyTorch's keyword name)

    def __setitem__(self, index: int, value: Tensor) -> None:
        self.register_parameter(str(_index(index, len(self))), _as_parameter(value))

    def append(self, value: Tensor) -> ParameterList:
        """Add ``value`` (a Parameter, or a tensor made into one) at the end."""
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def forward(self, *args, **kwargs):
        """A ParameterList has no forward: use its parameters in the holder's forward."""
        raise NotImplementedError("ParameterList has no forward(); index it instead")


def _as_parameter(value, holder: str = "ParameterList") -> Parameter:
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"{holder} holds tensors, got {type(value).__name__}")
