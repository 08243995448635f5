"""The shape of a textbook's Batch Normalization chapter: batch normalization written from
scratch (the mode chosen by ``torch.is_grad_enabled()``, moving statistics kept as plain
tensors and moved with ``.to``), LeNet with it, and the concise LeNet built from
``nn.LazyConv2d``, ``nn.LazyBatchNorm2d``, ``nn.LazyBatchNorm1d`` and ``nn.LazyLinear``;
both trained with SGD at learning rate 1 after Xavier initialisation. Ported by changing
the imports; the book's Fashion-MNIST is MNIST here."""

import argparse

import minigrad as torch
from minigrad import nn
from minigrad.data import MNIST  # instead of: torchvision.datasets.FashionMNIST
from minigrad.utils.data import DataLoader, Subset


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    # Use is_grad_enabled to determine whether we are in training mode
    if not torch.is_grad_enabled():
        # In prediction mode, use mean and variance obtained by moving average
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            # When using a fully connected layer, calculate the mean and
            # variance on the feature dimension
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            # When using a two-dimensional convolutional layer, calculate the
            # mean and variance on the channel dimension (axis=1). Here we
            # need to maintain the shape of X, so that the broadcasting
            # operation can be carried out later
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        # In training mode, the current mean and variance are used
        X_hat = (X - mean) / torch.sqrt(var + eps)
        # Update the mean and variance using moving average
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    Y = gamma * X_hat + beta  # Scale and shift
    return Y, moving_mean.data, moving_var.data


class BatchNorm(nn.Module):
    # num_features: the number of outputs for a fully connected layer or the
    # number of output channels for a convolutional layer. num_dims: 2 for a
    # fully connected layer and 4 for a convolutional layer
    def __init__(self, num_features, num_dims):
        super().__init__()
        if num_dims == 2:
            shape = (1, num_features)
        else:
            shape = (1, num_features, 1, 1)
        # The scale parameter and the shift parameter (model parameters) are
        # initialized to 1 and 0, respectively
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        # The variables that are not model parameters are initialized to 0 and 1
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        # If X is not on the main memory, copy moving_mean and moving_var to
        # the device where X is located
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        # Save the updated moving_mean and moving_var
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.1
        )
        return Y


def lenet_from_scratch():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10),
    )  # fmt: skip


def lenet_concise():
    return nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.LazyLinear(120), nn.LazyBatchNorm1d(), nn.Sigmoid(),
        nn.LazyLinear(84), nn.LazyBatchNorm1d(), nn.Sigmoid(),
        nn.LazyLinear(10),
    )  # fmt: skip


def init_cnn(module):
    """Initialize weights for CNNs."""
    if type(module) is nn.Linear or type(module) is nn.Conv2d:
        nn.init.xavier_uniform_(module.weight)


def evaluate_accuracy(net, data_iter):
    if isinstance(net, nn.Module):
        net.eval()  # Set the model to evaluation mode
    correct, total = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            y_hat = net(X)
            correct += float((y_hat.argmax(axis=1).type(y.dtype) == y).sum())
            total += y.numel()
    return correct / total


def train(net, train_iter, test_iter, num_epochs, lr, first_batch):
    net(first_batch)  # a dummy pass: lazy layers learn their shapes before init
    net.apply(init_cnn)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    for epoch in range(num_epochs):
        net.train()
        for X, y in train_iter:
            optimizer.zero_grad()
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
        test_acc = evaluate_accuracy(net, test_iter)
        print(f"epoch {epoch + 1}, loss {l.item():.3f}, test acc {test_acc:.3f}")
    return test_acc


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["scratch", "concise"], default="scratch")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--train-limit", type=int, default=None)  # the port's budget
    parser.add_argument("--test-limit", type=int, default=None)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    train_set, test_set = MNIST(train=True), MNIST(train=False)
    if args.train_limit:
        train_set = Subset(train_set, range(args.train_limit))
    if args.test_limit:
        test_set = Subset(test_set, range(args.test_limit))
    train_iter = DataLoader(train_set, args.batch_size, shuffle=True)
    test_iter = DataLoader(test_set, args.batch_size, shuffle=False)
    net = lenet_from_scratch() if args.model == "scratch" else lenet_concise()
    first_batch = next(iter(train_iter))[0]
    return train(net, train_iter, test_iter, args.epochs, args.lr, first_batch)


if __name__ == "__main__":
    main()
