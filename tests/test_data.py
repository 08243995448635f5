"""minigrad.data: MNIST (contents, where the files come from, verification, downloads from a
local server) and DataLoader / TensorDataset.

Everything runs offline: the shipped copy of MNIST is the reference, and downloads are
served by an HTTP server on 127.0.0.1 started by the test itself.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import http.server
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad.backend import Device
from minigrad.data import MNIST, DataError, DataLoader, TensorDataset
from minigrad.data import mnist as mnist_module

SHIPPED = mnist_module.PACKAGE_DIR
TEST_FILES = mnist_module.SPLITS["test"]
TEST_IMAGES, TEST_LABELS = TEST_FILES

# Label counts and first labels as published for MNIST (e.g. in torchvision's tests and
# countless tutorials).
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
TRAIN_FIRST = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
TEST_FIRST = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
# Row 5, columns 12 to 23 of the first training image (the top of the famous "5").
TRAIN0_ROW5 = [3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127]


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    """No test here may see the user's MINIGRAD_DATA or cache, or reach the network: the
    cache goes to a temporary folder and the default mirror is a closed local port."""
    monkeypatch.delenv(mnist_module.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(mnist_module, "MIRRORS", (f"http://127.0.0.1:{_closed_port()}/",))
    monkeypatch.setattr(mnist_module, "TIMEOUT", 5.0)


@pytest.fixture(scope="module")
def mnist_train():
    return MNIST(root=SHIPPED, train=True)


@pytest.fixture(scope="module")
def mnist_test():
    return MNIST(root=SHIPPED, train=False)


@pytest.fixture(scope="module")
def mnist_test_raw():
    return MNIST(root=SHIPPED, train=False, normalize=False)


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connecting to it is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_files(folder: Path, names=TEST_FILES) -> Path:
    """``folder`` with copies of the shipped files ``names`` (by default the test split's)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(SHIPPED / name, folder / name)
    return folder


def _raw(name: str) -> bytes:
    return gzip.decompress((SHIPPED / name).read_bytes())


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


@contextlib.contextmanager
def _serve(directory: Path):
    """An HTTP server for ``directory`` on 127.0.0.1 at an ephemeral port; yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def nowhere(monkeypatch, tmp_path) -> Path:
    """No shipped copy and an empty cache: MNIST must download (or fail). Returns the
    cache folder."""
    monkeypatch.setattr(mnist_module, "PACKAGE_DIR", tmp_path / "no-package")
    return mnist_module.cache_dir()


# ----------------------------------------------------------------------------------------
# MNIST contents
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("train, n", [(True, 60000), (False, 10000)])
def test_counts_shapes_and_dtypes(train, n, mnist_train, mnist_test):
    ds = mnist_train if train else mnist_test
    assert len(ds) == n
    assert ds.images.shape == (n, 1, 28, 28) and ds.images.dtype == minigrad.float32
    assert ds.labels.shape == (n,) and ds.labels.dtype == minigrad.int64
    assert ds.images.device == "cpu" and ds.labels.device == "cpu"
    assert not ds.images.requires_grad
    images, labels = ds.tensors
    assert images is ds.images and labels is ds.labels and ds.targets is ds.labels
    assert ds.source == "root" and ds.root == SHIPPED
    assert ds.split == ("train" if train else "test")


def test_getitem(mnist_train, mnist_test):
    image, label = mnist_train[0]
    assert image.shape == (1, 28, 28) and image.dtype == minigrad.float32
    assert label.shape == () and label.dtype == minigrad.int64 and label.item() == 5
    assert mnist_test[0][1].item() == 7
    assert mnist_test[-1][1].item() == mnist_test.labels.numpy()[-1]
    np.testing.assert_array_equal(mnist_test[3][0].numpy(), mnist_test.images.numpy()[3])
    assert "split='test'" in repr(mnist_test)


def test_labels(mnist_train, mnist_test):
    for ds, counts, first in (
        (mnist_train, TRAIN_COUNTS, TRAIN_FIRST),
        (mnist_test, TEST_COUNTS, TEST_FIRST),
    ):
        labels = ds.labels.numpy()
        assert labels[:10].tolist() == first
        assert np.bincount(labels, minlength=10).tolist() == counts


def _host(t: minigrad.Tensor) -> np.ndarray:
    """The CPU tensor's array itself: ``numpy()`` would copy 188 MB for the training set."""
    return t._data


def test_pixels_in_unit_range_and_known_values(mnist_train, mnist_test_raw):
    x = _host(mnist_test_raw.images)
    assert x.min() == 0.0 and x.max() == 1.0
    levels = np.unique(x[:1000])  # every value is k / 255 for an integer k
    np.testing.assert_allclose(levels * 255, np.rint(levels * 255), atol=1e-4)
    assert len(levels) == 256
    first = _host(mnist_train.images)[0, 0] * MNIST.STD + MNIST.MEAN
    np.testing.assert_array_equal(np.rint(first[5, 12:24] * 255), TRAIN0_ROW5)
    assert np.all(np.rint(first[:4] * 255) == 0)  # digits are centred: the top rows are blank


def test_normalisation_statistics(mnist_train, mnist_test, mnist_test_raw):
    # MEAN and STD are the training set's statistics, so normalising makes them 0 and 1.
    # (Summed in float64, 5000 images at a time, to keep the memory use down.)
    x = _host(mnist_train.images)
    total = squares = 0.0
    for start in range(0, len(x), 5000):
        chunk = x[start : start + 5000].astype(np.float64)
        total += chunk.sum()
        squares += np.square(chunk).sum()
    mean = total / x.size
    std = np.sqrt(squares / x.size - mean**2)
    assert abs(mean) < 1e-3 and abs(std - 1) < 1e-3
    # Normalising is exactly (x - MEAN) / STD of the [0, 1] pixels.
    raw = _host(mnist_test_raw.images)
    np.testing.assert_allclose(_host(mnist_test.images), (raw - MNIST.MEAN) / MNIST.STD, atol=1e-5)


def test_argument_errors():
    with pytest.raises(TypeError, match="train must be True or False"):
        MNIST(root=SHIPPED, train="yes")
    with pytest.raises(TypeError, match="root must be a path"):
        MNIST(root=3)


# ----------------------------------------------------------------------------------------
# Where the files come from: root > $MINIGRAD_DATA > shipped > cache > download
# ----------------------------------------------------------------------------------------


def test_source_order(monkeypatch, tmp_path):
    root = _copy_files(tmp_path / "root")
    env = _copy_files(tmp_path / "env")
    cache = _copy_files(mnist_module.cache_dir())
    monkeypatch.setenv("MINIGRAD_DATA", str(env))

    ds = MNIST(root=root, train=False)
    assert (ds.source, ds.root) == ("root", root)
    ds = MNIST(train=False)
    assert (ds.source, ds.root) == ("env", env)
    monkeypatch.delenv("MINIGRAD_DATA")
    ds = MNIST(train=False)
    assert (ds.source, ds.root) == ("package", SHIPPED)
    monkeypatch.setattr(mnist_module, "PACKAGE_DIR", tmp_path / "no-package")
    ds = MNIST(train=False, download=False)
    assert (ds.source, ds.root) == ("cache", cache)
    assert ds.labels.numpy()[:10].tolist() == TEST_FIRST

    shutil.rmtree(cache)
    with pytest.raises(DataError, match="not found") as info:
        MNIST(train=False, download=False)
    assert "download=True" in str(info.value) and "MINIGRAD_DATA" in str(info.value)
    with _serve(_copy_files(tmp_path / "server")) as url:
        ds = MNIST(train=False, mirrors=[url])
    assert (ds.source, ds.root) == ("download", cache)


def test_explicit_root_without_files_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"lacks t10k-images-idx3-ubyte\.gz") as info:
        MNIST(root=tmp_path / "empty", train=False)  # even though the shipped copy exists
    assert str(tmp_path / "empty") in str(info.value)
    with pytest.raises(DataError, match="does not exist"):
        MNIST(root=tmp_path / "missing", train=False)


def test_env_folder_without_files_falls_back(monkeypatch, tmp_path):
    monkeypatch.setenv("MINIGRAD_DATA", str(tmp_path))
    assert MNIST(train=False).source == "package"


def test_a_split_needs_only_its_own_files(tmp_path):
    root = _copy_files(tmp_path / "root")  # the test split only
    assert len(MNIST(root=root, train=False)) == 10000
    with pytest.raises(DataError, match=r"lacks train-images-idx3-ubyte\.gz"):
        MNIST(root=root, train=True)


def test_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist_module.cache_dir() == tmp_path / "xdg" / "minigrad" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist_module.cache_dir() == tmp_path / "home" / ".cache" / "minigrad" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG spec says
    assert mnist_module.cache_dir() == tmp_path / "home" / ".cache" / "minigrad" / "mnist"


# ----------------------------------------------------------------------------------------
# Downloads, from a server on 127.0.0.1
# ----------------------------------------------------------------------------------------


def test_download_lands_verified_in_the_cache(nowhere, tmp_path, monkeypatch):
    with _serve(_copy_files(tmp_path / "server")) as url:
        monkeypatch.setattr(mnist_module, "MIRRORS", (url,))  # the module constant is used
        ds = MNIST(train=False)
    assert ds.source == "download" and ds.root == nowhere
    assert _leftovers(nowhere) == sorted(TEST_FILES)  # no temporary files
    for name in TEST_FILES:
        data = gzip.decompress((nowhere / name).read_bytes())
        assert hashlib.sha256(data).hexdigest() == mnist_module.FILES[name].sha256
    assert ds.labels.numpy()[:10].tolist() == TEST_FIRST
    # Next time the cache is used, without the network.
    assert MNIST(train=False, download=False).source == "cache"


def test_corrupt_download_leaves_nothing(nowhere, tmp_path):
    server = _copy_files(tmp_path / "server")
    data = bytearray(_raw(TEST_IMAGES))
    data[5000] ^= 0xFF  # a valid gzip file of the wrong data: only the digest can tell
    (server / TEST_IMAGES).write_bytes(gzip.compress(bytes(data), compresslevel=1))
    with _serve(server) as url, pytest.raises(DataError) as info:
        MNIST(train=False, mirrors=[url])
    message = str(info.value)
    assert url + TEST_IMAGES in message and "SHA-256" in message
    assert "MINIGRAD_DATA" in message and "root=" in message  # how to get the files by hand
    assert _leftovers(nowhere) == []  # not the bad file, and no temporary file


def test_a_bad_mirror_falls_through_to_the_next(nowhere, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / TEST_IMAGES).write_bytes((SHIPPED / TEST_IMAGES).read_bytes()[:100_000])
    good = _copy_files(tmp_path / "good")  # the bad mirror lacks the labels: a 404
    with _serve(bad) as bad_url, _serve(good) as good_url:
        ds = MNIST(train=False, mirrors=[bad_url, good_url])
    assert ds.source == "download" and len(ds) == 10000
    assert _leftovers(nowhere) == sorted(TEST_FILES)


def test_unreachable_server(nowhere):
    url = f"http://127.0.0.1:{_closed_port()}/mnist/"
    with pytest.raises(DataError, match="connection refused") as info:
        MNIST(train=False, mirrors=[url])
    assert url + TEST_IMAGES in str(info.value)
    assert _leftovers(nowhere) == []


def test_download_false_never_downloads(nowhere, tmp_path):
    with _serve(_copy_files(tmp_path / "server")) as url, pytest.raises(DataError):
        MNIST(train=False, download=False, mirrors=[url])
    assert _leftovers(nowhere) == []


# ----------------------------------------------------------------------------------------
# Verification of every load
# ----------------------------------------------------------------------------------------


def _corrupt(tmp_path: Path, name: str, content: bytes) -> Path:
    """A root folder with the test split where file ``name`` has the given .gz bytes."""
    root = _copy_files(tmp_path / "root")
    (root / name).write_bytes(content)
    return root


def _expect_error(root: Path, name: str, match: str):
    with pytest.raises(DataError, match=match) as info:
        MNIST(root=root, train=False)
    assert str(root / name) in str(info.value)


def test_truncated_gzip(tmp_path):
    gz = (SHIPPED / TEST_IMAGES).read_bytes()
    _expect_error(_corrupt(tmp_path, TEST_IMAGES, gz[: len(gz) // 2]), TEST_IMAGES, "truncated")


def test_flipped_compressed_byte(tmp_path):
    gz = bytearray((SHIPPED / TEST_LABELS).read_bytes())
    gz[len(gz) // 2] ^= 0x55
    _expect_error(_corrupt(tmp_path, TEST_LABELS, bytes(gz)), TEST_LABELS, "gzip stream is corrupt")


def test_flipped_data_byte_fails_the_digest(tmp_path):
    data = bytearray(_raw(TEST_LABELS))
    data[-1] = (data[-1] + 1) % 10  # still a plausible label
    root = _corrupt(tmp_path, TEST_LABELS, gzip.compress(bytes(data), compresslevel=1))
    _expect_error(root, TEST_LABELS, "SHA-256 of its decompressed contents")


def test_label_file_as_image_file(tmp_path):
    root = _corrupt(tmp_path, TEST_IMAGES, (SHIPPED / TEST_LABELS).read_bytes())
    _expect_error(root, TEST_IMAGES, "magic number is 2049, that of a label file")


def test_wrong_dimensions_and_length(tmp_path):
    data = _raw(TEST_LABELS)
    fewer = data[:4] + (9999).to_bytes(4, "big") + data[8:]
    root = _corrupt(tmp_path / "dims", TEST_LABELS, gzip.compress(fewer))
    _expect_error(root, TEST_LABELS, r"dimensions are \(9999,\)")
    root = _corrupt(tmp_path / "short", TEST_LABELS, gzip.compress(data[:-1]))
    _expect_error(root, TEST_LABELS, "data is 9999 bytes long")


def test_not_gzip_and_not_idx(tmp_path):
    root = _corrupt(tmp_path / "plain", TEST_LABELS, _raw(TEST_LABELS))
    _expect_error(root, TEST_LABELS, "not a gzip file")
    root = _corrupt(tmp_path / "html", TEST_LABELS, gzip.compress(b"<html>Not Found</html>"))
    _expect_error(root, TEST_LABELS, "not an MNIST IDX file")


def test_shipped_checksums_file_matches():
    for line in (SHIPPED / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((SHIPPED / name).read_bytes()).hexdigest() == digest
    assert "CC BY-SA 3.0" in (SHIPPED / "README.md").read_text()


# ----------------------------------------------------------------------------------------
# TensorDataset
# ----------------------------------------------------------------------------------------


def test_tensor_dataset():
    x, y = minigrad.arange(12).reshape(4, 3), minigrad.tensor([1, 0, 1, 0])
    ds = TensorDataset(x, y)
    assert len(ds) == 4 and ds.tensors == (x, y)
    a, b = ds[2]
    assert a.tolist() == [6, 7, 8] and b.item() == 1


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(minigrad.zeros(4, 2), minigrad.zeros(3))
    with pytest.raises(TypeError, match="not a minigrad Tensor"):
        TensorDataset(minigrad.zeros(3), [1, 2, 3])
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(minigrad.tensor(1.0))


# ----------------------------------------------------------------------------------------
# DataLoader
# ----------------------------------------------------------------------------------------


def _dataset(n=10):
    return TensorDataset(minigrad.arange(n), minigrad.arange(n) * 10)


class _Samples:
    """A generic map-style dataset (no ``tensors``): (tensor, int, float) samples."""

    def __init__(self, n=7):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return minigrad.full((2, 3), float(i)), i, i / 2


def _order(loader) -> list[int]:
    """The sample index of each row of one epoch (the first value of each row of the first
    field, which is the index in both kinds of dataset above)."""
    rows = []
    for batch in loader:
        first = batch[0]
        rows += [int(v) for v in first.reshape(len(first), -1)[:, 0].tolist()]
    return rows


@pytest.mark.parametrize("dataset", [_dataset(10), _Samples(10)], ids=["tensors", "generic"])
def test_batch_sizes(dataset):
    loader = DataLoader(dataset, batch_size=4)
    assert len(loader) == 3
    assert [len(b[0]) for b in loader] == [4, 4, 2]
    loader = DataLoader(dataset, batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(b[0]) for b in loader] == [4, 4]
    assert len(DataLoader(dataset, batch_size=5, drop_last=True)) == 2
    assert [len(b[0]) for b in DataLoader(dataset, batch_size=20)] == [10]
    assert list(DataLoader(dataset, batch_size=20, drop_last=True)) == []


def test_no_shuffle_keeps_order():
    batches = list(DataLoader(_dataset(10), batch_size=3))
    assert [x.tolist() for x, _ in batches] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert batches[0][1].tolist() == [0, 10, 20]
    assert _order(DataLoader(_Samples(10), batch_size=3)) == list(range(10))


@pytest.mark.parametrize("dataset", [_dataset(50), _Samples(50)], ids=["tensors", "generic"])
def test_seeded_shuffle(dataset):
    a = DataLoader(dataset, batch_size=8, shuffle=True, seed=3)
    b = DataLoader(dataset, batch_size=8, shuffle=True, seed=3)
    a0, a1, b0 = _order(a), _order(a), _order(b)
    assert a0 == b0  # same seed, same epoch: same order
    assert a0 != a1  # a new order every epoch
    for order in (a0, a1):
        assert sorted(order) == list(range(50))  # every sample exactly once
    assert a0 != list(range(50))
    assert _order(DataLoader(dataset, batch_size=8, shuffle=True, seed=4)) != a0
    b.set_epoch(1)
    assert _order(b) == a1  # resuming at epoch 1 replays epoch 1's order


def test_unseeded_shuffle_follows_manual_seed():
    loader = DataLoader(_dataset(40), batch_size=16, shuffle=True)
    minigrad.manual_seed(5)
    first = _order(loader)
    minigrad.manual_seed(5)
    assert _order(loader) == first
    assert sorted(first) == list(range(40)) and first != list(range(40))


def test_shuffle_drop_last_takes_distinct_samples():
    got = _order(DataLoader(_dataset(10), batch_size=4, shuffle=True, seed=0, drop_last=True))
    assert len(got) == 8 and len(set(got)) == 8


def test_generic_collation():
    x, i, f = next(iter(DataLoader(_Samples(), batch_size=3)))
    assert x.shape == (3, 2, 3) and x.dtype == minigrad.float32
    assert i.tolist() == [0, 1, 2] and i.dtype == minigrad.int64
    assert f.tolist() == [0.0, 0.5, 1.0] and f.dtype == minigrad.float64


def test_collation_of_bare_and_numpy_samples():
    class Bare:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return minigrad.tensor([i, i])

    class Arrays(Bare):
        def __getitem__(self, i):
            return np.full(3, i, dtype=np.int32), np.float32(i), bool(i % 2)

    batch = next(iter(DataLoader(Bare(), batch_size=2)))
    assert isinstance(batch, minigrad.Tensor) and batch.tolist() == [[0, 0], [1, 1]]
    a, f, b = next(iter(DataLoader(Arrays(), batch_size=2)))
    assert a.dtype == minigrad.int32 and a.shape == (2, 3)
    assert f.dtype == minigrad.float32 and b.dtype == minigrad.bool and b.tolist() == [False, True]


def test_collation_errors():
    class Ragged:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return (minigrad.zeros(i + 1),)

    class Objects(Ragged):
        def __getitem__(self, i):
            return ({"a"}, 1)

    class Keys(Ragged):
        def __getitem__(self, i):
            return {"x": i} if i == 0 else {"y": i}

    with pytest.raises(ValueError, match="shapes differ"):
        list(DataLoader(Ragged(), batch_size=2))
    with pytest.raises(TypeError, match="cannot batch field 0"):
        list(DataLoader(Objects(), batch_size=2))
    with pytest.raises(TypeError, match=r"keys \['x'\], but the one at position 1"):
        list(DataLoader(Keys(), batch_size=2))


def test_dict_string_and_nested_samples_collate_as_in_pytorch():
    class Records:
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return {"x": minigrad.ones(2) * i, "meta": (i, f"name{i}"), "label": i}

    batch = next(iter(DataLoader(Records(), batch_size=2)))
    assert batch["x"].tolist() == [[0.0, 0.0], [1.0, 1.0]]
    ids, names = batch["meta"]
    assert ids.tolist() == [0, 1] and ids.dtype == minigrad.int64
    assert names == ["name0", "name1"] and batch["label"].tolist() == [0, 1]


def test_a_collate_fn_gets_the_samples_of_each_batch():
    ds = TensorDataset(minigrad.arange(5))
    sizes = [batch for batch in DataLoader(ds, batch_size=2, collate_fn=len)]
    assert sizes == [2, 2, 1]  # the fast path is skipped: the function sees every batch
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        DataLoader(ds, collate_fn=3)


def test_argument_validation():
    ds = _dataset()
    for bad in (0, -1, 2.5, True, "4"):  # PyTorch's errors, word for word
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            DataLoader(ds, batch_size=bad)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        DataLoader(ds, drop_last=1)
    assert DataLoader(ds, shuffle="yes").shuffle is True  # any truthy value, as PyTorch
    with pytest.raises(ValueError, match="seed"):
        DataLoader(ds, seed=-1)
    with pytest.raises(TypeError, match="seed"):
        DataLoader(ds, seed=1.5)
    with pytest.raises(TypeError, match="map-style dataset"):
        DataLoader(3)
    with pytest.raises(TypeError, match="device"):
        DataLoader(ds, device=0)


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_on_device(device, shuffle):
    x = minigrad.randn(10, 3, requires_grad=True)
    y = minigrad.arange(10)
    for dataset in (TensorDataset(x, y), _Samples(10)):
        loader = DataLoader(dataset, batch_size=4, shuffle=shuffle, seed=0, device=device)
        for batch in loader:
            for t in batch:
                assert t.device == device and not t.requires_grad
    # The rows of each field stay together, wherever the batches are made.
    rows = []
    for yb, xb in DataLoader(TensorDataset(y, x), batch_size=4, shuffle=shuffle, device=device):
        np.testing.assert_array_equal(xb.numpy(), x.detach().numpy()[yb.numpy()])
        rows += yb.tolist()
    assert sorted(rows) == list(range(10))
    assert (rows == list(range(10))) == (not shuffle)


def test_fast_path_moves_the_data_once(device, monkeypatch):
    moves = []
    original = Device.move

    def counting_move(self, array):
        moves.append(array.shape)
        return original(self, array)

    monkeypatch.setattr(Device, "move", counting_move)
    loader = DataLoader(_dataset(100), batch_size=10, shuffle=True, seed=0, device=device)
    for _ in range(3):  # three epochs of ten batches
        assert len(list(loader)) == 10
    assert moves == [(100,), (100,)]  # each of the two tensors, once


def test_batches_do_not_alias_the_dataset():
    x = minigrad.zeros(6, 2)
    (first, *_), *_ = DataLoader(TensorDataset(x), batch_size=3)
    first.add_(1.0)
    assert x.sum().item() == 0.0


def test_mnist_through_the_loader(mnist_test, device):
    loader = DataLoader(mnist_test, batch_size=1000, shuffle=True, seed=0, device=device)
    assert len(loader) == 10
    counts = np.zeros(10, dtype=np.int64)
    for images, labels in loader:
        assert images.shape == (1000, 1, 28, 28) and images.dtype == minigrad.float32
        assert images.device == device and labels.device == device
        counts += np.bincount(labels.numpy(), minlength=10)
    assert counts.tolist() == TEST_COUNTS


def test_a_subclass_that_overrides_getitem_is_called_per_sample():
    from minigrad.data import DataLoader, TensorDataset

    class Doubled(TensorDataset):
        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            return x * 2, y

    batches = DataLoader(Doubled(minigrad.arange(4.0), minigrad.arange(4)), batch_size=2)
    assert [x.tolist() for x, _ in batches] == [[0.0, 2.0], [4.0, 6.0]]  # as PyTorch


# ----------------------------------------------------------------------------------------
# Dataset, Subset, ConcatDataset, random_split; samplers and PyTorch's DataLoader options
# ----------------------------------------------------------------------------------------


def test_dataset_base_class_and_concatenation():
    from minigrad.data import ConcatDataset, Dataset

    class Squares(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return minigrad.tensor(i * i)

    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        Dataset()[0]
    both = Squares() + _Samples(2)
    assert isinstance(both, ConcatDataset) and both.cumulative_sizes == [3, 5]
    assert both[2].item() == 4 and both[-1][1] == 1 and both[3][1] == 0  # as PyTorch
    with pytest.raises(IndexError):
        both[5]
    with pytest.raises(ValueError, match="should not exceed dataset length"):
        both[-6]
    with pytest.raises(ValueError, match="empty iterable"):
        ConcatDataset([])
    assert isinstance(MNIST(train=False), Dataset) and isinstance(_dataset(), Dataset)


@pytest.mark.parametrize("shuffle", [False, True])
def test_subset_batches_are_cut_from_the_whole_tensors_and_see_changes(shuffle, device):
    from minigrad.data import ConcatDataset, Subset
    from minigrad.data.dataset import whole_rows

    x = minigrad.arange(10)
    whole = TensorDataset(x, x * 10)
    subset = Subset(Subset(whole, [7, 2, -1, 4, 0]), [4, 0, 2])  # rows 0, 7, 9
    assert whole_rows(subset)[1].tolist() == [0, 7, 9]  # the fast path's view of it
    for dataset in (subset, ConcatDataset([whole, _dataset(3)])):
        fast = DataLoader(dataset, batch_size=2, shuffle=shuffle, seed=1, device=device)
        slow = DataLoader(dataset, batch_size=2, shuffle=shuffle, seed=1, collate_fn=list)
        for batch, samples in zip(fast, slow, strict=True):
            assert batch[0].device == minigrad.Device(device)
            assert batch[0].tolist() == [int(s[0]) for s in samples]
            assert batch[1].tolist() == [int(s[1]) for s in samples]
    # Batches follow the subset's indices and the tensors' values as they are now.
    loader = DataLoader(Subset(whole, [1, 2]), batch_size=2)
    subset_of_whole = loader.dataset
    subset_of_whole.indices = [3, 4]
    with minigrad.no_grad():
        x.add_(100)
    assert next(iter(loader))[0].tolist() == [103, 104]
    with pytest.raises(IndexError, match="index 10 is out of range for 10 samples"):
        next(iter(DataLoader(Subset(whole, [10]))))
    assert whole_rows(Subset(_Samples(5), [1, 2])) is None  # no whole tensors: one by one
    assert [i for _, i, _ in Subset(_Samples(5), [4, 0])] == [4, 0]
    # Parts of different dtypes stay apart, as in PyTorch.
    mixed = ConcatDataset([TensorDataset(minigrad.arange(3)), TensorDataset(minigrad.ones(2))])
    dtypes = [b[0].dtype for b in DataLoader(mixed, batch_size=3)]
    assert dtypes == [minigrad.int64, minigrad.float32]


def test_random_split_counts_and_fractions_as_pytorch():
    from minigrad.data import random_split

    dataset = _dataset(11)
    minigrad.manual_seed(0)
    parts = random_split(dataset, [0.33, 0.33, 0.34])
    assert [len(p) for p in parts] == [4, 4, 3]  # PyTorch's rounding, checked side by side
    assert sorted(i for p in parts for i in p.indices) == list(range(11))
    minigrad.manual_seed(0)
    assert [p.indices for p in random_split(dataset, [0.33, 0.33, 0.34])] == [
        p.indices for p in parts
    ]  # the same seed, the same split
    same = random_split(dataset, [5, 6], generator=np.random.default_rng(3))
    again = random_split(dataset, [5, 6], generator=np.random.default_rng(3))
    assert [p.indices for p in same] == [p.indices for p in again]
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(dataset, [3, 3])
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        random_split(dataset, [5, 6], generator=0)
    with pytest.warns(UserWarning, match="split at index 1 is 0"):
        random_split(_dataset(2), [1.0, 0.0])


def test_sampler_and_batch_sampler(device):
    dataset = _dataset(10)
    loader = DataLoader(dataset, batch_size=4, sampler=[9, 0, 3, -1, 5], device=device)
    assert len(loader) == 2 and _order(loader) == [9, 0, 3, 9, 5]
    assert _order(DataLoader(_Samples(6), batch_size=2, sampler=range(5, -1, -1))) == [
        5, 4, 3, 2, 1, 0,
    ]  # fmt: skip
    batches = DataLoader(dataset, batch_sampler=[[1, 2, 3], [0], [8, 9]], device=device)
    assert len(batches) == 3
    assert [b[0].tolist() for b in batches] == [[1, 2, 3], [0], [8, 9]]
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(dataset, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(dataset, batch_size=2, batch_sampler=[[0]])
    with pytest.raises(IndexError, match="index 10 is out of range for 10 samples"):
        list(DataLoader(dataset, sampler=[10]))
    with pytest.raises(TypeError, match="an iterable of indices"):
        DataLoader(dataset, sampler=5)
    # Samplers need no length, and a sampler's indices reach __getitem__ as given.
    assert _order(DataLoader(_Samples(6), batch_size=2, sampler=iter([5, 1, 2]))) == [5, 1, 2]

    class Keyed:
        def __getitem__(self, key):
            return {"a": 1, "c": 3}[key]

    assert [b.tolist() for b in DataLoader(Keyed(), batch_size=2, sampler=["c", "a"])] == [[3, 1]]
    # An empty batch fails when it comes, after the batches before it.
    loader = iter(DataLoader(dataset, batch_sampler=[[1], []], device=device))
    assert next(loader)[0].tolist() == [1]
    with pytest.raises(IndexError, match="empty batch"):
        next(loader)


def test_numbers_collate_to_pytorchs_dtypes():
    def batch(values):
        return next(iter(DataLoader(values, batch_size=len(values))))

    assert batch([1, 2]).dtype == minigrad.int64 and batch([1.5, 2]).dtype == minigrad.float64
    assert batch([1, 2.5]).dtype == minigrad.float32  # torch.tensor([1, 2.5]): the default
    assert batch([True, False]).dtype == minigrad.bool


def test_batch_size_none_gives_single_converted_samples():
    # As PyTorch's default_convert: tuples become lists, numbers stay numbers.
    got = list(DataLoader(_dataset(3), batch_size=None, sampler=[1, 2]))
    assert [[t.tolist() for t in sample] for sample in got] == [[1, 10], [2, 20]]
    records = [{"a": 1, "b": "x", "c": np.float32(2)}]
    (record,) = DataLoader(records, batch_size=None)
    assert record["a"] == 1 and record["b"] == "x" and isinstance(record["c"], minigrad.Tensor)
    assert len(DataLoader(_dataset(3), batch_size=None)) == 3
    with pytest.raises(ValueError, match="disables auto-batching"):
        DataLoader(_dataset(3), batch_size=None, drop_last=True)


def test_dataloader_takes_pytorchs_arguments_in_pytorchs_order():
    dataset = _dataset(6)
    # (dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, collate_fn,
    # pin_memory, drop_last), as in PyTorch
    loader = DataLoader(dataset, 4, False, None, None, 2, None, True, True)
    assert loader.drop_last and len(loader) == 1 and loader.num_workers == 2
    assert _order(loader) == [0, 1, 2, 3]  # made in this process: the same batches
    loader = DataLoader(dataset, batch_size=6, shuffle=True, generator=np.random.default_rng(5))
    assert sorted(_order(loader)) == list(range(6))
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(dataset, num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(dataset, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(dataset, persistent_workers=True)
    with pytest.raises(ValueError, match="multiprocessing_context can only be used"):
        DataLoader(dataset, multiprocessing_context="spawn")
    with pytest.raises(ValueError, match="valid start method"):
        DataLoader(dataset, num_workers=1, multiprocessing_context="bogus")
    with pytest.raises(TypeError, match="valid context object"):
        DataLoader(dataset, num_workers=1, multiprocessing_context=3)
    with pytest.raises(ValueError, match="prefetch_factor option should be non-negative"):
        DataLoader(dataset, num_workers=2, prefetch_factor=-1)
    with pytest.raises(ValueError, match="a seed or a generator, not both"):
        DataLoader(dataset, shuffle=True, seed=1, generator=np.random.default_rng(1))


def test_batches_of_tuple_samples_are_lists_as_in_pytorch():
    # PyTorch's default_collate turns a tuple sample into a list of batches (a namedtuple
    # stays one), so a program may write batch[0] = batch[0].to(device); minigrad gave
    # tuples, which refuse that assignment.
    from collections import namedtuple

    fast = next(iter(DataLoader(TensorDataset(minigrad.arange(4.0), minigrad.arange(4)), 2)))
    assert isinstance(fast, list) and [b.tolist() for b in fast] == [[0.0, 1.0], [0, 1]]

    class Samples(minigrad.utils.data.Dataset):
        def __init__(self, make):
            self.make = make

        def __len__(self):
            return 3

        def __getitem__(self, i):
            return self.make(i)

    nested = next(iter(DataLoader(Samples(lambda i: (float(i), (i, [i]))), batch_size=2)))
    assert isinstance(nested, list) and isinstance(nested[1], list)
    assert nested[1][1][0].tolist() == [0, 1]
    Pair = namedtuple("Pair", "x y")
    pair = next(iter(DataLoader(Samples(lambda i: Pair(i, -i)), batch_size=2)))
    assert type(pair) is Pair and pair.y.tolist() == [0, -1]
    subset = minigrad.utils.data.Subset(TensorDataset(minigrad.arange(4.0)), [3, 1])
    assert isinstance(next(iter(DataLoader(subset, batch_size=2))), list)
