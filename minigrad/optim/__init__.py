"""``minigrad.optim``: optimizers that update parameters from their gradients, and
learning-rate schedules (``minigrad.optim.lr_scheduler``), as in ``torch.optim``.

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

from . import lr_scheduler
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Optimizer", "lr_scheduler"]
