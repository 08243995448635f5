"""``nn.utils.rnn`` and the recurrent layers on packed sequences, beyond the golden cases
(``nn_cases.py``: LSTM, GRU and RNN on packed batches, ``pad_sequence``, ``pack_sequence``):
float64 gradchecks through pack -> layer -> pad, the property that packing runs each
sequence as if it were alone, the layout of a PackedSequence, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.utils.rnn import (
    PackedSequence,
    invert_permutation,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

F64 = minigrad.float64
LENGTHS = [2, 4, 1]  # unsorted, so the sorting and its undoing are on the path


@pytest.mark.parametrize(
    "build",
    [
        lambda: nn.RNN(3, 4, 2, bidirectional=True, dtype=F64),
        lambda: nn.LSTM(3, 4, bidirectional=True, proj_size=2, dtype=F64),
        lambda: nn.GRU(3, 4, 2, batch_first=True, dtype=F64),
    ],
    ids=["rnn", "lstm_proj", "gru"],
)
def test_packed_layers_pass_gradcheck(build, device):
    minigrad.manual_seed(0)
    layer = build().to(device)
    shape = (3, 4, 3) if layer.batch_first else (4, 3, 3)
    x = minigrad.randn(*shape, dtype=F64, device=device, requires_grad=True)
    directions = 2 if layer.bidirectional else 1
    size = layer.proj_size or layer.hidden_size
    h0 = minigrad.randn(layer.num_layers * directions, 3, size, dtype=F64, device=device)
    h0.requires_grad_()
    params = list(layer.parameters())

    def run(x, h0, *_):
        packed = pack_padded_sequence(
            x, LENGTHS, batch_first=layer.batch_first, enforce_sorted=False
        )
        hx = h0
        if isinstance(layer, nn.LSTM):
            hx = (h0, minigrad.zeros(directions, 3, 4, dtype=F64, device=device))
        out, h = layer(packed, hx)
        padded, _ = pad_packed_sequence(out, batch_first=layer.batch_first)
        return (padded, *(h if isinstance(h, tuple) else (h,)))

    assert minigrad.gradcheck(run, (x, h0, *params))


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_packed_batch_runs_each_sequence_as_if_alone(device, mode, bidirectional):
    """The packed run's outputs and last state for each sequence equal a run of the layer
    on that sequence alone, unpadded: the padding takes no part."""
    minigrad.manual_seed(1)
    layer = getattr(nn, mode)(3, 5, 2, bidirectional=bidirectional, dtype=F64).to(device)
    x = minigrad.randn(4, 3, 3, dtype=F64, device=device)
    out, h = layer(pack_padded_sequence(x, LENGTHS, enforce_sorted=False))
    padded, lengths = pad_packed_sequence(out)
    assert lengths.tolist() == LENGTHS
    h_n = h[0] if mode == "LSTM" else h
    for b, n in enumerate(LENGTHS):
        alone, h_alone = layer(x[:n, b])  # one unbatched sequence
        h_alone = h_alone[0] if mode == "LSTM" else h_alone
        np.testing.assert_allclose(padded[:n, b].numpy(), alone.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(padded[n:, b].numpy(), 0.0)
        np.testing.assert_allclose(h_n[:, b].numpy(), h_alone.numpy(), rtol=1e-12, atol=1e-12)


def test_an_initial_state_is_in_the_original_batch_order(device):
    """hx is given, and h_n returned, in the order of the padded batch (PyTorch permutes
    them into the sorted order and back)."""
    minigrad.manual_seed(2)
    layer = nn.GRU(3, 4, dtype=F64).to(device)
    x = minigrad.randn(4, 3, 3, dtype=F64, device=device)
    h0 = minigrad.randn(1, 3, 4, dtype=F64, device=device)
    _, h = layer(pack_padded_sequence(x, LENGTHS, enforce_sorted=False), h0)
    for b, n in enumerate(LENGTHS):
        _, alone = layer(x[:n, b], h0[:, b])
        np.testing.assert_allclose(h[:, b].numpy(), alone.numpy(), rtol=1e-12)


def test_packing_lays_the_steps_out_time_major(device):
    x = minigrad.tensor([[1, 2, 3, 4], [5, 6, 0, 0], [7, 0, 0, 0]], device=device)
    packed = pack_padded_sequence(x, [4, 2, 1], batch_first=True)
    assert isinstance(packed, PackedSequence) and isinstance(packed, tuple)
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert data.tolist() == [1, 5, 7, 2, 6, 3, 4]
    assert batch_sizes.tolist() == [3, 2, 1, 1]
    assert batch_sizes.dtype == minigrad.int64 and batch_sizes.device.type == "cpu"
    assert sorted_indices is None and unsorted_indices is None
    padded, lengths = pad_packed_sequence(packed, batch_first=True, total_length=6)
    assert padded.shape == (3, 6) and padded[:, :4].tolist() == x.tolist()
    assert lengths.tolist() == [4, 2, 1]


def test_unsorted_lengths_sort_stably_and_come_back(device):
    x = minigrad.arange(12, device=device).reshape(3, 4)  # (T=3, B=4)
    packed = pack_padded_sequence(x, [2, 3, 2, 1], enforce_sorted=False)
    assert packed.sorted_indices.tolist() == [1, 0, 2, 3]  # ties keep their order
    assert packed.unsorted_indices.tolist() == [1, 0, 2, 3]
    assert packed.sorted_indices.device == x.device
    padded, lengths = pad_packed_sequence(packed)
    assert lengths.tolist() == [2, 3, 2, 1]
    mask = minigrad.arange(3, device=device)[:, None] < lengths.to(x.device)[None, :]
    assert (padded == x * mask).all().item()


def test_pad_sequence_layouts(device):
    a = minigrad.ones(3, 2, device=device)
    b = 2 * minigrad.ones(1, 2, device=device)
    assert pad_sequence([a, b]).shape == (3, 2, 2)
    padded = pad_sequence([a, b], batch_first=True, padding_value=-1.0, padding_side="left")
    assert padded.shape == (2, 3, 2)
    assert padded[1].tolist() == [[-1.0, -1.0], [-1.0, -1.0], [2.0, 2.0]]
    stacked = pad_sequence(minigrad.ones(2, 3, device=device))  # a tensor: its rows
    assert stacked.shape == (3, 2)


def test_unpad_and_unpack_give_the_sequences_back(device):
    seqs = [minigrad.tensor(v, device=device) for v in ([1.0, 2.0], [3.0, 4.0, 5.0], [6.0])]
    assert [s.tolist() for s in unpack_sequence(pack_sequence(seqs, enforce_sorted=False))] == [
        [1.0, 2.0],
        [3.0, 4.0, 5.0],
        [6.0],
    ]
    padded = pad_sequence(seqs)
    before = padded.numpy().copy()
    back = unpad_sequence(padded, minigrad.tensor([2, 3, 1]))
    assert [s.tolist() for s in back] == [s.tolist() for s in seqs]
    np.testing.assert_array_equal(padded.numpy(), before)  # PyTorch transposes it in place


def test_packed_sequence_to_converts_the_data(device):
    packed = pack_sequence([minigrad.ones(2, 3), minigrad.ones(1, 3)])
    assert packed.to(minigrad.float32) is packed
    assert packed.double().data.dtype == F64
    moved = pack_sequence([minigrad.ones(2), minigrad.ones(3)], enforce_sorted=False).to(device)
    assert moved.data.device == moved.sorted_indices.device == minigrad.device(device)
    assert moved.batch_sizes.device.type == "cpu"
    assert invert_permutation(None) is None
    assert invert_permutation(minigrad.tensor([1, 2, 0])).tolist() == [2, 0, 1]


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------

X = minigrad.zeros(4, 3, 2)  # T=4, B=3


@pytest.mark.parametrize(
    "lengths, options, match",
    [
        ([1, 4, 2], {}, "must be sorted in decreasing order when `enforce_sorted` is True"),
        ([4, 3], {}, r"Expected `len\(lengths\)` to be equal to batch_size, but got 2"),
        ([4, 3, 0], {}, "Length of all samples has to be greater than 0"),
        ([5, 3, 1], {}, "a sequence of length 5 is longer than the input, which has 4 steps"),
        ([[4, 3, 1]], {}, "'lengths' must be a 1-D list or tensor of integers, got 2-D"),
        ([4.0, 2.5, 1.0], {}, "'lengths' must be a 1-D list or tensor of integers"),
    ],
)
def test_bad_lengths_are_refused(lengths, options, match):
    with pytest.raises(RuntimeError, match=match):
        pack_padded_sequence(X, lengths, **options)


def test_whole_number_lengths_of_a_float_tensor_are_accepted():
    """As in PyTorch, which converts the lengths to int64."""
    packed = pack_padded_sequence(X, minigrad.tensor([4.0, 3.0, 1.0]))
    assert packed.batch_sizes.tolist() == [3, 2, 2, 1]


def test_pack_padded_sequence_needs_two_dimensions():
    with pytest.raises(ValueError, match=r"at least 2-D\), got shape \(3,\)"):
        pack_padded_sequence(minigrad.zeros(3), [3])


@pytest.mark.parametrize(
    "sequences, options, match",
    [
        ([], {}, "received an empty list of sequences"),
        ([minigrad.ones(2, 3), minigrad.ones(3, 2)], {}, r"sequence 1 has shape \(3, 2\)"),
        ([minigrad.ones(2), minigrad.ones(2, dtype=minigrad.int64)], {}, "sequence 1 is int64"),
        ([minigrad.ones(2), [1.0]], {}, "sequence 1 is a list, not a Tensor"),
        ([minigrad.tensor(1.0)], {}, "sequence 0 is 0-d"),
        ([minigrad.ones(2)], {"padding_side": "middle"}, "one of left or right, but got middle"),
    ],
)
def test_pad_sequence_refuses_bad_sequences(sequences, options, match):
    with pytest.raises((RuntimeError, TypeError), match=match):
        pad_sequence(sequences, **options)


def test_pad_packed_sequence_errors():
    packed = pack_sequence([minigrad.ones(3), minigrad.ones(2)])
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 3"):
        pad_packed_sequence(packed, total_length=2)
    with pytest.raises(TypeError, match="expected a PackedSequence, got Tensor"):
        pad_packed_sequence(minigrad.ones(3, 2))


def test_a_recurrent_layer_checks_packed_data():
    layer = nn.LSTM(3, 4)
    bad = PackedSequence(minigrad.zeros(5, 2, 3), minigrad.tensor([2, 2, 1]))
    with pytest.raises(ValueError, match=r"data must be 2-D \(steps, input_size\)"):
        layer(bad)
    with pytest.raises(RuntimeError, match=r"input_size\. Expected 3, got 2"):
        layer(pack_sequence([minigrad.zeros(3, 2), minigrad.zeros(2, 2)]))
    packed = pack_sequence([minigrad.zeros(3, 3), minigrad.zeros(2, 3)])
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 2, 4\)"):
        layer(packed, (minigrad.zeros(1, 3, 4), minigrad.zeros(1, 3, 4)))
