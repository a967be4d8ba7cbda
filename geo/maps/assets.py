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
import logging
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path

from geo.errors import MapError, MissingAssetsError
from geo.io import load_yaml, package_text

logger = logging.getLogger(__name__)

__all__ = [
    "ASSETS_ENV",
    "CDN_URL",
    "CHECKOUT_DIR",
    "VENDOR_DIR",
    "AssetPackage",
    "asset_header",
    "asset_locations",
    "assets_dir",
    "inline_css",
    "manifest",
]

#: Environment variable naming a folder with the ``node_modules`` layout of the assets.
ASSETS_ENV = "GEO_ASSETS_DIR"
#: CDN address of a pinned file (``offline=False``).
CDN_URL = "https://cdn.jsdelivr.net/npm/{name}@{version}/{file}"

_PACKAGE_DIR = Path(__file__).resolve().parent
#: Where a wheel carries its own copy of the pinned files (``vendor/<npm package>/<file>``).
VENDOR_DIR = _PACKAGE_DIR / "vendor"
#: The source checkout this package runs from, if it is one (``None`` when installed).
CHECKOUT_DIR: Path | None = _PACKAGE_DIR.parents[1] if (_PACKAGE_DIR.parents[1] / "package.json").is_file() else None


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


def asset_locations() -> list[tuple[Path, str]]:
    """Where :func:`assets_dir` looks for the pinned files, in order: ``(folder, what it is)``.

    1. ``$GEO_ASSETS_DIR`` (a folder with the ``node_modules`` layout). When set, it is
       the only place looked at: an explicit choice is never passed over silently.
    2. The copy vendored inside the package, :data:`VENDOR_DIR` (a wheel's).
    3. ``node_modules`` in the current working directory, then in each of its parents.
    4. ``node_modules`` of the checkout this package runs from (:data:`CHECKOUT_DIR`).
    """
    env = os.environ.get(ASSETS_ENV)
    if env:
        return [(Path(env), f"${ASSETS_ENV}")]
    found: list[tuple[Path, str]] = [(VENDOR_DIR, "vendored in the package")]
    try:
        cwd: Path | None = Path.cwd()
    except OSError:  # the working directory was removed
        cwd = None
    if cwd is not None:
        found.append((cwd / "node_modules", "working directory"))
        found += [(d / "node_modules", "parent of the working directory") for d in cwd.parents]
    if CHECKOUT_DIR is not None:
        found.append((CHECKOUT_DIR / "node_modules", "checkout"))
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for folder, what in found:
        key = folder.resolve() if folder.exists() else folder
        if key not in seen:
            seen.add(key)
            out.append((folder, what))
    return out


def _problem(root: Path, *, npm_layout: bool) -> str | None:
    """Why ``root`` does not hold every pinned file (``None`` if it does).

    An npm layout has each package's ``package.json`` (its version must be the pinned
    one); a vendored copy may carry only the files, and its ``package.json`` is checked
    when present.
    """
    if not root.is_dir():
        return "no such folder"
    for pkg in manifest().values():
        base = root / pkg.name
        meta = base / "package.json"
        if meta.is_file():
            try:
                found = json.loads(meta.read_text(encoding="utf-8")).get("version")
            except (OSError, ValueError, AttributeError):
                return f"unreadable {pkg.name}/package.json"
            if found != pkg.version:
                return f"{pkg.name} is {found}, the manifest pins {pkg.version}"
        elif npm_layout:
            return f"missing package {pkg.name}@{pkg.version}"
        for f in (*pkg.css, *pkg.js):
            if not (base / f).is_file():
                return f"missing {pkg.name}/{f}"
    return None


def assets_dir() -> Path:
    """The folder holding the pinned npm packages the offline maps inline.

    The first complete one of :func:`asset_locations`: ``$GEO_ASSETS_DIR``; the copy
    vendored in the package (``geo/maps/vendor/<package>/<file>``); ``node_modules`` in
    the working directory or one of its parents; the checkout's ``node_modules``.

    Raises
    ------
    MissingAssetsError
        No location holds every pinned file at its pinned version; the message lists
        where it looked and what was wrong there.
    """
    tried = []
    for folder, what in asset_locations():
        problem = _problem(folder, npm_layout=folder != VENDOR_DIR)
        if problem is None:
            logger.debug("map assets from %s (%s)", folder, what)
            return folder
        tried.append(f"  - {folder} ({what}): {problem}")
    project = f" ({CHECKOUT_DIR})" if CHECKOUT_DIR is not None else ""
    raise MissingAssetsError(
        "Map assets not found: offline maps inline the pinned Leaflet packages of geo/data/assets.yaml, "
        "and none of these folders holds them:\n" + "\n".join(tried) + "\n"
        f"Run `npm ci` in the project folder{project} (package.json pins the versions), or set "
        f"{ASSETS_ENV} to a node_modules folder, or pass offline=False (CLI: --online-assets) to link "
        "the pinned versions from the CDN."
    )


_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def inline_css(css: str, base: Path) -> str:
    """Replace relative ``url(...)`` references in CSS by ``data:`` URIs of the files under ``base``.

    Raises
    ------
    MapError
        The CSS references an external URL (a map must not request anything).
    MissingAssetsError
        A referenced file is missing.
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
        try:
            data = base64.b64encode(path.read_bytes()).decode("ascii")
        except OSError:
            raise MissingAssetsError(f"{path}: referenced by url({ref}) in bundled CSS, not found") from None
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
