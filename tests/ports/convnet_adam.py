"""The shape of a popular tutorial's convolutional network: two Conv2d + BatchNorm2d +
ReLU + MaxPool2d blocks and a Linear layer, trained with Adam, evaluated with
``torch.max(outputs.data, 1)``, saved with ``torch.save``. Ported by changing the
imports."""

import argparse
import os
import tempfile

import minigrad as torch
import minigrad.nn as nn
from minigrad.data import MNIST  # instead of: import torchvision
from minigrad.utils.data import Subset

# Device configuration
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


# Convolutional neural network (two convolutional layers)
class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super(ConvNet, self).__init__()  # noqa: UP008 (the tutorial's spelling)
        self.layer1 = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.layer2 = nn.Sequential(
            nn.Conv2d(16, 32, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.fc = nn.Linear(7 * 7 * 32, num_classes)

    def forward(self, x):
        out = self.layer1(x)
        out = self.layer2(out)
        out = out.reshape(out.size(0), -1)
        out = self.fc(out)
        return out


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-limit", type=int, default=None)  # the port's budget
    parser.add_argument("--test-limit", type=int, default=None)
    args = parser.parse_args(argv)
    torch.manual_seed(0)

    # Hyper parameters
    num_epochs = args.epochs
    num_classes = 10
    batch_size = 100
    learning_rate = 0.001

    train_dataset, test_dataset = MNIST(train=True), MNIST(train=False)
    if args.train_limit:
        train_dataset = Subset(train_dataset, range(args.train_limit))
    if args.test_limit:
        test_dataset = Subset(test_dataset, range(args.test_limit))

    # Data loader
    train_loader = torch.utils.data.DataLoader(
        dataset=train_dataset, batch_size=batch_size, shuffle=True
    )
    test_loader = torch.utils.data.DataLoader(
        dataset=test_dataset, batch_size=batch_size, shuffle=False
    )

    model = ConvNet(num_classes).to(device)

    # Loss and optimizer
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

    # Train the model
    total_step = len(train_loader)
    for epoch in range(num_epochs):
        for i, (images, labels) in enumerate(train_loader):
            images = images.to(device)
            labels = labels.to(device)

            # Forward pass
            outputs = model(images)
            loss = criterion(outputs, labels)

            # Backward and optimize
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            if (i + 1) % 100 == 0:
                print(
                    f"Epoch [{epoch + 1}/{num_epochs}], Step [{i + 1}/{total_step}], "
                    f"Loss: {loss.item():.4f}"
                )

    # Test the model
    # eval mode (batchnorm uses moving mean/variance instead of mini-batch mean/variance)
    model.eval()
    with torch.no_grad():
        correct = 0
        total = 0
        for images, labels in test_loader:
            images = images.to(device)
            labels = labels.to(device)
            outputs = model(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()

        print(f"Test Accuracy of the model on the test images: {100 * correct / total} %")

    # Save the model checkpoint
    with tempfile.TemporaryDirectory() as folder:
        torch.save(model.state_dict(), os.path.join(folder, "model.ckpt"))
    return correct / total


if __name__ == "__main__":
    main()
