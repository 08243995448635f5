"""The default MNIST MLP run in PyTorch, for comparing wall time and accuracy with minigrad.

The same model (7 x [Linear(500) -> BatchNorm1d -> ReLU], Linear(500, 10)), optimizer (SGD
lr 0.1, momentum 0.9, weight decay 5e-4), per-step cosine schedule, batch size, epochs,
data (minigrad's verified copy of MNIST, normalised the same way) and shuffling scheme as
``examples/mnist_mlp.py``; only the framework differs. Both print the same final line.

    pip install torch==2.13.0
    python benchmarks/mnist_mlp_torch.py [--epochs 5] [--threads 2]
    python examples/mnist_mlp.py          # minigrad, for the other half of the comparison
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

from minigrad.data import MNIST


def build_model(depth: int = 7, width: int = 500) -> nn.Sequential:
    layers, features = [nn.Flatten()], 28 * 28
    for _ in range(depth):
        layers += [nn.Linear(features, width), nn.BatchNorm1d(width), nn.ReLU()]
        features = width
    return nn.Sequential(*layers, nn.Linear(features, 10))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train, test = MNIST(train=True), MNIST(train=False)
    x_train, y_train = (
        torch.from_numpy(train.images.numpy()),
        torch.from_numpy(train.labels.numpy()),
    )
    x_test, y_test = torch.from_numpy(test.images.numpy()), torch.from_numpy(test.labels.numpy())

    model = build_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    steps_per_epoch = len(x_train) // args.batch_size
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs * steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()

    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        # The same order as minigrad's DataLoader(seed=args.seed) gives in this epoch.
        order = torch.from_numpy(
            np.random.default_rng([args.seed, epoch]).permutation(len(x_train))
        )
        for step in range(steps_per_epoch):
            index = order[step * args.batch_size : (step + 1) * args.batch_size]
            loss = loss_fn(model(x_train[index]), y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        model.eval()
        with torch.no_grad():
            correct = sum(
                (model(x_test[i : i + 1000]).argmax(1) == y_test[i : i + 1000]).sum().item()
                for i in range(0, len(x_test), 1000)
            )
        accuracy = correct / len(x_test)
        print(
            f"epoch {epoch + 1}/{args.epochs}  test_accuracy {accuracy:.4f}  "
            f"({time.perf_counter() - start:.1f} s)",
            flush=True,
        )
    seconds = time.perf_counter() - start
    print(
        f"final test_accuracy={accuracy:.4f} epochs={args.epochs} seconds={seconds:.1f} "
        f"device=cpu framework=torch-{torch.__version__} threads={args.threads}"
    )


if __name__ == "__main__":
    main()
