"""MkDocs hooks for minigrad's site (listed under ``hooks:`` in mkdocs.yml).

1. **Source pages.** Every Python file in ``minigrad/``, ``examples/`` and
   ``benchmarks/`` becomes a page under ``source/`` (``minigrad/autograd.py``
   is ``source/minigrad/autograd.md``), cut at each top-level class and
   function, with an anchor named after it. The tour links into them
   (``source/minigrad/autograd.md#Function``), and ``mkdocs build --strict``
   checks those links and anchors: a renamed function breaks the build, not
   the reader. ``source/index.md`` lists the files.
2. **Docstring roles.** The docstrings use Sphinx's roles
   (``:func:`minigrad.tensor```, ``:class:`~minigrad.autograd.Function```).
   Markdown shows them as ``:func:`` followed by code; this hook turns each
   into a cross-reference to the API entry of that name, or into plain code
   when there is none.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("minigrad", "examples", "benchmarks")


# ----------------------------------------------------------------------------
# 1. Source pages
# ----------------------------------------------------------------------------


def on_files(files, config):
    """Add a generated page for every source file, and an index of them."""
    paths = [p for d in SOURCE_DIRS for p in sorted((ROOT / d).rglob("*.py"))]
    rows = []
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        uri = f"source/{rel[: -len('.py')]}.md"
        files.append(
            File.generated(config, uri, content=_source_page(path, rel))
        )
        rows.append(
            f"| [`{rel}`]({uri[len('source/') :]}) | {_summary(path)} |"
        )
    index = [
        "---",
        "hide: [navigation]",
        "search:",
        "  exclude: true",
        "---",
        "# Source code",
        "",
        "Every Python file of minigrad, its examples and its benchmarks, as it",
        "was when this site was built. Each page is cut at the top-level",
        "classes and functions (see the table of contents on the right), and",
        "the line numbers are the file's own.",
        "",
        "| file | what it holds |",
        "| --- | --- |",
        *rows,
        "",
    ]
    files.append(
        File.generated(config, "source/index.md", content="\n".join(index))
    )
    return files


def _summary(path: Path) -> str:
    """The first sentence of a module's docstring, for the index."""
    try:
        doc = (
            ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        )
    except SyntaxError:
        return ""
    first = " ".join(doc.strip().split("\n\n")[0].split())
    first = re.sub(r"``([^`]+)``", r"`\1`", first)
    first = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", first)
    return first.replace("|", "\\|")


def _source_page(path: Path, rel: str) -> str:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    page = [
        "---",
        "hide: [navigation]",  # the code needs the width more than the menu
        "search:",
        "  exclude: true",
        "---",
        f"# `{rel}`",
        "",
        f"The source of `{rel}`, with the file's own line numbers. "
        "[All source files](" + "../" * rel.count("/") + "index.md)",
        "",
    ]
    for title, anchor, start, end in _chunks(text, len(lines)):
        if title:
            page += [f"## {title} {{#{anchor}}}", ""]
        body = "\n".join(lines[start - 1 : end]).strip("\n")
        if not body:
            continue
        first = start + next(
            i for i, line in enumerate(lines[start - 1 : end]) if line.strip()
        )
        page += [f'```python linenums="{first}"', body, "```", ""]
    return "\n".join(page)


def _chunks(text: str, n_lines: int):
    """(title, anchor, first line, last line) for the module's header and for
    each top-level class and function, with the comment lines just above a
    definition kept with it."""
    tree = ast.parse(text)
    lines = text.splitlines()
    starts = []
    for node in tree.body:
        if isinstance(
            node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            while start > 1 and lines[start - 2].lstrip().startswith("#"):
                start -= 1
            kind = "class" if isinstance(node, ast.ClassDef) else "def"
            starts.append((f"`{kind} {node.name}`", node.name, start))
    bounds = [("", "", 1), *starts]
    for i, (title, anchor, start) in enumerate(bounds):
        end = bounds[i + 1][2] - 1 if i + 1 < len(bounds) else n_lines
        yield title, anchor, start, end


# ----------------------------------------------------------------------------
# 2. Docstring roles
# ----------------------------------------------------------------------------

_ROLE = re.compile(
    r":(?:func|class|meth|attr|mod|data|exc|obj):<code>(~?)([^<]+)</code>"
)


def _role_to_ref(match: re.Match) -> str:
    short, target = match.group(1), html.unescape(match.group(2))
    title = target.rsplit(".", 1)[-1] if short else target
    if "." not in target:  # a bare name: no way to know which object it means
        return f"<code>{html.escape(title)}</code>"
    return (
        f'<autoref identifier="{html.escape(target)}" optional>'
        f"<code>{html.escape(title)}</code></autoref>"
    )


def on_page_content(content, page, config, files):
    """Turn Sphinx roles into links; drop reST's ``::`` before code blocks."""
    content = _ROLE.sub(_role_to_ref, content)
    return content.replace("::</p>", ":</p>")
