"""The shape of pytorch/examples ``mnist_forward_forward/main.py``: Hinton's
forward-forward algorithm. The label is written into the first 10 pixels of each
flattened image (``clone``, ``x_[:, :10] *= 0.0``, ``x_[range(n), y] = x.max()``), wrong
labels are drawn one by one (``torch.randint``, item assignment); each layer, a subclass
of ``nn.Linear`` with its own ``Adam`` that overrides ``train``, is trained alone on the
softplus of its goodness margins (``x.norm(2, 1, keepdim=True)``, ``torch.mm(x,
self.weight.T)``, ``pow(2).mean(1)``, ``torch.log(1 + torch.exp(...))``), and prediction
picks the label of highest total goodness (``sum`` of tensors, ``torch.cat``,
``argmax``). Device choice by ``torch.cuda``, ``torch.xpu`` and ``torch.backends.mps``.
Ported by changing the imports; torchvision's MNIST with its flattening transform is
minigrad's MNIST through a small Dataset that flattens each image.

Like the example, the layers read the module-level ``args`` and ``device``, which
``main`` sets. ``main`` returns the test accuracy (1 - the example's test error)."""

import argparse

import minigrad as torch
import minigrad.nn as nn
from minigrad.data import MNIST  # instead of: from torchvision.datasets import MNIST
from minigrad.optim import Adam
from minigrad.utils.data import DataLoader, Dataset

args = None
device = None


class Flattened(Dataset):
    """What Compose([ToTensor(), Normalize(...), Lambda(lambda x: torch.flatten(x))]) gives:
    each normalised image as a vector of 784."""

    def __init__(self, data, limit):
        self.data = data
        self.limit = min(limit, len(data))

    def __len__(self):
        return self.limit

    def __getitem__(self, i):
        x, y = self.data[i]
        return torch.flatten(x), y


def get_y_neg(y):
    y_neg = y.clone()
    for idx, y_samp in enumerate(y):
        allowed_indices = list(range(10))
        allowed_indices.remove(y_samp.item())
        y_neg[idx] = torch.tensor(allowed_indices)[
            torch.randint(len(allowed_indices), size=(1,))
        ].item()
    return y_neg.to(device)


def overlay_y_on_x(x, y, classes=10):
    """Zero the first ``classes`` pixels and set pixel ``y`` of each row to the image max."""
    x_ = x.clone()
    x_[:, :classes] *= 0.0
    x_[range(x.shape[0]), y] = x.max()
    return x_


class Net(torch.nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.layers = []
        for d in range(len(dims) - 1):
            self.layers = [*self.layers, Layer(dims[d], dims[d + 1]).to(device)]

    def predict(self, x):
        goodness_per_label = []
        for label in range(10):
            h = overlay_y_on_x(x, label)
            goodness = []
            for layer in self.layers:
                h = layer(h)
                goodness = [*goodness, h.pow(2).mean(1)]
            goodness_per_label += [sum(goodness).unsqueeze(1)]
        goodness_per_label = torch.cat(goodness_per_label, 1)
        return goodness_per_label.argmax(1)

    def train(self, x_pos, x_neg):
        h_pos, h_neg = x_pos, x_neg
        for i, layer in enumerate(self.layers):
            print("training layer: ", i)
            h_pos, h_neg = layer.train(h_pos, h_neg)


class Layer(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.relu = torch.nn.ReLU()
        self.opt = Adam(self.parameters(), lr=args.lr)
        self.threshold = args.threshold
        self.num_epochs = args.epochs

    def forward(self, x):
        # only the direction of the previous layer's activity is passed on
        x_direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)
        return self.relu(torch.mm(x_direction, self.weight.T) + self.bias.unsqueeze(0))

    def train(self, x_pos, x_neg):
        for i in range(self.num_epochs):
            g_pos = self.forward(x_pos).pow(2).mean(1)
            g_neg = self.forward(x_neg).pow(2).mean(1)
            # softplus of the margins: push positive goodness above the threshold and
            # negative goodness below it
            loss = torch.log(
                1 + torch.exp(torch.cat([-g_pos + self.threshold, g_neg - self.threshold]))
            ).mean()
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            if i % args.log_interval == 0:
                print("Loss: ", loss.item())
        return self.forward(x_pos).detach(), self.forward(x_neg).detach()


def main(argv=None):
    global args, device
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1000, metavar="N")
    parser.add_argument("--lr", type=float, default=0.03, metavar="LR")
    parser.add_argument("--no_cuda", action="store_true", default=False)
    parser.add_argument("--no_xpu", action="store_true", default=False)
    parser.add_argument("--no_mps", action="store_true", default=False)
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--save_model", action="store_true", default=False)
    parser.add_argument("--train_size", type=int, default=50000)
    parser.add_argument("--threshold", type=float, default=2)
    parser.add_argument("--test_size", type=int, default=10000)
    parser.add_argument("--log-interval", type=int, default=10, metavar="N")
    args = parser.parse_args(argv)
    use_cuda = not args.no_cuda and torch.cuda.is_available()
    use_xpu = not args.no_xpu and torch.xpu.is_available()
    use_mps = not args.no_mps and torch.backends.mps.is_available()
    if use_cuda:
        device = torch.device("cuda")
    elif use_xpu:
        device = torch.device("xpu")
    elif use_mps:
        device = torch.device("mps")
    else:
        device = torch.device("cpu")
    torch.manual_seed(args.seed)

    train_kwargs = {"batch_size": args.train_size}
    test_kwargs = {"batch_size": args.test_size}
    if use_cuda:
        cuda_kwargs = {"num_workers": 1, "pin_memory": True, "shuffle": True}
        train_kwargs.update(cuda_kwargs)
        test_kwargs.update(cuda_kwargs)

    train_loader = DataLoader(Flattened(MNIST(train=True), args.train_size), **train_kwargs)
    test_loader = DataLoader(Flattened(MNIST(train=False), args.test_size), **test_kwargs)

    net = Net([784, 500, 500])
    x, y = next(iter(train_loader))
    x, y = x.to(device), y.to(device)
    x_pos = overlay_y_on_x(x, y)
    y_neg = get_y_neg(y)
    x_neg = overlay_y_on_x(x, y_neg)
    net.train(x_pos, x_neg)
    print("train error:", 1.0 - net.predict(x).eq(y).float().mean().item())
    x_te, y_te = next(iter(test_loader))
    x_te, y_te = x_te.to(device), y_te.to(device)
    if args.save_model:
        torch.save(net.state_dict(), "mnist_ff.pt")
    test_error = 1.0 - net.predict(x_te).eq(y_te).float().mean().item()
    print("test error:", test_error)
    return 1.0 - test_error


if __name__ == "__main__":
    main()
