"""The training loop shared by the MNIST examples: options, data, epochs, checkpoints.

``mnist_mlp.py`` and ``mnist_cnn.py`` each define a model and their default options, and
hand over to :func:`run`. Reading this file top to bottom is reading one training run:

1. parse the options and check that the device exists;
2. load MNIST (verified, from the copy that ships with minigrad) and wrap it in loaders
   that keep the whole data set on the device;
3. build the model, the optimizer (SGD with momentum and weight decay) and a cosine
   learning-rate schedule that decays every step;
4. for each epoch: train (forward, loss, backward, step), then measure test accuracy in
   evaluation mode, and save a checkpoint if asked;
5. print one machine-readable line: ``final test_accuracy=... epochs=... seconds=...``.

With ``--distributed`` the same loop runs in every process of an MPI job (``mpiexec -n 2
python -m mpi4py examples/mnist_mlp.py --distributed``): each process trains on its share
of every epoch's shuffle (``DistributedSampler``), ``DistributedDataParallel`` averages the
gradients, so the processes stay identical, and process 0 alone prints and saves.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import minigrad
from minigrad import nn
from minigrad.data import MNIST, DataError, DataLoader, DistributedSampler, TensorDataset
from minigrad.optim import SGD
from minigrad.optim.lr_scheduler import CosineAnnealingLR

try:  # the progress bar is optional: pip install tqdm (or minigrad[examples])
    from tqdm import tqdm
except ImportError:  # pragma: no cover - exercised only without tqdm
    tqdm = None

LOG_EVERY = 50  # steps between progress-bar updates (each one waits for the device)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``mnist_mlp.py: error: ...``) and exit
    status 2, before anything is loaded or trained."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1 (a batch size, a number of examples)."""
    return _bounded(int, text, "an integer >= 1", lambda n: n >= 1)


def count(text: str) -> int:
    """An argparse type: an integer >= 0 (epochs, layers)."""
    return _bounded(int, text, "an integer >= 0", lambda n: n >= 0)


def rate(text: str) -> float:
    """An argparse type: a finite number >= 0 (a learning rate, momentum, weight decay)."""
    return _bounded(float, text, "a finite number >= 0", lambda x: math.isfinite(x) and x >= 0)


def _bounded(kind, text: str, what: str, valid):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if not valid(value):
        raise argparse.ArgumentTypeError(f"expected {what}, got {text}")
    return value


def parser(description: str, **defaults) -> argparse.ArgumentParser:
    """The options both examples share; ``defaults`` are each example's tuned values.
    Each option's type checks its range, so that a bad value stops the run at once."""
    p = Parser(description=description)
    p.add_argument("--epochs", type=count, default=defaults["epochs"])
    p.add_argument("--batch-size", type=positive_int, default=defaults["batch_size"])
    p.add_argument("--lr", type=rate, default=defaults["lr"])
    p.add_argument("--momentum", type=rate, default=0.9)
    p.add_argument("--weight-decay", type=rate, default=5e-4)
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--limit", type=positive_int, default=None, help="train on the first N examples only"
    )
    p.add_argument("--data", default=None, help="folder with the four MNIST .gz files")
    p.add_argument("--save", default=None, help="write a checkpoint here after every epoch")
    p.add_argument("--resume", default=None, help="continue the run saved in this checkpoint")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--distributed", action="store_true",
        help="data-parallel training on the processes of an MPI job (launch with mpiexec -n "
        "N python -m mpi4py ...); --batch-size is per process",
    )  # fmt: skip
    return p


def check_options(args) -> str | None:
    """An error message for options that each look valid but cannot work (checked before
    the data is loaded, so that nothing is trained in vain), else None."""
    if args.limit is not None and args.limit < args.batch_size:
        return (
            f"--limit {args.limit} is fewer examples than one batch (--batch-size "
            f"{args.batch_size}); every batch is full, so no step would run"
        )
    if args.save:
        folder = os.path.dirname(os.path.abspath(args.save))
        if os.path.isdir(args.save):
            return f"--save {args.save} is a folder; give a file name in it"
        if not os.path.isdir(folder):
            return f"--save {args.save}: the folder {folder} does not exist"
        if not os.access(folder, os.W_OK):
            return f"--save {args.save}: the folder {folder} is not writable"
        if os.path.exists(args.save) and not os.access(args.save, os.W_OK):
            return f"--save {args.save}: the file is read-only"
    return None


def check_device(device: str) -> str | None:
    """An error message if ``device`` cannot be used, else None."""
    if device == "cuda" and not minigrad.cuda.is_available():
        return (
            "--device cuda needs CuPy and an NVIDIA GPU, and none is usable here. Install "
            "CuPy with pip install 'minigrad[cuda13]' (or [cuda12]), or use --device cpu."
        )
    return None


def load_data(args):
    """The training and test sets as tensors on the device (the training set cut to
    ``--limit``). All of MNIST fits in GPU memory, so it is moved there once, and every
    batch is then a slice on the device: no copy from the host per step."""
    datasets = []
    for train in (True, False):
        data = MNIST(root=args.data, train=train)
        images, labels = data.images, data.labels
        if train and args.limit is not None:
            images, labels = images[: args.limit], labels[: args.limit]
        datasets.append(TensorDataset(images.to(args.device), labels.to(args.device)))
    return datasets


@minigrad.no_grad()
def evaluate(model: nn.Module, loader: DataLoader) -> float:
    """Accuracy on ``loader``, in evaluation mode (BatchNorm uses its running statistics)."""
    model.eval()
    correct, total = None, 0
    for images, labels in loader:
        hits = (model(images).argmax(dim=1) == labels).sum()
        correct = hits if correct is None else correct + hits
        total += labels.shape[0]
    return correct.item() / total


def train_epoch(model, loader, optimizer, scheduler, loss_fn, progress) -> minigrad.Tensor:
    """One pass over the training set; returns the summed loss, the number of correct
    predictions and the number of examples seen, as one tensor (so that a distributed run
    adds up its processes' with one all-reduce).

    The running sums stay on the device: reading a value (``.item()``) makes the host wait
    for the device, so it happens only every ``LOG_EVERY`` steps, for the progress bar.
    """
    model.train()
    loss_sum = correct = None
    seen = 0
    for step, (images, labels) in enumerate(loader, start=1):
        logits = model(images)
        loss = loss_fn(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()

        with minigrad.no_grad():
            batch_loss = loss.detach() * labels.shape[0]
            hits = (logits.argmax(dim=1) == labels).sum()
            loss_sum = batch_loss if loss_sum is None else loss_sum + batch_loss
            correct = hits if correct is None else correct + hits
        seen += labels.shape[0]
        if progress is not None and (step % LOG_EVERY == 0 or step == len(loader)):
            progress.set_postfix(
                loss=f"{loss_sum.item() / seen:.4f}", acc=f"{correct.item() / seen:.4f}"
            )
            progress.update(step - progress.n)
    return minigrad.stack([loss_sum.double(), correct.double(), minigrad.tensor(float(seen),
                           dtype=minigrad.float64, device=loss_sum.device)])  # fmt: skip


def run(args, model: nn.Module, name: str) -> int:
    """Train ``model`` as the options say; return the process exit code."""
    error = check_options(args) or check_device(args.device)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        train_set, test_set = load_data(args)
    except (DataError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if len(train_set) < args.batch_size:  # fewer images than asked for with --limit
        print(f"error: the training set has {len(train_set)} examples, fewer than one "
              f"batch (--batch-size {args.batch_size})", file=sys.stderr)  # fmt: skip
        return 2

    rank, world = 0, 1
    if args.distributed:
        try:
            rank, world = start_distributed()
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    net = model.to(args.device)  # the model itself; `model` may become its DDP wrapper
    if world > 1:
        model = nn.parallel.DistributedDataParallel(net)  # copies rank 0's weights to all
    test_loader = DataLoader(test_set, batch_size=1000, device=args.device)
    sampler = None
    if args.distributed:  # each process its share of every epoch's shuffle
        sampler = DistributedSampler(train_set, shuffle=True, seed=args.seed, drop_last=True)
    share = len(train_set) if sampler is None else len(sampler)  # this process's examples
    steps_per_epoch = max(1, share // args.batch_size)
    optimizer = SGD(
        model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay
    )
    scheduler = CosineAnnealingLR(optimizer, T_max=max(1, args.epochs * steps_per_epoch))
    loss_fn = nn.CrossEntropyLoss()

    first_epoch = 0
    if args.resume:
        try:
            first_epoch = resume(args.resume, net, optimizer, scheduler, args.epochs)
        except ScheduleMismatch as exc:
            print(f"error: cannot resume from {args.resume}: {exc}", file=sys.stderr)
            return 2
        except (RuntimeError, FileNotFoundError, KeyError) as exc:
            print(f"error: cannot resume from {args.resume}: {exc}", file=sys.stderr)
            return 1
        say(rank, f"resumed from {args.resume} after epoch {first_epoch}")

    start = time.perf_counter()
    accuracy = evaluate(net, test_loader) if first_epoch >= args.epochs else None
    train_loader = DataLoader(
        train_set, batch_size=args.batch_size, drop_last=True, device=args.device,
        **({"sampler": sampler} if sampler else {"shuffle": True, "seed": args.seed}),
    )  # fmt: skip
    for epoch in range(first_epoch, args.epochs):
        # A fresh, reproducible shuffle each epoch: the order depends on (seed, epoch) only,
        # so a resumed run sees the same batches as an uninterrupted one.
        (sampler or train_loader).set_epoch(epoch)
        progress = None
        if tqdm is not None and not args.no_progress and rank == 0:
            progress = tqdm(total=len(train_loader), desc=f"epoch {epoch + 1}/{args.epochs}",
                            leave=False, file=sys.stderr)  # fmt: skip
        sums = train_epoch(model, train_loader, optimizer, scheduler, loss_fn, progress)
        if progress is not None:
            progress.close()
        if world > 1:  # the whole epoch's figures, over every process's share
            minigrad.distributed.all_reduce(sums)
        loss_sum, correct, seen = sums.tolist()
        accuracy = evaluate(net, test_loader)  # the same in every process
        say(
            rank,
            f"epoch {epoch + 1}/{args.epochs}  train_loss {loss_sum / seen:.4f}  "
            f"train_accuracy {correct / seen:.4f}  test_accuracy {accuracy:.4f}  "
            f"lr {scheduler.get_last_lr()[0]:.5f}  ({time.perf_counter() - start:.1f} s)",
        )
        if args.save and rank == 0:
            save(args.save, name, net, optimizer, scheduler, epoch + 1, args.epochs)
    seconds = time.perf_counter() - start
    say(
        rank,
        f"final test_accuracy={accuracy:.4f} epochs={args.epochs} seconds={seconds:.1f} "
        f"device={args.device}" + (f" processes={world}" if args.distributed else ""),
    )
    if args.distributed:
        minigrad.distributed.destroy_process_group()
    return 0


def start_distributed() -> tuple[int, int]:
    """Join the MPI job this process was started in; return (rank, world size)."""
    import minigrad.distributed as dist

    dist.init_process_group("mpi")
    return dist.get_rank(), dist.get_world_size()


def say(rank: int, line: str) -> None:
    """Print a line of the run's report, from process 0 only."""
    if rank == 0:
        print(line, flush=True)


def save(path, name, model, optimizer, scheduler, epochs_done: int, epochs: int) -> None:
    """Everything needed to continue: weights, optimizer and schedule state, the epoch,
    and the run's length (which the schedule was planned for)."""
    minigrad.save(
        {
            "example": name,
            "epoch": epochs_done,
            "epochs": epochs,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "rng": minigrad.get_rng_state(),
        },
        path,
    )


class ScheduleMismatch(RuntimeError):
    """The checkpoint's learning-rate schedule was planned for a different run length."""


def resume(path, model, optimizer, scheduler, epochs: int) -> int:
    """Load a checkpoint written by :func:`save`; return the number of epochs it had done.

    ``load_state_dict`` raises an error naming every missing, unexpected or misshaped key
    when the checkpoint comes from another architecture. A checkpoint from a run of
    another length is refused (ScheduleMismatch): its cosine schedule decays over the old
    number of steps, and restoring it would silently follow that schedule (past its end
    the rate climbs back up); bending it to the new length would jump the rate mid-run.
    The same options resume exactly where the run stopped.
    """
    checkpoint = minigrad.load(path)
    saved = checkpoint["scheduler"].get("T_max")
    if saved != scheduler.T_max and int(checkpoint["epoch"]) < epochs:  # steps left to take
        length = checkpoint.get("epochs")
        before = f"--epochs {length}" if length is not None else "another --epochs"
        raise ScheduleMismatch(
            f"it was saved by a run of {before} ({saved} steps of cosine schedule); this "
            f"run has --epochs {epochs} ({scheduler.T_max} steps). Resume with the options "
            f"it was saved with (the same --epochs, --batch-size and --limit), or start "
            f"a new run"
        )
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    minigrad.set_rng_state(checkpoint["rng"])
    return int(checkpoint["epoch"])
