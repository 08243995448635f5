"""``scatter``, ``scatter_add``, ``index_add`` (and their in-place forms), ``nonzero``,
``argwhere``, ``unique``, ``bernoulli`` and ``multinomial`` beyond the golden cases:
gradchecks, repeated indices, the in-place rules, determinism under a seed, the sampling
laws (checked against their exact probabilities), and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad


def _t(data, device, **kw):
    return minigrad.tensor(data, device=device, **kw)


def test_writes_at_indices_pass_gradcheck(device, rng):
    a = _t(rng.standard_normal((3, 4)), device, requires_grad=True)
    s = _t(rng.standard_normal((2, 4)), device, requires_grad=True)
    rows = _t([[0, 2, 1, 0], [2, 2, 0, 1]], device)
    assert minigrad.gradcheck(
        lambda x, y: (
            minigrad.scatter(x, 0, rows[:1], y[:1]),
            minigrad.scatter_add(x, 0, rows, y),
            minigrad.index_add(x, 0, _t([2, 2], device), y, alpha=-1.5),
            x.scatter(1, _t([[3], [0], [1]], device), 2.0),
        ),
        (a, s),
    )


def test_scatter_gradients_follow_the_writes(device):
    a = minigrad.ones(2, 3, device=device, requires_grad=True)
    src = _t([[10.0, 20.0, 30.0]], device, requires_grad=True)
    out = minigrad.scatter(a, 0, _t([[1, 0, 1]], device), src)
    assert out.tolist() == [[1.0, 20.0, 1.0], [10.0, 1.0, 30.0]]
    (out * _t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device)).sum().backward()
    assert a.grad.tolist() == [[1.0, 0.0, 3.0], [0.0, 5.0, 0.0]]  # overwritten: none
    assert src.grad.tolist() == [[4.0, 2.0, 6.0]]  # where each went


def test_repeated_indices_add_up(device):
    counts = minigrad.zeros(4, device=device).scatter_add(
        0, _t([1, 3, 1, 1], device), minigrad.ones(4, device=device)
    )
    assert counts.tolist() == [0.0, 3.0, 0.0, 1.0]
    ints = minigrad.zeros(3, dtype=minigrad.int64, device=device)
    ints.scatter_add_(0, _t([2, 2, 0], device), _t([5, 6, 7], device))
    assert ints.tolist() == [7, 0, 11] and ints.dtype == minigrad.int64
    x = minigrad.zeros(2, 2, device=device)
    x.index_add_(1, _t([0, 0, 1], device), _t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device))
    assert x.tolist() == [[3.0, 3.0], [9.0, 6.0]]


def test_in_place_forms_bump_the_version_and_refuse_leaves(device):
    x = minigrad.zeros(2, 3, device=device)
    version = x._version.value
    assert x.scatter_(1, _t([[2], [0]], device), 1.0) is x
    assert x.tolist() == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]] and x._version.value > version
    leaf = minigrad.zeros(3, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf.scatter_(0, _t([0], device), 1.0)
    with minigrad.no_grad():
        leaf.index_add_(0, _t([1], device), minigrad.ones(1, device=device))
    assert leaf.tolist() == [0.0, 1.0, 0.0]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda z: minigrad.scatter(z, 0, minigrad.tensor([[5]]), 1.0), RuntimeError,
         "index 5 is out of bounds for dimension 0 with size 3"),
        (lambda z: minigrad.scatter(z, 0, minigrad.tensor([[-1]]), 1.0), RuntimeError,
         "index -1 is out of bounds"),
        (lambda z: minigrad.scatter(z, 0, minigrad.tensor([0]), 1.0), RuntimeError,
         "same number of dimensions as self"),
        (lambda z: minigrad.scatter(z, 0, minigrad.tensor([[0.0]]), 1.0), RuntimeError,
         "Expected dtype int64 for index"),
        (lambda z: minigrad.scatter(z, 0, minigrad.zeros(2, 5).long(), minigrad.ones(2, 3)),
         RuntimeError, r"Expected index \[2, 5\] to be no larger than self \[3, 4\]"),
        (lambda z: minigrad.scatter(z, 0, minigrad.zeros(1, 1).long(), minigrad.ones(1).double()),
         RuntimeError, "Expected self.dtype to be equal to src.dtype"),
        (lambda z: minigrad.scatter_add(z, 0, minigrad.zeros(1, 1).long(), 2.0), TypeError,
         "'src' .* must be Tensor, not float"),
        (lambda z: minigrad.scatter(z, 0, minigrad.zeros(1, 1).long(), minigrad.ones(1, 1),
                                    reduce="multiply"), NotImplementedError, "use scatter_add"),
        (lambda z: minigrad.index_add(z, 0, minigrad.tensor([[0, 2]]), minigrad.ones(2, 4)),
         IndexError, "Index is supposed to be a vector"),
        (lambda z: minigrad.index_add(z, 0, minigrad.tensor([0, 3]), minigrad.ones(2, 4)),
         RuntimeError, "index 3 is out of bounds for dimension 0 with size 3"),
        (lambda z: minigrad.index_add(z, 0, minigrad.tensor([0, 1]), minigrad.ones(2, 3)),
         RuntimeError, "source tensor shape must match self tensor shape"),
        (lambda z: minigrad.index_add(z, 0, minigrad.tensor([0, 1]), minigrad.ones(3, 4)),
         RuntimeError, r"Number of indices \(2\) should be equal to source.size\(dim\): \(3\)"),
    ],
)  # fmt: skip
def test_bad_indices_get_pytorchs_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(minigrad.zeros(3, 4))


def test_nonzero_and_argwhere(device):
    x = _t([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]], device)
    assert x.nonzero().tolist() == [[0, 1], [1, 0], [1, 2]]
    rows, cols = minigrad.nonzero(x, as_tuple=True)
    assert rows.tolist() == [0, 1, 1] and cols.tolist() == [1, 0, 2]
    assert x[rows, cols].tolist() == [1.5, 2.0, -1.0]  # usable as an index
    assert minigrad.argwhere(x).dtype == minigrad.int64
    assert minigrad.nonzero(minigrad.zeros(2, 2, device=device)).shape == (0, 2)
    assert minigrad.nonzero(_t(5.0, device)).shape == (1, 0)
    assert [t.tolist() for t in minigrad.nonzero(_t(5.0, device), as_tuple=True)] == [[0]]


def test_unique(device):
    x = _t([3, 1, 3, 2, 1], device)
    assert minigrad.unique(x).tolist() == [1, 2, 3]
    values, inverse = x.unique(return_inverse=True)
    assert values[inverse].tolist() == x.tolist()
    rows = _t([[1, 2], [3, 1], [1, 2]], device)
    values, inverse, counts = minigrad.unique(rows, dim=0, return_inverse=True,
                                              return_counts=True)  # fmt: skip
    assert values.tolist() == [[1, 2], [3, 1]]
    assert inverse.tolist() == [0, 1, 0] and counts.tolist() == [2, 1]
    nan = float("nan")
    floats = minigrad.unique(_t([2.0, nan, 1.0, nan], device))
    assert floats.shape == (4,)  # every NaN is its own value, as in PyTorch


def test_bernoulli_is_seeded_and_follows_its_probabilities(device):
    probs = minigrad.full((20000,), 0.3, device=device)
    minigrad.manual_seed(1)
    first = minigrad.bernoulli(probs)
    minigrad.manual_seed(1)
    assert minigrad.bernoulli(probs).tolist() == first.tolist()
    # 20000 draws of p = 0.3: the mean's standard error is 0.0032
    assert abs(first.mean().item() - 0.3) < 0.02
    assert set(first.tolist()) == {0.0, 1.0} and first.dtype == minigrad.float32
    sure = minigrad.bernoulli(_t([0.0, 1.0, 0.0, 1.0], device))
    assert sure.tolist() == [0.0, 1.0, 0.0, 1.0]
    assert set(minigrad.bernoulli(probs, p=0.0).tolist()) == {0.0}
    filled = minigrad.empty(1000, device=device).bernoulli_(0.9)
    assert 0.85 < filled.mean().item() < 0.95
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        minigrad.bernoulli(_t([1.5], device))
    generator = minigrad.Generator().manual_seed(3)
    again = minigrad.Generator().manual_seed(3)
    assert (minigrad.bernoulli(probs[:50], generator=generator).tolist()
            == minigrad.bernoulli(probs[:50], generator=again).tolist())  # fmt: skip


def test_multinomial_with_replacement_follows_the_weights(device):
    minigrad.manual_seed(0)
    draws = minigrad.multinomial(_t([1.0, 2.0, 0.0, 7.0], device), 40000, replacement=True)
    freq = np.bincount(draws.numpy(), minlength=4) / 40000
    # standard error of each frequency below 0.0025
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.0, 0.7], atol=0.015)
    rows = minigrad.multinomial(_t([[0.0, 1.0], [1.0, 0.0]], device), 3, replacement=True)
    assert rows.tolist() == [[1, 1, 1], [0, 0, 0]]


def test_multinomial_without_replacement_draws_each_category_once(device):
    minigrad.manual_seed(0)
    weights = _t([0.1, 0.2, 0.7], device)
    pairs = np.array([minigrad.multinomial(weights, 2).tolist() for _ in range(4000)])
    assert (pairs[:, 0] != pairs[:, 1]).all()
    # P(first = i, second = j) = p_i p_j / (1 - p_i)
    p = np.array([0.1, 0.2, 0.7])
    for i, j in [(2, 1), (1, 2), (0, 2)]:
        want = p[i] * p[j] / (1 - p[i])
        assert abs(np.mean((pairs[:, 0] == i) & (pairs[:, 1] == j)) - want) < 0.03
    assert sorted(minigrad.multinomial(minigrad.ones(5, device=device), 5).tolist()) == list(
        range(5)
    )


@pytest.mark.parametrize(
    ("weights", "n", "replacement", "message"),
    [
        ([1.0, 2.0], 3, False, "cannot sample n_sample > prob_dist.size"),
        ([1.0, 0.0, 0.0], 2, False, "not enough non-negative category"),
        ([1.0, -1.0], 1, True, "element < 0"),
        ([1.0, float("nan")], 1, True, "`inf`, `nan`"),
        ([0.0, 0.0], 1, True, r"sum of probabilities <= 0"),
        ([1.0, 1.0], 0, True, "n_sample <= 0"),
        ([[[1.0]]], 1, True, "prob_dist must be 1 or 2 dim"),
    ],
)
def test_bad_multinomial_distributions_get_pytorchs_errors(weights, n, replacement, message):
    with pytest.raises(RuntimeError, match=message):
        minigrad.multinomial(minigrad.tensor(weights), n, replacement)


def test_a_0d_index_into_a_vector_counts_as_1d(device):
    """PyTorch reads a 0-d index (and a 0-d src) as one element for a 1-d tensor:
    ``zeros(5).scatter_(0, tensor(2), 1.0)`` (seen in one-hot code)."""
    x = minigrad.zeros(5, device=device, requires_grad=True)
    src = minigrad.tensor(3.0, device=device, requires_grad=True)
    index = minigrad.tensor(2, device=device)
    y = (x * 1).scatter(0, index, src)
    assert y.tolist() == [0.0, 0.0, 3.0, 0.0, 0.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0, 1.0, 1.0] and src.grad.item() == 1.0
    assert minigrad.zeros(5, device=device).scatter_(0, index, 1.0).tolist()[2] == 1.0
    assert minigrad.zeros(5, device=device).scatter_add(0, index, src.detach()).tolist()[2] == 3
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        minigrad.zeros(2, 3, device=device).scatter(0, index, 1.0)
