"""save / load: round trips, the atomic write, and clear errors for bad files."""

from __future__ import annotations

import abc
import collections
import io
import json
import os
import pathlib
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad.optim import SGD
from minigrad.optim.lr_scheduler import CosineAnnealingLR
from minigrad.serialization import CheckpointError, UnsupportedTypeError, load, save


def assert_same(a, b, where="obj"):
    """Deep equality that also checks types (int vs float vs bool, list vs tuple, key types)
    and tensors' dtype, shape, values and requires_grad."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, minigrad.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.requires_grad == b.requires_grad, where
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=where)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        for key in a:
            assert type(key) is type(next(k for k in b if k == key and type(k) is type(key)))
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where


@pytest.fixture
def nested(device):
    return {
        "f32": minigrad.randn(3, 4, device=device),
        "f64": minigrad.tensor([1.5, -2.25], dtype=minigrad.float64, device=device),
        "f16": minigrad.tensor([0.5, 1.0], dtype=minigrad.float16, device=device),
        "i64": minigrad.arange(5, device=device),
        "i32": minigrad.tensor([[1, -2]], dtype=minigrad.int32, device=device),
        "u8": minigrad.tensor([0, 255], dtype=minigrad.uint8, device=device),
        "bool": minigrad.tensor([True, False], device=device),
        "scalar": minigrad.tensor(3.5, device=device),
        "empty": minigrad.zeros(0, 3, device=device),
        "param": minigrad.ones(2, device=device, requires_grad=True),
        "state": {0: {"momentum_buffer": minigrad.zeros(2, device=device)}, 1: {}},
        "mixed_keys": {1: "one", "1": "string one", -7: None},
        "list": [1, 2.5, "three", None, True, [], {}],
        "tuple": (1, (2.0, "x"), []),
        "floats": [0.1, -0.0, float("inf"), float("-inf"), float("nan"), 1e-310, 1e308],
        "ints": [0, -1, 2**70, False],
        "text": 'unicode ✓ \n "quoted" \udc80',
        "numpy": np.arange(6, dtype=np.int16).reshape(2, 3),
        "numpy_f": np.array([1.0, np.nan], dtype=">f8"),
        "numpy_scalar": np.float32(2.5),
        "ordered": OrderedDict([("b", 1), ("a", 2)]),
    }


def test_round_trip_nested(nested, tmp_path):
    path = tmp_path / "ckpt.npz"
    save(nested, path)
    loaded = load(path)
    assert_same(nested if nested["f32"].device.type == "cpu" else _to_cpu(nested), loaded)
    for value in loaded.values():
        if isinstance(value, minigrad.Tensor):
            assert value.device == "cpu"  # the default: the CPU, whatever the source
    assert loaded["scalar"].shape == () and loaded["scalar"].item() == 3.5
    assert type(loaded["numpy_scalar"]) is np.float32


def _to_cpu(obj):
    if isinstance(obj, minigrad.Tensor):
        t = obj.cpu()
        return t.detach().requires_grad_(obj.requires_grad)
    if isinstance(obj, dict):
        return type(obj)((k, _to_cpu(v)) for k, v in obj.items())
    if isinstance(obj, list | tuple):
        return type(obj)(_to_cpu(v) for v in obj)
    return obj


@pytest.mark.parametrize("value", [None, 3, 2.5, "s", True, [1, [2]], (), {}])
def test_round_trip_plain_values(value, tmp_path):
    save(value, tmp_path / "v")
    assert_same(value, load(tmp_path / "v"))


def test_path_types_and_no_suffix_added(tmp_path):
    save({"a": 1}, str(tmp_path / "model.pt"))
    assert os.listdir(tmp_path) == ["model.pt"]
    assert load(pathlib.Path(tmp_path / "model.pt")) == {"a": 1}
    assert load(str(tmp_path / "model.pt")) == {"a": 1}


def test_shared_tensor_is_stored_once(tmp_path, device):
    t = minigrad.ones(3, device=device)
    save({"a": t, "b": [t]}, tmp_path / "c")
    loaded = load(tmp_path / "c")
    assert loaded["a"] is loaded["b"][0]
    with np.load(tmp_path / "c", allow_pickle=False) as archive:
        assert sorted(archive.files) == ["__minigrad__", "a0"]


def test_file_records_format_dtype_device_and_digests(tmp_path, device):
    save({"w": minigrad.ones(2, device=device)}, tmp_path / "c")
    with np.load(tmp_path / "c", allow_pickle=False) as archive:
        header = json.loads(str(archive["__minigrad__"][()]))
    assert header["format"] == "minigrad-checkpoint" and header["version"] == 1
    node = header["root"]["values"][0]
    assert node["dtype"] == "float32" and node["device"] == str(minigrad.Device(device))
    assert len(node["sha256"]) == 64


def test_map_location(tmp_path, device):
    save({"w": minigrad.ones(2, device=device)}, tmp_path / "c")
    for location in ("cpu", minigrad.Device("cpu"), None):
        assert load(tmp_path / "c", map_location=location)["w"].device == "cpu"
    loaded = load(tmp_path / "c", map_location=device)
    assert loaded["w"].device == minigrad.Device(device)
    assert loaded["w"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="map_location"):
        load(tmp_path / "c", map_location=3)


def test_map_location_dict_maps_saved_devices_and_leaves_the_rest(tmp_path, device):
    saved_on = str(minigrad.Device(device))  # "cpu" or "cuda:N"
    save({"w": minigrad.ones(2, device=device), "c": minigrad.zeros(1)}, tmp_path / "c")
    loaded = load(tmp_path / "c", map_location={saved_on: "cpu"})
    assert loaded["w"].device == "cpu" and loaded["c"].device == "cpu"
    # A device missing from the dict loads where it was saved, as in PyTorch.
    loaded = load(tmp_path / "c", map_location={"cuda:7": "cpu"})
    assert loaded["w"].device == minigrad.Device(device) and loaded["c"].device == "cpu"
    with pytest.raises(TypeError, match="maps device names to devices"):
        load(tmp_path / "c", map_location={"cpu": 0})


def test_save_and_load_take_file_objects(tmp_path):
    state = {"w": minigrad.tensor([1.0, 2.0]), "epoch": 3}
    buffer = io.BytesIO()
    buffer.write(b"prefix")  # the archive goes at the current position
    save(state, buffer)
    buffer.seek(6)
    assert_same(load(buffer, weights_only=True), state)
    with open(tmp_path / "c", "wb") as f:
        save(state, f)
    with open(tmp_path / "c", "rb") as f:
        assert_same(load(f, map_location="cpu"), state)

    class Stream:  # a pipe-like reader that cannot seek: read into memory first
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def read(self, n=-1):
            return self.data.read(n)

    assert_same(load(Stream((tmp_path / "c").read_bytes())), state)


def test_a_stream_with_several_checkpoints_loads_the_one_at_its_position():
    stream = io.BytesIO()
    save({"a": minigrad.tensor([1.0])}, stream)
    second = stream.tell()
    # The next one's bytes hold an end-of-archive signature: the search must not stop there.
    marker = np.frombuffer(b"PK\x05\x06" * 4, dtype=np.float32)
    save({"b": minigrad.tensor(marker)}, stream)
    save({"c": minigrad.tensor([3.0])}, stream)
    stream.seek(0)
    assert load(stream)["a"].tolist() == [1.0]  # not the last archive, as zipfile finds
    stream.seek(second)
    assert load(stream)["b"].numpy().tobytes() == marker.tobytes()


def test_load_takes_a_map_location_function_and_pickles_arguments(tmp_path):
    save({"w": minigrad.ones(2)}, tmp_path / "c")
    seen = []

    def where(tensor, location):
        seen.append(location)
        return tensor * 2

    assert load(tmp_path / "c", map_location=where)["w"].tolist() == [2.0, 2.0]
    assert seen == ["cpu"]
    assert load(tmp_path / "c", map_location=lambda t, loc: None)["w"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="map_location returned a int"):
        load(tmp_path / "c", map_location=lambda t, loc: 3)
    assert load(tmp_path / "c", encoding="latin1")["w"].tolist() == [1.0, 1.0]  # ignored
    with pytest.raises(TypeError, match="unexpected keyword argument 'map_locaton'"):
        load(tmp_path / "c", map_locaton="cpu")


def test_file_object_errors_name_the_problem(tmp_path):
    with pytest.raises(TypeError, match="text mode; open it with 'wb'"):
        save({}, io.StringIO())
    (tmp_path / "t").write_text("hello")
    with open(tmp_path / "t") as f, pytest.raises(TypeError, match="text mode; open it with 'rb'"):
        load(f)
    with pytest.raises(TypeError, match=r"path .* or a binary file object .* got int"):
        save({}, 3)
    with pytest.raises(TypeError, match="got int"):
        load(3)
    with open(tmp_path / "t", "rb") as f, pytest.raises(CheckpointError, match=r"'.*t' is not"):
        load(f)
    with pytest.raises(CheckpointError, match="the BytesIO object is truncated or corrupt"):
        data = io.BytesIO()
        save({"w": minigrad.ones(1000)}, data)
        load(io.BytesIO(data.getvalue()[:-300]))
    with pytest.raises(NotImplementedError, match="mmap=True"):
        load(tmp_path / "t", mmap=True)


def test_map_location_cuda_without_gpu(tmp_path):
    if minigrad.cuda.is_available():
        pytest.skip("a GPU is present")
    save({"w": minigrad.ones(2)}, tmp_path / "c")
    with pytest.raises(RuntimeError, match="cuda"):
        load(tmp_path / "c", map_location="cuda")
    # The same through a dict: the device's own error, not a "corrupt file" one.
    with pytest.raises(RuntimeError, match=r"needs CuPy|sees no CUDA GPU") as error:
        load(tmp_path / "c", map_location={"cpu": "cuda"})
    assert not isinstance(error.value, CheckpointError)


def test_training_checkpoint_resumes_identically(tmp_path, device):
    """Model, optimizer and scheduler state through a file: the resumed run matches."""

    def setup():
        w = minigrad.tensor([[1.0, -2.0], [0.5, 3.0]], device=device, requires_grad=True)
        opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=1e-2)
        return w, opt, CosineAnnealingLR(opt, T_max=5, eta_min=0.01)

    def train(w, opt, sched, steps):
        for _ in range(steps):
            opt.zero_grad()
            ((w * w).sum() + w.sum()).backward()
            opt.step()
            sched.step()
        return w.numpy()

    w, opt, sched = setup()
    train(w, opt, sched, 3)
    checkpoint = {
        "model": {"w": w},
        "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict(),
        "epoch": 3,
    }
    save(checkpoint, tmp_path / "ckpt.npz")
    expected = train(w, opt, sched, 4)

    ckpt = load(tmp_path / "ckpt.npz", map_location=device)
    assert ckpt["epoch"] == 3 and list(ckpt["optimizer"]["state"]) == [0]
    w2, opt2, sched2 = setup()
    with minigrad.no_grad():
        w2.copy_(ckpt["model"]["w"])
    sched2.load_state_dict(ckpt["scheduler"])
    opt2.load_state_dict(ckpt["optimizer"])
    np.testing.assert_array_equal(train(w2, opt2, sched2, 4), expected)
    assert sched2.get_last_lr() == sched.get_last_lr()


# ----------------------------------------------------------------------------------------
# The atomic write
# ----------------------------------------------------------------------------------------


def _fail(*args, **kwargs):
    raise OSError("disk full (simulated)")


@pytest.mark.parametrize("target", ["numpy.savez", "os.replace", "os.fsync"])
def test_failed_save_leaves_the_old_file_intact(target, tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    save({"version": "old", "w": minigrad.ones(3)}, path)
    before = path.read_bytes()
    module, name = target.split(".")
    monkeypatch.setattr({"numpy": np, "os": os}[module], name, _fail)
    with pytest.raises(OSError, match="simulated"):
        save({"version": "new", "w": minigrad.zeros(3)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # no temporary file left behind
    assert load(path)["version"] == "old"


def test_failed_first_save_leaves_nothing(tmp_path):
    with pytest.raises(UnsupportedTypeError):
        save({"bad": object()}, tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []


def test_save_into_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save(1, tmp_path / "nowhere" / "c.npz")
    assert os.listdir(tmp_path) == []


def test_save_keeps_the_existing_file_mode(tmp_path):
    path = tmp_path / "c"
    save(1, path)
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o600)
    save(2, path)
    assert path.stat().st_mode & 0o777 == 0o600


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing\.npz"):
        load(tmp_path / "missing.npz")


@pytest.mark.parametrize("keep", [0.0, 0.3, 0.6, 0.95])
def test_truncated_file(keep, tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"w": minigrad.randn(50), "n": 3}, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    expected = "empty file" if keep == 0 else "truncated or corrupt"
    with pytest.raises(CheckpointError, match=expected) as info:
        load(path)
    assert "ckpt.npz" in str(info.value)


def test_flipped_byte(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"w": minigrad.arange(100, dtype=minigrad.float32)}, path)
    data = bytearray(path.read_bytes())
    offset = data.index(np.float32(50.0).tobytes())  # inside the array's bytes
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"ckpt\.npz.*(corrupt|CRC)"):
        load(path)


def test_digest_mismatch(tmp_path):
    """Bytes changed consistently (a valid zip, so the zip CRCs pass): the SHA-256 catches it."""
    path = tmp_path / "ckpt.npz"
    save({"model": {"w": minigrad.ones(4)}}, path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["a0"] = arrays["a0"] * 2
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(CheckpointError, match=r"ckpt\.npz.*\['model'\]\['w'\].*SHA-256"):
        load(path)


def test_foreign_npz(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, x=np.ones(3))
    with pytest.raises(CheckpointError, match=r"plain\.npz.*not a minigrad checkpoint.*numpy"):
        load(path)


def test_wrong_marker_and_newer_version(tmp_path):
    path = tmp_path / "c.npz"
    for header, message in [
        ({"format": "other", "version": 1, "root": {"type": "none"}}, "marker"),
        ({"format": "minigrad-checkpoint", "version": 99, "root": {}}, "version 99"),
        ("not json {", "corrupt header"),
    ]:
        text = header if isinstance(header, str) else json.dumps(header)
        np.savez(path, __minigrad__=np.array(text))
        with pytest.raises(CheckpointError, match=message):
            load(path)


def test_text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, not a checkpoint\n")
    with pytest.raises(CheckpointError, match=r"notes\.txt.*not a minigrad checkpoint"):
        load(path)


def test_other_zip_file(tmp_path):
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hi")
    with pytest.raises(CheckpointError, match=r"archive\.zip"):
        load(path)


def local_class():
    class Local:  # defined in a function: its name cannot find it again
        pass

    return Local()


class Slotted:
    __slots__ = ("x",)


class Pickled:
    def __reduce__(self):  # its own pickling, which the format would not follow
        return (Pickled, ())


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"model": {"layers": [1, local_class()]}}, r"Local at obj\['model'\]\['layers'\]\[1\]"),
        ({"s": {1, 2 + 1j}}, r"complex at obj\['s'\]\{\.\.\.\}"),
        ({"opt": {(1, 2): 3}}, r"obj\['opt'\] has a key \(1, 2\) of type tuple"),
        ({True: 1}, "key True of type bool"),
        ({"a": np.array(["x"])}, "dtype <U1"),
        ({"a": 1 + 2j}, "complex at obj\\['a'\\]"),
        ({"f": lambda: 0}, "function at obj\\['f'\\]"),
        ({"x": Slotted()}, "Slotted at obj\\['x'\\]"),
        ({"x": Pickled()}, "Pickled at obj\\['x'\\]"),
    ],
)
def test_unsupported_types(obj, message, tmp_path):
    with pytest.raises(UnsupportedTypeError, match=message) as info:
        save(obj, tmp_path / "c")
    assert isinstance(info.value, TypeError) and isinstance(info.value, RuntimeError)
    assert os.listdir(tmp_path) == []


def test_reference_cycle(tmp_path):
    a: list = [1]
    a.append(a)
    with pytest.raises(UnsupportedTypeError, match=r"obj\[1\] contains itself"):
        save(a, tmp_path / "c")


def test_loading_never_unpickles(tmp_path, monkeypatch):
    """The loader must not touch pickle, even for an .npz holding a pickled object array."""
    import pickle

    path = tmp_path / "evil.npz"
    np.savez(path, __minigrad__=np.array([{"a": 1}], dtype=object))

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle was used")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    with pytest.raises(CheckpointError, match=r"evil\.npz"):
        load(path)


# ----------------------------------------------------------------------------------------
# Saving behaves as open(path, "wb") would; damaged archives always raise CheckpointError
# ----------------------------------------------------------------------------------------


def test_save_gives_a_new_file_the_umask_s_permissions(tmp_path):
    old = os.umask(0o077)
    try:
        save(minigrad.ones(2), tmp_path / "private.npz")
    finally:
        os.umask(old)
    assert (tmp_path / "private.npz").stat().st_mode & 0o777 == 0o600


def test_save_writes_through_a_symlink(tmp_path):
    save(minigrad.ones(1), tmp_path / "real.npz")
    (tmp_path / "link.npz").symlink_to("real.npz")
    save(minigrad.zeros(1), tmp_path / "link.npz")
    assert (tmp_path / "link.npz").is_symlink()
    assert load(tmp_path / "real.npz").tolist() == [0.0]


def test_save_refuses_to_replace_a_read_only_file(tmp_path, monkeypatch):
    path = tmp_path / "best.npz"
    save(minigrad.ones(1), path)
    before = path.read_bytes()
    # os.access stands in for a non-root user: as root every file is writable.
    monkeypatch.setattr(os, "access", lambda p, mode: False)
    with pytest.raises(PermissionError, match="read-only"):
        save(minigrad.zeros(1), path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["best.npz"]


def test_save_takes_a_long_file_name(tmp_path):
    path = tmp_path / ("c" * 240 + ".npz")  # 244 characters: the limit is 255
    save(minigrad.ones(1), path)
    assert load(path).tolist() == [1.0] and len(os.listdir(tmp_path)) == 1


def test_an_unknown_compression_method_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"w": minigrad.ones(2)}, path)
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 10] = 99  # the compression method of the first member
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"ckpt\.npz.*'a0.npy' is compressed \(method 99\)"):
        load(path)


def test_a_parameter_loads_back_as_a_parameter(tmp_path):
    frozen = minigrad.nn.Parameter(minigrad.ones(1), requires_grad=False)
    save({"w": minigrad.nn.Linear(2, 3).weight, "t": minigrad.ones(2), "f": frozen}, tmp_path / "p")
    loaded = load(tmp_path / "p")
    assert type(loaded["w"]) is minigrad.nn.Parameter and loaded["w"].requires_grad
    assert type(loaded["f"]) is minigrad.nn.Parameter and not loaded["f"].requires_grad
    assert type(loaded["t"]) is minigrad.Tensor


class TiedNet(minigrad.nn.Module):
    """A model as PyTorch programs save whole: submodules, a tied weight, a buffer, a
    function kept as an attribute."""

    def __init__(self):
        super().__init__()
        self.embed = minigrad.nn.Embedding(6, 4)
        self.body = minigrad.nn.Sequential(minigrad.nn.Linear(4, 4), minigrad.nn.BatchNorm1d(4))
        self.head = minigrad.nn.Linear(4, 6)
        self.head.weight = self.embed.weight
        self.activation = minigrad.tanh
        self.settings = {"dims": (4, 6), "kinds": {"a", "b"}, "dtype": minigrad.float32}

    def forward(self, x):
        return self.head(self.activation(self.body(self.embed(x))))


def test_a_whole_model_round_trips_with_weights_only_false(tmp_path):
    minigrad.manual_seed(0)
    model = TiedNet()
    model(minigrad.randint(0, 6, (8,)))  # a training step's BatchNorm statistics
    model.eval()
    save(model, tmp_path / "model.pt")
    with pytest.raises(
        CheckpointError, match=r"whole object at obj \(a .*TiedNet\).*weights_only=False"
    ):
        load(tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match="weights_only=False"):
        load(tmp_path / "model.pt", weights_only=True)
    loaded = load(tmp_path / "model.pt", weights_only=False)
    assert type(loaded) is TiedNet and not loaded.training
    assert loaded.head.weight is loaded.embed.weight  # still tied
    assert isinstance(loaded.body[0].weight, minigrad.nn.Parameter)
    assert loaded.activation is minigrad.tanh and loaded.settings["kinds"] == {"a", "b"}
    assert loaded.settings["dtype"] == minigrad.float32
    x = minigrad.tensor([0, 3, 5])
    np.testing.assert_array_equal(loaded(x).detach().numpy(), model(x).detach().numpy())
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    loaded(x).sum().backward()  # trains on
    assert loaded.embed.weight.grad is not None


def test_a_shared_submodule_loads_as_one_object(tmp_path):
    shared = minigrad.nn.Linear(2, 2)
    model = minigrad.nn.Sequential(shared, minigrad.nn.ReLU(), shared)
    save({"model": model, "epoch": 3}, tmp_path / "c")
    loaded = load(tmp_path / "c", weights_only=False)
    assert loaded["epoch"] == 3 and loaded["model"][0] is loaded["model"][2]


def test_a_hook_that_cannot_be_named_is_refused_on_save(tmp_path):
    model = minigrad.nn.Linear(2, 2)
    model.register_forward_hook(lambda module, args, out: None)
    with pytest.raises(UnsupportedTypeError, match=r"function at obj\._forward_hooks\[\d+\]"):
        save(model, tmp_path / "c")


def test_a_class_that_is_gone_gives_a_clear_error(tmp_path):
    save(minigrad.nn.Linear(2, 2), tmp_path / "c")
    with zipfile.ZipFile(tmp_path / "c") as z:
        members = {name: z.read(name) for name in z.namelist()}
    header = np.load(io.BytesIO(members["__minigrad__.npy"]))
    text = str(header).replace('"qualname": "Linear"', '"qualname": "Gone"')
    buffer = io.BytesIO()
    np.save(buffer, np.array(text))
    members["__minigrad__.npy"] = buffer.getvalue()
    with zipfile.ZipFile(tmp_path / "d", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(CheckpointError, match=r"minigrad\.nn\.linear\.Gone is not found"):
        load(tmp_path / "d", weights_only=False)


class AbstractBlock(minigrad.nn.Module, abc.ABC):  # ABC's empty __slots__ hold nothing
    pass


class ConcreteBlock(AbstractBlock):
    def __init__(self):
        super().__init__()
        self.layer = minigrad.nn.Linear(2, 2)


def test_a_model_with_an_abstract_base_round_trips(tmp_path):
    save(ConcreteBlock(), tmp_path / "c")
    assert type(load(tmp_path / "c", weights_only=False)) is ConcreteBlock


@pytest.mark.parametrize("value", [collections.defaultdict(int), collections.Counter("ab")])
def test_dict_subclasses_are_refused_not_turned_into_dicts(value, tmp_path):
    with pytest.raises(UnsupportedTypeError, match="subclasses of dict"):
        save({"x": value}, tmp_path / "c")
