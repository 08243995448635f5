"""The shape of a transfer-learning snippet in the style of PyTorch's fine-tuning tutorial
and pytorch/examples' ``imagenet/main.py``: a network with a ``features`` body and an
``fc`` head is first trained on digits 0-4 and saved (``torch.save`` of a dict holding its
``state_dict``); a new network loads it strictly (the result's ``missing_keys`` and
``unexpected_keys``), gets a new 10-way ``model.fc`` (``in_features``), sees
``load_state_dict(strict=False)`` still refuse the head's shapes, then loads a filtered
dict with a stray key (``missing, unexpected = ...``); its ``features`` are frozen
(``requires_grad = False``) and the rest fine-tuned on all ten digits by SGD over
``filter(lambda p: p.requires_grad, ...)`` with a ``StepLR``, on ``F.one_hot`` smoothed
targets (``CrossEntropyLoss`` of probabilities). Top-1/top-5 accuracy is computed the
ImageNet example's way (``topk``, ``pred.t()``, ``expand_as``,
``correct[:k].reshape(-1).float().sum(0, keepdim=True)``, ``mul_``) and logged with its
AverageMeter/ProgressMeter, which format the tensors; the best checkpoint (with the
optimizer's and scheduler's ``state_dict``) is kept with ``shutil.copyfile``, reloaded
with ``torch.load(weights_only=False)`` into a fresh model, and its optimizer state is
refused by an optimizer of the wrong shape. Ported by changing the imports; torchvision's
MNIST is ``minigrad.data.MNIST``, and the files live in a temporary folder.

``main`` returns the reloaded best checkpoint's top-1 test accuracy."""

import argparse
import os
import shutil
import tempfile
import time
from enum import Enum

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad.data import MNIST  # instead of: from torchvision import datasets
from minigrad.utils.data import DataLoader, Subset


class Net(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=5, padding=2),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((3, 3))
        self.fc = nn.Linear(32 * 3 * 3, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


# ----------------------------------------------------------------------------- logging
class Summary(Enum):
    NONE = 0
    AVERAGE = 1
    SUM = 2
    COUNT = 3


class AverageMeter:
    """Keeps the latest value and the running average of a quantity."""

    def __init__(self, name, fmt=":f", summary_type=Summary.AVERAGE):
        self.name = name
        self.fmt = fmt
        self.summary_type = summary_type
        self.reset()

    def reset(self):
        self.val = 0
        self.avg = 0
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count

    def __str__(self):
        fmtstr = "{name} {val" + self.fmt + "} ({avg" + self.fmt + "})"
        return fmtstr.format(**self.__dict__)

    def summary(self):
        if self.summary_type is Summary.NONE:
            fmtstr = ""
        elif self.summary_type is Summary.AVERAGE:
            fmtstr = "{name} {avg:.3f}"
        elif self.summary_type is Summary.SUM:
            fmtstr = "{name} {sum:.3f}"
        elif self.summary_type is Summary.COUNT:
            fmtstr = "{name} {count:.3f}"
        else:
            raise ValueError(f"invalid summary type {self.summary_type!r}")
        return fmtstr.format(**self.__dict__)


class ProgressMeter:
    def __init__(self, num_batches, meters, prefix=""):
        self.batch_fmtstr = self._get_batch_fmtstr(num_batches)
        self.meters = meters
        self.prefix = prefix

    def display(self, batch):
        entries = [self.prefix + self.batch_fmtstr.format(batch)]
        entries += [str(meter) for meter in self.meters]
        print("\t".join(entries))

    def display_summary(self):
        entries = [" *"]
        entries += [meter.summary() for meter in self.meters]
        print(" ".join(entries))

    def _get_batch_fmtstr(self, num_batches):
        num_digits = len(str(num_batches // 1))
        fmt = "{:" + str(num_digits) + "d}"
        return "[" + fmt + "/" + fmt.format(num_batches) + "]"


def accuracy(output, target, topk=(1,)):
    """Top-k accuracies (in percent) of ``output`` scores against ``target`` classes."""
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)

        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))

        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


# ----------------------------------------------------------------------------- loops
def smoothed_one_hot(target, num_classes, eps):
    one_hot = F.one_hot(target, num_classes=num_classes).float()
    return one_hot * (1.0 - eps) + eps / num_classes


def train(loader, model, criterion, optimizer, epoch, device, args, num_classes):
    batch_time = AverageMeter("Time", ":6.3f")
    data_time = AverageMeter("Data", ":6.3f")
    losses = AverageMeter("Loss", ":.4e")
    top1 = AverageMeter("Acc@1", ":6.2f")
    top5 = AverageMeter("Acc@5", ":6.2f")
    progress = ProgressMeter(
        len(loader), [batch_time, data_time, losses, top1, top5], prefix=f"Epoch: [{epoch}]"
    )

    model.train()
    end = time.time()
    for i, (images, target) in enumerate(loader):
        data_time.update(time.time() - end)
        images = images.to(device, non_blocking=True)
        target = target.to(device, non_blocking=True)

        output = model(images)
        loss = criterion(output, smoothed_one_hot(target, num_classes, args.smoothing))

        acc1, acc5 = accuracy(output, target, topk=(1, 5))
        losses.update(loss.item(), images.size(0))
        top1.update(acc1[0], images.size(0))
        top5.update(acc5[0], images.size(0))

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        batch_time.update(time.time() - end)
        end = time.time()
        if i % args.print_freq == 0:
            progress.display(i + 1)


def validate(loader, model, criterion, device, num_classes, args, prefix="Test: "):
    batch_time = AverageMeter("Time", ":6.3f", Summary.NONE)
    losses = AverageMeter("Loss", ":.4e", Summary.NONE)
    top1 = AverageMeter("Acc@1", ":6.2f", Summary.AVERAGE)
    top5 = AverageMeter("Acc@5", ":6.2f", Summary.AVERAGE)
    progress = ProgressMeter(len(loader), [batch_time, losses, top1, top5], prefix=prefix)

    model.eval()
    with torch.no_grad():
        end = time.time()
        for i, (images, target) in enumerate(loader):
            images, target = images.to(device), target.to(device)
            output = model(images)
            loss = criterion(output, F.one_hot(target, num_classes).float())
            acc1, acc5 = accuracy(output, target, topk=(1, 5))
            losses.update(loss.item(), images.size(0))
            top1.update(acc1[0], images.size(0))
            top5.update(acc5[0], images.size(0))
            batch_time.update(time.time() - end)
            end = time.time()
            if i % args.print_freq == 0:
                progress.display(i + 1)
    progress.display_summary()
    return top1.avg


def save_checkpoint(state, is_best, folder, filename="checkpoint.pth.tar"):
    path = os.path.join(folder, filename)
    torch.save(state, path)
    if is_best:
        shutil.copyfile(path, os.path.join(folder, "model_best.pth.tar"))


def indices_of(labels, keep):
    mask = labels < keep
    return torch.nonzero(mask, as_tuple=True)[0].tolist()


def main(argv=None):
    parser = argparse.ArgumentParser(description="fine-tune a pretrained feature extractor")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--pretrain-epochs", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--smoothing", type=float, default=0.1)
    parser.add_argument("--print-freq", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-limit", type=int, default=None)  # the port's budget
    parser.add_argument("--test-limit", type=int, default=None)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    folder = tempfile.mkdtemp(prefix="transfer_")  # the port's: removed at the end

    train_full, test_full = MNIST(train=True), MNIST(train=False)
    n_train = args.train_limit or len(train_full)
    n_test = args.test_limit or len(test_full)
    # pretraining data: digits 0-4 from the second half of the budget; fine-tuning: the first half
    half = n_train // 2
    pre_idx = [half + i for i in indices_of(train_full.labels[half:n_train], 5)]
    pretrain_set = Subset(train_full, pre_idx)
    finetune_set = Subset(train_full, range(half))
    test_set = Subset(test_full, range(n_test))
    print(
        f"pretrain {len(pretrain_set)} (digits 0-4), fine-tune {len(finetune_set)}, "
        f"test {len(test_set)}"
    )

    # ---------------------------------------------------------------- pretraining, 5 classes
    base = Net(num_classes=5).to(device)
    pre_opt = optim.SGD(base.parameters(), lr=args.lr, momentum=args.momentum)
    pre_loader = DataLoader(pretrain_set, batch_size=args.batch_size, shuffle=True)
    for epoch in range(args.pretrain_epochs):
        base.train()
        for images, target in pre_loader:
            loss = F.cross_entropy(base(images.to(device)), target.to(device))
            pre_opt.zero_grad()
            loss.backward()
            pre_opt.step()
        print(f"pretrain epoch {epoch}: last loss {loss.item():.4f}")
    pretrained_path = os.path.join(folder, "pretrained.pth")
    torch.save({"arch": "Net", "state_dict": base.state_dict()}, pretrained_path)

    # ---------------------------------------------------------------- fine-tuning, 10 classes
    num_classes = 10
    model = Net(num_classes=5)
    checkpoint = torch.load(pretrained_path, map_location="cpu")
    state_dict = checkpoint["state_dict"]

    # 1) the exact architecture: strict loading, nothing missing
    result = model.load_state_dict(state_dict, strict=True)
    assert not result.missing_keys and not result.unexpected_keys, result

    # 2) replace the head, then try the whole old state dict: the shapes of fc no longer fit
    num_ftrs = model.fc.in_features
    model.fc = nn.Linear(num_ftrs, num_classes)
    try:
        model.load_state_dict(state_dict, strict=False)
        raise AssertionError("a shape mismatch should raise even with strict=False")
    except RuntimeError as err:
        print("as expected:", str(err).splitlines()[0])

    # 3) drop the head's tensors (and add a stray one): missing and unexpected keys reported
    own = model.state_dict()
    filtered = {k: v for k, v in state_dict.items() if k in own and v.shape == own[k].shape}
    filtered["aux_classifier.weight"] = torch.zeros(3)
    missing, unexpected = model.load_state_dict(filtered, strict=False)
    print("missing:", missing, "unexpected:", unexpected)
    assert sorted(missing) == ["fc.bias", "fc.weight"], missing
    assert unexpected == ["aux_classifier.weight"], unexpected
    assert torch.equal(model.features[0].weight, state_dict["features.0.weight"])

    # freeze the feature extractor
    for p in model.features.parameters():
        p.requires_grad = False
    model = model.to(device)
    frozen_before = {n: p.detach().clone() for n, p in model.features.named_parameters()}
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    print(f"trainable parameters: {trainable} of {total}")

    criterion = nn.CrossEntropyLoss()  # takes the (smoothed) one-hot probabilities as targets
    optimizer = optim.SGD(
        filter(lambda p: p.requires_grad, model.parameters()),
        args.lr,
        momentum=args.momentum,
        weight_decay=args.weight_decay,
    )
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    assert len(optimizer.param_groups[0]["params"]) == 2

    train_loader = DataLoader(
        finetune_set, batch_size=args.batch_size, shuffle=True, num_workers=0, pin_memory=True
    )
    val_loader = DataLoader(test_set, batch_size=256, shuffle=False)

    best_acc1 = 0
    for epoch in range(args.epochs):
        train(train_loader, model, criterion, optimizer, epoch, device, args, num_classes)
        acc1 = validate(val_loader, model, criterion, device, num_classes, args)
        scheduler.step()

        is_best = acc1 > best_acc1
        best_acc1 = max(acc1, best_acc1)
        save_checkpoint(
            {
                "epoch": epoch + 1,
                "arch": "Net",
                "state_dict": model.state_dict(),
                "best_acc1": best_acc1,
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
            },
            is_best,
            folder,
        )

    # the frozen layers kept their weights and never got gradients
    for n, p in model.features.named_parameters():
        assert p.grad is None, n
        assert torch.equal(p, frozen_before[n]), n

    # reload the best checkpoint into a fresh model and check its accuracy
    best = torch.load(os.path.join(folder, "model_best.pth.tar"), weights_only=False)
    fresh = Net(num_classes=num_classes)
    fresh.load_state_dict(best["state_dict"])
    fresh_opt = optim.SGD(fresh.parameters(), args.lr, momentum=args.momentum)
    try:
        fresh_opt.load_state_dict(best["optimizer"])  # one group of 2 against 10 parameters
        raise AssertionError("loading a 2-parameter group into a 10-parameter group should fail")
    except ValueError as err:
        print("as expected:", err)
    acc = validate(
        val_loader, fresh.to(device), criterion, device, num_classes, args, prefix="Best: "
    )
    print(
        f"best checkpoint from epoch {best['epoch']}: Acc@1 {best['best_acc1']:.3f} "
        f"(reloaded {acc:.3f})"
    )
    shutil.rmtree(folder)
    return float(acc) / 100.0


if __name__ == "__main__":
    main()
