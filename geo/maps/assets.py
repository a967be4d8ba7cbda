"""The pinned front-end assets: their manifest, where their files are, and how they are inlined.

The maps use Leaflet and four Leaflet plugins from npm, at the exact versions listed in
``geo/data/assets.yaml`` (and pinned in ``package.json`` / ``package-lock.json``). With
``offline=True`` :func:`asset_header` inlines their JavaScript and CSS -- images the CSS
references become ``data:`` URIs -- so a map needs no network; with ``offline=False``
it links the same versions from cdn.jsdelivr.net. :func:`assets_dir` finds the files.
"""

from __future__ import annotations

import base64
import functools
import json
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path

from geo.errors import MapError, MissingAssetsError
from geo.io import load_yaml, package_text

__all__ = [
    "ASSETS_ENV",
    "CDN_URL",
    "AssetPackage",
    "asset_header",
    "assets_dir",
    "inline_css",
    "manifest",
]

#: Environment variable naming a folder with the ``node_modules`` layout of the assets.
ASSETS_ENV = "GEO_ASSETS_DIR"
#: CDN address of a pinned file (``offline=False``).
CDN_URL = "https://cdn.jsdelivr.net/npm/{name}@{version}/{file}"

_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class AssetPackage:
    """One pinned npm package of ``geo/data/assets.yaml``: its version, licence and files."""

    name: str
    version: str
    license: str
    js: tuple[str, ...]
    css: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _manifest() -> tuple[AssetPackage, ...]:
    data = load_yaml(package_text("assets.yaml"), where="geo/data/assets.yaml")
    try:
        return tuple(
            AssetPackage(
                str(rec["name"]),
                str(rec["version"]),
                str(rec["license"]),
                tuple(str(f) for f in rec.get("js", ())),
                tuple(str(f) for f in rec.get("css", ())),
            )
            for rec in data["packages"]
        )
    except (TypeError, KeyError, AttributeError) as exc:
        raise MapError(f"geo/data/assets.yaml: malformed package entry ({exc!r})") from None


def manifest() -> dict[str, AssetPackage]:
    """The pinned packages (``geo/data/assets.yaml``), name -> package, in inlining order."""
    return {p.name: p for p in _manifest()}


def assets_dir() -> Path:
    """Directory holding the npm packages the maps inline.

    ``$GEO_ASSETS_DIR`` if set, else ``<repository>/node_modules``.

    Raises
    ------
    MissingAssetsError
        If the directory or a pinned package (at its pinned version) is missing.
    """
    env = os.environ.get(ASSETS_ENV)
    root = Path(env) if env else _REPO_ROOT / "node_modules"
    hint = (
        f"Map assets not found in {root}. Run `npm ci` in {_REPO_ROOT} (package.json pins "
        "the Leaflet packages) or set GEO_ASSETS_DIR to a node_modules directory; or build "
        "the map with offline=False to link the same versions from a CDN."
    )
    if not root.is_dir():
        raise MissingAssetsError(hint)
    for pkg in manifest().values():
        meta = root / pkg.name / "package.json"
        if not meta.is_file():
            raise MissingAssetsError(f"{hint} (missing package {pkg.name}@{pkg.version})")
        found = json.loads(meta.read_text(encoding="utf-8")).get("version")
        if found != pkg.version:
            raise MissingAssetsError(f"{hint} ({pkg.name} is {found}, the manifest pins {pkg.version})")
    return root


_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def inline_css(css: str, base: Path) -> str:
    """Replace relative ``url(...)`` references in CSS by ``data:`` URIs of the files under ``base``.

    Raises
    ------
    MapError
        The CSS references an external URL (a map must not request anything).
    """

    def repl(m: re.Match[str]) -> str:
        ref = m.group(2).strip()
        if ref.startswith(("data:", "#")):
            return m.group(0)
        if re.match(r"^[a-z]+://", ref, re.I) or ref.startswith("//"):
            raise MapError(f"external url({ref}) in bundled CSS")
        path = (base / ref.split("?")[0].split("#")[0]).resolve()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".svg":
            mime = "image/svg+xml"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _CSS_URL.sub(repl, css)


def asset_header(*, offline: bool) -> str:
    """HTML for the ``<head>``: every pinned asset, inlined (``offline``) or linked from the CDN.

    Inlined code cannot close its element (``</script``/``</style`` are escaped) and
    loses its source-map comments.

    Raises
    ------
    MissingAssetsError
        ``offline`` and the files are not found (see :func:`assets_dir`).
    """
    packages = manifest().values()
    parts: list[str] = []
    if offline:
        root = assets_dir()
        for pkg in packages:
            for f in pkg.css:
                p = root / pkg.name / f
                css = re.sub(r"/\*.*?\*/", "", p.read_text(encoding="utf-8"), flags=re.S)
                css = inline_css(css, p.parent)
                css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.I)
                parts.append(f"<style>/* {pkg.name} {pkg.version} ({pkg.license}) */\n{css}\n</style>")
        for pkg in packages:
            for f in pkg.js:
                js = (root / pkg.name / f).read_text(encoding="utf-8")
                js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.I)
                js = re.sub(r"//# sourceMappingURL=\S+", "", js)
                parts.append(f"<script>/* {pkg.name} {pkg.version} ({pkg.license}) */\n{js}\n</script>")
    else:
        for pkg in packages:
            for f in pkg.css:
                url = CDN_URL.format(name=pkg.name, version=pkg.version, file=f)
                parts.append(f'<link rel="stylesheet" href="{url}"/>')
        for pkg in packages:
            for f in pkg.js:
                url = CDN_URL.format(name=pkg.name, version=pkg.version, file=f)
                parts.append(f'<script src="{url}"></script>')
    return "\n".join(parts)
