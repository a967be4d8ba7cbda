"""Provisional features: names the gazetteer lacks that the name grammar recognises.

The sentences are written for these tests (made-up names in real counties); each shows one
class of wording.
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extractdata import Doc

from geo.extract import extract
from geo.extract.names import longest_candidates, suffix_candidates
from geo.schema import FEATURE_ID

D = dt.date


@pytest.fixture(scope="module")
def gaz(package_gazetteer):
    return package_gazetteer


PUBLISHED = D(2025, 3, 1)


def _prov(text: str, gaz, published=PUBLISHED):
    r = extract([Doc("t1", published, text)], gaz)
    by_name = {p.name_zh: p for p in r.provisional.values()}
    events = {(e.feature_id, e.status, e.modality, e.date) for e in r.events}
    return r, by_name, events


def test_a_name_inside_a_longer_name_is_not_a_feature_of_its_own():
    cands = suffix_candidates("香河县云岭河互通立交建成")
    names = [c[0] for c in longest_candidates(cands)]
    assert any(n.endswith("云岭河互通立交") for n in names), names
    assert not any(n.endswith("云岭河") for n in names), names


def test_interchange_after_county_name_is_trimmed_placed_and_dated(gaz):
    _r, by_name, events = _prov("三河市云岭河互通立交于2025年2月20日建成通车。", gaz)
    p = by_name["云岭河互通立交"]
    assert p.kind == "interchange"
    assert FEATURE_ID.match(p.id)
    assert p.placement["level"] == "prefix"
    assert p.placement["names"] == ["三河市"]
    assert (p.id, "opened", "actual", D(2025, 2, 20)) in events
    assert "云岭河" not in by_name


def test_road_after_county_name_with_time_of_day(gaz):
    _, by_name, events = _prov("通州区青霞路于2025年2月28日上午正式通车。", gaz)
    p = by_name["青霞路"]
    assert p.kind == "road"
    assert p.placement["names"] == ["通州区"]
    assert (p.id, "opened", "actual", D(2025, 2, 28)) in events


def test_bus_depot_is_a_station_without_rail_context_and_month_end_is_that_month(gaz):
    _, by_name, events = _prov("香河县新建的云栖公交场站将于3月底投入使用。", gaz)
    p = by_name["云栖公交场站"]
    assert p.kind == "station"
    assert p.placement["level"] == "sentence"
    assert (p.id, "opened", "expected", D(2025, 3, 1)) in events  # 3月底: March (3月底前 would be a deadline)


def test_generic_river_words_and_bus_stops_are_no_features(gaz):
    _, by_name, _events = _prov("大厂县护城河整治完成，乘客可在青柳村东站下车。", gaz)
    assert "护城河" not in by_name
    assert not any(n.endswith("村东站") for n in by_name)


def test_same_corpus_gives_the_same_ids(gaz):
    text = "三河市云岭河互通立交于2025年2月20日建成通车。通州区青霞路年内通车。"
    a = sorted(extract([Doc("t1", D(2025, 3, 1), text)], gaz).provisional)
    b = sorted(extract([Doc("t1", D(2025, 3, 1), text)], gaz).provisional)
    assert a == b
    assert len(a) == 2


# --------------------------------------------------------------------------- acceptance
NEW_DOC = """---
title: 香河县栖霞大道建成通车
date: 2024-10-12
---
本报讯 10月10日上午，香河县栖霞大道正式建成通车。该路全长6.2公里，为双向六车道，
建成后香河县城到北运河沿岸仅需10分钟。
"""


@pytest.fixture(scope="module")
def new_road_outputs(tmp_path_factory):
    """The seeds plus one document about a road the gazetteer lacks, through the CLI."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    work = tmp_path_factory.mktemp("newroad")
    corpus = work / "corpus"
    shutil.copytree(root / "seeds", corpus)
    (corpus / "900_new_road.md").write_text(NEW_DOC, encoding="utf-8")
    geo = [sys.executable, "-m", "geo", "-q"]
    for args in (
        ["layers", "--corpus", str(corpus), "--out", str(work / "layers")],
        [
            "export",
            "--corpus",
            str(corpus),
            "--format",
            "geojson",
            "--layers",
            "roads",
            "-o",
            str(work / "roads.geojson"),
        ],
        ["map", "--corpus", str(corpus), "--no-analysis", "--out", str(work / "maps")],
    ):
        r = subprocess.run([*geo, *args], capture_output=True, text=True, cwd=work)
        assert r.returncode == 0, (args, r.stderr)
    return work


def test_a_new_document_puts_a_new_road_on_layers_exports_and_atlas(new_road_outputs):
    import json

    work = new_road_outputs
    roads = json.loads((work / "layers" / "roads.geojson").read_text(encoding="utf-8"))
    hits = [f for f in roads["features"] if f["properties"]["name_zh"] == "栖霞大道"]
    assert len(hits) == 1
    p = hits[0]["properties"]
    assert p["provisional"] is True
    assert p["accuracy"] == "unlocated"
    assert p["status"] == "open"
    assert p["placement"]["names"] == ["香河县"]
    assert "栖霞大道" in p["placement"]["quote"]
    tl = p["timeline"] if isinstance(p["timeline"], list) else json.loads(p["timeline"])
    assert any(e["status"] == "opened" and e["date"] == "2024-10-10" for e in tl)
    assert hits[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")  # the county outline
    assert all(f["properties"]["provisional"] is False for f in roads["features"] if f is not hits[0])
    exported = json.loads((work / "roads.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["provisional"] for f in exported["features"] if f["id"] == hits[0]["id"]] == [True]
    assert hits[0]["id"] in (work / "maps" / "atlas.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lead", ["本报讯 ", "【本网讯】", "(记者 王某)", ""])
def test_a_news_lead_tag_does_not_hide_the_opening_date(gaz, lead):
    _, _, events = _prov(f"{lead}2月18日下午，厂通路正式建成通车。", gaz)
    assert ("road-changtong", "opened", "actual", D(2025, 2, 18)) in events


def test_gazetteer_stub_from_the_corpus_fills_in_and_checks(new_road_outputs, tmp_path):
    """The promotion workflow: stub from the corpus -> fill geometry -> `geo check` passes."""
    import subprocess
    import sys

    import yaml

    from geo.io import load_yaml

    geo = [sys.executable, "-m", "geo", "-q"]
    corpus = new_road_outputs / "corpus"
    r = subprocess.run([*geo, "gazetteer", "stub", "栖霞大道", "--corpus", str(corpus)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rec = load_yaml(r.stdout, where="stub")[0]
    assert rec["name_zh"] == "栖霞大道"
    assert rec["kind"] == "road"
    assert rec["admin"] == [131024]  # 香河县, where the document places it
    assert rec["geometry"] is None
    assert FEATURE_ID.match(rec["id"])
    check = [*geo, "check", "--gazetteer", str(tmp_path / "g.yaml")]
    (tmp_path / "g.yaml").write_text(yaml.safe_dump([rec], allow_unicode=True), encoding="utf-8")
    assert subprocess.run(check, capture_output=True, text=True).returncode != 0  # not filled in yet
    rec.update(
        name_en="Qixia Avenue",
        geometry={"type": "LineString", "coordinates": [[116.98, 39.76], [117.0, 39.77]]},
        accuracy="schematic",
        geometry_source="test: two points",
        sources=["test"],
    )
    (tmp_path / "g.yaml").write_text(yaml.safe_dump([rec], allow_unicode=True), encoding="utf-8")
    r = subprocess.run(check, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("name", ['x: [&a "}{{7*7}}', "a\nb: c", "- 路", "'\"#路"])
def test_gazetteer_stub_of_a_hostile_name_is_valid_yaml_holding_the_name(name):
    from geo.extract.provisional import gazetteer_stub
    from geo.io import load_yaml

    rec = load_yaml(gazetteer_stub(name), where="stub")[0]
    assert rec["name_zh"] == name
    assert FEATURE_ID.match(rec["id"])


def test_a_dateline_never_dates_the_event_but_the_date_after_it_does(gaz):
    _, _, events = _prov("新华社北京2月22日电 2月21日，厂通路全线通车。", gaz)
    assert ("road-changtong", "opened", "actual", D(2025, 2, 21)) in events


def test_a_plural_demonstrative_takes_every_feature_of_the_previous_sentence(gaz):
    _, _, events = _prov("厂通路、通宝路建设顺利。上述道路均已于2月10日通车。", gaz)
    assert ("road-changtong", "opened", "actual", D(2025, 2, 10)) in events
    assert ("road-tongbao", "opened", "actual", D(2025, 2, 10)) in events
    # a singular anaphor keeps the last feature only; a kind the noun cannot mean is left out
    _, _, events = _prov("厂通路、京唐城际铁路建设顺利。上述道路已于2月10日通车。", gaz)
    assert {e[0] for e in events} == {"road-changtong"}


def test_extract_unknown_lists_the_provisional_feature_with_counts_and_documents(new_road_outputs):
    import subprocess
    import sys

    corpus = new_road_outputs / "corpus"
    r = subprocess.run(
        [sys.executable, "-m", "geo", "-q", "extract", "--corpus", str(corpus), "--unknown"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("栖霞大道"))
    assert "prov-road-" in line
    assert line.split()[2:4] == ["1", "1"]  # one mention, one document
