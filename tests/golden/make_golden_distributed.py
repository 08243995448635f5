"""Write ``distributed_sampler.json``: PyTorch's DistributedSampler index lists.

    pip install torch==2.13.0
    python tests/golden/make_golden_distributed.py

For a few dataset sizes, replica counts and both ``drop_last`` settings, this records
every rank's indices without shuffling (which minigrad must reproduce exactly), and with
shuffling (seed 3, epoch 1) both PyTorch's permutation and its ranks' indices: minigrad
shuffles with NumPy's generator, so the test applies minigrad's partition to PyTorch's
permutation and compares. The file is written atomically and records the PyTorch version.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import torch
from torch.utils.data.distributed import DistributedSampler

HERE = Path(__file__).resolve().parent
SIZES = [1, 3, 7, 10, 11, 16, 17]
REPLICAS = [1, 2, 3, 4, 5]
SEED, EPOCH = 3, 1


def cases() -> list[dict]:
    out = []
    for n in SIZES:
        for replicas in REPLICAS:
            for drop_last in (False, True):
                if drop_last and n < replicas:
                    continue  # PyTorch gives every rank nothing: not worth a case
                g = torch.Generator()
                g.manual_seed(SEED + EPOCH)
                permutation = torch.randperm(n, generator=g).tolist()
                plain, shuffled = [], []
                for rank in range(replicas):
                    plain.append(
                        list(
                            DistributedSampler(
                                range(n), replicas, rank, shuffle=False, drop_last=drop_last
                            )
                        )
                    )
                    s = DistributedSampler(range(n), replicas, rank, shuffle=True, seed=SEED,
                                           drop_last=drop_last)  # fmt: skip
                    s.set_epoch(EPOCH)
                    shuffled.append(list(s))
                out.append({"n": n, "replicas": replicas, "drop_last": drop_last,
                            "plain": plain, "permutation": permutation,
                            "shuffled": shuffled})  # fmt: skip
    return out


def main() -> None:
    data = {"torch": torch.__version__, "seed": SEED, "epoch": EPOCH, "cases": cases()}
    target = HERE / "distributed_sampler.json"
    fd, tmp = tempfile.mkstemp(dir=HERE, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the golden file is for everyone
    os.replace(tmp, target)
    print(f"wrote {target} ({len(data['cases'])} cases)")


if __name__ == "__main__":
    main()
