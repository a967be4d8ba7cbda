"""Extraction, round 8: facts dated only by their report; works on a section of the topic;
normalisation through OpenCC's own converter.

- ``甲线已全面施工`` or ``目前，甲线正在加紧建设`` in an article of 17 December says the state held,
  or the change had happened, by that day; it does not say on which day. Such a fact is dated
  to the month of publication (precision ``month``), and the timeline still counts it from the
  day of publication. A forecast without a date keeps the publication date as ``reported``.
- ``北京段率先开建甲路至乙河一段``: the two names bound the section of the line being built; the
  works are the line's. The stations, runs or bridges of a section (``河北段桥梁``) are the
  section owner's.

Every sentence here is written by the team to show one class of wording (no dev-set text).
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extractdata import Doc

from geo.extract import extract
from geo.timeline import status_as_of

D = dt.date
PUBLISHED = D(2024, 12, 17)


def _dated(text: str, gaz, published: dt.date | None = PUBLISHED, precision: str | None = None):
    doc = Doc("t8", published, text)
    if precision:
        doc.published_precision = precision
    r = extract([doc], gaz, known_events=False)
    return r, {(e.feature_id, e.status, e.modality): (e.date, e.precision, e.date_basis) for e in r.events}


@pytest.mark.parametrize(
    ("text", "status", "basis"),
    [
        ("轨道交通22号线已全面施工。", "under_construction", "reported"),
        ("厂通路已建成通车。", "opened", "reported"),
        ("目前，轨道交通22号线正在加紧建设。", "under_construction", "目前"),
        ("近日，厂通路正式通车。", "opened", "近日"),
    ],
)
def test_a_fact_dated_only_by_its_report_is_dated_to_the_report_month(text, status, basis, package_gazetteer):
    _, events = _dated(text, package_gazetteer)
    fid = "metro-line-22" if "22号线" in text else "road-changtong"
    # the month, and the word it came from; not the day the article appeared
    assert events[(fid, status, "actual")] == (D(2024, 12, 1), "month", basis)


def test_a_fact_dated_to_the_report_month_counts_from_the_publication_day(package_gazetteer):
    r, _ = _dated("厂通路已建成通车。", package_gazetteer)
    tl = r.timelines["road-changtong"]
    assert status_as_of(tl, D(2024, 12, 16)).status != "open"
    assert status_as_of(tl, D(2024, 12, 17)).status == "open"


def test_an_explicit_day_keeps_its_day(package_gazetteer):
    _, events = _dated("12月3日，厂通路已建成通车。", package_gazetteer)
    assert events[("road-changtong", "opened", "actual")] == (D(2024, 12, 3), "day", "12月3日")


def test_an_undated_forecast_keeps_the_publication_date_as_reported(package_gazetteer):
    _, events = _dated("厂通路即将建成通车。", package_gazetteer)
    assert events[("road-changtong", "opened", "expected")] == (PUBLISHED, "reported", "reported")


def test_a_report_known_only_to_the_year_is_not_given_a_month(package_gazetteer):
    _, events = _dated("厂通路已建成通车。", package_gazetteer, D(2024, 1, 1), precision="year")
    _, precision, _ = events[("road-changtong", "opened", "actual")]
    assert precision != "month"


def test_an_undated_document_gives_no_date(package_gazetteer):
    _, events = _dated("厂通路已建成通车。", package_gazetteer, None)
    assert events[("road-changtong", "opened", "actual")][:2] == (None, "unknown")


# --------------------------------------------------------------------------- normalisation
def test_traditional_text_is_matched_phrase_by_phrase_and_keeps_its_length():
    from geo.extract.normalise import normalise_text

    text = "天氣乾燥。\n乾隆年間修建的這座橋，與北運河相接。"
    norm = normalise_text(text)
    assert len(norm) == len(text)
    # 乾 is 干 in 乾燥 but stays in the name 乾隆: OpenCC's phrases, not one table per character
    assert norm == "天气干燥。\n乾隆年间修建的这座桥,与北运河相接。"


def test_a_line_opencc_cannot_read_is_converted_character_by_character():
    from geo.extract.normalise import normalise_text

    text = "北運河\ud800廊坊段\n與通州段"  # a lone surrogate (a badly decoded file)
    norm = normalise_text(text)
    assert len(norm) == len(text)
    assert norm == "北运河\ud800廊坊段\n与通州段"


# --------------------------------------------------------------------------- works on a section
def _subjects(text: str, gaz):
    r = extract([Doc("t8s", D(2025, 3, 1), text)], gaz, known_events=False)
    return {(e.feature_id, e.status) for e in r.events}


@pytest.mark.parametrize(
    ("clause", "status"),
    [
        ("河北段近日率先开工建设厂通路至通燕高速一段", "construction_started"),
        ("目前率先开建安石路至厂通路段", "construction_started"),
        ("眼下先期开建安石路至厂通路段", "construction_started"),
        ("西段正在加快建设安石路到通燕高速这一段", "under_construction"),
    ],
)
def test_works_on_a_section_between_two_places_are_the_topics(clause, status, package_gazetteer):
    # the roads only bound the section of the line that is being built
    got = _subjects(f"地铁平谷线全长81公里，设站21座。{clause}，长度约5公里。", package_gazetteer)
    assert got == {("metro-line-22", status)}


def test_a_named_road_with_its_own_section_keeps_the_works(package_gazetteer):
    got = _subjects("地铁平谷线全长81公里。本月开工建设厂通路西集至燕郊段。", package_gazetteer)
    assert got == {("road-changtong", "construction_started")}


def test_a_named_subject_before_the_section_keeps_the_works(package_gazetteer):
    got = _subjects("通燕高速全长20公里。地铁平谷线本月开工建设厂通路至安石路段。", package_gazetteer)
    assert got == {("metro-line-22", "construction_started")}


@pytest.mark.parametrize("adverb", ["先行", "先期"])
def test_first_works_adverbs_stand_between_a_zero_subject_and_its_keyword(adverb, package_gazetteer):
    got = _subjects(f"地铁平谷线全长81公里，设站21座。东段{adverb}开工建设。", package_gazetteer)
    assert got == {("metro-line-22", "construction_started")}


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("地铁平谷线东段开始铺轨。截至本月，廊坊段车站主体结构完成70%。", "metro-line-22"),
        ("地铁平谷线东段盾构贯通。三河段车站主体结构完成45%。", "metro-line-22"),
        ("地铁平谷线东段开始铺轨。北京段区间主体结构已经完工。", "metro-line-22"),
        ("通燕高速全长20公里。厂通路已开工。河北段桥梁已全部完工。", "road-changtong"),
    ],
)
def test_the_stations_or_runs_of_a_section_are_the_section_owners(text, fid, package_gazetteer):
    assert (fid, "milestone") in _subjects(text, package_gazetteer)


def test_the_stations_of_a_section_are_no_station_named_before(package_gazetteer):
    # a station is no section owner: the stations of 河北段 are not 燕郊站
    got = _subjects("燕郊站已开通运营。河北段车站将于年底完工。", package_gazetteer)
    assert all(status != "milestone" for _, status in got)
