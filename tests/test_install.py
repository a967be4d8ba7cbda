"""The package works installed: a real wheel in a fresh venv, used from an empty folder, offline.

The wheel is built from this checkout (``pip wheel``; setup.py adds the pinned Leaflet
assets and the seed corpus) and installed with ``--no-deps`` into a new venv; the
dependencies are made visible from the project's own venv by a ``.pth`` line (they are
the same versions pip would install from the machine's index, which would take
minutes). The installed ``geo`` then runs from a temporary folder with no ``seeds``,
no ``node_modules`` and no ``GEO_ASSETS_DIR``: it must find its corpus and assets in
the package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{cmd} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv python, venv bin folder, an empty working folder, the environment)."""
    base = tmp_path_factory.mktemp("install")
    env = {k: v for k, v in os.environ.items() if k not in ("GEO_ASSETS_DIR", "PYTHONPATH", "VIRTUAL_ENV")}
    wheels = base / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)], cwd=base, env=env)
    (wheel,) = wheels.glob("jjj_atlas-*.whl")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base, env=env)
    py = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # the project's pip installs into the new venv (`--python`: no pip of its own needed), no dependencies
    _run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
        cwd=base,
        env=env,
    )
    # the dependencies: the project's site-packages, after the venv's own (a path line is not a
    # site dir, so the editable install's finder there is not run and `geo` is the wheel's)
    (site / "zz_project_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    work = base / "work"
    work.mkdir()
    return py, venv / "bin", work, env, wheel


def test_the_wheel_carries_assets_with_licences_and_the_seeds(installed):
    *_, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "geo/maps/vendor/leaflet/dist/leaflet.js" in names
    assert "geo/maps/vendor/leaflet/LICENSE" in names
    assert "geo/maps/vendor/leaflet/dist/images/layers.png" in names  # referenced by leaflet.css
    assert "geo/maps/vendor/leaflet-measure/third_party/underscore/LICENSE" in names  # bundled by its dist
    assert "geo/maps/vendor/NOTICE.md" in names
    assert sum(n.startswith("geo/data/seeds/") for n in names) == 5
    assert "geo/data/gazetteer/rail.yaml" in names
    assert "geo/maps/static/common.js" in names
    assert not any(n.startswith(("tests/", "seeds/", "node_modules/")) for n in names)


def test_installed_geo_builds_from_an_empty_folder(installed):
    py, bindir, work, env, _ = installed
    where = _run([str(py), "-c", "import geo, geo.maps; print(geo.__file__)"], cwd=work, env=env).stdout
    assert str(ROOT) not in where  # the wheel's copy, not the checkout
    r = _run([str(bindir / "geo"), "build", "--no-analysis", "--basemap", "none"], cwd=work, env=env)
    assert "corpus: 5 documents" in r.stdout
    assert "data/seeds" in r.stdout  # the packaged seed corpus, as no ./seeds exists here
    atlas = (work / "maps" / "atlas.html").read_text(encoding="utf-8")
    assert "/* leaflet 1.9.4 (BSD-2-Clause) */" in atlas  # inlined from the vendored copy
    assert "cdn.jsdelivr.net" not in atlas
    assert (work / "maps" / "timeline.html").is_file()
    rail = json.loads((work / "layers" / "rail.geojson").read_text(encoding="utf-8"))
    assert {f["id"] for f in rail["features"]} >= {"metro-line-22", "jingtang-intercity"}
    # the package's study, assumptions and reference data reach the network analysis
    r = _run(
        [str(bindir / "geo"), "analyze", "access", "--origins", "燕郊", "--destinations", "国贸", "--chains", "car"],
        cwd=work,
        env=env,
    )
    assert "燕郊" in r.stdout
    assert "国贸" in r.stdout
    assert not (work / "seeds").exists()


def test_installed_api_renders_the_atlas(installed):
    py, _, work, env, _ = installed
    code = (
        "import geo\n"
        "from geo.maps.assets import VENDOR_DIR, assets_dir\n"
        "assert assets_dir() == VENDOR_DIR, assets_dir()\n"
        "c = geo.load_corpus()\n"
        "print(len(c), 'documents')\n"
        "print(geo.feature_timeline('平谷线')['status'])\n"
        "m = geo.atlas(as_of='2024-06-30', basemap='none')\n"
        "html = m.get_root().render()\n"
        "print(type(m).__name__, len(html), 'leaflet 1.9.4' in html)\n"
    )
    r = _run([str(py), "-c", code], cwd=work, env=env)
    assert "5 documents" in r.stdout
    assert "under_construction" in r.stdout
    assert "Map" in r.stdout
    assert r.stdout.strip().endswith("True")
