"""Train a small network on two interleaved spirals, with nothing but minigrad's core.

This is the whole of deep learning in a page: parameters are tensors that require grad,
the forward pass is ordinary arithmetic, ``loss.backward()`` fills in every ``.grad``, and
an update under ``no_grad()`` moves the parameters downhill.

    python examples/spiral_demo.py [--steps 1500] [--device cpu|cuda] [--seed 0]

It prints the loss and accuracy as it trains and ends with one machine-readable line:
``final train_accuracy=0.99 steps=1500 seconds=1.9 device=cpu``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

import minigrad


def make_spirals(points_per_class: int, rng: np.random.Generator):
    """Two spirals in the plane, one per class, with a little noise."""
    t = np.linspace(0.25, 3 * math.pi, points_per_class)
    xs, ys = [], []
    for label, phase in enumerate((0.0, math.pi)):
        radius = t / (3 * math.pi)
        x = np.stack([radius * np.cos(t + phase), radius * np.sin(t + phase)], axis=1)
        xs.append(x + rng.normal(0.0, 0.02, x.shape))
        ys.append(np.full(points_per_class, label))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)


def init_linear(fan_in: int, fan_out: int, device: str):
    """PyTorch's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = 1.0 / math.sqrt(fan_in)
    w = (minigrad.rand(fan_in, fan_out, device=device) * 2 - 1) * bound
    b = (minigrad.rand(fan_out, device=device) * 2 - 1) * bound
    return w.requires_grad_(), b.requires_grad_()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if args.device == "cuda" and not minigrad.cuda.is_available():
        print("error: --device cuda needs CuPy and an NVIDIA GPU (pip install 'minigrad[cuda13]')")
        return 2

    minigrad.manual_seed(args.seed)
    features, labels = make_spirals(200, np.random.default_rng(args.seed))
    x = minigrad.tensor(features, device=args.device)
    y = minigrad.tensor(labels, device=args.device)

    params = [
        *init_linear(2, args.hidden, args.device),
        *init_linear(args.hidden, args.hidden, args.device),
        *init_linear(args.hidden, 2, args.device),
    ]
    w1, b1, w2, b2, w3, b3 = params

    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        hidden = minigrad.tanh(x @ w1 + b1)
        hidden = minigrad.relu(hidden @ w2 + b2)
        logits = hidden @ w3 + b3
        loss = minigrad.cross_entropy(logits, y)

        for p in params:
            p.grad = None
        loss.backward()
        with minigrad.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=args.lr)

        if step % 250 == 0 or step == 1:
            accuracy = (logits.argmax(dim=1) == y).float().mean().item()
            print(f"step {step:5d}  loss {loss.item():.4f}  accuracy {accuracy:.3f}")
    seconds = time.perf_counter() - start

    with minigrad.no_grad():
        hidden = minigrad.relu(minigrad.tanh(x @ w1 + b1) @ w2 + b2)
        accuracy = ((hidden @ w3 + b3).argmax(dim=1) == y).float().mean().item()
    print(
        f"final train_accuracy={accuracy:.4f} steps={args.steps} seconds={seconds:.1f} "
        f"device={args.device}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
