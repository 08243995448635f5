"""Forward hooks: functions that a :class:`~minigrad.nn.Module` calls around its ``forward``.

``Module.__call__`` runs ``forward`` directly when no hook is registered; with hooks it
comes here (``_call_with_hooks``): the pre-hooks, which may replace the arguments, then
``forward``, then the hooks, which may replace the output. PyTorch's options are all
here: ``prepend``, ``with_kwargs`` and ``always_call`` (run even when ``forward`` raises).
``Module`` inherits these methods from :class:`ModuleHooks`; the dicts they use are made
in ``Module.__init__``.
"""

from __future__ import annotations

import warnings


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
        try:
            for key, hook in list(self._forward_pre_hooks.items()):
                args, kwargs = self._run_pre_hook(key, hook, args, kwargs)
            output = self.forward(*args, **kwargs)
            for key, hook in list(self._forward_hooks.items()):
                called.add(key)
                output = self._run_forward_hook(key, hook, args, kwargs, output)
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

    def _add_hook(self, hooks: dict, hook, prepend: bool, with_kwargs: bool) -> RemovableHandle:
        ModuleHooks._hook_counter += 1
        key = ModuleHooks._hook_counter
        hooks[key] = hook
        if prepend:
            hooks.move_to_end(key, last=False)
        if with_kwargs:
            self._hooks_with_kwargs.add(key)
        return RemovableHandle(hooks, key)
