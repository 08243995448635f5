"""Data types and PyTorch's type-promotion rules.

minigrad's dtypes are NumPy dtype objects, exported under PyTorch's names
(``minigrad.float32``, ``minigrad.long``, ...), so they work anywhere NumPy expects one.

Promotion follows PyTorch, which differs from NumPy in two ways that matter for training:

* A Python float combined with an integer tensor gives the default float type (float32),
  not float64.
* Operands are ranked by *category* (bool < integer < float) and then by *kind of operand*:
  a tensor with dimensions outranks a zero-dimensional tensor, which outranks a Python
  scalar. Within the highest-ranked group that reaches the result's category, the usual
  promotion applies. So ``float32_matrix * float64_scalar_tensor`` stays float32.
"""

from __future__ import annotations

import builtins

import numpy as np

bool = np.dtype(np.bool_)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)

# PyTorch's aliases.
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64

SUPPORTED = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)


class Unsupported:
    """A PyTorch dtype that NumPy and CuPy lack (``bfloat16``): a name a program may
    mention (``torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16``),
    which anything that would make a tensor of it refuses, saying what to use instead.

    Example:
        >>> import minigrad
        >>> minigrad.bfloat16
        minigrad.bfloat16
        >>> minigrad.zeros(2, dtype=minigrad.bfloat16)
        Traceback (most recent call last):
        ...
        TypeError: minigrad has no bfloat16 (NumPy and CuPy have no such type); use ...float16 ...
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"minigrad.{self.name}"


bfloat16 = Unsupported("bfloat16")

# The default float type: of Python floats made into tensors, of new floating tensors and
# parameters, and of an integer tensor combined with a float. float32 unless
# ``set_default_dtype`` says otherwise, as in PyTorch.
_default_float = float32


def get_default_dtype() -> np.dtype:
    """The default floating-point dtype (float32 unless :func:`set_default_dtype` changed
    it), as ``torch.get_default_dtype``.

    Example:
        >>> import minigrad
        >>> minigrad.get_default_dtype()
        dtype('float32')
    """
    return _default_float


def set_default_dtype(d) -> None:
    """Make ``d`` (float16, float32 or float64) the default floating-point dtype: that of
    ``tensor([1.5])``, ``zeros(3)``, ``randn(2)``, new layers' parameters, and ``int_tensor
    * 0.5``, as ``torch.set_default_dtype``. Tensors made before keep their dtype.

    Example:
        >>> import minigrad
        >>> minigrad.set_default_dtype(minigrad.float64)
        >>> minigrad.tensor([1.5]).dtype, minigrad.nn.Linear(2, 1).weight.dtype
        (dtype('float64'), dtype('float64'))
        >>> minigrad.set_default_dtype(minigrad.float32)
    """
    global _default_float
    dtype = to_dtype(d)
    if dtype.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {dtype}")
    _default_float = dtype


# ``dtype=float`` means float64, as in PyTorch (the *default* float type is float32).
_PYTHON_TYPES = {builtins.float: float64, builtins.int: int64, builtins.bool: bool}


def to_dtype(spec) -> np.dtype:
    """Turn a dtype spelling (``minigrad.float32``, ``np.float32``, ``"float32"``, ``float``)
    into one of the supported dtypes, or raise a TypeError that lists them."""
    if isinstance(spec, np.dtype) and spec in SUPPORTED:
        return spec
    if isinstance(spec, Unsupported) or spec == "bfloat16":
        raise TypeError(
            "minigrad has no bfloat16 (NumPy and CuPy have no such type); use minigrad.float16 "
            "or minigrad.float32"
        )
    dtype = _PYTHON_TYPES.get(spec)
    if dtype is None:
        try:
            dtype = np.dtype(spec)
        except TypeError:
            dtype = None
    # ``is None`` first: ``np.dtype("float64") == None`` is True, so ``None in SUPPORTED`` is
    if spec is None or dtype is None or dtype not in SUPPORTED:
        names = ", ".join(d.name for d in SUPPORTED)
        raise TypeError(
            f"unsupported dtype {spec!r}; minigrad supports {names} (spelled "
            f"minigrad.float32, np.float32 or 'float32')"
        )
    return dtype


def wrap_int(value, dtype: np.dtype):
    """A Python int outside an integer ``dtype``'s range, wrapped into it as PyTorch does
    (``uint8 + 300`` adds 44); any other value unchanged. (NumPy raises OverflowError.)"""
    if type(value) is not builtins.int or dtype.kind not in "iu":
        return value
    info = np.iinfo(dtype)
    if info.min <= value <= info.max:
        return value
    return builtins.int(np.array(value % 2**64, dtype=np.uint64).astype(dtype))


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def accumulation(dtype: np.dtype) -> np.dtype:
    """The dtype that a sum over many elements of ``dtype`` runs in: float32 for float16,
    as in PyTorch's kernels, and ``dtype`` itself otherwise. float16 holds at most 65504
    and about three decimal digits, so a sum of squares overflows to inf and a running sum
    drifts; the result is rounded to float16 once, at the end."""
    return float32 if dtype == float16 else dtype


def can_cast(source: np.dtype, target: np.dtype) -> bool:
    """Whether PyTorch writes a result of dtype ``source`` into a tensor of dtype ``target``
    (in-place ops): anything but a float into an integer or bool tensor, or a number into
    a bool one. Integers narrow freely (``uint8.clamp_(min=int8_tensor)`` runs)."""
    if is_floating(source) and not is_floating(target):
        return False
    return not (target == bool and source != bool)


def _category(dtype: np.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floats."""
    return 2 if dtype.kind == "f" else 0 if dtype.kind == "b" else 1


# The dtype a Python number brings to an operation (a float: the default float type).
_SCALAR_DTYPE = {builtins.bool: bool, builtins.int: int64, builtins.float: None}


def result_type(*operands) -> np.dtype:
    """The dtype PyTorch gives an op on ``operands``, each a Tensor or a Python number.

    Operands come in three tiers: tensors with dimensions, 0-d tensors, numbers. Within a
    tier the dtypes promote (:func:`promote_types`); a lower tier counts only when it brings
    a higher category (bool < integer < float). So an int64 tensor + 2.5 is float32 (the
    default float), a float32 tensor + a 0-d float64 tensor stays float32, and a uint8
    tensor + 300 stays uint8.
    """
    tiers: dict[builtins.int, np.dtype] = {}
    for x in operands:
        dtype, rank = _operand(x)
        tiers[rank] = promote_types(tiers[rank], dtype) if rank in tiers else dtype
    result = None
    for rank in (2, 1, 0):  # the highest tier first
        dtype = tiers.get(rank)
        if dtype is not None and (result is None or _category(dtype) > _category(result)):
            result = dtype if result is None else promote_types(result, dtype)
    return result


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """The dtype of an op on two tensors (with dimensions) of dtypes ``a`` and ``b``:
    the higher category wins (int64 with float32 gives float32), else NumPy's promotion."""
    if a == b:
        return a
    a_cat, b_cat = _category(a), _category(b)
    if a_cat != b_cat:
        return a if a_cat > b_cat else b
    return np.promote_types(a, b)


def _operand(x) -> tuple[np.dtype, builtins.int]:
    """(dtype, rank): rank 2 for a tensor with dims, 1 for a 0-d tensor, 0 for a scalar.
    A NumPy scalar (``np.float64(1.5)``) counts as the Python number it holds, as in
    PyTorch."""
    if isinstance(x, np.generic):
        x = x.item()
    if type(x) in _SCALAR_DTYPE:
        return _SCALAR_DTYPE[type(x)] or _default_float, 0
    return x.dtype, 2 if x.ndim else 1


def finfo(dtype=None):
    """The limits of a floating-point dtype (default float32), as ``torch.finfo``:
    ``eps``, ``max``, ``min``, ``tiny`` (the smallest normal number), ``resolution``,
    ``bits``.

    Example:
        >>> import minigrad
        >>> minigrad.finfo(minigrad.float32).eps
        np.float32(1.1920929e-07)
        >>> minigrad.finfo(minigrad.float16).bits
        16
    """
    dtype = _default_float if dtype is None else to_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"finfo: expected a floating point dtype, got {dtype}")
    return np.finfo(dtype)


def iinfo(dtype):
    """The limits of an integer dtype (``min``, ``max``, ``bits``), as ``torch.iinfo``.

    Example:
        >>> import minigrad
        >>> minigrad.iinfo(minigrad.uint8).max
        255
    """
    dtype = to_dtype(dtype)
    if dtype.kind not in "iu":
        raise TypeError(f"iinfo: expected an integer dtype, got {dtype}")
    return np.iinfo(dtype)
