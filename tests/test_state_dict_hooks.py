"""The four state-dict hooks of Module: when each runs, with what, what its edits change,
handles that remove them, and that loading does not run the saving hooks. (PyTorch 2.13
behaves the same in each case: the calls print it.)"""

from __future__ import annotations

import pytest

import minigrad
from minigrad import nn


def test_saving_hooks_run_around_each_modules_part():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    calls = []
    model[1].register_state_dict_pre_hook(lambda m, prefix, keep: calls.append(("pre", prefix)))
    model[1].register_state_dict_post_hook(
        lambda m, state, prefix, meta: calls.append(("post", prefix, list(state)))
    )
    model.state_dict()
    assert calls == [("pre", "1."), ("post", "1.", ["0.weight", "0.bias", "1.weight", "1.bias"])]


def test_a_post_hook_edits_what_is_saved_but_not_what_loads():
    layer = nn.Linear(2, 1)
    handle = layer.register_state_dict_post_hook(
        lambda m, state, prefix, meta: state.pop(prefix + "bias") and None
    )
    assert list(layer.state_dict()) == ["weight"]
    # loading finds its tensors without the hook: the bias is still a key it expects
    with pytest.raises(RuntimeError, match=r"Missing key.*bias"):
        layer.load_state_dict({"weight": minigrad.ones(1, 2)})
    handle.remove()
    assert list(layer.state_dict()) == ["weight", "bias"]
    bad = nn.Linear(2, 1)
    bad.register_state_dict_post_hook(lambda m, state, prefix, meta: state)
    with pytest.raises(RuntimeError, match="post-hook must return None"):
        bad.state_dict()


def test_a_load_pre_hook_renames_old_keys_in_a_copy():
    model = nn.Sequential(nn.Linear(2, 1))

    def rename(module, state, prefix, meta, strict, missing, unexpected, errors):
        for old in [k for k in state if k.startswith(prefix + "kernel")]:
            state[prefix + "weight"] = state.pop(old)

    model[0].register_load_state_dict_pre_hook(rename)
    checkpoint = {"0.kernel": minigrad.full((1, 2), 2.0), "0.bias": minigrad.zeros(1)}
    model.load_state_dict(checkpoint)
    assert model[0].weight.tolist() == [[2.0, 2.0]]
    assert list(checkpoint) == ["0.kernel", "0.bias"]  # the caller's dict is untouched
    failing = nn.Linear(2, 1)
    failing.register_load_state_dict_pre_hook(
        lambda m, s, p, meta, st, mk, uk, err: err.append("no")
    )
    with pytest.raises(RuntimeError, match="no"):
        failing.load_state_dict(failing.state_dict())


def test_a_load_post_hook_may_forgive_missing_keys():
    layer = nn.Linear(2, 1)
    with minigrad.no_grad():
        layer.bias.fill_(5.0)
    layer.register_load_state_dict_post_hook(lambda m, keys: keys.missing_keys.clear())
    result = layer.load_state_dict({"weight": minigrad.ones(1, 2)})
    assert result.missing_keys == [] and layer.bias.item() == 5.0
    strict = nn.Linear(2, 1)
    strict.register_load_state_dict_post_hook(lambda m, keys: None)
    with pytest.raises(RuntimeError, match="Missing key"):  # after loading, as in PyTorch
        strict.load_state_dict({"weight": minigrad.full((1, 2), 3.0)})
    assert strict.weight.tolist() == [[3.0, 3.0]]


def test_members_by_dotted_path():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert model.get_parameter("0.weight") is model[0].weight
    assert model.get_buffer("1.running_mean") is model[1].running_mean
    model.set_submodule("0", nn.Linear(2, 3, bias=False))
    assert model[0].bias is None
    with pytest.raises(AttributeError, match="has no parameter `bias`"):
        model.get_parameter("0.bias")
    with pytest.raises(AttributeError, match="has no buffer `weight`"):
        model.get_buffer("1.weight")
    with pytest.raises(AttributeError, match="has no attribute `5`"):
        model.set_submodule("5", nn.ReLU(), strict=True)


class Counted(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(1, 1)
        self.count = 3

    def get_extra_state(self):
        return {"count": self.count}

    def set_extra_state(self, state):
        self.count = state["count"]


def test_extra_state_is_saved_and_restored():
    saved = Counted()
    state = saved.state_dict()
    assert list(state) == ["_extra_state", "layer.weight", "layer.bias"]  # PyTorch's order
    loaded = Counted()
    loaded.count = 0
    loaded.load_state_dict(state)
    assert loaded.count == 3
    with pytest.raises(RuntimeError, match=r"Missing key.*_extra_state"):
        Counted().load_state_dict(
            {"layer.weight": minigrad.ones(1, 1), "layer.bias": minigrad.ones(1)}
        )
    with pytest.raises(RuntimeError, match="has no extra state"):
        nn.Linear(1, 1).get_extra_state()
    wrapped = nn.Sequential(Counted())
    assert "0._extra_state" in wrapped.state_dict()
