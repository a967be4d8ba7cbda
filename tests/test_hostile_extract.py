"""Hostile input to the extractor and the date resolver (issue 11, items for extraction).

Dates at the edge of Python's calendar give a warning and an unknown date, never a crash;
``geo extract --json`` stays bounded (mentions cite sentences by offsets plus a capped
snippet; ``--full-text`` gives the whole sentence); work stays linear in document size;
fuzzing (hypothesis, fixed seed, bounded examples) of the date resolver and the extractor.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
import time

import pytest
from _extractdata import Doc

from geo.dates import YEAR_RANGE, find_dates, resolve_date
from geo.extract import extract
from geo.extract.records import SNIPPET_MAX
from geo.schema import SENTENCE_MAX_CHARS

D = dt.date
PUB = D(2024, 5, 20)


@pytest.fixture(scope="module")
def gaz(package_gazetteer):
    return package_gazetteer


@pytest.mark.parametrize(
    "text",
    [
        "9999年12月31日通车",
        "10000年1月1日开通",
        "0001年1月1日开工",
        "0年1月1日开工",
        "99999999999999999999年3月开工",
        "公元1年",
        "9999年12月",
        "9999年底前建成",
        "2024年13月40日通车",
        "2024年2月30日通车",
    ],
)
def test_dates_at_the_edge_of_the_calendar_are_unknown_not_a_crash(text, caplog):
    with caplog.at_level(logging.WARNING, logger="geo.dates"):
        for published in (PUB, None, D(9999, 12, 31), D(1, 1, 1)):
            for modality in ("actual", "expected"):
                got = resolve_date(text, published, modality=modality)
                assert got is None or YEAR_RANGE[0] <= got.date.year <= YEAR_RANGE[1], (text, got)
    if text.startswith(("9999", "1000", "0001", "0年", "9999999")):
        assert any("left unknown" in r.getMessage() or "outside" in r.getMessage() for r in caplog.records)


def test_relative_dates_near_the_end_of_the_calendar_do_not_overflow():
    for text in ("明年年底通车", "下月开通", "今年年内", "年底前", "下半年", "明天开通", "月底前"):
        for published in (D(9999, 12, 31), D(1, 1, 1), D(9999, 12, 1)):
            find_dates(text, published)  # no exception
            find_dates(text, published, modality="expected")


def test_a_page_without_punctuation_is_split_and_quotes_stay_bounded(gaz):
    body = ("厂通路" + "的" * 997) * 300  # 300 000 characters, no sentence end, 300 mentions
    t0 = time.perf_counter()
    x = extract([Doc("long", PUB, body)], gaz)
    elapsed = time.perf_counter() - t0
    ms = [m for m in x.mentions if m.feature_id == "road-changtong"]
    assert len(ms) == 300
    for m in ms:
        assert len(m.sentence) <= SNIPPET_MAX + 2
        assert m.sentence_end - m.sentence_start <= SENTENCE_MAX_CHARS
        assert m.sentence_start <= m.start < m.end <= m.sentence_end
    assert all(len(e.quote) <= SENTENCE_MAX_CHARS for e in x.events)
    # linear: ten times the text takes about ten times as long, never a hundred
    x10_doc = Doc("long10", PUB, body * 4)
    t0 = time.perf_counter()
    extract([x10_doc], gaz)
    assert time.perf_counter() - t0 < 4 * 6 * max(elapsed, 0.05)


def test_extract_json_cites_offsets_and_full_text_on_request(tmp_path):
    sentence = "厂通路" + "，沿线" * 200 + "，全线通车。"  # 609 characters: over the snippet cap
    (tmp_path / "a.md").write_text(f"---\ntitle: 长句\ndate: 2024-05-20\n---\n{sentence}\n", encoding="utf-8")
    geo = [sys.executable, "-m", "geo"]

    def run(*extra):
        r = subprocess.run(
            [*geo, "extract", "--corpus", str(tmp_path), "--json", *extra], capture_output=True, text=True
        )
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    short = run()
    m = next(m for m in short["mentions"] if m["feature_id"] == "road-changtong")
    assert len(m["sentence"]) <= SNIPPET_MAX + 2
    assert m["sentence"].startswith("厂通路")
    assert m["sentence_end"] - m["sentence_start"] == len(sentence)
    full = run("--full-text")
    m = next(m for m in full["mentions"] if m["feature_id"] == "road-changtong")
    assert m["sentence"] == sentence


# ---------------------------------------------------------------------------------------------
# fuzzing (hypothesis, fixed seed, bounded examples)

_DATE_FRAGMENTS = [
    "2024年",
    "9999年",
    "0年",
    "1900年",
    "2100年",
    "二〇二四年",
    "12月",
    "13月",
    "2月",
    "29日",
    "31日",
    "0日",
    "上午",
    "下午",
    "晚间",
    "时",
    "目前",
    "日前",
    "近日",
    "昨天",
    "今天",
    "明年",
    "月底",
    "年内",
    "下半年",
    "年底前",
    "至",
    "—",
    "-",
    "初",
    "中旬",
    "份",
    "新华社北京3月2日电",
    "第",
    "版",
    "，",
    "。",
    "通车",
    "开工",
]
_DOC_FRAGMENTS = [
    *_DATE_FRAGMENTS,
    "厂通路",
    "京唐城际铁路",
    "燕郊站",
    "通州区",
    "三河市",
    "香河县",
    "某某路",
    "甲乙大桥",
    "801、802、805路",
    "818快",
    "522支路",
    "定制快巴",
    "8号线(甲站—乙站)",
    "与",
    "同步",
    "将于",
    "力争",
    "试运营",
    "停运",
    "暂停",
    "通车并正式贯通",
    "将基本具备开通条件",
    "双向八车道",
    "仅需8分钟",
    "3对",
    "40班次",
    "「",
    "」",
    "(",
    ")",
    "、",
    "\n",
    "\n\n",
    " ",
    "\u3000",
    "🙂",
    "\x00",
    "<script>",
    "{{7*7}}",
]


def _text(fragments):
    from hypothesis import strategies as st

    return st.lists(st.one_of(st.sampled_from(fragments), st.text(max_size=8)), max_size=30).map("".join)


def _settings(n):
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=n,
        derandomize=True,  # a fixed seed: the same examples on every run
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def test_date_resolver_fuzz():
    from hypothesis import given
    from hypothesis import strategies as st

    published = st.one_of(st.none(), st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)))

    @_settings(400)
    @given(_text(_DATE_FRAGMENTS), published, st.sampled_from(["actual", "expected"]))
    def check(text, pub, modality):
        found = find_dates(text, pub, modality=modality)
        last = 0
        for s, e, rd in found:
            assert last <= s < e <= len(text)
            last = s
            # an explicit year lies in YEAR_RANGE; a date counted from the publication date near it
            near = pub is not None and abs(rd.date.year - pub.year) <= 2
            assert near or YEAR_RANGE[0] <= rd.date.year <= YEAR_RANGE[1], (text, pub, rd)
            if rd.end is not None:
                assert rd.date <= rd.end
            if pub is None:
                assert rd.basis != "reported"

    check()


def test_extractor_fuzz(gaz):
    from hypothesis import given
    from hypothesis import strategies as st

    published = st.one_of(st.none(), st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31)))

    @_settings(150)
    @given(st.lists(st.tuples(_text(_DOC_FRAGMENTS), published), min_size=1, max_size=3))
    def check(docs):
        corpus = [Doc(f"d{i}", pub, text) for i, (text, pub) in enumerate(docs)]
        x = extract(corpus, gaz)
        assert not x.warnings  # no document made the extractor fail
        texts = {d.doc_id: d.text for d in corpus}
        for m in x.mentions:
            assert texts[m.doc_id][m.start : m.end] == m.surface
        for e in x.events:
            assert 0 <= e.start <= e.end <= len(texts[e.doc_id])
            if e.date is not None:
                assert YEAR_RANGE[0] <= e.date.year <= YEAR_RANGE[1]
        for fid in x.provisional:
            assert fid.startswith("prov-")
        json.dumps(x.to_json(), ensure_ascii=False)

    check()
