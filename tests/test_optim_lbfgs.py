"""L-BFGS against PyTorch 2.13 (golden data from ``tests/golden/make_golden_optim.py``):
every combination of line search, step length, history size and iteration count on the
least-squares problem (float32), the Rosenbrock function from a fixed start (float64), the
evaluation counts, the state_dict layout and final state, checkpoints resumed mid-run, and
the errors.

Tolerance: float32 runs at ``rtol=1e-5, atol=1e-6`` (the runs stop before they reach the
optimum's float32 noise, which no two libraries follow alike); the float64 Rosenbrock runs,
80 iterations each, at ``rtol=1e-7``. The evaluation counts are compared exactly.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from test_optim import GOLDEN, Problem

import minigrad
from minigrad.optim import LBFGS
from minigrad.optim.line_search import cubic_interpolate, strong_wolfe

# The table of make_golden_optim.py's LBFGS_AXES; every combination is a golden run.
AXES = {
    "line_search_fn": (None, "strong_wolfe"), "history_size": (100, 2),
    "lr,max_iter": ((1.0, 20), (1.0, 3), (0.3, 3)),
}  # fmt: skip
STEPS = 4


def key(config: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in config.items())


CONFIGS = [
    {"line_search_fn": line_search_fn, "history_size": history_size, "lr": lr, "max_iter": it}
    for line_search_fn, history_size, (lr, it) in itertools.product(*AXES.values())
]


def rosenbrock(c):
    return (1 - c[0]) ** 2 + 100 * (c[1] - c[0] ** 2) ** 2


def run(opt, params, loss_of, steps=STEPS):
    """``steps`` calls of ``opt.step(closure)``; what the golden runs record."""

    def closure():
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss

    out = {f"p{i}": [] for i in range(len(params))}
    out.update(loss=[], func_evals=[], n_iter=[])
    for _ in range(steps):
        out["loss"].append(opt.step(closure).item())
        for i, p in enumerate(params):
            out[f"p{i}"].append(p.numpy())
        state = opt.state[params[0]]
        out["func_evals"].append(state["func_evals"])
        out["n_iter"].append(state["n_iter"])
    return {k: np.array(v) for k, v in out.items()}


def assert_run(got, prefix, rtol, atol):
    for part, value in got.items():
        want = GOLDEN[f"{prefix}.{part}"]
        if part in ("func_evals", "n_iter"):
            np.testing.assert_array_equal(value, want, err_msg=f"{prefix}: {part}")
        else:
            assert value.dtype == want.dtype, part
            np.testing.assert_allclose(value, want, rtol=rtol, atol=atol, err_msg=part)


def least_squares(device, **config):
    problem = Problem(device)
    params = [problem.W, problem.b]
    return LBFGS(params, **config), params, problem.loss


@pytest.mark.parametrize("config", CONFIGS, ids=key)
def test_least_squares_matches_pytorch(device, config):
    opt, params, loss_of = least_squares(device, **config)
    assert_run(run(opt, params, loss_of), f"LBFGS.{key(config)}", rtol=1e-5, atol=1e-6)


def test_every_golden_configuration_is_tested():
    stored = {k.split(".", 1)[1].rsplit(".", 1)[0] for k in GOLDEN.files if k[:6] == "LBFGS."}
    assert stored - {"rosenbrock.None", "rosenbrock.strong_wolfe"} == {key(c) for c in CONFIGS}


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_rosenbrock_matches_pytorch(device, line_search_fn):
    """A curved valley: the line search brackets and zooms; the fixed step creeps."""
    c = minigrad.tensor(GOLDEN["data.c0"].astype(np.float64), device=device, requires_grad=True)
    lr = 1.0 if line_search_fn else 1e-3
    opt = LBFGS([c], lr=lr, line_search_fn=line_search_fn)
    got = run(opt, [c], lambda: rosenbrock(c))
    assert_run(got, f"LBFGS.rosenbrock.{line_search_fn}", rtol=1e-7, atol=1e-9)
    if line_search_fn:
        np.testing.assert_allclose(c.numpy(), [1.0, 1.0], atol=1e-5)  # the minimum


def test_state_layout_and_final_state_match_pytorch(device):
    opt, params, loss_of = least_squares(
        device, line_search_fn="strong_wolfe", history_size=3, max_iter=3
    )
    run(opt, params, loss_of)
    saved = opt.state_dict()
    assert list(saved["param_groups"][0]) == list(GOLDEN["layout.LBFGS.group"])
    assert list(saved["state"]) == [0]  # all of it on the first parameter, as in PyTorch
    state = saved["state"][0]
    assert list(state) == list(GOLDEN["layout.LBFGS.state"])
    for name in ("d", "prev_flat_grad", "H_diag", "t"):
        value = state[name]
        value = value.numpy() if isinstance(value, minigrad.Tensor) else value
        np.testing.assert_allclose(value, GOLDEN[f"final.LBFGS.{name}"], rtol=1e-5, atol=1e-6)
    # The history holds differences of gradients and of parameters, whose cancellation
    # leaves a float32 ulp of their terms, not of theirs: a looser tolerance.
    for name in ("old_dirs", "old_stps", "ro"):
        got = np.stack([v.numpy() for v in state[name]])
        np.testing.assert_allclose(got, GOLDEN[f"final.LBFGS.{name}"], rtol=1e-4, atol=1e-5)
    assert isinstance(state["func_evals"], int) and isinstance(state["n_iter"], int)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_a_checkpoint_resumes_the_same_run(device, line_search_fn):
    """Two steps, state_dict through save/load, two more: the same as four in a row (the
    history, the last direction and the counters all travel in the state)."""
    c0 = GOLDEN["data.c0"].astype(np.float64)
    config = {"line_search_fn": line_search_fn, "lr": 1.0 if line_search_fn else 1e-3}

    c = minigrad.tensor(c0, device=device, requires_grad=True)
    straight = run(LBFGS([c], **config), [c], lambda: rosenbrock(c), steps=4)

    c = minigrad.tensor(c0, device=device, requires_grad=True)
    opt = LBFGS([c], **config)
    run(opt, [c], lambda: rosenbrock(c), steps=2)
    saved = opt.state_dict()
    c2 = minigrad.tensor(c.numpy(), device=device, requires_grad=True)
    opt2 = LBFGS([c2], **config)
    opt2.load_state_dict(saved)
    resumed = run(opt2, [c2], lambda: rosenbrock(c2), steps=2)
    for part in ("p0", "loss", "func_evals", "n_iter"):
        np.testing.assert_array_equal(resumed[part], straight[part][2:], err_msg=part)


def test_a_parameter_without_a_gradient_stays_put(device):
    """It counts as a zero gradient, as in PyTorch: the direction never moves it."""
    problem = Problem(device)
    unused = minigrad.ones(2, device=device, requires_grad=True)
    opt = LBFGS([problem.W, unused, problem.b], line_search_fn="strong_wolfe")
    run(opt, [problem.W, unused, problem.b], problem.loss, steps=2)
    assert unused.grad is None
    np.testing.assert_array_equal(unused.numpy(), [1.0, 1.0])
    opt_ref, params, loss_of = least_squares(device, line_search_fn="strong_wolfe")
    run(opt_ref, params, loss_of, steps=2)
    np.testing.assert_allclose(problem.W.numpy(), params[0].numpy(), rtol=1e-6, atol=1e-7)


def test_the_returned_loss_is_the_first_evaluation(device):
    opt, _, loss_of = least_squares(device)
    before = loss_of().item()
    first = opt.step(lambda: _closure(opt, loss_of))
    assert isinstance(first, minigrad.Tensor) and first.item() == pytest.approx(before)
    assert loss_of().item() < 0.5 * before


def test_an_optimal_start_returns_after_one_evaluation(device):
    w = minigrad.zeros(3, device=device, requires_grad=True)
    opt = LBFGS([w])
    opt.step(lambda: _closure(opt, lambda: (w**2).sum()))
    assert opt.state[w] == {"func_evals": 1, "n_iter": 0}
    np.testing.assert_array_equal(w.numpy(), [0.0, 0.0, 0.0])


def test_max_eval_bounds_the_evaluations(device):
    c = minigrad.tensor(GOLDEN["data.c0"].astype(np.float64), device=device, requires_grad=True)
    opt = LBFGS([c], max_iter=100, max_eval=7, line_search_fn="strong_wolfe")
    opt.step(lambda: _closure(opt, lambda: rosenbrock(c)))
    assert opt.state[c]["func_evals"] <= 7 + 25  # the last line search may overrun, as in PyTorch
    opt = LBFGS([c], max_iter=100, max_eval=7, lr=1e-3)
    opt.step(lambda: _closure(opt, lambda: rosenbrock(c)))
    assert opt.state[c]["func_evals"] == 7


def _closure(opt, loss_of):
    opt.zero_grad()
    loss = loss_of()
    loss.backward()
    return loss


# ----------------------------------------------------------------------------------------
# The line search on its own
# ----------------------------------------------------------------------------------------


def test_cubic_interpolate_finds_a_cubics_minimum():
    # f(x) = x^3 - 3x has its local minimum at x = 1; given its values and slopes at 0 and
    # 2, the fitted cubic is f itself.
    def f(x):
        return x**3 - 3 * x

    def g(x):
        return minigrad.tensor(3 * x**2 - 3.0, dtype=minigrad.float64)

    assert float(cubic_interpolate(0.0, f(0.0), g(0.0), 2.0, f(2.0), g(2.0))) == pytest.approx(1)
    # the same from the other side, and clamped to bounds
    assert float(cubic_interpolate(2.0, f(2.0), g(2.0), 0.0, f(0.0), g(0.0))) == pytest.approx(1)
    clamped = cubic_interpolate(0.0, f(0.0), g(0.0), 2.0, f(2.0), g(2.0), bounds=(1.5, 3.0))
    assert float(clamped) == 1.5


def test_cubic_interpolate_without_a_minimum_takes_the_midpoint():
    # rising at both ends by as much as the values rise: d1 = 0, so d1^2 < g1 g2
    g1, g2 = minigrad.tensor(1.0), minigrad.tensor(1.0)
    assert cubic_interpolate(0.0, 0.0, g1, 1.0, 2 / 3, g2, bounds=(0.0, 4.0)) == 2.0


def test_strong_wolfe_satisfies_both_conditions():
    c = minigrad.tensor([-1.2, 1.0], dtype=minigrad.float64)

    def evaluate(x, t, d):
        v = (x[0] + t * d).requires_grad_()
        loss = rosenbrock(v)
        loss.backward()
        return loss.item(), v.grad

    f, g = evaluate([c], 0.0, minigrad.zeros(2, dtype=minigrad.float64))
    d = -g
    gtd = g.dot(d)
    f_new, g_new, t, _ = strong_wolfe(evaluate, [c], 1.0, d, f, g, gtd)
    assert f_new <= f + 1e-4 * float(t) * float(gtd)  # sufficient decrease
    assert abs(float(g_new.dot(d))) <= 0.9 * abs(float(gtd))  # curvature


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------


def test_step_needs_a_closure():
    w = minigrad.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="needs a closure"):
        LBFGS([w]).step()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lr": -1.0}, "Invalid learning rate"),
        ({"line_search_fn": "armijo"}, "line_search_fn must be None or 'strong_wolfe'"),
        ({"history_size": 0}, "history_size must be a positive integer"),
        ({"max_iter": 0}, "max_iter must be a positive integer"),
    ],
)
def test_bad_options_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LBFGS([minigrad.ones(2, requires_grad=True)], **kwargs)


def test_parameter_groups_are_refused():
    a, b = minigrad.ones(2, requires_grad=True), minigrad.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        LBFGS([{"params": [a]}, {"params": [b], "lr": 0.1}])


def test_integer_parameters_are_refused():
    with pytest.raises(ValueError, match="must be floating point, got int64"):
        LBFGS([minigrad.tensor([1, 2])])


def test_max_eval_defaults_to_five_quarters_of_max_iter():
    opt = LBFGS([minigrad.ones(2, requires_grad=True)], max_iter=9)
    assert opt.param_groups[0]["max_eval"] == 11
