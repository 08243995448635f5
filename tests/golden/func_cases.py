"""The cases of ``func.npz``, for PyTorch (``make_golden_func.py``) and minigrad
(``tests/test_func.py``): the function transforms of ``torch.func`` and ``minigrad.func``.

Each case is a function ``case(lib, data)`` where ``lib`` holds one library's ``torch``,
``func``, ``nn`` and ``F`` and a ``tensor(array)`` that makes its tensors (on the device
under test), and ``data`` gives the case's inputs as NumPy arrays (drawn from ``SEED``).
It returns a dict of name -> tensor, compared with PyTorch's.
"""

from __future__ import annotations

import numpy as np

SEED = 20261208


def draw(rng: np.random.Generator, *shape) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def load_weights(lib, model, rng: np.random.Generator) -> None:
    """Give ``model`` weights drawn from ``rng``, in its state_dict order (the same values
    in both libraries); running variances start at 1."""
    state = {}
    for name, value in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            state[name] = value
        elif name.endswith("running_var"):
            state[name] = lib.tensor(np.ones(tuple(value.shape), np.float32))
        else:
            state[name] = lib.tensor(draw(rng, *value.shape) * 0.5)
    model.load_state_dict(state)


def mlp(lib, rng):
    nn = lib.nn
    model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3))
    load_weights(lib, model, rng)
    return lib.to_device(model)


def cnn(lib, rng):
    nn = lib.nn
    model = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3 * 4 * 4, 4),
    )  # fmt: skip
    load_weights(lib, model, rng)
    return lib.to_device(model)


def grad_two_arguments(lib, rng):
    x, y = lib.tensor(draw(rng, 4)), lib.tensor(draw(rng, 2, 1))
    f = lambda a, b: (a**3 * b).sum() + (a.sin() * b.exp()).mean()  # noqa: E731
    gx, gy = lib.func.grad(f, argnums=(0, 1))(x, y)
    gy_only = lib.func.grad(f, argnums=-1)(x, y)
    return {"gx": gx, "gy": gy, "gy_only": gy_only}


def grad_of_a_dict_with_aux(lib, rng):
    params = {"w": lib.tensor(draw(rng, 3, 2)), "b": lib.tensor(draw(rng, 2))}
    x, y = lib.tensor(draw(rng, 5, 3)), lib.tensor(draw(rng, 5, 2))

    def loss(p, inputs, targets):
        pred = inputs @ p["w"] + p["b"]
        return lib.F.mse_loss(pred, targets), pred

    grads, (value, pred) = lib.func.grad_and_value(loss, has_aux=True)(params, x, y)
    return {"w": grads["w"], "b": grads["b"], "value": value, "pred": pred}


def per_sample_gradients_mlp(lib, rng):
    model = mlp(lib, rng)
    params = {k: v.detach() for k, v in model.named_parameters()}
    x, y = lib.tensor(draw(rng, 7, 6)), lib.tensor(rng.integers(0, 3, 7))

    def loss(p, sample, target):
        out = lib.func.functional_call(model, p, (sample.unsqueeze(0),))
        return lib.F.cross_entropy(out, target.unsqueeze(0))

    grads = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(params, x, y)
    return {f"grad.{k}": v for k, v in grads.items()}


def per_sample_gradients_cnn(lib, rng):
    model = cnn(lib, rng)
    model.eval()  # per sample, BatchNorm uses its running statistics
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    x, y = lib.tensor(draw(rng, 5, 1, 8, 8)), lib.tensor(rng.integers(0, 4, 5))

    def loss(p, b, sample, target):
        out = lib.func.functional_call(model, (p, b), (sample.unsqueeze(0),))
        return lib.F.cross_entropy(out, target.unsqueeze(0))

    grads = lib.func.vmap(lib.func.grad(loss), in_dims=(None, None, 0, 0))(params, buffers, x, y)
    return {f"grad.{k}": v for k, v in grads.items()}


def jacobians(lib, rng):
    x, y = lib.tensor(draw(rng, 3)), lib.tensor(draw(rng, 2))

    def f(a, b):
        return {"prod": a[:2] * b, "pair": (a.tanh(), (a.sum() * b).exp())}

    rev = lib.func.jacrev(f, argnums=(0, 1))(x, y)
    fwd = lib.func.jacfwd(lambda a: lib.torch.softmax(a, dim=0))(x)
    out = {"fwd": fwd}
    for key, per_input in (("prod", rev["prod"]), ("tanh", rev["pair"][0]),
                           ("exp", rev["pair"][1])):  # fmt: skip
        out[f"{key}.dx"], out[f"{key}.dy"] = per_input
    return out


def vector_products(lib, rng):
    x, y = lib.tensor(draw(rng, 4)), lib.tensor(draw(rng, 4))
    f = lambda a, b: (a * b.exp(), (a**2).sum())  # noqa: E731
    value, vjp_fn = lib.func.vjp(f, x, y)
    gx, gy = vjp_fn((lib.tensor(draw(rng, 4)), lib.tensor(np.float32(2.0))))
    gx2, _ = vjp_fn((lib.tensor(np.ones(4, np.float32)), lib.tensor(np.float32(0.0))))
    tangent = lib.tensor(draw(rng, 4))
    out_jvp, jvp_value = lib.func.jvp(lambda a: a.sin() * a, (x,), (tangent,))
    _, jvp_fn = lib.func.linearize(lambda a: a.cumsum(0) ** 2, x)
    return {
        "value0": value[0], "value1": value[1], "gx": gx, "gy": gy, "gx2": gx2,
        "jvp_out": out_jvp, "jvp": jvp_value, "linearized": jvp_fn(tangent),
    }  # fmt: skip


def vmap_dims(lib, rng):
    vmap = lib.func.vmap
    a, b = lib.tensor(draw(rng, 3, 5, 2)), lib.tensor(draw(rng, 2))
    mv = vmap(lambda m, v: m @ v, in_dims=(1, None))(a, b)
    pair = vmap(lambda m: (m.sum(0), m.t()), in_dims=0, out_dims=(1, -1))(a)
    nested = vmap(vmap(lambda m, v: (m * v).sum(), in_dims=(0, None)), in_dims=(0, None))(a, b)
    tree = vmap(lambda d: d["x"] * d["s"], in_dims=({"x": 2, "s": None},))({"x": a, "s": b[0]})
    return {"mv": mv, "sum": pair[0], "t": pair[1], "nested": nested, "tree": tree}


def ensemble(lib, rng):
    models = [mlp(lib, rng) for _ in range(3)]
    params, buffers = lib.func.stack_module_state(models)
    x = lib.tensor(draw(rng, 4, 6))
    xs = lib.tensor(draw(rng, 3, 4, 6))

    def run(p, b, inputs):
        return lib.func.functional_call(models[0], (p, b), (inputs,))

    same = lib.func.vmap(run, in_dims=(0, 0, None))(params, buffers, x)
    each = lib.func.vmap(run, in_dims=(0, 0, 0))(params, buffers, xs)
    (same.pow(2).sum() + each.sum()).backward()
    out = {"same": same, "each": each}
    out.update({f"grad.{k}": v.grad for k, v in params.items()})
    return out


def functional_call_buffers(lib, rng):
    bn = lib.to_device(lib.nn.BatchNorm1d(3))
    load_weights(lib, bn, rng)
    x = lib.tensor(draw(rng, 6, 3))
    stats = {"running_mean": lib.tensor(np.zeros(3, np.float32)),
             "running_var": lib.tensor(np.ones(3, np.float32))}  # fmt: skip
    weight = lib.tensor(draw(rng, 3))
    out = lib.func.functional_call(bn, ({"weight": weight}, stats), x)
    return {"out": out, "mean": stats["running_mean"], "var": stats["running_var"],
            "own_mean": bn.running_mean}  # fmt: skip


CASES = {
    "grad_two_arguments": grad_two_arguments,
    "grad_of_a_dict_with_aux": grad_of_a_dict_with_aux,
    "per_sample_gradients_mlp": per_sample_gradients_mlp,
    "per_sample_gradients_cnn": per_sample_gradients_cnn,
    "jacobians": jacobians,
    "vector_products": vector_products,
    "vmap_dims": vmap_dims,
    "ensemble": ensemble,
    "functional_call_buffers": functional_call_buffers,
}
