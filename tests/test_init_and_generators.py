"""``generator=`` wherever PyTorch takes one, and ``nn.init``'s truncated normal,
orthogonal, sparse, identity and Dirac initialisations.

The draws are minigrad's (NumPy's), not PyTorch's, so these are checked by their laws and
their exact properties (bounds, orthogonality, zero counts), not against golden values.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.nn import init


def seeded(seed=3):
    return minigrad.Generator().manual_seed(seed)


# Every function and method that draws, called with a generator.
DRAWS = {
    "rand": lambda g: minigrad.rand(2, 3, generator=g),
    "randn": lambda g: minigrad.randn((2, 3), generator=g, dtype=minigrad.float64),
    "randint": lambda g: minigrad.randint(0, 100, (5,), generator=g),
    "randint_high": lambda g: minigrad.randint(7, size=(5,), generator=g),
    "rand_like": lambda g: minigrad.rand_like(minigrad.zeros(4), generator=g),
    "randn_like": lambda g: minigrad.randn_like(minigrad.zeros(4), generator=g),
    "randint_like": lambda g: minigrad.randint_like(minigrad.zeros(4), 3, 9, generator=g),
    "randperm": lambda g: minigrad.randperm(6, generator=g),
    "normal": lambda g: minigrad.normal(0.0, 1.0, size=(3,), generator=g),
    "uniform_": lambda g: minigrad.empty(4).uniform_(-1, 1, generator=g),
    "normal_": lambda g: minigrad.empty(4).normal_(2, 3, generator=g),
    "exponential_": lambda g: minigrad.empty(4).exponential_(2.0, generator=g),
    "cauchy_": lambda g: minigrad.empty(4).cauchy_(generator=g),
    "log_normal_": lambda g: minigrad.empty(4).log_normal_(generator=g),
    "geometric_": lambda g: minigrad.empty(4).geometric_(0.3, generator=g),
    "random_": lambda g: minigrad.empty(4, dtype=minigrad.int64).random_(10, generator=g),
    "bernoulli_": lambda g: minigrad.empty(8).bernoulli_(0.5, generator=g),
    "init.uniform_": lambda g: init.uniform_(minigrad.empty(4), generator=g),
    "init.normal_": lambda g: init.normal_(minigrad.empty(4), 0.0, 1.0, g),
    "init.kaiming_uniform_": lambda g: init.kaiming_uniform_(minigrad.empty(3, 4), generator=g),
    "init.kaiming_normal_": lambda g: init.kaiming_normal_(minigrad.empty(3, 4), generator=g),
    "init.xavier_uniform_": lambda g: init.xavier_uniform_(minigrad.empty(3, 4), generator=g),
    "init.xavier_normal_": lambda g: init.xavier_normal_(minigrad.empty(3, 4), 1.0, g),
    "init.trunc_normal_": lambda g: init.trunc_normal_(minigrad.empty(9), generator=g),
    "init.orthogonal_": lambda g: init.orthogonal_(minigrad.empty(3, 4), generator=g),
    "init.sparse_": lambda g: init.sparse_(minigrad.empty(5, 3), 0.4, generator=g),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_a_generator_gives_the_same_draws_and_leaves_the_global_stream_alone(name):
    draw = DRAWS[name]
    minigrad.manual_seed(0)
    first = draw(seeded()).numpy()
    after = minigrad.rand(3).numpy()  # the global stream did not move for the draw
    minigrad.manual_seed(0)
    np.testing.assert_array_equal(minigrad.rand(3).numpy(), after)
    np.testing.assert_array_equal(draw(seeded()).numpy(), first)
    assert not np.array_equal(draw(seeded(4)).numpy(), first)


@pytest.mark.parametrize("name", ["randn", "uniform_", "init.trunc_normal_"])
def test_a_generator_must_be_a_generator(name):
    with pytest.raises(TypeError, match=r"generator must be None .*got int"):
        DRAWS[name](7)


# ----------------------------------------------------------------------------------------
# trunc_normal_
# ----------------------------------------------------------------------------------------


def _truncated_moments(mean, std, a, b):
    def pdf(x):
        return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    def cdf(x):
        return (1 + math.erf(x / math.sqrt(2))) / 2

    alpha, beta = (a - mean) / std, (b - mean) / std
    z = cdf(beta) - cdf(alpha)
    m = (pdf(alpha) - pdf(beta)) / z
    var = std**2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - m**2)
    return mean + std * m, var


@pytest.mark.parametrize(
    ("mean", "std", "a", "b"),
    [
        (0.0, 1.0, -2.0, 2.0),  # PyTorch's default: normal draws, redrawn outside
        (0.0, 0.02, -0.04, 0.04),  # the Vision Transformer's
        (0.0, 1.0, 2.0, 3.0),  # a tail holding 2% of the mass: uniform proposals
        (1.0, 0.5, -1.0, 0.5),  # the mean outside the interval
    ],
)
def test_trunc_normal_follows_the_truncated_law(mean, std, a, b, device):
    w = init.trunc_normal_(
        minigrad.empty(200_000, dtype=minigrad.float64, device=device), mean, std, a, b, seeded()
    )
    values = w.cpu().numpy()
    assert values.min() >= a and values.max() <= b
    want_mean, want_var = _truncated_moments(mean, std, a, b)
    # 200,000 draws: the standard error of the mean is under 0.3% of the std
    assert abs(values.mean() - want_mean) < 0.01 * std
    assert abs(values.var() / want_var - 1) < 0.02


def test_trunc_normal_in_float32_stays_in_bounds():
    w = init.trunc_normal_(minigrad.empty(10_000), 0.0, 1.0, 0.1, 0.3, seeded())
    assert w.dtype == minigrad.float32
    assert float(w.min()) >= np.float32(0.1) and float(w.max()) <= np.float32(0.3)


def test_trunc_normal_warns_and_refuses_as_it_should():
    with pytest.warns(UserWarning, match="mean is more than 2 std from") as record:
        init.trunc_normal_(minigrad.empty(3), mean=5.0, std=1.0, a=-1.0, b=1.0)
    assert record[0].filename == __file__  # points at the caller
    with pytest.raises(ValueError, match="std must be positive, got 0"):
        init.trunc_normal_(minigrad.empty(3), std=0)
    with pytest.raises(ValueError, match=r"the interval \[a, b\] = \[1.0, -1.0\] is empty"):
        init.trunc_normal_(minigrad.empty(3), a=1.0, b=-1.0)


# ----------------------------------------------------------------------------------------
# orthogonal_, sparse_, eye_, dirac_
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (6, 2, 3), (1, 5)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape, device):
    w = init.orthogonal_(minigrad.empty(shape, device=device), gain=1.5, generator=seeded())
    flat = w.cpu().numpy().reshape(shape[0], -1).astype(np.float64)
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, 2.25 * np.eye(len(gram)), atol=1e-5)


def test_orthogonal_is_not_always_the_same_matrix_and_skips_empty():
    a = init.orthogonal_(minigrad.empty(3, 3), generator=seeded(1)).numpy()
    b = init.orthogonal_(minigrad.empty(3, 3), generator=seeded(2)).numpy()
    assert not np.allclose(np.abs(a), np.abs(b))
    assert init.orthogonal_(minigrad.empty(0, 3)).shape == (0, 3)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions"):
        init.orthogonal_(minigrad.empty(3))


def test_sparse_zeros_a_fraction_of_each_column():
    w = init.sparse_(minigrad.empty(10, 4), sparsity=0.25, std=2.0, generator=seeded())
    values = w.numpy()
    assert ((values == 0).sum(axis=0) == math.ceil(0.25 * 10)).all()
    assert np.std(values[values != 0]) > 0.5  # the others are N(0, 2**2) draws
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.sparse_(minigrad.empty(2, 2, 2), 0.5)
    with pytest.raises(ValueError, match=r"sparsity is a fraction in \[0, 1\], got 1.5"):
        init.sparse_(minigrad.empty(2, 2), 1.5)


def test_eye_and_dirac_make_identity_layers():
    x = minigrad.randn(2, 3, generator=seeded())
    linear = minigrad.nn.Linear(3, 3, bias=False)
    init.eye_(linear.weight)
    np.testing.assert_array_equal(linear(x).detach().numpy(), x.numpy())
    assert linear.weight.requires_grad and linear.weight.grad_fn is None
    conv = minigrad.nn.Conv2d(2, 4, 3, padding=1, bias=False)
    init.dirac_(conv.weight, groups=1)
    image = minigrad.randn(1, 2, 5, 5, generator=seeded())
    out = conv(image).detach().numpy()
    np.testing.assert_array_equal(out[:, :2], image.numpy())  # channels passed through
    np.testing.assert_array_equal(out[:, 2:], 0.0)  # no input channel left for these
    grouped = init.dirac_(minigrad.empty(4, 1, 3), groups=2).numpy()
    np.testing.assert_array_equal(grouped[:, 0, 1], [1, 0, 1, 0])
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions"):
        init.dirac_(minigrad.empty(2, 2))
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        init.dirac_(minigrad.empty(3, 1, 3), groups=2)
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(minigrad.empty(2, 2, 2))


@pytest.mark.parametrize(
    "old", ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
            "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"],
)  # fmt: skip
def test_the_old_names_warn_and_work(old):
    args = {"constant": (0.5,), "sparse": (0.5,)}.get(old, ())
    shape = (2, 2, 3) if old == "dirac" else (2, 3)
    with pytest.warns(FutureWarning, match=f"`nn.init.{old}` is now deprecated in favor of"):
        w = getattr(init, old)(minigrad.zeros(shape), *args)
    assert w.shape == shape and getattr(init, old).__name__ == old
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        minigrad.manual_seed(0)
        a = getattr(init, old)(minigrad.zeros(shape), *args).numpy()
    minigrad.manual_seed(0)
    np.testing.assert_array_equal(a, getattr(init, old + "_")(minigrad.zeros(shape), *args).numpy())
