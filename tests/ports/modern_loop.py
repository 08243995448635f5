"""The shape of a "modern PyTorch training loop" tutorial, on MNIST: a small ResNet
(BasicBlocks with residual shortcuts, ``Conv2d(bias=False)`` + ``BatchNorm2d`` +
``ReLU(inplace=True)``, ``out += identity``, ``AdaptiveAvgPool2d((1, 1))``,
``torch.flatten(x, 1)``) initialised by a loop over ``self.modules()``
(``kaiming_normal_(mode="fan_out")``, zero-initialised last norms of each block); a
custom augmenting Dataset (a random crop of an ``F.pad`` copy by ``torch.randint``); a
seeded DataLoader (``generator``, ``worker_init_fn`` with ``torch.initial_seed()``,
worker options, ``drop_last``); ``random_split`` by fractions with a generator;
``use_deterministic_algorithms``; AdamW with parameter groups (no weight decay on biases
and norms); a choice of ``OneCycleLR`` / ``CosineAnnealingLR`` / ``ReduceLROnPlateau`` /
``LinearLR`` + ``SequentialLR`` warm-up; label-smoothed cross entropy;
``zero_grad(set_to_none=True)``; ``torch.amp.autocast`` and a ``GradScaler``
(``scale``/``unscale_``/``step``/``update``; float16 on the CPU with ``--amp``);
``clip_grad_norm_``; ``inference_mode`` evaluation; a checkpoint of the model's,
optimizer's and scheduler's ``state_dict`` and the epoch that a rebuilt run resumes from
(``--stop-after``); ``copy.deepcopy`` of the best ``state_dict``; and early stopping.
Ported by changing the imports; torchvision's MNIST is ``minigrad.data.MNIST``, and the
checkpoint lives in a temporary folder.

``main`` returns the test accuracy."""

import argparse
import copy
import os
import random
import shutil
import tempfile
import time

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.data import MNIST  # instead of: from torchvision import datasets
from minigrad.optim.lr_scheduler import (
    CosineAnnealingLR,
    LinearLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
)
from minigrad.utils.data import DataLoader, Dataset, Subset, random_split


# ----------------------------------------------------------------------------- model
def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        if self.downsample is not None:
            identity = self.downsample(x)

        out += identity
        out = self.relu(out)
        return out


class SmallResNet(nn.Module):
    def __init__(
        self, layers=(1, 1, 1), widths=(16, 32, 64), num_classes=10, zero_init_residual=True
    ):
        super().__init__()
        self.inplanes = widths[0]
        self.conv1 = nn.Conv2d(1, self.inplanes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(widths[0], layers[0])
        self.layer2 = self._make_layer(widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(widths[2], layers[2], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[2] * BasicBlock.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

        # Zero-initialise the last BN in each residual branch (each block starts as identity)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * BasicBlock.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * BasicBlock.expansion, stride),
                nn.BatchNorm2d(planes * BasicBlock.expansion),
            )
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * BasicBlock.expansion
        for _ in range(1, blocks):
            layers.append(BasicBlock(self.inplanes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)

        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)

        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        x = self.fc(x)
        return x


# ----------------------------------------------------------------------------- data
class AugmentedDigits(Dataset):
    """Wraps a dataset of (image, label); in training mode each image is shifted by a
    random crop of its zero-padded copy."""

    def __init__(self, base, augment=False, pad=2):
        self.base = base
        self.augment = augment
        self.pad = pad

    def __len__(self):
        return len(self.base)

    def __getitem__(self, idx):
        image, label = self.base[idx]
        if self.augment:
            _, h, w = image.shape
            padded = F.pad(
                image, (self.pad, self.pad, self.pad, self.pad), mode="constant", value=0.0
            )
            top = torch.randint(0, 2 * self.pad + 1, (1,)).item()
            left = torch.randint(0, 2 * self.pad + 1, (1,)).item()
            image = padded[:, top : top + h, left : left + w]
            if torch.rand(1) < 0.5:  # a little brightness jitter
                image = image * (1.0 + 0.1 * (torch.rand(1) - 0.5))
        return image, label


def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


# ----------------------------------------------------------------------------- loops
def train_one_epoch(model, loader, criterion, optimizer, scheduler, scaler, device, args, epoch):
    model.train()
    running_loss, seen, correct = 0.0, 0, 0
    for step, (images, targets) in enumerate(loader):
        images = images.to(device, non_blocking=True)
        targets = targets.to(device, non_blocking=True)

        optimizer.zero_grad(set_to_none=True)
        with torch.amp.autocast(device_type=device.type, dtype=torch.float16, enabled=args.amp):
            outputs = model(images)
            loss = criterion(outputs, targets)

        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=args.clip)
        scaler.step(optimizer)
        scaler.update()
        if args.sched == "onecycle":
            scheduler.step()

        running_loss += loss.item() * images.size(0)
        seen += images.size(0)
        correct += (outputs.argmax(dim=1) == targets).sum().item()
        if step % args.log_interval == 0:
            lr = optimizer.param_groups[0]["lr"]
            print(
                f"epoch {epoch} step {step}/{len(loader)} loss {loss.item():.4f} "
                f"grad_norm {grad_norm:.3f} lr {lr:.2e}"
            )
    return running_loss / seen, correct / seen


def evaluate(model, loader, criterion, device):
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.inference_mode():
        for images, targets in loader:
            images, targets = images.to(device), targets.to(device)
            outputs = model(images)
            total_loss += criterion(outputs, targets).item() * targets.size(0)
            correct += (outputs.argmax(1) == targets).sum().item()
            count += targets.size(0)
    return total_loss / count, correct / count


def make_scheduler(name, optimizer, args, steps_per_epoch):
    if name == "onecycle":
        return OneCycleLR(
            optimizer,
            max_lr=args.lr,
            epochs=args.epochs,
            steps_per_epoch=steps_per_epoch,
            pct_start=0.25,
        )
    if name == "cosine":
        return CosineAnnealingLR(optimizer, T_max=args.epochs, eta_min=args.lr * 0.01)
    if name == "plateau":
        return ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=0)
    if name == "warmup":
        warm = LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=1)
        cosine = CosineAnnealingLR(optimizer, T_max=max(1, args.epochs - 1))
        return SequentialLR(optimizer, schedulers=[warm, cosine], milestones=[1])
    raise ValueError(name)


def save_checkpoint(path, model, optimizer, scheduler, epoch, best_val):
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "epoch": epoch,
            "best_val": best_val,
        },
        path,
    )


def build(args, device, steps_per_epoch):
    model = SmallResNet(layers=(1, 1, 1), widths=tuple(args.widths)).to(device)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1 and not n.endswith(".bias")]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1 or n.endswith(".bias")]
    param_groups = [
        {"params": decay, "weight_decay": args.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(param_groups, lr=args.lr, betas=(0.9, 0.999))
    scheduler = make_scheduler(args.sched, optimizer, args, steps_per_epoch)
    return model, optimizer, scheduler


def main(argv=None):
    parser = argparse.ArgumentParser(description="modern training loop, small ResNet on MNIST")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--clip", type=float, default=1.0)
    parser.add_argument(
        "--sched", choices=["onecycle", "cosine", "plateau", "warmup"], default="onecycle"
    )
    parser.add_argument("--amp", action="store_true", help="float16 autocast on the CPU")
    parser.add_argument("--widths", type=int, nargs=3, default=[16, 32, 64])
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--num-workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-interval", type=int, default=20)
    parser.add_argument("--resume", default="", help="checkpoint to resume from")
    parser.add_argument("--checkpoint", default="", help="where to write the checkpoint")
    parser.add_argument(
        "--stop-after",
        type=int,
        default=None,
        help="stop after this epoch, then resume from the checkpoint (tests resuming)",
    )
    parser.add_argument("--train-limit", type=int, default=None)  # the port's budget
    parser.add_argument("--test-limit", type=int, default=None)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    full_train = MNIST(train=True)
    test_set = MNIST(train=False)
    if args.train_limit:
        full_train = Subset(full_train, range(args.train_limit))
    if args.test_limit:
        test_set = Subset(test_set, range(args.test_limit))

    split_gen = torch.Generator().manual_seed(42)
    train_part, val_part = random_split(full_train, [0.9, 0.1], generator=split_gen)
    train_set = AugmentedDigits(train_part, augment=True)
    val_set = AugmentedDigits(val_part, augment=False)

    g = torch.Generator()
    g.manual_seed(args.seed)
    loader_kwargs = dict(
        num_workers=args.num_workers, pin_memory=True, persistent_workers=args.num_workers > 0
    )
    train_loader = DataLoader(
        train_set,
        batch_size=args.batch_size,
        shuffle=True,
        drop_last=True,
        generator=g,
        worker_init_fn=seed_worker,
        **loader_kwargs,
    )
    val_loader = DataLoader(
        val_set, batch_size=args.test_batch_size, shuffle=False, **loader_kwargs
    )
    test_loader = DataLoader(test_set, batch_size=args.test_batch_size, shuffle=False)
    print(
        f"train {len(train_set)} val {len(val_set)} test {len(test_set)} "
        f"batches/epoch {len(train_loader)}"
    )

    model, optimizer, scheduler = build(args, device, len(train_loader))
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"parameters: {n_params}; groups {[len(g['params']) for g in optimizer.param_groups]}")
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    scaler = torch.amp.GradScaler(device.type, enabled=args.amp)

    workdir = tempfile.mkdtemp(prefix="modern_loop_")  # the port's: removed at the end
    ckpt_path = args.checkpoint or args.resume or os.path.join(workdir, "last.pt")
    start_epoch, best_val = 0, float("inf")
    if args.resume:
        checkpoint = torch.load(args.resume, weights_only=True)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        start_epoch = checkpoint["epoch"] + 1
        best_val = checkpoint["best_val"]
        print(f"resumed from {args.resume} at epoch {start_epoch}")

    best_state, bad_epochs = None, 0
    for epoch in range(start_epoch, args.epochs):
        t0 = time.time()
        train_loss, train_acc = train_one_epoch(
            model, train_loader, criterion, optimizer, scheduler, scaler, device, args, epoch
        )
        val_loss, val_acc = evaluate(model, val_loader, criterion, device)
        if args.sched == "plateau":
            scheduler.step(val_loss)
        elif args.sched != "onecycle":
            scheduler.step()
        print(
            f"epoch {epoch}: train loss {train_loss:.4f} acc {train_acc:.4f} | "
            f"val loss {val_loss:.4f} acc {val_acc:.4f} | lr {scheduler.get_last_lr()[0]:.2e} "
            f"| {time.time() - t0:.1f}s"
        )

        if val_loss < best_val:
            best_val, bad_epochs = val_loss, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad_epochs += 1
        save_checkpoint(ckpt_path, model, optimizer, scheduler, epoch, best_val)
        if bad_epochs >= args.patience:
            print(f"early stopping at epoch {epoch}")
            break

        if args.stop_after is not None and epoch == args.stop_after:
            # simulate an interrupted job: rebuild everything and resume from the file
            print(f"interrupting after epoch {epoch}; resuming from {ckpt_path}")
            checkpoint = torch.load(ckpt_path, weights_only=False)
            resumed_model, optimizer, scheduler = build(args, device, len(train_loader))
            resumed_model.load_state_dict(checkpoint["model"])
            optimizer.load_state_dict(checkpoint["optimizer"])
            scheduler.load_state_dict(checkpoint["scheduler"])
            assert checkpoint["epoch"] == epoch
            before = evaluate(model, val_loader, criterion, device)
            after = evaluate(resumed_model, val_loader, criterion, device)
            print(f"val before {before} after resume {after}")
            assert abs(before[0] - after[0]) < 1e-5, (before, after)
            model = resumed_model

    if best_state is not None:
        model.load_state_dict(best_state)
    test_loss, test_acc = evaluate(model, test_loader, criterion, device)
    print(f"test loss {test_loss:.4f} accuracy {test_acc:.4f}")
    shutil.rmtree(workdir)
    return test_acc


if __name__ == "__main__":
    main()
