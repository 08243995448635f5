"""The list- and dict-like containers: ``ModuleList``, ``ModuleDict``, ``ParameterList``.

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


class ModuleDict(Module):
    """A dict of submodules, registered under their keys (so ``state_dict`` keys read
    ``"<key>.weight"``). Keeps insertion order.

    Example:
        >>> from minigrad import nn
        >>> heads = nn.ModuleDict({"digit": nn.Linear(8, 10), "parity": nn.Linear(8, 2)})
        >>> list(heads), type(heads["digit"]).__name__, "parity" in heads
        (['digit', 'parity'], 'Linear', True)
    """

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(key)
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(key)
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        """The keys, in insertion order."""
        return self._modules.keys()

    def items(self):
        """``(key, module)`` pairs, in insertion order."""
        return self._modules.items()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove and return the module under ``key``."""
        module = self[key]
        del self[key]
        return module

    def update(self, modules) -> None:
        """Add the modules of a mapping, or of an iterable of ``(key, module)`` pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for pair in pairs:
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(
                    f"ModuleDict.update expects a mapping or (key, module) pairs, got an "
                    f"element of type {type(pair).__name__}"
                )
            self[pair[0]] = pair[1]

    def forward(self, *args, **kwargs):
        """A ModuleDict has no forward: pick its modules in the holder's forward."""
        raise NotImplementedError("ModuleDict has no forward(); index it instead")


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


def _as_parameter(value) -> Parameter:
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"ParameterList holds tensors, got {type(value).__name__}")
