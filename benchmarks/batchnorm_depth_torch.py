"""The depth sweep of ``examples/batchnorm_study.py`` in PyTorch, as a cross-check.

The same networks (``depth`` hidden layers of 500 units, Linear (-> BatchNorm1d) ->
activation, then Linear(500, 10)), PyTorch's default initialisation, SGD lr 0.1 momentum
0.9, batches of 500 in the order minigrad's ``DataLoader(seed=...)`` gives, standardised
pixels from minigrad's verified MNIST, and test accuracy (evaluation mode, the whole test
set) every 10 steps. Prints the steps until it first reaches 90% (``-``: not within the
budget) for each seed.

    pip install torch==2.13.0
    python benchmarks/batchnorm_depth_torch.py --activation sigmoid --bn --depths 1 4 7
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from torch import nn

from minigrad.data import MNIST


def build(depth: int, activation: str, batch_norm: bool) -> nn.Sequential:
    act = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}[activation]
    layers, features = [nn.Flatten()], 28 * 28
    for _ in range(depth):
        layers.append(nn.Linear(features, 500))
        if batch_norm:
            layers.append(nn.BatchNorm1d(500))
        layers.append(act())
        features = 500
    return nn.Sequential(*layers, nn.Linear(features, 10))


def steps_to_90(model, data, seed: int, budget: int) -> int | None:
    x_train, y_train, x_test, y_test = data
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    step, epoch = 0, 0
    while True:
        order = torch.from_numpy(np.random.default_rng([seed, epoch]).permutation(len(x_train)))
        epoch += 1
        for start in range(0, len(x_train) - 499, 500):
            model.train()
            index = order[start : start + 500]
            loss = loss_fn(model(x_train[index]), y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if step % 10 == 0:
                model.eval()
                with torch.no_grad():
                    accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
                if accuracy >= 0.9:
                    return step
            if step >= budget:
                return None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--activation", choices=("relu", "sigmoid"), default="sigmoid")
    p.add_argument("--bn", action="store_true")
    p.add_argument("--depths", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6, 7])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--budget", type=int, default=3000)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    train, test = MNIST(train=True), MNIST(train=False)
    data = tuple(torch.from_numpy(t.numpy()) for t in
                 (train.images, train.labels, test.images, test.labels))  # fmt: skip
    for seed in args.seeds:
        results = []
        for depth in args.depths:
            torch.manual_seed(seed)
            model = build(depth, args.activation, args.bn)
            results.append(steps_to_90(model, data, seed, args.budget))
        name = f"{args.activation}{'+BN' if args.bn else ''}"
        print(f"{name} seed {seed}: " + "/".join(str(r) if r else "-" for r in results))


if __name__ == "__main__":
    main()
