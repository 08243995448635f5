"""The shape of a textbook's two chapters on recurrent networks, "Recurrent Neural Network
Implementation from Scratch" and "Concise Implementation of Recurrent Neural Networks":
the text cut down to lower-case letters and spaces (``re.sub``), character tokens, a
``Vocab`` (``token_freqs`` sorted by count, ``idx_to_token``/``token_to_idx``, ``<unk>``),
every window of ``num_steps + 1`` indices in one ``torch.tensor`` (``X = array[:, :-1]``,
``Y = array[:, 1:]``), a ``DataLoader`` over a ``TensorDataset`` of each slice. The scratch
model: ``nn.Parameter(torch.randn(...) * sigma)`` weights, a loop over the time steps of
``F.one_hot(X.T, vocab_size).type(torch.float32)`` with ``torch.tanh(torch.matmul(...))``,
a state handed back in and unpacked by ``state, = state`` (a tensor iterated), the outputs
``torch.stack(outputs, 1)``; the loss ``F.cross_entropy`` of reshaped outputs, perplexity
``torch.exp(loss)``; the book's trainer, which calls ``loss.backward()`` inside
``torch.no_grad()`` and clips the gradients by hand (``torch.sqrt(sum(torch.sum(p.grad **
2) ...))``, ``if norm > grad_clip_val``, ``param.grad[:] *= grad_clip_val / norm``) before
SGD at learning rate 1; greedy prediction (``int(Y.argmax(axis=2).reshape(1))``). The
concise model: ``nn.RNN(num_inputs, num_hiddens)`` with ``output, H = self.rnn(inputs, H)``
and an ``nn.LazyLinear(vocab_size)`` output layer (``.swapaxes(0, 1)``), shaped by a
prediction before training, as the book does. Ported by changing the imports; the book's
``d2l`` helpers (``Vocab``, the data module, the trainer, the classifier's loss) are
written out here.

The book downloads "The Time Machine"; the port writes its text from a small grammar with
a fixed seed (no network), ``--chars`` characters of it. The book's training split is the
first ``num_train`` windows and its validation split the next ``num_val``, as here.
``--epochs`` and the sizes are options, with the book's values as defaults. ``main``
returns a dict of the final validation perplexities, ``scratch_ppl`` and ``concise_ppl``
(a model that learns nothing: the vocabulary's size, 25 here).
"""

# The book's trainer counts epochs in an attribute (`for self.epoch in range(...)`).
# ruff: noqa: B020

import argparse
import collections
import random
import re

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.data import DataLoader, TensorDataset

NAMES = ["the time traveller", "the psychologist", "the medical man", "filby", "the editor",
         "weena", "the provincial mayor", "the very young man"]  # fmt: skip
VERBS = ["said", "looked at", "smiled at", "thought of", "went to", "came back from",
         "spoke about", "saw"]  # fmt: skip
THINGS = ["the machine", "the future", "the fourth dimension", "the morlocks", "the lamp",
          "the white sphinx", "the garden", "the green porcelain", "the laboratory"]  # fmt: skip
ENDS = [".", "!", "?", ", and then he was silent.", "; it was late."]


def make_text(chars: int, seed: int) -> str:
    """Sentences from a small grammar, in mixed case with punctuation (the book downloads
    "The Time Machine")."""
    rng = random.Random(seed)
    sentences, length = [], 0
    while length < chars:
        sentence = f"{rng.choice(NAMES)} {rng.choice(VERBS)} {rng.choice(THINGS)}"
        sentence = sentence.capitalize() + rng.choice(ENDS)
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)[:chars]


class Vocab:
    """Vocabulary for text."""

    def __init__(self, tokens=(), min_freq=0, reserved_tokens=()):
        # Flatten a 2D list if needed
        if tokens and isinstance(tokens[0], list):
            tokens = [token for line in tokens for token in line]
        # Count token frequencies
        counter = collections.Counter(tokens)
        self.token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        # The list of unique tokens
        self.idx_to_token = sorted(
            {"<unk>", *reserved_tokens}
            | {token for token, freq in self.token_freqs if freq >= min_freq}
        )
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices):
        if hasattr(indices, "__len__") and len(indices) > 1:
            return [self.idx_to_token[int(index)] for index in indices]
        return self.idx_to_token[indices]

    @property
    def unk(self):  # Index for the unknown token
        return self.token_to_idx["<unk>"]


class TimeMachine:
    """The book's data module: character windows of the text, split into two slices."""

    def __init__(self, raw_text, batch_size, num_steps, num_train=10000, num_val=5000):
        self.batch_size, self.num_steps = batch_size, num_steps
        self.num_train, self.num_val = num_train, num_val
        corpus, self.vocab = self.build(raw_text)
        array = torch.tensor(
            [corpus[i : i + num_steps + 1] for i in range(len(corpus) - num_steps)]
        )
        self.X, self.Y = array[:, :-1], array[:, 1:]

    def _preprocess(self, text):
        return re.sub("[^A-Za-z]+", " ", text).lower()

    def _tokenize(self, text):
        return list(text)

    def build(self, raw_text, vocab=None):
        tokens = self._tokenize(self._preprocess(raw_text))
        if vocab is None:
            vocab = Vocab(tokens)
        corpus = [vocab[token] for token in tokens]
        return corpus, vocab

    def get_tensorloader(self, tensors, train, indices=slice(0, None)):
        tensors = tuple(a[indices] for a in tensors)
        dataset = TensorDataset(*tensors)
        return DataLoader(dataset, self.batch_size, shuffle=train)

    def get_dataloader(self, train):
        idx = (
            slice(0, self.num_train)
            if train
            else slice(self.num_train, self.num_train + self.num_val)
        )
        return self.get_tensorloader([self.X, self.Y], train, idx)

    def train_dataloader(self):
        return self.get_dataloader(train=True)

    def val_dataloader(self):
        return self.get_dataloader(train=False)


class RNNScratch(nn.Module):
    """The RNN model implemented from scratch."""

    def __init__(self, num_inputs, num_hiddens, sigma=0.01):
        super().__init__()
        self.num_inputs, self.num_hiddens, self.sigma = num_inputs, num_hiddens, sigma
        self.W_xh = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.W_hh = nn.Parameter(torch.randn(num_hiddens, num_hiddens) * sigma)
        self.b_h = nn.Parameter(torch.zeros(num_hiddens))

    def forward(self, inputs, state=None):
        if state is None:
            # Initial state with shape: (batch_size, num_hiddens)
            state = torch.zeros((inputs.shape[1], self.num_hiddens), device=inputs.device)
        else:
            (state,) = state
        outputs = []
        for X in inputs:  # Shape of inputs: (num_steps, batch_size, num_inputs)
            state = torch.tanh(
                torch.matmul(X, self.W_xh) + torch.matmul(state, self.W_hh) + self.b_h
            )
            outputs.append(state)
        return outputs, state


class RNNLMScratch(nn.Module):
    """The RNN-based language model implemented from scratch (the book's classifier's loss
    and its training and validation steps included)."""

    def __init__(self, rnn, vocab_size, lr=0.01):
        super().__init__()
        self.rnn, self.vocab_size, self.lr = rnn, vocab_size, lr
        self.init_params()
        self.ppls = {"train": [], "val": []}

    def init_params(self):
        self.W_hq = nn.Parameter(
            torch.randn(self.rnn.num_hiddens, self.vocab_size) * self.rnn.sigma
        )
        self.b_q = nn.Parameter(torch.zeros(self.vocab_size))

    def loss(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        Y = Y.reshape((-1,))
        return F.cross_entropy(Y_hat, Y, reduction="mean" if averaged else "none")

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), self.lr)

    def training_step(self, batch):
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.ppls["train"].append(torch.exp(l).item())
        return l

    def validation_step(self, batch):
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.ppls["val"].append(torch.exp(l).item())

    def one_hot(self, X):
        # Output shape: (num_steps, batch_size, vocab_size)
        return F.one_hot(X.T, self.vocab_size).type(torch.float32)

    def output_layer(self, rnn_outputs):
        outputs = [torch.matmul(H, self.W_hq) + self.b_q for H in rnn_outputs]
        return torch.stack(outputs, 1)

    def forward(self, X, state=None):
        embs = self.one_hot(X)
        rnn_outputs, _ = self.rnn(embs, state)
        return self.output_layer(rnn_outputs)

    def predict(self, prefix, num_preds, vocab, device=None):
        state, outputs = None, [vocab[prefix[0]]]
        for i in range(len(prefix) + num_preds - 1):
            X = torch.tensor([[outputs[-1]]], device=device)
            embs = self.one_hot(X)
            rnn_outputs, state = self.rnn(embs, state)
            if i < len(prefix) - 1:  # Warm-up period
                outputs.append(vocab[prefix[i + 1]])
            else:  # Predict num_preds steps
                Y = self.output_layer(rnn_outputs)
                outputs.append(int(Y.argmax(axis=2).reshape(1)))
        return "".join([vocab.idx_to_token[i] for i in outputs])


class RNN(nn.Module):
    """The RNN model implemented with high-level APIs."""

    def __init__(self, num_inputs, num_hiddens):
        super().__init__()
        self.num_inputs, self.num_hiddens = num_inputs, num_hiddens
        self.rnn = nn.RNN(num_inputs, num_hiddens)

    def forward(self, inputs, H=None):
        return self.rnn(inputs, H)


class RNNLM(RNNLMScratch):
    """The RNN-based language model implemented with high-level APIs."""

    def init_params(self):
        self.linear = nn.LazyLinear(self.vocab_size)

    def output_layer(self, hiddens):
        return self.linear(hiddens).swapaxes(0, 1)


class Trainer:
    """The book's trainer: SGD steps with the gradients clipped by hand, then a pass over
    the validation data."""

    def __init__(self, max_epochs, gradient_clip_val=0):
        self.max_epochs, self.gradient_clip_val = max_epochs, gradient_clip_val

    def clip_gradients(self, grad_clip_val, model):
        params = [p for p in model.parameters() if p.requires_grad]
        norm = torch.sqrt(sum(torch.sum(p.grad**2) for p in params))
        if norm > grad_clip_val:
            for param in params:
                param.grad[:] *= grad_clip_val / norm

    def fit(self, model, data):
        self.train_dataloader = data.train_dataloader()
        self.val_dataloader = data.val_dataloader()
        self.model = model
        self.optim = model.configure_optimizers()
        for self.epoch in range(self.max_epochs):
            self.fit_epoch()
            ppls = {split: sum(v) / len(v) for split, v in model.ppls.items()}
            print(
                f"epoch {self.epoch + 1}, train ppl {ppls['train']:.2f}, val ppl {ppls['val']:.2f}"
            )
            model.ppls = {"train": [], "val": []}
        return ppls

    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(batch)
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                if self.gradient_clip_val > 0:
                    self.clip_gradients(self.gradient_clip_val, self.model)
                self.optim.step()
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(batch)


def main(argv=None):
    parser = argparse.ArgumentParser(description="d2l: RNNs from scratch and concise")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--grad-clip", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--num-steps", type=int, default=32)
    parser.add_argument("--num-hiddens", type=int, default=32)
    parser.add_argument("--num-train", type=int, default=10000)
    parser.add_argument("--num-val", type=int, default=5000)
    parser.add_argument("--chars", type=int, default=30000)  # the port's text
    args = parser.parse_args(argv)
    torch.manual_seed(0)

    data = TimeMachine(
        make_text(args.chars, seed=0), args.batch_size, args.num_steps, args.num_train, args.num_val
    )
    print(f"vocabulary {len(data.vocab)}, most frequent {data.vocab.token_freqs[:5]}")
    print(f"windows {tuple(data.X.shape)}, first {''.join(data.vocab.to_tokens(data.X[0]))!r}")

    print("RNN from scratch")
    rnn = RNNScratch(num_inputs=len(data.vocab), num_hiddens=args.num_hiddens)
    model = RNNLMScratch(rnn, vocab_size=len(data.vocab), lr=args.lr)
    trainer = Trainer(max_epochs=args.epochs, gradient_clip_val=args.grad_clip)
    scratch = trainer.fit(model, data)
    print(repr(model.predict("it has", 20, data.vocab)))

    print("concise RNN")
    rnn = RNN(num_inputs=len(data.vocab), num_hiddens=args.num_hiddens)
    model = RNNLM(rnn, vocab_size=len(data.vocab), lr=args.lr)
    print(repr(model.predict("it has", 20, data.vocab)))  # before training: shapes LazyLinear
    trainer = Trainer(max_epochs=args.epochs, gradient_clip_val=args.grad_clip)
    concise = trainer.fit(model, data)
    print(repr(model.predict("it has", 20, data.vocab)))
    return {"scratch_ppl": scratch["val"], "concise_ppl": concise["val"]}


if __name__ == "__main__":
    main()
