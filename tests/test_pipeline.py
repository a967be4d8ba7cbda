"""The whole pipeline as a user runs it: geo build, the committed layers, the CLI commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import geo
from geo.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def extraction():
    return geo.extract_corpus(geo.load_corpus(SEEDS))


def _events(x, fid):
    return [e for e in x.events if e.feature_id == fid]


def test_seed_acceptance_examples(extraction):
    x = extraction

    def has(fid, doc, status, modality, date_prefix):
        return any(
            e.doc_id.startswith(doc)
            and e.status == status
            and e.modality == modality
            and e.date.isoformat().startswith(date_prefix)
            and e.quote
            for e in _events(x, fid)
        )

    assert has("metro-line-22", "000", "construction_started", "actual", "2021-06")
    assert has("jingtang-intercity", "000", "opened", "expected", "2022")
    assert has("jingtang-intercity", "002", "opened", "expected", "2022")
    assert has("jingtang-intercity", "001", "opened", "actual", "2023")
    assert has("bridge-wangjiabai", "001", "opened", "actual", "2023-09-26")
    assert has("river-north-canal-langfang", "000", "opened", "actual", "2021-06-26")
    assert has("metro-line-22", "002", "opened", "expected", "2025-12")
    assert has("expressway-chengping", "004", "opened", "expected", "2024")
    # a forecast is never a fact: no actual opening of Line 22 anywhere in the seeds
    assert not any(e.status == "opened" and e.modality == "actual" for e in _events(x, "metro-line-22"))


def test_status_as_of_dates_follow_the_corpus():
    before = geo.layers_as_of("2022-06-30")["rail"].set_index("id")
    after = geo.layers_as_of("2023-06-30")["rail"].set_index("id")
    assert before.loc["jingtang-intercity", "status"] == "under_construction"
    assert after.loc["jingtang-intercity", "status"] == "open"
    assert after.loc["metro-line-22", "status"] == "under_construction"
    t = geo.feature_timeline("平谷線")  # traditional characters resolve too
    assert t["id"] == "metro-line-22"
    assert t["mention_count"] >= 5
    assert any(ev["modality"] == "expected" and ev["status"] == "opened" for ev in t["timeline"])


def test_new_document_with_actual_opening_changes_status(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "900_line22_opens.md").write_text(
        "---\ntitle: 平谷线开通运营\ndate: 2026-09-28 10:00:00 +0800\n---\n"
        "今天上午，北京地铁22号线（平谷线）正式开通运营，从平谷站到东大桥站约需一小时。\n",
        encoding="utf-8",
    )
    out = tmp_path / "layers"
    assert main(["layers", "--corpus", str(corpus), "--out", str(out)]) == 0
    rail = {f["id"]: f["properties"] for f in json.loads((out / "rail.geojson").read_text())["features"]}
    assert rail["metro-line-22"]["status"] == "open"
    assert rail["metro-line-22"]["status_date"] == "2026-09-28"
    assert "900_line22_opens" in rail["metro-line-22"]["docs"]
    seeds_rail = {
        f["id"]: f["properties"] for f in json.loads((ROOT / "layers" / "rail.geojson").read_text())["features"]
    }
    assert seeds_rail["metro-line-22"]["status"] == "under_construction"


def _files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def test_committed_layers_match_a_fresh_build(seed_build):
    """The committed layers/ are exactly what `geo build` makes from seeds/ (byte for byte)."""
    out = seed_build[0] / "layers"
    committed = _files(ROOT / "layers")
    assert committed == _files(out)
    for rel in committed:
        assert (ROOT / "layers" / rel).read_bytes() == (out / rel).read_bytes(), f"layers/{rel} is stale"


def test_outputs_are_byte_identical_across_processes(seed_build, tmp_path):
    """Set/dict ordering must not leak into any output: a second process with another hash seed
    (and another working folder) writes the same layers, tables and maps as this one."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONHASHSEED": "2718281"}
    argv = ["build", "--corpus", str(SEEDS), "--layers", "layers", "--maps", "maps", "--basemap", "none"]
    r = subprocess.run([sys.executable, "-m", "geo", *argv], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    built = seed_build[0]
    for sub in ("layers", "maps"):
        files = _files(built / sub)
        assert files == _files(tmp_path / sub)
        for rel in files:
            if rel.name == "MANIFEST.sha256":
                continue  # checked through the files it lists
            assert (built / sub / rel).read_bytes() == (tmp_path / sub / rel).read_bytes(), f"{sub}/{rel}"
    assert (built / "maps" / "MANIFEST.sha256").read_bytes() == (tmp_path / "maps" / "MANIFEST.sha256").read_bytes()


def test_cli_extract_timeline_and_check(capsys):
    assert main(["extract", "--corpus", str(SEEDS), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["mentions"]) > 250
    assert len(data["events"]) > 60
    assert data["claims"]
    assert all(e["quote"] and e["doc_id"] for e in data["events"])
    assert main(["extract", "--corpus", str(SEEDS), "--unknown"]) == 0
    assert "candidate" in capsys.readouterr().out
    assert main(["timeline", "王家摆大桥", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "2023-09-26" in out
    assert "安石路香河段跨北运河王家摆大桥于今年9月26日完工通车" in out
    assert main(["timeline", "jingtang-intercity", "--as-of", "2021-12-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] in ("under_construction", "planned")
    assert main(["timeline", "不存在的路"]) == 2  # an unknown name is a usage error
    assert "no feature named" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["timeline", "平谷线", "--as-of", "someday"])
    assert exc.value.code == 2
    assert main(["check"]) == 0


def test_cli_check_fails_on_broken_gazetteer(tmp_path, capsys):
    bad = tmp_path / "g.yaml"
    bad.write_text(
        "- id: road-x\n  name_zh: 测试路\n  kind: road\n  theme: road\n"
        "  geometry: {type: LineString, coordinates: [[121.4, 31.2], [121.5, 31.3]]}\n",
        encoding="utf-8",
    )
    assert main(["check", "--gazetteer", str(bad)]) == 1
    assert "road-x: [study-area]" in capsys.readouterr().out
    bad.write_text("- id: road-x\n  name_zh: 测试路\n  kind: spaceship\n  theme: road\n", encoding="utf-8")
    assert main(["check", "--gazetteer", str(bad)]) == 1
    assert "unknown kind 'spaceship'" in capsys.readouterr().err


def test_cli_export_filters_and_errors(tmp_path, capsys):
    out = tmp_path / "tz.geojson"
    assert (
        main(
            [
                "export",
                "--format",
                "geojson",
                "--layers",
                "roads",
                "--within",
                "通州区",
                "--status",
                "open",
                "--as-of",
                "2024-12-31",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    fc = json.loads(out.read_text())
    ids = {f["id"] for f in fc["features"]}
    assert "road-changtong" in ids
    assert all(f["properties"]["status"] == "open" for f in fc["features"])
    assert "crs" not in fc
    assert (
        main(
            [
                "export",
                "--format",
                "geojson",
                "--layers",
                "roads",
                "--as-of",
                "2023-12-31",
                "--status",
                "open",
                "-o",
                str(tmp_path / "r2023.geojson"),
            ]
        )
        == 0
    )
    ids2023 = {f["id"] for f in json.loads((tmp_path / "r2023.geojson").read_text())["features"]}
    assert "road-changtong" not in ids2023  # opened 2024-09-29
    assert (
        main(["export", "--format", "geojson", "--layers", "railz", "-o", str(tmp_path / "x.geojson")]) == 2
    )  # a usage error (README: exit 2)
    err = capsys.readouterr().err
    assert "railz" in err
    assert "roads" in err
    assert (
        main(["export", "--format", "gpkg", "--status", "finished", "-o", str(tmp_path / "x.gpkg")]) == 2
    )  # usage errors exit 2
    assert "under_construction" in capsys.readouterr().err
    assert main(["export", "--format", "gpkg", "--crs", "EPSG:999999", "-o", str(tmp_path / "x.gpkg")]) == 2
    assert "EPSG:999999" in capsys.readouterr().err
    assert not (tmp_path / "x.gpkg").exists()


def test_cli_build_on_a_bad_corpus_keeps_outputs(tmp_path, capsys):
    layers = tmp_path / "layers"
    layers.mkdir()
    (layers / "rail.geojson").write_text("previous build", encoding="utf-8")
    assert main(["build", "--corpus", str(tmp_path / "missing"), "--layers", str(layers), "--no-maps"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert (layers / "rail.geojson").read_text() == "previous build"


def test_one_document_breaking_extraction_does_not_stop_the_others(monkeypatch):
    """A document that makes the extractor fail is skipped with a warning naming its file."""
    import geo.extract as ex

    corpus = geo.load_corpus(SEEDS)
    real = ex.document_context

    def context(doc):
        if doc.doc_id.startswith("002"):
            raise RuntimeError("simulated extractor bug")
        return real(doc)

    monkeypatch.setattr(ex, "document_context", context)
    x = ex.extract(corpus, geo.load_gazetteer())
    assert len(x.warnings) == 1
    assert "002_644784451ede5f8c" in x.warnings[0]
    assert "simulated extractor bug" in x.warnings[0]
    assert {m.doc_id[:3] for m in x.mentions} == {"000", "001", "003", "004"}


def test_cli_analyze_structure_and_access(capsys):
    assert main(["analyze", "structure", "--as-of", "2024-06-30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2024-06-30"
    assert out["components"]["metro"]["n_weak"] >= 1
    assert out["removal_impact"]["car"]
    assert out["bottlenecks"]
    top_car = {r["feature_id"] for r in out["removal_impact"]["car"]}
    assert top_car & {"expressway-jingha", "expressway-jingping", "expressway-capital-ring"}
    assert (
        main(
            [
                "analyze",
                "access",
                "--as-of",
                "2024-06-30",
                "--origins",
                "燕郊",
                "--destinations",
                "国贸",
                "--chains",
                "car",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    (row,) = out["od"]
    assert row["origin"] == "燕郊"
    assert 30 < row["time_min"] < 90
    assert main(["analyze", "access", "--origins", "上海"]) == 2  # an unknown name is a usage error
    assert "上海" in capsys.readouterr().err


def test_claims_carry_a_topic(extraction):
    by_quote = {(c.counted, c.value): c.topic for c in extraction.claims}
    assert by_quote[("高速公路", 3.0)] == "transport"
    assert by_quote[("跨潮白河桥梁", 5.0)] == "transport"
    assert by_quote[("轨道交通圈", 30.0)] == "travel_time"
    assert by_quote[("精品旅游线路", 11.0)] != "transport"
    assert all(c.to_json()["topic"] == c.topic for c in extraction.claims)


def test_network_rejects_an_osm_file_outside_the_study_area(tmp_path, capsys):
    osm = tmp_path / "london.osm"
    osm.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">'
        '<node id="1" lat="51.50" lon="-0.12"/><node id="2" lat="51.51" lon="-0.11"/>'
        '<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way></osm>',
        encoding="utf-8",
    )
    assert main(["network", "--osm", str(osm)]) == 1
    err = capsys.readouterr().err
    assert "london.osm" in err
    assert "outside the study area" in err


def test_seed_001_link_counts_against_the_map_of_its_date(capsys):
    """Seed 001 (2023-12-29): 3 expressways, 7 trunk roads, 5 bridges over the Chaobai."""
    assert main(["analyze", "crossborder", "--json"]) == 0
    claims = {
        c["counted"]: c
        for c in json.loads(capsys.readouterr().out)["claims"]
        if c["doc_id"].startswith("001") and c["class"]
    }
    bridges = claims["跨潮白河桥梁"]
    assert bridges["as_of"] == "2023-12-29"
    assert bridges["claimed"] == 5
    assert bridges["mapped"] == 5
    assert "bridge-changtong-chaobai" not in bridges["feature_ids"]  # it opened 2024-09-29
    assert "北三县已建成与通州区连通的高速公路3条" in claims["高速公路"]["quote"]
    assert claims["高速公路"]["mapped"] >= 3
    assert claims["主干路"]["mapped"] >= 5


def test_a_count_that_enumerates_its_features_is_compared_with_them(extraction, capsys):
    """000: "4条跨界公路厂通路年底前开工，安石路…，神威北大街、通宝路…" counts four named roads."""
    (claim,) = [c for c in extraction.claims if c.counted == "跨界公路"]
    assert claim.value == 4
    assert set(claim.feature_ids) == {
        "road-changtong",
        "road-anshi",
        "road-shenwei-north",
        "road-tongbao",
    }
    # a count followed by names of mixed kinds is not an enumeration
    (hw,) = [c for c in extraction.claims if c.counted == "高速公路"]
    assert "bus-crossborder-network" not in hw.feature_ids
    assert main(["analyze", "crossborder", "--json"]) == 0
    rows = [c for c in json.loads(capsys.readouterr().out)["claims"] if c["counted"] == "跨界公路"]
    assert rows[0]["class"] == "named_features"
    assert (rows[0]["claimed"], rows[0]["mapped"]) == (4, 4)
