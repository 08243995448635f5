"""Normalization study: Batch Normalization against its variants, across batch sizes, on MNIST.

What the Group Normalization paper (Wu and He, 2018, Figure 1) measured on ImageNet, on the
MNIST CNN of ``mnist_cnn.py``, with minigrad only:

``sweep``
    The CNN with its normalization layer swapped (none, BatchNorm2d, LayerNorm, GroupNorm,
    InstanceNorm2d), trained at batch sizes 2, 4, 8, 16, 32 and 128, every run on the same
    number of training images (so a run at batch 2 takes 64 times as many steps as one at
    128), with the learning rate scaled with the batch. Records each run's test error, its
    training loss (the mean over the last tenth of the steps) and its wall time per image.
``gap``
    For the BatchNorm runs, where the small-batch loss comes from: the test accuracy of each
    trained BN model (a) in evaluation mode with its running estimates, (b) with each test
    batch's own statistics (training mode, test batches as large as the training batches),
    and (c) with the exact population statistics of the training set, recomputed after
    training. If (c) is as bad as (a), the weights themselves are worse (noisy gradients,
    noisy normalisation in training); if (c) is much better, the running estimates were.

    python examples/normalization_study.py              # full profile (~20-25 min, 2 cores)
    python examples/normalization_study.py --quick      # tiny profile (~30 s; CI)
    python examples/normalization_study.py --out DIR    # write the results there

The full profile writes to ``docs/normalization/`` unless ``--out`` says otherwise; the
quick profile writes files only when ``--out`` is given. Writing to ``docs/normalization/``
also refreshes the measured table of ``docs/normalization.md`` (between its markers).
Files written:

* ``results.csv``: one row per (normalization, batch size): lr, steps, test error, train loss;
* ``gap.csv``: one row per batch size: the BN model's accuracy with (a), (b) and (c);
* ``summary.json``: the profile, the settings and both tables;
* ``error_vs_batch.png`` and ``gap.png`` (with matplotlib, ``pip install 'minigrad[examples]'``);
* ``timings.json``: seconds per training image of every run, and of the whole command;
* ``results.md``: every table, the timings included, as a page of the docs site.

The first four are a function of the seed: the same seed gives byte-identical files on the
same machine and software (training is seeded, and no wall time goes into them). Wall times
go to ``timings.json`` and ``results.md`` only, which therefore differ from run to run. The
last line printed is machine-readable:
``final bn_error_b2=... bn_error_b128=... gn_error_b2=... seconds=... profile=... device=...``.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

import minigrad
from minigrad import nn
from minigrad.data import MNIST, DataLoader, TensorDataset
from minigrad.optim import SGD
from minigrad.optim.lr_scheduler import CosineAnnealingLR

ROOT = Path(__file__).resolve().parent.parent
NORMS = ("none", "bn", "ln", "gn", "in")
NAMES = {
    "none": "no normalization",
    "bn": "BatchNorm",
    "ln": "LayerNorm",
    "gn": "GroupNorm",
    "in": "InstanceNorm",
}
SHORT = {"none": "none", "bn": "BN", "ln": "LN", "gn": "GN", "in": "IN"}
GROUPS = 8  # GroupNorm's groups (the paper's default is 32, for 64 to 2,048 channels)
REFERENCE_BATCH = 32  # the batch at which the learning rate is the base rate (the GN paper's)
EVAL_CHUNK = 500  # images per forward in evaluation: bounds the memory of a forward


@dataclass(frozen=True)
class Profile:
    """How much to run."""

    name: str
    norms: tuple[str, ...]
    batch_sizes: tuple[int, ...]
    images: int  # training images seen by every run (a multiple of every batch size)
    train_images: int  # the training set: the first this many MNIST training images
    test_images: int  # the first this many MNIST test images
    loss_fraction: float  # train loss: the mean over this last fraction of the steps


PROFILES = {
    "full": Profile(
        name="full",
        norms=NORMS,
        batch_sizes=(2, 4, 8, 16, 32, 128),
        # 7,680 images per run (60 steps at batch 128, 3,840 at batch 2): two epochs of a
        # 3,840-image training set. Sized so that the 30 runs, their evaluations and BN's
        # three-way evaluation take about 20-25 minutes on the 2-core machine (see
        # docs/normalization.md, "The study", for the probes behind the figure).
        images=7_680,
        train_images=3_840,
        test_images=5_000,
        loss_fraction=0.1,
    ),
    "quick": Profile(
        name="quick",
        norms=NORMS,
        batch_sizes=(2, 32),
        images=256,
        train_images=256,
        test_images=500,
        loss_fraction=0.25,
    ),
}

# Wu and He (2018), Figure 1 / Table 2: ResNet-50 on ImageNet, validation error (%) at
# 32/16/8/4/2 images per worker; LN and IN were reported at 32 only.
PAPER_BATCHES = (32, 16, 8, 4, 2)
PAPER_ERROR = {
    "bn": (23.6, 23.7, 24.8, 27.3, 34.7),
    "gn": (24.1, 24.2, 24.0, 24.2, 24.1),
    "ln": (25.3, None, None, None, None),
    "in": (28.4, None, None, None, None),
}


# ----------------------------------------------------------------------------------------
# Data and the model
# ----------------------------------------------------------------------------------------


@dataclass
class Data:
    train: TensorDataset
    test_images: minigrad.Tensor
    test_labels: minigrad.Tensor


def load_data(profile: Profile, device: str) -> Data:
    """MNIST (standardised, as in ``mnist_cnn.py``), cut to the profile's sizes."""
    train, test = MNIST(train=True), MNIST(train=False)
    n, t = profile.train_images, profile.test_images
    return Data(
        TensorDataset(train.images[:n].to(device), train.labels[:n].to(device)),
        test.images[:t].to(device),
        test.labels[:t].to(device),
    )


def norm_layer(kind: str, channels: int, size: int) -> nn.Module | None:
    """The normalization after a convolution of ``channels`` maps of ``size`` x ``size``.

    * ``bn``: ``BatchNorm2d``: per channel, over (N, H, W).
    * ``ln``: ``LayerNorm((C, H, W))``: per sample, over all its values. This is how
      PyTorch writes LayerNorm for conv features; its affine is element by element (a
      weight and a bias for each of the C*H*W positions), unlike the others' per channel.
    * ``gn``: ``GroupNorm(8, C)``: per sample and group of C/8 channels (4 or 8 here).
    * ``in``: ``InstanceNorm2d(C, affine=True)``: per sample and channel, over (H, W).
      PyTorch's default is ``affine=False``, which would leave IN alone without the scale
      and shift the other layers learn, so the comparison would mix two things.
    * ``none``: nothing (the convolution then keeps its bias).
    """
    if kind == "none":
        return None
    if kind == "bn":
        return nn.BatchNorm2d(channels)
    if kind == "ln":
        return nn.LayerNorm((channels, size, size))
    if kind == "gn":
        return nn.GroupNorm(math.gcd(GROUPS, channels), channels)
    if kind == "in":
        return nn.InstanceNorm2d(channels, affine=True)
    raise ValueError(f"unknown normalization {kind!r}; expected one of {NORMS}")


def conv_block(kind: str, in_channels: int, out_channels: int, size: int) -> list[nn.Module]:
    """``mnist_cnn.py``'s block, Conv2d -> norm -> ReLU, with the norm of ``kind``."""
    norm = norm_layer(kind, out_channels, size)
    # With a norm the convolution's bias would be subtracted again at once: no bias.
    conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=norm is None)
    return [conv, *([norm] if norm is not None else []), nn.ReLU()]


def build_model(kind: str) -> nn.Sequential:
    """(N, 1, 28, 28) -> (N, 10): the three conv blocks of ``mnist_cnn.py`` with ``kind``'s
    norm, then ``Linear(3136, 128) -> ReLU -> Linear(128, 10)``.

    The head has no normalization in any variant: ``mnist_cnn.py``'s BatchNorm1d there has
    no InstanceNorm counterpart (one value per channel), and keeping it would make every
    variant partly a BN network. So the runs differ in the conv blocks' norm alone.
    """
    return nn.Sequential(
        *conv_block(kind, 1, 32, 28),
        *conv_block(kind, 32, 32, 28),
        nn.MaxPool2d(2),  # 28x28 -> 14x14
        *conv_block(kind, 32, 64, 14),
        nn.MaxPool2d(2),  # 14x14 -> 7x7
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


def learning_rate(batch_size: int, base: float, rule: str, cap: float | None = None) -> float:
    """The learning rate for ``batch_size``: ``base`` at batch 32, scaled with the batch,
    and at most ``cap`` (if given).

    ``linear`` (Goyal et al. 2017, used by the GN paper): ``base * B / 32``, which keeps the
    noise of an SGD step per image seen about the same, so that with a fixed number of
    images every batch size follows about the same path. ``sqrt``: ``base * sqrt(B / 32)``,
    the rule that keeps the variance of the update the same instead. ``constant``: ``base``.

    The study's default is linear with base 0.02, capped at 0.04 (the rate of batch 64):
    batches 2 to 32, the GN paper's range, get the paper's rule exactly, and batch 128
    gets 0.04 instead of 0.08, which a short check found too large for its few steps
    (docs/normalization.md, "The study").
    """
    ratio = batch_size / REFERENCE_BATCH
    if rule == "linear":
        lr = base * ratio
    elif rule == "sqrt":
        lr = base * math.sqrt(ratio)
    elif rule == "constant":
        lr = base
    else:
        raise ValueError(f"unknown learning-rate rule {rule!r}")
    return lr if cap is None else min(lr, cap)


# ----------------------------------------------------------------------------------------
# Training and evaluation
# ----------------------------------------------------------------------------------------


def sync(device: str) -> None:
    if device != "cpu":
        minigrad.cuda.synchronize()


def train_run(kind: str, batch_size: int, data: Data, profile: Profile, args) -> dict:
    """Train one model on ``profile.images`` images in batches of ``batch_size``.

    SGD with momentum 0.9 and weight decay 5e-4 and a cosine schedule over the run's steps,
    as in ``mnist_cnn.py``. The model's initial weights depend on the seed and the
    normalization only, so the runs of one normalization start from the same weights; the
    batches are the same images in the same order at every batch size (the loader's order
    depends on the seed and the epoch only). Returns the model, its row (test error, train
    loss) and the training time.
    """
    if profile.images % batch_size:
        raise ValueError(
            f"{profile.images} images are not a whole number of batches of {batch_size}"
        )
    minigrad.manual_seed(args.seed)
    model = build_model(kind).to(args.device)
    lr = learning_rate(batch_size, args.base_lr, args.lr_rule, args.lr_cap)
    steps = profile.images // batch_size
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    scheduler = CosineAnnealingLR(optimizer, T_max=steps)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(data.train, batch_size=batch_size, shuffle=True, drop_last=True,
                        seed=args.seed, device=args.device)  # fmt: skip
    tail_start = steps - max(1, round(profile.loss_fraction * steps))
    tail_sum, step, epoch, diverged = None, 0, 0, False
    model.train()
    sync(args.device)
    start = time.perf_counter()
    while step < steps and not diverged:
        loader.set_epoch(epoch)
        for images, labels in loader:
            loss = loss_fn(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            if step >= tail_start:  # summed on the device: no wait for it at every step
                tail_sum = loss.detach() if tail_sum is None else tail_sum + loss.detach()
            step += 1
            if step % 100 == 0 and not math.isfinite(loss.item()):
                diverged = True  # NaN weights never recover
            if step == steps or diverged:
                break
        epoch += 1
    sync(args.device)
    seconds = time.perf_counter() - start
    train_loss = tail_sum.item() / (step - tail_start) if tail_sum is not None else math.nan
    diverged = diverged or not math.isfinite(train_loss)
    accuracy = evaluate(model, data.test_images, data.test_labels)
    row = {
        "norm": kind,
        "batch_size": batch_size,
        "lr": lr,
        "steps": step,
        "images": step * batch_size,
        "test_error": 1.0 - accuracy,
        "train_loss": train_loss,
        "diverged": diverged,
    }
    return {"model": model, "row": row, "seconds": seconds}


@minigrad.no_grad()
def evaluate(model: nn.Module, images, labels) -> float:
    """Test accuracy in evaluation mode (BatchNorm uses its running estimates)."""
    model.eval()
    correct = 0
    for start in range(0, images.shape[0], EVAL_CHUNK):
        logits = model(images[start : start + EVAL_CHUNK])
        correct += (logits.argmax(dim=1) == labels[start : start + EVAL_CHUNK]).sum().item()
    return correct / images.shape[0]


@minigrad.no_grad()
def batch_statistics_accuracy(model: nn.Module, images, labels, batch_size: int) -> float:
    """Test accuracy when every BN layer normalises with the statistics of the test batch
    itself (training-mode forwards on a copy of the model), in batches of ``batch_size``
    in the test set's order. A last batch of one image (which training-mode BN refuses)
    joins the one before it."""
    probe = copy.deepcopy(model).train()
    n = images.shape[0]
    correct, start = 0, 0
    while start < n:
        stop = min(start + batch_size, n)
        if n - stop == 1:
            stop = n
        logits = probe(images[start:stop])
        correct += (logits.argmax(dim=1) == labels[start:stop]).sum().item()
        start = stop
    return correct / n


def batchnorm_layers(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]


@minigrad.no_grad()
def population_statistics(model: nn.Sequential, images) -> tuple[nn.Sequential, list]:
    """A copy of ``model`` whose BN layers hold the exact population statistics of their
    inputs over ``images`` (the training set), and those statistics, as (mean, unbiased
    variance) per layer.

    This is the inference network of the BN paper's Algorithm 2, computed exactly rather
    than estimated: layer by layer, the input of each BN layer is taken over all of
    ``images`` (in chunks, with float64 sums of x and x**2 per channel), with the BN layers
    before it already normalising with their population statistics, as they will at test
    time. (Resetting the running estimates and feeding the training set in training mode
    with ``momentum=None`` comes close but not exactly: each layer then sees the layers
    before it normalise with chunk statistics, and the variance is an average of the
    chunks' variances, which leaves out how much the chunks' means differ.)
    """
    model = copy.deepcopy(model).eval()
    positions = [i for i, m in enumerate(model) if isinstance(m, nn.BatchNorm2d)]
    stats = []
    for i in positions:
        prefix = model[:i]  # the layers before this BN layer (the same modules, not copies)
        sums, count = 0.0, 0
        for start in range(0, images.shape[0], EVAL_CHUNK):
            x = prefix(images[start : start + EVAL_CHUNK]).numpy().astype(np.float64)
            sums = sums + np.stack([x.sum(axis=(0, 2, 3)), (x * x).sum(axis=(0, 2, 3))])
            count += x.shape[0] * x.shape[2] * x.shape[3]
        mean = sums[0] / count
        var = (sums[1] - count * mean * mean) / (count - 1)
        layer = model[i]
        dtype, device = layer.running_mean.dtype, layer.running_mean.device
        layer.running_mean.copy_(minigrad.tensor(mean, dtype=dtype, device=device))
        layer.running_var.copy_(minigrad.tensor(var, dtype=dtype, device=device))
        stats.append((mean, var))
    return model, stats


def gap_row(model: nn.Sequential, batch_size: int, data: Data) -> dict:
    """The three accuracies of one trained BN model (see the module docstring)."""
    exact, _ = population_statistics(model, data.train.tensors[0])
    return {
        "batch_size": batch_size,
        "running_estimates": evaluate(model, data.test_images, data.test_labels),
        "test_batch_statistics": batch_statistics_accuracy(
            model, data.test_images, data.test_labels, batch_size
        ),
        "population_statistics": evaluate(exact, data.test_images, data.test_labels),
    }


def run_study(data: Data, profile: Profile, args, log=print) -> dict:
    """Every (normalization, batch size) run, and the BN gap for each batch size."""
    rows, gap, seconds = [], [], {}
    for kind in profile.norms:
        for batch_size in profile.batch_sizes:
            run = train_run(kind, batch_size, data, profile, args)
            row = run["row"]
            rows.append(row)
            per_image = run["seconds"] / max(row["images"], 1)
            seconds[f"{kind}/{batch_size}"] = {
                "seconds": run["seconds"],
                "ms_per_image": 1e3 * per_image,
            }
            log(
                f"  {NAMES[kind]:16s} B={batch_size:4d} lr {row['lr']:.5f}  test error "
                f"{100 * row['test_error']:6.2f}%  train loss {row['train_loss']:.4f}  "
                f"{1e3 * per_image:.2f} ms/image{'  DIVERGED' if row['diverged'] else ''}",
                flush=True,
            )
            if kind == "bn":
                g = gap_row(run["model"], batch_size, data)
                gap.append(g)
                log(
                    f"  {'':16s} BN accuracy: running estimates {g['running_estimates']:.4f}, "
                    f"test-batch statistics {g['test_batch_statistics']:.4f}, population "
                    f"statistics {g['population_statistics']:.4f}",
                    flush=True,
                )
    return {"rows": rows, "gap": gap, "timings": seconds}


# ----------------------------------------------------------------------------------------
# Output: files, plots, the results page
# ----------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n")


def error_table(rows: list[dict]) -> dict:
    """{norm: {batch: test error}}."""
    table: dict = {}
    for r in rows:
        table.setdefault(r["norm"], {})[r["batch_size"]] = r["test_error"]
    return table


def plain_log_labels(axis) -> None:
    """Label a log-scale axis 2, 3, ... 10, 20 rather than 2x10^0 ... (matplotlib's way)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


# The plots are shown about 750 px wide in the docs: panels stacked one above the other,
# 8 inches at 110 dpi (880 px), with type large enough to read at that width.
PLOT_STYLE = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12,
              "legend.fontsize": 10.5, "xtick.labelsize": 11, "ytick.labelsize": 11}  # fmt: skip


def plot_error(path: Path, rows: list[dict]) -> None:
    """Test error against batch size, one line per normalization (the GN paper's Figure 1),
    above the paper's ImageNet curves."""
    import matplotlib.pyplot as plt

    plt.rcParams.update(PLOT_STYLE)

    colors = {"none": "grey", "bn": "tab:blue", "ln": "tab:green", "gn": "tab:red",
              "in": "tab:purple"}  # fmt: skip
    table = error_table(rows)
    fig, axes = plt.subplots(2, 1, figsize=(8, 10))
    ax = axes[0]
    for kind, errors in table.items():
        batches = sorted(errors)
        ax.plot(batches, [100 * errors[b] for b in batches], "-o", color=colors[kind],
                label=NAMES[kind])  # fmt: skip
    batches = sorted({r["batch_size"] for r in rows})
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")  # MNIST errors span a few tenths of a percent to tens of percent
    plain_log_labels(ax.yaxis)
    ax.set_xticks(batches, [str(b) for b in batches])
    ax.invert_xaxis()  # as in the paper: the batch shrinks to the right
    ax.set(xlabel="batch size (images per step)", ylabel="test error (%)",
           title="MNIST CNN (minigrad): test error against batch size")  # fmt: skip
    ax.grid(alpha=0.3, which="both")
    ax.legend(ncols=3)
    ax = axes[1]
    for kind in ("bn", "gn"):
        ax.plot(PAPER_BATCHES, PAPER_ERROR[kind], "-o", color=colors[kind], label=NAMES[kind])
    for kind in ("ln", "in"):
        ax.plot([32], [PAPER_ERROR[kind][0]], "s", color=colors[kind], label=f"{NAMES[kind]} (32)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(PAPER_BATCHES, [str(b) for b in PAPER_BATCHES])
    ax.invert_xaxis()
    ax.set(xlabel="batch size (images per worker)", ylabel="validation error (%)",
           title="Wu and He (2018), Figure 1: ResNet-50 on ImageNet")  # fmt: skip
    ax.grid(alpha=0.3, which="both")
    ax.legend(ncols=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def plot_gap(path: Path, gap: list[dict], rows: list[dict]) -> None:
    """The BN models' test error with the three kinds of statistics, against batch size."""
    import matplotlib.pyplot as plt

    plt.rcParams.update(PLOT_STYLE)
    fig, ax = plt.subplots(figsize=(8, 5.5))
    batches = [g["batch_size"] for g in gap]
    for key, style, label in (
        ("running_estimates", "-o", "BN, running estimates (eval mode)"),
        ("test_batch_statistics", "--s", "BN, statistics of each test batch (same size)"),
        ("population_statistics", ":^", "BN, exact population statistics"),
    ):
        ax.plot(batches, [100 * (1 - g[key]) for g in gap], style, label=label)
    gn = error_table(rows).get("gn")
    if gn:
        ax.plot(batches, [100 * gn[b] for b in batches], "-", color="tab:red", alpha=0.5,
                label="GroupNorm (for comparison)")  # fmt: skip
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    plain_log_labels(ax.yaxis)
    ax.set_xticks(batches, [str(b) for b in batches])
    ax.invert_xaxis()
    ax.set(xlabel="batch size (training, and test batches for the dashed line)",
           ylabel="test error (%)", title="BatchNorm: which statistics at test time")  # fmt: skip
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def percent(x) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


def side_by_side(rows: list[dict]) -> list[str]:
    """The Markdown table of test error (%) by batch size: the GN paper's ImageNet figures
    beside this run's, largest batch first."""
    table = error_table(rows)
    batches = sorted({r["batch_size"] for r in rows} | set(PAPER_BATCHES), reverse=True)
    ours = [k for k in ("bn", "gn", "ln", "in", "none") if k in table]
    lines = [
        "| batch | "
        + " | ".join(f"{SHORT[k]} (paper)" for k in ("bn", "gn", "ln", "in"))
        + " | "
        + " | ".join(f"{SHORT[k]} (MNIST)" for k in ours)
        + " |",
        "|---" * (5 + len(ours)) + "|",
    ]
    for b in batches:
        paper = [
            "-"
            if b not in PAPER_BATCHES
            else (lambda v: "-" if v is None else f"{v:.1f}")(
                PAPER_ERROR[k][PAPER_BATCHES.index(b)]
            )
            for k in ("bn", "gn", "ln", "in")
        ]
        mine = [percent(table[k].get(b)) for k in ours]
        lines.append(f"| {b} | " + " | ".join(paper) + " | " + " | ".join(mine) + " |")
    return lines


TABLE_BEGIN = "<!-- the measured table: examples/normalization_study.py writes it -->"
TABLE_END = "<!-- end of the measured table -->"


def update_page(path: Path, rows: list[dict]) -> bool:
    """Replace the table between TABLE_BEGIN and TABLE_END in ``path`` (the docs page) with
    this run's; False (and the page unchanged) if the page or its markers are missing."""
    if not path.exists():
        return False
    text = path.read_text()
    begin, end = text.find(TABLE_BEGIN), text.find(TABLE_END)
    if begin < 0 or end < begin:
        return False
    table = "\n".join(["", *side_by_side(rows), ""])
    path.write_text(text[: begin + len(TABLE_BEGIN)] + "\n" + table + "\n" + text[end:])
    return True


def results_page(summary: dict, timings: dict, profile: Profile, command: str) -> str:
    """docs/normalization/results.md: every table of the run, generated."""
    rows, gap = summary["results"], summary["gap"]
    table = error_table(rows)
    batches = sorted({r["batch_size"] for r in rows})
    bar = "|---" * (len(batches) + 1) + "|"
    lines = [
        "# Normalization study: results",
        "",
        "Generated by `examples/normalization_study.py` (do not edit: rerun it). The discussion",
        "is on [the normalization page](../normalization.md). This run:",
        "",
        "```bash",
        command,
        "```",
        "",
        f"Profile **{profile.name}**: {profile.images:,} training images seen by every run "
        f"(from a training set of the first {profile.train_images:,} MNIST training images), "
        f"test error on the first {profile.test_images:,} test images; learning rate "
        f"`{summary['settings']['lr']}`; seed {summary['settings']['seed']}; device "
        f"`{summary['settings']['device']}`. The whole command took "
        f"{timings['seconds']:.0f} s.",
        "",
        "## Test error (%), normalization x batch size",
        "",
        "| normalization | " + " | ".join(f"B={b}" for b in batches) + " |",
        bar,
    ]
    for kind, errors in table.items():
        lines.append(
            f"| {NAMES[kind]} | " + " | ".join(percent(errors.get(b)) for b in batches) + " |"
        )
    lines += [
        "",
        "Beside the Group Normalization paper's ImageNet figures (ResNet-50, validation",
        "error at 32 to 2 images per worker; LN and IN at 32 only):",
        "",
        *side_by_side(rows),
        "",
        "![Test error against batch size](error_vs_batch.png)",
        "",
        "## Final training loss (mean over the last "
        f"{100 * profile.loss_fraction:.0f}% of the steps)",
        "",
        "| normalization | " + " | ".join(f"B={b}" for b in batches) + " |",
        bar,
    ]
    for kind in table:
        cells = [r for r in rows if r["norm"] == kind]
        lines.append(
            f"| {NAMES[kind]} | "
            + " | ".join(
                f"{r['train_loss']:.4f}" + (" (diverged)" if r["diverged"] else "") for r in cells
            )
            + " |"
        )
    if gap:
        lines += [
            "",
            "## BatchNorm: test error (%) with each kind of statistics",
            "",
            "(a) evaluation mode, with the running estimates; (b) training mode, each test batch",
            "normalised with its own statistics, test batches as large as the training batches;",
            "(c) evaluation mode with the exact population statistics of the training set,",
            "recomputed after training.",
            "",
            "| batch size | (a) running estimates | (b) test-batch statistics "
            "| (c) population statistics |",
            "|---|---|---|---|",
        ]
        for g in gap:
            lines.append(
                f"| {g['batch_size']} | {percent(1 - g['running_estimates'])} | "
                f"{percent(1 - g['test_batch_statistics'])} | "
                f"{percent(1 - g['population_statistics'])} |"
            )
        lines += ["", "![BatchNorm's train/eval gap](gap.png)"]
    lines += [
        "",
        "## Wall time per training image (ms)",
        "",
        "Training steps only (no evaluation), measured in this run; unlike the tables above",
        "they change from run to run, and mean something only on a quiet machine.",
        "",
        "| normalization | " + " | ".join(f"B={b}" for b in batches) + " |",
        bar,
    ]
    for kind in table:
        cells = [timings["runs"][f"{kind}/{b}"]["ms_per_image"] for b in batches]
        lines.append(f"| {NAMES[kind]} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    lines += [
        "",
        "## Files",
        "",
        "| file | what it holds | same seed, same bytes |",
        "|---|---|---|",
        "| `results.csv` | one row per run: lr, steps, images, test error, train loss | yes |",
        "| `gap.csv` | BatchNorm's accuracy with running, test-batch and population "
        "statistics | yes |",
        "| `summary.json` | the profile, the settings, both tables | yes |",
        "| `error_vs_batch.png`, `gap.png` | the plots | yes |",
        "| `timings.json` | seconds per run and per image, and for the whole command | no |",
        "| `results.md` | this page (it shows the timings) | no |",
        "",
    ]
    return "\n".join(lines)


def write_outputs(out: Path, summary: dict, timings: dict, profile: Profile, command: str,
                  plots: bool) -> list[str]:  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "results.csv", summary["results"])
    written = ["results.csv"]
    if summary["gap"]:
        write_csv(out / "gap.csv", summary["gap"])
        written.append("gap.csv")
    write_json(out / "summary.json", summary)
    write_json(out / "timings.json", timings)
    written += ["summary.json", "timings.json"]
    if plots:
        try:
            import matplotlib

            matplotlib.use("Agg")
        except ImportError:
            print("matplotlib is not installed: no plots (pip install 'minigrad[examples]')")
            plots = False
    if plots:
        plot_error(out / "error_vs_batch.png", summary["results"])
        written.append("error_vs_batch.png")
        if summary["gap"]:
            plot_gap(out / "gap.png", summary["gap"], summary["results"])
            written.append("gap.png")
    (out / "results.md").write_text(results_page(summary, timings, profile, command))
    written.append("results.md")
    return written


def lr_formula(args) -> str:
    """The learning-rate rule in words, e.g. ``min(0.02 * B / 32, 0.04)``."""
    formula = {
        "linear": f"{args.base_lr} * B / {REFERENCE_BATCH}",
        "sqrt": f"{args.base_lr} * sqrt(B / {REFERENCE_BATCH})",
        "constant": f"{args.base_lr}",
    }[args.lr_rule]
    return formula if args.lr_cap is None else f"min({formula}, {args.lr_cap})"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="the tiny profile (CI)")
    p.add_argument("--out", default=None, help="folder for the results (default: "
                   "docs/normalization for the full profile, none for --quick)")  # fmt: skip
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--base-lr", type=float, default=0.02, help="the learning rate at batch 32")
    p.add_argument("--lr-rule", choices=("linear", "sqrt", "constant"), default="linear")
    p.add_argument("--lr-cap", type=float, default=0.04, help="the largest learning rate "
                   "(0: no cap)")  # fmt: skip
    p.add_argument("--norms", default=None, help="comma-separated subset of " + ",".join(NORMS))
    p.add_argument("--batch-sizes", default=None, help="comma-separated, overrides the profile")
    p.add_argument("--images", type=int, default=None, help="images per run, overrides the profile")
    p.add_argument("--train-images", type=int, default=None, help="training set size, overrides")
    p.add_argument("--test-images", type=int, default=None, help="test set size, overrides")
    args = p.parse_args(argv if argv is not None else sys.argv[1:])
    args.lr_cap = args.lr_cap or None
    if args.device == "cuda" and not minigrad.cuda.is_available():
        print("error: --device cuda needs CuPy and an NVIDIA GPU", file=sys.stderr)
        return 2
    profile = PROFILES["quick" if args.quick else "full"]
    overrides = {}
    if args.norms:
        overrides["norms"] = tuple(args.norms.split(","))
        unknown = set(overrides["norms"]) - set(NORMS)
        if unknown:
            p.error(f"unknown normalization(s) {sorted(unknown)}; choose from {NORMS}")
    if args.batch_sizes:
        overrides["batch_sizes"] = tuple(int(b) for b in args.batch_sizes.split(","))
    for name in ("images", "train_images", "test_images"):
        if getattr(args, name):
            overrides[name] = getattr(args, name)
    profile = Profile(**{**asdict(profile), **overrides})
    out = Path(args.out) if args.out else (None if args.quick else ROOT / "docs" / "normalization")

    start = time.perf_counter()
    print(f"normalization study, {profile.name} profile: {', '.join(profile.norms)} at batch "
          f"sizes {', '.join(map(str, profile.batch_sizes))}, {profile.images} images per run, "
          f"lr {lr_formula(args)}",
          flush=True)  # fmt: skip
    data = load_data(profile, args.device)
    study = run_study(data, profile, args)
    seconds = time.perf_counter() - start

    summary = {
        "profile": asdict(profile),
        "settings": {
            "seed": args.seed,
            "device": args.device,
            "lr": lr_formula(args),
            "optimizer": "SGD(momentum=0.9, weight_decay=5e-4), cosine schedule over the run",
            "groups": GROUPS,
        },
        "results": study["rows"],
        "gap": study["gap"],
        "paper": {"batch_sizes": PAPER_BATCHES, "error_percent": PAPER_ERROR},
    }
    timings = {"seconds": seconds, "runs": study["timings"]}
    table = error_table(study["rows"])
    print("\ntest error (%)")
    print("  " + " " * 16 + "".join(f"{'B=' + str(b):>9s}" for b in profile.batch_sizes))
    for kind, errors in table.items():
        print(
            f"  {NAMES[kind]:16s}" + "".join(f"{100 * errors[b]:9.2f}" for b in profile.batch_sizes)
        )
    if out is not None:
        command = "python examples/normalization_study.py " + " ".join(
            sys.argv[1:] if argv is None else argv
        )
        written = write_outputs(out, summary, timings, profile, command.strip(),
                                plots=not args.no_plots)  # fmt: skip
        print(f"\nwrote {', '.join(written)} to {out}")
        page = ROOT / "docs" / "normalization.md"
        into_docs = out.resolve() == (ROOT / "docs" / "normalization").resolve()
        if into_docs and update_page(page, summary["results"]):
            print(f"updated the measured table in {page}")
    fields = {}
    for kind in ("bn", "gn"):
        for b in (min(profile.batch_sizes), max(profile.batch_sizes)):
            if kind in table:
                fields[f"{kind}_error_b{b}"] = f"{table[kind][b]:.4f}"
    fields.update(seconds=f"{seconds:.1f}", profile=profile.name, device=args.device)
    print("final " + " ".join(f"{k}={v}" for k, v in fields.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
