"""Weight averaging (``minigrad.optim.swa_utils``) against PyTorch 2.13.

The golden file (``tests/golden/make_golden_optim.py``, ``swa.*``) holds five states of a
small model (Linear, BatchNorm1d, ReLU, Linear) taken while PyTorch trained it, and what
each kind of ``AveragedModel`` made of them. Here the same states are folded into
minigrad's averages, so the test checks the averaging alone, not the training. SWALR's
rates are checked with the other schedules in ``test_optim_schedules.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_optim import GOLDEN

import minigrad
from minigrad import nn
from minigrad.optim.swa_utils import (
    SWALR,
    AveragedModel,
    get_ema_avg_fn,
    get_ema_multi_avg_fn,
    get_swa_avg_fn,
    get_swa_multi_avg_fn,
    update_bn,
)

SNAPSHOTS = 5

# The same table as make_golden_optim.swa_averagers().
AVERAGERS = {
    "swa": lambda m: AveragedModel(m),
    "swa_buffers": lambda m: AveragedModel(m, use_buffers=True),
    "swa_multi": lambda m: AveragedModel(m, multi_avg_fn=get_swa_multi_avg_fn()),
    "swa_fn": lambda m: AveragedModel(m, avg_fn=get_swa_avg_fn()),
    "ema": lambda m: AveragedModel(m, multi_avg_fn=get_ema_multi_avg_fn(0.9)),
    "ema_buffers": lambda m: AveragedModel(
        m, multi_avg_fn=get_ema_multi_avg_fn(0.75), use_buffers=True
    ),
    "ema_fn": lambda m: AveragedModel(m, avg_fn=get_ema_avg_fn(0.8)),
    "ema_fn_buffers": lambda m: AveragedModel(m, avg_fn=get_ema_avg_fn(0.8), use_buffers=True),
}


def make_model(device="cpu"):
    return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3)).to(device)


def snapshot(k: int) -> dict[str, np.ndarray]:
    prefix = f"swa.snapshot{k}."
    return {key[len(prefix) :]: GOLDEN[key] for key in GOLDEN.files if key.startswith(prefix)}


def golden_state(name: str) -> dict[str, np.ndarray]:
    prefix = f"swa.{name}."
    return {
        key[len(prefix) :]: GOLDEN[key]
        for key in GOLDEN.files
        if key.startswith(prefix) and key[len(prefix) :] not in ("output", "training")
    }


def averaged_run(name: str, device="cpu"):
    model = make_model(device)
    averaged = AVERAGERS[name](model)
    for k in range(SNAPSHOTS):
        model.load_state_dict(snapshot(k))
        averaged.update_parameters(model)
    return model, averaged


def assert_state_matches(state: dict, want: dict) -> None:
    assert list(state) == list(want)  # PyTorch's keys, in PyTorch's order
    for key, value in want.items():
        got = state[key].cpu().numpy()
        assert got.dtype == value.dtype, key
        if value.dtype.kind == "f":
            np.testing.assert_allclose(got, value, rtol=1e-6, atol=1e-7, err_msg=key)
        else:
            np.testing.assert_array_equal(got, value, err_msg=key)


def test_golden_file_covers_every_averager():
    stored = {k.split(".")[1] for k in GOLDEN.files if k.startswith("swa.")}
    assert stored - {"batches", "targets", "probe", "update_bn"} == (
        set(AVERAGERS) | {f"snapshot{k}" for k in range(SNAPSHOTS)}
    )


@pytest.mark.parametrize("name", sorted(AVERAGERS))
def test_averages_match_pytorch(name, device):
    _, averaged = averaged_run(name, device)
    assert_state_matches(averaged.state_dict(), golden_state(name))


def test_the_golden_averages_differ_from_each_other_and_from_the_last_state():
    """Guards the test above: each average is its own, and not just the last snapshot."""
    last = snapshot(SNAPSHOTS - 1)["0.weight"]
    weights = {name: golden_state(name)["module.0.weight"] for name in AVERAGERS}
    for name, w in weights.items():
        assert not np.allclose(w, last), name
    ema = {name: weights[name] for name in ("ema", "ema_buffers", "ema_fn")}
    assert len({w.tobytes() for w in ema.values()}) == 3
    # The equal-weight average is the mean of the snapshots, whichever way it is written.
    mean = np.mean([snapshot(k)["0.weight"] for k in range(SNAPSHOTS)], axis=0)
    np.testing.assert_allclose(weights["swa"], mean, rtol=1e-5, atol=1e-6)


def test_buffers_follow_the_model_unless_averaged():
    model, averaged = averaged_run("swa")
    np.testing.assert_array_equal(
        averaged.module[1].running_mean.numpy(), model[1].running_mean.numpy()
    )
    _, averaged = averaged_run("swa_buffers")
    means = [snapshot(k)["1.running_mean"] for k in range(SNAPSHOTS)]
    np.testing.assert_allclose(
        averaged.module[1].running_mean.numpy(), np.mean(means, axis=0), rtol=1e-5, atol=1e-6
    )


def test_equal_weight_multi_average_takes_integer_buffers():
    """PyTorch 2.13's get_swa_multi_avg_fn fails on integer buffers ("Integer division
    with addcdiv is no longer supported"); minigrad's gives what the per-tensor form gives
    (PyTorch's default on the CPU, in the golden file): ``avg + (new - avg) / (n + 1)``,
    truncated to the integer dtype."""
    model = make_model()
    multi = AveragedModel(model, multi_avg_fn=get_swa_multi_avg_fn(), use_buffers=True)
    for k in range(SNAPSHOTS):
        model.load_state_dict(snapshot(k))
        multi.update_parameters(model)
    want = golden_state("swa_buffers")
    assert multi.module[1].num_batches_tracked.item() == int(want["module.1.num_batches_tracked"])
    np.testing.assert_allclose(
        multi.module[1].running_var.numpy(), want["module.1.running_var"], rtol=1e-6
    )
    counts = minigrad.tensor([3])
    get_swa_multi_avg_fn()([counts], [minigrad.tensor([8])], 1)
    assert counts.item() == 5  # 3 + (8 - 3) / 2 = 5.5, truncated


def test_update_bn_matches_pytorch(device):
    _, averaged = averaged_run("swa", device)
    averaged.eval()
    batches = [(minigrad.tensor(x, device=device), 0) for x in GOLDEN["swa.batches"]]
    update_bn(batches, averaged)
    assert averaged.training is bool(GOLDEN["swa.update_bn.training"]) is False
    assert_state_matches(averaged.state_dict(), golden_state("update_bn"))
    with minigrad.no_grad():
        out = averaged(minigrad.tensor(GOLDEN["swa.probe"], device=device))
    np.testing.assert_allclose(
        out.cpu().numpy(), GOLDEN["swa.update_bn.output"], rtol=1e-5, atol=1e-6
    )
    assert averaged.module[1].momentum == 0.1  # restored after the pass


def test_update_bn_is_the_plain_average_over_the_batches():
    bn = nn.BatchNorm1d(2, momentum=0.3)
    x = minigrad.randn(12, 2, generator=minigrad.Generator().manual_seed(0))
    update_bn([x[:4], x[4:8], x[8:]], bn, device="cpu")  # bare tensors, equal batches
    means = x.numpy().reshape(3, 4, 2).mean(axis=1)
    variances = x.numpy().reshape(3, 4, 2).var(axis=1, ddof=1)
    np.testing.assert_allclose(bn.running_mean.numpy(), means.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), variances.mean(axis=0), rtol=1e-5)
    assert bn.num_batches_tracked.item() == 3 and bn.momentum == 0.3 and bn.training


def test_update_bn_leaves_a_model_without_batchnorm_and_its_loader_alone():
    class Untouchable:
        def __iter__(self):
            raise AssertionError("the loader was read")

    model = nn.Sequential(nn.Linear(2, 2), nn.LayerNorm(2)).eval()
    update_bn(Untouchable(), model)
    assert not model.training


def test_update_bn_restores_momentum_and_mode_when_the_model_fails():
    model = nn.Sequential(nn.BatchNorm1d(3, momentum=0.2)).eval()
    with pytest.raises(RuntimeError, match="expects 3 channels"):
        update_bn([minigrad.zeros(4, 5)], model)
    assert model[0].momentum == 0.2 and not model.training


def test_averaged_model_is_a_copy_and_records_no_graph():
    model = make_model()
    averaged = AveragedModel(model)
    assert averaged.module[0].weight is not model[0].weight
    with minigrad.no_grad():
        model[0].weight.add_(1.0)
    assert not np.allclose(averaged.module[0].weight.numpy(), model[0].weight.numpy())
    averaged.update_parameters(model)
    averaged.update_parameters(model)
    w = averaged.module[0].weight
    assert w.requires_grad and w.grad_fn is None and w.is_leaf
    np.testing.assert_array_equal(w.numpy(), model[0].weight.numpy())
    assert averaged.n_averaged.item() == 2 and averaged.n_averaged.dtype == minigrad.int64


def test_state_dict_round_trip_continues_the_average():
    model, averaged = averaged_run("swa")
    state = averaged.state_dict()
    resumed = AveragedModel(make_model())
    resumed.load_state_dict(state)
    assert resumed.n_averaged.item() == SNAPSHOTS
    for avg in (averaged, resumed):
        with minigrad.no_grad():
            model[0].weight.fill_(1.0)
        avg.update_parameters(model)
    np.testing.assert_array_equal(
        resumed.module[0].weight.numpy(), averaged.module[0].weight.numpy()
    )


def test_averaged_model_forwards_everything():
    model = nn.Bilinear(2, 3, 1)
    averaged = AveragedModel(model)
    a, b = minigrad.ones(1, 2), minigrad.ones(1, 3)
    np.testing.assert_array_equal(averaged(a, b).detach().numpy(), model(a, b).detach().numpy())
    np.testing.assert_array_equal(
        averaged(input1=a, input2=b).detach().numpy(), model(a, b).detach().numpy()
    )


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: AveragedModel(
                nn.Linear(1, 1), avg_fn=get_swa_avg_fn(), multi_avg_fn=get_swa_multi_avg_fn()
            ),
            ValueError,
            "Only one of avg_fn and multi_avg_fn",
        ),
        (lambda: AveragedModel(lambda x: x), TypeError, "averages a Module, got function"),
        (lambda: get_ema_multi_avg_fn(1.5), ValueError, r"Invalid decay value 1.5"),
        (lambda: get_ema_avg_fn(-0.1), ValueError, r"Invalid decay value -0.1"),
    ],
)
def test_invalid_arguments(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_update_from_another_model_says_what_differs():
    averaged = AveragedModel(nn.Linear(2, 3))
    with pytest.raises(ValueError, match=r"the model has 1 parameters, the averaged copy 2"):
        averaged.update_parameters(nn.Linear(2, 3, bias=False))
    with pytest.raises(ValueError, match=r"tensor 0 has shape \(3, 4\) in the model but \(3, 2\)"):
        averaged.update_parameters(nn.Linear(4, 3))
    assert averaged.n_averaged.item() == 0


def _optimizer(groups=1):
    params = [{"params": [minigrad.zeros(1, requires_grad=True)]} for _ in range(groups)]
    return minigrad.optim.SGD(params, lr=0.1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"swa_lr": 0.1, "anneal_strategy": "exp"}, "anneal_strategy must be one of 'cos' or"),
        ({"swa_lr": 0.1, "anneal_epochs": -1}, "anneal_epochs must be equal or greater than 0"),
        ({"swa_lr": 0.1, "anneal_epochs": 2.0}, "anneal_epochs must be equal or greater than 0"),
        ({"swa_lr": [0.1, 0.2]}, "swa_lr must have the same length as optimizer.param_groups"),
    ],
)
def test_swalr_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SWALR(_optimizer(), **kwargs)


def test_swalr_state_dict_round_trip():
    opt = _optimizer(2)
    sched = SWALR(opt, swa_lr=[0.01, 0.02], anneal_epochs=6, anneal_strategy="linear")
    for _ in range(2):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["_anneal_strategy"] == "linear"
    opt2 = _optimizer(2)
    resumed = SWALR(opt2, swa_lr=[0.01, 0.02])  # cos, 10 epochs: replaced by the state
    resumed.load_state_dict(state)
    opt2.load_state_dict(opt.state_dict())
    for _ in range(5):
        for o, s in ((opt, sched), (opt2, resumed)):
            o.step()
            s.step()
        assert resumed.get_last_lr() == sched.get_last_lr()
    assert sched.get_last_lr() == [0.01, 0.02]
