"""Drawing from distributions that tensors describe: ``bernoulli`` (a coin per element,
with the element as its probability) and ``multinomial`` (categories drawn by weight, as
when sampling the next token of a language model).

The random numbers come from minigrad's generator on the host (see ``random.py``), as for
``rand``, so a seed gives the same draws on every device; only the uniform draws travel
to the device, where they are compared with the probabilities (no host synchronisation).
The draws are not PyTorch's: the same seed gives other samples than in PyTorch.
"""

from __future__ import annotations

import numpy as np

from . import random as _random
from .backend import quiet, to_host
from .functions import _check_tensor
from .tensor import Tensor


def _uniform(shape, dtype, device, generator, what: str):
    """Uniform [0, 1) draws of ``shape`` from the host generator, as an array on ``device``."""
    source = _random.numpy_generator(generator, what)
    draw = np.float32 if dtype == np.float32 else np.float64
    return device.from_host(source.random(shape, dtype=draw).astype(dtype, copy=False))


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    """Ones with probability ``input`` (elementwise, in [0, 1]), zeros otherwise, in
    ``input``'s dtype; with ``p``, every element has probability ``p`` instead. No
    gradient flows through a draw.

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0)
        >>> minigrad.bernoulli(minigrad.tensor([0.0, 1.0, 0.0, 1.0]))
        tensor([0., 1., 0., 1.])
    """
    _check_tensor(input, "bernoulli")
    if not input.is_floating_point():
        raise RuntimeError(f"bernoulli: expected a floating point tensor, got {input.dtype}")
    probs = input._data if p is None else None
    if p is not None and not 0.0 <= float(p) <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    if probs is not None and probs.size and not bool(((probs >= 0) & (probs <= 1)).all()):
        raise RuntimeError("bernoulli: all elements of input should be between 0 and 1")
    u = _uniform(tuple(input.shape), input.dtype, input.device, generator, "bernoulli")
    drawn = u < (probs if probs is not None else float(p))
    return Tensor._wrap(drawn.astype(input.dtype), input.device)


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator=None
) -> Tensor:
    """Draw ``num_samples`` category indices per row of ``input`` (1-D or 2-D non-negative
    weights, which need not sum to 1): with ``replacement`` each draw is independent;
    without, a category is drawn at most once (and never one of weight 0).

    With replacement a draw is the first category whose running sum of probabilities
    exceeds a uniform draw; without, the categories with the ``num_samples`` largest
    ``log(p) - log(-log(u))`` are taken (the Gumbel-top-k trick, equal in law to drawing
    one at a time and renormalising).

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0)
        >>> weights = minigrad.tensor([0.0, 10.0, 0.0, 1e-9])
        >>> minigrad.multinomial(weights, 1)
        tensor([1])
        >>> sorted(minigrad.multinomial(minigrad.ones(4), 4).tolist())
        [0, 1, 2, 3]
    """
    _check_tensor(input, "multinomial")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got {input.ndim}")
    if not input.is_floating_point():
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype}")  # fmt: skip
    if type(num_samples) is not int or num_samples <= 0:
        raise RuntimeError(f"cannot sample n_sample <= 0 samples, got {num_samples!r}")
    categories = input.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    xp = input.device.xp
    weights = input._data.reshape(-1, categories).astype(np.float64)
    if not bool(xp.isfinite(weights).all()) or bool((weights < 0).any()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = weights.sum(axis=1, keepdims=True)
    if bool((totals <= 0).any()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rows = weights.shape[0]
    if replacement:
        cdf = xp.cumsum(weights / totals, axis=1)
        u = _uniform((rows, num_samples), np.dtype(np.float64), input.device, generator,
                     "multinomial")  # fmt: skip
        picks = (cdf[:, None, :] <= u[:, :, None]).sum(axis=2)
        # a draw beyond the last running sum (rounding) takes the last category drawn
        last = categories - 1 - xp.argmax((weights > 0)[:, ::-1], axis=1)[:, None]
        picks = xp.minimum(picks, last)
    else:
        if bool(((weights > 0).sum(axis=1) < num_samples).any()):
            raise RuntimeError(
                "invalid multinomial distribution (with replacement=False, not enough "
                "non-negative category to sample)"
            )
        u = _uniform((rows, categories), np.dtype(np.float64), input.device, generator,
                     "multinomial")  # fmt: skip
        with quiet(xp):  # log(0) is -inf: a category of weight 0 comes last
            keys = xp.log(weights) - xp.log(-xp.log(xp.maximum(u, 1e-300)))
        picks = xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    picks = picks.astype(np.int64).reshape(*input.shape[:-1], num_samples)
    return Tensor._wrap(picks, input.device)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Draws from Poisson distributions with the rates ``input`` (elementwise, >= 0), in
    ``input``'s dtype. No gradient flows through a draw.

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0)
        >>> minigrad.poisson(minigrad.tensor([0.0, 0.0]))
        tensor([0., 0.])
    """
    _check_tensor(input, "poisson")
    if not input.is_floating_point():
        raise RuntimeError(f"poisson: expected a floating point tensor, got {input.dtype}")
    rates = to_host(input._data)
    if rates.size and not bool((rates >= 0).all()):
        raise RuntimeError("poisson: the rates must be non-negative (and not NaN)")
    drawn = _random.numpy_generator(generator, "poisson").poisson(rates)
    return Tensor._wrap(input.device.from_host(drawn.astype(input.dtype)), input.device)


def standard_gamma(input: Tensor, generator=None) -> Tensor:
    """Draws from Gamma(``input``, 1) distributions (shapes ``input`` > 0, elementwise),
    in ``input``'s dtype: what Gamma, Beta and Dirichlet draws are made of. No gradient.

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0)
        >>> bool((minigrad.sampling.standard_gamma(minigrad.ones(3)) > 0).all())
        True
    """
    _check_tensor(input, "standard_gamma")
    shapes = to_host(input._data)
    if shapes.size and not bool((shapes > 0).all()):
        raise RuntimeError("standard_gamma: the shapes (concentrations) must be positive")
    drawn = _random.numpy_generator(generator, "standard_gamma").standard_gamma(shapes)
    tiny = np.finfo(input.dtype).tiny  # as PyTorch: a draw never rounds to 0
    drawn = np.maximum(drawn.astype(input.dtype), tiny)
    return Tensor._wrap(input.device.from_host(drawn), input.device)
