"""``minigrad.host_memory``: freed arrays' memory kept for the next ones (glibc only), and
every way to leave malloc alone."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from minigrad import host_memory

ON_GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Rounds of four 8 MiB arrays, filled and freed: with glibc's defaults the top of the
# heap is trimmed after each round and the next one maps its pages again.
FAULTS = """
import resource, numpy as np
{setup}
def round_():
    arrays = [np.ones(2 << 20, np.float32) for _ in range(4)]
    del arrays
round_()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    round_()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5)
"""


def faults_per_round(setup: str, **env) -> float:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_"))}
    environ.pop("MINIGRAD_KEEP_FREED_MEMORY", None)
    code = [sys.executable, "-c", FAULTS.format(setup=setup)]
    out = subprocess.run(code, env={**environ, **env}, capture_output=True, text=True, check=True)
    return float(out.stdout)


@pytest.mark.skipif(not ON_GLIBC, reason="the setting is glibc's (Linux); elsewhere a no-op")
def test_import_keeps_freed_memory_and_the_switch_turns_it_off():
    pages = (4 * 8 << 20) // 4096  # what one round touches
    kept = faults_per_round("import minigrad")
    off = faults_per_round("import minigrad", MINIGRAD_KEEP_FREED_MEMORY="0")
    plain = faults_per_round("")
    assert kept < pages / 50, kept
    assert off > pages / 8 and plain > pages / 8, (off, plain)


@pytest.mark.skipif(not ON_GLIBC, reason="the setting is glibc's (Linux); elsewhere a no-op")
def test_the_users_own_malloc_settings_win():
    pages = (4 * 8 << 20) // 4096
    assert faults_per_round("import minigrad", MALLOC_TRIM_THRESHOLD_="131072") > pages / 8
    for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"):
        assert host_memory.keep_freed_memory(environ={name: "65536"}) is False
    tunables = {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072"}
    assert host_memory.keep_freed_memory(environ=tunables) is False
    assert host_memory.keep_freed_memory(environ={"GLIBC_TUNABLES": "glibc.rtld.x=1"}) is True


def test_the_switch_and_other_platforms_leave_malloc_alone(monkeypatch):
    assert host_memory.keep_freed_memory(environ={"MINIGRAD_KEEP_FREED_MEMORY": "0"}) is False
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    assert host_memory.keep_freed_memory(environ={}) is False
