"""The public functions on tensors: ``minigrad.exp(x)``, ``minigrad.cat([...])`` and so on.

This layer sits between the Tensor API and the differentiable primitives in ``ops/``. It
checks arguments (and says clearly what is wrong), applies PyTorch's dtype-promotion
rules, normalises dimensions, and then calls one primitive's ``apply``. Several functions
are compositions of others (``flatten`` is a ``reshape``, ``max(dim)`` is an ``argmax``
and a gather), which keeps the number of primitives, and of backward formulas, small.

One module per theme, from the bottom up; each imports only from modules above it in
this list:

* ``args.py``: argument helpers (dims, shapes, operands, dtype promotion, the errors for
  shapes that do not broadcast) and the conversions ``cast``, ``to_device``, ``clone``;
* ``arithmetic.py``: ``add``, ``sub``, ``mul``, ``div``, ``pow``, the unary math,
  ``relu``, ``maximum``, ``minimum``, ``clamp``, ``where``, ``matmul``;
* ``compare.py``: comparisons and logic (bool results, not differentiable);
* ``shape.py``: ``reshape``, ``view``, ``transpose``, ``permute``, ``flatten``,
  ``squeeze``, ``unsqueeze``, ``expand``, indexing, ``cat``, ``stack``, ``pad``;
* ``reductions.py``: ``sum``, ``mean``, ``var``, ``max``, ``min``, ``argmax``,
  ``argmin``, ``all``, ``any`` (with ``arithmetic`` and ``shape``);
* ``soft_targets.py``: ``cross_entropy`` against class probabilities (with ``shape``);
* ``loss.py``: ``softmax``, ``log_softmax``, ``cross_entropy``, ``nll_loss`` and their
  checks (with ``shape`` and ``soft_targets``).

This file only gathers their names, private ones included, so that ``minigrad.functions.X``
and ``from minigrad.functions import X`` work as they did when all was one file.
"""

from .args import (  # noqa: F401
    _NUMBER,
    _as_operand,
    _binary,
    _broadcast_error,
    _broadcastable,
    _check_tensor,
    _operands,
    _promote,
    _shape,
    cast,
    clone,
    converts_without_overflow,
    normalize_dim,
    normalize_dims,
    numpy_names,
    operand_array,
    shape_arg,
    to_device,
)
from .arithmetic import (  # noqa: F401
    _all_true_like,
    _as_floats,
    _integer_pow,
    _is_integral,
    _scaled_by_alpha,
    _unary_float,
    abs,
    add,
    clamp,
    clip,
    div,
    exp,
    log,
    matmul,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    sqrt,
    sub,
    sub_check,
    tanh,
    where,
)
from .compare import (  # noqa: F401
    _bitwise,
    _compare,
    _fits,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    eq,
    ge,
    gt,
    le,
    logical_and,
    logical_not,
    logical_or,
    lt,
    ne,
)
from .loss import (  # noqa: F401
    _check_targets,
    _class_loss,
    _class_loss_error,
    _class_loss_ok,
    _float_input,
    _implicit_softmax_dim,
    _smoothed_cross_entropy,
    cross_entropy,
    legacy_reduction,
    log_softmax,
    movedim_last,
    nll_loss,
    softmax,
)
from .reductions import (  # noqa: F401
    MaxResult,
    MinResult,
    _arg_select,
    _float_only,
    _logical_reduce,
    _select,
    all,
    any,
    argmax,
    argmin,
    max,
    mean,
    min,
    sum,
    var,
)
from .shape import (  # noqa: F401
    _check_index_bounds,
    _infer_shape,
    _sequence_of_tensors,
    all_equal_except,
    cat,
    expand,
    flatten,
    getitem,
    index_key,
    integers_first,
    pad,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
    view,
)
