"""Status events, round 5: events on features that are found -- plan lists, parts of a
line, sections a demonstrative names, forecast completions, routes through roads in
service, objects of opening verbs, renumbered bus lines, timetables, first piles, the
date a subject's time adverbial gives, and month ends.

Every sentence here is written by the team to show one class of wording (no dev-set text);
the names are made up.
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
# an undated fact is dated to the month of the report (precision month)
_REPORT_MONTH = _PUB.replace(day=1)


def _f(fid: str, name: str, kind: str, theme: str, *aliases: str) -> Feature:
    return Feature(id=fid, name_zh=name, name_en=fid, kind=kind, theme=theme, aliases=tuple(aliases))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(
        [
            _f("metro-a", "甲线", "metro_line", "rail"),
            _f("metro-b", "乙线", "metro_line", "rail"),
            _f("metro-c", "丙线", "metro_line", "rail"),
            _f("metro-d", "丁线", "metro_line", "rail"),
            _f("road-qinghe", "青禾路", "road", "road"),
            _f("road-liuyun", "流云路", "road", "road"),
            _f("bridge-baisha", "白沙大桥", "bridge", "road", "白沙桥"),
            _f("expressway-songling", "松岭高速", "expressway", "road"),
            _f("hospital-yunqi", "云栖医院东院区", "hospital", "health", "东院区"),
            _f("hub-xiyuan", "西苑综合交通枢纽", "station", "rail"),
            _f("bus-501", "501路", "bus_line", "bus"),
            _f("bus-502", "502路", "bus_line", "bus"),
            _f("bus-t9", "T9路", "bus_line", "bus"),
            _f("zone-xincheng", "新城中心区", "zone", "zone"),
            _f("river-qingshui", "清水河", "river", "water"),
            _f("admin-xiangshan", "香山县", "admin", "admin", "香山"),
        ]
    )


class Doc:
    """Minimal document (the attributes geo.extract reads)."""

    def __init__(self, text: str, published: dt.date | None = _PUB) -> None:
        self.doc_id = "r5"
        self.published = published
        self.published_precision = "day"
        self.text = text
        self.title = ""


def _events(gaz: Gazetteer, text: str, **kw: Any) -> set[tuple]:
    return {
        (e.feature_id, e.status, e.modality, e.date, e.precision)
        for e in find_events(Doc(text, **kw), gaz, provisional=False)
    }


# --------------------------------------------------------------------------- plan lists
def test_a_counted_plan_list_gives_each_listed_line_a_plan(gaz):
    text = "市规划部门表示，新版线网规划方案包括3条线路：甲线(东段)、乙线、丙线改造工程。"
    got = _events(gaz, text)
    assert got == {(f, "planned", "actual", _REPORT_MONTH, "month") for f in ("metro-a", "metro-b", "metro-c")}


@pytest.mark.parametrize(
    "text",
    [
        "新版线网规划方案包括3条线路：甲线、乙线。",  # 3 counted, 2 named
        "新版线网规划方案包括2条线路：甲线、乙线沿线的慢行道路。",  # more than names
        "今年共开通3条线路：甲线、乙线、丙线。",  # no plan: an opening, said elsewhere
    ],
)
def test_a_plan_list_must_name_exactly_what_it_counts(gaz, text):
    assert not any(s == "planned" for _, s, *_ in _events(gaz, text))


# --------------------------------------------------------------------------- parts of a line
def test_counted_stations_after_a_line_statement_are_the_lines_works(gaz):
    got = _events(gaz, "甲线目前加紧施工，其中3座车站主体完工，力争明年底实现全线洞通。")
    # 目前 after the subject dates the parallel fact too (the publication month)
    assert ("metro-a", "milestone", "actual", D(2024, 11, 1), "month") in got
    assert ("metro-a", "milestone", "expected", D(2025, 12, 1), "month") in got


@pytest.mark.parametrize(
    "text",
    [
        "青禾路目前加紧施工，其中3座车站主体完工。",  # a road has no stations
        "甲线目前加紧施工。其中3座车站主体完工。",  # another sentence: no continuation
        "甲线目前加紧施工，其中3座车站将于明年开通。",  # an opening of the stations themselves
    ],
)
def test_counted_parts_need_a_line_statement_of_the_same_sentence(gaz, text):
    assert not any(s == "milestone" for _, s, *_ in _events(gaz, text))


def test_a_section_of_the_line_a_demonstrative_names(gaz):
    text = "6月2日，甲线工地传来消息，该线首个暗挖区间实现双线贯通。"
    assert _events(gaz, text) == {("metro-a", "milestone", "actual", D(2024, 6, 2), "day")}


# --------------------------------------------------------------------------- forecasts
def test_a_completion_by_a_deadline_continues_the_paragraphs_subject(gaz):
    text = "西苑综合交通枢纽已完成桩基施工。站房钢结构吊装有序进行，力争年内完成。"
    got = _events(gaz, text)
    assert ("hub-xiyuan", "milestone", "expected", D(2024, 12, 31), "deadline") in got


def test_completing_a_task_is_not_a_completion(gaz):
    got = _events(gaz, "青禾路年内完成征地拆迁工作。")
    assert not any(s == "milestone" for _, s, *_ in got)


def test_large_scale_entry_onto_the_site_is_a_start(gaz):
    text = "松岭高速近日开工。该工程明年3月底全面进地施工，预计2026年年底通车。"
    got = _events(gaz, text)
    # 3月底: March (the end of March), as 年底 is December
    assert ("expressway-songling", "construction_started", "expected", D(2025, 3, 1), "month") in got
    assert ("expressway-songling", "opened", "expected", D(2026, 12, 1), "month") in got


def test_a_road_to_be_rebuilt_as_something_else_is_a_plan(gaz):
    got = _events(gaz, "新城中心区改造中，现状青禾路将建成步行街。")
    assert got == {("road-qinghe", "planned", "expected", _PUB, "reported")}
    assert _events(gaz, "青禾路将建成通车。") == {("road-qinghe", "opened", "expected", _PUB, "reported")}
    # a new line built as what it describes is an opening to come, not a conversion
    assert _events(gaz, "甲线将建成区域首条跨省地铁。") == {("metro-a", "opened", "expected", _PUB, "reported")}


def test_an_opening_verb_with_its_own_object_opens_the_object(gaz):
    # what opens is the car park, not the hospital
    assert _events(gaz, "东院区下周启用新的门诊楼。") == set()
    assert _events(gaz, "东院区将于12月启用。") == {("hospital-yunqi", "opened", "expected", D(2024, 12, 1), "month")}


# --------------------------------------------------------------------------- routes
def test_a_route_through_roads_says_they_are_in_service(gaz):
    text = "从流云路出发的车辆，经青禾路、白沙大桥便可直达新城中心区。"
    got = _events(gaz, text)
    assert ("road-qinghe", "opened", "actual", _REPORT_MONTH, "month") in got
    assert ("bridge-baisha", "opened", "actual", _REPORT_MONTH, "month") in got


@pytest.mark.parametrize(
    "text",
    [
        "该路通车后，经青禾路即可与新城中心区相接。",  # a forecast: the route does not run yet
        "已经青禾路改造即可到达。",  # 已经 is not a route word
        "青禾路是经济发展的重要通道。",  # 经济
    ],
)
def test_no_route_no_event(gaz, text):
    assert not any(f == "road-qinghe" and s == "opened" for f, s, *_ in _events(gaz, text))


# --------------------------------------------------------------------------- bus lines
def test_a_timetable_clause_continues_the_bus_line_just_before_it(gaz):
    text = "加班晚了只能换乘501路，末班车22点30分从总站发出。"
    assert _events(gaz, text) == {("bus-501", "opened", "actual", _REPORT_MONTH, "month")}


def test_a_timetable_word_without_a_time_is_no_statement(gaz):
    assert _events(gaz, "我平时换乘501路，末班车很挤。") == set()


def test_a_renumbered_line_runs_under_its_new_number(gaz):
    text = "自12月1日首车起，502路延长至新城中心区并调整路别为T9路。"
    got = _events(gaz, text)
    assert ("bus-502", "opened", "expected", D(2024, 12, 1), "day") in got
    assert ("bus-t9", "opened", "expected", D(2024, 12, 1), "day") in got


# --------------------------------------------------------------------------- milestones
def test_the_first_pier_of_the_works_is_a_milestone(gaz):
    assert _events(gaz, "青禾路架设第一片箱梁。") == {("road-qinghe", "milestone", "actual", _REPORT_MONTH, "month")}
    assert _events(gaz, "白沙大桥昨天浇筑首根桩基。") == {
        ("bridge-baisha", "milestone", "actual", D(2024, 11, 19), "day")
    }


def test_a_subjects_time_adverbial_does_not_date_a_forecast_or_a_later_subject(gaz):
    text = "甲线将于2026年建成，乙线前期工作扎实推进。"
    got = _events(gaz, text)
    assert ("metro-b", "early_stage", "actual", _REPORT_MONTH, "month") in got


# --------------------------------------------------------------------------- month ends
@pytest.mark.parametrize(
    ("text", "modality", "expected"),
    [
        ("6月底", "expected", (D(2025, 6, 1), "month", D(2025, 6, 30))),
        ("6月末", "expected", (D(2025, 6, 1), "month", D(2025, 6, 30))),
        ("6月底前", "expected", (D(2025, 6, 30), "deadline", None)),
        ("月底", "expected", (D(2024, 11, 1), "month", D(2024, 11, 30))),
        ("月底前", "expected", (D(2024, 11, 30), "deadline", None)),
    ],
)
def test_the_end_of_a_month_is_that_month_and_before_it_a_deadline(text, modality, expected):
    rd = resolve_date(text, _PUB, modality=modality)
    assert rd is not None
    assert (rd.date, rd.precision, rd.end) == expected


# --------------------------------------------------------------------------- services, precedents
def test_a_counted_service_that_was_set_up_runs(gaz):
    text = "新开行的20辆501路通勤车，每天早晚各发车两班。"
    assert ("bus-501", "opened", "actual", _REPORT_MONTH, "month") in _events(gaz, text)


def test_a_new_road_that_follows_another_says_the_other_is_in_service(gaz):
    text = "流云路跨河段完工，继青禾路之后再添一条过河道路。"
    got = _events(gaz, text)
    assert ("road-qinghe", "opened", "actual", _REPORT_MONTH, "month") in got
    assert ("road-liuyun", "milestone", "actual", _REPORT_MONTH, "month") in got


def test_a_keyword_after_a_blank_line_is_not_the_names(gaz):
    got = _events(gaz, "甲线向东延伸\n\n另据介绍，3条线路的开通时间尚待确定")
    assert not any(f == "metro-a" for f, *_ in got)  # the next line's keyword, with its own subject
    # a list of works that the segmenter joined to the next paragraph's heading
    text = "配套白沙大桥、人行天桥各1座.\n\n招标内容含初步设计。"
    assert _events(gaz, text) == set()


def test_the_stretch_inside_an_area_is_a_section_of_the_paragraphs_river(gaz):
    text = "清水河城区段去年实现通航。明年6月香山境内有望全线通航。"
    got = _events(gaz, text)
    assert ("river-qingshui", "opened", "expected", D(2025, 6, 1), "month") in got
    assert not any(f.startswith("admin-") for f, *_ in got)


def test_the_planned_alignment_a_route_joins_is_a_planned_section_of_the_topic(gaz):
    text = "松岭高速新建段全长12公里。该路西起青禾路，东端与乙县段规划线位衔接。"
    got = _events(gaz, text)
    assert ("expressway-songling", "planned", "actual", _REPORT_MONTH, "month") in got
    assert not any(f == "road-qinghe" for f, *_ in got)  # an end point


def test_a_planned_alignment_without_a_linear_topic_is_nothing(gaz):
    assert _events(gaz, "东院区位于新城中心区，与乙县段规划线位相接。") == set()
