"""The recurrent layers beyond the golden cases: float64 gradchecks of the unrolled graph
(inputs, initial states and every parameter), the equivalences between layouts (batch
first, unbatched, a layer against its cell in a loop), dropout between layers, and the
errors for bad arguments and inputs."""

from __future__ import annotations

import re

import numpy as np
import pytest

import minigrad
from minigrad import nn

F64 = minigrad.float64


def _gradcheck_layer(layer, x, *state):
    """Gradcheck ``layer`` with respect to its input, its initial state and its parameters."""
    params = list(layer.parameters())

    def run(x, *rest):
        given = rest[: len(state)]
        hx = None if not given else (given if len(given) == 2 else given[0])
        out = layer(x, hx)
        parts = [out] if isinstance(out, minigrad.Tensor) else list(out)
        flat = []
        for part in parts:
            flat += list(part) if isinstance(part, tuple) else [part]
        return tuple(flat)

    assert minigrad.gradcheck(run, (x, *state, *params))


@pytest.mark.parametrize(
    "build",
    [
        lambda: nn.RNN(3, 4, 2, nonlinearity="tanh", bidirectional=True, dtype=F64),
        lambda: nn.LSTM(3, 4, 2, bidirectional=True, proj_size=2, dtype=F64),
        lambda: nn.GRU(3, 4, 2, batch_first=True, dtype=F64),
    ],
    ids=["rnn", "lstm_proj", "gru"],
)
def test_layers_pass_gradcheck(build, device):
    minigrad.manual_seed(0)
    layer = build().to(device)
    shape = (2, 4, 3) if layer.batch_first else (4, 2, 3)  # 4 steps, a batch of 2
    x = minigrad.randn(*shape, dtype=F64, device=device, requires_grad=True)
    directions = 2 if layer.bidirectional else 1
    size = layer.proj_size or layer.hidden_size
    h0 = minigrad.randn(2 * directions, 2, size, dtype=F64, device=device, requires_grad=True)
    state = (h0,)
    if isinstance(layer, nn.LSTM):
        c0 = minigrad.randn(2 * directions, 2, 4, dtype=F64, device=device, requires_grad=True)
        state = (h0, c0)
    _gradcheck_layer(layer, x, *state)


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cells_pass_gradcheck(cls, device):
    minigrad.manual_seed(0)
    cell = cls(3, 4, dtype=F64).to(device)
    x = minigrad.randn(2, 3, dtype=F64, device=device, requires_grad=True)
    h = minigrad.randn(2, 4, dtype=F64, device=device, requires_grad=True)
    state = (h, minigrad.randn(2, 4, dtype=F64, device=device, requires_grad=True))
    _gradcheck_layer(cell, x, *(state if cls is nn.LSTMCell else state[:1]))


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
def test_a_layer_is_its_cell_in_a_loop(mode, device):
    """One layer, one direction, is the cell with the same weights applied step by step."""
    minigrad.manual_seed(0)
    layer = getattr(nn, mode)(3, 5).to(device)
    cell = getattr(nn, mode + "Cell")(3, 5).to(device)
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in layer.state_dict().items()})
    x = minigrad.randn(6, 2, 3, device=device)
    output, last = layer(x)
    state = None
    for t in range(6):
        state = cell(x[t], state)
        h = state[0] if mode == "LSTM" else state
        np.testing.assert_allclose(output[t].numpy(), h.numpy(), rtol=1e-6, atol=1e-6)
    final = last[0] if mode == "LSTM" else last
    np.testing.assert_allclose(final[0].numpy(), h.numpy(), rtol=1e-6, atol=1e-6)


def test_batch_first_and_unbatched_are_layouts_of_the_same_computation(device):
    minigrad.manual_seed(0)
    lstm = nn.LSTM(3, 4, 2, bidirectional=True).to(device)
    first = nn.LSTM(3, 4, 2, bidirectional=True, batch_first=True).to(device)
    first.load_state_dict(lstm.state_dict())
    x = minigrad.randn(5, 2, 3, device=device)
    out, (h, c) = lstm(x)
    out_bf, (h_bf, _) = first(x.transpose(0, 1))
    assert out.shape == (5, 2, 8) and h.shape == c.shape == (4, 2, 4)
    np.testing.assert_allclose(out_bf.transpose(0, 1).numpy(), out.numpy(), rtol=1e-6)
    np.testing.assert_allclose(h_bf.numpy(), h.numpy(), rtol=1e-6)
    one, (h1, c1) = lstm(x[:, 0])  # the first sequence alone, unbatched
    assert one.shape == (5, 8) and h1.shape == (4, 4)
    np.testing.assert_allclose(one.numpy(), out[:, 0].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c1.numpy(), c[:, 0].numpy(), rtol=1e-5, atol=1e-6)


def test_the_reverse_direction_reads_the_sequence_backwards(device):
    minigrad.manual_seed(0)
    gru = nn.GRU(2, 3, bidirectional=True).to(device)
    forward_only = nn.GRU(2, 3).to(device)
    reverse = {k: v for k, v in gru.state_dict().items() if k.endswith("_reverse")}
    forward_only.load_state_dict({k.removesuffix("_reverse"): v for k, v in reverse.items()})
    x = minigrad.randn(4, 1, 2, device=device)
    out, h = gru(x)
    flipped, h_rev = forward_only(x.flip(0))
    np.testing.assert_allclose(out[:, :, 3:].numpy(), flipped.flip(0).numpy(), rtol=1e-6)
    np.testing.assert_allclose(h[1].numpy(), h_rev[0].numpy(), rtol=1e-6)
    # The reverse direction's last step is t = 0.
    np.testing.assert_allclose(h[1].numpy(), out[0, :, 3:].numpy(), rtol=1e-6)


def test_dropout_acts_between_layers_in_training_only(device):
    minigrad.manual_seed(0)
    rnn = nn.RNN(3, 8, 2, dropout=0.5).to(device)
    x = minigrad.randn(4, 2, 3, device=device)
    rnn.eval()
    a, _ = rnn(x)
    b, _ = rnn(x)
    assert (a.numpy() == b.numpy()).all(), "no dropout in evaluation"
    rnn.train()
    c, _ = rnn(x)
    assert not np.allclose(c.numpy(), a.numpy()), "dropout in training"
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


def test_parameters_have_pytorchs_names_shapes_and_range():
    lstm = nn.LSTM(3, 5, 2, bidirectional=True, proj_size=2)
    shapes = {k: tuple(v.shape) for k, v in lstm.state_dict().items()}
    first = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    assert list(shapes)[:5] == first
    assert shapes["weight_ih_l0"] == (20, 3) and shapes["weight_hh_l0"] == (20, 2)
    assert shapes["weight_ih_l1_reverse"] == (20, 4) and shapes["weight_hr_l1_reverse"] == (2, 5)
    assert len(lstm.all_weights) == 4 and len(lstm.all_weights[0]) == 5
    bound = 1 / np.sqrt(5)
    assert all(np.abs(p.numpy()).max() <= bound for p in lstm.parameters())
    assert not any(k.startswith("bias") for k in nn.GRU(3, 4, bias=False).state_dict())
    lstm.flatten_parameters()  # accepted, does nothing
    assert repr(nn.GRU(3, 4, 2, batch_first=True)) == "GRU(3, 4, num_layers=2, batch_first=True)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"


def test_a_small_lstm_learns_to_add_up_a_sequence():
    """Training through time works: the loss of summing 8 numbers falls tenfold."""
    minigrad.manual_seed(0)
    lstm, head = nn.LSTM(1, 16, batch_first=True), nn.Linear(16, 1)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = minigrad.optim.Adam(params, lr=0.02)
    losses = []
    for _ in range(150):
        x = minigrad.rand(32, 8, 1)
        out, _ = lstm(x)
        loss = ((head(out[:, -1]) - x.sum(1)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-10:]) < np.mean(losses[:10]) / 10


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(TypeError, match="hidden_size should be of type int, got: float"):
        nn.GRU(3, 4.0)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match="num_layers must be greater than zero"):
        nn.LSTM(3, 4, 0)
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.GRU(3, 4, 2, dropout=1.5)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(TypeError, match="proj_size"):
        nn.GRU(3, 4, proj_size=2)  # only the LSTM has projections
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn.RNNCell(3, 4, nonlinearity="gelu")


def test_bad_inputs_and_states_are_refused(device):
    lstm = nn.LSTM(3, 4, 2).to(device)
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D"):
        lstm(minigrad.randn(2, 2, 2, 3, device=device))
    with pytest.raises(
        RuntimeError,
        match=re.escape("input.size(-1) must be equal to input_size. Expected 3, got 5"),
    ):
        lstm(minigrad.randn(2, 2, 5, device=device))
    with pytest.raises(ValueError, match="input must have the type float32, got type float64"):
        lstm(minigrad.randn(2, 2, 3, dtype=F64, device=device))
    with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0"):
        lstm(minigrad.randn(0, 2, 3, device=device))
    x = minigrad.randn(5, 2, 3, device=device)
    h = minigrad.zeros(2, 2, 4, device=device)
    with pytest.raises(TypeError, match=re.escape("tuple (h_0, c_0)")):
        lstm(x, h)
    with pytest.raises(
        RuntimeError, match=re.escape("Expected hidden[1] size (2, 2, 4), got [2, 3, 4]")
    ):
        lstm(x, (h, minigrad.zeros(2, 3, 4, device=device)))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx and cx should also be 3-D"):
        lstm(x, (h[0], h[0]))
    gru = nn.GRU(3, 4).to(device)
    with pytest.raises(
        RuntimeError, match="For unbatched 2-D input, hx should also be 2-D but got 3-D"
    ):
        gru(x[:, 0], minigrad.zeros(1, 1, 4, device=device))
    with pytest.raises(
        RuntimeError, match=re.escape("Expected hidden size (1, 2, 4), got [1, 2, 5]")
    ):
        gru(x, minigrad.zeros(1, 2, 5, device=device))
    cell = nn.GRUCell(3, 4).to(device)
    with pytest.raises(ValueError, match="GRUCell: Expected input to be 1D or 2D, got 3D"):
        cell(x)
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 5 expected 3"):
        cell(minigrad.randn(2, 5, device=device))
    with pytest.raises(
        RuntimeError, match=re.escape("hidden[0] has shape (3, 4); expected (2, 4)")
    ):
        cell(x[0], minigrad.zeros(3, 4, device=device))
    with pytest.raises(TypeError, match=re.escape("tuple (h_0, c_0)")):
        nn.LSTMCell(3, 4).to(device)(x[0], (minigrad.zeros(2, 4, device=device),))
