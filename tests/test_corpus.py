"""The corpus reader on the five seeds and on bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from pathlib import Path

import pytest

from geo.cli import main
from geo.corpus import (
    DOCUMENT_MAX_BYTES,
    FRONT_MATTER_MAX_BYTES,
    PUBLISHED_RANGE,
    CorpusError,
    DocumentError,
    load_corpus,
    read_document,
)
from geo.errors import GeoError
from geo.schema import SENTENCE_MAX_CHARS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(SEEDS)


def test_seeds_load_with_dates_and_titles(corpus):
    docs = {d.doc_id[:3]: d for d in corpus}
    assert sorted(docs) == ["000", "001", "002", "003", "004"]
    assert docs["000"].published == dt.date(2021, 11, 12)
    assert docs["000"].published_precision == "day"
    assert docs["000"].date_source == "front matter"
    assert docs["000"].title == "廊坊北三县与北京城市副中心一体化发展工作机制日趋完善"
    assert docs["001"].published == dt.date(2023, 12, 29)
    assert docs["001"].date_source.startswith("date line")
    assert docs["001"].title == "最新消息!通北新区已成!北三县的“入京”新模式!"
    assert docs["002"].published.year == 2022
    assert docs["002"].published_precision in ("year", "month", "day")
    assert docs["002"].date_source.startswith("inferred")
    assert "2022" in docs["002"].date_source
    assert docs["002"].title == "2022年北京市推进京津冀协同发展工作要点发布"
    # 2022-02-13 14:07:55 +0800 is a Beijing-local date
    assert docs["003"].published == dt.date(2022, 2, 13)
    assert docs["003"].title == "打造京津冀协同发展高质量样板"
    assert docs["004"].published.year == 2024
    assert docs["004"].date_source.startswith("inferred")
    assert "2024" in docs["004"].date_source
    assert docs["004"].title == "平谷区奋力书写京津冀协同发展新篇章!"


def test_seed_checksums_match_raw_bytes(corpus):
    for d in corpus:
        assert d.sha256 == hashlib.sha256(d.path.read_bytes()).hexdigest()


def test_html_body_is_clean_and_chrome_kept_apart(corpus):
    d = corpus["000_3d649e88ccc955e5"]
    assert not re.search(r"<[a-zA-Z/!][^>]*>", d.text)
    assert "appendQr" not in d.text
    assert "{" not in d.text
    assert "&#123;" not in d.text
    assert "海量资讯、精准解读，尽在新浪财经APP" in d.extra
    assert "海量资讯" not in d.text
    assert "北京地铁22号线（平谷线）已于6月份开工建设" in d.text
    assert "\n\n" in d.text  # paragraphs survive


def test_site_chrome_of_plain_text_seeds(corpus):
    d1 = corpus["001_465c5db6c08d56d6"]
    assert "最新发布的资讯动态" in d1.extra
    assert "皓月雅苑" in d1.extra
    assert "皓月雅苑" not in d1.text
    assert "扫一扫" not in d1.text
    assert "阅读:316" not in d1.text
    d4 = corpus["004_dd9bcb777b224278"]
    assert "免责声明" in d4.extra
    assert "免责声明" not in d4.text
    assert "您的位置" in d4.extra
    assert "您的位置" not in d4.text
    # the teaser that repeats the first paragraph is chrome, the paragraph itself is body
    assert d4.text.count("2024年是京津冀协同发展战略实施十周年") == 2  # first para + closing para
    d3 = corpus["003_bb710759ebdae3be"]
    assert "返回首页" in d3.extra
    assert "返回首页" not in d3.text
    assert d3.source.get("url", "").startswith("http://finews.zning.xyz/")
    assert "二维码就可办理" in d3.text  # body sentence mentioning a QR code stays


def test_sentence_and_paragraph_offsets(corpus):
    for d in corpus:
        assert d.sentences
        assert d.paragraphs
        for s, e in d.sentences:
            sent = d.text[s:e]
            assert sent
            assert sent == sent.strip()
        for s, e in d.paragraphs:
            assert "\n" not in d.text[s:e]
        starts = [s for s, _ in d.sentences]
        assert starts == sorted(starts)
    d = corpus["000_3d649e88ccc955e5"]
    target = "北京潞河中学三河校区、北京实验学校三河校区10月12日挂牌成立"
    i = d.text.index(target)
    s, e = d.sentence_at(i)
    assert target in d.text[s:e]
    assert d.text[s:e].endswith("。")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


GOOD = "---\ntitle: 测试\ndate: 2023-05-06\n---\n厂通路于今年9月开工建设。\n"


def test_encodings(tmp_path):
    text = "标题：京唐城际铁路\n\n时间:2022-12-30 10:00\n\n京唐城际铁路开通运营，燕郊站投入使用。\n"
    _write(tmp_path, "gbk.txt", text.encode("gbk"))
    _write(tmp_path, "gb18030.txt", text.encode("gb18030"))
    big5 = "京唐城際鐵路開通運營，燕郊站投入使用。平谷線正在建設。\n時間:2022-12-30\n"
    _write(tmp_path, "big5.txt", big5.encode("big5"))
    _write(tmp_path, "bom.md", b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    c = load_corpus(tmp_path)
    assert not c.warnings
    d = {x.doc_id: x for x in c}
    assert d["gbk"].encoding in ("gb18030", "gbk")
    assert "京唐城际铁路开通运营" in d["gbk"].text
    assert d["gbk"].published == dt.date(2022, 12, 30)
    assert d["big5"].encoding == "big5"
    assert "京唐城際鐵路開通運營" in d["big5"].text  # kept as written
    assert d["bom"].title == "测试"
    assert d["bom"].published == dt.date(2023, 5, 6)
    assert d["bom"].text.startswith("厂通路")


def test_bad_files_warn_and_others_still_load(tmp_path):
    _write(tmp_path, "good.md", GOOD.encode())
    _write(tmp_path, "empty.txt", b"")
    _write(tmp_path, "blank.txt", b"  \n\n ")
    _write(tmp_path, "binary.txt", bytes(range(256)) * 8)
    _write(tmp_path, "unterminated.md", b"---\ntitle: x\ndate: 2022-01-01\n\nbody without closing\n")
    _write(tmp_path, "badyaml.md", b"---\ntitle: [unclosed\n---\nbody\n")
    _write(tmp_path, "garbage.txt", bytes([0xFF, 0xFE, 0xFD]) * 50 + b"\x81")
    _write(tmp_path, "ignored.pdf", b"%PDF-1.4")
    c = load_corpus(tmp_path)
    assert [d.doc_id for d in c] == ["good"]
    msgs = "\n".join(c.warnings)
    assert re.search(r"empty\.txt: skipped: is empty", msgs)
    assert re.search(r"blank\.txt: skipped: is empty", msgs)
    assert re.search(r"binary\.txt: skipped: is binary", msgs)
    assert re.search(r"unterminated\.md: skipped: front matter .* never closed", msgs)
    assert re.search(r"badyaml\.md: skipped: front matter is not valid YAML", msgs)
    assert re.search(r"garbage\.txt: skipped: ", msgs)
    assert "ignored.pdf" not in msgs


def test_unreadable_file(tmp_path, monkeypatch):
    _write(tmp_path, "good.md", GOOD.encode())
    (tmp_path / "dir.txt").mkdir()  # a folder with a document suffix is not a file: ignored
    bad = _write(tmp_path, "locked.txt", GOOD.encode())
    real = Path.open

    def open_(self, *args, **kwargs):  # tests run as root, where permission bits do not stop a read
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    c = load_corpus(tmp_path)
    assert [d.doc_id for d in c] == ["good"]
    assert any(w.startswith(str(bad)) and "skipped: cannot be read: Permission denied" in w for w in c.warnings)


def test_date_inferred_without_any_date(tmp_path):
    p = _write(
        tmp_path,
        "nodate.txt",
        "通州区交通建设综述\n\n2019年厂通路开始规划，2021年开工建设，预计2030年完工。\n".encode(),
    )
    d = read_document(p, today=dt.date(2026, 1, 1))
    assert d.published == dt.date(2021, 1, 1)
    assert d.published_precision == "year"
    assert d.date_source.startswith("inferred")
    assert "2021年开工建设" in d.date_source


def test_missing_and_empty_corpus(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusError, match="holds no documents"):
        load_corpus(tmp_path)
    _write(tmp_path, "empty.txt", b"")
    with pytest.raises(CorpusError, match="no readable documents"):
        load_corpus(tmp_path)


def test_cli_corpus_json(capsys):
    assert main(["corpus", "--corpus", str(SEEDS), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    docs = {d["doc_id"][:3]: d for d in out["documents"]}
    assert docs["000"]["published"] == "2021-11-12"
    assert docs["001"]["published"] == "2023-12-29"
    assert docs["002"]["published"].startswith("2022")
    assert docs["002"]["published_precision"] == "year"
    assert docs["003"]["published"] == "2022-02-13"
    assert docs["004"]["published"].startswith("2024")
    assert all(d["characters"] > 1000 for d in docs.values())


def test_cli_table_and_errors(capsys, tmp_path):
    assert main(["corpus", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "000_3d649e88ccc955e5" in out
    assert "2021-11-12" in out
    assert main(["corpus", "--corpus", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err
    assert "missing" in err
    with pytest.raises(SystemExit) as exc:
        main(["corpus", "--bogus"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "corpus" in capsys.readouterr().out


def test_python_dash_m_geo_runs():
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "geo", "corpus", "--corpus", str(SEEDS), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["documents"]) == 5


# "billion laughs": nine levels of nine aliases each, 9**9 strings once expanded (< 1 KB as text)
BOMB = """---
title: 京唐城际铁路开通
lol: &a0 ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]
a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
a7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
tags: [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
date: 2023-05-06
---
京唐城际铁路开通运营。
"""


def test_billion_laughs_front_matter_is_skipped_quickly(tmp_path):
    assert len(BOMB.encode()) < 1024
    _write(tmp_path, "good.md", GOOD.encode())
    _write(tmp_path, "bomb.md", BOMB.encode())
    _write(tmp_path, "later.md", GOOD.replace("测试", "测试二").encode())
    t0 = time.perf_counter()
    c = load_corpus(tmp_path)
    assert time.perf_counter() - t0 < 1.0
    assert [d.doc_id for d in c] == ["good", "later"]
    (msg,) = [w for w in c.warnings if "bomb.md" in w]
    assert msg.startswith(str(tmp_path / "bomb.md"))
    assert "skipped" in msg
    assert "anchors and aliases are not allowed" in msg
    with pytest.raises(DocumentError, match="anchors and aliases"):
        read_document(tmp_path / "bomb.md")


def test_oversized_front_matter_is_skipped(tmp_path):
    _write(tmp_path, "good.md", GOOD.encode())
    big = "---\ntitle: 大\n" + "".join(f"k{i}: {'字' * 40}\n" for i in range(600)) + "---\n正文。\n"
    assert len(big.encode()) > FRONT_MATTER_MAX_BYTES
    _write(tmp_path, "big.md", big.encode())
    c = load_corpus(tmp_path)
    assert [d.doc_id for d in c] == ["good"]
    assert any("big.md: skipped: front matter" in w and "exceeds the limit" in w for w in c.warnings)


def test_corpus_errors_are_geo_errors():
    assert issubclass(CorpusError, GeoError)
    assert issubclass(CorpusError, ValueError)
    assert issubclass(DocumentError, GeoError)
    assert issubclass(DocumentError, ValueError)


def test_utf16_and_utf32_with_byte_order_mark(tmp_path):
    text = "---\ntitle: 京唐城际\ndate: 2022-12-30\n---\n京唐城际铁路开通运营，燕郊站投入使用。\n"
    _write(tmp_path, "le.md", text.encode("utf-16"))  # BOM + little-endian on this machine
    _write(tmp_path, "be.md", b"\xfe\xff" + text.encode("utf-16-be"))
    _write(tmp_path, "u32.md", text.encode("utf-32"))
    _write(
        tmp_path,
        "ascii16.txt",
        b"\xff\xfe" + "Jing-Tang intercity opened.\n\nA second paragraph.\n".encode("utf-16-le"),
    )
    _write(tmp_path, "broken16.txt", b"\xff\xfe" + "京唐".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    c = load_corpus(tmp_path)
    d = {x.doc_id: x for x in c}
    assert sorted(d) == ["ascii16", "be", "le", "u32"]
    for key in ("le", "be", "u32"):
        assert d[key].title == "京唐城际"
        assert d[key].published == dt.date(2022, 12, 30)
        assert d[key].text == "京唐城际铁路开通运营，燕郊站投入使用。"
    assert d["be"].encoding == "utf-16-be"
    assert d["u32"].encoding.startswith("utf-32")
    assert d["ascii16"].title == "Jing-Tang intercity opened."  # the short first line is the headline
    assert d["ascii16"].text == "A second paragraph."
    (msg,) = [w for w in c.warnings if "skipped" in w]
    assert msg.startswith(str(tmp_path / "broken16.txt") + ": skipped: has a UTF-16 byte-order mark but is not valid")


@pytest.mark.parametrize("suffix", [".html", ".md", ".txt"])
def test_character_references_are_decoded_once(tmp_path, suffix):
    body = (
        "<p>标准写作 &amp;lt;b&amp;gt; 与 &amp;amp; 。</p>\n"
        if suffix == ".html"
        else "标准写作 &amp;lt;b&amp;gt; 与 &amp;amp; 。\n"
    )
    p = _write(
        tmp_path, "refs" + suffix, ("---\ntitle: 标题 &amp;lt;x&amp;gt;\ndate: 2023-01-02\n---\n" + body).encode()
    )
    d = read_document(p)
    assert d.text == "标准写作 &lt;b&gt; 与 &amp; 。"
    assert d.title == "标题 &lt;x&gt;"
    html_title = _write(tmp_path, "t.html", b"<title>A &amp;lt; B</title><p>\xe6\xad\xa3\xe6\x96\x87\xe3\x80\x82</p>")
    assert read_document(html_title).title == "A &lt; B"


def test_symlink_loops_dangling_links_and_special_files_are_reported(tmp_path):
    import os

    _write(tmp_path, "good.md", GOOD.encode())
    (tmp_path / "loop.md").symlink_to(tmp_path / "loop.md")
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    (tmp_path / "link.md").symlink_to(tmp_path / "good.md")  # a working link is read
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    (tmp_path / "sub.md").mkdir()  # subfolders are not read, nor reported
    c = load_corpus(tmp_path)
    assert [d.doc_id for d in c] == ["good", "link"]
    assert c.warnings == [
        f"{tmp_path / 'a.txt'}: skipped: is a symbolic link loop",
        f"{tmp_path / 'b.txt'}: skipped: is a symbolic link loop",
        f"{tmp_path / 'gone.md'}: skipped: is a dangling symbolic link (to {tmp_path / 'nowhere.md'})",
        f"{tmp_path / 'loop.md'}: skipped: is a symbolic link loop",
        f"{tmp_path / 'pipe.txt'}: skipped: is not a regular file (a device, pipe or socket)",
    ]
    with pytest.raises(DocumentError, match="not a regular file"):
        read_document(tmp_path / "pipe.txt")


def test_a_folder_of_only_broken_links_is_an_error_listing_them(tmp_path):
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(CorpusError, match=r"no readable documents:\n.*gone\.md: skipped: is a dangling symbolic link"):
        load_corpus(tmp_path)


def test_oversized_document_is_skipped_without_reading_it(tmp_path, monkeypatch):
    _write(tmp_path, "good.md", GOOD.encode())
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse: no disk used
        fh.truncate(DOCUMENT_MAX_BYTES + 1)
    c = load_corpus(tmp_path)
    assert [d.doc_id for d in c] == ["good"]
    assert c.warnings == [
        f"{big}: skipped: is {DOCUMENT_MAX_BYTES + 1:,} bytes, over the limit of {DOCUMENT_MAX_BYTES:,}"
    ]


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-12:00",  # OverflowError when converted to Beijing time
        "0001-01-01T00:00:00+14:00",
        "0000-01-01",
        "0000",
        "0000-05",
        "2024-01-01T00:00:00+99:00",  # an offset datetime refuses
        "Fri, 31 Dec 9999 23:59:59 -1200",
        "1850-01-01",
        "9999-12-30",
    ],
)
def test_unusable_front_matter_date_warns_and_the_corpus_still_loads(tmp_path, value):
    _write(tmp_path, "good.md", GOOD.encode())
    _write(tmp_path, "odd.md", f"---\ntitle: 奇怪的日期\ndate: '{value}'\n---\n厂通路于2024年9月29日通车。\n".encode())
    c = load_corpus(tmp_path, today=dt.date(2026, 1, 1))
    docs = {d.doc_id: d for d in c}
    assert sorted(docs) == ["good", "odd"]
    odd = docs["odd"]
    assert odd.published is None or PUBLISHED_RANGE[0] <= odd.published <= PUBLISHED_RANGE[1]
    assert odd.date_source != "front matter"
    (msg,) = c.warnings
    assert msg.startswith(f"{tmp_path / 'odd.md'}: front matter date {value!r} ")
    assert msg.endswith("; ignored")


def test_out_of_range_date_line_is_ignored_for_the_next_one(tmp_path):
    p = _write(tmp_path, "d.txt", "时间:9999-12-31 23:59\n\n时间:2023-12-29 17:56\n\n京唐城际铁路开通。\n".encode())
    d = read_document(p)
    assert d.published == dt.date(2023, 12, 29)
    assert d.date_source == "date line: 时间:2023-12-29 17:56"
    assert any("9999-12-31" in w and "is outside" in w for w in d.warnings)


def test_sentences_are_bounded_and_split_at_soft_breaks(tmp_path):
    clause = "京唐城际铁路燕郊站周边道路改造工程持续推进"  # 21 characters, no punctuation
    line = "，".join([clause] * 200) + "。"  # one 4,400-character sentence
    unbroken = "厂" * (SENTENCE_MAX_CHARS * 3 + 5)
    p = _write(tmp_path, "long.txt", f"标题\n\n{line}\n\n{unbroken}\n\n短句。\n".encode())
    d = read_document(p)
    assert max(e - s for s, e in d.sentences) <= SENTENCE_MAX_CHARS
    assert "".join(d.text[s:e] for s, e in d.sentences) == d.text.replace("\n", "")  # nothing lost
    long_parts = [d.text[s:e] for s, e in d.sentences if d.text[s:e].startswith(clause)]
    assert len(long_parts) >= 5
    assert all(part.endswith(("，", "。")) for part in long_parts)  # cut after a comma, not in a name
    assert d.text[d.sentences[-1][0] : d.sentences[-1][1]] == "短句。"
    assert any("split at that length" in w for w in d.warnings)


def test_long_title_and_source_fields_are_cut_with_a_warning(tmp_path):
    from geo.corpus import FIELD_MAX_CHARS

    p = _write(
        tmp_path,
        "long.md",
        (
            "---\ntitle: " + "长" * 5000 + "\nauthor: " + "作" * 3000 + "\ndate: 2023-05-06\n---\n厂通路开工建设。\n"
        ).encode(),
    )
    d = read_document(p)
    assert len(d.title) == FIELD_MAX_CHARS
    assert d.title.endswith("…")
    assert len(d.source["author"]) == FIELD_MAX_CHARS
    assert any("title of 5,000 characters cut" in w for w in d.warnings)
    assert any("source field 'author'" in w for w in d.warnings)
