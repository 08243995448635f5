"""Run a ported program on PyTorch itself, to compare its accuracy with minigrad's.

    pip install torch==2.13.0
    python tests/ports/with_pytorch.py official_mnist --epochs 1 --train-limit 1920

The program's source is read, its minigrad imports are turned back into PyTorch's (the
reverse of the port), and ``minigrad.data.MNIST`` becomes a PyTorch dataset holding the
same normalised images (so torchvision is not needed). The same arguments then give
PyTorch's figure (accuracy, loss, perplexity: what the program's ``main`` returns) on the
same budget. Not part of the test suite, which never imports PyTorch.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import torch
import torch.utils.data

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # the repository, for minigrad's MNIST reader

IMPORTS = {  # minigrad's spelling -> PyTorch's, longest first
    "import minigrad.nn.functional as F": "import torch.nn.functional as F",
    "import minigrad.optim as optim": "import torch.optim as optim",
    "import minigrad.nn as nn": "import torch.nn as nn",
    "import minigrad as torch": "import torch",
    "from minigrad.optim.lr_scheduler import": "from torch.optim.lr_scheduler import",
    "from minigrad.optim import": "from torch.optim import",
    "from minigrad.utils.data import": "from torch.utils.data import",
    "from minigrad.data import MNIST": "from torch_mnist import MNIST",
    "from minigrad import nn": "from torch import nn",
}


def torch_mnist_module() -> types.ModuleType:
    """A module ``torch_mnist`` whose ``MNIST(train=...)`` is a PyTorch TensorDataset of
    the images minigrad reads (normalised alike), with minigrad's ``images`` and
    ``labels`` attributes."""
    from minigrad.data import MNIST as MinigradMNIST

    def MNIST(train=True, **_):
        data = MinigradMNIST(train=train)
        images = torch.from_numpy(data.images.numpy().copy())
        labels = torch.from_numpy(data.labels.numpy().copy())
        dataset = torch.utils.data.TensorDataset(images, labels)
        dataset.images, dataset.labels = images, labels
        return dataset

    module = types.ModuleType("torch_mnist")
    module.MNIST = MNIST
    return module


def load_with_pytorch(name: str) -> types.ModuleType:
    source = (HERE / f"{name}.py").read_text(encoding="utf-8")
    for ours, theirs in IMPORTS.items():
        source = source.replace(ours, theirs)
    left = [
        line
        for line in source.splitlines()
        if line.startswith(("import minigrad", "from minigrad"))
    ]
    if left:
        raise RuntimeError(f"{name}: imports not translated: {left}")
    sys.modules["torch_mnist"] = torch_mnist_module()
    module = types.ModuleType(f"{name}_on_pytorch")
    sys.modules[module.__name__] = module  # so that torch.save(model) finds its classes
    exec(compile(source, f"{name}.py (on PyTorch)", "exec"), module.__dict__)
    return module


def main(argv: list[str]) -> None:
    torch.set_num_threads(2)
    name, *args = argv
    figure = load_with_pytorch(name).main(args)
    print(f"{name} on PyTorch {torch.__version__}: {figure!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
