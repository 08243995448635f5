"""The shape of an article's snippet: a SimpleNN with one hidden layer and BatchNorm1d,
trained with Adam and CrossEntropyLoss. Ported by changing the imports."""

import argparse

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad.data import MNIST  # instead of: from torchvision import datasets, transforms
from minigrad.utils.data import DataLoader, Subset


class SimpleNN(nn.Module):
    def __init__(self):
        super(SimpleNN, self).__init__()  # noqa: UP008 (the article's spelling)
        self.fc1 = nn.Linear(28 * 28, 64)
        self.bn1 = nn.BatchNorm1d(64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        x = F.relu(self.bn1(self.fc1(x)))
        x = self.fc2(x)
        return x


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-limit", type=int, default=None)  # the port's budget
    parser.add_argument("--test-limit", type=int, default=None)
    args = parser.parse_args(argv)
    torch.manual_seed(0)

    train_dataset, test_dataset = MNIST(train=True), MNIST(train=False)
    if args.train_limit:
        train_dataset = Subset(train_dataset, range(args.train_limit))
    if args.test_limit:
        test_dataset = Subset(test_dataset, range(args.test_limit))
    train_loader = DataLoader(train_dataset, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_dataset, batch_size=1000, shuffle=False)

    model = SimpleNN()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)

    for epoch in range(args.epochs):
        model.train()
        running_loss = 0.0
        for images, labels in train_loader:
            optimizer.zero_grad()
            outputs = model(images)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        print(f"Epoch {epoch + 1}, Loss: {running_loss / len(train_loader):.4f}")

    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for images, labels in test_loader:
            outputs = model(images)
            _, predicted = torch.max(outputs, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    print(f"Accuracy: {100 * correct / total:.2f}%")
    return correct / total


if __name__ == "__main__":
    main()
