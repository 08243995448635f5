"""The shape of the "backprop ninja" lecture of makemore (a character-level MLP language
model with BatchNorm, block size 3): the forward pass cut into small steps, every
intermediate's ``retain_grad()``, ``loss.backward()``, then the same gradients written
by hand and compared with autograd's (``torch.all(dt == t.grad)``, ``torch.allclose``);
the cross-entropy and the BatchNorm backward in one expression each; then training with
the hand-written backward under ``torch.no_grad()``, BatchNorm's statistics calibrated
over the training set, the splits' losses, and names sampled with ``torch.multinomial``.
Ported by changing the imports.

What it touches: indexing an embedding table by a tensor of indices (``C[Xb]``),
``emb.view(emb.shape[0], -1)``, ``max(1, keepdim=True).values``, ``F.one_hot``,
``counts.sum(1, keepdims=True)``, ``x**-1`` and ``**-0.5``, ``var(0, unbiased=True)``,
and in-place updates of tensors that are in the graph (the hand-written gradients are
computed from tensors that require grad): ``dcounts += ...``, ``dlogits[range(n), Yb] -=
1`` and makemore's ``dC[ix] += demb[k, j]``, a write through a view of ``dC``.

The lecture reads a file of 32,000 names; the port makes its names from syllables with a
fixed seed (no network), ``--words`` of them. ``--steps`` (the budget) and the sizes are
options. ``main`` returns a dict: ``grad_diff``, the largest difference between a
hand-written gradient and autograd's; ``loss_diff``, between the fused cross-entropy and
the step-by-step one; and ``val_loss`` after training.
"""

import argparse
import random

import minigrad as torch
import minigrad.nn.functional as F

SYLLABLES = ("ka", "li", "mar", "an", "el", "ro", "sa", "ta", "ne", "ja", "be", "ly", "dor",
             "vi", "na", "em", "mi", "ra", "so", "th", "ay", "le", "on", "is", "ha", "ri",
             "ell", "ia", "us")  # fmt: skip


def make_words(count: int, seed: int) -> list[str]:
    """Names of two to four syllables (the lecture reads names.txt)."""
    rng = random.Random(seed)
    return ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(count)]


def build_dataset(words, stoi, block_size):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = [*context[1:], ix]
    return torch.tensor(X), torch.tensor(Y)


def cmp(s, dt, t, diffs):
    """Compare a hand-written gradient with autograd's, as the lecture prints it."""
    ex = torch.all(dt == t.grad).item()
    app = torch.allclose(dt, t.grad)
    maxdiff = (dt - t.grad).abs().max().item()
    diffs.append(maxdiff)
    print(f"{s:15s} | exact: {ex!s:5s} | approximate: {app!s:5s} | maxdiff: {maxdiff}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="makemore: becoming a backprop ninja")
    parser.add_argument("--words", type=int, default=4000)
    parser.add_argument("--steps", type=int, default=200000)
    parser.add_argument("--n-embd", type=int, default=10)
    parser.add_argument("--n-hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--log-interval", type=int, default=10000)
    args = parser.parse_args(argv)

    words = make_words(args.words, seed=42)
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    vocab_size = len(itos)
    block_size = 3
    random.seed(42)
    random.shuffle(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    Xtr, Ytr = build_dataset(words[:n1], stoi, block_size)
    Xdev, Ydev = build_dataset(words[n1:n2], stoi, block_size)
    Xte, Yte = build_dataset(words[n2:], stoi, block_size)

    n_embd, n_hidden = args.n_embd, args.n_hidden
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((vocab_size, n_embd), generator=g)
    # Layer 1, and layer 2; small random biases so that no gradient is trivially zero.
    W1 = (
        torch.randn((n_embd * block_size, n_hidden), generator=g)
        * (5 / 3)
        / ((n_embd * block_size) ** 0.5)
    )
    b1 = torch.randn(n_hidden, generator=g) * 0.1
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    bngain = torch.randn((1, n_hidden)) * 0.1 + 1.0
    bnbias = torch.randn((1, n_hidden)) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    print(sum(p.nelement() for p in parameters))
    for p in parameters:
        p.requires_grad = True

    batch_size = n = args.batch_size
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]

    # The forward pass, in steps small enough to backpropagate through one at a time.
    emb = C[Xb]
    embcat = emb.view(emb.shape[0], -1)
    hprebn = embcat @ W1 + b1
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)  # Bessel's correction
    bnvar_inv = (bnvar + 1e-5) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()

    for p in parameters:
        p.grad = None
    for t in [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes,
              logits, h, hpreact, bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani,
              embcat, emb]:  # fmt: skip
        t.retain_grad()
    loss.backward()
    print(loss)

    # Exercise 1: backpropagate through every step by hand.
    diffs = []
    dlogprobs = torch.zeros_like(logprobs)
    dlogprobs[range(n), Yb] = -1.0 / n
    dprobs = (1.0 / probs) * dlogprobs
    dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
    dcounts = counts_sum_inv * dprobs
    dcounts_sum = (-(counts_sum**-2)) * dcounts_sum_inv
    dcounts += torch.ones_like(counts) * dcounts_sum
    dnorm_logits = counts * dcounts
    dlogits = dnorm_logits.clone()
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - h**2) * dh
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnraw = bngain * dhpreact
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbndiff = bnvar_inv * dbnraw
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
    dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
    dbndiff += (2 * bndiff) * dbndiff2
    dhprebn = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0)
    dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(emb.shape)
    dC = torch.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            ix = Xb[k, j]
            dC[ix] += demb[k, j]
    for name, dt, t in [
        ("logprobs", dlogprobs, logprobs), ("probs", dprobs, probs),
        ("counts_sum_inv", dcounts_sum_inv, counts_sum_inv),
        ("counts_sum", dcounts_sum, counts_sum),
        ("counts", dcounts, counts), ("norm_logits", dnorm_logits, norm_logits),
        ("logit_maxes", dlogit_maxes, logit_maxes), ("logits", dlogits, logits), ("h", dh, h),
        ("W2", dW2, W2), ("b2", db2, b2), ("hpreact", dhpreact, hpreact),
        ("bngain", dbngain, bngain), ("bnbias", dbnbias, bnbias), ("bnraw", dbnraw, bnraw),
        ("bnvar_inv", dbnvar_inv, bnvar_inv), ("bnvar", dbnvar, bnvar),
        ("bndiff2", dbndiff2, bndiff2), ("bndiff", dbndiff, bndiff),
        ("bnmeani", dbnmeani, bnmeani), ("hprebn", dhprebn, hprebn),
        ("embcat", dembcat, embcat), ("W1", dW1, W1), ("b1", db1, b1), ("emb", demb, emb),
        ("C", dC, C),
    ]:  # fmt: skip
        cmp(name, dt, t, diffs)

    # Exercise 2: the cross-entropy's forward and backward in one expression each.
    loss_fast = F.cross_entropy(logits, Yb)
    loss_diff = (loss_fast - loss).abs().item()
    print(loss_fast.item(), "diff:", loss_diff)
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    cmp("logits", dlogits, logits, diffs)

    # Exercise 3: BatchNorm's forward and backward in one expression each.
    hpreact_fast = (
        bngain * (hprebn - hprebn.mean(0, keepdim=True))
        / torch.sqrt(hprebn.var(0, keepdim=True, unbiased=True) + 1e-5) + bnbias
    )  # fmt: skip
    print("max diff:", (hpreact_fast - hpreact).abs().max())
    dhprebn = (
        bngain
        * bnvar_inv
        / n
        * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
    )
    cmp("hprebn", dhprebn, hprebn, diffs)

    # Exercise 4: train with the hand-written backward alone.
    with torch.no_grad():
        for i in range(args.steps):
            ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
            Xb, Yb = Xtr[ix], Ytr[ix]
            emb = C[Xb]
            embcat = emb.view(emb.shape[0], -1)
            hprebn = embcat @ W1 + b1
            bnmean = hprebn.mean(0, keepdim=True)
            bnvar = hprebn.var(0, keepdim=True, unbiased=True)
            bnvar_inv = (bnvar + 1e-5) ** -0.5
            bnraw = (hprebn - bnmean) * bnvar_inv
            hpreact = bngain * bnraw + bnbias
            h = torch.tanh(hpreact)
            logits = h @ W2 + b2
            loss = F.cross_entropy(logits, Yb)

            dlogits = F.softmax(logits, 1)
            dlogits[range(n), Yb] -= 1
            dlogits /= n
            dh = dlogits @ W2.T
            dW2 = h.T @ dlogits
            db2 = dlogits.sum(0)
            dhpreact = (1.0 - h**2) * dh
            dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
            dbnbias = dhpreact.sum(0, keepdim=True)
            dhprebn = (
                bngain
                * bnvar_inv
                / n
                * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
            )
            dembcat = dhprebn @ W1.T
            dW1 = embcat.T @ dhprebn
            db1 = dhprebn.sum(0)
            demb = dembcat.view(emb.shape)
            dC = torch.zeros_like(C)
            for k in range(Xb.shape[0]):
                for j in range(Xb.shape[1]):
                    ix = Xb[k, j]
                    dC[ix] += demb[k, j]
            grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias]

            lr = 0.1 if i < args.steps * 3 // 4 else 0.01
            for p, grad in zip(parameters, grads):
                p.data += -lr * grad
            if i % args.log_interval == 0:
                print(f"{i:7d}/{args.steps:7d}: {loss.item():.4f}")

    # BatchNorm's statistics, over the whole training set.
    with torch.no_grad():
        emb = C[Xtr]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        bnmean = hpreact.mean(0, keepdim=True)
        bnvar = hpreact.var(0, keepdim=True, unbiased=True)

    @torch.no_grad()
    def split_loss(split):
        x, y = {"train": (Xtr, Ytr), "val": (Xdev, Ydev), "test": (Xte, Yte)}[split]
        emb = C[x]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        hpreact = bngain * (hpreact - bnmean) * (bnvar + 1e-5) ** -0.5 + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, y)
        print(split, loss.item())
        return loss.item()

    split_loss("train")
    val_loss = split_loss("val")

    g = torch.Generator().manual_seed(2147483647 + 10)
    for _ in range(5):
        out = []
        context = [0] * block_size
        while True:
            emb = C[torch.tensor([context])]
            embcat = emb.view(emb.shape[0], -1)
            hpreact = embcat @ W1 + b1
            hpreact = bngain * (hpreact - bnmean) * (bnvar + 1e-5) ** -0.5 + bnbias
            h = torch.tanh(hpreact)
            logits = h @ W2 + b2
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = [*context[1:], ix]
            out.append(ix)
            if ix == 0 or len(out) > 30:
                break
        print("".join(itos[i] for i in out))
    return {"grad_diff": max(diffs), "loss_diff": loss_diff, "val_loss": val_loss}


if __name__ == "__main__":
    main()
