"""Batch Normalization study: reproduce, measure and plot what BN does, on MNIST.

Four parts, each a subcommand (``all``, the default, runs them in this order):

``paper``
    Ioffe and Szegedy (2015), section 4.1 and Figure 1: a 784-100-100-100-10 network of
    sigmoid units, small Gaussian initial weights, batches of 60, 50,000 steps, with and
    without BatchNorm before each sigmoid. Records test accuracy over training and the
    15th/50th/85th percentiles of the input to one fixed sigmoid unit of the last hidden
    layer (read by a forward hook on that ``nn.Sigmoid``; the model is not changed).
    The paper gives no optimizer; both networks use plain SGD with lr 0.1, N(0, 0.05^2)
    weights, zero biases and pixels in [0, 1] (see docs/batchnorm/results.md for why).
``depth``
    MLPs with 1 to 7 hidden layers of 500 units, ReLU or sigmoid, with and without BN,
    batches of 500, SGD lr 0.1 momentum 0.9, PyTorch's default initialisation,
    standardised pixels: the training steps until test accuracy first reaches 90%
    (checked every 10 steps; 3,000 at most), and the wall time per step.
``inference``
    Training versus inference statistics (the paper's Algorithm 2): how the running
    estimates (``momentum=0.1`` and the cumulative ``momentum=None``) approach the
    population mean and unbiased variance of each BN input over the training set, and test
    accuracy when BN normalises with each test batch's own statistics instead, for several
    batch sizes. Uses the BN network of ``paper`` (trained again if run alone).
``fold``
    Folds every eval-mode BatchNorm into the Linear or Conv2d before it
    (``minigrad.nn.utils.fold_batchnorm``), checks that the outputs are the same, and
    measures the inference speed-up on three networks.

    python examples/batchnorm_study.py                 # everything, full profile (~20 min)
    python examples/batchnorm_study.py --quick         # everything, small (~1 min; CI)
    python examples/batchnorm_study.py depth           # one part
    python examples/batchnorm_study.py --out results   # also write CSV/JSON and PNG plots

The full profile writes its results and plots to ``docs/batchnorm/`` unless ``--out``
says otherwise; the quick profile writes files only when ``--out`` is given. Plots need
matplotlib (``pip install 'minigrad[examples]'``); without it the CSV/JSON files are
still written. The last line printed is machine-readable:
``final paper_bn_accuracy=... paper_plain_accuracy=... seconds=... profile=... device=...``.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import math
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

import minigrad
from minigrad import nn
from minigrad.data import MNIST, DataLoader, TensorDataset
from minigrad.nn.utils import fold_batchnorm
from minigrad.optim import SGD

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("paper", "depth", "inference", "fold")


@dataclass(frozen=True)
class Profile:
    """How much of each experiment to run."""

    name: str
    # paper: steps, evaluation every N steps (plus every 100 steps up to 1,000)
    paper_steps: int
    paper_eval_every: int
    # depth sweep
    depths: tuple[int, ...]
    width: int
    depth_budget: int
    # inference statistics: batches fed to fresh running estimates; eval batch sizes
    inference_batches: int
    batch_sizes: tuple[int, ...]
    # folding: timing repeats per model
    fold_repeats: int


PROFILES = {
    "full": Profile(
        name="full",
        paper_steps=50_000,
        paper_eval_every=500,
        depths=(1, 2, 3, 4, 5, 6, 7),
        width=500,
        depth_budget=3_000,
        inference_batches=1_000,
        batch_sizes=(2, 4, 8, 16, 32, 60, 250, 1000, 10_000),
        fold_repeats=7,
    ),
    "quick": Profile(
        name="quick",
        paper_steps=1_000,
        paper_eval_every=250,
        depths=(1, 2, 3),
        width=100,
        depth_budget=200,
        inference_batches=100,
        batch_sizes=(2, 8, 60, 1000),
        fold_repeats=3,
    ),
}

# The paper's Figure 1(a), read from the plot: test accuracy at these steps.
PAPER_STEPS = (5_000, 10_000, 20_000, 30_000, 40_000, 49_000)
PAPER_ACCURACY = {
    "plain": (0.784, 0.926, 0.963, 0.968, 0.972, 0.972),
    "bn": (0.956, 0.966, 0.974, 0.978, 0.980, 0.982),
}
# PyTorch 2.13 on the 2-core CPU, same settings as the depth sweep (shared/ANCHORS.md):
# steps until test accuracy first reached 90%, depths 1-7 (None: not within 3,000 steps).
REFERENCE_DEPTH = {
    ("relu", False): (40, 50, 60, 80, 160, 260, None),
    ("relu", True): (30, 20, 20, 20, 20, 20, 20),
    ("sigmoid", False): (150, 290, 490, 1800, None, None, None),
    ("sigmoid", True): (300, 190, 150, 130, 150, 160, 160),
}

DEPTH_TARGET = 0.90  # the depth sweep's accuracy threshold
DEPTH_EVAL_EVERY = 10  # steps between its accuracy checks
SCREEN_SIZE = 1_000  # test images in the cheap check made at every one of them
SCREEN_MARGIN = 0.05  # the full test set is evaluated when the check is within this of 90%
WARMUP_STEPS, TIMED_STEPS = 3, 30  # time per step: the median of at least 30 steps after 3


# ----------------------------------------------------------------------------------------
# Data, models, evaluation
# ----------------------------------------------------------------------------------------


@dataclass
class Data:
    train: TensorDataset
    test_images: minigrad.Tensor
    test_labels: minigrad.Tensor

    @property
    def device(self):
        return self.test_images.device


def load_data(device: str, normalize: bool = True) -> Data:
    """MNIST from the verified copy that ships with minigrad, on ``device``."""
    train, test = MNIST(train=True, normalize=normalize), MNIST(train=False, normalize=normalize)
    return Data(
        TensorDataset(train.images.to(device), train.labels.to(device)),
        test.images.to(device),
        test.labels.to(device),
    )


def mlp(depth: int, width: int, activation: str, batch_norm: bool, bias: bool = True):
    """``depth`` hidden layers, each Linear (-> BatchNorm1d) -> activation, then 10 outputs."""
    act = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}[activation]
    layers: list[nn.Module] = [nn.Flatten()]
    features = 28 * 28
    for _ in range(depth):
        layers.append(nn.Linear(features, width, bias=bias))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(act())
        features = width
    layers.append(nn.Linear(features, 10))
    return nn.Sequential(*layers)


def paper_net(batch_norm: bool, init_std: float, seed: int) -> nn.Sequential:
    """784-100-100-100-10 with sigmoid hidden units and N(0, init_std^2) weights.

    With BN the hidden Linear layers have no bias (BN subtracts the mean, which cancels
    it, and its beta takes its place, as section 3.2 of the paper says); without BN the
    biases start at zero. The weights are drawn after the layers are made, from the same
    seed, so both networks start from the same weights.
    """
    model = mlp(3, 100, "sigmoid", batch_norm, bias=not batch_norm)
    minigrad.manual_seed(seed)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, 0.0, init_std)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return model


@minigrad.no_grad()
def evaluate(model: nn.Module, images, labels, batch_size: int = 10_000) -> float:
    """Test accuracy in evaluation mode (BatchNorm uses its running estimates)."""
    model.eval()
    correct = 0
    for start in range(0, images.shape[0], batch_size):
        logits = model(images[start : start + batch_size])
        correct += (logits.argmax(dim=1) == labels[start : start + batch_size]).sum().item()
    return correct / images.shape[0]


def batches(data: Data, batch_size: int, seed: int, device: str):
    """Random batches for ever: a new seeded shuffle of the training set every epoch."""
    loader = DataLoader(
        data.train, batch_size=batch_size, shuffle=True, drop_last=True, seed=seed, device=device
    )
    while True:
        yield from loader


def sync(device: str) -> None:
    if device != "cpu":
        minigrad.cuda.synchronize()


# ----------------------------------------------------------------------------------------
# Part 1: the paper's MNIST experiment
# ----------------------------------------------------------------------------------------


def paper_eval_steps(total: int, every: int) -> list[int]:
    """Every 100 steps up to 1,000 (where the networks change fastest), then every
    ``every`` steps, and the last step."""
    steps = set(range(100, min(1_000, total), 100)) | set(range(every, total + 1, every))
    return sorted(steps | {total})


class SigmoidInputs:
    """A forward hook on an ``nn.Sigmoid`` that keeps its inputs during evaluation-mode
    forwards (training forwards are ignored): the distribution a sigmoid sees."""

    def __init__(self, module: nn.Module) -> None:
        self.chunks: list[np.ndarray] = []
        self.handle = module.register_forward_hook(self)

    def __call__(self, module, inputs, output) -> None:
        if not module.training:
            self.chunks.append(inputs[0].numpy())

    def take(self) -> np.ndarray:
        values = np.concatenate(self.chunks)
        self.chunks = []
        return values


def train_paper_net(batch_norm: bool, data: Data, profile: Profile, args, log=print) -> dict:
    """Train one of the two paper networks; return its history and the trained model."""
    model = paper_net(batch_norm, args.init_std, args.seed).to(args.device)
    optimizer = SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    loss_fn = nn.CrossEntropyLoss()
    last_sigmoid = [m for m in model if isinstance(m, nn.Sigmoid)][-1]
    inputs = SigmoidInputs(last_sigmoid)
    eval_steps = paper_eval_steps(profile.paper_steps, profile.paper_eval_every)
    history, unit_medians = [], []
    name = "with BN" if batch_norm else "without BN"
    train_seconds = 0.0
    step = 0
    stream = batches(data, 60, args.seed, args.device)
    for evaluate_at in eval_steps:
        model.train()
        sync(args.device)
        start = time.perf_counter()
        while step < evaluate_at:
            images, labels = next(stream)
            loss = loss_fn(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
        sync(args.device)
        train_seconds += time.perf_counter() - start
        accuracy = evaluate(model, data.test_images, data.test_labels)
        x = inputs.take()  # (10000, 100): the inputs of all 100 last-layer sigmoids
        unit = np.percentile(x[:, args.unit], [15, 50, 85])
        unit_medians.append(np.median(x, axis=0))
        history.append(
            {
                "step": step,
                "accuracy": accuracy,
                "p15": float(unit[0]),
                "p50": float(unit[1]),
                "p85": float(unit[2]),
                "loss": float(loss.item()),
            }
        )
        if step % max(profile.paper_eval_every * 10, 1) == 0 or step == eval_steps[-1]:
            log(
                f"  paper {name:10s} step {step:6d}  test accuracy {accuracy:.4f}  "
                f"sigmoid input p15/p50/p85 {unit[0]:+.2f}/{unit[1]:+.2f}/{unit[2]:+.2f}"
            )
    inputs.handle.remove()
    return {
        "model": model,
        "history": history,
        "unit_medians": np.array(unit_medians),  # (evaluations, 100 units)
        "seconds_per_step": train_seconds / max(step, 1),
        "train_seconds": train_seconds,
    }


def accuracy_at(history: list[dict], step: int) -> float:
    """The accuracy at the evaluation nearest to ``step``."""
    return min(history, key=lambda h: abs(h["step"] - step))["accuracy"]


def median_spread(medians: np.ndarray) -> dict:
    """How far the medians of all 100 last-layer sigmoid inputs stray from 0 over training:
    per unit, the largest |median| over the evaluations."""
    worst = np.abs(medians).max(axis=0)
    return {
        "units_within_0.2_throughout": int((worst <= 0.2).sum()),
        "units_within_0.5_throughout": int((worst <= 0.5).sum()),
        "median_over_units_of_max_abs_median": float(np.median(worst)),
        "max_abs_median_any_unit": float(worst.max()),
    }


def run_paper(data: Data, profile: Profile, args) -> dict:
    runs = {key: train_paper_net(key == "bn", data, profile, args) for key in ("plain", "bn")}
    plain, bn = runs["plain"]["history"], runs["bn"]["history"]
    bn_above = all(b["accuracy"] > p["accuracy"] for b, p in zip(bn, plain))
    table = []
    for i, step in enumerate(PAPER_STEPS):
        if step > profile.paper_steps:
            continue
        table.append(
            {
                "step": step,
                "paper_plain": PAPER_ACCURACY["plain"][i],
                "ours_plain": accuracy_at(plain, step),
                "paper_bn": PAPER_ACCURACY["bn"][i],
                "ours_bn": accuracy_at(bn, step),
            }
        )
    summary = {
        "optimizer": f"SGD(lr={args.lr}, momentum={args.momentum})",
        "init": f"weights N(0, {args.init_std}^2), biases 0",
        "inputs": "pixels in [0, 1]"
        if args.inputs == "unit"
        else "pixels standardised with MNIST's mean and std",
        "steps": profile.paper_steps,
        "unit": args.unit,
        "bn_above_plain_at_every_evaluation": bn_above,
        "final_accuracy": {"plain": plain[-1]["accuracy"], "bn": bn[-1]["accuracy"]},
        "bn_accuracy_at_5k": accuracy_at(bn, 5_000) if profile.paper_steps >= 5_000 else None,
        "bn_max_abs_median": max(abs(h["p50"]) for h in bn),
        "all_units": {key: median_spread(runs[key]["unit_medians"]) for key in runs},
        "ms_per_step": {k: 1e3 * runs[k]["seconds_per_step"] for k in runs},
        "versus_paper": table,
    }
    return {"runs": runs, "summary": summary}


# ----------------------------------------------------------------------------------------
# Part 2: the depth sweep
# ----------------------------------------------------------------------------------------


def depth_run(depth: int, activation: str, batch_norm: bool, data: Data, screen, profile, args):
    """Train until test accuracy first reaches 90% (checked every 10 steps) or the budget
    is spent; return the number of steps (None if not reached) and the time per step.

    Each check first evaluates a fixed random 1,000 of the 10,000 test images, and only
    when that is above 85% the whole test set, which decides. A check of 1,000 images
    has a standard error of 1 point near 90%, so a network at 90% on the whole set
    scores below 85% on the subset about as often as a 5-sigma event: never, in
    practice. The sigmoid networks that never learn (10% for 3,000 steps) then cost 1/10
    of a full evaluation per check.
    """
    minigrad.manual_seed(args.seed)
    model = mlp(depth, profile.width, activation, batch_norm).to(args.device)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    stream = batches(data, 500, args.seed, args.device)
    step_times, reached, diverged, full_checks = [], None, False, 0

    def train_step():
        images, labels = next(stream)
        model.train()
        sync(args.device)
        start = time.perf_counter()
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        sync(args.device)
        step_times.append(time.perf_counter() - start)
        return loss

    best = 0.0
    step = 0
    while step < profile.depth_budget:
        loss = train_step()
        step += 1
        if step % DEPTH_EVAL_EVERY:
            continue
        if not math.isfinite(loss.item()):  # NaN weights never recover: stop here
            diverged = True
            break
        check = evaluate(model, *screen)
        if check >= DEPTH_TARGET - SCREEN_MARGIN:
            full_checks += 1
            accuracy = evaluate(model, data.test_images, data.test_labels)
            best = max(best, accuracy)
            if accuracy >= DEPTH_TARGET:
                reached = step
                break
        else:
            best = max(best, check)  # an estimate: only the screen was evaluated
    # A run that stops after 10-30 steps has few timings, and its first steps are slow
    # (memory is being allocated): time some more, now that the result is recorded.
    while len(step_times) < WARMUP_STEPS + TIMED_STEPS and not diverged:
        train_step()
    return {
        "activation": activation,
        "bn": batch_norm,
        "depth": depth,
        "steps_to_90": reached,
        "steps_run": step,
        "diverged": diverged,
        "best_accuracy": best,
        "full_test_evaluations": full_checks,
        "ms_per_step": 1e3 * statistics.median(step_times[WARMUP_STEPS:] or step_times),
    }


def run_depth(data: Data, profile: Profile, args, log=print) -> dict:
    order = np.random.default_rng(args.seed).permutation(data.test_images.shape[0])
    index = minigrad.tensor(order[:SCREEN_SIZE], device=args.device)
    screen = (data.test_images[index], data.test_labels[index])
    rows = []
    for activation in ("relu", "sigmoid"):
        for batch_norm in (False, True):
            for depth in profile.depths:
                row = depth_run(depth, activation, batch_norm, data, screen, profile, args)
                rows.append(row)
                steps = row["steps_to_90"]
                outcome = f"{steps:5d} steps" if steps else "not reached" + (
                    " (diverged)" if row["diverged"] else "")  # fmt: skip
                log(
                    f"  depth {activation:7s} {'+BN' if batch_norm else '   '} {depth}: "
                    f"{outcome}  {row['ms_per_step']:.1f} ms/step"
                )
    flat = {}
    for activation in ("relu", "sigmoid"):
        steps = [r["steps_to_90"] for r in rows if r["activation"] == activation and r["bn"]]
        if all(s is not None for s in steps):
            median = statistics.median(steps)
            flat[activation] = {
                "median": median,
                "max_ratio_to_median": max(max(s / median, median / s) for s in steps),
            }
        else:
            flat[activation] = {"median": None, "max_ratio_to_median": None}
    times = {
        key: [r["ms_per_step"] for r in rows if r["bn"] == bn]
        for key, bn in (("plain", False), ("bn", True))
    }
    summary = {
        "budget": profile.depth_budget,
        "width": profile.width,
        "bn_flatness": flat,
        "ms_per_step_range": {k: (min(v), max(v)) for k, v in times.items()},
    }
    return {"rows": rows, "summary": summary}


# ----------------------------------------------------------------------------------------
# Part 3: training versus inference statistics
# ----------------------------------------------------------------------------------------


def batchnorm_layers(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d)]


class BatchNormInputs:
    """Forward hooks on BatchNorm layers that add up the inputs each one sees, per
    channel, in float64: the population mean and unbiased variance over everything
    passed through."""

    def __init__(self, layers) -> None:
        self.sums = [None] * len(layers)
        self.count = [0] * len(layers)
        self.handles = [m.register_forward_hook(self._hook(i)) for i, m in enumerate(layers)]

    def _hook(self, i: int):
        def hook(module, inputs, output):
            x = inputs[0].numpy().astype(np.float64)
            x = np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])  # (values, channels)
            s = np.stack([x.sum(axis=0), (x * x).sum(axis=0)])
            self.sums[i] = s if self.sums[i] is None else self.sums[i] + s
            self.count[i] += x.shape[0]

        return hook

    def mean_var(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        n = self.count[i]
        mean = self.sums[i][0] / n
        var = (self.sums[i][1] - n * mean * mean) / (n - 1)
        return mean, var

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


@minigrad.no_grad()
def population_statistics(model: nn.Module, data: Data) -> list[tuple[np.ndarray, np.ndarray]]:
    """Mean and unbiased variance of each BN layer's input over the whole training set,
    as the inference network computes it (Algorithm 2, steps 8-12): layer by layer, each
    BN layer's input is taken with the layers before it already using their population
    statistics."""
    model = copy.deepcopy(model).eval()
    layers = batchnorm_layers(model)
    images = data.train.tensors[0]
    result = []
    for layer in layers:
        probe = BatchNormInputs([layer])
        for start in range(0, images.shape[0], 10_000):
            model(images[start : start + 10_000])
        probe.remove()
        mean, var = probe.mean_var(0)
        result.append((mean, var))
        with minigrad.no_grad():  # later layers see this layer's population statistics
            dtype = layer.running_mean.dtype
            layer.running_mean.copy_(minigrad.tensor(mean, dtype=dtype, device=data.device))
            layer.running_var.copy_(minigrad.tensor(var, dtype=dtype, device=data.device))
    return result


def estimate_errors(layers, population) -> dict:
    """How far the running estimates are from the population statistics, per layer:
    the mean over units of |running_mean - mean| / std and of |running_var / var - 1|."""
    mean_err, var_err = [], []
    for layer, (mean, var) in zip(layers, population):
        rm, rv = layer.running_mean.numpy(), layer.running_var.numpy()
        mean_err.append(float(np.mean(np.abs(rm - mean) / np.sqrt(var))))
        var_err.append(float(np.mean(np.abs(rv / var - 1))))
    return {"mean_error": mean_err, "var_error": var_err}


def set_statistics(model: nn.Module, population) -> nn.Module:
    """A copy of ``model`` whose BN layers use the given statistics."""
    model = copy.deepcopy(model)
    for layer, (mean, var) in zip(batchnorm_layers(model), population):
        with minigrad.no_grad():
            dtype, device = layer.running_mean.dtype, layer.running_mean.device
            layer.running_mean.copy_(minigrad.tensor(mean, dtype=dtype, device=device))
            layer.running_var.copy_(minigrad.tensor(var, dtype=dtype, device=device))
    return model


@minigrad.no_grad()
def running_estimate_convergence(model, data: Data, population, profile: Profile, args):
    """Fresh running estimates (reset to 0 and 1) of the trained, frozen network, fed
    training batches of 60 in training mode, for momentum 0.1 and None (cumulative)."""
    checkpoints = sorted(
        {k for k in (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000)
         if k <= profile.inference_batches} | {profile.inference_batches}
    )  # fmt: skip
    curves = {}
    for label, momentum in (("momentum=0.1", 0.1), ("momentum=None", None)):
        probe = copy.deepcopy(model).train()
        layers = batchnorm_layers(probe)
        for layer in layers:
            layer.momentum = momentum
            layer.reset_running_stats()
        stream = batches(data, 60, args.seed + 1, args.device)
        curve = []
        for k in range(1, profile.inference_batches + 1):
            probe(next(stream)[0])
            if k in checkpoints:
                curve.append({"batches": k, **estimate_errors(layers, population)})
        probe.eval()
        accuracy = evaluate(probe, data.test_images, data.test_labels)
        curves[label] = {"curve": curve, "test_accuracy": accuracy}
    return curves


@minigrad.no_grad()
def batch_statistics_accuracy(model, data: Data, batch_size: int, seed: int) -> float:
    """Test accuracy when every BN layer normalises with the statistics of the test batch
    itself (training-mode forwards, on a copy, in a fixed random order of the test set)."""
    probe = copy.deepcopy(model).train()
    order = np.random.default_rng(seed).permutation(data.test_images.shape[0])
    index = minigrad.tensor(order, device=data.test_images.device)
    images, labels = data.test_images[index], data.test_labels[index]
    correct = 0
    for start in range(0, images.shape[0], batch_size):
        stop = min(start + batch_size, images.shape[0])
        if stop - start < 2:  # training-mode BN needs two values per channel
            stop = images.shape[0]
        logits = probe(images[start:stop])
        correct += (logits.argmax(dim=1) == labels[start:stop]).sum().item()
        if stop == images.shape[0]:
            break
    return correct / images.shape[0]


def run_inference(model, data: Data, profile: Profile, args, log=print) -> dict:
    population = population_statistics(model, data)
    layers = batchnorm_layers(model)
    trained = estimate_errors(layers, population)
    curves = running_estimate_convergence(model, data, population, profile, args)
    running = evaluate(model, data.test_images, data.test_labels)
    exact = evaluate(set_statistics(model, population), data.test_images, data.test_labels)
    by_batch = [
        {"batch_size": b, "accuracy": batch_statistics_accuracy(model, data, b, args.seed)}
        for b in profile.batch_sizes
    ]
    log(
        f"  inference: running estimates {running:.4f}, population statistics {exact:.4f}; "
        "batch statistics "
        + ", ".join(f"B={r['batch_size']} {r['accuracy']:.4f}" for r in by_batch)
    )
    for label, c in curves.items():
        end = c["curve"][-1]
        log(
            f"  inference: {label:14s} after {end['batches']} batches: mean error "
            f"{np.mean(end['mean_error']):.4f} std, variance error {np.mean(end['var_error']):.4f}"
        )
    return {
        "population": [
            {"layer": i, "mean_of_means": float(m.mean()), "mean_of_vars": float(v.mean())}
            for i, (m, v) in enumerate(population)
        ],
        "trained_estimates_error": trained,
        "accuracy": {
            "running_estimates": running,
            "population_statistics": exact,
            **{f"fresh_{k}": c["test_accuracy"] for k, c in curves.items()},
        },
        "convergence": {k: c["curve"] for k, c in curves.items()},
        "batch_statistics_accuracy": by_batch,
    }


# ----------------------------------------------------------------------------------------
# Part 4: folding BN into the layer before it
# ----------------------------------------------------------------------------------------


def cnn() -> nn.Sequential:
    """The network of ``mnist_cnn.py``: Conv2d -> BatchNorm2d -> ReLU blocks."""

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(
        *block(1, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.BatchNorm1d(128), nn.ReLU(),
        nn.Linear(128, 10),
    )  # fmt: skip


@minigrad.no_grad()
def time_inference(model, images, repeats: int, device: str) -> float:
    model.eval()
    model(images)  # warm up
    times = []
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        model(images)
        sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@minigrad.no_grad()
def fold_one(name: str, model, data: Data, batch_size: int, profile: Profile, args) -> dict:
    model.eval()
    folded = fold_batchnorm(model)
    images = data.test_images[:batch_size]
    a, b = model(images), folded(images)
    max_diff = float((a - b).abs().max().item())
    same = float((a.argmax(dim=1) == b.argmax(dim=1)).float().mean().item())
    # alternate the two so that drifting machine load hits both alike
    t_bn, t_folded = [], []
    for _ in range(3):
        t_bn.append(time_inference(model, images, profile.fold_repeats, args.device))
        t_folded.append(time_inference(folded, images, profile.fold_repeats, args.device))
    ms_bn, ms_folded = 1e3 * min(t_bn), 1e3 * min(t_folded)
    return {
        "model": name,
        "batch_size": batch_size,
        "bn_layers": len(batchnorm_layers(model)),
        "max_abs_logit_difference": max_diff,
        "same_predictions": same,
        "ms_with_bn": ms_bn,
        "ms_folded": ms_folded,
        "speedup": ms_bn / ms_folded,
    }


@minigrad.no_grad()
def calibrated(model, data: Data, device: str) -> nn.Module:
    """``model`` with running estimates from a few training batches (no learning): enough
    for timing and for checking that folding keeps the outputs."""
    model.to(device).train()
    stream = batches(data, 256, 0, device)
    for _ in range(5):
        model(next(stream)[0])
    return model.eval()


def run_fold(paper_model, data: Data, profile: Profile, args, log=print) -> dict:
    minigrad.manual_seed(args.seed)
    width = profile.width
    quick = profile.name == "quick"
    models = [
        ("paper net, 3 x 100 sigmoid + BN", paper_model, 10_000),
        (f"MLP, 7 x {width} ReLU + BN", calibrated(mlp(7, width, "relu", True), data, args.device),
         1_000 if quick else 10_000),
        ("CNN of mnist_cnn.py", calibrated(cnn(), data, args.device), 64 if quick else 500),
    ]  # fmt: skip
    rows = []
    for name, model, batch_size in models:
        row = fold_one(name, model, data, batch_size, profile, args)
        rows.append(row)
        log(
            f"  fold {name:32s} batch {batch_size:5d}: {row['ms_with_bn']:8.2f} ms -> "
            f"{row['ms_folded']:8.2f} ms ({row['speedup']:.2f}x), max |difference| "
            f"{row['max_abs_logit_difference']:.1e}, same predictions {row['same_predictions']:.4f}"
        )
    return {"rows": rows}


# ----------------------------------------------------------------------------------------
# Output: files, plots, summary
# ----------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, default=_jsonable) + "\n")


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# The plots are shown about 750 px wide in the docs: panels stacked one above the other,
# 8 inches at 110 dpi (880 px), with type large enough to read at that width.
PLOT_STYLE = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12,
              "legend.fontsize": 10.5, "xtick.labelsize": 11, "ytick.labelsize": 11}  # fmt: skip


def plot_paper(path: Path, result: dict) -> None:
    import matplotlib.pyplot as plt

    plt.rcParams.update(PLOT_STYLE)
    from matplotlib.ticker import FuncFormatter

    plain = result["runs"]["plain"]["history"]
    bn = result["runs"]["bn"]["history"]
    fig, axes = plt.subplots(3, 1, figsize=(8, 13))
    ax = axes[0]
    for key, history, color in (("plain", plain, "tab:blue"), ("bn", bn, "tab:red")):
        label = "with BN" if key == "bn" else "without BN"
        ax.plot([h["step"] for h in history], [h["accuracy"] for h in history], color=color,
                label=f"{label} (minigrad)")  # fmt: skip
        steps = [s for s in PAPER_STEPS if s <= history[-1]["step"]]
        ax.plot(steps, PAPER_ACCURACY[key][: len(steps)], "o", mfc="none", color=color,
                label=f"{label} (paper, Fig. 1a)")  # fmt: skip
    ax.set(xlabel="training step", ylabel="test accuracy", ylim=(0.7, 1.0),
           title="(a) test accuracy")  # fmt: skip
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:g}K"))
    ax.legend(loc="lower right")
    unit = result["summary"]["unit"]
    for ax, history, title in ((axes[1], plain, "(b) without BN"), (axes[2], bn, "(c) with BN")):
        steps = [h["step"] for h in history]
        for p, style in (("p15", "--"), ("p50", "-"), ("p85", "--")):
            ax.plot(steps, [h[p] for h in history], style, color="k", label=f"{p[1:]}th pct")
        ax.axhline(0, color="grey", lw=0.5)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:g}K"))
        ax.set(xlabel="training step", ylabel=f"input to sigmoid {unit}, layer 3",
               title=f"{title}: 15/50/85th percentiles", ylim=(-3, 3))  # fmt: skip
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", ncols=3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_depth(path: Path, result: dict) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import ScalarFormatter

    plt.rcParams.update(PLOT_STYLE)
    rows = result["rows"]
    budget = result["summary"]["budget"]
    fig, axes = plt.subplots(3, 1, figsize=(8, 14))
    colors = {False: "tab:blue", True: "tab:red"}
    for ax, activation in zip(axes[:2], ("relu", "sigmoid")):
        for bn in (False, True):
            mine = [r for r in rows if r["activation"] == activation and r["bn"] == bn]
            depths = [r["depth"] for r in mine]
            steps = [r["steps_to_90"] or budget for r in mine]
            label = f"{activation}{' + BN' if bn else ''}"
            ax.plot(depths, steps, "-o", color=colors[bn], label=f"{label} (minigrad)")
            missed = [r["depth"] for r in mine if r["steps_to_90"] is None]
            ax.plot(missed, [budget] * len(missed), "x", color="k", ms=10)
            ref = REFERENCE_DEPTH[(activation, bn)]
            ref_depths = [d for d in depths if d <= len(ref)]
            ax.plot(ref_depths, [ref[d - 1] or budget for d in ref_depths], "--", color=colors[bn],
                    alpha=0.5, label=f"{label} (PyTorch reference)")  # fmt: skip
        ax.set(yscale="log", xlabel="hidden layers", ylabel="steps to 90% test accuracy",
               title=f"{activation}: steps to 90% (x: not within {budget})")  # fmt: skip
        ax.set_xticks(depths)
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.grid(alpha=0.3, which="both")
        ax.legend(ncols=2)
    ax = axes[2]
    for activation, marker in (("relu", "o"), ("sigmoid", "s")):
        for bn in (False, True):
            mine = [r for r in rows if r["activation"] == activation and r["bn"] == bn]
            ax.plot([r["depth"] for r in mine], [r["ms_per_step"] for r in mine], "-" + marker,
                    color=colors[bn], label=f"{activation}{' + BN' if bn else ''}")  # fmt: skip
    ax.set(xlabel="hidden layers", ylabel="ms per training step (median)",
           title="wall time per step, batch 500")  # fmt: skip
    ax.set_xticks(depths)
    ax.grid(alpha=0.3)
    ax.legend(ncols=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_inference(path: Path, result: dict) -> None:
    import matplotlib.pyplot as plt

    plt.rcParams.update(PLOT_STYLE)
    fig, axes = plt.subplots(3, 1, figsize=(8, 15))
    styles = {"momentum=0.1": "-", "momentum=None": "--"}
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")
    for ax, key, what in ((axes[0], "mean_error", "|running mean - mean| / std"),
                          (axes[1], "var_error", "|running var / var - 1|")):  # fmt: skip
        stat = "mean" if key == "mean_error" else "variance"
        for label, style in styles.items():
            curve = result["convergence"][label]
            k = [c["batches"] for c in curve]
            for layer in range(len(curve[0][key])):
                ax.plot(k, [c[key][layer] for c in curve], style, color=colors[layer % 5],
                        label=f"BN layer {layer + 1}, {label}")  # fmt: skip
        ax.set(xscale="log", yscale="log", xlabel="training batches of 60 seen",
               ylabel=what + " (mean over units)",
               title=f"running {stat} vs population {stat}")  # fmt: skip
        ax.grid(alpha=0.3, which="both")
        ax.legend(ncols=2, fontsize=9.5)
    ax = axes[2]
    rows = result["batch_statistics_accuracy"]
    ax.plot([r["batch_size"] for r in rows], [r["accuracy"] for r in rows], "-o",
            label="statistics of each test batch (training mode)")  # fmt: skip
    ax.axhline(result["accuracy"]["running_estimates"], color="tab:red",
               label="running estimates (evaluation mode)")  # fmt: skip
    ax.axhline(result["accuracy"]["population_statistics"], color="k", ls=":",
               label="population statistics (Algorithm 2)")  # fmt: skip
    ax.set(xscale="log", xlabel="test batch size", ylabel="test accuracy",
           title="evaluating with batch vs running statistics")  # fmt: skip
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_outputs(out: Path, results: dict, summary: dict, plots: bool) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if "paper" in results:
        runs = results["paper"]["runs"]
        rows = []
        for p, b in zip(runs["plain"]["history"], runs["bn"]["history"]):
            row = {"step": p["step"]}
            row.update({f"plain_{k}": v for k, v in p.items() if k != "step"})
            row.update({f"bn_{k}": v for k, v in b.items() if k != "step"})
            rows.append(row)
        write_csv(out / "paper.csv", rows)
        written.append("paper.csv")
    if "depth" in results:
        write_csv(out / "depth.csv", results["depth"]["rows"])
        written.append("depth.csv")
    if "inference" in results:
        write_json(out / "inference.json", results["inference"])
        written.append("inference.json")
    if "fold" in results:
        write_json(out / "fold.json", results["fold"])
        written.append("fold.json")
    write_json(out / "summary.json", summary)
    written.append("summary.json")
    if plots:
        try:
            import matplotlib

            matplotlib.use("Agg")
        except ImportError:
            print("matplotlib is not installed: no plots (pip install 'minigrad[examples]')")
            return written
        for part, plot in (("paper", plot_paper), ("depth", plot_depth),
                           ("inference", plot_inference)):  # fmt: skip
            if part in results:
                plot(out / f"{part}.png", results[part])
                written.append(f"{part}.png")
    return written


def print_tables(results: dict) -> None:
    if "paper" in results:
        s = results["paper"]["summary"]
        print("\npaper net, test accuracy: paper (Figure 1a) vs minigrad")
        print("   step  paper/no BN  ours/no BN  paper/BN  ours/BN")
        for r in s["versus_paper"]:
            print(f"  {r['step']:5d}  {r['paper_plain']:11.3f}  {r['ours_plain']:10.4f}  "
                  f"{r['paper_bn']:8.3f}  {r['ours_bn']:7.4f}")  # fmt: skip
        print(f"  final: without BN {s['final_accuracy']['plain']:.4f}, with BN "
              f"{s['final_accuracy']['bn']:.4f}; BN above at every evaluation: "
              f"{s['bn_above_plain_at_every_evaluation']}; BN max |median sigmoid input| "
              f"{s['bn_max_abs_median']:.3f}")  # fmt: skip
    if "depth" in results:
        rows = results["depth"]["rows"]
        depths = sorted({r["depth"] for r in rows})
        print("\ndepth sweep, steps to 90% test accuracy (-: not reached); ms per step")
        print("  " + " " * 14 + "".join(f"{d:>7d}" for d in depths))
        for activation in ("relu", "sigmoid"):
            for bn in (False, True):
                mine = [r for r in rows if r["activation"] == activation and r["bn"] == bn]
                name = f"{activation}{'+BN' if bn else ''}"
                print(f"  {name:14s}" + "".join(f"{r['steps_to_90'] or '-':>7}" for r in mine))
                print(f"  {'  ms/step':14s}" + "".join(f"{r['ms_per_step']:7.1f}" for r in mine))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("part", nargs="?", default="all", choices=("all", *PARTS))
    p.add_argument("--quick", action="store_true", help="the small profile (about a minute)")
    p.add_argument("--out", default=None, help="folder for CSV/JSON results and PNG plots "
                   "(default: docs/batchnorm for the full profile, none for --quick)")  # fmt: skip
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=0.1, help="paper net: SGD learning rate")
    p.add_argument("--momentum", type=float, default=0.0, help="paper net: SGD momentum")
    p.add_argument("--init-std", type=float, default=0.05, help="paper net: weight init std")
    p.add_argument(
        "--inputs",
        choices=("unit", "standardized"),
        default="unit",
        help="pixels in [0, 1] (unit) or standardised with MNIST's mean and std",
    )
    p.add_argument("--unit", type=int, default=0, help="paper net: the sigmoid unit observed")
    p.add_argument("--paper-steps", type=int, default=None, help="override the profile")
    p.add_argument("--depth-budget", type=int, default=None, help="override the profile")
    args = p.parse_args(argv)
    if args.device == "cuda" and not minigrad.cuda.is_available():
        print("error: --device cuda needs CuPy and an NVIDIA GPU", file=sys.stderr)
        return 2
    profile = PROFILES["quick" if args.quick else "full"]
    overrides = {"paper_steps": args.paper_steps, "depth_budget": args.depth_budget}
    profile = Profile(**{**asdict(profile), **{k: v for k, v in overrides.items() if v}})
    out = Path(args.out) if args.out else (None if args.quick else ROOT / "docs" / "batchnorm")
    parts = PARTS if args.part == "all" else (args.part,)

    start = time.perf_counter()
    print(f"batchnorm study, {profile.name} profile, parts: {', '.join(parts)}", flush=True)
    # The paper's network sees pixels in [0, 1] (--inputs); the depth sweep, like
    # mnist_mlp.py and its PyTorch reference, standardised pixels.
    data = load_data(args.device, normalize=args.inputs == "standardized")
    depth_data = load_data(args.device, normalize=True) if "depth" in parts else None
    results, timings = {}, {}
    paper_model = None
    for part in parts:
        part_start = time.perf_counter()
        if part == "paper":
            results["paper"] = run_paper(data, profile, args)
            paper_model = results["paper"]["runs"]["bn"]["model"]
        elif part == "depth":
            results["depth"] = run_depth(depth_data, profile, args)
        else:
            if paper_model is None:  # run alone: train the BN paper network first
                paper_model = train_paper_net(True, data, profile, args)["model"]
            if part == "inference":
                results["inference"] = run_inference(paper_model, data, profile, args)
            else:
                results["fold"] = run_fold(paper_model, data, profile, args)
        timings[part] = time.perf_counter() - part_start
        print(f"{part}: {timings[part]:.1f} s", flush=True)
    seconds = time.perf_counter() - start

    summary = {
        "profile": asdict(profile),
        "device": args.device,
        "seconds": seconds,
        "seconds_per_part": timings,
        **{part: results[part]["summary"] for part in ("paper", "depth") if part in results},
    }
    if "inference" in results:
        summary["inference"] = results["inference"]["accuracy"]
    if "fold" in results:
        summary["fold"] = {r["model"]: r["speedup"] for r in results["fold"]["rows"]}
    print_tables(results)
    if out is not None:
        written = write_outputs(out, results, summary, plots=not args.no_plots)
        print(f"\nwrote {', '.join(written)} to {out}")
    fields = {}
    if "paper" in results:
        final = results["paper"]["summary"]["final_accuracy"]
        fields["paper_bn_accuracy"] = f"{final['bn']:.4f}"
        fields["paper_plain_accuracy"] = f"{final['plain']:.4f}"
    if "depth" in results:
        for activation, flat in results["depth"]["summary"]["bn_flatness"].items():
            ratio = flat["max_ratio_to_median"]
            fields[f"depth_{activation}_bn_max_ratio"] = "none" if ratio is None else f"{ratio:.2f}"
    if "inference" in results:
        fields["inference_accuracy"] = (
            f"{results['inference']['accuracy']['running_estimates']:.4f}"
        )
    if "fold" in results:
        fields["fold_speedup"] = "/".join(f"{r['speedup']:.2f}" for r in results["fold"]["rows"])
    fields.update(seconds=f"{seconds:.1f}", profile=profile.name, device=args.device)
    print("final " + " ".join(f"{k}={v}" for k, v in fields.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
