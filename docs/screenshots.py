"""Screenshots of the built site, to look at pages as a reader sees them.

    mkdocs build --strict
    python docs/screenshots.py batchnorm/ benchmarks/#summary --out /tmp/shots

For every page (a path under the site, optionally with ``#anchor`` to start
there) this takes four PNGs with headless Chromium: 1280 and 390 pixels wide
(a laptop and a phone), in the light and the dark palette. The built site
(``site/`` by default) is served on 127.0.0.1 only, on a free port, for the
duration of the run; nothing else is reached. Chromium comes from Debian's
packages (``apt-get install chromium``); ``--chromium`` names another binary.

The dark palette: Material picks the palette from the reader's stored choice,
and else uses the one the HTML names (the light one here), so the server
rewrites ``data-md-color-scheme="default"`` to ``"slate"`` in pages asked for
with ``dark`` in the query. A headless screenshot of a page scrolled to an
anchor comes out blank, so for ``page/#anchor`` the server adds a line of
JavaScript that removes the article's content before the anchor's block: the
picture starts there. Names: ``batchnorm-results__1280-light.png`` and so on.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (1280, 390)
SCHEMES = ("light", "dark")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; ``?dark`` pages get the dark palette."""

    def do_GET(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if not query:
            return super().do_GET()
        path = Path(self.translate_path(parts.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            return super().do_GET()
        html = path.read_text(encoding="utf-8")
        if "dark" in query:
            html = html.replace(
                'data-md-color-scheme="default"',
                'data-md-color-scheme="slate"',
            )
        if "from" in query:
            html = html.replace("</body>", _FROM % query["from"][0] + "</body>")
        body = html.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


# Remove what comes before the block that holds element #id, in the article.
_FROM = """<script>
addEventListener("load", function () {
  var target = document.getElementById(%r);
  if (!target) return;
  var article = target.closest("article") || document.body, block = target;
  while (block.parentElement !== article) block = block.parentElement;
  while (block.previousSibling) article.removeChild(block.previousSibling);
});
</script>"""


def _name(page: str, width: int, scheme: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", page).strip("-") or "home"
    return f"{stem}__{width}-{scheme}.png"


def shoot(chromium, base, page, out, width, scheme, height):
    path, _, anchor = page.partition("#")
    query = [("dark", "1")] if scheme == "dark" else []
    if anchor:
        query.append(("from", anchor))
    url = f"{base}/{path.lstrip('/')}"
    if query:
        url += "?" + urlencode(query)
    target = out / _name(page, width, scheme)
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            f"--window-size={width},{height}",
            "--virtual-time-budget=4000",  # let KaTeX and the fonts load
            f"--screenshot={target}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "pages", nargs="*", default=[""], help="e.g. batchnorm/#a-fused"
    )
    p.add_argument("--site", default=str(ROOT / "site"), help="the built site")
    p.add_argument("--out", default="screenshots", help="folder for the PNGs")
    p.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    p.add_argument("--schemes", default=",".join(SCHEMES))
    p.add_argument(
        "--height", type=int, default=1600, help="window height (px)"
    )
    p.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = p.parse_args(argv)

    site = Path(args.site)
    if not (site / "index.html").is_file():
        sys.exit(f"no built site at {site}: run `mkdocs build` first")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for page in args.pages:
            for width in map(int, args.widths.split(",")):
                for scheme in args.schemes.split(","):
                    target = shoot(
                        args.chromium,
                        base,
                        page,
                        out,
                        width,
                        scheme,
                        args.height,
                    )
                    print(target)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
