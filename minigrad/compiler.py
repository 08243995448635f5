"""``minigrad.compile``: PyTorch's ``torch.compile``, accepted and run eagerly.

PyTorch programs such as nanoGPT's ``train.py`` wrap their model in ``torch.compile``
when they can. minigrad has no graph compiler: ``compile`` returns what it is given, so
such programs run as they are, on minigrad's own fast paths (``minigrad/fast/``).
"""

from __future__ import annotations

_OPTIONS = {"fullgraph", "dynamic", "backend", "mode", "options", "disable"}


def compile(model=None, **options):
    """Return ``model`` (a module or function) unchanged: there is nothing to compile.
    As a decorator it works bare (``@minigrad.compile``) and with PyTorch's options
    (``@minigrad.compile(mode="max-autotune")``), which are accepted and ignored; an
    option PyTorch does not have is refused.

    Example:
        >>> import minigrad
        >>> model = minigrad.nn.Linear(2, 1)
        >>> minigrad.compile(model) is model
        True
        >>> @minigrad.compile(mode="reduce-overhead")
        ... def double(x):
        ...     return x * 2
        >>> double(minigrad.ones(2))
        tensor([2., 2.])
    """
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(
            f"compile() got an unexpected keyword argument {sorted(unknown)[0]!r} (PyTorch's "
            f"options: {', '.join(sorted(_OPTIONS))})"
        )
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise TypeError(f"compile() expects a module or a function, got {type(model).__name__}")
    return model
