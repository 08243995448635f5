"""Mixed-precision cases, written once for PyTorch and minigrad (the same API): ``lib`` is
``torch`` or ``minigrad``. ``make_golden_amp.py`` runs them in PyTorch 2.13 and stores the
results in ``amp.npz``; ``tests/test_amp.py`` runs them in minigrad and compares.

Each autocast case returns the tensor whose dtype and values are compared; inputs come
from ``INPUTS`` (float32 unless named ``h``, float16).
"""

from __future__ import annotations

import numpy as np

SEED = 20261207


def inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    f = {
        "x": (4, 3), "w": (2, 3), "b": (2,), "m": (3, 5), "batch": (2, 4, 3), "mat": (2, 3, 5),
        "img": (2, 2, 5, 5), "kernel": (3, 2, 3, 3), "kb": (3,), "seq": (2, 3, 6),
        "k1": (4, 3, 3), "vec": (3,), "q": (2, 4, 8), "feat": (4, 6), "ln_w": (6,),
    }  # fmt: skip
    arrays = {name: rng.standard_normal(shape).astype(np.float32) for name, shape in f.items()}
    arrays["h"] = rng.standard_normal((4, 6)).astype(np.float16)
    arrays["target"] = np.array([0, 1, 1, 0])
    return arrays


def autocast_cases(lib, t):
    """name -> a function of no arguments, run inside CPU autocast (float16). ``t`` holds
    the inputs as ``lib`` tensors."""
    F = lib.nn.functional
    return {
        "linear": lambda: F.linear(t["x"], t["w"], t["b"]),
        "linear_no_bias": lambda: F.linear(t["x"], t["w"]),
        "matmul": lambda: t["x"] @ t["m"],
        "mm": lambda: lib.mm(t["x"], t["m"]),
        "bmm": lambda: lib.bmm(t["batch"], t["mat"]),
        "addmm": lambda: lib.addmm(t["b"][:1], t["x"], t["w"].T),
        "baddbmm": lambda: lib.baddbmm(lib.zeros(2, 4, 5), t["batch"], t["mat"]),
        "einsum": lambda: lib.einsum("ij,kj->ik", t["x"], t["w"]),
        "conv2d": lambda: F.conv2d(t["img"], t["kernel"], t["kb"], padding=1),
        "conv1d": lambda: F.conv1d(t["seq"], t["k1"]),
        "mv": lambda: lib.mv(t["x"], t["vec"]),
        "float64_matmul": lambda: t["x"].double() @ t["m"].double(),
        "softmax_half": lambda: F.softmax(t["h"], dim=1),
        "softmax_float": lambda: F.softmax(t["x"], dim=1),
        "sum_half": lambda: t["h"].sum(),
        "prod_half": lambda: t["h"][:, :2].prod(),
        "add_mixed": lambda: t["h"] + t["feat"],
        "relu_of_linear": lambda: F.relu(F.linear(t["x"], t["w"], t["b"])),
        "mse_loss": lambda: F.mse_loss(F.linear(t["x"], t["w"]), t["x"][:, :2]),
        "l1_loss": lambda: F.l1_loss(t["h"], t["feat"]),
        "cross_entropy": lambda: F.cross_entropy(F.linear(t["x"], t["w"], t["b"]), t["target"]),
        "bce_with_logits": lambda: F.binary_cross_entropy_with_logits(t["h"], t["feat"].sigmoid()),
        "cdist": lambda: lib.cdist(t["h"], t["h"]),
        "layer_norm_module_weights": lambda: F.layer_norm(t["h"], (6,), t["ln_w"], t["ln_w"]),
        "batch_norm_train": lambda: F.batch_norm(
            t["h"], lib.zeros(6), lib.ones(6), t["ln_w"], t["ln_w"], training=True
        ),
        "group_norm": lambda: F.group_norm(t["h"][:, :, None], 2, t["ln_w"], t["ln_w"]),
        "sdpa": lambda: F.scaled_dot_product_attention(t["q"], t["q"], t["q"]),
        "linear_then_float_loss": lambda: (F.linear(t["x"], t["w"], t["b"]).float() ** 2).sum(),
    }


# GradScaler: a small regression trained with SGD; at these steps the loss is multiplied
# by 1e36 first, so that the scaled gradients overflow and the step is skipped.
SCALER_STEPS = 10
OVERFLOW_AT = (3, 4, 7)


def scaler_run(lib, data: dict, init_scale=2.0**10, growth_interval=2, clip=False):
    """Weights and scale after every step, and whether each step was taken."""
    layer = lib.nn.Linear(3, 2)
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(data["w"]))
        layer.bias.copy_(lib.tensor(data["b"]))
    opt = lib.optim.SGD(layer.parameters(), lr=0.1, momentum=0.9)
    scaler = lib.amp.GradScaler("cpu", init_scale=init_scale, growth_interval=growth_interval)
    x, y = lib.tensor(data["x"]), lib.tensor(data["x"][:, :2])
    weights, scales, taken = [], [], []
    for step in range(SCALER_STEPS):
        opt.zero_grad()
        loss = lib.nn.functional.mse_loss(layer(x), y)
        if step in OVERFLOW_AT:
            loss = loss * 1e36
        scaler.scale(loss).backward()
        if clip:
            scaler.unscale_(opt)
            lib.nn.utils.clip_grad_norm_(layer.parameters(), 0.5)
        before = layer.weight.detach().clone()
        scaler.step(opt)
        scaler.update()
        taken.append(not bool((layer.weight.detach() == before).all()))
        weights.append(np.concatenate([layer.weight.detach().numpy().ravel(),
                                       layer.bias.detach().numpy()]))  # fmt: skip
        scales.append(scaler.get_scale())
    return {
        "weights": np.array(weights),
        "scales": np.array(scales),
        "taken": np.array(taken),
        "state_keys": np.array(list(scaler.state_dict())),
        "growth_tracker": np.array(scaler.state_dict()["_growth_tracker"]),
    }
