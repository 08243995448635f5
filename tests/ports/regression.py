"""The shape of pytorch/examples ``regression/main.py``: one ``nn.Linear`` learns the
coefficients of a random degree-4 polynomial from batches of its features (x, x^2, x^3,
x^4, made by ``unsqueeze`` and ``torch.cat``; the targets by ``x.mm(W_target) +
b_target.item()``), with ``F.smooth_l1_loss``, ``fc.zero_grad()`` and a hand-written step
``param.data.add_(-0.1 * param.grad)``, until the loss is under 1e-3; then it prints both
polynomials by formatting 0-d tensors (``f"{w:+.2f}"``). Ported by changing the imports.
``--max-batches`` (the port's budget) stops it if it has not converged; ``--zero-style
old`` zeroes the gradients the 2017 way (``fc.weight.grad.data.zero_()``).

``main`` returns a dict: the final ``loss`` (lower is better; under 1e-3 once it has
converged) and the number of ``batches`` it took."""

import argparse
from itertools import count

import minigrad as torch
import minigrad.nn.functional as F

POLY_DEGREE = 4


def make_features(x):
    """The columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x**i for i in range(1, POLY_DEGREE + 1)], 1)


def poly_desc(W, b):
    """A polynomial as a string."""
    result = "y = "
    for i, w in enumerate(W):
        result += f"{w:+.2f} x^{i + 1} "
    result += f"{b[0]:+.2f}"
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description="PyTorch polynomial regression")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-batches", type=int, default=100000)
    parser.add_argument("--zero-style", choices=["new", "old"], default="new")
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)

    W_target = torch.randn(POLY_DEGREE, 1) * 5
    b_target = torch.randn(1) * 5

    def f(x):
        """The function to learn."""
        return x.mm(W_target) + b_target.item()

    def get_batch(batch_size=32):
        """A batch of (x, f(x)) pairs."""
        random = torch.randn((batch_size,))
        x = make_features(random)
        y = f(x)
        return x, y

    # the model
    fc = torch.nn.Linear(W_target.size(0), 1)

    for batch_idx in count(1):
        # the data
        batch_x, batch_y = get_batch(args.batch_size)

        # clear the gradients
        if args.zero_style == "new":
            fc.zero_grad()
        elif fc.weight.grad is not None:
            fc.weight.grad.data.zero_()
            fc.bias.grad.data.zero_()

        # forward
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()

        # backward
        output.backward()

        # a step of gradient descent
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)

        # stop once it fits
        if loss < 1e-3 or batch_idx >= args.max_batches:
            break

    print(f"Loss: {loss:.6f} after {batch_idx} batches")
    print("==> Learned function:\t" + poly_desc(fc.weight.view(-1), fc.bias))
    print("==> Actual function:\t" + poly_desc(W_target.view(-1), b_target))
    return {"loss": loss, "batches": batch_idx}


if __name__ == "__main__":
    main()
