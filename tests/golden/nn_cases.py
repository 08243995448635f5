"""Golden cases for the nn modules: built, run and differentiated by PyTorch and minigrad.

Each case builds a module from ``nn`` (``torch.nn`` or ``minigrad.nn``: the same code
works for both). The golden script records PyTorch's initial ``state_dict``; the test
loads it into minigrad's module (so this also checks that a model exported from PyTorch as
NumPy arrays loads and gives the same outputs). Then both run ``train_steps`` forward
passes in training mode on fresh inputs, backpropagate a random gradient through the last
one, and, if ``evaluate``, one forward pass in evaluation mode. Outputs, input and
parameter gradients, and the final ``state_dict`` (BatchNorm's running statistics) are
compared. Input kinds are those of ``cases.py``.

A case with Lazy modules (``nn.LazyLinear``, ...) gets a dry run in PyTorch on zeros
(evaluation mode, no gradient: no statistics move) before its initial state_dict is
recorded; the test loads that state into minigrad's module *before its first call*, which
checks that loading materializes a Lazy module's parameters, and that its first call then
turns it into the regular layer.

``CLIP_CASES`` are the gradient-clipping utilities: each is given parameters whose
gradients are drawn at random (kind ``"f"``: float32, ``"d"``: float64, ``"n"``: no
gradient) and called once; the golden file keeps the gradients before and after, and the
returned total norm.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class ModuleCase:
    build: object
    inputs: tuple  # ((shape, kind), ...)
    train_steps: int = 1
    evaluate: bool = True


def _m(build, *inputs, train_steps=1, evaluate=True):
    return ModuleCase(build, tuple(inputs), train_steps, evaluate)


LOGITS, LABELS = ((6, 5), "f"), ((6,), "i5")


def _of_sigmoids(nn, loss, logits=False):
    """A binary cross-entropy module whose targets (and, unless ``logits``, inputs) are
    the sigmoids of the case's inputs: probabilities, from standard normal draws."""

    class OfSigmoids(nn.Module):
        def __init__(self):
            super().__init__()
            self.loss = loss

        def forward(self, x, t):
            return self.loss(x if logits else x.sigmoid(), t.sigmoid())

    return OfSigmoids()


def _signed_labels(nn, loss):
    """A loss module whose last input, labels in {0, 1} ("i2"), becomes labels in
    {-1, 1}, as the margin losses take them."""

    class SignedLabels(nn.Module):
        def __init__(self):
            super().__init__()
            self.loss = loss

        def forward(self, *inputs):
            *xs, t = inputs
            return self.loss(*xs, t * 2 - 1)

    return SignedLabels()


def _recurrent(nn, layer):
    """A recurrent layer (or cell) whose outputs, every step's output and the last state,
    are flattened into one tensor, so that one gradient reaches all of them. The case's
    inputs after the first are the initial state: h_0, or h_0 and c_0 for an LSTM."""
    lib = sys.modules[nn.__name__.rpartition(".")[0]]  # torch or minigrad

    class Outputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = layer

        def forward(self, x, *state):
            result = self.layer(x, (state if len(state) == 2 else state[0]) if state else None)
            parts = []
            for part in result if isinstance(result, tuple) else (result,):
                parts += part if isinstance(part, tuple) else (part,)
            return lib.cat([p.flatten() for p in parts])

    return Outputs()


def _packed(nn, layer, lengths, batch_first=False, enforce_sorted=False, total_length=None):
    """A recurrent layer run on packed sequences: the case's first input is the padded
    batch, packed with ``lengths``; the output is padded back (with -1) and flattened with
    the last state. The inputs after the first are the initial state, as for _recurrent."""
    lib = sys.modules[nn.__name__.rpartition(".")[0]]
    rnn = nn.utils.rnn

    class Packed(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = layer

        def forward(self, x, *state):
            packed = rnn.pack_padded_sequence(
                x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted
            )
            out, h = self.layer(packed, (state if len(state) == 2 else state[0]) if state else None)
            padded, _ = rnn.pad_packed_sequence(
                out, batch_first=batch_first, padding_value=-1.0, total_length=total_length
            )
            parts = [padded, out.data, *(h if isinstance(h, tuple) else (h,))]
            return lib.cat([p.flatten() for p in parts])

    return Packed()


def _sequences(nn, cuts, kind, **options):
    """The input's rows cut into sequences at ``cuts``, then padded (``pad_sequence``) or
    packed, unsorted, and unpacked again (``pack_sequence``), flattened into one tensor."""
    lib = sys.modules[nn.__name__.rpartition(".")[0]]
    rnn = nn.utils.rnn

    class Sequences(nn.Module):
        def forward(self, x):
            pieces = [x[a:b] for a, b in itertools.pairwise(cuts)]
            if kind == "pad":
                return rnn.pad_sequence(pieces, **options)
            packed = rnn.pack_sequence(pieces, enforce_sorted=False)
            back = rnn.unpack_sequence(packed)
            return lib.cat([packed.data.flatten(), *[2 * s.flatten() for s in back]])

    return Sequences()


def _bags(nn, bag, offsets=None):
    """An EmbeddingBag called on the case's indices with these fixed ``offsets`` (None for
    a 2-D input), and the case's second input, if any, as per_sample_weights."""
    lib = sys.modules[nn.__name__.rpartition(".")[0]]

    class Bags(nn.Module):
        def __init__(self):
            super().__init__()
            self.bag = bag

        def forward(self, x, *weights):
            starts = None if offsets is None else lib.tensor(offsets, device=x.device)
            return self.bag(x, starts, weights[0] if weights else None)

    return Bags()


def _attention(nn, layer, masks=False, **options):
    """An attention layer called on its inputs (self-attention for one input), its output
    and attention weights flattened into one tensor. With ``masks``, a key padding mask
    that hides the last two keys of the first sequence, and an attention mask that hides
    the first key from every query."""
    lib = sys.modules[nn.__name__.rpartition(".")[0]]

    class Outputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = layer

        def forward(self, x, *others):
            key = value = others[0] if others else x
            if masks:
                batch, source = key.shape[1], key.shape[0]
                padding = lib.zeros(batch, source, dtype=lib.bool, device=x.device)
                padding[0, -2:] = True
                hidden = lib.zeros(x.shape[0], source, dtype=lib.bool, device=x.device)
                hidden[:, 0] = True
                options.update(key_padding_mask=padding, attn_mask=hidden)
            result = self.layer(x, key, value, **options)
            return lib.cat([p.flatten() for p in result if p is not None])

    return Outputs()


def _seq2seq(nn, model, batch_first=False):
    """An encoder-decoder (or a decoder: ``memory`` is then the first input) called with
    the causal target mask and a padding mask that hides the last two source positions
    of the first sequence, from the encoder and from the decoder's memory attention."""
    lib = sys.modules[nn.__name__.rpartition(".")[0]]

    class Masked(nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, src, tgt):
            positions, batch = (1, 0) if batch_first else (0, 1)
            causal = nn.Transformer.generate_square_subsequent_mask(
                tgt.shape[positions], device=tgt.device
            )
            padding = lib.zeros(src.shape[batch], src.shape[positions], dtype=lib.bool,
                                device=src.device)  # fmt: skip
            padding[0, -2:] = True
            options = {"tgt_mask": causal, "memory_key_padding_mask": padding}
            if isinstance(self.model, nn.Transformer):
                return self.model(src, tgt, src_key_padding_mask=padding, **options)
            return self.model(tgt, src, **options)  # a decoder: (tgt, memory)

    return Masked()


NN_CASES = {
    # Layers with parameters.
    "linear": _m(lambda nn: nn.Linear(5, 3), ((4, 5), "f")),
    "linear_no_bias_3d_input": _m(lambda nn: nn.Linear(5, 3, bias=False), ((2, 4, 5), "f")),
    "conv2d": _m(lambda nn: nn.Conv2d(3, 4, 3, padding=1), ((2, 3, 6, 6), "f")),
    "conv2d_stride_no_bias": _m(lambda nn: nn.Conv2d(2, 4, (3, 2), stride=2, bias=False), ((2, 2, 7, 6), "f")),
    "conv2d_groups_same": _m(lambda nn: nn.Conv2d(4, 4, 3, padding="same", groups=2), ((1, 4, 5, 5), "f")),
    # Batch Normalization: running statistics after several steps, then evaluation.
    "batchnorm1d": _m(lambda nn: nn.BatchNorm1d(3), ((8, 3), "f"), train_steps=3),
    "batchnorm1d_3d_input": _m(lambda nn: nn.BatchNorm1d(3), ((4, 3, 5), "f"), train_steps=3),
    "batchnorm1d_momentum_none": _m(lambda nn: nn.BatchNorm1d(3, momentum=None), ((6, 3), "f"), train_steps=4),
    "batchnorm1d_affine_false": _m(lambda nn: nn.BatchNorm1d(3, affine=False), ((6, 3), "f"), train_steps=2),
    "batchnorm1d_no_running_stats": _m(lambda nn: nn.BatchNorm1d(3, track_running_stats=False), ((6, 3), "f"), train_steps=2),
    "batchnorm1d_two_samples": _m(lambda nn: nn.BatchNorm1d(4), ((2, 4), "f"), train_steps=2),
    "batchnorm2d": _m(lambda nn: nn.BatchNorm2d(4), ((3, 4, 5, 5), "f"), train_steps=3),
    "batchnorm2d_momentum_eps": _m(lambda nn: nn.BatchNorm2d(2, eps=1e-3, momentum=0.5), ((2, 2, 3, 4), "f"), train_steps=3),
    # Parameter-free layers.
    "relu": _m(lambda nn: nn.ReLU(), ((3, 4), "f")),
    "sigmoid": _m(lambda nn: nn.Sigmoid(), ((3, 4), "f")),
    "tanh": _m(lambda nn: nn.Tanh(), ((3, 4), "f")),
    "leaky_relu": _m(lambda nn: nn.LeakyReLU(0.2), ((3, 4), "f")),
    "softmax": _m(lambda nn: nn.Softmax(dim=1), ((3, 4), "f")),
    "log_softmax": _m(lambda nn: nn.LogSoftmax(dim=-1), ((3, 4), "f")),
    "flatten": _m(lambda nn: nn.Flatten(), ((2, 3, 4), "f")),
    "identity": _m(lambda nn: nn.Identity(), ((2, 3), "f")),
    "dropout_p0": _m(lambda nn: nn.Dropout(0.0), ((2, 3), "f")),
    "maxpool2d": _m(lambda nn: nn.MaxPool2d(2), ((2, 3, 6, 6), "f")),
    "maxpool2d_stride_padding": _m(lambda nn: nn.MaxPool2d(3, stride=2, padding=1), ((1, 2, 7, 7), "f")),
    "avgpool2d": _m(lambda nn: nn.AvgPool2d(2), ((2, 3, 6, 6), "f")),
    "avgpool2d_stride_padding": _m(lambda nn: nn.AvgPool2d(3, stride=2, padding=1), ((1, 2, 7, 7), "f")),
    # Losses.
    "cross_entropy_loss": _m(lambda nn: nn.CrossEntropyLoss(), LOGITS, LABELS),
    "cross_entropy_loss_sum": _m(lambda nn: nn.CrossEntropyLoss(reduction="sum"), LOGITS, LABELS),
    "cross_entropy_loss_none": _m(lambda nn: nn.CrossEntropyLoss(reduction="none"), LOGITS, LABELS),
    "cross_entropy_loss_ignore": _m(lambda nn: nn.CrossEntropyLoss(ignore_index=1), LOGITS, LABELS),
    "nll_loss": _m(lambda nn: nn.NLLLoss(), LOGITS, LABELS),
    "nll_loss_sum": _m(lambda nn: nn.NLLLoss(reduction="sum"), LOGITS, LABELS),
    "nll_loss_none_4d": _m(lambda nn: nn.NLLLoss(reduction="none"), ((2, 5, 3, 2), "f"), ((2, 3, 2), "i5")),
    "mse_loss": _m(lambda nn: nn.MSELoss(), ((3, 4), "f"), ((3, 4), "c")),
    "mse_loss_sum": _m(lambda nn: nn.MSELoss(reduction="sum"), ((3, 4), "f"), ((3, 4), "f")),
    "mse_loss_none": _m(lambda nn: nn.MSELoss(reduction="none"), ((3, 4), "f"), ((3, 4), "c")),
    # Small models, trained for a few steps.
    "mlp_bn_relu": _m(
        lambda nn: nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3)),
        ((8, 6), "f"), train_steps=3,
    ),
    "mlp_bn_sigmoid": _m(
        lambda nn: nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.Sigmoid(), nn.Linear(5, 5), nn.Sigmoid(), nn.Linear(5, 2)),
        ((8, 6), "f"), train_steps=2,
    ),
    "cnn_block": _m(
        lambda nn: nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(4 * 3 * 3, 3),
        ),
        ((3, 2, 6, 6), "f"), train_steps=2,
    ),
    # Appended (earlier cases keep their inputs).
    "cross_entropy_loss_label_smoothing": _m(lambda nn: nn.CrossEntropyLoss(label_smoothing=0.15), LOGITS, LABELS),
    # Smooth activations, adaptive pooling, channel dropout (issue 18).
    "gelu": _m(lambda nn: nn.GELU(), ((4, 6), "f")),
    "gelu_tanh": _m(lambda nn: nn.GELU(approximate="tanh"), ((4, 6), "f")),
    "silu": _m(lambda nn: nn.SiLU(), ((4, 6), "f")),
    "softplus": _m(lambda nn: nn.Softplus(), ((4, 6), "f")),
    "softplus_beta_threshold": _m(lambda nn: nn.Softplus(beta=2.0, threshold=1.0), ((4, 6), "f")),
    "adaptive_avg_pool2d": _m(lambda nn: nn.AdaptiveAvgPool2d((2, 3)), ((2, 3, 5, 7), "f")),
    "adaptive_avg_pool2d_global": _m(lambda nn: nn.AdaptiveAvgPool2d(1), ((2, 3, 4, 4), "f")),
    "adaptive_avg_pool2d_none_unbatched": _m(lambda nn: nn.AdaptiveAvgPool2d((None, 4)), ((3, 5, 6), "f")),
    "adaptive_avg_pool2d_larger": _m(lambda nn: nn.AdaptiveAvgPool2d((7, 2)), ((1, 2, 4, 3), "f")),
    "dropout1d_p0": _m(lambda nn: nn.Dropout1d(0.0), ((3, 5), "f")),
    "dropout2d_p0": _m(lambda nn: nn.Dropout2d(0.0), ((2, 3, 4, 4), "f")),
    # The absolute error and binary cross-entropy.
    "l1_loss": _m(lambda nn: nn.L1Loss(), ((3, 4), "f"), ((3, 4), "c")),
    "l1_loss_sum": _m(lambda nn: nn.L1Loss(reduction="sum"), ((3, 4), "f"), ((3, 4), "f")),
    "bce_loss": _m(lambda nn: _of_sigmoids(nn, nn.BCELoss()), ((3, 4), "f"), ((3, 4), "f")),
    "bce_loss_none": _m(lambda nn: _of_sigmoids(nn, nn.BCELoss(reduction="none")), ((3, 4), "f"), ((3, 4), "c")),
    "bce_with_logits_loss": _m(lambda nn: _of_sigmoids(nn, nn.BCEWithLogitsLoss(), logits=True), ((3, 4), "f"), ((3, 4), "f")),
    # pos_weight is a buffer, so minigrad's module gets PyTorch's values with the state_dict.
    "bce_with_logits_loss_pos_weight": _m(lambda nn: _of_sigmoids(nn, nn.BCEWithLogitsLoss(pos_weight=nn.Linear(1, 4).bias.detach().abs() + 0.5), logits=True), ((3, 4), "f"), ((3, 4), "c")),
    "prelu": _m(lambda nn: nn.PReLU(), ((3, 4), "f")),
    "prelu_channels": _m(lambda nn: nn.PReLU(3, init=0.1), ((2, 3, 4), "f")),
    "elu_selu_hardswish": _m(lambda nn: nn.Sequential(nn.ELU(0.5), nn.Linear(4, 4), nn.SELU(), nn.Hardswish(), nn.Mish()), ((3, 4), "f")),
    "unflatten": _m(lambda nn: nn.Sequential(nn.Linear(6, 6), nn.Unflatten(1, (2, 3))), ((4, 6), "f")),
    "smooth_l1_loss": _m(lambda nn: nn.SmoothL1Loss(beta=0.5), ((3, 4), "f"), ((3, 4), "f")),
    "huber_loss": _m(lambda nn: nn.HuberLoss(delta=0.5), ((3, 4), "f"), ((3, 4), "c")),
    # Embeddings: the weight's gradient, rows looked up twice, the padding row.
    "embedding": _m(lambda nn: nn.Embedding(10, 3), ((2, 5), "i10")),
    "embedding_padding_freq": _m(lambda nn: nn.Embedding(6, 4, padding_idx=2, scale_grad_by_freq=True), ((3, 4), "i6")),
    "embedding_max_norm": _m(lambda nn: nn.Embedding(5, 3, max_norm=1.0), ((6,), "i5"), train_steps=2),
    # Lazy modules: PyTorch's dry run materializes them; minigrad's load does (see above).
    "lazy_linear": _m(lambda nn: nn.LazyLinear(3), ((4, 5), "f")),
    "lazy_linear_no_bias": _m(lambda nn: nn.LazyLinear(3, bias=False), ((2, 4, 5), "f")),
    "lazy_conv2d": _m(lambda nn: nn.LazyConv2d(4, 3, padding=1), ((2, 3, 6, 6), "f")),
    "lazy_conv2d_groups_stride": _m(lambda nn: nn.LazyConv2d(4, (3, 2), stride=2, groups=2, bias=False), ((2, 2, 7, 6), "f")),
    "lazy_batchnorm1d": _m(lambda nn: nn.LazyBatchNorm1d(), ((8, 3), "f"), train_steps=3),
    "lazy_batchnorm2d_momentum_none": _m(lambda nn: nn.LazyBatchNorm2d(momentum=None), ((3, 4, 5, 5), "f"), train_steps=3),
    "lazy_cnn_gelu_dropout": _m(
        lambda nn: nn.Sequential(
            nn.LazyConv2d(4, 3, padding=1), nn.LazyBatchNorm2d(), nn.GELU(), nn.Dropout2d(0.0),
            nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(), nn.LazyLinear(5), nn.SiLU(), nn.LazyLinear(3),
        ),
        ((3, 2, 6, 6), "f"), train_steps=2,
    ),
    # Recurrent layers (L=5 steps, N=3, 4 features in), their cells, and initial states.
    "rnn_tanh": _m(lambda nn: _recurrent(nn, nn.RNN(4, 6)), ((5, 3, 4), "f")),
    "rnn_relu_two_layers_bidirectional": _m(lambda nn: _recurrent(nn, nn.RNN(4, 6, 2, nonlinearity="relu", bidirectional=True)), ((5, 3, 4), "f"), ((4, 3, 6), "f")),
    "lstm": _m(lambda nn: _recurrent(nn, nn.LSTM(4, 6)), ((5, 3, 4), "f")),
    "lstm_initial_state": _m(lambda nn: _recurrent(nn, nn.LSTM(4, 6)), ((5, 3, 4), "f"), ((1, 3, 6), "f"), ((1, 3, 6), "f")),
    "lstm_batch_first_two_layers_bidirectional": _m(lambda nn: _recurrent(nn, nn.LSTM(4, 5, 2, batch_first=True, bidirectional=True)), ((3, 5, 4), "f")),
    "lstm_proj_unbatched": _m(lambda nn: _recurrent(nn, nn.LSTM(4, 6, 2, proj_size=3)), ((5, 4), "f"), ((2, 3), "f"), ((2, 6), "f")),
    "gru": _m(lambda nn: _recurrent(nn, nn.GRU(4, 6)), ((5, 3, 4), "f"), train_steps=2),
    "gru_no_bias_three_layers_initial_state": _m(lambda nn: _recurrent(nn, nn.GRU(4, 5, 3, bias=False)), ((5, 3, 4), "f"), ((3, 3, 5), "f")),
    "gru_bidirectional_batch_first": _m(lambda nn: _recurrent(nn, nn.GRU(4, 5, batch_first=True, bidirectional=True)), ((2, 6, 4), "f")),
    "rnn_cell": _m(lambda nn: _recurrent(nn, nn.RNNCell(4, 6)), ((3, 4), "f"), ((3, 6), "f")),
    "rnn_cell_relu_unbatched": _m(lambda nn: _recurrent(nn, nn.RNNCell(4, 6, nonlinearity="relu")), ((4,), "f")),
    "lstm_cell": _m(lambda nn: _recurrent(nn, nn.LSTMCell(4, 6)), ((3, 4), "f"), ((3, 6), "f"), ((3, 6), "f")),
    "lstm_cell_no_state": _m(lambda nn: _recurrent(nn, nn.LSTMCell(4, 6, bias=False)), ((3, 4), "f")),
    "gru_cell": _m(lambda nn: _recurrent(nn, nn.GRUCell(4, 6)), ((3, 4), "f"), ((3, 6), "f")),
    # Attention (L=5 queries, N=2, E=8) and the Transformer encoder.
    "multihead_attention_self": _m(lambda nn: _attention(nn, nn.MultiheadAttention(8, 2)), ((5, 2, 8), "f")),
    "multihead_attention_cross_masks_per_head": _m(lambda nn: _attention(nn, nn.MultiheadAttention(8, 4), masks=True, average_attn_weights=False), ((5, 2, 8), "f"), ((6, 2, 8), "f")),
    "multihead_attention_bias_kv_zero_attn_no_weights": _m(lambda nn: _attention(nn, nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True), need_weights=False), ((5, 2, 8), "f"), ((6, 2, 8), "f")),
    "multihead_attention_kdim_vdim_batch_first": _m(lambda nn: _attention(nn, nn.MultiheadAttention(8, 2, kdim=6, vdim=6, batch_first=True, bias=False)), ((2, 5, 8), "f"), ((2, 4, 6), "f")),
    "transformer_encoder_layer": _m(lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), ((5, 2, 8), "f"), train_steps=2),
    # 1-D and transposed convolutions, 1-D pooling.
    "conv1d": _m(lambda nn: nn.Conv1d(4, 6, 3), ((2, 4, 10), "f")),
    "conv1d_same_dilation_groups": _m(lambda nn: nn.Conv1d(4, 6, 3, padding="same", dilation=2, groups=2, bias=False), ((2, 4, 10), "f")),
    "conv1d_stride_unbatched": _m(lambda nn: nn.Conv1d(4, 6, 3, stride=2, padding=1), ((4, 11), "f")),
    "conv_transpose2d": _m(lambda nn: nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1), ((2, 8, 5, 5), "f")),
    "conv_transpose2d_output_padding_groups_dilation": _m(lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=2, output_padding=1, groups=2, dilation=2), ((2, 4, 5, 6), "f")),
    "conv_transpose2d_rectangular_unbatched": _m(lambda nn: nn.ConvTranspose2d(3, 2, (2, 3), stride=(3, 1), padding=(0, 1), bias=False), ((3, 4, 5), "f")),
    "conv_transpose1d": _m(lambda nn: nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1, output_padding=1), ((2, 4, 7), "f")),
    "max_pool1d": _m(lambda nn: nn.MaxPool1d(3, 2, 1), ((2, 3, 10), "f")),
    "avg_pool1d_ceil_no_pad_count": _m(lambda nn: nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False), ((2, 3, 10), "f")),
    "adaptive_avg_pool1d": _m(lambda nn: nn.AdaptiveAvgPool1d(4), ((2, 3, 10), "f")),
    "dcgan_generator_block": _m(lambda nn: nn.Sequential(nn.ConvTranspose2d(6, 4, 4, 1, 0, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.ConvTranspose2d(4, 1, 4, 2, 1, bias=False), nn.Tanh()), ((3, 6, 1, 1), "f"), train_steps=2),
    "transformer_encoder_norm_first_gelu": _m(lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu", norm_first=True, batch_first=True), 2, norm=nn.LayerNorm(8), enable_nested_tensor=False), ((2, 5, 8), "f")),
    # Distances and the margin and metric-learning losses.
    "cosine_similarity": _m(lambda nn: nn.CosineSimilarity(dim=-1, eps=1e-6), ((4, 3, 5), "f"), ((3, 5), "f")),
    "pairwise_distance_p1_keepdim": _m(lambda nn: nn.PairwiseDistance(p=1.0, keepdim=True), ((4, 5), "f"), ((4, 5), "f")),
    "cosine_embedding_loss_margin": _m(lambda nn: _signed_labels(nn, nn.CosineEmbeddingLoss(margin=0.1)), ((6, 5), "f"), ((6, 5), "f"), ((6,), "i2")),
    "triplet_margin_loss_swap": _m(lambda nn: nn.TripletMarginLoss(margin=1.5, swap=True), ((6, 5), "f"), ((6, 5), "f"), ((6, 5), "f")),
    "margin_ranking_loss_sum": _m(lambda nn: _signed_labels(nn, nn.MarginRankingLoss(margin=0.2, reduction="sum")), ((8,), "f"), ((8,), "f"), ((8,), "i2")),
    "hinge_embedding_loss": _m(lambda nn: _signed_labels(nn, nn.HingeEmbeddingLoss(margin=0.8)), ((4, 5), "f"), ((4, 5), "i2")),
    "soft_margin_loss_none": _m(lambda nn: _signed_labels(nn, nn.SoftMarginLoss(reduction="none")), ((4, 5), "f"), ((4, 5), "i2")),
    "multilabel_soft_margin_loss": _m(lambda nn: _of_sigmoids(nn, nn.MultiLabelSoftMarginLoss(), logits=True), ((4, 5), "f"), ((4, 5), "c")),
    "upsample_nearest_unet_block": _m(lambda nn: nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(3, 2, 3, padding=1)), ((2, 3, 4, 4), "f")),
    "upsample_bilinear": _m(lambda nn: nn.Upsample(size=(5, 7), mode="bilinear"), ((2, 3, 3, 4), "f")),
    "upsampling_bilinear2d_aligned": _m(lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), ((1, 2, 3, 3), "f")),
    "transformer_decoder_layer_masked": _m(lambda nn: _seq2seq(nn, nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)), ((6, 2, 8), "f"), ((4, 2, 8), "f"), train_steps=2),
    "transformer_decoder_norm_first_gelu": _m(lambda nn: _seq2seq(nn, nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, activation="gelu", norm_first=True, batch_first=True), 2, norm=nn.LayerNorm(8)), batch_first=True), ((2, 6, 8), "f"), ((2, 4, 8), "f")),
    "transformer_seq2seq": _m(lambda nn: _seq2seq(nn, nn.Transformer(8, 2, 2, 2, 16, dropout=0.0)), ((6, 2, 8), "f"), ((4, 2, 8), "f"), train_steps=2),
    "pixel_shuffle_super_resolution_block": _m(lambda nn: nn.Sequential(nn.Conv2d(2, 8, 3, padding=1), nn.PixelShuffle(2), nn.Unfold(2, stride=2), nn.Fold((6, 8), 2, stride=2)), ((2, 2, 3, 4), "f")),
    "lstm_packed_unsorted_ties": _m(lambda nn: _packed(nn, nn.LSTM(4, 6), [3, 5, 3, 1]), ((5, 4, 4), "f"), train_steps=2),
    "gru_packed_two_layers_bidirectional_batch_first_initial_state": _m(lambda nn: _packed(nn, nn.GRU(4, 5, 2, batch_first=True, bidirectional=True), [2, 4, 4], batch_first=True), ((3, 4, 4), "f"), ((4, 3, 5), "f")),
    "rnn_relu_packed_sorted_total_length": _m(lambda nn: _packed(nn, nn.RNN(4, 6, nonlinearity="relu"), [5, 3, 2], enforce_sorted=True, total_length=7), ((5, 3, 4), "f")),
    "lstm_packed_proj_bidirectional_initial_state": _m(lambda nn: _packed(nn, nn.LSTM(4, 6, proj_size=3, bidirectional=True), [4, 1, 2]), ((4, 3, 4), "f"), ((2, 3, 3), "f"), ((2, 3, 6), "f")),
    "pad_sequence_batch_first_left": _m(lambda nn: _sequences(nn, (0, 3, 4, 7), "pad", batch_first=True, padding_value=-2.0, padding_side="left"), ((7, 3), "f")),
    "pad_sequence_time_first": _m(lambda nn: _sequences(nn, (0, 2, 6, 7), "pad"), ((7, 2, 2), "f")),
    "pack_sequence_unpack_sequence": _m(lambda nn: _sequences(nn, (0, 1, 4, 6, 9), "pack"), ((9, 3), "f")),
    "embedding_bag_mean_empty_bag": _m(lambda nn: _bags(nn, nn.EmbeddingBag(10, 4), [0, 3, 3, 7]), ((9,), "i10"), train_steps=2),
    "embedding_bag_sum_per_sample_weights": _m(lambda nn: _bags(nn, nn.EmbeddingBag(10, 4, mode="sum"), [0, 5]), ((8,), "i10"), ((8,), "f")),
    "embedding_bag_max_2d_padding": _m(lambda nn: _bags(nn, nn.EmbeddingBag(10, 4, mode="max", padding_idx=0)), ((3, 4), "i10")),
    "embedding_bag_include_last_offset": _m(lambda nn: _bags(nn, nn.EmbeddingBag(10, 4, include_last_offset=True), [0, 2, 6, 8]), ((8,), "i10")),
    "conv2d_padding_modes": _m(lambda nn: nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), nn.Conv2d(3, 3, (2, 3), padding="same", padding_mode="replicate"), nn.Conv2d(3, 2, 3, padding=(2, 1), padding_mode="circular")), ((2, 2, 5, 6), "f")),
    "reflection_pad_style_transfer_block": _m(lambda nn: nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(2, 4, 3), nn.ReplicationPad2d((1, 0, 2, 1)), nn.ZeroPad2d(1), nn.ConstantPad2d((0, 1, 1, 0), -0.5)), ((2, 2, 4, 5), "f")),
    "conv1d_padding_mode_reflect": _m(lambda nn: nn.Conv1d(3, 4, 3, padding=2, padding_mode="reflect"), ((2, 3, 7), "f")),
    "rms_norm": _m(lambda nn: nn.Sequential(nn.Linear(4, 4), nn.RMSNorm(4)), ((2, 3, 4), "f")),
    "rms_norm_two_dims_eps_no_weight": _m(lambda nn: nn.Sequential(nn.RMSNorm((3, 4), eps=1e-3), nn.RMSNorm(4, elementwise_affine=False)), ((2, 3, 4), "f")),
    "adaptive_max_pool2d": _m(lambda nn: nn.AdaptiveMaxPool2d((3, 2)), ((2, 3, 7, 5), "f")),
    "adaptive_max_pool1d_upsampling": _m(lambda nn: nn.AdaptiveMaxPool1d(7), ((2, 3, 5), "f")),
    "volume_cnn_3d": _m(lambda nn: nn.Sequential(nn.Conv3d(2, 4, 3, padding=1), nn.BatchNorm3d(4), nn.ReLU(), nn.MaxPool3d(2), nn.Conv3d(4, 3, (1, 2, 2), stride=(1, 1, 2), groups=1), nn.AvgPool3d((1, 2, 1), stride=1), nn.AdaptiveAvgPool3d((1, 1, 2))), ((2, 2, 4, 6, 8), "f"), train_steps=2),
    "conv3d_groups_same_instance_norm": _m(lambda nn: nn.Sequential(nn.Conv3d(4, 4, (3, 1, 2), padding="same", groups=2, bias=False), nn.InstanceNorm3d(4, affine=True), nn.MaxPool3d(3, stride=2, padding=1, ceil_mode=True)), ((1, 4, 5, 4, 6), "f")),
    "alexnet_style_lrn_block": _m(lambda nn: nn.Sequential(nn.Conv2d(3, 6, 3), nn.LocalResponseNorm(5, alpha=1e-3), nn.LPPool2d(2, 2), nn.ReLU(), nn.ChannelShuffle(2)), ((2, 3, 7, 7), "f")),
    "bilinear_layer": _m(lambda nn: nn.Bilinear(3, 4, 2), ((5, 3), "f"), ((5, 4), "f")),
    "conv_transpose3d_decoder": _m(lambda nn: nn.Sequential(nn.ConvTranspose3d(4, 2, 2, stride=2), nn.ConvTranspose3d(2, 2, 3, stride=(1, 2, 1), padding=1, output_padding=(0, 1, 0), groups=2)), ((1, 4, 2, 3, 2), "f")),
    "pooling_3d_adaptive_max_lp": _m(lambda nn: nn.Sequential(nn.Conv3d(2, 3, 2), nn.LPPool3d(2, (2, 1, 2)), nn.AdaptiveMaxPool3d((2, 1, 2))), ((2, 2, 5, 4, 6), "f")),
}  # fmt: skip


@dataclass(frozen=True)
class ClipCase:
    fn: object  # fn(nn, params): calls one of nn.utils' functions
    grads: tuple  # ((shape, kind), ...), one per parameter
    scale: float = 1.0  # the gradients are standard normal times this


CLIP_CASES = {
    "clip_grad_norm": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, max_norm=1.0), (((3, 4), "f"), ((5,), "f"))),
    "clip_grad_norm_not_needed": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, max_norm=100.0), (((3, 4), "f"), ((5,), "f"))),
    "clip_grad_norm_inf": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, 0.5, norm_type=float("inf")), (((3, 4), "f"), ((5,), "f"))),
    "clip_grad_norm_inf_string": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, 0.5, norm_type="inf"), (((6,), "f"),)),
    "clip_grad_norm_1": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, 2.0, norm_type=1), (((3, 4), "f"), ((5,), "f"))),
    "clip_grad_norm_3": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, 0.7, norm_type=3.0), (((3, 4), "f"), ((2, 2, 2), "f"))),
    "clip_grad_norm_0": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, 1.5, norm_type=0), (((3, 4), "f"), ((5,), "f"))),
    "clip_grad_norm_skips_missing": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, 1.0), (((3,), "f"), ((4,), "n"), ((2, 2), "f"))),
    "clip_grad_norm_float64": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, 1.0), (((3, 4), "d"), ((5,), "d"))),
    "clip_grad_norm_one_tensor": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps[0], 0.25), (((4, 4), "f"),)),
    "clip_grad_norm_large": ClipCase(lambda nn, ps: nn.utils.clip_grad_norm_(ps, 1.0), (((50, 40), "f"), ((40,), "f")), scale=1e3),
    "clip_grad_value": ClipCase(lambda nn, ps: nn.utils.clip_grad_value_(ps, 0.5), (((3, 4), "f"), ((5,), "f"), ((2,), "n"))),
}  # fmt: skip
