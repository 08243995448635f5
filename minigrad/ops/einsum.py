"""``einsum``: products and sums named by letters, ``"ij,jk->ik"``.

Each operand's axes get letters; the output keeps the letters after ``->``, and every
other letter is summed over. So ``out[out letters] = sum over the rest of the product of
the operands``, one element each.

**Backward.** The output is linear in each operand, so the gradient of operand ``k`` is
the same kind of sum: the output gradient times every *other* operand, summed over every
letter that ``k`` does not have, which is ``einsum("out,others->k's letters", grad,
*others)``. Two cases need one more step:

* a letter that only operand ``k`` has and the output does not (``"ij->i"``: ``j``) was
  summed away in forward, so every element along it gets the same gradient: the result is
  broadcast along that axis;
* a letter repeated in operand ``k`` (``"ii->i"``, a diagonal) means only the diagonal
  was read, so the gradient goes onto the diagonal of a zero array.

The function in ``functions_einsum.py`` parses the equation (ellipses, the implicit
output) and broadcasts size-1 dims, so here every operand has one plain letter per axis
and every letter one size.
"""

from __future__ import annotations

from ..autograd import Function


class Einsum(Function):
    """``einsum`` over operands whose letters are ``inputs`` (one string each) and whose
    output letters are ``output``."""

    def forward(self, *operands, inputs, output):
        self.inputs, self.output = inputs, output
        self.save(*operands)
        equation = ",".join(inputs) + "->" + output
        return self.xp.einsum(equation, *operands, optimize=len(operands) > 1)

    def backward(self, grad):
        operands = self.saved
        sizes = {
            c: n for letters, a in zip(self.inputs, operands) for c, n in zip(letters, a.shape)
        }
        grads = []
        for k, (letters, a) in enumerate(zip(self.inputs, operands)):
            if not self.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [(s, b) for i, (s, b) in enumerate(zip(self.inputs, operands)) if i != k]
            known = set(self.output).union(*(s for s, _ in others))
            unique = "".join(dict.fromkeys(letters))  # each letter once, in order
            reached = "".join(c for c in unique if c in known)
            equation = ",".join([self.output, *(s for s, _ in others)]) + "->" + reached
            g = self.xp.einsum(equation, grad, *(b for _, b in others), optimize=bool(others))
            if reached != unique:  # letters only this operand has were summed in forward:
                g = g.reshape([sizes[c] if c in known else 1 for c in unique])  # broadcast
                g = self.xp.broadcast_to(g, [sizes[c] for c in unique]).copy()  # along them
            grads.append(g if unique == letters else self._onto_diagonal(g, letters, a))
        return tuple(grads)

    def _onto_diagonal(self, g, letters, a):
        """``g`` (one axis per distinct letter) written onto the diagonal of a zero array
        of ``a``'s shape, the elements that a repeated letter read."""
        out = self.xp.zeros(a.shape, dtype=g.dtype)
        unique = "".join(dict.fromkeys(letters))
        strides = [sum(s for c2, s in zip(letters, out.strides) if c2 == c) for c in unique]
        diagonal = self.xp.lib.stride_tricks.as_strided(out, g.shape, strides)
        diagonal[...] = g
        return out
