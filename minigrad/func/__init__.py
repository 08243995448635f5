"""``minigrad.func``: function transforms, as ``torch.func``.

A transform takes a function of tensors and returns a new function:

* ``grad(f)`` computes the gradient of ``f`` (``grad_and_value`` its value too), ``vjp``
  vector-Jacobian products, ``jacrev`` and ``jacfwd`` Jacobians, ``jvp`` and ``linearize``
  Jacobian-vector products (``transforms.py``, on the autograd engine);
* ``vmap(f)`` runs ``f``, written for one sample, over a batch (``vmap.py``);
* ``functional_call`` calls a module with other tensors as its parameters, so that a model
  becomes a function the transforms can take, and ``stack_module_state`` stacks several
  models' tensors for ``vmap`` (``modules.py``).

Together they give, for example, per-sample gradients::

    params = {k: v.detach() for k, v in model.named_parameters()}
    loss = lambda p, x, y: F.cross_entropy(functional_call(model, p, (x[None],)), y[None])
    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, images, labels)

What differs from PyTorch: ``vmap`` calls the function once per sample (the same results,
at Python speed), the Jacobians are computed in reverse mode, and nothing that needs
gradients of gradients is available (``hessian``, ``grad(grad(f))``, a transform's result
differentiated again): those raise and say so.

Example:
    >>> import minigrad
    >>> from minigrad.func import grad, vmap
    >>> vmap(grad(lambda x: (x**2).sum()))(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([[2., 4.],
            [6., 8.]])
"""

from .modules import functional_call, replace_all_batch_norm_modules_, stack_module_state
from .transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize, vjp
from .vmap import vmap

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "replace_all_batch_norm_modules_",
    "stack_module_state",
    "vjp",
    "vmap",
]
