"""``DataParallel``: PyTorch's single-process data parallelism, for programs that wrap
their model in it.

PyTorch's ``DataParallel`` copies the module to every GPU of one machine at every call,
splits the batch between them and gathers the outputs. minigrad runs one device per
process (several GPUs are :class:`DistributedDataParallel`'s, one process each), so here
the wrapper runs the module on its own device: on a machine with one GPU, or on the CPU,
that is exactly what PyTorch's does. Asking for several devices is an error that says
what to use instead. The wrapped module is ``.module``, so state_dict keys read
``"module.weight"``, as in PyTorch.
"""

from __future__ import annotations

from ..module import Module


class DataParallel(Module):
    """Run ``module`` on its device, as PyTorch's ``DataParallel`` does with one device
    (see the module docstring); ``device_ids`` may name at most one device.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> model = nn.DataParallel(nn.Linear(4, 2))
        >>> model(minigrad.randn(8, 4)).shape, list(model.state_dict())
        (minigrad.Size([8, 2]), ['module.weight', 'module.bias'])
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel wraps a Module, got {type(module).__name__}")
        ids = list(device_ids) if device_ids is not None else []
        if len(ids) > 1:
            raise NotImplementedError(
                f"DataParallel over {len(ids)} devices is not supported: minigrad runs one "
                "device per process. Use nn.parallel.DistributedDataParallel with one "
                "process per GPU (see docs/distributed.md), or a single device"
            )
        self.module = module
        self.device_ids = ids
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):  # fmt: skip
    """The functional form of :class:`DataParallel`: ``module(*inputs, **module_kwargs)``
    on its device (``inputs`` a tensor or a tuple of them; ``device_ids`` at most one).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> nn.parallel.data_parallel(nn.Linear(4, 2), minigrad.randn(8, 4)).shape
        minigrad.Size([8, 2])
    """
    wrapper = DataParallel(module, device_ids, output_device, dim)
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    return wrapper(*inputs, **(module_kwargs or {}))
