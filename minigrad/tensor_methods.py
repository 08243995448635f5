"""The Tensor's methods and operators: ``x + y``, ``x.sum()``, ``x.reshape(2, 3)``, ...

Each one hands its work to the public function of the same name in ``functions/``,
which checks the arguments, applies PyTorch's dtype rules and calls one primitive in
``ops/``. They are written here, on a class of their own, and copied onto
:class:`~minigrad.tensor.Tensor` when minigrad is imported (:func:`install`), because
``functions/`` itself makes tensors: with these methods in ``tensor.py``, the two would
have to import each other. ``tensor.py`` holds what a tensor *is* (its array, device,
gradient and graph node); this file, what it can *do*.
"""

from __future__ import annotations

import itertools as _itertools
import weakref as _weakref

import numpy as _np

from . import autograd as _autograd
from . import backend as _backend
from . import creation as _creation
from . import dtypes as _dtypes
from . import functions as _F
from . import functions_arrange as _FA
from . import functions_bits as _FBITS
from . import functions_build as _FB
from . import functions_extra as _FX
from . import functions_index as _FI
from . import functions_linalg as _FL
from . import functions_math as _FM
from . import functions_numeric as _FN
from . import functions_order as _FO
from . import functions_pointwise as _FP
from . import functions_select as _FS
from . import functions_special as _FSP
from . import functions_stats as _FS2
from . import linalg as _LA
from . import random as _random
from . import sampling as _sampling
from .ops import rearrange as _rearrange
from .size import Size
from .tensor import Tensor, _parse_to_args


def _refresh_view(view: Tensor, positions=None) -> bool:
    """Give ``view``, whose base's node changed since the view was made (an in-place write
    through another view, or into the base), a node that reads it out of the base's
    current one (``AsStrided``), as PyTorch regenerates a view's grad_fn. False where
    the base is not current itself, or the view no longer lies in its memory."""
    base, writes = view._base, view._version.graph_writes
    if base.grad_fn is None or base.grad_fn.stamp != writes:
        return False
    if positions is None:
        positions = _backend.view_positions(view.device.xp, base._data, view._data)
    if positions is None:
        return False
    read = _rearrange.AsStrided.apply(base, view=view._data, positions=positions)
    view.grad_fn = read.grad_fn
    view.grad_fn.stamp = writes
    view._requires_grad = True
    return True


_autograd._use_view_refresh(_refresh_view)


def _check_no_repeats(name: str, array, indexed: bool = False) -> None:
    """Refuse to write into an array in which one memory location stands for several
    elements (a zero stride over a dimension longer than 1, made by ``expand()``).
    ``indexed``: for ``x[index] = v`` with an advanced index, which PyTorch runs with a
    deprecation warning (docs/from-pytorch.md#indexed-writes-into-an-expanded-tensor)."""
    # (An empty array may have zero strides too, but it has no element to write twice.)
    if getattr(array, "size", 0) and any(
        step == 0 and n > 1 for step, n in zip(array.strides, array.shape)
    ):
        why = (
            ": an indexed write into it could write one location twice, with a result "
            "that depends on the order (PyTorch runs it with a deprecation warning, "
            "minigrad refuses)"
            if indexed
            else ""
        )
        raise RuntimeError(
            f"{name}: unsupported operation: more than one element of the written-to "
            f"tensor refers to a single memory location (it was made by expand()){why}; "
            "clone() it first"
        )


def _indexed_view(array, key):
    """The view of ``array`` that an advanced index ``key`` writes into, as PyTorch finds
    it: the index's ints, slices, None and Ellipsis applied, each index array left whole
    (``x[0, :2, [1, 2]] = v`` writes into ``x[0, :2, :]``). PyTorch checks this view,
    not the whole tensor, for repeated elements and overlap. ``array`` itself where
    PyTorch keeps its tensor itself (only slices that start at 0 and reach the end), and
    where the index does not fit (the write itself then says why)."""
    basic = []
    for item in key if isinstance(key, tuple) else (key,):
        if _backend.is_array(item):
            width = item.ndim if item.dtype.kind == "b" else 1
            basic.extend([slice(None)] * width if width else [None])  # 0-d mask: a new dim
        else:
            basic.append(item)
    if _keeps_itself(basic, array.shape):
        return array
    try:
        return array[tuple(basic)]
    except (IndexError, ValueError, TypeError):
        return array


def _keeps_itself(items, shape) -> bool:
    """Whether PyTorch's indexing keeps the tensor itself for a basic index of slices and
    Ellipsis: each slice ``start=0`` (or None), ``step=1`` (or None) and ``stop`` at least
    the dimension's length (or None), as PyTorch's ``applySlice`` shortcut; then a value
    that is the tensor overlaps it fully (``x[:, [0]] = x``), even an empty one. Any int
    or None makes a view."""
    if not all(isinstance(i, slice) or i is Ellipsis for i in items):
        return False
    dims = [i for i in items if i is not Ellipsis]
    if len(dims) > len(shape):
        return False
    before = items.index(Ellipsis) if Ellipsis in items else len(items)
    lengths = shape[:before] + shape[len(shape) - (len(dims) - before) :]
    return all(
        s.start in (None, 0) and s.step in (None, 1) and (s.stop is None or s.stop >= n)
        for s, n in zip(dims, lengths)
    )


class RemovableHandle:
    """What ``Tensor.register_hook`` returns: ``remove()`` takes the hook off again."""

    _ids = _itertools.count()

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class TensorMethods:
    """The methods of :class:`~minigrad.Tensor` that compute (operators, reductions,
    shape changes, in-place updates, conversions): :func:`install` puts each on the
    Tensor class, so ``TensorMethods`` is never instantiated.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> (x * 2 + 1).sum(dim=0)
        tensor([10., 14.])
    """

    # ------------------------------------------------------------------------------------
    # Sizes, devices and dtypes
    # ------------------------------------------------------------------------------------

    @_F.numpy_names
    def size(self, dim: int | None = None):
        """The shape (a :class:`~minigrad.Size`), or the size of dimension ``dim``."""
        if dim is None:
            return Size._of(self._data.shape)
        if self._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_F.normalize_dim(dim, self._data.ndim)]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def to(self, *args, **kwargs) -> Tensor:
        """Move and/or cast: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(other)``.

        Returns ``self`` when nothing changes. The result is differentiable: gradients flow
        back to the original device and dtype.
        """
        copy = kwargs.pop("copy", False)
        device, dtype = _parse_to_args(args, kwargs)
        result = self
        if dtype is not None and dtype != self._data.dtype:
            result = _F.cast(result, dtype)
        if device is not None and device is not self.device:
            result = _F.to_device(result, device)
        if copy and result is self:
            result = _F.clone(self)
        return result

    def cpu(self) -> Tensor:
        """The tensor on the CPU (itself if it is already there)."""
        return self.to("cpu")

    def cuda(self, device=None) -> Tensor:
        """The tensor on a GPU (``"cuda"``, or the given index or device)."""
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def float(self) -> Tensor:
        """``self.to(minigrad.float32)``: a float32 copy (itself if it is float32 already)."""
        return self.to(_dtypes.float32)

    def double(self) -> Tensor:
        """``self.to(minigrad.float64)``."""
        return self.to(_dtypes.float64)

    def half(self) -> Tensor:
        """``self.to(minigrad.float16)``."""
        return self.to(_dtypes.float16)

    def long(self) -> Tensor:
        """``self.to(minigrad.int64)``."""
        return self.to(_dtypes.int64)

    def int(self) -> Tensor:
        """``self.to(minigrad.int32)``."""
        return self.to(_dtypes.int32)

    def bool(self) -> Tensor:
        """``self.to(minigrad.bool)``."""
        return self.to(_dtypes.bool)

    def type_as(self, other: Tensor) -> Tensor:
        """``self.to(other.dtype)``."""
        return self.to(other.dtype)

    def type(self, dtype=None, non_blocking: bool = False):
        """With no argument, PyTorch's name of the tensor's type (``"torch.FloatTensor"``,
        ``"torch.cuda.LongTensor"``: the names PyTorch code compares against); with a
        dtype or such a name, the tensor cast to it (``x.type(minigrad.float64)``)."""
        if dtype is None:
            name = _LEGACY_TYPE_NAMES.get(self._data.dtype, self._data.dtype.name)
            return f"torch.{'cuda.' if self.device.type == 'cuda' else ''}{name}"
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            parts = dtype.split(".")
            by_name = {v: k for k, v in _LEGACY_TYPE_NAMES.items()}
            if parts[-1] not in by_name or parts[0] not in ("torch", "minigrad"):
                raise ValueError(f"invalid type: {dtype!r}")
            return self.to("cuda" if "cuda" in parts else "cpu", by_name[parts[-1]])
        return self.to(dtype)

    # ------------------------------------------------------------------------------------
    # Gradient hooks
    # ------------------------------------------------------------------------------------

    def register_hook(self, hook) -> RemovableHandle:
        """Call ``hook(grad)`` with this tensor's whole gradient each time backward (or
        ``autograd.grad``) computes it; a tensor it returns replaces the gradient (same
        shape and dtype), None leaves it as it is. For a leaf this runs before the
        gradient is added to ``.grad``. Returns a handle whose ``remove()`` takes it off.

        Example:
            >>> import minigrad
            >>> x = minigrad.tensor([1.0, 2.0], requires_grad=True)
            >>> y = x * 3
            >>> handle = y.register_hook(lambda g: g * 10)  # scale what flows back
            >>> y.sum().backward()
            >>> x.grad
            tensor([30., 30.])
            >>> handle.remove()
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if not callable(hook):
            raise TypeError(f"register_hook expects a callable, got {type(hook).__name__}")
        if self.grad_fn is not None:  # a Function has one output: its hooks live there
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = {}
            hooks = self.grad_fn.hooks
        else:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
            _autograd.leaf_hooks_registered = True
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        """Call ``hook(tensor)`` on this leaf each time backward has added its whole
        gradient to ``.grad`` (after the ``register_hook`` hooks; not for
        ``autograd.grad``, which leaves ``.grad`` alone). PyTorch's tutorial on fusing the
        optimizer into backward steps each parameter from such a hook. Returns a handle
        whose ``remove()`` takes it off.

        Example:
            >>> import minigrad
            >>> w = minigrad.tensor([1.0, 2.0], requires_grad=True)
            >>> def step(p):  # an SGD step as soon as p's gradient is complete
            ...     with minigrad.no_grad():
            ...         p -= 0.5 * p.grad
            ...     p.grad = None
            >>> handle = w.register_post_accumulate_grad_hook(step)
            >>> (w * w).sum().backward()
            >>> w, w.grad
            (tensor([0., 0.], requires_grad=True), None)
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if not callable(hook):
            raise TypeError(
                f"register_post_accumulate_grad_hook expects a callable, got {type(hook).__name__}"
            )
        if self._post_hooks is None:
            self._post_hooks = {}
        _autograd.leaf_hooks_registered = True
        handle = RemovableHandle(self._post_hooks)
        self._post_hooks[handle.id] = hook
        return handle

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` during ``backward()`` (added
        up over backward passes, as a leaf's), to look at the gradient of an activation.
        On a leaf it does nothing: a leaf keeps its gradient anyway.

        Example:
            >>> import minigrad
            >>> x = minigrad.tensor([1.0, 2.0], requires_grad=True)
            >>> h = x * x
            >>> h.retain_grad()
            >>> (3 * h).sum().backward()
            >>> h.grad, h.retains_grad
            (tensor([3., 3.]), True)
        """
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained = _weakref.ref(self)

    # ------------------------------------------------------------------------------------
    # Copies
    # ------------------------------------------------------------------------------------

    def clone(self) -> Tensor:
        """A copy with its own storage; gradients flow back to the original."""
        return _F.clone(self)

    def contiguous(self) -> Tensor:
        """A tensor with C-contiguous storage (itself if it has it already)."""
        return self if self._data.flags.c_contiguous else _F.clone(self)

    # ------------------------------------------------------------------------------------
    # In-place updates. Outside the graph (no_grad, or nothing requires grad) they write
    # into the array. Inside it, as in PyTorch, they are recorded: the op runs out of place
    # (on a copy when its backward needs the old values), the result is written into this
    # tensor's memory, and this same tensor object takes the op's place in the graph
    # (``_take_place``).
    # ------------------------------------------------------------------------------------

    def _records(self, *others) -> bool:
        """Whether an in-place write into this tensor, from ``others``, is recorded."""
        if not _autograd.is_grad_enabled():
            return False
        return self._requires_grad or any(
            isinstance(o, Tensor) and o._requires_grad for o in others
        )

    def _inplace_input(self, *others) -> Tensor:
        """What an in-place op computes from: this tensor detached, or, when the write is
        recorded, a copy of it in the graph (the op may save it for backward, and the
        write is about to overwrite this tensor's array)."""
        return _F.clone(self) if self._records(*others) else self.detach()

    def _take_place(self, result: Tensor) -> None:
        """After a recorded in-place op whose output is ``result`` (already written into
        this tensor's array): this tensor now stands for it in the graph. If it is a view,
        then, as in PyTorch, its base stands for a ``CopySlices`` node (the base with the
        view's part replaced by ``result``), and the view is read out of it. Other
        tensors on the same memory (the base's other views) no longer match their nodes
        (``Function.stamp``): the engine reads views again out of the base
        (``_refresh_view``), and refuses the others."""
        base, positions = self._base, None
        if base is not None:
            positions = _backend.view_positions(self.device.xp, base._data, self._data)
        if positions is not None:  # (None: the base's array was since replaced)
            through = _rearrange.CopySlices.apply(base, result, positions=positions)
        self._version.graph_writes += 1
        self.grad_fn = result.grad_fn
        self.grad_fn.stamp = self._version.graph_writes
        self._requires_grad = True
        if positions is not None:
            base.grad_fn = through.grad_fn
            base.grad_fn.stamp = self._version.graph_writes
            base._requires_grad = True
            _refresh_view(self, positions)  # the view now reads its values out of the base

    def _check_inplace(
        self, name: str, other=None, destination=None, repeats_ok=False, records=True
    ) -> None:
        """Refuse an in-place write that PyTorch refuses. ``destination``: the array the
        write lands in, when it is a part of this tensor's (``x[0] = v`` writes one
        element of an expanded tensor, which PyTorch allows). ``repeats_ok``: the write
        is the same value everywhere (``fill_(0)``), which PyTorch allows into an expanded
        tensor too. ``records``: False for the few in-place ops minigrad cannot record."""
        if not repeats_ok:
            _check_no_repeats(name, self._data if destination is None else destination)
        if not self._records(other):
            return
        if self._requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation "
                f"({name}); wrap the update in `with minigrad.no_grad():`"
            )
        if not records:
            raise RuntimeError(
                f"{name}: minigrad does not record this in-place operation in the graph; use "
                f"the out-of-place form, or run it under no_grad()"
            )
        base = self._base
        if base is not None and base._requires_grad and base.grad_fn is None:
            raise RuntimeError(
                f"a view of a leaf Variable that requires grad is being used in an "
                f"in-place operation ({name}); change a clone of it, or the leaf itself "
                f"under no_grad()"
            )

    def _check_overlap(self, name: str, source, target=None, whole: bool = False) -> None:
        """Refuse, as PyTorch does, to write into this tensor (or into ``target``, the
        part of its array written to) from a tensor that shares some but not all of its
        memory (``t = x.unsqueeze(0); t.add_(x)``): the result would depend on the order
        elements are written in. ``whole``: for an indexed write (``x[[0]] = x[1:]``),
        where PyTorch refuses any overlap, even a full one."""
        # One identity test on the usual path: only views of one storage share a counter.
        if not isinstance(source, Tensor) or source._version is not self._version:
            return
        source_array = source._data
        if target is not None and target.ndim != source_array.ndim:
            source_array = source_array.squeeze()
        how = _backend.overlap(self._data if target is None else target, source_array)
        if how == "partial" or (whole and how == "full"):
            raise RuntimeError(
                f"{name}: unsupported operation: some elements of the input tensor and the "
                "written-to tensor refer to a single memory location (one is a view of the "
                "other); clone() the input first"
            )

    def _check_copy_overlap(self, value: Tensor, view) -> None:
        """``x[key] = value`` with a basic index copies ``value`` into ``view``
        (``x[key]``) as PyTorch does: a 0-d value fills it, unchecked; a value of another
        shape loses its leading 1s and is expanded to the view's shape. So a one-element
        value is either broadcast over several elements (a layout PyTorch does not
        check) or laid out unlike a view of one element with dimensions, which PyTorch
        refuses if they share memory (``x[None] = x`` of shape (1,)); otherwise a partial
        overlap is refused (PyTorch drops size-1 dimensions: ``x[None] = x`` of shape
        (3,) is a full overlap, and runs)."""
        view_shape = getattr(view, "shape", ())
        if value.numel() == 1 and tuple(value.shape) != view_shape:
            if value.ndim and view_shape and getattr(view, "size", 1) == 1:
                self._check_overlap("__setitem__", value, view, whole=True)
            return
        self._check_overlap("__setitem__", value, getattr(view, "squeeze", None) and view.squeeze())

    def _inplace(self, name: str, ufunc, other, alpha=None) -> Tensor:
        self._check_inplace(name, other)
        self._check_overlap(name, other)
        if self._records(other):
            return self._inplace_recorded(name, other, alpha)
        value = _F.operand_array(other, self, name)
        if isinstance(alpha, Tensor):  # PyTorch reads a one-element tensor as its number
            if alpha.numel() != 1:
                raise RuntimeError(
                    f"{name}: alpha must be a number or a one-element tensor, got a tensor "
                    f"of shape {tuple(alpha.shape)}"
                )
            alpha = alpha.item()
        if alpha is not None and alpha != 1:
            value = value * alpha
        value = _dtypes.wrap_int(value, self.dtype)  # uint8 += 300 wraps, as in PyTorch
        # PyTorch lets any integer result land in an integer tensor (uint8 += int8), but
        # not a float result in an integer tensor, nor anything but bool in a bool one.
        kind = value.dtype.kind if hasattr(value, "dtype") else "i" if type(value) is int else "?"
        both_int = (
            self.dtype.kind in ("i", "u") and kind in ("i", "u")
            and ufunc is not self.device.xp.true_divide  # an integer quotient is a float
        )  # fmt: skip
        try:
            ufunc(self._data, value, out=self._data, casting="unsafe" if both_int else "same_kind")
        except (TypeError, ValueError):
            raise RuntimeError(
                f"{name}: cannot update a tensor of shape {tuple(self.shape)} and dtype "
                f"{self.dtype} in place with a value of shape {tuple(getattr(value, 'shape', ()))} "
                f"and dtype {getattr(value, 'dtype', type(value).__name__)} (the value must "
                "broadcast to the tensor's shape, and the result must keep its dtype)"
            ) from None
        self._version.value += 1
        return self

    def _inplace_recorded(self, name: str, other, alpha) -> Tensor:
        """``add_``, ``sub_``, ``mul_``, ``div_`` in the graph: the out-of-place op (on a
        copy for ``mul_`` and ``div_``, whose backward reads this tensor's old values),
        with the shape and dtype the in-place write keeps, written in."""
        if name in ("add_", "sub_"):
            extra = {} if alpha is None else {"alpha": alpha}
            result = getattr(_F, name[:-1])(self, other, **extra)
        else:
            result = getattr(_F, name[:-1])(_F.clone(self), other)
        return self._write_result(name, other, self._like_inplace(name, result))

    def add_(self, other, alpha=1) -> Tensor:
        """``self += alpha * other``, in place."""
        return self._inplace("add_", self.device.xp.add, other, alpha)

    def sub_(self, other, alpha=1) -> Tensor:
        """``self -= alpha * other``, in place."""
        _F.sub_check(self, other)
        return self._inplace("sub_", self.device.xp.subtract, other, alpha)

    def mul_(self, other) -> Tensor:
        """``self *= other``, in place."""
        return self._inplace("mul_", self.device.xp.multiply, other)

    def div_(self, other) -> Tensor:
        """``self /= other``, in place."""
        return self._inplace("div_", self.device.xp.true_divide, other)

    def clamp_(self, min=None, max=None) -> Tensor:
        """Limit the values to ``[min, max]`` in place (numbers or tensors, either may be
        None); see :func:`minigrad.clamp`. ``clip_`` is the same."""
        self._check_inplace("clamp_", min if isinstance(min, Tensor) else max)
        self._check_overlap("clamp_", min)
        self._check_overlap("clamp_", max)
        result = _F.clamp(self._inplace_input(min, max), min, max)
        if not _dtypes.can_cast(result.dtype, self.dtype):  # an int result may narrow
            raise RuntimeError(
                f"clamp_: the result type {result.dtype} can't be cast to the desired output "
                f"type {self.dtype}"
            )
        return self._write_result("clamp_", min if isinstance(min, Tensor) else max, result)

    clip_ = clamp_

    def zero_(self) -> Tensor:
        """Fill with zeros, in place."""
        return self.fill_(0)

    def fill_(self, value) -> Tensor:
        """Fill with one value, in place."""
        self._check_inplace("fill_", value, repeats_ok=not isinstance(value, Tensor))  # as PyTorch
        if self._records(value):  # a filled tensor: no gradient to the old values
            everywhere = _creation.ones(*self.shape, dtype=_dtypes.bool, device=self.device)
            if isinstance(value, Tensor):
                value = value.reshape(())
            result = _FS.masked_fill(self, everywhere, value)
            return self._write_result("fill_", value, result)
        if isinstance(value, Tensor):
            value = value.item()  # a one-element tensor, as in PyTorch
        self._data.fill(_number_for(self, value, "fill_"))
        self._version.value += 1
        return self

    def copy_(self, src) -> Tensor:
        """Copy ``src`` (a tensor or array, broadcast to this shape) into this tensor."""
        if src is self and not (_autograd.is_grad_enabled() and self._requires_grad):
            self._version.value += 1  # nothing to copy: PyTorch returns before it checks
            return self  # the memory (an expanded tensor copied into itself runs)
        self._check_inplace("copy_", src)
        self._check_overlap("copy_", src)
        value = _F.operand_array(src, self, "copy_", allow_other_device=True)
        shape = tuple(getattr(value, "shape", ()))
        if not _broadcasts_to(shape, tuple(self.shape)):
            raise RuntimeError(  # NumPy would also drop leading 1s; PyTorch broadcasts only
                f"copy_: the source of shape {tuple(shape)} cannot be broadcast to the "
                f"destination of shape {tuple(self.shape)}"
            )
        if self._records(src):  # the copy's gradient goes to src; none to the old values
            result = src.to(device=self.device, dtype=self.dtype).expand(*self.shape)
            return self._write_result("copy_", src, _F.clone(result))
        try:
            self._data[...] = value
        except ValueError:
            raise RuntimeError(
                f"copy_: the source of shape {tuple(getattr(value, 'shape', ()))} cannot be "
                f"broadcast to the destination of shape {tuple(self.shape)}"
            ) from None
        self._version.value += 1
        return self

    def _require_float_fill(self, name: str) -> None:
        if not self.is_floating_point():  # truncated draws would be a different law
            raise RuntimeError(f"{name} needs a floating point tensor, got {self.dtype}")

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
        """Fill with values drawn uniformly from [a, b), in place."""
        self._require_float_fill("uniform_")
        values = _random.numpy_generator(generator, "uniform_").uniform(a, b, size=self.shape)
        return self.copy_(values.astype(self._data.dtype))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        """Fill with values drawn from N(mean, std²), in place."""
        self._require_float_fill("normal_")
        values = _random.numpy_generator(generator, "normal_").normal(mean, std, size=self.shape)
        return self.copy_(values.astype(self._data.dtype))

    def exponential_(self, lambd: float = 1.0, *, generator=None) -> Tensor:
        """Fill with draws of the exponential distribution of rate ``lambd``, in place."""
        self._require_float_fill("exponential_")
        values = _random.numpy_generator(generator, "exponential_").exponential(
            1.0 / lambd, size=self.shape
        )
        return self.copy_(values.astype(self._data.dtype))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
        """Fill with draws of the Cauchy distribution, in place."""
        self._require_float_fill("cauchy_")
        values = median + sigma * _random.numpy_generator(generator, "cauchy_").standard_cauchy(
            size=self.shape
        )
        return self.copy_(values.astype(self._data.dtype))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
        """Fill with draws of ``exp(N(mean, std²))``, in place."""
        self._require_float_fill("log_normal_")
        values = _random.numpy_generator(generator, "log_normal_").lognormal(
            mean, std, size=self.shape
        )
        return self.copy_(values.astype(self._data.dtype))

    def geometric_(self, p: float, *, generator=None) -> Tensor:
        """Fill with the number of Bernoulli(``p``) trials up to the first success (1, 2,
        ...), in place."""
        if not 0 < p <= 1:
            raise RuntimeError(f"geometric_ expects p to be in (0, 1], but got p={p}")
        values = _random.numpy_generator(generator, "geometric_").geometric(p, size=self.shape)
        return self.copy_(values.astype(self._data.dtype))

    def random_(self, from_=0, to=None, *, generator=None) -> Tensor:
        """Fill with integers drawn uniformly from ``[from_, to)`` (with one argument,
        ``[0, from_)``; with none, from 0 to the dtype's largest integer that the float
        mantissa holds exactly), in place."""
        if to is None and from_ != 0:
            from_, to = 0, from_
        if to is None:
            if self.dtype.kind == "f":
                to = 2 ** (_np.finfo(self.dtype).nmant + 1) + 1
            elif self.dtype.kind == "b":
                to = 2
            else:
                to = int(_np.iinfo(self.dtype).max) + 1
        if not from_ < to:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}"
            )
        values = _random.numpy_generator(generator, "random_").integers(from_, to, size=self.shape)
        return self.copy_(values.astype(self._data.dtype))

    def __iadd__(self, other):
        return self._inplace_or_new("add_", other, Tensor.__add__)

    def __isub__(self, other):
        return self._inplace_or_new("sub_", other, Tensor.__sub__)

    def __imul__(self, other):
        return self._inplace_or_new("mul_", other, Tensor.__mul__)

    def __itruediv__(self, other):
        return self._inplace_or_new("div_", other, Tensor.__truediv__)

    def _inplace_or_new(self, name: str, other, out_of_place) -> Tensor:
        """``x += y`` is ``x.add_(y)``, as in PyTorch: the same tensor, changed in place
        (and recorded in the graph when grad is involved); on a leaf that requires grad,
        PyTorch's error (update it under ``no_grad()``)."""
        return getattr(self, name)(other)

    def _like_inplace(self, name: str, result: Tensor) -> Tensor:
        """A recorded ``x += y``'s result, with what the in-place write keeps: ``x``'s
        shape (PyTorch cannot broadcast ``x`` itself, and raises) and dtype (a float32
        ``x`` stays float32 after ``x += float64_y``, as in PyTorch)."""
        if result.shape != self.shape:
            raise RuntimeError(
                f"{name}: output with shape {list(self.shape)} doesn't match the broadcast "
                f"shape {list(result.shape)}"
            )
        if result.is_floating_point() and not self.is_floating_point():
            raise RuntimeError(  # PyTorch: "result type Float can't be cast to ... Long"
                f"{name}: result type {result.dtype} can't be cast to the desired output "
                f"type {self.dtype} (x += y keeps the dtype of x)"
            )
        return result if result.dtype == self.dtype else _F.cast(result, self.dtype)

    # ------------------------------------------------------------------------------------
    # Arithmetic and comparison operators
    # ------------------------------------------------------------------------------------

    def __add__(self, other):
        return _F.add(self, other)

    def __radd__(self, other):
        return _F.add(other, self)

    def __sub__(self, other):
        return _F.sub(self, other)

    def __rsub__(self, other):
        return _F.sub(other, self)

    def __mul__(self, other):
        return _F.mul(self, other)

    def __rmul__(self, other):
        return _F.mul(other, self)

    def __truediv__(self, other):
        return _F.div(self, other)

    def __floordiv__(self, other):
        return _FM.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _FM.floor_divide(other, self)

    def __mod__(self, other):
        return _FM.remainder(self, other)

    def __rmod__(self, other):
        return _FM.remainder(other, self)

    def __rtruediv__(self, other):
        return _F.div(other, self)

    def __pow__(self, other):
        return _F.pow(self, other)

    def __rpow__(self, other):
        return _F.pow(other, self)

    def __matmul__(self, other):
        return _F.matmul(self, other)

    def __rmatmul__(self, other):
        return _F.matmul(other, self)

    def __neg__(self):
        return _F.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _F.abs(self)

    def __eq__(self, other):  # type: ignore[override]
        if other is None or isinstance(other, str):
            return NotImplemented  # Python then compares identities: t == None is False
        return _F.eq(self, other)

    def __ne__(self, other):  # type: ignore[override]
        if other is None or isinstance(other, str):
            return NotImplemented  # ... and t != None is True, as in PyTorch
        return _F.ne(self, other)

    def __lt__(self, other):
        return _F.lt(self, other)

    def __le__(self, other):
        return _F.le(self, other)

    def __gt__(self, other):
        return _F.gt(self, other)

    def __ge__(self, other):
        return _F.ge(self, other)

    def __invert__(self):
        return _F.bitwise_not(self)

    def __and__(self, other):
        return _F.bitwise_and(self, other)

    def __rand__(self, other):
        return _F.bitwise_and(other, self)

    def __or__(self, other):
        return _F.bitwise_or(self, other)

    def __ror__(self, other):
        return _F.bitwise_or(other, self)

    def __xor__(self, other):
        return _F.bitwise_xor(self, other)

    def __rxor__(self, other):
        return _F.bitwise_xor(other, self)

    def __lshift__(self, other):
        return _FBITS.bitwise_left_shift(self, other)

    def __rlshift__(self, other):
        return _FBITS.bitwise_left_shift(other, self)

    def __rshift__(self, other):
        return _FBITS.bitwise_right_shift(self, other)

    def __rrshift__(self, other):
        return _FBITS.bitwise_right_shift(other, self)

    def __getitem__(self, key):
        return _F.getitem(self, key)

    def __setitem__(self, key, value) -> None:
        """``x[key] = value``, in place (recorded in the graph when this tensor or the
        value requires grad, as the other in-place updates: ``_setitem_recorded``)."""
        fill = isinstance(value, Tensor) and value.numel() == 1 and _one_mask(key)
        key, basic = _F.index_key(key, self)
        # PyTorch copies into the view x[key] (a basic index), and checks that view for
        # repeated elements (refused); an advanced index writes (index_put_, masked_fill_)
        # into the view its basic part makes, and PyTorch checks that one (deprecated, a
        # warning; minigrad refuses).
        if basic:
            view = self._data[key]
        else:
            view = _indexed_view(self._data, key)
            _check_no_repeats("__setitem__", view, indexed=True)
        self._check_inplace("__setitem__", value, destination=view)
        target, selected = self._data, None
        if not basic:  # integers first, as PyTorch reads them (see functions.integers_first)
            selected, key = _F.integers_first(key)
            if selected is not None:
                target = target[selected]  # a basic index: a view, written through
        if isinstance(value, Tensor):
            if basic:
                self._check_copy_overlap(value, view)
            elif not fill:  # PyTorch's index_put: any overlap, and any other dtype, is refused
                # (in the view the index's ints and slices make: x[[0], 1:] = x writes
                # into x[:, 1:], which may be empty). PyTorch drops the value's leading 1s
                # first: that view of an empty value is a new, empty tensor, which overlaps
                # nothing (x[[0]] = x of shape (1, 0) runs; of shape (2, 0) it is refused).
                if value.numel() or not (value.ndim and value.shape[0] == 1):
                    self._check_overlap("__setitem__", value, view, whole=True)
                if value.dtype != self.dtype:
                    raise RuntimeError(
                        f"__setitem__: Index put requires the source and destination "
                        f"dtypes match, got {self.dtype} for the destination and "
                        f"{value.dtype} for the source (convert it with .to({self.dtype}))"
                    )
        if self._records(value):
            self._setitem_recorded(key, value, selected)
            return
        if fill and self.dtype.kind in "iu":  # masked_fill_ converts it as a number
            value = _number_for(self, value.item(), "__setitem__")
        value = _F.operand_array(value, self, "__setitem__")
        value = _number_for(self, value, "__setitem__")
        if getattr(value, "ndim", 0) and value.shape[0] == 1:
            # PyTorch drops a value's leading 1s: x[0] = tensor([5.]). (A reshape, not
            # value[0], which would give a NumPy scalar: inf would then not convert.)
            shape = value.shape
            while shape and shape[0] == 1:
                shape = shape[1:]
            value = value.reshape(shape)
        if getattr(value, "size", 1) == 0:  # NumPy writes nothing without checking shapes
            written = target[key].shape
            if not _broadcasts_to(value.shape, written):
                raise RuntimeError(
                    f"__setitem__: shape mismatch: value tensor of shape {value.shape} cannot "
                    f"be broadcast to indexing result of shape {written}"
                )
        try:
            # NaN and inf written into an integer tensor convert as PyTorch's cast does
            # (NumPy warns about it; PyTorch is silent).
            with _backend.quiet_for(target):
                target[key] = value
        except (IndexError, ValueError, TypeError) as error:
            kind = RuntimeError if isinstance(error, ValueError) else type(error)  # PyTorch's
            raise kind(  # shape mismatches are RuntimeErrors, its bad indices IndexErrors
                f"cannot assign to index {key!r} of a tensor of shape {tuple(self.shape)}: {error}"
            ) from None
        self._version.value += 1

    def _setitem_recorded(self, key, value, selected) -> None:
        """``x[key] = value`` in the graph: ``SetItem`` (a copy with the value written in,
        whose backward sends the written places' gradient to the value), written into
        this tensor, which takes its place. ``key`` is the array index ``__setitem__``
        made, ``selected`` its basic part read first."""
        if isinstance(value, Tensor):
            _F.operand_array(value, self, "__setitem__")  # the device checks
            if value.dtype != self.dtype:
                value = value.to(self.dtype)
            lead = 0  # PyTorch drops a value's leading 1s, as the plain path below
            while lead < value.ndim and value.shape[lead] == 1:
                lead += 1
            if lead:
                value = value.reshape(value.shape[lead:])
        else:
            value = _number_for(self, value, "__setitem__")
        try:
            result = _rearrange.SetItem.apply(self, value, key=key, selected=selected)
        except (IndexError, ValueError) as error:
            raise RuntimeError(
                f"cannot assign to index {key!r} of a tensor of shape {tuple(self.shape)}: {error}"
            ) from None
        self._write(result)  # checked by __setitem__

    # ------------------------------------------------------------------------------------
    # Methods that mirror the functions in minigrad (see functions/ for the docs)
    # ------------------------------------------------------------------------------------

    def add(self, other, alpha=1):
        """``self + alpha * other``; see :func:`minigrad.add`."""
        return _F.add(self, other, alpha=alpha)

    def sub(self, other, alpha=1):
        """``self - alpha * other``; see :func:`minigrad.sub`."""
        return _F.sub(self, other, alpha=alpha)

    def mul(self, other):
        """``self * other``; see :func:`minigrad.mul`."""
        return _F.mul(self, other)

    def div(self, other, *, rounding_mode=None):
        """``self / other``; see :func:`minigrad.div`."""
        return _F.div(self, other, rounding_mode=rounding_mode)

    divide = div

    def floor_divide(self, other):
        """``self // other``; see :func:`minigrad.floor_divide`."""
        return _FM.floor_divide(self, other)

    def remainder(self, other):
        """``self % other``; see :func:`minigrad.remainder`."""
        return _FM.remainder(self, other)

    def fmod(self, other):
        """The remainder with ``self``'s sign; see :func:`minigrad.fmod`."""
        return _FM.fmod(self, other)

    def pow(self, exponent):
        """``self ** exponent``; see :func:`minigrad.pow`."""
        return _F.pow(self, exponent)

    def bmm(self, mat2):
        """The batched matrix product with ``mat2``; see :func:`minigrad.bmm`."""
        return _FX.bmm(self, mat2)

    def sin(self):
        """The sine; see :func:`minigrad.sin`."""
        return _FX.sin(self)

    def cos(self):
        """The cosine; see :func:`minigrad.cos`."""
        return _FX.cos(self)

    def sinh(self):
        """The hyperbolic sine; see :func:`minigrad.sinh`."""
        return _FX.sinh(self)

    def cosh(self):
        """The hyperbolic cosine; see :func:`minigrad.cosh`."""
        return _FX.cosh(self)

    def matmul(self, other):
        """``self @ other``; see :func:`minigrad.matmul`."""
        return _F.matmul(self, other)

    def neg(self):
        """``-self``; see :func:`minigrad.neg`."""
        return _F.neg(self)

    def exp(self):
        """``e ** self``, elementwise; see :func:`minigrad.exp`."""
        return _F.exp(self)

    def log(self):
        """The natural logarithm, elementwise; see :func:`minigrad.log`."""
        return _F.log(self)

    def sqrt(self):
        """The square root, elementwise; see :func:`minigrad.sqrt`."""
        return _F.sqrt(self)

    def tanh(self):
        """The hyperbolic tangent, elementwise; see :func:`minigrad.tanh`."""
        return _F.tanh(self)

    def sigmoid(self):
        """``1 / (1 + exp(-self))``, elementwise; see :func:`minigrad.sigmoid`."""
        return _F.sigmoid(self)

    def relu(self):
        """``max(self, 0)``, elementwise; see :func:`minigrad.relu`."""
        return _F.relu(self)

    def abs(self):
        """The absolute value, elementwise; see :func:`minigrad.abs`."""
        return _F.abs(self)

    def maximum(self, other):
        """The elementwise maximum of ``self`` and ``other``; see :func:`minigrad.maximum`."""
        return _F.maximum(self, other)

    def minimum(self, other):
        """The elementwise minimum of ``self`` and ``other``; see :func:`minigrad.minimum`."""
        return _F.minimum(self, other)

    def clamp(self, min=None, max=None):
        """Limit the values to ``[min, max]``; see :func:`minigrad.clamp`. ``clip`` is the same."""
        return _F.clamp(self, min, max)

    clip = clamp

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other``; see :func:`minigrad.where`."""
        return _F.where(condition, self, other)

    @_F.numpy_names
    def cumsum(self, dim, *, dtype=None):
        """Cumulative sums along ``dim``; see :func:`minigrad.cumsum`."""
        return _FX.cumsum(self, dim, dtype=dtype)

    @_F.numpy_names
    def sort(self, dim=-1, descending=False, stable=False):
        """``(values, indices)`` sorted along ``dim``; see :func:`minigrad.sort`."""
        return _FX.sort(self, dim, descending, stable)

    @_F.numpy_names
    def argsort(self, dim=-1, descending=False, stable=False):
        """The indices that sort along ``dim``; see :func:`minigrad.argsort`."""
        return _FX.argsort(self, dim, descending, stable)

    @_F.numpy_names
    def topk(self, k, dim=-1, largest=True, sorted=True):
        """The ``k`` largest ``(values, indices)`` along ``dim``; see :func:`minigrad.topk`."""
        return _FX.topk(self, k, dim, largest, sorted)

    @_F.numpy_names
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """The standard deviation over ``dim``; see :func:`minigrad.std`."""
        return _FM.std(self, dim, unbiased, keepdim, correction=correction)

    @_F.numpy_names
    def logsumexp(self, dim, keepdim=False):
        """``log(sum(exp(self)))`` over ``dim``, stably; see :func:`minigrad.logsumexp`."""
        return _FM.logsumexp(self, dim, keepdim)

    def log1p(self):
        """``log(1 + self)``; see :func:`minigrad.log1p`."""
        return _FM.log1p(self)

    def expm1(self):
        """``exp(self) - 1``; see :func:`minigrad.expm1`."""
        return _FM.expm1(self)

    def floor(self):
        """Rounded down; see :func:`minigrad.floor`."""
        return _FM.floor(self)

    def ceil(self):
        """Rounded up; see :func:`minigrad.ceil`."""
        return _FM.ceil(self)

    def trunc(self):
        """Rounded towards zero; see :func:`minigrad.trunc`."""
        return _FM.trunc(self)

    def round(self, *, decimals=0):
        """Rounded to ``decimals`` places, halves to even; see :func:`minigrad.round`."""
        return _FM.round(self, decimals=decimals)

    def sign(self):
        """-1, 0 or 1 by sign; see :func:`minigrad.sign`."""
        return _FM.sign(self)

    def isnan(self):
        """True where NaN; see :func:`minigrad.isnan`."""
        return _FM.isnan(self)

    def isinf(self):
        """True where infinite; see :func:`minigrad.isinf`."""
        return _FM.isinf(self)

    def isfinite(self):
        """True where finite; see :func:`minigrad.isfinite`."""
        return _FM.isfinite(self)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """Elementwise closeness; see :func:`minigrad.isclose`."""
        return _FM.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """Whether close everywhere (a bool); see :func:`minigrad.allclose`."""
        return _FM.allclose(self, other, rtol, atol, equal_nan)

    def split(self, split_size, dim=0):
        """Pieces along ``dim``; see :func:`minigrad.split`."""
        return _FS.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        """At most ``chunks`` equal pieces along ``dim``; see :func:`minigrad.chunk`."""
        return _FS.chunk(self, chunks, dim)

    def flip(self, *dims):
        """Reversed along ``dims``; see :func:`minigrad.flip`."""
        return _FS.flip(self, dims[0] if len(dims) == 1 else dims)

    def gather(self, dim, index):
        """The elements at ``index`` along ``dim``; see :func:`minigrad.gather`."""
        return _FS.gather(self, dim, index)

    def masked_fill(self, mask, value):
        """``value`` where ``mask`` is True; see :func:`minigrad.masked_fill`."""
        return _FS.masked_fill(self, mask, value)

    def unflatten(self, dim, sizes):
        """Dimension ``dim`` split into ``sizes``; see :func:`minigrad.unflatten`."""
        return _FS.unflatten(self, dim, sizes)

    def index_select(self, dim, index):
        """The slices at ``index`` along ``dim``; see :func:`minigrad.index_select`."""
        return _FS.index_select(self, dim, index)

    def unbind(self, dim=0):
        """The slices along ``dim``; see :func:`minigrad.unbind`."""
        return _FS.unbind(self, dim)

    def roll(self, shifts, dims=None):
        """Shifted along ``dims``, wrapping around; see :func:`minigrad.roll`."""
        return _FS.roll(self, shifts, dims)

    def tile(self, *dims):
        """Copies along each dimension; see :func:`minigrad.tile`."""
        return _FS.tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)

    @_F.numpy_names
    def prod(self, dim=None, keepdim=False, *, dtype=None):
        """The product of the elements (along ``dim``); see :func:`minigrad.prod`."""
        return _FM.prod(self, dim, keepdim, dtype=dtype)

    def cumprod(self, dim, *, dtype=None):
        """Running products along ``dim``; see :func:`minigrad.cumprod`."""
        return _FM.cumprod(self, dim, dtype=dtype)

    def outer(self, vec2):
        """The outer product with ``vec2``; see :func:`minigrad.outer`."""
        return _FM.outer(self, vec2)

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        """``src`` written at ``index`` along ``dim``; see :func:`minigrad.scatter`."""
        return _FS.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim, index, src):
        """``src`` added at ``index`` along ``dim``; see :func:`minigrad.scatter_add`."""
        return _FS.scatter_add(self, dim, index, src)

    def index_add(self, dim, index, source, *, alpha=1):
        """``alpha * source`` added at ``index``; see :func:`minigrad.index_add`."""
        return _FS.index_add(self, dim, index, source, alpha=alpha)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        """:meth:`scatter`, in place."""
        result = _FS.scatter(self._inplace_input(src), dim, index, src, value=value, reduce=reduce)
        return self._write_result("scatter_", src, result)

    def scatter_add_(self, dim, index, src):
        """:meth:`scatter_add`, in place."""
        result = _FS.scatter_add(self._inplace_input(src), dim, index, src)
        return self._write_result("scatter_add_", src, result)

    def index_add_(self, dim, index, source, *, alpha=1):
        """:meth:`index_add`, in place."""
        result = _FS.index_add(self._inplace_input(source), dim, index, source, alpha=alpha)
        return self._write_result("index_add_", source, result)

    def index_copy(self, dim, index, source):
        """``source``'s slices written at ``index``; see :func:`minigrad.index_copy`."""
        return _FI.index_copy(self, dim, index, source)

    def index_copy_(self, dim, index, source):
        """:meth:`index_copy`, in place."""
        result = _FI.index_copy(self._inplace_input(source), dim, index, source)
        return self._write_result("index_copy_", source, result)

    def index_put(self, indices, values, accumulate=False):
        """``values`` written at ``self[indices]``; see :func:`minigrad.index_put`."""
        return _FI.index_put(self, indices, values, accumulate)

    def index_put_(self, indices, values, accumulate=False):
        """:meth:`index_put`, in place."""
        result = _FI.index_put(self._inplace_input(values), indices, values, accumulate)
        return self._write_result("index_put_", values, result)

    def masked_scatter(self, mask, source):
        """``source``'s elements written where ``mask`` is true; see
        :func:`minigrad.masked_scatter`."""
        return _FI.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source):
        """:meth:`masked_scatter`, in place."""
        result = _FI.masked_scatter(self._inplace_input(source), mask, source)
        return self._write_result("masked_scatter_", source, result)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        """``src`` reduced into the places ``index`` names; see
        :func:`minigrad.scatter_reduce`."""
        return _FI.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        """:meth:`scatter_reduce`, in place."""
        result = _FI.scatter_reduce(
            self._inplace_input(src), dim, index, src, reduce, include_self=include_self
        )
        return self._write_result("scatter_reduce_", src, result)

    def _write_result(self, name: str, other, result):
        """Write an out-of-place result (of this tensor's shape and dtype) into this tensor;
        if the graph recorded it, this tensor takes its place there."""
        self._check_inplace(name, other)
        self._check_overlap(name, other)
        return self._write(result)

    def _write(self, result: Tensor) -> Tensor:
        """The write itself, once checked."""
        self._data[...] = result._data
        self._version.value += 1
        if result.grad_fn is not None:
            self._take_place(result)
        return self

    def nonzero(self, *, as_tuple=False):
        """The indices of the non-zero elements; see :func:`minigrad.nonzero`."""
        return _FS.nonzero(self, as_tuple=as_tuple)

    def argwhere(self):
        """The (n, ndim) indices of the non-zero elements; see :func:`minigrad.argwhere`."""
        return _FS.argwhere(self)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        """The distinct values; see :func:`minigrad.unique`."""
        return _FS.unique(self, sorted, return_inverse, return_counts, dim)

    def bernoulli(self, p=None, *, generator=None):
        """Ones with probability ``self``; see :func:`minigrad.bernoulli`."""
        return _sampling.bernoulli(self, p, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill with ones with probability ``p`` (a number, or a tensor of probabilities
        that broadcasts to this shape), zeros otherwise, in place."""
        probs = p if isinstance(p, Tensor) else None
        self._check_inplace("bernoulli_", probs, records=False)
        if probs is None:
            result = _sampling.bernoulli(self.detach().float() if not self.is_floating_point()
                                         else self.detach(), p, generator=generator)  # fmt: skip
        else:
            result = _sampling.bernoulli(probs.detach().expand(self.shape), generator=generator)
        self._data[...] = result._data.astype(self.dtype, copy=False)
        self._version.value += 1
        return self

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        """Category indices drawn by weight; see :func:`minigrad.multinomial`."""
        return _sampling.multinomial(self, num_samples, replacement, generator=generator)

    def tan(self):
        """The tangent; see :func:`minigrad.tan`."""
        return _FP.tan(self)

    def asin(self):
        """The inverse sine; see :func:`minigrad.asin`."""
        return _FP.asin(self)

    def acos(self):
        """The inverse cosine; see :func:`minigrad.acos`."""
        return _FP.acos(self)

    def atan(self):
        """The inverse tangent; see :func:`minigrad.atan`."""
        return _FP.atan(self)

    def asinh(self):
        """The inverse hyperbolic sine; see :func:`minigrad.asinh`."""
        return _FP.asinh(self)

    def acosh(self):
        """The inverse hyperbolic cosine; see :func:`minigrad.acosh`."""
        return _FP.acosh(self)

    def atanh(self):
        """The inverse hyperbolic tangent; see :func:`minigrad.atanh`."""
        return _FP.atanh(self)

    def deg2rad(self):
        """Degrees to radians; see :func:`minigrad.deg2rad`."""
        return _FP.deg2rad(self)

    def rad2deg(self):
        """Radians to degrees; see :func:`minigrad.rad2deg`."""
        return _FP.rad2deg(self)

    def erf(self):
        """The error function; see :func:`minigrad.erf`."""
        return _FP.erf(self)

    def erfc(self):
        """The complementary error function; see :func:`minigrad.erfc`."""
        return _FP.erfc(self)

    def square(self):
        """``self * self``; see :func:`minigrad.square`."""
        return _FP.square(self)

    def rsqrt(self):
        """``1 / sqrt(self)``; see :func:`minigrad.rsqrt`."""
        return _FP.rsqrt(self)

    def reciprocal(self):
        """``1 / self``; see :func:`minigrad.reciprocal`."""
        return _FP.reciprocal(self)

    def log2(self):
        """The base-2 logarithm; see :func:`minigrad.log2`."""
        return _FP.log2(self)

    def log10(self):
        """The base-10 logarithm; see :func:`minigrad.log10`."""
        return _FP.log10(self)

    def exp2(self):
        """``2 ** self``; see :func:`minigrad.exp2`."""
        return _FP.exp2(self)

    def fix(self):
        """Rounded towards zero; see :func:`minigrad.fix`."""
        return _FP.fix(self)

    def frac(self):
        """The fractional part; see :func:`minigrad.frac`."""
        return _FP.frac(self)

    def positive(self):
        """``self``; see :func:`minigrad.positive`."""
        return _FP.positive(self)

    def signbit(self):
        """True where the sign bit is set; see :func:`minigrad.signbit`."""
        return _FP.signbit(self)

    def isposinf(self):
        """True where +inf; see :func:`minigrad.isposinf`."""
        return _FP.isposinf(self)

    def isneginf(self):
        """True where -inf; see :func:`minigrad.isneginf`."""
        return _FP.isneginf(self)

    def arcsin(self):
        """The inverse sine; see :func:`minigrad.arcsin`."""
        return _FP.arcsin(self)

    def arccos(self):
        """The inverse cosine; see :func:`minigrad.arccos`."""
        return _FP.arccos(self)

    def arctan(self):
        """The inverse tangent; see :func:`minigrad.arctan`."""
        return _FP.arctan(self)

    def arcsinh(self):
        """The inverse hyperbolic sine; see :func:`minigrad.arcsinh`."""
        return _FP.arcsinh(self)

    def arccosh(self):
        """The inverse hyperbolic cosine; see :func:`minigrad.arccosh`."""
        return _FP.arccosh(self)

    def arctanh(self):
        """The inverse hyperbolic tangent; see :func:`minigrad.arctanh`."""
        return _FP.arctanh(self)

    def atan2(self, other):
        """The angle of ``(other, self)``; see :func:`minigrad.atan2`."""
        return _FP.atan2(self, other)

    def arctan2(self, other):
        """The angle of ``(other, self)``; see :func:`minigrad.arctan2`."""
        return _FP.arctan2(self, other)

    def hypot(self, other):
        """``sqrt(self^2 + other^2)``; see :func:`minigrad.hypot`."""
        return _FP.hypot(self, other)

    def logaddexp(self, other):
        """``log(exp(self) + exp(other))``; see :func:`minigrad.logaddexp`."""
        return _FP.logaddexp(self, other)

    def logaddexp2(self, other):
        """``log2(2**self + 2**other)``; see :func:`minigrad.logaddexp2`."""
        return _FP.logaddexp2(self, other)

    def xlogy(self, other):
        """``self * log(other)``, 0 where self is 0; see :func:`minigrad.xlogy`."""
        return _FP.xlogy(self, other)

    def float_power(self, other):
        """``self ** other`` in float64; see :func:`minigrad.float_power`."""
        return _FP.float_power(self, other)

    def true_divide(self, other):
        """``self / other``; see :func:`minigrad.true_divide`."""
        return _FP.true_divide(self, other)

    def logical_xor(self, other):
        """The exclusive or of the truth values; see :func:`minigrad.logical_xor`."""
        return _FP.logical_xor(self, other)

    def lerp(self, end, weight):
        """``self + weight * (end - self)``; see :func:`minigrad.lerp`."""
        return _FP.lerp(self, end, weight)

    def addcmul(self, tensor1, tensor2, *, value=1):
        """``self + value * tensor1 * tensor2``; see :func:`minigrad.addcmul`."""
        return _FP.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        """``self + value * tensor1 / tensor2``; see :func:`minigrad.addcdiv`."""
        return _FP.addcdiv(self, tensor1, tensor2, value=value)

    def logit(self, eps=None):
        """``log(p / (1 - p))``; see :func:`minigrad.logit`."""
        return _FP.logit(self, eps)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        """NaN and infinities replaced; see :func:`minigrad.nan_to_num`."""
        return _FP.nan_to_num(self, nan, posinf, neginf)

    def mm(self, mat2):
        """The matrix product; see :func:`minigrad.mm`."""
        return _FL.mm(self, mat2)

    def mv(self, vec):
        """The matrix-vector product; see :func:`minigrad.mv`."""
        return _FL.mv(self, vec)

    def dot(self, other):
        """The dot product; see :func:`minigrad.dot`."""
        return _FL.dot(self, other)

    def vdot(self, other):
        """The dot product; see :func:`minigrad.vdot`."""
        return _FL.vdot(self, other)

    def inner(self, other):
        """The inner product; see :func:`minigrad.inner`."""
        return _FL.inner(self, other)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        """``beta * self + alpha * mat1 @ mat2``; see :func:`minigrad.addmm`."""
        return _FL.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        """``beta * self + alpha * mat @ vec``; see :func:`minigrad.addmv`."""
        return _FL.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        """``beta * self + alpha * bmm(batch1, batch2)``; see :func:`minigrad.baddbmm`."""
        return _FL.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        """``beta * self + alpha * (the batch's products summed)``; see :func:`minigrad.addbmm`."""
        return _FL.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def kron(self, other):
        """The Kronecker product; see :func:`minigrad.kron`."""
        return _FL.kron(self, other)

    def cross(self, other, dim=None):
        """The cross product; see :func:`minigrad.cross`."""
        return _FL.cross(self, other, dim)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        """A diagonal; see :func:`minigrad.diagonal`."""
        return _FL.diagonal(self, offset, dim1, dim2)

    def diag(self, diagonal=0):
        """A diagonal matrix, or a diagonal; see :func:`minigrad.diag`."""
        return _FL.diag(self, diagonal)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        """Diagonal matrices; see :func:`minigrad.diag_embed`."""
        return _FL.diag_embed(self, offset, dim1, dim2)

    def trace(self):
        """The sum of the diagonal; see :func:`minigrad.trace`."""
        return _FL.trace(self)

    def movedim(self, source, destination):
        """Dims moved; see :func:`minigrad.movedim`."""
        return _FA.movedim(self, source, destination)

    def moveaxis(self, source, destination):
        """Dims moved; see :func:`minigrad.moveaxis`."""
        return _FA.moveaxis(self, source, destination)

    def narrow(self, dim, start, length):
        """A narrowed view; see :func:`minigrad.narrow`."""
        return _FA.narrow(self, dim, start, length)

    def select(self, dim, index):
        """The slice at ``index`` along ``dim``; see :func:`minigrad.select`."""
        return _FA.select(self, dim, index)

    def ravel(self):
        """Flattened; see :func:`minigrad.ravel`."""
        return _FA.ravel(self)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        """Elements repeated in place; see :func:`minigrad.repeat_interleave`."""
        return _FA.repeat_interleave(self, repeats, dim, output_size=output_size)

    def take(self, index):
        """Elements of the flattened tensor; see :func:`minigrad.take`."""
        return _FA.take(self, index)

    def take_along_dim(self, indices, dim=None):
        """Elements at ``indices`` along ``dim``; see :func:`minigrad.take_along_dim`."""
        return _FA.take_along_dim(self, indices, dim)

    def rot90(self, k=1, dims=(0, 1)):
        """Rotated by 90 degrees ``k`` times; see :func:`minigrad.rot90`."""
        return _FA.rot90(self, k, dims)

    def fliplr(self):
        """Reversed left to right; see :func:`minigrad.fliplr`."""
        return _FA.fliplr(self)

    def flipud(self):
        """Reversed up to down; see :func:`minigrad.flipud`."""
        return _FA.flipud(self)

    def amax(self, dim=(), keepdim=False):
        """The largest element over ``dim``; see :func:`minigrad.amax`."""
        return _FS2.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        """The smallest element over ``dim``; see :func:`minigrad.amin`."""
        return _FS2.amin(self, dim, keepdim)

    def aminmax(self, *, dim=None, keepdim=False):
        """``(amin, amax)``; see :func:`minigrad.aminmax`."""
        return _FS2.aminmax(self, dim=dim, keepdim=keepdim)

    def median(self, dim=None, keepdim=False):
        """The median; see :func:`minigrad.median`."""
        return _FS2.median(self, dim, keepdim)

    def kthvalue(self, k, dim=-1, keepdim=False):
        """The k-th smallest element along ``dim``; see :func:`minigrad.kthvalue`."""
        return _FO.kthvalue(self, k, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        """The median ignoring NaNs; see :func:`minigrad.nanmedian`."""
        return _FO.nanmedian(self, dim, keepdim)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        """The q-th quantiles; see :func:`minigrad.quantile`."""
        return _FO.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        """The q-th quantiles ignoring NaNs; see :func:`minigrad.nanquantile`."""
        return _FO.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def lgamma(self):
        """``log |Gamma(x)|``; see :func:`minigrad.lgamma`."""
        return _FSP.lgamma(self)

    def digamma(self):
        """The derivative of lgamma; see :func:`minigrad.digamma`."""
        return _FSP.digamma(self)

    def polygamma(self, n):
        """The n-th derivative of digamma; see :func:`minigrad.polygamma`."""
        return _FSP.polygamma(n, self)

    def mvlgamma(self, p):
        """The log multivariate gamma function; see :func:`minigrad.mvlgamma`."""
        return _FSP.mvlgamma(self, p)

    def erfinv(self):
        """The inverse error function; see :func:`minigrad.erfinv`."""
        return _FSP.erfinv(self)

    def mode(self, dim=-1, keepdim=False):
        """The most frequent value along ``dim``; see :func:`minigrad.mode`."""
        return _FO.mode(self, dim, keepdim)

    def histogram(self, bins=100, *, range=None, weight=None, density=False):
        """A histogram and its bin edges; see :func:`minigrad.histogram`."""
        return _FO.histogram(self, bins, range=range, weight=weight, density=density)

    def inverse(self):
        """The matrix inverse; see :func:`minigrad.linalg.inv`."""
        return _LA.inv(self)

    def det(self):
        """The determinant; see :func:`minigrad.linalg.det`."""
        return _LA.det(self)

    def slogdet(self):
        """The sign and log-absolute determinant; see :func:`minigrad.linalg.slogdet`."""
        return _LA.slogdet(self)

    def logdet(self):
        """The log-determinant; see :func:`minigrad.logdet`."""
        return _LA.logdet(self)

    def cholesky(self, upper=False):
        """The Cholesky factor; see :func:`minigrad.linalg.cholesky`."""
        return _LA.cholesky(self, upper=upper)

    def pinverse(self):
        """The pseudo-inverse; see :func:`minigrad.linalg.pinv`."""
        return _LA.pinv(self)

    def matrix_power(self, n):
        """The n-th matrix power; see :func:`minigrad.linalg.matrix_power`."""
        return _LA.matrix_power(self, n)

    def qr(self, some=True):
        """The QR decomposition; see :func:`minigrad.linalg.qr`."""
        return _LA.qr_some(self, some)

    def histc(self, bins=100, min=0, max=0):
        """A histogram with equal bins; see :func:`minigrad.histc`."""
        return _FO.histc(self, bins, min, max)

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        """The sum, NaN counted as 0; see :func:`minigrad.nansum`."""
        return _FS2.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        """The mean of the non-NaN elements; see :func:`minigrad.nanmean`."""
        return _FS2.nanmean(self, dim, keepdim, dtype=dtype)

    def count_nonzero(self, dim=None):
        """How many elements are not zero; see :func:`minigrad.count_nonzero`."""
        return _FS2.count_nonzero(self, dim)

    def cummax(self, dim):
        """The running maximum; see :func:`minigrad.cummax`."""
        return _FS2.cummax(self, dim)

    def cummin(self, dim):
        """The running minimum; see :func:`minigrad.cummin`."""
        return _FS2.cummin(self, dim)

    def logcumsumexp(self, dim):
        """``log(cumsum(exp(self)))``; see :func:`minigrad.logcumsumexp`."""
        return _FS2.logcumsumexp(self, dim)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        """Forward differences; see :func:`minigrad.diff`."""
        return _FS2.diff(self, n, dim, prepend, append)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """A new tensor from ``data``, with this tensor's dtype and device by default."""
        return _creation.tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                                requires_grad=requires_grad)  # fmt: skip

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros of ``size``, with this tensor's dtype and device by default."""
        return _creation.zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                               requires_grad=requires_grad)  # fmt: skip

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """Ones of ``size``, with this tensor's dtype and device by default."""
        return _creation.ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                              requires_grad=requires_grad)  # fmt: skip

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        """An uninitialised tensor of ``size``, with this tensor's dtype and device."""
        return _creation.empty(*size, dtype=dtype or self.dtype, device=device or self.device,
                               requires_grad=requires_grad)  # fmt: skip

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        """``fill_value`` everywhere in ``size``, with this tensor's dtype and device."""
        dtype, device = dtype or self.dtype, device or self.device
        return _creation.full(size, fill_value, dtype=dtype, device=device,
                              requires_grad=requires_grad)  # fmt: skip

    def masked_fill_(self, mask, value):
        """:meth:`masked_fill`, in place."""
        result = _FS.masked_fill(self._inplace_input(value), mask, value)
        return self._write_result("masked_fill_", value, result)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        """:meth:`nan_to_num`, in place."""
        result = _FP.nan_to_num(self._inplace_input(), nan, posinf, neginf)
        return self._write_result("nan_to_num_", None, result)

    def index_fill(self, dim, index, value):
        """``value`` at ``index`` along ``dim``; see :func:`minigrad.index_fill`."""
        return _FS.index_fill(self, dim, index, value)

    def index_fill_(self, dim, index, value):
        """:meth:`index_fill`, in place."""
        result = _FS.index_fill(self._inplace_input(value), dim, index, value)
        return self._write_result("index_fill_", value, result)

    def fill_diagonal_(self, fill_value, wrap=False):
        """Write ``fill_value`` on the main diagonal, in place (of a matrix, or of a tensor
        whose dims are all equal; ``wrap`` restarts it below a tall matrix's square)."""
        self._check_inplace("fill_diagonal_", records=False)
        if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) > 1):
            raise RuntimeError(
                "all dimensions of input must be of equal length"
                if self.ndim > 2
                else "dimensions must larger than 1"
            )
        self.device.xp.fill_diagonal(self._data, fill_value, wrap=wrap)
        self._version.value += 1
        return self

    def unfold(self, dimension, size, step):
        """All windows of ``size`` elements along ``dimension``, ``step`` apart, as a new
        last dim (the windows' count takes ``dimension``'s place)."""
        axis = _F.normalize_dim(dimension, max(self.ndim, 1))
        n = self.shape[axis] if self.ndim else 1
        if size > n or size < 0:
            raise RuntimeError(
                f"maximum size for tensor at dimension {axis} is {n} but size is {size}"
            )
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        xp = self.device.xp
        starts = xp.arange(0, n - size + 1, step)
        windows = (starts[:, None] + xp.arange(size)[None, :]).reshape(-1)
        index = Tensor._wrap(windows.astype(_np.int64), self.device)
        picked = self.index_select(axis, index)  # (..., count * size, ...)
        shape = list(self.shape)
        shape[axis : axis + 1] = [int(starts.shape[0]), size]
        return _FA.movedim(picked.reshape(shape), axis + 1, -1)

    def logical_not(self):
        """The logical not of the truth values; see :func:`minigrad.logical_not`."""
        return _F.logical_not(self)

    def logical_and(self, other):
        """Both truth values; see :func:`minigrad.logical_and`."""
        return _F.logical_and(self, other)

    def logical_or(self, other):
        """Either truth value; see :func:`minigrad.logical_or`."""
        return _F.logical_or(self, other)

    def bitwise_and(self, other):
        """``self & other``; see :func:`minigrad.bitwise_and`."""
        return _F.bitwise_and(self, other)

    def bitwise_or(self, other):
        """``self | other``; see :func:`minigrad.bitwise_or`."""
        return _F.bitwise_or(self, other)

    def bitwise_xor(self, other):
        """``self ^ other``; see :func:`minigrad.bitwise_xor`."""
        return _F.bitwise_xor(self, other)

    def bitwise_not(self):
        """``~self``; see :func:`minigrad.bitwise_not`."""
        return _F.bitwise_not(self)

    def tensor_split(self, indices_or_sections, dim=0):
        """Split into pieces; see :func:`minigrad.tensor_split`."""
        return _FB.tensor_split(self, indices_or_sections, dim)

    def hsplit(self, sections):
        """Split along the columns; see :func:`minigrad.hsplit`."""
        return _FB.hsplit(self, sections)

    def vsplit(self, sections):
        """Split along the rows; see :func:`minigrad.vsplit`."""
        return _FB.vsplit(self, sections)

    def dsplit(self, sections):
        """Split along the depth; see :func:`minigrad.dsplit`."""
        return _FB.dsplit(self, sections)

    def diagflat(self, offset=0):
        """The flattened elements on a diagonal; see :func:`minigrad.diagflat`."""
        return _FB.diagflat(self, offset)

    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        """``beta * self + alpha * outer(vec1, vec2)``; see :func:`minigrad.addr`."""
        return _FB.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def fmax(self, other):
        """The NaN-ignoring maximum; see :func:`minigrad.fmax`."""
        return _FN.fmax(self, other)

    def fmin(self, other):
        """The NaN-ignoring minimum; see :func:`minigrad.fmin`."""
        return _FN.fmin(self, other)

    def heaviside(self, values):
        """The step function; see :func:`minigrad.heaviside`."""
        return _FN.heaviside(self, values)

    def copysign(self, other):
        """``|self|`` with ``other``'s sign; see :func:`minigrad.copysign`."""
        return _FN.copysign(self, other)

    def sgn(self):
        """The sign; see :func:`minigrad.sgn`."""
        return _FN.sgn(self)

    def sinc(self):
        """The normalized sinc; see :func:`minigrad.sinc`."""
        return _FN.sinc(self)

    def cov(self, *, correction=1, fweights=None, aweights=None):
        """The covariance matrix of the rows; see :func:`minigrad.cov`."""
        return _FN.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self):
        """The correlation coefficients of the rows; see :func:`minigrad.corrcoef`."""
        return _FN.corrcoef(self)

    def msort(self):
        """Sorted along dim 0; see :func:`minigrad.msort`."""
        return _FN.msort(self)

    def renorm(self, p, dim, maxnorm):
        """Slices scaled down to ``maxnorm``; see :func:`minigrad.renorm`."""
        return _FN.renorm(self, p, dim, maxnorm)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        """Runs of equal neighbours reduced to one; see :func:`minigrad.unique_consecutive`."""
        return _FN.unique_consecutive(self, return_inverse, return_counts, dim)

    def masked_select(self, mask):
        """The elements where ``mask`` is true; see :func:`minigrad.masked_select`."""
        return _FI.masked_select(self, mask)

    def bincount(self, weights=None, minlength=0):
        """How often each value occurs; see :func:`minigrad.bincount`."""
        return _FO.bincount(self, weights, minlength)

    def equal(self, other) -> bool:
        """Whether ``other`` has this shape and these values; see :func:`minigrad.equal`."""
        return _FM.equal(self, other)

    def is_same_size(self, other) -> bool:
        """Whether ``other`` has this tensor's shape."""
        return tuple(self.shape) == tuple(other.shape)

    @property
    def itemsize(self) -> int:
        """The bytes of one element."""
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        """The bytes of all the elements."""
        return self.dtype.itemsize * self.numel()

    @property
    def is_cpu(self) -> bool:
        """Whether the tensor is on the CPU."""
        return self.device.type == "cpu"

    def get_device(self) -> int:
        """The GPU's index for a CUDA tensor, -1 for a CPU one (as in PyTorch)."""
        return -1 if self.device.type == "cpu" else (self.device.index or 0)

    def is_signed(self) -> bool:
        """Whether the dtype holds negative numbers (not bool or uint8)."""
        return self.dtype.kind in "fi"

    def is_complex(self) -> bool:
        """False: minigrad has no complex dtypes."""
        return False

    def byte(self):
        """The tensor as uint8."""
        return self.to(_dtypes.uint8)

    def char(self):
        """The tensor as int8."""
        return self.to(_dtypes.int8)

    def short(self):
        """The tensor as int16."""
        return self.to(_dtypes.int16)

    @property
    def mT(self):
        """The last two dims swapped (a batch of transposed matrices)."""
        return self.transpose(-2, -1)

    # Complex-number views and queries, which real tensors answer trivially
    # (functions_bits.py); PyTorch's layout and storage queries, answered for minigrad's
    # one kind of tensor (dense, strided, in ordinary memory).

    @property
    def mH(self):
        """The conjugate transpose of each matrix: for real tensors, :attr:`mT`."""
        return _FBITS.adjoint(self)

    @property
    def H(self):
        """The conjugate transpose of a matrix (2-D only; see :attr:`mH` for batches)."""
        if self.ndim == 2:
            return self.transpose(0, 1)
        if self.ndim == 0:
            return self
        hint = " For batches of matrices, consider using tensor.mH" if self.ndim > 2 else ""
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor."
            + hint
        )

    def adjoint(self):
        """The conjugate transpose of each matrix; see :func:`minigrad.adjoint`."""
        return _FBITS.adjoint(self)

    def conj(self):
        """The complex conjugate: the tensor itself, for a real tensor."""
        return self

    conj_physical = resolve_conj = resolve_neg = conj

    def is_conj(self) -> bool:
        """False: minigrad has no lazily conjugated views."""
        return False

    def is_neg(self) -> bool:
        """False: minigrad has no lazily negated views."""
        return False

    @property
    def real(self):
        """The real part: the tensor itself, for a real tensor."""
        return self

    @property
    def imag(self):
        """The imaginary part: none for a real tensor (raises, as PyTorch)."""
        return _FBITS.imag(self)

    def isreal(self):
        """True everywhere for a real tensor; see :func:`minigrad.isreal`."""
        return _FBITS.isreal(self)

    is_sparse = is_sparse_csr = is_quantized = is_meta = is_mkldnn = is_nested = property(
        lambda self: False, doc="False: minigrad's tensors are dense, strided, in memory."
    )

    def is_pinned(self) -> bool:
        """False: minigrad does not allocate page-locked host memory."""
        return False

    def pin_memory(self, device=None) -> Tensor:
        """The tensor itself: minigrad has no page-locked host memory to copy it into
        (PyTorch's copy there speeds up later copies to a GPU; see :meth:`is_pinned`)."""
        return self

    def gcd(self, other):
        """The elementwise greatest common divisor; see :func:`minigrad.gcd`."""
        return _FBITS.gcd(self, other)

    def lcm(self, other):
        """The elementwise least common multiple; see :func:`minigrad.lcm`."""
        return _FBITS.lcm(self, other)

    def bitwise_left_shift(self, other):
        """``self << other``; see :func:`minigrad.bitwise_left_shift`."""
        return _FBITS.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other):
        """``self >> other``; see :func:`minigrad.bitwise_right_shift`."""
        return _FBITS.bitwise_right_shift(self, other)

    def frexp(self):
        """Mantissas and exponents; see :func:`minigrad.frexp`."""
        return _FBITS.frexp(self)

    def ldexp(self, other):
        """``self * 2 ** other``; see :func:`minigrad.ldexp`."""
        return _FBITS.ldexp(self, other)

    def nextafter(self, other):
        """The next float towards ``other``; see :func:`minigrad.nextafter`."""
        return _FBITS.nextafter(self, other)

    def is_contiguous(self, memory_format=None):
        """Whether the elements lie in row-major order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        """The steps, in elements, between neighbours along each dim (or along ``dim``)."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[_F.normalize_dim(dim, max(self.ndim, 1))]

    def element_size(self):
        """The bytes per element."""
        return self._data.itemsize

    def nelement(self):
        """The number of elements (``numel()``)."""
        return self.numel()

    def clamp_min(self, min):
        """``max(self, min)``; see :func:`minigrad.clamp_min`."""
        return _FM.clamp_min(self, min)

    def clamp_max(self, max):
        """``min(self, max)``; see :func:`minigrad.clamp_max`."""
        return _FM.clamp_max(self, max)

    def broadcast_to(self, size):
        """Expanded to ``size``; see :func:`minigrad.broadcast_to`."""
        return _FS.broadcast_to(self, size)

    def tril(self, diagonal=0):
        """The lower triangle; see :func:`minigrad.tril`."""
        return _FS.tril(self, diagonal)

    def triu(self, diagonal=0):
        """The upper triangle; see :func:`minigrad.triu`."""
        return _FS.triu(self, diagonal)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """The vector ``p``-norm over ``dim``; see :func:`minigrad.norm`."""
        return _FX.norm(self, p, dim, keepdim, dtype)

    @_F.numpy_names
    def sum(self, dim=None, keepdim=False, dtype=None):
        """The sum over ``dim`` (all elements when None); see :func:`minigrad.sum`."""
        return _F.sum(self, dim, keepdim, dtype=dtype)

    @_F.numpy_names
    def mean(self, dim=None, keepdim=False, dtype=None):
        """The mean over ``dim`` (all elements when None); see :func:`minigrad.mean`."""
        return _F.mean(self, dim, keepdim, dtype=dtype)

    @_F.numpy_names
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """The variance over ``dim``, unbiased by default; see :func:`minigrad.var`."""
        return _F.var(self, dim, unbiased, keepdim, correction=correction)

    @_F.numpy_names
    def max(self, dim=None, keepdim=False):
        """The largest element, or ``(values, indices)`` along ``dim``: :func:`minigrad.max`."""
        return _F.max(self, dim, keepdim)

    @_F.numpy_names
    def min(self, dim=None, keepdim=False):
        """The smallest element, or ``(values, indices)`` along ``dim``: :func:`minigrad.min`."""
        return _F.min(self, dim, keepdim)

    @_F.numpy_names
    def argmax(self, dim=None, keepdim=False):
        """The index of the largest element (along ``dim``); see :func:`minigrad.argmax`."""
        return _F.argmax(self, dim, keepdim)

    @_F.numpy_names
    def argmin(self, dim=None, keepdim=False):
        """The index of the smallest element (along ``dim``); see :func:`minigrad.argmin`."""
        return _F.argmin(self, dim, keepdim)

    @_F.numpy_names
    def all(self, dim=None, keepdim=False):
        """True where every element (along ``dim``) is non-zero; see :func:`minigrad.all`."""
        return _F.all(self, dim, keepdim)

    @_F.numpy_names
    def any(self, dim=None, keepdim=False):
        """True where some element (along ``dim``) is non-zero; see :func:`minigrad.any`."""
        return _F.any(self, dim, keepdim)

    @_F.numpy_names
    def softmax(self, dim):
        """``softmax`` along ``dim``; see :func:`minigrad.softmax`."""
        return _F.softmax(self, dim)

    @_F.numpy_names
    def log_softmax(self, dim):
        """``log_softmax`` along ``dim``; see :func:`minigrad.log_softmax`."""
        return _F.log_softmax(self, dim)

    def reshape(self, *shape):
        """The same elements in a new shape: ``x.reshape(2, -1)`` or ``x.reshape((2, -1))``;
        see :func:`minigrad.reshape`.
        """
        return _F.reshape(self, _F.shape_arg(shape))

    def view(self, *shape):
        """Like :meth:`reshape`, but always a view of the same storage (raises when the strides
        do not allow one, as PyTorch does).
        """
        return _F.view(self, _F.shape_arg(shape))

    def view_as(self, other):
        """``self.view(other.shape)``."""
        return _F.view(self, other.shape)

    def reshape_as(self, other):
        """``self.reshape(other.shape)``."""
        return _F.reshape(self, other.shape)

    def swapaxes(self, axis0, axis1):
        """Swap two dimensions; see :func:`minigrad.swapaxes`."""
        return _F.transpose(self, axis0, axis1)

    def swapdims(self, dim0, dim1):
        """Swap two dimensions; see :func:`minigrad.swapdims`."""
        return _F.transpose(self, dim0, dim1)

    def repeat(self, *sizes):
        """Tile: ``sizes[i]`` copies along dimension ``i`` (NumPy's ``tile``); extra
        leading sizes add dimensions. ``x.repeat(2, 1)`` stacks two copies of a matrix.
        The gradient of every copy adds back into ``x``."""
        return _FX.repeat(self, *sizes)

    def transpose(self, dim0, dim1):
        """Swap dimensions ``dim0`` and ``dim1`` (a view); see :func:`minigrad.transpose`."""
        return _F.transpose(self, dim0, dim1)

    def permute(self, *dims):
        """Reorder the dimensions, ``x.permute(2, 0, 1)`` (a view); see :func:`minigrad.permute`."""
        return _F.permute(self, _F.shape_arg(dims))

    @property
    def T(self):
        """The dimensions in reverse order (the transpose of a matrix)."""
        return _F.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    def t(self):
        """The transpose of a tensor with at most 2 dimensions."""
        if self._data.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.T

    def sum_to_size(self, *size):
        """Sum down to ``size``, a shape that broadcasts to this tensor's (the reverse of
        ``expand``): ``x.sum_to_size(1, 3)`` of a (2, 3) tensor sums its rows.

        Example:
            >>> import minigrad
            >>> minigrad.ones(2, 3).sum_to_size(1, 3)
            tensor([[2., 2., 2.]])
        """
        size = _F.shape_arg(size)
        if not _broadcasts_to(size, tuple(self.shape)):
            raise RuntimeError(
                f"sum_to_size: size {size} is not expandable to size {tuple(self.shape)}"
            )
        dims = _autograd.broadcast_axes(tuple(self.shape), size)
        out = _F.sum(self, dims, keepdim=True) if dims else self
        return _F.reshape(out, size)

    def split_with_sizes(self, split_sizes, dim=0):
        """Split into pieces of the given sizes along ``dim``: ``split`` with a list."""
        return self.split(list(split_sizes), dim)

    def dist(self, other, p=2):
        """The ``p``-norm of ``self - other``.

        Example:
            >>> import minigrad
            >>> minigrad.tensor([3.0, 0.0]).dist(minigrad.tensor([0.0, 4.0]))
            tensor(5.)
        """
        return (self - other).norm(p)

    def data_ptr(self) -> int:
        """The address of the first element (a host address on the CPU, a device address
        on a GPU): two tensors that share memory from the same element have the same one.

        Example:
            >>> import minigrad
            >>> x = minigrad.zeros(2, 3)
            >>> x[1].data_ptr() - x.data_ptr() == 3 * x.element_size()
            True
        """
        return _backend.array_address(self._data)

    def storage_offset(self) -> int:
        """How many elements into its memory block the tensor starts (0 unless it is a
        view that starts later, such as ``x[1]``).

        Example:
            >>> import minigrad
            >>> x = minigrad.zeros(2, 3)
            >>> x[1].storage_offset(), x[:, 1:].storage_offset()
            (3, 1)
        """
        owner = self._data
        while getattr(owner, "base", None) is not None:
            owner = owner.base
        start = _backend.array_address(owner) if _backend.is_array(owner) else None
        if start is None:  # memory from a buffer that is not an array (from_numpy's bytes)
            return 0
        return (self.data_ptr() - start) // self._data.itemsize

    def float_power_(self, exponent):
        """:meth:`float_power`, in place: only into a float64 tensor, since the result is
        float64 (as in PyTorch)."""
        if self.dtype != _dtypes.float64:
            raise RuntimeError(
                f"the base given to float_power_ has dtype {self.dtype} but the operation's "
                "result requires dtype float64"
            )
        return _in_place_form("float_power")(self, exponent)

    def detach_(self):
        """Cut this tensor off from the graph, in place: it becomes a leaf that does not
        require grad (``detach()`` makes a new tensor instead). Views refuse, as in PyTorch.

        Example:
            >>> import minigrad
            >>> h = minigrad.ones(2, requires_grad=True) * 2
            >>> h.detach_().requires_grad, h.is_leaf
            (False, True)
        """
        if self.grad_fn is not None and self.grad_fn.is_view:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead (a view shares its base's "
                "place in the graph)"
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dimensions ``start_dim`` to ``end_dim``; see :func:`minigrad.flatten`."""
        return _F.flatten(self, start_dim, end_dim)

    @_F.numpy_names
    def squeeze(self, dim=None):
        """Remove dimensions of size 1; see :func:`minigrad.squeeze`."""
        return _F.squeeze(self, dim)

    @_F.numpy_names
    def unsqueeze(self, dim):
        """Insert a dimension of size 1 at ``dim``; see :func:`minigrad.unsqueeze`."""
        return _F.unsqueeze(self, dim)

    def expand(self, *sizes):
        """A broadcast view with a larger shape, ``x.expand(4, -1)``: :func:`minigrad.expand`."""
        return _F.expand(self, _F.shape_arg(sizes))

    def expand_as(self, other):
        """``self.expand(other.shape)``."""
        return _F.expand(self, other.shape)

    def eq(self, other):
        """``self == other``, elementwise, as a bool tensor."""
        return _F.eq(self, other)

    def ne(self, other):
        """``self != other``, elementwise, as a bool tensor."""
        return _F.ne(self, other)

    def lt(self, other):
        """``self < other``, elementwise, as a bool tensor."""
        return _F.lt(self, other)

    def le(self, other):
        """``self <= other``, elementwise, as a bool tensor."""
        return _F.le(self, other)

    def gt(self, other):
        """``self > other``, elementwise, as a bool tensor."""
        return _F.gt(self, other)

    def ge(self, other):
        """``self >= other``, elementwise, as a bool tensor."""
        return _F.ge(self, other)


# Class attributes that belong to TensorMethods itself, not to tensors. (__hash__ is None
# here, set by Python because the class defines __eq__; a tensor keeps object's hash.)
_NOT_METHODS = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__",
                "__hash__", "__firstlineno__", "__static_attributes__"}  # fmt: skip


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Whether an array of ``shape`` broadcasts to ``target`` (and no larger)."""
    try:
        return _np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _one_mask(key) -> bool:
    """Whether the only tensor (or list) in an index is one bool mask of at least one
    dimension: PyTorch then writes a one-element value with ``masked_fill_``, which
    converts it, where other indexed writes (``index_put_``) need the same dtype."""
    items = key if isinstance(key, tuple) else (key,)
    arrays = [item for item in items if isinstance(item, Tensor | list)]
    return (
        len(arrays) == 1
        and isinstance(arrays[0], Tensor)
        and arrays[0].dtype == bool
        and (arrays[0].ndim >= 1)
    )


def _number_for(tensor: Tensor, value, name: str):
    """A Python number to write into ``tensor``, as PyTorch converts it. Into an integer
    tensor, a float outside the dtype's range (NaN and inf included) or an int that does
    not convert (``300`` into uint8) is an error; other ints wrap into the dtype (``-129``
    is 127 in uint8)."""
    if tensor.dtype.kind not in "iu" or type(value) not in (int, float):
        return value
    if type(value) is float:
        info = _np.iinfo(tensor.dtype)
        fits = info.min <= value <= info.max  # False for NaN too
    else:
        fits = _F.converts_without_overflow(value, tensor.dtype)
    if not fits:
        raise RuntimeError(
            f"{name}: value {value} cannot be converted to type {tensor.dtype} without overflow"
        )
    return _dtypes.wrap_int(value, tensor.dtype)


# PyTorch's legacy tensor type names, which ``Tensor.type()`` returns and accepts.
_LEGACY_TYPE_NAMES = {
    _dtypes.float32: "FloatTensor", _dtypes.float64: "DoubleTensor",
    _dtypes.float16: "HalfTensor", _dtypes.int64: "LongTensor", _dtypes.int32: "IntTensor",
    _dtypes.int16: "ShortTensor", _dtypes.int8: "CharTensor", _dtypes.uint8: "ByteTensor",
    _dtypes.bool: "BoolTensor",
}  # fmt: skip


# The in-place forms of pointwise methods (``x.exp_()``, ``x.clamp_min_(0)``, ...), made
# by one pattern: the method, out of place on the detached tensor, written back in.
_IN_PLACE = [
    "gcd",
    "lcm",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "ldexp",
    "nextafter",
    "abs",
    "neg",
    "exp",
    "exp2",
    "expm1",
    "log",
    "log2",
    "log10",
    "log1p",
    "sqrt",
    "rsqrt",
    "square",
    "reciprocal",
    "sigmoid",
    "tanh",
    "relu",
    "sin",
    "cos",
    "tan",
    "sinh",
    "cosh",
    "asin",
    "acos",
    "atan",
    "asinh",
    "acosh",
    "atanh",
    "erf",
    "erfc",
    "erfinv",
    "lgamma",
    "digamma",
    "polygamma",
    "mvlgamma",
    "sign",
    "floor",
    "ceil",
    "round",
    "trunc",
    "frac",
    "fix",
    "deg2rad",
    "rad2deg",
    "logit",
    "clamp_min",
    "clamp_max",
    "pow",
    "lerp",
    "addcmul",
    "addcdiv",
    "fmod",
    "remainder",
    "xlogy",
    "hypot",
    "atan2",
    "true_divide",
    "floor_divide",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "cumsum",
    "cumprod",
    "tril",
    "triu",
    "sinc",
    "sgn",
    "copysign",
    "heaviside",
    "renorm",
    "addmm",
    "addmv",
    "addr",
    "addbmm",
    "baddbmm",
]

# Methods whose in-place forms change the shape or the strides, not the values.
_IN_PLACE_LAYOUT = ["squeeze", "unsqueeze", "t", "transpose", "swapaxes", "swapdims"]

# PyTorch's other names for methods (and for their in-place forms, name_ for target_).
_ALIASES = {
    "absolute": "abs", "multiply": "mul", "subtract": "sub", "divide": "div",
    "negative": "neg", "greater": "gt", "greater_equal": "ge", "less": "lt",
    "less_equal": "le", "not_equal": "ne", "ndimension": "dim", "arccos": "acos",
    "arcsin": "asin", "arctan": "atan", "arccosh": "acosh", "arcsinh": "asinh",
    "arctanh": "atanh", "arctan2": "atan2",
}  # fmt: skip


def _in_place_form(name: str):
    def method(self, *args, **kwargs):
        others = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
        result = getattr(self._inplace_input(*others), name)(*args, **kwargs)
        if not _dtypes.can_cast(result.dtype, self.dtype):
            raise RuntimeError(
                f"{name}_: result type {result.dtype} can't be cast to the desired output "
                f"type {self.dtype}"
            )
        other = next((a for a in others if a._requires_grad), others[0] if others else None)
        return self._write_result(f"{name}_", other, result.to(self.dtype))

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f":meth:`{name}`, in place."
    return method


def _in_place_layout(name: str):
    """``squeeze_``, ``t_``, ``transpose_``, ...: the tensor becomes its own view
    ``name(...)``, over the same memory (outside the graph, as minigrad's in-place ops)."""

    def method(self, *args, **kwargs):
        self._check_inplace(f"{name}_", repeats_ok=True, records=False)
        self._data = getattr(self.detach(), name)(*args, **kwargs)._data
        return self

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f":meth:`{name}`, in place: the tensor itself takes the new shape."
    return method


def _alias(name: str, target: str):
    def method(self, *args, **kwargs):
        return getattr(self, target)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"PyTorch's other name for :meth:`{target}`."
    return method


def install() -> None:
    """Put every method of :class:`TensorMethods` on :class:`~minigrad.Tensor`, then the
    in-place forms and the aliases that the tables above name (where not defined)."""
    for name, member in vars(TensorMethods).items():
        if name not in _NOT_METHODS:
            setattr(Tensor, name, member)
    for name in _IN_PLACE:
        if hasattr(Tensor, name) and not hasattr(Tensor, f"{name}_"):
            setattr(Tensor, f"{name}_", _in_place_form(name))
    for name in _IN_PLACE_LAYOUT:
        setattr(Tensor, f"{name}_", _in_place_layout(name))
    for alias, method in _ALIASES.items():
        for name, target in ((alias, method), (f"{alias}_", f"{method}_")):
            if hasattr(Tensor, target) and not hasattr(Tensor, name):
                setattr(Tensor, name, _alias(name, target))


install()
