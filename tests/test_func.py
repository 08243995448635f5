"""``minigrad.func``: the function transforms, against PyTorch 2.13's ``torch.func``
(``tests/golden/make_golden_func.py``) and against the definitions they stand for (a
gradient is ``backward()``'s, ``vmap`` is a loop, a Jacobian is made of gradients)."""

from __future__ import annotations

import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from func_cases import CASES, SEED

import minigrad
import minigrad.nn.functional as F
from minigrad import func, nn

GOLDEN = np.load(Path(__file__).parent / "golden" / "func.npz", allow_pickle=False)


def library(device) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        torch=minigrad, func=func, nn=nn, F=F,
        tensor=lambda a: minigrad.tensor(a, device=device), to_device=lambda m: m.to(device),
    )  # fmt: skip


def test_golden_file_covers_every_case():
    assert {k.split(".")[0] for k in GOLDEN.files if k != "__torch_version__"} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, device):
    results = CASES[name](library(device), np.random.default_rng(SEED))
    expected = {k.split(".", 1)[1]: GOLDEN[k] for k in GOLDEN.files if k.startswith(name + ".")}
    assert set(results) == set(expected)
    for key, value in results.items():
        got = value.detach().cpu().numpy()
        assert got.shape == expected[key].shape, key
        np.testing.assert_allclose(got, expected[key], rtol=1e-5, atol=1e-6, err_msg=key)


# ---------------------------------------------------------------------------------------
# The definitions.
# ---------------------------------------------------------------------------------------


def test_per_sample_gradients_are_those_of_backward_one_sample_at_a_time():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    params = {k: v.detach() for k, v in model.named_parameters()}
    data, target = minigrad.randn(5, 4), minigrad.tensor([0, 1, 1, 0, 1])

    def loss(p, x, t):
        return F.cross_entropy(func.functional_call(model, p, (x[None],)), t[None])

    grads = func.vmap(func.grad(loss), in_dims=(None, 0, 0))(params, data, target)
    for i in range(5):
        model.zero_grad()
        F.cross_entropy(model(data[i : i + 1]), target[i : i + 1]).backward()
        for name, p in model.named_parameters():
            np.testing.assert_allclose(grads[name][i].numpy(), p.grad.numpy(), rtol=1e-6)
    assert all(not g.requires_grad for g in grads.values())


def test_jacobian_rows_are_gradients_of_output_elements():
    x = minigrad.tensor([0.3, -1.2, 2.0])
    f = lambda a: minigrad.stack([(a**2).sum(), a.prod(), a[0] * a[2]])  # noqa: E731
    jac = func.jacrev(f)(x)
    for i in range(3):
        np.testing.assert_allclose(jac[i].numpy(), func.grad(lambda a, i=i: f(a)[i])(x).numpy())
    np.testing.assert_array_equal(func.jacfwd(f)(x).numpy(), jac.numpy())


def test_vmap_is_a_loop_and_gradients_flow_through_it():
    w = minigrad.randn(3, 2, requires_grad=True)
    xs = minigrad.randn(4, 3)
    out = func.vmap(lambda x: (x @ w).tanh())(xs)
    looped = minigrad.stack([(x @ w).tanh() for x in xs])
    np.testing.assert_array_equal(out.detach().numpy(), looped.detach().numpy())
    out.sum().backward()
    expected = minigrad.autograd.grad(looped.sum(), w)[0]
    np.testing.assert_allclose(w.grad.numpy(), expected.numpy(), rtol=1e-6)


def test_vmap_randomness():
    draw = lambda x: minigrad.rand(2) + x  # noqa: E731
    with pytest.raises(RuntimeError, match="randomness error mode"):
        func.vmap(draw)(minigrad.zeros(3))
    minigrad.manual_seed(0)
    same = func.vmap(draw, randomness="same")(minigrad.zeros(3))
    after_same = minigrad.rand(1)
    assert bool((same[0] == same[1]).all()) and bool((same[0] == same[2]).all())
    minigrad.manual_seed(0)
    different = func.vmap(draw, randomness="different")(minigrad.zeros(3))
    assert not bool((different[0] == different[1]).all())
    np.testing.assert_array_equal(same[0].numpy(), different[0].numpy())
    minigrad.manual_seed(0)
    minigrad.rand(2)
    np.testing.assert_array_equal(after_same.numpy(), minigrad.rand(1).numpy())
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        func.vmap(draw, randomness="sometimes")


def test_vmap_over_an_empty_batch_gives_empty_outputs():
    out, total = func.vmap(lambda x: (x * 2, x.sum()), out_dims=(1, 0))(minigrad.ones(0, 3))
    assert tuple(out.shape) == (3, 0) and tuple(total.shape) == (0,)


def test_vmap_out_dims_none():
    xs = minigrad.randn(3, 2)
    c = minigrad.tensor([1.0, 2.0])
    out, constant = func.vmap(lambda x: (x + 1, c), out_dims=(0, None))(xs)
    assert constant is c and tuple(out.shape) == (3, 2)
    with pytest.raises(ValueError, match="differs from sample to sample"):
        func.vmap(lambda x: x, out_dims=None)(xs)


def test_transforms_run_under_no_grad():
    with minigrad.no_grad():
        g = func.grad(lambda x: (x**2).sum())(minigrad.tensor([1.0, 2.0]))
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])


def test_unused_inputs_get_zero_gradients():
    gx, gy = func.grad(lambda x, y: x.sum(), argnums=(0, 1))(minigrad.ones(2), minigrad.ones(3))
    np.testing.assert_array_equal(gy.numpy(), np.zeros(3))
    np.testing.assert_array_equal(gx.numpy(), np.ones(2))


def test_vjp_fn_can_be_called_again():
    _, vjp_fn = func.vjp(lambda x: x.exp(), minigrad.tensor([0.0, 1.0]))
    first = vjp_fn(minigrad.ones(2))[0]
    second = vjp_fn(minigrad.tensor([2.0, 2.0]))[0]
    np.testing.assert_allclose(second.numpy(), 2 * first.numpy())


# ---------------------------------------------------------------------------------------
# functional_call, stack_module_state, replace_all_batch_norm_modules_.
# ---------------------------------------------------------------------------------------


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2, bias=False)
        self.b = nn.Linear(2, 2, bias=False)
        self.b.weight = self.a.weight

    def forward(self, x):
        return self.b(self.a(x))


def test_functional_call_leaves_the_module_as_it_was():
    layer = nn.Linear(3, 2)
    before = {k: v for k, v in layer.state_dict(keep_vars=True).items()}
    out = func.functional_call(layer, {"weight": minigrad.ones(2, 3)}, minigrad.ones(1, 3))
    np.testing.assert_allclose(out.detach().numpy(), 3 + layer.bias.detach().numpy()[None])
    assert all(layer.state_dict(keep_vars=True)[k] is v for k, v in before.items())
    assert isinstance(layer.weight, nn.Parameter)


def test_functional_call_restores_after_an_exception():
    layer = nn.Linear(3, 2)
    weight = layer.weight
    with pytest.raises(RuntimeError):
        func.functional_call(layer, {"weight": minigrad.ones(2, 3)}, minigrad.ones(1, 5))
    assert layer.weight is weight


def test_functional_call_tied_weights():
    model = Tied()
    x = minigrad.ones(1, 2)
    doubled = minigrad.eye(2) * 2
    np.testing.assert_array_equal(func.functional_call(model, {"a.weight": doubled}, x).numpy(),
                                  [[4.0, 4.0]])  # fmt: skip
    untied = func.functional_call(model, {"a.weight": doubled}, x, tie_weights=False)
    expected = (x @ doubled.t()) @ model.b.weight.t()
    np.testing.assert_allclose(untied.detach().numpy(), expected.detach().numpy())
    with pytest.raises(ValueError, match="which are tied"):
        func.functional_call(model, {"a.weight": doubled, "b.weight": minigrad.eye(2)}, x)


def test_functional_call_bad_arguments():
    layer = nn.Linear(3, 2)
    x = minigrad.ones(1, 3)
    with pytest.raises(RuntimeError, match=r"Missing key\(s\): 'bias'"):
        func.functional_call(layer, {"weight": minigrad.ones(2, 3)}, x, strict=True)
    with pytest.raises(RuntimeError, match=r"Unexpected key\(s\): 'extra'"):
        func.functional_call(layer, {"weight": minigrad.ones(2, 3), "bias": minigrad.ones(2),
                                     "extra": minigrad.ones(1)}, x, strict=True)  # fmt: skip
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        func.functional_call(layer, ({"bias": minigrad.ones(2)}, {"bias": minigrad.ones(2)}), x)
    with pytest.raises(TypeError, match="'weight' must be a Tensor"):
        func.functional_call(layer, {"weight": np.ones((2, 3))}, x)


def test_the_deprecated_stateless_spelling_warns():
    layer = nn.Linear(3, 2)
    with pytest.warns(FutureWarning, match="minigrad.func.functional_call"):
        out = nn.utils.stateless.functional_call(
            layer, {"bias": minigrad.zeros(2)}, minigrad.ones(1, 3)
        )
    assert tuple(out.shape) == (1, 2)


def test_stack_module_state():
    models = [nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)) for _ in range(2)]
    params, buffers = func.stack_module_state(models)
    assert tuple(params["0.weight"].shape) == (2, 3, 2) and params["0.weight"].is_leaf
    assert params["0.weight"].requires_grad and not buffers["1.running_mean"].requires_grad
    np.testing.assert_array_equal(params["0.bias"][1].detach().numpy(),
                                  models[1][0].bias.detach().numpy())  # fmt: skip
    with pytest.raises(RuntimeError, match="at least one model"):
        func.stack_module_state([])
    models[1].eval()
    with pytest.raises(RuntimeError, match="training/eval mode"):
        func.stack_module_state(models)
    with pytest.raises(ValueError, match="same architecture"):
        func.stack_module_state([nn.Linear(2, 2), nn.Linear(2, 2, bias=False)])


def test_replace_all_batch_norm_modules():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    func.replace_all_batch_norm_modules_(net)
    net.eval()  # no running statistics: the batch's, even in evaluation
    x = minigrad.randn(5, 2)
    np.testing.assert_allclose(net(x).detach().numpy(),
                               F.batch_norm(net[0](x), None, None, net[1].weight, net[1].bias,
                                            training=True).detach().numpy(), rtol=1e-6)  # fmt: skip


# ---------------------------------------------------------------------------------------
# What minigrad refuses, and bad input.
# ---------------------------------------------------------------------------------------


def test_results_that_would_need_gradients_of_gradients_are_refused():
    w = minigrad.randn(2, 3, requires_grad=True)
    with pytest.raises(NotImplementedError, match="from outside that requires a gradient"):
        func.grad(lambda x: (x * w).sum())(minigrad.ones(2, 3))
    with pytest.raises(NotImplementedError, match="an argument it differentiates requires"):
        func.grad(lambda x: x.sum())(minigrad.ones(2, requires_grad=True))
    with pytest.raises(NotImplementedError, match="gradients of gradients"):
        func.grad(lambda x: func.grad(lambda y: (y**3).sum())(x).sum())(minigrad.ones(2))
    with pytest.raises(NotImplementedError, match="hessian needs gradients of gradients"):
        func.hessian(lambda x: x.sum())(minigrad.ones(2))
    with minigrad.no_grad():  # nothing outside is differentiated: allowed
        g = func.grad(lambda x: (x * w).sum())(minigrad.ones(2, 3))
    np.testing.assert_array_equal(g.numpy(), w.detach().numpy())


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: func.grad(lambda x: x * 2)(minigrad.ones(2)), RuntimeError, "scalar Tensor"),
        (lambda: func.grad(lambda x: 3.0)(minigrad.ones(2)), RuntimeError, "return a Tensor"),
        (lambda: func.grad(lambda x: x.sum())(3.0), ValueError, "must be Tensor"),
        (lambda: func.grad(lambda x: x.sum())(minigrad.tensor([1, 2])), RuntimeError,
         "floating point"),
        (lambda: func.grad(lambda x: x.sum(), argnums=2)(minigrad.ones(2)), RuntimeError,
         "only 1 positional inputs"),
        (lambda: func.grad(lambda x: x.sum(), argnums=())(minigrad.ones(2)), RuntimeError,
         "non-empty"),
        (lambda: func.grad(lambda x: x.sum(), argnums=1.0)(minigrad.ones(2)), RuntimeError,
         "int or Tuple"),
        (lambda: func.grad(lambda x: x.sum(), has_aux=True)(minigrad.ones(2)), RuntimeError,
         r"\(output, aux\)"),
        (lambda: func.vmap(lambda a, b: a + b)(minigrad.ones(5, 2), minigrad.ones(4, 2)),
         ValueError, r"sizes \[5, 4\]"),
        (lambda: func.vmap(lambda a: a)(), ValueError, "got no inputs"),
        (lambda: func.vmap(lambda a: a, in_dims=(0, 0))(minigrad.ones(3)), ValueError,
         "not compatible with the structure"),
        (lambda: func.vmap(lambda a: a, in_dims=[0])(minigrad.ones(3)), ValueError,
         "expected `in_dims` to be int"),
        (lambda: func.vmap(lambda a: a, in_dims=2)(minigrad.ones(3)), ValueError,
         "dimensionality 1"),
        (lambda: func.vmap(lambda a: a, in_dims=(None,))(minigrad.ones(3)), ValueError,
         "at least one Tensor"),
        (lambda: func.vmap(lambda a: a)(3.0), ValueError, "non-Tensor arguments"),
        (lambda: func.vmap(lambda a: 3.0)(minigrad.ones(3)), ValueError,
         "must only return Tensors"),
        (lambda: func.vmap(lambda a: a, out_dims=2)(minigrad.ones(3, 2)), IndexError,
         "Dimension out of range"),
        (lambda: func.vmap(lambda a: a, chunk_size=0), ValueError, "chunk_size"),
        (lambda: func.vjp(lambda x: x * 2, minigrad.ones(2))[1](minigrad.ones(3)),
         RuntimeError, "Mismatch in shape"),
        (lambda: func.jvp(lambda x: x, minigrad.ones(2), (minigrad.ones(2),)), RuntimeError,
         "primals to be a tuple"),
        (lambda: func.vjp(lambda x: (x, x), minigrad.ones(2))[1](minigrad.ones(2)), RuntimeError,
         "cotangents to have the pytree structure of the outputs"),
        (lambda: func.jvp(lambda x: x, (minigrad.ones(2),), ((minigrad.ones(2),),)), RuntimeError,
         "tangents to have the pytree structure of the primals"),
    ],
)  # fmt: skip
def test_bad_input_is_named(call, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=message):
            call()


# ---------------------------------------------------------------------------------------
# Found in review: PyTorch's behaviour where a loop would differ or silently go wrong.
# ---------------------------------------------------------------------------------------


def test_vmap_refuses_in_place_changes_to_an_unmapped_argument():
    total = minigrad.zeros(4)
    with pytest.raises(RuntimeError, match="changed an argument that is not mapped"):
        func.vmap(lambda x, acc: acc.add_(x), in_dims=(0, None))(minigrad.ones(3, 4), total)
    bn = nn.BatchNorm1d(4)  # training: it would update its running statistics per sample
    params = {k: v.detach() for k, v in bn.named_parameters()}
    buffers = dict(bn.named_buffers())
    with pytest.raises(RuntimeError, match="not mapped"):
        func.vmap(lambda p, b, x: func.functional_call(bn, (p, b), (x,)), in_dims=(None, None, 0))(
            params, buffers, minigrad.randn(3, 5, 4)
        )


def test_vmap_out_dims_as_lists_dicts_and_one_tuple():
    xs = minigrad.randn(3, 2)
    a, b = func.vmap(lambda x: [x, x], out_dims=[0, 1])(xs)
    assert tuple(a.shape) == (3, 2) and tuple(b.shape) == (2, 3)
    d = func.vmap(lambda x: {"a": x, "b": x}, out_dims={"a": 1, "b": 0})(xs)
    assert tuple(d["a"].shape) == (2, 3) and tuple(d["b"].shape) == (3, 2)
    assert tuple(func.vmap(lambda x: x, out_dims=(1,))(xs).shape) == (2, 3)
    with pytest.raises(ValueError, match="structure of the outputs"):
        func.vmap(lambda x: (x, x), out_dims=(0, 0, 0))(xs)


def test_jvp_products_have_the_outputs_dtype():
    x = minigrad.ones(3, dtype=minigrad.float64)
    _, product = func.jvp(lambda a: a.float() * 2, (x,), (x,))
    assert product.dtype == minigrad.float32


def test_jacfwd_refuses_random_draws_by_default():
    with pytest.raises(RuntimeError, match="randomness error mode"):
        func.jacfwd(lambda a: a * minigrad.rand(3))(minigrad.ones(3))
    assert func.jacfwd(lambda a: a * minigrad.rand(3), randomness="different")(
        minigrad.ones(3)
    ).shape == (3, 3)


def test_integer_outputs_are_not_differentiated():
    with pytest.raises(RuntimeError, match="floating-point"):
        func.jacrev(lambda a: (a > 0).long())(minigrad.ones(3))


def test_stack_module_state_refuses_mixed_requires_grad():
    models = [nn.Linear(2, 2), nn.Linear(2, 2)]
    models[1].weight.requires_grad_(False)
    with pytest.raises(RuntimeError, match=r"same \.requires_grad"):
        func.stack_module_state(models)


def test_functional_call_refuses_what_it_cannot_stand_in_for():
    class Double(nn.Module):
        def forward(self, w):
            return 2 * w

    layer = nn.Linear(2, 2, bias=False)
    nn.utils.parametrize.register_parametrization(layer, "weight", Double())
    before = layer.parametrizations.weight.original.detach().clone()
    with pytest.raises(NotImplementedError, match=r"parametrizations\.weight\.original"):
        func.functional_call(layer, {"weight": minigrad.ones(2, 2)}, (minigrad.eye(2),))
    np.testing.assert_array_equal(layer.parametrizations.weight.original.detach().numpy(),
                                  before.numpy())  # fmt: skip
    out = func.functional_call(layer, {"parametrizations.weight.original": minigrad.ones(2, 2)},
                               (minigrad.eye(2),))  # fmt: skip
    np.testing.assert_array_equal(out.detach().numpy(), 2 * np.ones((2, 2)))
    with pytest.raises(TypeError, match="is a submodule"):
        func.functional_call(nn.Sequential(nn.Linear(2, 2)), {"0": minigrad.ones(2, 2)},
                             (minigrad.eye(2),))  # fmt: skip
