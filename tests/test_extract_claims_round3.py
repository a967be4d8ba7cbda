"""Round 3 of the claims and name grammar: each test is one class of wording.

The sentences are the team's own (made up to show a pattern), never dev-set text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from geo.extract import find_claims
from geo.gazetteer import Feature, Gazetteer


def _f(fid: str, name: str, kind: str, theme: str, *aliases: str) -> Feature:
    return Feature(id=fid, name_zh=name, name_en=fid, kind=kind, theme=theme, aliases=tuple(aliases))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(
        [
            _f("admin-sanhe", "三河市", "admin", "admin", "三河"),
            _f("admin-tongzhou", "通州区", "admin", "admin", "通州"),
            _f("expressway-jingping", "京平高速", "expressway", "road"),
            _f("expressway-jingqin", "京秦高速", "expressway", "road"),
            _f("expressway-jingha", "京哈高速", "expressway", "road"),
        ]
    )


class Doc:
    def __init__(self, text: str):
        self.doc_id = "r3"
        self.published = dt.date(2024, 3, 1)
        self.published_precision = "day"
        self.text = text
        self.title = ""


def _claims(gaz: Gazetteer, text: str) -> set[tuple[Any, ...]]:
    return {(c.value, c.unit, c.counted) for c in find_claims(Doc(text), gaz)}


# --------------------------------------------------------------------------- durations
def test_travel_times_in_minutes(gaz):
    got = _claims(gaz, "新桥通车后，从镇上进城仅需8分钟；列车至终点最快2小时05分，全程约一个半小时。")
    assert (8.0, "min", "仅需") in got
    assert (125.0, "min", "最快") in got  # hours and minutes add up
    assert (90.0, "min", "全程") in got  # 一个半小时


def test_headways_and_timetable_shifts(gaz):
    got = _claims(gaz, "高峰时段发车间隔缩至6分钟，末班车延后半小时。")
    assert (6.0, "min", "发车间隔") in got
    assert (30.0, "min", "延后") in got


def test_travel_time_promise_followed_by_its_noun(gaz):
    got = _claims(gaz, "沿线居民将拥有1小时生活圈，并进入半小时通勤圈。")
    assert (60.0, "min", "生活圈") in got
    assert (30.0, "min", "通勤圈") in got


def test_durations_without_a_travel_word_are_no_claims(gaz):
    claims = find_claims(Doc("座谈会持续2小时，与会代表发言30分钟。"), gaz)
    assert [c for c in claims if c.unit == "min"] == []


def test_travel_time_topic(gaz):
    (c,) = [c for c in find_claims(Doc("换乘只需3分钟。"), gaz) if c.unit == "min"]
    assert c.topic == "travel_time"
    assert c.value == 3.0


# --------------------------------------------------------------------------- lanes, speed, area
def test_lanes_chinese_and_arabic(gaz):
    got = _claims(gaz, "该路为双向八车道，辅路为单向3车道；京平高速由双向4车道拓宽至双向6车道。")
    assert {(8.0, "车道", "双向车道"), (3.0, "车道", "单向车道"), (4.0, "车道", "双向车道")} <= got
    assert (6.0, "车道", "双向车道") in got


def test_lanes_before_a_road_class_are_no_road_name(gaz):
    from geo.extract import extract

    ex = extract([Doc("新线拟按双向六车道一级公路标准修建，设计速度120km/h。")], gaz)
    assert not [p for p in ex.provisional if "车道" in p.name]
    assert (6.0, "车道", "双向车道") in {(c.value, c.unit, c.counted) for c in ex.claims}


def test_speed_and_area_units(gaz):
    got = _claims(gaz, "主路设计速度80km/h，辅路设计时速40公里/小时；红线宽度60m，总建筑面积约12万平方米，占地3000㎡。")
    assert (80.0, "km/h", "主路设计速度") in got
    assert (40.0, "km/h", "辅路设计时速") in got
    assert (60.0, "米", "红线宽度") in got  # 80m is metres, not a count
    assert (120000.0, "平方米", "总建筑面积") in got
    assert (3000.0, "平方米", "占地") in got


# --------------------------------------------------------------------------- counters
def test_unusual_counters(gaz):
    got = _claims(gaz, "全线开行动车3对，床位数将增至800张，主桥共有4孔。")
    assert (3.0, "对", "动车") in got or (3.0, "对", "全线开行动车") in got
    assert (800.0, "张", "床位数") in got
    assert (4.0, "孔", "主桥") in got


def test_count_with_copula_counts_the_noun_after(gaz):
    got = _claims(gaz, "跨界通道共11条，其中4条为高速公路，7条为普通道路。")
    assert (4.0, "条", "高速公路") in got
    assert (7.0, "条", "普通道路") in got


def test_chinese_numeral_after_a_predicate(gaz):
    got = _claims(gaz, "目前开通的水上航线有两条。")
    assert (2.0, "条", "水上航线") in got
    assert not _claims(gaz, "举办铁人三项赛。")


def test_approximate_tens(gaz):
    (c,) = [c for c in find_claims(Doc("桥墩高二十几米。"), gaz) if c.unit == "米"]
    assert c.value == 20.0
    assert "几" in c.qualifier


def test_traditional_text(gaz):
    got = _claims(gaz, "南北兩條隧道均為兩層，上層是2車道，換乘只需2分鐘。")
    assert (2.0, "条", "隧道") in got
    assert (2.0, "车道", "车道") in got
    assert (2.0, "min", "只需") in got


# --------------------------------------------------------------------------- mentions: name forms
@pytest.fixture(scope="module")
def gaz_names() -> Gazetteer:
    return Gazetteer(
        [
            _f("admin-tongzhou", "通州区", "admin", "admin", "通州"),
            _f("expressway-jingqin", "京秦高速公路", "expressway", "road", "京秦高速"),
            _f("expressway-jingha", "京哈高速公路", "expressway", "road", "京哈高速"),
            _f("expressway-tongyan", "通燕高速公路", "expressway", "road", "通燕高速"),
            _f("expressway-ring", "首都地区环线高速公路", "expressway", "road", "首都环线高速"),
            _f("river-grand-canal", "大运河", "river", "water"),
            _f("river-north-canal", "北运河", "river", "water"),
        ]
    )


def _mentions(gaz: Gazetteer, text: str) -> list[tuple[str, str]]:
    from geo.extract import find_mentions

    return [(m.surface, m.feature_id) for m in find_mentions(Doc(text), gaz)]


def test_list_sharing_one_category_ending(gaz_names):
    got = _mentions(gaz_names, "区内通过的主要干线包括京秦、京哈、通燕、首都环线高速等。")
    ids = [f for _, f in got]
    assert ids[:4] == ["expressway-jingqin", "expressway-jingha", "expressway-tongyan", "expressway-ring"]
    assert ("京秦", "expressway-jingqin") in got


def test_list_item_that_is_no_name_ends_the_list(gaz_names):
    got = _mentions(gaz_names, "沿线有学校、医院、京哈高速。")
    assert [f for _, f in got] == ["expressway-jingha"]  # 学校/医院 + 高速 name nothing


def test_park_named_after_a_river_is_no_river_mention(gaz_names):
    got = dict(_mentions(gaz_names, "游船沿途经过大运河森林公园、运河公园等景点。"))
    assert "大运河森林公园" in got
    assert got["大运河森林公园"].startswith("prov-park-")


def test_pinyin_inserted_by_a_mirror_site(gaz_names):
    got = _mentions(gaz_names, "北運(yùn)河通州段综合治理完成，北關(guān)閘至下游实现通航。")
    assert ("北運(yùn)河", "river-north-canal") in [(s[:8], f) for s, f in got]
    locks = [(s, f) for s, f in got if f.startswith("prov-lock-")]
    assert locks
    assert locks[0][0] == "北關(guān)閘"


def test_bridge_named_by_the_railway_it_crosses(gaz_names):
    got = [
        s for s, f in _mentions(gaz_names, "项目包括一座跨京哈铁路特大桥，全长4公里。") if f.startswith("prov-bridge-")
    ]
    assert got == ["跨京哈铁路特大桥"]


def test_name_followed_by_its_length(gaz_names):
    got = [
        s
        for s, f in _mentions(gaz_names, "还将建设东西上行联络线，联络线长1.9公里；某某路长约3公里。")
        if f.startswith("prov-")
    ]
    assert "东西上行联络线" in got
    assert "某某路" in got


def test_hospital_campus_named_after_its_county(gaz_names):
    got = dict(_mentions(gaz_names, "北京某某医院通州院区二期将于年底开诊。"))
    assert "北京某某医院通州院区" in got
    assert got["北京某某医院通州院区"].startswith("prov-hospital-")
    # a bare 该院 + county is no hospital name
    assert not [s for s in dict(_mentions(gaz_names, "该院通州院区还将启用新楼。")) if s.startswith("院")]


def test_one_character_river_listed_with_another(gaz_names):
    got = dict(_mentions(gaz_names, "跨河桥3座，分别设置在坝河、北运河。"))
    assert got.get("坝河", "").startswith("prov-river-")
    assert "界河" not in dict(_mentions(gaz_names, "两省以界河、北运河为界。"))
