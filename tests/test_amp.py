"""Mixed precision (``minigrad.amp``): autocast and GradScaler against PyTorch 2.13.

The golden file ``tests/golden/amp.npz`` (``make_golden_amp.py``) holds, for every case of
``golden/amp_cases.py`` run inside PyTorch's CPU autocast (float16), the result's dtype,
its values and the float32 gradients of its inputs; and two GradScaler runs in which some
steps overflow. Here the same cases run in minigrad.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from amp_cases import OVERFLOW_AT, autocast_cases, scaler_run

import minigrad
from minigrad import nn
from minigrad.amp import GradScaler

GOLDEN = np.load(Path(__file__).parent / "golden" / "amp.npz", allow_pickle=False)
DATA = {k.removeprefix("input."): GOLDEN[k] for k in GOLDEN.files if k.startswith("input.")}
NAMES = sorted(autocast_cases(minigrad, {}))


def test_golden_file_covers_every_case():
    stored = {k.split(".")[1] for k in GOLDEN.files if k.startswith("autocast.")}
    assert stored == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_autocast_matches_pytorch(name):
    t = {
        k: minigrad.tensor(v, requires_grad=v.dtype.kind == "f") for k, v in DATA.items()
    }  # fmt: skip
    with minigrad.autocast("cpu", dtype=minigrad.float16):
        out = autocast_cases(minigrad, t)[name]()
    assert str(out.dtype) == str(GOLDEN[f"autocast.{name}.dtype"])
    # Anything computed from a float16 value: within about two of float16's units in the
    # last place of PyTorch's (the reference Linear rounds its product, then adds the bias
    # in float16; PyTorch's fused addmm rounds once)
    tol = 1e-5 if name in ("mv", "softmax_float", "float64_matmul") else 2e-3
    want = GOLDEN[f"autocast.{name}.value"]
    np.testing.assert_allclose(out.detach().numpy().astype(np.float64), want, rtol=tol, atol=tol)
    grads = {k.split(".")[-1]: GOLDEN[k] for k in GOLDEN.files
             if k.startswith(f"autocast.{name}.grad.")}  # fmt: skip
    if not grads:
        return
    out.float().sum().backward()
    for key, value in grads.items():
        got = t[key].grad
        assert got is not None and got.dtype == t[key].dtype, key  # float32 stays float32
        np.testing.assert_allclose(got.numpy(), value, rtol=5e-3, atol=5e-3, err_msg=key)
    missing = {k for k, v in t.items() if v.grad is not None} - set(grads)
    assert not missing


def test_the_golden_cases_exercise_each_policy():
    dtypes = {name: str(GOLDEN[f"autocast.{name}.dtype"]) for name in NAMES}
    assert dtypes["linear"] == "float16" and dtypes["mse_loss"] == "float32"
    assert dtypes["mv"] == "float32"  # not in the CPU's list
    assert dtypes["float64_matmul"] == "float64"  # float64 is never cast


def test_autocast_off_outside_and_when_disabled():
    x, w = minigrad.randn(2, 3), minigrad.randn(4, 3)
    with minigrad.autocast("cpu", dtype=minigrad.float16):
        assert minigrad.is_autocast_enabled("cpu") and not minigrad.is_autocast_enabled()
        with minigrad.autocast("cpu", enabled=False):
            assert nn.functional.linear(x, w).dtype == minigrad.float32
            assert not minigrad.is_autocast_enabled("cpu")
        assert nn.functional.linear(x, w).dtype == minigrad.float16
    assert nn.functional.linear(x, w).dtype == minigrad.float32
    assert not minigrad.is_autocast_enabled("cpu")


def test_autocast_as_a_decorator_and_on_the_other_device():
    @minigrad.autocast("cpu", dtype=minigrad.float16)
    def forward(x):
        return x @ x.T

    x = minigrad.randn(2, 3)
    assert forward(x).dtype == minigrad.float16 and (x @ x.T).dtype == minigrad.float32
    with minigrad.autocast("cuda"):  # another device type: CPU tensors are left alone
        assert (x @ x.T).dtype == minigrad.float32


def test_autocast_state_is_restored_after_an_error():
    with pytest.raises(ZeroDivisionError), minigrad.autocast("cpu", dtype=minigrad.float16):
        _ = 1 / 0
    assert not minigrad.is_autocast_enabled("cpu")


def test_autocast_dtypes_the_cpu_cannot_run_warn_and_disable():
    with pytest.warns(UserWarning, match="default dtype is bfloat16, which minigrad does not"):
        region = minigrad.autocast("cpu")
    with region:
        assert not minigrad.is_autocast_enabled("cpu")
    with pytest.warns(UserWarning, match="target dtype is not supported. Disabling autocast"):
        region = minigrad.autocast("cpu", dtype=minigrad.float64)
    with region:
        assert (minigrad.ones(2, 2) @ minigrad.ones(2, 2)).dtype == minigrad.float32
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'mps'"):
        minigrad.autocast("mps")


def test_cuda_autocast_refuses_binary_cross_entropy(monkeypatch):
    """PyTorch refuses it on CUDA (float16 after a sigmoid loses too much); checked here
    on CPU tensors by turning the CUDA policy's table onto the CPU."""
    from minigrad import autocast_mode

    p = minigrad.rand(3)
    with minigrad.autocast("cpu", dtype=minigrad.float16):
        assert nn.functional.binary_cross_entropy(p, p).dtype == minigrad.float32  # CPU: fp32
    monkeypatch.setitem(autocast_mode._dtype, "cpu", minigrad.float16)
    monkeypatch.setattr(autocast_mode, "_any", True)
    wrapped = nn.functional.binary_cross_entropy
    with pytest.raises(RuntimeError, match="unsafe to autocast"):
        autocast_mode._call(wrapped.__wrapped__, {"cpu": "refuse"}, (p, p), {})


def test_a_half_model_trains_with_autocast_and_a_scaler():
    """An MLP with BatchNorm, under autocast, with a GradScaler: the float32 parameters
    learn, the BatchNorm's running statistics stay float32."""
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 2))
    opt = minigrad.optim.SGD(model.parameters(), lr=0.1)
    scaler = GradScaler("cpu")
    x = minigrad.randn(64, 4)
    y = (x[:, 0] > 0).long()
    losses = []
    for _ in range(30):
        opt.zero_grad()
        with minigrad.autocast("cpu", dtype=minigrad.float16):
            loss = nn.functional.cross_entropy(model(x), y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        losses.append(loss.item())
    assert loss.dtype == minigrad.float32 and losses[-1] < 0.5 * losses[0]
    assert all(p.dtype == minigrad.float32 for p in model.parameters())
    assert model[1].running_mean.dtype == minigrad.float32


# ----------------------------------------------------------------------------------------
# GradScaler
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("clip", [False, True])
def test_grad_scaler_matches_pytorch(clip):
    with np.errstate(over="ignore", invalid="ignore"):  # loss * 1e36: NumPy warns, see docs
        got = scaler_run(minigrad, DATA, clip=clip)
    want = {
        k.split(".")[-1]: GOLDEN[k]
        for k in GOLDEN.files
        if k.startswith(f"scaler.clip{int(clip)}.")
    }
    np.testing.assert_array_equal(got["scales"], want["scales"])
    np.testing.assert_array_equal(got["taken"], want["taken"])
    np.testing.assert_allclose(got["weights"], want["weights"], rtol=1e-5, atol=1e-6)
    assert list(got["state_keys"]) == list(want["state_keys"])
    assert int(got["growth_tracker"]) == int(want["growth_tracker"])
    assert not want["taken"][list(OVERFLOW_AT)].any()  # the overflowing steps were skipped


def _one_step_setup():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    opt = minigrad.optim.SGD([w], lr=0.5)
    return w, opt


def test_disabled_scaler_passes_everything_through():
    w, opt = _one_step_setup()
    scaler = GradScaler("cpu", enabled=False)
    loss = (w * w).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.unscale_(opt)
    assert scaler.step(opt) is None and w.tolist() == [0.0, 0.0]
    scaler.update()
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {} and not scaler.is_enabled()


def test_a_cuda_scaler_without_a_gpu_disables_itself():
    if minigrad.cuda.is_available():
        pytest.skip("a GPU is visible: the scaler stays enabled")
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling."):
        scaler = GradScaler()
    assert not scaler.is_enabled()


def test_scale_takes_nested_sequences():
    scaler = GradScaler("cpu", init_scale=4.0)
    a, b = minigrad.tensor(1.0), minigrad.tensor(2.0)
    scaled = scaler.scale([a, (b, a)])
    assert isinstance(scaled, list) and isinstance(scaled[1], tuple)
    assert [scaled[0].item(), scaled[1][0].item()] == [4.0, 8.0]
    assert [t.item() for t in scaler.scale(iter([a]))] == [4.0]
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        scaler.scale(3.0)


def test_scaler_order_errors():
    w, opt = _one_step_setup()
    scaler = GradScaler("cpu")
    with pytest.raises(RuntimeError, match="Attempted step before any scale"):
        scaler.step(opt)
    scaler.scale((w * w).sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)
    scaler.update()
    other = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(RuntimeError, match="No inf checks were recorded for this optimizer"):
        scaler.step(other)
    fresh = GradScaler("cpu")
    fresh.scale(w.sum())
    with pytest.raises(RuntimeError, match="No inf checks were recorded prior to update"):
        fresh.update()


def test_scaler_refuses_float16_gradients_and_bad_factors():
    h = minigrad.zeros(2, dtype=minigrad.float16, requires_grad=True)
    opt = minigrad.optim.SGD([h], lr=0.1)
    scaler = GradScaler("cpu", init_scale=4.0)
    scaled = scaler.scale(h.sum())
    assert scaled.dtype == minigrad.float32  # a 0-d float16 loss times the float32 scale
    scaled.backward()
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients"):
        scaler.unscale_(opt)
    with pytest.raises(ValueError, match=r"growth factor must be > 1\.0"):
        GradScaler("cpu", growth_factor=1.0)
    with pytest.raises(ValueError, match=r"backoff factor must be < 1\.0"):
        GradScaler("cpu", backoff_factor=1.0)


def test_update_with_a_new_scale_and_the_state_dict_round_trip():
    w, opt = _one_step_setup()
    scaler = GradScaler("cpu", init_scale=8.0, growth_interval=3)
    scaler.scale((w * w).sum()).backward()
    scaler.step(opt)
    scaler.update(minigrad.tensor(100.0))
    assert scaler.get_scale() == 100.0
    scaler.update(3.3)  # stored as float32, as PyTorch's
    assert scaler.get_scale() == float(np.float32(3.3))
    with pytest.raises(ValueError, match="1-element tensor with requires_grad=False"):
        scaler.update(minigrad.ones(2))
    state = scaler.state_dict()
    resumed = GradScaler("cpu")
    resumed.load_state_dict(state)
    assert resumed.state_dict() == state
    with pytest.raises(RuntimeError, match="source state dict is empty"):
        resumed.load_state_dict({})
    for name, value in (("growth_factor", 3.0), ("backoff_factor", 0.25), ("growth_interval", 7)):
        getattr(resumed, f"set_{name}")(value)
        assert getattr(resumed, f"get_{name}")() == value


def test_the_scale_stops_growing_before_it_overflows():
    w, opt = _one_step_setup()
    scaler = GradScaler("cpu", init_scale=2.0**127, growth_interval=1)
    scaler.scale(w.sum() * 0).backward()
    scaler.step(opt)
    scaler.update()  # 2**128 is inf in float32: PyTorch's kernel keeps the old scale
    assert scaler.get_scale() == 2.0**127


def test_deprecated_cuda_spellings_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no GPU: the scaler disables itself
        with pytest.warns(
            FutureWarning, match=r"torch.cuda.amp.GradScaler\(args...\)` is deprecated"
        ):
            minigrad.cuda.amp.GradScaler()
    with pytest.warns(FutureWarning, match=r"torch.cuda.amp.autocast\(args...\)` is deprecated"):
        region = minigrad.cuda.amp.autocast()
    assert region.device == "cuda" and region.fast_dtype == minigrad.float16
    from minigrad.cuda.amp import GradScaler as Deprecated  # importable by that name

    assert issubclass(Deprecated, GradScaler)


def test_autocast_and_a_scaler_on_the_device_under_test(device):
    """On the CPU, or with --device cuda/strict on the GPU's lists: products in float16,
    softmax and the loss as the device's list says, parameters and their gradients float32."""
    kind = minigrad.device(device).type
    minigrad.manual_seed(0)
    layer = nn.Linear(3, 2).to(device)
    opt = minigrad.optim.SGD(layer.parameters(), lr=0.1)
    scaler = GradScaler(kind, init_scale=256.0)
    x, y = minigrad.randn(4, 3, device=device), minigrad.tensor([0, 1, 1, 0], device=device)
    with minigrad.autocast(kind, dtype=minigrad.float16):
        logits = layer(x)
        probs = nn.functional.softmax(logits, dim=1)
        loss = nn.functional.cross_entropy(logits, y)
    assert logits.dtype == minigrad.float16 and loss.dtype == minigrad.float32
    assert probs.dtype == (minigrad.float32 if kind == "cuda" else minigrad.float16)
    before = layer.weight.detach().clone()
    scaler.scale(loss).backward()
    assert layer.weight.grad.dtype == minigrad.float32
    scaler.step(opt)
    scaler.update()
    assert not bool((layer.weight.detach() == before).all()) and scaler.get_scale() == 256.0


def test_the_reviewed_ops_take_pytorchs_dtypes():
    """Ops whose dtype under CPU autocast once differed from PyTorch's: attention's
    projections are linear layers (float16), dot is not a lowered product, the CPU's
    LSTM and GRU are single ops outside the lists (float32), 3-d pooling, reflection
    padding and linalg run in float32."""
    minigrad.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2)
    q = minigrad.randn(3, 1, 4)
    x = minigrad.randn(4, 4)
    with minigrad.autocast("cpu", dtype=minigrad.float16):
        assert mha(q, q, q)[0].dtype == minigrad.float16
        assert minigrad.dot(x[0], x[1]).dtype == minigrad.float32
        assert nn.GRU(4, 3)(q)[0].dtype == minigrad.float32
        assert nn.LSTM(4, 3)(q)[0].dtype == minigrad.float32
        assert nn.RNN(4, 3)(q)[0].dtype == minigrad.float16  # linear layers, as PyTorch's
        h = x @ x.T  # float16
        assert minigrad.linalg.inv(h + 4 * minigrad.eye(4)).dtype == minigrad.float32
        assert minigrad.pad(h[None], (1, 1), mode="reflect").dtype == minigrad.float32
        assert minigrad.pad(h[None], (1, 1)).dtype == minigrad.float16  # constant: as is
        v = nn.functional.avg_pool3d(minigrad.randn(1, 1, 2, 2, 2).half(), 2)
        assert v.dtype == minigrad.float32
