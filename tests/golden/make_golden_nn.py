"""Write ``nn.npz``: PyTorch's results for the module cases in ``nn_cases.py``.

    pip install torch==2.13.0
    python tests/golden/make_golden_nn.py

For each case: the initial state_dict, the inputs and outputs of each training-mode
forward pass, the random output gradient of the last one with the input and parameter
gradients it gives, the final state_dict, and the evaluation-mode output. A case with Lazy
modules is first run once on zeros (evaluation mode, no gradient), which gives them their
shapes before the initial state_dict is recorded. For each clipping case in ``CLIP_CASES``:
the gradients before and after, and the total norm returned.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from make_golden import SEED, make_input, save_atomically
from nn_cases import CLIP_CASES, NN_CASES

HERE = Path(__file__).resolve().parent
GRAD_KINDS = ("f", "p", "d")


def run_case(case, rng: np.random.Generator) -> dict[str, np.ndarray]:
    torch.manual_seed(0)
    module = case.build(torch.nn)
    if any(torch.nn.parameter.is_lazy(t) for t in module.state_dict(keep_vars=True).values()):
        module.eval()  # a dry run: shapes for the Lazy modules, no statistics moved
        with torch.no_grad():
            module(*[torch.zeros(shape) for shape, _ in case.inputs])
    record = {f"state0.{k}": v.detach().numpy().copy() for k, v in module.state_dict().items()}
    inputs = []
    for step in range(case.train_steps):
        arrays = [make_input(rng, shape, kind) for shape, kind in case.inputs]
        inputs = []
        for i, (array, (_, kind)) in enumerate(zip(arrays, case.inputs)):
            record[f"in{step}.{i}"] = array
            inputs.append(torch.tensor(array, requires_grad=kind in GRAD_KINDS))
        module.train()
        out = module(*inputs)
        record[f"out{step}"] = out.detach().numpy()
        if step == case.train_steps - 1 and out.requires_grad:
            module.zero_grad()
            v = rng.standard_normal(out.shape).astype(np.float32)
            out.backward(torch.tensor(v))
            record["v"] = v
            for i, t in enumerate(inputs):
                if t.requires_grad:
                    record[f"input_grad.{i}"] = t.grad.numpy()
            for name, p in module.named_parameters():
                record[f"param_grad.{name}"] = p.grad.numpy()
    record.update(
        {f"state1.{k}": v.detach().numpy().copy() for k, v in module.state_dict().items()}
    )
    if case.evaluate:
        module.eval()
        with torch.no_grad():
            record["eval_out"] = module(*inputs).numpy()
    return record


def run_clip_case(case, rng: np.random.Generator) -> dict[str, np.ndarray]:
    record = {}
    params = []
    for i, (shape, kind) in enumerate(case.grads):
        dtype = torch.float64 if kind == "d" else torch.float32
        p = torch.zeros(shape, dtype=dtype, requires_grad=True)
        if kind != "n":
            grad = rng.standard_normal(shape) * case.scale
            record[f"grad_in.{i}"] = grad.astype(np.float64 if kind == "d" else np.float32)
            p.grad = torch.tensor(record[f"grad_in.{i}"])
        params.append(p)
    result = case.fn(torch.nn, params)
    if result is not None:
        record["result"] = result.numpy()
    for i, p in enumerate(params):
        if p.grad is not None:
            record[f"grad_out.{i}"] = p.grad.numpy()
    return record


def main() -> None:
    rng = np.random.default_rng(SEED + 7)
    arrays: dict[str, np.ndarray] = {"__torch_version__": np.array(torch.__version__)}
    for name, case in NN_CASES.items():
        for key, value in run_case(case, rng).items():
            arrays[f"{name}/{key}"] = np.asarray(value)
    clip_rng = np.random.default_rng(SEED + 11)  # its own stream: the module cases keep theirs
    for name, case in CLIP_CASES.items():
        for key, value in run_clip_case(case, clip_rng).items():
            arrays[f"{name}/{key}"] = np.asarray(value)
    save_atomically(HERE / "nn.npz", arrays)
    print(
        f"wrote {len(NN_CASES)} module cases and {len(CLIP_CASES)} clipping cases with "
        f"PyTorch {torch.__version__} to nn.npz"
    )


if __name__ == "__main__":
    sys.exit(main())
