"""Hostile checkpoint files: loading does bounded work, and answers with the value or a
CheckpointError, never a hang, a huge allocation or a raw traceback (issue 22).

Each crafted file is built here, small, from what ``save`` writes.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import atomic
from minigrad.serialization import CheckpointError, load, save

SIGNATURES = [b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"]


def _same(a, b) -> bool:
    """Deep equality with types, for what the tests save (tensors, dicts, lists, ints)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, minigrad.Tensor):
        return (
            a.dtype == b.dtype and a.shape == b.shape and a.numpy().tobytes() == b.numpy().tobytes()
        )
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _bytes(obj) -> bytes:
    buffer = io.BytesIO()
    save(obj, buffer)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as z:
        for name, payload in members.items():
            z.writestr(name, payload)
    return buffer.getvalue()


def _signature_run(size: int) -> minigrad.Tensor:
    """A float32 tensor of ``size`` bytes that repeat the end-of-archive signature."""
    return minigrad.tensor(np.frombuffer(b"PK\x05\x06" * (size // 4), dtype=np.float32))


# ----------------------------------------------------------------------------------------
# 1. Work linear in the file's size
# ----------------------------------------------------------------------------------------


def test_a_stream_of_signatures_before_a_second_archive_loads_in_linear_time():
    """The first of two archives, its tensor made of end-of-archive signatures: 1 MB took
    20 s when every signature was tried with a copy and an open (quadratic); now ms."""
    first = {"b": _signature_run(1 << 20)}
    data = _bytes(first) + _bytes({"c": minigrad.tensor([3.0])})
    began = time.perf_counter()
    loaded = load(io.BytesIO(data))
    elapsed = time.perf_counter() - began
    assert _same(loaded, first)
    assert elapsed < 2.0, f"loading {len(data)} bytes took {elapsed:.2f} s"


def test_a_checkpoint_followed_by_junk_loads_the_checkpoint():
    state = {"w": minigrad.arange(4)}
    assert _same(load(io.BytesIO(_bytes(state) + b"junk, not an archive" * 10)), state)


# ----------------------------------------------------------------------------------------
# 2. A declared shape beyond the member's bytes
# ----------------------------------------------------------------------------------------


def _with_declared_shape(shape) -> bytes:
    """A checkpoint of a 16-float tensor (64 bytes) whose .npy header and JSON header
    both declare ``shape``."""
    members = _members(_bytes({"w": minigrad.ones(16)}))
    header = np.lib.format.read_array_header_1_0(_after_magic(members["a0.npy"]))
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        npy, {"descr": np.lib.format.dtype_to_descr(header[2]), "fortran_order": False,
              "shape": shape}
    )  # fmt: skip
    members["a0.npy"] = npy.getvalue() + np.ones(16, dtype=np.float32).tobytes()
    text = json.loads(str(np.load(io.BytesIO(members["__minigrad__.npy"]))))
    text["root"]["values"][0]["shape"] = list(shape)
    tree = io.BytesIO()
    np.save(tree, np.array(json.dumps(text)))
    members["__minigrad__.npy"] = tree.getvalue()
    return _zip(members)


def _after_magic(payload: bytes) -> io.BytesIO:
    """An .npy member as a file, past its magic string: where its header starts."""
    f = io.BytesIO(payload)
    np.lib.format.read_magic(f)
    return f


def test_a_declared_shape_far_beyond_the_member_s_bytes_is_reported_not_allocated(tmp_path):
    path = tmp_path / "huge.npz"
    path.write_bytes(_with_declared_shape((10**12,)))  # 3.6 TiB of float32 in 64 bytes
    with pytest.raises(CheckpointError, match=r"huge\.npz.*'a0' declares shape \(1000000000000,\) "
                       r"of float32 \(4000000000000 bytes\), but holds 64 bytes"):  # fmt: skip
        load(path)


@pytest.mark.parametrize("shape", [(15,), (17,), (2**62, 4), (0,)])
def test_any_declared_size_but_the_real_one_is_refused(shape):
    with pytest.raises(CheckpointError, match="declares shape"):
        load(io.BytesIO(_with_declared_shape(shape)))


def test_the_declared_shape_when_it_matches_loads():
    assert load(io.BytesIO(_with_declared_shape((4, 4))))["w"].shape == (4, 4)


# ----------------------------------------------------------------------------------------
# 3. Compressed members
# ----------------------------------------------------------------------------------------


def test_a_compression_bomb_is_refused(tmp_path):
    """4 MB of zeros deflate to a few KB; minigrad never writes compressed members."""
    members = _members(_bytes({"w": minigrad.zeros(1 << 20)}))
    path = tmp_path / "bomb.npz"
    path.write_bytes(_zip(members, zipfile.ZIP_DEFLATED))
    assert path.stat().st_size < 20_000
    with pytest.raises(CheckpointError, match=r"bomb\.npz.* is compressed \(deflate\); minigrad "
                       r"stores members uncompressed"):  # fmt: skip
        load(path)


# ----------------------------------------------------------------------------------------
# 4. Temporary files left by killed saves
# ----------------------------------------------------------------------------------------


def _leftover(directory, pid: int, age: float, host: str | None = None) -> str:
    name = (
        f"{atomic.TEMPORARY_PREFIX}{host or atomic._host()}-{pid}-x1y2z3{atomic.TEMPORARY_SUFFIX}"
    )
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(b"PK\x03\x04 half a checkpoint")
    os.utime(path, (time.time() - age, time.time() - age))
    return name


def _dead_pid() -> int:
    pid = os.getpid() + 1
    while not atomic._pid_is_gone(pid):
        pid += 1
    return pid


def test_the_next_save_removes_what_a_killed_save_left(tmp_path):
    stale = _leftover(tmp_path, _dead_pid(), age=atomic.STALE_AFTER_EXIT + 60)
    ancient = _leftover(tmp_path, 1, age=atomic.STALE_AFTER + 60, host="elsewhere")
    save({"w": minigrad.ones(2)}, tmp_path / "ckpt.npz")
    assert stale not in os.listdir(tmp_path) and ancient not in os.listdir(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]


def test_the_next_save_keeps_what_a_live_writer_may_still_own(tmp_path):
    kept = [
        _leftover(tmp_path, os.getpid(), age=atomic.STALE_AFTER - 60),  # this process: alive
        _leftover(tmp_path, _dead_pid(), age=atomic.STALE_AFTER_EXIT - 60),  # gone, but recent
        _leftover(tmp_path, 1, age=atomic.STALE_AFTER - 60, host="elsewhere"),  # cannot check
    ]
    others = [".minigrad-notes.txt", "x.tmp", ".minigrad-x.tmp.keep"]  # not our naming
    for name in others:
        (tmp_path / name).write_text("mine")
        os.utime(tmp_path / name, (0, 0))
    save(1, tmp_path / "ckpt.npz")
    assert sorted(os.listdir(tmp_path)) == sorted([*kept, *others, "ckpt.npz"])


def test_the_temporary_file_names_its_writer(tmp_path, monkeypatch):
    seen = []
    replace = os.replace

    def spy(source, target):
        seen.append(os.path.basename(source))
        replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    save(1, tmp_path / "c")
    assert seen[0].startswith(f".minigrad-{atomic._host()}-{os.getpid()}-")
    assert seen[0].endswith(".tmp")


# ----------------------------------------------------------------------------------------
# Fuzzing: every damaged file loads as saved or raises CheckpointError, in linear time
# ----------------------------------------------------------------------------------------

STATE = {"w": minigrad.arange(24, dtype=minigrad.float32).reshape(2, 3, 4), "n": [1, "x"]}
SAVED = _bytes(STATE)


def _time_bound(size: int) -> float:
    """What a linear reader meets with a wide margin on a busy machine: 1 s plus 2 us per
    byte (it reads a megabyte in about 10 ms; the quadratic one took 20 s on half a
    megabyte). A base of 0.25 s once failed on a file of a few kilobytes, during one of
    the 2-core machine's slow phases."""
    return 1.0 + 2e-6 * size


def _check(data: bytes) -> None:
    began = time.perf_counter()
    try:
        loaded = load(io.BytesIO(data))
    except CheckpointError:
        loaded = None
    elapsed = time.perf_counter() - began
    assert elapsed < _time_bound(len(data)), f"{len(data)} bytes took {elapsed:.3f} s"
    if loaded is not None:
        assert _same(loaded, STATE), f"loaded {loaded!r} from a damaged file"


FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip


@FUZZ
@given(st.integers(0, len(SAVED)))
def test_fuzz_truncations(keep):
    _check(SAVED[:keep])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(SAVED) - 1), st.integers(1, 255)), max_size=4))
def test_fuzz_byte_flips(flips):
    data = bytearray(SAVED)
    for position, mask in flips:
        data[position] ^= mask
    _check(bytes(data))


@FUZZ
@given(
    st.integers(0, len(SAVED)), st.sampled_from(SIGNATURES), st.integers(1, 64),
    st.sampled_from([b"", SAVED, b"trailing junk"]),
)  # fmt: skip
def test_fuzz_inserted_signatures(position, signature, repeats, tail):
    _check(SAVED[:position] + signature * repeats + SAVED[position:] + tail)


@settings(FUZZ, max_examples=8)
@given(st.integers(1 << 14, 1 << 19), st.sampled_from(SIGNATURES),
       st.sampled_from([SAVED, b"junk", b""]))  # fmt: skip
@example(1 << 19, b"PK\x05\x06", SAVED)  # the case at half a megabyte: 5 s before
def test_fuzz_large_runs_of_signatures_inside_a_tensor(size, signature, tail):
    run = minigrad.tensor(np.frombuffer(signature * (size // 4), dtype=np.float32))
    data = _bytes({"run": run}) + tail
    began = time.perf_counter()
    loaded = load(io.BytesIO(data))
    assert time.perf_counter() - began < _time_bound(len(data))
    assert loaded["run"].numpy().tobytes() == run.numpy().tobytes()


_ABSURD_INTS = st.one_of(
    st.integers(-3, 30), st.sampled_from([2**31, 2**32 + 1, 10**12, 2**63, 2**64, 10**40])
)


@FUZZ
@given(
    st.lists(_ABSURD_INTS, max_size=4).map(tuple),
    st.sampled_from(["<f4", "<i8", "|b1", "<U3", "|V8", "<f8", ">f4"]),
    st.integers(0, 200),
    st.sampled_from(["w", "shape", "dtype", "none"]),
)
def test_fuzz_absurd_headers(shape, descr, stored, lie):
    """An .npy header declaring any shape and dtype over any number of bytes, and a JSON
    node that may disagree with it."""
    npy = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    try:
        np.lib.format.write_array_header_1_0(npy, header)
    except ValueError:  # NumPy refuses to write this header at all
        return
    members = _members(_bytes({"w": minigrad.ones(2)}))
    members["a0.npy"] = npy.getvalue() + b"\x01" * stored
    tree = json.loads(str(np.load(io.BytesIO(members["__minigrad__.npy"]))))
    node = tree["root"]["values"][0]
    if lie == "shape":
        node["shape"] = list(shape)
    elif lie == "dtype":
        node["dtype"] = descr
    elif lie == "none":
        tree["root"] = {"type": "tensor", "array": "a0", "shape": list(shape)}
    text = io.BytesIO()
    np.save(text, np.array(json.dumps(tree)))
    members["__minigrad__.npy"] = text.getvalue()
    data = _zip(members)
    began = time.perf_counter()
    with pytest.raises(CheckpointError):  # the SHA-256 recorded is that of two ones
        load(io.BytesIO(data))
    assert time.perf_counter() - began < _time_bound(len(data))
