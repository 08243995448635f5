"""``minigrad.optim``: optimizers that update parameters from their gradients, and
learning-rate schedules (``minigrad.optim.lr_scheduler``) and weight averaging
(``minigrad.optim.swa_utils``), as in ``torch.optim``.

Optimizers: :class:`SGD` (with momentum), and the adaptive ones, which scale each
coordinate's step by running statistics of its gradients: :class:`Adam`, :class:`AdamW`,
:class:`RMSprop`, :class:`Adagrad`, :class:`Adadelta`, and Adam's variants :class:`Adamax`,
:class:`NAdam`, :class:`RAdam`; and for full-batch or averaged training :class:`Rprop` and
:class:`ASGD`; and the quasi-Newton :class:`LBFGS`, whose ``step(closure)`` runs
several iterations with a line search. Each follows PyTorch 2.13's update
rule, defaults, errors and ``state_dict`` layout, and each module states its formula.

The training loop is PyTorch's::

    opt = minigrad.optim.SGD(params, lr=0.1, momentum=0.9)
    for x, y in batches:
        opt.zero_grad()                # backward adds into .grad: clear it first
        loss = loss_fn(model(x), y)
        loss.backward()                # fills p.grad for every parameter p
        opt.step()                     # updates every p that has a gradient

Example:
    >>> import minigrad
    >>> import minigrad.optim
    >>> w = minigrad.tensor([2.0], requires_grad=True)
    >>> opt = minigrad.optim.SGD([w], lr=0.25)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w.item()
    0.25
"""

from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adam_variants import Adamax, NAdam, RAdam
from .asgd import ASGD
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = [
    "ASGD",
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "lr_scheduler",
    "swa_utils",
]
