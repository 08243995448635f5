"""``minigrad.einsum``: the equation read as PyTorch reads it, then one primitive.

The parser turns an equation such as ``"b...ij,...jk"`` into plain letters, one per axis
of each operand: an ellipsis becomes letters that no operand uses, aligned on the right
(an operand with fewer dims under its ellipsis gets fewer of them); without ``->`` the
output is the ellipsis dims, then the letters that appear exactly once, in ASCII order
(capitals first). Dims of size 1 broadcast against the others' sizes for the same letter,
by ``expand``, so that the primitive (``ops/einsum.py``) sees one size per letter and the
engine sums the broadcast gradient back.
"""

from __future__ import annotations

import string

from . import autocast_mode
from .functions import _check_tensor
from .ops.einsum import Einsum
from .tensor import Tensor

LETTERS = string.ascii_letters


@autocast_mode.casts(cpu="lower", cuda="lower")
def einsum(equation: str, *operands) -> Tensor:
    """Sum products of the operands' elements, with each axis named by a letter: the
    letters after ``->`` are kept (in that order), all others are summed over.

    ``"ij,jk->ik"`` is a matrix product, ``"bij,bjk->bik"`` a batched one, ``"ii->i"``
    the diagonal, ``"ij->ji"`` a transpose, ``"i,i->"`` a dot product. ``...`` stands for
    any number of leading (or, where written, other) dims, and broadcasts. Without
    ``->`` the output is the ellipsis dims and then every letter used once, sorted. The
    operands may also be passed as one list, as in PyTorch.

    Example:
        >>> import minigrad
        >>> a = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> minigrad.einsum("ij,jk->ik", a, a)
        tensor([[ 7., 10.],
                [15., 22.]])
        >>> minigrad.einsum("ii", a)  # the trace
        tensor(5.)
        >>> minigrad.einsum("bi,bi->b", a, a)  # a dot product per row
        tensor([ 5., 25.])
    """
    if not isinstance(equation, str):
        raise TypeError(
            f"einsum(): the equation must be a str (the sublist format is not supported), "
            f"got {type(equation).__name__}"
        )
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at "
            "least one operand and its subscripts list"
        )
    for x in operands:
        _check_tensor(x, "einsum")
    dtypes = {x.dtype for x in operands}
    if len(dtypes) > 1:
        first = operands[0].dtype
        other = next(x.dtype for x in operands if x.dtype != first)
        raise RuntimeError(
            f"einsum(): expected operands of one dtype, got {first} and {other}: convert "
            "them first (for example with .to(dtype))"
        )
    inputs, output = parse(equation.replace(" ", ""), [x.ndim for x in operands])
    sizes = _letter_sizes(inputs, operands)
    operands = [
        x if all(x.shape[i] == sizes[c] for i, c in enumerate(letters))
        else x.expand(tuple(sizes[c] for c in letters))
        for letters, x in zip(inputs, operands)
    ]  # fmt: skip
    return Einsum.apply(*operands, inputs=tuple(inputs), output=output)


def parse(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """The letters of each operand, one per axis, and the output's letters."""
    left, arrow, right = equation.partition("->")
    terms = left.split(",")
    if len(terms) < len(ndims):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if len(terms) > len(ndims):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    allowed = [c in LETTERS or c == "." for c in equation]
    for position in (len(left), len(left) + 1) if arrow else ():  # the "->" itself
        allowed[position] = True
    for position, c in enumerate(left):
        allowed[position] = allowed[position] or c == ","
    for position, ok in enumerate(allowed):
        if not ok:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {position} in the equation "
                "string, subscripts must be in [a-zA-Z]"
            )
    unused = iter(c for c in reversed(LETTERS) if c not in equation)
    ellipsis_dims = max(
        (n - len(t.replace("...", "")) for t, n in zip(terms, ndims) if "..." in t), default=0
    )
    spread = "".join(next(unused) for _ in range(ellipsis_dims))  # the ellipsis's letters
    inputs = [_spell_out(term, n, spread, k) for k, (term, n) in enumerate(zip(terms, ndims))]
    if arrow:
        if right.replace("...", "").count(".") or right.count("...") > 1:
            raise RuntimeError("einsum(): found '.' for output but it is not part of any ellipsis")
        output = right.replace("...", spread)
        for c in output:
            if output.count(c) > 1:
                raise RuntimeError(
                    f"einsum(): output subscript {c} appears more than once in the output"
                )
            if not any(c in letters for letters in inputs):
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any "
                    "input operand"
                )
    else:
        counts = "".join(t.replace("...", "") for t in terms)
        output = spread + "".join(sorted(c for c in set(counts) if counts.count(c) == 1))
    return inputs, output


def _spell_out(term: str, ndim: int, spread: str, k: int) -> str:
    """One operand's letters, its ellipsis replaced by the last of ``spread``'s letters."""
    if term.replace("...", "").count(".") or term.count("...") > 1:
        raise RuntimeError(f"einsum(): found '.' for operand {k} that is not part of any ellipsis")
    named = len(term.replace("...", ""))
    if "..." in term:
        if named > ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) is more than "
                f"the number of dimensions ({ndim}) for operand {k}"
            )
        covered = ndim - named
        return term.replace("...", spread[len(spread) - covered :] if covered else "")
    if named != ndim:
        raise RuntimeError(
            f"einsum(): the number of subscripts in the equation ({named}) does not match "
            f"the number of dimensions ({ndim}) for operand {k} and no ellipsis was given"
        )
    return term


def _letter_sizes(inputs: list[str], operands) -> dict[str, int]:
    """Each letter's size: equal wherever it appears, but for sizes of 1 (which broadcast)
    and for a letter repeated within one operand (a diagonal), which must match exactly."""
    sizes: dict[str, int] = {}
    for k, (letters, x) in enumerate(zip(inputs, operands)):
        own: dict[str, int] = {}
        for c, n in zip(letters, x.shape):
            if c in own and own[c] != n:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't "
                    f"match, {n} != {own[c]}"
                )
            own[c] = n
            seen = sizes.get(c, 1)
            if n != 1 and seen != 1 and n != seen:
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {k} which does not "
                    f"broadcast with previously seen size {seen}"
                )
            if n != 1 or c not in sizes:
                sizes[c] = n
    return sizes
