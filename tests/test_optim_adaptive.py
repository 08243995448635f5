"""Adam, AdamW, RMSprop, Adagrad and Adadelta against PyTorch 2.13 (golden data): every
option combination over 20 steps, parameter groups, parameters without a gradient, the
state_dict layout and state, checkpoints resumed mid-run, and PyTorch's errors.

The golden file is written by ``tests/golden/make_golden_optim.py`` (the same least-squares
problem as the SGD tests: W of shape (3, 4), b of shape (3,), float32). Tolerance: float32
throughout, ``rtol=1e-5, atol=1e-6``, as for SGD; the adaptive updates divide by running
averages, which turns a few ulps of difference in the gradients into a few ulps in the
step, not more.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from test_optim import GOLDEN, RTOL, STEPS, Problem, assert_trajectory

import minigrad
import minigrad.optim
from minigrad.optim import (
    ASGD,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    NAdam,
    Optimizer,
    RAdam,
    RMSprop,
    Rprop,
)

# The same table as make_golden_optim.py's ADAPTIVE_AXES: the learning rate of the runs,
# and the values of each option; every combination is a golden run.
AXES: dict[str, tuple[float, dict[str, tuple]]] = {
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
CLASSES = {"Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop, "Adagrad": Adagrad}
CLASSES |= {"Adadelta": Adadelta, "Adamax": Adamax, "NAdam": NAdam, "RAdam": RAdam}
CLASSES |= {"Rprop": Rprop, "ASGD": ASGD}
FULL_STATE = {  # options that switch every state buffer on (make_golden_optim.FULL_STATE)
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
GROUP_OPTIONS = {  # the second group's extra option (make_golden_optim.adaptive_groups)
    "Adam": {"amsgrad": True}, "AdamW": {"weight_decay": 0.1}, "RMSprop": {"momentum": 0.5},
    "Adagrad": {"lr_decay": 0.2}, "Adadelta": {"rho": 0.7}, "Adamax": {"weight_decay": 0.1},
    "NAdam": {"momentum_decay": 0.1},
    "RAdam": {"decoupled_weight_decay": True, "weight_decay": 0.1},
    "Rprop": {"etas": (0.3, 1.5)}, "ASGD": {"t0": 3.0},
}  # fmt: skip


def config_key(config: dict) -> str:
    def show(value):
        if isinstance(value, tuple):
            return "-".join(map(str, value))
        return str(int(value)) if isinstance(value, bool) else str(value)

    return ",".join(f"{key}={show(value)}" for key, value in config.items())


def configs(name: str) -> list[dict]:
    lr, axes = AXES[name]
    return [{"lr": lr, **dict(zip(axes, values))} for values in itertools.product(*axes.values())]


CASES = [(name, config) for name in AXES for config in configs(name)]


def _id(case) -> str:
    return case if isinstance(case, str) else config_key(case)


# ----------------------------------------------------------------------------------------
# Trajectories against PyTorch
# ----------------------------------------------------------------------------------------


def test_golden_file_covers_every_combination():
    for name in AXES:
        stored = {
            key.split(".", 1)[1].rsplit(".", 1)[0]
            for key in GOLDEN.files
            if key.startswith(f"{name}.")
        }
        assert stored == {config_key(c) for c in configs(name)}, name
    counts = {name: len(configs(name)) for name in AXES}
    assert counts == {"Adam": 32, "AdamW": 8, "RMSprop": 32, "Adagrad": 16, "Adadelta": 16,
                      "Adamax": 8, "NAdam": 16, "RAdam": 16, "Rprop": 8,
                      "ASGD": 16}  # fmt: skip


@pytest.mark.parametrize(("name", "config"), CASES, ids=_id)
def test_matches_pytorch(name, config, device):
    problem = Problem(device)
    opt = CLASSES[name]([problem.W, problem.b], **config)
    Ws, bs = problem.train(opt, STEPS)
    assert_trajectory(Ws, bs, f"{name}.{config_key(config)}")
    for p in (problem.W, problem.b):
        state = opt.state[p]
        assert state["step"].item() == STEPS
        for key, value in state.items():
            if key != "step":
                assert value.dtype == minigrad.float32 and value.device == p.device, key


def test_the_golden_runs_tell_the_options_apart():
    """Each option changes the trajectory by many times the tolerance, so a test that
    ignored one would fail (maximize excepted: it negates the gradient of the negated
    loss, so its run must equal the plain one)."""
    for name in AXES:
        lr, axes = AXES[name]
        base = {"lr": lr, **{axis: values[0] for axis, values in axes.items()}}
        for axis, values in axes.items():
            other = {**base, axis: values[1]}
            a = GOLDEN[f"{name}.{config_key(base)}.W"]
            b = GOLDEN[f"{name}.{config_key(other)}.W"]
            if axis == "maximize":
                np.testing.assert_allclose(a, b, rtol=1e-6)
            elif axis != "decoupled_weight_decay":
                # (decoupled decay without weight decay is no decay either)
                tolerance = (1e-6 + RTOL * np.abs(b)).max()
                assert np.abs(a - b).max() > 10 * tolerance, (name, axis)


@pytest.mark.parametrize("name", sorted(AXES))
def test_parameter_groups_with_their_own_settings(name, device):
    lr = AXES[name][0]
    problem = Problem(device)
    opt = CLASSES[name](
        [
            {"params": [problem.W], "lr": 2 * lr},
            {"params": [problem.b], "lr": lr / 5, **GROUP_OPTIONS[name]},
        ]
    )
    assert opt.param_groups[1]["lr"] == lr / 5
    Ws, bs = problem.train(opt, STEPS)
    assert_trajectory(Ws, bs, f"groups.{name}")


@pytest.mark.parametrize("name", sorted(AXES))
def test_param_whose_grad_is_none_is_skipped(name, device):
    """c is in the loss at step 1 only: it moves once, then keeps its value (and its
    state, with its step count at 1), exactly as in PyTorch."""
    problem = Problem(device)
    c = minigrad.tensor(GOLDEN["data.c0"], device=device, requires_grad=True)
    frozen = minigrad.ones(2, device=device)  # requires no grad: allowed, never moves
    opt = CLASSES[name]([problem.W, problem.b, c, frozen], lr=AXES[name][0])
    cs = []
    for step in range(STEPS):
        opt.zero_grad()
        loss = problem.loss()
        if step == 0:
            loss = loss + (c**2).sum()
        loss.backward()
        opt.step()
        assert c.grad is None or step == 0
        cs.append(c.numpy())
    np.testing.assert_allclose(np.stack(cs), GOLDEN[f"skip.{name}.c"], rtol=RTOL, atol=1e-6)
    assert not np.array_equal(cs[0], GOLDEN["data.c0"]) and np.array_equal(cs[0], cs[-1])
    assert opt.state[c]["step"].item() == 1
    assert np.array_equal(frozen.numpy(), np.ones(2, np.float32))
    if name == "Adagrad":  # Adagrad makes every parameter's state when it is built
        assert opt.state[frozen]["step"].item() == 0
    else:
        assert frozen not in opt.state


# ----------------------------------------------------------------------------------------
# State and checkpoints
# ----------------------------------------------------------------------------------------


def _full_state_run(name, device, steps=STEPS):
    problem = Problem(device)
    opt = CLASSES[name]([problem.W, problem.b], lr=AXES[name][0], **FULL_STATE[name])
    problem.train(opt, steps)
    return problem, opt


@pytest.mark.parametrize("name", sorted(AXES))
def test_state_dict_has_pytorchs_layout_and_values(name, device):
    _, opt = _full_state_run(name, device)
    saved = opt.state_dict()
    assert set(saved) == {"state", "param_groups"}
    assert list(saved["param_groups"][0]) == list(GOLDEN[f"layout.{name}.group"])
    assert list(saved["state"]) == [0, 1]
    assert list(saved["state"][0]) == list(GOLDEN[f"layout.{name}.state"])
    for index, part in enumerate("Wb"):
        for key, value in saved["state"][index].items():
            want = GOLDEN[f"final.{name}.{key}.{part}"]
            if key == "step":  # PyTorch's float32 scalar tensor on the CPU (ASGD: the
                assert value.shape == () and value.dtype == minigrad.float32  # param's)
                home = minigrad.device(device) if name == "ASGD" else minigrad.device("cpu")
                assert value.device == home
                assert value.item() == want == STEPS
            else:
                np.testing.assert_allclose(value.numpy(), want, rtol=1e-4, atol=1e-6)
    if name == "AdamW":
        assert saved["param_groups"][0]["decoupled_weight_decay"] is True


@pytest.mark.parametrize("name", sorted(AXES))
def test_load_state_dict_mid_run_continues_the_same_trajectory(name, device):
    config = {"lr": AXES[name][0], **FULL_STATE[name]}
    problem, opt = _full_state_run(name, device, steps=10)
    saved = opt.state_dict()

    resumed = Problem(device)
    with minigrad.no_grad():
        resumed.W.copy_(problem.W)
        resumed.b.copy_(problem.b)
    opt2 = CLASSES[name]([resumed.W, resumed.b], lr=123.0)  # settings come from the file
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == config["lr"]
    assert opt2.param_groups[0]["params"] == [resumed.W, resumed.b]
    for key, value in opt2.state[resumed.W].items():
        assert value is not saved["state"][0][key]  # loaded as copies
    assert opt2.state[resumed.W]["step"].item() == 10

    # The original, undisturbed by the copy, and the resumed copy continue identically.
    Ws, bs = resumed.train(opt2, STEPS - 10)
    Ws1, bs1 = problem.train(opt, STEPS - 10)
    np.testing.assert_array_equal(Ws1, Ws)
    np.testing.assert_array_equal(bs1, bs)


def test_resumed_adam_matches_the_golden_run(device):
    """A mid-run resume of a golden configuration, compared with PyTorch's run."""
    config = {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}
    config |= {"maximize": False, "decoupled_weight_decay": True}
    problem = Problem(device)
    opt = Adam([problem.W, problem.b], **config)
    problem.train(opt, 7)
    resumed = Problem(device)
    with minigrad.no_grad():
        resumed.W.copy_(problem.W)
        resumed.b.copy_(problem.b)
    opt2 = Adam([resumed.W, resumed.b])
    opt2.load_state_dict(opt.state_dict())
    Ws, bs = resumed.train(opt2, STEPS - 7)
    assert_trajectory(Ws, bs, f"Adam.{config_key(config)}", start=7)


def test_adamw_stays_decoupled_after_loading_adams_checkpoint():
    w = minigrad.ones(2, requires_grad=True)
    saved = Adam([w], weight_decay=0.1).state_dict()
    assert saved["param_groups"][0]["decoupled_weight_decay"] is False
    opt = AdamW([minigrad.ones(2, requires_grad=True)])
    opt.load_state_dict(saved)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    assert isinstance(opt, Adam)


def test_old_checkpoints_load():
    """A checkpoint from before an option existed gets it at its default (PyTorch's
    __setstate__), and a plain-number step (PyTorch < 1.12) becomes a tensor."""
    w = minigrad.ones(2, dtype=minigrad.float64, requires_grad=True)
    opt = Adam([w], lr=0.1)
    opt.load_state_dict(
        {
            "state": {0: {"step": 3, "exp_avg": minigrad.zeros(2), "exp_avg_sq": minigrad.ones(2)}},
            "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8,
                              "weight_decay": 0, "params": [0]}],
        }
    )  # fmt: skip
    group = opt.param_groups[0]
    assert group["amsgrad"] is False and group["decoupled_weight_decay"] is False
    assert opt.state[w]["exp_avg"].dtype == minigrad.float64  # cast to the parameter's
    w.grad = minigrad.ones(2, dtype=minigrad.float64)
    opt.step()
    step = opt.state[w]["step"]
    assert isinstance(step, minigrad.Tensor) and step.dtype == minigrad.float32
    assert step.item() == 4


def test_an_option_switched_on_later_gets_its_buffer():
    """PyTorch would fail on the missing key; minigrad starts the buffer then."""
    w = minigrad.ones(2, requires_grad=True)
    opt = Adam([w], lr=0.1)
    w.grad = minigrad.ones(2)
    opt.step()
    opt.param_groups[0]["amsgrad"] = True
    opt.step()
    np.testing.assert_array_equal(
        opt.state[w]["max_exp_avg_sq"].numpy(), opt.state[w]["exp_avg_sq"].numpy()
    )
    assert list(opt.state[w]) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]


@pytest.mark.parametrize("name", sorted(AXES))
def test_dtypes_stay_float32_with_numpy_hyperparameters(name, device):
    """NumPy 2 promotes float32 arrays combined with np.float64 scalars to float64; the
    hyperparameters are read as Python floats so nothing leaks into the parameters."""
    config = {"lr": AXES[name][0], **FULL_STATE[name]}
    as_numpy = {
        k: (np.float64(v) if isinstance(v, float) and k != "betas" else v)
        for k, v in config.items()
    }
    problem = Problem(device)
    opt = CLASSES[name]([problem.W, problem.b], **as_numpy)
    problem.train(opt, 3)
    for p in (problem.W, problem.b):
        assert p.dtype == minigrad.float32
        assert all(v.dtype == minigrad.float32 for v in opt.state[p].values())


@pytest.mark.parametrize("name", sorted(AXES))
def test_step_updates_in_place_and_leaves_the_gradient(name, device):
    w = minigrad.ones(2, device=device, requires_grad=True)
    storage, version = w._data, w._version.value
    decay = {} if name == "Rprop" else {"weight_decay": 0.1}  # Rprop has no weight decay
    opt = CLASSES[name]([w], lr=0.1, maximize=True, **decay)
    (w * w).sum().backward()
    opt.step()
    assert w._data is storage and w._version.value == version + 1
    assert w.grad.tolist() == [2.0, 2.0]  # maximize and weight decay leave .grad alone
    assert (w.numpy() > 1).all()  # maximize: uphill


@pytest.mark.parametrize("name", sorted(AXES))
def test_closure_runs_with_grad_and_returns_loss(name, device):
    w = minigrad.tensor([3.0], device=device, requires_grad=True)
    opt = CLASSES[name]([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0 and w.item() < 3.0


def test_grad_on_another_device_is_an_error(device):
    if device == "cpu":
        pytest.skip("needs a GPU")
    for cls in CLASSES.values():
        w = minigrad.zeros(2, device=device, requires_grad=True)
        w.grad = minigrad.zeros(2, device=device)
        w.data = minigrad.zeros(2)  # the parameter moves, its gradient stays
        with pytest.raises(RuntimeError, match="gradient of a parameter is on cuda"):
            cls([w], lr=0.1).step()


# ----------------------------------------------------------------------------------------
# Signatures, defaults, flags and errors
# ----------------------------------------------------------------------------------------

DEFAULTS = {  # PyTorch 2.13's defaults
    "Adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
             "amsgrad": False, "maximize": False, "decoupled_weight_decay": False},
    "AdamW": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2,
              "amsgrad": False, "decoupled_weight_decay": True},
    "RMSprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0,
                "centered": False},
    "Adagrad": {"lr": 1e-2, "lr_decay": 0, "weight_decay": 0,
                "initial_accumulator_value": 0, "eps": 1e-10},
    "Adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0},
    "Adamax": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
               "maximize": False},
    "NAdam": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
              "momentum_decay": 4e-3, "decoupled_weight_decay": False},
    "RAdam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
              "decoupled_weight_decay": False},
    "Rprop": {"lr": 1e-2, "etas": (0.5, 1.2), "step_sizes": (1e-6, 50), "maximize": False},
    "ASGD": {"lr": 1e-2, "lambd": 1e-4, "alpha": 0.75, "t0": 1e6, "weight_decay": 0,
             "maximize": False},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(AXES))
def test_defaults_and_flags_are_recorded(name):
    opt = CLASSES[name]([minigrad.zeros(2, requires_grad=True)])
    group = opt.param_groups[0]
    for key, value in DEFAULTS[name].items():
        assert group[key] == value and type(group[key]) is type(value), key
    assert group["foreach"] is None and group["differentiable"] is False
    assert isinstance(opt, Optimizer) and getattr(minigrad.optim, name) is CLASSES[name]
    assert repr(opt).startswith(f"{name} (")
    recorded = CLASSES[name]([minigrad.zeros(2, requires_grad=True)], foreach=True)
    assert recorded.param_groups[0]["foreach"] is True


def test_positional_arguments_are_pytorchs():
    w = minigrad.zeros(2, requires_grad=True)
    assert Adam([w], 0.1, (0.8, 0.9), 1e-6, 0.5, True).param_groups[0]["amsgrad"] is True
    rms = RMSprop([w], 0.1, 0.9, 1e-6, 0.1, 0.5, True, False, None, True).param_groups[0]
    assert (rms["momentum"], rms["centered"], rms["maximize"]) == (0.5, True, True)
    ada = Adagrad([w], 0.1, 0.01, 0.1, 0.2, 1e-9, True).param_groups[0]
    assert (ada["initial_accumulator_value"], ada["eps"], ada["foreach"]) == (0.2, 1e-9, True)
    assert Adadelta([w], 0.5, 0.8, 1e-5, 0.1).param_groups[0]["rho"] == 0.8
    with pytest.raises(TypeError):
        Adam([w], 0.1, (0.9, 0.99), 1e-8, 0, False, True)  # the flags are keyword-only
    with pytest.raises(TypeError):
        RMSprop([w], fused=True)  # PyTorch's RMSprop has no fused implementation


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("Adam", {"lr": -1}, "Invalid learning rate: -1"),
        ("Adam", {"eps": -1}, "Invalid epsilon value: -1"),
        ("Adam", {"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0: 1.0"),
        ("Adam", {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
        ("Adam", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
        ("Adam", {"betas": (0, 0.9)}, "betas must be either both floats or both Tensors"),
        ("AdamW", {"lr": -0.5}, "Invalid learning rate: -0.5"),
        ("AdamW", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
        ("RMSprop", {"lr": -1}, "Invalid learning rate: -1"),
        ("RMSprop", {"alpha": -1}, "Invalid alpha value: -1"),
        ("RMSprop", {"momentum": -1}, "Invalid momentum value: -1"),
        ("RMSprop", {"eps": -1}, "Invalid epsilon value: -1"),
        ("RMSprop", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
        ("Adagrad", {"lr": -1}, "Invalid learning rate: -1"),
        ("Adagrad", {"lr_decay": -1}, "Invalid lr_decay value: -1"),
        ("Adagrad", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
        (
            "Adagrad",
            {"initial_accumulator_value": -1},
            "Invalid initial_accumulator_value value: -1",
        ),
        ("Adagrad", {"eps": -1}, "Invalid epsilon value: -1"),
        ("Adadelta", {"lr": -1}, "Invalid learning rate: -1"),
        ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
        ("Adadelta", {"eps": -1}, "Invalid epsilon value: -1"),
        ("Adadelta", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    ],
)
def test_invalid_hyperparameters_get_pytorchs_message(name, kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        CLASSES[name]([minigrad.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "Adagrad"])
def test_fused_and_foreach_together_are_refused(name):
    w = minigrad.zeros(2, requires_grad=True)
    assert CLASSES[name]([w], fused=True).param_groups[0]["fused"] is True
    with pytest.raises(RuntimeError, match=r"^`fused` and `foreach` cannot be `True` together\.$"):
        CLASSES[name]([w], foreach=True, fused=True)


@pytest.mark.parametrize("name", sorted(AXES))
def test_differentiable_is_refused(name):
    with pytest.raises(NotImplementedError, match=rf"{name}\(differentiable=True\)"):
        CLASSES[name]([minigrad.zeros(2, requires_grad=True)], differentiable=True)


def test_the_parameter_list_checks_are_the_base_classs():
    w = minigrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam([])
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        RMSprop(w)
    with pytest.raises(ValueError, match="duplicate parameters"):
        Adagrad([w, w])
    assert SGD([w]).param_groups[0]["params"] == [w]  # the SGD imports are the same objects
