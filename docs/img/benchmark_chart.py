"""Draw docs/img/benchmarks.png, the chart at the top of docs/benchmarks.md.

    python docs/img/benchmark_chart.py

One bar per workload: minigrad's median time over PyTorch's, from the suite's
saved results (``benchmarks/results.json``, the CPU, written by
``benchmarks/suite.py``; ``benchmarks/gpu_results.json``, a GPU, written by
``benchmarks/gpu_suite.py``). Left of the line at 1, minigrad is faster. Needs
matplotlib (the examples extra); it reads only the JSON files.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bars(results: dict) -> list[tuple[str, float]]:
    return [(name, t["ratio"]) for name, t in results["timings"].items()]


def _label(machine: dict, kind: str) -> str:
    torch = machine["torch"].split("+")[0]
    if kind == "cpu":
        return f"CPU ({machine['threads']} threads), against PyTorch {torch}"
    return f"GPU ({machine['gpu'].split()[1]}), against PyTorch {torch} CUDA"


def main() -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cpu = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    gpu = json.loads((ROOT / "benchmarks" / "gpu_results.json").read_text())
    panels = [(cpu, "cpu"), (gpu, "gpu")]
    heights = [len(r["timings"]) for r, _ in panels]
    plt.rcParams.update({"font.size": 12, "axes.titlesize": 12.5})
    fig, axes = plt.subplots(
        2,
        1,
        figsize=(8, 0.36 * sum(heights) + 2.4),
        gridspec_kw={"height_ratios": heights},
    )
    top = 1.12 * max(r for results, _ in panels for _, r in _bars(results))
    for ax, (results, kind) in zip(axes, panels):
        bars = _bars(results)
        names = [n for n, _ in bars][::-1]
        ratios = [r for _, r in bars][::-1]
        colors = ["tab:green" if r <= 1 else "tab:orange" for r in ratios]
        ax.barh(names, ratios, color=colors, height=0.65)
        ax.axvline(1, color="k", lw=1)
        for y, r in enumerate(ratios):
            box = {"facecolor": "white", "edgecolor": "none", "pad": 1}
            ax.text(r + 0.04, y, f"{r:.2f}", va="center", size=10.5, bbox=box)
        ax.set_xlim(0, top)
        ax.set_title(_label(results["machine"], kind))
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="y", labelsize=10.5)
    axes[-1].set_xlabel("minigrad time / PyTorch time (below 1: faster)")
    fig.tight_layout()
    out = ROOT / "docs" / "img" / "benchmarks.png"
    fig.savefig(out, dpi=110, metadata={"Software": None})
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
