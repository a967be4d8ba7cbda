"""Extraction, round 6: mirror-site pinyin inside status words, section labels that belong to a
line or a river (not to the lock before them), opening verbs with a named object, and a
hospital campus's short form that comes before its full name.

Every sentence here is written by the team to show one class of wording (no dev-set text);
the names are made up, in real counties.
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extractdata import Doc

from geo.extract import extract
from geo.extract.lexicon import has_status, status_in

D = dt.date
PUBLISHED = D(2025, 3, 1)


@pytest.fixture(scope="module")
def gaz(package_gazetteer):
    return package_gazetteer


def _run(text: str, gaz):
    r = extract([Doc("t6", PUBLISHED, text)], gaz, known_events=False)
    names = {f.id: f.name_zh for f in r.provisional.values()}
    events = {(names.get(e.feature_id, e.feature_id), e.status, e.modality, e.date, e.precision) for e in r.events}
    return names, events


# --------------------------------------------------------------------------- mirror-site pinyin
@pytest.mark.parametrize(
    ("segment", "status", "keyword"),
    [
        ("船闸工程加快实(shí)施", "under_construction", "实(shí)施"),
        ("该路段将于年底实(shí)现(xiàn)通车", "opened", "通车"),
        ("项目已全面开(kāi)工", "construction_started", "开(kāi)工"),
    ],
)
def test_a_status_word_with_a_mirror_sites_pinyin_inside_is_read(segment, status, keyword):
    """(The lexicon reads normalised text: simplified characters.)"""
    assert has_status(segment)
    found = status_in(segment)
    assert found is not None
    assert found[0] == status
    assert segment[found[1] : found[2]].endswith(keyword[-1])  # offsets of the text as given
    assert keyword in segment[found[1] - 4 : found[2]]


def test_bracketed_latin_that_is_no_pinyin_is_not_dropped():
    # (BRT) is an abbreviation, not a tone-marked reading: 开(BRT)通 is not 开通
    assert status_in("快速公交开(BRT)通") is None


def test_locks_listed_in_mirror_text_get_their_works_event(gaz):
    _, events = _run("北運(yùn)河上的青柳閘至白鹭閘段已經通航；青柳、白鹭船閘工程加快實(shí)施。", gaz)
    got = {(n, s) for n, s, *_ in events}
    assert ("青柳船闸", "under_construction") in got
    assert ("白鹭船闸", "under_construction") in got


# --------------------------------------------------------------------------- section labels
def test_a_county_stretch_after_a_lock_statement_belongs_to_the_river(gaz):
    _, events = _run(
        "北运河青柳闸至白鹭闸段已经通航；青柳、白鹭船闸工程加快实施，2026年6月香河境内将全面实现通航。", gaz
    )
    opened = {(n, m, d, p) for n, s, m, d, p in events if s == "opened"}
    assert ("river-north-canal", "expected", D(2026, 6, 1), "month") in opened
    assert not any(n.endswith("船闸") for n, *_ in opened)  # a lock has no stretch in a county


def test_a_county_stretch_with_no_line_or_river_before_it_gets_no_event(gaz):
    _, events = _run("青柳、白鹭船闸工程加快实施，2026年6月香河境内将全面实现通航。", gaz)
    assert not any(s == "opened" for _, s, *_ in events)


def test_a_bare_predicate_after_a_statement_still_continues_it(gaz):
    # no section label: the second clause is about the same road
    _, events = _run("厂通路加快施工，预计2026年6月建成通车。", gaz)
    assert ("road-changtong", "opened", "expected", D(2026, 6, 1), "month") in events


def test_a_known_county_before_a_stretch_is_no_unknown_subject(gaz):
    # 6月香河境内: the county the gazetteer knows is not read as a river named 月香河
    _, events = _run("青禾大街加快施工，2026年6月香河境内将全面建成通车。", gaz)
    assert ("青禾大街", "opened", "expected", D(2026, 6, 1), "month") in events


# --------------------------------------------------------------------------- object verbs
def test_an_opening_verb_gives_the_event_to_its_named_object(gaz):
    _names, events = _run("北京青柳医院通州院区二期明年开诊。同时，通州院区还将启用新建的住院楼。", gaz)
    got = {(n, s, m) for n, s, m, *_ in events}
    assert ("北京青柳医院通州院区住院楼", "opened", "expected") in got
    # the campus's own opening is the first sentence's, not the building's
    campus = [(n, s, m, d) for n, s, m, d, _ in events if n == "北京青柳医院通州院区"]
    assert campus == [("北京青柳医院通州院区", "opened", "expected", D(2026, 1, 1))]


def test_an_opening_verb_with_a_far_object_keeps_its_subject_rule(gaz):
    # what opens is an unnamed thing (a counter); the named building is further on, not the object
    _, events = _run("通州院区还将启用自助服务窗口，方便住院楼的患者。北京青柳医院通州院区去年开诊。", gaz)
    assert not any(s == "opened" and m == "expected" for _, s, m, *_ in events)


# --------------------------------------------------------------------------- campus short forms
def test_a_campus_short_form_before_the_full_name_is_that_campus(gaz):
    _names, events = _run(
        "记者从北京青柳医院获悉，该院通州院区二期将于4月18日开诊。北京青柳医院通州院区二期总建筑面积5万平方米。",
        gaz,
    )
    assert ("北京青柳医院通州院区", "opened", "expected", D(2025, 4, 18), "day") in events


def test_a_campus_short_form_with_two_campuses_of_that_county_stays_unresolved(gaz):
    _names, events = _run(
        "该院通州院区将于4月18日开诊。北京青柳医院通州院区二期面积5万平方米，北京白鹭医院通州院区二期面积3万平方米。",
        gaz,
    )
    assert not any(s == "opened" for _, s, *_ in events)


# --------------------------------------------------------------------------- generality gaps
def test_main_structure_works_started_with_a_time_word_between_is_a_milestone(gaz):
    _, events = _run("厂通路项目进展顺利，主体结构上周已开始施工。", gaz)
    assert ("road-changtong", "milestone", "actual", PUBLISHED.replace(day=1), "month") in events
    assert not any(s == "construction_started" for _, s, *_ in events)  # the project began earlier


def test_a_demonstratives_listed_works_before_the_keyword_keep_the_subject(gaz):
    _, events = _run("通宝路是连接两地的重要通道，该路的征地拆迁等前期工作现已完成。", gaz)
    assert ("road-tongbao", "early_stage", "actual", PUBLISHED.replace(day=1), "month") in events


def test_a_stage_word_is_no_section_label(gaz):
    # 现阶段 (at this stage) ends in 段 but names no section of anything
    _, events = _run("厂通路全长5公里，现阶段已进入主体施工。", gaz)
    assert ("road-changtong", "under_construction", "actual", PUBLISHED.replace(day=1), "month") in events


def test_a_section_bounded_by_a_river_belongs_to_the_topic_not_the_river(gaz):
    _, events = _run("厂通路全长5公里，现阶段潮白河以东段已基本完工。", gaz)
    assert ("road-changtong", "milestone", "actual", PUBLISHED.replace(day=1), "month") in events
    assert not any(f == "river-chaobai" for f, *_ in events)


def test_a_rivers_own_section_keeps_its_event(gaz):
    _, events = _run("北运河通州段已经通航。", gaz)
    assert ("river-north-canal-tongzhou", "opened", "actual", PUBLISHED.replace(day=1), "month") in events
