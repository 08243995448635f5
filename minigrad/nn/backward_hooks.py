"""Module backward hooks: ``register_full_backward_hook`` and
``register_full_backward_pre_hook``, which see (and may replace) the gradients with respect
to a module's outputs and inputs.

A module's output may be several tensors, and the gradient of each reaches the backward
pass at its own time; a hook wants them all at once. So, as PyTorch's ``BackwardHook``
does, a module with backward hooks routes its tensors through two *gates*: the inputs
that require grad are packed into one vector that goes through an identity op before
``forward`` sees them (unpacked again), and so are the outputs after it. The backward of
an identity op receives the whole packed gradient, every tensor's part of it at once:

* at the output gate, the pre-hooks see ``grad_output`` and may replace it before it
  flows into the module (so a replacement changes the parameters' gradients too);
* at the input gate, the full hooks see ``grad_input`` and ``grad_output`` and may
  replace ``grad_input`` before it flows on to whatever made the inputs.

If no input requires grad, the full hooks run at the output gate with ``grad_input`` all
None, with PyTorch's warning. Only positional tensor arguments count as inputs.
"""

from __future__ import annotations

import warnings

from ..autograd import Function
from ..functions import cat
from ..tensor import Tensor


class _Gate(Function):
    """The identity on a packed vector, whose backward hands the whole gradient to
    ``on_grad`` (which returns the gradient to pass on)."""

    def forward(self, packed, on_grad):
        self.on_grad = on_grad
        return packed.copy()

    def backward(self, grad):
        return self.on_grad(grad), None


def _through_gate(tensors: list[Tensor], on_grads) -> list[Tensor]:
    """``tensors`` passed through one gate: the same values, as new tensors whose backward
    calls ``on_grads(list of gradient arrays)``, which returns the list to pass on."""
    first = tensors[0]
    for t in tensors:
        if t.dtype != first.dtype or t.device != first.device:
            raise NotImplementedError(
                "backward hooks: a module's tensors that require grad must share one dtype "
                f"and device, got {first.dtype} on {first.device} and {t.dtype} on {t.device}"
            )
    shapes = [tuple(t.shape) for t in tensors]
    sizes = [t.numel() for t in tensors]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]

    def on_grad(grad):
        xp = first.device.xp
        parts = [grad[s : s + n].reshape(shape) for s, n, shape in zip(starts, sizes, shapes)]
        new = on_grads(parts)
        return xp.concatenate([p.reshape(-1) for p in new])

    packed = _Gate.apply(cat([t.reshape(-1) for t in tensors]), on_grad=on_grad)
    return [packed[s : s + n].reshape(shape) for s, n, shape in zip(starts, sizes, shapes)]


class BackwardHookCall:
    """One call of a module that has backward hooks: gates its inputs before ``forward``
    and its outputs after, and runs the hooks when backward reaches the gates."""

    def __init__(self, module) -> None:
        self.module = module
        self.grad_output = None
        self.inputs: list[int] = []  # positions of the tensor arguments
        self.gated_inputs: list[int] = []  # those that require grad
        self.outputs: list[int] = []  # positions of the tensor outputs
        self.gated_outputs: list[int] = []
        self.device = None

    def gate_inputs(self, args: tuple) -> tuple:
        self.inputs = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.gated_inputs = [i for i in self.inputs if args[i].requires_grad]
        if not self.gated_inputs:
            return args
        gated = _through_gate([args[i] for i in self.gated_inputs], self._at_inputs)
        args = list(args)
        for i, t in zip(self.gated_inputs, gated):
            args[i] = t
        return tuple(args)

    def gate_outputs(self, output):
        single = isinstance(output, Tensor)
        items = [output] if single else list(output) if isinstance(output, tuple | list) else []
        self.outputs = [i for i, o in enumerate(items) if isinstance(o, Tensor)]
        self.gated_outputs = [i for i in self.outputs if items[i].requires_grad]
        if not self.gated_outputs:
            return output
        self.device = items[self.gated_outputs[0]].device
        gated = _through_gate([items[i] for i in self.gated_outputs], self._at_outputs)
        for i, t in zip(self.gated_outputs, gated):
            items[i] = t
        return items[0] if single else type(output)(items)

    def _wrap(self, array):
        return None if array is None else Tensor._wrap(array, self.device)

    def _at_outputs(self, grads: list) -> list:
        """Backward reached the outputs: the pre-hooks, then (if no input needs a
        gradient) the full hooks."""
        by_position = dict(zip(self.gated_outputs, grads))
        grad_output = tuple(self._wrap(by_position.get(i)) for i in self.outputs)
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grad_output)
            if result is not None:
                grad_output = _checked(result, grad_output, "grad_output")
        self.grad_output = grad_output
        if not self.gated_inputs and self.module._backward_hooks:
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients.",
                UserWarning,
                stacklevel=2,
            )
            self._run_full_hooks(tuple(None for _ in self.inputs))
        position = {p: k for k, p in enumerate(self.outputs)}
        return [_array(grad_output[position[i]], g) for i, g in zip(self.gated_outputs, grads)]

    def _at_inputs(self, grads: list) -> list:
        """Backward reached the inputs: the full hooks see (and may replace) grad_input."""
        by_position = dict(zip(self.gated_inputs, grads))
        grad_input = tuple(self._wrap(by_position.get(i)) for i in self.inputs)
        grad_input = self._run_full_hooks(grad_input)
        position = {p: k for k, p in enumerate(self.inputs)}
        return [_array(grad_input[position[i]], g) for i, g in zip(self.gated_inputs, grads)]

    def _run_full_hooks(self, grad_input: tuple) -> tuple:
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = _checked(result, grad_input, "grad_input")
        return grad_input


def _checked(result, expected: tuple, what: str) -> tuple:
    """A hook's replacement for ``expected``, checked: as many entries, each None or a
    tensor of the same shape."""
    if not isinstance(result, tuple | list):
        raise TypeError(
            f"a backward hook must return None or a tuple of {what} tensors, got "
            f"{type(result).__name__}"
        )
    if len(result) != len(expected):
        raise RuntimeError(
            f"Backward hook returned an invalid number of {what}, got {len(result)}, but "
            f"expected {len(expected)}"
        )
    for new, old in zip(result, expected):
        if new is not None and old is not None and tuple(new.shape) != tuple(old.shape):
            raise RuntimeError(
                f"Backward hook returned a {what} of shape {tuple(new.shape)} where the "
                f"gradient has shape {tuple(old.shape)}"
            )
    return tuple(result)


def _array(tensor, like):
    """The array to pass on: a hook's tensor, or zeros where it gave None."""
    if tensor is None:
        return like * 0
    return tensor._data.astype(like.dtype, copy=False)
