"""The small layers and functions beyond their golden cases: alpha dropout's
self-normalizing statistics, gumbel_softmax's samples and straight-through gradient,
max unpooling as the inverse of max pooling, pdist and bilinear gradchecks, and the
errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


def test_alpha_dropout_keeps_mean_and_variance(device):
    minigrad.manual_seed(0)
    x = minigrad.randn(200000, device=device)
    for p in (0.1, 0.5):
        y = F.alpha_dropout(x, p, training=True)
        assert abs(y.mean().item()) < 0.01 and abs(y.std().item() - 1) < 0.01
        _, counts = np.unique(y.numpy(), return_counts=True)
        assert abs(counts.max() / y.numel() - p) < 0.01  # all the dropped share one value
    assert (F.alpha_dropout(x, 0.5) == x).all().item()  # training=False: the identity
    assert (F.alpha_dropout(x, 1.0, training=True) == 0).all().item()
    channels = F.feature_alpha_dropout(minigrad.zeros(4, 8, 5, device=device), 0.5, True)
    assert all(len(set(row)) == 1 for row in channels.reshape(32, 5).tolist())


def test_gumbel_softmax_samples_the_categorical(device):
    minigrad.manual_seed(1)
    logits = minigrad.tensor([[0.0, 1.0, 2.0]], device=device).expand(20000, 3)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    freq = hard.mean(0).numpy()
    probs = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(freq, probs, atol=0.015)  # the Gumbel-max trick
    soft = F.gumbel_softmax(logits[:3], tau=1.0)
    np.testing.assert_allclose(soft.sum(1).numpy(), 1.0, rtol=1e-6)
    w = minigrad.zeros(1, 3, device=device, requires_grad=True)
    (
        F.gumbel_softmax(w, hard=True) * minigrad.tensor([1.0, 2.0, 3.0], device=device)
    ).sum().backward()
    assert w.grad.abs().sum().item() > 0  # straight through: the soft sample's gradient


def test_max_unpool_inverts_max_pool(device):
    x = minigrad.tensor([[[[1.0, 2.0, 0.0, 0.0], [4.0, 3.0, 0.0, 5.0]]]], device=device)
    pooled, where = F.max_pool2d(x, 2, return_indices=True)
    back = nn.MaxUnpool2d(2)(pooled, where)
    assert back.tolist() == [[[[0.0, 0.0, 0.0, 0.0], [4.0, 0.0, 0.0, 5.0]]]]
    odd = minigrad.randn(1, 1, 5, 5, device=device)
    p2, w2 = F.max_pool2d(odd, 2, return_indices=True)
    assert F.max_unpool2d(p2, w2, 2, output_size=odd.shape).shape == (1, 1, 5, 5)


def test_pdist_bilinear_lrn_gradcheck(device, rng):
    x = minigrad.tensor(rng.standard_normal((5, 3)), device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda x: (F.pdist(x), F.pdist(x, 1.5)), (x,))
    a = minigrad.tensor(rng.standard_normal((4, 3)), device=device, requires_grad=True)
    b = minigrad.tensor(rng.standard_normal((4, 2)), device=device, requires_grad=True)
    w = minigrad.tensor(rng.standard_normal((2, 3, 2)), device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda a, b, w: F.bilinear(a, b, w), (a, b, w))
    y = minigrad.tensor(rng.standard_normal((2, 5, 3)), device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda y: F.local_response_norm(y, 3, alpha=0.5, k=1.5), (y,))


def test_reprs_are_pytorchs():
    assert repr(nn.LocalResponseNorm(2)) == "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"
    assert repr(nn.ChannelShuffle(2)) == "ChannelShuffle(groups=2)"
    assert repr(nn.Bilinear(2, 3, 4)) == (
        "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)"
    )
    assert (
        repr(nn.LPPool2d(2, 3))
        == "LPPool2d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)"
    )
    assert (
        repr(nn.MaxUnpool2d(2)) == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    )
    assert repr(nn.AlphaDropout(0.2)) == "AlphaDropout(p=0.2, inplace=False)"


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: F.channel_shuffle(minigrad.ones(1, 5, 2), 2), RuntimeError,
         "Number of channels must be divisible by groups"),
        (lambda: F.pdist(minigrad.ones(2, 3, 4)), RuntimeError, "pdist only supports 2D"),
        (lambda: F.bilinear(minigrad.ones(2, 3), minigrad.ones(3, 2), minigrad.ones(1, 3, 2)),
         RuntimeError, "input batch dimensions do not match"),
        (lambda: F.local_response_norm(minigrad.ones(2, 3), 2), ValueError,
         "Expected 3D or higher dimensionality input"),
        (lambda: F.max_unpool2d(minigrad.ones(1, 1, 2, 2), minigrad.zeros(1, 1, 2, 1).long(), 2),
         RuntimeError, "Expected shape of indices to be same"),
        (lambda: F.max_unpool2d(minigrad.ones(1, 1, 1, 1), minigrad.tensor([[[[9]]]]), 2),
         RuntimeError, "Found an invalid max index"),
        (lambda: nn.Softmax2d()(minigrad.ones(2, 3)), ValueError, "expected input to be 3D or 4D"),
        (lambda: F.alpha_dropout(minigrad.ones(2), 1.5, True), ValueError,
         "dropout probability has to be between 0 and 1"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_fractional_max_pool(device):
    """The windows PyTorch places for given samples (its own example output), the seeded
    draw when no samples are given, and the ratio form."""
    x = minigrad.arange(49.0, device=device).reshape(1, 1, 7, 7)
    samples = minigrad.tensor([[[0.1, 0.9]]], device=device)
    values, where = F.fractional_max_pool2d(
        x, 2, output_size=3, return_indices=True, _random_samples=samples
    )
    assert values.tolist() == [[[[8.0, 10.0, 13.0], [22.0, 24.0, 27.0], [43.0, 45.0, 48.0]]]]
    assert where.tolist() == values.long().tolist()  # x holds its own flat positions
    minigrad.manual_seed(4)
    first = F.fractional_max_pool2d(minigrad.randn(2, 3, 9, 9), 2, output_ratio=0.5)
    minigrad.manual_seed(4)
    again = F.fractional_max_pool2d(minigrad.randn(2, 3, 9, 9), 2, output_ratio=0.5)
    assert first.shape == (2, 3, 4, 4) and (first == again).all().item()
    volume = minigrad.randn(1, 2, 5, 6, 7, requires_grad=True)
    F.fractional_max_pool3d(volume, 2, output_size=(3, 4, 5)).sum().backward()
    assert volume.grad.sum().item() == 2 * 3 * 4 * 5  # one gradient per output
    with pytest.raises(ValueError, match="either an output_size or an output_ratio"):
        F.fractional_max_pool2d(x, 2)
    with pytest.raises(RuntimeError, match="pool height 2 too large relative to input height 7"):
        F.fractional_max_pool2d(x, 2, output_size=7)


def test_spellings_data_parallel_and_deprecated_names():
    x = minigrad.tensor([-1.0, 2.0])
    assert F.relu_(x) is x and x.tolist() == [0.0, 2.0]
    assert minigrad.relu_ is F.relu_ and minigrad.conv2d is F.conv2d
    y = minigrad.tensor([-3.0, 0.5])
    F.hardtanh_(y)
    assert y.tolist() == [-1.0, 0.5]
    w = minigrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu_(w)
    values, where = F.max_pool2d_with_indices(minigrad.arange(4.0).reshape(1, 2, 2), 2)
    assert values.item() == 3.0 and where.item() == 3
    with pytest.warns(UserWarning, match="upsample_bilinear` is deprecated"):
        up = F.upsample_bilinear(minigrad.ones(1, 1, 2, 2), scale_factor=2)
    assert up.shape == (1, 1, 4, 4)
    wrapped = nn.DataParallel(nn.Linear(3, 2))
    assert wrapped(minigrad.ones(5, 3)).shape == (5, 2) and wrapped.device_ids == []
    assert list(wrapped.state_dict()) == ["module.weight", "module.bias"]  # PyTorch's keys
    with pytest.raises(NotImplementedError, match="DistributedDataParallel"):
        nn.DataParallel(nn.Linear(3, 2), device_ids=[0, 1])
    layer = nn.Linear(3, 2)
    np.testing.assert_array_equal(nn.parallel.data_parallel(layer, minigrad.ones(5, 3)).numpy(),
                                  layer(minigrad.ones(5, 3)).detach().numpy())  # fmt: skip
    with pytest.warns(FutureWarning, match="NLLLoss2d` has been deprecated"):
        nn.NLLLoss2d()
