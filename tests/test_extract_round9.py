"""Extraction, round 9: new bus services, services named after a road, works named after
what they will bring.

- ``新开`` puts a line on (``今年将新开甲路、乙路两条线路``), and ``新增`` / ``新辟`` / ``开辟`` do so
  for a bus line; ``新开工`` is still works beginning, and ``创新开设`` keeps its ``开设``.
- ``开通甲路公交专线`` opens a bus service named after the road, not the road: the road gets no
  event (a missed event rather than an invented one). A stop or a bus lane of the road
  (``甲路公交站``, ``甲路公交专用道``) is still the road's.
- ``旅游通航工程将于年内实施``: ``通航`` names the works (``通航工程``, ``贯通项目``); the clause says
  nothing about a navigation opening.

Every sentence here is written by the team to show one class of wording (no dev-set text).
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extractdata import Doc

from geo.extract import extract
from geo.extract.lexicon import status_in

D = dt.date
PUBLISHED = D(2025, 4, 8)


def _extract(text: str, gaz, published: dt.date | None = PUBLISHED):
    """The extraction of one document of ``text`` (without the gazetteer's known events)."""
    return extract([Doc("t9", published, text)], gaz, known_events=False)


def _by_name(text: str, gaz, fields: tuple[str, ...], published: dt.date = PUBLISHED) -> dict[str, set[tuple]]:
    """The events of each feature, keyed by its name as written, as tuples of ``fields``."""
    r = _extract(text, gaz, published)
    names = {m.feature_id: text[m.start : m.end] for m in r.mentions}
    out: dict[str, set[tuple]] = {}
    for e in r.events:
        out.setdefault(names.get(e.feature_id, e.feature_id), set()).add(tuple(getattr(e, f) for f in fields))
    return out


def _events(text: str, gaz) -> dict[str, set[tuple]]:
    """(status, modality) of each named feature's events."""
    return _by_name(text, gaz, ("status", "modality"))


@pytest.mark.parametrize(
    "text",
    [
        "本月底通州区将新开612路、613路两条公交线路。",
        "下周一起新开612路和613路。",
    ],
)
def test_new_lines_put_on_are_openings(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert ev.get("612路") == {("opened", "expected")}
    assert ev.get("613路") == {("opened", "expected")}


@pytest.mark.parametrize("verb", ["新增", "新辟", "开辟"])
def test_a_bus_line_added_is_opened(verb, package_gazetteer):
    ev = _events(f"为方便市民出行，通州区已{verb}612路。", package_gazetteer)
    assert ev.get("612路") == {("opened", "actual")}


def test_added_is_said_only_of_bus_lines(package_gazetteer):
    # 新增 of a road is a lane, a ramp, a crossing: no opening of the road
    ev = _events("厂通路新增两条车道。", package_gazetteer)
    assert "厂通路" not in ev


@pytest.mark.parametrize("text", ["安石路二期工程于3月新开工。", "安石路今年新开工。"])
def test_newly_started_works_are_not_an_opening(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert ev.get("安石路") == {("construction_started", "actual")}


def test_a_longer_keyword_inside_new_keeps_its_own_meaning():
    # 创新开设的20辆: 开设 with its counted vehicles (a statement), not 新开 before 设
    assert status_in("创新开设的20辆定制公交") == ("opened", 2, 4)
    assert status_in("新开设3条线路") == ("opened", 1, 3)


@pytest.mark.parametrize(
    "text",
    [
        "4月20日起开通通宝路公交专线。",
        "厂通路专线将于5月1日开通。",
        "厂通路快线今日起恢复运营。",
        "安石路定制班车下月开通。",
        "厂通路公交线路调整。",
    ],
)
def test_a_service_named_after_a_road_gives_the_road_no_event(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    road = next(r for r in ("通宝路", "厂通路", "安石路") if r in text)
    assert road not in ev


@pytest.mark.parametrize(
    "text",
    [
        "厂通路公交站已于4月1日启用。",
        "厂通路公交专用道已于4月1日启用。",
    ],
)
def test_a_stop_or_bus_lane_of_a_road_is_still_the_roads(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert ("opened", "actual") in ev.get("厂通路", set())


@pytest.mark.parametrize(
    "text",
    [
        "北运河香河段旅游通航工程将于年内实施。",
        "厂通路通车工程将于年内实施。",
        "厂通路通车项目已列入今年计划。",
    ],
)
def test_works_named_after_their_result_state_no_opening(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert not any(s in ("opened", "milestone") for evs in ev.values() for s, _ in evs)


def test_the_works_themselves_still_get_their_status(package_gazetteer):
    ev = _events("厂通路通车工程已全部完工。", package_gazetteer)
    assert ev.get("厂通路") == {("milestone", "actual")}
    ev = _events("厂通路通车工程正在加紧建设。", package_gazetteer)
    assert ev.get("厂通路") == {("under_construction", "actual")}
    # a navigation opening stated outright is still one
    ev = _events("北运河香河段已于4月1日实现旅游通航。", package_gazetteer)
    assert ev.get("北运河香河段") == {("opened", "actual")}


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # published Tuesday 8 April 2025: its week runs from Monday 7 to Sunday 13 April
        ("本周六起，612路暂停运营。", D(2025, 4, 12)),
        ("下周一起新开612路和613路。", D(2025, 4, 14)),
        ("上周五，安石路正式通车。", D(2025, 4, 4)),
        ("这个星期天上午，厂通路将开通。", D(2025, 4, 13)),
        ("下星期三，通宝路将开工建设。", D(2025, 4, 16)),
    ],
)
def test_a_weekday_of_this_next_or_last_week_is_a_day(text, day, package_gazetteer):
    r = _extract(text, package_gazetteer)
    assert r.events
    assert {(e.date, e.precision) for e in r.events} == {(day, "day")}
    # after the publication a forecast, before it a fact
    assert {e.modality for e in r.events} == {"expected" if day > PUBLISHED else "actual"}


def test_a_weekday_needs_a_publication_day(package_gazetteer):
    doc = Doc("t9", None, "下周一起，厂通路将开通。")
    r = extract([doc], package_gazetteer, known_events=False)
    assert [e.date for e in r.events] == [None]
    doc = Doc("t9", D(2025, 4, 1), "下周一起，厂通路将开通。")
    doc.published_precision = "month"
    r = extract([doc], package_gazetteer, known_events=False)
    assert all(e.date != D(2025, 4, 7) for e in r.events)


def test_a_week_without_its_day_or_every_week_is_no_date(package_gazetteer):
    for text in ("厂通路每周一至周五封闭施工。", "612路周边道路将于下周调整。"):
        r = _extract(text, package_gazetteer)
        assert all(e.precision != "day" for e in r.events), text


@pytest.mark.parametrize(
    ("text", "published", "date", "precision", "modality"),
    [
        # the holiday to come for a forecast (国庆节 2025: 1 October), the day before it a deadline
        ("厂通路力争国庆节前建成通车。", D(2025, 4, 8), D(2025, 9, 30), "deadline", "expected"),
        ("通宝路将于今年十一前开通。", D(2025, 4, 8), D(2025, 9, 30), "deadline", "expected"),
        ("厂通路将于元旦前通车。", D(2025, 4, 8), D(2025, 12, 31), "deadline", "expected"),
        # lunar holidays: the Spring Festival of 2026 is 17 February, of 2025 29 January
        ("安石路有望在春节前通车。", D(2025, 4, 8), D(2026, 2, 16), "deadline", "expected"),
        ("安石路于春节前夕正式通车。", D(2025, 4, 8), D(2025, 1, 28), "deadline", "actual"),
        ("安石路将于2027年春节前通车。", D(2025, 4, 8), D(2027, 2, 5), "deadline", "expected"),
        ("端午节当天，厂通路正式通车。", D(2025, 6, 3), D(2025, 5, 31), "day", "actual"),
        # the holiday period: its month
        ("中秋节期间，612路暂停运营。", D(2025, 9, 1), D(2025, 10, 1), "month", "expected"),
        ("五一假期，612路恢复运营。", D(2025, 5, 8), D(2025, 5, 1), "month", "actual"),
    ],
)
def test_a_holiday_dates_a_statement(text, published, date, precision, modality, package_gazetteer):
    r = _extract(text, package_gazetteer, published)
    assert {(e.date, e.precision, e.modality) for e in r.events} == {(date, precision, modality)}


def test_around_a_holiday_or_a_holiday_like_name_is_no_date(package_gazetteer):
    # 五一前后 may be late April: no date rather than a wrong month
    r = _extract("厂通路将于五一前后通车。", package_gazetteer)
    assert [e.precision for e in r.events] == ["reported"]
    for text in ("十一届全会期间，厂通路通车。", "五一路于4月1日通车。"):
        r = _extract(text, package_gazetteer)
        assert all(e.date is None or e.date.month == 4 for e in r.events), text


@pytest.mark.parametrize(
    "text",
    [
        "2024年12月30日，轨道交通22号线北京段开通初期运营。",
        "2024年12月30日，轨道交通22号线北京段投入初期运营。",
    ],
)
def test_initial_operation_is_an_opening(text, package_gazetteer):
    r = _extract(text, package_gazetteer, D(2025, 1, 2))
    assert {(e.feature_id, e.status, e.modality, e.date) for e in r.events} == {
        ("metro-line-22", "opened", "actual", D(2024, 12, 30))
    }


def test_the_first_days_of_service_are_still_a_time_phrase(package_gazetteer):
    r = _extract("轨道交通22号线开通初期，客流较小。", package_gazetteer, D(2025, 1, 2))
    assert r.events == []


def _claims_of(text: str, gaz) -> set[tuple[float, str, str, tuple[str, ...]]]:
    """(value, unit, counted noun, feature ids) of each claim."""
    return {(c.value, c.unit, c.counted, c.feature_ids) for c in _extract(text, gaz).claims}


def _claims(text: str, gaz) -> set[tuple[float, str]]:
    """(value, unit) of each claim."""
    return {(v, u) for v, u, _, _ in _claims_of(text, gaz)}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("厂通路设计时速60公里。", 60.0),
        ("京唐城际铁路设计速度为350公里。", 350.0),
        ("安石路限速80千米。", 80.0),
    ],
)
def test_a_speed_written_as_a_distance_is_a_speed(text, value, package_gazetteer):
    claims = _claims(text, package_gazetteer)
    assert (value, "km/h") in claims
    assert (value, "公里") not in claims
    assert (value, "千米") not in claims


def test_a_length_stays_a_length(package_gazetteer):
    assert (3.2, "公里") in _claims("厂通路全长约3.2公里，设计时速60公里。", package_gazetteer)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("燕郊每天约有30余万人往返北京。", 300000.0, "人"),
        ("沿线聚集了20多万名居民。", 200000.0, "名"),
        ("京唐城际铁路累计发送旅客1000余万人次。", 10000000.0, "人次"),
    ],
)
def test_about_so_many_ten_thousands_is_counted(text, value, unit, package_gazetteer):
    assert (value, unit) in _claims(text, package_gazetteer)


def test_an_hour_and_a_half_is_one_duration(package_gazetteer):
    claims = _claims("通车后，从燕郊到国贸的时间将由1个半小时缩短至40分钟。", package_gazetteer)
    assert claims == {(90.0, "min"), (40.0, "min")}


@pytest.mark.parametrize(
    "text",
    [
        "通宝路工程不会于年内完工。",
        "厂通路暂未确定开工时间。",
        "安石路尚未明确通车日期。",
        "厂通路无法按期建成通车。",
    ],
)
def test_a_negation_before_an_adverbial_or_an_undecided_time_states_nothing(text, package_gazetteer):
    assert _events(text, package_gazetteer) == {}


@pytest.mark.parametrize(
    ("text", "road", "expected"),
    [
        # the negation is the earlier keyword's; the later one is stated
        ("厂通路尚未完工的路段将于年内通车。", "厂通路", {("opened", "expected")}),
        # 未来 is no negation
        ("安石路未来将建成通车。", "安石路", {("opened", "expected")}),
        # a time that is fixed is stated
        ("厂通路开工时间定为5月20日。", "厂通路", {("construction_started", "expected")}),
    ],
)
def test_a_negation_scopes_only_over_its_own_keyword(text, road, expected, package_gazetteer):
    assert _events(text, package_gazetteer).get(road) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("612路因道路施工临时绕行。", {("opened", "actual")}),
        ("由于厂通路施工，612路改道运行。", {("opened", "actual")}),
        ("受施工影响，612路临时绕道。", {("opened", "actual")}),
    ],
)
def test_works_that_cause_a_detour_are_not_the_bus_lines(text, expected, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert ev.get("612路") == expected
    assert ("under_construction", "actual") not in ev.get("厂通路", set()) or "由于" in text


def test_a_cause_is_not_the_closure_it_causes(package_gazetteer):
    assert _events("厂通路因施工将封闭3个月。", package_gazetteer) == {"厂通路": {("suspended", "expected")}}
    # 因此 opens no cause
    assert _events("因此安石路于4月1日正式通车。", package_gazetteer) == {"安石路": {("opened", "actual")}}


@pytest.mark.parametrize("text", ["厂通路将全线封闭。", "安石路半幅封闭施工。"])
def test_a_road_closed_is_suspended(text, package_gazetteer):
    road = "厂通路" if "厂通路" in text else "安石路"
    assert "suspended" in {s for s, _ in _events(text, package_gazetteer)[road]}


@pytest.mark.parametrize("text", ["京唐城际铁路为全封闭线路。", "厂通路实行封闭式管理。"])
def test_a_closed_design_is_no_closure(text, package_gazetteer):
    assert not any(s == "suspended" for evs in _events(text, package_gazetteer).values() for s, _ in evs)


def test_a_readiness_reached_is_dated_in_the_past(package_gazetteer):
    r = _extract("安石路已于3月底具备通车条件。", package_gazetteer)
    assert [(e.status, e.modality, e.date, e.precision) for e in r.events] == [
        ("opened", "expected", D(2025, 3, 1), "month")
    ]
    # a readiness to come is read forward
    r = _extract("安石路将于3月底具备通车条件。", package_gazetteer)
    assert [(e.date, e.precision) for e in r.events] == [(D(2026, 3, 1), "month")]


def test_handed_over_for_use_is_an_opening(package_gazetteer):
    ev = _events("通宝路已完成竣工验收，正式交付使用。", package_gazetteer)
    assert ("opened", "actual") in ev["通宝路"]


def _names(text: str, gaz) -> dict[str, str]:
    """The feature id of each mention, keyed by its text."""
    return {text[m.start : m.end]: m.feature_id for m in _extract(text, gaz).mentions}


@pytest.mark.parametrize(
    ("text", "name"),
    [("京唐城际铁路大厂东站将于年底开通。", "大厂东站"), ("轨道交通22号线燕郊北站已封顶。", "燕郊北站")],
)
def test_a_town_with_a_direction_and_station_is_one_station(text, name, package_gazetteer):
    names = _names(text, package_gazetteer)
    assert name in names
    assert names[name].startswith("prov-station-")
    town = name[:2]
    assert town not in names  # the town is part of the name, not a place mention of its own
    ev = _events(text, package_gazetteer)
    assert name in ev


@pytest.mark.parametrize("line", ["H1路", "S6路", "K12路"])
def test_a_bus_line_with_a_letter_prefix_is_a_bus_line(line, package_gazetteer):
    names = _names(f"本周六起，{line}恢复运营。", package_gazetteer)
    assert names[line].startswith("prov-bus-line-")
    assert _events(f"本周六起，{line}恢复运营。", package_gazetteer)[line] == {("opened", "expected")}


def test_letters_and_digits_inside_a_word_are_no_bus_line(package_gazetteer):
    names = _names("沿线安装5G路侧设备。", package_gazetteer)
    assert not any(f.startswith("prov-bus-line-") for f in names.values())


@pytest.mark.parametrize(
    "text",
    [
        "香河县新开通两条进京公交线路，分别是香河至通州的612路和香河至国贸的613路。",
        "今年将开通2条跨省公交线路，包括612路和613路。",
    ],
)
def test_a_counted_group_opened_then_named_gives_each_member_the_event(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    modality = "expected" if "将" in text else "actual"
    assert ev.get("612路") == {("opened", modality)}
    assert ev.get("613路") == {("opened", modality)}


def test_a_group_of_another_kind_does_not_take_the_names(package_gazetteer):
    # the roads named are not the stations opened
    ev = _events("京唐城际铁路新开通两座车站，分别位于厂通路和安石路附近。", package_gazetteer)
    assert "厂通路" not in ev
    assert "安石路" not in ev


@pytest.mark.parametrize("text", ["截至目前，厂通路工程形象进度已达85%。", "厂通路工程进度超过60%。"])
def test_the_share_of_works_done_is_a_milestone(text, package_gazetteer):
    assert _events(text, package_gazetteer).get("厂通路") == {("milestone", "actual")}


def test_works_launched_have_started(package_gazetteer):
    assert _events("京哈高速改扩建工程正式启动。", package_gazetteer).get("京哈高速") == {
        ("construction_started", "actual")
    }
    # the early works launched are an early stage at most, never the works' start
    assert ("construction_started", "actual") not in _events("厂通路前期工程启动。", package_gazetteer).get(
        "厂通路", set()
    )


@pytest.mark.parametrize(
    ("text", "roads"),
    [
        ("安石路计划2026年开工、2027年建成。", ["安石路"]),
        ("厂通路、安石路计划2026年开工、2027年建成。", ["厂通路", "安石路"]),
        ("安石路计划2026年开工，预计2027年底前建成通车。", ["安石路"]),
    ],
)
def test_a_dated_predicate_alone_is_said_of_the_subject_before_it(text, roads, package_gazetteer):
    r = _extract(text, package_gazetteer)
    names = {m.feature_id: text[m.start : m.end] for m in r.mentions}
    got = {(names[e.feature_id], e.status, e.date.year) for e in r.events if e.date}
    for road in roads:
        assert (road, "construction_started", 2026) in got
        assert (road, "opened", 2027) in got


def test_a_predicate_with_a_subject_of_its_own_is_not_borrowed(package_gazetteer):
    # 新建桥梁 is a subject of its own: the opening is not the road's
    ev = _events("安石路计划2026年开工、新建桥梁2027年建成。", package_gazetteer)
    assert ev.get("安石路") == {("construction_started", "expected")}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("公交集团将于4月15日开通燕郊至望京的612路。", "612路"),
        ("4月20日起开行往返燕郊和国贸的613路。", "613路"),
    ],
)
def test_a_service_opened_with_its_route_before_it_is_the_object(text, line, package_gazetteer):
    assert _events(text, package_gazetteer).get(line) == {("opened", "expected")}


def test_a_road_after_a_route_and_a_time_phrase_is_still_no_object(package_gazetteer):
    assert "厂通路" not in _events("改造期间燕郊至通州的厂通路照常通行。", package_gazetteer)


def test_a_time_of_day_does_not_split_a_clause(package_gazetteer):
    from geo.extract.segment import segment

    text = "612路将于每日6:00发车，末班车22：30。会议指出：要加快建设。"
    clauses = [text[c.start : c.end] for c in segment(text).clauses]
    assert clauses == ["612路将于每日6:00发车", "末班车22：30。", "会议指出", "要加快建设。"]
    assert _events("612路将于每日6:00发车。", package_gazetteer).get("612路") == {("opened", "expected")}


@pytest.mark.parametrize(("word", "days"), [("明天", 1), ("明日", 1), ("后天上午", 2)])
def test_tomorrow_and_the_day_after_are_days(word, days, package_gazetteer):
    r = _extract(f"{word}，厂通路将正式通车。", package_gazetteer)
    assert [(e.date, e.precision, e.modality) for e in r.events] == [
        (PUBLISHED + dt.timedelta(days=days), "day", "expected")
    ]


def test_a_school_opening_its_term_is_open(package_gazetteer):
    r = extract(
        [Doc("t9", D(2024, 9, 3), "北京潞河中学三河校区于9月1日正式开学。")], package_gazetteer, known_events=False
    )
    assert [(e.feature_id, e.status, e.modality, e.date) for e in r.events] == [
        ("school-luhe-sanhe", "opened", "actual", D(2024, 9, 1))
    ]


@pytest.mark.parametrize(
    ("text", "road", "status"),
    [
        ("因地制宜推进厂通路建设。", "厂通路", "under_construction"),
        ("厂通路公交化改造工程已开工。", "厂通路", "construction_started"),
    ],
)
def test_words_that_only_look_like_a_cause_or_a_service(text, road, status, package_gazetteer):
    assert status in {s for s, _ in _events(text, package_gazetteer).get(road, set())}


@pytest.mark.parametrize(
    "text",
    ["厂通路工程桩基施工已全部完成。", "厂通路已完成全部箱梁架设。", "安石路路面工程基本完成。"],
)
def test_a_stage_of_the_works_done_is_a_milestone(text, package_gazetteer):
    road = "厂通路" if "厂通路" in text else "安石路"
    assert _events(text, package_gazetteer).get(road) == {("milestone", "actual")}


def test_a_stage_of_the_works_under_way_is_under_construction(package_gazetteer):
    assert _events("安石路正在进行桩基施工。", package_gazetteer).get("安石路") == {("under_construction", "actual")}


def _dated_events(text: str, gaz, published: dt.date = PUBLISHED) -> dict[str, set[tuple]]:
    """(status, date) of each named feature's events."""
    return _by_name(text, gaz, ("status", "date"), published)


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        ("厂通路、安石路两条道路已分别于2020年、2022年建成通车。", D(2020, 1, 1), D(2022, 1, 1)),
        ("厂通路和安石路分别于2021年6月和2022年9月建成通车。", D(2021, 6, 1), D(2022, 9, 1)),
    ],
)
def test_respectively_gives_each_subject_its_own_date(text, first, second, package_gazetteer):
    ev = _dated_events(text, package_gazetteer)
    assert ev["厂通路"] == {("opened", first)}
    assert ev["安石路"] == {("opened", second)}


def test_respectively_with_one_date_gives_it_to_all(package_gazetteer):
    ev = _dated_events("厂通路和安石路分别于2020年建成通车。", package_gazetteer)
    assert ev["厂通路"] == ev["安石路"] == {("opened", D(2020, 1, 1))}


def test_respectively_forecasts_keep_their_own_dates(package_gazetteer):
    r = extract(
        [Doc("t9", PUBLISHED, "厂通路和安石路将分别于2026年和2027年建成通车。")], package_gazetteer, known_events=False
    )
    got = {(e.feature_id, e.modality, e.date) for e in r.events}
    assert got == {("road-changtong", "expected", D(2026, 1, 1)), ("road-anshi", "expected", D(2027, 1, 1))}


def test_respective_figures_are_each_about_one_feature(package_gazetteer):
    claims = _claims_of("厂通路、安石路全长分别为3.2公里和5.6公里。", package_gazetteer)
    assert {(v, f) for v, u, _, f in claims if u == "公里"} == {(3.2, ("road-changtong",)), (5.6, ("road-anshi",))}


def test_figures_without_respectively_stay_with_every_feature(package_gazetteer):
    claims = _claims_of("厂通路、安石路合计全长8.8公里。", package_gazetteer)
    assert {(v, f) for v, u, _, f in claims if u == "公里"} == {(8.8, ("road-changtong", "road-anshi"))}


def test_a_value_listed_after_another_counts_the_same_noun(package_gazetteer):
    claims = _claims_of("平谷线北京段、河北段分别设站18座、3座。", package_gazetteer)
    assert {(v, u) for v, u, _, _ in claims} == {(18.0, "座"), (3.0, "座")}
    assert len({c for _, _, c, _ in claims}) == 1


@pytest.mark.parametrize(
    ("text", "value"), [("预计可服务周边约20万居民。", 200000.0), ("每天约有3万余上班族往返两地。", 30000.0)]
)
def test_ten_thousands_of_people_are_persons(text, value, package_gazetteer):
    assert (value, "人") in {(v, u) for v, u, _, _ in _claims_of(text, package_gazetteer)}


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("安石路原计划2024年底通车，现已推迟至2025年12月。", D(2025, 12, 1)),
        ("安石路计划2025年底通车，或将提前至10月。", D(2025, 10, 1)),
        ("厂通路将于年底建成通车，调整为明年6月。", D(2026, 6, 1)),
        ("安石路通车时间推迟至2025年12月。", D(2025, 12, 1)),
    ],
)
def test_a_rescheduled_forecast_has_only_its_new_date(text, date, package_gazetteer):
    r = _extract(text, package_gazetteer)
    assert [(e.status, e.modality, e.date) for e in r.events] == [("opened", "expected", date)]


def test_a_timetable_adjusted_is_still_a_bus_line_running(package_gazetteer):
    assert _events("612路首班车时间调整为6:00。", package_gazetteer) == {"612路": {("opened", "actual")}}


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("厂通路将于2025年年底前后通车。", D(2025, 12, 1)),
        ("厂通路将于6月底前后通车。", D(2025, 6, 1)),
        ("厂通路将于月底前后通车。", D(2025, 4, 1)),
    ],
)
def test_around_the_end_of_a_period_is_its_month_not_a_deadline(text, date, package_gazetteer):
    r = _extract(text, package_gazetteer)
    assert [(e.date, e.precision) for e in r.events] == [(date, "month")]
    r = _extract(text.replace("前后", "前"), package_gazetteer)
    assert [e.precision for e in r.events] == ["deadline"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("下週一起新開612路。", ("prov", "opened", "expected", D(2025, 4, 14))),
        ("廠通路力爭國慶節前建成通車。", ("road-changtong", "opened", "expected", D(2025, 9, 30))),
        ("安石路原計劃2024年底通車，現已推遲至2025年12月。", ("road-anshi", "opened", "expected", D(2025, 12, 1))),
        ("後天上午，廠通路將正式通車。", ("road-changtong", "opened", "expected", D(2025, 4, 10))),
    ],
)
def test_the_round_s_rules_read_traditional_text(text, expected, package_gazetteer):
    r = _extract(text, package_gazetteer)
    got = [(e.feature_id, e.status, e.modality, e.date) for e in r.events]
    assert len(got) == 1
    fid, *rest = got[0]
    assert fid.startswith(expected[0])
    assert tuple(rest) == expected[1:]
