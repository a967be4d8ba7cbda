"""Status events, round 3: topic continuation, numbered demonstratives, section subjects,
status phrases and the dates a statement borrows from its context.

Every sentence here is written by the team to show one class of wording (no dev-set text).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from geo.dates import resolve_date
from geo.extract import find_events
from geo.gazetteer import Feature, Gazetteer

D = dt.date
_PUB = D(2024, 11, 20)


def _f(fid: str, name: str, kind: str, theme: str, *aliases: str) -> Feature:
    return Feature(id=fid, name_zh=name, name_en=fid, kind=kind, theme=theme, aliases=tuple(aliases))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(
        [
            _f("road-changtong", "厂通路", "road", "road"),
            _f("road-tongbao", "通宝路", "road", "road"),
            _f("road-anshi", "安石路", "road", "road"),
            _f("road-shenwei-north", "神威北大街", "road", "road"),
            _f("road-shixiao", "石小路", "road", "road"),
            _f("road-jingjin", "京津公路", "road", "road"),
            _f("expressway-mizhuo-north", "密涿高速北延", "expressway", "road"),
            _f("expressway-jingping", "京平高速", "expressway", "road"),
            _f("expressway-capital-ring", "首都地区环线高速", "expressway", "road", "首都环线高速"),
            _f("bridge-wangjiabai", "王家摆大桥", "bridge", "road"),
            _f("rail-daqin", "大秦铁路", "rail_line", "rail"),
            _f("metro-line-22", "北京地铁22号线（平谷线）", "metro_line", "rail", "22号线", "平谷线"),
            _f("hub-subcenter-station", "城市副中心站综合交通枢纽", "station", "rail"),
            _f("road-east-6th-ring", "东六环", "expressway", "road"),
            _f("admin-tongzhou", "通州区", "admin", "admin", "通州"),
            _f("town-yanjiao", "燕郊", "admin", "admin", "燕郊镇"),
            _f("admin-dachang", "大厂", "admin", "admin", "大厂县"),
            _f("admin-daxing", "大兴区", "admin", "admin", "大兴"),
            _f("town-huoxian", "漷县镇", "admin", "admin", "漷县"),
        ]
    )


class Doc:
    """Minimal document (the attributes geo.extract reads)."""

    def __init__(self, text: str, published: dt.date | None = _PUB) -> None:
        self.doc_id = "r3"
        self.published = published
        self.published_precision = "day"
        self.text = text
        self.title = ""


def _events(gaz: Gazetteer, text: str, **kw: Any) -> set[tuple]:
    return {
        (e.feature_id, e.status, e.modality, e.date, e.precision)
        for e in find_events(Doc(text, **kw), gaz, provisional=False)
    }


# --------------------------------------------------------------------------- topic continuation
def test_subjectless_sentence_continues_the_topic_of_the_sentence_before(gaz):
    got = _events(gaz, "厂通路西起通宝路，东至神威北大街。10月10日正式通车。")
    # the road the previous sentence is about opened; its end points did not
    assert got == {("road-changtong", "opened", "actual", D(2024, 10, 10), "day")}


def test_subjectless_clause_continues_the_topic_of_its_own_sentence(gaz):
    got = _events(gaz, "厂通路西起通宝路，东至神威北大街，10月10日正式通车。")
    assert got == {("road-changtong", "opened", "actual", D(2024, 10, 10), "day")}


def test_the_most_recent_topic_wins_over_an_older_statement(gaz):
    got = _events(gaz, "厂通路已于5月开工。安石路西起通宝路。10月10日正式通车。")
    assert ("road-anshi", "opened", "actual", D(2024, 10, 10), "day") in got
    assert not any(f == "road-changtong" and s == "opened" for f, s, *_ in got)


@pytest.mark.parametrize(
    "text",
    [
        "会议在厂通路召开。10月10日正式通车。",  # a place of the sentence, not its topic
        "厂通路西起通宝路。\n\n10月10日正式通车。",  # a new paragraph: no continuation
        "全线西起通宝路，东至神威北大街。10月10日正式通车。",  # only end points are named
    ],
)
def test_no_topic_no_event(gaz, text):
    assert _events(gaz, text) == set()


def test_an_anaphoric_statement_carries_the_topic_to_the_next_sentence(gaz):
    text = "石小路位于漷县镇，西起京津公路。据介绍，目前道路已完成拆迁等前期工作。去年12月全面进场施工。"
    got = _events(gaz, text)
    assert ("road-shixiao", "early_stage", "actual", D(2024, 11, 1), "month") in got
    assert ("road-shixiao", "construction_started", "actual", D(2023, 12, 1), "month") in got
    assert not any(f == "road-jingjin" for f, *_ in got)  # 西起: an end point


def test_without_a_publication_date_relative_dates_are_still_not_a_subject(gaz):
    text = "石小路地处漷县镇。\n\n据悉，目前该路已完成征地拆迁等前期工作。去年年底开始进场施工。"
    got = _events(gaz, text, published=None)
    # the statements are found; their dates depend on the publication date: unknown
    assert got == {
        ("road-shixiao", "early_stage", "actual", None, "unknown"),
        ("road-shixiao", "construction_started", "actual", None, "unknown"),
    }


# --------------------------------------------------------------------------- demonstratives
def test_numbered_demonstrative_takes_the_features_it_counts(gaz):
    got = _events(gaz, "今年将新建厂通路和安石路。这两条道路预计明年6月通车。")
    plan = {(f, "planned", "expected", D(2024, 1, 1), "year") for f in ("road-changtong", "road-anshi")}
    assert got - plan == {
        ("road-changtong", "opened", "expected", D(2025, 6, 1), "month"),
        ("road-anshi", "opened", "expected", D(2025, 6, 1), "month"),
    }


def test_numbered_demonstrative_with_another_count_is_left_alone(gaz):
    # three roads counted, two named: which ones is not known (the first sentence is a plan of its own)
    got = _events(gaz, "今年将新建厂通路和安石路。这三条道路预计明年6月通车。")
    assert {s for _, s, *_ in got} == {"planned"}


def test_numbered_demonstrative_is_not_a_counted_group(gaz):
    # 这两条线路 refers back; 2条线路 (a count) stays a group statement enumerated next
    got = _events(gaz, "今年将新建厂通路和通宝路。这两条道路已于10月通车。")
    assert {f for f, *_ in got} == {"road-changtong", "road-tongbao"}


# --------------------------------------------------------------------------- section subjects
def test_a_section_label_made_of_place_names_is_the_topics_section(gaz):
    text = "首都环线高速施工顺利推进。目前香河至通州段已经基本完工，预计月底具备通车条件。"
    got = _events(gaz, text)
    assert ("expressway-capital-ring", "milestone", "actual", D(2024, 11, 1), "month") in got
    assert ("expressway-capital-ring", "opened", "expected", D(2024, 11, 1), "month") in got
    assert not any(f.startswith("admin-") for f, *_ in got)


def test_a_place_that_is_the_subject_is_not_a_section(gaz):
    # 通州 is the subject here (no 段): nothing is said of the expressway
    got = _events(gaz, "首都环线高速建设进展顺利。目前通州新建公园已经开放。")
    assert not any(s == "opened" for _, s, *_ in got)


# --------------------------------------------------------------------------- status phrases
def test_holing_through_is_imminent(gaz):
    assert _events(gaz, "密涿高速北延贯通在即。") == {
        ("expressway-mizhuo-north", "milestone", "expected", D(2024, 11, 20), "reported")
    }


def test_a_connection_target_still_gets_nothing(gaz):
    # 京平高速 is what the extension connects to, and 对接 says nothing of its status
    assert _events(gaz, "密涿高速北延与京平高速对接。") == set()


def test_widening_to_come_is_a_plan_for_the_road_not_its_end_points(gaz):
    got = _events(gaz, "另外，京平高速从东六环到密涿高速之间的一段同样将拓宽。")
    assert got == {("expressway-jingping", "planned", "expected", D(2024, 11, 20), "reported")}
    got = _events(gaz, "京平高速还将从双向4车道加宽为6车道。")
    assert {(f, s, m) for f, s, m, *_ in got} == {("expressway-jingping", "planned", "expected")}
    # a widening reported as done is no plan (and no status rule claims it)
    assert _events(gaz, "去年京平高速已经加宽。") == set()


# --------------------------------------------------------------------------- coordination
def test_place_names_before_conjuncts_do_not_break_the_coordination(gaz):
    got = _events(gaz, "燕郊神威北大街与大厂通宝路对接工程正式通车。")
    # the connection opens on the road that is extended; the target is not said to open
    assert {(f, s) for f, s, *_ in got} == {("road-shenwei-north", "opened")}


def test_project_words_between_conjuncts_keep_the_list(gaz):
    got = _events(gaz, "安石路工程与东六环改造工程眼下均已全面施工。")
    assert {f for f, *_ in got} == {"road-anshi", "road-east-6th-ring"}


def test_a_stray_comma_before_an_enumeration_comma_does_not_end_the_list(gaz):
    got = _events(gaz, "厂通路,、安石路和东六环改造工程已全面施工。")
    assert {f for f, *_ in got} == {"road-changtong", "road-anshi", "road-east-6th-ring"}


def test_main_structure_starting_is_a_milestone_not_the_start_of_works(gaz):
    got = _events(gaz, "城市副中心站综合交通枢纽项目的主体结构开始施工。")
    assert {(f, s) for f, s, *_ in got} == {("hub-subcenter-station", "milestone")}
    got = _events(gaz, "城市副中心站综合交通枢纽项目上周开始施工。")
    assert {(f, s) for f, s, *_ in got} == {("hub-subcenter-station", "construction_started")}


def test_an_agreed_tender_and_entry_on_site_of_an_anaphoric_section(gaz):
    text = "厂通路工程由道路与桥梁两段组成，其中道路段于2021年12月完成招标并进场施工。"
    got = _events(gaz, text)
    assert ("road-changtong", "construction_started", "actual", D(2021, 12, 1), "month") in got


# --------------------------------------------------------------------------- borrowed dates
def test_a_sentence_opening_date_scopes_over_its_parallel_clauses(gaz):
    text = "昨天上午，区政府召开座谈会。区长表示，今年通宝路改造将完成，厂通路将全面通车，安石路将启动建设。"
    got = _events(gaz, text, published=D(2019, 3, 21))
    assert ("road-changtong", "opened", "expected", D(2019, 1, 1), "year") in got
    assert ("road-anshi", "construction_started", "expected", D(2019, 1, 1), "year") in got


def test_a_forecast_is_not_dated_by_a_past_day_of_its_paragraph(gaz):
    text = "昨天上午，区政府召开座谈会。厂通路将全面通车。"
    got = _events(gaz, text, published=D(2019, 3, 21))
    # when it was said is not when it will happen: the forecast is dated by the report
    assert got == {("road-changtong", "opened", "expected", D(2019, 3, 21), "reported")}


def test_a_date_closing_the_clause_before_dates_the_statement(gaz):
    # a photo credit or source before the date: the date still leads the statement
    text = "10月3日，厂通路正式通车。记者某某摄 昨天上午，安石路举行通车仪式。"
    got = _events(gaz, text, published=D(2019, 10, 15))
    assert ("road-anshi", "opened", "actual", D(2019, 10, 14), "day") in got
    assert ("road-changtong", "opened", "actual", D(2019, 10, 3), "day") in got


def test_a_fact_is_still_dated_by_its_paragraph_lead(gaz):
    got = _events(gaz, "昨天上午，区政府召开座谈会。厂通路已经通车。", published=D(2019, 3, 21))
    assert got == {("road-changtong", "opened", "actual", D(2019, 3, 20), "day")}


@pytest.mark.parametrize(
    ("text", "modality", "expected"),
    [
        # the end of a year is its last month; "before the end of the year" is a deadline
        ("2025年年底", "expected", (D(2025, 12, 1), "month", D(2025, 12, 31))),
        ("2025年底", "expected", (D(2025, 12, 1), "month", D(2025, 12, 31))),
        ("去年年底", "actual", (D(2023, 12, 1), "month", D(2023, 12, 31))),
        ("年末", "expected", (D(2024, 12, 1), "month", D(2024, 12, 31))),
        ("2025年底前", "expected", (D(2025, 12, 31), "deadline", None)),
        ("年内", "expected", (D(2024, 12, 31), "deadline", None)),
    ],
)
def test_end_of_year_is_december_and_before_it_a_deadline(text, modality, expected):
    rd = resolve_date(text, D(2024, 11, 20), modality=modality)
    assert rd is not None
    assert (rd.date, rd.precision, rd.end) == expected
