"""Round 5 of the name grammar: facility names the extractor did not recognise.

The sentences are written for these tests (made-up names in real counties); each shows one
class of wording.
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extractdata import Doc

from geo.extract import extract
from geo.extract.names import candidate_name

D = dt.date
PUBLISHED = D(2025, 3, 1)


@pytest.fixture(scope="module")
def gaz(package_gazetteer):
    return package_gazetteer


def _run(text: str, gaz):
    r = extract([Doc("t1", PUBLISHED, text)], gaz)
    by_name = {p.name_zh: p for p in r.provisional.values()}
    events = {(e.feature_id, e.status, e.modality) for e in r.events}
    surfaces = {m.surface: m.feature_id for m in r.mentions}
    return by_name, events, surfaces


# --------------------------------------------------------------------------- toll stations
@pytest.mark.parametrize("text", ["主线收费站", "省界收费站", "各收费站", "该收费站", "两个收费站", "收费站"])
def test_a_toll_station_without_a_specific_name_is_no_name(text):
    assert candidate_name(text) is None


def test_a_toll_station_named_after_its_place_is_a_name():
    assert candidate_name("在青枫收费站") == ("青枫收费站", "站")


def test_toll_station_of_a_known_expressway_is_that_road_s_facility(gaz):
    by_name, events, surfaces = _run("京哈高速青枫收费站正在加紧施工，预计年底投入使用。", gaz)
    p = by_name["京哈高速青枫收费站"]
    assert p.kind == "interchange"
    assert surfaces["青枫收费站"] == p.id
    assert (p.id, "under_construction", "actual") in events


def test_interchange_of_a_known_expressway_is_that_road_s_interchange(gaz):
    by_name, events, surfaces = _run("京哈高速柳溪枢纽互通于2025年2月10日建成通车。", gaz)
    p = by_name["京哈高速柳溪枢纽互通"]
    assert p.kind == "interchange"
    assert surfaces["柳溪枢纽互通"] == p.id
    assert (p.id, "opened", "actual") in events


def test_a_generic_toll_station_after_an_expressway_is_no_feature(gaz):
    by_name, _events, _surfaces = _run("京哈高速主线收费站正在施工。", gaz)
    assert not any(n.endswith("收费站") for n in by_name)


# --------------------------------------------------------------------------- shared heads
def test_names_listed_before_a_shared_lock_ending_are_each_a_lock(gaz):
    by_name, events, _surfaces = _run("青柳、白鹭船闸工程加快推进。", gaz)
    a, b = by_name["青柳船闸"], by_name["白鹭船闸"]
    assert a.kind == b.kind == "lock"
    assert (a.id, "under_construction", "actual") in events
    assert (b.id, "under_construction", "actual") in events


def test_the_words_before_a_shared_head_list_are_cut_off(gaz):
    by_name, _events, _surfaces = _run("今年将加快建设青柳和白鹭大桥。", gaz)
    assert "青柳大桥" in by_name
    assert "白鹭大桥" in by_name
    assert not any(n.startswith(("建设", "今年")) for n in by_name)


def test_a_list_item_that_is_a_feature_of_its_own_ends_the_list(gaz):
    by_name, _events, surfaces = _run("京哈高速、白鹭大桥同步建设。", gaz)
    assert "白鹭大桥" in by_name
    assert not any(n.startswith("京哈") and n.endswith("大桥") for n in by_name)
    assert not surfaces.get("京哈高速", "").startswith("prov-")


def test_towns_listed_before_etc_and_a_park_category_name_the_parks(gaz):
    by_name, events, surfaces = _run("去年建成张家湾、西集等环城公园6个。", gaz)
    a, b = by_name["张家湾环城公园"], by_name["西集环城公园"]
    assert a.kind == b.kind == "park"
    assert surfaces["张家湾"] == a.id  # the town's name now names the park
    assert a.placement["level"] == "prefix"
    assert (a.id, "opened", "actual") in events
    assert (b.id, "opened", "actual") in events


def test_etc_with_a_bare_category_word_names_nothing(gaz):
    by_name, _events, surfaces = _run("通州区新建张家湾等多个公园。", gaz)
    assert not any(n.endswith("公园") for n in by_name)
    assert not surfaces.get("张家湾", "town").startswith("prov-")


def test_a_mirror_site_comma_before_the_list_mark_keeps_the_list(gaz):
    by_name, _events, _surfaces = _run("青柳,、白鹭船闸工程加快推进。", gaz)
    assert "青柳船闸" in by_name


# --------------------------------------------------------------------------- bus lines of a network
def test_a_line_designation_listed_under_a_network_record_is_no_name_of_the_network():
    from types import SimpleNamespace

    from geo.extract.mentions import build_matcher

    network = SimpleNamespace(
        id="bus-demo-network", kind="bus_line", name_zh="青柳跨界公交线路", aliases=["青柳跨界公交", "977路"], parent=()
    )
    line = SimpleNamespace(id="bus-978", kind="bus_line", name_zh="978路", aliases=["978路公交"], parent=())
    m = build_matcher([network, line])
    assert m.lookup("977路") is None  # the line is a feature of its own
    assert m.lookup("青柳跨界公交") == "bus-demo-network"
    assert m.lookup("978路") == "bus-978"  # a line record keeps its own designation


def test_a_suspended_line_of_a_network_does_not_suspend_the_network(gaz):
    by_name, events, _surfaces = _run("从1月28日起，往返香河的810路暂停运营。", gaz)
    p = by_name["810路"]
    assert p.kind == "bus_line"
    assert (p.id, "suspended", "actual") in events
    assert not any(fid == "bus-crossborder-network" for fid, _s, _m in events)


# --------------------------------------------------------------------------- place qualifiers
def test_a_road_after_a_province_and_town_qualifier_is_found(gaz):
    by_name, _events, surfaces = _run("该路东端跨过市界后，接入河北省燕郊镇青杨北路。", gaz)
    assert "青杨北路" in by_name
    assert surfaces["燕郊镇"] == "town-yanjiao"


def test_a_road_after_a_city_county_and_town_chain_is_found_and_dated(gaz):
    by_name, events, _surfaces = _run("廊坊市三河市燕郊镇青杨大街于2025年2月18日正式通车。", gaz)
    p = by_name["青杨大街"]
    assert (p.id, "opened", "actual") in events


# --------------------------------------------------------------------------- cultural venues
def test_a_named_cultural_venue_is_a_provisional_culture_feature(gaz):
    by_name, events, _surfaces = _run("大厂县白鹭大剧院建成投用。", gaz)
    p = by_name["白鹭大剧院"]
    assert p.kind == "culture"
    assert p.theme == "facility"
    assert p.placement["level"] == "prefix"
    assert (p.id, "opened", "actual") in events


@pytest.mark.parametrize("text", ["城市图书馆", "区级博物馆", "数字图书馆", "博物馆", "剧院", "该美术馆"])
def test_a_kind_of_venue_is_no_name(text):
    assert candidate_name(text) is None


def test_a_provisional_culture_id_decodes_to_its_kind():
    from geo.extract.provisional import provisional_id, provisional_kind
    from geo.schema import FEATURE_ID, KINDS

    fid = provisional_id("culture", "白鹭大剧院", [131028])
    assert FEATURE_ID.match(fid)
    assert provisional_kind(fid) == "culture"
    assert "culture" in KINDS


def test_bare_venue_words_listed_after_a_qualified_venue_share_its_qualifier(gaz):
    _by_name, _events, surfaces = _run("副中心剧院、图书馆和博物馆将于年底前投入使用。", gaz)
    assert surfaces["副中心剧院"] == "culture-subcenter-theatre"
    assert surfaces["图书馆"] == "culture-subcenter-library"
    assert surfaces["博物馆"] == "culture-subcenter-museum"


def test_a_bare_venue_word_without_a_qualified_venue_before_it_is_no_mention(gaz):
    _by_name, _events, surfaces = _run("区域内的图书馆、博物馆方案已经确定。", gaz)
    assert "图书馆" not in surfaces
    assert "博物馆" not in surfaces


@pytest.mark.parametrize("text", ["跨河桥", "新建跨河桥", "跨河大桥", "跨路桥"])
def test_a_bridge_type_is_no_bridge_name(text):
    assert candidate_name(text) is None


# --------------------------------------------------------------------------- hospital campuses
def test_a_campus_short_form_is_the_campus_the_document_names_in_full(gaz):
    text = "北京青柳医院通州院区二期将于12月投入使用。开诊后，通州院区床位数将增至800张。"
    by_name, _events, surfaces = _run(text, gaz)
    p = by_name["北京青柳医院通州院区"]
    assert surfaces["通州院区"] == p.id
    assert "院区" not in by_name


def test_a_bare_campus_word_after_a_county_is_no_feature(gaz):
    by_name, _events, _surfaces = _run("通州院区还将启用新门诊楼。", gaz)
    assert not any(n.endswith("院区") for n in by_name)


def test_a_building_of_a_campus_the_sentence_names_is_a_feature_of_that_campus(gaz):
    by_name, events, surfaces = _run("北京青柳医院通州院区新建的住院楼于2025年2月主体结构封顶。", gaz)
    p = by_name["北京青柳医院通州院区住院楼"]
    assert p.kind == "hospital"
    assert surfaces["住院楼"] == p.id
    assert (p.id, "milestone", "actual") in events


def test_a_building_word_without_a_campus_in_its_sentence_is_no_feature(gaz):
    by_name, _events, surfaces = _run("北京青柳医院通州院区正式开诊。新建门诊楼一座，立体车库一处。", gaz)
    assert not any(n.endswith(("门诊楼", "立体车库")) for n in by_name)
    assert "门诊楼" not in surfaces


# --------------------------------------------------------------------------- place-named facilities
def test_a_hub_named_by_the_county_before_it_is_a_station(gaz):
    by_name, events, surfaces = _run("香河县综合交通枢纽于2025年2月开工建设。", gaz)
    p = by_name["香河县综合交通枢纽"]
    assert p.kind == "station"
    assert p.placement["level"] == "prefix"
    assert surfaces["香河县综合交通枢纽"] == p.id
    assert (p.id, "construction_started", "actual") in events


def test_a_toll_station_named_by_a_town_keeps_the_town_in_its_name(gaz):
    by_name, _events, _surfaces = _run("燕郊收费站于2025年2月完成改造。", gaz)
    assert by_name["燕郊收费站"].kind == "interchange"


@pytest.mark.parametrize(
    "text", ["该综合交通枢纽建成后是一座地下枢纽。", "要把通州打造成综合交通枢纽。", "打造区域综合交通枢纽。"]
)
def test_a_hub_word_after_no_place_is_no_feature(gaz, text):
    by_name, _events, _surfaces = _run(text, gaz)
    assert not any(n.endswith("枢纽") for n in by_name)
