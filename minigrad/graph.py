r"""Pictures of the graph behind a tensor: Graphviz DOT text, and SVG or PNG files.

Every result of a recorded operation points to the :class:`~minigrad.autograd.Function`
that made it (``tensor.grad_fn``), and every Function points to where its inputs came
from (``fn.parents``): another Function, a leaf tensor that requires grad, or ``None``
for an input that wants no gradient. :func:`to_dot` walks those links from the output
back to the leaves, exactly as ``backward()`` does, and writes what it finds as DOT text:

* a **blue box** for each leaf that requires grad (its name, shape and dtype),
* a **yellow ellipse** for each operation (the Function's class name),
* a **green box** for each output you asked about,
* a **dashed grey box** for each input that wants no gradient (data, targets, numbers:
  the graph records nothing about them, not even their shape),
* an arrow per edge, in the direction the forward pass went, labelled with the shape and
  dtype of the tensor that flows along it. ``backward()`` walks the arrows the other way.

:func:`render` turns the DOT text into an SVG, PNG or PDF file. It needs Graphviz: the
``graphviz`` Python package (``pip install graphviz``) and its ``dot`` program (for
example ``apt-get install graphviz``). :func:`to_dot` needs neither; its text can be
pasted into any Graphviz viewer.

Example:
    >>> import minigrad
    >>> from minigrad.graph import to_dot
    >>> w = minigrad.ones(3, 2, requires_grad=True)
    >>> y = (minigrad.ones(4, 3) @ w).relu().sum()
    >>> dot = to_dot(y, names={"w": w, "y": y})
    >>> [line.split('"')[1] for line in dot.splitlines() if "-> " not in line and "label=" in line]
    ['y\\n() float32', 'Sum', 'ReLU', 'MatMul', 'constant', 'w\\n(3, 2) float32\\nrequires_grad']
"""

from __future__ import annotations

from pathlib import Path

from .autograd import Function
from .tensor import Tensor

__all__ = ["render", "to_dot"]

_GRAPH_STYLE = (
    '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.35];\n'
    '  node [fontname="Helvetica", fontsize=11, height=0.3];\n'
    '  edge [fontname="Helvetica", fontsize=9, color="#555555", fontcolor="#333333"];\n'
)
_LEAF = 'shape=box, style="rounded,filled", fillcolor="#dbeafe", color="#1d4ed8"'
_OP = 'shape=ellipse, style=filled, fillcolor="#fef3c7", color="#b45309"'
_OUTPUT = 'shape=box, style="rounded,filled", fillcolor="#dcfce7", color="#15803d"'
_CONSTANT = 'shape=box, style="rounded,dashed", color="#9ca3af", fontcolor="#6b7280", fontsize=9'


def to_dot(tensors, names=None, *, show_constants: bool = True) -> str:
    """The graph that produced ``tensors``, as Graphviz DOT text.

    Args:
        tensors: a :class:`~minigrad.Tensor`, or a list or tuple of them (several outputs
            that share a graph are drawn together).
        names: an optional mapping from names to tensors, used to label leaves and outputs,
            for example ``dict(model.named_parameters())``. Unnamed leaves are labelled
            ``leaf``, unnamed outputs ``output``.
        show_constants: draw a dashed box for each input that wants no gradient (on by
            default). The graph keeps nothing of those inputs, so the box has no shape.

    Returns:
        The DOT text, a ``str``. Node ids (``n0``, ``n1``, ...) are given in the order the
        walk meets the nodes, so the same graph always gives the same text.

    The graph can be drawn after ``backward()`` too: the links stay, only the arrays saved
    for backward are freed, and operations whose saved arrays are gone say ``(freed)``.

    Example:
        >>> import minigrad
        >>> from minigrad.graph import to_dot
        >>> x = minigrad.tensor([1.0, 2.0], requires_grad=True)
        >>> print(to_dot((x * 3).sum(), names={"x": x}))  # doctest: +NORMALIZE_WHITESPACE
        digraph minigrad {
          graph [rankdir=TB, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.35];
          node [fontname="Helvetica", fontsize=11, height=0.3];
          edge [fontname="Helvetica", fontsize=9, color="#555555", fontcolor="#333333"];
          n0 [label="output\\n() float32", shape=box, style="rounded,filled",
              fillcolor="#dcfce7", color="#15803d"];
          n1 [label="Sum", shape=ellipse, style=filled, fillcolor="#fef3c7", color="#b45309"];
          n1 -> n0 [label=" () float32"];
          n2 [label="Mul", shape=ellipse, style=filled, fillcolor="#fef3c7", color="#b45309"];
          n2 -> n1 [label=" (2,) float32"];
          n3 [label="x\\n(2,) float32\\nrequires_grad", shape=box, style="rounded,filled",
              fillcolor="#dbeafe", color="#1d4ed8"];
          n3 -> n2;
          n4 [label="constant", shape=box, style="rounded,dashed", color="#9ca3af",
              fontcolor="#6b7280", fontsize=9];
          n4 -> n2;
        }
    """
    roots = list(tensors) if isinstance(tensors, list | tuple) else [tensors]
    for t in roots:
        if not isinstance(t, Tensor):
            raise TypeError(f"to_dot expects tensors, got {type(t).__name__}")
    label_of = {}
    for name, t in (names or {}).items():
        if not isinstance(t, Tensor):
            raise TypeError(f"to_dot: names[{name!r}] is a {type(t).__name__}, not a Tensor")
        label_of[id(t)] = str(name)

    lines = ["digraph minigrad {", _GRAPH_STYLE.rstrip("\n")]
    ids: dict[int, str] = {}  # id(Function or leaf tensor) -> its node id
    count = 0

    def node(obj, label: str, style: str) -> str:
        """Add a node (for ``obj``, if it is a Function or a tensor) and return its id."""
        nonlocal count
        key = f"n{count}"
        count += 1
        if obj is not None:
            ids[id(obj)] = key
        lines.append(f'  {key} [label="{_escape(label)}", {style}];')
        return key

    queue: list[Function] = []  # Functions whose inputs are still to be drawn
    for t in roots:
        if t.grad_fn is None:  # a leaf, or a tensor outside any graph
            if id(t) not in ids:
                kind = "requires_grad" if t.requires_grad else "no graph recorded"
                label = f"{label_of.get(id(t), 'tensor')}\n{_meta(t.shape, t.dtype)}\n{kind}"
                node(t, label, _LEAF if t.requires_grad else _CONSTANT)
            continue
        out = node(None, f"{label_of.get(id(t), 'output')}\n{_meta(t.shape, t.dtype)}", _OUTPUT)
        fn = t.grad_fn
        if id(fn) not in ids:
            node(fn, _op_label(fn), _OP)
            queue.append(fn)
        lines.append(f'  {ids[id(fn)]} -> {out} [label=" {_meta(t.shape, t.dtype)}"];')

    while queue:
        fn = queue.pop(0)  # breadth-first: ids grow from the output towards the leaves
        for parent, meta in zip(fn.parents, fn.input_meta):
            if parent is None:
                if show_constants:
                    lines.append(f"  {node(None, 'constant', _CONSTANT)} -> {ids[id(fn)]};")
                continue
            if id(parent) not in ids:
                if isinstance(parent, Function):
                    node(parent, _op_label(parent), _OP)
                    queue.append(parent)
                else:
                    name = label_of.get(id(parent), "leaf")
                    label = f"{name}\n{_meta(parent.shape, parent.dtype)}\nrequires_grad"
                    node(parent, label, _LEAF)
            edge = f"  {ids[id(parent)]} -> {ids[id(fn)]}"
            if isinstance(parent, Function):  # the shape of the intermediate result
                edge += f' [label=" {_meta(*meta)}"]'
            lines.append(edge + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(tensors, path, format: str | None = None, names=None, **options) -> Path:
    """Draw the graph behind ``tensors`` into an image file with Graphviz.

    Args:
        tensors: a tensor or a list of tensors, as for :func:`to_dot`.
        path: the file to write, for example ``"graph.svg"``.
        format: ``"svg"``, ``"png"``, ``"pdf"`` or any other format ``dot`` knows; by
            default the suffix of ``path`` (``svg`` when it has none).
        names: names for leaves and outputs, as for :func:`to_dot`.
        **options: passed on to :func:`to_dot` (``show_constants``).

    Returns:
        The path written, as a :class:`pathlib.Path`.

    Raises:
        RuntimeError: when the ``graphviz`` Python package or the ``dot`` program is
            missing (the message says how to install them), or ``dot`` fails.

    Example:
        >>> import minigrad
        >>> from minigrad.graph import render
        >>> w = minigrad.ones(2, requires_grad=True)
        >>> render((w * w).sum(), "graph.svg", names={"w": w})  # doctest: +SKIP
        PosixPath('graph.svg')
    """
    path = Path(path)
    if format is None:
        format = path.suffix.lstrip(".").lower() or "svg"
    dot = to_dot(tensors, names, **options)
    try:
        import graphviz  # optional: imported only when a picture is asked for
    except ImportError:
        raise RuntimeError(
            "render() needs Graphviz: the graphviz Python package (pip install graphviz) "
            "and its dot program (for example apt-get install graphviz). Without them, "
            "minigrad.graph.to_dot() gives the DOT text, which any Graphviz viewer can draw."
        ) from None
    try:
        image = graphviz.Source(dot).pipe(format=format)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(
            "render() found the graphviz Python package but not Graphviz's dot program; "
            "install Graphviz (for example apt-get install graphviz, or brew install "
            "graphviz) and make sure dot is on the PATH"
        ) from None
    except (graphviz.CalledProcessError, ValueError) as error:
        raise RuntimeError(
            f"render(): Graphviz could not draw the graph as {format}: {error}"
        ) from error
    path.write_bytes(image)
    return path


def _meta(shape, dtype) -> str:
    return f"{tuple(shape)} {dtype.name}"


def _op_label(fn: Function) -> str:
    name = fn.op_name()
    return f"{name}\n(freed)" if fn.saved is None else name


def _escape(text: str) -> str:
    """Quote a label for DOT: backslashes and quotes escaped, newlines as ``\\n``."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
