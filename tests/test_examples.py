"""The examples run, and learn: a smoke test so that they cannot rot."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str):
    if str(EXAMPLES) not in sys.path:  # the MNIST examples import their shared mnist_common
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_spiral_demo_learns(capsys, device):
    demo = _load("spiral_demo")
    assert demo.main(["--steps", "600", "--device", device]) == 0
    final = capsys.readouterr().out.strip().splitlines()[-1]
    fields = dict(item.split("=") for item in final.split()[1:])
    assert final.startswith("final ")
    assert float(fields["train_accuracy"]) > 0.9  # chance is 0.5
    assert fields["device"] == device


def test_spiral_demo_is_deterministic(capsys):
    demo = _load("spiral_demo")
    demo.main(["--steps", "50"])
    first = capsys.readouterr().out.splitlines()[:-1]  # the last line holds the wall time
    demo.main(["--steps", "50"])
    assert capsys.readouterr().out.splitlines()[:-1] == first


# ----------------------------------------------------------------------------------------
# The MNIST examples (on a few hundred examples, so that the suite stays fast)
# ----------------------------------------------------------------------------------------

SMALL = ["--limit", "512", "--epochs", "1", "--batch-size", "64", "--no-progress"]


def _final_fields(output: str) -> dict[str, str]:
    final = output.strip().splitlines()[-1]
    assert final.startswith("final ")
    return dict(item.split("=") for item in final.split()[1:])


def test_mnist_mlp_smoke_run_learns(capsys, device):
    mlp = _load("mnist_mlp")
    assert mlp.main([*SMALL, "--depth", "2", "--width", "64", "--device", device]) == 0
    fields = _final_fields(capsys.readouterr().out)
    assert float(fields["test_accuracy"]) > 0.6  # chance is 0.1; 512 examples, one epoch
    assert fields["epochs"] == "1" and fields["device"] == device


def test_mnist_mlp_same_seed_same_accuracy(capsys):
    mlp = _load("mnist_mlp")
    args = [*SMALL, "--depth", "2", "--width", "32", "--seed", "3"]
    mlp.main(args)
    first = _final_fields(capsys.readouterr().out)["test_accuracy"]
    mlp.main(args)
    assert _final_fields(capsys.readouterr().out)["test_accuracy"] == first


def test_mnist_mlp_options_build_the_right_model():
    mlp = _load("mnist_mlp")
    default = mlp.build_model()
    linears = [m for m in default if type(m).__name__ == "Linear"]
    norms = [m for m in default if type(m).__name__ == "BatchNorm1d"]
    assert len(linears) == 8 and len(norms) == 7
    assert (linears[0].in_features, linears[0].out_features) == (784, 500)
    plain = mlp.build_model(depth=3, width=20, activation="sigmoid", batch_norm=False)
    assert [type(m).__name__ for m in plain] == ["Flatten"] + ["Linear", "Sigmoid"] * 3 + ["Linear"]


def test_mnist_mlp_save_and_resume_continue_the_same_run(capsys, tmp_path, monkeypatch):
    mlp = _load("mnist_mlp")
    common = sys.modules["mnist_common"]
    args = [*SMALL[:2], "--batch-size", "64", "--no-progress", "--depth", "1", "--width", "32"]
    args += ["--epochs", "2"]
    checkpoint = tmp_path / "run.ckpt"
    assert mlp.main(args) == 0
    straight = _final_fields(capsys.readouterr().out)["test_accuracy"]

    save = common.save

    def save_then_stop(*a, **k):  # the run is interrupted right after its first checkpoint
        save(*a, **k)
        raise KeyboardInterrupt

    monkeypatch.setattr(common, "save", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        mlp.main([*args, "--save", str(checkpoint)])
    monkeypatch.undo()
    capsys.readouterr()
    assert mlp.main([*args, "--resume", str(checkpoint)]) == 0
    out = capsys.readouterr().out
    assert "resumed from" in out
    assert _final_fields(out)["test_accuracy"] == straight


def test_mnist_mlp_resume_from_another_architecture_names_the_keys(capsys, tmp_path):
    mlp = _load("mnist_mlp")
    checkpoint = tmp_path / "wide.ckpt"
    assert mlp.main([*SMALL, "--depth", "1", "--width", "16", "--save", str(checkpoint)]) == 0
    capsys.readouterr()
    code = mlp.main([*SMALL, "--depth", "2", "--width", "16", "--resume", str(checkpoint)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Missing key(s)" in err and "'7.weight'" in err
    assert "size mismatch for 4.weight" in err


def test_mnist_cnn_smoke_run_learns(capsys, device):
    cnn = _load("mnist_cnn")
    assert cnn.main([*SMALL, "--device", device]) == 0
    assert float(_final_fields(capsys.readouterr().out)["test_accuracy"]) > 0.5


def test_examples_refuse_cuda_without_a_gpu(capsys):
    import minigrad

    if minigrad.cuda.is_available():
        pytest.skip("a GPU is available, so --device cuda is valid here")
    mlp = _load("mnist_mlp")
    assert mlp.main([*SMALL, "--device", "cuda"]) == 2
    assert "needs CuPy and an NVIDIA GPU" in capsys.readouterr().err


def test_examples_explain_missing_data(capsys, tmp_path):
    mlp = _load("mnist_mlp")
    assert mlp.main([*SMALL, "--data", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "nowhere" in err


# ----------------------------------------------------------------------------------------
# Bad options stop the run at once: one line, exit status 2, no traceback (issue 22)
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--batch-size", "0"], "argument --batch-size: expected an integer >= 1, got 0"),
        (["--batch-size", "-5"], "argument --batch-size: expected an integer >= 1, got -5"),
        (["--limit", "100"], "--limit 100 is fewer examples than one batch (--batch-size 128)"),
        (["--save", "{tmp}/missing/run.ckpt"], "the folder {tmp}/missing does not exist"),
        (["--save", "{tmp}"], "--save {tmp} is a folder"),
        (["--lr", "nan"], "argument --lr: expected a finite number >= 0, got nan"),
    ],
)
def test_bad_options_give_one_line_and_status_2(options, message, tmp_path):
    options = [o.format(tmp=tmp_path) for o in options]
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "mnist_mlp.py"), *options, "--depth", "1",
         "--width", "8", "--epochs", "1", "--no-progress"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "error: " in result.stderr
    assert message.format(tmp=tmp_path) in result.stderr
    assert "epoch" not in result.stdout  # refused before any training


def test_the_save_folder_is_checked_before_training(capsys, tmp_path):
    cnn = _load("mnist_cnn")
    assert cnn.main([*SMALL, "--save", str(tmp_path / "gone" / "c.ckpt")]) == 2
    out, err = capsys.readouterr()
    assert "does not exist" in err and "epoch 1/1" not in out


def test_resuming_with_another_number_of_epochs_is_refused(capsys, tmp_path):
    """The checkpoint's cosine schedule covers one epoch; following it through a second
    one would raise the rate from 0 back to 0.1. Refused, naming both lengths."""
    mlp = _load("mnist_mlp")
    small = [*SMALL[:2], "--batch-size", "64", "--no-progress", "--depth", "1", "--width", "16"]
    checkpoint = tmp_path / "one.ckpt"
    assert mlp.main([*small, "--epochs", "1", "--save", str(checkpoint)]) == 0
    capsys.readouterr()
    assert mlp.main([*small, "--epochs", "2", "--resume", str(checkpoint)]) == 2
    out, err = capsys.readouterr()
    assert "--epochs 1 (8 steps of cosine schedule)" in err
    assert "this run has --epochs 2 (16 steps)" in err
    assert "epoch 2/2" not in out
    # Asking for no more epochs than were done trains nothing: the schedule does not matter.
    assert mlp.main([*small, "--epochs", "1", "--resume", str(checkpoint)]) == 0
