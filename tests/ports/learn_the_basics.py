"""The shape of PyTorch's "Learn the Basics" tutorials other than the quickstart (which is
``quickstart_mlp.py``): its pages "Tensors", "Datasets & DataLoaders" with "Transforms",
"Build the Neural Network", "Automatic Differentiation with torch.autograd", "Optimizing
Model Parameters" and "Save and Load the Model", in one file, chosen by ``--part
{tensors,data,build,autograd,optimize,save,all}``. Ported by changing the imports.

What it touches. *tensors*: ``torch.tensor`` of nested lists and ``torch.from_numpy``,
``ones_like``/``rand_like(dtype=torch.float)``, ``rand``/``ones``/``zeros`` of a shape tuple,
``shape``/``dtype``/``device``, ``torch.accelerator``, ``tensor[0]``, ``tensor[:, 0]``,
``tensor[..., -1]``, ``tensor[:, 1] = 0``, ``torch.cat(dim=1)``, ``@``/``matmul``/``matmul(out=)``,
``*``/``mul``/``mul(out=)``, ``sum().item()``, ``add_`` and the NumPy bridge both ways.
*data*: a ``Dataset`` subclass (``CustomImageDataset``: ``__init__`` with an annotations file,
an image folder, ``transform`` and ``target_transform``; ``__len__``; ``__getitem__``),
``training_data[sample_idx]`` with ``torch.randint(len(training_data), size=(1,)).item()``,
a one-hot ``target_transform`` ``Lambda(lambda y: torch.zeros(10, dtype=torch.float)
.scatter_(0, torch.tensor(y), value=1))``, ``DataLoader(batch_size=64, shuffle=True)`` and
``next(iter(train_dataloader))``, ``train_features[0].squeeze()``. *build*: ``NeuralNetwork``
(``nn.Flatten`` then ``nn.Sequential`` of ``Linear``/``ReLU``) moved ``.to(device)`` and
printed, ``torch.rand(1, 28, 28, device=device)``, ``nn.Softmax(dim=1)(logits)``,
``pred_probab.argmax(1)``, the layer-by-layer walk (``nn.Flatten()``,
``nn.Linear(in_features=28*28, out_features=20)``, ``nn.ReLU()``, a ``nn.Sequential`` of
them), and ``model.named_parameters()`` printed with ``param.size()`` and ``param[:2]``.
*autograd*: ``z = torch.matmul(x, w)+b``, ``binary_cross_entropy_with_logits``, ``z.grad_fn``
and ``loss.grad_fn``, ``loss.backward()``, ``w.grad``/``b.grad``, ``requires_grad`` under
``torch.no_grad()`` and after ``detach()``, and the Jacobian-vector product
``(inp+1).pow(2).t()`` of ``torch.eye(4, 5, requires_grad=True)`` backpropagated with
``torch.ones_like(out)`` and ``retain_graph=True``: twice (the gradients accumulate), then
after ``inp.grad.zero_()``. *optimize*: ``train_loop``/``test_loop`` with
``model.train()``/``model.eval()``, ``CrossEntropyLoss``, ``SGD``, ``optimizer.zero_grad()``,
``loss.item(), batch * batch_size + len(X)``, ``(pred.argmax(1) == y).type(torch.float)
.sum().item()``. *save*: ``torch.save(model.state_dict(), path)``, a fresh model's
``load_state_dict(torch.load(path, weights_only=True))`` and ``eval()``, then the whole
model by ``torch.save(model, path)`` and ``torch.load(path, weights_only=False)``.

What was changed. FashionMNIST (downloaded by torchvision) is ``minigrad.data.MNIST`` (as
in ``quickstart_mlp.py``), so ``labels_map`` names digits; the images are not plotted. The
custom dataset's files (a CSV of file names and labels, and the images; the tutorial's own
example has none) are written here, from the first ``--custom-size`` MNIST test images, to
a temporary folder that is removed; the images are ``.npy`` files of ``uint8`` pixels, read
by a small ``read_image`` (torchvision's reads PNG/JPEG), and the CSV is read with ``csv``
(the tutorial's pandas is not installed). ``ToTensor`` and ``Lambda`` (torchvision's
transforms) are two small classes here. The save page's ``vgg16`` with downloaded ImageNet
weights is the ``NeuralNetwork`` trained by the optimize page. ``--train-limit``,
``--test-limit``, ``--custom-size`` and ``--seed`` are the port's options; ``--epochs``
(default 10, the page's full run) and ``--lr`` (1e-3) are the page's hyperparameters.

``main`` returns a dict of the parts run: ``tensors_check`` (1.0 if the three products
agree each way, the sum is 12 and ``from_numpy`` shares the array's memory),
``to_numpy_shared`` (1.0 if ``t.add_(1)`` shows in ``n = t.numpy()``, as the tutorial
prints; minigrad's ``numpy()`` returns a copy by design, docs/from-pytorch.md: 0.0 there),
``data_check`` (1.0 if a sample is a (1, 28, 28) float image in [0, 1] with a one-hot
target of its label, and a batch is (64, 1, 28, 28) with (64, 10) targets), ``build_check``
(1.0 if the shapes of the walk and the named parameters are the tutorial's, the
probabilities sum to 1 and ReLU leaves nothing negative), ``autograd_check`` (1.0 if
``w.grad`` and ``b.grad`` are ``(sigmoid(z) - y) / 3`` times ``x`` and 1, and
``requires_grad`` is False under ``no_grad`` and after ``detach``), ``accumulation_check``
(1.0 if the first call gives ``2*(inp+1)``, the second twice that, and the call after
zeroing the first again), ``accuracy`` (the test accuracy after training, a fraction; 0.1
for a model that learns nothing), ``save_check`` (1.0 if both reloaded models give the
trained model's outputs exactly).
"""

import argparse
import csv
import os
import shutil
import tempfile

import numpy as np

import minigrad as torch
from minigrad import nn
from minigrad.data import MNIST  # instead of: from torchvision import datasets
from minigrad.utils.data import DataLoader, Dataset, Subset

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"

labels_map = {i: str(i) for i in range(10)}  # FashionMNIST's "T-Shirt", "Trouser", ...


# ---------------------------------------------------------------------------------------------
# Tensors


def tensors_part():
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)

    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)
    print(x_np)

    x_ones = torch.ones_like(x_data)  # retains the properties of x_data
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

    tensor = torch.ones(4, 4)
    print(f"First row: {tensor[0]}")
    print(f"First column: {tensor[:, 0]}")
    print(f"Last column: {tensor[..., -1]}")
    tensor[:, 1] = 0
    print(tensor)

    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    print(t1)

    # This computes the matrix multiplication between two tensors. y1, y2, y3 will have
    # the same value
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)

    # This computes the element-wise product. z1, z2, z3 will have the same value
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)

    agg = tensor.sum()
    agg_item = agg.item()
    print(agg_item, type(agg_item))

    print(f"{tensor} \n")
    tensor.add_(5)
    print(tensor)

    t = torch.ones(5)
    print(f"t: {t}")
    n = t.numpy()
    print(f"n: {n}")
    t.add_(1)
    print(f"t: {t}")
    print(f"n: {n}")
    shared_to_numpy = bool(np.all(n == 2))

    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    print(f"t: {t}")
    print(f"n: {n}")
    shared_from_numpy = bool(torch.all(t == 2))

    ok = (
        torch.equal(y1, y2)
        and torch.equal(y1, y3)
        and torch.equal(z1, z2)
        and torch.equal(z1, z3)
        and agg_item == 12.0
        and isinstance(agg_item, float)
        and t1.shape == (4, 12)
        and torch.equal(x_np, x_data)
        and x_rand.dtype == torch.float
        and shared_from_numpy
    )
    return {"tensors_check": float(ok), "to_numpy_shared": float(shared_to_numpy)}


# ---------------------------------------------------------------------------------------------
# Datasets & DataLoaders, Transforms


class ToTensor:
    """torchvision's ToTensor for a uint8 image tensor: float pixels in [0, 1]."""

    def __call__(self, pic):
        return pic.type(torch.float) / 255


class Lambda:
    """torchvision's transforms.Lambda."""

    def __init__(self, lambd):
        self.lambd = lambd

    def __call__(self, x):
        return self.lambd(x)


def read_image(path):
    """Stands in for torchvision.io.read_image: a (C, H, W) uint8 tensor."""
    return torch.from_numpy(np.load(path))


class CustomImageDataset(Dataset):
    def __init__(self, annotations_file, img_dir, transform=None, target_transform=None):
        with open(annotations_file, newline="") as f:
            self.img_labels = [(name, int(label)) for name, label in csv.reader(f)]
        self.img_dir = img_dir
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        img_path = os.path.join(self.img_dir, self.img_labels[idx][0])
        image = read_image(img_path)
        label = self.img_labels[idx][1]
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


def write_image_folder(folder, size):
    """The custom dataset's files: images as .npy of uint8 pixels, and labels.csv."""
    source = MNIST(train=False, normalize=False)
    pixels = (source.images[:size].numpy() * 255).round().astype(np.uint8)
    labels = source.labels[:size].tolist()
    img_dir = os.path.join(folder, "images")
    os.makedirs(img_dir)
    annotations_file = os.path.join(folder, "labels.csv")
    with open(annotations_file, "w", newline="") as f:
        writer = csv.writer(f)
        for i, (image, label) in enumerate(zip(pixels, labels)):
            name = f"digit_{i:05d}.npy"
            np.save(os.path.join(img_dir, name), image)
            writer.writerow([name, label])
    return annotations_file, img_dir, labels


def data_part(folder, size):
    annotations_file, img_dir, labels = write_image_folder(folder, size)
    training_data = CustomImageDataset(
        annotations_file,
        img_dir,
        transform=ToTensor(),
        target_transform=Lambda(
            lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
        ),
    )

    cols, rows = 3, 3
    ok = len(training_data) == size
    for i in range(1, cols * rows + 1):
        sample_idx = torch.randint(len(training_data), size=(1,)).item()
        img, label = training_data[sample_idx]
        print(f"sample {i}: {labels_map[int(label.argmax())]}")  # plt.title(...)
        ok = ok and img.shape == (1, 28, 28) and img.dtype == torch.float
        ok = ok and img.min().item() >= 0 and img.max().item() <= 1
        ok = ok and label.sum().item() == 1 and int(label.argmax()) == labels[sample_idx]

    train_dataloader = DataLoader(training_data, batch_size=64, shuffle=True)
    train_features, train_labels = next(iter(train_dataloader))
    print(f"Feature batch shape: {train_features.size()}")
    print(f"Labels batch shape: {train_labels.size()}")
    img = train_features[0].squeeze()
    label = train_labels[0]
    print(f"Label: {label}")
    ok = ok and train_features.size() == (64, 1, 28, 28) and train_labels.size() == (64, 10)
    ok = ok and img.shape == (28, 28) and label.sum().item() == 1
    return {"data_check": float(ok)}


# ---------------------------------------------------------------------------------------------
# Build the Neural Network


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def build_part():
    print(f"Using {device} device")
    model = NeuralNetwork().to(device)
    print(model)

    X = torch.rand(1, 28, 28, device=device)
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    print(f"Predicted class: {y_pred}")
    ok = logits.shape == (1, 10) and y_pred.shape == (1,)

    input_image = torch.rand(3, 28, 28)
    print(input_image.size())

    flatten = nn.Flatten()
    flat_image = flatten(input_image)
    print(flat_image.size())

    layer1 = nn.Linear(in_features=28 * 28, out_features=20)
    hidden1 = layer1(flat_image)
    print(hidden1.size())

    print(f"Before ReLU: {hidden1}\n\n")
    hidden1 = nn.ReLU()(hidden1)
    print(f"After ReLU: {hidden1}")
    ok = ok and flat_image.size() == (3, 784) and hidden1.size() == (3, 20)
    ok = ok and hidden1.min().item() >= 0

    seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(20, 10))
    input_image = torch.rand(3, 28, 28)
    logits = seq_modules(input_image)

    softmax = nn.Softmax(dim=1)
    pred_probab = softmax(logits)
    ok = ok and pred_probab.shape == (3, 10)
    ok = ok and torch.allclose(pred_probab.sum(1), torch.ones(3))

    print(f"Model structure: {model}\n\n")

    sizes = {}
    for name, param in model.named_parameters():
        print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
        sizes[name] = tuple(param.size())
    ok = ok and sizes == {
        "linear_relu_stack.0.weight": (512, 784),
        "linear_relu_stack.0.bias": (512,),
        "linear_relu_stack.2.weight": (512, 512),
        "linear_relu_stack.2.bias": (512,),
        "linear_relu_stack.4.weight": (10, 512),
        "linear_relu_stack.4.bias": (10,),
    }
    return {"build_check": float(ok)}


# ---------------------------------------------------------------------------------------------
# Automatic Differentiation with torch.autograd


def autograd_part():
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")

    loss.backward()
    print(w.grad)
    print(b.grad)

    dz = (torch.sigmoid(z.detach()) - y) / 3  # what the gradients should be
    ok = torch.allclose(b.grad, dz) and torch.allclose(w.grad, x[:, None] * dz[None, :])
    ok = ok and z.grad_fn is not None and loss.grad_fn is not None

    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    ok = ok and z.requires_grad

    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)
    ok = ok and not z.requires_grad

    z = torch.matmul(x, w) + b
    z_det = z.detach()
    print(z_det.requires_grad)
    ok = ok and not z_det.requires_grad

    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"First call\n{inp.grad}")
    first = inp.grad.clone()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    second = inp.grad.clone()
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")
    after_zero = inp.grad.clone()

    expected = 2 * (inp.detach() + 1)
    accumulated = (
        torch.equal(first, expected)
        and torch.equal(second, 2 * expected)
        and torch.equal(after_zero, expected)
    )
    return {"autograd_check": float(ok), "accumulation_check": float(accumulated)}


# ---------------------------------------------------------------------------------------------
# Optimizing Model Parameters


def train_loop(dataloader, model, loss_fn, optimizer, batch_size):
    size = len(dataloader.dataset)
    # Set the model to training mode - important for batch normalization and dropout layers
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        # Compute prediction and loss
        pred = model(X)
        loss = loss_fn(pred, y)

        # Backpropagation
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if batch % 100 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    # Set the model to evaluation mode - important for batch normalization and dropout layers
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0

    # no_grad: no gradients are computed during test mode, nor memory kept for them
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()

    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return correct


def optimize_part(args):
    training_data, test_data = MNIST(train=True), MNIST(train=False)
    if args.train_limit:
        training_data = Subset(training_data, range(args.train_limit))
    if args.test_limit:
        test_data = Subset(test_data, range(args.test_limit))
    train_dataloader = DataLoader(training_data, batch_size=64)
    test_dataloader = DataLoader(test_data, batch_size=64)

    model = NeuralNetwork()

    learning_rate = args.lr
    batch_size = 64
    epochs = args.epochs

    # Initialize the loss function
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

    for t in range(epochs):
        print(f"Epoch {t + 1}\n-------------------------------")
        train_loop(train_dataloader, model, loss_fn, optimizer, batch_size)
        accuracy = test_loop(test_dataloader, model, loss_fn)
    print("Done!")
    return model, test_dataloader, {"accuracy": accuracy}


# ---------------------------------------------------------------------------------------------
# Save and Load the Model


def save_part(model, folder, dataloader):
    X, _ = next(iter(dataloader))
    model.eval()
    with torch.no_grad():
        expected = model(X)

    path = os.path.join(folder, "model_weights.pth")
    torch.save(model.state_dict(), path)

    model = NeuralNetwork()  # we do not specify the weights: an untrained model
    model.load_state_dict(torch.load(path, weights_only=True))
    model.eval()
    with torch.no_grad():
        ok = torch.equal(model(X), expected)

    path = os.path.join(folder, "model.pth")
    torch.save(model, path)
    model = torch.load(path, weights_only=False)
    with torch.no_grad():
        ok = ok and not model.training and torch.equal(model(X), expected)
    return {"save_check": float(ok)}


def main(argv=None):
    parts = ["tensors", "data", "build", "autograd", "optimize", "save"]
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=[*parts, "all"], default="all")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--train-limit", type=int, default=None)  # the port's budget
    parser.add_argument("--test-limit", type=int, default=None)
    parser.add_argument("--custom-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    chosen = parts if args.part == "all" else [args.part]

    figures = {}
    folder = tempfile.mkdtemp()
    try:
        if "tensors" in chosen:
            figures.update(tensors_part())
        if "data" in chosen:
            figures.update(data_part(os.path.join(folder, "custom"), args.custom_size))
        if "build" in chosen:
            figures.update(build_part())
        if "autograd" in chosen:
            figures.update(autograd_part())
        if "optimize" in chosen or "save" in chosen:
            model, test_dataloader, accuracy = optimize_part(args)
            if "optimize" in chosen:
                figures.update(accuracy)
            if "save" in chosen:
                figures.update(save_part(model, folder, test_dataloader))
    finally:
        shutil.rmtree(folder)
    print(figures)
    return figures


if __name__ == "__main__":
    main()
