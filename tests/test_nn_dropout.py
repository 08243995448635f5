"""Channel dropout: ``Dropout1d`` and ``Dropout2d`` (and ``F.dropout1d``/``F.dropout2d``).

The masks come from minigrad's seeded generator, so their values cannot match PyTorch's;
what is checked is what PyTorch 2.13 guarantees: whole channels dropped, the survivors
scaled by 1 / (1 - p), the fraction dropped close to p, and its warnings and errors for
inputs of the wrong rank.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


def _per_channel(y: np.ndarray, channel_dims: int) -> np.ndarray:
    """The values of each channel, one row per channel."""
    rows = int(np.prod(y.shape[:channel_dims]))
    return y.reshape(rows, -1)


@pytest.mark.parametrize(
    ("fn", "shape", "channel_dims"),
    [
        (F.dropout2d, (300, 40, 3, 2), 2),
        (F.dropout1d, (300, 40, 5), 2),
        (F.dropout1d, (12000, 5), 1),  # unbatched (C, L): each row is a channel
    ],
)
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_whole_channels_are_dropped_at_rate_p_and_the_rest_scaled(fn, shape, channel_dims, p):
    y = fn(minigrad.ones(*shape), p=p).numpy()
    channels = _per_channel(y, channel_dims)
    # Each channel is all zeros or all 1 / (1 - p): one draw per channel, not per element.
    dropped = (channels == 0).all(axis=1)
    kept = np.isclose(channels, 1 / (1 - p)).all(axis=1)
    assert (dropped | kept).all()
    # 12000 channels: the dropped fraction has a standard deviation below 0.005.
    assert abs(dropped.mean() - p) < 0.025
    assert abs(y.mean() - 1.0) < 0.05  # the scaling keeps the expected value


def test_dropout2d_draws_per_sample_and_channel(device):
    y = F.dropout2d(minigrad.ones(8, 16, 4, 4, device=device), p=0.5).numpy()
    pattern = y[:, :, 0, 0] == 0
    # Different samples get different channel masks (equal for all 8 by chance: 2^-112).
    assert len({row.tobytes() for row in pattern}) > 1
    assert (y == y[:, :, :1, :1]).all()  # constant over each feature map


def test_masks_follow_the_seeded_generator(device):
    x = minigrad.ones(4, 6, 3, 3, device=device)
    minigrad.manual_seed(7)
    a = F.dropout2d(x, 0.5).numpy()
    minigrad.manual_seed(7)
    b = F.dropout2d(x, 0.5).numpy()
    assert np.array_equal(a, b)
    assert not np.array_equal(a, F.dropout2d(x, 0.5).numpy())


def test_gradient_is_the_mask(device):
    x = minigrad.randn(3, 5, 4, 4, device=device, requires_grad=True)
    y = F.dropout2d(x, p=0.4)
    y.sum().backward()
    mask = y.numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-6)


@pytest.mark.parametrize("unbatched", [False, True])
def test_gradcheck_with_a_fixed_mask(device, unbatched):
    """Each call reseeds, so that every finite difference sees the same mask."""
    shape = (5, 4) if unbatched else (2, 5, 4)
    x = minigrad.randn(*shape, dtype=minigrad.float64, device=device, requires_grad=True)

    def f(t):
        minigrad.manual_seed(3)
        return F.dropout1d(t, p=0.5)

    assert minigrad.gradcheck(f, (x,))


def test_evaluation_mode_p0_and_empty_inputs_are_the_identity(device):
    x = minigrad.randn(2, 3, 4, 4, device=device)
    assert F.dropout2d(x, 0.5, training=False) is x
    assert F.dropout2d(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout1d(x[0], 0.5, False).numpy(), x[0].numpy())
    empty = minigrad.ones(0, 3, 4, 4, device=device)
    assert F.dropout2d(empty, 0.5).shape == (0, 3, 4, 4)
    layer = nn.Dropout2d(0.5).eval()
    assert layer(x) is x


def test_p_one_zeroes_everything(device):
    assert not F.dropout2d(minigrad.ones(2, 3, 4, 4, device=device), 1.0).numpy().any()
    assert not nn.Dropout1d(1.0)(minigrad.ones(3, 4, device=device)).numpy().any()


def test_dropout2d_warns_as_pytorch_does():
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d and assuming"):
        y = F.dropout2d(minigrad.ones(2, 50, 3), 0.5)  # read as (N, C, L)
    assert (_per_channel(y.numpy(), 2).std(axis=1) == 0).all()
    for shape in ((3, 4), (2, 3, 4, 5, 6)):
        with pytest.warns(UserWarning, match=f"Received a {len(shape)}-D input to dropout2d"):
            assert F.dropout2d(minigrad.ones(*shape), 0.5).shape == shape
    with (  # PyTorch's order: warn, then fail
        pytest.warns(UserWarning, match="1-D input"),
        pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"),
    ):
        F.dropout2d(minigrad.ones(4), 0.5)
    with pytest.warns(UserWarning, match="1-D input"):
        F.dropout2d(minigrad.ones(4), 0.5, training=False)  # evaluation: warned, no error


@pytest.mark.parametrize("shape", [(4,), (2, 3, 4, 5)])
def test_dropout1d_refuses_other_ranks(shape):
    message = f"Expected 2D or 3D input, but received a {len(shape)}D"
    with pytest.raises(RuntimeError, match=message):
        F.dropout1d(minigrad.ones(*shape), 0.5)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        nn.Dropout1d().eval()(minigrad.ones(*shape))  # in evaluation too, as in PyTorch


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_probability_outside_zero_one_is_refused(p):
    for make in (nn.Dropout1d, nn.Dropout2d):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            make(p)
    for fn in (F.dropout1d, F.dropout2d):
        with pytest.raises(ValueError, match=f"but got {p}"):
            fn(minigrad.ones(2, 3, 4, 4), p)


def test_integer_input_is_refused_in_training():
    with pytest.raises(RuntimeError, match="dropout2d needs a floating point input"):
        F.dropout2d(minigrad.ones(2, 3, 4, 4, dtype=minigrad.int64), 0.5)


def test_modules_follow_training_mode_and_print_like_pytorch():
    layer = nn.Dropout2d(0.5)
    x = minigrad.ones(4, 8, 2, 2)
    assert (layer(x).numpy() == 0).any()
    assert layer.eval()(x) is x
    assert repr(nn.Dropout2d()) == "Dropout2d(p=0.5, inplace=False)"
    assert repr(nn.Dropout1d(0.2, inplace=True)) == "Dropout1d(p=0.2, inplace=True)"
    assert repr(nn.Dropout(0.1)) == "Dropout(p=0.1, inplace=False)"


def test_non_tensor_input_is_refused():
    for fn in (F.dropout1d, F.dropout2d):
        with pytest.raises(TypeError, match="expects a Tensor, got list"):
            fn([[1.0, 2.0]], 0.5)
