"""Pruning cases, written once for PyTorch and minigrad (``lib`` is ``torch`` or
``minigrad``): ``make_golden_prune.py`` stores PyTorch 2.13's results in ``prune.npz``,
``tests/test_prune.py`` compares minigrad's. The weights are drawn here, distinct in
absolute value, so that no ranking has ties (whose order PyTorch leaves unspecified)."""

from __future__ import annotations

import numpy as np

SEED = 20261207


def weights() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    shapes = {"lin_w": (4, 5), "lin_b": (4,), "conv_w": (4, 2, 3, 3), "conv_b": (4,),
              "other_w": (3, 4), "other_b": (3,), "x": (6, 5), "img": (2, 2, 5, 5)}  # fmt: skip
    return {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}


def run(lib, data) -> dict[str, np.ndarray]:
    """Prune in several ways, in order; after each step, the masks and a forward's output
    and the gradient of ``weight_orig``."""
    nn, prune = lib.nn, lib.nn.utils.prune
    t = {k: lib.tensor(v) for k, v in data.items()}

    def layer(make, w, b):
        m = make()
        with lib.no_grad():
            m.weight.copy_(t[w])
            m.bias.copy_(t[b])
        return m

    lin = layer(lambda: nn.Linear(5, 4), "lin_w", "lin_b")
    conv = layer(lambda: nn.Conv2d(2, 4, 3), "conv_w", "conv_b")
    other = layer(lambda: nn.Linear(4, 3), "other_w", "other_b")
    out: dict[str, np.ndarray] = {}

    def record(step: str, module, x, names=("weight",)):
        module.zero_grad()
        y = module(x)
        (y**2).sum().backward()
        out[f"{step}.out"] = y.detach().numpy()
        for name in names:
            out[f"{step}.{name}_mask"] = getattr(module, name + "_mask").numpy()
            out[f"{step}.{name}_orig.grad"] = getattr(module, name + "_orig").grad.numpy()

    prune.l1_unstructured(lin, "weight", amount=0.3)
    record("l1", lin, t["x"])
    prune.l1_unstructured(lin, "weight", amount=2)  # among the entries left
    record("l1_again", lin, t["x"])
    prune.ln_structured(lin, "weight", amount=1, n=2, dim=0)  # then a whole unit
    record("ln_after_l1", lin, t["x"])
    prune.ln_structured(conv, "weight", amount=0.5, n=1, dim=1)
    record("ln_conv_dim1", conv, t["img"])
    prune.ln_structured(conv, "weight", amount=1, n=float("inf"), dim=0)
    record("ln_conv_inf", conv, t["img"])
    prune.l1_unstructured(conv, "bias", amount=1, importance_scores=t["conv_w"].sum((1, 2, 3)))
    record("l1_scores", conv, t["img"], names=("weight", "bias"))
    prune.global_unstructured([(lin, "weight"), (other, "weight")],
                              pruning_method=prune.L1Unstructured, amount=0.4)  # fmt: skip
    record("global_lin", lin, t["x"])
    record("global_other", other, t["x"][:, :4])
    prune.custom_from_mask(other, "bias", lib.tensor([1.0, 0.0, 1.0]))
    record("custom", other, t["x"][:, :4], names=("weight", "bias"))
    prune.remove(lin, "weight")
    out["removed.keys"] = np.array(list(lin.state_dict()))
    out["removed.weight"] = lin.weight.detach().numpy()
    out["pruned"] = np.array([prune.is_pruned(lin), prune.is_pruned(conv)])
    return out
