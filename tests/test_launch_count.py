"""The launch counter of ``benchmarks/profile_step.py --kernels``: what the strict stand-in
GPU (``tests/strict_gpu.py``) counts as a kernel launch, exactly, for known programs; that
counting changes no result; that the fused kernels' NumPy bodies agree with the reference
code; and the PyTorch half (kernel-level ATen ops), which needs PyTorch."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import strict_gpu
from strict_gpu import LaunchCounter, cupy

import minigrad
from minigrad.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import profile_step

# ----------------------------------------------------------------------------------------
# The stand-in's rule, on its own arrays
# ----------------------------------------------------------------------------------------


def _launches(program) -> LaunchCounter:
    with LaunchCounter() as counter:
        program()
    return counter


def test_one_add_of_two_arrays_is_one_launch():
    a, b = cupy.ones(3), cupy.ones(3)
    counter = _launches(lambda: a + b)
    assert counter.launches == 1 and counter.calls == {("launch", "ndarray.__add__"): 1}
    assert counter.to_device == counter.to_host == counter.host_syncs == 0


@pytest.mark.parametrize(
    "program",
    [
        lambda a: a.reshape(2, 3),
        lambda a: a.T,
        lambda a: a[1:],
        lambda a: a[0, 1],  # a 0-d view in CuPy
        lambda a: cupy.broadcast_to(a, (4, 2, 3)),
        lambda a: cupy.asarray(a),
        lambda a: cupy.ascontiguousarray(a),
        lambda a: a.astype(a.dtype, copy=False),
        lambda a: cupy.empty((2, 3)),
        lambda a: cupy.empty_like(a),
        lambda a: a.shape,
        lambda a: a[:0] + 1.0,  # no elements: no kernel
    ],
)
def test_views_bare_allocations_and_metadata_launch_nothing(program):
    a = cupy.ones((2, 3))
    assert _launches(lambda: program(a)).calls == {}


@pytest.mark.parametrize(
    "program",
    [
        lambda a, i: cupy.zeros(3),  # a memset on a GPU: counted as a launch too
        lambda a, i: cupy.full((2, 2), 7.0),
        lambda a, i: cupy.arange(5),
        lambda a, i: cupy.ones_like(a),
        lambda a, i: a.sum(),
        lambda a, i: a.max(axis=1),
        lambda a, i: a @ a.T,
        lambda a, i: cupy.einsum("ij,ij->j", a, a),
        lambda a, i: a.astype(np.float32),
        lambda a, i: a.copy(),
        lambda a, i: a.T.reshape(6),  # not a view: a copy
        lambda a, i: cupy.ascontiguousarray(a.T),
        lambda a, i: cupy.stack([a, a]),
        lambda a, i: a[i],
        lambda a, i: a.__iadd__(1.0),
        lambda a, i: a.__setitem__(0, 2.0),
        lambda a, i: cupy.add(a, a, out=a),
        lambda a, i: a.fill(0.0),
        lambda a, i: cupy.copyto(a, a[::-1]),
        lambda a, i: cupy.add.at(a, i, 1.0),
    ],
)
def test_array_calls_that_write_memory_launch_one_kernel_each(program):
    a, i = cupy.ones((2, 3)), cupy.asarray(np.array([1, 0]))
    assert _launches(lambda: program(a, i)).launches == 1


def test_each_call_counts_on_its_own():
    a = cupy.ones((2, 3))
    counter = _launches(lambda: cupy.where(a > 0, a, 0.0).sum())
    assert counter.calls == {
        ("launch", "ndarray.__gt__"): 1, ("launch", "cupy.where"): 1, ("launch", "ndarray.sum"): 1
    }  # fmt: skip


def test_copies_from_and_to_the_host_and_syncs_are_counted_apart():
    host = np.arange(3.0)
    counter = _launches(lambda: cupy.asarray(host))
    assert (counter.launches, counter.to_device) == (0, 1)
    a = cupy.asarray(host)
    counter = _launches(lambda: float(a.sum()))
    assert (counter.launches, counter.host_syncs, counter.to_host) == (1, 1, 0)
    counter = _launches(lambda: cupy.asnumpy(a))
    assert (counter.launches, counter.host_syncs, counter.to_host) == (0, 1, 1)


def test_counters_nest_and_attribute_events():
    a = cupy.ones(2)
    with LaunchCounter(attribute=lambda: "outer") as outer:
        a + a
        with LaunchCounter(attribute=lambda: "inner") as inner:
            a * a
    assert outer.launches == 2 and inner.launches == 1
    assert outer.sites == {("launch", "outer"): 2} and inner.sites == {("launch", "inner"): 1}
    assert _launches(lambda: a + a).launches == 1  # nothing left registered


def test_kernels_run_their_numpy_body_and_count_one_launch(monkeypatch):
    monkeypatch.setitem(strict_gpu.kernel_bodies, "test_axpy", lambda a, x, y, z: a * x + y)
    axpy = cupy.ElementwiseKernel("T a, T x, T y", "T z", "z = a * x + y", "test_axpy")
    x, y = cupy.asarray(np.arange(3.0)), cupy.ones(3)
    with LaunchCounter() as counter:
        z = axpy(2.0, x, y)
        out = cupy.empty(3)
        same = axpy(2.0, x, y, out)
    assert z.tolist() == [1.0, 3.0, 5.0] and same is out and out.tolist() == z.tolist()
    assert counter.calls == {("launch", "ElementwiseKernel test_axpy"): 2}

    monkeypatch.setitem(strict_gpu.kernel_bodies, "test_sq", lambda x: x * x)
    squares = cupy.ReductionKernel("T x", "T y", "x * x", "a + b", "y = a", "0", "test_sq")
    counter = _launches(lambda: squares(x, axis=0))
    assert counter.launches == 1 and squares(x).tolist() == 5.0

    missing = cupy.ElementwiseKernel("T x", "T y", "y = x", "test_no_body")
    with pytest.raises(NotImplementedError, match="no NumPy body"):
        missing(x)


# ----------------------------------------------------------------------------------------
# minigrad's ops on the stand-in: known counts, charged to the op
# ----------------------------------------------------------------------------------------


def _sites(program) -> dict:
    with LaunchCounter(attribute=profile_step.launch_site) as counter:
        program()
    return {site: n for (kind, site), n in counter.sites.items() if kind == "launch"}


def _on_gpu(shape, rng, requires_grad=False):
    values = rng.standard_normal(shape).astype(np.float32)
    return minigrad.tensor(values, device="cuda", requires_grad=requires_grad)


def test_known_ops_count_what_their_code_launches():
    rng = np.random.default_rng(0)
    with strict_gpu.installed(fused=False):
        a, b = _on_gpu((4, 3), rng), _on_gpu((4, 3), rng)
        assert _sites(lambda: a + b) == {"Add.forward": 1}
        assert _sites(lambda: a.reshape(12)) == {}
        assert _sites(lambda: minigrad.relu(a)) == {"ReLU.forward": 1}
        w, bias = _on_gpu((5, 3), rng, True), _on_gpu((5,), rng, True)
        x = _on_gpu((4, 3), rng, True)
        assert _sites(lambda: F.linear(x, w, bias)) == {"Linear.forward": 2}  # x @ w.T, += b
        out = F.linear(x, w, bias)
        grad = minigrad.ones(4, 5, device="cuda")
        # grad @ w, grad.T @ x and grad.sum(0); the leaves keep these fresh arrays as their
        # .grad without a copy
        assert _sites(lambda: out.backward(grad)) == {"Linear.backward": 3}


def test_a_relu_backward_is_one_fused_kernel_on_the_gpu_path_and_two_calls_in_reference():
    rng = np.random.default_rng(0)
    for fused, expected in ((True, 1), (False, 2)):
        with strict_gpu.installed(fused=fused):
            y = minigrad.relu(_on_gpu((4, 3), rng, True))
            grad = minigrad.ones(4, 3, device="cuda")
            assert _sites(lambda y=y, g=grad: y.backward(g)) == {"ReLU.backward": expected}


def _tiny_mlp(nn):
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 10)
    )


def _tiny_cnn(nn):
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
        nn.MaxPool2d(2), nn.Conv2d(4, 4, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(),
        nn.Linear(4 * 7 * 7, 10),
    )  # fmt: skip


def test_the_counts_of_a_tiny_step_by_phase():
    parameters = 6  # two Linear layers and a BatchNorm1d: a weight and a bias each
    fused = profile_step.count_minigrad(_tiny_mlp, 4, fused=True, steps=2)
    reference = profile_step.count_minigrad(_tiny_mlp, 4, fused=False, steps=2)
    assert fused["steady"] and reference["steady"]
    for result in (fused, reference):
        phases = result["phases"]
        assert list(phases) == list(profile_step.PHASES)
        assert phases["zero_grad"].calls == {}  # set_to_none: gradients dropped, not zeroed
        for counter in phases.values():  # every launch is charged to a site
            assert sum(n for (k, _), n in counter.sites.items() if k == "launch") == (
                counter.launches
            )
            assert counter.to_device == 0
    # The GPU path's SGD is one fused kernel per parameter, and nothing waits for the GPU.
    assert fused["phases"]["step"].calls == {
        ("launch", "ElementwiseKernel minigrad_sgd_momentum"): parameters
    }
    assert sum(c.host_syncs for c in fused["phases"].values()) == 0
    assert reference["phases"]["step"].launches > parameters
    # Forward: the two Linear layers launch x @ w.T and += b each, as the ops' code says.
    sites = {s: n for (k, s), n in fused["phases"]["forward"].sites.items() if k == "launch"}
    assert sites["Linear.forward"] == 4 and sites["ReLU.forward"] == 1


def _train(build, batch: int, fused: bool, steps: int, counted: bool) -> list:
    """The parameters after ``steps`` steps on the stand-in, counted or not."""
    with strict_gpu.installed(fused=fused):
        minigrad.manual_seed(0)
        phases = profile_step.phased_step(minigrad, build, batch, device="cuda")
        for _ in range(steps):
            for phase in phases.values():
                if counted:
                    with LaunchCounter(attribute=profile_step.launch_site):
                        phase()
                else:
                    phase()
        model = phases["step"].__self__.param_groups[0]["params"]
        return [p.detach().cpu().numpy() for p in model]


@pytest.mark.parametrize("build", [_tiny_mlp, _tiny_cnn], ids=["mlp", "cnn"])
def test_counting_changes_no_result(build):
    plain = _train(build, 4, fused=True, steps=3, counted=False)
    counted = _train(build, 4, fused=True, steps=3, counted=True)
    for a, b in zip(plain, counted, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("build", [_tiny_mlp, _tiny_cnn], ids=["mlp", "cnn"])
def test_the_fused_kernels_numpy_bodies_agree_with_the_reference_code(build):
    fused = _train(build, 4, fused=True, steps=3, counted=False)
    reference = _train(build, 4, fused=False, steps=3, counted=False)
    for a, b in zip(fused, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_installed_puts_the_gpu_library_and_the_kernels_module_back():
    name = "minigrad.fast.cuda_kernels"
    before, module = minigrad.backend.cupy, sys.modules.get(name)
    with strict_gpu.installed(fused=True):
        assert minigrad.backend.cupy is cupy and minigrad.cuda.is_available()
        minigrad.relu(minigrad.ones(2, device="cuda", requires_grad=True)).sum().backward()
        assert sys.modules[name].cupy is cupy  # imported for the stand-in
    assert minigrad.backend.cupy is before and sys.modules.get(name) is module


# ----------------------------------------------------------------------------------------
# PyTorch's half: kernel-level ATen ops (needs PyTorch)
# ----------------------------------------------------------------------------------------


def _torch():
    return pytest.importorskip(
        "torch", reason="PyTorch is not installed: the PyTorch half of the launch counter"
    )


def _torch_ops(torch, program) -> list:
    from torch.profiler import ProfilerActivity, profile

    program()
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        program()
    return sorted(e.name for e in profile_step.torch_kernel_ops(torch, prof.events()))


def test_pytorch_kernel_level_ops_of_known_programs():
    torch = _torch()
    a, b = torch.randn(4, 3), torch.randn(4, 3)
    w, bias = torch.randn(5, 3), torch.randn(5)
    assert _torch_ops(torch, lambda: a + b) == ["aten::add"]
    assert _torch_ops(torch, lambda: a.reshape(12).t()) == []
    assert _torch_ops(torch, lambda: torch.relu(a)) == ["aten::clamp_min"]  # not relu too
    assert _torch_ops(torch, lambda: torch.zeros(3)) == ["aten::zero_"]
    assert _torch_ops(torch, lambda: a.mul_(1.0)) == ["aten::mul_"]  # the number: no copy
    # linear is addmm, which copies the bias into the output, then multiplies
    assert _torch_ops(torch, lambda: torch.nn.functional.linear(a, w, bias)) == [
        "aten::addmm", "aten::copy_"
    ]  # fmt: skip


def test_pytorch_counts_of_a_tiny_step_by_phase():
    torch = _torch()
    torch.manual_seed(0)
    counts = profile_step.count_torch_ops(torch, profile_step.phased_step(torch, _tiny_mlp, 4))
    assert list(counts) == list(profile_step.PHASES)
    assert sum(counts["zero_grad"].values()) == 0
    # SGD with momentum and weight decay on the CPU: add, mul_, add_, add_ per parameter
    assert counts["step"] == {"aten::add": 6, "aten::mul_": 6, "aten::add_": 12}
    assert counts["forward"]["aten::addmm"] == 2 and counts["backward"]["aten::mm"] >= 2


# ----------------------------------------------------------------------------------------
# The script itself
# ----------------------------------------------------------------------------------------


def test_the_launch_view_runs_and_writes_its_figures(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(profile_step.MODELS, "w1", _tiny_mlp)  # W1's code path, small
    out = tmp_path / "w1.json"
    profile_step.main(["w1", "8", "--kernels", "--steps", "1", "--json", str(out)])
    printed = capsys.readouterr().out
    figures = json.loads(out.read_text())
    for mode in ("gpu path", "reference"):
        phases = figures["minigrad"][mode]["phases"]
        assert list(phases) == list(profile_step.PHASES)
        total = sum(p["launches"] for p in phases.values())
        assert figures["minigrad"][mode]["steady"] and total > 0
    gpu_total = sum(p["launches"] for p in figures["minigrad"]["gpu path"]["phases"].values())
    assert any(line.split()[:2] == ["total", str(gpu_total)] for line in printed.splitlines())
    assert "minigrad launches by op and phase" in printed
    assert ("torch" in figures) == ("PyTorch: not installed" not in printed)
