"""The optimizers' ``foreach=True``: a whole parameter group's update at once, on flat arrays.

An optimizer's step is the same few elementwise operations on every parameter. Run per
parameter, that is a few array calls (on a GPU, kernel launches) times the number of
parameters: 30 for the default deep MLP, and with Adam about ten calls each. PyTorch's
``foreach`` implementation runs each operation once over the list of tensors, with kernels
that take lists; NumPy and CuPy have no such kernels, so here the tensors share one array
instead. A group's parameters become views into one flat array, and so do their gradients
and each of their state buffers (the momentum, Adam's averages), and the optimizer's own
per-parameter update (``sgd_update``, ``adam_update``, ..., or its fast path for the device)
runs once, on the flat arrays as if they were one parameter. The arithmetic is the
per-parameter update's, element by element, so the results are the same to the last bit
(``tests/test_flat_optim.py``); only the number of calls changes. PyTorch moves parameters
into one array in the same way in ``RNN.flatten_parameters``, and gradients in DDP's
``gradient_as_bucket_view``.

What a user can notice:

* At its first flat step each parameter's storage moves into the flat array (its Tensor,
  values, shape and dtype stay): an array or view taken of the parameter before that step
  (``a = p.numpy()``) no longer follows it. The same holds for the gradients and the state
  tensors in ``optimizer.state``.
* The gradients are copied into the flat gradient array at each step: one pass over them.
  After ``zero_grad(set_to_none=False)`` backward adds into the gradients in place, so they
  stay views of the flat array and nothing is copied.

A step that does not fit takes the per-parameter path, exactly as without ``foreach``: a
parameter without a gradient (PyTorch skips it: its state must not move), a group whose
parameters differ in device or dtype, a gradient of another dtype, device or shape, state
that differs between parameters (different keys, or step counts after such a skip). The
flat arrays are made again whenever a storage was replaced: ``model.to(...)``,
``p.data = ...``, ``optimizer.load_state_dict``, a parameter group changed.
"""

from __future__ import annotations

from .. import fastpath
from ..optim._state import init_state, new_step
from ..optim.optimizer import Optimizer
from ..tensor import Tensor


def _same(arrays, views) -> bool:
    """Whether ``arrays`` are exactly the objects in ``views`` (identity, not values)."""
    return views is not None and len(arrays) == len(views) and all(map(_is, arrays, views))


def _is(a, b) -> bool:
    return a is b


def _views(flat, like: list) -> list:
    """Views of the 1-D ``flat``, one per array in ``like``, each with that array's shape."""
    views, start = [], 0
    for a in like:
        views.append(flat[start : start + a.size].reshape(a.shape))
        start += a.size
    return views


class FlatGroup:
    """One parameter group's parameters, gradients and state buffers as views into flat
    arrays; ``param`` is the flat parameter (with the flat ``.grad``) that the update runs
    on, and ``state`` its state."""

    def __init__(self, params: list[Tensor]) -> None:
        self.params = list(params)
        self.device = params[0].device
        with self.device.activate():
            data = self.device.xp.concatenate([p._data.reshape(-1) for p in params])
        self.param = Tensor._wrap(data, self.device)
        self.param_views = _views(data, [p._data for p in params])
        for p, view in zip(params, self.param_views):
            p._data = view
        self.grad_views = None  # the gradients' arrays, once gathered
        self.state: dict = {}  # the flat parameter's state, as the update keeps it
        self.buffers: dict = {}  # key -> a flat state buffer (a Tensor) ...
        self.state_views: dict = {}  # ... and the per-parameter arrays, views of it

    @staticmethod
    def fits(params: list[Tensor], old: FlatGroup | None) -> bool:
        """Whether the parameters can share one array: one device, one dtype, each with a
        gradient of its own shape, dtype and device, and no two of them views of one array
        (parameters tied through views would come apart), unless it is ``old``'s."""
        device, dtype = params[0].device, params[0].dtype
        bases = set()
        for p in params:
            g, base = p.grad, p._data.base
            if g is None or p.device is not device or p.dtype != dtype:
                return False
            if g.device is not device or g.dtype != dtype or g.shape != p.shape:
                return False
            if base is not None and (old is None or base is not old.param._data):
                if id(base) in bases:
                    return False
                bases.add(id(base))
        return True

    def holds(self, params: list[Tensor]) -> bool:
        """Whether these parameters are still this group's, and still views of its array."""
        return _same(params, self.params) and _same([p._data for p in params], self.param_views)

    def gather_grads(self) -> None:
        """Put the gradients into the flat gradient array (unless they are its views)."""
        grads = [p.grad for p in self.params]
        if _same([g._data for g in grads], self.grad_views):
            return
        with self.device.activate():
            flat = self.device.xp.concatenate([g._data.reshape(-1) for g in grads])
        self.param.grad = Tensor._wrap(flat, self.device)
        self.grad_views = _views(flat, [g._data for g in grads])
        for g, view in zip(grads, self.grad_views):
            g._data = view

    def gather_state(self, states) -> bool:
        """Make ``self.state`` hold every parameter's state, flat. False when the states do
        not agree (keys, step counts) or do not fit (shape, dtype, device)."""
        per_param = [states.get(p, {}) for p in self.params]
        keys = list(per_param[0])
        if any(list(s) != keys for s in per_param):
            return False
        flat_state = {}
        for key in keys:
            values = [s[key] for s in per_param]
            if key == "step":  # a CPU counter per parameter: they must agree
                counts = {float(v) for v in values}
                if len(counts) != 1:
                    return False
                flat_state[key] = new_step()
                flat_state[key]._data[...] = counts.pop()
                continue
            if not all(isinstance(v, Tensor) for v in values):
                return False
            if not _same([v._data for v in values], self.state_views.get(key)):
                for v, p in zip(values, self.params):
                    if v.device is not self.device or v.dtype != p.dtype or v.shape != p.shape:
                        return False
                with self.device.activate():
                    flat = self.device.xp.concatenate([v._data.reshape(-1) for v in values])
                self._share(key, Tensor._wrap(flat, self.device), values)
            flat_state[key] = self.buffers[key]
        self.state = flat_state
        return True

    def _share(self, key: str, buffer: Tensor, tensors: list | None = None) -> list:
        """Make ``buffer`` the flat state buffer ``key``, and each of ``tensors`` (one per
        parameter; new tensors without them) a view of its share; returns those."""
        self.buffers[key] = buffer
        views = self.state_views[key] = _views(buffer._data, [p._data for p in self.params])
        if tensors is None:
            return [Tensor._wrap(view, self.device) for view in views]
        for t, view in zip(tensors, views):
            t._data = view
        return tensors

    def scatter_state(self, states, before: dict) -> None:
        """After the update: give each parameter its share of any flat buffer the update
        made (SGD's first momentum buffer, Adam's zeros), and the new step count.
        ``before`` is ``self.state`` as it was before the update."""
        for key, value in self.state.items():
            if key == "step":
                for p in self.params:
                    step = states[p].get("step")
                    if not isinstance(step, Tensor) or step.device is not value.device:
                        step = states[p]["step"] = new_step()
                    step._data[...] = value._data
            elif value is not before.get(key) or value._data is not before[key]._data:
                for p, t in zip(self.params, self._share(key, value)):
                    states[p][key] = t


# How much of the flat arrays one call of the update works on. On a GPU all of it: one
# launch per operation. On the CPU a piece of 256 KiB (64K float32 elements), so that the
# update's passes over a piece run in the core's cache; whole, each pass would stream the
# arrays from memory (measured on the deep MLP's fixed gradients: SGD's and Adam's steps
# 1.2x-1.9x the per-parameter time whole, about 0.7x in pieces; docs/benchmarks.md).
PIECE_BYTES = {"cpu": 256 * 1024}


def flat_step(optimizer: Optimizer, group: dict, op, reference, options, buffers, fill) -> bool:
    """Run ``optimizer``'s update for the whole ``group`` once, on its flat arrays; False
    (nothing done) where the step does not fit (see the module docstring).

    ``op`` is the optimizer class that the update's fast paths are registered for, and
    ``reference`` its per-parameter update ``(p, state, *options)``. With ``buffers``
    (Adam's, say), the state that is missing is made first, as ``init_state`` makes it.
    """
    params = group["params"]
    groups = optimizer.__dict__.setdefault("_flat_groups", {})
    index = next(i for i, g in enumerate(optimizer.param_groups) if g is group)
    flat = groups.get(index)
    if not FlatGroup.fits(params, flat):
        return False
    if flat is None or not flat.holds(params):
        flat = groups[index] = FlatGroup(params)
    if not flat.gather_state(optimizer.state):
        return False
    flat.gather_grads()
    before = dict(flat.state)
    if buffers is not None:
        init_state(flat.state, flat.param, *buffers, fill=fill)
    update = fastpath.active.get((op, flat.device.type), reference)
    piece_bytes = PIECE_BYTES.get(flat.device.type)
    if piece_bytes is None or flat.param._data.nbytes <= piece_bytes:
        update(flat.param, flat.state, *options)
    else:
        _update_in_pieces(flat, update, options, piece_bytes // flat.param._data.itemsize)
    flat.scatter_state(optimizer.state, before)
    for p in params:
        p._version.value += 1
    return True


def _update_in_pieces(flat: FlatGroup, update, options, size: int) -> None:
    """``update`` on consecutive pieces of ``size`` elements of the flat arrays, each as a
    parameter of its own; a state buffer the update makes (SGD's first momentum buffer) is
    put together from the pieces' afterwards."""
    device, states = flat.device, []
    for start in range(0, flat.param._data.size, size):
        part = slice(start, start + size)
        piece = Tensor._wrap(flat.param._data[part], device)
        piece.grad = Tensor._wrap(flat.param.grad._data[part], device)
        state = {
            key: _copy(value) if key == "step" else Tensor._wrap(value._data[part], device)
            for key, value in flat.state.items()
        }
        slices = {key: value._data for key, value in state.items()}
        update(piece, state, *options)
        states.append((state, slices))
    for key in states[0][0]:
        if key == "step":
            flat.state[key] = states[0][0][key]
        elif any(state[key]._data is not slices.get(key) for state, slices in states):
            with device.activate():
                whole = device.xp.concatenate([state[key]._data for state, _ in states])
            flat.state[key] = Tensor._wrap(whole, device)


def _copy(step: Tensor) -> Tensor:
    """A step counter with the same count (each piece counts its own step)."""
    counter = new_step()
    counter._data[...] = step._data
    return counter


fastpath.register(Optimizer, "cpu")(flat_step)
fastpath.register(Optimizer, "cuda")(flat_step)
