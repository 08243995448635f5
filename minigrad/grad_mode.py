"""Grad mode: whether operations record the graph that ``backward`` needs.

One flag, :data:`enabled`, read by ``Function.apply`` (``autograd.py``) each time an op
runs. Everything else here sets it for a while and puts it back: ``no_grad()`` for
evaluation and optimizer updates, ``enable_grad()`` inside it, ``set_grad_enabled(mode)``;
each works as a ``with`` block, as a decorator (bare too, ``@no_grad``), and on generator
functions, whose body runs in the mode while the caller's code between steps keeps its own
(as in PyTorch).
"""

from __future__ import annotations

import contextlib
import functools
import inspect

enabled = True


def is_grad_enabled() -> bool:
    """True when operations record the graph that backward needs.

    Example:
        >>> import minigrad
        >>> minigrad.is_grad_enabled()
        True
        >>> with minigrad.no_grad():
        ...     print(minigrad.is_grad_enabled())
        False
    """
    return enabled


class _GradMode(contextlib.ContextDecorator):
    """Sets the grad mode inside a ``with`` block or a decorated function, then restores it."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    def _recreate_cm(self):  # a fresh object per decorated call, so recursive calls nest
        return _GradMode(self.mode)

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(self.mode, func)
        return super().__call__(func)

    def __enter__(self) -> None:
        global enabled
        self.prev = enabled
        enabled = self.mode

    def __exit__(self, *exc) -> None:
        global enabled
        enabled = self.prev


def _wrap_generator(mode: bool, func):
    """A generator function decorated with a grad mode: its body runs in that mode at every
    step, while the caller's code between steps keeps the caller's mode (as in PyTorch; a
    plain ``with`` around the generator would leak the mode into the caller)."""

    @functools.wraps(func)
    def generator(*args, **kwargs):
        inner = func(*args, **kwargs)
        try:
            with _GradMode(mode):
                response = inner.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with _GradMode(mode):
                        inner.close()
                    raise
                except BaseException as error:
                    with _GradMode(mode):
                        response = inner.throw(error)
                else:
                    with _GradMode(mode):
                        response = inner.send(request)
        except StopIteration as stop:
            return stop.value

    return generator


class _BareDecorator(_GradMode):
    """``no_grad`` and ``enable_grad`` also work as bare decorators (``@no_grad``, without
    the parentheses), as in PyTorch."""

    _mode = False

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is None:
            return self
        self.__init__()
        return self(func)

    def __init__(self, func=None) -> None:
        super().__init__(self._mode)


class no_grad(_BareDecorator):
    """Context manager and decorator that stops operations from recording a graph.

    Use it for evaluation and for optimizer updates: nothing is saved for backward, so it
    is faster and uses less memory.

    Example:
        >>> import minigrad
        >>> w = minigrad.ones(3, requires_grad=True)
        >>> with minigrad.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """

    _mode = False


class enable_grad(_BareDecorator):
    """Context manager and decorator that turns graph recording back on inside ``no_grad``.

    Example:
        >>> import minigrad
        >>> x = minigrad.ones(2, requires_grad=True)
        >>> with minigrad.no_grad():
        ...     with minigrad.enable_grad():
        ...         y = x * 2
        >>> y.requires_grad
        True
    """

    _mode = True


class set_grad_enabled(_GradMode):
    """Turn graph recording on or off: a plain call, a context manager or a decorator.

    Example:
        >>> import minigrad
        >>> x = minigrad.ones(2, requires_grad=True)
        >>> with minigrad.set_grad_enabled(False):
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    def __init__(self, mode: bool) -> None:
        global enabled
        super().__init__(mode)
        self.prev = enabled
        enabled = self.mode  # a plain call switches the mode at once, as in PyTorch

    def __enter__(self) -> None:  # the mode is already set; __exit__ restores the old one
        pass

    def __call__(self, func):
        global enabled
        enabled = self.prev  # as a decorator it switches only while func runs
        return super().__call__(func)

    def __repr__(self) -> str:  # what a plain call shows at the prompt, as PyTorch's
        return f"minigrad.grad_mode.set_grad_enabled(mode={self.mode})"


_inference = False  # inside inference_mode()


class inference_mode(_GradMode):
    """Context manager and decorator for inference: no graph is recorded, as under
    :class:`no_grad`. (PyTorch's also marks the tensors made inside as inference
    tensors, which autograd refuses later, to save their bookkeeping; minigrad has no
    such bookkeeping to save, so its tensors stay ordinary.) ``inference_mode(False)``
    switches it off again inside, and turns gradients on, as PyTorch's does.

    Example:
        >>> import minigrad
        >>> w = minigrad.ones(3, requires_grad=True)
        >>> with minigrad.inference_mode():
        ...     y = w * 2
        >>> y.requires_grad, minigrad.is_inference_mode_enabled()
        (False, False)
    """

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode) and not isinstance(mode, bool):  # a bare @inference_mode
            self.__init__()
            return self(mode)
        return self

    def __init__(self, mode=True) -> None:
        self.inference = True if callable(mode) and not isinstance(mode, bool) else bool(mode)
        super().__init__(not self.inference)  # inference_mode(False) turns gradients on

    def _recreate_cm(self):
        return inference_mode(self.inference)

    def __enter__(self) -> None:
        global _inference
        self.was_inference = _inference
        _inference = self.inference
        super().__enter__()

    def __exit__(self, *exc) -> None:
        global _inference
        _inference = self.was_inference
        super().__exit__(*exc)


def is_inference_mode_enabled() -> bool:
    """Whether code runs inside ``inference_mode()``.

    Example:
        >>> import minigrad
        >>> with minigrad.inference_mode():
        ...     minigrad.is_inference_mode_enabled()
        True
    """
    return _inference
