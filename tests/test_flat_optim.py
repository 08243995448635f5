"""``foreach=True``: each optimizer's update run once per group on flat arrays
(``minigrad/fast/flat.py``), checked against the per-parameter update, to the last bit.

Each test trains the same small model twice from the same seed, parameter by parameter
and with ``foreach=True``, and compares the parameters and the optimizer's state. The
flat path's own workings (views, pieces, falling back, making the arrays again) are
tested on the CPU and, with ``--device cuda``, on the GPU.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import fastpath, nn, optim
from minigrad.fast import flat
from minigrad.optim import SGD, Adam

OPTIMIZERS = {
    "sgd": lambda ps, **kw: optim.SGD(ps, lr=0.1, **kw),
    "sgd-momentum": lambda ps, **kw: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-2, **kw),
    "sgd-dampening": lambda ps, **kw: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.3, **kw),
    "sgd-nesterov": lambda ps, **kw: optim.SGD(
        ps, lr=0.1, momentum=0.9, nesterov=True, maximize=True, **kw
    ),
    "adam": lambda ps, **kw: optim.Adam(ps, lr=0.01, weight_decay=1e-2, **kw),
    "adamw-amsgrad": lambda ps, **kw: optim.AdamW(ps, lr=0.01, amsgrad=True, **kw),
    "rmsprop": lambda ps, **kw: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True, **kw),
    "adagrad": lambda ps, **kw: optim.Adagrad(
        ps, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, **kw
    ),
    "adadelta": lambda ps, **kw: optim.Adadelta(ps, weight_decay=1e-2, **kw),
    "adamax": lambda ps, **kw: optim.Adamax(ps, lr=0.01, weight_decay=1e-2, **kw),
    "radam": lambda ps, **kw: optim.RAdam(ps, lr=0.01, betas=(0.8, 0.9), **kw),
}


@pytest.fixture
def pieces(request, monkeypatch):
    """Whether the CPU's update runs on the flat arrays in small pieces (48 bytes: several
    pieces per parameter, a parameter's end and the next one's start in one piece)."""
    if request.param:
        monkeypatch.setitem(flat.PIECE_BYTES, "cpu", 48)
    return request.param


def model_and_data(device):
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3))
    x = minigrad.randn(8, 6, device=device)
    y = minigrad.randint(0, 3, (8,), device=device)
    return model.to(device), x, y


def train(device, make, steps=4, set_to_none=True, **options):
    model, x, y = model_and_data(device)
    opt = make(model.parameters(), **options)
    for _ in range(steps):
        opt.zero_grad(set_to_none=set_to_none)
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model, opt


def arrays(state_dict: dict) -> list:
    """The optimizer state's entries as (parameter, key, value) in their order."""
    out = []
    for index, entries in state_dict["state"].items():
        for key, value in entries.items():
            value = value.numpy() if isinstance(value, minigrad.Tensor) else np.asarray(value)
            out.append((index, key, value))
    return out


def assert_same_run(a, b) -> None:
    (model_a, opt_a), (model_b, opt_b) = a, b
    for p, q in zip(model_a.parameters(), model_b.parameters()):
        assert p.dtype == q.dtype and p.shape == q.shape
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    entries_a, entries_b = arrays(opt_a.state_dict()), arrays(opt_b.state_dict())
    assert [e[:2] for e in entries_a] == [e[:2] for e in entries_b]  # the same keys, in order
    for (_, _, u), (_, _, v) in zip(entries_a, entries_b):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("pieces", [False, True], indirect=True, ids=["whole", "pieces"])
@pytest.mark.parametrize("set_to_none", [True, False])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_foreach_matches_the_update_per_parameter(name, set_to_none, pieces, device, fast_paths):
    make = OPTIMIZERS[name]
    per_parameter = train(device, make, set_to_none=set_to_none)
    at_once = train(device, make, set_to_none=set_to_none, foreach=True)
    assert_same_run(per_parameter, at_once)
    assert hasattr(at_once[1], "_flat_groups")


@pytest.mark.parametrize("key", [SGD, Adam])
def test_the_update_runs_once_per_group_and_step(key, device, fast_paths, monkeypatch):
    """On the CPU (this small model fits one piece) and on a GPU alike."""
    calls = []
    device_type = minigrad.device(device).type
    fast = fastpath.lookup(key, device_type)
    module, name = {SGD: ("sgd", "sgd_update"), Adam: ("adam", "adam_update")}[key]
    target = fast or getattr(getattr(optim, module), name)

    def counting(p, *args):
        calls.append(p.shape)
        return target(p, *args)

    if fast is None:  # the reference update, which step() passes by its module's name
        monkeypatch.setattr(getattr(optim, module), name, counting)
    else:
        monkeypatch.setitem(fastpath._registry, (key, device_type), counting)
    make = OPTIMIZERS["sgd-momentum" if key is SGD else "adam"]
    model, _ = train(device, make, steps=3, foreach=True)
    total = sum(p.numel() for p in model.parameters())
    assert total == 63 and calls == [(total,)] * 3  # all 63 elements at once, per step


def test_parameters_gradients_and_state_are_views_of_one_array(device, fast_paths):
    model, opt = train(device, OPTIMIZERS["adam"], steps=2, set_to_none=False, foreach=True)
    (group,) = opt._flat_groups.values()
    params = list(model.parameters())
    for p in params:
        assert p._data.base is group.param._data
        assert p.grad._data.base is group.param.grad._data
        for key in ("exp_avg", "exp_avg_sq"):
            assert opt.state[p][key]._data.base is group.state[key]._data
    # A write through the flat array is a write to the parameter, and back.
    group.param._data[0] = 7.0
    assert params[0].numpy().reshape(-1)[0] == 7.0


def test_a_parameter_without_a_gradient_takes_the_per_parameter_path(device, fast_paths):
    """PyTorch skips it (no step, no state change), so the flat update cannot run; the
    group is updated parameter by parameter, and Adam's step counts then differ, which
    keeps it so. The results are those of the per-parameter path throughout."""

    def run(**options):
        model, x, y = model_and_data(device)
        extra = nn.Linear(6, 2).to(device)
        params = list(model.parameters()) + list(extra.parameters())
        opt = optim.Adam(params, lr=0.01, **options)
        for step in range(4):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            if step != 1:  # in step 1 the extra layer gets no gradient
                loss = loss + extra(x).sum()
            loss.backward()
            opt.step()
        return nn.Sequential(model, extra), opt

    assert_same_run(run(), run(foreach=True))


def test_flat_arrays_are_made_again_when_storage_is_replaced(device, fast_paths):
    """``p.data = ...``, ``optimizer.load_state_dict`` and a new parameter group replace
    arrays the flat path holds views of: it notices, and the results stay the same."""

    def run(**options):
        model, x, y = model_and_data(device)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, **options)

        def step():
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

        step()
        step()
        first = next(model.parameters())
        first.data = first.data * 0.5  # a new array for one parameter
        step()
        saved = opt.state_dict()
        opt.load_state_dict(saved)  # new state tensors
        step()
        opt.add_param_group({"params": [minigrad.zeros(3, device=device, requires_grad=True)]})
        step()  # the new group's parameter has no gradient
        return model, opt

    assert_same_run(run(), run(foreach=True))


def test_parameters_tied_through_views_stay_tied(device, fast_paths):
    """Two parameters that are views of one array cannot both move into the flat array
    without coming apart: the group is updated parameter by parameter."""
    base = minigrad.randn(10, device=device)
    before = base.numpy().copy()
    a = base[:5].detach().requires_grad_()
    b = base[5:].detach().requires_grad_()
    assert a._data.base is base._data and b._data.base is base._data
    opt = optim.SGD([a, b], lr=0.5, foreach=True)
    (a.sum() + 2 * b.sum()).backward()
    opt.step()
    assert not opt._flat_groups
    assert a._data.base is base._data and b._data.base is base._data
    expected = before - np.concatenate([np.full(5, 0.5), np.full(5, 1.0)]).astype(np.float32)
    np.testing.assert_array_equal(base.numpy(), expected)


def test_mixed_dtypes_take_the_per_parameter_path(device, fast_paths):
    def run(**options):
        w = minigrad.ones(3, device=device, requires_grad=True)
        v = minigrad.ones(2, dtype=minigrad.float64, device=device, requires_grad=True)
        opt = optim.SGD([w, v], lr=0.1, momentum=0.9, **options)
        for _ in range(3):
            opt.zero_grad()
            ((w * w).sum() + (v * v * v).sum()).backward()
            opt.step()
        return w.numpy(), v.numpy(), opt

    w1, v1, _ = run()
    w2, v2, opt = run(foreach=True)
    np.testing.assert_array_equal(w1, w2)
    np.testing.assert_array_equal(v1, v2)
    assert not opt._flat_groups


def test_reference_mode_updates_each_parameter(device):
    with fastpath.reference_mode():
        at_once = train(device, OPTIMIZERS["sgd-momentum"], foreach=True)
        per_parameter = train(device, OPTIMIZERS["sgd-momentum"])
    assert not hasattr(at_once[1], "_flat_groups")
    assert_same_run(per_parameter, at_once)


def test_fused_true_takes_the_same_path(device, fast_paths):
    _, opt = train(device, OPTIMIZERS["adam"], steps=2, fused=True)
    assert len(opt._flat_groups) == 1


def test_a_checkpoint_of_the_flat_path_loads_into_the_per_parameter_one(device, fast_paths):
    model, opt = train(device, OPTIMIZERS["adam"], steps=2, foreach=True)
    other, x, y = model_and_data(device)
    other.load_state_dict(model.state_dict())
    again = optim.Adam(other.parameters(), lr=0.01, weight_decay=1e-2)
    again.load_state_dict(opt.state_dict())
    for m, o in ((model, opt), (other, again)):
        o.zero_grad()
        nn.functional.cross_entropy(m(x), y).backward()
        o.step()
    assert_same_run((model, opt), (other, again))


def test_state_replaced_by_hand_is_taken_in_or_refused(device, fast_paths):
    """A state tensor replaced by another of the same kind joins the flat arrays; one of
    another dtype keeps the group on the per-parameter path. Either way the results are
    the per-parameter path's."""

    def run(**options):
        model, x, y = model_and_data(device)
        opt = optim.Adam(model.parameters(), lr=0.01, **options)
        first, second = list(model.parameters())[:2]
        for step in range(5):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
            if step == 1:
                opt.state[first]["exp_avg"] = opt.state[first]["exp_avg"].clone()
            if step == 2:
                opt.state[second]["exp_avg_sq"] = opt.state[second]["exp_avg_sq"].double()
        return model, opt

    assert_same_run(run(), run(foreach=True))


def test_nadam_updates_per_parameter_even_with_foreach():
    """NAdam's ``mu_product`` is a scalar per parameter, which a flat array cannot hold:
    ``foreach=True`` is recorded and the update runs parameter by parameter."""
    make = lambda ps, **kw: optim.NAdam(ps, lr=0.01, decoupled_weight_decay=True, **kw)  # noqa: E731
    per_parameter = train("cpu", make)
    at_once = train("cpu", make, foreach=True)
    assert_same_run(per_parameter, at_once)
    assert not hasattr(at_once[1], "_flat_groups")
