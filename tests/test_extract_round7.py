"""Extraction, round 7: dates a clause borrows from another clause of its sentence; names
before ``位于`` and crossing verbs; toll stations and expressways as anaphoric subjects.

- A forecast without a date of its own (``即将开通``) does not take a day the report or a news
  lead gives (``记者2月20日获悉``, ``2月20日，…``) read forward into next year: that day is when the
  statement was made.
- A clause that says what the previous statement marks (``标志着``, ``意味着``, ``代表``, also after
  ``这``) takes that statement's date, not the date the reporter learnt of it.

Every sentence here is written by the team to show one class of wording (no dev-set text).
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extractdata import Doc

from geo.extract import extract

D = dt.date


def _dated(text: str, gaz, published: dt.date):
    r = extract([Doc("t7", published, text)], gaz, known_events=False)
    return {(e.feature_id, e.status, e.modality): (e.date, e.precision) for e in r.events}


# --------------------------------------------------------------------------- forecasts
@pytest.mark.parametrize(
    "text",
    [
        "记者2月20日从市交通委获悉，轨道交通22号线即将开通。",
        "2月20日上午，记者从市交通委获悉，轨道交通22号线即将开通。",
        "2月20日，轨道交通22号线即将开通。",
    ],
)
def test_a_recent_statement_day_does_not_date_a_forecast_next_year(text, package_gazetteer):
    events = _dated(text, package_gazetteer, D(2025, 3, 1))
    # it was said on 20 February 2025: no opening on 20 February 2026 is invented
    assert events[("metro-line-22", "opened", "expected")] == (D(2025, 3, 1), "reported")


def test_a_lead_month_ahead_of_the_report_still_dates_the_forecast(package_gazetteer):
    events = _dated("12月，轨道交通22号线将开通。", package_gazetteer, D(2025, 3, 1))
    assert events[("metro-line-22", "opened", "expected")] == (D(2025, 12, 1), "month")


def test_a_forecast_after_a_dated_fact_is_not_dated_a_year_later(package_gazetteer):
    text = "轨道交通22号线主体结构2月20日完工，意味着该线路即将进入铺轨阶段。"
    events = _dated(text, package_gazetteer, D(2025, 3, 1))
    assert events[("metro-line-22", "milestone", "actual")] == (D(2025, 2, 20), "day")
    assert events[("metro-line-22", "milestone", "expected")] == (D(2025, 3, 1), "reported")


# --------------------------------------------------------------------------- consequences
@pytest.mark.parametrize(
    "marker",
    ["代表这条线路迈入", "这代表着该线路正式进入", "这标志着该线路正式进入", "标志着这条线路正式进入"],
)
def test_a_consequence_takes_the_date_of_the_statement_it_follows(marker, package_gazetteer):
    text = f"记者3月8日从区住建委获悉，22号线东段初步设计近日获市里批复，{marker}全面建设阶段。"
    events = _dated(text, package_gazetteer, D(2025, 3, 10))
    # the approval is dated "近日" (the publication month); the stage it marks likewise,
    # not the day the reporter learnt of it
    assert events[("metro-line-22", "early_stage", "actual")] == (D(2025, 3, 1), "month")
    assert events[("metro-line-22", "under_construction", "actual")] == (D(2025, 3, 1), "month")


def test_a_delegation_is_no_consequence_marker(package_gazetteer):
    text = "记者3月8日从会上获悉，代表团认为22号线已全面施工。"
    events = _dated(text, package_gazetteer, D(2025, 3, 10))
    assert events[("metro-line-22", "under_construction", "actual")] == (D(2025, 3, 8), "day")


# --------------------------------------------------------------------------- the time of the report
@pytest.mark.parametrize(
    "text",
    [
        "记者2月27日从区住建委获悉，22号线东段初步设计近日获市里批复。",
        "记者2月27日从区住建委获悉，目前22号线已完成初步设计审批。",
        "2月27日，记者从区住建委获悉，22号线的初步设计日前已获批。",
    ],
)
def test_now_words_are_the_time_of_the_report_not_of_the_publication(text, package_gazetteer):
    """Reported on 27 February, published on 1 March: ``近日``/``目前``/``日前`` are February."""
    events = _dated(text, package_gazetteer, D(2025, 3, 1))
    assert events[("metro-line-22", "early_stage", "actual")] == (D(2025, 2, 1), "month")


def test_a_consequence_of_a_recent_fact_is_dated_by_the_report_too(package_gazetteer):
    text = "记者2月27日从区住建委获悉，22号线东段初步设计近日获市里批复，标志着该线正式进入全面建设阶段。"
    events = _dated(text, package_gazetteer, D(2025, 3, 1))
    assert events[("metro-line-22", "under_construction", "actual")] == (D(2025, 2, 1), "month")


def test_without_a_report_date_now_words_keep_the_publication_month(package_gazetteer):
    events = _dated("22号线东段初步设计近日获市里批复。", package_gazetteer, D(2025, 3, 1))
    assert events[("metro-line-22", "early_stage", "actual")] == (D(2025, 3, 1), "month")


# --------------------------------------------------------------------------- names and anaphora
def _names_events(text: str, gaz):
    r = extract([Doc("t7n", D(2025, 3, 1), text)], gaz, known_events=False)
    names = {f.id: f.name_zh for f in r.provisional.values()}
    return set(names.values()), {(names.get(e.feature_id, e.feature_id), e.status, e.modality) for e in r.events}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("东坨收费站位于京平高速。", "东坨收费站"),
        ("通州区云景大桥位于北运河上。", "云景大桥"),
        ("云景大桥横跨小河。", "云景大桥"),
        ("云景大桥跨越北运河。", "云景大桥"),
    ],
)
def test_a_name_before_located_at_or_a_crossing_verb_is_recognised(text, name, package_gazetteer):
    names, _ = _names_events(text, package_gazetteer)
    assert name in names
    assert not any(n.endswith("河") and "桥" in n for n in names)  # no river called 云景大桥横跨小河


def test_a_standpoint_is_no_station_and_a_plan_taking_shape_no_works(package_gazetteer):
    names, events = _names_events("各级干部要提高站位。该方案已基本成型。", package_gazetteer)
    assert not names
    assert not events


def test_a_place_before_the_topic_does_not_stop_the_clauses_after_it(package_gazetteer):
    _, events = _names_events("通州区云景大桥位于北运河上，目前已建成通车。", package_gazetteer)
    assert ("云景大桥", "opened", "actual") in events


def test_a_toll_station_and_the_expressway_as_anaphoric_subjects(package_gazetteer):
    text = (
        "记者在京平高速东坨收费站看到，收费站主体建筑基本成型。"
        "项目负责人说，高速主体工程已全部完工，预计6月底具备通车条件。"
    )
    _, events = _names_events(text, package_gazetteer)
    station = "京平高速东坨收费站"  # a toll station of a known road is named with the road
    assert (station, "under_construction", "actual") in events
    assert ("expressway-jingping", "milestone", "actual") in events
    assert ("expressway-jingping", "opened", "expected") in events
    # the expressway's opening is not the toll station's
    assert (station, "opened", "expected") not in events


def test_this_toll_station_refers_to_the_toll_station(package_gazetteer):
    _, events = _names_events("东坨收费站位于京平高速。该收费站主体建筑已经完工。", package_gazetteer)
    assert ("东坨收费站", "milestone", "actual") in events
    assert ("expressway-jingping", "milestone", "actual") not in events


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("京唐城际铁路今年率先开建云景路至宋庄段。", "云景路"),
        ("今年将动工修建云景东路。", "云景东路"),
    ],
)
def test_a_works_verb_is_no_part_of_the_name_after_it(text, name, package_gazetteer):
    names, _ = _names_events(text, package_gazetteer)
    assert name in names
    assert not any(w in n for n in names for w in ("开建", "动工", "修建", "率先"))


@pytest.mark.parametrize(
    "text",
    [
        "该路段主要采用地面快速路形式。",
        "这条路按城市次干路标准建设，两侧另建地面辅路。",
        "两条高速相交处采用分离立交，另一处为全互通立交。",
        "这条人工运河见证了千年漕运。",
        "通州运河两岸绿树成荫。",
        "京津冀八大铁路项目同步推进。",
        "该线中途设站3座。",
        "该桥为连续拱形钢架桥。",
        "项目由某某集团（以下简称中国铁路）承建。",
    ],
)
def test_road_classes_structure_types_and_a_canal_in_general_are_no_features(text, package_gazetteer):
    names, _ = _names_events(text, package_gazetteer)
    assert not names


@pytest.mark.parametrize(
    ("text", "expected", "junk"),
    [
        ("该线紧贴云景铁路向东延伸，东跨小龙河。", {"云景铁路", "小龙河"}, {"紧贴云景铁路", "东跨小龙河"}),
        ("游船从二号码头出发，途经七孔桥，再回三号码头。", {"三号码头"}, {"回三号码头"}),
        ("调整后的线路承担云景路沿线客流。", {"云景路"}, {"承担云景路"}),
        ("项目预留游船码头，并配合东坝河整治。", {"东坝河"}, {"预留游船码头", "配合东坝河"}),
    ],
)
def test_a_verb_before_a_name_is_cut_off(text, expected, junk, package_gazetteer):
    names, _ = _names_events(text, package_gazetteer)
    assert expected <= names
    assert not junk & names
