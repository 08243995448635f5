"""Write ``optim.npz``: SGD trajectories and learning-rate schedules computed by PyTorch.

    pip install torch==2.13.0
    python tests/golden/make_golden_optim.py

The problem is a small least-squares fit, two parameters (a weight ``W`` of shape (3, 4) and
a bias ``b`` of shape (3,)) and the loss ``sum((x @ W.T + b - y) ** 2) / N`` on fixed float32
data; runs with ``maximize=True`` maximize the negated loss. For each SGD configuration this
runs 20 steps and stores ``W`` and ``b`` after every step; ``tests/test_optim.py`` replays
the same steps in minigrad (with minigrad's own autograd computing the gradients) and
compares. It also stores the learning rates that ``StepLR`` and ``CosineAnnealingLR`` give
over 30 steps. The file is written atomically and records the PyTorch version.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import torch
from make_golden import save_atomically

HERE = Path(__file__).resolve().parent
SEED = 20261123
STEPS = 20
LR = 0.05
SCHEDULE_STEPS = 30


def sgd_configs() -> dict[str, dict]:
    """Every valid combination; the test builds the same names (see ``config_name``)."""
    configs = {}
    for momentum, dampening, nesterov, weight_decay, maximize in itertools.product(
        (0.0, 0.9), (0.0, 0.5), (False, True), (0.0, 1e-2), (False, True)
    ):
        if nesterov and (momentum == 0 or dampening != 0):
            continue  # PyTorch rejects these
        config = {
            "momentum": momentum,
            "dampening": dampening,
            "nesterov": nesterov,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        configs[config_name(config)] = config
    return configs


def config_name(c: dict) -> str:
    return (
        f"m{c['momentum']}_d{c['dampening']}_n{int(c['nesterov'])}"
        f"_wd{c['weight_decay']}_max{int(c['maximize'])}"
    )


def make_data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    return {
        "x": rng.standard_normal((16, 4)).astype(np.float32),
        "y": rng.standard_normal((16, 3)).astype(np.float32),
        "W0": (0.5 * rng.standard_normal((3, 4))).astype(np.float32),
        "b0": (0.5 * rng.standard_normal(3)).astype(np.float32),
        "c0": rng.standard_normal(2).astype(np.float32),
    }


def loss_fn(x, y, W, b):
    return ((x @ W.T + b - y) ** 2).sum() / x.shape[0]


def params(data):
    W = torch.tensor(data["W0"], requires_grad=True)
    b = torch.tensor(data["b0"], requires_grad=True)
    return W, b


def run_sgd(data, config) -> dict[str, np.ndarray]:
    """With ``maximize=True`` the objective is the negated loss, so the run converges like
    the others (ascending the loss itself diverges, and float32 rounding differences
    between any two libraries grow with it)."""
    x, y = torch.tensor(data["x"]), torch.tensor(data["y"])
    W, b = params(data)
    opt = torch.optim.SGD([W, b], lr=LR, foreach=False, **config)
    sign = -1.0 if config["maximize"] else 1.0
    Ws, bs = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        (sign * loss_fn(x, y, W, b)).backward()
        opt.step()
        Ws.append(W.detach().numpy().copy())
        bs.append(b.detach().numpy().copy())
    return {"W": np.stack(Ws), "b": np.stack(bs)}


def run_groups(data) -> dict[str, np.ndarray]:
    """Two groups with different settings: W with Nesterov, b with dampening and decay."""
    x, y = torch.tensor(data["x"]), torch.tensor(data["y"])
    W, b = params(data)
    opt = torch.optim.SGD(
        [
            {"params": [W], "lr": 0.1, "momentum": 0.9, "nesterov": True},
            {"params": [b], "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01},
        ],
        lr=LR,
        foreach=False,
    )
    Ws, bs = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(x, y, W, b).backward()
        opt.step()
        Ws.append(W.detach().numpy().copy())
        bs.append(b.detach().numpy().copy())
    return {"W": np.stack(Ws), "b": np.stack(bs)}


def run_zero_grad(data, set_to_none: bool) -> dict[str, np.ndarray]:
    """A third parameter c is in the loss only at the first step. With set_to_none=False it
    keeps a zero gradient, so momentum and weight decay keep moving it; with True it has no
    gradient and is skipped."""
    x, y = torch.tensor(data["x"]), torch.tensor(data["y"])
    W, b = params(data)
    c = torch.tensor(data["c0"], requires_grad=True)
    opt = torch.optim.SGD([W, b, c], lr=LR, momentum=0.9, weight_decay=0.01, foreach=False)
    cs = []
    for step in range(STEPS):
        opt.zero_grad(set_to_none=set_to_none)
        loss = loss_fn(x, y, W, b)
        if step == 0:
            loss = loss + (c**2).sum()
        loss.backward()
        opt.step()
        cs.append(c.detach().numpy().copy())
    return {"c": np.stack(cs)}


def run_schedule(make_scheduler) -> np.ndarray:
    """Learning rates of two groups (0.1 and 0.02): after construction, then per step."""
    p, q = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.02}], lr=0.1)
    scheduler = make_scheduler(opt)
    lrs = [scheduler.get_last_lr()]
    for _ in range(SCHEDULE_STEPS):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    return np.array(lrs, dtype=np.float64)


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    data = make_data()
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    arrays.update({f"data.{k}": v for k, v in data.items()})
    configs = sgd_configs()
    for name, config in configs.items():
        for key, value in run_sgd(data, config).items():
            arrays[f"sgd.{name}.{key}"] = value
    for key, value in run_groups(data).items():
        arrays[f"groups.{key}"] = value
    for set_to_none in (False, True):
        arrays[f"zero_grad.{set_to_none}.c"] = run_zero_grad(data, set_to_none)["c"]
    sched = torch.optim.lr_scheduler
    arrays["lr.step"] = run_schedule(lambda o: sched.StepLR(o, step_size=7, gamma=0.5))
    arrays["lr.cosine"] = run_schedule(
        lambda o: sched.CosineAnnealingLR(o, T_max=10, eta_min=0.001)
    )
    arrays["lr.cosine0"] = run_schedule(lambda o: sched.CosineAnnealingLR(o, T_max=10))
    path = HERE / "optim.npz"
    save_atomically(path, arrays)
    print(f"wrote {len(configs)} SGD configurations with PyTorch {torch.__version__} to {path}")


if __name__ == "__main__":
    sys.exit(main())
