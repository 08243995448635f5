"""The learning-rate schedulers against PyTorch 2.13 (golden data written by
``tests/golden/make_golden_optim.py``): ExponentialLR, MultiStepLR, LinearLR, OneCycleLR,
ReduceLROnPlateau, LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR,
CosineAnnealingWarmRestarts, CyclicLR, SWALR (``optim.swa_utils``), and the combinations
SequentialLR and ChainedScheduler.

Each schedule runs 30 steps on two parameter groups (learning rates 0.1 and 0.02, SGD with
momentum 0.9, or Adam for the beta1 that OneCycleLR and CyclicLR cycle). The rates are
Python floats computed by the same formulas in the same order as PyTorch, so they are
compared exactly, and so are the momenta. ReduceLROnPlateau is fed the golden file's fixed
metric sequence.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_optim import GOLDEN

import minigrad
from minigrad.optim import SGD, Adagrad, Adam
from minigrad.optim.lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)
from minigrad.optim.swa_utils import SWALR

METRICS = list(GOLDEN["plateau.metrics"])

# The same table as make_golden_optim.schedules(): name -> (optimizer, scheduler builder).
SCHEDULES = {
    "exponential": ("sgd", lambda o: ExponentialLR(o, gamma=0.9)),
    "exponential_half": ("sgd", lambda o: ExponentialLR(o, gamma=0.5)),
    "multistep": ("sgd", lambda o: MultiStepLR(o, [3, 7, 7, 12], gamma=0.5)),
    "multistep_far": ("sgd", lambda o: MultiStepLR(o, milestones=[5, 10, 20])),
    "linear": ("sgd", lambda o: LinearLR(o)),
    "linear_down": ("sgd", lambda o: LinearLR(o, 1.0, 0.1, total_iters=10)),
    "linear_long": ("sgd", lambda o: LinearLR(o, 0.25, 0.75, total_iters=40)),
    "onecycle": ("sgd", lambda o: OneCycleLR(o, max_lr=1.0, total_steps=30)),
    "onecycle_linear": ("sgd", lambda o: OneCycleLR(
        o, max_lr=[1.0, 0.5], total_steps=30, pct_start=0.25, anneal_strategy="linear"
    )),
    "onecycle_three_phase": ("sgd", lambda o: OneCycleLR(
        o, max_lr=1.0, total_steps=30, three_phase=True, div_factor=10.0,
        final_div_factor=100.0,
    )),
    "onecycle_three_phase_linear": ("sgd", lambda o: OneCycleLR(
        o, max_lr=0.5, total_steps=30, three_phase=True, anneal_strategy="linear",
        base_momentum=0.8, max_momentum=[0.9, 0.99],
    )),
    "onecycle_no_momentum": ("sgd", lambda o: OneCycleLR(
        o, max_lr=1.0, epochs=5, steps_per_epoch=6, cycle_momentum=False
    )),
    "onecycle_adam": ("adam", lambda o: OneCycleLR(
        o, max_lr=0.01, total_steps=30, base_momentum=0.8, max_momentum=0.9
    )),
    "plateau": ("sgd", lambda o: ReduceLROnPlateau(o)),
    "plateau_patient2": ("sgd", lambda o: ReduceLROnPlateau(o, factor=0.5, patience=2)),
    "plateau_max_abs": ("sgd", lambda o: ReduceLROnPlateau(
        o, mode="max", patience=1, threshold=0.01, threshold_mode="abs"
    )),
    "plateau_cooldown": ("sgd", lambda o: ReduceLROnPlateau(
        o, factor=0.5, patience=1, cooldown=3, min_lr=[0.01, 0.005]
    )),
    "plateau_eps": ("sgd", lambda o: ReduceLROnPlateau(
        o, factor=0.5, patience=0, threshold=0.1, eps=0.03
    )),
    "lambda": ("sgd", lambda o: LambdaLR(o, lambda epoch: 0.95**epoch)),
    "lambda_list": ("sgd", lambda o: LambdaLR(
        o, [lambda epoch: 1.0 / (epoch + 1), lambda epoch: 0.5 ** (epoch // 4)]
    )),
    "constant": ("sgd", lambda o: ConstantLR(o)),
    "constant_long": ("sgd", lambda o: ConstantLR(o, factor=0.5, total_iters=12)),
    "multiplicative": ("sgd", lambda o: MultiplicativeLR(o, lambda epoch: 0.9)),
    "multiplicative_list": ("sgd", lambda o: MultiplicativeLR(
        o, [lambda epoch: 0.95, lambda epoch: 1.0 if epoch < 10 else 0.8])),
    "polynomial": ("sgd", lambda o: PolynomialLR(o, total_iters=20, power=2.0)),
    "polynomial_linear": ("sgd", lambda o: PolynomialLR(o)),
    "warm_restarts": ("sgd", lambda o: CosineAnnealingWarmRestarts(o, T_0=7)),
    "warm_restarts_mult": ("sgd", lambda o: CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001)),
    "cyclic": ("sgd", lambda o: CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4)),
    "cyclic_triangular2": ("sgd", lambda o: CyclicLR(
        o, base_lr=[0.01, 0.001], max_lr=[0.1, 0.05], step_size_up=3, step_size_down=5,
        mode="triangular2")),
    "cyclic_exp_range": ("sgd", lambda o: CyclicLR(
        o, base_lr=0.01, max_lr=0.2, step_size_up=5, mode="exp_range", gamma=0.97)),
    "cyclic_adam": ("adam", lambda o: CyclicLR(
        o, base_lr=0.001, max_lr=0.01, step_size_up=4, base_momentum=0.8,
        max_momentum=0.95)),
    "cyclic_no_momentum": ("adam", lambda o: CyclicLR(
        o, base_lr=0.001, max_lr=0.01, step_size_up=6, cycle_momentum=False,
        scale_fn=lambda x: 1 / (1.0 + x), scale_mode="iterations")),
    "sequential": ("sgd", lambda o: SequentialLR(
        o, [LinearLR(o, 0.1, total_iters=5), CosineAnnealingLR(o, T_max=20)],
        milestones=[5])),
    "sequential_three": ("sgd", lambda o: SequentialLR(
        o, [ConstantLR(o, factor=0.5, total_iters=4), ExponentialLR(o, gamma=0.9),
            StepLR(o, step_size=3, gamma=0.5)], milestones=[6, 15])),
    "chained": ("sgd", lambda o: ChainedScheduler(
        [ConstantLR(o, factor=0.1, total_iters=4), ExponentialLR(o, gamma=0.9)])),
    "chained_multistep": ("sgd", lambda o: ChainedScheduler(
        [LinearLR(o, 0.5, total_iters=6), MultiStepLR(o, [8, 16], gamma=0.5)],
        optimizer=o)),
    "swalr": ("sgd", lambda o: SWALR(o, swa_lr=0.05)),
    "swalr_linear_groups": ("sgd", lambda o: SWALR(
        o, swa_lr=[0.01, 0.2], anneal_epochs=5, anneal_strategy="linear")),
    "swalr_jump": ("adam", lambda o: SWALR(o, swa_lr=0.03, anneal_epochs=0)),
    "swalr_after_cosine": ("sgd", lambda o: SequentialLR(
        o, [CosineAnnealingLR(o, T_max=10), SWALR(o, swa_lr=0.02, anneal_epochs=4)],
        milestones=[8])),
}  # fmt: skip


def two_group_optimizer(kind: str, device="cpu"):
    p = minigrad.zeros(1, device=device, requires_grad=True)
    q = minigrad.zeros(1, device=device, requires_grad=True)
    groups = [{"params": [p]}, {"params": [q], "lr": 0.02}]
    if kind == "adam":
        return Adam(groups, lr=0.1)
    return SGD(groups, lr=0.1, momentum=0.9)


def momenta(opt) -> list[float]:
    if isinstance(opt, Adam):
        return [group["betas"][0] for group in opt.param_groups]
    return [group["momentum"] for group in opt.param_groups]


def last_epoch(state: dict) -> int:
    """A scheduler's step count from its state_dict: ChainedScheduler keeps none of its
    own, so it is that of the schedulers it chains."""
    if "last_epoch" not in state:
        (epoch,) = {last_epoch(inner) for inner in state["_schedulers"]}
        return epoch
    return state["last_epoch"]


def run(scheduler, steps, start=0):
    """``steps`` optimizer and scheduler steps (metrics from ``start`` on for a plateau);
    the rates and momenta after each."""
    opt = scheduler.optimizer
    lrs, moms = [], []
    for step in range(start, start + steps):
        opt.step()
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(METRICS[step])
        else:
            scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert [group["lr"] for group in opt.param_groups] == lrs[-1]
        moms.append(momenta(opt))
    return lrs, moms


def test_golden_file_covers_every_schedule():
    stored = {key.split(".")[1] for key in GOLDEN.files if key.startswith("schedule.")}
    assert stored == set(SCHEDULES)
    assert len(METRICS) == 30


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_pytorch(name, device):
    kind, build = SCHEDULES[name]
    want_lr, want_momentum = GOLDEN[f"schedule.{name}.lr"], GOLDEN[f"schedule.{name}.momentum"]
    opt = two_group_optimizer(kind, device)
    scheduler = build(opt)
    assert isinstance(scheduler, LRScheduler)
    first = scheduler.get_last_lr()
    lrs, moms = run(scheduler, len(want_lr) - 1)
    np.testing.assert_array_equal(np.array([first, *lrs]), want_lr)
    np.testing.assert_array_equal(np.array(moms), want_momentum[1:])
    assert list(scheduler.state_dict()) == list(GOLDEN[f"schedule.{name}.keys"])


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_the_rates_and_momenta_set_when_built_match_pytorch(name, device):
    kind, build = SCHEDULES[name]
    opt = two_group_optimizer(kind, device)
    scheduler = build(opt)
    assert scheduler.get_last_lr() == GOLDEN[f"schedule.{name}.lr"][0].tolist()
    assert momenta(opt) == GOLDEN[f"schedule.{name}.momentum"][0].tolist()
    assert last_epoch(scheduler.state_dict()) == 0


def test_the_golden_schedules_are_not_trivial():
    """Every schedule changes the rate of both groups somewhere in its 30 steps (but for
    plateau_eps, whose eps is too large for the second group's reductions, and swalr_jump,
    which sets its rate when built), and OneCycleLR with cycle_momentum moves the momentum."""
    for name in SCHEDULES:
        lrs = GOLDEN[f"schedule.{name}.lr"]
        start = [0.1, 0.02] if name == "swalr_jump" else lrs[0]  # the groups' own rates
        changed = (lrs != start).any(axis=0).tolist()
        assert changed == ([True, False] if name == "plateau_eps" else [True, True]), name
        moms = GOLDEN[f"schedule.{name}.momentum"]
        cycled = name.startswith(("onecycle", "cyclic")) and not name.endswith("no_momentum")
        assert (moms != moms[0]).any() == cycled, name


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_state_dict_round_trip_mid_schedule(name, device):
    kind, build = SCHEDULES[name]
    want_lr = GOLDEN[f"schedule.{name}.lr"]
    opt = two_group_optimizer(kind, device)
    scheduler = build(opt)
    run(scheduler, 13)
    saved_scheduler, saved_opt = scheduler.state_dict(), opt.state_dict()
    assert "optimizer" not in saved_scheduler and last_epoch(saved_scheduler) == 13

    # PyTorch's way to resume: build both, load the scheduler's state, then the optimizer's.
    opt2 = two_group_optimizer(kind, device)
    scheduler2 = build(opt2)
    scheduler2.load_state_dict(saved_scheduler)
    opt2.load_state_dict(saved_opt)
    assert scheduler2.get_last_lr() == want_lr[13].tolist()
    lrs, moms = run(scheduler2, len(want_lr) - 14, start=13)
    np.testing.assert_array_equal(np.array(lrs), want_lr[14:])
    np.testing.assert_array_equal(np.array(moms), GOLDEN[f"schedule.{name}.momentum"][14:])


# ----------------------------------------------------------------------------------------
# Behaviour beyond the traces
# ----------------------------------------------------------------------------------------


def test_multistep_milestones_count_repeats():
    scheduler = MultiStepLR(two_group_optimizer("sgd"), [3, 7, 7])
    assert scheduler.milestones == {3: 1, 7: 2}


def test_lambda_state_dict_keeps_callable_objects_state():
    class Warmup:
        def __init__(self, steps):
            self.steps = steps

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.steps)

    opt = two_group_optimizer("sgd")
    scheduler = LambdaLR(opt, [Warmup(4), lambda epoch: 1.0])
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [{"steps": 4}, None]
    assert "lr_lambdas" in saved  # the input is not changed by loading it

    warmup = Warmup(100)
    scheduler2 = LambdaLR(two_group_optimizer("sgd"), [warmup, lambda epoch: 1.0])
    scheduler2.load_state_dict(saved)
    assert warmup.steps == 4 and "lr_lambdas" in saved
    assert scheduler2.get_last_lr() == [0.1 * 0.25, 0.02]


def test_onecycle_records_its_bounds_in_the_groups():
    opt = two_group_optimizer("sgd")
    OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=10)
    group = opt.param_groups[1]
    assert (group["max_lr"], group["initial_lr"], group["min_lr"]) == (0.5, 0.02, 0.02 / 1e4)
    assert (group["max_momentum"], group["base_momentum"]) == (0.95, 0.85)


def test_onecycle_refuses_a_step_past_the_end():
    opt = two_group_optimizer("sgd")
    scheduler = OneCycleLR(opt, max_lr=1.0, total_steps=3)
    run(scheduler, 3)
    with pytest.raises(ValueError, match=r"Tried to step 4 times\. The specified number of total"):
        run(scheduler, 1)


def test_plateau_takes_a_tensor_metric_and_ignores_construction():
    opt = two_group_optimizer("sgd")
    scheduler = ReduceLROnPlateau(opt, patience=0)
    assert "initial_lr" not in opt.param_groups[0] and scheduler.get_last_lr() == [0.1, 0.02]
    scheduler.step(minigrad.tensor(1.0))
    scheduler.step(minigrad.tensor([2.0]))
    assert scheduler.best == 1.0 and scheduler.get_last_lr() == [0.1 * 0.1, 0.02 * 0.1]
    assert scheduler.in_cooldown is False


def test_plateau_state_dict_restores_the_comparison():
    scheduler = ReduceLROnPlateau(two_group_optimizer("sgd"), mode="max")
    saved = scheduler.state_dict()
    scheduler2 = ReduceLROnPlateau(two_group_optimizer("sgd"))
    scheduler2.load_state_dict(saved)
    assert scheduler2.mode == "max" and scheduler2.mode_worse == -float("inf")


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda o: LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor"),
        (lambda o: LinearLR(o, start_factor=1.5), ValueError, "Starting multiplicative"),
        (lambda o: LinearLR(o, end_factor=-0.1), ValueError, "Ending multiplicative factor"),
        (lambda o: LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas, but got 1"),
        (lambda o: OneCycleLR(o, 1.0), ValueError, r"either total_steps OR \(epochs AND"),
        (lambda o: OneCycleLR(o, 1.0, total_steps=0), ValueError, "positive integer total_st"),
        (lambda o: OneCycleLR(o, 1.0, total_steps=2.5), ValueError, "positive integer total"),
        (lambda o: OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3), ValueError, "epochs, but"),
        (lambda o: OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=-1), ValueError, "steps_per"),
        (lambda o: OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "between 0 and 1 pct"),
        (lambda o: OneCycleLR(o, 1.0, 10, pct_start=1), ValueError, "between 0 and 1 pct"),
        (lambda o: OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError, "'cos' or 'lin"),
        (lambda o: OneCycleLR(o, [1.0], 10), ValueError, "max_lr must have the same length"),
        (lambda o: OneCycleLR(object(), 1.0, 10), TypeError, "is not an Optimizer"),
        (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, r"Factor should be < 1\.0\."),
        (lambda o: ReduceLROnPlateau(o, mode="low"), ValueError, "mode low is unknown!"),
        (lambda o: ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode x is"),
        (lambda o: ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
        (lambda o: ReduceLROnPlateau(object()), TypeError, "is not an Optimizer"),
        (lambda o: MultiplicativeLR(o, 3), TypeError, "lr_lambda should be a function"),
        (lambda o: ConstantLR(o, factor=1.5), ValueError, "factor expected to be between 0"),
        (lambda o: CosineAnnealingWarmRestarts(o, 0), ValueError, "positive integer T_0, b"),
        (lambda o: CosineAnnealingWarmRestarts(o, 2.5), ValueError, "positive integer T_0"),
        (lambda o: CosineAnnealingWarmRestarts(o, 3, 1.5), ValueError, "integer T_mult >= 1"),
        (lambda o: CosineAnnealingWarmRestarts(o, 3).step(-1), ValueError, "non-negative ep"),
        (lambda o: CyclicLR(o, 0.01, 0.1, mode="sine"), ValueError, "mode is invalid and sc"),
        (lambda o: CyclicLR(o, [0.01], 0.1), ValueError, "base_lr must have the same length"),
        (lambda o: CyclicLR(object(), 0.01, 0.1), TypeError, "object is not an Optimizer"),
        (lambda o: SequentialLR(o, [], []), ValueError, "at least one scheduler, but got no"),
        (lambda o: SequentialLR(o, [ConstantLR(o)], [3]), ValueError, "one more than the n"),
        (lambda o: SequentialLR(o, [ConstantLR(o), 3], [3]), TypeError, "index 1 should hav"),
        (
            lambda o: SequentialLR(o, [ConstantLR(o), ReduceLROnPlateau(o)], [3]),
            ValueError,
            "does not support `ReduceLROnPlateau`",
        ),
        (lambda o: ChainedScheduler([]), ValueError, "at least one scheduler to be chained"),
    ],
)
def test_invalid_arguments_get_pytorchs_errors(build, error, message):
    with pytest.raises(error, match=message):
        build(two_group_optimizer("sgd"))


def test_onecycle_and_cyclic_need_momentum_or_betas():
    p = minigrad.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        OneCycleLR(Adagrad([p]), max_lr=1.0, total_steps=10)
    OneCycleLR(Adagrad([p]), max_lr=1.0, total_steps=10, cycle_momentum=False)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        CyclicLR(Adagrad([p]), 0.01, 0.1)
    CyclicLR(Adagrad([p]), 0.01, 0.1, cycle_momentum=False)


@pytest.mark.parametrize("kind", ["SequentialLR", "ChainedScheduler"])
def test_combined_schedulers_must_share_one_optimizer(kind):
    opt, other = two_group_optimizer("sgd"), two_group_optimizer("sgd")
    schedulers = [ConstantLR(opt), ExponentialLR(other, gamma=0.9)]
    with pytest.raises(ValueError, match=f"{kind} expects all schedulers to belong to the same"):
        if kind == "SequentialLR":
            SequentialLR(opt, schedulers, milestones=[3])
        else:
            ChainedScheduler(schedulers)


def test_warm_restarts_take_fractional_epochs():
    """``step(epoch + i / iters)`` inside an epoch, as PyTorch's docs show: the rate follows
    the cosine of the position inside the current cycle (cycles of 3, 6, 12 epochs here)."""
    opt = SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.01)
    for epoch, t_cur, t_i in [(0.5, 0.5, 3), (4.5, 1.5, 6), (9.25, 0.25, 12), (2.0, 2.0, 3)]:
        scheduler.step(epoch)
        want = 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * t_cur / t_i)) / 2
        assert (scheduler.T_cur, scheduler.T_i) == (t_cur, t_i)
        assert scheduler.get_last_lr() == [pytest.approx(want, rel=1e-15)]
        assert scheduler.last_epoch == math.floor(epoch)


def test_plateau_refuses_new_groups_without_a_default_min_lr():
    opt = two_group_optimizer("sgd")
    scheduler = ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0])
    opt.add_param_group({"params": [minigrad.zeros(1, requires_grad=True)]})
    scheduler.step(1.0)
    with pytest.raises(RuntimeError, match=r"The number of param groups in the `optimizer` \(3\)"):
        scheduler.step(2.0)
    # With one min_lr for all groups, a new group simply gets it.
    opt = two_group_optimizer("sgd")
    scheduler = ReduceLROnPlateau(opt, patience=0)
    opt.add_param_group({"params": [minigrad.zeros(1, requires_grad=True)], "lr": 1.0})
    scheduler.step(1.0)
    scheduler.step(2.0)
    assert scheduler.get_last_lr()[2] == pytest.approx(0.1)
