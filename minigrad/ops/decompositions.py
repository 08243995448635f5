"""Matrix decompositions and inverses, each a primitive with its backward written out: the
inverse, the log-determinant, linear solves, the Cholesky factor, the symmetric
eigendecomposition and the singular value decomposition. All work on batches (the last
two dims are the matrices) and compute in the xp module's ``linalg``.

An op with several results (eigenvalues and eigenvectors; U, S and Vh) returns them
*packed*, flattened and concatenated along the last dim, which the caller cuts apart
with views; its backward receives every result's gradient at once, as the formulas
need. The formulas are the standard ones (Giles 2008; Murray 2016 for Cholesky; Townsend
2016 for the SVD), in PyTorch's forms.
"""

from __future__ import annotations

from ..autograd import Function


def _t(a):
    """The matrix transpose over the last two dims."""
    return a.swapaxes(-1, -2)


class Inverse(Function):
    """``Y = A^-1``; backward ``gA = -Y^T gY Y^T``."""

    def forward(self, a):
        out = self.xp.linalg.inv(a)
        self.save(out)
        return out

    def backward(self, grad):
        (inv,) = self.saved
        return -_t(inv) @ grad @ _t(inv)


class LogAbsDet(Function):
    """``log |det A|``; backward ``g A^-T`` (the sign has no gradient)."""

    def forward(self, a):
        _, logabs = self.xp.linalg.slogdet(a)
        self.save(a)
        return logabs

    def backward(self, grad):
        (a,) = self.saved
        return grad[..., None, None] * _t(self.xp.linalg.inv(a))


class Det(Function):
    """``det A``; backward ``g det(A) A^-T``."""

    def forward(self, a):
        det = self.xp.linalg.det(a)
        self.save(a, det)
        return det

    def backward(self, grad):
        a, det = self.saved
        return (grad * det)[..., None, None] * _t(self.xp.linalg.inv(a))


class Solve(Function):
    """``X = A^-1 B`` (``B`` matrices, or vectors when ``vector``); backward
    ``gB = A^-T gX``, ``gA = -gB X^T``."""

    def forward(self, a, b, vector):
        x = self.xp.linalg.solve(a, b[..., None] if vector else b)
        self.vector = vector
        self.save(a, x)
        return x[..., 0] if vector else x

    def backward(self, grad):
        a, x = self.saved
        g = grad[..., None] if self.vector else grad
        gb = self.xp.linalg.solve(_t(a), g)
        ga = -gb @ _t(x)
        return ga, (gb[..., 0] if self.vector else gb)


class Cholesky(Function):
    """The lower factor ``L`` of ``A = L L^T``; backward (Murray 2016)
    ``gA = sym(L^-T Phi(L^T gL) L^-1)``, Phi the lower triangle with half the diagonal."""

    def forward(self, a):
        out = self.xp.linalg.cholesky(a)
        self.save(out)
        return out

    def backward(self, grad):
        (low,) = self.saved
        xp = self.xp
        phi = xp.tril(_t(low) @ grad)
        phi = phi - 0.5 * xp.eye(low.shape[-1], dtype=low.dtype) * phi
        inv = xp.linalg.inv(low)
        ga = _t(inv) @ phi @ inv
        return 0.5 * (ga + _t(ga))


class Qr(Function):
    """The reduced QR decomposition ``A = Q R`` (``Q`` m x k orthonormal columns, ``R``
    k x n upper triangular, k = min(m, n); signs as LAPACK's), packed as
    ``(Q.flatten, R.flatten)``. Backward as PyTorch's (real case), for ``m >= n``:
    ``gA = (gQ + Q sym(M)) R^-T`` with ``M = gR R^T - Q^T gQ`` and ``sym`` the symmetric
    matrix with M's upper triangle. A wide matrix ``[X | Y]`` is ``Q [U | V]`` with
    ``(Q, U)`` the QR of the square ``X`` and ``V = Q^T Y``, so its backward is the square
    one with ``gQ + Y gV^T``, and ``gY = Q gV``. Needs a full-rank leading block."""

    def forward(self, a):
        xp = self.xp
        q, r = xp.linalg.qr(a, mode="reduced")
        self.save(q, r)
        lead = a.shape[:-2]
        return xp.concatenate([q.reshape(*lead, -1), r.reshape(*lead, -1)], axis=-1)

    def backward(self, grad):
        q, r = self.saved
        (m, k), n = q.shape[-2:], r.shape[-1]
        gq = grad[..., : m * k].reshape(*grad.shape[:-1], m, k)
        gr = grad[..., m * k :].reshape(*grad.shape[:-1], k, n)
        if m >= n:
            return self._square_or_tall(q, r, gq, gr)
        u, v, gu, gv = r[..., :m], r[..., m:], gr[..., :m], gr[..., m:]
        gx = self._square_or_tall(q, u, gq + (q @ v) @ _t(gv), gu)
        return self.xp.concatenate([gx, q @ gv], axis=-1)

    def _square_or_tall(self, q, r, gq, gr):
        xp = self.xp
        up = xp.triu(gr @ _t(r) - _t(q) @ gq)
        sym = up + _t(up) - xp.eye(r.shape[-1], dtype=r.dtype) * up  # the diagonal once
        ga = q @ sym + gq
        return _t(xp.linalg.solve(r, _t(ga)))  # ga R^-T


class Eigh(Function):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices (the lower
    triangle is read), packed as ``(w, V.flatten)``; backward
    ``gA = V (diag(gw) + skew(V^T gV) / E) V^T``, ``E_ij = w_j - w_i``."""

    def forward(self, a):
        xp = self.xp
        w, v = xp.linalg.eigh(a)
        self.save(w, v)
        n = a.shape[-1]
        return xp.concatenate([w, v.reshape(*v.shape[:-2], n * n)], axis=-1)

    def backward(self, grad):
        w, v = self.saved
        xp, n = self.xp, w.shape[-1]
        gw, gv = grad[..., :n], grad[..., n:].reshape(*grad.shape[:-1], n, n)
        vgv = _t(v) @ gv
        vgv = 0.5 * (vgv - _t(vgv))
        gaps = w[..., None, :] - w[..., :, None]  # E_ij = w_j - w_i
        eye = xp.eye(n, dtype=bool)
        inner = xp.where(eye, 0, vgv / xp.where(eye, 1, gaps))
        inner = inner + gw[..., :, None] * xp.eye(n, dtype=w.dtype)
        return v @ inner @ _t(v)


class Svd(Function):
    """The reduced SVD ``A = U diag(S) Vh`` (k = min(m, n)), packed as
    ``(U.flatten, S, Vh.flatten)``; backward as PyTorch's (real case):
    ``gA = U [(skew(U^T gU) S + S skew(V^T gV)) / E + diag(gS)] Vh
    + (I - U U^T) gU S^-1 Vh + U S^-1 gVh (I - V V^T)``, ``E_jk = S_k^2 - S_j^2``.
    Valid for distinct, non-zero singular values."""

    def forward(self, a):
        xp = self.xp
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        self.save(u, s, vh)
        lead = a.shape[:-2]
        return xp.concatenate([u.reshape(*lead, -1), s, vh.reshape(*lead, -1)], axis=-1)

    def backward(self, grad):
        u, s, vh = self.saved
        xp = self.xp
        m, k, n = u.shape[-2], s.shape[-1], vh.shape[-1]
        gu = grad[..., : m * k].reshape(*grad.shape[:-1], m, k)
        gs = grad[..., m * k : m * k + k]
        gvh = grad[..., m * k + k :].reshape(*grad.shape[:-1], k, n)
        v, gv = _t(vh), _t(gvh)
        s2 = s * s
        gaps = s2[..., None, :] - s2[..., :, None]  # E_jk = S_k^2 - S_j^2
        eye = xp.eye(k, dtype=bool)
        gaps = xp.where(eye, 1, gaps)
        ugu, vgv = _t(u) @ gu, _t(v) @ gv
        skew_u, skew_v = ugu - _t(ugu), vgv - _t(vgv)
        inner = (skew_u * s[..., None, :] + s[..., :, None] * skew_v) / gaps
        inner = xp.where(eye, 0, inner) + gs[..., :, None] * xp.eye(k, dtype=s.dtype)
        ga = u @ inner @ vh
        inv_s = 1 / s
        if m > k:
            ga = ga + (gu - u @ ugu) * inv_s[..., None, :] @ vh
        if n > k:
            ga = ga + u @ (inv_s[..., :, None] * (gvh - vgv.swapaxes(-1, -2) @ vh))
        return ga
