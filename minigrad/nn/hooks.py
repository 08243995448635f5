"""Hooks: functions that a :class:`~minigrad.nn.Module` calls around its ``forward``, and
(``backward_hooks.py``) when backward reaches its outputs and inputs.

``Module.__call__`` runs ``forward`` directly when no hook is registered; with hooks it
comes here (``_call_with_hooks``): the pre-hooks, which may replace the arguments, then
``forward``, then the hooks, which may replace the output. PyTorch's options are all
here: ``prepend``, ``with_kwargs`` and ``always_call`` (run even when ``forward`` raises).
With backward hooks, the inputs (after the pre-hooks) and the output (after the hooks) go
through the gates of ``backward_hooks.py``. ``Module`` inherits these methods from
:class:`ModuleHooks`; the dicts they use are made in ``Module.__init__``.
"""

from __future__ import annotations

import warnings

from .. import grad_mode
from .backward_hooks import BackwardHookCall


class RemovableHandle:
    """Returned by ``register_forward_hook``; ``handle.remove()`` takes the hook away."""

    def __init__(self, hooks: dict, key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


class ModuleHooks:
    """The hook methods of ``Module`` (a base class of it: use them on any module)."""

    _hook_counter = 0

    def _call_with_hooks(self, args, kwargs):
        """``__call__`` when hooks are registered: the pre-hooks, ``forward``, the hooks."""
        called = set()
        output = None
        backward = None
        if (self._backward_hooks or self._backward_pre_hooks) and grad_mode.enabled:
            backward = BackwardHookCall(self)
        try:
            for key, hook in list(self._forward_pre_hooks.items()):
                args, kwargs = self._run_pre_hook(key, hook, args, kwargs)
            if backward is not None:
                args = backward.gate_inputs(args)
            output = self.forward(*args, **kwargs)
            for key, hook in list(self._forward_hooks.items()):
                called.add(key)
                output = self._run_forward_hook(key, hook, args, kwargs, output)
            if backward is not None:
                output = backward.gate_outputs(output)
        except Exception:
            # Hooks registered with always_call=True still run (output None if forward
            # failed); an error they raise is reported as a warning, not in place of this one.
            for key, hook in list(self._forward_hooks.items()):
                if key in self._hooks_always_called and key not in called:
                    try:
                        output = self._run_forward_hook(key, hook, args, kwargs, output)
                    except Exception as error:
                        warnings.warn(
                            "module forward hook with ``always_call=True`` raised an exception "
                            f"that was silenced as another error was raised in forward: {error}",
                            stacklevel=2,
                        )
            raise
        return output

    def _run_pre_hook(self, key, hook, args, kwargs):
        if key in self._hooks_with_kwargs:
            result = hook(self, args, kwargs)
            if result is None:
                return args, kwargs
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(
                    "forward pre-hook must return None or a tuple of "
                    f"(new_args, new_kwargs), but got {result!r}."
                )
            return result
        result = hook(self, args)
        if result is None:
            return args, kwargs
        return (result if isinstance(result, tuple) else (result,)), kwargs

    def _run_forward_hook(self, key, hook, args, kwargs, output):
        if key in self._hooks_with_kwargs:
            result = hook(self, args, kwargs, output)
        else:
            result = hook(self, args, output)
        return output if result is None else result

    def register_forward_hook(
        self, hook, *, prepend: bool = False, with_kwargs: bool = False, always_call: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward (``hook(module, args,
        kwargs, output)`` with ``with_kwargs=True``); a non-None return value replaces the
        output. ``prepend=True`` runs it before the hooks already registered;
        ``always_call=True`` runs it even when forward raises (with output None). Returns
        a handle whose ``remove()`` unregisters it.

        Example:
            >>> import minigrad
            >>> from minigrad import nn
            >>> layer = nn.ReLU()
            >>> handle = layer.register_forward_hook(lambda module, args, output: output * 2)
            >>> layer(minigrad.tensor([-1.0, 3.0]))
            tensor([0., 6.])
            >>> handle.remove()
        """
        handle = self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)
        if always_call:
            self._hooks_always_called.add(handle._key)
        return handle

    def register_forward_pre_hook(
        self, hook, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward; a non-None return value
        replaces the positional arguments. With ``with_kwargs=True`` it is called as
        ``hook(module, args, kwargs)`` and may return a new ``(args, kwargs)`` pair.
        ``prepend=True`` runs it before the hooks already registered."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when backward has computed the
        gradients with respect to the module's positional tensor inputs (``grad_input``,
        a tuple with None for inputs that need none) from those of its outputs
        (``grad_output``). A non-None return value, a tuple like ``grad_input``, replaces
        the gradients that flow on to the inputs. See ``backward_hooks.py``.

        Example:
            >>> import minigrad
            >>> from minigrad import nn
            >>> layer = nn.Linear(3, 2)
            >>> seen = []
            >>> def hook(module, grad_input, grad_output):
            ...     seen.append((grad_input[0].shape, grad_output[0].shape))
            >>> handle = layer.register_full_backward_hook(hook)
            >>> layer(minigrad.randn(4, 3, requires_grad=True)).sum().backward()
            >>> seen
            [(minigrad.Size([4, 3]), minigrad.Size([4, 2]))]
        """
        return self._add_hook(self._backward_hooks, hook, prepend, False)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when backward reaches the module's outputs,
        before their gradients flow into it; a non-None return value (a tuple like
        ``grad_output``) replaces them, and so changes every gradient computed from them,
        the parameters' included.

        Example:
            >>> import minigrad
            >>> from minigrad import nn
            >>> layer = nn.Linear(3, 1)
            >>> handle = layer.register_full_backward_pre_hook(lambda m, g: (g[0] * 0,))
            >>> layer(minigrad.randn(4, 3)).sum().backward()
            >>> layer.weight.grad.abs().sum().item()
            0.0
        """
        return self._add_hook(self._backward_pre_hooks, hook, prepend, False)

    def register_backward_hook(self, hook):
        """Refused: PyTorch's deprecated non-full hook sees the gradients of the last op
        inside the module, a layout that depends on how ``forward`` is written. Use
        :meth:`register_full_backward_hook`, which has PyTorch's documented behaviour."""
        raise NotImplementedError(
            "register_backward_hook (deprecated in PyTorch) is not supported; use "
            "register_full_backward_hook(hook), called as hook(module, grad_input, grad_output)"
        )

    def _add_hook(self, hooks: dict, hook, prepend: bool, with_kwargs: bool) -> RemovableHandle:
        ModuleHooks._hook_counter += 1
        key = ModuleHooks._hook_counter
        hooks[key] = hook
        if prepend:
            hooks.move_to_end(key, last=False)
        if with_kwargs:
            self._hooks_with_kwargs.add(key)
        return RemovableHandle(hooks, key)
