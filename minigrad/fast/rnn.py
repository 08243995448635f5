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

Registered for ``nn.rnn.run_sequence`` on both device types (the code is ``xp`` only);
``MINIGRAD_REFERENCE=1`` runs the reference loop instead. ``tests/test_rnn.py`` checks
the two against each other, forward and backward.
"""

from __future__ import annotations

from .. import fastpath
from ..autograd import Function
from ..backend import quiet
from ..nn import rnn

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
                a += xi[t]
                if b_hh is not None:
                    a += b_hh
                i, f, g, o = (a[:, j * size : (j + 1) * size] for j in range(4))
                xp.tanh(g, out=g)
                _sigmoid(xp, a[:, : 2 * size])
                _sigmoid(xp, o)
                c = cs[k + 1]
                xp.multiply(f, cs[k], out=c)
                c += i * g
                xp.tanh(c, out=tcs[k])
                if w_hr is None:
                    xp.multiply(o, tcs[k], out=hs[k + 1])
                else:
                    xp.multiply(o, tcs[k], out=ms[k])
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
                i, f, g, o = (acts[k][:, j * size : (j + 1) * size] for j in range(4))
                da = das[k]
                tc = tcs[k]
                dc += dm * o * (1 - tc * tc)
                xp.multiply(dc * g, i * (1 - i), out=da[:, :size])
                xp.multiply(dc * cs[k], f * (1 - f), out=da[:, size : 2 * size])
                xp.multiply(dc * i, 1 - g * g, out=da[:, 2 * size : 3 * size])
                xp.multiply(dm * tc, o * (1 - o), out=da[:, 3 * size :])
                dc *= f
                dh = da @ w_hh
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


def _over_steps(xp, a, b):
    """``sum_t a[t]^T b[t]``: a weight's gradient over every step, in one product."""
    return a.reshape(-1, a.shape[-1]).T @ b.reshape(-1, b.shape[-1])


def run_sequence_at_once(step, xi, state, weights, reverse=False):
    """:func:`nn.rnn.run_sequence` as one op: the same outputs and last state."""
    mode = MODES.get(step)
    if mode is None:  # a step this op does not know: the reference loop
        return rnn.run_sequence(step, xi, state, weights, reverse)
    steps, batch = xi.shape[:2]
    h0 = state[0]
    c0 = state[1] if mode == "LSTM" else None
    w_hh, b_hh, *rest = weights
    w_hr = rest[0] if rest else None
    packed = RecurrentSequence.apply(xi, h0, c0, w_hh, b_hh, w_hr, mode=mode, reverse=reverse)
    width = h0.shape[-1]
    split = steps * batch * width
    out = packed[:split].reshape(steps, batch, width)
    h_n = out[0 if reverse else steps - 1]
    if mode == "LSTM":
        return out, (h_n, packed[split:].reshape(batch, c0.shape[-1]))
    return out, (h_n,)


fastpath.register(rnn.run_sequence, "cpu")(run_sequence_at_once)
fastpath.register(rnn.run_sequence, "cuda")(run_sequence_at_once)
