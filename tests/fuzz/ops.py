"""The fuzzer's op table: every operation a program may use, one line each.

A table entry is a *template* of Python source, such as ``"{a}.sum(dim={dim})"``, with
placeholders for its tensor operands (``{a}``, ``{b}``, ``{c}``: tensors already in the
program) and for its parameters (every other name, each a function of the step's
:class:`Resolver`). Nothing here calls PyTorch or minigrad: a step is turned into source
text, and the runner executes that same text with ``m`` bound to ``torch`` and to
``minigrad``. So what ran is exactly what a reproducer prints, and both libraries run the
same call by construction (minigrad's API is PyTorch's).

Parameters are resolved *late*, from the operands' actual shapes: a step draws raw
integers (``Step.raw``) and, say, :func:`DIM` maps them onto a valid dimension of ``{a}``
(now and then an invalid one, so that both libraries must raise). Generation therefore
never depends on the library under test, shrinking a raw integer to 0 always means "the
first choice", and adding an op is one line::

    Op("sum_dim", 1, "{a}.sum(dim={dim}, keepdim={keep})", dim=DIM, keep=BOOL),

Flags: ``inplace`` marks statements that write into ``{a}`` (the runner wraps them in
``with m.no_grad():`` as minigrad requires, except now and then, to check the documented
refusal); ``augmented`` marks ``a += b``, which minigrad runs out of place on tensors that
require grad (documented); ``value`` marks ops whose result is a Python value, not a
tensor; ``ties`` marks index results that may legitimately differ between tied values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

NAN = float("nan")
INF = float("inf")

DTYPES = ("float64", "float32", "int64", "int32", "int8", "uint8", "bool")
FLOAT_DTYPES = ("float64", "float32", "float16")
INT_RANGES = {
    "uint8": (0, 255),
    "int8": (-128, 127),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}

# Python scalars a program combines with tensors: the common ones first (shrinking goes
# to index 0), then the awkward ones (out of an integer dtype's range, NaN, inf).
SCALARS = (2, 1, 0, -1, 0.5, -1.5, 2.0, 3, True, False, -2, 0.0, 1e-3, 300, -129, 1e10, NAN, INF)
# Bounds for clamp: None is "no bound".
BOUNDS = (None, 0.0, -1.0, 1.0, 0.5, 2, -2, NAN)
NORM_PS = ("2", "1", "'fro'", "3", "inf", "-inf", "0.5", "0")


@dataclass(frozen=True)
class Operand:
    """What the resolver knows of a tensor operand: its name in the program and the
    shape, dtype name and ``requires_grad`` it has (the same in both libraries, or the
    program would have stopped at a mismatch)."""

    name: str
    shape: tuple
    dtype: str
    requires_grad: bool = False

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def is_float(self) -> bool:
        return self.dtype in FLOAT_DTYPES


def lit(value) -> str:
    """Python source for a number (``nan``, ``inf`` and ``-inf`` are names the runner and
    every reproducer define)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    return repr(value)


def nested(values, shape) -> str:
    """Source for a nested list of ``values`` (flat, row-major) with ``shape``."""
    if not shape:
        return lit(values[0])
    step = math.prod(shape[1:])
    parts = [nested(values[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]
    return "[" + ", ".join(parts) + "]"


def tensor_source(shape, dtype: str, values, requires_grad: bool = False) -> str:
    """Source creating a tensor of ``shape`` and ``dtype`` from flat ``values``: a
    literal (``m.tensor([[1.0, 2.0]], dtype=m.float64)``), or ``m.zeros(shape, ...)`` for
    an empty one (a nested list cannot spell shape ``(2, 0, 3)``)."""
    shape = tuple(shape)
    grad = ", requires_grad=True" if requires_grad else ""
    if math.prod(shape) == 0:
        return f"m.zeros({shape!r}, dtype=m.{dtype}{grad})"
    return f"m.tensor({nested(list(values), shape)}, dtype=m.{dtype}{grad})"


def cast(value, dtype: str):
    """``value`` (a float from the value stream) as an element of ``dtype``."""
    if dtype == "bool":
        return bool(value) and not math.isnan(value) and value > 0
    if dtype in INT_RANGES:
        lo, hi = INT_RANGES[dtype]
        v = 0 if not math.isfinite(value) else round(value)
        return min(max(v, lo), hi)
    return float(value)


class Resolver:
    """Turns one step's raw draws into source text, given its operands.

    ``int(n)`` consumes the next raw integer, reduced modulo ``n`` (0 once the draws run
    out, which is where shrinking heads); ``fresh(...)`` adds a new tensor to the program
    (a weight, a target, a mask), named ``c<step>_<i>``, created by a line of the step's
    prelude. ``notes`` collects the Python scalar types and fresh non-float dtypes a step
    used, for the mismatch signature. ``probe`` evaluates an expression on the reference
    library (``None`` if it raises), for the rare parameter that needs a shape the table
    cannot compute, such as the shape of ``a[key]``.
    """

    def __init__(self, step, operands, prefix: str, probe=None):
        self.raw = tuple(step.raw)
        self.values = tuple(step.values) or (1.0,)
        self.operands = list(operands)
        self.prefix = prefix
        self.probe = probe or (lambda expr: None)
        self.prelude: list[str] = []
        self.notes: list[str] = []
        self.fresh_leaves: list[str] = []
        self._i = 0
        self._v = 0
        self._fresh = 0

    @property
    def a(self) -> Operand:
        return self.operands[0]

    @property
    def b(self) -> Operand:
        return self.operands[1]

    @property
    def c(self) -> Operand:
        return self.operands[2]

    def int(self, n: int) -> int:
        if n <= 1:
            self._i += 1
            return 0
        v = self.raw[self._i] if self._i < len(self.raw) else 0
        self._i += 1
        return v % n

    def choice(self, options):
        return options[self.int(len(options))]

    def value(self) -> float:
        v = self.values[self._v % len(self.values)]
        self._v += 1
        return v

    def fresh(self, shape, dtype=None, grad=None, kind="float") -> str:
        """A new tensor: ``kind`` "float" (``dtype``, default that of ``{a}`` if it is a
        float tensor, else float64; ``grad`` None means drawn), "positive" (no grad,
        values in [0.5, 3.5]), "bool", or ("index", low, high) (int64 unless ``dtype``)."""
        name = f"{self.prefix}{self._fresh}"
        self._fresh += 1
        shape = tuple(int(s) for s in shape)
        n = math.prod(shape)
        if kind in ("float", "positive"):
            dtype = dtype or (self.a.dtype if self.operands and self.a.is_float else "float64")
            if kind == "positive":
                values = [abs(self.value()) % 3.0 + 0.5 for _ in range(n)]
                grad = False
            else:
                values = [self.value() for _ in range(n)]
                if grad is None:
                    grad = bool(self.int(2))
        elif kind == "bool":
            dtype = "bool"
            values = [bool(self.int(2)) for _ in range(n)]
            grad = False
        else:
            _, low, high = kind
            dtype = dtype or "int64"
            values = [low + self.int(max(high - low, 1)) for _ in range(n)]
            grad = False
            self.notes.append(dtype)
        if dtype == "bool" and kind == "bool":
            self.notes.append("bool")
        self.prelude.append(f"{name} = {tensor_source(shape, dtype, values, grad)}")
        if grad:
            self.fresh_leaves.append(name)
        return name

    def scalar(self, options=SCALARS) -> str:
        v = self.choice(options)
        self.notes.append(type(v).__name__)
        return lit(v)


# ---- parameter resolvers: each takes the Resolver and returns source text ----------------


def _dim(r: Resolver, t: Operand, insert: bool = False) -> int:
    n = max(t.ndim + insert, 1)
    if r.int(16) == 15:
        return n  # out of range: both libraries must raise
    d = r.int(n)
    return d - n if r.int(2) else d


def DIM(r):
    return str(_dim(r, r.a))


def DIM_INSERT(r):
    """A dimension for unsqueeze/stack: one of ndim + 1 places."""
    return str(_dim(r, r.a, insert=True))


def DIM_B(r):
    return str(_dim(r, r.b))


def BOOL(r):
    return str(bool(r.int(2)))


def SCALAR(r):
    return r.scalar()


def DIMS(r):
    """A tuple of distinct dimensions (or one int), for sum/mean/var/norm."""
    nd = r.a.ndim
    if nd == 0:
        return r.choice(("0", "-1", "()"))
    if r.int(3) == 0:
        return DIM(r)
    dims = sorted({r.int(nd) for _ in range(1 + r.int(nd))})
    return repr(tuple(dims))


def CORRECTION(r):
    return r.choice(("1", "0", "2", "5"))


def REDUCTION(r):
    return r.choice(("'mean'", "'sum'", "'none'"))


def BOUND(r):
    v = r.choice(BOUNDS)
    r.notes.append(type(v).__name__)
    return lit(v)


def NORM_P(r):
    return r.choice(NORM_PS)


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0] or [1]


def SHAPE(r):
    """A shape with the same number of elements as ``{a}`` (sometimes with a -1, now and
    then a wrong one)."""
    n = r.a.numel
    dims: list[int] = []
    remaining = n
    for _ in range(r.int(3)):
        if remaining == 0:
            d = r.choice((0, 1, 2))
        else:
            d = r.choice(_divisors(remaining))
        dims.append(d)
        remaining = remaining // d if d else remaining
    dims.append(remaining if n else 0)
    if r.int(3) == 0:
        dims[r.int(len(dims))] = -1
    if r.int(20) == 0:
        dims[0] += 1  # the wrong number of elements: both must raise
    return repr(tuple(dims))


def PERM(r):
    left = list(range(r.a.ndim))
    perm = [left.pop(r.int(len(left))) for _ in range(len(left))]
    return repr(tuple(perm))


def EXPAND(r):
    """A shape ``{a}`` expands to: new leading dims, size-1 dims grown, -1 kept."""
    shape = [r.choice((2, 1, 3)) for _ in range(r.int(3))]
    for s in r.a.shape:
        if s == 1:
            shape.append(r.choice((2, 1, -1, 3)))
        else:
            shape.append(r.choice((s, -1, s, s + 1 if r.int(10) == 0 else s)))
    return repr(tuple(shape))


def REPEAT(r):
    k = r.a.ndim + r.int(2)
    return repr(tuple(r.choice((1, 2, 1, 0 if r.int(8) == 0 else 3)) for _ in range(max(k, 1))))


def PAD(r):
    k = 1 + r.int(max(min(r.a.ndim, 2), 1))
    return repr(tuple(r.choice((1, 0, 2, -1)) for _ in range(2 * k)))


def TOPK(r):
    """k for topk along the dim that follows in the template (drawn first)."""
    return str(r.int(4))


def _index_component(r: Resolver, size: int) -> tuple[str, bool]:
    """One index component for a dimension of ``size``: (source, advanced?)."""
    kind = r.int(8)
    if kind == 0:  # an integer, sometimes negative
        i = r.int(max(size, 1))
        return (str(i - size if r.int(2) else i), False)
    if kind in (1, 2):  # a slice
        start = r.choice((None, 0, 1, -1, -2))
        stop = r.choice((None, -1, 2, 1, size + 1))
        step = r.choice((None, 1, 2, -1 if r.int(6) == 0 else 3))
        text = ":".join("" if v is None else str(v) for v in (start, stop))
        if step is not None:
            text += f":{step}"
        return (text, False)
    if kind == 3:  # a list of integers
        items = [r.int(max(size, 1)) for _ in range(1 + r.int(3))]
        return (repr([i - size if r.int(4) == 0 else i for i in items]), True)
    if kind == 4:  # an int64 tensor
        items = [r.int(max(size, 1)) for _ in range(1 + r.int(3))]
        return (f"m.tensor({items!r})", True)
    if kind == 5:  # a bool mask over this dimension
        return (f"m.tensor({[bool(r.int(2)) for _ in range(size)]!r})", True)
    if kind == 6:
        return ("None", False)
    return ("...", False)


def INDEX(r):
    """An index for ``{a}[...]``: integers, slices (a negative step now and then), None,
    Ellipsis, lists, int tensors and bool masks, mixed, as PyTorch programs write them."""
    shape = r.a.shape
    if not shape:
        return r.choice(("...", "None", "()", "0", "True"))
    parts = []
    dim = 0
    seen_ellipsis = False
    for _ in range(1 + r.int(len(shape) + 1)):
        size = shape[dim] if dim < len(shape) else 1
        text, _advanced = _index_component(r, size)
        if text == "...":
            if seen_ellipsis:
                continue
            seen_ellipsis = True
        if text != "None" and text != "...":
            dim += 1
        parts.append(text)
    return ", ".join(parts) if len(parts) > 1 else parts[0]


def MASK(r):
    """A bool mask over ``{a}``'s leading dimensions (all of them, mostly)."""
    nd = r.a.ndim if r.int(3) else r.int(r.a.ndim + 1)
    return r.fresh(r.a.shape[:nd], kind="bool")


def COND(r):
    """A bool condition that broadcasts with ``{a}``."""
    shape = r.a.shape[r.int(r.a.ndim + 1) :] if r.int(2) else r.a.shape
    return r.fresh(shape, kind="bool")


def LIKE_A(r):
    """A fresh float tensor shaped like ``{a}``."""
    return r.fresh(r.a.shape)


def LIKE_A_NOGRAD(r):
    return r.fresh(r.a.shape, grad=False)


def ITEM_VALUE(r):
    """A value to write into ``{a}[key]``: a scalar, a tensor of the selection's shape, or
    of shape (1,) (PyTorch drops a value's leading 1s)."""
    choice = r.int(3)
    if choice == 0:
        return r.scalar()
    key = r.last_key
    shape = r.probe(f"{r.a.name}[{key}].shape")
    if choice == 1 and shape is not None:
        return r.fresh(shape, dtype=r.a.dtype if r.a.is_float else "float64", grad=False)
    return r.fresh((1,), dtype=r.a.dtype if r.a.is_float else "float64", grad=False)


def KEY(r):
    """INDEX, remembered for ITEM_VALUE (which must see the same key)."""
    r.last_key = INDEX(r)
    return r.last_key


def MATMUL_RIGHT(r):
    last = r.a.shape[-1] if r.a.ndim else 2
    shape = (last,) if r.int(4) == 0 else (last, r.choice((2, 1, 3, 0)))
    return r.fresh(shape)


def MATMUL_LEFT(r):
    first = r.a.shape[-2] if r.a.ndim >= 2 else (r.a.shape[0] if r.a.ndim else 2)
    shape = (first,) if r.int(4) == 0 else (r.choice((2, 1, 3)), first)
    return r.fresh(shape)


def BMM_RIGHT(r):
    s = r.a.shape if r.a.ndim == 3 else (2, 2, 2)
    return r.fresh((s[0], s[2], r.choice((2, 1, 3))))


def _features(r):
    return r.a.shape[-1] if r.a.ndim else 1


def LINEAR_WEIGHT(r):
    r.out_features = r.choice((2, 1, 3, 0))
    return r.fresh((r.out_features, _features(r)))


def LINEAR_BIAS(r):
    return "None" if r.int(3) == 0 else r.fresh((r.out_features,))


def NORMALIZED_SHAPE(r):
    k = 1 + r.int(max(r.a.ndim, 1))
    r.normalized = tuple(r.a.shape[-k:]) if r.a.ndim else ()
    return repr(r.normalized)


def NORM_AFFINE(r):
    """A weight or bias of the normalized shape, or None."""
    return "None" if r.int(3) == 0 else r.fresh(r.normalized)


def _channels(r):
    return r.a.shape[1] if r.a.ndim >= 2 else 1


def GROUPS(r):
    return str(r.choice(_divisors(_channels(r)))) if r.int(10) else "3"


def CHANNEL_AFFINE(r):
    return "None" if r.int(3) == 0 else r.fresh((_channels(r),))


def RUNNING_STAT(r):
    """A running mean or variance (positive, no grad) of the channel count, or None."""
    return "None" if r.int(4) == 0 else r.fresh((_channels(r),), kind="positive")


def _classes_and_target_shape(r):
    if r.a.ndim <= 1:
        return (r.a.shape[0] if r.a.ndim else 1), ()
    return r.a.shape[1], (r.a.shape[0], *r.a.shape[2:])


def TARGET(r):
    """Class indices for cross_entropy/nll_loss: in range, with the ignore_index drawn
    next now and then; int64 mostly, int32 sometimes (PyTorch refuses it)."""
    classes, shape = _classes_and_target_shape(r)
    r.classes = classes
    dtype = "int64" if r.int(6) else "int32"
    return r.fresh(shape, dtype=dtype, kind=("index", 0, max(classes, 1)))


def CLASS_WEIGHT(r):
    return "None" if r.int(2) == 0 else r.fresh((r.classes,), kind="positive")


def IGNORE_INDEX(r):
    return str(r.choice((-100, 0, 1)))


def LABEL_SMOOTHING(r):
    return r.choice(("0.0", "0.0", "0.1", "1.0"))


def PROBS_TARGET(r):
    """Class probabilities as targets: positive, not normalised (any non-negative
    weights are a valid target for both libraries)."""
    r.classes = _classes_and_target_shape(r)[0]
    return r.fresh(r.a.shape, kind="positive")


def KERNEL(r):
    return str(r.choice((2, 1)))


def APPROX(r):
    return r.choice(("'none'", "'tanh'"))


def DTYPE(r):
    return "m." + r.choice(DTYPES)


def CAT_PART(r):
    """A fresh tensor that concatenates with ``{a}`` along the dim drawn before it."""
    shape = list(r.a.shape) or [1]
    d = r.cat_dim % len(shape) if -len(shape) <= r.cat_dim < len(shape) else 0
    shape[d] = r.choice((1, 0, 2))
    return r.fresh(shape)


def CAT_DIM(r):
    r.cat_dim = _dim(r, r.a)
    return str(r.cat_dim)


def EMPTY_1D(r):
    return r.fresh((0,))


@dataclass(frozen=True)
class Op:
    """One table entry: its name, how many pool tensors it takes, its source template
    and its parameter resolvers (see the module docstring for the flags)."""

    name: str
    arity: int
    template: str
    params: dict = field(default_factory=dict)
    inplace: bool = False
    augmented: bool = False
    value: bool = False
    ties: bool = False

    def render(self, r: Resolver) -> str:
        names = dict(zip("abc", (o.name for o in r.operands)))
        for key, fn in self.params.items():
            names[key] = fn(r)
        return self.template.format(**names)


def op(name, arity, template, inplace=False, augmented=False, value=False, ties=False, **params):
    return Op(name, arity, template, params, inplace, augmented, value, ties)


F = "m.nn.functional"

OPS_LIST = [
    # Arithmetic: tensors with tensors, and with Python scalars on either side.
    op("add", 2, "{a} + {b}"),
    op("sub", 2, "{a} - {b}"),
    op("mul", 2, "{a} * {b}"),
    op("div", 2, "{a} / {b}"),
    op("pow", 2, "{a} ** {b}"),
    op("add_scalar", 1, "{a} + {s}", s=SCALAR),
    op("radd_scalar", 1, "{s} + {a}", s=SCALAR),
    op("sub_scalar", 1, "{a} - {s}", s=SCALAR),
    op("rsub_scalar", 1, "{s} - {a}", s=SCALAR),
    op("mul_scalar", 1, "{a} * {s}", s=SCALAR),
    op("rmul_scalar", 1, "{s} * {a}", s=SCALAR),
    op("div_scalar", 1, "{a} / {s}", s=SCALAR),
    op("rdiv_scalar", 1, "{s} / {a}", s=SCALAR),
    op("pow_scalar", 1, "{a} ** {s}", s=SCALAR),
    op("rpow_scalar", 1, "{s} ** {a}", s=SCALAR),
    op("add_alpha", 2, "m.add({a}, {b}, alpha={s})", s=SCALAR),
    op("neg", 1, "-{a}"),
    # Elementwise math.
    op("abs", 1, "m.abs({a})"),
    op("exp", 1, "{a}.exp()"),
    op("log", 1, "m.log({a})"),
    op("sqrt", 1, "{a}.sqrt()"),
    op("tanh", 1, "m.tanh({a})"),
    op("sigmoid", 1, "m.sigmoid({a})"),
    op("relu", 1, "m.relu({a})"),
    op("sin", 1, "m.sin({a})"),
    op("cos", 1, "{a}.cos()"),
    op("sinh", 1, "m.sinh({a})"),
    op("cosh", 1, "{a}.cosh()"),
    op("maximum", 2, "m.maximum({a}, {b})"),
    op("minimum", 2, "{a}.minimum({b})"),
    op("clamp", 1, "m.clamp({a}, {lo}, {hi})", lo=BOUND, hi=BOUND),
    op("clamp_min_tensor", 2, "{a}.clamp(min={b})"),
    op("clamp_tensors", 3, "m.clamp({a}, {b}, {c})"),
    op("where", 2, "m.where({cond}, {a}, {b})", cond=COND),
    op("where_scalar", 1, "m.where({cond}, {a}, {s})", cond=COND, s=SCALAR),
    op("where_rscalar", 1, "m.where({cond}, {s}, {a})", cond=COND, s=SCALAR),
    op("where_method", 2, "{a}.where({cond}, {b})", cond=COND),
    # Comparisons and logic.
    op("eq", 2, "{a} == {b}"),
    op("ne", 2, "{a} != {b}"),
    op("lt", 2, "{a} < {b}"),
    op("ge", 2, "{a} >= {b}"),
    op("lt_scalar", 1, "{a} < {s}", s=SCALAR),
    op("le_scalar", 1, "{a} <= {s}", s=SCALAR),
    op("gt_scalar", 1, "{a} > {s}", s=SCALAR),
    op("eq_scalar", 1, "{a} == {s}", s=SCALAR),
    op("and", 2, "{a} & {b}"),
    op("or", 2, "{a} | {b}"),
    op("xor", 2, "{a} ^ {b}"),
    op("lshift", 2, "{a} << {b}"),
    op("rshift", 2, "{a} >> {b}"),
    op("gcd", 2, "m.gcd({a}, {b})"),
    op("lcm", 2, "{a}.lcm({b})"),
    op("nextafter", 2, "m.nextafter({a}, {b})"),
    op("ldexp", 2, "m.ldexp({a}, {b})"),
    op("invert", 1, "~{a}"),
    op("logical_and", 2, "m.logical_and({a}, {b})"),
    op("logical_not", 1, "m.logical_not({a})"),
    # Reductions.
    op("sum", 1, "{a}.sum()"),
    op("sum_dim", 1, "{a}.sum(dim={dims}, keepdim={keep})", dims=DIMS, keep=BOOL),
    op("mean", 1, "{a}.mean()"),
    op("mean_dim", 1, "m.mean({a}, {dims}, keepdim={keep})", dims=DIMS, keep=BOOL),
    op("var", 1, "{a}.var()"),
    op("var_dim", 1, "m.var({a}, {dims}, keepdim={keep}, correction={corr})", dims=DIMS, keep=BOOL, corr=CORRECTION),  # noqa: E501
    op("var_unbiased", 1, "{a}.var(unbiased={u})", u=BOOL),
    op("max", 1, "{a}.max()"),
    op("min", 1, "m.min({a})"),
    op("max_dim", 1, "{a}.max(dim={dim}, keepdim={keep}).values", dim=DIM, keep=BOOL),
    op("max_dim_indices", 1, "{a}.max(dim={dim}).indices", dim=DIM),
    op("min_dim", 1, "m.min({a}, {dim}, keepdim={keep}).values", dim=DIM, keep=BOOL),
    op("max_binary", 2, "m.max({a}, {b})"),
    op("argmax", 1, "{a}.argmax()"),
    op("argmax_dim", 1, "m.argmax({a}, dim={dim}, keepdim={keep})", dim=DIM, keep=BOOL),
    op("argmin_dim", 1, "{a}.argmin({dim})", dim=DIM),
    op("all", 1, "{a}.all()"),
    op("any", 1, "m.any({a})"),
    op("all_dim", 1, "m.all({a}, dim={dim}, keepdim={keep})", dim=DIM, keep=BOOL),
    op("any_dim", 1, "{a}.any({dim})", dim=DIM),
    op("norm", 1, "m.norm({a})"),
    op("norm_p", 1, "{a}.norm(p={p}, dim={dims}, keepdim={keep})", p=NORM_P, dims=DIMS, keep=BOOL),
    op("cumsum", 1, "{a}.cumsum({dim})", dim=DIM),
    op("cumsum_fn", 1, "m.cumsum({a}, dim={dim})", dim=DIM),
    op("sort", 1, "m.sort({a}, dim={dim}, descending={desc}).values", dim=DIM, desc=BOOL),
    op("sort_indices", 1, "m.sort({a}, dim={dim}, descending={d}, stable=True).indices", dim=DIM, d=BOOL),  # noqa: E501
    op("sort_unstable_indices", 1, "{a}.sort({dim}).indices", dim=DIM, ties=True),
    op("argsort", 1, "m.argsort({a}, dim={dim}, stable=True)", dim=DIM),
    op("topk", 1, "m.topk({a}, {k}, dim={dim}, largest={l}).values", k=TOPK, dim=DIM, l=BOOL),
    op("topk_indices", 1, "{a}.topk({k}, {dim}).indices", k=TOPK, dim=DIM, ties=True),
    op("softmax", 1, "m.softmax({a}, dim={dim})", dim=DIM),
    op("softmax_method", 1, "{a}.softmax({dim})", dim=DIM),
    op("log_softmax", 1, f"{F}.log_softmax({{a}}, dim={{dim}})", dim=DIM),
    # Losses.
    op("cross_entropy", 1, f"{F}.cross_entropy({{a}}, {{t}}, weight={{w}}, ignore_index={{ii}}, reduction={{red}}, label_smoothing={{ls}})", t=TARGET, w=CLASS_WEIGHT, ii=IGNORE_INDEX, red=REDUCTION, ls=LABEL_SMOOTHING),  # noqa: E501
    op("cross_entropy_probs", 1, f"{F}.cross_entropy({{a}}, {{t}}, weight={{w}}, reduction={{red}}, label_smoothing={{ls}})", t=PROBS_TARGET, w=CLASS_WEIGHT, red=REDUCTION, ls=LABEL_SMOOTHING),  # noqa: E501
    op("nll_loss", 1, f"{F}.nll_loss({{a}}, {{t}}, weight={{w}}, ignore_index={{ii}}, reduction={{red}})", t=TARGET, w=CLASS_WEIGHT, ii=IGNORE_INDEX, red=REDUCTION),  # noqa: E501
    op("mse_loss", 2, f"{F}.mse_loss({{a}}, {{b}}, reduction={{red}})", red=REDUCTION),
    op("mse_loss_fresh", 1, f"{F}.mse_loss({{a}}, {{t}}, reduction={{red}})", t=LIKE_A_NOGRAD, red=REDUCTION),  # noqa: E501
    # Matrix products.
    op("matmul", 1, "{a} @ {w}", w=MATMUL_RIGHT),
    op("rmatmul", 1, "{w} @ {a}", w=MATMUL_LEFT),
    op("matmul_pool", 2, "m.matmul({a}, {b})"),
    op("bmm", 1, "m.bmm({a}, {w})", w=BMM_RIGHT),
    # Shapes and views.
    op("reshape", 1, "{a}.reshape({shape})", shape=SHAPE),
    op("view", 1, "{a}.view({shape})", shape=SHAPE),
    op("transpose", 1, "{a}.transpose({d0}, {d1})", d0=DIM, d1=DIM),
    op("permute", 1, "{a}.permute({perm})", perm=PERM),
    op("T", 1, "{a}.T"),
    op("flatten", 1, "{a}.flatten()"),
    op("flatten_range", 1, "m.flatten({a}, {d0}, {d1})", d0=DIM, d1=DIM),
    op("squeeze", 1, "{a}.squeeze()"),
    op("squeeze_dim", 1, "{a}.squeeze({dim})", dim=DIM),
    op("unsqueeze", 1, "{a}.unsqueeze({dim})", dim=DIM_INSERT),
    op("expand", 1, "{a}.expand({shape})", shape=EXPAND),
    op("expand_as", 2, "{a}.expand_as({b})"),
    op("repeat", 1, "{a}.repeat({reps})", reps=REPEAT),
    op("cat", 2, "m.cat([{a}, {b}], dim={dim})", dim=DIM),
    op("cat_fresh", 1, "m.cat([{a}, {p}], dim={dim})", dim=CAT_DIM, p=CAT_PART),
    op("cat_empty", 1, "m.cat([{e}, {a}])", e=EMPTY_1D),
    op("stack", 1, "m.stack([{a}, {p}], dim={dim})", p=LIKE_A, dim=DIM_INSERT),
    op("pad", 1, f"{F}.pad({{a}}, {{pad}}, value={{s}})", pad=PAD, s=SCALAR),
    op("pad_reflect", 1, f"{F}.pad({{a}}, {{pad}}, mode='reflect')", pad=PAD),
    op("contiguous", 1, "{a}.contiguous()"),
    op("clone", 1, "{a}.clone()"),
    op("detach", 1, "{a}.detach()"),
    op("to_dtype", 1, "{a}.to({dt})", dt=DTYPE),
    op("double", 1, "{a}.double()"),
    op("float", 1, "{a}.float()"),
    op("long", 1, "{a}.long()"),
    op("bool", 1, "{a}.bool()"),
    op("item", 1, "{a}.item()", value=True),
    op("tensor_roundtrip", 1, "m.tensor({a}.tolist(), dtype={a}.dtype)"),
    op("tensor_tolist", 1, "m.tensor({a}.tolist())"),
    # Indexing (reads).
    op("getitem", 1, "{a}[{key}]", key=INDEX),
    op("getitem_mask", 1, "{a}[{mask}]", mask=MASK),
    op("getitem_self_mask", 1, "{a}[{a} > 0]"),
    # nn.functional.
    op("linear", 1, f"{F}.linear({{a}}, {{w}}, {{bias}})", w=LINEAR_WEIGHT, bias=LINEAR_BIAS),
    op("gelu", 1, f"{F}.gelu({{a}}, approximate={{ap}})", ap=APPROX),
    op("silu", 1, f"{F}.silu({{a}})"),
    op("softplus", 1, f"{F}.softplus({{a}}, beta={{beta}})", beta=lambda r: r.choice(("1", "2", "0.5"))),  # noqa: E501
    op("leaky_relu", 1, f"{F}.leaky_relu({{a}}, 0.1)"),
    op("layer_norm", 1, f"{F}.layer_norm({{a}}, {{ns}}, {{w}}, {{b}})", ns=NORMALIZED_SHAPE, w=NORM_AFFINE, b=NORM_AFFINE),  # noqa: E501
    op("group_norm", 1, f"{F}.group_norm({{a}}, {{g}}, {{w}}, {{b}})", g=GROUPS, w=CHANNEL_AFFINE, b=CHANNEL_AFFINE),  # noqa: E501
    op("batch_norm", 1, f"{F}.batch_norm({{a}}, {{rm}}, {{rv}}, {{w}}, {{b}}, training={{tr}})", rm=RUNNING_STAT, rv=RUNNING_STAT, w=CHANNEL_AFFINE, b=CHANNEL_AFFINE, tr=BOOL),  # noqa: E501
    op("max_pool2d", 1, f"{F}.max_pool2d({{a}}, {{k}})", k=KERNEL),
    op("avg_pool2d", 1, f"{F}.avg_pool2d({{a}}, {{k}})", k=KERNEL),
    # In-place updates and writes (through views too: the runner compares every tensor
    # of the program after each step, so a write must reach exactly the same bases).
    op("add_", 2, "{a}.add_({b})", inplace=True),
    op("add_scalar_", 1, "{a}.add_({s})", inplace=True, s=SCALAR),
    op("sub_", 2, "{a}.sub_({b})", inplace=True),
    op("mul_scalar_", 1, "{a}.mul_({s})", inplace=True, s=SCALAR),
    op("div_scalar_", 1, "{a}.div_({s})", inplace=True, s=SCALAR),
    op("zero_", 1, "{a}.zero_()", inplace=True),
    op("fill_", 1, "{a}.fill_({s})", inplace=True, s=SCALAR),
    op("copy_", 2, "{a}.copy_({b})", inplace=True),
    op("copy_scalar_", 1, "{a}.copy_(m.tensor({s}))", inplace=True, s=SCALAR),
    op("clamp_", 1, "{a}.clamp_({lo}, {hi})", inplace=True, lo=BOUND, hi=BOUND),
    op("setitem_scalar", 1, "{a}[{key}] = {s}", inplace=True, key=KEY, s=SCALAR),
    op("setitem_tensor", 1, "{a}[{key}] = {v}", inplace=True, key=KEY, v=ITEM_VALUE),
    op("setitem_pool", 2, "{a}[{key}] = {b}", inplace=True, key=KEY),
    op("setitem_mask", 1, "{a}[{mask}] = {s}", inplace=True, mask=MASK, s=SCALAR),
    op("requires_grad_", 1, "{a}.requires_grad_()", inplace=True),
    op("iadd", 2, "{a} += {b}", augmented=True),
    op("imul_scalar", 1, "{a} *= {s}", augmented=True, s=SCALAR),
]  # fmt: skip

OPS = {o.name: o for o in OPS_LIST}
assert len(OPS) == len(OPS_LIST), "duplicate op names"
