"""SGD and the learning-rate schedulers against PyTorch 2.13 (golden data), plus the
Optimizer machinery: parameter groups, zero_grad, state_dict round trips and errors.

The golden file is written by ``tests/golden/make_golden_optim.py``. The SGD problem is a
small least-squares fit (W of shape (3, 4), b of shape (3,)); minigrad computes the
gradients with its own autograd and the parameters are compared after every one of 20
steps. Tolerance: float32 throughout, ``rtol=1e-5, atol=1e-6`` (gradients and updates
differ from PyTorch's by a few ulps: summation order in the matmuls, and PyTorch's fused
``p + (-lr) * g``). Learning rates are Python floats computed by the same formulas in the
same order as PyTorch, so they are compared exactly.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

import minigrad
import minigrad.optim
from minigrad.optim import SGD, Optimizer
from minigrad.optim.lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR

GOLDEN = np.load(Path(__file__).parent / "golden" / "optim.npz", allow_pickle=False)
STEPS = 20
LR = 0.05
RTOL, ATOL = 1e-5, 1e-6


def config_name(c: dict) -> str:
    """The key make_golden_optim.py uses for a configuration."""
    return (
        f"m{c['momentum']}_d{c['dampening']}_n{int(c['nesterov'])}"
        f"_wd{c['weight_decay']}_max{int(c['maximize'])}"
    )


def sgd_configs() -> list[dict]:
    configs = []
    for momentum, dampening, nesterov, weight_decay, maximize in itertools.product(
        (0.0, 0.9), (0.0, 0.5), (False, True), (0.0, 1e-2), (False, True)
    ):
        if nesterov and (momentum == 0 or dampening != 0):
            continue  # invalid: Nesterov needs momentum and no dampening
        configs.append(
            {
                "momentum": momentum,
                "dampening": dampening,
                "nesterov": nesterov,
                "weight_decay": weight_decay,
                "maximize": maximize,
            }
        )
    return configs


CONFIGS = sgd_configs()


class Problem:
    """The least-squares problem of the golden file, on the device under test."""

    def __init__(self, device):
        self.x = minigrad.tensor(GOLDEN["data.x"], device=device)
        self.y = minigrad.tensor(GOLDEN["data.y"], device=device)
        self.W = minigrad.tensor(GOLDEN["data.W0"], device=device, requires_grad=True)
        self.b = minigrad.tensor(GOLDEN["data.b0"], device=device, requires_grad=True)

    def loss(self):
        return ((self.x @ self.W.T + self.b - self.y) ** 2).sum() / self.x.shape[0]

    def train(self, opt, steps):
        """Run ``steps`` steps; return W and b after each. Optimizers with ``maximize=True``
        maximize the negated loss (as the golden runs do), so every run converges."""
        sign = -1.0 if opt.param_groups[0]["maximize"] else 1.0
        Ws, bs = [], []
        for _ in range(steps):
            opt.zero_grad()
            (sign * self.loss()).backward()
            opt.step()
            Ws.append(self.W.numpy())
            bs.append(self.b.numpy())
        return np.stack(Ws), np.stack(bs)


def assert_trajectory(Ws, bs, prefix, start=0):
    want_W, want_b = GOLDEN[f"{prefix}.W"][start:], GOLDEN[f"{prefix}.b"][start:]
    assert Ws.dtype == np.float32 and bs.dtype == np.float32
    for step, (W, b, eW, eb) in enumerate(zip(Ws, bs, want_W, want_b), start + 1):
        np.testing.assert_allclose(W, eW, rtol=RTOL, atol=ATOL, err_msg=f"W after step {step}")
        np.testing.assert_allclose(b, eb, rtol=RTOL, atol=ATOL, err_msg=f"b after step {step}")


# ----------------------------------------------------------------------------------------
# SGD against PyTorch
# ----------------------------------------------------------------------------------------


def test_golden_file_covers_every_configuration():
    assert str(GOLDEN["__torch_version__"]).startswith("2.13")
    stored = {key.split(".", 1)[1].rsplit(".", 1)[0] for key in GOLDEN.files if key[:4] == "sgd."}
    assert stored == {config_name(c) for c in CONFIGS}
    assert len(CONFIGS) == 20


@pytest.mark.parametrize("config", CONFIGS, ids=config_name)
def test_sgd_matches_pytorch(config, device):
    problem = Problem(device)
    opt = SGD([problem.W, problem.b], lr=LR, **config)
    Ws, bs = problem.train(opt, STEPS)
    assert_trajectory(Ws, bs, f"sgd.{config_name(config)}")
    if config["momentum"]:
        for p in (problem.W, problem.b):
            buf = opt.state[p]["momentum_buffer"]
            assert buf.dtype == minigrad.float32 and buf.device == p.device
    else:
        assert len(opt.state) == 0  # plain SGD keeps no state


def test_parameter_groups_with_their_own_settings(device):
    problem = Problem(device)
    opt = SGD(
        [
            {"params": [problem.W], "lr": 0.1, "momentum": 0.9, "nesterov": True},
            {"params": [problem.b], "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01},
        ],
        lr=LR,
    )
    assert opt.param_groups[1]["lr"] == LR  # filled in from the defaults
    assert opt.param_groups[0]["weight_decay"] == 0
    Ws, bs = problem.train(opt, STEPS)
    assert_trajectory(Ws, bs, "groups")


def test_add_param_group_fills_defaults(device):
    w = minigrad.zeros(2, device=device, requires_grad=True)
    opt = SGD([w], lr=0.1, momentum=0.9)
    v = minigrad.zeros(3, device=device, requires_grad=True)
    opt.add_param_group({"params": v, "lr": 0.01})
    assert len(opt.param_groups[1]["params"]) == 1 and opt.param_groups[1]["params"][0] is v
    assert opt.param_groups[1]["lr"] == 0.01
    assert opt.param_groups[1]["momentum"] == 0.9
    assert opt.param_groups[1]["nesterov"] is False


@pytest.mark.parametrize("set_to_none", [False, True])
def test_zero_grad_matches_pytorch(set_to_none, device):
    """c is in the loss at step 1 only. Zeroed grads keep it moving (momentum, weight
    decay); grads set to None make step() skip it."""
    problem = Problem(device)
    c = minigrad.tensor(GOLDEN["data.c0"], device=device, requires_grad=True)
    opt = SGD([problem.W, problem.b, c], lr=LR, momentum=0.9, weight_decay=0.01)
    cs = []
    for step in range(STEPS):
        opt.zero_grad(set_to_none=set_to_none)
        if set_to_none:
            assert all(p.grad is None for p in (problem.W, problem.b, c))
        elif step > 0:
            assert not c.grad.numpy().any() and not problem.W.grad.numpy().any()
        loss = problem.loss()
        if step == 0:
            loss = loss + (c**2).sum()
        loss.backward()
        opt.step()
        cs.append(c.numpy())
    np.testing.assert_allclose(
        np.stack(cs), GOLDEN[f"zero_grad.{set_to_none}.c"], rtol=RTOL, atol=ATOL
    )
    if set_to_none:
        assert np.array_equal(cs[1], cs[-1])  # skipped from step 2 on


def test_param_without_grad_is_skipped(device):
    problem = Problem(device)
    frozen = minigrad.ones(2, device=device, requires_grad=True)  # never used in the loss
    no_grad_param = minigrad.ones(3, device=device)  # does not require grad: allowed
    opt = SGD([problem.W, problem.b, frozen, no_grad_param], lr=LR, momentum=0.9)
    Ws, bs = problem.train(opt, 3)
    assert_trajectory(Ws, bs, f"sgd.{config_name({**CONFIGS[0], 'momentum': 0.9})}")
    assert frozen.grad is None
    assert np.array_equal(frozen.numpy(), np.ones(2, np.float32))
    assert frozen not in opt.state and no_grad_param not in opt.state


def test_state_dict_round_trip_continues_the_same_trajectory(device):
    config = {"momentum": 0.9, "dampening": 0.0, "nesterov": True}
    config.update(weight_decay=1e-2, maximize=False)
    name = config_name(config)
    problem = Problem(device)
    opt = SGD([problem.W, problem.b], lr=LR, **config)
    problem.train(opt, 10)
    saved = opt.state_dict()
    assert set(saved) == {"state", "param_groups"}
    assert sorted(saved["state"]) == [0, 1]
    assert saved["param_groups"][0]["params"] == [0, 1]
    assert saved["param_groups"][0]["nesterov"] is True

    # A fresh problem and optimizer (different settings), starting from the step-10 values.
    resumed = Problem(device)
    with minigrad.no_grad():
        resumed.W.copy_(problem.W)
        resumed.b.copy_(problem.b)
    opt2 = SGD([resumed.W, resumed.b], lr=1.0)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == LR and opt2.param_groups[0]["momentum"] == 0.9
    assert opt2.param_groups[0]["params"][0] is resumed.W
    buf = opt2.state[resumed.W]["momentum_buffer"]
    assert buf is not opt.state[problem.W]["momentum_buffer"]  # loaded as a copy
    assert buf.device == resumed.W.device and buf.dtype == minigrad.float32

    Ws, bs = resumed.train(opt2, STEPS - 10)
    assert_trajectory(Ws, bs, f"sgd.{name}", start=10)
    # The original optimizer was not disturbed by the copy and continues identically.
    Ws1, bs1 = problem.train(opt, STEPS - 10)
    np.testing.assert_array_equal(Ws1, Ws)
    np.testing.assert_array_equal(bs1, bs)


def test_load_state_dict_casts_state_to_param_dtype_and_device(device):
    w = minigrad.ones(3, dtype=minigrad.float64, device=device, requires_grad=True)
    opt = SGD([w], lr=0.1, momentum=0.9)
    state = {
        "state": {0: {"momentum_buffer": minigrad.tensor([1.0, 2.0, 3.0]), "step": 7}},
        "param_groups": [{"lr": 0.1, "momentum": 0.9, "params": [0]}],
    }
    opt.load_state_dict(state)
    buf = opt.state[w]["momentum_buffer"]
    assert buf.dtype == minigrad.float64 and buf.device == w.device
    assert opt.state[w]["step"] == 7
    # The missing hyperparameters are not invented: the group is the saved one, plus the
    # options PyTorch added to SGD later, at their defaults (its __setstate__).
    assert "dampening" not in opt.param_groups[0]
    assert opt.param_groups[0]["maximize"] is False and opt.param_groups[0]["fused"] is False


def test_sgd_takes_pytorchs_implementation_flags():
    w = minigrad.zeros(2, requires_grad=True)
    opt = SGD([w], lr=0.1, foreach=True)
    group = opt.param_groups[0]
    assert (group["foreach"], group["fused"], group["differentiable"]) == (True, None, False)
    assert SGD([w], fused=True).param_groups[0]["fused"] is True
    with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together"):
        SGD([w], foreach=True, fused=True)
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        SGD([w], differentiable=True)


def test_dtypes_stay_float32(device):
    """NEP 50: float32 arrays combined with np.float64 scalars become float64 in NumPy 2.
    Hyperparameters given as NumPy float64 must not leak into the parameters or state."""
    problem = Problem(device)
    opt = SGD(
        [problem.W, problem.b],
        lr=np.float64(LR),
        momentum=np.float64(0.9),
        dampening=np.float64(0.5),
        weight_decay=np.float64(1e-2),
    )
    Ws, bs = problem.train(opt, 3)
    for p in (problem.W, problem.b):
        assert p.dtype == minigrad.float32 and p.grad.dtype == minigrad.float32
        assert opt.state[p]["momentum_buffer"].dtype == minigrad.float32
    name = config_name(
        {"momentum": 0.9, "dampening": 0.5, "nesterov": False, "weight_decay": 0.01}
        | {"maximize": False}
    )
    assert_trajectory(Ws, bs, f"sgd.{name}")


def test_step_bumps_the_version_and_keeps_the_storage(device):
    w = minigrad.ones(2, device=device, requires_grad=True)
    storage = w._data
    opt = SGD([w], lr=0.5)
    (w * w).sum().backward()
    version = w._version.value
    opt.step()
    assert w._version.value == version + 1
    assert w._data is storage  # updated in place
    assert w.tolist() == [0.0, 0.0]
    assert w.grad.tolist() == [2.0, 2.0]  # the gradient itself is never modified


def test_maximize_does_not_modify_grad(device):
    w = minigrad.ones(2, device=device, requires_grad=True)
    opt = SGD([w], lr=0.5, weight_decay=0.1, maximize=True)
    (w * w).sum().backward()
    opt.step()
    assert w.grad.tolist() == [2.0, 2.0]
    np.testing.assert_allclose(w.numpy(), [1.95, 1.95], rtol=1e-6)


def test_closure_runs_with_grad_and_returns_loss(device):
    w = minigrad.tensor([3.0], device=device, requires_grad=True)
    opt = SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    assert w.item() == 1.5


def test_named_parameters_are_accepted(device):
    w = minigrad.zeros(2, device=device, requires_grad=True)
    opt = SGD([("weight", w)], lr=0.1)
    assert opt.param_groups[0]["params"][0] is w
    assert opt.param_groups[0]["param_names"] == ["weight"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight"]


def test_repr_lists_groups(device):
    opt = SGD([minigrad.zeros(1, device=device, requires_grad=True)], lr=0.1, momentum=0.9)
    text = repr(opt)
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text
    opt.add_param_group({"params": [minigrad.zeros(1, device=device, requires_grad=True)]})
    # Groups are apart by a blank line, as PyTorch prints them.
    assert "\n\nParameter Group 1\n" in repr(opt) and repr(opt).endswith("\n)")


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------


def _param(device):
    return minigrad.zeros(2, device=device, requires_grad=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": -0.1}, "Invalid learning rate: -0.1"),
        ({"momentum": -0.5}, "Invalid momentum value: -0.5"),
        ({"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
        ({"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
        (
            {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
            "Nesterov momentum requires a momentum and zero dampening",
        ),
    ],
)
def test_invalid_hyperparameters(kwargs, message, device):
    with pytest.raises(ValueError, match=f"^{message}$"):
        SGD([_param(device)], **{"lr": 0.1, **kwargs})


def test_invalid_parameter_lists(device):
    w = _param(device)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([{"params": []}], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        SGD([{"params": [w]}, {"params": [_param(device), w]}], lr=0.1)
    with pytest.raises(ValueError, match="duplicate parameters"):
        SGD([w, w], lr=0.1)
    with pytest.raises(TypeError, match=r"can only optimize Tensors.*float"):
        SGD([w, 1.0], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        SGD({w}, lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        SGD([w * 2], lr=0.1)
    opt = SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w]})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([w])


def test_param_that_does_not_require_grad_is_allowed(device):
    w = minigrad.zeros(2, device=device)
    opt = SGD([w], lr=0.1)
    opt.step()
    assert w.tolist() == [0.0, 0.0]


def test_load_state_dict_mismatches(device):
    a, b, c = _param(device), _param(device), _param(device)
    saved = SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups: 1 saved, 2"):
        SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match=r"doesn't match the size.*2 parameters saved and 3"):
        SGD([a, b, c], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="not an optimizer state dict"):
        SGD([a, b], lr=0.1).load_state_dict({"param_groups": saved["param_groups"]})
    bad = {"state": {5: {}}, "param_groups": saved["param_groups"]}
    with pytest.raises(ValueError, match="state for parameter 5"):
        SGD([a, b], lr=0.1).load_state_dict(bad)


def test_grad_on_another_device_is_an_error(device):
    if device == "cpu":
        pytest.skip("needs a GPU")
    w = minigrad.zeros(2, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="assign a gradient on cpu to a tensor on cuda"):
        w.grad = minigrad.zeros(2)
    w.grad = minigrad.zeros(2, device=device)
    w.data = minigrad.zeros(2)  # the parameter moves, its gradient stays
    with pytest.raises(RuntimeError, match="gradient of a parameter is on cuda"):
        SGD([w], lr=0.1).step()


# ----------------------------------------------------------------------------------------
# Learning-rate schedulers against PyTorch
# ----------------------------------------------------------------------------------------


def _two_group_optimizer(device):
    p = minigrad.zeros(1, device=device, requires_grad=True)
    q = minigrad.zeros(1, device=device, requires_grad=True)
    return SGD([{"params": [p]}, {"params": [q], "lr": 0.02}], lr=0.1)


SCHEDULES = {
    "step": lambda opt: StepLR(opt, step_size=7, gamma=0.5),
    "cosine": lambda opt: CosineAnnealingLR(opt, T_max=10, eta_min=0.001),
    "cosine0": lambda opt: CosineAnnealingLR(opt, T_max=10),
}


def _run_schedule(scheduler, steps):
    lrs = []
    for _ in range(steps):
        scheduler.optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert [g["lr"] for g in scheduler.optimizer.param_groups] == lrs[-1]
    return lrs


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_pytorch(name, device):
    want = GOLDEN[f"lr.{name}"]
    opt = _two_group_optimizer(device)
    scheduler = SCHEDULES[name](opt)
    assert isinstance(scheduler, LRScheduler)
    assert scheduler.last_epoch == 0
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.02]
    lrs = [scheduler.get_last_lr(), *_run_schedule(scheduler, len(want) - 1)]
    # The same Python float arithmetic in the same order as PyTorch: bit-identical.
    np.testing.assert_array_equal(np.array(lrs), want)
    assert scheduler.last_epoch == len(want) - 1


def test_cosine_is_the_recursive_form_not_the_closed_form(device):
    """The closed form gives slightly different floats; PyTorch (and minigrad) recurse."""
    want = GOLDEN["lr.cosine"][:, 0]
    closed = [0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(31)]
    assert not np.array_equal(np.array(closed), want)
    np.testing.assert_allclose(closed, want, rtol=1e-12)
    assert want[10] == 0.001 and want[20] == pytest.approx(0.1)  # past T_max it rises again


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_scheduler_state_dict_round_trip(name, device):
    want = GOLDEN[f"lr.{name}"]
    opt = _two_group_optimizer(device)
    scheduler = SCHEDULES[name](opt)
    _run_schedule(scheduler, 13)
    saved_scheduler, saved_opt = scheduler.state_dict(), opt.state_dict()
    assert "optimizer" not in saved_scheduler
    assert saved_scheduler["last_epoch"] == 13

    # Resume PyTorch's way: build both, then load the scheduler's and the optimizer's state.
    opt2 = _two_group_optimizer(device)
    scheduler2 = SCHEDULES[name](opt2)
    scheduler2.load_state_dict(saved_scheduler)
    opt2.load_state_dict(saved_opt)
    assert scheduler2.get_last_lr() == list(want[13])
    lrs = _run_schedule(scheduler2, len(want) - 14)
    np.testing.assert_array_equal(np.array(lrs), want[14:])


def test_scheduler_resume_with_last_epoch_needs_initial_lr(device):
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(_two_group_optimizer(device), step_size=3, last_epoch=4)
    opt = _two_group_optimizer(device)
    for group in opt.param_groups:
        group["initial_lr"] = group["lr"]
    scheduler = StepLR(opt, step_size=3, last_epoch=4)
    assert scheduler.last_epoch == 5


def test_scheduler_warnings_and_errors(device):
    opt = _two_group_optimizer(device)
    scheduler = StepLR(opt, step_size=3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        scheduler.get_lr()
    with pytest.raises(TypeError, match="is not an Optimizer"):
        StepLR(object(), step_size=3)
    assert isinstance(opt, Optimizer) and minigrad.optim.lr_scheduler.StepLR is StepLR
    # Optimizer steps taken before the first scheduler existed do not count (PyTorch).
    opt = _two_group_optimizer(device)
    opt.step()
    scheduler = StepLR(opt, step_size=3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
