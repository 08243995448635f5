"""Batches of sequences of different lengths, as ``torch.nn.utils.rnn``: padding them to one
length, and *packing* them so that a recurrent layer skips the padding.

Three sequences ``abcd``, ``ef`` and ``g`` padded to one tensor (``pad_sequence``)::

    time ->   a b c d                 batch_sizes: 3 2 1 1
              e f . .                 (how many sequences are still running at each step)
              g . . .

``pack_padded_sequence`` keeps only the real steps, time-major: ``data = a e g b f c d``
with ``batch_sizes = [3, 2, 1, 1]``, in a :class:`PackedSequence`. Steps are read column by
column, so the sequences must be ordered longest first; ``enforce_sorted=False`` sorts them
(stably) and records the permutation in ``sorted_indices``, which ``pad_packed_sequence``
undoes. ``RNN``, ``LSTM`` and ``GRU`` accept a ``PackedSequence``: at step ``t`` they run only
the first ``batch_sizes[t]`` sequences, so each sequence's last state is the one after its
own last step, not after the padding.

Packing and padding are index selections, so gradients flow back through both to the
padded input.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ... import creation, dtypes
from ...functions.shape import cat, stack
from ...tensor import Tensor


class PackedSequence(NamedTuple):
    """A batch of sequences without their padding (see the module docstring): ``data``
    holds the steps time-major, ``batch_sizes`` (an int64 CPU tensor) how many sequences
    run at each step, ``sorted_indices`` the order the batch was sorted into (longest
    first; None if it came sorted) and ``unsorted_indices`` its inverse.

    Make one with :func:`pack_padded_sequence` or :func:`pack_sequence`, not by hand. It is
    a named tuple, so ``data, batch_sizes, *_ = packed`` works as in PyTorch.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.utils.rnn import pack_sequence
        >>> a, b = minigrad.tensor([1, 2, 3]), minigrad.tensor([4, 5])
        >>> packed = pack_sequence([a, b])
        >>> packed.data.tolist(), packed.batch_sizes.tolist()
        ([1, 4, 2, 5, 3], [2, 2, 1])
    """

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data`` converted as by :meth:`Tensor.to` (the indices follow it to its device;
        ``batch_sizes`` stays on the CPU); ``self`` if nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def follow(indices):
            return None if indices is None else indices.to(data.device)

        return type(self)(
            data, self.batch_sizes, follow(self.sorted_indices), follow(self.unsorted_indices)
        )

    def cpu(self) -> PackedSequence:
        """The packed sequence with its data on the CPU."""
        return self.to("cpu")

    def cuda(self, device=None) -> PackedSequence:
        """The packed sequence with its data on a CUDA GPU."""
        return self.to("cuda" if device is None else device)

    def double(self) -> PackedSequence:
        """``data`` as float64."""
        return self.to(dtype=dtypes.float64)

    def float(self) -> PackedSequence:
        """``data`` as float32."""
        return self.to(dtype=dtypes.float32)

    def long(self) -> PackedSequence:
        """``data`` as int64."""
        return self.to(dtype=dtypes.int64)

    def int(self) -> PackedSequence:
        """``data`` as int32."""
        return self.to(dtype=dtypes.int32)

    @property
    def is_cuda(self) -> bool:
        """Whether ``data`` is on a GPU."""
        return self.data.is_cuda


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation (``result[permutation[i]] = i``); None for None.

    Example:
        >>> import minigrad
        >>> invert_permutation(minigrad.tensor([2, 0, 1])).tolist()
        [1, 2, 0]
    """
    if permutation is None:
        return None
    return permutation.argsort()


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right") -> Tensor:
    """Stack sequences of different lengths ``(L_i, *)`` into one tensor ``(T, B, *)``
    (``(B, T, *)`` with ``batch_first``), ``T`` the longest length, filling the rest with
    ``padding_value`` after each sequence (``padding_side='right'``) or before it
    (``'left'``).

    Example:
        >>> import minigrad
        >>> a, b = minigrad.tensor([1.0, 2.0, 3.0]), minigrad.tensor([4.0])
        >>> pad_sequence([a, b], batch_first=True).tolist()
        [[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]]
        >>> pad_sequence([a, b], batch_first=True, padding_side="left").tolist()[1]
        [0.0, 0.0, 4.0]
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    sequences = _check_sequences("pad_sequence", sequences)
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        fill = creation.full(
            (longest - s.shape[0], *s.shape[1:]), padding_value, dtype=s.dtype, device=s.device
        )
        padded.append(cat([s, fill] if padding_side == "right" else [fill, s]))
    return stack(padded, 0 if batch_first else 1)


def pack_padded_sequence(input: Tensor, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) whose
    sequence ``b`` has ``lengths[b]`` real steps into a :class:`PackedSequence`.

    Args:
        input: the padded batch (at least 2-D).
        lengths: the length of each sequence, a list or a 1-D integer tensor; each at least
            1 and at most ``T``.
        batch_first: whether the batch dimension comes first.
        enforce_sorted: the lengths must be in decreasing order; with False they are
            sorted here (stably), and the order is kept in the result.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1, 2, 3], [4, 0, 0], [5, 6, 0]])
        >>> packed = pack_padded_sequence(x, [3, 1, 2], batch_first=True,
        ...                               enforce_sorted=False)
        >>> packed.data.tolist(), packed.batch_sizes.tolist()
        ([1, 5, 4, 2, 6, 3], [3, 2, 1])
        >>> packed.sorted_indices.tolist()
        [0, 2, 1]
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pack_padded_sequence: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(
            f"pack_padded_sequence: input must have a time and a batch dimension (at least "
            f"2-D), got shape {tuple(input.shape)}"
        )
    batch_dim = 0 if batch_first else 1
    steps, batch = input.shape[1 - batch_dim], input.shape[batch_dim]
    lengths = _lengths(lengths, batch, steps)
    sorted_indices = None
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = _index(order, input.device)
        input = input.index_select(batch_dim, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    batch_sizes = (lengths[None, :] > np.arange(lengths[0])[:, None]).sum(1)
    # the packed rows of the flattened (T * B, *) input, time-major: row t * B + b for each
    # sequence b < batch_sizes[t]
    t, b = np.nonzero(np.arange(batch)[None, :] < batch_sizes[:, None])
    flat = input.reshape(steps * batch, *input.shape[2:])
    data = flat.index_select(0, _index(t * batch + b, input.device))
    return PackedSequence(
        data, _index(batch_sizes, "cpu"), sorted_indices, invert_permutation(sorted_indices)
    )


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo :func:`pack_padded_sequence`: the padded batch ``(T, B, *)`` (``(B, T, *)``
    with ``batch_first``), in the batch's original order, and the lengths (an int64 CPU
    tensor). ``total_length`` pads to that many steps instead of the longest length.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1, 2, 3], [4, 0, 0], [5, 6, 0]])
        >>> packed = pack_padded_sequence(x, [3, 1, 2], batch_first=True,
        ...                               enforce_sorted=False)
        >>> padded, lengths = pad_packed_sequence(packed, batch_first=True, padding_value=-1)
        >>> padded.tolist(), lengths.tolist()
        ([[1, 2, 3], [4, -1, -1], [5, 6, -1]], [3, 1, 2])
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(
            f"pad_packed_sequence: expected a PackedSequence, got {type(sequence).__name__}"
        )
    data = sequence.data
    batch_sizes = np.asarray(sequence.batch_sizes.tolist(), dtype=np.int64)
    steps, batch = len(batch_sizes), int(batch_sizes[0])
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
        steps = total_length
    # for each (t, b) of the padded batch: its row of data, or the padding row after them
    starts = np.cumsum(batch_sizes) - batch_sizes
    sizes = np.zeros(steps, np.int64)
    sizes[: len(batch_sizes)] = batch_sizes
    rows = np.where(
        np.arange(batch)[None, :] < sizes[:, None],
        np.pad(starts, (0, steps - len(starts)))[:, None] + np.arange(batch)[None, :],
        data.shape[0],
    )
    fill = creation.full((1, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    padded = cat([data, fill]).index_select(0, _index(rows.reshape(-1), data.device))
    padded = padded.reshape(steps, batch, *data.shape[1:])
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[np.asarray(sequence.unsorted_indices.tolist(), dtype=np.int64)]
    return padded, _index(lengths, "cpu")


def pack_sequence(sequences, enforce_sorted=True) -> PackedSequence:
    """Pack a list of sequences ``(L_i, *)``: :func:`pad_sequence`, then
    :func:`pack_padded_sequence`.

    Example:
        >>> import minigrad
        >>> seqs = [minigrad.tensor([1, 2]), minigrad.tensor([3, 4, 5])]
        >>> pack_sequence(seqs, enforce_sorted=False).data.tolist()
        [3, 1, 4, 2, 5]
    """
    sequences = _check_sequences("pack_sequence", sequences)
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first=False) -> list[Tensor]:
    """Split a padded batch back into its sequences, ``lengths[b]`` steps each.

    Example:
        >>> import minigrad
        >>> padded = minigrad.tensor([[1, 2, 3], [4, 0, 0]])
        >>> [s.tolist() for s in unpad_sequence(padded, [3, 1], batch_first=True)]
        [[1, 2, 3], [4]]
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    steps = padded_sequences.shape[1]
    lengths = _lengths(lengths, padded_sequences.shape[0], steps, "unpad_sequence")
    return [seq[: int(n)] for seq, n in zip(padded_sequences.unbind(0), lengths)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The sequences of a :class:`PackedSequence`, as a list, in their original order.

    Example:
        >>> import minigrad
        >>> seqs = [minigrad.tensor([1, 2]), minigrad.tensor([3, 4, 5])]
        >>> [s.tolist() for s in unpack_sequence(pack_sequence(seqs, enforce_sorted=False))]
        [[1, 2], [3, 4, 5]]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def _check_sequences(name: str, sequences) -> list[Tensor]:
    """The sequences as a list, checked: tensors of one dtype and device, with the same
    shape after the first dimension."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    try:
        sequences = list(sequences)
    except TypeError:
        raise RuntimeError(
            f"{name}: Expected iterable for input sequences, but got arg of type: {type(sequences)}"
        ) from None
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(f"{name}: sequence {i} is a {type(s).__name__}, not a Tensor")
    first = sequences[0]
    for i, s in enumerate(sequences):
        if s.ndim == 0:
            raise RuntimeError(f"{name}: sequence {i} is 0-d; a sequence needs a length dimension")
        if s.shape[1:] != first.shape[1:]:
            raise RuntimeError(
                f"{name}: every sequence must have the shape (length, *{tuple(first.shape[1:])}) "
                f"of the first, but sequence {i} has shape {tuple(s.shape)}"
            )
        if s.dtype != first.dtype or s.device != first.device:
            raise RuntimeError(
                f"{name}: every sequence must be {first.dtype} on {first.device} like the "
                f"first, but sequence {i} is {s.dtype} on {s.device}"
            )
    return sequences


def _lengths(lengths, batch: int, steps: int, name: str = "pack_padded_sequence") -> np.ndarray:
    """The lengths as a host int64 array, checked against the batch."""
    values = lengths.tolist() if isinstance(lengths, Tensor) else lengths
    array = np.asarray(values)
    # (PyTorch converts whole-number floats to int64)
    whole = array.dtype.kind in "iu" or (array.dtype.kind == "f" and np.all(array % 1 == 0))
    if array.ndim != 1 or not whole:
        raise RuntimeError(
            f"{name}: 'lengths' must be a 1-D list or tensor of integers, got "
            f"{array.ndim}-D {array.dtype}"
        )
    if len(array) != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(array)} "
            f"(batch_size={batch})"
        )
    if np.any(array <= 0):
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    if np.any(array > steps):
        raise RuntimeError(
            f"{name}: a sequence of length {int(array.max())} is longer than the input, "
            f"which has {steps} steps"
        )
    return array.astype(np.int64)


def _index(values: np.ndarray, device) -> Tensor:
    return creation.tensor(np.ascontiguousarray(values, dtype=np.int64), device=device)
