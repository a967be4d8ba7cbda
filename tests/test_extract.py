"""Tests for geo.extract and geo.dates: mentions, events, modality, dates, claims, unknowns.

Small documents written for the tests (several styles, traditional characters, full-width
digits) exercise the rules; ``test_seed_quality`` scores the real corpus against the
hand-made key ``tests/data/seed_key.yaml`` (skipped when the key or gazetteer is missing).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from geo.dates import find_dates, parse_cn_number, resolve_date
from geo.extract import (
    Extraction,
    extract,
    find_claims,
    find_events,
    find_mentions,
    normalise_text,
    unknown_candidates,
)
from geo.extract.quality import score_against_key
from geo.gazetteer import Feature, Gazetteer

ROOT = Path(__file__).resolve().parents[1]
KEY_PATH = ROOT / "tests" / "data" / "seed_key.yaml"
SEEDS = ROOT / "seeds"

D = dt.date


# --------------------------------------------------------------------------- fixtures
def _f(fid: str, name: str, kind: str, theme: str, *aliases: str, **kw: Any) -> Feature:
    return Feature(id=fid, name_zh=name, name_en=fid, kind=kind, theme=theme, aliases=tuple(aliases), **kw)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(
        [
            _f(
                "metro-line-22",
                "北京地铁22号线（平谷线）",
                "metro_line",
                "rail",
                "22号线",
                "平谷线",
                "地铁平谷线",
                "轨道交通平谷线",
                "平谷線",
            ),
            _f("jingtang-intercity", "京唐城际铁路", "rail_line", "rail", "京唐铁路", "京唐城际", "京唐(京滨)城际铁路"),
            _f("intercity-link-line", "城际铁路联络线", "rail_line", "rail"),
            _f("station-jt-yanjiao", "燕郊站", "station", "rail"),
            _f("town-yanjiao", "燕郊", "admin", "admin", "燕郊镇"),
            _f("admin-pinggu", "平谷区", "admin", "admin", "平谷"),
            _f("admin-tongzhou", "通州区", "admin", "admin", "通州"),
            _f("admin-north-three-counties", "北三县", "admin", "admin", "廊坊北三县"),
            _f("road-shenwei-north", "神威北大街", "road", "road"),
            _f("road-tongbao", "通宝路", "road", "road"),
            _f("road-changtong", "厂通路", "road", "road"),
            _f("road-anshi", "安石路", "road", "road"),
            _f("bridge-wangjiabai", "王家摆大桥", "bridge", "road"),
            _f("river-north-canal", "北运河", "river", "water"),
            _f("river-chaobai", "潮白河", "river", "water"),
            _f("expressway-chengping", "承平高速", "expressway", "road"),
            _f("bus-crossborder-network", "跨界公交线路", "bus_line", "bus", "跨界公交"),
            _f("bus-pinggu-jizhou-xinglong", "平谷区—蓟州—兴隆公交专线", "bus_line", "bus", "平谷区—蓟州—兴隆"),
            _f("zone-admin-office-area", "北京城市副中心行政办公区", "zone", "zone", "行政办公区", "行政办公区二期"),
            _f("expressway-mizhuo-north", "密涿高速北延", "expressway", "road", "密涿高速北延与京平高速对接工程"),
            _f("expressway-jingping", "京平高速", "expressway", "road"),
            _f("dest-guomao", "国贸", "destination", "facility", "北京国贸"),
            _f("culture-subcenter-three-buildings", "三大文化设施", "culture", "facility", "三个文化设施"),
            _f("zone-tongbei-demo", "通州区与北三县一体化高质量发展示范区", "zone", "zone"),
            _f(
                "expressway-jingha",
                "京哈高速",
                "expressway",
                "road",
                known_events=(
                    {
                        "status": "opened",
                        "date": D(1999, 9, 1),
                        "precision": "month",
                        "source": "test source: 京哈高速",
                    },
                ),
            ),
        ]
    )


class Doc:
    """Minimal document (the attributes geo.extract reads)."""

    def __init__(self, doc_id: str, published: dt.date, text: str, precision: str = "day"):
        self.doc_id = doc_id
        self.published = published
        self.published_precision = precision
        self.text = text
        self.title = ""


def _events(doc: Doc, gaz: Gazetteer) -> list[tuple]:
    return [(e.feature_id, e.status, e.modality, e.date, e.precision) for e in find_events(doc, gaz)]


# --------------------------------------------------------------------------- normalisation
def test_normalise_is_length_preserving_and_converts():
    text = "平谷線於２０２２年６月開工建設，ＡＢ－１"
    norm = normalise_text(text)
    assert len(norm) == len(text)
    assert norm.startswith("平谷线于2022年6月开工建设")
    assert norm.endswith("ab-1")
    assert normalise_text("北京地铁22号线") == "北京地铁22号线"


def test_traditional_fullwidth_document_offsets_into_original(gaz):
    text = "據悉，地鐵平谷線已於２０２２年６月開工建設，燕郊站將於年內開通。"
    doc = Doc("t1", D(2022, 8, 1), text)
    ms = find_mentions(doc, gaz)
    assert [(m.feature_id, m.surface) for m in ms] == [
        ("metro-line-22", "地鐵平谷線"),
        ("station-jt-yanjiao", "燕郊站"),
    ]
    for m in ms:
        assert text[m.start : m.end] == m.surface
    ev = find_events(doc, gaz)
    got = {(e.feature_id, e.status, e.modality, e.date, e.precision) for e in ev}
    assert ("metro-line-22", "construction_started", "actual", D(2022, 6, 1), "month") in got
    assert ("station-jt-yanjiao", "opened", "expected", D(2022, 12, 31), "deadline") in got
    for e in ev:
        assert text[e.start : e.end] == e.quote


# --------------------------------------------------------------------------- mentions
def test_longest_match_station_vs_town_and_line_vs_district(gaz):
    doc = Doc("m1", D(2023, 1, 1), "燕郊站位于燕郊镇，平谷线连接平谷区与通州。")
    got = [(m.feature_id, m.surface) for m in find_mentions(doc, gaz)]
    assert got == [
        ("station-jt-yanjiao", "燕郊站"),
        ("town-yanjiao", "燕郊镇"),
        ("metro-line-22", "平谷线"),
        ("admin-pinggu", "平谷区"),
        ("admin-tongzhou", "通州"),
    ]


def test_area_name_followed_by_infrastructure_suffix_is_not_the_area(gaz):
    doc = Doc("m2", D(2023, 1, 1), "通州站改造完成，814路公交调整线路，通州区发布思路。")
    ids = [m.feature_id for m in find_mentions(doc, gaz, provisional=False)]
    assert ids == ["admin-tongzhou"]  # only 通州区, not 通州 inside 通州站
    # with provisional features, 814路 is a bus line the gazetteer lacks; 通州站 is not
    # a station here (nothing in the sentence is about rail)
    kinds = [m.feature_id.split("-")[1] for m in find_mentions(doc, gaz) if m.feature_id.startswith("prov-")]
    assert kinds == ["bus"]
    doc2 = Doc("m2b", D(2023, 1, 1), "平谷段已完成总工程量的60%。")
    assert find_mentions(doc2, gaz) == []
    unknown = {u.name: u for u in unknown_candidates([doc], gaz)}
    assert "通州站" in unknown
    assert "814路" in unknown
    assert not {"思路", "线路", "道路"} & set(unknown)
    ctx = unknown["814路"].contexts[0]
    assert doc.text[ctx["start"] : ctx["end"]] == "814路"


def test_unknown_candidates_for_every_infrastructure_ending(gaz):
    text = (
        "金融街大桥已开工建设。东坝船闸计划2025年通航。京秦铁路将于2027年开工。西集站投入使用。"
        "运河大街拓宽。京承高速改造。环湖公园开园。东坝枢纽封顶。津承城际开工。西集公交开通。"
        "跨界道路加快建设，交通枢纽完善，城际铁路提速，网站上线。"
    )
    doc = Doc("u1", D(2024, 1, 1), text)
    names = {u.name for u in unknown_candidates([doc], gaz)}
    for name in (
        "金融街大桥",
        "东坝船闸",
        "京秦铁路",
        "西集站",
        "运河大街",
        "京承高速",
        "环湖公园",
        "东坝枢纽",
        "津承城际",
        "西集公交",
    ):
        assert name in names, (name, names)
    assert not {"跨界道路", "交通枢纽", "城际铁路", "网站"} & names


def test_a_clause_about_an_unknown_feature_is_not_given_to_the_previous_subject(gaz):
    text = "平谷线正在施工,东坝船闸计划2025年通航。厂通路已经通车,京秦铁路将于2027年开工。"
    got = set(_events(Doc("z1", D(2024, 1, 1), text), gaz))
    assert ("metro-line-22", "under_construction", "actual", D(2024, 1, 1), "month") in got
    assert ("road-changtong", "opened", "actual", D(2024, 1, 1), "month") in got
    assert not [e for e in got if e[1] == "opened" and e[0] == "metro-line-22"]
    assert not [e for e in got if e[0] == "road-changtong" and e[1] == "construction_started"]


def test_quoted_name_is_matched_inside_the_quotes(gaz):
    doc = Doc("m3", D(2024, 1, 1), "2024年首次开通了“平谷区—蓟州—兴隆”公交专线。")
    ms = find_mentions(doc, gaz)
    assert [m.feature_id for m in ms] == ["bus-pinggu-jizhou-xinglong"]
    assert ms[0].surface == "平谷区—蓟州—兴隆"
    assert _events(doc, gaz) == [("bus-pinggu-jizhou-xinglong", "opened", "actual", D(2024, 1, 1), "year")]


def test_compound_aliases_are_pruned_and_sections_attached(gaz):
    text = (
        "廊坊北三县与北京国贸之间，行政办公区二期开工。密涿高速北延与京平高速对接工程2022年开工建设。"
        "安石路河北段年内完成路基建设，承平高速(北京段)加快建设。"
    )
    doc = Doc("m4", D(2021, 11, 12), text)
    got = [(m.feature_id, m.surface) for m in find_mentions(doc, gaz)]
    assert got == [
        ("admin-north-three-counties", "北三县"),
        ("dest-guomao", "国贸"),
        ("zone-admin-office-area", "行政办公区"),
        ("expressway-mizhuo-north", "密涿高速北延"),
        ("expressway-jingping", "京平高速"),
        ("road-anshi", "安石路河北段"),
        ("expressway-chengping", "承平高速(北京段)"),
    ]
    evs = {(f, s) for f, s, *_ in _events(doc, gaz)}
    # 京平高速 is only the connection target of the works
    assert ("expressway-mizhuo-north", "construction_started") in evs
    assert not any(f == "expressway-jingping" for f, _ in evs)


# --------------------------------------------------------------------------- events
def test_list_of_features_shares_the_predicate(gaz):
    doc = Doc("e1", D(2021, 11, 12), "神威北大街、通宝路前期工作扎实推进。")
    assert _events(doc, gaz) == [
        ("road-shenwei-north", "early_stage", "actual", D(2021, 11, 1), "month"),
        ("road-tongbao", "early_stage", "actual", D(2021, 11, 1), "month"),
    ]


def test_list_items_with_their_own_predicates(gaz):
    doc = Doc("e2", D(2023, 12, 29), "京唐城际铁路开通运营、地铁平谷线加速建设、开通多条跨界公交。")
    got = {(f, s, m) for f, s, m, _, _ in _events(doc, gaz)}
    assert got == {
        ("jingtang-intercity", "opened", "actual"),
        ("metro-line-22", "under_construction", "actual"),
        ("bus-crossborder-network", "opened", "actual"),
    }


def test_event_goes_to_head_not_to_crossed_river(gaz):
    doc = Doc("e3", D(2023, 12, 29), "安石路香河段跨北运河王家摆大桥于今年9月26日完工通车。")
    assert _events(doc, gaz) == [("bridge-wangjiabai", "opened", "actual", D(2023, 9, 26), "day")]


def test_modality_markers_and_dates(gaz):
    text = (
        "北京地铁22号线（平谷线）已于6月份开工建设，京唐铁路将于2022年建成通车；"
        "4条跨界公路厂通路年底前开工，安石路河北段年内完成路基建设。"
    )
    got = _events(Doc("e4", D(2021, 11, 12), text), gaz)
    assert got == [
        ("metro-line-22", "construction_started", "actual", D(2021, 6, 1), "month"),
        ("jingtang-intercity", "opened", "expected", D(2022, 1, 1), "year"),
        ("road-changtong", "construction_started", "expected", D(2021, 12, 31), "deadline"),
        ("road-anshi", "milestone", "expected", D(2021, 12, 31), "deadline"),
    ]


def test_date_after_publication_is_a_forecast(gaz):
    got = _events(Doc("e5", D(2021, 11, 12), "厂通路2022年开工建设。"), gaz)
    assert got == [("road-changtong", "construction_started", "expected", D(2022, 1, 1), "year")]


def test_work_plan_section_vs_progress_report(gaz):
    text = (
        "实现京唐(京滨)城际铁路建成通车\n\n"
        "今年，京津冀将继续深化交通等重点领域合作。\n\n"
        "加快建设便捷高效的交通网络。推进城际铁路联络线一期工程建设，实现京唐(京滨)城际铁路建成通车。\n\n"
        "跨界道路通达性不断提高\n\n"
        "取得积极成效。厂通路实现开工建设，轨道交通平谷线加快建设，这是北京首条跨区域城市轨道交通线路，"
        "预计2025年年底建成通车后，将成为重要通勤快速通道。"
    )
    got = set(_events(Doc("e6", D(2022, 1, 1), text, precision="year"), gaz))
    # undated statements of a document dated only to its year are dated to that year
    assert ("intercity-link-line", "under_construction", "expected", D(2022, 1, 1), "year") in got
    assert ("jingtang-intercity", "opened", "expected", D(2022, 1, 1), "year") in got
    assert ("road-changtong", "construction_started", "actual", D(2022, 1, 1), "year") in got
    assert ("metro-line-22", "under_construction", "actual", D(2022, 1, 1), "year") in got
    # the subject of the bare predicate is carried over (zero anaphora)
    assert ("metro-line-22", "opened", "expected", D(2025, 12, 1), "month") in got  # 年底: December
    assert not any(m == "actual" and s == "opened" for _, s, m, _, _ in got)


def test_year_dated_document_counts_from_the_end_of_its_year(gaz):
    """A document known only to be of 2023 saying a bridge has opened does not make it open on
    2023-01-01; a precise date from another document decides earlier."""
    from geo.extract import extract
    from geo.timeline import status_as_of

    year_doc = Doc("y1", D(2023, 1, 1), "王家摆大桥已建成通车。", precision="year")
    day_doc = Doc("y2", D(2023, 12, 29), "王家摆大桥于今年9月26日完工通车。")
    x = extract([year_doc], gaz)
    tl = x.timelines["bridge-wangjiabai"]
    assert status_as_of(tl, D(2023, 6, 30)).status == "unknown"
    assert status_as_of(tl, D(2023, 12, 31)).status == "open"
    x2 = extract([year_doc, day_doc], gaz)
    res = status_as_of(x2.timelines["bridge-wangjiabai"], D(2023, 10, 1))
    assert res.status == "open"
    assert res.date == D(2023, 9, 26)


def test_speech_directives_are_expected(gaz):
    text = "蔡奇强调，要抓紧重点工程建设，完成全年投资任务。三个文化设施基本建成。"
    got = _events(Doc("e7", D(2022, 2, 13), text), gaz)
    assert got == [("culture-subcenter-three-buildings", "milestone", "expected", D(2022, 2, 13), "reported")]


def test_no_events_for_areas_designations_and_river_works(gaz):
    text = (
        "要加快建设通州区与北三县一体化高质量发展示范区。加快推进北运河、潮白河综合治理。"
        "北运河旅游通航。平谷区加快建设。"
    )
    got = _events(Doc("e8", D(2022, 5, 1), text), gaz)
    assert got == [("river-north-canal", "opened", "actual", D(2022, 5, 1), "month")]


def test_negation_is_not_an_event(gaz):
    assert _events(Doc("e9", D(2022, 5, 1), "承平高速尚未开通。"), gaz) == []


# --------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    ("text", "published", "modality", "expected"),
    [
        ("2022年", D(2021, 11, 12), "actual", (D(2022, 1, 1), "year", D(2022, 12, 31))),
        ("6月份", D(2021, 11, 12), "actual", (D(2021, 6, 1), "month", D(2021, 6, 30))),
        ("12月", D(2021, 11, 12), "actual", (D(2020, 12, 1), "month", D(2020, 12, 31))),
        ("12月", D(2021, 11, 12), "expected", (D(2021, 12, 1), "month", D(2021, 12, 31))),
        ("3月", D(2021, 11, 12), "expected", (D(2022, 3, 1), "month", D(2022, 3, 31))),
        ("今年9月26日", D(2023, 12, 29), "actual", (D(2023, 9, 26), "day", None)),
        ("去年", D(2022, 2, 13), "actual", (D(2021, 1, 1), "year", D(2021, 12, 31))),
        ("去年9月", D(2022, 2, 13), "actual", (D(2021, 9, 1), "month", D(2021, 9, 30))),
        ("年底前", D(2021, 11, 12), "expected", (D(2021, 12, 31), "deadline", None)),
        ("2025年底前", D(2024, 3, 1), "expected", (D(2025, 12, 31), "deadline", None)),
        ("2025年6月底前", D(2024, 3, 1), "expected", (D(2025, 6, 30), "deadline", None)),
        ("6月底", D(2024, 3, 1), "expected", (D(2024, 6, 1), "month", D(2024, 6, 30))),
        ("6月底前", D(2024, 3, 1), "expected", (D(2024, 6, 30), "deadline", None)),
        ("年内", D(2021, 11, 12), "expected", (D(2021, 12, 31), "deadline", None)),
        ("上半年", D(2022, 8, 1), "actual", (D(2022, 1, 1), "half", D(2022, 6, 30))),
        ("2021年至2025年", D(2022, 8, 1), "expected", (D(2021, 1, 1), "range", D(2025, 12, 31))),
        ("“十四五”", D(2022, 8, 1), "expected", (D(2021, 1, 1), "range", D(2025, 12, 31))),
        ("10月12日", D(2021, 11, 12), "actual", (D(2021, 10, 12), "day", None)),
        ("2025年年底", D(2022, 1, 1), "expected", (D(2025, 12, 1), "month", D(2025, 12, 31))),
        ("近日", D(2023, 12, 29), "actual", (D(2023, 12, 1), "month", D(2023, 12, 31))),
        ("日前", D(2023, 12, 29), "actual", (D(2023, 12, 1), "month", D(2023, 12, 31))),
        ("二〇二二年六月", D(2023, 1, 1), "actual", (D(2022, 6, 1), "month", D(2022, 6, 30))),
        ("２０２２年６月", D(2023, 1, 1), "actual", (D(2022, 6, 1), "month", D(2022, 6, 30))),
    ],
)
def test_resolve_date(text, published, modality, expected):
    rd = resolve_date(text, published, modality=modality)
    assert rd is not None
    assert (rd.date, rd.precision, rd.end) == expected
    assert rd.basis


def test_month_after_publication_actual_event_is_last_year(gaz):
    doc = Doc("d1", D(2022, 2, 13), "燕郊站自9月开通以来客流稳定。")
    assert _events(doc, gaz) == [("station-jt-yanjiao", "opened", "actual", D(2021, 9, 1), "month")]
    doc = Doc("d2", D(2021, 11, 12), "燕郊站将于3月开通。")
    assert _events(doc, gaz) == [("station-jt-yanjiao", "opened", "expected", D(2022, 3, 1), "month")]


def test_year_precision_publication_month_inference():
    # a document dated only to 2022: '9月' is a month of 2022, not 2021
    rd = resolve_date("9月", D(2022, 1, 1), modality="actual", published_precision="year")
    assert rd.date == D(2022, 9, 1)


def test_non_dates_are_ignored():
    assert find_dates("新增产业禁止和限制目录(2022年版)", D(2022, 1, 1)) == []
    assert find_dates("运营满一年，26年来", D(2022, 1, 1)) == []


def test_parse_cn_number():
    assert parse_cn_number("三") == 3
    assert parse_cn_number("十一") == 11
    assert parse_cn_number("两") == 2
    assert parse_cn_number("一百二十") == 120
    assert parse_cn_number("3.9万") == 39000
    assert parse_cn_number("２２") == 22
    assert parse_cn_number("路") is None


# --------------------------------------------------------------------------- claims
def test_claims(gaz):
    text = (
        "北三县已建成与通州区连通的高速公路3条、主干路7条、跨潮白河桥梁5座，开通跨界公交线路22条，"
        "日客运量约13万人次；北三县融入北京半小时轨道交通圈。陆续开通了8条跨省公交线路。"
        "加快建设三个特色小镇。总投资877亿元，平谷段已经完成总工程量的60%。"
    )
    claims = find_claims(Doc("c1", D(2023, 12, 29), text), gaz)
    got = {(c.value, c.unit, c.counted) for c in claims}
    assert {
        (3.0, "条", "高速公路"),
        (7.0, "条", "主干路"),
        (5.0, "座", "跨潮白河桥梁"),
        (22.0, "条", "跨界公交线路"),
        (130000.0, "人次", "日客运量"),
        (30.0, "min", "轨道交通圈"),
        (8.0, "条", "跨省公交线路"),
        (3.0, "个", "特色小镇"),
        (8.77e10, "元", "总投资"),
        (60.0, "%", "总工程量"),
    } <= got
    by_counted = {c.counted: c for c in claims}
    assert by_counted["日客运量"].qualifier == "约"
    assert by_counted["跨界公交线路"].feature_ids == ("bus-crossborder-network",)
    assert by_counted["高速公路"].area == "admin-north-three-counties"
    for c in claims:
        assert c.quote in text


# --------------------------------------------------------------------------- top level
def test_extract_top_level_on_unseen_documents(gaz):
    docs = [
        Doc("a", D(2021, 11, 12), "京唐铁路将于2022年建成通车。承平高速预计2023年建成通车。"),
        Doc("b", D(2023, 1, 5), "京唐城际铁路于2022年12月30日开通运营，日客运量约2万人次。"),
    ]
    x = extract(docs, gaz)
    assert isinstance(x, Extraction)
    assert {m.doc_id for m in x.mentions} == {"a", "b"}
    tl = x.timelines["jingtang-intercity"]
    # ordered by the date each event counts from: the actual opening (2022-12-30) comes
    # before the forecast's due date (2022-12-31)
    assert [(t.status, t.modality, t.date) for t in tl] == [
        ("opened", "actual", D(2022, 12, 30)),
        ("opened", "expected", D(2022, 1, 1)),
    ]
    assert tl[1].superseded_by == "actual"
    assert not tl[1].current
    # the known event from the gazetteer is in the timeline
    assert x.timelines["expressway-jingha"][0].doc_id == "gazetteer"
    summary = x.feature_summary("jingtang-intercity", as_of="2023-06-01")
    assert summary["status"] == "open"
    assert summary["status_date"] == "2022-12-30"
    assert summary["docs"] == ["a", "b"]
    assert summary["first_mentioned"] == "2021-11-12"
    assert summary["last_mentioned"] == "2023-01-05"
    assert summary["claims"]
    assert summary["claims"][0]["value"] == 20000.0
    js = x.to_json()
    assert js["timelines"]["jingtang-intercity"][0]["date"] == "2022-12-30"


# --------------------------------------------------------------------------- seed key scoring
def test_score_against_key_counts(gaz):
    doc = Doc("s1", D(2021, 11, 12), "京唐铁路将于2022年建成通车，燕郊站已开通。")
    x = extract([doc], gaz, known_events=False)
    key = {
        "documents": {
            "s1": {
                "mentions": [
                    {"feature": "jingtang-intercity", "surface": "京唐铁路"},
                    {"feature": "town-yanjiao", "surface": "燕郊"},
                ],
                "events": [
                    {
                        "feature": "jingtang-intercity",
                        "status": "opened",
                        "modality": "expected",
                        "date": "2022",
                        "precision": "year",
                    }
                ],
                "claims": [],
            }
        }
    }
    s = score_against_key(x, key)
    assert s["counts"]["mentions"] == (1, 2, 2)
    assert s["counts"]["events"] == (1, 2, 1)
    assert s["event_recall"] == 1.0
    assert s["event_precision"] == 0.5


def test_seed_quality():
    import yaml

    from geo.corpus import load_corpus
    from geo.gazetteer import load_gazetteer

    key = yaml.safe_load(KEY_PATH.read_text(encoding="utf-8"))
    x = extract(load_corpus(SEEDS), load_gazetteer())
    s = score_against_key(x, key)
    report = {k: v for k, v in s.items() if not k.startswith(("missed", "spurious"))}
    assert s["mention_recall"] >= 0.95, report
    assert s["mention_precision"] >= 0.90, report
    assert s["event_precision"] >= 0.85, report
    assert s["event_recall"] >= 0.80, report


# --------------------------------------------------------------------------- package layout
def test_records_import_without_the_extraction_engine():
    """Readers of results import the records without pyahocorasick, OpenCC or the matcher."""
    engine = (
        "ahocorasick",
        "opencc",
        "geo.extract.mentions",
        "geo.extract.events",
        "geo.extract.claims",
        "geo.extract.unknowns",
    )
    code = (
        "import sys\n"
        "from geo.extract.records import Claim, Event, Extraction, Mention, UnknownCandidate\n"
        f"print(sorted(m for m in {engine!r} if m in sys.modules))\n"
        "from geo.extract import find_mentions\n"
        "print('ahocorasick' in sys.modules, 'geo.extract.mentions' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["[]", "True True"]


def test_public_names_are_reexported():
    import geo.extract as ex
    from geo.extract import records
    from geo.schema import EVENT_STATUSES, MODALITIES

    for name in ex.__all__:
        assert getattr(ex, name) is not None, name
    assert ex.Extraction is records.Extraction
    assert ex.STATUSES is EVENT_STATUSES
    assert ex.MODALITIES is MODALITIES
    with pytest.raises(AttributeError):
        ex.no_such_name  # noqa: B018


def test_status_vocabulary_is_the_schema_vocabulary():
    from geo.extract.lexicon import STATUS_PATTERNS
    from geo.schema import EVENT_STATUSES

    assert {status for _, status, _ in STATUS_PATTERNS} == set(EVENT_STATUSES)


def test_extract_restores_the_cyclic_garbage_collector(gaz):
    """extract pauses the cyclic GC while it runs (a speed-up) and leaves its state as it was."""
    import gc

    doc = Doc("gc1", D(2021, 11, 12), "京唐铁路将于2022年建成通车。")
    assert gc.isenabled()
    first = extract([doc], gaz, known_events=False).to_json()
    assert gc.isenabled()
    gc.disable()
    try:
        assert extract([doc], gaz, known_events=False).to_json() == first
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_worker_extraction_pauses_the_collector_and_reports_a_bad_document(gaz, monkeypatch):
    """The dask workers' partition extraction (geo.distributed.extract_documents) runs with the
    cyclic GC paused like the in-process path, restores it, and turns a document that breaks the
    extractor into its warning instead of losing the partition."""
    import gc

    from geo import extract as ex
    from geo.distributed import extract_documents

    good = Doc("gc2", D(2021, 11, 12), "京唐铁路将于2022年建成通车。")
    bad = Doc("gc3", D(2021, 11, 12), "京唐铁路开通。")
    seen: list[bool] = []
    real = ex.extract_part

    def spy(doc, matcher, **kw):
        seen.append(gc.isenabled())
        if doc.doc_id == "gc3":
            raise ValueError("broken on purpose")
        return real(doc, matcher, **kw)

    monkeypatch.setattr(ex, "extract_part", spy)
    out = extract_documents([good, bad], gazetteer=gaz, max_contexts=5)
    assert gc.isenabled()
    assert seen == [False, False]
    assert out[0].doc_id == "gc2"
    assert out[0].events
    assert isinstance(out[1], str)
    assert "broken on purpose" in out[1]
    assert "skipped" in out[1]


def test_every_record_crosses_a_process_boundary_unchanged():
    """The workers of geo.distributed.extract send their records to the client pickled: each
    kind (mentions, events, claims, unknown names and provisional features of the seeds and of
    a document about a road the gazetteer lacks) comes back equal, with its type and every
    field, defaults included."""
    import pickle

    from geo.corpus import load_corpus
    from geo.extract.records import Claim, Event, Mention, ProvisionalFeature, UnknownCandidate
    from geo.gazetteer import load_gazetteer

    new_road = Doc("p1", D(2025, 3, 1), "通州区青霞路于2025年2月28日上午正式通车，全长3.2公里，双向四车道。")
    x = extract([*load_corpus(SEEDS), new_road], load_gazetteer())
    groups = {
        Mention: x.mentions,
        Event: x.events,
        Claim: x.claims,
        UnknownCandidate: x.unknowns,
        ProvisionalFeature: list(x.provisional.values()),
    }
    for cls, records in groups.items():
        assert records, cls.__name__
        back = pickle.loads(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == records
        assert {type(r) for r in back} == {cls}
    # a record whose optional fields keep their defaults
    e = Event("f", "opened", "actual", None, "unknown", "", "d", 0, 1, "q")
    assert pickle.loads(pickle.dumps(e)) == e
