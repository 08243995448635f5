"""Run one program in two libraries, step by step, and say where they first disagree.

A :class:`Library` is a namespace to execute source in (``m`` bound to the library) and a
way to read a result as a library-neutral :class:`~compare.Summary`. The runner executes
the program's source line by line in the reference (PyTorch) and in the library under
test (minigrad), in lockstep:

1. the inputs are created, from literals;
2. each step is resolved to source (from the reference's shapes: both libraries agree on
   them so far, or the run has stopped), run in both, and then *every* tensor of the
   program is compared, not only the new one: a write through a view must change exactly
   the same bases, and nothing else;
3. if the last tensor requires grad, backward runs from it with an upstream gradient drawn
   with the program (``.backward(g)`` or ``autograd.grad(..., allow_unused=True)``), and
   every leaf's gradient is compared, None against None (unreached) and zeros against
   zeros (reached with a zero gradient).

The first difference ends the run. A gradient difference is blamed on the op whose prefix
of the program is the shortest one whose backward already differs. Nothing here imports
PyTorch: the libraries are passed in (``minigrad_library()`` against itself is the
runner's own test).
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import math
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from .compare import Mismatch, Summary, differ, first_line, values_differ
from .ops import FLOAT_DTYPES, INF, INT_RANGES, NAN, OPS, Operand, Resolver, cast, tensor_source

VAR = re.compile(r"^(x\d+|t\d+|c\d+_\d+)$")
# PyTorch's warning for index_put_ and masked_fill_ (x[index] = v) on an expanded tensor
_EXPANDED_WRITE = "on expanded tensors is deprecated"


class Library:
    """A library to run programs in: ``name``, the module bound to ``m``, its tensor
    type, and how to read a tensor's dtype name, flags and values."""

    def __init__(self, name, module, tensor_type, dtype_name, to_numpy, context=None, rewrite=None):
        self.name = name
        self.module = module
        self.tensor_type = tensor_type
        self.dtype_name = dtype_name
        self.to_numpy = to_numpy
        self.context = context or contextlib.nullcontext
        self.rewrite = rewrite  # source -> source, for the float64 run (.float() -> .double())

    def namespace(self) -> dict:
        return {"__builtins__": builtins, "m": self.module, "nan": NAN, "inf": INF}

    def summary(self, obj) -> Summary:
        try:
            if obj is None:
                return Summary("none")
            if isinstance(obj, self.tensor_type):
                return Summary(
                    "tensor",
                    tuple(int(s) for s in obj.shape),
                    self.dtype_name(obj),
                    bool(obj.requires_grad),
                    bool(obj.is_leaf),
                    self.to_numpy(obj),
                )
            if isinstance(obj, (bool, int, float)):
                return Summary("value", dtype=type(obj).__name__, array=obj)
            return Summary("value", dtype=type(obj).__name__, array=repr(obj))
        except Exception as error:
            return Summary("error", error=first_line(error))


def minigrad_library() -> Library:
    import minigrad

    return Library(
        "minigrad",
        minigrad,
        minigrad.Tensor,
        lambda t: t.dtype.name,
        lambda t: np.array(t.detach().numpy(), copy=True),
    )


@functools.lru_cache(maxsize=4096)
def _compiled(code: str):
    return compile(code, "<program>", "exec")


class _Session:
    """One library's namespace during one run."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.ns = lib.namespace()
        self.warned: list[str] = []  # the warnings of the last exec

    def exec(self, code: str):
        if self.lib.rewrite is not None:
            code = self.lib.rewrite(code)
        caught = warnings.catch_warnings(record=True)
        with caught as messages, np.errstate(all="ignore"), self.lib.context():
            warnings.simplefilter("always")  # recorded, not shown
            try:
                exec(_compiled(code), self.ns)
            except Exception as error:
                return error
            finally:
                self.warned = [str(w.message) for w in messages]
        return None

    def eval(self, expr: str):
        with warnings.catch_warnings(), np.errstate(all="ignore"), self.lib.context():
            warnings.simplefilter("ignore")
            try:
                return eval(expr, self.ns)
            except Exception:
                return None

    def tensor_names(self) -> list[str]:
        return [k for k, v in self.ns.items() if VAR.match(k) and self.is_tensor(v)]

    def is_tensor(self, obj) -> bool:
        return isinstance(obj, self.lib.tensor_type)

    def summary(self, name: str) -> Summary:
        return self.lib.summary(self.ns.get(name))

    def grad_summary(self, name: str) -> Summary:
        obj = self.ns.get(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.lib.summary(getattr(obj, "grad", None))


@dataclass
class Outcome:
    """How one program ran: ``status`` is "agree", "both-raise" or "mismatch"."""

    status: str
    lines: list = field(default_factory=list)
    mismatch: Mismatch | None = None
    steps_run: int = 0
    show: str = ""  # the expression whose value differs, for the reproducer
    # both-raise: (op, PyTorch's exception type, minigrad's) when neither type is the
    # other or a subclass of it (a RuntimeError against a ValueError, not against a
    # NotImplementedError); reported, not a mismatch: the checks may run in another order
    other_errors: tuple = ()


def _other_errors(bad: tuple) -> tuple:
    return bad[2] if len(bad) > 2 else ()


@dataclass
class _StepInfo:
    op: str
    code: str
    dtypes: tuple
    operands: list
    extra: dict


def _operand_dtypes(operands, notes) -> tuple:
    return tuple(o.dtype for o in operands) + tuple(notes)


class Runner:
    """Runs programs: ``ref`` is the reference (PyTorch), ``sut`` the library under test;
    ``ref64`` (optional) makes the float64 run that float32 results may match instead."""

    def __init__(self, ref: Library, sut: Library, ref64: Library | None = None):
        self.ref, self.sut, self.ref64 = ref, sut, ref64

    # -- one run ---------------------------------------------------------------------------

    def run(self, program, upto: int | None = None, localize: bool = True) -> Outcome:
        ref, sut = _Session(self.ref), _Session(self.sut)
        lines: list[str] = []
        events: set[str] = set()
        infos: list[_StepInfo] = []
        pool: list[str] = []
        steps = program.steps if upto is None else program.steps[:upto]

        for spec in program.inputs:
            code = spec.source()
            lines.append(code)
            bad = self._exec_both(ref, sut, code, "input", -1, (spec.dtype,), events)
            if bad is not None:
                return Outcome(bad[0], lines, bad[1], 0, other_errors=_other_errors(bad))
            pool.append(spec.name)
        found = self._compare_all(program, ref, sut, -1, "input", code, (), events, None)
        if found:
            return Outcome("mismatch", lines, found, 0, found.extra.get("name", ""))

        for k, step in enumerate(steps):
            op = OPS[step.op]
            names = [pool[-1 - (p % len(pool))] for p in step.operands[: op.arity]]
            operands = []
            for n in names:
                s = ref.summary(n)
                operands.append(Operand(n, s.shape, s.dtype, s.requires_grad))
            r = Resolver(step, operands, prefix=f"c{k}_", probe=ref.eval)
            expr = op.render(r)
            if op.inplace or op.augmented:
                if op.inplace and step.no_grad != 4:
                    main = "with m.no_grad():\n    " + expr.replace("\n", "\n    ")
                else:
                    main = expr
                    if op.inplace:
                        events.add("inplace-with-grad-mode")
                if op.augmented and any(o.requires_grad for o in operands):
                    events.add("augmented-on-grad")
            else:
                main = f"t{k} = {expr}"
            code = "\n".join([*r.prelude, main])
            lines.append(code)
            dtypes = _operand_dtypes(operands, r.notes)
            extra = {"empty": any(0 in o.shape for o in operands)}  # PyTorch checks less
            if op.name == "max_pool2d" and operands and operands[0].dtype in FLOAT_DTYPES:
                nans = np.isnan(np.asarray(ref.summary(names[0]).array, dtype=float)).sum()
                extra["several_nans"] = bool(nans >= 2)
            if op.name == "to_dtype" and operands[0].dtype in FLOAT_DTYPES:
                extra["undefined_cast"] = _undefined_cast(ref.summary(names[0]).array, expr)
            if op.name == "pow" and operands[1].dtype in INT_RANGES:  # a wraparound, compare.py
                exponent = np.asarray(ref.summary(names[1]).array)
                lowest = INT_RANGES[operands[1].dtype][0]
                extra["lowest_int_exponent"] = bool((exponent == lowest).any())
            if op.name == "layer_norm":
                events.add("layer-norm")  # its zeros may have the other sign (compare.py)
            infos.append(_StepInfo(op.name, code, dtypes, names, extra))
            bad = self._exec_both(ref, sut, code, op.name, k, dtypes, events)
            if not extra["empty"]:  # the step's constants (c{k}_0 = m.zeros((2, 0))) count
                constants = [n for n in list(ref.ns) if n.startswith(f"c{k}_")]
                extra["empty"] = any(0 in ref.summary(n).shape for n in constants)
            if bad is not None:
                if bad[1] is not None and op.name.startswith("getitem"):
                    result = ref.summary(f"t{k}")  # what PyTorch's index selected
                    extra["empty_result"] = 0 in (result.shape or ())
                if bad[1] is not None:
                    bad[1].extra.update(extra)
                return Outcome(bad[0], lines, bad[1], k + 1, other_errors=_other_errors(bad))
            found = self._compare_all(
                program, ref, sut, k, op.name, code, dtypes, events, op, names
            )
            if found:
                if op.ties:
                    found.extra.update(self._ties(ref, sut, f"t{k}", names[0], expr))
                shown = found.extra.get("name", "")
                if (op.inplace or op.augmented) and shown not in names and shown.startswith("t"):
                    # A write changed (or failed to change) another tensor: blame the op
                    # that made that tensor (an alias where PyTorch makes a copy, or the
                    # reverse) as "maker<-writer", with the maker's operand dtypes.
                    maker = infos[int(shown[1:])]
                    found.op, found.dtypes = f"{maker.op}<-{op.name}", maker.dtypes
                return Outcome("mismatch", lines, found, k + 1, found.extra.get("name", ""))
            if not (op.inplace or op.augmented or op.value) and ref.is_tensor(ref.ns.get(f"t{k}")):
                pool.append(f"t{k}")

        outcome = self._backward(program, ref, sut, pool, lines, infos, events, len(steps))
        if outcome.status == "mismatch" and localize and len(steps) > 1:
            self._blame(program, outcome, infos, len(steps))
        return outcome

    def _exec_both(self, ref, sut, code, opname, k, dtypes, events, phase="forward"):
        er, es = ref.exec(code), sut.exec(code)
        if er is not None and es is not None:
            related = isinstance(er, type(es)) or isinstance(es, type(er))
            return ("both-raise", None, () if related else (opname, type(er).__name__,
                                                              type(es).__name__))  # fmt: skip
        if er is None and es is None:
            return None
        kind = "torch-only-raise" if er is not None else "minigrad-only-raise"
        m = Mismatch(
            kind,
            opname,
            k,
            phase,
            code,
            "raised" if es is not None else "did not raise",
            first_line(es) if es is not None else "ran",
            first_line(er) if er is not None else "ran",
            dtypes,
            frozenset(events),
        )
        if es is not None:
            # PyTorch ran an indexed write into an expanded tensor, deprecated (compare.py)
            m.extra["expanded_write"] = any(_EXPANDED_WRITE in w for w in ref.warned)
        return ("mismatch", m)

    @staticmethod
    def _scale(ref, names) -> float:
        """The largest finite magnitude among the operands (for the tolerance)."""
        scale = 1.0
        for name in names:
            a = ref.summary(name).array
            if isinstance(a, np.ndarray) and a.size and a.dtype.kind in "fiub":
                a = a.astype(np.float64)
                finite = a[np.isfinite(a)]
                if finite.size:
                    scale = max(scale, float(np.abs(finite).max()))
        return scale

    def _compare_all(self, program, ref, sut, k, opname, code, dtypes, events, op, operands=()):
        names = list(dict.fromkeys(ref.tensor_names() + sut.tensor_names()))
        if any(ref.summary(n).dtype in ("float32", "float16") for n in ref.tensor_names()):
            events.add("low-precision")  # float32 on the way: float64 results get its tolerance
        low = "low-precision" in events
        # A tensor's scale: the largest magnitude among its operands, and theirs, so that
        # a rounding error made early is still allowed for in the results built on it.
        scales = ref.__dict__.setdefault("scales", {})  # name -> the scale it was made with
        step_scale = max([self._scale(ref, operands), *(scales.get(o, 1.0) for o in operands)])
        if op is not None and op.value:
            names.append(f"t{k}")
        for name in names:
            expected, actual = ref.summary(name), sut.summary(name)
            scale = max(scales.setdefault(name, step_scale), step_scale)
            # a Python value (item()) is read from the step's operand: its dtype's tolerance
            source = dtypes[0] if op is not None and op.value and name == f"t{k}" else ""
            why = differ(actual, expected, low=low, scale=scale, source=source)
            float32 = expected.dtype in FLOAT_DTYPES and (expected.dtype != "float64" or low)
            if why and why[0] == "value" and float32 and self.ref64 is not None:
                alt = self._ref64_summary(program, k + 1, name, grad=False)
                why = differ(actual, expected, alt, low=low, scale=scale)
            if why:
                return Mismatch(
                    why[0], opname, k, "forward", code, why[1], actual.short(), expected.short(),
                    dtypes, frozenset(events), {"name": name},
                )  # fmt: skip
        return None

    def _ties(self, ref, sut, name, operand, expr) -> dict:
        """For index results whose ties PyTorch orders as it likes: do both pick equal
        values?"""
        dim = re.findall(r"(-?\d+)\)\.indices$", expr)
        a, ir, im = ref.summary(operand), ref.summary(name), sut.summary(name)
        try:
            axis = int(dim[0]) if dim else -1
            vr = np.take_along_axis(np.asarray(a.array), np.asarray(ir.array), axis=axis)
            vm = np.take_along_axis(np.asarray(a.array), np.asarray(im.array), axis=axis)
            equal = values_differ(vm, vr, a.dtype) is None
        except Exception:
            equal = False
        return {"ties": True, "tied_equal": equal}

    # -- backward --------------------------------------------------------------------------

    def _backward(self, program, ref, sut, pool, lines, infos, events, nsteps) -> Outcome:
        final = pool[-1]
        out = ref.summary(final)
        if out.kind != "tensor" or not out.requires_grad:
            return Outcome("agree", lines, None, nsteps)
        leaves = [
            n for n in ref.tensor_names() if ref.summary(n).is_leaf and ref.summary(n).requires_grad
        ]
        n = math.prod(out.shape)
        values = [
            cast(program.grad_values[i % len(program.grad_values)], out.dtype) for i in range(n)
        ]
        g = tensor_source(out.shape, out.dtype, values)
        if program.grad_mode == "autograd.grad":
            if not leaves:
                return Outcome("agree", lines, None, nsteps)
            code = (
                f"grads = m.autograd.grad({final}, [{', '.join(leaves)}], {g}, allow_unused=True)"
            )
        else:
            code = f"{final}.backward({g})"
        lines.append(code)
        last = infos[-1] if infos else _StepInfo("input", "", (out.dtype,), [], {})
        m_extra = dict(last.extra)
        bad = self._exec_both(ref, sut, code, last.op, nsteps - 1, last.dtypes, events, "backward")
        if bad is not None:
            return Outcome(bad[0], lines, bad[1], nsteps, "", _other_errors(bad))
        for i, leaf in enumerate(leaves):
            if program.grad_mode == "autograd.grad":
                expected = self.ref.summary(ref.ns["grads"][i])
                actual = self.sut.summary(sut.ns["grads"][i])
                shown = f"grads[{i}]"
            else:
                expected, actual = ref.grad_summary(leaf), sut.grad_summary(leaf)
                shown = f"{leaf}.grad"
            low = "low-precision" in events
            why = differ(actual, expected, low=low)
            float32 = expected.dtype in FLOAT_DTYPES and (expected.dtype != "float64" or low)
            if why and float32 and self.ref64:
                alt = self._ref64_summary(program, None, shown, grad=True)
                why = differ(actual, expected, alt, low=low)
            if why:
                m = Mismatch(
                    "grad", last.op, nsteps - 1, "backward", code,
                    f"{shown}: {why[0]}: {why[1]}", actual.short(), expected.short(),
                    last.dtypes, frozenset(events), {"name": shown, **m_extra},
                )  # fmt: skip
                return Outcome("mismatch", lines, m, nsteps, shown)
        return Outcome("agree", lines, None, nsteps)

    def _blame(self, program, outcome, infos, nsteps) -> None:
        """Blame a backward mismatch on the shortest prefix whose backward differs."""
        m = outcome.mismatch
        if m.phase != "backward":
            return
        for j in range(1, nsteps):
            prefix = self.run(program, upto=j, localize=False)
            pm = prefix.mismatch
            if pm is not None and pm.phase == "backward" and pm.kind == m.kind:
                info = infos[j - 1]
                m.op, m.step, m.dtypes = info.op, j - 1, info.dtypes
                m.extra["prefix"] = j
                break
        if 0 <= m.step < len(infos):
            m.extra.update(infos[m.step].extra)

    def _ref64_summary(self, program, upto, name, grad):
        """``name``'s value (or gradient, ``grad``) in a float64 run of the program's first
        ``upto`` steps (all of them and backward, for None)."""
        if self.ref64 is None:
            return None
        run = _Session(self.ref64)
        for code in self.run_lines(program, upto):
            run.exec(code)
        return self.ref64.summary(run.eval(name)) if grad else run.summary(name)

    def run_lines(self, program, upto):
        """The source lines of the program (its first ``upto`` steps, with backward when
        ``upto`` is None), as the reference resolves them."""
        outcome = Runner(self.ref, self.ref).run(program, upto=upto, localize=False)
        return outcome.lines


def _undefined_cast(array, expr: str) -> bool:
    """Whether ``expr`` (``x.to(m.int8)``) casts a float outside the integer type's range
    (NaN and inf included): undefined behaviour in C++, so PyTorch's result is arbitrary."""
    found = re.search(r"\.to\(m\.(\w+)\)", expr)
    if found is None or found.group(1) not in ("uint8", "int8", "int16", "int32", "int64"):
        return False
    info = np.iinfo(found.group(1))
    values = np.asarray(array, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return bool((~((values >= info.min) & (values <= info.max))).any())
