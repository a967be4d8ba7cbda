"""Extraction, round 10: traffic let through again, works put on a plan, roads cut for the
works, bus lines withdrawn, rail tests before service, land cleared before the works; dates in
Chinese numerals, seasons, plan periods' last year, the years up to publication, periods
(dated by their start), time elapsed since an event; a bare predicate that goes on with a
forecast; figures of a sentence given to its subject, not to its end points.

Every sentence here is written by the team to show one class of wording (no dev-set text).
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extractdata import Doc

from geo.dates import find_dates
from geo.extract import extract
from geo.extract.lexicon import status_in

D = dt.date
#: A Tuesday.
PUBLISHED = D(2025, 5, 20)


def _extract(text: str, gaz, published: dt.date | None = PUBLISHED):
    """The extraction of one document of ``text`` (without the gazetteer's known events)."""
    return extract([Doc("t10", published, text)], gaz, known_events=False)


def _events(text: str, gaz, published: dt.date | None = PUBLISHED) -> set[tuple]:
    """(feature name as written, status, modality, date, precision) of every event."""
    r = _extract(text, gaz, published)
    names = {m.feature_id: text[m.start : m.end] for m in r.mentions}
    return {(names.get(e.feature_id, e.feature_id), e.status, e.modality, e.date, e.precision) for e in r.events}


def _statuses(text: str, gaz) -> set[tuple[str, str]]:
    return {(name, status) for name, status, *_ in _events(text, gaz)}


# --------------------------------------------------------------------------- status words
@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("王家摆大桥于今日恢复通行。", "actual"),
        ("经过三个月的维修，厂通路潮白河大桥已正式通行。", "actual"),
        ("安石路计划于6月底全线通行。", "expected"),
        ("王家摆大橋於今日恢復通行。", "actual"),
    ],
)
def test_traffic_let_through_is_an_opening(text, modality, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert {(s, m) for _, s, m, *_ in ev} == {("opened", modality)}


@pytest.mark.parametrize("text", ["通宝路早晚高峰单向通行。", "通宝路禁止货车通行。"])
def test_a_traffic_restriction_is_no_opening(text, package_gazetteer):
    assert _events(text, package_gazetteer) == set()


@pytest.mark.parametrize(
    "text",
    [
        "安石路已纳入2025年重点工程计划。",
        "石小路改造工程列入今年市重点项目。",
        "通宝路被列为本市重点工程。",
        "唐通線已納入今年重點工程計劃。",
    ],
)
def test_works_put_on_a_plan_are_planned(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert {(s, m) for _, s, m, *_ in ev} == {("planned", "actual")}


def test_a_road_cut_for_the_works_is_suspended_from_the_start_of_the_period(package_gazetteer):
    text = "武兴路将于6月1日至8月31日断路施工。"
    r = _extract(text, package_gazetteer)
    # 断路 is a verb, and 31日断路 no road name
    assert {text[m.start : m.end] for m in r.mentions} == {"武兴路"}
    assert {(e.status, e.modality, e.date, e.precision) for e in r.events} == {
        ("suspended", "expected", D(2025, 6, 1), "day")
    }


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("816路自2025年3月1日起至5月31日暂停运营。", D(2025, 3, 1)),
        ("厂通路4月1日—4月30日封闭施工。", D(2025, 4, 1)),
    ],
)
def test_a_statement_over_a_period_is_dated_by_its_start(text, date, package_gazetteer):
    assert {(e.date, e.precision) for e in _extract(text, package_gazetteer).events} == {(date, "day")}


def test_a_road_named_like_a_verb_is_still_a_name(package_gazetteer):
    text = "通顺路于2024年建成通车。"  # 顺路 ends real names; it is no verb here
    r = _extract(text, package_gazetteer)
    assert {text[m.start : m.end] for m in r.mentions} == {"通顺路"}
    assert {e.status for e in r.events} == {"opened"}


@pytest.mark.parametrize(
    ("text", "lines"),
    [("52路线路优化调整。", {"52路"}), ("t52路、53路线路调整。", {"t52路", "53路"})],
)
def test_a_bus_line_before_its_noun_line_is_a_line(text, lines, package_gazetteer):
    r = _extract(text, package_gazetteer)
    assert {text[m.start : m.end] for m in r.mentions} == lines
    assert {e.status for e in r.events} == {"opened"}  # a line that runs, its route adjusted


def test_a_route_is_no_bus_line(package_gazetteer):
    assert _extract("公交52路线将调整。", package_gazetteer).mentions == []


@pytest.mark.parametrize(
    "text",
    [
        "930路因客流不足于6月1日起撤销。",
        "816路公交线路自即日起取消。",
        "930路撤线。",
        "930路自即日起撤銷。",
    ],
)
def test_a_bus_line_withdrawn_is_suspended(text, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {"suspended"}


@pytest.mark.parametrize(
    "text",
    [
        "816路取消北关站停靠。",  # a stop dropped: the line still runs
        "厂通路收费站于6月1日起取消。",  # not a bus line
    ],
)
def test_withdrawn_is_said_of_a_bus_line_as_the_last_word_only(text, package_gazetteer):
    assert "suspended" not in {s for _, s, *_ in _events(text, package_gazetteer)}


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("816路因故暂停运营。", "suspended"),
        ("由于工作需要，930路暂停运营。", "suspended"),
        ("930路因客流较少撤销。", "suspended"),
    ],
)
def test_a_cause_said_in_full_leaves_the_keyword_its_statement(text, status, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {status}


def test_a_keyword_inside_the_cause_is_still_the_cause(package_gazetteer):
    # 施工 is the cause of the detour, not a statement about the bus line
    assert {s for _, s, *_ in _events("816路因道路施工临时绕行。", package_gazetteer)} == {"opened"}


@pytest.mark.parametrize(
    "text",
    ["平谷线全线轨通。", "平谷线完成全线热滑试验。", "平谷线开始空载试运行。", "通宝路完成交工验收。"],
)
def test_tests_and_acceptance_before_service_are_milestones(text, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {"milestone"}


def test_trial_operation_with_passengers_is_still_an_opening(package_gazetteer):
    assert {s for _, s, *_ in _events("平谷线于今日起试运营。", package_gazetteer)} == {"opened"}


@pytest.mark.parametrize(
    "text",
    ["石小路道路工程已经完成总工程量的八成。", "通宝路已完成工程量的三分之二。", "安石路主体工程完成过半。"],
)
def test_a_share_of_the_works_in_words_is_a_milestone(text, package_gazetteer):
    assert ("milestone", "actual") in {(s, m) for _, s, m, *_ in _events(text, package_gazetteer)}


def test_the_last_works_are_construction(package_gazetteer):
    assert {s for _, s, *_ in _events("通宝路工程正在进行收尾工作。", package_gazetteer)} == {"under_construction"}


def test_land_cleared_before_the_works_is_an_early_stage(package_gazetteer):
    assert {s for _, s, *_ in _events("安石路征地拆迁工作全面完成。", package_gazetteer)} == {"early_stage"}
    # beside another early-stage word it gives way: the keyword the clause ends on has no object
    assert status_in("石小路已完成征地拆迁等前期工作")[1:] == (11, 15)


@pytest.mark.parametrize("text", ["安石路暂缓开通。", "平谷线延期开通。", "厂通路推迟通车。", "平谷線延期開通。"])
def test_an_opening_put_off_is_no_opening(text, package_gazetteer):
    assert _events(text, package_gazetteer) == set()


def test_a_date_once_set_is_a_forecast(package_gazetteer):
    ev = _events("京唐城际铁路原定于2024年底开通。", package_gazetteer)
    assert {e[1:] for e in ev} == {("opened", "expected", D(2024, 12, 1), "month")}


def test_tendering_started_is_an_early_stage_not_the_works(package_gazetteer):
    assert {s for _, s, *_ in _events("石小路二期工程启动招标。", package_gazetteer)} == {"early_stage"}
    assert {s for _, s, *_ in _events("石小路二期工程正式启动。", package_gazetteer)} == {"construction_started"}


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("平谷线进入联调联试阶段。", "milestone"),
        ("通宝路工程进入冲刺阶段。", "under_construction"),
        ("安石路建设处于攻坚阶段。", "under_construction"),
    ],
)
def test_system_tests_and_the_last_push_of_the_works(text, status, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {status}


@pytest.mark.parametrize(
    ("text", "name", "date"),
    [
        ("通州区将新建安石路。", "安石路", None),
        ("今年还将建设通宝路和唐通线。", "唐通线", D(2025, 1, 1)),
        ("区里计划修建徐尹路。", "徐尹路", None),
        ("两地将共建安石路。", "安石路", None),
        ("安石路将于明年建设。", "安石路", D(2026, 1, 1)),
    ],
)
def test_works_to_be_built_are_planned(text, name, date, package_gazetteer):
    ev = {e for e in _events(text, package_gazetteer) if e[0] == name}
    assert {e[1:3] for e in ev} == {("planned", "expected")}
    if date is not None:
        assert {e[3] for e in ev} == {date}


@pytest.mark.parametrize(
    "text",
    [
        "北京大学人民医院通州院区于今日正式接诊。",
        "首都医科大学附属北京同仁医院通州院区迎来首批患者。",
        "中国人民大学通州新校区迎来首批新生。",
        "北京潞河中学三河校区于4月正式招生。",
        "816路今日首发。",
        "北京艺术中心落成。",
    ],
)
def test_the_first_patients_pupils_or_runs_are_an_opening(text, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {"opened"}


@pytest.mark.parametrize(
    "text",
    [
        "816路首发站为燕郊。",
        "首发集团东六环改造工程项目负责人介绍了情况。",
        "北京大学人民医院通州院区累计接诊患者50万人次。",
        "北京艺术中心落成后将举办首场演出。",
    ],
)
def test_a_terminus_a_count_of_patients_or_a_time_phrase_is_no_opening(text, package_gazetteer):
    assert "opened" not in {s for _, s, *_ in _events(text, package_gazetteer)}


@pytest.mark.parametrize(
    "text",
    [
        "副中心站将建设成为区域交通枢纽。",
        "将为安石路建设提供保障。",
        "安石路将加快建设资金拨付。",
        "将在通宝路两侧新建停车场。",  # a place where something else is built
        "将于安石路沿线建设公交站。",
    ],
)
def test_what_a_feature_is_to_become_or_a_noun_after_build_is_no_plan(text, package_gazetteer):
    assert "planned" not in {s for _, s, *_ in _events(text, package_gazetteer)}


@pytest.mark.parametrize("text", ["厂通路取得施工许可证。", "通宝路建设工程规划许可证已核发。"])
def test_the_permits_before_the_works_are_an_early_stage(text, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {"early_stage"}


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("武興路將於6月1日起斷路施工。", "suspended"),
        ("平谷線進入聯調聯試階段。", "milestone"),
        ("安石路徵地拆遷工作全面完成。", "early_stage"),
        ("通寶路工程正在進行收尾工作。", "under_construction"),
        ("區裡將修建徐尹路。", "planned"),
    ],
)
def test_the_round_s_status_words_in_traditional_characters(text, status, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {status}


# --------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("通宝路于二〇二四年十二月三十日正式通车。", D(2024, 12, 30)),
        ("厂通路将于十二月二十八日通车。", D(2025, 12, 28)),
        ("安石路于五月十五日正式通车。", D(2025, 5, 15)),
        ("石小路于三月一日开工。", D(2025, 3, 1)),
    ],
)
def test_a_day_in_chinese_numerals_is_a_day(text, date, package_gazetteer):
    assert {(e.date, e.precision) for e in _extract(text, package_gazetteer).events} == {(date, "day")}


@pytest.mark.parametrize("written", ["2024.6.30", "2024-06-30", "2024/6/30", "2024.06.30"])
def test_a_day_written_in_digits_is_a_day(written, package_gazetteer):
    r = _extract(f"厂通路于{written}正式通车。", package_gazetteer)
    assert {(e.modality, e.date, e.precision) for e in r.events} == {("actual", D(2024, 6, 30), "day")}


@pytest.mark.parametrize("text", ["2024.6", "版本1.2.3", "2024-6-31", "12024.6.30"])
def test_numbers_that_are_no_day(text):
    assert [rd for *_, rd in find_dates(text, PUBLISHED) if rd.precision == "day"] == []


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("通宝路于上世纪90年代建成。", 1990),
        ("通宝路于20世纪80年代末建成。", 1980),
        ("通宝路于五十年代建成通车。", 1950),
    ],
)
def test_a_decade_of_the_last_century_is_a_range(text, start, package_gazetteer):
    r = _extract(text, package_gazetteer)
    assert {(e.date, e.precision, e.date_end) for e in r.events} == {(D(start, 1, 1), "range", D(start + 9, 12, 31))}


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("安石路将于“十四五”末建成。", D(2025, 1, 1), "year"),
        ("安石路将于十四五期末建成。", D(2025, 1, 1), "year"),
        ("通宝路将在“十四五”时期建成。", D(2021, 1, 1), "range"),
    ],
)
def test_the_end_of_a_plan_period_is_its_last_year(text, date, precision, package_gazetteer):
    assert {(e.date, e.precision) for e in _extract(text, package_gazetteer).events} == {(date, precision)}


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025年春季", D(2025, 3, 1), D(2025, 5, 31)),
        ("2025年夏天", D(2025, 6, 1), D(2025, 8, 31)),
        ("2024年冬季", D(2024, 12, 1), D(2025, 2, 28)),
    ],
)
def test_a_season_is_its_three_months(text, start, end):
    ((_, _, rd),) = find_dates(text, PUBLISHED)
    assert (rd.date, rd.precision, rd.end) == (start, "quarter", end)


@pytest.mark.parametrize(
    ("text", "date", "modality"),
    [
        ("京唐城际铁路计划于今年夏天开通。", D(2025, 6, 1), "expected"),
        # without a year: a forecast the next autumn, a fact the last spring that has begun
        ("厂通路将于秋季开工。", D(2025, 9, 1), "expected"),
        ("厂通路春季已经开工。", D(2025, 3, 1), "actual"),
        ("厂通路去年冬天已经开工。", D(2024, 12, 1), "actual"),
    ],
)
def test_a_season_dates_a_statement(text, date, modality, package_gazetteer):
    assert {(e.date, e.precision, e.modality) for e in _extract(text, package_gazetteer).events} == {
        (date, "quarter", modality)
    }


def test_a_season_needs_a_publication_day_without_a_year(package_gazetteer):
    assert {e.date for e in _extract("厂通路将于秋季开工。", package_gazetteer, published=None).events} == {None}


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("安石路于2025年元月正式通车。", D(2025, 1, 1), "month"),
        ("厂通路计划于本年度内开工。", D(2025, 12, 31), "deadline"),
        ("厂通路于近两年陆续建成。", D(2023, 1, 1), "range"),
        ("过去三年，通宝路、安石路相继建成。", D(2022, 1, 1), "range"),
    ],
)
def test_january_this_years_deadline_and_the_years_up_to_publication(text, date, precision, package_gazetteer):
    events = _extract(text, package_gazetteer).events
    assert events
    assert {(e.date, e.precision) for e in events} == {(date, precision)}


@pytest.mark.parametrize("written", ["5月26日（星期一）", "5月26日(周一)", "5月26日周一", "5月26日（星期一）上午"])
def test_a_weekday_written_after_the_day_is_part_of_the_date(written):
    ((start, end, rd),) = find_dates(f"自{written}起", PUBLISHED)
    assert (rd.date, rd.precision) == (D(2025, 5, 26), "day")
    assert f"自{written}起"[start:end] == written


def test_a_notice_below_its_heading_dates_its_changes_by_the_day_it_announces(package_gazetteer):
    text = (
        "# 关于调整816路运营线路的公告\n\n"
        "为方便乘客出行，自2025年5月26日（星期一）起，对816路进行调整。\n\n"
        "一、816路临时绕行厂通路。\n\n二、新开通t108路。"
    )
    r = _extract(text, package_gazetteer)
    names = {m.feature_id: text[m.start : m.end] for m in r.mentions}
    got = {(names[e.feature_id], e.date, e.precision) for e in r.events}
    assert got == {("816路", D(2025, 5, 26), "day"), ("t108路", D(2025, 5, 26), "day")}


# --------------------------------------------------------------------------- time elapsed
@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("京唐城际铁路开通运营满一周年。", D(2024, 5, 1)),
        ("816路开通三周年之际，乘客送来锦旗。", D(2022, 5, 1)),
        ("厂通路通车满两年，日均车流量超过2万辆。", D(2023, 5, 1)),
        ("平谷线开通运营已满6个月。", D(2024, 11, 1)),
    ],
)
def test_an_anniversary_dates_the_event_that_long_before(text, date, package_gazetteer):
    assert {(e.status, e.modality, e.date, e.precision) for e in _extract(text, package_gazetteer).events} == {
        ("opened", "actual", date, "month")
    }


@pytest.mark.parametrize(
    "text",
    [
        "安石路工程开工一年来，已完成投资12亿元。",
        "平谷线通车3个多月以来，客流稳步增长。",
        "厂通路建成通车两年多来，车流量逐年增长。",
    ],
)
def test_a_loose_time_since_leaves_the_date_unknown(text, package_gazetteer):
    r = _extract(text, package_gazetteer)
    assert r.events
    assert {(e.modality, e.date, e.precision) for e in r.events} == {("actual", None, "unknown")}
    assert all(c.unit != "个" for c in r.claims)  # 3个多月: a time span, not three things


def test_a_date_before_the_keyword_stays_the_events(package_gazetteer):
    r = _extract("京唐城际铁路2024年3月开通，运营满一年。", package_gazetteer)
    assert {(e.date, e.precision) for e in r.events} == {(D(2024, 3, 1), "month")}


def test_a_forecast_of_an_anniversary_is_left_as_it_is(package_gazetteer):
    r = _extract("通宝路将于年底通车。", package_gazetteer)
    assert {(e.modality, e.date) for e in r.events} == {("expected", D(2025, 12, 1))}


@pytest.mark.parametrize("text", ["平谷线全线轨通，预计年底开通初期运营。", "安石路主体完工，预计6月开通试运营。"])
def test_a_first_phase_or_trial_service_after_the_keyword_is_no_object(text, package_gazetteer):
    assert ("opened", "expected") in {e[1:3] for e in _events(text, package_gazetteer)}


# --------------------------------------------------------------------------- modality
@pytest.mark.parametrize(
    ("text", "second"),
    [
        ("厂通路拟于2025年春季开工，秋季完工。", ("milestone", "expected", D(2025, 9, 1), "quarter")),
        ("通宝路计划下月开工，年底前完工。", ("milestone", "expected", D(2025, 12, 31), "deadline")),
    ],
)
def test_a_bare_predicate_goes_on_with_the_forecast_before_it(text, second, package_gazetteer):
    ev = {e[1:] for e in _events(text, package_gazetteer)}
    assert second in ev
    assert all(m == "expected" for _, m, *_ in ev)


def test_a_bare_predicate_after_a_fact_is_not_made_a_forecast(package_gazetteer):
    ev = {e[1:3] for e in _events("厂通路已于4月开工，目前正在施工。", package_gazetteer)}
    assert ev == {("construction_started", "actual"), ("under_construction", "actual")}


@pytest.mark.parametrize(
    "text",
    [
        "今年将重点推进两项工程：一是厂通路，计划6月开工；二是安石路，年底前通车。",
        "重点工程包括：（1）厂通路，计划6月开工；（2）安石路，年底前通车。",
        "其一，厂通路，计划6月开工。其二，安石路，年底前通车。",
    ],
)
def test_an_item_named_alone_is_the_subject_of_the_clauses_after_it(text, package_gazetteer):
    assert {e[:4] for e in _events(text, package_gazetteer)} == {
        ("厂通路", "construction_started", "expected", D(2025, 6, 1)),
        ("安石路", "opened", "expected", D(2025, 12, 31)),
    }


def test_the_last_push_of_the_works_gives_the_readiness_its_subject(package_gazetteer):
    ev = {e[:4] for e in _events("厂通路建设进入最后冲刺，确保6月底前具备通车条件。", package_gazetteer)}
    assert ev == {
        ("厂通路", "under_construction", "actual", D(2025, 5, 1)),
        ("厂通路", "opened", "expected", D(2025, 6, 30)),
    }


# --------------------------------------------------------------------------- claims
def _claims(text: str, gaz) -> dict[tuple[float, str], tuple[str, ...]]:
    """(value, unit) -> the names (as written) of the features each claim is about."""
    r = _extract(text, gaz)
    names = {m.feature_id: text[m.start : m.end] for m in r.mentions}
    return {(c.value, c.unit): tuple(names.get(f, f) for f in c.feature_ids) for c in r.claims}


def test_figures_of_later_clauses_are_the_subjects(package_gazetteer):
    got = _claims("安石路全长约8.6公里，设计时速60公里，总投资约25.3亿元。", package_gazetteer)
    assert got == {(8.6, "公里"): ("安石路",), (60.0, "km/h"): ("安石路",), (2.53e9, "元"): ("安石路",)}


@pytest.mark.parametrize(
    "text",
    [
        "厂通路西起京津公路，东至安石路，全长约7公里。",
        "厂通路西起通州区，东至大厂县，全长约7公里。",
        "厂通路起点位于京津公路与通宝路交口，终点至大厂县，全长约7公里。",
        "厂通路向东进入大厂县后与安石路相接，全长约7公里。",
    ],
)
def test_a_figure_is_not_given_to_an_end_point(text, package_gazetteer):
    assert _claims(text, package_gazetteer)[(7.0, "公里")] == ("厂通路",)


def test_a_clause_with_its_own_area_subject_does_not_borrow_from_far(package_gazetteer):
    got = _claims("安石路完成改造，沿线绿化同步提升，通州区新增停车位300个。", package_gazetteer)
    assert got[(300.0, "个")] == ()


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("安石路施工工期约18个月。", 18.0, "月"), ("安石路审批时间压缩至30个工作日。", 30.0, "工作日")],
)
def test_a_span_of_months_or_working_days_is_no_count(text, value, unit, package_gazetteer):
    assert {(v, u) for v, u in _claims(text, package_gazetteer)} == {(value, unit)}


@pytest.mark.parametrize(("text", "topic"), [("816路票价2元。", "transport"), ("安石路总投资约25亿元。", "investment")])
def test_a_fare_is_no_investment(text, topic, package_gazetteer):
    assert {c.topic for c in _extract(text, package_gazetteer).claims} == {topic}


# --------------------------------------------------------------------------- work-plan documents
_PLAN_BODY = (
    "一、完善路网\n\n816路延长至东直门。通宝路建成通车。\n\n"
    "二、2024年工作回顾\n\n石小路建成通车。\n\n"
    "三、其他\n\n2024年，安石路建成通车。"
)


def _plan_events(title: str, gaz) -> dict[str, set[tuple]]:
    doc = Doc("t10", D(2025, 2, 10), _PLAN_BODY)
    doc.title = title
    r = extract([doc], gaz, known_events=False)
    names = {m.feature_id: _PLAN_BODY[m.start : m.end] for m in r.mentions}
    out: dict[str, set[tuple]] = {}
    for e in r.events:
        out.setdefault(names[e.feature_id], set()).add((e.status, e.modality))
    return out


@pytest.mark.parametrize(
    "title", ["通州区2025年交通工作要点", "北三县交通一体化三年行动计划", "《2025年重点工程实施方案》"]
)
def test_a_work_plan_document_states_targets(title, package_gazetteer):
    got = _plan_events(title, package_gazetteer)
    assert got["816路"] == {("opened", "expected")}
    assert got["通宝路"] == {("opened", "expected")}
    assert got["石小路"] == {("opened", "actual")}  # a section headed as a review recounts facts
    assert got["安石路"] == {("opened", "actual")}  # a date before the publication: a fact it recounts


@pytest.mark.parametrize(
    "title", ["2025年交通工作要点发布", "解读：北三县交通一体化三年行动计划", "通州区交通建设综述"]
)
def test_an_article_about_a_plan_reports_facts(title, package_gazetteer):
    got = _plan_events(title, package_gazetteer)
    assert got["816路"] == {("opened", "actual")}
    assert got["通宝路"] == {("opened", "actual")}


def test_a_plan_word_in_the_first_heading_makes_a_plan_document(package_gazetteer):
    text = "# 通州区2025年交通工作要点\n\n通宝路建成通车。"
    r = _extract(text, package_gazetteer)
    assert {(e.status, e.modality) for e in r.events} == {("opened", "expected")}


def test_an_anniversary_in_a_year_dates_the_event_the_year_before(package_gazetteer):
    r = _extract("2024年，京唐城际铁路开通运营满一周年。", package_gazetteer)
    assert {(e.date, e.precision) for e in r.events} == {(D(2023, 1, 1), "year")}


@pytest.mark.parametrize(
    ("text", "status"),
    [("启动徐尹路改造工程。", "construction_started"), ("启动徐尹路改造前期工作。", "early_stage")],
)
def test_works_on_a_road_that_exists_begin(text, status, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {status}


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("通寶路於上世紀90年代建成。", D(1990, 1, 1), "range"),
        ("廠通路於近兩年陸續建成。", D(2023, 1, 1), "range"),
        ("京唐城際鐵路開通運營滿一週年。", D(2024, 5, 1), "month"),
        ("廠通路擬於2025年秋季開工。", D(2025, 9, 1), "quarter"),
    ],
)
def test_the_round_s_dates_in_traditional_characters(text, date, precision, package_gazetteer):
    assert {(e.date, e.precision) for e in _extract(text, package_gazetteer).events} == {(date, precision)}


@pytest.mark.parametrize(
    "text",
    [
        "816路将于7月1日起延伸至大桥东侧，930路则因客流较少于同日撤销。",
        "816路将于7月1日起延伸至大桥东侧。930路将于当日撤销。",
    ],
)
def test_the_same_day_is_the_last_day_the_text_gave(text, package_gazetteer):
    ev = _events(text, package_gazetteer)
    assert {e[:4] for e in ev} == {
        ("816路", "opened", "expected", D(2025, 7, 1)),  # 延伸: a bus line that runs, extended
        ("930路", "suspended", "expected", D(2025, 7, 1)),
    }


def test_a_season_in_a_figure_of_speech_is_no_date():
    assert find_dates("平谷线建设迎来发展的春天", PUBLISHED) == []
    ((_, _, rd),) = find_dates("明年春天", PUBLISHED)
    assert (rd.date, rd.precision) == (D(2026, 3, 1), "quarter")


def test_capacity_let_through_is_no_opening(package_gazetteer):
    assert "opened" not in {s for _, s, *_ in _events("安石路全线通行能力提升30%。", package_gazetteer)}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("22号线东大桥站至红庙站区间盾构始发。", "22号线"),
        ("平谷线首台盾构机顺利始发。", "平谷线"),
        ("平谷线马坊站附属结构施工完成。", "马坊站"),
    ],
)
def test_a_tunnel_machine_launched_or_a_stage_s_works_done_is_a_milestone(text, name, package_gazetteer):
    assert {e[:2] for e in _events(text, package_gazetteer)} == {(name, "milestone")}


def test_works_done_as_a_time_phrase_is_no_milestone(package_gazetteer):
    assert {e[1] for e in _events("安石路施工完成后将立即通车。", package_gazetteer)} == {"opened"}


def test_the_fast_status_scan_finds_what_the_plain_patterns_find():
    """The status patterns compiled behind a first-character lookahead (as the lexicon
    compiles them) match exactly where the plain patterns do, on every clause of the seeds
    and of this file's sentences."""
    import re
    from pathlib import Path

    from geo.extract.context import document_context
    from geo.extract.lexicon import EXPECTED_RE, PLAN_CUE_RE, STATUS_PATTERNS
    from geo.extract.scan import scan_fast

    texts = [Path(__file__).read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parents[1].joinpath("seeds").iterdir())]
    clauses = []
    for text in texts:
        ctx = document_context(Doc("t10", PUBLISHED, text))
        clauses += [ctx.norm[c.start : c.end] for c in ctx.seg.clauses]
    patterns = [p for p, _, _ in STATUS_PATTERNS] + ["|".join(f"(?:{p})" for p, _, _ in STATUS_PATTERNS)]
    # the cue patterns compiled this way: their plain pattern is what follows the lookahead
    patterns += [rx.pattern[rx.pattern.index("])(?:") + 5 : -1] for rx in (EXPECTED_RE, PLAN_CUE_RE)]
    assert sum(scan_fast(p).pattern.startswith("(?=[") for p in patterns) >= 3  # the lookahead is in use
    for p in patterns:
        fast, plain = scan_fast(p), re.compile(p)
        for clause in clauses:
            assert [m.span() for m in fast.finditer(clause)] == [m.span() for m in plain.finditer(clause)], clause


@pytest.mark.parametrize("pattern", [r"(?<!a)b|c", r"(?<=x)\s*y|z"])
def test_the_fast_scan_keeps_matches_at_the_edges(pattern):
    import re

    from geo.extract.scan import scan_fast

    for text in ["b", "ab", "cb", "xy", "x  y", " y", "zz", "", "a b c"]:
        assert [m.span() for m in scan_fast(pattern).finditer(text)] == [m.span() for m in re.finditer(pattern, text)]


@pytest.mark.parametrize("text", ["图为正在建设中的厂通路潮白河大桥。", "在建的安石路将于年底通车。"])
def test_works_going_on_said_of_the_noun_they_modify(text, package_gazetteer):
    ev = {e[:3] for e in _events(text, package_gazetteer)}
    assert ev
    assert all(m == "actual" or s == "opened" for _, s, m in ev)
    if "图为" in text:
        assert ev == {("厂通路潮白河大桥", "under_construction", "actual")}


def test_works_planned_said_of_the_noun_they_modify_state_nothing(package_gazetteer):
    assert _events("规划建设的安石路。", package_gazetteer) == set()


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("自2022年12月30日开通以来，京唐城际铁路运行平稳。", D(2022, 12, 30)),
        ("从去年12月通车后，安石路车流量逐步增长。", D(2024, 12, 1)),
        ("自开通以来，京唐城际铁路累计发送旅客1000万人次。", None),
        ("京唐城际铁路开通以来，累计发送旅客1000万人次。", None),  # since it opened: when is not said
    ],
)
def test_the_event_a_feature_has_lived_since(text, date, package_gazetteer):
    r = _extract(text, package_gazetteer)
    assert {(e.status, e.modality, e.date) for e in r.events} == {("opened", "actual", date)}


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("通宝路顺利通过验收。", "milestone"),
        ("通宝路通过竣工验收。", "milestone"),
        ("安石路举行奠基仪式。", "construction_started"),
        ("平谷线全面复工。", "under_construction"),
    ],
)
def test_acceptance_foundation_stone_and_works_resumed(text, status, package_gazetteer):
    assert {s for _, s, *_ in _events(text, package_gazetteer)} == {status}


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("厂通路将于6月30日前完工。", D(2025, 6, 30), "deadline"),
        ("安石路力争2025年9月30日之前建成通车。", D(2025, 9, 30), "deadline"),
        ("厂通路将于6月30日前后完工。", D(2025, 6, 1), "month"),  # around the day
        ("安石路将于6月30日通车。", D(2025, 6, 30), "day"),
    ],
)
def test_by_a_day_is_a_deadline_and_around_it_its_month(text, date, precision, package_gazetteer):
    assert {(e.date, e.precision) for e in _extract(text, package_gazetteer).events} == {(date, precision)}


def test_vehicle_trips_are_counted_as_such(package_gazetteer):
    assert (20000.0, "辆次") in {
        (c.value, c.unit) for c in _extract("安石路日均车流量约2万辆次。", package_gazetteer).claims
    }
