"""Differential fuzzing of minigrad against PyTorch 2.13 (issue 24).

    pip install torch==2.13.0
    python tests/fuzz/fuzz_pytorch.py --seconds 60 --seed 0
    python tests/fuzz/fuzz_pytorch.py --list-ops
    python tests/fuzz/fuzz_pytorch.py --max-examples 200 --seed 3 --known none

Hypothesis draws programs (``programs.py``: chains of 1-6 ops from ``ops.py`` over
broadcast, 0-d and empty shapes, all seven dtypes, Python scalars, in-place writes through
views); each runs in PyTorch and in minigrad (``runner.py``), and every tensor, dtype,
flag and gradient is compared (``compare.py``). The campaign runs in batches of
``--batch`` programs, batch ``i`` from hypothesis seed ``(seed, i)``: the same seed gives
the same programs, and a longer run only adds batches.

Each mismatch gets a signature (``kind:op[dtypes]``). Signatures covered by the allowlist
(deliberate differences, documented in docs/from-pytorch.md) are counted and never fail;
those matching ``--known`` (default ``tests/fuzz/known.py``: open bugs, each with its issue
item) are reported and do not fail; any other is *new*, and makes the exit status 1.
For every class found, the first program that showed it is replayed under hypothesis
with shrinking (``--shrink-seconds`` in all), and the minimal program is printed as a
short script that runs with ``import minigrad as m`` or ``import torch as m``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))  # tests/: the fuzz package
if str(HERE.parent.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent.parent))  # the repository: minigrad

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings  # noqa: E402

from fuzz.compare import KINDS, Mismatch, allowed, known_entry  # noqa: E402
from fuzz.ops import OPS_LIST  # noqa: E402
from fuzz.programs import programs  # noqa: E402
from fuzz.runner import Library, Outcome, Runner, minigrad_library  # noqa: E402


def torch_libraries() -> tuple[Library, Library]:
    """PyTorch as the reference, and PyTorch in float64 (float32 dtypes mapped to
    float64, and float64 the default dtype) for the float64 run of float32 programs."""
    import torch

    def dtype_name(t):
        return str(t.dtype).removeprefix("torch.")

    def to_numpy(t):
        return t.detach().cpu().resolve_conj().numpy().copy()

    class Float64Torch:
        def __getattr__(self, name):
            if name in ("float32", "float16", "half"):
                return torch.float64
            return getattr(torch, name)

    @contextlib.contextmanager
    def float64_default():
        before = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            yield
        finally:
            torch.set_default_dtype(before)

    ref = Library("torch", torch, torch.Tensor, dtype_name, to_numpy)

    def to_float64(code: str) -> str:
        return code.replace(".float()", ".double()").replace(".half()", ".double()")

    ref64 = Library(
        "torch-float64", Float64Torch(), torch.Tensor, dtype_name, to_numpy, float64_default,
        to_float64,
    )  # fmt: skip
    return ref, ref64


def load_known(spec: str | None) -> list:
    """``(pattern, note)`` pairs: from a Python file defining ``KNOWN`` (the default,
    ``known.py``), a text file of patterns (one a line, ``#`` comments), or none."""
    if spec in (None, "", "none"):
        return []
    path = Path(spec)
    if path.suffix == ".py":
        namespace: dict = {}
        exec(compile(path.read_text(), str(path), "exec"), namespace)
        return [tuple(entry) for entry in namespace["KNOWN"]]
    entries = []
    for line in path.read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            entries.append((text, line.split("#", 1)[1].strip() if "#" in line else ""))
    return entries


@dataclass
class MismatchClass:
    signature: str
    status: str  # "allowed", "known" or "new"
    note: str
    first: Mismatch
    where: tuple  # (batch, index) of the first program that showed it
    program: object
    outcome: Outcome
    count: int = 0
    minimized: tuple | None = None  # (program, outcome) after shrinking


@dataclass
class Campaign:
    seed: int
    known: list
    programs: int = 0
    agree: int = 0
    both_raise: int = 0
    kinds: Counter = field(default_factory=Counter)  # (kind, status) -> programs
    allowed_by: Counter = field(default_factory=Counter)
    other_errors: Counter = field(default_factory=Counter)  # (op, torch's, minigrad's)
    classes: dict = field(default_factory=dict)

    def record(self, program, outcome: Outcome, where) -> None:
        self.programs += 1
        if outcome.status == "agree":
            self.agree += 1
            return
        if outcome.status == "both-raise":
            self.both_raise += 1
            if outcome.other_errors:
                self.other_errors[outcome.other_errors] += 1
            return
        m = outcome.mismatch
        entry = allowed(m)
        if entry is not None:
            status, note = "allowed", entry.name
            self.allowed_by[entry.name] += 1
        else:
            hit = known_entry(m.signature, self.known)
            status, note = ("known", hit[1]) if hit else ("new", "")
        self.kinds[(m.kind, status)] += 1
        cls = self.classes.get(m.signature)
        if cls is None:
            cls = MismatchClass(m.signature, status, note, m, where, program, outcome)
            self.classes[m.signature] = cls
        cls.count += 1

    @property
    def new(self) -> list:
        return [c for c in self.classes.values() if c.status == "new"]


def batch_seed(campaign_seed: int, batch: int) -> int:
    return campaign_seed * 1_000_003 + batch


def run_batch(campaign_seed, batch, n, body, shrink=False):
    """Run hypothesis over ``n`` programs of batch ``batch`` (the same programs for the
    same seed and batch), calling ``body(index, program)`` on each."""
    counter = [0]

    def test(program):
        index = counter[0]
        counter[0] += 1
        body(index, program)

    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]
    wrapped = settings(
        database=None,
        max_examples=n,
        deadline=None,
        phases=phases,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        derandomize=False,
    )(seed(batch_seed(campaign_seed, batch))(given(programs())(test)))
    wrapped()


def campaign(runner, seed_: int, seconds: float, max_examples: int | None, known, batch=100,
             progress=None) -> Campaign:  # fmt: skip
    """Run programs until ``seconds`` pass or ``max_examples`` programs have run."""
    result = Campaign(seed_, known)
    deadline = time.monotonic() + seconds
    limit = max_examples if max_examples is not None else float("inf")
    b = 0
    while result.programs < limit and time.monotonic() < deadline:
        n = int(min(batch, limit - result.programs))

        def body(index, program, b=b, n=n):
            if result.programs >= limit or time.monotonic() >= deadline:
                return
            result.record(program, runner.run(program), (b, index, n))

        run_batch(seed_, b, n, body)
        b += 1
        if progress:
            progress(result)
    return result


class _Found(Exception):
    pass


class _OutOfTime(BaseException):
    """Ends a shrinking run at once: hypothesis lets BaseExceptions through."""


def minimize(runner, cls: MismatchClass, campaign_seed: int, deadline: float) -> None:
    """Replay the batch that first showed ``cls`` and let hypothesis shrink its program,
    keeping the signature. Sets ``cls.minimized`` (the smallest program found before
    ``deadline``)."""
    b, target, n = cls.where
    best = [None]

    def body(index, program):
        if index < target:
            return  # generation does not depend on the test's results: fast-forward
        if time.monotonic() >= deadline:
            raise _OutOfTime
        outcome = runner.run(program)
        if outcome.mismatch is not None and outcome.mismatch.signature == cls.signature:
            best[0] = (program, outcome)
            raise _Found

    with contextlib.suppress(_Found, _OutOfTime, Exception):
        run_batch(campaign_seed, b, n, body, shrink=True)
    if best[0] is not None:
        cls.minimized = best[0]


PRELUDE = (
    "import minigrad as m  # the same program runs with: import torch as m",
    'nan, inf = float("nan"), float("inf")',
)


def reproducer(outcome: Outcome) -> str:
    """The program as a script, ending where the libraries disagree, with both results."""
    m = outcome.mismatch
    lines = [*PRELUDE, *outcome.lines]
    if outcome.show:
        lines.append(f"print({outcome.show})")
    lines.append(f"# torch:    {m.torch}")
    lines.append(f"# minigrad: {m.minigrad}")
    if m.detail and m.detail not in ("raised", "did not raise"):
        lines.append(f"# ({m.detail})")
    return "\n".join(lines)


def report(result: Campaign, seconds: float, out=None) -> None:
    out = out or sys.stdout
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"seed {result.seed}, {seconds:.0f} s: {result.programs} programs")
    p(f"  agreements:  {result.agree}")
    p(f"  both-raise:  {result.both_raise}")
    if result.other_errors:  # not mismatches: which check fires first may differ
        total = sum(result.other_errors.values())
        p(f"    of which with unrelated exception types: {total}; the most frequent:")
        for (op, theirs, ours), count in result.other_errors.most_common(8):
            p(f"    {count:6d}  {op}: PyTorch {theirs}, minigrad {ours}")
    for kind in KINDS:
        counts = {s: result.kinds[(kind, s)] for s in ("new", "known", "allowed")}
        label = "one-raise " if "raise" in kind else "mismatch  "
        split = f"new {counts['new']}, known {counts['known']}, allowed {counts['allowed']}"
        p(f"  {label}{kind:20s} {sum(counts.values()):6d}  ({split})")
    if result.allowed_by:
        p("  allowed (deliberate differences, docs/from-pytorch.md):")
        for name, count in result.allowed_by.most_common():
            p(f"    {count:6d}  {name}")
    for status in ("new", "known"):
        classes = [c for c in result.classes.values() if c.status == status]
        if not classes:
            continue
        p(f"\n==== {len(classes)} {status} mismatch class(es)")
        for cls in sorted(classes, key=lambda c: -c.count):
            note = f"  [{cls.note}]" if cls.note else ""
            p(f"\n---- {cls.signature}: {cls.count} program(s){note}")
            _, outcome = cls.minimized or (cls.program, cls.outcome)
            p("# minimized by hypothesis" if cls.minimized else "# not minimized (no time left)")
            p(reproducer(outcome))
    seen = {c.note for c in result.classes.values() if c.status == "known"}
    unseen = [(pat, note) for pat, note in result.known if note not in seen]
    if unseen:
        p(f"\n{len(unseen)} known pattern(s) not met in this run (fixed, or not reached):")
        for pat, note in unseen:
            p(f"    {pat}  [{note}]")


def list_ops(out=None) -> None:
    out = out or sys.stdout
    for o in OPS_LIST:
        flags = [f for f in ("inplace", "augmented", "value", "ties") if getattr(o, f)]
        shown = f"{o.name:24s} {o.template}" + (f"   ({', '.join(flags)})" if flags else "")
        print(shown, file=out)
    print(f"{len(OPS_LIST)} ops", file=out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="campaign time (default 60)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-examples", type=int, default=None, help="stop after N programs")
    parser.add_argument("--batch", type=int, default=100, help="programs per hypothesis run")
    parser.add_argument(
        "--shrink-seconds", type=float, default=20.0, help="time to minimize reproducers (20)"
    )
    parser.add_argument(
        "--known",
        default=str(HERE / "known.py"),
        help="known mismatches: known.py (the default), a text file of patterns, or 'none'",
    )
    parser.add_argument("--list-ops", action="store_true", help="list the op table and exit")
    parser.add_argument(
        "--self", action="store_true", help="minigrad against itself (checks the fuzzer)"
    )
    args = parser.parse_args(argv)
    if args.list_ops:
        list_ops()
        return 0
    if args.self:
        runner = Runner(minigrad_library(), minigrad_library())
    else:
        ref, ref64 = torch_libraries()
        runner = Runner(ref, minigrad_library(), ref64)
    known = load_known(args.known)
    start = time.monotonic()
    result = campaign(runner, args.seed, args.seconds, args.max_examples, known, args.batch)
    elapsed = time.monotonic() - start
    deadline = time.monotonic() + args.shrink_seconds
    order = sorted(result.classes.values(), key=lambda c: (c.status != "new", -c.count))
    order = [c for c in order if c.status != "allowed"]
    for i, cls in enumerate(order):
        now = time.monotonic()
        if now >= deadline:
            break
        minimize(runner, cls, args.seed, now + (deadline - now) / (len(order) - i))
    report(result, elapsed)
    return 1 if result.new else 0


if __name__ == "__main__":
    sys.exit(main())
