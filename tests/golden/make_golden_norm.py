"""Write ``norm.npz``: PyTorch's results for the normalization layers beside BatchNorm.

    pip install torch==2.13.0
    python tests/golden/make_golden_norm.py

The cases (``NORM_CASES`` below) build a module from ``nn`` (``torch.nn``, or minigrad's
modules under the same names), so one table serves both libraries; the table imports
nothing, and ``tests/test_norm_golden.py`` replays it without PyTorch. For each case this
records: the initial state_dict, its parameters moved off PyTorch's ones and zeros (so
that the affine and its gradients are tested with values that show a mistake), the
input and output of each training-mode forward pass, a random output gradient of the
last one with the input and parameter gradients it gives, the final state_dict (the
running statistics), and the evaluation-mode output.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class NormCase:
    build: object  # nn -> module
    shape: tuple  # of the one float32 input, which requires grad
    train_steps: int = 1


def _n(build, shape, train_steps=1):
    return NormCase(build, shape, train_steps)


NORM_CASES = {
    # LayerNorm: over the last 1, 2 or 3 dims; without affine, without bias, another eps.
    "layernorm_features": _n(lambda nn: nn.LayerNorm(5), (4, 5)),
    "layernorm_sequence": _n(lambda nn: nn.LayerNorm(6), (2, 3, 6)),
    "layernorm_two_dims": _n(lambda nn: nn.LayerNorm((3, 4)), (2, 3, 4)),
    "layernorm_three_dims": _n(lambda nn: nn.LayerNorm([2, 3, 4]), (2, 2, 3, 4)),
    "layernorm_no_affine": _n(lambda nn: nn.LayerNorm(5, elementwise_affine=False), (3, 5)),
    "layernorm_no_bias": _n(lambda nn: nn.LayerNorm((3, 4), bias=False), (2, 3, 4)),
    "layernorm_eps": _n(lambda nn: nn.LayerNorm(4, eps=0.1), (3, 4)),
    "layernorm_unbatched": _n(lambda nn: nn.LayerNorm(6), (6,)),
    # GroupNorm: G in between, G = 1 (LayerNorm-like), G = C (InstanceNorm-like).
    "groupnorm": _n(lambda nn: nn.GroupNorm(2, 4), (2, 4, 3, 3)),
    "groupnorm_one_group": _n(lambda nn: nn.GroupNorm(1, 4), (2, 4, 3, 3)),
    "groupnorm_group_per_channel": _n(lambda nn: nn.GroupNorm(4, 4), (2, 4, 3, 3)),
    "groupnorm_no_affine": _n(lambda nn: nn.GroupNorm(3, 6, affine=False), (2, 6, 5)),
    "groupnorm_no_bias": _n(lambda nn: nn.GroupNorm(2, 4, bias=False), (2, 4, 5)),
    "groupnorm_2d_input": _n(lambda nn: nn.GroupNorm(2, 6), (3, 6)),
    "groupnorm_batch_of_one_eps": _n(lambda nn: nn.GroupNorm(2, 4, eps=0.1), (1, 4, 3, 3)),
    # InstanceNorm: the defaults, affine, running statistics (then evaluation with them),
    # momentum None (no update), unbatched inputs.
    "instancenorm1d": _n(lambda nn: nn.InstanceNorm1d(3), (4, 3, 5)),
    "instancenorm1d_affine": _n(lambda nn: nn.InstanceNorm1d(3, affine=True), (4, 3, 5)),
    "instancenorm1d_running_stats": _n(
        lambda nn: nn.InstanceNorm1d(3, track_running_stats=True), (4, 3, 5), train_steps=3
    ),
    "instancenorm1d_unbatched": _n(lambda nn: nn.InstanceNorm1d(3, affine=True), (3, 6)),
    "instancenorm1d_unbatched_running_stats": _n(
        lambda nn: nn.InstanceNorm1d(3, affine=True, track_running_stats=True),
        (3, 6),
        train_steps=2,
    ),
    "instancenorm2d": _n(lambda nn: nn.InstanceNorm2d(4), (2, 4, 3, 3)),
    "instancenorm2d_affine_running_stats": _n(
        lambda nn: nn.InstanceNorm2d(
            4, eps=1e-3, momentum=0.3, affine=True, track_running_stats=True
        ),
        (2, 4, 3, 3),
        train_steps=3,
    ),
    "instancenorm2d_momentum_none": _n(
        lambda nn: nn.InstanceNorm2d(2, momentum=None, track_running_stats=True),
        (2, 2, 3, 3),
        train_steps=2,
    ),
    "instancenorm2d_no_bias": _n(
        lambda nn: nn.InstanceNorm2d(3, affine=True, bias=False), (2, 3, 4, 4)
    ),
    "instancenorm2d_unbatched": _n(lambda nn: nn.InstanceNorm2d(2, affine=True), (2, 4, 4)),
    # In small models, trained for a few steps.
    "mlp_layernorm": _n(
        lambda nn: nn.Sequential(nn.Linear(6, 5), nn.LayerNorm(5), nn.ReLU(), nn.Linear(5, 3)),
        (8, 6),
        train_steps=2,
    ),
    "cnn_groupnorm": _n(
        lambda nn: nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.GroupNorm(2, 4), nn.ReLU()),
        (2, 2, 5, 5),
        train_steps=2,
    ),
}


def run_case(torch, case: NormCase, rng: np.random.Generator) -> dict[str, np.ndarray]:
    torch.manual_seed(0)
    module = case.build(torch.nn)
    with torch.no_grad():  # off the ones and zeros, so that gamma and beta show mistakes
        for p in module.parameters():
            p.add_(torch.tensor(rng.standard_normal(p.shape).astype(np.float32)) * 0.5)
    record = {f"state0.{k}": t.detach().numpy().copy() for k, t in module.state_dict().items()}
    for step in range(case.train_steps):
        x = rng.standard_normal(case.shape).astype(np.float32) * 2 + 1
        record[f"in{step}"] = x
        input = torch.tensor(x, requires_grad=True)
        module.train()
        out = module(input)
        record[f"out{step}"] = out.detach().numpy()
    module.zero_grad()
    v = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(torch.tensor(v))
    record["v"] = v
    record["input_grad"] = input.grad.numpy()
    for name, p in module.named_parameters():
        record[f"param_grad.{name}"] = p.grad.numpy()
    record.update(
        {f"state1.{k}": t.detach().numpy().copy() for k, t in module.state_dict().items()}
    )
    module.eval()
    with torch.no_grad():
        record["eval_out"] = module(input).numpy()
    return record


def main() -> None:
    import torch  # only here: the table above is read by the tests, without PyTorch
    from make_golden import SEED, save_atomically

    rng = np.random.default_rng(SEED + 18)
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    for name, case in NORM_CASES.items():
        for key, value in run_case(torch, case, rng).items():
            arrays[f"{name}/{key}"] = np.asarray(value)
    save_atomically(HERE / "norm.npz", arrays)
    print(f"wrote {len(NORM_CASES)} normalization cases with PyTorch {torch.__version__}")


if __name__ == "__main__":
    sys.exit(main())
