"""The connectionist temporal classification loss (Graves et al., 2006), a primitive: its
forward is the forward (alpha) recursion, its backward the backward (beta) recursion.

CTC scores a label sequence (``"cat"``) against per-step class log-probabilities without
saying which step emits which label: it sums the probabilities of every *alignment*, a
path of one class per step that collapses to the labels once repeats are merged and
blanks dropped (``"cc-aa-t"``, ``"c-a--tt"``, ...). Over the *extended* labels
``l' = (blank, c, blank, a, blank, t, blank)`` (length ``L = 2S + 1``), a path moves at
each step from position ``s`` to ``s``, ``s + 1``, or ``s + 2`` (skipping a blank between
two different labels). So, with ``y_t(k)`` the probability of class ``k`` at step ``t``::

    alpha_t(s) = (alpha_{t-1}(s) + alpha_{t-1}(s-1) [+ alpha_{t-1}(s-2)]) * y_t(l'_s)
    p(labels)  = alpha_{T-1}(L-1) + alpha_{T-1}(L-2)        loss = -log p

The backward recursion ``beta`` runs the same way from the end; ``alpha_t(s) beta_t(s)``
is the probability of all alignments through ``(t, s)`` with ``y_t(l'_s)`` counted twice,
so the gradient of the loss with respect to the log-probability of class ``k`` at ``t`` is
``-sum_{s : l'_s = k} alpha_t(s) beta_t(s) / (y_t(k) p)``: minus the posterior probability
that an alignment emits ``k`` at ``t``. Everything runs in log space
(``logaddexp`` for the sums), over the whole batch at once, one step at a time.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quietly


def _shift(xp, a, by: int, fill):
    """``a`` (N, L) moved right by ``by`` positions along L, ``fill`` coming in."""
    out = xp.full_like(a, fill)
    out[:, by:] = a[:, :-by]
    return out


class CTCLoss(Function):
    """The negative log-likelihood of each target sequence (a (N,) result), from
    ``log_probs`` (T, N, C). ``labels`` (N, L): the extended labels (blanks interleaved,
    padded with blank); ``input_lengths``, ``label_lengths`` (N,): ``T_n`` and
    ``L_n = 2 S_n + 1``."""

    @quietly  # log(0) = -inf is the point: impossible alignments
    def forward(self, log_probs, labels, input_lengths, label_lengths, blank, zero_infinity):
        xp = self.xp
        steps, n, _ = log_probs.shape
        width = labels.shape[1]
        positions = xp.arange(width)[None, :]
        valid = positions < label_lengths[:, None]
        # A skip s-2 -> s is allowed onto a label that differs from the one two back.
        skip = (labels != blank) & (labels != _shift(xp, labels, 2, blank))
        rows = xp.arange(n)[:, None]
        neg_inf = xp.array(-xp.inf, dtype=log_probs.dtype)
        alpha = xp.full((steps, n, width), -xp.inf, dtype=log_probs.dtype)
        for t in range(steps):
            emit = log_probs[t][rows, labels]  # (N, L): log y_t(l'_s)
            if t == 0:
                a = xp.where(positions < 2, emit, neg_inf)
            else:
                prev = alpha[t - 1]
                a = xp.logaddexp(prev, _shift(xp, prev, 1, -xp.inf))
                a = xp.where(skip, xp.logaddexp(a, _shift(xp, prev, 2, -xp.inf)), a) + emit
            running = (t < input_lengths)[:, None]
            alpha[t] = xp.where(valid & running, a, neg_inf)
        # The last step of each sequence: its last two extended positions.
        last_t = xp.maximum(input_lengths - 1, 0)
        at_end = alpha[last_t, xp.arange(n)]  # (N, L)
        end_a = at_end[xp.arange(n), label_lengths - 1]
        end_b = xp.where(
            label_lengths > 1, at_end[xp.arange(n), xp.maximum(label_lengths - 2, 0)], -xp.inf
        )
        nll = -xp.logaddexp(end_a, end_b)
        # No steps: the empty target has probability 1, any other 0.
        nll = xp.where(input_lengths == 0, xp.where(label_lengths == 1, 0.0, xp.inf), nll)
        nll = nll.astype(log_probs.dtype)
        infinite = xp.isinf(nll)
        if zero_infinity:
            nll = xp.where(infinite, 0, nll).astype(log_probs.dtype)
        self.save(log_probs, labels, input_lengths, label_lengths, alpha, nll, infinite)
        self.blank, self.zero_infinity = blank, zero_infinity
        return nll

    @quietly
    def backward(self, grad):
        xp = self.xp
        log_probs, labels, input_lengths, label_lengths, alpha, nll, infinite = self.saved
        steps, n, classes = log_probs.shape
        width = labels.shape[1]
        positions = xp.arange(width)[None, :]
        valid = positions < label_lengths[:, None]
        # A skip s+2 -> s (backwards) is allowed where s -> s+2 is allowed forwards.
        skip_ahead = _shift_left(xp, (labels != self.blank) & (labels != _shift(
            xp, labels, 2, self.blank)), 2)  # fmt: skip
        rows = xp.arange(n)[:, None]
        neg_inf = xp.array(-xp.inf, dtype=log_probs.dtype)
        ends = (positions == label_lengths[:, None] - 1) | (positions == label_lengths[:, None] - 2)
        out = xp.zeros_like(log_probs)
        beta = xp.full((n, width), -xp.inf, dtype=log_probs.dtype)
        scale = xp.where(infinite & self.zero_infinity, 0, grad)  # (N,)
        for t in reversed(range(steps)):
            emit = log_probs[t][rows, labels]
            b = xp.logaddexp(beta, _shift_left_fill(xp, beta, 1))
            b = xp.where(skip_ahead, xp.logaddexp(b, _shift_left_fill(xp, beta, 2)), b)
            first = (t == input_lengths - 1)[:, None]
            b = xp.where(first, xp.where(ends, 0.0, -xp.inf), b) + emit
            running = (t < input_lengths)[:, None]
            beta = xp.where(valid & running, b, neg_inf)
            # log of sum over s with l'_s = k of alpha beta, per class k: scatter by label.
            ab = alpha[t] + beta  # (N, L)
            peak = xp.max(xp.where(xp.isfinite(ab), ab, -xp.inf), axis=1, keepdims=True)
            peak = xp.where(xp.isfinite(peak), peak, 0)
            summed = xp.zeros((n, classes), dtype=log_probs.dtype)
            flat = (rows * classes + labels).reshape(-1)
            weights = xp.exp(ab - peak).reshape(-1)
            summed = xp.bincount(flat, weights=weights, minlength=n * classes)
            summed = summed.reshape(n, classes).astype(log_probs.dtype)
            with_labels = xp.log(summed) + peak  # -inf for classes not in the labels
            occupancy = xp.exp(with_labels + nll[:, None] - log_probs[t])
            g = -occupancy * scale[:, None]
            # An impossible sequence: no gradient with zero_infinity, else NaN (PyTorch's).
            dropped = (infinite & self.zero_infinity)[:, None]
            out[t] = xp.where(running & ~dropped, xp.where(infinite[:, None], xp.nan, g), 0)
        return out, None, None, None


def _shift_left(xp, a, by: int):
    """``a`` (N, L) moved left by ``by`` positions, False coming in."""
    out = xp.zeros_like(a)
    out[:, :-by] = a[:, by:]
    return out


def _shift_left_fill(xp, a, by: int):
    """``a`` (N, L) moved left by ``by`` positions, -inf coming in."""
    out = xp.full_like(a, -xp.inf)
    out[:, :-by] = a[:, by:]
    return out
