"""The cases of ``inplace.npz``, for PyTorch (``make_golden_inplace.py``) and minigrad
(``tests/test_inplace_graph.py``): in-place operations on tensors in the graph, as real
programs write them (d2l's masked softmax, makemore's loops, a residual ``out +=``, an
RNN filling its outputs), and writes through views that PyTorch replays (``CopySlices``).

Each case is a function ``case(lib, rng)`` where ``lib`` holds one library's ``torch``,
``F`` and ``nn``, ``tensor(array)`` and ``leaf(array)`` (a tensor that requires grad), and
``rng`` draws the inputs as NumPy arrays (from ``SEED``). It returns a dict of name ->
tensor (values and gradients), compared with PyTorch's.
"""

from __future__ import annotations

import numpy as np

SEED = 20261207


def draw(rng: np.random.Generator, *shape) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def masked_softmax(lib, rng):
    """d2l.ai's ``masked_softmax``: the scores seen through a reshape, masked in place."""
    torch = lib.torch
    q, k = lib.leaf(draw(rng, 2, 3, 4)), lib.leaf(draw(rng, 2, 5, 4))
    valid_lens = lib.tensor(np.array([2, 4]))
    scores = torch.bmm(q, k.transpose(1, 2)) / 2.0
    shape = scores.shape
    lens = torch.repeat_interleave(valid_lens, shape[1])
    flat = scores.reshape(-1, shape[-1])
    mask = torch.arange(shape[-1], dtype=torch.float32)[None, :] < lens[:, None]
    flat[~mask] = -1e6
    weights = lib.F.softmax(flat.reshape(shape), dim=-1)
    (weights * lib.tensor(draw(rng, 2, 3, 5))).sum().backward()
    return {"weights": weights, "q.grad": q.grad, "k.grad": k.grad}


def embedding_gradient_loop(lib, rng):
    """makemore's ``dC[ix] += demb[k, j]``, here on tensors that require grad."""
    torch = lib.torch
    demb = lib.leaf(draw(rng, 4, 3, 2))
    index = rng.integers(0, 5, (4, 3))
    table = torch.zeros(5, 2)
    for i in range(4):
        for j in range(3):
            table[int(index[i, j])] += demb[i, j]
    (table * lib.tensor(draw(rng, 5, 2))).sum().backward()
    return {"table": table, "demb.grad": demb.grad}


def softmax_minus_one_hot(lib, rng):
    """``d = softmax(logits); d[range(n), y] -= 1``: the cross-entropy gradient, by hand
    (the softmax as exp over its sum: ``F.softmax`` saves its output, which PyTorch then
    refuses to see changed)."""
    logits = lib.leaf(draw(rng, 6, 4))
    y = rng.integers(0, 4, 6).tolist()
    d = logits.exp() / logits.exp().sum(1, keepdim=True)
    d[range(6), y] -= 1
    (d * d).sum().backward()
    return {"d": d, "logits.grad": logits.grad}


def residual_add_then_relu(lib, rng):
    """A ResNet block's ``out += identity; out = relu(out)``, and ``relu_`` in place."""
    torch, F = lib.torch, lib.F
    x, w = lib.leaf(draw(rng, 5, 4)), lib.leaf(draw(rng, 4, 4))
    out = x @ w
    out += x
    out = F.relu(out)
    out2 = x @ w
    out2 += x
    out2.relu_()
    total = (out * lib.tensor(draw(rng, 5, 4))).sum() + torch.sigmoid(out2).sum()
    total.backward()
    return {"out": out, "out2": out2, "x.grad": x.grad, "w.grad": w.grad}


def arithmetic_in_place(lib, rng):
    """``mul_``, ``div_``, ``add_(alpha=)``, ``sub_``, ``clamp_`` and ``x op= y`` with both
    sides requiring grad."""
    x, y = lib.leaf(draw(rng, 3, 4)), lib.leaf(draw(rng, 4))
    h = x * 1.5
    h.mul_(y)
    h.add_(y, alpha=2.0)
    h.sub_(x)
    h.div_(y.abs() + 1)
    h.clamp_(min=-0.5, max=1.0)
    g = x * 2
    g += y
    g *= y
    g -= 1
    g /= 3
    (h * h + g).sum().backward()
    return {"h": h, "g": g, "x.grad": x.grad, "y.grad": y.grad}


def buffers_filled_by_copy_and_fill(lib, rng):
    """``copy_`` and ``fill_`` into buffers that do not require grad, whole and through
    views: the values written take the buffer into the graph."""
    torch = lib.torch
    a, b = lib.leaf(draw(rng, 2, 3)), lib.leaf(draw(rng, 3))
    whole = torch.zeros(2, 3)
    whole.copy_(a * 2)
    part = torch.ones(4, 3)
    part[1:3].copy_(a)
    part[0].copy_(b)  # a row, through a view
    part[:, 1].fill_(0.5)
    filled = torch.empty(3)
    filled.fill_(b[1])  # a one-element tensor: its gradient is the sum
    total = (whole * whole).sum() + (part * lib.tensor(draw(rng, 4, 3))).sum()
    (total + (filled * filled).sum()).backward()
    return {"whole": whole, "part": part, "filled": filled, "a.grad": a.grad, "b.grad": b.grad}


def index_put_and_masked_fill(lib, rng):
    """``index_put_`` (with and without ``accumulate``), ``masked_fill_`` and
    ``index_add_`` on tensors in the graph."""
    x, v = lib.leaf(draw(rng, 5, 3)), lib.leaf(draw(rng, 2, 3))
    index = lib.tensor(np.array([3, 1]))
    a = x * 1
    a.index_put_((index,), v)
    b = x * 1
    b.index_put_((lib.tensor(np.array([0, 0])),), v, accumulate=True)
    c = x * 1
    c.masked_fill_(c > 0.5, -1.0)
    d = x * 1
    d.index_add_(0, index, v, alpha=3.0)
    weight = lib.tensor(draw(rng, 5, 3))
    (a * weight + b * b + c * weight + d * d).sum().backward()
    return {"a": a, "b": b, "c": c, "d": d, "x.grad": x.grad, "v.grad": v.grad}


def pointwise_in_place(lib, rng):
    """``exp_``, ``sigmoid_``, ``tanh_``, ``pow_``, ``neg_``, ``abs_`` and ``sqrt_``, each
    on its own tensor (PyTorch refuses a second in-place op over an output that the first
    one's backward saved, as ``exp_`` then ``sigmoid_``)."""
    x = lib.leaf(draw(rng, 3, 3) * 0.5)
    results = {}
    for name, args in [("exp_", ()), ("sigmoid_", ()), ("tanh_", ()), ("pow_", (3,)),
                       ("neg_", ()), ("abs_", ()), ("sqrt_", ())]:  # fmt: skip
        h = x * 1 + 2 if name == "sqrt_" else x * 1
        getattr(h, name)(*args)
        results[name] = h
    total = sum((h * lib.tensor(draw(rng, 3, 3))).sum() for h in results.values())
    total.backward()
    return {**results, "x.grad": x.grad}


def setitem_broadcasting(lib, rng):
    """``x[key] = value`` with a value that broadcasts: a row into every row, a column, a
    number into a boolean mask, a tensor into a fancy index."""
    x, row, col = lib.leaf(draw(rng, 4, 3)), lib.leaf(draw(rng, 3)), lib.leaf(draw(rng, 4, 1))
    z = x * 1
    z[1:3] = row
    z[:, 2:] = col
    z[z > 1.0] = 0.0
    z[[0, 3], [1, 1]] = row[:1]
    (z * lib.tensor(draw(rng, 4, 3))).sum().backward()
    return {"z": z, "x.grad": x.grad, "row.grad": row.grad, "col.grad": col.grad}


def rnn_fills_its_outputs(lib, rng):
    """An RNN written by hand: ``outputs[:, t] = h`` at each step, and the same with
    ``outputs[:, t].copy_(h)`` (a write through a view)."""
    torch = lib.torch
    x = lib.leaf(draw(rng, 2, 4, 3))
    w, u = lib.leaf(draw(rng, 3, 5) * 0.5), lib.leaf(draw(rng, 5, 5) * 0.5)
    outputs = torch.zeros(2, 4, 5)
    copied = torch.zeros(2, 4, 5)
    h = torch.zeros(2, 5)
    for t in range(4):
        h = torch.tanh(x[:, t] @ w + h @ u)
        outputs[:, t] = h
        copied[:, t].copy_(h * 2)
    target = lib.tensor(draw(rng, 2, 4, 5))
    ((outputs - target) ** 2).mean().backward(retain_graph=True)
    first = {"x.grad": x.grad.clone(), "w.grad": w.grad.clone(), "u.grad": u.grad.clone()}
    for p in (x, w, u):
        p.grad = None
    (copied * target).sum().backward()
    return {
        "outputs": outputs, "copied": copied, **first,
        "copied.x.grad": x.grad, "copied.w.grad": w.grad, "copied.u.grad": u.grad,
    }  # fmt: skip


def writes_through_views(lib, rng):
    """In-place ops on views (a row, a transpose's rows, a strided flat view, a diagonal
    of a reshape), then the base used: its graph sees every write (``CopySlices``)."""
    x, w = lib.leaf(draw(rng, 3, 4)), lib.leaf(draw(rng, 4))
    y = x * 2
    y[0].add_(w)
    y.t()[1:3].mul_(3.0)
    y.view(-1)[::5].sub_(w[:3])
    y[2, 1:3].copy_(w[2:] * w[:2])
    y.reshape(2, 6)[:, 0].zero_()
    (y * y).sum().backward()
    return {"y": y, "x.grad": x.grad, "w.grad": w.grad}


def view_and_base_both_used(lib, rng):
    """A view changed in place, then its base, then both used: the view is read again
    out of the base (PyTorch regenerates its grad_fn; minigrad's ``AsStrided``)."""
    x, w = lib.leaf(draw(rng, 2, 5)), lib.leaf(draw(rng, 3))
    base = x.sin()
    view = base[:, 1:4]
    view.mul_(w)
    base.add_(x.cos())
    loss = (base * base).sum() + (view * w).sum()
    loss.backward()
    return {"base": base, "view": view, "x.grad": x.grad, "w.grad": w.grad}


def sibling_views(lib, rng):
    """Two views of one tensor: a write through one changes what the other holds, in a
    buffer that did not require grad and in a tensor of the graph."""
    torch = lib.torch
    x, w = lib.leaf(draw(rng, 4)), lib.leaf(draw(rng, 3, 4))
    buf = torch.zeros(3, 4)
    column = buf[:, 0]
    buf[1].copy_(x)  # the column now holds x[0]
    y = w * 2
    first, second = y[0], y[:, 1:3]
    first.mul_(x)  # changes second[0] too
    loss = (column * column).sum() + (second * second).sum() + first.sum()
    loss.backward()
    return {"buf": buf, "column": column, "second": second, "x.grad": x.grad, "w.grad": w.grad}


CASES = {
    f.__name__: f
    for f in (
        masked_softmax, embedding_gradient_loop, softmax_minus_one_hot, residual_add_then_relu,
        arithmetic_in_place, buffers_filled_by_copy_and_fill, index_put_and_masked_fill,
        pointwise_in_place, setitem_broadcasting, rnn_fills_its_outputs, writes_through_views,
        view_and_base_both_used, sibling_views,
    )
}  # fmt: skip
