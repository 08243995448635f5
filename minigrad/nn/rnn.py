"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells.

A recurrent layer reads a sequence one step at a time and carries a state from each step
to the next. Each kind is one small *step* function below, written as the textbook
equations; the layers only loop over time (and over layers and directions):

* Elman RNN: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU);
* LSTM: four gates ``i, f, g, o`` from one product, ``c' = f * c + i * g``,
  ``h' = o * tanh(c')`` (then ``h' W_hr^T`` with ``proj_size``);
* GRU: gates ``r, z``, a candidate ``n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))``,
  ``h' = (1 - z) * n + z * h``.

Everything is built from differentiable tensor operations, so backpropagation through
time is the ordinary backward pass over the unrolled graph. The input's part of every
step, ``x W_ih^T + b_ih``, is computed for the whole sequence in one matrix product before
the loop; only ``h W_hh^T`` has to wait for the previous step.

Parameters have PyTorch's names, shapes, gate order and initialisation (U(-k, k) with
``k = 1/sqrt(hidden_size)``), so a ``state_dict`` moves between the two unchanged:
``weight_ih_l0`` is (gates * hidden_size, input_size), ``weight_hh_l0`` (gates *
hidden_size, hidden_size), ``bias_ih_l0`` and ``bias_hh_l0``, with ``_reverse`` for the
second direction. Packed sequences (``nn.utils.rnn.pack_padded_sequence``) run through
``run_packed_sequence``, the same loop with a batch that shrinks as sequences end.
"""

from __future__ import annotations

import math
import numbers
import warnings

from .. import autocast_mode, creation, fastpath
from ..functions.arithmetic import relu, sigmoid, tanh
from ..functions.shape import cat, stack
from ..tensor import Tensor
from . import init
from .functional import linear
from .functional_dropout import dropout
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# The steps: one time step of each kind, ``xi`` being the input's part (x W_ih^T + b_ih)
# and ``state`` a tuple: (h,) for the RNN and the GRU, (h, c) for the LSTM.


def rnn_tanh_step(xi, state, w_hh, b_hh):
    (h,) = state
    return (tanh(xi + linear(h, w_hh, b_hh)),)


def rnn_relu_step(xi, state, w_hh, b_hh):
    (h,) = state
    return (relu(xi + linear(h, w_hh, b_hh)),)


def lstm_step(xi, state, w_hh, b_hh, w_hr=None):
    h, c = state
    i, f, g, o = (xi + linear(h, w_hh, b_hh)).chunk(4, -1)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    h = sigmoid(o) * tanh(c)
    if w_hr is not None:  # proj_size: the output and the carried h are projected
        h = linear(h, w_hr)
    return h, c


def gru_step(xi, state, w_hh, b_hh):
    (h,) = state
    r_x, z_x, n_x = xi.chunk(3, -1)
    r_h, z_h, n_h = linear(h, w_hh, b_hh).chunk(3, -1)
    r = sigmoid(r_x + r_h)
    z = sigmoid(z_x + z_h)
    n = tanh(n_x + r * n_h)
    return ((1 - z) * n + z * h,)


STEPS = {"RNN_TANH": rnn_tanh_step, "RNN_RELU": rnn_relu_step, "LSTM": lstm_step, "GRU": gru_step}


def run_sequence(step, xi: Tensor, state: tuple, weights: tuple, reverse: bool = False):
    """Run ``step`` along the first dimension of ``xi`` (L, N, gates * H), backwards with
    ``reverse``: the outputs (L, N, H_out) in the sequence's order, and the last state."""
    outputs = []
    for t in reversed(range(xi.shape[0])) if reverse else range(xi.shape[0]):
        state = step(xi[t], state, *weights)
        outputs.append(state[0])
    if reverse:
        outputs.reverse()
    return stack(outputs), state


def run_packed_sequence(step, xi: Tensor, state: tuple, weights: tuple, batch_sizes, reverse=False):
    """``run_sequence`` for packed sequences: ``xi`` holds the steps time-major (step ``t``
    is ``batch_sizes[t]`` rows, the sequences still running, longest first). Returns the
    outputs in the same layout, and each sequence's state after its own last step.

    Forwards, the batch shrinks: the sequences that end before step ``t`` keep the state
    they reached. Backwards, it grows: a sequence starts at its own last step, from its
    initial state."""
    starts = [0]
    for n in batch_sizes:
        starts.append(starts[-1] + n)
    outputs = [None] * len(batch_sizes)
    if not reverse:
        finished = []  # the final states of the sequences that have ended, shortest first
        for t, n in enumerate(batch_sizes):
            if n < state[0].shape[0]:
                finished.append(tuple(s[n:] for s in state))
                state = tuple(s[:n] for s in state)
            state = step(xi[starts[t] : starts[t + 1]], state, *weights)
            outputs[t] = state[0]
        finished.append(state)
        final = tuple(cat([part[j] for part in reversed(finished)]) for j in range(len(state)))
    else:
        initial, final = state, tuple(s[: batch_sizes[-1]] for s in state)
        for t in reversed(range(len(batch_sizes))):
            n, running = batch_sizes[t], final[0].shape[0]
            if n > running:  # sequences whose last step is t join with their initial state
                final = tuple(cat([f, s[running:n]]) for f, s in zip(final, initial))
            final = step(xi[starts[t] : starts[t + 1]], final, *weights)
            outputs[t] = final[0]
    return cat(outputs), final


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the parameters of every layer and
    direction, the argument checks, and the loop over layers and directions.

    ``mode`` is ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``; the other arguments
    are :class:`LSTM`'s.

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.RNNBase("GRU", 10, 20)
        >>> output, h_n = layer(minigrad.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        (minigrad.Size([5, 3, 20]), minigrad.Size([1, 3, 20]))
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        _check_sizes(input_size, hidden_size, num_layers, dropout, proj_size, mode)
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=3,
            )
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        out_size = proj_size or hidden_size
        gates = GATES[mode] * hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * directions
            for suffix in ("", "_reverse")[:directions]:
                shapes = {"weight_ih": (gates, layer_input), "weight_hh": (gates, out_size)}
                if bias:
                    shapes |= {"bias_ih": (gates,), "bias_hh": (gates,)}
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    self.register_parameter(
                        name, Parameter(creation.empty(*shape, device=device, dtype=dtype))
                    )
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch packs the weights into one buffer for cuDNN; minigrad
        keeps them apart. Kept so that code calling it runs unchanged."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, in PyTorch's order."""
        per = len(self._flat_weights_names) // (self.num_layers * (1 + self.bidirectional))
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[k : k + per]] for k in range(0, len(names), per)]

    def _weights(self, layer: int, suffix: str):
        """(w_ih, b_ih) for the input's product and the step's own weights."""
        get = lambda kind: getattr(self, f"{kind}_l{layer}{suffix}", None)  # noqa: E731
        step_weights = (get("weight_hh"), get("bias_hh"))
        if self.proj_size:
            step_weights += (get("weight_hr"),)
        return (get("weight_ih"), get("bias_ih")), step_weights

    def forward(self, input, hx=None):
        """The outputs of the last layer for every step, and the last state of every layer:
        ``(output, h_n)``, or ``(output, (h_n, c_n))`` for the LSTM. A
        :class:`~minigrad.nn.utils.rnn.PackedSequence` input gives a packed output."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        batched = self._check_input(input)
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        state = self._initial_state(input, hx, batched, input.shape[1])  # (layers * D, N, ·)
        step = STEPS[self.mode]
        # The loop over time, or a fast path that runs it as one op (``fast/rnn.py``).
        run = fastpath.active.get((run_sequence, input.device.type), run_sequence)
        x, h_n = self._layers(input, state, lambda xi, s, w, back: run(step, xi, s, w, back))
        if not batched:
            x, h_n = x.squeeze(1), tuple(h.squeeze(1) for h in h_n)
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, (h_n if self.mode == "LSTM" else h_n[0])

    def _forward_packed(self, packed: PackedSequence, hx):
        """``forward`` on packed sequences: each step runs only the sequences that are
        still going (the first ``batch_sizes[t]``, longest first). ``hx`` and the returned
        state are in the batch's original order; inside, the batch is sorted."""
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        if not isinstance(data, Tensor) or data.ndim != 2:
            got = f"shape {tuple(data.shape)}" if isinstance(data, Tensor) else type(data).__name__
            raise ValueError(
                f"{type(self).__name__}: a packed input's data must be 2-D (steps, "
                f"input_size), got {got}"
            )
        self._check_input(data)
        sizes = [int(n) for n in batch_sizes.tolist()]
        state = self._initial_state(data, hx, True, sizes[0])
        if hx is not None and sorted_indices is not None:
            state = tuple(s.index_select(1, sorted_indices) for s in state)
        step = STEPS[self.mode]
        x, h_n = self._layers(
            data, state, lambda xi, s, w, back: run_packed_sequence(step, xi, s, w, sizes, back)
        )
        if unsorted_indices is not None:
            h_n = tuple(h.index_select(1, unsorted_indices) for h in h_n)
        output = PackedSequence(x, batch_sizes, sorted_indices, unsorted_indices)
        return output, (h_n if self.mode == "LSTM" else h_n[0])

    def _layers(self, x: Tensor, state: tuple, run):
        """Every layer and direction over ``x``, each reading the outputs of the one below:
        the last layer's outputs, and every layer's last state stacked (``h_n``, ...).
        ``run(xi, state, weights, reverse)`` runs one direction over time."""
        directions = 2 if self.bidirectional else 1
        last = []
        for layer in range(self.num_layers):
            outputs = []
            for d, suffix in enumerate(("", "_reverse")[:directions]):
                (w_ih, b_ih), weights = self._weights(layer, suffix)
                k = layer * directions + d
                out, final = run(linear(x, w_ih, b_ih), tuple(s[k] for s in state), weights, d == 1)
                outputs.append(out)
                last.append(final)
            x = outputs[0] if directions == 1 else cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = dropout(x, self.dropout)
        return x, tuple(stack([final[j] for final in last]) for j in range(len(state)))

    def _check_input(self, input) -> bool:
        """Check the input's kind, rank, size and dtype; True if it is batched (3-D)."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            got = type(input).__name__
            raise TypeError(f"{name}: expected the input to be a Tensor, got {got}")
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.shape[-1]}"
            )
        if input.shape[1 if input.ndim == 3 and self.batch_first else 0] == 0:
            raise RuntimeError(f"Expected sequence length to be larger than 0 in {name}")
        dtype = self.weight_ih_l0.dtype
        if input.dtype != dtype:
            raise ValueError(f"input must have the type {dtype}, got type {input.dtype}")
        return input.ndim == 3

    def _initial_state(self, input: Tensor, hx, batched: bool, batch: int) -> tuple:
        """The initial state for ``batch`` sequences as a tuple of 3-D tensors, zeros where
        ``hx`` is None; ``input`` gives the dtype and device it must have."""
        directions = 2 if self.bidirectional else 1
        sizes = [self.proj_size or self.hidden_size]
        if self.mode == "LSTM":
            sizes.append(self.hidden_size)
        if hx is None:
            like = self.weight_ih_l0
            return tuple(
                creation.zeros(self.num_layers * directions, batch, size,
                               dtype=like.dtype, device=like.device)
                for size in sizes
            )  # fmt: skip
        if self.mode == "LSTM":
            if not isinstance(hx, tuple | list) or len(hx) != 2:
                raise TypeError("LSTM: hx must be a tuple (h_0, c_0) of two tensors")
            hx = tuple(hx)
        else:
            if not isinstance(hx, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: hx must be a Tensor, got {type(hx).__name__}"
                )
            hx = (hx,)
        rank = 3 if batched else 2
        if any(h.ndim != rank for h in hx):
            what = "hx and cx" if self.mode == "LSTM" else "hx"
            got = ", ".join(f"{h.ndim}-D" for h in hx)
            raise RuntimeError(
                f"For {'batched 3' if batched else 'unbatched 2'}-D input, {what} should also "
                f"be {rank}-D but got {got} tensor{'s' if len(hx) > 1 else ''}"
            )
        if not batched:
            hx = tuple(h.unsqueeze(1) for h in hx)
        for j, (h, size) in enumerate(zip(hx, sizes)):
            expected = (self.num_layers * directions, batch, size)
            if tuple(h.shape) != expected:
                which = f"hidden[{j}] " if self.mode == "LSTM" else "hidden "
                shown = expected if batched else (expected[0], expected[2])
                got = list(h.shape) if batched else [h.shape[0], h.shape[2]]
                raise RuntimeError(f"Expected {which}size {shown}, got {got}")
            if h.dtype != input.dtype or h.device != input.device:
                raise RuntimeError(
                    f"{type(self).__name__}: the initial state is {h.dtype} on {h.device}, the "
                    f"input {input.dtype} on {input.device}; they must match"
                )
        return hx

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """An Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` at every step,
    for each of ``num_layers`` stacked layers (each reading the outputs of the one below).

    Args:
        input_size: the size of each step's input (the input's last dimension).
        hidden_size: the size of the state ``h``.
        num_layers: stacked layers (default 1).
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.
        bias: learn ``b_ih`` and ``b_hh`` (default True).
        batch_first: the input and output are (N, L, ·) instead of (L, N, ·); the state
            stays (layers * directions, N, H).
        dropout: dropout on the outputs of every layer but the last, in training.
        bidirectional: also run each layer from the end to the start, and concatenate
            the two directions' outputs (the output's last dimension is then 2 * H).
        device, dtype: where and how the parameters are made.

    ``forward(input, h_0=None)`` takes an (L, N, input_size) input, or (L, input_size)
    for one unbatched sequence, and returns ``(output, h_n)``: the last layer's ``h_t``
    for every step, and every layer's last state.

    Example:
        >>> import minigrad
        >>> rnn = minigrad.nn.RNN(10, 20, num_layers=2)
        >>> output, h_n = rnn(minigrad.randn(5, 3, 10))  # 5 steps, a batch of 3
        >>> output.shape, h_n.shape
        (minigrad.Size([5, 3, 20]), minigrad.Size([2, 3, 20]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(
            f"RNN_{nonlinearity.upper()}", input_size, hidden_size, num_layers, bias,
            batch_first, dropout, bidirectional, device=device, dtype=dtype,
        )  # fmt: skip
        self.nonlinearity = nonlinearity  # (PyTorch's repr does not show it)


class LSTM(RNNBase):
    """Long short-term memory: a cell state ``c`` that each step updates through gates.

    From one product of the step's input and the previous ``h``, four gates (PyTorch's
    order: input ``i``, forget ``f``, cell ``g``, output ``o``)::

        i, f, o = sigmoid(...), g = tanh(...)
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)

    The forget gate lets the state, and its gradient, pass many steps unchanged: what a
    plain RNN, whose gradient is multiplied by ``W_hh`` at every step, cannot do.

    The arguments are :class:`RNN`'s (without ``nonlinearity``), plus ``proj_size``: if
    above 0, ``h_t`` is projected to that size by ``weight_hr_l{k}`` (an LSTM with
    projections), and the output and ``h_n`` have ``proj_size`` features.

    ``forward(input, (h_0, c_0)=None)`` returns ``(output, (h_n, c_n))``.

    Example:
        >>> import minigrad
        >>> lstm = minigrad.nn.LSTM(10, 20, batch_first=True)
        >>> output, (h_n, c_n) = lstm(minigrad.randn(3, 5, 10))  # a batch of 3, 5 steps
        >>> output.shape, h_n.shape, c_n.shape
        (minigrad.Size([3, 5, 20]), minigrad.Size([1, 3, 20]), minigrad.Size([1, 3, 20]))
        >>> lstm.weight_ih_l0.shape  # the four gates, stacked
        minigrad.Size([80, 10])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, proj_size, device, dtype,
        )  # fmt: skip


class GRU(RNNBase):
    """A gated recurrent unit: an RNN whose update is gated, with fewer parts than an LSTM.

    Three gates from the step's input and the previous ``h`` (PyTorch's order: reset ``r``,
    update ``z``, new ``n``)::

        r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
        z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
        n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
        h_t = (1 - z) * n + z * h_{t-1}

    The arguments are :class:`RNN`'s (without ``nonlinearity``); ``forward(input, h_0=None)``
    returns ``(output, h_n)``.

    Example:
        >>> import minigrad
        >>> gru = minigrad.nn.GRU(10, 20, bidirectional=True)
        >>> output, h_n = gru(minigrad.randn(5, 10))  # one unbatched sequence of 5 steps
        >>> output.shape, h_n.shape
        (minigrad.Size([5, 40]), minigrad.Size([2, 20]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, device=device, dtype=dtype,
        )  # fmt: skip


# PyTorch's CPU LSTM and GRU are single ops outside autocast's lists (its plain RNN is made
# of linear layers, which are in them): under CPU autocast these two run as they are.
LSTM.forward = autocast_mode.casts(cpu="keep")(RNNBase.forward)
GRU.forward = autocast_mode.casts(cpu="keep")(RNNBase.forward)


class RNNCellBase(Module):
    """One step of a recurrent layer, for loops you write yourself: the parameters
    ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` and the checks, for
    :class:`RNNCell`, :class:`LSTMCell` and :class:`GRUCell`.

    Example:
        >>> import minigrad
        >>> cell = minigrad.nn.LSTMCell(10, 20)
        >>> isinstance(cell, minigrad.nn.RNNCellBase), cell.weight_ih.shape
        (True, minigrad.Size([80, 10]))
    """

    def __init__(self, mode, input_size, hidden_size, bias, device=None, dtype=None) -> None:
        super().__init__()
        _check_sizes(input_size, hidden_size, 1, 0.0, 0, mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = GATES[mode] * hidden_size
        make = lambda *shape: Parameter(creation.empty(*shape, device=device, dtype=dtype))  # noqa: E731
        self.weight_ih = make(gates, input_size)
        self.weight_hh = make(gates, hidden_size)
        self.register_parameter("bias_ih", make(gates) if bias else None)
        self.register_parameter("bias_hh", make(gates) if bias else None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def _step(self, input: Tensor, hx, states: int):
        """Run the cell's step on ``input`` from the state ``hx`` (a tensor, or a tuple of
        ``states`` tensors; zeros if None); squeeze the batch back off an unbatched input."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            got = type(input).__name__
            raise TypeError(f"{name}: expected the input to be a Tensor, got {got}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[-1]} expected "
                f"{self.input_size}"
            )
        if input.dtype != self.weight_ih.dtype:
            dtype = self.weight_ih.dtype
            raise ValueError(f"input must have the type {dtype}, got type {input.dtype}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            zeros = creation.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
            state = (zeros,) * states
        else:
            state = tuple(hx) if states == 2 else (hx,)
            if states == 2 and len(state) != 2:
                raise TypeError(f"{name}: hx must be a tuple (h_0, c_0) of two tensors")
            for j, h in enumerate(state):
                if not isinstance(h, Tensor) or h.ndim not in (1, 2):
                    got = f"{h.ndim}D" if isinstance(h, Tensor) else type(h).__name__
                    raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {got} instead")
                if h.ndim != input.ndim:
                    raise RuntimeError(
                        f"{name}: a {input.ndim}-D input needs a {input.ndim}-D hidden state, "
                        f"got {h.ndim}-D"
                    )
                if h.shape[-1] != self.hidden_size or (batched and h.shape[0] != x.shape[0]):
                    raise RuntimeError(
                        f"{name}: hidden[{j}] has shape {tuple(h.shape)}; expected "
                        f"{(x.shape[0], self.hidden_size) if batched else (self.hidden_size,)}"
                    )
            state = state if batched else tuple(h.unsqueeze(0) for h in state)
        xi = linear(x, self.weight_ih, self.bias_ih)
        new = STEPS[self.mode](xi, state, self.weight_hh, self.bias_hh)
        return new if batched else tuple(h.squeeze(0) for h in new)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        return s if nonlinearity == "tanh" else f"{s}, nonlinearity={nonlinearity}"


class RNNCell(RNNCellBase):
    """One step of :class:`RNN`: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    ``forward(input, hx=None)``: an (N, input_size) input (or (input_size,)) and state
    (N, hidden_size), zeros if not given; returns the new state.

    Example:
        >>> import minigrad
        >>> cell = minigrad.nn.RNNCell(10, 20)
        >>> h = None
        >>> for x in minigrad.randn(6, 3, 10):  # six steps of a batch of 3
        ...     h = cell(x, h)
        >>> h.shape
        minigrad.Size([3, 20])
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True,
        nonlinearity: str = "tanh", device=None, dtype=None,
    ) -> None:  # fmt: skip
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(
            f"RNN_{nonlinearity.upper()}", input_size, hidden_size, bias, device, dtype
        )
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx, 1)[0]


class LSTMCell(RNNCellBase):
    """One step of :class:`LSTM`; ``forward(input, (h, c)=None)`` returns ``(h', c')``.

    Example:
        >>> import minigrad
        >>> cell = minigrad.nn.LSTMCell(10, 20)
        >>> h, c = cell(minigrad.randn(3, 10))  # from a zero state
        >>> h, c = cell(minigrad.randn(3, 10), (h, c))
        >>> h.shape, c.shape
        (minigrad.Size([3, 20]), minigrad.Size([3, 20]))
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx=None) -> tuple[Tensor, Tensor]:
        return self._step(input, hx, 2)


class GRUCell(RNNCellBase):
    """One step of :class:`GRU`; ``forward(input, hx=None)`` returns the new state.

    Example:
        >>> import minigrad
        >>> cell = minigrad.nn.GRUCell(10, 20)
        >>> cell(minigrad.randn(10)).shape  # one unbatched input
        minigrad.Size([20])
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx, 1)[0]


def _check_sizes(input_size, hidden_size, num_layers, dropout, proj_size, mode) -> None:
    """PyTorch's checks of a recurrent layer's constructor arguments, with its messages."""
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size),
                        ("num_layers", num_layers), ("proj_size", proj_size)):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    number = isinstance(dropout, numbers.Number) and not isinstance(dropout, bool)
    if not number or not 0 <= dropout <= 1:
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of an "
            "element being zeroed"
        )
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size and mode != "LSTM":
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")
