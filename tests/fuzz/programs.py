"""Programs, and the hypothesis strategy that draws them.

A :class:`Program` is plain data: input tensors (shape, dtype, values, ``requires_grad``),
a chain of 1-6 :class:`Step` s (an op name from the table in ``ops.py``, which earlier
tensors it takes, and raw integers and floats that its parameters are resolved from), and
the upstream gradient's values and how backward is called. It holds no tensors, so the same
program runs in any library, prints as source, and hypothesis can shrink it: smaller
shapes, fewer steps, ops earlier in the table, raw choices towards 0, values towards 0.

The shapes of a program's inputs come from one *broadcast family*: a base shape of 0-4
dimensions (sizes 1-4, and 0 now and then: empty tensors), of which each input takes a
suffix with some sizes replaced by 1, so that most pairs broadcast. Values come from a
small palette (0, ±1, ±2, 0.5, ...) and multiples of 1/8 in [-3, 3], and, in one program
in four, NaN and ±inf too; integer inputs include their dtype's extreme values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from .ops import DTYPES, INF, INT_RANGES, NAN, OPS_LIST, cast, tensor_source

MAX_STEPS = 6
RAW_WIDTH = 12  # raw integers per step, consumed by its parameter resolvers
VALUES_WIDTH = 6  # floats per step, cycled to fill its fresh tensors
MAX_NUMEL = 48


@dataclass(frozen=True)
class InputSpec:
    name: str
    shape: tuple
    dtype: str
    requires_grad: bool
    values: tuple  # flat, row-major, already of the dtype's kind

    def source(self) -> str:
        return f"{self.name} = {tensor_source(self.shape, self.dtype, self.values, self.requires_grad)}"  # noqa: E501


@dataclass(frozen=True)
class Step:
    op: str
    operands: tuple  # picks: 0 is the newest tensor of the program, 1 the one before, ...
    raw: tuple
    values: tuple
    no_grad: int  # in-place steps run under no_grad() unless this is 4 (one in five)


@dataclass(frozen=True)
class Program:
    inputs: tuple
    steps: tuple
    grad_values: tuple
    grad_mode: str  # "backward" or "autograd.grad"

    def describe(self) -> str:
        return " -> ".join(s.op for s in self.steps)


# Values are drawn as bytes (one draw per tensor, cheap for hypothesis, and shrinking
# makes them 0) and decoded: small numbers first, then multiples of 1/8 in [-3, 3] (exact
# in float32 and float64 alike, so that an input means the same in both dtypes and prints
# short; ``tensor_roundtrip`` checks other floats), and, in a program with ``special``
# values, NaN and ±inf for one byte in eight.
PALETTE = (0.0, 1.0, -1.0, 2.0, 0.5, -2.0, 3.0, -0.5)
SPECIALS = (NAN, INF, -INF)


def decode_float(byte: int, special: bool) -> float:
    """
    >>> [decode_float(b, False) for b in (0, 1, 64, 112)]
    [0.0, 1.0, -1.125, -1.25]
    >>> decode_float(255, True), decode_float(255, False)
    (nan, -1.75)
    """
    if special and byte >= 224:
        return SPECIALS[byte % 3]
    if byte < 64:
        return PALETTE[byte % len(PALETTE)]
    return (byte % 49 - 24) / 8


def decode_int(byte: int, dtype: str) -> int:
    lo, hi = INT_RANGES[dtype]
    if byte < 200:
        return min(max(byte % 9 - 3, lo), hi)
    extremes = sorted({lo, hi, max(lo, -128), min(hi, 127), min(hi, 200)})
    return extremes[byte % len(extremes)]


def decode(raw: bytes, dtype: str, special: bool) -> tuple:
    if dtype == "bool":
        return tuple(bool(b % 2) for b in raw)
    if dtype in INT_RANGES:
        return tuple(decode_int(b, dtype) for b in raw)
    return tuple(cast(decode_float(b, special), dtype) for b in raw)


NDIMS = (1, 2, 0, 3, 4)
SIZES = (2, 3, 1, 4, 0, 2, 3)
INPUT_DTYPES = ("float64", "float64", "float64", "float32", *DTYPES[2:])
STEP_WIDTH = 2 + 3 + RAW_WIDTH + VALUES_WIDTH + 1


def decode_base(raw: bytes) -> tuple:
    """The broadcast family's base shape, from 5 bytes (at most MAX_NUMEL elements)."""
    shape = [SIZES[b % len(SIZES)] for b in raw[1 : 1 + NDIMS[raw[0] % len(NDIMS)]]]
    while math.prod(shape) > MAX_NUMEL:
        shape[shape.index(max(shape))] -= 1
    return tuple(shape)


def decode_input_header(raw: bytes, index: int, base: tuple) -> tuple:
    """(shape, dtype, requires_grad) of an input, from 7 bytes: how long a suffix of the
    base shape it takes, which sizes become 1, its dtype and its flag."""
    keep = raw[0] % (len(base) + 1)
    suffix = base[len(base) - keep :] if keep else ()
    shape = tuple(1 if raw[3 + i % 4] % 4 == 3 else s for i, s in enumerate(suffix))
    if index == 0:
        shape = base  # the first input has the full shape
    dtype = INPUT_DTYPES[raw[1] % len(INPUT_DTYPES)]
    requires_grad = dtype.startswith("float") and raw[2] % 4 != 3
    return shape, dtype, requires_grad


def decode_step(raw: bytes, special: bool) -> Step:
    """A step from STEP_WIDTH bytes: op (2 bytes), operand picks (3), the raw integers its
    parameters use, the values of its fresh tensors, and its no_grad choice."""
    name = OPS_LIST[(raw[0] * 256 + raw[1]) % len(OPS_LIST)].name
    i = 5 + RAW_WIDTH
    values = decode(raw[i : i + VALUES_WIDTH], "float64", special)
    return Step(name, tuple(raw[2:5]), tuple(raw[5:i]), values, raw[-1] % 5)


def _fixed(n: int):
    return st.binary(min_size=n, max_size=n)


@st.composite
def programs(draw):
    """The strategy: a random :class:`Program` (deterministic for a hypothesis seed).

    Few, coarse draws (hypothesis's cost is per draw), decoded here. Inputs and steps are
    lists, which hypothesis shrinks by deleting elements anywhere; bytes shrink to 0, the
    first choice.
    """
    special = draw(st.integers(0, 3)) == 3
    base = decode_base(draw(_fixed(5)))
    headers = draw(st.lists(_fixed(7), min_size=1, max_size=3))
    ins = []
    for i, header in enumerate(headers):
        shape, dtype, requires_grad = decode_input_header(header, i, base)
        values = decode(draw(_fixed(math.prod(shape))), dtype, special)
        ins.append(InputSpec(f"x{i}", shape, dtype, requires_grad, values))
    chain = draw(st.lists(_fixed(STEP_WIDTH), min_size=1, max_size=MAX_STEPS))
    tail = draw(_fixed(9))
    grad_mode = ("backward", "backward", "autograd.grad")[tail[0] % 3]
    return Program(
        tuple(ins),
        tuple(decode_step(raw, special) for raw in chain),
        decode(tail[1:], "float64", special),
        grad_mode,
    )
