"""The shape of makemore's WaveNet lecture (with the layer classes of its BatchNorm lecture):
a character-level language model built from hand-written layers, each a plain class with
``__call__`` and ``parameters()`` (``Linear`` whose ``self.out += self.bias`` is an
in-place update of a tensor in the graph, ``BatchNorm1d`` over dims ``(0, 1)`` of a 3-d
input keeping its running statistics under ``torch.no_grad()``, ``Tanh``, ``Embedding``,
``FlattenConsecutive`` by ``x.view(B, T//n, C*n)`` and ``squeeze(1)``, ``Sequential``),
the last layer scaled down in place under ``no_grad``, ``p.requires_grad = True``,
``p.data += -lr * p.grad``, the diagnostics of the BatchNorm lecture (each layer's output
``retain_grad()``, its mean, std and saturation formatted with ``%``, ``torch.histogram``
of it and of its gradient, the update-to-data ratios ``((lr*p.grad).std() /
p.data.std()).log10()``), ``torch.tensor(lossi).view(-1, k).mean(1)``, evaluation with
every layer's ``training = False``, and sampling. Ported by changing the imports.

The lecture reads a file of names; the port makes its names from consonant-vowel
patterns with a fixed seed (no network). ``--steps`` (the budget) and the sizes are
options. ``main`` returns the validation loss.
"""

# The lecture unpacks what it does not use (hy, hx = torch.histogram(...)) and formats
# with %.
# ruff: noqa: RUF059, UP031

import argparse
import random

import minigrad as torch
import minigrad.nn.functional as F

CONSONANTS = "bdklmnrstvyz"
VOWELS = "aeiou"


def make_words(count: int, seed: int) -> list[str]:
    """Names shaped like CV(C)CV(V): a learnable structure (the lecture reads names.txt)."""
    rng = random.Random(seed)
    words = []
    for _ in range(count):
        pattern = rng.choice(["CVCV", "CVCCV", "VCVC", "CVVCV", "CVCVC", "CVC"])
        pick = {"C": CONSONANTS, "V": VOWELS}
        words.append("".join(rng.choice(pick[p]) for p in pattern))
    return words


class Linear:
    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out)) / fan_in**0.5  # note: kaiming init
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        # parameters (trained with backprop)
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        # buffers (trained with a running 'momentum update')
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        if self.training:
            if x.ndim == 2:
                dim = 0
            elif x.ndim == 3:
                dim = (0, 1)
            xmean = x.mean(dim, keepdim=True)  # batch mean
            xvar = x.var(dim, keepdim=True)  # batch variance
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # normalize to unit variance
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


class Embedding:
    def __init__(self, num_embeddings, embedding_dim):
        self.weight = torch.randn((num_embeddings, embedding_dim))

    def __call__(self, IX):
        self.out = self.weight[IX]
        return self.out

    def parameters(self):
        return [self.weight]


class FlattenConsecutive:
    def __init__(self, n):
        self.n = n

    def __call__(self, x):
        B, T, C = x.shape
        x = x.view(B, T // self.n, C * self.n)
        if x.shape[1] == 1:
            x = x.squeeze(1)
        self.out = x
        return self.out

    def parameters(self):
        return []


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        self.out = x
        return self.out

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def build_dataset(words, stoi, block_size):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = [*context[1:], ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(X.shape, Y.shape)
    return X, Y


def main(argv=None):
    parser = argparse.ArgumentParser(description="makemore: a WaveNet")
    parser.add_argument("--words", type=int, default=4000)
    parser.add_argument("--steps", type=int, default=200000)
    parser.add_argument("--n-embd", type=int, default=24)
    parser.add_argument("--n-hidden", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--log-interval", type=int, default=10000)
    args = parser.parse_args(argv)

    words = make_words(args.words, seed=42)
    chars = sorted(list(set("".join(words))))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    vocab_size = len(itos)
    block_size = 8  # three FlattenConsecutive(2) take 8 characters down to 1

    random.seed(42)
    random.shuffle(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    Xtr, Ytr = build_dataset(words[:n1], stoi, block_size)
    Xdev, Ydev = build_dataset(words[n1:n2], stoi, block_size)

    torch.manual_seed(42)
    n_embd, n_hidden = args.n_embd, args.n_hidden
    model = Sequential([
        Embedding(vocab_size, n_embd),
        FlattenConsecutive(2), Linear(n_embd * 2, n_hidden, bias=False), BatchNorm1d(n_hidden),
        Tanh(),
        FlattenConsecutive(2), Linear(n_hidden * 2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), Linear(n_hidden * 2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, vocab_size),
    ])  # fmt: skip
    with torch.no_grad():
        model.layers[-1].weight *= 0.1  # last layer: make less confident
    parameters = model.parameters()
    print(sum(p.nelement() for p in parameters))  # number of parameters in total
    for p in parameters:
        p.requires_grad = True

    lossi, ud = [], []
    for i in range(args.steps):
        ix = torch.randint(0, Xtr.shape[0], (args.batch_size,))
        Xb, Yb = Xtr[ix], Ytr[ix]
        logits = model(Xb)
        loss = F.cross_entropy(logits, Yb)
        for layer in model.layers:
            layer.out.retain_grad()  # for the diagnostics below
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < args.steps * 3 // 4 else 0.01  # step learning rate decay
        for p in parameters:
            p.data += -lr * p.grad
        if i % args.log_interval == 0:
            print(f"{i:7d}/{args.steps:7d}: {loss.item():.4f}")
        lossi.append(loss.log10().item())
        with torch.no_grad():
            ud.append([((lr * p.grad).std() / p.data.std()).log10().item() for p in parameters])

    print(torch.tensor(lossi).view(-1, args.steps // 10).mean(1))
    # The BatchNorm lecture's diagnostics, on the last step: activations and gradients.
    for i, layer in enumerate(model.layers):
        if isinstance(layer, Tanh):
            t = layer.out
            print("layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%" % (
                i, layer.__class__.__name__, t.mean(), t.std(),
                (t.abs() > 0.97).float().mean() * 100,
            ))  # fmt: skip
            hy, hx = torch.histogram(t, density=True)
            t = layer.out.grad
            print("layer %d (%10s): mean %+f, std %e" % (
                i, layer.__class__.__name__, t.mean(), t.std()
            ))  # fmt: skip
            hy, hx = torch.histogram(t, density=True)
    for i, p in enumerate(parameters):
        if p.ndim == 2:
            print(f"param {i:2d} {tuple(p.shape)!s:>12}: update/data {ud[-1][i]:+.2f}")

    for layer in model.layers:
        layer.training = False

    @torch.no_grad()
    def split_loss(split):
        x, y = {"train": (Xtr, Ytr), "val": (Xdev, Ydev)}[split]
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        print(split, loss.item())
        return loss.item()

    split_loss("train")
    val_loss = split_loss("val")

    for _ in range(5):
        out = []
        context = [0] * block_size
        while True:
            logits = model(torch.tensor([context]))
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1).item()
            context = [*context[1:], ix]
            out.append(ix)
            if ix == 0 or len(out) > 20:
                break
        print("".join(itos[i] for i in out))
    return val_loss


if __name__ == "__main__":
    main()
