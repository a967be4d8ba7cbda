"""Tests for geo.timeline: merging, forecasts vs facts, status at a date, summaries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from geo.extract import Event, Mention, extract
from geo.gazetteer import Feature, Gazetteer
from geo.timeline import (
    StatusResult,
    TimelineEvent,
    build_timelines,
    status_as_of,
    summarise,
    timeline_to_json,
)

D = dt.date


def ev(
    status: str,
    modality: str,
    date: dt.date,
    precision: str,
    doc: str,
    published: dt.date,
    fid: str = "f",
    quote: str = "q",
    end: dt.date | None = None,
) -> Event:
    return Event(
        fid, status, modality, date, precision, "basis", doc, 0, len(quote), quote, date_end=end, published=published
    )


class Doc:
    def __init__(self, doc_id: str, published: dt.date, text: str):
        self.doc_id, self.published, self.text = doc_id, published, text
        self.published_precision = "day"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(
        [
            Feature(
                id="jingtang-intercity",
                name_zh="京唐城际铁路",
                name_en="Beijing-Tangshan ICR",
                kind="rail_line",
                theme="rail",
                aliases=("京唐铁路", "京唐城际"),
            ),
            Feature(
                id="metro-line-22",
                name_zh="北京地铁22号线",
                name_en="Line 22",
                kind="metro_line",
                theme="rail",
                aliases=("平谷线",),
            ),
        ]
    )


def test_forecast_then_actual_opening_on_another_date(gaz):
    docs = [
        Doc("d2021", D(2021, 11, 12), "京唐铁路加快建设，京唐铁路将于2022年6月建成通车。"),
        Doc("d2023", D(2023, 1, 5), "京唐城际铁路于2022年12月30日开通运营。"),
    ]
    x = extract(docs, gaz, known_events=False)
    tl = x.timelines["jingtang-intercity"]
    by = {(t.status, t.modality): t for t in tl}
    forecast = by[("opened", "expected")]
    actual = by[("opened", "actual")]
    assert forecast.date == D(2022, 6, 1)
    assert forecast.precision == "month"
    assert forecast.superseded_by == "actual"
    assert not forecast.current
    assert actual.date == D(2022, 12, 30)
    assert actual.doc_id == "d2023"
    # before anything: the under-construction report, dated to its month, counts from its
    # publication date (not from the 1st of the month)
    assert status_as_of(tl, D(2021, 1, 1)).status == "unknown"
    assert status_as_of(tl, D(2021, 11, 11)).status == "unknown"
    assert status_as_of(tl, D(2021, 11, 12)).status == "under_construction"
    r = status_as_of(tl, D(2021, 12, 1))
    assert (r.status, r.date, r.event.precision) == ("under_construction", D(2021, 11, 1), "month")
    # the forecast date passes: a forecast is never a fact
    assert status_as_of(tl, D(2022, 7, 1)).status == "under_construction"
    # even in the 'as forecast' scenario: the actual opening outranks the forecast
    assert status_as_of(tl, D(2022, 7, 1), include_expected=True).status == "under_construction"
    assert status_as_of(tl, D(2022, 12, 29)).status == "under_construction"
    r = status_as_of(tl, D(2022, 12, 30))
    assert (r.status, r.date) == ("open", D(2022, 12, 30))
    assert r.event is actual
    assert status_as_of(tl, "2024-01-01").status == "open"


def test_contradicting_forecasts_latest_document_wins():
    events = [
        ev("opened", "expected", D(2022, 1, 1), "year", "a", D(2021, 11, 12)),
        ev("opened", "expected", D(2023, 6, 1), "month", "b", D(2022, 5, 1)),
        ev("under_construction", "actual", D(2021, 11, 12), "reported", "a", D(2021, 11, 12)),
    ]
    tl = build_timelines(events)["f"]
    forecasts = [t for t in tl if t.modality == "expected"]
    assert len(forecasts) == 2  # both kept
    cur = [t for t in forecasts if t.current]
    assert [t.doc_id for t in cur] == ["b"]
    old = next(t for t in forecasts if t.doc_id == "a")
    assert old.superseded_by == "later_forecast"
    # scenario: the current forecast (June 2023) counts from the end of June 2023
    assert status_as_of(tl, D(2022, 12, 31), include_expected=True).status == "under_construction"
    assert status_as_of(tl, D(2023, 6, 29), include_expected=True).status == "under_construction"
    r = status_as_of(tl, D(2023, 6, 30), include_expected=True)
    assert r.status == "open"
    assert r.event.doc_id == "b"
    assert status_as_of(tl, D(2023, 6, 30)).status == "under_construction"


def test_same_event_in_several_documents_is_merged():
    events = [
        ev("opened", "actual", D(2022, 12, 30), "day", "x", D(2023, 1, 5), quote="x 通车"),
        ev("opened", "actual", D(2022, 12, 30), "day", "y", D(2023, 2, 1), quote="y 通车"),
    ]
    tl = build_timelines(events)["f"]
    assert len(tl) == 1
    assert [c["doc_id"] for c in tl[0].citations] == ["x", "y"]
    assert tl[0].published == D(2023, 2, 1)


def test_year_precision_actual_known_by_min_of_period_end_and_publication():
    # reported in a mid-year article: known from the publication date
    tl = build_timelines([ev("opened", "actual", D(2022, 1, 1), "year", "a", D(2022, 6, 1))])["f"]
    assert tl[0].effective_date == D(2022, 6, 1)
    assert status_as_of(tl, D(2022, 5, 31)).status == "unknown"
    assert status_as_of(tl, D(2022, 6, 1)).status == "open"
    # reported later: known by the end of the year
    tl = build_timelines([ev("opened", "actual", D(2022, 1, 1), "year", "b", D(2023, 3, 1))])["f"]
    assert tl[0].effective_date == D(2022, 12, 31)
    # month precision
    tl = build_timelines([ev("construction_started", "actual", D(2021, 6, 1), "month", "c", D(2021, 11, 12))])["f"]
    assert tl[0].effective_date == D(2021, 6, 30)
    assert status_as_of(tl, D(2021, 6, 30)).status == "under_construction"


def test_expected_deadline_counts_from_deadline():
    tl = build_timelines([ev("construction_started", "expected", D(2021, 12, 31), "deadline", "a", D(2021, 11, 12))])[
        "f"
    ]
    assert status_as_of(tl, D(2021, 12, 30), include_expected=True).status == "unknown"
    assert status_as_of(tl, D(2021, 12, 31), include_expected=True).status == "under_construction"
    assert status_as_of(tl, D(2022, 6, 1)).status == "unknown"


def test_most_advanced_status_wins_and_planned_mapping():
    events = [
        ev("agreement", "actual", D(2021, 1, 1), "day", "a", D(2021, 1, 1)),
        ev("opened", "actual", D(2022, 1, 1), "day", "b", D(2022, 1, 1)),
        # a stale progress report after the opening does not reopen construction
        ev("under_construction", "actual", D(2023, 1, 1), "reported", "c", D(2023, 1, 1)),
    ]
    tl = build_timelines(events)["f"]
    assert status_as_of(tl, D(2021, 6, 1)).status == "planned"
    assert status_as_of(tl, D(2023, 6, 1)).status == "open"
    assert status_as_of(tl, D(2023, 6, 1)).date == D(2022, 1, 1)


def test_suspension_and_reopening():
    events = [
        ev("opened", "actual", D(2020, 1, 1), "day", "a", D(2020, 1, 2)),
        ev("suspended", "actual", D(2021, 3, 1), "day", "b", D(2021, 3, 2)),
        ev("opened", "actual", D(2021, 9, 1), "day", "c", D(2021, 9, 2)),
    ]
    tl = build_timelines(events)["f"]
    assert status_as_of(tl, D(2021, 5, 1)).status == "suspended"
    r = status_as_of(tl, D(2021, 10, 1))
    assert (r.status, r.date) == ("open", D(2021, 9, 1))


def test_known_events_enter_as_actual_gazetteer_events():
    known = {
        "metro-batong-line": [
            {"status": "opened", "date": D(2003, 12, 27), "precision": "day", "source": "Wikipedia: 八通线"},
            {"status": "construction_started", "date": "2000", "source": "test"},
        ]
    }
    tl = build_timelines([], known_events=known)["metro-batong-line"]
    assert [(t.status, t.modality, t.doc_id) for t in tl] == [
        ("construction_started", "actual", "gazetteer"),
        ("opened", "actual", "gazetteer"),
    ]
    assert tl[1].quote == "Wikipedia: 八通线"
    assert tl[0].precision == "year"
    assert status_as_of(tl, D(2004, 1, 1)).status == "open"
    assert status_as_of(tl, D(2001, 1, 1)).status == "under_construction"


def test_json_round_trip_and_dict_input():
    events = [
        ev("construction_started", "actual", D(2021, 6, 1), "month", "a", D(2021, 11, 12)),
        ev("opened", "expected", D(2025, 12, 31), "deadline", "b", D(2022, 4, 30)),
    ]
    tl = build_timelines(events)["f"]
    js = timeline_to_json(tl)
    text = json.dumps(js, ensure_ascii=False, sort_keys=True)
    again = json.loads(text)
    assert again[0]["date"] == "2021-06-01"
    assert again[0]["effective_date"] == "2021-06-30"
    for as_of in (D(2021, 6, 29), D(2021, 7, 1), D(2026, 1, 1)):
        for inc in (False, True):
            a = status_as_of(tl, as_of, include_expected=inc)
            b = status_as_of(again, as_of, include_expected=inc)
            assert (a.status, a.date) == (b.status, b.date)
    assert status_as_of(again, D(2026, 1, 1), include_expected=True).status == "open"
    assert isinstance(status_as_of(again, D(2026, 1, 1)).event, dict)
    # minimal dicts as other modules may write them
    minimal = [
        {
            "date": "2021-06-01",
            "precision": "month",
            "status": "construction_started",
            "modality": "actual",
            "doc_id": "a",
            "quote": "q",
        },
        {"date": "2022", "status": "opened", "modality": "actual"},
    ]
    assert status_as_of(minimal, D(2021, 7, 1)).status == "under_construction"
    assert status_as_of(minimal, D(2023, 1, 1)).status == "open"
    assert status_as_of([], D(2023, 1, 1)) == StatusResult("unknown", None, None)
    assert TimelineEvent.from_json(js[1]).current


def test_summarise():
    events = [ev("opened", "actual", D(2022, 12, 30), "day", "b", D(2023, 1, 5), quote="开通运营")]
    tl = build_timelines(events)["f"]
    mentions = [
        Mention("f", "a", 0, 2, "京唐", "京唐…", D(2021, 11, 12)),
        Mention("f", "b", 0, 2, "京唐", "京唐…", D(2023, 1, 5)),
        Mention("f", "b", 5, 7, "京唐", "京唐…", D(2023, 1, 5)),
        Mention("g", "c", 0, 2, "其他", "其他", D(2024, 1, 1)),
    ]
    s = summarise("f", mentions, tl, D(2023, 6, 1))
    assert s["status"] == "open"
    assert s["status_date"] == "2022-12-30"
    assert s["status_source"] == {"doc_id": "b", "quote": "开通运营", "modality": "actual", "date": "2022-12-30"}
    assert (s["first_mentioned"], s["last_mentioned"]) == ("2021-11-12", "2023-01-05")
    assert s["mention_count"] == 3
    assert s["docs"] == ["a", "b"]
    assert s["timeline"][0]["status"] == "opened"
    json.dumps(s, ensure_ascii=False)
    s0 = summarise("f", mentions, tl, D(2022, 1, 1))
    assert s0["status"] == "unknown"
    assert s0["status_source"] is None


def test_a_statement_about_sections_shows_in_the_parent_timeline_once():
    """`geo timeline 北运河`: the sections' tourist navigation (seed 000, 2021-06-26) is listed
    once, naming both sections, and does not decide the river's own status."""
    from pathlib import Path

    from geo.api import feature_timeline

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    t = feature_timeline("北运河", corpus=seeds)
    nav = [e for e in t["timeline"] if e.get("date") == "2021-06-26" and e["status"] == "opened"]
    assert len(nav) == 1
    assert nav[0]["modality"] == "actual"
    assert set(nav[0]["sections"]) == {"river-north-canal-langfang", "river-north-canal-tongzhou"}
    assert "旅游通航" in nav[0]["citations"][0]["quote"]
    own = feature_timeline("北运河廊坊段", corpus=seeds)
    assert not any("section" in e for e in own["timeline"])


def test_events_dicts_and_partial_objects_merge_alike():
    """An Event, its JSON dict, and an object or dict lacking the optional fields give the same timeline."""
    from types import SimpleNamespace

    a = ev("opened", "actual", D(2022, 6, 1), "month", "a", D(2022, 7, 1), end=D(2022, 6, 30))
    b = ev("opened", "actual", D(2022, 6, 1), "month", "b", D(2022, 5, 1), quote="r", end=D(2022, 6, 30))
    tl = build_timelines([a, b])
    assert [t.to_json() for t in build_timelines([a.to_json(), b.to_json()])["f"]] == [t.to_json() for t in tl["f"]]
    assert [c["doc_id"] for c in tl["f"][0].citations] == ["b", "a"]  # earliest publication first
    fields = {"feature_id": "g", "status": "opened", "modality": "expected", "date": D(2024, 1, 1), "precision": "year"}
    from_obj = build_timelines([SimpleNamespace(doc_id="d", quote="x", **fields)])
    from_dict = build_timelines([dict(doc_id="d", quote="x", **fields)])
    assert [t.to_json() for t in from_obj["g"]] == [t.to_json() for t in from_dict["g"]]
    assert from_obj["g"][0].citations == [{"doc_id": "d", "start": None, "end": None, "quote": "x", "published": None}]


def test_a_source_that_dates_an_event_outranks_one_that_only_reports_it():
    """An undated fact dated to its report's month and a statement that gives the month
    (``11月，甲路…``) are one timeline event; the month it shows comes from the text."""
    reported = dataclasses.replace(
        ev("opened", "actual", D(2021, 11, 1), "month", "a", D(2021, 11, 12)), date_basis="reported"
    )
    stated = dataclasses.replace(
        ev("opened", "actual", D(2021, 11, 1), "month", "b", D(2021, 12, 5)), date_basis="2021年11月"
    )
    (t,) = build_timelines([reported, stated])["f"]
    assert t.date_basis == "2021年11月"
    assert [c["doc_id"] for c in t.citations] == ["a", "b"]
    assert t.effective_date == D(2021, 11, 12)  # known from the first report
