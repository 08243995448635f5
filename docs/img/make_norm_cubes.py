"""Draw docs/img/norm-cubes.svg: ``python docs/img/make_norm_cubes.py``.

The Group Normalization paper's Figure 2, redrawn: a batch of feature maps as
an (N, C, H*W) box, once for each normalization, with the values that share one
mean and variance shaded. N runs to the right, C into the page, and H and W
(the positions of a feature map) are folded into the vertical axis. Plain SVG
text written by hand, so it needs nothing but Python and comes out the same
every time.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
N, C = 6, 8  # cells along the batch and the channel axes
CELL, DEPTH, HEIGHT = 14, 9, 110  # px per sample, per channel (oblique), H*W
DX, DY = 0.8, 0.6  # the oblique projection of the channel axis

# name, title, the shaded block as (n0, n1, c0, c1) in cells: one sample (the
# front left) or one channel (the front), as in the paper's figure, so that the
# block is drawn where it can be seen
PANELS = [
    ("Batch Norm", "per channel, over (N, H, W)", (0, N, 0, 1)),
    ("Layer Norm", "per sample, over (C, H, W)", (0, 1, 0, C)),
    ("Instance Norm", "per sample and channel, over (H, W)", (0, 1, 0, 1)),
    ("Group Norm", "per sample and group, over (C/G, H, W)", (0, 1, 0, 4)),
]


def point(x0: float, y0: float, n: float, c: float, z: float) -> str:
    """The picture coordinates of (n, c, z) for a box whose front-bottom-left
    corner is at (x0, y0): n to the right, c obliquely up, z up."""
    x = x0 + n * CELL + c * DEPTH * DX
    y = y0 - z - c * DEPTH * DY
    return f"{x:.1f},{y:.1f}"


def box(x0, y0, n0, n1, c0, c1, fill: str, stroke: str) -> list[str]:
    """The three visible faces (front, top, right) of the block n0..n1,
    c0..c1, over the whole height."""

    def p(n, c, z):
        return point(x0, y0, n, c, z)

    faces = [
        [p(n0, c0, 0), p(n1, c0, 0), p(n1, c0, HEIGHT), p(n0, c0, HEIGHT)],
        [p(n0, c0, HEIGHT), p(n1, c0, HEIGHT), p(n1, c1, HEIGHT),
         p(n0, c1, HEIGHT)],
        [p(n1, c0, 0), p(n1, c1, 0), p(n1, c1, HEIGHT), p(n1, c0, HEIGHT)],
    ]  # fmt: skip
    return [
        f'<polygon points="{" ".join(f)}" fill="{fill}" stroke="{stroke}" '
        'stroke-width="0.8"/>'
        for f in faces
    ]


def grid(x0, y0) -> list[str]:
    """Thin lines between the samples and the channels on the visible faces."""
    lines = []

    def line(a, b):
        lines.append(
            f'<polyline points="{a} {b}" stroke="#888" stroke-width="0.4" '
            'fill="none"/>'
        )

    for n in range(1, N):  # front and top faces: one line per sample
        line(point(x0, y0, n, 0, 0), point(x0, y0, n, 0, HEIGHT))
        line(point(x0, y0, n, 0, HEIGHT), point(x0, y0, n, C, HEIGHT))
    for c in range(1, C):  # top and right faces: one line per channel
        line(point(x0, y0, 0, c, HEIGHT), point(x0, y0, N, c, HEIGHT))
        line(point(x0, y0, N, c, 0), point(x0, y0, N, c, HEIGHT))
    return lines


def panel(x0: float, y0: float, name: str, title: str, block) -> list[str]:
    n0, n1, c0, c1 = block
    out = box(x0, y0, 0, N, 0, C, "#f4f4f4", "#444")
    out += grid(x0, y0)
    out += box(x0, y0, n0, n1, c0, c1, "#4a7bd0", "#1d3f80")
    text = 'font-family="sans-serif" text-anchor="middle"'
    middle = x0 + (N * CELL + C * DEPTH * DX) / 2
    out += [
        f'<text x="{middle:.1f}" y="{y0 + 24:.1f}" font-size="13" '
        f'font-weight="bold" {text}>{name}</text>',
        f'<text x="{middle:.1f}" y="{y0 + 40:.1f}" font-size="10" {text}>'
        f"{title}</text>",
        # the axes' names
        f'<text x="{x0 + N * CELL / 2:.1f}" y="{y0 + 11:.1f}" font-size="10" '
        f"{text}>N</text>",
        f'<text x="{x0 - 8:.1f}" y="{y0 - HEIGHT / 2:.1f}" font-size="10" '
        f"{text}>H, W</text>",
        f'<text x="{x0 + N * CELL + C * DEPTH * DX + 8:.1f}" '
        f'y="{y0 - HEIGHT - C * DEPTH * DY / 2 + 14:.1f}" font-size="10" '
        f"{text}>C</text>",
    ]
    return out


def svg() -> str:
    """The whole picture as SVG text."""
    width, height = 4 * 200 + 20, HEIGHT + C * DEPTH * DY + 70
    body = []
    for i, (name, title, block) in enumerate(PANELS):
        body += panel(45 + i * 200, HEIGHT + C * DEPTH * DY + 15, name, title,
                      block)  # fmt: skip
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height:.0f}" viewBox="0 0 {width} {height:.0f}">\n'
        "<title>Which values each normalization averages over</title>\n"
        f'<rect width="{width}" height="{height:.0f}" fill="white"/>\n'
    )
    return head + "\n".join(body) + "\n</svg>\n"


if __name__ == "__main__":
    (HERE / "norm-cubes.svg").write_text(svg())
    print(f"wrote {HERE / 'norm-cubes.svg'}")
