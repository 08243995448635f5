"""A recurrent layer's whole sequence as one op: forward in one loop, backward in another.

The reference (``nn/rnn.py``) runs a layer as its step function over time: about fifteen
small ops per LSTM step, each recorded in the graph, and a slice of the input's
projection per step whose backward makes a zero array of the *whole* sequence, so that
backward costs O(L^2) in the sequence length L. On the CPU, that bookkeeping is nearly all
of the time (a 35-step LSTM of batch 32: about 60 ms, against 9 ms for PyTorch).

Here one Function, :class:`RecurrentSequence`, stands for the loop of one layer in one
direction. Its forward runs the same equations on arrays, keeping each step's gate
activations; its backward is backpropagation through time written out, from the last step
to the first. The weight gradients are one matrix product each over all steps at the
end, not one per step. The layer sees the same thing as from the reference loop: the
outputs of every step and the last state (parts of the op's one packed output).

Registered for ``nn.rnn.run_sequence`` on both device types (the code is ``xp`` only).
On the CPU, with numba (the ``fast`` extra), :class:`RecurrentSequenceCompiled` does the
LSTM step's arithmetic in compiled passes instead of about fifteen NumPy calls forward
and as many backward. ``MINIGRAD_REFERENCE=1`` runs the reference loop instead.
``tests/test_fast_paths.py`` checks each against it, forward and backward.
"""

from __future__ import annotations

import numpy as np

from .. import fastpath
from ..autograd import Function
from ..backend import quiet
from ..nn import rnn
from .compiled import AVAILABLE as COMPILED
from .compiled import numba

MODES = {
    rnn.rnn_tanh_step: "RNN_TANH",
    rnn.rnn_relu_step: "RNN_RELU",
    rnn.lstm_step: "LSTM",
    rnn.gru_step: "GRU",
}


def _sigmoid(xp, a):
    """``a = 1 / (1 + exp(-a))`` in place, as the reference Sigmoid computes it."""
    xp.negative(a, out=a)
    with quiet(xp):  # exp overflows to inf for a << 0, giving the right 0
        xp.exp(a, out=a)
    a += 1
    xp.reciprocal(a, out=a)


class RecurrentSequence(Function):
    """One layer, one direction, over the whole sequence.

    Inputs: ``xi`` (L, N, G), the input's projection ``x W_ih^T + b_ih`` of every step;
    the initial state ``h0`` (N, H_out) and, for the LSTM, ``c0`` (N, H); ``w_hh``,
    ``b_hh`` (or None) and, for an LSTM with projections, ``w_hr``. The output is flat:
    the outputs (L, N, H_out) in the sequence's order, then, for the LSTM, the last cell
    state (N, H).
    """

    def forward(self, xi, h0, c0, w_hh, b_hh, w_hr, *, mode, reverse):
        xp = self.xp
        steps, batch, gates = xi.shape
        self.mode, self.reverse = mode, reverse
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        hs = xp.empty((steps + 1, batch, h0.shape[-1]), dtype=xi.dtype)  # processing order
        hs[0] = h0
        w_t = w_hh.T
        if mode == "LSTM":
            size = gates // 4
            acts = xp.empty_like(xi)
            cs = xp.empty((steps + 1, batch, size), dtype=xi.dtype)
            cs[0] = c0
            tcs = xp.empty((steps, batch, size), dtype=xi.dtype)
            ms = xp.empty_like(tcs) if w_hr is not None else None
            for k, t in enumerate(order):
                a = acts[k]
                xp.matmul(hs[k], w_t, out=a)
                out = hs[k + 1] if w_hr is None else ms[k]
                self.lstm_cell(a, xi[t], b_hh, cs[k], cs[k + 1], tcs[k], out)
                if w_hr is not None:
                    xp.matmul(ms[k], w_hr.T, out=hs[k + 1])
            self.save(hs, acts, cs, tcs, ms, w_hh, w_hr)
            tail = cs[steps].reshape(-1)
        elif mode == "GRU":
            size = gates // 3
            acts = xp.empty_like(xi)  # r, z, n
            hn = xp.empty((steps, batch, size), dtype=xi.dtype)  # h W_hn^T + b_hn
            for k, t in enumerate(order):
                gh = hs[k] @ w_t
                if b_hh is not None:
                    gh += b_hh
                a = acts[k]
                xp.add(xi[t][:, : 2 * size], gh[:, : 2 * size], out=a[:, : 2 * size])
                _sigmoid(xp, a[:, : 2 * size])
                r, z, n = (a[:, j * size : (j + 1) * size] for j in range(3))
                hn[k] = gh[:, 2 * size :]
                xp.multiply(r, hn[k], out=n)
                n += xi[t][:, 2 * size :]
                xp.tanh(n, out=n)
                xp.add((1 - z) * n, z * hs[k], out=hs[k + 1])
            self.save(hs, acts, hn, w_hh)
            tail = None
        else:
            for k, t in enumerate(order):
                a = hs[k + 1]
                xp.matmul(hs[k], w_t, out=a)
                a += xi[t]
                if b_hh is not None:
                    a += b_hh
                if mode == "RNN_TANH":
                    xp.tanh(a, out=a)
                else:
                    xp.maximum(a, 0, out=a)
            self.save(hs, w_hh)
            tail = None
        out = hs[1:][::-1] if reverse else hs[1:]
        flat = xp.ascontiguousarray(out).reshape(-1)
        return flat if tail is None else xp.concatenate([flat, tail])

    def lstm_cell(self, a, xi, b_hh, c_prev, c, tc, h):
        """One LSTM step after ``a = h W_hh^T``, in place: ``a`` (N, 4H) becomes the gates'
        activations i, f, g, o of ``xi + a + b_hh``, then ``c = f * c_prev + i * g``,
        ``tc = tanh(c)`` and ``h = o * tc`` (the arrays given)."""
        xp = self.xp
        if b_hh is not None:
            a += b_hh
        a += xi
        size = c.shape[-1]
        i, f, g, o = (a[:, j * size : (j + 1) * size] for j in range(4))
        xp.tanh(g, out=g)
        _sigmoid(xp, a[:, : 2 * size])
        _sigmoid(xp, o)
        xp.multiply(f, c_prev, out=c)
        c += i * g
        xp.tanh(c, out=tc)
        xp.multiply(o, tc, out=h)

    def lstm_cell_backward(self, dm, acts, c_prev, tc, dc, da):
        """The gradients of :meth:`lstm_cell` for ``dm``, the gradient of its ``h``: ``da``
        (N, 4H), that of the gates' inputs, is written; ``dc``, the gradient of ``c`` from
        the step after, becomes that of ``c_prev``."""
        xp = self.xp
        size = dc.shape[-1]
        i, f, g, o = (acts[:, j * size : (j + 1) * size] for j in range(4))
        dc += dm * o * (1 - tc * tc)
        xp.multiply(dc * g, i * (1 - i), out=da[:, :size])
        xp.multiply(dc * c_prev, f * (1 - f), out=da[:, size : 2 * size])
        xp.multiply(dc * i, 1 - g * g, out=da[:, 2 * size : 3 * size])
        xp.multiply(dm * tc, o * (1 - o), out=da[:, 3 * size :])
        dc *= f

    def backward(self, grad):
        xp = self.xp
        hs = self.saved[0]
        steps, batch, width = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        dout = grad[: steps * batch * width].reshape(steps, batch, width)
        if self.reverse:
            dout = dout[::-1]  # processing order from here on
        dh = xp.zeros((batch, width), dtype=grad.dtype)  # from the step after
        if self.mode == "LSTM":
            _, acts, cs, tcs, ms, w_hh, w_hr = self.saved
            size = cs.shape[-1]
            dc = grad[steps * batch * width :].reshape(batch, size).copy()
            das = xp.empty_like(acts)
            dhs = xp.empty_like(dout) if w_hr is not None else None
            for k in range(steps - 1, -1, -1):
                dm = dout[k] + dh
                if w_hr is not None:
                    dhs[k] = dm
                    dm = dm @ w_hr
                self.lstm_cell_backward(dm, acts[k], cs[k], tcs[k], dc, das[k])
                dh = das[k] @ w_hh
            dxi, dgh = das, das
            dw_hr = None if w_hr is None else _over_steps(xp, dhs, ms)
            dc0 = dc
        elif self.mode == "GRU":
            _, acts, hn, w_hh = self.saved
            size = hn.shape[-1]
            dxi = xp.empty_like(acts)
            dgh = xp.empty_like(acts)
            for k in range(steps - 1, -1, -1):
                dht = dout[k] + dh
                r, z, n = (acts[k][:, j * size : (j + 1) * size] for j in range(3))
                dan = dht * (1 - z) * (1 - n * n)
                dxi[k][:, 2 * size :] = dan
                xp.multiply(dan, r, out=dgh[k][:, 2 * size :])
                xp.multiply(dan * hn[k], r * (1 - r), out=dxi[k][:, :size])
                xp.multiply(dht * (hs[k] - n), z * (1 - z), out=dxi[k][:, size : 2 * size])
                dgh[k][:, : 2 * size] = dxi[k][:, : 2 * size]
                dh = dht * z + dgh[k] @ w_hh
            dw_hr = dc0 = None
        else:
            _, w_hh = self.saved
            dxi = xp.empty((steps, batch, w_hh.shape[0]), dtype=grad.dtype)
            for k in range(steps - 1, -1, -1):
                dht = dout[k] + dh
                h = hs[k + 1]
                if self.mode == "RNN_TANH":
                    xp.multiply(dht, 1 - h * h, out=dxi[k])
                else:  # ReLU's gradient passes where the output is > 0 (or NaN)
                    dxi[k] = xp.where(h <= 0, 0, dht)
                dh = dxi[k] @ w_hh
            dgh = dxi
            dw_hr = dc0 = None
        dw_hh = _over_steps(xp, dgh, hs[:-1])
        db_hh = dgh.sum(axis=(0, 1))
        if self.reverse:
            dxi = dxi[::-1]
        return xp.ascontiguousarray(dxi), dh, dc0, dw_hh, db_hh, dw_hr


# The kernels go row by row, over 1-D views of each gate's part of a row: numba
# vectorizes those loops, and not the same loops indexed as a[n, size + j] (2.7x slower).


def _quarters(row):
    """A row of the gates, 4 * size values, as its parts for i, f, g and o."""
    size = row.size // 4
    return row[:size], row[size : 2 * size], row[2 * size : 3 * size], row[3 * size :]


def _gate_inputs_kernel(a, xi, bias, e):
    """``a = a + bias + xi`` (the gates' inputs, ``a`` holding ``h W_hh^T``), ``e = -a``."""
    for n in range(a.shape[0]):
        row, x, out = a[n], xi[n], e[n]
        for j in range(row.size):
            z = row[j] + bias[j] + x[j]
            row[j] = z
            out[j] = -z


def _cell_kernel(a, e, c_prev, c):
    """With ``e = exp(-a)`` and the g part of ``a`` through tanh already: the sigmoids
    ``1 / (1 + e)`` of the i, f and o parts into ``a``, and the cell state ``c = f *
    c_prev + i * g``."""
    for n in range(c.shape[0]):
        a_i, a_f, a_g, a_o = _quarters(a[n])
        e_i, e_f, _, e_o = _quarters(e[n])
        before, cell = c_prev[n], c[n]
        for j in range(cell.size):
            i, f = 1 / (1 + e_i[j]), 1 / (1 + e_f[j])
            a_i[j], a_f[j], a_o[j] = i, f, 1 / (1 + e_o[j])
            cell[j] = f * before[j] + i * a_g[j]


def _lstm_cell_backward_kernel(dm, acts, c_prev, tc, dc, da):
    """:meth:`RecurrentSequence.lstm_cell_backward` in one pass."""
    for n in range(dc.shape[0]):
        a_i, a_f, a_g, a_o = _quarters(acts[n])
        d_i, d_f, d_g, d_o = _quarters(da[n])
        dm_n, tc_n, dc_n, before = dm[n], tc[n], dc[n], c_prev[n]
        for j in range(dc_n.size):
            i, f, g, o = a_i[j], a_f[j], a_g[j], a_o[j]
            t, d = tc_n[j], dm_n[j]
            cell = dc_n[j] + d * o * (1 - t * t)
            d_i[j] = cell * g * (i * (1 - i))
            d_f[j] = cell * before[j] * (f * (1 - f))
            d_g[j] = cell * i * (1 - g * g)
            d_o[j] = d * t * (o * (1 - o))
            dc_n[j] = cell * f


if COMPILED:  # one core: a step's arrays are small (a batch of 32 by 128: 16K gates)
    _quarters = numba.njit(cache=True)(_quarters)
    _gate_inputs_kernel = numba.njit(cache=True)(_gate_inputs_kernel)
    _cell_kernel = numba.njit(cache=True, error_model="numpy")(_cell_kernel)
    _lstm_cell_backward_kernel = numba.njit(cache=True, error_model="numpy")(
        _lstm_cell_backward_kernel
    )


class RecurrentSequenceCompiled(RecurrentSequence):
    """The CPU's :class:`RecurrentSequence`, whose LSTM step after the product ``h
    W_hh^T`` is two compiled passes with NumPy's exp and tanh between them (numba's are
    not vectorized: 6x slower) and one compiled pass backward, where the NumPy code makes
    about fifteen calls each way on arrays of a few thousand values: the time is in the
    calls (in the suite's LSTM step, 1.7 against 4.1 ms of elementwise work). The same
    formulas element by element; float32 and float64 (others take the NumPy code).
    """

    def lstm_cell(self, a, xi, b_hh, c_prev, c, tc, h):
        if a.dtype.type not in (np.float32, np.float64):
            return super().lstm_cell(a, xi, b_hh, c_prev, c, tc, h)
        bias = np.zeros(a.shape[-1], a.dtype) if b_hh is None else b_hh
        e = np.empty_like(a)
        _gate_inputs_kernel(a, xi, bias, e)
        with quiet(np):  # exp overflows to inf for a << 0, giving the right 0
            np.exp(e, out=e)  # NumPy's exp and tanh are vectorized, numba's are not
        size = c.shape[-1]
        g = a[:, 2 * size : 3 * size]
        np.tanh(g, out=g)
        _cell_kernel(a, e, c_prev, c)
        np.tanh(c, out=tc)
        np.multiply(a[:, 3 * size :], tc, out=h)

    def lstm_cell_backward(self, dm, acts, c_prev, tc, dc, da):
        if dm.dtype.type not in (np.float32, np.float64):
            return super().lstm_cell_backward(dm, acts, c_prev, tc, dc, da)
        _lstm_cell_backward_kernel(dm, acts, c_prev, tc, dc, da)


def _over_steps(xp, a, b):
    """``sum_t a[t]^T b[t]``: a weight's gradient over every step, in one product."""
    return a.reshape(-1, a.shape[-1]).T @ b.reshape(-1, b.shape[-1])


def run_sequence_at_once(step, xi, state, weights, reverse=False, *, op=RecurrentSequence):
    """:func:`nn.rnn.run_sequence` as one op (``op``, a :class:`RecurrentSequence`): the
    same outputs and last state."""
    mode = MODES.get(step)
    if mode is None:  # a step this op does not know: the reference loop
        return rnn.run_sequence(step, xi, state, weights, reverse)
    steps, batch = xi.shape[:2]
    h0 = state[0]
    c0 = state[1] if mode == "LSTM" else None
    w_hh, b_hh, *rest = weights
    w_hr = rest[0] if rest else None
    packed = op.apply(xi, h0, c0, w_hh, b_hh, w_hr, mode=mode, reverse=reverse)
    width = h0.shape[-1]
    split = steps * batch * width
    out = packed[:split].reshape(steps, batch, width)
    h_n = out[0 if reverse else steps - 1]
    if mode == "LSTM":
        return out, (h_n, packed[split:].reshape(batch, c0.shape[-1]))
    return out, (h_n,)


CPU_LOOP = RecurrentSequenceCompiled if COMPILED else RecurrentSequence
"""The CPU's op: its LSTM step compiled where numba is installed, else the NumPy code."""


@fastpath.register(rnn.run_sequence, "cpu")
def run_sequence_on_cpu(step, xi, state, weights, reverse=False):
    """:func:`run_sequence_at_once` with :data:`CPU_LOOP`."""
    return run_sequence_at_once(step, xi, state, weights, reverse, op=CPU_LOOP)


fastpath.register(rnn.run_sequence, "cuda")(run_sequence_at_once)
