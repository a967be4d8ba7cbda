"""Extraction, round 11: questions (asked, not stated; the feature asked about is the answer's
subject), traffic let through in both directions, works stages going on, agreements signed or
reached on the works, bus services added, first pupils enrolled, works started after a time;
dates: quoted holidays, seasons written with 今/明/去, 明起 / 今起, and the time the works took
after their start (历时14个月建成).

Every sentence here is written by the team to show one class of wording (no dev-set text).
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extractdata import Doc

from geo.corpus import read_document
from geo.dates import find_dates
from geo.extract import extract
from geo.extract.lexicon import is_question, status_in

D = dt.date
#: A Thursday.
PUBLISHED = D(2025, 3, 20)


def _events(text: str, gaz, published: dt.date | None = PUBLISHED) -> set[tuple]:
    """(feature name as written, status, modality, date, precision) of every event."""
    r = extract([Doc("t11", published, text)], gaz, known_events=False)
    names = {m.feature_id: text[m.start : m.end] for m in r.mentions}
    return {(names.get(e.feature_id, e.feature_id), e.status, e.modality, e.date, e.precision) for e in r.events}


# --------------------------------------------------------------------------- questions
@pytest.mark.parametrize(
    "text",
    [
        "厂通路能否如期通车？",
        "安石路是否已经开工建设？",
        "通宝路何时开通，市民十分关心。",
        "厂通路什么时候能通车？",
        "安石路今年能通车吗？",
        "廠通路能否如期通車？",
    ],
)
def test_a_question_states_no_event(text, package_gazetteer):
    assert _events(text, package_gazetteer) == set()


@pytest.mark.parametrize(
    "text",
    [
        "问：厂通路什么时候能通车？答：预计今年6月底具备通车条件。",
        "记者：厂通路进展如何？负责人：目前工程进展顺利，预计今年6月底通车。",
        "问：厂通路什么时候能通车？\n\n答：预计今年6月底通车。",
    ],
)
def test_the_feature_asked_about_is_the_answers_subject(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert ("厂通路", "opened", "expected", D(2025, 6, 1), "month") in ev
    assert not [e for e in ev if e[2] == "actual" and e[1] == "opened"]


def test_a_bare_half_width_question_mark_is_no_question():
    # a character lost to a garbled encoding often reads as "?" inside a sentence
    assert not is_question("甲河通航进程有序?")
    assert is_question("甲河通航了吗?")
    assert is_question("乙路进展如何？")


def test_a_garbled_question_mark_keeps_the_statement(package_gazetteer):
    ev = _events("杨洼船闸实现正式通航?", package_gazetteer)
    assert {(s, m) for _, s, m, *_ in ev} == {("opened", "actual")}


# --------------------------------------------------------------------------- status words
@pytest.mark.parametrize(
    "text", ["燕潮大桥维修完毕，今天恢复双向通行。", "燕潮大桥于今天零时起恢复正常通行。", "燕潮大桥今天恢复交通。"]
)
def test_traffic_let_through_in_both_directions_is_an_opening(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert ("燕潮大桥", "opened", "actual", PUBLISHED, "day") in ev


def test_restoring_traffic_order_is_no_opening(package_gazetteer):
    assert not [e for e in _events("燕潮大桥周边恢复交通秩序。", package_gazetteer) if e[1] == "opened"]


@pytest.mark.parametrize(
    "text", ["杨洼船闸改造工程已进入设备安装阶段。", "通宝路工程正处于桥梁架设阶段。", "厂通路转入路面铺设阶段。"]
)
def test_a_works_stage_going_on_is_construction(text, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {"under_construction"}


def test_entering_the_main_structure_works_is_still_a_milestone():
    assert status_in("甲站进入主体结构施工阶段")[0] == "milestone"


def test_forming_a_ring_is_no_ring_closed(package_gazetteer):
    # 形成环路 holds 成环 (closed into a ring): the road forms a loop once built, nothing opened
    ev = _events("通宝路建设完成后，将与厂通路形成环路。", package_gazetteer)
    assert not [e for e in ev if e[0] == "厂通路"]
    assert status_in("甲路与乙路闭合成环")[0] == "opened"


@pytest.mark.parametrize(
    "text",
    [
        "京冀两地签署厂通路建设合作协议。",
        "通州区与三河市签订厂通路框架协议。",
        "通州区与三河市就厂通路建设达成一致。",
        "双方就厂通路接线方案达成共识。",
    ],
)
def test_an_agreement_signed_or_reached_on_the_works(text, package_gazetteer):
    assert {(n, s) for n, s, *_ in _events(text, package_gazetteer)} == {("厂通路", "agreement")}


def test_services_added_to_a_bus_line_are_an_opening_of_bus_lines_only(package_gazetteer):
    ev = _events("816路将于下月起增加班次。", package_gazetteer)
    assert ("816路", "opened", "expected", D(2025, 4, 1), "month") in ev
    assert _events("厂通路增加班次。", package_gazetteer) == set()


@pytest.mark.parametrize("text", ["北京潞河中学三河校区首届学生已经入学。", "北京潞河中学三河校区首批新生顺利报到。"])
def test_the_first_pupils_enrolled_open_a_school(text, package_gazetteer):
    assert {(s, m) for _, s, m, *_ in _events(text, package_gazetteer)} == {("opened", "actual")}


def test_works_started_after_a_time_between(package_gazetteer):
    ev = _events("燕潮大桥拓宽工程将于今年下半年启动。", package_gazetteer)
    assert ev == {("燕潮大桥", "construction_started", "expected", D(2025, 7, 1), "half")}
    # the start of early work is still no start of works
    assert not [
        e for e in _events("燕潮大桥工程前期工作将于下半年启动。", package_gazetteer) if e[1] == "construction_started"
    ]


# --------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("今年“五一”前开园", D(2025, 4, 30), "deadline"),
        ("“十一”期间开放", D(2025, 10, 1), "month"),
        ("‘国庆’前通车", D(2025, 9, 30), "deadline"),
    ],
)
def test_a_quoted_holiday_is_a_date(text, date, precision):
    (_, _, rd), *_ = find_dates(text, PUBLISHED, modality="expected")
    assert (rd.date, rd.precision) == (date, precision)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("今秋开学", D(2025, 9, 1), D(2025, 11, 30)),
        ("明春开工", D(2026, 3, 1), D(2026, 5, 31)),
        ("去冬开工", D(2024, 12, 1), D(2025, 2, 28)),
    ],
)
def test_a_season_with_a_relative_year(text, start, end):
    (_, _, rd), *_ = find_dates(text, PUBLISHED, modality="actual")
    assert (rd.date, rd.end, rd.precision) == (start, end, "quarter")


@pytest.mark.parametrize("text", ["今春节前返乡", "今春运期间", "春联", "今天开工"])
def test_words_that_start_like_a_season_are_not_one(text):
    assert not [rd for _, _, rd in find_dates(text, PUBLISHED, modality="actual") if rd.precision == "quarter"]


def test_a_school_opening_this_autumn_is_a_forecast_of_the_season(package_gazetteer):
    ev = _events("首都师范大学附属中学通州校区今秋迎来首批学生。", package_gazetteer)
    assert {(s, m, d, p) for _, s, m, d, p in ev} == {("opened", "expected", D(2025, 9, 1), "quarter")}


@pytest.mark.parametrize(
    ("text", "day"), [("930路明起调整运营时间。", D(2025, 3, 21)), ("930路今起恢复运营。", PUBLISHED)]
)
def test_from_tomorrow_and_from_today(text, day, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert {(d, p) for *_, d, p in ev} == {(day, "day")}


def test_a_name_ending_in_ming_before_qi_is_no_date():
    assert find_dates("光明起步区", PUBLISHED, modality="actual") == []


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("厂通路工程于2023年3月开工，历时14个月建成。", D(2024, 5, 1), "month"),
        ("安石路2021年6月开工，经过两年建设，终于建成通车。", D(2023, 1, 1), "year"),
        ("通宝路于2023年4月开工，8个月后全线贯通。", D(2023, 12, 1), "month"),
        ("通宝路于2023年开工，历时两年建成。", D(2025, 1, 1), "year"),
        ("通宝路于2023年4月1日开工，仅用100天便全线贯通。", D(2023, 7, 10), "day"),
        ("厂通路工程于2023年3月开工，耗时14个月建成。", D(2024, 5, 1), "month"),
    ],
)
def test_the_time_the_works_took_dates_their_end_after_the_start(text, date, precision, package_gazetteer):
    ev = _events(text, package_gazetteer)
    ends = {(d, p) for _, s, _, d, p in ev if s != "construction_started"}
    assert ends == {(date, precision)}


def test_a_loose_time_the_works_took_leaves_the_end_undated(package_gazetteer):
    ev = _events("通宝路于2023年4月开工，两年多后建成通车。", package_gazetteer)
    assert {(s, d) for _, s, _, d, _ in ev} == {("construction_started", D(2023, 4, 1)), ("opened", None)}


def test_the_time_the_works_took_keeps_a_date_of_its_own(package_gazetteer):
    ev = _events("通宝路于2023年4月开工，历时14个月，于2024年5月28日建成通车。", package_gazetteer)
    assert ("通宝路", "opened", "actual", D(2024, 5, 28), "day") in ev


@pytest.mark.parametrize("text", ["通州区今年将推进厂通路、安石路等项目建设。", "通州区将推进厂通路、安石路项目建设。"])
def test_a_verb_and_its_works_noun_around_a_list_of_objects(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert {(n, s, m) for n, s, m, *_ in ev} == {
        ("厂通路", "under_construction", "expected"),
        ("安石路", "under_construction", "expected"),
    }


def test_a_list_of_own_statements_keeps_each_its_own(package_gazetteer):
    ev = _events("厂通路已通车、安石路正在建设。", package_gazetteer)
    assert {(n, s) for n, s, *_ in ev} == {("厂通路", "opened"), ("安石路", "under_construction")}


@pytest.mark.parametrize(
    ("text", "feature", "modality", "date"),
    [
        ("北京地铁22号线（平谷线）北京段2025年底开通，河北段同步开通。", "平谷线", "expected", D(2025, 12, 1)),
        ("厂通路将于6月底通车，厂通路潮白河大桥同时投入使用。", "厂通路潮白河大桥", "expected", D(2025, 6, 1)),
        ("厂通路于去年6月通车，816路同步调整。", "816路", "actual", D(2024, 6, 1)),
    ],
)
def test_at_the_same_time_as_the_statement_before(text, feature, modality, date, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert {(m, d) for n, _, m, d, _ in ev if n == feature} == {(modality, date)}


def test_a_design_of_the_scheme_is_an_early_stage(package_gazetteer):
    assert {s for _, s, *_ in _events("通宝路工程日前完成方案设计。", package_gazetteer)} == {"early_stage"}


# --------------------------------------------------------------------------- names holding a marker
@pytest.mark.parametrize(
    "text",
    ["将台站于2021年12月正式开通。", "北京地铁14号线将台站于去年2月开放以来，客流稳步增长。", "將臺站主體結構封頂。"],
)
def test_a_marker_inside_a_name_is_no_forecast(text, package_gazetteer):
    # 将台 holds 将 (will): the station's name says nothing of the statement
    ev = _events(text, package_gazetteer)
    assert ev
    assert {m for _, _, m, *_ in ev} == {"actual"}


def test_a_marker_beside_a_name_that_holds_one_still_counts(package_gazetteer):
    ev = _events("将台站将于明年开通。", package_gazetteer)
    assert {(s, m, d) for _, s, m, d, _ in ev} == {("opened", "expected", D(2026, 1, 1))}


# --------------------------------------------------------------------------- speeding works up
@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("加快安石路建设，确保年底主体完工。", {"安石路"}),
        ("加紧安石路、通宝路建设。", {"安石路", "通宝路"}),
        ("抓紧厂通路潮白河大桥施工。", {"厂通路潮白河大桥"}),
    ],
)
def test_a_verb_speeding_up_the_works_of_a_named_feature(text, names, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert {n for n, s, *_ in ev if s == "under_construction"} == names


def test_speeding_up_an_areas_development_is_no_works(package_gazetteer):
    assert _events("加快运河商务区主阵地建设。", package_gazetteer) == set()


@pytest.mark.parametrize(
    ("text", "day"),
    [("本月25日开工", D(2025, 3, 25)), ("上月18日上午通车", D(2025, 2, 18)), ("下个月1日起封闭施工", D(2025, 4, 1))],
)
def test_a_day_of_this_next_or_last_month(text, day):
    (_, _, rd), *_ = find_dates(text, PUBLISHED, modality="actual")
    assert (rd.date, rd.precision) == (day, "day")


@pytest.mark.parametrize("text", ["厂通路的建设工作已经全面展开。", "安石路工程已全面铺开。", "厂通路全面展开施工。"])
def test_works_under_way_across_the_site_are_construction(text, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {"under_construction"}


def test_early_work_under_way_is_still_an_early_stage(package_gazetteer):
    assert {s for _, s, *_ in _events("通宝路前期工作已全面展开。", package_gazetteer)} == {"early_stage"}


def test_the_first_train_delivered_is_a_milestone(package_gazetteer):
    ev = _events("北京地铁22号线（平谷线）首列车已运抵车辆段。", package_gazetteer)
    assert {(s, m) for _, s, m, *_ in ev} == {("milestone", "actual")}


def test_the_first_bus_of_the_day_is_said_of_a_line_that_runs(package_gazetteer):
    assert {(n, s) for n, s, *_ in _events("816路首班车时间提前至5:30。", package_gazetteer)} == {("816路", "opened")}
    assert _events("厂通路首班车时间提前。", package_gazetteer) == set()


@pytest.mark.parametrize("text", ["京唐城际铁路燕郊站已于近日完成站房装修。", "燕郊站装修工程已全部完成。"])
def test_the_fitting_out_done_is_a_milestone(text, package_gazetteer):
    assert {(s, m) for _, s, m, *_ in _events(text, package_gazetteer)} == {("milestone", "actual")}


def test_then_is_the_time_the_statement_before_gives(package_gazetteer):
    ev = _events("通宝路将于8月底完工，届时恢复双向通行。", package_gazetteer)
    assert ev == {
        ("通宝路", "milestone", "expected", D(2025, 8, 1), "month"),
        ("通宝路", "opened", "expected", D(2025, 8, 1), "month"),
    }


def test_a_paving_stage_going_on_is_construction(package_gazetteer):
    ev = _events("厂通路潮白河大桥维修工程已进入桥面铺装阶段。", package_gazetteer)
    assert {s for _, s, *_ in ev} == {"under_construction"}


# --------------------------------------------------------------------------- anaphors
ANAPHOR_DOC = "通宝路连接通州区与三河市。该路全长约6.2公里，总投资约12亿元。\n\n安石路于2023年9月开工。该工程历时21个月建成，双向六车道。"


def _claims(text: str, gaz) -> set[tuple]:
    r = extract([Doc("t11", PUBLISHED, text)], gaz, known_events=False)
    names = {m.feature_id: text[m.start : m.end] for m in r.mentions}
    return {(tuple(names.get(f, f) for f in c.feature_ids), c.value, c.unit) for c in r.claims}


def test_the_figures_of_an_anaphor_sentence_go_to_the_feature_before(package_gazetteer):
    claims = _claims(ANAPHOR_DOC, package_gazetteer)
    assert (("通宝路",), 6.2, "公里") in claims
    assert (("通宝路",), 1.2e9, "元") in claims
    assert (("安石路",), 6.0, "车道") in claims


def test_an_anaphor_with_the_time_the_works_took_has_its_event(package_gazetteer):
    ev = _events(ANAPHOR_DOC, package_gazetteer)
    assert ("安石路", "opened", "actual") in {(n, s, m) for n, s, m, *_ in ev}


def test_what_an_anaphors_statement_leads_to_keeps_its_own_figures(package_gazetteer):
    claims = _claims("燕郊站位于三河市。该站的开通，标志着甲地形成8个枢纽的格局。", package_gazetteer)
    assert {f for f, v, _ in claims if v == 8.0} == {()}


def test_an_anaphor_after_two_features_is_left_unattributed(package_gazetteer):
    claims = _claims("通宝路与厂通路相接。该路全长约6.2公里。", package_gazetteer)
    assert {f for f, v, _ in claims if v == 6.2} == {()}


def test_a_years_list_of_tasks_is_a_work_plan(package_gazetteer):
    doc = Doc("plan", D(2026, 1, 15), "新开816路快线，优化930路走向。")
    doc.title = "2026年通州区交通重点工作"
    r = extract([doc], package_gazetteer, known_events=False)
    assert {(e.status, e.modality) for e in r.events} == {("opened", "expected")}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("（二）通宝路北延：开展前期工作，年内完成立项。", "通宝路"),
        ("（三）北京地铁22号线（平谷线）：确保全线按期开通。", "平谷线"),
    ],
)
def test_a_numbered_label_with_a_part_or_an_alias_is_the_subject(text, name, package_gazetteer):
    assert name in {n for n, *_ in _events(text, package_gazetteer)}


def test_repairs_done_are_a_milestone(package_gazetteer):
    assert {s for _, s, *_ in _events("燕潮大桥完成维修加固。", package_gazetteer)} == {"milestone"}


@pytest.mark.parametrize(
    "text", ["未来还将开通燕郊站至北京城市副中心站的公交接驳线路。", "三河市将开通燕郊站至国贸的通勤班车。"]
)
def test_the_termini_of_a_service_opened_are_not_opened(text, package_gazetteer):
    assert _events(text, package_gazetteer) == set()


def test_an_anaphors_noun_picks_the_feature_of_its_kind(package_gazetteer):
    text = "京唐城际铁路燕郊站于去年12月30日正式启用。\n\n据悉，该站设计年客流量约500万人次。"
    assert (("燕郊站",), 5e6, "人次") in _claims(text, package_gazetteer)


# --------------------------------------------------------------------------- publication dates
def test_a_date_line_with_its_source_dates_the_document(tmp_path):
    path = tmp_path / "news.txt"
    path.write_text(
        "甲线建设迎来新进展\n\n2025年9月12日　来源：某某日报\n\n近日，甲线建设进展顺利。\n", encoding="utf-8"
    )
    doc = read_document(path)
    assert (doc.published, doc.published_precision) == (D(2025, 9, 12), "day")
    assert "来源" not in doc.text  # the date line is page chrome, not body text


def test_a_notice_is_dated_by_its_signature(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(
        "关于调整816路的公告\n\n自2025年7月1日起，816路调整运营线路。\n\n特此公告。\n\n某某公交集团\n\n2025年6月20日\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert (doc.published, doc.published_precision) == (D(2025, 6, 20), "day")


def test_a_date_in_the_body_is_no_signature(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(
        "甲路大事记\n\n2021年6月26日\n\n甲路通车。\n\n此后，乙路开工。\n\n丙路规划中。\n\n丁路在建。\n",
        encoding="utf-8",
    )
    assert read_document(path).published_precision != "day"


def test_the_roads_a_route_takes_are_not_its_subject(package_gazetteer):
    claims = _claims(
        "调整后线路走向：由大厂公交站发车，经通宝路、厂通路，终点至国贸站，全程约52公里。", package_gazetteer
    )
    assert {f for f, v, _ in claims if v == 52.0} == {()}


def test_a_run_between_two_stations_is_a_section_of_the_line(package_gazetteer):
    ev = _events("北京地铁22号线（平谷线）燕郊站至潮白大街站区间实现双线贯通。", package_gazetteer)
    assert {(n, s) for n, s, *_ in ev} == {("平谷线", "milestone")}


def test_a_works_stage_being_done_is_construction(package_gazetteer):
    assert {s for _, s, *_ in _events("厂通路正在进行沥青摊铺。", package_gazetteer)} == {"under_construction"}
    assert {s for _, s, *_ in _events("通宝路正在开展前期研究。", package_gazetteer)} == {"early_stage"}


def test_works_going_on_now_do_not_take_the_date_of_a_fact_before(package_gazetteer):
    ev = _events("厂通路已于去年9月底实现主路通车，辅路正在加紧施工。", package_gazetteer)
    assert ("厂通路", "opened", "actual", D(2024, 9, 1), "month") in ev
    assert ("厂通路", "under_construction", "actual", D(2025, 3, 1), "month") in ev


def test_a_one_way_trip_time_and_households_are_claims(package_gazetteer):
    claims = _claims("平谷—三河跨省公交线路单程约45分钟。安石路工程拆迁房屋200余户。", package_gazetteer)
    assert (("平谷—三河跨省公交线路",), 45.0, "min") in claims
    assert (("安石路",), 200.0, "户") in claims


def test_a_counted_group_after_a_list_stands_for_the_whole_list(package_gazetteer):
    ev = _events("北京城市图书馆、北京艺术中心、北京大运河博物馆三大文化建筑已于2023年底全部建成。", package_gazetteer)
    assert {"北京城市图书馆", "北京艺术中心", "北京大运河博物馆"} <= {n for n, s, *_ in ev if s == "opened"}


def test_a_line_right_before_its_station_is_not_apposed(package_gazetteer):
    ev = _events("京唐城际铁路燕郊站主体结构封顶。", package_gazetteer)
    assert {n for n, *_ in ev} == {"燕郊站"}


def test_a_hospital_receiving_patients_and_a_park_being_planted(package_gazetteer):
    ev = _events("首都医科大学附属北京同仁医院通州院区门急诊于3月1日起正式对外接诊。", package_gazetteer)
    assert {(s, d) for _, s, _, d, _ in ev} == {("opened", D(2025, 3, 1))}
    assert {s for _, s, *_ in _events("潮白河国家森林公园二期工程正在进行绿化种植。", package_gazetteer)} == {
        "under_construction"
    }


# --------------------------------------------------------------------------- Taiwan and Hong Kong usage
@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("安石路工程於上月動土。", "construction_started"),
        ("京唐城際鐵路燕郊站竣工啟用。", "opened"),
        ("潮白河國家森林公園昨日開幕。", "opened"),
        ("816路（大廠—北京）即日起試營運。", "opened"),
        ("燕潮大橋預計年底前完成改建。", "milestone"),
        ("北京地鐵22號線（平谷線）首期工程已進入尾聲。", "under_construction"),
        ("安石路工程進度已逾七成。", "milestone"),
    ],
)
def test_taiwan_and_hong_kong_wording(text, status, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {status}


def test_a_quarter_written_without_du_after_a_year():
    (_, _, rd), *_ = find_dates("2026年第二季完工", PUBLISHED, modality="expected")
    assert (rd.date, rd.end, rd.precision) == (D(2026, 4, 1), D(2026, 6, 30), "quarter")
    assert find_dates("第二季开播", PUBLISHED, modality="expected") == []


def test_from_this_day_is_the_publication_day(package_gazetteer):
    assert {(s, d, p) for _, s, _, d, p in _events("930路自即日起停运。", package_gazetteer)} == {
        ("suspended", PUBLISHED, "day")
    }
