"""The documentation cannot drift from the code.

* Every Python code block in README.md and docs/ runs: each file's blocks in order, in one
  namespace, in a temporary directory. ``pycon`` blocks (with ``>>>`` prompts) are
  doctests, so the outputs they show must be what the code prints. A block written
  ```` ```{.python .no-run} ```` is skipped; keep that for code that cannot run here.
* Every public name of minigrad has a docstring, and appears in the API reference
  (docs/api/*.md), so mkdocstrings has something to show for it.
* The files and folders the docs name (``minigrad/autograd.py``, ...) exist.
* ``minigrad.graph`` writes the DOT text the docs show, and the picture committed under
  docs/img/ is the picture of the code in the tour.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad.graph import render, to_dot

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DOC_FILES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


# ----------------------------------------------------------------------------------------
# Code blocks
# ----------------------------------------------------------------------------------------

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*?)\s*$")


@dataclass
class Block:
    path: Path
    line: int  # the line of the block's first line of code, counting from 1
    language: str
    classes: tuple[str, ...]
    code: str


def code_blocks(path: Path, text: str | None = None) -> list[Block]:
    """The fenced code blocks of a Markdown file (or of ``text``): ```` ```python ````,
    ```` ```pycon ```` and the attribute form ```` ```{.python .no-run} ````, nested in
    lists or not."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"]
        end = i + 1
        while end < len(lines) and not _closes(lines[end], fence):
            end += 1
        if info.startswith("{"):
            words = [w.lstrip(".") for w in info.strip("{}").split() if w.startswith(".")]
        else:
            words = info.split()[:1]
        language = words[0] if words else ""
        body = [
            line[len(indent) :] if line.startswith(indent) else line for line in lines[i + 1 : end]
        ]
        blocks.append(Block(path, i + 2, language, tuple(words[1:]), "\n".join(body) + "\n"))
        i = end + 1
    return blocks


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def _runnable(path: Path) -> list[Block]:
    return [
        b for b in code_blocks(path)
        if b.language in ("python", "py", "pycon") and "no-run" not in b.classes
    ]  # fmt: skip


def _doc_id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", [p for p in DOC_FILES if _runnable(p)], ids=_doc_id)
def test_code_blocks_run(path, tmp_path, monkeypatch):
    """Run the file's blocks in order in one namespace, as a reader would paste them."""
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__main__"}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for block in _runnable(path):
        where = f"{_doc_id(path)}:{block.line}"
        if block.language == "pycon":
            test = doctest.DocTestParser().get_doctest(
                block.code, namespace, where, str(path), block.line - 1
            )
            report = []
            result = runner.run(test, out=report.append, clear_globs=False)
            namespace.update(test.globs)
            if result.failed:
                pytest.fail(
                    f"the pycon block at {where} does not print what it shows:\n" + "".join(report)
                )
        else:
            # Padded with blank lines so that a traceback names the Markdown file's line.
            code = compile("\n" * (block.line - 1) + block.code, str(path), "exec")
            exec(code, namespace)


def test_no_run_blocks_are_rare():
    """Skipping is for code that cannot run here (a GPU), not for code that is wrong."""
    skipped = [
        f"{_doc_id(b.path)}:{b.line}" for p in DOC_FILES for b in code_blocks(p)
        if "no-run" in b.classes
    ]  # fmt: skip
    assert len(skipped) <= 3, skipped


def test_the_collector_reads_fences():
    text = (
        "x\n```python\na = 1\n```\n- item\n\n    ```pycon\n    >>> a\n    1\n    ```\n"
        "```{.python .no-run}\nimport cupy\n```\n```bash\nls\n```\n"
    )
    blocks = code_blocks(Path("example.md"), text)
    assert [(b.language, b.classes, b.line) for b in blocks] == [
        ("python", (), 3),
        ("pycon", (), 8),
        ("python", ("no-run",), 12),
        ("bash", (), 15),
    ]
    assert blocks[1].code == ">>> a\n1\n"


# ----------------------------------------------------------------------------------------
# Docstrings and the API reference
# ----------------------------------------------------------------------------------------


# Public modules that no ``__all__`` reaches (they are imported by their full name).
EXTRA_PUBLIC_MODULES = ["minigrad.graph", "minigrad.nn.utils"]


def _public_modules() -> list:
    """minigrad, its public submodules (those reachable through ``__all__``), and
    EXTRA_PUBLIC_MODULES."""
    found = []
    queue = [minigrad, *(importlib.import_module(m) for m in EXTRA_PUBLIC_MODULES)]
    while queue:
        module = queue.pop(0)
        if module in found:
            continue
        found.append(module)
        for name in _public_names(module):
            value = getattr(module, name)
            if inspect.ismodule(value) and value.__name__.startswith("minigrad."):
                queue.append(value)
    return found


def _public_names(module) -> list[str]:
    """``__all__``, or else what the module defines without a leading underscore."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
    ]  # fmt: skip


def _public_objects():
    """(dotted name, object, kind) for every public module ("module"), every public name
    of those ("name"), and every public method and property of their classes ("member")."""
    for module in _public_modules():
        yield module.__name__, module, "module"
        for name in _public_names(module):
            value = getattr(module, name)
            if isinstance(value, np.dtype):  # dtypes are NumPy's objects: see the dtype table
                continue
            yield f"{module.__name__}.{name}", value, "name"
            if inspect.isclass(value) and value.__module__.startswith("minigrad"):
                for attr, member in vars(value).items():
                    if attr.startswith("_"):
                        continue
                    if callable(member) or isinstance(
                        member, property | classmethod | staticmethod
                    ):
                        yield f"{module.__name__}.{name}.{attr}", getattr(value, attr), "member"


def _doc(obj) -> str:
    if isinstance(obj, property):
        return (obj.__doc__ or "").strip()
    return (inspect.getdoc(obj) or "").strip()  # inherits a base method's docstring


def test_every_public_name_has_a_docstring():
    missing = sorted({name for name, obj, _ in _public_objects() if not _doc(obj)})
    assert not missing, "public names without a docstring:\n  " + "\n  ".join(missing)


def test_public_functions_and_classes_show_an_example():
    """A learner reads the example first: every public function and class has one."""
    missing = sorted(
        name for name, obj, kind in _public_objects()
        if kind == "name"
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and not (inspect.isclass(obj) and issubclass(obj, BaseException))
        and ">>>" not in _doc(obj)
    )  # fmt: skip
    assert not missing, "public functions and classes without an example:\n  " + "\n  ".join(
        missing
    )


_DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$((?:\n    .*)*)", flags=re.MULTILINE)


def _api_pages() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((DOCS / "api").glob("*.md")))


def _resolve(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(dotted)


def test_every_public_name_is_in_the_api_reference():
    text = _api_pages()
    documented = set()
    for match in _DIRECTIVE.finditer(text):
        obj = _resolve(match[1])
        documented.add(id(obj))
        if inspect.ismodule(obj) and "members: false" not in match[2]:
            documented.update(id(getattr(obj, n)) for n in _public_names(obj))
    missing = []
    for module in _public_modules():
        for name in _public_names(module):
            value = getattr(module, name)
            if isinstance(value, np.dtype):
                if f"`minigrad.{name}`" not in text:
                    missing.append(f"{module.__name__}.{name} (add it to the dtype table)")
            elif id(value) not in documented and not inspect.ismodule(value):
                missing.append(f"{module.__name__}.{name}")
    assert not missing, (
        "public names missing from docs/api/*.md (add a `::: name` line):\n  "
        + "\n  ".join(missing)
    )


# ----------------------------------------------------------------------------------------
# Paths named in the docs
# ----------------------------------------------------------------------------------------

_PATH = re.compile(r"`((?:minigrad|examples|tests|benchmarks|docs|\.ci)/[\w./*-]*)`")


@pytest.mark.parametrize("path", DOC_FILES, ids=_doc_id)
def test_named_files_exist(path):
    text = path.read_text(encoding="utf-8")
    missing = []
    for name in sorted(set(_PATH.findall(text))):
        name = name.split("::")[0].rstrip(".")
        if "*" in name:
            if not list(ROOT.glob(name)):
                missing.append(name)
        elif not (ROOT / name).exists():
            missing.append(name)
    assert not missing, f"{_doc_id(path)} names files that do not exist: {missing}"


# ----------------------------------------------------------------------------------------
# minigrad.graph
# ----------------------------------------------------------------------------------------


def _labels(dot: str) -> list[str]:
    return re.findall(r'^  n\d+ \[label="([^"]*)"', dot, flags=re.MULTILINE)


def _edges(dot: str) -> list[tuple[str, str]]:
    return re.findall(r"^  (n\d+) -> (n\d+)", dot, flags=re.MULTILINE)


def test_to_dot_draws_ops_leaves_constants_and_shapes():
    x = minigrad.randn(4, 3)
    w = minigrad.randn(3, 2, requires_grad=True)
    b = minigrad.zeros(2, requires_grad=True)
    loss = minigrad.cross_entropy(x @ w + b, minigrad.tensor([0, 1, 1, 0]))
    dot = to_dot(loss, names={"w": w, "b": b, "loss": loss})
    assert dot.startswith("digraph minigrad {\n") and dot.endswith("}\n")
    assert _labels(dot) == [
        "loss\\n() float32",
        "CrossEntropy",
        "Add",
        "constant",
        "MatMul",
        "b\\n(2,) float32\\nrequires_grad",
        "constant",
        "w\\n(3, 2) float32\\nrequires_grad",
    ]
    # Edges follow the forward pass: inputs -> op -> output, intermediate shapes labelled.
    assert _edges(dot) == [
        ("n1", "n0"), ("n2", "n1"), ("n3", "n1"), ("n4", "n2"), ("n5", "n2"),
        ("n6", "n4"), ("n7", "n4"),
    ]  # fmt: skip
    assert 'n4 -> n2 [label=" (4, 2) float32"]' in dot
    assert to_dot(loss, names={"w": w, "b": b, "loss": loss}) == dot  # deterministic
    assert "constant" not in to_dot(loss, show_constants=False)


def test_to_dot_shares_nodes_and_marks_freed_graphs():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y, z = (h * 2).sum(), (h * 3).sum()
    dot = to_dot([y, z], names={"x": x})
    assert _labels(dot).count("Exp") == 1  # one node for the shared part
    assert _labels(dot).count("x\\n(2,) float32\\nrequires_grad") == 1
    assert "(freed)" not in dot
    y.backward()
    assert "Exp\\n(freed)" in to_dot(y)  # the links stay, the saved arrays are gone


def test_to_dot_of_tensors_without_a_graph():
    assert _labels(to_dot(minigrad.ones(2))) == ["tensor\\n(2,) float32\\nno graph recorded"]
    p = minigrad.nn.Parameter(minigrad.ones(3))
    assert _labels(to_dot(p, names={"p": p})) == ["p\\n(3,) float32\\nrequires_grad"]
    with minigrad.no_grad():
        y = p * 2
    assert "no graph recorded" in to_dot(y)


def test_to_dot_escapes_names_and_checks_its_arguments():
    w = minigrad.ones(2, requires_grad=True)
    dot = to_dot((w * w).sum(), names={'say "hi" \\ bye': w})
    assert 'label="say \\"hi\\" \\\\ bye\\n(2,) float32\\nrequires_grad"' in dot
    with pytest.raises(TypeError, match="expects tensors"):
        to_dot([1.0])
    with pytest.raises(TypeError, match="not a Tensor"):
        to_dot(w, names={"w": 1.0})


def test_render_without_graphviz_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    w = minigrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="pip install graphviz"):
        render((w * w).sum(), tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()


def test_render_without_the_dot_program_says_so(tmp_path, monkeypatch):
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on the PATH
    w = minigrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="dot program"):
        render((w * w).sum(), tmp_path / "g.svg")


def test_render_writes_svg_and_png(tmp_path):
    graphviz = pytest.importorskip("graphviz")
    try:
        graphviz.version()
    except graphviz.ExecutableNotFound:
        pytest.skip("Graphviz's dot program is not installed")
    w = minigrad.ones(2, requires_grad=True)
    y = (w * w).sum()
    assert render(y, tmp_path / "g.svg", names={"w": w}) == tmp_path / "g.svg"
    assert "<svg" in (tmp_path / "g.svg").read_text()
    render(y, tmp_path / "g", format="png")
    assert (tmp_path / "g").read_bytes().startswith(b"\x89PNG")


def test_the_tour_picture_is_current():
    """docs/img/tour-graph.svg was rendered from docs/img/tour-graph.dot, which must be
    what to_dot gives today for the tour's example (docs/img/make_figures.py remakes both)."""
    sys.path.insert(0, str(DOCS / "img"))
    try:
        figures = importlib.import_module("make_figures")
    finally:
        sys.path.remove(str(DOCS / "img"))
    for name, dot in figures.graphs().items():
        committed = (DOCS / "img" / f"{name}.dot").read_text(encoding="utf-8")
        assert committed == dot, (
            f"docs/img/{name}.dot is stale: run python docs/img/make_figures.py"
        )
        assert (DOCS / "img" / f"{name}.svg").exists()


@pytest.mark.parametrize("path", sorted(DOCS.glob("*.md")), ids=_doc_id)
def test_code_lines_fit_the_page(path):
    """The site's content column shows about 80 characters of code; longer lines scroll
    out of sight. (README.md is read on wider pages and is not checked.)"""
    long = [
        f"{_doc_id(path)}:{block.line + i}: {line}"
        for block in code_blocks(path) if block.language in ("python", "pycon")
        for i, line in enumerate(block.code.splitlines())
        if len(line) > 80
    ]  # fmt: skip
    assert not long, "code lines longer than 80 characters:\n" + "\n".join(long)
