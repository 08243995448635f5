"""The shape of PyTorch's tutorial "Learning PyTorch with Examples": a third-order
polynomial fitted to sin(x) on [-pi, pi], written the tutorial's seven ways: tensors with
hand-written gradients (0-d tensors updated with ``-=``); autograd after
``torch.set_default_device``, with updates under ``no_grad`` and ``a.grad = None``; a
custom ``torch.autograd.Function`` (``ctx.save_for_backward``, ``ctx.saved_tensors``,
``.apply``); ``nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))`` on features
``x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))`` with ``MSELoss(reduction="sum")`` and
``param -= lr * param.grad``; ``optim.RMSprop``; a custom Module of ``nn.Parameter``
scalars; and a dynamic net of random depth sharing one weight, trained by SGD with
momentum. Plus the older edition's two-layer ReLU net with hand-written gradients
(``mm``, ``t()``, ``clamp(min=0)``, ``clone`` and boolean-mask assignment). Ported by
changing the imports.

``main`` returns a dict: the final loss of each piece (lower is better)."""

import argparse
import math
import random

import minigrad as torch


def piece_tensors(steps, log):
    dtype = torch.float
    device = torch.device("cpu")
    # device = torch.device("cuda:0") would run it on a GPU

    # the inputs and the targets
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)

    # four random weights
    a = torch.randn((), device=device, dtype=dtype)
    b = torch.randn((), device=device, dtype=dtype)
    c = torch.randn((), device=device, dtype=dtype)
    d = torch.randn((), device=device, dtype=dtype)

    learning_rate = 1e-6
    for t in range(steps):
        # forward: predicted y
        y_pred = a + b * x + c * x**2 + d * x**3

        # the squared error, as a Python number
        loss = (y_pred - y).pow(2).sum().item()
        if t % log == log - 1:
            print(t, loss)

        # backward by hand: gradients of the loss with respect to a, b, c, d
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x**2).sum()
        grad_d = (grad_y_pred * x**3).sum()

        # gradient descent
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d

    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
    return loss


def piece_two_layer_tensors(steps, log):
    # the tutorial's older edition: a two-layer ReLU network on random data
    dtype = torch.float
    device = torch.device("cpu")
    N, D_in, H, D_out = 64, 1000, 100, 10
    x = torch.randn(N, D_in, device=device, dtype=dtype)
    y = torch.randn(N, D_out, device=device, dtype=dtype)
    w1 = torch.randn(D_in, H, device=device, dtype=dtype)
    w2 = torch.randn(H, D_out, device=device, dtype=dtype)

    learning_rate = 1e-6
    for t in range(min(steps, 500)):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)

        loss = (y_pred - y).pow(2).sum().item()
        if t % log == log - 1:
            print(t, loss)

        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)

        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return loss


def piece_autograd(steps, log):
    dtype = torch.float
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.set_default_device(device)

    # no gradients are wanted for the data
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)

    # the weights do want gradients
    a = torch.randn((), dtype=dtype, requires_grad=True)
    b = torch.randn((), dtype=dtype, requires_grad=True)
    c = torch.randn((), dtype=dtype, requires_grad=True)
    d = torch.randn((), dtype=dtype, requires_grad=True)

    learning_rate = 1e-6
    for t in range(steps):
        y_pred = a + b * x + c * x**2 + d * x**3

        # the loss is now a 0-d tensor; loss.item() is its number
        loss = (y_pred - y).pow(2).sum()
        if t % log == log - 1:
            print(t, loss.item())

        # autograd fills a.grad, b.grad, c.grad, d.grad
        loss.backward()

        # update in place without recording it, then drop the gradients
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad

            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None

    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
    torch.set_default_device(None)  # the port's: no default device set afterwards
    return loss.item()


class LegendrePolynomial3(torch.autograd.Function):
    """P3(x) = (5x^3 - 3x) / 2 with its own backward."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


def piece_custom_function(steps, log):
    dtype = torch.float
    device = torch.device("cpu")

    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)

    # y = a + b * P3(c + d * x); start near the answer so it converges
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

    learning_rate = 5e-6
    for t in range(steps):
        P3 = LegendrePolynomial3.apply

        y_pred = a + b * P3(c + d * x)

        loss = (y_pred - y).pow(2).sum()
        if t % log == log - 1:
            print(t, loss.item())

        loss.backward()

        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad

            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None

    print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")
    return loss.item()


def piece_nn(steps, log):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)

    # the features x, x^2, x^3: (2000, 1) to the powers (3,) broadcasts to (2000, 3)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)

    # Linear gives (2000, 1); Flatten(0, 1) makes it (2000,) to match y
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))

    loss_fn = torch.nn.MSELoss(reduction="sum")

    learning_rate = 1e-6
    for t in range(steps):
        y_pred = model(xx)

        loss = loss_fn(y_pred, y)
        if t % log == log - 1:
            print(t, loss.item())

        model.zero_grad()

        loss.backward()

        # each parameter is a tensor: update it in place, outside autograd
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad

    linear_layer = model[0]
    print(
        f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
        f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3"
    )
    return loss.item()


def piece_optim(steps, log):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)

    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)

    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    loss_fn = torch.nn.MSELoss(reduction="sum")

    learning_rate = 1e-3
    optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
    for t in range(steps):
        y_pred = model(xx)

        loss = loss_fn(y_pred, y)
        if t % log == log - 1:
            print(t, loss.item())

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    linear_layer = model[0]
    print(
        f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
        f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3"
    )
    return loss.item()


class Polynomial3(torch.nn.Module):
    def __init__(self):
        """Four scalar parameters."""
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**3

    def string(self):
        return (
            f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"
        )


def piece_module(steps, log):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)

    model = Polynomial3()

    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for t in range(steps):
        y_pred = model(x)

        loss = criterion(y_pred, y)
        if t % log == log - 1:
            print(t, loss.item())

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    print(f"Result: {model.string()}")
    return loss.item()


class DynamicNet(torch.nn.Module):
    def __init__(self):
        """Five parameters; e is used for every power above 3."""
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        """A polynomial of order 3, 4 or 5, drawn at random each pass; the higher terms all
        share the weight e, so it gets several contributions to its gradient."""
        y = self.a + self.b * x + self.c * x**2 + self.d * x**3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x**exp
        return y

    def string(self):
        return (
            f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + "
            f"{self.d.item()} x^3 + {self.e.item()} x^4 ? + {self.e.item()} x^5 ?"
        )


def piece_dynamic(steps, log):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)

    model = DynamicNet()

    # plain SGD struggles here; momentum helps
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    for t in range(steps):
        y_pred = model(x)

        loss = criterion(y_pred, y)
        if t % log == log - 1:
            print(t, loss.item())

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    print(f"Result: {model.string()}")
    return loss.item()


PIECES = {
    "tensors": piece_tensors,
    "two_layer_tensors": piece_two_layer_tensors,
    "autograd": piece_autograd,
    "custom_function": piece_custom_function,
    "nn": piece_nn,
    "optim": piece_optim,
    "module": piece_module,
    "dynamic": piece_dynamic,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Learning PyTorch with Examples")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--dynamic-steps", type=int, default=30000)
    parser.add_argument("--log-interval", type=int, default=100)
    parser.add_argument("--pieces", default=",".join(PIECES))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    results = {}
    for name in args.pieces.split(","):
        torch.manual_seed(args.seed)
        random.seed(args.seed)
        steps = args.dynamic_steps if name == "dynamic" else args.steps
        print(f"--- {name}")
        results[name] = PIECES[name](steps, args.log_interval)
    print(results)
    return results


if __name__ == "__main__":
    main()
