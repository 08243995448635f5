"""The shape of PyTorch's "Deep Learning with PyTorch: A 60 Minute Blitz", its four
tutorials in one file, chosen by ``--part {tensors,autograd,neural_networks,classifier,all}``.
Ported by changing the imports.

What it touches. *tensors*: ``torch.tensor`` from nested lists, ``torch.from_numpy``,
``ones_like`` and ``rand_like(dtype=torch.float)``, ``rand``/``ones``/``zeros`` of a shape
tuple, ``shape``/``dtype``/``device``, ``torch.accelerator.is_available()`` and
``current_accelerator()``, ``tensor[..., -1]`` and ``tensor[:, 1] = 0``, ``torch.cat(dim=1)``,
matrix products as ``@``, ``.matmul`` and ``torch.matmul(..., out=y3)``, element-wise
products as ``*``, ``.mul`` and ``torch.mul(..., out=z3)``, ``sum().item()``, ``add_(5)``, and
the NumPy bridge (``t.numpy()`` then ``t.add_(1)``; ``from_numpy`` then ``np.add(n, 1,
out=n)``). *autograd*: a ResNet's forward pass, ``(prediction - labels).sum().backward()``,
``SGD(momentum=0.9).step()``, ``Q = 3*a**3 - b**2`` with ``Q.backward(gradient=...)`` checked
by ``9*a**2 == a.grad``, which results require grad, and fine-tuning: every parameter frozen
(``param.requires_grad = False``) and ``model.fc`` replaced. *neural_networks*: LeNet with
``F.max_pool2d(F.relu(self.conv1(x)), (2, 2))`` and ``torch.flatten(x, 1)``, ``print(net)``,
``list(net.parameters())``, ``params[0].size()``, ``out.backward(torch.randn(1, 10))``,
``nn.MSELoss`` against ``target.view(1, -1)``, ``loss.grad_fn`` and its ``next_functions``,
``net.conv1.bias.grad`` before and after ``backward``, the hand-written update
``f.data.sub_(f.grad.data * learning_rate)``, then ``optim.SGD``. *classifier*: the CIFAR-10
loop: a ``Dataset`` with a ToTensor + Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)) transform,
``DataLoader(batch_size=4, shuffle=True)``, ``classes[labels[j]]``, ``CrossEntropyLoss``,
``SGD(lr=0.001, momentum=0.9)``, ``for i, data in enumerate(trainloader, 0)``, the running
loss, ``torch.save(net.state_dict(), PATH)`` and a fresh ``Net`` loading it with
``torch.load(PATH, weights_only=True)``, ``_, predicted = torch.max(outputs, 1)``, the
accuracy under ``torch.no_grad()`` and per class over ``zip(labels, predictions)``.

What was changed: the autograd tutorial's pretrained ``resnet18`` (downloaded weights) is a
ResNet of the same layout with one ``BasicBlock`` per stage, randomly initialised (its ``fc``
still takes 512 features, so ``model.fc = nn.Linear(512, 10)`` as in the tutorial); after the
tutorial's last line (the optimizer over the frozen model) the port runs one step and
checks that only ``fc`` received gradients. CIFAR-10 (downloaded) is made here with a fixed
seed: 32 x 32 colour images of ten classes, each a disc of its class's hue on a dim
background of a random colour, plus noise (no network); ``--train-limit`` and
``--test-limit`` size it (CIFAR-10's 50,000 and 10,000 by default), and ``num_workers=2``
is accepted but the batches are made in the calling process. The images are not shown (the
tutorial's ``imshow``); the tensors part also prints ``y1, y2, y3`` and ``z1, z2, z3``.
The checkpoint goes to a temporary folder, removed at the end. ``--seed``, the sizes,
``--epochs`` and ``--log-interval`` (the tutorial's 2,000 mini-batches) are options.

``main`` returns a dict of the parts run: ``tensors_check`` (1.0 if the three products
agree, each way, and the sum is 12), ``autograd_check`` (1.0 if ``9*a**2 == a.grad`` and
``-2*b == b.grad`` hold and ``x + y`` needs no grad), ``frozen_check`` (1.0 if only the new
``fc`` got gradients and the frozen weights did not move), ``mse_loss`` (the LeNet's loss
after its optimizer step) and ``mse_decrease`` (how much lower it is than the loss before
the two updates, as a fraction of that; 0 for a step that does nothing), ``accuracy`` (the
classifier's test accuracy, a fraction; 0.1 for a model that learns nothing).
"""

import argparse
import os
import shutil
import tempfile

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad.utils.data import DataLoader, Dataset

# ---------------------------------------------------------------------------------------------
# 1. Tensors


def tensors_part():
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    print(x_data)

    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)
    print(x_np)

    x_ones = torch.ones_like(x_data)  # keeps the properties of x_data
    print(f"Ones Tensor: \n {x_ones} \n")
    x_rand = torch.rand_like(x_data, dtype=torch.float)  # overrides the datatype of x_data
    print(f"Random Tensor: \n {x_rand} \n")

    shape = (2, 3)
    rand_tensor = torch.rand(shape)
    ones_tensor = torch.ones(shape)
    zeros_tensor = torch.zeros(shape)
    print(f"Random Tensor: \n {rand_tensor} \n")
    print(f"Ones Tensor: \n {ones_tensor} \n")
    print(f"Zeros Tensor: \n {zeros_tensor}")

    tensor = torch.rand(3, 4)
    print(f"Shape of tensor: {tensor.shape}")
    print(f"Datatype of tensor: {tensor.dtype}")
    print(f"Device tensor is stored on: {tensor.device}")

    # We move our tensor to the current accelerator if available
    if torch.accelerator.is_available():
        tensor = tensor.to(torch.accelerator.current_accelerator())
    print(f"Device tensor is stored on: {tensor.device}")

    tensor = torch.ones(4, 4)
    print(f"First row: {tensor[0]}")
    print(f"First column: {tensor[:, 0]}")
    print(f"Last column: {tensor[..., -1]}")
    tensor[:, 1] = 0
    print(tensor)

    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    print(t1)

    # matrix multiplication: y1, y2, y3 have the same value
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    print(y1, y2, y3, sep="\n")

    # element-wise product: z1, z2, z3 have the same value
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    print(z1, z2, z3, sep="\n")

    agg = tensor.sum()
    agg_item = agg.item()
    print(agg_item, type(agg_item))

    print(f"{tensor} \n")
    tensor.add_(5)
    print(tensor)

    # Bridge with NumPy
    t = torch.ones(5)
    print(f"t: {t}")
    n = t.numpy()
    print(f"n: {n}")
    t.add_(1)
    print(f"t: {t}")
    print(f"n: {n}")

    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    print(f"t: {t}")
    print(f"n: {n}")

    same = bool(torch.equal(y1, y2) and torch.equal(y1, y3))
    same = same and bool(torch.equal(z1, z2) and torch.equal(z1, z3))
    return {"tensors_check": 1.0 if same and agg_item == 12.0 else 0.0}


# ---------------------------------------------------------------------------------------------
# 2. A gentle introduction to torch.autograd


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """torchvision's ResNet layout (stem, four stages, average pool, ``fc``)."""

    def __init__(self, layers=(1, 1, 1, 1), num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        self.layer3 = self._make_layer(256, layers[2], stride=2)
        self.layer4 = self._make_layer(512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * BasicBlock.expansion, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes),
            )
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def resnet(weights=None):
    """Stands for ``resnet18(weights=ResNet18_Weights.DEFAULT)``: no weights to download."""
    return ResNet()


def autograd_part():
    model = resnet(weights=None)
    data = torch.rand(1, 3, 64, 64)
    labels = torch.rand(1, 1000)

    prediction = model(data)  # forward pass
    loss = (prediction - labels).sum()
    loss.backward()  # backward pass
    print(f"loss {loss.item():.4f}, fc.weight.grad norm {model.fc.weight.grad.norm():.4f}")

    optim = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    optim.step()  # gradient descent

    # Differentiation in Autograd
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a**3 - b**2
    external_grad = torch.tensor([1.0, 1.0])
    Q.backward(gradient=external_grad)
    # check if collected gradients are correct
    print(9 * a**2 == a.grad)
    print(-2 * b == b.grad)
    autograd_check = bool((9 * a**2 == a.grad).all() and (-2 * b == b.grad).all())

    # Exclusion from the DAG
    x = torch.rand(5, 5)
    y = torch.rand(5, 5)
    z = torch.rand((5, 5), requires_grad=True)
    a = x + y
    print(f"Does `a` require gradients?: {a.requires_grad}")
    b = x + z
    print(f"Does `b` require gradients?: {b.requires_grad}")
    excluded = not a.requires_grad and b.requires_grad

    from minigrad import nn, optim

    model = resnet(weights=None)
    # Freeze all the parameters in the network
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn.Linear(512, 10)
    # Optimize only the classifier
    optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)

    # The port's check: a step reaches the new classifier only.
    frozen_before = [p.detach().clone() for n, p in model.named_parameters() if "fc" not in n]
    optimizer.zero_grad()
    model(data).sum().backward()
    optimizer.step()
    with_grad = [name for name, p in model.named_parameters() if p.grad is not None]
    print(f"parameters that got gradients: {with_grad}")
    frozen_after = [p for n, p in model.named_parameters() if "fc" not in n]
    unchanged = all(torch.equal(p, q) for p, q in zip(frozen_before, frozen_after))
    frozen_check = with_grad == ["fc.weight", "fc.bias"] and unchanged
    return {
        "autograd_check": 1.0 if autograd_check and excluded else 0.0,
        "frozen_check": 1.0 if frozen_check else 0.0,
    }


# ---------------------------------------------------------------------------------------------
# 3. Neural networks


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # Max pooling over a (2, 2) window
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        # If the size is a square, you can specify with a single number
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)  # flatten all dimensions except the batch dimension
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def neural_networks_part():
    net = Net()
    print(net)

    params = list(net.parameters())
    print(len(params))
    print(params[0].size())  # conv1's .weight

    input = torch.randn(1, 1, 32, 32)
    out = net(input)
    print(out)

    net.zero_grad()
    out.backward(torch.randn(1, 10))

    # Loss function
    output = net(input)
    target = torch.randn(10)  # a dummy target, for example
    target = target.view(1, -1)  # make it the same shape as output
    criterion = nn.MSELoss()

    loss = criterion(output, target)
    print(loss)
    first_loss = loss.item()

    print(loss.grad_fn)  # MSELoss
    print(loss.grad_fn.next_functions[0][0])  # Linear
    print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU

    # Backprop
    net.zero_grad()  # zeroes the gradient buffers of all parameters
    print("conv1.bias.grad before backward")
    print(net.conv1.bias.grad)
    loss.backward()
    print("conv1.bias.grad after backward")
    print(net.conv1.bias.grad)

    # Update the weights
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)

    # create your optimizer
    optimizer = optim.SGD(net.parameters(), lr=0.01)
    # in your training loop:
    optimizer.zero_grad()  # zero the gradient buffers
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()  # Does the update

    with torch.no_grad():
        final_loss = criterion(net(input), target).item()
    print(f"loss {first_loss:.4f} before the updates, {final_loss:.4f} after them")
    return {"mse_loss": final_loss, "mse_decrease": (first_loss - final_loss) / first_loss}


# ---------------------------------------------------------------------------------------------
# 4. Training a classifier

classes = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def make_images(count, seed):
    """32 x 32 RGB images (uint8, HWC, as CIFAR-10's) of ten classes: a disc of the class's
    hue (jittered), of random brightness, size and place, on a dim background of a random
    colour, plus noise.
    Stands for ``torchvision.datasets.CIFAR10`` (which downloads)."""
    rng = np.random.default_rng(seed)
    hues = np.linspace(0.0, 1.0, len(classes), endpoint=False)
    labels = rng.integers(0, len(classes), count)
    hue = (hues[labels] + rng.normal(0.0, 0.02, count))[:, None]
    # a colour wheel (hue -> RGB), saturated, of random brightness
    rgb = 0.5 + 0.5 * np.cos(2 * np.pi * (hue - np.array([0.0, 1 / 3, 2 / 3])))
    rgb = rgb * rng.uniform(0.7, 1.0, (count, 1))
    background = rng.uniform(0.3, 0.7, (count, 3)) * rng.uniform(0.2, 0.6, (count, 1))
    yy, xx = np.mgrid[0:32, 0:32]
    cy, cx = rng.uniform(10, 22, (2, count, 1, 1))
    radius = rng.uniform(7, 12, (count, 1, 1))
    disc = (((yy - cy) ** 2 + (xx - cx) ** 2) <= radius**2)[..., None]
    images = np.where(disc, rgb[:, None, None, :], background[:, None, None, :])
    images = images.astype(np.float32) * 255
    images += rng.standard_normal(images.shape, dtype=np.float32) * 20
    images = np.clip(images, 0, 255).astype(np.uint8)
    return images, labels


class ToTensorNormalize:
    """``transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean, std)])``."""

    def __init__(self, mean, std):
        self.mean = torch.tensor(mean).view(-1, 1, 1)
        self.std = torch.tensor(std).view(-1, 1, 1)

    def __call__(self, pic):
        img = torch.from_numpy(pic).permute(2, 0, 1).float().div(255)  # HWC -> CHW in [0, 1]
        return (img - self.mean) / self.std


class CIFAR10(Dataset):
    """Stands for ``torchvision.datasets.CIFAR10(root, train, download, transform)``."""

    def __init__(self, train=True, size=None, transform=None):
        size = size or (50000 if train else 10000)
        self.data, self.targets = make_images(size, seed=1 if train else 2)
        self.transform = transform

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        img, target = self.data[index], int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        return img, target


class CifarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)  # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def classifier_part(args):
    transform = ToTensorNormalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    batch_size = 4

    trainset = CIFAR10(train=True, size=args.train_limit, transform=transform)
    trainloader = DataLoader(trainset, batch_size=batch_size, shuffle=True, num_workers=2)
    testset = CIFAR10(train=False, size=args.test_limit, transform=transform)
    testloader = DataLoader(testset, batch_size=batch_size, shuffle=False, num_workers=2)

    # get some random training images (the tutorial shows them)
    dataiter = iter(trainloader)
    images, labels = next(dataiter)
    print(f"images {tuple(images.shape)}, range [{images.min():.2f}, {images.max():.2f}]")
    print(" ".join(f"{classes[labels[j]]:5s}" for j in range(batch_size)))

    Net = CifarNet
    net = Net()

    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    log = args.log_interval
    for epoch in range(args.epochs):  # loop over the dataset multiple times
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            # get the inputs; data is a list of [inputs, labels]
            inputs, labels = data

            # zero the parameter gradients
            optimizer.zero_grad()

            # forward + backward + optimize
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()

            # print statistics
            running_loss += loss.item()
            if i % log == log - 1:  # print every `log` mini-batches
                print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / log:.3f}")
                running_loss = 0.0

    print("Finished Training")

    folder = tempfile.mkdtemp(prefix="blitz_")  # the port's: removed at the end
    try:
        PATH = os.path.join(folder, "cifar_net.pth")
        torch.save(net.state_dict(), PATH)

        dataiter = iter(testloader)
        images, labels = next(dataiter)
        print("GroundTruth: ", " ".join(f"{classes[labels[j]]:5s}" for j in range(4)))

        net = Net()
        net.load_state_dict(torch.load(PATH, weights_only=True))
    finally:
        shutil.rmtree(folder)

    outputs = net(images)
    _, predicted = torch.max(outputs, 1)
    print("Predicted: ", " ".join(f"{classes[predicted[j]]:5s}" for j in range(4)))

    correct = 0
    total = 0
    # since we're not training, we don't need to calculate the gradients for our outputs
    with torch.no_grad():
        for data in testloader:
            images, labels = data
            # calculate outputs by running images through the network
            outputs = net(images)
            # the class with the highest energy is what we choose as prediction
            _, predicted = torch.max(outputs, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()

    print(f"Accuracy of the network on the {total} test images: {100 * correct // total} %")

    # prepare to count predictions for each class
    correct_pred = {classname: 0 for classname in classes}
    total_pred = {classname: 0 for classname in classes}

    # again no gradients needed
    with torch.no_grad():
        for data in testloader:
            images, labels = data
            outputs = net(images)
            _, predictions = torch.max(outputs, 1)
            # collect the correct predictions for each class
            for label, prediction in zip(labels, predictions):
                if label == prediction:
                    correct_pred[classes[label]] += 1
                total_pred[classes[label]] += 1

    # print accuracy for each class
    for classname, correct_count in correct_pred.items():
        accuracy = 100 * float(correct_count) / max(total_pred[classname], 1)
        print(f"Accuracy for class: {classname:5s} is {accuracy:.1f} %")

    # Training on GPU
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    print(device)
    net.to(device)
    inputs, labels = data[0].to(device), data[1].to(device)
    return {"accuracy": correct / total}


PARTS = ("tensors", "autograd", "neural_networks", "classifier")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Deep Learning with PyTorch: A 60 Minute Blitz")
    parser.add_argument("--part", choices=[*PARTS, "all"], default="all")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--log-interval", type=int, default=2000)
    parser.add_argument("--train-limit", type=int, default=None)  # the port's budget
    parser.add_argument("--test-limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    figures = {}
    for part in PARTS if args.part == "all" else (args.part,):
        print(f"==== {part} ====")
        if part == "classifier":
            figures.update(classifier_part(args))
        else:
            figures.update(globals()[f"{part}_part"]())
    print(figures)
    return figures


if __name__ == "__main__":
    main()
