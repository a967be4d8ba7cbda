"""Screenshots of the maps for the README (a development tool: ``make screenshots``).

Opens each map in headless Debian Chromium through Playwright (never a downloaded browser),
waits until the map says it is ready, and writes one PNG per entry of :data:`SHOTS` (desktop
1280×800 and phone 390×844; the access comparison opens through its permalink)::

    python tools/screenshots.py --maps maps --out maps/screenshots
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

logger = logging.getLogger("screenshots")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
#: (file name, map, viewport, URL hash): what the README shows
SHOTS = (
    ("atlas", "atlas", "desktop", ""),
    ("timeline", "timeline", "desktop", ""),
    ("access", "access", "desktop", ""),
    ("access-compare", "access", "desktop", "#dest=dest-guomao&iso=0&mode=cmp%3Arail-car"),
    ("access-opportunities", "access", "desktop", "#iso=0&mode=car&opp=45"),
    ("atlas-phone", "atlas", "phone", ""),
    ("timeline-phone", "timeline", "phone", ""),
)


def screenshot(maps_dir: Path, out_dir: Path, *, chromium: str = "/usr/bin/chromium") -> list[Path]:
    """Write a PNG of each map in ``maps_dir`` to ``out_dir``.

    Parameters
    ----------
    maps_dir : pathlib.Path
        Folder with ``atlas.html``, ``timeline.html`` and ``access.html``.
    out_dir : pathlib.Path
        Output folder (created).
    chromium : str
        The Chromium executable.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            for name, map_name, viewport, hash_ in SHOTS:
                phone = viewport == "phone"
                page = browser.new_page(
                    viewport=VIEWPORTS[viewport],
                    device_scale_factor=2 if phone else 1,
                    is_mobile=phone,
                    has_touch=phone,
                )
                page.goto((maps_dir / f"{map_name}.html").resolve().as_uri() + hash_)
                page.wait_for_function("window.geoAtlas && window.geoAtlas.ready === true", timeout=60_000)
                page.wait_for_timeout(500)
                path = out_dir / f"{name}.png"
                page.screenshot(path=str(path))
                written.append(path)
                page.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python tools/screenshots.py [--maps DIR] [--out DIR] [--chromium EXE]``."""
    p = argparse.ArgumentParser(prog="python tools/screenshots.py", description=__doc__.splitlines()[0])
    p.add_argument("--maps", default="maps", help="folder with atlas.html, timeline.html, access.html")
    p.add_argument("--out", default="maps/screenshots", help="output folder for the PNG files")
    p.add_argument("--chromium", default=os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium"))
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in screenshot(Path(a.maps), Path(a.out), chromium=a.chromium):
        logger.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
