"""Extraction, round 7: dates a clause borrows from another clause of its sentence.

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
    text = f"记者3月8日从市交通委了解到，市发展改革委近日批复轨道交通22号线初步设计，{marker}全面建设阶段。"
    events = _dated(text, package_gazetteer, D(2025, 3, 10))
    # the approval is dated "近日" (the publication month); the stage it marks likewise,
    # not the day the reporter learnt of it
    assert events[("metro-line-22", "early_stage", "actual")] == (D(2025, 3, 1), "month")
    assert events[("metro-line-22", "under_construction", "actual")] == (D(2025, 3, 1), "month")


def test_a_delegation_is_no_consequence_marker(package_gazetteer):
    text = "记者3月8日从会上了解到，代表团认为轨道交通22号线已全面施工。"
    events = _dated(text, package_gazetteer, D(2025, 3, 10))
    assert events[("metro-line-22", "under_construction", "actual")] == (D(2025, 3, 8), "day")


# --------------------------------------------------------------------------- the time of the report
@pytest.mark.parametrize(
    "text",
    [
        "记者2月27日从市交通委了解到，市发展改革委近日批复轨道交通22号线初步设计。",
        "记者2月27日从市交通委了解到，目前轨道交通22号线已完成初步设计批复。",
        "2月27日，记者从市交通委获悉，市发展改革委日前批复轨道交通22号线初步设计。",
    ],
)
def test_now_words_are_the_time_of_the_report_not_of_the_publication(text, package_gazetteer):
    """Reported on 27 February, published on 1 March: ``近日``/``目前``/``日前`` are February."""
    events = _dated(text, package_gazetteer, D(2025, 3, 1))
    assert events[("metro-line-22", "early_stage", "actual")] == (D(2025, 2, 1), "month")


def test_a_consequence_of_a_recent_fact_is_dated_by_the_report_too(package_gazetteer):
    text = "记者2月27日从市交通委了解到，市发展改革委近日批复轨道交通22号线初步设计，标志着这条线路进入全面建设阶段。"
    events = _dated(text, package_gazetteer, D(2025, 3, 1))
    assert events[("metro-line-22", "under_construction", "actual")] == (D(2025, 2, 1), "month")


def test_without_a_report_date_now_words_keep_the_publication_month(package_gazetteer):
    events = _dated("市发展改革委近日批复轨道交通22号线初步设计。", package_gazetteer, D(2025, 3, 1))
    assert events[("metro-line-22", "early_stage", "actual")] == (D(2025, 3, 1), "month")
