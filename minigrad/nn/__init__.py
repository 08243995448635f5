"""``minigrad.nn``: neural-network building blocks with PyTorch's API.

* ``module.py``: ``Module`` and the containers (``Sequential``, ``ModuleList``,
  ``ModuleDict``, ``ParameterList``); ``parameter.py``: ``Parameter``;
* layers: ``linear.py``, ``conv.py``, ``batchnorm.py``, ``pooling.py``, ``activation.py``,
  ``dropout.py``, ``flatten.py``; losses: ``loss.py``;
* ``functional.py``: the same layers as functions; ``init.py``: weight initialisation.
"""

from . import functional, init, utils
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .conv import Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module, ModuleDict, ModuleList, ParameterList, Sequential
from .parameter import Parameter
from .pooling import AvgPool2d, MaxPool2d

__all__ = [
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ParameterList",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
    "utils",
]
