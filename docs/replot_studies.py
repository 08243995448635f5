"""Redraw the two studies' figures from their saved results, not rerunning them.

    python docs/replot_studies.py

``examples/batchnorm_study.py`` and ``examples/normalization_study.py`` draw
their plots at the end of a run, from the results they have just computed, and
save those results beside the plots (``docs/batchnorm/*.csv``, ``*.json``;
``docs/normalization/*.csv``). This reads the saved files back into the shapes
the scripts' plot functions take and calls those functions, so a change to the
plots' layout reaches the committed PNGs without the 16 and 25 minutes of the
full runs. The numbers are the runs' own; only the drawing is new.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module(name: str):
    path = ROOT / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _value(text: str):
    """A CSV field as the script wrote it: int, float, bool, None or text."""
    if text in ("", "None"):
        return None
    if text in ("True", "False"):
        return text == "True"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return [
            {k: _value(v) for k, v in row.items()} for row in csv.DictReader(f)
        ]


def replot_batchnorm(out: Path) -> None:
    study = _module("batchnorm_study")
    summary = json.loads((out / "summary.json").read_text())
    runs = {"plain": [], "bn": []}
    for row in _rows(out / "paper.csv"):
        for key in runs:
            entry = {"step": row["step"]}
            prefix = f"{key}_"
            entry.update(
                {
                    k[len(prefix) :]: v
                    for k, v in row.items()
                    if k.startswith(prefix)
                }
            )
            runs[key].append(entry)
    paper = {
        "runs": {key: {"history": history} for key, history in runs.items()},
        "summary": summary["paper"],
    }
    study.plot_paper(out / "paper.png", paper)
    depth = {"rows": _rows(out / "depth.csv"), "summary": summary["depth"]}
    study.plot_depth(out / "depth.png", depth)
    study.plot_inference(
        out / "inference.png", json.loads((out / "inference.json").read_text())
    )


def replot_normalization(out: Path) -> None:
    study = _module("normalization_study")
    rows = _rows(out / "results.csv")
    study.plot_error(out / "error_vs_batch.png", rows)
    study.plot_gap(out / "gap.png", _rows(out / "gap.csv"), rows)


def main() -> int:
    import matplotlib

    matplotlib.use("Agg")
    replot_batchnorm(ROOT / "docs" / "batchnorm")
    replot_normalization(ROOT / "docs" / "normalization")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
