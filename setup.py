"""Build hook of the jjj-atlas wheel (the metadata is in pyproject.toml).

A wheel must build maps and read a corpus anywhere, with no checkout beside it, so
``build_py`` adds two things to the built package (never to the repository):

* ``geo/maps/vendor/<npm package>/<file>``: the pinned Leaflet files that
  ``geo/data/assets.yaml`` lists, the images their stylesheets reference, each
  package's ``package.json`` and licence files, and the licence files of every npm
  package they depend on (``third_party/<name>/``, from ``package-lock.json``), with
  ``vendor/NOTICE.md`` listing them. They come from ``$GEO_ASSETS_DIR`` or the
  checkout's ``node_modules`` (``npm ci``); a version other than the pinned one is an
  error.
* ``geo/data/seeds/``: the seed corpus, the default corpus of an installed package
  when the working directory has no ``seeds`` folder.

Editable installs (``pip install -e .``) skip this: they use the checkout's
``node_modules`` and ``seeds`` in place. ``GEO_WHEEL_WITHOUT_ASSETS=1`` builds a wheel
without the Leaflet files (its offline maps then need ``GEO_ASSETS_DIR`` or
``--online-assets``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
CORPUS_SUFFIXES = {".txt", ".md", ".html", ".htm"}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")
_LICENCE = re.compile(r"^(licen[cs]e|copying|notice)", re.I)


class AssetError(RuntimeError):
    """The pinned npm assets cannot be vendored."""


def _manifest() -> list[dict]:
    sys.path.insert(0, str(ROOT))
    try:
        from geo.io import load_yaml  # the package's own safe YAML reader (stdlib + PyYAML only)
    finally:
        sys.path.pop(0)
    text = (ROOT / "geo" / "data" / "assets.yaml").read_text(encoding="utf-8")
    return list(load_yaml(text, where="geo/data/assets.yaml")["packages"])


def _licence_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and _LICENCE.match(p.name))


def _dependencies(lock: dict, name: str) -> list[str]:
    """Every npm package ``name`` depends on (transitively), from package-lock.json."""
    packages = lock.get("packages", {})
    seen: list[str] = []
    todo = list((packages.get(f"node_modules/{name}", {}).get("dependencies") or {}).keys())
    while todo:
        dep = todo.pop(0)
        if dep in seen or f"node_modules/{dep}" not in packages:
            continue
        seen.append(dep)
        todo += list((packages[f"node_modules/{dep}"].get("dependencies") or {}).keys())
    return sorted(seen)


def vendor_assets(source: Path, target: Path) -> list[Path]:
    """Copy the pinned files, their images and licences from ``source`` (node_modules layout)."""
    lock_path = ROOT / "package-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8")) if lock_path.is_file() else {}
    written: list[Path] = []

    def copy(src: Path, dest: Path) -> None:
        if not src.is_file():
            raise AssetError(f"{src} is missing (run `npm ci` in {ROOT})")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        written.append(dest)

    notice = [
        "# Vendored front-end assets",
        "",
        "Copied from the pinned npm packages (package.json / package-lock.json of jjj-atlas) when this",
        "wheel was built; inlined into the offline maps. Licence texts are beside each package.",
        "",
    ]
    for pkg in _manifest():
        name, version = str(pkg["name"]), str(pkg["version"])
        base = source / name
        meta = base / "package.json"
        if not meta.is_file():
            raise AssetError(f"npm package {name} not found in {source} (run `npm ci` in {ROOT})")
        found = json.loads(meta.read_text(encoding="utf-8")).get("version")
        if found != version:
            raise AssetError(f"{meta}: version {found}, geo/data/assets.yaml pins {version} (run `npm ci`)")
        out = target / name
        copy(meta, out / "package.json")
        for lic in _licence_files(base):
            copy(lic, out / lic.name)
        for f in [*pkg.get("js", ()), *pkg.get("css", ())]:
            copy(base / f, out / f)
        for f in pkg.get("css", ()):
            css = (base / f).read_text(encoding="utf-8")
            for m in _CSS_URL.finditer(css):
                ref = m.group(2).strip().split("?")[0].split("#")[0]
                if not ref or ref.startswith(("data:", "//")) or re.match(r"^[a-z]+:", ref, re.I):
                    continue
                rel = (Path(f).parent / ref).as_posix()
                copy(base / rel, out / rel)
        deps = _dependencies(lock, name)
        for dep in deps:
            for lic in _licence_files(source / dep) if (source / dep).is_dir() else []:
                copy(lic, out / "third_party" / dep / lic.name)
        notice.append(f"- {name} {version} ({pkg.get('license')}); {pkg.get('copyright', '')}")
        if deps:
            notice.append(f"  - npm dependencies (licences in {name}/third_party/): {', '.join(deps)}")
    (target / "NOTICE.md").write_text("\n".join(notice) + "\n", encoding="utf-8")
    written.append(target / "NOTICE.md")
    return written


def copy_seeds(target: Path) -> list[Path]:
    """Copy the seed corpus (``seeds/``) into the built package."""
    source = ROOT / "seeds"
    files = sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in CORPUS_SUFFIXES)
    if not files:
        raise AssetError(f"no seed documents in {source}")
    target.mkdir(parents=True, exist_ok=True)
    for p in files:
        shutil.copyfile(p, target / p.name)
    return [target / p.name for p in files]


class BuildPyWithAssets(build_py):
    """``build_py`` that adds the vendored Leaflet assets and the seed corpus to the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install uses the checkout's node_modules and seeds in place
        package = Path(self.build_lib) / "geo"
        copy_seeds(package / "data" / "seeds")
        if os.environ.get("GEO_WHEEL_WITHOUT_ASSETS") == "1":
            self.announce("GEO_WHEEL_WITHOUT_ASSETS=1: the wheel carries no Leaflet assets", level=3)
            return
        source = Path(os.environ.get("GEO_ASSETS_DIR") or ROOT / "node_modules")
        try:
            files = vendor_assets(source, package / "maps" / "vendor")
        except AssetError as exc:
            raise SystemExit(
                f"error: {exc}. The wheel inlines the pinned Leaflet assets into offline maps; "
                "run `npm ci` first, set GEO_ASSETS_DIR to a node_modules folder, or set "
                "GEO_WHEEL_WITHOUT_ASSETS=1 to build without them."
            ) from None
        self.announce(f"vendored {len(files)} asset files from {source}", level=3)


setup(cmdclass={"build_py": BuildPyWithAssets})
