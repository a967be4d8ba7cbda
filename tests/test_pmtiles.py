"""PMTiles export (GDAL's PMTiles driver), read back with the pmtiles package and decoded with mapbox-vector-tile."""

from __future__ import annotations

import gzip

import mapbox_vector_tile
import pytest
from pmtiles.reader import MmapSource, Reader, all_tiles

import geo
from geo.cli import main
from geo.pmtiles import pmtiles_info


@pytest.fixture(scope="module")
def layers():
    return geo.layers_as_of("2024-06-30")


def _features(path):
    """Every feature of every tile: ``(z, x, y, layer, properties)``."""
    out = []
    with open(path, "rb") as fh:
        for (z, x, y), data in all_tiles(Reader(MmapSource(fh)).get_bytes):
            for name, layer in mapbox_vector_tile.decode(gzip.decompress(data)).items():
                out.extend((z, x, y, name, f["properties"]) for f in layer["features"])
    return out


def test_stations_as_pmtiles(layers, tmp_path):
    out = tmp_path / "stations.pmtiles"
    paths = geo.save_layers(out, fmt="pmtiles", layers=["stations"], minzoom=7, maxzoom=11)
    assert paths == [out]
    info = pmtiles_info(out)
    assert (info["min_zoom"], info["max_zoom"]) == (7, 11)
    assert info["tile_type"] == "MVT"
    assert info["layers"] == ["stations"]
    feats = _features(out)
    assert info["tiles"] == len({(z, x, y) for z, x, y, _, _ in feats}) > 5
    assert {z for z, *_ in feats} == set(range(7, 12))
    by_id = {p["id"]: p for *_, p in feats}
    assert set(by_id) == set(layers["stations"]["id"])  # every station is in some tile
    yj = by_id["station-jt-yanjiao"]
    assert yj["name_zh"] == "燕郊站"
    assert yj["status"] == "open"
    assert yj["aliases"].startswith("[")  # lists travel as JSON text
    w, s, e, n = info["bounds"]
    assert 115 < w < e < 119
    assert 38.5 < s < n < 41.5


def test_cli_pmtiles_folder_zoom_checks(tmp_path, capsys):
    assert main(["export", "--format", "pmtiles", "--layers", "rail,roads", "--maxzoom", "9", "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.pmtiles")) == ["rail.pmtiles", "roads.pmtiles"]
    assert pmtiles_info(tmp_path / "rail.pmtiles")["max_zoom"] == 9
    assert main(["export", "--format", "pmtiles", "--minzoom", "12", "--maxzoom", "9", "-o", str(tmp_path)]) == 2
    assert "zoom range" in capsys.readouterr().err
    assert main(["export", "--format", "pmtiles", "--crs", "EPSG:4548", "-o", str(tmp_path)]) == 2
