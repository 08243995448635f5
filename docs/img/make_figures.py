"""Remake the figures under docs/img/: ``python docs/img/make_figures.py``.

* ``tour-graph`` and ``tutorial-graph`` (``.dot`` and ``.svg``): the graphs of
  the tour's and the tutorial's examples, drawn by
  :func:`minigrad.graph.to_dot`. ``tests/test_docs.py`` checks that the
  committed ``.dot`` files are what the code gives today, so the pictures
  cannot go stale unnoticed.
* ``layers.svg``: the layers of the code, from the hand-written ``layers.dot``.

The SVGs need Graphviz (``pip install graphviz`` and its ``dot`` program); the
``.dot`` files do not.
"""

from __future__ import annotations

from pathlib import Path

import minigrad
from minigrad.graph import to_dot

HERE = Path(__file__).resolve().parent


def tour_example():
    """The tour's example: a linear layer and a cross-entropy loss."""
    minigrad.manual_seed(0)
    x = minigrad.randn(4, 3)  # 4 inputs, 3 features: data, no grad
    w = minigrad.randn(3, 2, requires_grad=True)  # 3 features -> 2 classes
    b = minigrad.zeros(2, requires_grad=True)  # broadcast over the batch
    y = minigrad.tensor([0, 1, 1, 0])  # the target classes
    loss = minigrad.cross_entropy(x @ w + b, y)
    return loss, {"w": w, "b": b, "loss": loss}


def tutorial_example():
    """The tutorial's example, section 2: a sum of ReLUs."""
    w = minigrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    b = minigrad.tensor(0.5, requires_grad=True)
    y = (w * 2 + b).relu().sum()
    return y, {"w": w, "b": b, "y": y}


def graphs() -> dict[str, str]:
    """The DOT text of each figure that minigrad draws, by file name."""
    figures = {}
    for name, example in [
        ("tour-graph", tour_example),
        ("tutorial-graph", tutorial_example),
    ]:
        output, names = example()
        figures[name] = to_dot(output, names=names)
    return figures


def main() -> None:
    import graphviz

    for name, dot in graphs().items():
        (HERE / f"{name}.dot").write_text(dot, encoding="utf-8")
        (HERE / f"{name}.svg").write_bytes(
            graphviz.Source(dot).pipe(format="svg")
        )
    layers = (HERE / "layers.dot").read_text(encoding="utf-8")
    (HERE / "layers.svg").write_bytes(
        graphviz.Source(layers).pipe(format="svg")
    )


if __name__ == "__main__":
    main()
