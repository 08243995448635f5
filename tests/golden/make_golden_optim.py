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

The adaptive optimizers (Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam)
get the same: a 20-step
trajectory for every combination of their options (``ADAPTIVE_AXES``; the key of a run is
``<optimizer>.<config_key(config)>``), a run with two parameter groups, a run in which a
parameter has no gradient after the first step, their ``state_dict`` keys and their state
after the last step. The schedulers added with them (ExponentialLR, MultiStepLR, LinearLR,
OneCycleLR with the momentum or beta1 it cycles, ReduceLROnPlateau fed the fixed metrics
``PLATEAU_METRICS``, LambdaLR) get their learning rates over 30 steps in several
configurations each (``SCHEDULES``).
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


# ----------------------------------------------------------------------------------------
# The adaptive optimizers
# ----------------------------------------------------------------------------------------

# For each optimizer: its learning rate in the runs, and the values each option takes; every
# combination is a run. tests/test_optim_adaptive.py enumerates the same table.
ADAPTIVE_AXES: dict[str, tuple[float, dict[str, tuple]]] = {
    "Adam": (0.05, {
        "betas": ((0.9, 0.999), (0.8, 0.99)), "weight_decay": (0.0, 0.1),
        "amsgrad": (False, True), "maximize": (False, True),
        "decoupled_weight_decay": (False, True),
    }),
    "AdamW": (0.05, {
        "weight_decay": (0.01, 0.1), "amsgrad": (False, True), "maximize": (False, True),
    }),
    "RMSprop": (0.01, {
        "alpha": (0.99, 0.9), "weight_decay": (0.0, 0.1), "momentum": (0.0, 0.9),
        "centered": (False, True), "maximize": (False, True),
    }),
    "Adagrad": (0.1, {
        "lr_decay": (0.0, 0.1), "weight_decay": (0.0, 0.1),
        "initial_accumulator_value": (0.0, 0.5), "maximize": (False, True),
    }),
    "Adadelta": (1.0, {
        "rho": (0.9, 0.8), "eps": (1e-6, 1e-3), "weight_decay": (0.0, 0.1),
        "maximize": (False, True),
    }),
    "Adamax": (0.05, {
        "betas": ((0.9, 0.999), (0.8, 0.99)), "weight_decay": (0.0, 0.1),
        "maximize": (False, True),
    }),
    "NAdam": (0.05, {
        "weight_decay": (0.0, 0.1), "momentum_decay": (4e-3, 0.1),
        "decoupled_weight_decay": (False, True), "maximize": (False, True),
    }),
    "RAdam": (0.05, {
        "betas": ((0.9, 0.999), (0.8, 0.9)), "weight_decay": (0.0, 0.1),
        "decoupled_weight_decay": (False, True), "maximize": (False, True),
    }),
    "Rprop": (0.01, {
        "etas": ((0.5, 1.2), (0.3, 1.5)), "step_sizes": ((1e-6, 50), (1e-3, 0.05)),
        "maximize": (False, True),
    }),
    "ASGD": (0.05, {
        "lambd": (0.5, 1e-4), "alpha": (0.75, 0.25), "weight_decay": (0.0, 0.1),
        "maximize": (False, True),
    }),
}  # fmt: skip

# Options that switch on every state buffer: the state_dict layout and final-state runs.
FULL_STATE = {
    "Adam": {"amsgrad": True, "weight_decay": 0.1},
    "AdamW": {"amsgrad": True},
    "RMSprop": {"momentum": 0.9, "centered": True},
    "Adagrad": {"lr_decay": 0.1, "initial_accumulator_value": 0.5},
    "Adadelta": {"weight_decay": 0.1},
    "Adamax": {"weight_decay": 0.1},
    "NAdam": {"weight_decay": 0.1},
    "RAdam": {"weight_decay": 0.1},
    "Rprop": {"etas": (0.3, 1.5)},
    "ASGD": {"t0": 5.0, "weight_decay": 0.1},
}


def adaptive_configs(name: str) -> dict[str, dict]:
    """Every combination of ADAPTIVE_AXES[name], keyed by config_key."""
    lr, axes = ADAPTIVE_AXES[name]
    configs = {}
    for values in itertools.product(*axes.values()):
        config = {"lr": lr, **dict(zip(axes, values))}
        configs[config_key(config)] = config
    return configs


def config_key(config: dict) -> str:
    """``lr=0.05,betas=0.9-0.999,amsgrad=1,...``: the options in order, tuples joined by -."""

    def show(value):
        if isinstance(value, tuple):
            return "-".join(map(str, value))
        return str(int(value)) if isinstance(value, bool) else str(value)

    return ",".join(f"{key}={show(value)}" for key, value in config.items())


def run_adaptive(data, name, config, steps=STEPS):
    """A 20-step run (the negated loss when maximizing, as for SGD); returns the
    trajectory and the optimizer."""
    x, y = torch.tensor(data["x"]), torch.tensor(data["y"])
    W, b = params(data)
    opt = getattr(torch.optim, name)([W, b], foreach=False, **config)
    sign = -1.0 if config.get("maximize") else 1.0
    Ws, bs = [], []
    for _ in range(steps):
        opt.zero_grad()
        (sign * loss_fn(x, y, W, b)).backward()
        opt.step()
        Ws.append(W.detach().numpy().copy())
        bs.append(b.detach().numpy().copy())
    return {"W": np.stack(Ws), "b": np.stack(bs)}, opt


def adaptive_groups(name: str) -> list[dict]:
    """Two groups, W and b, with their own learning rates and one other option each."""
    lr = ADAPTIVE_AXES[name][0]
    other = {
        "Adam": {"amsgrad": True}, "AdamW": {"weight_decay": 0.1},
        "RMSprop": {"momentum": 0.5}, "Adagrad": {"lr_decay": 0.2},
        "Adadelta": {"rho": 0.7}, "Adamax": {"weight_decay": 0.1},
        "NAdam": {"momentum_decay": 0.1},
        "RAdam": {"decoupled_weight_decay": True, "weight_decay": 0.1},
        "Rprop": {"etas": (0.3, 1.5)}, "ASGD": {"t0": 3.0},
    }[name]  # fmt: skip
    return [{"lr": 2 * lr}, {"lr": lr / 5, **other}]


def run_adaptive_groups(data, name):
    x, y = torch.tensor(data["x"]), torch.tensor(data["y"])
    W, b = params(data)
    first, second = adaptive_groups(name)
    opt = getattr(torch.optim, name)(
        [{"params": [W], **first}, {"params": [b], **second}], foreach=False
    )
    Ws, bs = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(x, y, W, b).backward()
        opt.step()
        Ws.append(W.detach().numpy().copy())
        bs.append(b.detach().numpy().copy())
    return {"W": np.stack(Ws), "b": np.stack(bs)}


def run_adaptive_skip(data, name):
    """c is in the loss at step 1 only; its gradient is then None, so it must stay put."""
    x, y = torch.tensor(data["x"]), torch.tensor(data["y"])
    W, b = params(data)
    c = torch.tensor(data["c0"], requires_grad=True)
    lr = ADAPTIVE_AXES[name][0]
    opt = getattr(torch.optim, name)([W, b, c], lr=lr, foreach=False)
    cs = []
    for step in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(x, y, W, b)
        if step == 0:
            loss = loss + (c**2).sum()
        loss.backward()
        opt.step()
        cs.append(c.detach().numpy().copy())
    return np.stack(cs)


def adaptive_arrays(data) -> dict[str, np.ndarray]:
    arrays = {}
    for name in ADAPTIVE_AXES:
        for key, config in adaptive_configs(name).items():
            trajectory, _ = run_adaptive(data, name, config)
            for part, value in trajectory.items():
                arrays[f"{name}.{key}.{part}"] = value
        for part, value in run_adaptive_groups(data, name).items():
            arrays[f"groups.{name}.{part}"] = value
        arrays[f"skip.{name}.c"] = run_adaptive_skip(data, name)
        config = {"lr": ADAPTIVE_AXES[name][0], **FULL_STATE[name]}
        _, opt = run_adaptive(data, name, config)
        saved = opt.state_dict()
        arrays[f"layout.{name}.group"] = np.array(list(saved["param_groups"][0]))
        arrays[f"layout.{name}.state"] = np.array(list(saved["state"][0]))
        for index, part in enumerate("Wb"):
            for key, value in saved["state"][index].items():
                arrays[f"final.{name}.{key}.{part}"] = value.detach().numpy().copy()
    return arrays


# ----------------------------------------------------------------------------------------
# L-BFGS: step(closure) runs several iterations, so each case stores the parameters, the
# returned loss and the evaluation counts after every call
# ----------------------------------------------------------------------------------------

LBFGS_STEPS = 4
# The line search, the history size, and (lr, max_iter) pairs. A float32 run that goes on
# iterating at the optimum (lr=0.3 with 20 iterations a step) follows float32 noise there,
# which differs between any two libraries or CPUs: the long runs are the float64 ones.
LBFGS_AXES = {
    "line_search_fn": (None, "strong_wolfe"), "history_size": (100, 2),
    "lr,max_iter": ((1.0, 20), (1.0, 3), (0.3, 3)),
}  # fmt: skip


def lbfgs_configs() -> dict[str, dict]:
    configs = {}
    for line_search_fn, history_size, (lr, max_iter) in itertools.product(*LBFGS_AXES.values()):
        config = {
            "line_search_fn": line_search_fn, "history_size": history_size,
            "lr": lr, "max_iter": max_iter,
        }  # fmt: skip
        configs[config_key(config)] = config
    return configs


def rosenbrock(c):
    """The banana valley (minimum 0 at (1, 1)): a curved problem for the line search."""
    return (1 - c[0]) ** 2 + 100 * (c[1] - c[0] ** 2) ** 2


def run_lbfgs(data, config, problem="lsq"):
    """LBFGS_STEPS calls of step(closure) on the least-squares fit (float32) or on the
    Rosenbrock function from c0 (float64); the parameters after each call, the losses the
    calls return and the counts in the state."""
    x, y = torch.tensor(data["x"]), torch.tensor(data["y"])
    if problem == "lsq":
        tensors = list(params(data))
        loss_of = lambda: loss_fn(x, y, *tensors)  # noqa: E731
    else:
        tensors = [torch.tensor(data["c0"].astype(np.float64), requires_grad=True)]
        loss_of = lambda: rosenbrock(tensors[0])  # noqa: E731
    opt = torch.optim.LBFGS(tensors, **config)

    def closure():
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss

    out = {f"p{i}": [] for i in range(len(tensors))}
    out.update(loss=[], func_evals=[], n_iter=[])
    for _ in range(LBFGS_STEPS):
        out["loss"].append(float(opt.step(closure).detach()))
        for i, t in enumerate(tensors):
            out[f"p{i}"].append(t.detach().numpy().copy())
        state = opt.state[tensors[0]]
        out["func_evals"].append(state["func_evals"])
        out["n_iter"].append(state["n_iter"])
    return {key: np.array(value) for key, value in out.items()}, opt


def lbfgs_arrays(data) -> dict[str, np.ndarray]:
    arrays = {}
    for key, config in lbfgs_configs().items():
        for part, value in run_lbfgs(data, config)[0].items():
            arrays[f"LBFGS.{key}.{part}"] = value
    for line_search_fn in (None, "strong_wolfe"):
        config = {"line_search_fn": line_search_fn, "lr": 1.0 if line_search_fn else 1e-3}
        for part, value in run_lbfgs(data, config, "rosenbrock")[0].items():
            arrays[f"LBFGS.rosenbrock.{line_search_fn}.{part}"] = value
    _, opt = run_lbfgs(data, {"line_search_fn": "strong_wolfe", "history_size": 3, "max_iter": 3})
    saved = opt.state_dict()
    arrays["layout.LBFGS.group"] = np.array(list(saved["param_groups"][0]))
    arrays["layout.LBFGS.state"] = np.array(list(saved["state"][0]))
    state = saved["state"][0]
    for key in ("d", "prev_flat_grad", "H_diag", "t"):
        arrays[f"final.LBFGS.{key}"] = np.asarray(state[key])
    for key in ("old_dirs", "old_stps", "ro"):
        arrays[f"final.LBFGS.{key}"] = np.stack([np.asarray(v) for v in state[key]])
    return arrays


# ----------------------------------------------------------------------------------------
# The schedulers
# ----------------------------------------------------------------------------------------

# ReduceLROnPlateau is fed these metrics, one per step: progress, short plateaus, a long
# one (13 epochs, long enough for the default patience of 10) with improvements under the
# threshold, and a bad stretch.
PLATEAU_METRICS = [
    1.0, 0.9, 0.8, 0.8, 0.81, 0.79, 0.8, 0.8, 0.8, 0.7,
    0.7, 0.69999, 0.7, 0.71, 0.72, 0.73, 0.72, 0.71, 0.7, 0.7,
    0.7, 0.7, 0.69995, 0.6, 0.6, 0.55, 0.6, 0.65, 0.7, 0.45,
]  # fmt: skip


def schedules():
    """name -> (which optimizer, a function that builds the scheduler). The lambdas of
    LambdaLR are written again in the test; keep the two in step."""
    sched = torch.optim.lr_scheduler
    swa = torch.optim.swa_utils
    plateau = sched.ReduceLROnPlateau
    return {
        "exponential": ("sgd", lambda o: sched.ExponentialLR(o, gamma=0.9)),
        "exponential_half": ("sgd", lambda o: sched.ExponentialLR(o, gamma=0.5)),
        "multistep": ("sgd", lambda o: sched.MultiStepLR(o, [3, 7, 7, 12], gamma=0.5)),
        "multistep_far": ("sgd", lambda o: sched.MultiStepLR(o, milestones=[5, 10, 20])),
        "linear": ("sgd", lambda o: sched.LinearLR(o)),
        "linear_down": ("sgd", lambda o: sched.LinearLR(o, 1.0, 0.1, total_iters=10)),
        "linear_long": ("sgd", lambda o: sched.LinearLR(o, 0.25, 0.75, total_iters=40)),
        "onecycle": ("sgd", lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=30)),
        "onecycle_linear": ("sgd", lambda o: sched.OneCycleLR(
            o, max_lr=[1.0, 0.5], total_steps=30, pct_start=0.25, anneal_strategy="linear"
        )),
        "onecycle_three_phase": ("sgd", lambda o: sched.OneCycleLR(
            o, max_lr=1.0, total_steps=30, three_phase=True, div_factor=10.0,
            final_div_factor=100.0,
        )),
        "onecycle_three_phase_linear": ("sgd", lambda o: sched.OneCycleLR(
            o, max_lr=0.5, total_steps=30, three_phase=True, anneal_strategy="linear",
            base_momentum=0.8, max_momentum=[0.9, 0.99],
        )),
        "onecycle_no_momentum": ("sgd", lambda o: sched.OneCycleLR(
            o, max_lr=1.0, epochs=5, steps_per_epoch=6, cycle_momentum=False
        )),
        "onecycle_adam": ("adam", lambda o: sched.OneCycleLR(
            o, max_lr=0.01, total_steps=30, base_momentum=0.8, max_momentum=0.9
        )),
        "plateau": ("sgd", lambda o: plateau(o)),
        "plateau_patient2": ("sgd", lambda o: plateau(o, factor=0.5, patience=2)),
        "plateau_max_abs": ("sgd", lambda o: plateau(
            o, mode="max", patience=1, threshold=0.01, threshold_mode="abs"
        )),
        "plateau_cooldown": ("sgd", lambda o: plateau(
            o, factor=0.5, patience=1, cooldown=3, min_lr=[0.01, 0.005]
        )),
        "plateau_eps": ("sgd", lambda o: plateau(
            o, factor=0.5, patience=0, threshold=0.1, eps=0.03
        )),
        "lambda": ("sgd", lambda o: sched.LambdaLR(o, lambda epoch: 0.95**epoch)),
        "lambda_list": ("sgd", lambda o: sched.LambdaLR(
            o, [lambda epoch: 1.0 / (epoch + 1), lambda epoch: 0.5 ** (epoch // 4)]
        )),
        "constant": ("sgd", lambda o: sched.ConstantLR(o)),
        "constant_long": ("sgd", lambda o: sched.ConstantLR(o, factor=0.5, total_iters=12)),
        "multiplicative": ("sgd", lambda o: sched.MultiplicativeLR(o, lambda epoch: 0.9)),
        "multiplicative_list": ("sgd", lambda o: sched.MultiplicativeLR(
            o, [lambda epoch: 0.95, lambda epoch: 1.0 if epoch < 10 else 0.8])),
        "polynomial": ("sgd", lambda o: sched.PolynomialLR(o, total_iters=20, power=2.0)),
        "polynomial_linear": ("sgd", lambda o: sched.PolynomialLR(o)),
        "warm_restarts": ("sgd", lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=7)),
        "warm_restarts_mult": ("sgd", lambda o: sched.CosineAnnealingWarmRestarts(
            o, T_0=3, T_mult=2, eta_min=0.001)),
        "cyclic": ("sgd", lambda o: sched.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4)),
        "cyclic_triangular2": ("sgd", lambda o: sched.CyclicLR(
            o, base_lr=[0.01, 0.001], max_lr=[0.1, 0.05], step_size_up=3, step_size_down=5,
            mode="triangular2")),
        "cyclic_exp_range": ("sgd", lambda o: sched.CyclicLR(
            o, base_lr=0.01, max_lr=0.2, step_size_up=5, mode="exp_range", gamma=0.97)),
        "cyclic_adam": ("adam", lambda o: sched.CyclicLR(
            o, base_lr=0.001, max_lr=0.01, step_size_up=4, base_momentum=0.8,
            max_momentum=0.95)),
        "cyclic_no_momentum": ("adam", lambda o: sched.CyclicLR(
            o, base_lr=0.001, max_lr=0.01, step_size_up=6, cycle_momentum=False,
            scale_fn=lambda x: 1 / (1.0 + x), scale_mode="iterations")),
        "sequential": ("sgd", lambda o: sched.SequentialLR(
            o, [sched.LinearLR(o, 0.1, total_iters=5), sched.CosineAnnealingLR(o, T_max=20)],
            milestones=[5])),
        "sequential_three": ("sgd", lambda o: sched.SequentialLR(
            o, [sched.ConstantLR(o, factor=0.5, total_iters=4), sched.ExponentialLR(o, gamma=0.9),
                sched.StepLR(o, step_size=3, gamma=0.5)], milestones=[6, 15])),
        "chained": ("sgd", lambda o: sched.ChainedScheduler(
            [sched.ConstantLR(o, factor=0.1, total_iters=4), sched.ExponentialLR(o, gamma=0.9)])),
        "chained_multistep": ("sgd", lambda o: sched.ChainedScheduler(
            [sched.LinearLR(o, 0.5, total_iters=6), sched.MultiStepLR(o, [8, 16], gamma=0.5)],
            optimizer=o)),
        "swalr": ("sgd", lambda o: swa.SWALR(o, swa_lr=0.05)),
        "swalr_linear_groups": ("sgd", lambda o: swa.SWALR(
            o, swa_lr=[0.01, 0.2], anneal_epochs=5, anneal_strategy="linear")),
        "swalr_jump": ("adam", lambda o: swa.SWALR(o, swa_lr=0.03, anneal_epochs=0)),
        "swalr_after_cosine": ("sgd", lambda o: sched.SequentialLR(
            o, [sched.CosineAnnealingLR(o, T_max=10), swa.SWALR(o, swa_lr=0.02, anneal_epochs=4)],
            milestones=[8])),
    }  # fmt: skip


def two_group_optimizer(kind: str):
    p, q = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    groups = [{"params": [p]}, {"params": [q], "lr": 0.02}]
    if kind == "adam":
        return torch.optim.Adam(groups, lr=0.1)
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


def run_new_schedule(kind, make_scheduler) -> dict[str, np.ndarray]:
    """The learning rates of the two groups, after construction and then per step, the
    momentum (or beta1) that OneCycleLR and CyclicLR cycle, and the keys of the
    scheduler's state_dict."""
    opt = two_group_optimizer(kind)
    scheduler = make_scheduler(opt)
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)

    def momentum():
        if kind == "adam":
            return [g["betas"][0] for g in opt.param_groups]
        return [g["momentum"] for g in opt.param_groups]

    lrs, momenta = [scheduler.get_last_lr()], [momentum()]
    for step in range(SCHEDULE_STEPS):
        opt.step()
        scheduler.step(PLATEAU_METRICS[step]) if plateau else scheduler.step()
        lrs.append(scheduler.get_last_lr())
        momenta.append(momentum())
    return {
        "lr": np.array(lrs, np.float64),
        "momentum": np.array(momenta, np.float64),
        "keys": np.array(list(scheduler.state_dict())),
    }


# ----------------------------------------------------------------------------------------
# Weight averaging (torch.optim.swa_utils)
# ----------------------------------------------------------------------------------------

SWA_SNAPSHOTS = 5  # states of the trained model that are folded into the averages


def swa_model():
    """Linear, BatchNorm1d, ReLU, Linear: parameters and BatchNorm buffers to average."""
    return torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Linear(6, 3)
    )


def swa_averagers():
    """name -> a function that wraps a model in an AveragedModel. The test builds the same.
    (Not get_swa_multi_avg_fn with use_buffers: PyTorch 2.13 fails on the integer batch
    count, "Integer division with addcdiv is no longer supported".)"""
    swa = torch.optim.swa_utils
    return {
        "swa": lambda m: swa.AveragedModel(m),
        "swa_buffers": lambda m: swa.AveragedModel(m, use_buffers=True),
        "swa_multi": lambda m: swa.AveragedModel(m, multi_avg_fn=swa.get_swa_multi_avg_fn()),
        "swa_fn": lambda m: swa.AveragedModel(m, avg_fn=swa.get_swa_avg_fn()),
        "ema": lambda m: swa.AveragedModel(m, multi_avg_fn=swa.get_ema_multi_avg_fn(0.9)),
        "ema_buffers": lambda m: swa.AveragedModel(
            m, multi_avg_fn=swa.get_ema_multi_avg_fn(0.75), use_buffers=True
        ),
        "ema_fn": lambda m: swa.AveragedModel(m, avg_fn=swa.get_ema_avg_fn(0.8)),
        "ema_fn_buffers": lambda m: swa.AveragedModel(
            m, avg_fn=swa.get_ema_avg_fn(0.8), use_buffers=True
        ),
    }


def swa_arrays(data) -> dict[str, np.ndarray]:
    """Train the model with SGD on fixed batches; after every epoch, store its state (the
    snapshots) and fold it into each averaged model. Store each average's state_dict, then
    the state and the eval-mode output of the "swa" average after ``update_bn``."""
    rng = np.random.default_rng(SEED + 7)
    batches = rng.standard_normal((4, 8, 4)).astype(np.float32)
    targets = rng.integers(0, 3, (4, 8))
    probe = rng.standard_normal((5, 4)).astype(np.float32)
    model = swa_model()
    averaged = {name: build(model) for name, build in swa_averagers().items()}
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    arrays = {"swa.batches": batches, "swa.targets": targets, "swa.probe": probe}
    for snapshot in range(SWA_SNAPSHOTS):
        for x, y in zip(batches, targets):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(torch.tensor(x)), torch.tensor(y)).backward()
            opt.step()
        for key, value in model.state_dict().items():
            arrays[f"swa.snapshot{snapshot}.{key}"] = value.numpy().copy()
        for avg in averaged.values():
            avg.update_parameters(model)
    for name, avg in averaged.items():
        for key, value in avg.state_dict().items():
            arrays[f"swa.{name}.{key}"] = value.numpy().copy()
    avg = averaged["swa"]
    avg.eval()
    torch.optim.swa_utils.update_bn([(torch.tensor(x), 0) for x in batches], avg)
    for key, value in avg.state_dict().items():
        arrays[f"swa.update_bn.{key}"] = value.numpy().copy()
    with torch.no_grad():
        arrays["swa.update_bn.output"] = avg(torch.tensor(probe)).numpy()
    arrays["swa.update_bn.training"] = np.array(avg.training)
    return arrays


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
    arrays.update(adaptive_arrays(data))
    arrays.update(lbfgs_arrays(data))
    arrays["plateau.metrics"] = np.array(PLATEAU_METRICS, np.float64)
    for name, (kind, make_scheduler) in schedules().items():
        for key, value in run_new_schedule(kind, make_scheduler).items():
            arrays[f"schedule.{name}.{key}"] = value
    arrays.update(swa_arrays(data))
    path = HERE / "optim.npz"
    save_atomically(path, arrays)
    counts = ", ".join(f"{len(adaptive_configs(n))} {n}" for n in ADAPTIVE_AXES)
    print(
        f"wrote {len(configs)} SGD configurations, {counts}, and {len(schedules())} new "
        f"schedules with PyTorch {torch.__version__} to {path}"
    )


if __name__ == "__main__":
    sys.exit(main())
