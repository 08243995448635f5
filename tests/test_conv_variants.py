"""1-D and transposed convolutions beyond the golden cases: the transposed convolution is
the gradient of ``conv2d`` with respect to its input, ``output_size``, and the errors for
bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


@pytest.mark.parametrize(
    "stride, padding, dilation, groups", [(1, 0, 1, 1), (2, 1, 1, 1), (3, 2, 2, 2)]
)
def test_the_transposed_convolution_is_the_gradient_of_conv2d(
    stride, padding, dilation, groups, device
):
    """conv_transpose2d(g, w) is d/dx <conv2d(x, w), g>: the definition, checked."""
    minigrad.manual_seed(0)
    w = minigrad.randn(4, 6 // groups, 3, 3, device=device)
    x = minigrad.randn(2, 6, 11, 10, device=device, requires_grad=True)
    out = F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
    g = minigrad.randn(*out.shape, device=device)
    out.backward(g)
    # Which output_padding gives back x's size: the rows the forward convolution skipped.
    sizes = [(x.shape[d] + 2 * padding - dilation * 2 - 1) % stride for d in (2, 3)]
    back = F.conv_transpose2d(g, w, stride=stride, padding=padding, output_padding=tuple(sizes),
                              groups=groups, dilation=dilation)  # fmt: skip
    assert back.shape == x.shape
    np.testing.assert_allclose(back.numpy(), x.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_output_size_chooses_the_output_padding(device):
    up = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1).to(device)
    x = minigrad.randn(1, 3, 4, 4, device=device)
    assert up(x).shape == (1, 2, 7, 7)
    assert up(x, output_size=(8, 8)).shape == (1, 2, 8, 8)
    assert up(x, output_size=[1, 2, 7, 8]).shape == (1, 2, 7, 8)
    with pytest.raises(ValueError, match="valid sizes range from 7 to 8"):
        up(x, output_size=(9, 9))


def test_conv1d_is_conv2d_with_a_height_of_one(device):
    minigrad.manual_seed(0)
    x, w = minigrad.randn(2, 4, 9, device=device), minigrad.randn(3, 4, 3, device=device)
    one = F.conv1d(x, w, stride=2, padding=1)
    two = F.conv2d(x.unsqueeze(2), w.unsqueeze(2), stride=(1, 2), padding=(0, 1))
    np.testing.assert_array_equal(one.numpy(), two.squeeze(2).numpy())


def test_bad_arguments_are_refused(device):
    x = minigrad.randn(1, 4, 5, 5, device=device)
    w = minigrad.randn(4, 2, 3, 3, device=device)
    with pytest.raises(
        RuntimeError, match="output padding must be smaller than either stride or dilation"
    ):
        F.conv_transpose2d(x, w, output_padding=1)
    with pytest.raises(RuntimeError, match="to have 4 channels, but got 3 channels instead"):
        F.conv_transpose2d(x[:, :3], w)
    with pytest.raises(RuntimeError, match="expected a 4-D weight"):
        F.conv_transpose2d(x, w[0])
    with pytest.raises(RuntimeError, match="leaves an output of size 0 or less"):
        F.conv_transpose2d(x[:, :, :1, :1], w, padding=2)
    with pytest.raises(RuntimeError, match="expected a 2-D \\(C, L\\) or 3-D \\(N, C, L\\) input"):
        F.conv1d(x, w[..., 0])
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.ConvTranspose2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="Invalid padding string"):
        nn.ConvTranspose2d(4, 4, 3, padding="same")
    with pytest.raises(ValueError, match="not supported for strided convolutions"):
        nn.Conv1d(4, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv1d(4, 4, 3, padding_mode="mirror")


def test_conv_transpose2d_of_integers():
    """As PyTorch's CPU kernel (and minigrad's conv2d): integer inputs give integer sums."""
    out = F.conv_transpose2d(minigrad.ones(1, 4, 5, 5, dtype=minigrad.int64),
                             minigrad.ones(4, 2, 3, 3, dtype=minigrad.int64))  # fmt: skip
    assert out.dtype == minigrad.int64 and tuple(out.shape) == (1, 2, 7, 7)
    assert out[0, 0, 3, 3].item() == 36 and out[0, 0, 0, 0].item() == 4
