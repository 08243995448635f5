"""A float32 training step stays float32, all the way down.

NumPy 2 promotes float32 combined with a float64 *array* (even a 0-d one) to float64, so
one stray float64 constant in a forward or backward formula silently doubles the memory
traffic of everything after it. The engine casts each gradient back to its input's dtype,
which would hide such a leak; so these tests spy on the raw arrays that every primitive's
``forward`` and ``backward`` return, through one full step of an MLP and of a CNN.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.autograd import Function


def mlp():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(36, 16),
        nn.BatchNorm1d(16),
        nn.ReLU(),
        nn.Linear(16, 16),
        nn.Sigmoid(),
        nn.Dropout(0.2),
        nn.Linear(16, 10),
    )


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, stride=2, padding=1),
        nn.AvgPool2d(2, ceil_mode=True),
        nn.Flatten(),
        nn.Linear(8, 10),
    )


@pytest.mark.parametrize("build", [mlp, cnn])
def test_a_training_step_keeps_every_array_float32(build, monkeypatch, device):
    minigrad.manual_seed(0)
    model = build().to(device)
    optimizer = minigrad.optim.SGD(
        model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4
    )
    rng = np.random.default_rng(0)
    images = minigrad.tensor(rng.standard_normal((8, 1, 6, 6)).astype(np.float32), device=device)
    labels = minigrad.tensor(rng.integers(0, 10, 8), device=device)

    produced = []  # (primitive, "forward" or "backward", dtype) for every array returned
    original_apply, original_run = Function.apply.__func__, Function.run_backward

    def spying_apply(cls, *inputs, **params):
        out = original_apply(cls, *inputs, **params)
        produced.append((cls.__name__, "forward", out.dtype))
        return out

    def spying_run_backward(fn, grad):
        raw = fn.backward

        def backward(g):
            grads = raw(g)
            for array in grads if isinstance(grads, tuple) else (grads,):
                if array is not None:
                    produced.append((type(fn).__name__, "backward", array.dtype))
            return grads

        fn.backward = backward
        return original_run(fn, grad)

    monkeypatch.setattr(Function, "apply", classmethod(spying_apply))
    monkeypatch.setattr(Function, "run_backward", spying_run_backward)

    for _ in range(2):  # the second step uses the momentum buffers the first one made
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()

    float_arrays = [entry for entry in produced if np.dtype(entry[2]).kind == "f"]
    assert {"forward", "backward"} <= {kind for _, kind, _ in float_arrays}
    assert [entry for entry in float_arrays if entry[2] != np.float32] == []
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if tensor.dtype.kind == "f":
            assert tensor.dtype == minigrad.float32, name
    for p in model.parameters():
        assert p.grad.dtype == minigrad.float32
        assert optimizer.state[p]["momentum_buffer"].dtype == minigrad.float32
