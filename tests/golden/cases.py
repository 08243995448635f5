"""The golden test cases: one table, run by PyTorch (to write the files) and by minigrad
(to check against them).

Each case is a function of ``m`` (the library: ``torch`` or ``minigrad``, with PyTorch's
``nn.functional`` names such as ``pad`` and ``cross_entropy`` reachable as ``m.pad``) and
of its input tensors. Because minigrad's API is PyTorch's, the same function runs in both.

Inputs are described by a shape and a kind:

* ``"f"``: standard normal float32, requires grad;
* ``"p"``: positive float32 (uniform in [0.5, 2]), requires grad;
* ``"c"``: standard normal float32, a constant (no grad);
* ``"q"``: positive float32 (uniform in [0.5, 2]), a constant (no grad);
* ``"d"``: standard normal float64, requires grad;
* ``"i5"``: int64 class labels in [0, 5) (any number after the i);
* ``"b"``: a random bool mask.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    fn: object
    inputs: tuple  # ((shape, kind), ...)
    warns: str | None = None  # a UserWarning PyTorch gives for the call, and minigrad too


def _c(fn, *inputs, warns=None):
    return Case(fn, tuple(inputs), warns)


INF, NAN = float("inf"), float("nan")


def _blow_up(y):
    """``y`` scaled so that its gradient is infinite, without making any value nan."""
    return (y + 10.0) * INF


def _assign(a, key, value):
    """``a`` (detached, copied) with ``[key] = value`` written into it."""
    x = a.detach().clone()
    x[key] = value
    return x


def _in_place(a, method, *args):
    """A detached copy of ``a`` after ``copy.method(*args)``, in place."""
    x = a.detach().clone()
    getattr(x, method)(*args)
    return x


def _nll_ignored(m, x, t, w, reduction):
    """``nll_loss`` with every target ``ignore_index`` (-100), with class weights ``w``."""
    return m.nn.functional.nll_loss(x, t * 0 - 100, weight=w, reduction=reduction)


def _written_after(m, y):
    """``y`` with its first row set to 0 in place, under ``no_grad()``: allowed after an op
    that saves its input, not its output, and the gradient must not change."""
    with m.no_grad():
        y[0] = 0.0
    return y


def _expand_add(m, a):
    """An in-place add through an ``expand()`` view in which no element repeats."""
    x = a.detach().clone()
    x.expand(*x.shape).add_(1.0)
    return x


CASES = {
    # Arithmetic, with broadcasting and Python scalars on either side.
    "add": _c(lambda m, a, b: a + b, ((3, 4), "f"), ((3, 4), "f")),
    "add_broadcast": _c(lambda m, a, b: a + b, ((2, 3, 4), "f"), ((3, 1), "f")),
    "add_alpha": _c(lambda m, a, b: m.add(a, b, alpha=0.5), ((3, 4), "f"), ((4,), "f")),
    "radd_scalar": _c(lambda m, a: 2.5 + a, ((5,), "f")),
    "sub_broadcast": _c(lambda m, a, b: a - b, ((4, 1), "f"), ((3,), "f")),
    "rsub_scalar": _c(lambda m, a: 1.0 - a, ((5,), "f")),
    "mul_broadcast": _c(lambda m, a, b: a * b, ((2, 1, 4), "f"), ((3, 1), "f")),
    "mul_constant": _c(lambda m, a, b: a * b, ((3, 4), "f"), ((3, 4), "c")),
    "div": _c(lambda m, a, b: a / b, ((3, 4), "f"), ((3, 4), "p")),
    "rdiv_scalar": _c(lambda m, a: 2.0 / a, ((5,), "p")),
    "pow_scalar": _c(lambda m, a: a**3, ((5,), "f")),
    "pow_fraction": _c(lambda m, a: a**0.5, ((5,), "p")),
    "pow_tensor": _c(lambda m, a, b: a**b, ((3, 4), "p"), ((4,), "f")),
    "rpow_scalar": _c(lambda m, a: 2.0**a, ((5,), "f")),
    "neg": _c(lambda m, a: -a, ((3, 4), "f")),
    "float64_with_float32_scalar_tensor": _c(lambda m, a, b: a * b, ((3,), "f"), ((), "d")),
    # Activations and elementwise math.
    "exp": _c(lambda m, a: m.exp(a), ((3, 4), "f")),
    "log": _c(lambda m, a: m.log(a), ((3, 4), "p")),
    "sqrt": _c(lambda m, a: a.sqrt(), ((3, 4), "p")),
    "tanh": _c(lambda m, a: m.tanh(a), ((3, 4), "f")),
    "sigmoid": _c(lambda m, a: m.sigmoid(a), ((3, 4), "f")),
    "sigmoid_large": _c(lambda m, a: m.sigmoid(a * 30.0), ((20,), "f")),
    "relu": _c(lambda m, a: m.relu(a), ((3, 4), "f")),
    "abs": _c(lambda m, a: m.abs(a), ((3, 4), "f")),
    "maximum": _c(lambda m, a, b: m.maximum(a, b), ((3, 4), "f"), ((4,), "f")),
    "minimum": _c(lambda m, a, b: m.minimum(a, b), ((3, 4), "f"), ((3, 1), "f")),
    "clamp": _c(lambda m, a: m.clamp(a, -0.5, 0.5), ((4, 5), "f")),
    "clamp_min": _c(lambda m, a: a.clamp(min=0.1), ((4, 5), "f")),
    "where": _c(lambda m, c, a, b: m.where(c, a, b), ((3, 4), "b"), ((3, 4), "f"), ((4,), "f")),
    "where_scalar": _c(lambda m, a: m.where(a > 0, a, 0.0), ((3, 4), "f")),
    # Matrix products.
    "matmul": _c(lambda m, a, b: a @ b, ((3, 4), "f"), ((4, 5), "f")),
    "matmul_batched": _c(lambda m, a, b: m.matmul(a, b), ((2, 3, 4), "f"), ((4, 5), "f")),
    "matmul_broadcast": _c(lambda m, a, b: a @ b, ((2, 1, 3, 4), "f"), ((3, 4, 2), "f")),
    "matmul_vec_mat": _c(lambda m, a, b: a @ b, ((4,), "f"), ((4, 5), "f")),
    "matmul_mat_vec": _c(lambda m, a, b: a @ b, ((3, 4), "f"), ((4,), "f")),
    "matmul_vec_vec": _c(lambda m, a, b: a @ b, ((4,), "f"), ((4,), "f")),
    "matmul_vec_batch": _c(lambda m, a, b: a @ b, ((4,), "f"), ((2, 4, 3), "f")),
    # Reductions.
    "sum": _c(lambda m, a: a.sum(), ((3, 4), "f")),
    "sum_dim": _c(lambda m, a: a.sum(dim=1), ((3, 4, 2), "f")),
    "sum_dims_keepdim": _c(lambda m, a: m.sum(a, (0, 2), keepdim=True), ((3, 4, 2), "f")),
    "sum_negative_dim": _c(lambda m, a: a.sum(-1), ((3, 4), "f")),
    "mean": _c(lambda m, a: a.mean(), ((3, 4), "f")),
    "mean_dim": _c(lambda m, a: m.mean(a, dim=0), ((3, 4), "f")),
    "mean_dims_keepdim": _c(lambda m, a: a.mean((0, 1), keepdim=True), ((3, 4, 2), "f")),
    "var": _c(lambda m, a: a.var(), ((3, 4), "f")),
    "var_dim_biased": _c(lambda m, a: m.var(a, 0, unbiased=False), ((5, 3), "f")),
    "var_correction_keepdim": _c(lambda m, a: a.var(1, keepdim=True, correction=0), ((3, 6), "f")),
    "max": _c(lambda m, a: a.max(), ((3, 4), "f")),
    "min": _c(lambda m, a: m.min(a), ((3, 4), "f")),
    "max_dim": _c(lambda m, a: a.max(dim=1)[0], ((3, 4), "f")),
    "max_dim_keepdim": _c(lambda m, a: m.max(a, 0, keepdim=True).values, ((3, 4), "f")),
    "min_dim": _c(lambda m, a: a.min(-1).values, ((2, 3, 4), "f")),
    "max_ties": _c(lambda m, a: m.clamp(a, max=0.0).max(), ((4, 5), "f")),
    "max_of_two": _c(lambda m, a, b: m.max(a, b), ((3, 4), "f"), ((3, 4), "f")),
    # Shapes.
    "reshape": _c(lambda m, a: a.reshape(4, -1), ((2, 3, 4), "f")),
    "view": _c(lambda m, a: a.view((6, 4)), ((2, 3, 4), "f")),
    "transpose": _c(lambda m, a: a.transpose(0, 2), ((2, 3, 4), "f")),
    "permute": _c(lambda m, a: a.permute(2, 0, 1), ((2, 3, 4), "f")),
    "T": _c(lambda m, a: a.T, ((3, 4), "f")),
    "flatten": _c(lambda m, a: a.flatten(1), ((2, 3, 4), "f")),
    "flatten_middle": _c(lambda m, a: m.flatten(a, 1, 2), ((2, 3, 4, 5), "f")),
    "squeeze": _c(lambda m, a: a.squeeze(), ((1, 3, 1, 4), "f")),
    "squeeze_dim": _c(lambda m, a: a.squeeze(2), ((1, 3, 1, 4), "f")),
    "unsqueeze": _c(lambda m, a: a.unsqueeze(1), ((3, 4), "f")),
    "unsqueeze_negative": _c(lambda m, a: m.unsqueeze(a, -1), ((3, 4), "f")),
    "expand": _c(lambda m, a: a.expand(2, 3, 4), ((3, 1), "f")),
    "expand_keep": _c(lambda m, a: a.expand(-1, 5), ((3, 1), "f")),
    # Indexing.
    "getitem_int": _c(lambda m, a: a[1], ((3, 4), "f")),
    "getitem_slices": _c(lambda m, a: a[1:, ::2], ((4, 5), "f")),
    "getitem_negative_step_free": _c(lambda m, a: a[..., -2:], ((2, 3, 4), "f")),
    "getitem_none": _c(lambda m, a: a[:, None, 1], ((3, 4), "f")),
    "getitem_int_array": _c(lambda m, a: a[m.tensor([0, 2, 2, 1])], ((3, 4), "f")),
    "getitem_two_arrays": _c(lambda m, a: a[m.tensor([0, 1, 1]), m.tensor([3, 0, 0])], ((3, 4), "f")),
    "getitem_bool_mask": _c(lambda m, a: a[a > 0], ((3, 4), "f")),
    "getitem_slice_and_array": _c(lambda m, a: a[:, m.tensor([1, 1, 0])], ((3, 4), "f")),
    # Joining and padding.
    "cat": _c(lambda m, a, b: m.cat([a, b], dim=1), ((2, 3), "f"), ((2, 2), "f")),
    "cat_negative_dim": _c(lambda m, a, b, c: m.cat([a, b, c], -1), ((2, 1), "f"), ((2, 3), "f"), ((2, 2), "f")),
    "stack": _c(lambda m, a, b: m.stack([a, b]), ((2, 3), "f"), ((2, 3), "f")),
    "stack_last": _c(lambda m, a, b: m.stack((a, b), dim=-1), ((2, 3), "f"), ((2, 3), "f")),
    "pad_last": _c(lambda m, a: m.pad(a, (1, 2)), ((2, 3), "f")),
    "pad_two_dims_value": _c(lambda m, a: m.pad(a, (1, 1, 2, 0), value=0.5), ((2, 3, 4), "f")),
    "pad_negative_crops": _c(lambda m, a: m.pad(a, (-1, 2, 1, -1)), ((3, 4), "f")),
    # Softmax and the loss.
    "softmax": _c(lambda m, a: m.softmax(a, dim=1), ((3, 5), "f")),
    "softmax_dim0": _c(lambda m, a: a.softmax(0), ((3, 5), "f")),
    "log_softmax": _c(lambda m, a: m.log_softmax(a, dim=-1), ((3, 5), "f")),
    "log_softmax_3d": _c(lambda m, a: a.log_softmax(1), ((2, 3, 4), "f")),
    "cross_entropy": _c(lambda m, x, t: m.cross_entropy(x, t), ((6, 5), "f"), ((6,), "i5")),
    "cross_entropy_sum": _c(lambda m, x, t: m.cross_entropy(x, t, reduction="sum"), ((6, 5), "f"), ((6,), "i5")),
    "cross_entropy_none": _c(lambda m, x, t: m.cross_entropy(x, t, reduction="none"), ((6, 5), "f"), ((6,), "i5")),
    "cross_entropy_weight": _c(lambda m, x, t, w: m.cross_entropy(x, t, weight=w), ((6, 5), "f"), ((6,), "i5"), ((5,), "q")),
    "cross_entropy_ignore": _c(lambda m, x, t: m.cross_entropy(x, m.where(t == 0, -100, t)), ((8, 5), "f"), ((8,), "i5")),
    "cross_entropy_4d": _c(lambda m, x, t: m.cross_entropy(x, t), ((2, 5, 3, 2), "f"), ((2, 3, 2), "i5")),
    "cross_entropy_single": _c(lambda m, x, t: m.cross_entropy(x, t), ((5,), "f"), ((), "i5")),
    # Not differentiable: indices, comparisons and logic give int64 and bool tensors.
    "argmax": _c(lambda m, a: a.argmax(), ((3, 4), "f")),
    "argmax_dim_keepdim": _c(lambda m, a: m.argmax(a, dim=1, keepdim=True), ((3, 4), "f")),
    "argmin_dim": _c(lambda m, a: a.argmin(0), ((3, 4), "f")),
    "max_dim_indices": _c(lambda m, a: a.max(1).indices, ((3, 4), "f")),
    "compare_broadcast": _c(lambda m, a, b: m.stack([a == b, a != b, a < b, a <= b, a > b, a >= b]), ((3, 4), "f"), ((4,), "f")),
    "compare_scalar": _c(lambda m, a: m.stack([a > 0.5, a <= -0.5, a == 0.0]), ((3, 4), "f")),
    "logic": _c(lambda m, a, b: m.stack([(a > 0) & (b > 0), (a > 0) | (b > 0), ~(a > 0)]), ((3, 4), "f"), ((3, 4), "f")),
    "all_any": _c(lambda m, a: m.stack([(a > -1).all(), (a > 1).any(), (a > 0).all(1).any()]), ((3, 4), "f")),
    # Conversions.
    "clone": _c(lambda m, a: a.clone() * 2.0, ((3, 4), "f")),
    "to_double": _c(lambda m, a: a.double() * 2.0, ((3, 4), "f")),
    "to_float": _c(lambda m, a: a.float() + 1.0, ((3, 4), "d")),
    # Appended later (the generator draws inputs in table order: earlier arrays stay put).
    "clamp_tensors": _c(lambda m, a, lo, hi: m.clamp(a, lo, hi), ((4, 5), "f"), ((5,), "f"), ((4, 1), "f")),
    "clamp_tensor_min": _c(lambda m, a, lo: a.clamp(min=lo), ((4, 5), "f"), ((4, 5), "f")),
    # Label smoothing, with class weights and ignored targets, and a weighted squared error
    # (appended, so that the earlier cases keep their inputs).
    "cross_entropy_label_smoothing": _c(lambda m, x, t: m.cross_entropy(x, t, label_smoothing=0.1), ((6, 5), "f"), ((6,), "i5")),
    "cross_entropy_label_smoothing_weight_ignore": _c(lambda m, x, t, w: m.cross_entropy(x, m.where(t == 0, -100, t), weight=w, label_smoothing=0.3), ((8, 5), "f"), ((8,), "i5"), ((5,), "q")),
    "cross_entropy_label_smoothing_none_4d": _c(lambda m, x, t: m.cross_entropy(x, t, reduction="none", label_smoothing=0.2), ((2, 5, 3, 2), "f"), ((2, 3, 2), "i5")),
    "cross_entropy_label_smoothing_sum_weight": _c(lambda m, x, t, w: m.cross_entropy(x, t, w, reduction="sum", label_smoothing=1.0), ((6, 5), "f"), ((6,), "i5"), ((5,), "q")),
    "mse_loss_weight": _c(lambda m, a, b, w: m.nn.functional.mse_loss(a, b, weight=w), ((3, 4), "f"), ((3, 4), "c"), ((3, 4), "q")),
    "mse_loss_weight_sum": _c(lambda m, a, b, w: m.nn.functional.mse_loss(a, b, reduction="sum", weight=w), ((3, 4), "f"), ((3, 4), "f"), ((3, 4), "q")),
    # The functions PyTorch tutorials lean on (functions_extra.py), and NumPy's names.
    "sin": _c(lambda m, a: m.sin(a), ((3, 4), "f")),
    "cos": _c(lambda m, a: a.cos(), ((3, 4), "f")),
    "sinh": _c(lambda m, a: m.sinh(a), ((3, 4), "f")),
    "cosh": _c(lambda m, a: a.cosh(), ((3, 4), "f")),
    "cumsum": _c(lambda m, a: m.cumsum(a, dim=1), ((3, 4), "f")),
    "cumsum_axis0": _c(lambda m, a: a.cumsum(axis=0), ((3, 4, 2), "f")),
    "cumsum_int": _c(lambda m, a: m.cumsum(a, 0), ((6,), "i5")),
    "sort": _c(lambda m, a: m.sort(a, dim=1).values, ((3, 5), "f")),
    "sort_descending_dim0": _c(lambda m, a: a.sort(0, descending=True).values, ((4, 3), "f")),
    "sort_indices": _c(lambda m, a: m.sort(a, descending=True).indices, ((3, 5), "f")),
    "argsort": _c(lambda m, a: m.argsort(a, dim=0), ((4, 3), "f")),
    "topk": _c(lambda m, a: m.topk(a, 2).values, ((3, 5), "f")),
    "topk_smallest_dim0": _c(lambda m, a: a.topk(3, dim=0, largest=False).values, ((5, 2), "f")),
    "topk_indices": _c(lambda m, a: m.topk(a, 3, dim=1).indices, ((3, 5), "f")),
    "norm": _c(lambda m, a: m.norm(a), ((3, 4), "f")),
    "norm_p1_dim": _c(lambda m, a: a.norm(p=1, dim=1), ((3, 4), "f")),
    "norm_inf_keepdim": _c(lambda m, a: m.norm(a, p=float("inf"), dim=0, keepdim=True), ((3, 4), "f")),
    "norm_p3_dims": _c(lambda m, a: a.norm(p=3, dim=(0, 2)), ((2, 3, 4), "f")),
    "norm_fro_dim": _c(lambda m, a: a.norm(p="fro", dim=1), ((3, 4), "f")),
    "norm_p_half": _c(lambda m, a: a.norm(p=0.5), ((5,), "p")),
    "bmm": _c(lambda m, a, b: m.bmm(a, b), ((2, 3, 4), "f"), ((2, 4, 5), "f")),
    "bmm_method": _c(lambda m, a, b: a.bmm(b), ((3, 2, 2), "f"), ((3, 2, 1), "f")),
    "meshgrid_ij": _c(lambda m, a, b: m.stack(m.meshgrid(a, b, indexing="ij")), ((3,), "f"), ((4,), "f")),
    "meshgrid_xy": _c(lambda m, a, b, c: m.stack(m.meshgrid(a, b, c, indexing="xy")), ((2,), "f"), ((3,), "f"), ((4,), "f")),
    "swapaxes": _c(lambda m, a: m.swapaxes(a, 0, 2) * 1.0, ((2, 3, 4), "f")),
    "swapdims_method": _c(lambda m, a: a.swapdims(1, 0) * 1.0, ((2, 3), "f")),
    "repeat": _c(lambda m, a: a.repeat(2, 3), ((2, 3), "f")),
    "repeat_new_dims": _c(lambda m, a: a.repeat(2, 1, 2), ((3,), "f")),
    "sum_axis_keepdims": _c(lambda m, a: a.sum(axis=1, keepdims=True), ((3, 4), "f")),
    "mean_axis": _c(lambda m, a: m.mean(a, axis=0), ((3, 4), "f")),
    "argmax_axis": _c(lambda m, a: a.argmax(axis=1), ((3, 4), "f")),
    "cat_axis": _c(lambda m, a, b: m.cat([a, b], axis=1), ((2, 3), "f"), ((2, 2), "f")),
    "max_axis": _c(lambda m, a: m.max(a, axis=1).values, ((3, 4), "f")),
    "softmax_axis": _c(lambda m, a: m.softmax(a, axis=1), ((3, 4), "f")),
    "type_float64": _c(lambda m, a: a.type(m.float64) * 2.0, ((3,), "f")),
    # Issue 24: what differential fuzzing found. Integers in an advanced index are basic.
    "index_int_slice_list": _c(lambda m, a: a[0, :, [0, 1]], ((2, 2, 3), "f")),
    "index_int_slice_list_shape": _c(lambda m, a: a[1, :, [0, 2]], ((2, 3, 4), "f")),
    "index_list_int_list": _c(lambda m, a: a[[0, 1], 1, [2, 0]], ((2, 3, 4), "f")),
    "index_slice_int_list_int": _c(lambda m, a: a[:, 0, [1, 0], 2], ((2, 3, 2, 4), "f")),
    "setitem_int_slice_list": _c(lambda m, a, b: _assign(a, (1, slice(None), [0, 2]), b), ((2, 3, 4), "c"), ((3, 2), "c")),
    "setitem_leading_ones": _c(lambda m, a, b: _assign(a, 0, b), ((3,), "c"), ((1,), "c")),
    "view_after_advanced_index": _c(lambda m, a: a[:, [0, 1], :].view(-1), ((2, 3, 4), "f")),
    # Upstream inf/NaN: a gradient that does not pass is 0, not inf * 0 = nan.
    "relu_inf_upstream": _c(lambda m, a: _blow_up(m.relu(a)), ((3, 4), "f")),
    "clamp_inf_upstream": _c(lambda m, a: _blow_up(a.clamp(-0.5, 0.5)), ((3, 4), "f")),
    "clamp_min_inf_upstream": _c(lambda m, a: _blow_up(a.clamp(min=0.0)), ((3, 4), "f")),
    "clamp_tensors_inf_upstream": _c(lambda m, a, lo, hi: _blow_up(m.clamp(a, lo, hi)), ((4, 5), "f"), ((5,), "f"), ((4, 1), "f")),
    "max_all_inf_upstream": _c(lambda m, a: _blow_up(a.max()), ((3, 4), "f")),
    "max_dim_inf_upstream": _c(lambda m, a: _blow_up(a.max(1).values), ((3, 4), "f")),
    "min_dim_inf_upstream": _c(lambda m, a: _blow_up(m.min(a, dim=0).values), ((3, 4), "f")),
    "max_pool_inf_upstream": _c(lambda m, a: _blow_up(m.nn.functional.max_pool2d(a, 2)), ((1, 2, 4, 4), "f")),
    "cross_entropy_ignored_nan_row": _c(lambda m, x, t: m.cross_entropy(m.where((t == 0)[:, None], NAN, x), t, ignore_index=0, reduction="none"), ((6, 5), "f"), ((6,), "i5")),
    "nll_loss_inf_upstream": _c(lambda m, x, t: _blow_up(m.nn.functional.nll_loss(x, t, reduction="none")), ((6, 5), "f"), ((6,), "i5")),
    "maximum_nan_operand": _c(lambda m, a, b: m.maximum(m.where(a > 0, a, NAN), b), ((3, 4), "f"), ((3, 4), "f")),
    "minimum_nan_operand": _c(lambda m, a, b: m.minimum(a, m.where(b > 0, b, NAN)), ((3, 4), "f"), ((3, 4), "f")),
    "var_no_degrees_of_freedom": _c(lambda m, a: a.var(correction=5), ((4,), "f"), warns="degrees of freedom is <= 0"),
    "var_dim_no_degrees_of_freedom": _c(lambda m, a: a.var(dim=1, correction=4), ((2, 3), "f"), warns="degrees of freedom is <= 0"),
    # Integer true division converts, not wraps, its operands.
    "div_uint8_by_negative": _c(lambda m, t: t.to(m.uint8) / -1, ((6,), "i5")),
    "rdiv_uint8": _c(lambda m, t: 300 / (t.to(m.uint8) + 1), ((6,), "i5")),
    "div_int8_by_uint8": _c(lambda m, t: (t.to(m.int8) - 3) / (t.to(m.uint8) + 1), ((6,), "i5")),
    # Empty and degenerate shapes.
    "cat_keeps_empty_input": _c(lambda m, a, b: m.cat([a, b]), ((0,), "f"), ((2, 3), "f")),
    "linear_zero_features": _c(lambda m, a, w, b: m.nn.functional.linear(a, w, b), ((2, 0), "f"), ((3, 0), "f"), ((3,), "f")),
    "softmax_empty_dim": _c(lambda m, a: m.softmax(a, dim=1), ((2, 0), "f")),
    "log_softmax_empty_dim": _c(lambda m, a: m.log_softmax(a, dim=0), ((0, 3), "f")),
    # Integer and bool powers.
    "bool_pow_true": _c(lambda m, a: (a > 0) ** True, ((5,), "f")),
    "bool_pow_false": _c(lambda m, a: (a > 0) ** False, ((5,), "f")),
    "bool_pow_int": _c(lambda m, a: (a > 0) ** 2, ((5,), "f")),
    "int_pow_negative_tensor": _c(lambda m, t: (t - 2) ** (t - 3), ((8,), "i5")),
    # In-place updates PyTorch allows.
    "clamp_in_place": _c(lambda m, a: _in_place(a, "clamp_", -0.5, 0.5), ((3, 4), "c")),
    "expand_add_in_place": _c(_expand_add, ((2, 3), "c")),
    # What the fuzzer found next (tests/fuzz): dtypes and PyTorch's conversions.
    "rpow_int8": _c(lambda m, t: 2 ** t.to(m.int8), ((6,), "i5")),
    "add_alpha_0d_float64": _c(lambda m, a, t: m.add(a, t.to(m.int8), alpha=0.5), ((), "d"), ((6,), "i5")),
    "where_uint8_negative_number": _c(lambda m, a, t: m.where(a > 0, t.to(m.uint8), -1), ((6,), "c"), ((6,), "i5")),
    "pad_uint8": _c(lambda m, t: m.pad(t.to(m.uint8), (1, 2), value=7), ((3,), "i5")),
    "repeat_ones_is_a_copy": _c(lambda m, a: _in_place(a.repeat(1, 1), "zero_") + a, ((2, 3), "c")),
    "cross_entropy_empty_positions": _c(lambda m, x, t: m.cross_entropy(x, t), ((2, 3, 0), "f"), ((2, 0), "i5")),
    # Issue 24's last fuzzer findings: an int bound wraps into uint8 (-50 is 206), and
    # -inf written into an int64 tensor converts (to int64's minimum) as PyTorch's cast.
    "clamp_uint8_wrapped_bound": _c(lambda m, t: (t.to(m.uint8) * 60).clamp(3, -50), ((8,), "i5")),
    "setitem_int64_minus_inf": _c(lambda m, t: _in_place(t, "__setitem__", slice(1, 3), m.tensor([-float("inf")], device=t.device)), ((6,), "i5")),
    "add_bool_int_alpha": _c(lambda m, a: m.add(a > 0.5, a < -0.5, alpha=2), ((6,), "f")),
    # The fuzzer's last classes. nll_loss over no classes (every target ignored) with an
    # empty weight: 0, or nan for 'mean'; an empty batch; every target ignored.
    "nll_loss_no_classes_weight_mean": _c(lambda m, x, t, w: _nll_ignored(m, x, t, w, "mean"), ((2, 0), "f"), ((2,), "i5"), ((0,), "c")),
    "nll_loss_no_classes_weight_sum": _c(lambda m, x, t, w: _nll_ignored(m, x, t, w, "sum"), ((2, 0), "f"), ((2,), "i5"), ((0,), "c")),
    "nll_loss_no_classes_weight_none": _c(lambda m, x, t, w: _nll_ignored(m, x, t, w, "none"), ((2, 0), "f"), ((2,), "i5"), ((0,), "c")),
    "nll_loss_no_classes_weight_4d": _c(lambda m, x, t, w: _nll_ignored(m, x, t, w, "none"), ((0, 0, 2, 2), "f"), ((0, 2, 2), "i5"), ((0,), "c")),
    "nll_loss_no_classes_weight_1d": _c(lambda m, x, t, w: _nll_ignored(m, x, t, w, "sum"), ((0,), "f"), ((), "i5"), ((0,), "c")),
    "nll_loss_empty_batch_weight": _c(lambda m, x, t, w: m.nn.functional.nll_loss(x, t, weight=w), ((0, 3), "f"), ((0,), "i3"), ((3,), "q")),
    "nll_loss_all_ignored_weight": _c(lambda m, x, t, w: _nll_ignored(m, x, t, w, "mean"), ((3, 4), "f"), ((3,), "i4"), ((4,), "q")),
    # Layer and Group Normalization of an empty input: in the graph, affine gradients 0.
    "layer_norm_empty": _c(lambda m, x: m.nn.functional.layer_norm(x, (3,)), ((2, 0, 3), "f")),
    "layer_norm_empty_affine": _c(lambda m, x, w, b: m.nn.functional.layer_norm(x, (4,), w, b), ((0, 4), "f"), ((4,), "f"), ((4,), "f")),
    "group_norm_empty": _c(lambda m, x: m.nn.functional.group_norm(x, 2), ((0, 4, 3), "f")),
    "group_norm_empty_affine": _c(lambda m, x, w, b: m.nn.functional.group_norm(x, 2, w, b), ((0, 4, 3), "f"), ((4,), "f"), ((4,), "f")),
    # The absolute error and binary cross-entropy (probabilities made with a sigmoid).
    "l1_loss": _c(lambda m, a, b: m.nn.functional.l1_loss(a, b), ((3, 4), "f"), ((3, 4), "c")),
    "l1_loss_none": _c(lambda m, a, b: m.nn.functional.l1_loss(a, b, reduction="none"), ((3, 4), "f"), ((3, 4), "f")),
    "binary_cross_entropy": _c(lambda m, a, b: m.nn.functional.binary_cross_entropy(m.sigmoid(a), m.sigmoid(b)), ((3, 4), "f"), ((3, 4), "f")),
    "binary_cross_entropy_weight_sum": _c(lambda m, a, b, w: m.nn.functional.binary_cross_entropy(m.sigmoid(a), m.sigmoid(b), weight=w, reduction="sum"), ((3, 4), "f"), ((3, 4), "c"), ((4,), "q")),
    "binary_cross_entropy_with_logits": _c(lambda m, a, b: m.nn.functional.binary_cross_entropy_with_logits(a * 4.0, m.sigmoid(b)), ((3, 4), "f"), ((3, 4), "f")),
    "binary_cross_entropy_with_logits_weights": _c(lambda m, a, b, w, p: m.nn.functional.binary_cross_entropy_with_logits(a, m.sigmoid(b), weight=w, reduction="none", pos_weight=p), ((3, 4), "f"), ((3, 4), "f"), ((4,), "q"), ((4,), "q")),
    # std and logsumexp; log1p and expm1; the piecewise-constant functions (gradient 0).
    "std": _c(lambda m, a: m.std(a), ((3, 4), "f")),
    "std_dim_keepdim": _c(lambda m, a: a.std(dim=1, keepdim=True), ((3, 4), "f")),
    "std_dims_correction0": _c(lambda m, a: m.std(a, dim=(0, 2), correction=0), ((2, 3, 4), "f")),
    "logsumexp": _c(lambda m, a: m.logsumexp(a * 10.0, dim=1), ((3, 4), "f")),
    "logsumexp_dims_keepdim": _c(lambda m, a: a.logsumexp(dim=(0, 2), keepdim=True), ((2, 3, 4), "f")),
    "log1p": _c(lambda m, a: m.log1p(a - 0.4), ((3, 4), "p")),
    "expm1": _c(lambda m, a: a.expm1(), ((3, 4), "f")),
    "floor_ceil_trunc": _c(lambda m, a: m.floor(a * 3.0) + a.ceil() * 2.0 + m.trunc(a) * 3.0 + a, ((3, 4), "f")),
    "round_decimals_sign": _c(lambda m, a: m.round(a * 5.0) + a.round(decimals=1) + m.sign(a) * a, ((3, 4), "f")),
    # The rarer activations, on inputs spread over their pieces (x * 3).
    "act_elu": _c(lambda m, a: m.nn.functional.elu(a * 3.0, alpha=0.7), ((4, 6), "f")),
    "act_selu": _c(lambda m, a: m.nn.functional.selu(a * 3.0), ((4, 6), "f")),
    "act_celu": _c(lambda m, a: m.nn.functional.celu(a * 3.0, alpha=1.5), ((4, 6), "f")),
    "act_hardtanh": _c(lambda m, a: m.nn.functional.hardtanh(a * 3.0, -0.5, 2.0), ((4, 6), "f")),
    "act_relu6": _c(lambda m, a: m.nn.functional.relu6(a * 3.0), ((4, 6), "f")),
    "act_hardsigmoid": _c(lambda m, a: m.nn.functional.hardsigmoid(a * 3.0), ((4, 6), "f")),
    "act_hardswish": _c(lambda m, a: m.nn.functional.hardswish(a * 3.0), ((4, 6), "f")),
    "act_mish": _c(lambda m, a: m.nn.functional.mish(a * 3.0), ((4, 6), "f")),
    "act_softsign": _c(lambda m, a: m.nn.functional.softsign(a * 3.0), ((4, 6), "f")),
    "act_logsigmoid": _c(lambda m, a: m.nn.functional.logsigmoid(a * 3.0), ((4, 6), "f")),
    "act_tanhshrink": _c(lambda m, a: m.nn.functional.tanhshrink(a * 3.0), ((4, 6), "f")),
    "act_hardshrink": _c(lambda m, a: m.nn.functional.hardshrink(a * 3.0), ((4, 6), "f")),
    "act_softshrink": _c(lambda m, a: m.nn.functional.softshrink(a * 3.0, 0.3), ((4, 6), "f")),
    "act_threshold": _c(lambda m, a: m.nn.functional.threshold(a * 3.0, 0.5, -2.0), ((4, 6), "f")),
    "act_glu": _c(lambda m, a: m.nn.functional.glu(a * 3.0, dim=0), ((4, 6), "f")),
    "act_softmin": _c(lambda m, a: m.nn.functional.softmin(a * 3.0, dim=1), ((4, 6), "f")),
    "act_prelu_per_channel": _c(lambda m, a, w: m.nn.functional.prelu(a, w), ((2, 3, 4), "f"), ((3,), "p")),
    "act_prelu_one_slope": _c(lambda m, a, w: m.nn.functional.prelu(a, w), ((5,), "f"), ((1,), "p")),
    # The robust regression losses and the Kullback-Leibler divergence.
    "smooth_l1_loss": _c(lambda m, a, b: m.nn.functional.smooth_l1_loss(a * 2.0, b), ((4, 5), "f"), ((4, 5), "f")),
    "smooth_l1_loss_beta_sum": _c(lambda m, a, b: m.nn.functional.smooth_l1_loss(a * 2.0, b, reduction="sum", beta=0.5), ((4, 5), "f"), ((4, 5), "c")),
    "huber_loss_delta_none": _c(lambda m, a, b: m.nn.functional.huber_loss(a * 2.0, b, reduction="none", delta=0.7), ((4, 5), "f"), ((4, 5), "f")),
    "kl_div_batchmean": _c(lambda m, a, b: m.nn.functional.kl_div(a.log_softmax(1), b.softmax(1), reduction="batchmean"), ((4, 5), "f"), ((4, 5), "f")),
    "kl_div_sum_log_target": _c(lambda m, a, b: m.nn.functional.kl_div(a.log_softmax(1), b.log_softmax(1), reduction="sum", log_target=True), ((4, 5), "f"), ((4, 5), "f")),
    "kl_div_mean": _c(lambda m, a, b: m.nn.functional.kl_div(a.log_softmax(1), b.softmax(1)), ((3, 4), "f"), ((3, 4), "c"), warns="'batchmean' divides only by the batch size"),
    # Picking and rearranging elements.
    "flip": _c(lambda m, a: m.flip(a, (0, 2)) * m.arange(4.0, device=a.device), ((2, 3, 4), "f")),
    "flip_method_one_dim": _c(lambda m, a: a.flip(-1) * m.arange(4.0, device=a.device), ((3, 4), "f")),
    "gather": _c(lambda m, a, i: m.gather(a, 1, i), ((3, 4), "f"), ((3, 6), "i4")),
    "gather_dim0_smaller_index": _c(lambda m, a, i: a.gather(0, i), ((4, 5), "f"), ((6, 3), "i4")),
    "split_sizes": _c(lambda m, a: m.cat([p * (k + 1.0) for k, p in enumerate(m.split(a, [1, 3], dim=1))], 1), ((3, 4), "f")),
    "split_int_chunk": _c(lambda m, a: m.cat([p * (k + 1.0) for k, p in enumerate(a.split(2))], 0) + m.cat([q * (k + 5.0) for k, q in enumerate(a.chunk(2, dim=1))], 1), ((5, 3), "f")),
    "masked_fill": _c(lambda m, a, k: a.masked_fill(k, -1.5), ((3, 4), "f"), ((3, 4), "b")),
    "masked_fill_broadcast_tensor_value": _c(lambda m, a, k: m.masked_fill(a, k, m.tensor(2.0, device=a.device)), ((2, 3, 4), "f"), ((3, 1), "b")),
    "unflatten": _c(lambda m, a: m.unflatten(a, -1, (2, -1)) * m.arange(3.0, device=a.device), ((4, 6), "f")),
    "remainder": _c(lambda m, a, b: (a * 4.0) % b, ((3, 4), "f"), ((3, 4), "p")),
    "remainder_number_divisor": _c(lambda m, a: m.remainder(a * 4.0, -1.5), ((3, 4), "f")),
    "fmod": _c(lambda m, a, b: m.fmod(a * 4.0, b), ((3, 4), "f"), ((4,), "p")),
    "div_rounding_modes": _c(lambda m, a, b: m.div(a * 4.0, b, rounding_mode="floor") + a.div(b, rounding_mode="trunc") + a, ((3, 4), "f"), ((3, 4), "p")),
    "tril_triu": _c(lambda m, a: m.tril(a) + a.triu(1) * 2.0 + a.tril(-1) * 3.0, ((2, 3, 4), "f")),
    # Products, indexed selection, rolling and tiling.
    "prod_all": _c(lambda m, a: m.prod(a), ((3, 4), "p")),
    "prod_dim_keepdim": _c(lambda m, a: a.prod(1, keepdim=True) * 2.0, ((3, 4), "f")),
    "prod_with_zeros": _c(lambda m, a: m.prod(a * m.tensor([1.0, 0.0, 2.0, 0.0], device=a.device), 1) + m.prod(a * m.tensor([1.0, 0.0, 2.0, 3.0], device=a.device), dim=-1), ((3, 4), "f")),
    "cumprod": _c(lambda m, a: m.cumprod(a, 1) * m.arange(1.0, 5.0, device=a.device), ((3, 4), "f")),
    "cumprod_with_zeros": _c(lambda m, a: (a * m.tensor([[1.0], [0.0], [2.0]], device=a.device)).cumprod(0) * m.arange(1.0, 5.0, device=a.device), ((3, 4), "f")),
    "outer": _c(lambda m, a, b: m.outer(a, b) * m.arange(12.0, device=a.device).reshape(3, 4), ((3,), "f"), ((4,), "f")),
    "index_select_repeats": _c(lambda m, a, i: m.index_select(a, 1, i) * m.arange(6.0, device=a.device), ((3, 4), "f"), ((6,), "i4")),
    "index_select_dim0_method": _c(lambda m, a, i: a.index_select(0, i), ((4, 2, 3), "f"), ((3,), "i4")),
    "unbind": _c(lambda m, a: m.stack([p * (k + 1.0) for k, p in enumerate(m.unbind(a, 1))]), ((2, 3, 4), "f")),
    "roll_flat_and_dims": _c(lambda m, a: (m.roll(a, 5) + a.roll((1, -2), (0, 2))) * m.arange(4.0, device=a.device), ((2, 3, 4), "f")),
    "tile": _c(lambda m, a: m.tile(a, (2,)) * m.arange(8.0, device=a.device) + a.tile((2, 1, 1)).sum(0).repeat(1, 2), ((3, 4), "f")),
    # Attention: plain, causal, masked (a bool mask may leave a query nothing: 0), grouped.
    "sdpa": _c(lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v), ((2, 3, 5, 4), "f"), ((2, 3, 6, 4), "f"), ((2, 3, 6, 3), "f")),
    "sdpa_causal": _c(lambda m, q, v: m.nn.functional.scaled_dot_product_attention(q, q, v, is_causal=True), ((2, 5, 4), "f"), ((2, 5, 3), "f")),
    "sdpa_bool_mask": _c(lambda m, q, k, v, b: m.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=b), ((2, 5, 4), "f"), ((2, 6, 4), "f"), ((2, 6, 3), "f"), ((5, 6), "b")),
    "sdpa_float_mask_scale": _c(lambda m, q, k, v, f: m.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=f, scale=0.3), ((2, 5, 4), "f"), ((2, 6, 4), "f"), ((2, 6, 3), "f"), ((2, 5, 6), "f")),
    "sdpa_grouped_query": _c(lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True), ((1, 4, 5, 4), "f"), ((1, 2, 6, 4), "f"), ((1, 2, 6, 3), "f")),
    # 1-D and transposed convolutions (the transposed one as a spread, padded conv2d).
    "conv1d_stride_dilation": _c(lambda m, x, w, b: m.nn.functional.conv1d(x, w, b, stride=2, padding=2, dilation=2), ((2, 4, 9), "f"), ((3, 4, 3), "f"), ((3,), "f")),
    "conv_transpose2d_stride_output_padding": _c(lambda m, x, w, b: m.nn.functional.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1), ((2, 3, 4, 4), "f"), ((3, 2, 3, 3), "f"), ((2,), "f")),
    "conv_transpose2d_groups_dilation": _c(lambda m, x, w: m.nn.functional.conv_transpose2d(x, w, stride=(1, 2), groups=2, dilation=2), ((1, 4, 3, 4), "f"), ((4, 1, 2, 3), "f")),
    "conv_transpose1d": _c(lambda m, x, w: m.nn.functional.conv_transpose1d(x, w, stride=3), ((2, 2, 4), "f"), ((2, 3, 2), "f")),
    "max_avg_pool1d": _c(lambda m, x: m.nn.functional.max_pool1d(x, 3, 2, 1) + m.nn.functional.avg_pool1d(x, 3, 2, 1), ((2, 3, 8), "f")),
    "binary_cross_entropy_with_logits_sum_pos_weight": _c(lambda m, a, b, p: m.nn.functional.binary_cross_entropy_with_logits(a, m.sigmoid(b), reduction="sum", pos_weight=p), ((2, 3, 4), "f"), ((2, 3, 4), "c"), ((4,), "q")),
    # Distances, normalization of vectors, and the margin losses (a zero row: eps).
    "normalize_zero_row": _c(lambda m, a: m.nn.functional.normalize(a * m.tensor([[1.0], [0.0], [1.0]], device=a.device)), ((3, 4), "f")),
    "normalize_p1_dim0": _c(lambda m, a: m.nn.functional.normalize(a, p=1.0, dim=0), ((3, 4), "f")),
    "cosine_similarity_zero_row_broadcast": _c(lambda m, a, b: m.nn.functional.cosine_similarity(a * m.tensor([[1.0], [0.0], [1.0]], device=a.device), b), ((3, 4), "f"), ((1, 4), "f")),
    "pairwise_distance_p3": _c(lambda m, a, b: m.nn.functional.pairwise_distance(a, b, p=3.0), ((3, 4), "f"), ((3, 4), "f")),
    "cosine_embedding_loss_1d": _c(lambda m, a, b, t: m.nn.functional.cosine_embedding_loss(a, b, t * 2 - 1), ((5,), "f"), ((5,), "f"), ((), "i2")),
    "triplet_margin_loss_p1_none": _c(lambda m, a, p, n: m.nn.functional.triplet_margin_loss(a, p, n, p=1.0, reduction="none"), ((4, 5), "f"), ((4, 5), "f"), ((4, 5), "f")),
    "multilabel_soft_margin_loss_weight_sum": _c(lambda m, a, t, w: m.nn.functional.multilabel_soft_margin_loss(a, t.float(), weight=w, reduction="sum"), ((3, 4), "f"), ((3, 4), "i2"), ((4,), "q")),
    "clamp_min_max_tensor_methods": _c(lambda m, a: a.clamp_min(-0.5) + m.clamp_max(a, 0.5) * 2.0, ((3, 4), "f")),
    "broadcast_to_and_tensors": _c(lambda m, a, b: m.broadcast_to(a, (2, 3, 4)) * m.stack(m.broadcast_tensors(a, b)).sum(0), ((3, 1), "f"), ((4,), "f")),
    # einsum: products, a diagonal, a broadcast ellipsis, the implicit output, three operands.
    "einsum_batched_attention_scores": _c(lambda m, q, k: m.einsum("bhqd,bhkd->bhqk", q, k), ((2, 3, 4, 5), "f"), ((2, 3, 6, 5), "f")),
    "einsum_diagonal_and_sum": _c(lambda m, a, b: m.einsum("iij,j->ij", a, b) + m.einsum("ii", a[:, :, 0]), ((3, 3, 4), "f"), ((4,), "f")),
    "einsum_ellipsis_broadcast_implicit": _c(lambda m, a, b: m.einsum("...ij,...jk", a, b), ((5, 2, 3), "f"), ((1, 3, 4), "f")),
    "einsum_three_operands_summed_letter": _c(lambda m, a, b, c: m.einsum("ijk,ikl,j->il", a, b, c), ((2, 3, 4), "f"), ((2, 4, 5), "f"), ((3,), "f")),
    # interpolate: nearest (integer and fractional scales), bilinear both ways, linear, area.
    "interpolate_nearest_scale_and_size": _c(lambda m, x: m.nn.functional.interpolate(x, scale_factor=2).sum((2, 3)) + m.nn.functional.interpolate(x, size=(7, 3)).mean((2, 3)), ((2, 3, 5, 4), "f")),
    "interpolate_nearest_exact_fraction": _c(lambda m, x: m.nn.functional.interpolate(x, scale_factor=1.7, mode="nearest-exact"), ((1, 2, 5, 4), "f")),
    "interpolate_bilinear": _c(lambda m, x: m.nn.functional.interpolate(x, size=(9, 6), mode="bilinear"), ((2, 2, 5, 4), "f")),
    "interpolate_bilinear_align_corners_down": _c(lambda m, x: m.nn.functional.interpolate(x, scale_factor=(0.6, 1.5), mode="bilinear", align_corners=True), ((1, 2, 6, 4), "f")),
    "interpolate_linear_area_1d": _c(lambda m, x: m.nn.functional.interpolate(x, size=11, mode="linear") + m.nn.functional.interpolate(x, size=11, mode="area") * 2.0, ((2, 3, 4), "f")),
    # Writing at indices: scatter (src and value), scatter_add and index_add (repeats add up).
    "scatter_src_and_value": _c(lambda m, a, s: m.scatter(a, 0, m.tensor([[0, 2, 1], [2, 0, 0]], device=a.device), s) + a.scatter(1, m.tensor([[1], [0], [2]], device=a.device), 0.5), ((3, 4), "f"), ((2, 3), "f")),
    "scatter_add_repeats": _c(lambda m, a, s: a.scatter_add(1, m.tensor([[0, 0, 3], [1, 1, 1]], device=a.device), s), ((2, 4), "f"), ((2, 3), "f")),
    "index_add_alpha": _c(lambda m, a, s: m.index_add(a, 1, m.tensor([2, 0, 2], device=a.device), s, alpha=0.5), ((3, 4), "f"), ((3, 3), "f")),
    # More elementwise functions (inverse trigonometry on (-1, 1), positive inputs where logs need them).
    "inverse_trig": _c(lambda m, a: m.asin(a.tanh()) + m.acos(a.tanh() * 0.9) * 2.0 + m.atan(a) * 3.0 + m.atanh(a.tanh() * 0.9) + m.asinh(a) + m.tan(a * 0.5), ((3, 4), "f")),
    "atan2_hypot_acosh": _c(lambda m, a, b, p: m.atan2(a, b) + m.hypot(a, b) * 2.0 + m.acosh(p + 1.0), ((3, 4), "f"), ((4,), "f"), ((3, 4), "p")),
    "erf_erfc_wide": _c(lambda m, a: m.erf(a * 3.0) + m.erfc(a * 3.0) * 2.0, ((4, 5), "f")),
    "powers_and_logs": _c(lambda m, p: m.square(p) + m.rsqrt(p) + m.reciprocal(p) * 2.0 + m.log2(p) + m.log10(p) * 3.0 + m.exp2(p), ((3, 4), "p")),
    "lerp_addcmul_addcdiv": _c(lambda m, a, b, w, p: m.lerp(a, b, 0.3) + m.lerp(a, b, w.sigmoid()) + m.addcmul(a, b, w, value=0.5) + m.addcdiv(a, b, p, value=-2.0), ((3, 4), "f"), ((3, 4), "f"), ((3, 4), "f"), ((4,), "p")),
    "logaddexp_xlogy_logit": _c(lambda m, a, b, p: m.logaddexp(a * 10.0, b) + m.xlogy(a * (a > 0), p) + m.logit(b.sigmoid(), eps=0.1), ((3, 4), "f"), ((3, 4), "f"), ((3, 4), "p")),
    # Matrix helpers.
    "mm_mv_dot_addmm": _c(lambda m, a, b, v, c: m.mm(a, b).sum(1) + m.mv(a, v) + m.dot(v, v) + m.addmm(c, a, b, beta=0.5, alpha=2.0).sum(1), ((3, 4), "f"), ((4, 5), "f"), ((4,), "f"), ((5,), "f")),
    "baddbmm_tensordot_kron": _c(lambda m, a, b, c: m.baddbmm(c, a, b, alpha=0.5).sum() + m.tensordot(a, b.transpose(1, 2), dims=([0, 2], [0, 2])).sum() + m.kron(a[0], b[0]).sum(), ((2, 3, 4), "f"), ((2, 4, 5), "f"), ((2, 3, 5), "f")),
    "diagonal_diag_trace_cross": _c(lambda m, a, v, w: m.diagonal(a, 1).sum() + m.diag(v, -1).sum(0).sum() + m.trace(a) * 2.0 + m.diag_embed(a[:, :3]).sum() + m.cross(v, w).sum(), ((3, 4), "f"), ((3,), "f"), ((3,), "f")),
    # Moving, repeating and picking.
    "movedim_narrow_select_stack": _c(lambda m, a, b: m.movedim(a, 0, -1).sum(-1) + m.narrow(a, 1, 1, 2).sum() + m.select(a, 0, -1) + m.hstack([b, b]).sum() + m.vstack([a[0], a[1]]).sum(), ((2, 3, 4), "f"), ((3, 4), "f")),
    "repeat_interleave_take_rot90": _c(lambda m, a: m.repeat_interleave(a, m.tensor([2, 0, 1], device=a.device), dim=0).sum(0) + m.take(a, m.tensor([[0, 5], [11, 5]], device=a.device)).sum() + m.rot90(a, 1).sum(1)[:4] + m.take_along_dim(a, a.argsort(dim=1), dim=1)[0], ((3, 4), "f")),
    # Reductions and running statistics (a tie in the maximum shares its gradient).
    "amax_amin_ties": _c(lambda m, a: m.amax(m.cat([a, a[:1]]), (0, 1)) + m.amin(a, 1).sum() + m.aminmax(a, dim=0).max.sum(), ((3, 4), "f")),
    "median_cummax_logcumsumexp_diff": _c(lambda m, a: m.median(a, 1).values.sum() + m.median(a) + m.cummax(a, 1).values.sum() + m.cummin(a, 0).values.sum() + m.logcumsumexp(a * 10.0, 1).sum() + m.diff(a, 2, 1).sum(), ((3, 5), "f")),
    "nansum_nanmean_var_mean": _c(lambda m, a: m.nansum(m.where(a > 1.0, float("nan"), a), 1) + m.nanmean(m.where(a > 1.0, float("nan"), a), 1) + m.var_mean(a, 1)[0] + m.std_mean(a, 1, correction=0)[1], ((3, 5), "f")),
    # Channels to space, and sliding blocks (unfold) summed back (fold).
    "pixel_shuffle_unshuffle": _c(lambda m, x: m.nn.functional.pixel_shuffle(x, 2) * 2.0 + m.nn.functional.pixel_unshuffle(m.nn.functional.pixel_shuffle(x, 2), 2).sum(1, keepdim=True).mean(), ((2, 8, 3, 4), "f")),
    "unfold_fold_strided_dilated": _c(lambda m, x: m.nn.functional.fold(m.nn.functional.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2) * 1.5, (7, 8), (2, 3), dilation=(1, 2), padding=1, stride=2), ((2, 3, 7, 8), "f")),
    # Order statistics and binning.
    "kthvalue_nanmedian": _c(lambda m, a: m.kthvalue(a, 2, 1).values * 2.0 + a.kthvalue(3, 0, True).values.sum() + m.nanmedian(m.where(a > 1.0, NAN, a), 1).values + m.where(a > 1.0, NAN, a).nanmedian(), ((4, 5), "f")),
    "quantile_interpolations": _c(lambda m, a: m.quantile(a, m.tensor([0.2, 0.5, 0.9], dtype=a.dtype, device=a.device), 1).sum(0) + a.quantile(0.3, 1, interpolation="lower") + m.quantile(a, 0.3, 1, interpolation="higher") * 2.0 + m.quantile(a, 0.7, 1, interpolation="midpoint") * 3.0 + m.quantile(a, 0.5, -1, interpolation="nearest") * 4.0 + m.quantile(a, 0.25), ((3, 6), "f")),
    "quantile_keepdim_dim0": _c(lambda m, a: m.quantile(a, m.tensor([0.1, 0.6], dtype=a.dtype, device=a.device), 0, keepdim=True), ((5, 2, 3), "f")),
    "nanquantile": _c(lambda m, a: m.nanquantile(m.where(a > 0.8, NAN, a), m.tensor([0.3, 0.75], dtype=a.dtype, device=a.device), 1) + m.where(a > 0.8, NAN, a).nanquantile(0.5, 1, keepdim=True).squeeze(1), ((4, 6), "f")),
    "cdist_norms": _c(lambda m, a, b: m.cdist(a, b) + m.cdist(a, b, p=1) * 2.0 + m.cdist(a, b, p=3) * 3.0 + m.cdist(a, b, p=float("inf")) * 4.0 + m.cdist(a, b, p=0.5), ((2, 4, 3), "f"), ((2, 5, 3), "f")),
    "cdist_broadcast_float64": _c(lambda m, a, b: m.cdist(a, b), ((2, 3, 4), "d"), ((5, 4), "d")),
    "searchsorted_bucketize": _c(lambda m, a, b: m.searchsorted(m.sort(a, 1).values, b) * 100 + m.searchsorted(m.sort(a, 1).values, b, side="right") * 10 + m.bucketize(b, m.sort(a.flatten()).values, right=True), ((3, 5), "c"), ((3, 4), "c")),
    # Writing into indexed places (out of place); the index tensors are in range.
    "scatter_reduce_sum_prod_mean": _c(lambda m, a, s, i: a.scatter_reduce(0, i, s, "sum") + a.scatter_reduce(0, i, s, "prod", include_self=False) * 2.0 + m.scatter_reduce(a, 0, i, s, "mean") * 3.0 + a.scatter_reduce(0, i, s, "mean", include_self=False), ((4, 3), "f"), ((5, 3), "f"), ((5, 3), "i4")),
    "scatter_reduce_amax_amin_dim1": _c(lambda m, a, s, i: a.scatter_reduce(1, i, s, "amax") + a.scatter_reduce(1, i, s, "amin", include_self=False) * 2.0, ((3, 4), "f"), ((3, 5), "f"), ((3, 5), "i4")),
    "index_copy_index_put": _c(lambda m, a, s, v: a.index_copy(0, m.tensor([3, 1], device=a.device), s) + m.index_put(a, (m.tensor([0, -1, 2], device=a.device), m.tensor([2, 0, 1], device=a.device)), v) * 2.0 + a.index_put((m.tensor([0, 2, 0], device=a.device),), s[0], accumulate=True) * 3.0, ((4, 3), "f"), ((2, 3), "f"), ((3,), "f")),
    "index_put_mask_masked_scatter": _c(lambda m, a, s, b: a.index_put((b,), s[0, :1]) + a.masked_scatter(b, s) * 2.0 + m.masked_scatter(a, b[0], s) * 3.0, ((4, 3), "f"), ((4, 3), "f"), ((4, 3), "b")),
    # Sampling at grid points (the spatial transformer's halves), float32 inputs; grid
    # points are standard normal, so some fall outside the image.
    "grid_sample_bilinear_zeros": _c(lambda m, x, g: m.nn.functional.grid_sample(x, g, align_corners=False), ((2, 3, 4, 5), "f"), ((2, 3, 6, 2), "f")),
    "grid_sample_paddings_nearest": _c(lambda m, x, g: m.nn.functional.grid_sample(x, g, padding_mode="border", align_corners=True) + m.nn.functional.grid_sample(x, g, padding_mode="reflection", align_corners=False) * 2.0 + m.nn.functional.grid_sample(x, g, padding_mode="reflection", align_corners=True) * 3.0 + m.nn.functional.grid_sample(x, g, mode="nearest", padding_mode="border", align_corners=False) * 4.0, ((2, 2, 4, 5), "f"), ((2, 3, 4, 2), "f")),
    "grid_sample_bicubic": _c(lambda m, x, g: m.nn.functional.grid_sample(x, g, mode="bicubic", align_corners=False) + m.nn.functional.grid_sample(x, g, mode="bicubic", padding_mode="reflection", align_corners=True) * 2.0, ((1, 2, 5, 4), "f"), ((1, 3, 3, 2), "f")),
    "grid_sample_trilinear": _c(lambda m, x, g: m.nn.functional.grid_sample(x, g, padding_mode="border", align_corners=False), ((1, 2, 3, 4, 5), "f"), ((1, 2, 3, 2, 3), "f")),
    "spatial_transformer": _c(lambda m, x, t: m.nn.functional.grid_sample(x, m.nn.functional.affine_grid(t * 0.5, tuple(x.shape), align_corners=False), align_corners=False), ((2, 3, 5, 6), "f"), ((2, 2, 3), "f")),
    "affine_grid_3d_default_warns": _c(lambda m, t: m.nn.functional.affine_grid(t, (2, 1, 2, 3, 4)), ((2, 3, 4), "f"), warns="Default grid_sample and affine_grid behavior has changed"),
    "rrelu_eval": _c(lambda m, a: m.nn.functional.rrelu(a, 0.1, 0.3) + m.nn.functional.rrelu(a) * 2.0, ((3, 4), "f")),
    # CTC: logits through log_softmax, fixed targets and lengths.
    "ctc_loss_mean": _c(lambda m, x: m.nn.functional.ctc_loss(x.log_softmax(2), m.tensor([[1, 2, 2], [3, 1, 0], [4, 0, 0]], device=x.device), m.tensor([7, 6, 7], device=x.device), m.tensor([3, 2, 1], device=x.device)), ((7, 3, 5), "f")),
    "ctc_loss_none_concatenated_blank_last": _c(lambda m, x: m.nn.functional.ctc_loss(x.log_softmax(2), m.tensor([1, 2, 2, 3, 1, 0], device=x.device), [6, 5, 6], [3, 2, 1], blank=4, reduction="none"), ((6, 3, 5), "f")),
    "ctc_loss_zero_infinity_sum": _c(lambda m, x: m.nn.functional.ctc_loss(x.log_softmax(2), m.tensor([[1, 1, 1], [2, 3, 0]], device=x.device), [4, 5], [3, 2], reduction="sum", zero_infinity=True), ((5, 2, 4), "f")),
    # Non-constant padding: each output element is a copy of an input element.
    "pad_reflect_replicate_circular": _c(lambda m, x: m.cat([m.nn.functional.pad(x, (2, 1, 1, 3), mode="reflect").flatten(), m.nn.functional.pad(x, (3, 0, 2, 2), mode="replicate").flatten(), m.nn.functional.pad(x, (1, 4, -1, 2), mode="circular").flatten()]), ((2, 3, 4, 5), "f")),
    "pad_reflect_1d_3d": _c(lambda m, x, y: m.nn.functional.pad(x, (3, 2), mode="reflect").sum() + m.nn.functional.pad(y, (1, 1, 2, 0, 1, 2), mode="replicate").sum(), ((2, 6), "f"), ((1, 2, 3, 4, 3), "f")),
    # Likelihood and multi-class margin losses.
    "poisson_nll_loss": _c(lambda m, x, t: m.nn.functional.poisson_nll_loss(x, t * 1.0) + m.nn.functional.poisson_nll_loss(x.abs() + 0.1, t * 1.0, log_input=False, full=True, reduction="sum"), ((4, 5), "f"), ((4, 5), "i5")),
    "gaussian_nll_loss": _c(lambda m, x, t, v: m.nn.functional.gaussian_nll_loss(x, t, v) + m.nn.functional.gaussian_nll_loss(x, t, v[:, :1], full=True, reduction="sum"), ((4, 5), "f"), ((4, 5), "c"), ((4, 5), "p")),
    "multi_margin_loss": _c(lambda m, x, y, w: m.nn.functional.multi_margin_loss(x, y) + m.nn.functional.multi_margin_loss(x, y, p=2, margin=0.5, weight=w, reduction="sum"), ((6, 5), "f"), ((6,), "i5"), ((5,), "q")),
    "multilabel_margin_loss": _c(lambda m, x: m.nn.functional.multilabel_margin_loss(x, m.tensor([[3, 0, -1, 1, 2], [1, -1, 0, 0, 0], [0, 1, 2, 3, 4], [-1, 2, 3, 4, 0]], device=x.device), reduction="none"), ((4, 5), "f")),
    "triplet_margin_with_distance_loss": _c(lambda m, a, p, n: m.nn.functional.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda x, y: 1 - m.nn.functional.cosine_similarity(x, y), margin=0.5, swap=True, reduction="none"), ((4, 5), "f"), ((4, 5), "f"), ((4, 5), "f")),
    # Small layers' functions.
    "pdist_norms": _c(lambda m, x: m.cat([m.nn.functional.pdist(x), m.nn.functional.pdist(x, 1.0), m.nn.functional.pdist(x, 3.0)]), ((5, 3), "f")),
    "bilinear": _c(lambda m, a, b, w, c: m.nn.functional.bilinear(a, b, w, c), ((4, 3), "f"), ((4, 2), "f"), ((5, 3, 2), "f"), ((5,), "f")),
    "local_response_norm": _c(lambda m, x: m.nn.functional.local_response_norm(x, 3, alpha=0.3, beta=0.6, k=2.0) + m.nn.functional.local_response_norm(x, 2), ((2, 6, 3, 4), "f")),
    "lp_pool_max_unpool": _c(lambda m, x: m.cat([m.nn.functional.lp_pool2d(x.abs() + 0.1, 2, 2).flatten(), m.nn.functional.lp_pool1d(x[:, :, 0].abs() + 0.1, 3, 2, 1).flatten(), m.nn.functional.max_unpool2d(*m.nn.functional.max_pool2d(x, 2, return_indices=True), 2, output_size=x.shape).flatten()]), ((2, 3, 4, 5), "f")),
    "channel_shuffle_softmax2d": _c(lambda m, x: m.nn.functional.channel_shuffle(m.nn.Softmax2d()(x), 3), ((2, 6, 2, 3), "f")),
    # Linear algebra (eigenvectors and singular vectors squared: free of their sign).
    "linalg_inv_det_solve": _c(lambda m, a, b: m.cat([m.linalg.inv(a).flatten(), m.linalg.det(a).flatten(), m.linalg.slogdet(a).logabsdet.flatten(), m.linalg.solve(a, b).flatten(), m.linalg.matrix_power(a, 3).flatten()]), ((2, 3, 3), "f"), ((2, 3, 2), "f")),
    "linalg_decompositions": _c(lambda m, a, t: m.cat([m.linalg.cholesky(a @ a.mT + 3 * m.eye(3, device=a.device)).flatten(), m.linalg.eigvalsh(a + a.mT), (m.linalg.eigh(a + a.mT).eigenvectors ** 2).flatten(), m.linalg.svdvals(t).flatten(), (m.linalg.svd(t, full_matrices=False).U ** 2).flatten(), m.linalg.pinv(t).flatten()]), ((3, 3), "f"), ((4, 3), "f")),
    "linalg_norms": _c(lambda m, t: m.stack([m.linalg.matrix_norm(t), m.linalg.matrix_norm(t, "nuc"), m.linalg.matrix_norm(t, 2), m.linalg.matrix_norm(t, 1), m.linalg.matrix_norm(t, float("inf")), m.linalg.norm(t), m.linalg.vector_norm(t, 3)]), ((4, 3), "f")),
    "histc": _c(lambda m, a: m.stack([m.histc(a, 7), a.histc(7, min=-1, max=1.5)]), ((200,), "c")),
    "histogram": _c(lambda m, a: m.cat([m.histogram(a, 7).hist, m.histogram(a, 5, range=(-1.0, 1.5)).bin_edges, a.histogram(m.tensor([-2.0, -0.5, 0.0, 0.3, 2.0], device=a.device), weight=a.abs(), density=True).hist, m.histogram(a[:1] * 0, 3).bin_edges]), ((200,), "c")),
    # The mode: no ties in ``a`` (the smallest element), rounded ``c`` with many.
    "mode": _c(lambda m, a, c: m.cat([m.mode(a, 1).values, a.mode(0, keepdim=True).values.flatten(), m.mode((c * 1.5).round(), 0).values, m.mode((c * 1.5).round(), 0).indices.to(a.dtype), m.mode((c * 1.5).round().mT).indices.to(a.dtype)]), ((3, 5), "f"), ((9, 4), "c")),
    # The gamma family, erfinv and torch.special's compositions.
    "lgamma_digamma": _c(lambda m, a: m.cat([m.lgamma(a), a.lgamma() * 0.5 + m.digamma(a * 3.0), m.special.gammaln(a.abs() + 0.3), m.special.psi(a.abs() + 0.1)]), ((4, 5), "f")),
    "polygamma_mvlgamma": _c(lambda m, a: m.cat([m.polygamma(1, a), m.polygamma(2, a.abs() + 0.5), a.polygamma(3), m.mvlgamma(a.abs() + 2.0, 3), m.special.multigammaln(a.abs() + 1.0, 1)]), ((3, 4), "f")),
    "erfinv_ndtr": _c(lambda m, a: m.cat([m.erfinv(a.tanh() * 0.99), m.special.erfinv(a.tanh() * 0.999999), m.special.ndtr(a * 3.0), m.special.log_ndtr(a * 4.0), m.special.ndtri(a.sigmoid())]), ((4, 5), "f")),
    "special_entr_xlog1py": _c(lambda m, a, b: m.cat([m.special.entr(a.abs()), m.special.xlog1py(a, b.abs()), m.special.xlog1py(a * 0.0, b.abs() - 1.0), m.special.expit(a), m.special.logsumexp(a, 1, keepdim=True).expand(4, 5)], 1), ((4, 5), "f"), ((4, 5), "f")),
    # torch.distributions: densities, entropies and KL divergences, and their gradients.
    "dist_normal": _c(lambda m, mu, s, x: m.cat([m.distributions.Normal(mu, s.abs() + 0.2).log_prob(x), m.distributions.Normal(mu, s.abs() + 0.2).entropy(), m.distributions.Normal(mu, s.abs() + 0.2).cdf(x), m.distributions.Normal(mu, s.abs() + 0.2).icdf(x.sigmoid()), m.distributions.kl.kl_divergence(m.distributions.Normal(mu, s.abs() + 0.2), m.distributions.Normal(x, 1.5)), m.distributions.Normal(mu, 2.0).log_prob(x), m.distributions.Normal(mu, s.abs() + 0.2).stddev]), ((3, 4), "f"), ((3, 4), "f"), ((3, 4), "f")),
    "dist_categorical": _c(lambda m, a, b: m.cat([m.distributions.Categorical(logits=a).log_prob(m.tensor([0, 2, 4], device=a.device)), m.distributions.Categorical(logits=a).entropy(), m.distributions.Categorical(probs=b.abs() + 0.1).log_prob(m.tensor([[1], [3]], device=a.device)).flatten(), m.distributions.Categorical(probs=b.abs() + 0.1).entropy(), m.distributions.kl_divergence(m.distributions.Categorical(logits=a), m.distributions.Categorical(probs=b.abs() + 0.1)), m.distributions.Categorical(logits=a).probs.flatten()]), ((3, 5), "f"), ((3, 5), "f")),
    "dist_bernoulli_uniform": _c(lambda m, a, b, x: m.cat([m.distributions.Bernoulli(logits=a).log_prob((x > 0).to(a.dtype)), m.distributions.Bernoulli(logits=a).entropy(), m.distributions.Bernoulli(probs=b.sigmoid()).log_prob((x > 0.5).to(a.dtype)), m.distributions.Bernoulli(probs=b.sigmoid()).entropy(), m.distributions.kl_divergence(m.distributions.Bernoulli(logits=a), m.distributions.Bernoulli(probs=b.sigmoid())), m.distributions.Bernoulli(probs=b.sigmoid()).variance, m.distributions.Uniform(a - 3.0, b.abs() + 3.0).log_prob(x), m.distributions.Uniform(a - 3.0, b.abs() + 3.0).entropy(), m.distributions.kl_divergence(m.distributions.Uniform(a - 3.0, b.abs() + 3.0), m.distributions.Uniform(a - 4.0, b.abs() + 3.5)), m.distributions.Uniform(a - 3.0, b.abs() + 3.0).variance]), ((6,), "f"), ((6,), "f"), ((6,), "c")),
    "dist_exponential_laplace_poisson": _c(lambda m, a, b, x: m.cat([m.distributions.Exponential(a.abs() + 0.3).log_prob(x.abs()), m.distributions.Exponential(a.abs() + 0.3).entropy(), m.distributions.Exponential(a.abs() + 0.3).cdf(x.abs()), m.distributions.kl_divergence(m.distributions.Exponential(a.abs() + 0.3), m.distributions.Exponential(b.abs() + 0.5)), m.distributions.Laplace(a, b.abs() + 0.2).log_prob(x), m.distributions.Laplace(a, b.abs() + 0.2).entropy(), m.distributions.Laplace(a, b.abs() + 0.2).cdf(x), m.distributions.Laplace(a, b.abs() + 0.2).icdf(x.sigmoid()), m.distributions.kl_divergence(m.distributions.Laplace(a, b.abs() + 0.2), m.distributions.Laplace(b, a.abs() + 0.4)), m.distributions.Poisson(a.abs() + 0.5).log_prob((x.abs() * 3).floor()), m.distributions.kl_divergence(m.distributions.Poisson(a.abs() + 0.5), m.distributions.Poisson(b.abs() + 0.1))]), ((6,), "f"), ((6,), "f"), ((6,), "c")),
    "dist_gamma_beta": _c(lambda m, a, b, x: m.cat([m.distributions.Gamma(a.abs() + 0.5, b.abs() + 0.3).log_prob(x.abs() + 0.1), m.distributions.Gamma(a.abs() + 0.5, b.abs() + 0.3).entropy(), m.distributions.kl_divergence(m.distributions.Gamma(a.abs() + 0.5, b.abs() + 0.3), m.distributions.Gamma(b.abs() + 1.0, a.abs() + 0.7)), m.distributions.Beta(a.abs() + 0.5, b.abs() + 0.3).log_prob(x.sigmoid()), m.distributions.Beta(a.abs() + 0.5, b.abs() + 0.3).entropy(), m.distributions.kl_divergence(m.distributions.Beta(a.abs() + 0.5, b.abs() + 0.3), m.distributions.Beta(b.abs() + 1.0, a.abs() + 0.7)), m.distributions.Beta(a.abs() + 0.5, b.abs() + 0.3).variance]), ((6,), "f"), ((6,), "f"), ((6,), "c")),
    "dist_multivariate_normal": _c(lambda m, mu, w, x: m.cat([m.distributions.MultivariateNormal(mu, covariance_matrix=w @ w.mT + m.eye(3, device=w.device)).log_prob(x), m.distributions.MultivariateNormal(mu, scale_tril=(w.tril(-1) + m.diag_embed(w.diagonal(dim1=-2, dim2=-1).exp()))).log_prob(x), m.distributions.MultivariateNormal(mu, precision_matrix=w @ w.mT + m.eye(3, device=w.device)).entropy(), m.distributions.kl_divergence(m.distributions.MultivariateNormal(mu, covariance_matrix=w @ w.mT + m.eye(3, device=w.device)), m.distributions.MultivariateNormal(x, covariance_matrix=w.mT @ w + 2 * m.eye(3, device=w.device))), m.distributions.Independent(m.distributions.Normal(mu, w[..., 0].abs() + 0.5), 1).log_prob(x), m.distributions.kl_divergence(m.distributions.Independent(m.distributions.Normal(mu, w[..., 0].abs() + 0.5), 1), m.distributions.Independent(m.distributions.Normal(x, 1.0), 1))]), ((2, 3), "f"), ((2, 3, 3), "f"), ((2, 3), "c")),
    "dist_dirichlet_one_hot": _c(lambda m, a, b: m.cat([m.distributions.Dirichlet(a.abs() + 0.5).log_prob(b.softmax(-1)), m.distributions.Dirichlet(a.abs() + 0.5).entropy(), m.distributions.kl_divergence(m.distributions.Dirichlet(a.abs() + 0.5), m.distributions.Dirichlet(b.abs() + 0.8)), m.distributions.Dirichlet(a.abs() + 0.5).variance.flatten(), m.distributions.OneHotCategorical(logits=a).log_prob(m.nn.functional.one_hot(m.tensor([0, 3, 1], device=a.device), 4).to(a.dtype)), m.distributions.OneHotCategorical(logits=a).entropy(), m.distributions.kl_divergence(m.distributions.OneHotCategorical(logits=a), m.distributions.OneHotCategorical(logits=b))]), ((3, 4), "f"), ((3, 4), "f")),
    "dist_relatives_counts": _c(lambda m, a, b, x: m.cat([m.distributions.HalfNormal(a.abs() + 0.3).log_prob(x.abs()), m.distributions.HalfNormal(a.abs() + 0.3).entropy(), m.distributions.HalfNormal(a.abs() + 0.3).cdf(x.abs()), m.distributions.HalfNormal(a.abs() + 0.3).icdf(x.sigmoid()), m.distributions.LogNormal(a, b.abs() + 0.3).log_prob(x.abs() + 0.1), m.distributions.LogNormal(a, b.abs() + 0.3).entropy(), m.distributions.LogNormal(a, b.abs() + 0.3).variance, m.distributions.LogNormal(a, b.abs() + 0.3).cdf(x.abs() + 0.1), m.distributions.Cauchy(a, b.abs() + 0.3).log_prob(x), m.distributions.Cauchy(a, b.abs() + 0.3).entropy(), m.distributions.Cauchy(a, b.abs() + 0.3).cdf(x), m.distributions.Cauchy(a, b.abs() + 0.3).icdf(x.sigmoid()), m.distributions.Geometric(probs=a.sigmoid()).log_prob((x.abs() * 3).floor()), m.distributions.Geometric(logits=b).entropy(), m.distributions.Geometric(logits=b).variance, m.distributions.Binomial(7, logits=a).log_prob((x.abs() * 2).floor()), m.distributions.Binomial(m.tensor([3.0, 4, 5, 6, 7, 8], device=a.device), probs=b.sigmoid()).log_prob((x.abs() * 2).floor()), m.distributions.Binomial(5, probs=b.sigmoid()).variance]), ((6,), "f"), ((6,), "f"), ((6,), "c")),
    "dist_student_t_chi2": _c(lambda m, a, b, x: m.cat([m.distributions.StudentT(a.abs() + 0.5, b, b.abs() + 0.3).log_prob(x), m.distributions.StudentT(a.abs() + 0.5, b, b.abs() + 0.3).entropy(), m.distributions.StudentT(a.abs() + 2.5).variance, m.distributions.StudentT(a.abs() + 1.5, b).mean, m.distributions.Chi2(a.abs() + 0.5).log_prob(x.abs() + 0.1), m.distributions.Chi2(a.abs() + 0.5).entropy(), m.distributions.Chi2(a.abs() + 0.5).variance]), ((6,), "f"), ((6,), "f"), ((6,), "c")),
    "linalg_qr": _c(lambda m, t, w, b: m.cat([x.flatten() for x in (*m.linalg.qr(t), *m.linalg.qr(w), *m.linalg.qr(b), m.linalg.qr(w, "complete").Q)]), ((5, 3), "f"), ((3, 4), "f"), ((2, 3, 3), "f")),
    # PyTorch does not differentiate these two modes of a tall matrix: values only.
    "linalg_qr_complete_r": _c(lambda m, t: m.cat([m.linalg.qr(t, "complete").R.flatten(), m.linalg.qr(t, "complete").Q.flatten(), m.linalg.qr(t, "r").R.flatten()]), ((5, 3), "c")),
    # Cross-entropy against class probabilities (a target of the input's shape), with the
    # target's own gradient.
    "cross_entropy_probs": _c(lambda m, x, t: m.cross_entropy(x, m.softmax(t, dim=1)), ((6, 5), "f"), ((6, 5), "f")),
    "cross_entropy_probs_weight_smoothing_4d": _c(lambda m, x, t, w: m.cross_entropy(x, t, weight=w, label_smoothing=0.2), ((2, 5, 3, 2), "f"), ((2, 5, 3, 2), "p"), ((5,), "q")),
    "cross_entropy_probs_none_single": _c(lambda m, x, t, w: m.cross_entropy(x, t, w, reduction="none"), ((5,), "f"), ((5,), "q"), ((5,), "q")),
    "cross_entropy_probs_sum_none_4d": _c(lambda m, x, t: m.cat([m.cross_entropy(x, t, reduction="sum").reshape(1), m.cross_entropy(x, t, reduction="none", label_smoothing=1.0).flatten()]), ((2, 4, 3), "f"), ((2, 4, 3), "p")),
    "cross_entropy_probs_empty_batch": _c(lambda m, x, t: m.cross_entropy(x, t), ((0, 5), "f"), ((0, 5), "q")),
    "cross_entropy_probs_float64_target": _c(lambda m, x, t: m.cross_entropy(x, t.softmax(1)), ((4, 3), "f"), ((4, 3), "d")),
    # The mean of no elements is nan, silently (NumPy warns "Mean of empty slice").
    "mean_empty": _c(lambda m, a: m.mean(a), ((0, 4), "f")),
    "mean_empty_dim": _c(lambda m, a: a.mean(1), ((3, 0), "f")),
    "mse_loss_empty": _c(lambda m, a, b: m.nn.functional.mse_loss(a, b), ((2, 0), "f"), ((2, 0), "c")),
    # Normalisations without the affine part, whose output is then written in place: the
    # gradient is the one of the unwritten output (PyTorch saves the input).
    "layer_norm_output_written": _c(lambda m, x: _written_after(m, m.nn.functional.layer_norm(x, (5,))), ((3, 5), "f")),
    "group_norm_output_written": _c(lambda m, x: _written_after(m, m.nn.functional.group_norm(x, 2)), ((3, 4, 5), "f")),
    "batch_norm_output_written": _c(lambda m, x: _written_after(m, m.nn.functional.batch_norm(x, None, None, training=True)), ((3, 4, 5), "f")),
}  # fmt: skip
