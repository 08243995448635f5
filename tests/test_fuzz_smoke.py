"""The differential fuzzer of issue 24 (tests/fuzz/): its parts, and a short run.

Most of this runs without PyTorch: the comparator (NaN- and inf-aware), the allowlist and
known-list matchers, the program generator (deterministic for a seed, and every program
valid source), and the runner, checked by running minigrad against itself (which must
always agree). The last tests run a handful of programs against PyTorch, and are skipped,
saying why, where PyTorch is not installed (the regular suite never needs it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from fuzz import compare, known, ops, programs
from fuzz.compare import Mismatch, Summary, differ, values_differ
from fuzz.fuzz_pytorch import Campaign, load_known, reproducer, run_batch
from fuzz.runner import Runner, minigrad_library

NAN, INF = float("nan"), float("inf")


def draw_programs(seed: int, n: int) -> list:
    drawn = []
    run_batch(seed, 0, n, lambda index, program: drawn.append(program))
    return drawn


# ---- the comparator ----------------------------------------------------------------------


def test_nan_and_inf_positions_must_match():
    a = np.array([NAN, INF, -INF, 1.0])
    assert values_differ(a, a.copy(), "float64") is None
    assert "NaN" in values_differ(np.array([NAN]), np.array([0.0]), "float64")
    assert "NaN" in values_differ(np.array([0.0]), np.array([NAN]), "float64")
    assert "inf" in values_differ(np.array([INF]), np.array([1e308]), "float64")
    assert "sign" in values_differ(np.array([-INF]), np.array([INF]), "float64")


def test_tolerances_follow_the_dtype():
    # float32 rounding passes in float32, and is caught in float64 (a float64 value
    # rounded through float32 is a bug the fuzzer found).
    rounded = float(np.float32(2.13))
    assert values_differ(np.array([rounded]), np.array([2.13]), "float32") is None
    assert values_differ(np.array([rounded]), np.array([2.13]), "float64") is not None
    assert values_differ(np.array([3]), np.array([3]), "int64") is None
    assert values_differ(np.array([True]), np.array([False]), "bool") is not None


def test_differ_reports_shape_dtype_flags_then_values():
    base = Summary("tensor", (2,), "float64", True, False, np.array([1.0, 2.0]))

    def like(**changes):
        fields = {**base.__dict__, **changes}
        return Summary(**fields)

    assert differ(base, base) is None
    assert differ(like(shape=(1, 2)), base)[0] == "shape"
    assert differ(like(dtype="float32"), base)[0] == "dtype"
    assert differ(like(requires_grad=False), base)[0] == "requires_grad"
    assert differ(like(array=np.array([1.0, 3.0])), base)[0] == "value"
    assert differ(Summary("none"), base) == ("value", "None vs a tensor")  # None vs zeros
    # A float32 result may match the float64 run instead of PyTorch's float32 one.
    f32 = like(dtype="float32", array=np.array([1.0, 2.0]))
    other = like(dtype="float32", array=np.array([1.0, 2.5]))
    assert differ(f32, other)[0] == "value"
    assert differ(f32, other, alternative=like(array=np.array([1.0, 2.0]))) is None


# ---- the allowlist and the known list -------------------------------------------------


def mismatch(kind="value", op="relu", minigrad="ran", torch="ran", events=(), **extra):
    return Mismatch(kind, op, 0, "forward", "", "", minigrad, torch, ("float64",),
                    frozenset(events), extra)  # fmt: skip


def test_allowlist_covers_the_documented_differences_only():
    refused = mismatch(
        "minigrad-only-raise",
        "add_",
        minigrad="RuntimeError: add_: minigrad records no graph for in-place operations on "
        "tensors that require grad; use the out-of-place form, or run it under no_grad()",
    )
    assert compare.allowed(refused).name.startswith("in-place")
    assert compare.allowed(mismatch("value", "iadd", events=["augmented-on-grad"])) is not None
    assert compare.allowed(mismatch("value", "topk_indices", ties=True, tied_equal=True))
    assert compare.allowed(mismatch("value", "topk_indices", ties=True, tied_equal=False)) is None
    assert compare.allowed(mismatch("value")) is None
    assert compare.allowed(mismatch("minigrad-only-raise", minigrad="ValueError: boom")) is None
    for entry in compare.ALLOWLIST:
        assert "docs/from-pytorch.md" in entry.doc


def test_signatures_and_known_patterns():
    m = mismatch("value", "div_scalar")
    m.dtypes = ("uint8", "int")
    assert m.signature == "value:div_scalar(uint8,int)"
    assert compare.known_entry(m.signature, [("value:div*(uint8,*)", "item 3")])
    assert compare.known_entry(m.signature, [("grad:*", "no")]) is None
    m.phase, m.kind = "backward", "torch-only-raise"
    assert m.signature == "torch-only-raise:div_scalar.backward(uint8,int)"


def test_known_list_is_well_formed(tmp_path):
    assert load_known("none") == []
    entries = load_known(known.__file__)
    assert entries == [tuple(e) for e in known.KNOWN]
    for pattern, note in entries:
        assert ":" in pattern and note.split(" ")[0] in ("issue", "NEW", "NEW:", "PYTORCH:")
    text = tmp_path / "known.txt"
    text.write_text("# a comment\nvalue:relu(*)  # item 4\n")
    assert load_known(str(text)) == [("value:relu(*)", "item 4")]


# ---- the generator and the runner -----------------------------------------------------


def test_the_same_seed_draws_the_same_programs():
    first = draw_programs(7, 30)
    assert first == draw_programs(7, 30)
    assert first != draw_programs(8, 30)
    assert len(first) == 30


def test_programs_are_well_formed():
    for program in draw_programs(0, 60):
        assert 1 <= len(program.steps) <= programs.MAX_STEPS
        assert 1 <= len(program.inputs) <= 3
        for spec in program.inputs:
            assert spec.dtype in ops.DTYPES
            assert len(spec.values) == math.prod(spec.shape)
            assert not spec.requires_grad or spec.dtype.startswith("float")
        assert all(step.op in ops.OPS for step in program.steps)


def test_minigrad_agrees_with_itself_and_reproducers_run():
    """Every program is valid source, and the runner sees no difference between two runs
    of the same library: anything else is a bug of the fuzzer."""
    runner = Runner(minigrad_library(), minigrad_library())
    statuses = set()
    for program in draw_programs(1, 80):
        outcome = runner.run(program)
        assert outcome.status in ("agree", "both-raise"), outcome.mismatch
        statuses.add(outcome.status)
    assert statuses == {"agree", "both-raise"}


def test_reproducer_is_a_script():
    runner = Runner(minigrad_library(), minigrad_library())
    outcome = runner.run(draw_programs(2, 1)[0])
    outcome.mismatch = mismatch()
    namespace: dict = {}
    source = reproducer(outcome).replace("print(", "(")
    exec(compile(source, "<reproducer>", "exec"), namespace)
    assert "m" in namespace and "x0" in namespace


def test_campaign_counts_add_up():
    result = Campaign(0, [])
    runner = Runner(minigrad_library(), minigrad_library())
    for i, program in enumerate(draw_programs(3, 20)):
        result.record(program, runner.run(program), (0, i, 20))
    assert result.programs == 20 == result.agree + result.both_raise + sum(result.kinds.values())


# ---- against PyTorch --------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch_runner():
    pytest.importorskip(
        "torch", reason="the fuzzer compares with PyTorch: pip install torch==2.13.0"
    )
    from fuzz.fuzz_pytorch import torch_libraries

    ref, ref64 = torch_libraries()
    return Runner(ref, minigrad_library(), ref64)


def test_a_known_good_program_agrees_with_pytorch(torch_runner):
    step = programs.Step("relu", (0, 0, 0), (0,) * programs.RAW_WIDTH, (1.0,), 0)
    spec = programs.InputSpec("x0", (3,), "float64", True, (-1.0, 0.5, 2.0))
    program = programs.Program((spec,), (step,), (1.0, -2.0, 0.5), "backward")
    assert torch_runner.run(program).status == "agree"


def test_a_short_campaign_against_pytorch(torch_runner, capsys):
    from fuzz.fuzz_pytorch import main

    status = main(["--max-examples", "25", "--seed", "0", "--shrink-seconds", "2"])
    out = capsys.readouterr().out
    assert "seed 0" in out and "25 programs" in out and "agreements" in out
    assert status in (0, 1)  # 1 only with a new mismatch class, printed with its reproducer
    if status:
        assert "new mismatch class" in out
