"""``F.pad``'s reflect, replicate and circular modes, the padding layers, and the
convolutions' ``padding_mode``, beyond their golden cases: the values on small inputs,
gradients that add up where an element is copied more than once, gradchecks, and the
errors (PyTorch's messages)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F

ROW = [[[1.0, 2.0, 3.0]]]


@pytest.mark.parametrize(
    "mode, pad, expected",
    [
        ("reflect", (2, 2), [3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]),
        ("replicate", (2, 2), [1.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0]),
        ("circular", (2, 2), [2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0]),
        ("reflect", (-1, 1), [2.0, 3.0, 2.0]),
        ("circular", (-1, 2), [2.0, 3.0, 2.0, 3.0]),  # crops, then wraps what is left
        ("replicate", (0, -2), [1.0]),
    ],
)
def test_pad_modes_on_one_row(device, mode, pad, expected):
    x = minigrad.tensor(ROW, device=device)
    assert F.pad(x, pad, mode=mode)[0, 0].tolist() == expected


def test_copies_add_up_their_gradients(device):
    x = minigrad.tensor(ROW, device=device, requires_grad=True)
    F.pad(x, (2, 2), mode="replicate").sum().backward()
    assert x.grad[0, 0].tolist() == [3.0, 1.0, 3.0]  # each edge read three times


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes_pass_gradcheck(device, rng, mode):
    x = minigrad.tensor(rng.standard_normal((1, 2, 3, 4)), device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda x: F.pad(x, (2, 1, 1, 2), mode=mode), (x,))
    y = minigrad.tensor(rng.standard_normal((1, 1, 3, 3, 3)), device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda y: F.pad(y, (1, 0, 0, 2, 1, 1), mode=mode), (y,))


def test_padding_layers_and_conv_padding_mode(device):
    x = minigrad.arange(12.0, device=device).reshape(1, 1, 3, 4)
    assert nn.ReflectionPad2d(1)(x).shape == (1, 1, 5, 6)
    assert nn.ConstantPad1d((0, 2), -1.0)(x)[0, 0, 0].tolist() == [0.0, 1, 2, 3, -1, -1]
    assert repr(nn.ReplicationPad3d((1, 2) * 3)) == "ReplicationPad3d((1, 2, 1, 2, 1, 2))"
    conv = nn.Conv2d(1, 1, 3, padding=1, padding_mode="circular", bias=False).to(device)
    with minigrad.no_grad():
        conv.weight.zero_()
        conv.weight[0, 0, 1, 0] = 1.0  # read the pixel to the left
    out = conv(x)
    np.testing.assert_array_equal(out.numpy()[0, 0], np.roll(x.numpy()[0, 0], 1, axis=1))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: F.pad(minigrad.zeros(1, 2, 3), (3, 1), mode="reflect"), RuntimeError,
         "Padding size should be less than the corresponding input dimension"),
        (lambda: F.pad(minigrad.zeros(1, 2, 3), (2, 4), mode="circular"), RuntimeError,
         "wrapping around more than once"),
        (lambda: F.pad(minigrad.zeros(1, 2, 3), (1, 1, 1, 1, 1, 1), mode="reflect"),
         NotImplementedError, "Padding size 6 is not supported for 3D input tensor"),
        (lambda: F.pad(minigrad.zeros(3), (1, 1), mode="replicate"), NotImplementedError,
         "Padding size 2 is not supported for 1D input tensor"),
        (lambda: F.pad(minigrad.zeros(1, 3), (1, 1), mode="wrap"), NotImplementedError,
         "Unrecognised padding mode wrap"),
        (lambda: F.pad(minigrad.zeros(1, 3), (1, 1), mode="reflect", value=2.0), RuntimeError,
         "doesn't take in value argument"),
        (lambda: F.pad(minigrad.zeros(1, 3, dtype=minigrad.bool), (1, 1), mode="reflect"),
         NotImplementedError, "not implemented for bool"),
        # Cropping (negative padding) below zero elements, or to none at all, as PyTorch
        (lambda: F.pad(minigrad.zeros(2, 1, 2), (-1, -2), mode="reflect"), RuntimeError,
         r"input \(W: 2\) is too small. Calculated output W: -1"),
        (lambda: F.pad(minigrad.zeros(2, 1, 2), (-1, -1), mode="replicate"), RuntimeError,
         r"input \(W: 2\) is too small. Calculated output W: 0"),
        (lambda: F.pad(minigrad.zeros(1, 3, 4), (-2, -2, -2, -1), mode="reflect"), RuntimeError,
         r"input \(H: 3, W: 4\) is too small. Calculated output H: 0 W: 0"),
        (lambda: F.pad(minigrad.zeros(1, 2, 3, 4), (0, 0, 0, 0, -1, -2), mode="replicate"),
         RuntimeError, r"Calculated output D: -1 H: 3 W: 4"),
        (lambda: nn.Conv2d(1, 1, 3, padding_mode="mirror"), ValueError,
         "padding_mode must be one of"),
        (lambda: nn.ConvTranspose1d(1, 1, 3, padding_mode="circular"), ValueError,
         'Only "zeros" padding mode is supported for ConvTranspose1d'),
        (lambda: nn.ReflectionPad2d((1, 2, 3)), ValueError,
         "padding must be an int or a tuple of 4 ints"),
    ],
)  # fmt: skip
def test_bad_padding_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_zero_padding_makes_a_new_tensor_in_the_graph(device, mode):
    x = minigrad.ones(2, 3, device=device, requires_grad=True)
    y = F.pad(x, (0, 0), mode=mode)
    assert y is not x and not y.is_leaf and y.tolist() == x.tolist()
    (y * 2).sum().backward()
    assert x.grad.tolist() == [[2.0] * 3] * 2
