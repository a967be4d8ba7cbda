"""examples/atlas.ipynb runs from a folder outside the project and shows the atlas inline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "atlas.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    work = tmp_path_factory.mktemp("notebook")  # no seeds/ and no node_modules here or above
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "GEO_ASSETS_DIR"}
    cwd = os.getcwd()
    os.chdir(work)  # the kernel inherits the working directory and the environment
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
        os.chdir(cwd)
    return nb, work


def _outputs(cell) -> str:
    parts = []
    for o in cell.get("outputs", []):
        parts.append(o.get("text", ""))
        parts += [str(v) for v in o.get("data", {}).values()]
    return "\n".join(parts)


def test_every_cell_runs_without_error(executed):
    nb, _ = executed
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_the_notebook_uses_the_corpus_it_loaded(executed):
    nb, work = executed
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "5 documents from" in _outputs(code[0])
    assert str(work) not in _outputs(code[0])  # not a ./seeds of the working folder
    assert "under_construction" in _outputs(code[1])
    assert "jingtang-intercity" in _outputs(code[2])
    table = _outputs(code[3])
    assert "燕郊" in table
    assert "三河" in table


def test_the_atlas_shows_inline(executed):
    nb, _ = executed
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    (display,) = [o for o in last.outputs if o.output_type == "execute_result"]
    html = display["data"]["text/html"]
    assert "<iframe" in html  # folium's inline display
    assert "leaflet 1.9.4" in html  # the Leaflet code travels inside the output, offline
    assert "geo-data-" in html  # the map data
    assert "cdn.jsdelivr.net" not in html
