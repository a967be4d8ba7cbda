"""Reading a corpus of policy news documents.

A corpus is a folder of ``.txt``, ``.md``, ``.html`` and ``.htm`` files: Chinese
news as it is found on the web, with or without YAML front matter, with HTML or
plain-text bodies, in UTF-8 (with or without BOM), GB18030/GBK or Big5. Each file
becomes a :class:`Document` whose ``text`` is the clean body (paragraphs separated
by blank lines) with paragraph and sentence offsets, so any span of ``text`` can
be quoted and cited. Site chrome (navigation, QR-code blurbs, disclaimers,
"latest news" lists) is kept apart in ``extra``.

A bad file (empty, binary, undecodable, over :data:`DOCUMENT_MAX_BYTES`, broken
front matter, unreadable, a symbolic-link loop or dangling link, not a regular file)
is skipped with a warning naming the file and the reason; the other documents
still load. Front matter is read with :func:`geo.io.load_yaml`: every value stays
text, and a block over 64 kB or with YAML anchors/aliases (which can expand
exponentially) is refused, so its document is skipped. A date that cannot be
represented or lies outside :data:`PUBLISHED_RANGE` is ignored with a warning.

Reading is linear in the size of a file, whatever its markup: HTML goes through a
streaming tokenizer (not :mod:`html.parser`, which is quadratic on some malformed
input), and a sentence longer than :data:`geo.schema.SENTENCE_MAX_CHARS` is split.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import email.utils
import errno
import hashlib
import html
import logging
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import CorpusError, DocumentError, YAMLError
from geo.io import load_yaml
from geo.schema import SENTENCE_MAX_CHARS

logger = logging.getLogger(__name__)

__all__ = [
    "DOCUMENT_MAX_BYTES",
    "FIELD_MAX_CHARS",
    "FRONT_MATTER_MAX_BYTES",
    "PUBLISHED_RANGE",
    "SUFFIXES",
    "Corpus",
    "CorpusError",
    "Document",
    "DocumentError",
    "load_corpus",
    "read_document",
    "trim_span",
]

#: File suffixes read as documents.
SUFFIXES = (".txt", ".md", ".html", ".htm")
#: Largest front matter read (UTF-8 bytes); a document with more is skipped.
FRONT_MATTER_MAX_BYTES = 64_000
#: Largest document read (bytes on disk); a larger file is skipped without being read.
DOCUMENT_MAX_BYTES = 16 * 1024 * 1024
#: Longest title or source field (author, outlet, url, each tag) kept; longer ones are cut
#: with a warning.
FIELD_MAX_CHARS = 500
_BEIJING = _dt.timezone(_dt.timedelta(hours=8))


@dataclass
class Document:
    """One news document.

    Attributes
    ----------
    doc_id : str
        File stem, e.g. ``"000_3d649e88ccc955e5"``.
    path : pathlib.Path
        The file.
    sha256 : str
        SHA-256 of the raw bytes.
    title : str
        From the front matter, the HTML ``<title>``/``<h1>``, or the first line.
    published : datetime.date or None
        Publication date (Beijing local date, UTC+8).
    published_precision : str
        ``day``, ``month``, ``year`` or ``unknown``.
    date_source : str
        Where the date came from: ``front matter``, ``date line: …`` or
        ``inferred from …: "<evidence>"``.
    source : dict
        Source fields when present: author, outlet, url, categories, tags.
    text : str
        Clean body text; paragraphs separated by ``"\\n\\n"``; traditional
        characters kept as written.
    extra : str
        Site chrome kept apart from the body (one item per line).
    paragraphs, sentences : list of (int, int)
        Offsets into ``text``; ``text[start:end]`` is the paragraph/sentence.
    encoding : str
        The encoding the file was decoded with.
    warnings : list of str
        Problems met while reading that did not stop it.
    """

    doc_id: str
    path: Path
    sha256: str
    title: str
    published: _dt.date | None
    published_precision: str
    date_source: str
    source: dict
    text: str
    extra: str
    paragraphs: list[tuple[int, int]]
    sentences: list[tuple[int, int]]
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)

    def sentence_at(self, offset: int) -> tuple[int, int]:
        """The (start, end) of the sentence containing character ``offset``."""
        i = bisect.bisect_right(self.sentences, offset, key=lambda span: span[0]) - 1
        if 0 <= i < len(self.sentences) and self.sentences[i][0] <= offset < self.sentences[i][1]:
            return self.sentences[i]
        for p0, p1 in self.paragraphs:
            if p0 <= offset < p1:
                return (p0, p1)
        return (offset, offset)

    def to_dict(self, *, with_text: bool = False) -> dict:
        """A JSON-serialisable summary (the text itself only when asked)."""
        out = {
            "doc_id": self.doc_id,
            "path": str(self.path),
            "sha256": self.sha256,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "published_precision": self.published_precision,
            "date_source": self.date_source,
            "source": self.source,
            "encoding": self.encoding,
            "characters": len(self.text),
            "paragraphs": len(self.paragraphs),
            "sentences": len(self.sentences),
            "warnings": list(self.warnings),
        }
        if with_text:
            out["text"] = self.text
            out["extra"] = self.extra
        return out


@dataclass
class Corpus:
    """The documents of a corpus folder, sorted by ``doc_id``, and the warnings."""

    path: Path
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)

    def __getitem__(self, doc_id: str) -> Document:
        for d in self.documents:
            if d.doc_id == doc_id:
                return d
        raise KeyError(f"no document {doc_id!r} in corpus {self.path}")


# ---------------------------------------------------------------------------
# decoding

_COMMON = set(
    "的一是不了人在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可年生自会那后能对着事其里"
    "所去行过家十用发天如然作方成者多日都三小二无同经法当起与好看学进种将还分此心前面又定见只主没公从"
    "這為來個們說國時會後對著裡過發無經當與學進種將還從區縣鐵線務協發展設開實現綜"
    "京市区县路河北通州发展建设工作推进协同交通一体化高质量示范项目服务"
)


def _score(text: str) -> float:
    if not text:
        return 0.0
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    common = sum(1 for c in text if c in _COMMON)
    bad = sum(1 for c in text if c == "\ufffd" or ("\ue000" <= c <= "\uf8ff"))
    return (common + 0.1 * cjk - 5 * bad) / len(text)


# byte-order marks, longest first (the UTF-32-LE mark starts with the UTF-16-LE one)
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)


def _decode(raw: bytes) -> tuple[str, str]:
    """Decode ``raw``; returns (text, encoding) or raises DocumentError (binary data included)."""
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    f"has a {label} byte-order mark but is not valid {label} ({exc.reason} at byte {exc.start + len(bom)})"
                ) from None
            if _looks_binary_text(text):
                raise DocumentError("is binary, not text")
            return text, "utf-8-sig" if label == "UTF-8" else codec
    if _looks_binary(raw):
        raise DocumentError("is binary, not text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for enc in ("gb18030", "big5"):
        try:
            candidates.append((_score(raw.decode(enc)), enc))
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise DocumentError("cannot be decoded as UTF-8, GB18030/GBK or Big5")
    candidates.sort(reverse=True)
    best_score, enc = candidates[0]
    text = raw.decode(enc)
    if best_score <= 0.02:
        raise DocumentError(f"does not look like Chinese or English text in any supported encoding (best guess {enc})")
    return text, enc


def _looks_binary(raw: bytes) -> bool:
    """Bytes without a byte-order mark: NUL bytes or many control bytes."""
    if b"\x00" in raw[:8192]:
        return True
    sample = raw[:4096]
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return len(sample) > 0 and ctrl / len(sample) > 0.05


def _looks_binary_text(text: str) -> bool:
    """Decoded text (after a byte-order mark): NUL characters or many control characters."""
    sample = text[:4096]
    if "\x00" in sample:
        return True
    ctrl = sum(1 for c in sample if c < "\t" or "\r" < c < " ")
    return len(sample) > 0 and ctrl / len(sample) > 0.05


# ---------------------------------------------------------------------------
# front matter

_FM_RE = re.compile(r"\A\s*---[ \t]*\r?\n")


def _split_front_matter(text: str, *, where: str) -> tuple[dict | None, str]:
    """Split YAML front matter off ``text`` (of file ``where``); raises DocumentError if it
    is broken, too large or uses anchors/aliases."""
    m = _FM_RE.match(text)
    if not m:
        return None, text
    rest = text[m.end() :]
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", rest, re.M)
    if end is None:
        raise DocumentError("front matter starts with '---' but is never closed")
    block = rest[: end.start()]
    body = rest[end.end() :]
    try:
        data = load_yaml(block, where=where, max_bytes=FRONT_MATTER_MAX_BYTES, scalars_as_text=True)
    except YAMLError as exc:
        raise DocumentError(f"front matter is not valid YAML: {str(exc).removeprefix(f'{where}: ')}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DocumentError("front matter is not a mapping of fields")
    return data, body


#: Publication dates accepted (inclusive); a date outside is ignored with a warning, so that
#: relative dates resolved against it ("明年", "去年") stay within Python's date range.
PUBLISHED_RANGE = (_dt.date(1900, 1, 1), _dt.date(2099, 12, 31))


def _parse_datetime(value: str) -> tuple[_dt.date, str] | None:
    """Parse RFC 2822 or ISO-like dates; return (Beijing-local date, precision), or None when
    the text is no date or names one Python cannot represent (year 0, a 99-hour offset,
    9999-12-31 converted to UTC+8)."""
    try:
        return _parse_datetime_unguarded(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _parse_datetime_unguarded(value: str) -> tuple[_dt.date, str] | None:
    value = value.strip().strip("'\"")
    if not value:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(value)
        if dt is not None:
            if dt.tzinfo is not None:
                dt = dt.astimezone(_BEIJING)
            return dt.date(), "day"
    except (TypeError, ValueError, IndexError):
        pass
    m = re.match(
        r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
        r"\s*(Z|[+-]\d{2}:?\d{2})?",
        value,
    )
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        dt = _dt.datetime(y, mo, d, int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
        tz = m[7]
        if tz:
            if tz == "Z":
                dt = dt.replace(tzinfo=_dt.UTC)
            else:
                sign = 1 if tz[0] == "+" else -1
                hh, mm = int(tz[1:3]), int(tz[-2:])
                dt = dt.replace(tzinfo=_dt.timezone(sign * _dt.timedelta(hours=hh, minutes=mm)))
            dt = dt.astimezone(_BEIJING)
        return dt.date(), "day"
    m = re.match(r"(\d{4})[-/.年](\d{1,2})月?$", value)
    if m and 1 <= int(m[2]) <= 12:
        return _dt.date(int(m[1]), int(m[2]), 1), "month"
    m = re.match(r"(\d{4})年?$", value)
    if m:
        return _dt.date(int(m[1]), 1, 1), "year"
    return None


def _published(value: str) -> tuple[tuple[_dt.date, str] | None, str]:
    """A publication date from text: (parsed or None, the reason it is unusable)."""
    parsed = _parse_datetime(value)
    if parsed is None:
        return None, "could not be parsed"
    first, last = PUBLISHED_RANGE
    if not first <= parsed[0] <= last:
        return None, f"is outside {first.isoformat()} to {last.isoformat()}"
    return parsed, ""


# ---------------------------------------------------------------------------
# HTML to text

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "figcaption",
    "nav",
    "aside",
    "main",
    "title",
}
_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "head"}
_CHROME_TAGS = {"nav", "footer", "aside"}
_CHROME_CLASS = re.compile(r"qr|share|editor|footer|nav|breadcrumb|copyright|recommend|related|comment", re.I)


class _HTMLText:
    """Collect text with block breaks; text inside chrome-looking elements is marked.

    Receives the events of :func:`_scan_html`. Whether an element is chrome is kept as a
    count of the chrome elements open, so every event costs O(1) however deep the nesting.
    """

    def __init__(self) -> None:
        self.parts: list[tuple[str, bool]] = []  # (text, is_chrome)
        self._drop = 0
        self._chrome_stack: list[bool] = []
        self._chrome_open = 0  # how many entries of _chrome_stack are True
        self.title = ""
        self.h1 = ""
        self._in_title = False
        self._in_h1 = False

    def _chrome(self) -> bool:
        return self._chrome_open > 0

    def _break(self) -> None:
        # consecutive breaks only make empty lines, which are dropped: keep one
        if not self.parts or self.parts[-1][0] != "\n":
            self.parts.append(("\n", self._chrome()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_TAGS:
            self._drop += 1
            return
        if tag in ("br", "hr"):
            self._break()
            return
        if tag in _BLOCK_TAGS:
            cls = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
            is_chrome = tag in _CHROME_TAGS or bool(_CHROME_CLASS.search(cls))
            self._chrome_stack.append(is_chrome)
            self._chrome_open += is_chrome
            self._break()
        if tag == "title":
            self._in_title = True
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_TAGS:
            self._drop = max(0, self._drop - 1)
            return
        if tag in _BLOCK_TAGS and tag not in ("br", "hr"):
            self._break()
            if self._chrome_stack:
                self._chrome_open -= self._chrome_stack.pop()
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self._break()

    def handle_data(self, data: str) -> None:
        if self._drop:
            if self._in_title:
                self.title += data
            return
        if self._in_title:
            self.title += data
            return
        if self._in_h1:
            self.h1 += data
        self.parts.append((data, self._chrome()))


# The tokenizer below replaces html.parser.HTMLParser, whose handling of malformed input
# (thousands of unclosed "<a" or "<!--") is quadratic on the Python versions we support
# (CPython issue gh-135462, CVE-2025-6069). Every step here moves past what it scanned, so
# reading is linear in the size of the markup. It reports the events HTMLParser reported
# (lower-case tag names, unescaped text and attribute values, script/style as raw text).
_TAG_NAME = re.compile(r"[A-Za-z][^\t\n\r\f />\x00]*+")
# a start tag's end, skipping ">" inside quoted attribute values (atomic: no backtracking)
_TAG_END_QUOTED = re.compile(r"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")
_ATTR = re.compile(r"""(?P<name>[^\s/>="']++)(?:\s*+=\s*+(?:"(?P<dq>[^"]*+)"|'(?P<sq>[^']*+)'|(?P<uq>[^\s>]*+)))?+""")
_RAW_TEXT_END = {tag: re.compile(rf"</{tag}(?=[\s/>])", re.I) for tag in ("script", "style")}


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _attrs(text: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for m in _ATTR.finditer(text):
        value = m["dq"] if m["dq"] is not None else m["sq"] if m["sq"] is not None else m["uq"]
        out.append((m["name"].lower(), None if value is None else html.unescape(value)))
    return out


def _scan_html(markup: str, out: _HTMLText) -> None:
    """Feed the tags and text of ``markup`` to ``out`` in one linear pass."""
    n = len(markup)
    i = 0
    quoted = True  # False once a quote-aware tag-end search failed: plain ">" from then on
    while i < n:
        lt = markup.find("<", i)
        if lt < 0:
            out.handle_data(_unescape(markup[i:]))
            return
        if lt > i:
            out.handle_data(_unescape(markup[i:lt]))
        i = lt
        nxt = markup[i + 1 : i + 2]
        if markup.startswith("<!--", i):
            end = markup.find("-->", i + 4)
            if end < 0:
                return  # a comment left open runs to the end of the document
            i = end + 3
            continue
        if nxt in ("!", "?"):  # declaration, CDATA or processing instruction
            end = markup.find(">", i + 2)
            if end < 0:
                return
            i = end + 1
            continue
        if nxt == "/":
            m = _TAG_NAME.match(markup, i + 2)
            end = markup.find(">", i + 2)
            if end < 0:
                out.handle_data(_unescape(markup[i:]))
                return
            if m is not None:
                out.handle_endtag(m.group().lower())
            i = end + 1  # "</>" and bogus "</ ...>" are dropped
            continue
        m = _TAG_NAME.match(markup, i + 1)
        if m is None:  # "<" not starting a tag is text
            out.handle_data("<")
            i += 1
            continue
        tag = m.group().lower()
        end_m = _TAG_END_QUOTED.match(markup, m.end()) if quoted else None
        if end_m is not None:
            end = end_m.end() - 1
        else:
            quoted = False
            end = markup.find(">", m.end())
            if end < 0:  # a tag never closed: the rest is text, as HTMLParser reads it
                out.handle_data(_unescape(markup[i:]))
                return
        inner = markup[m.end() : end]
        attrs = _attrs(inner) if tag in _BLOCK_TAGS else []  # only block elements' class/id matter
        if inner.endswith("/"):
            out.handle_startendtag(tag, attrs)
            i = end + 1
            continue
        out.handle_starttag(tag, attrs)
        i = end + 1
        raw_end = _RAW_TEXT_END.get(tag)
        if raw_end is not None:  # script/style: raw text up to the closing tag
            close = raw_end.search(markup, i)
            stop = close.start() if close else n
            if stop > i:
                out.handle_data(markup[i:stop])
            i = stop


_HTML_HINT = re.compile(r"<\s*(p|div|br|span|font|html|body|article|section|h[1-6]|table|li|ul)\b[^<>]{0,2000}>", re.I)


def _html_to_lines(markup: str) -> tuple[list[tuple[str, bool]], str]:
    """Return (lines with chrome flag, title-or-h1) for an HTML fragment or page.

    Text and the title come back unescaped once (``&amp;lt;`` reads ``&lt;``).
    """
    parser = _HTMLText()
    _scan_html(markup, parser)
    lines: list[tuple[str, bool]] = []
    buf: list[str] = []
    chrome = False
    for text, is_chrome in parser.parts:
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i > 0:
                lines.append(("".join(buf), chrome))
                buf, chrome = [], False
            if piece.strip():
                buf.append(piece)
                chrome = chrome or is_chrome
    lines.append(("".join(buf), chrome))
    title = (parser.h1 or parser.title).strip()
    return lines, title


# ---------------------------------------------------------------------------
# chrome detection (line level)

_CHROME_LINE = [
    re.compile(r"^(您的位置|当前位置|您现在的位置|你的位置|首页\s*[>›»＞])"),
    re.compile(
        r"^.{0,30}(扫一扫|手机访问|扫描二维码|扫码|下载.{0,6}(APP|客户端)|尽在.{0,12}(APP|客户端)).{0,30}$", re.I
    ),
    re.compile(r"^[（(]?(文章)?来源[\s:：][^。]{1,40}$"),
    re.compile(r"^(本报|本台|新华社|特约)?(记者|通讯员|撰稿|文/|文\s|图/)[\s:：]*[\u4e00-\u9fff·、\s]{2,16}$"),
    re.compile(r"^(免责声明|声明[:：]|版权声明|责任编辑|编辑[:：]|本文来源|原标题[:：])"),
    re.compile(r"(本站不对|版权归原作者|本站作为信息内容发布平台|不代表本站立场)"),
    re.compile(r"^(时间|发布时间|日期|来源|阅读|浏览)[:：].{0,40}(阅读|浏览|来源|编辑)[:：]?"),
    re.compile(r"^【[^】]{0,10}\|?】.{0,200}\(\d{4}-\d{2}-\d{2}[^)]{0,40}\)$"),  # bounded: ".*" was quadratic
    re.compile(r"^\[[^\]]*\]\([^)]*\)(\s*[|｜]\s*\[[^\]]*\]\([^)]*\))*$"),
    re.compile(r"^<?https?://\S+>?$"),
    re.compile(r"^(上一篇|下一篇|返回首页|返回顶部|打印本页|关闭窗口|分享到)"),
]
_TRAILER_START = re.compile(
    r"^(最新发布的资讯|为您推荐|相关阅读|相关新闻|热门推荐|延伸阅读|猜你喜欢|推荐阅读|更多精彩)"
)
_JUNK_TOKEN = re.compile(r"^[0-9A-Za-z_\-]{6,}$")
_SUMMARY = re.compile(r"^摘要[:：]")
_DATE_LINE = re.compile(
    r"(?:时间|時間|发布时间|發布時間|发布日期|發布日期|日期|发表于|發表於|更新时间|更新時間)\s*[:：]\s*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)"
)

#: A line that opens with the full date and goes on with the source or author (``2025年9月12日
#: 来源：北京日报``, ``2025-09-12 10:30 | 作者：某某``), as news pages print under the headline.
_DATE_SOURCE_LINE = re.compile(
    r"^\s*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)\s*(?:[|｜]\s*)?"
    r"(?:来源|來源|作者|编辑|編輯|责任编辑|責任編輯|字号|字號|浏览|瀏覽|阅读|閱讀|发布者|發布者|发布单位|發布單位)\s*[:：\s]"
)
#: A line that is only the full date: the date an official notice is signed with, at its end
#: (``北京公交集团`` / ``2025年6月20日``).
_SIGNATURE_DATE = re.compile(r"^\s*(\d{4}年\d{1,2}月\d{1,2}日)\s*$")
#: How many of the last body paragraphs may hold the signature date.
_SIGNATURE_LINES = 3


def _date_line(line: str) -> re.Match[str] | None:
    """The date of a date line (``发布时间：2025-06-20``, ``2025年9月12日 来源：…``), or None."""
    return _DATE_LINE.search(line) or _DATE_SOURCE_LINE.match(line)


def _strip_line(line: str, *, unescape: bool) -> str:
    """Tidy one line; ``unescape`` decodes character references (plain text and Markdown
    only: the HTML reader has decoded them already, and decoding twice would turn
    ``&amp;lt;`` into ``<``)."""
    if unescape:
        line = html.unescape(line)
    line = line.replace("\u00a0", " ").replace("\u200b", "")
    line = _LEADING.sub("", line)
    line = line.rstrip()  # str.rstrip, not a regex: "[\s]+$" is quadratic on long blank runs
    return re.sub(r"[ \t]{2,}", " ", line)


_LEADING = re.compile(r"^[\s\u3000•·●◆■]+")


def _is_chrome(line: str) -> bool:
    return any(p.search(line) for p in _CHROME_LINE) or bool(_JUNK_TOKEN.match(line))


def _split_body(lines: list[tuple[str, bool]], *, unescape: bool) -> tuple[list[str], list[str], list[str]]:
    """Separate body paragraphs from chrome. Returns (body, extra, date_lines)."""
    body: list[str] = []
    extra: list[str] = []
    date_lines: list[str] = []
    trailer = False
    for raw, flagged in lines:
        line = _strip_line(raw, unescape=unescape)
        if not line:
            continue
        if len(line) < 120 and _date_line(line):
            date_lines.append(line)
            extra.append(line)
            continue
        if trailer or flagged or _is_chrome(line) or _SUMMARY.match(line):
            extra.append(line)
            continue
        if _TRAILER_START.match(line):
            trailer = True
            extra.append(line)
            continue
        body.append(line)
    # a teaser ("...") that repeats the start of a later paragraph is chrome; paragraphs are
    # indexed by their first characters and only a bounded number of candidates is compared,
    # so a document of many look-alike paragraphs stays linear
    by_prefix: dict[str, list[int]] = {}
    for i, para in enumerate(body):
        by_prefix.setdefault(para[:_TEASER_MIN], []).append(i)
    kept: list[str] = []
    for i, para in enumerate(body):
        stem = para.rstrip(".…").rstrip()
        if para.endswith(("...", "…")) and len(stem) >= _TEASER_MIN:
            later = by_prefix.get(stem[:_TEASER_MIN], [])
            first = bisect.bisect_right(later, i)
            if any(body[j].startswith(stem) for j in later[first : first + _TEASER_CANDIDATES]):
                extra.append(para)
                continue
        kept.append(para)
    return kept, extra, date_lines


_TEASER_MIN = 20  # characters a teaser must have before its "..."
_TEASER_CANDIDATES = 32  # later paragraphs compared with one teaser


# ---------------------------------------------------------------------------
# sentences

_SENT_END = re.compile(r"[。！？!?；;…]+[”’」』）)\"']*|\.(?=\s)|\.$")


def _sentences(text: str, paragraphs: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """Sentence spans of the paragraphs, and how many over-long sentences were split."""
    out: list[tuple[int, int]] = []
    for p0, p1 in paragraphs:
        pos = p0
        for m in _SENT_END.finditer(text, p0, p1):
            out.append((pos, m.end()))
            pos = m.end()
        if pos < p1:
            out.append((pos, p1))
    spans: list[tuple[int, int]] = []
    split = 0
    for s, e in out:
        s, e = trim_span(text, s, e)
        if e - s > SENTENCE_MAX_CHARS:
            split += 1
            spans.extend(_split_long(text, s, e))
        elif e > s:
            spans.append((s, e))
    return spans, split


_SOFT_BREAKS = "，,、：:；; \u3000"


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into pieces of at most :data:`SENTENCE_MAX_CHARS`, after the
    last comma, enumeration mark or space in the second half of each window."""
    pieces: list[tuple[int, int]] = []
    pos = start
    while end - pos > SENTENCE_MAX_CHARS:
        limit = pos + SENTENCE_MAX_CHARS
        cut = max(text.rfind(c, pos + SENTENCE_MAX_CHARS // 2, limit) for c in _SOFT_BREAKS)
        cut = cut + 1 if cut >= 0 else limit
        s, e = trim_span(text, pos, cut)
        if e > s:
            pieces.append((s, e))
        pos = cut
    s, e = trim_span(text, pos, end)
    if e > s:
        pieces.append((s, e))
    return pieces


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``text[start:end]`` to exclude leading and trailing white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ---------------------------------------------------------------------------
# dates inferred from text

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)年")
_EVIDENCE_WINDOW = 400  # characters searched on each side of a year for its sentence
_FUTURE = re.compile(r"将|將|预计|預計|计划|計劃|力争|力爭|争取|爭取|到$|至$|—$|-$")


def _infer_date(title: str, body: str, today: _dt.date) -> tuple[_dt.date | None, str, str]:
    """Infer a publication year from the title, else from the text, with evidence."""
    m = _YEAR.search(title or "")
    if m and int(m[1]) <= today.year:
        return _dt.date(int(m[1]), 1, 1), "year", f'inferred from the title: "{title}"'
    best: tuple[int, str] | None = None
    for m in _YEAR.finditer(body):
        year = int(m[1])
        if year > today.year:
            continue
        before = body[max(0, m.start() - 3) : m.start()]
        after = body[m.end() : m.end() + 1]
        if _FUTURE.search(before) or after in ("至", "—", "-", "到"):
            continue
        if best is not None and year <= best[0]:
            continue
        # evidence: the sentence around the year (searched within a bounded window, and only
        # for a new latest year, so a text of many years stays linear)
        lo = max(0, m.start() - _EVIDENCE_WINDOW)
        hi = min(len(body), m.end() + _EVIDENCE_WINDOW)
        s = max(body.rfind("。", lo, m.start()), body.rfind("\n", lo, m.start()), lo - 1) + 1
        e_candidates = [i for i in (body.find("。", m.end(), hi), body.find("\n", m.end(), hi)) if i != -1]
        e = min(e_candidates) + 1 if e_candidates else hi
        sentence = body[s:e].strip()
        best = (year, sentence[:80])
    if best:
        return (
            _dt.date(best[0], 1, 1),
            "year",
            f'inferred from the latest year the text reports: "{best[1]}"',
        )
    return None, "unknown", "no date found"


# ---------------------------------------------------------------------------
# reading


def _collect_source(fm: dict, extra: list[str]) -> dict:
    src: dict = {}
    for key in ("author", "outlet", "source", "url", "link", "publisher"):
        if fm.get(key):
            name = {"source": "outlet", "link": "url", "publisher": "outlet"}.get(key, key)
            src.setdefault(name, str(fm[key]))
    for key in ("categories", "tags"):
        val = fm.get(key)
        if val:
            src[key] = [str(v) for v in val] if isinstance(val, list) else [str(val)]
    for line in extra:
        m = re.match(r"^<?(https?://\S+?)>?$", line)
        if m and "url" not in src:
            src["url"] = m[1]
        m = re.search(r"来源[:：\s]\s*([^\s|｜:：()（）]{2,20})(?![:：])", line)
        if m and "outlet" not in src and m[1] not in ("阅读", "编辑", "时间", "作者"):
            src["outlet"] = m[1]
    return src


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_bounded(path: Path) -> bytes:
    """The bytes of a regular file of at most :data:`DOCUMENT_MAX_BYTES` (never reads more)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise DocumentError("is not a regular file")
        if st.st_size > DOCUMENT_MAX_BYTES:
            raise DocumentError(f"is {st.st_size:,} bytes, over the limit of {DOCUMENT_MAX_BYTES:,}")
        with path.open("rb") as fh:
            raw = fh.read(DOCUMENT_MAX_BYTES + 1)
    except OSError as exc:
        raise DocumentError(f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > DOCUMENT_MAX_BYTES:  # grew while being read, or a size the file system hides
        raise DocumentError(f"is over the limit of {DOCUMENT_MAX_BYTES:,} bytes")
    return raw


def read_document(path: str | Path, *, today: _dt.date | None = None) -> Document:
    """Read one document.

    Parameters
    ----------
    path : path-like
        A ``.txt``, ``.md``, ``.html`` or ``.htm`` file.
    today : datetime.date, optional
        Upper bound for inferred dates (default: today's date).

    Returns
    -------
    Document

    Raises
    ------
    DocumentError
        The file is empty, binary, undecodable, larger than :data:`DOCUMENT_MAX_BYTES`,
        not a regular file, has broken front matter or cannot be read; the message says
        which.
    """
    path = Path(path)
    today = today or _dt.date.today()
    raw = _read_bounded(path)
    if not raw.strip():
        raise DocumentError("is empty")
    text, encoding = _decode(raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[str] = []
    fm, body = _split_front_matter(text, where=str(path))
    fm = fm or {}
    is_html = path.suffix.lower() in (".html", ".htm") or bool(_HTML_HINT.search(body))
    html_title = ""
    if is_html:
        # Markdown autolinks (<https://…>) would be eaten as tags: keep them as text lines
        body = re.sub(r"<(https?://[^<>\s]{1,2048})>", r"\n\1\n", body)
        lines, html_title = _html_to_lines(body)
    else:
        lines = [(ln, False) for ln in body.split("\n")]
    # character references are decoded exactly once: by the HTML reader, else here
    paras, extra, date_lines = _split_body(lines, unescape=not is_html)
    if not paras:
        raise DocumentError("has no body text after removing markup and site chrome")

    # title: front matter, HTML <h1>/<title>, else a short first line (a headline, which is
    # then not part of the body text)
    title = html.unescape(str(fm.get("title") or "").strip()) or html_title
    if not title:
        first = paras[0]
        if len(first) <= 80 and len(paras) > 1 and not first.endswith("。"):
            title = first
            paras = paras[1:]
        else:
            title = first[:80]
    elif paras and paras[0] == _strip_line(title, unescape=False) and len(paras) > 1:
        paras = paras[1:]  # the headline repeated at the top of the body
    if len(title) > FIELD_MAX_CHARS:  # a title travels into every citation and popup
        warnings.append(f"title of {len(title):,} characters cut to {FIELD_MAX_CHARS:,}")
        title = _shorten(title, FIELD_MAX_CHARS)

    # date
    published, precision, date_source = None, "unknown", "no date found"
    if fm.get("date"):
        parsed, why = _published(str(fm["date"]))
        if parsed:
            published, precision = parsed
            date_source = "front matter"
        else:
            warnings.append(f"front matter date {_shorten(str(fm['date']))!r} {why}; ignored")
    if published is None:
        for line in date_lines:
            m = _date_line(line)
            if not m:
                continue
            parsed, why = _published(m[1])
            if parsed:
                published, precision = parsed
                date_source = f"date line: {m[0]}"
                break
            warnings.append(f"date line {m[0]!r} {why}; ignored")
    if published is None:
        # an official notice signed with its date at the end (公告 … 北京公交集团 / 2025年6月20日)
        for para in reversed(paras[-_SIGNATURE_LINES:]):
            m = _SIGNATURE_DATE.match(para)
            parsed = _published(m[1])[0] if m else None
            if m and parsed:
                published, precision = parsed
                date_source = f"signature date: {m[1]}"
                break
    body_text = "\n\n".join(paras)
    if published is None:
        published, precision, date_source = _infer_date(title, body_text, today)
        if published is None:
            warnings.append("no publication date found in front matter, date line, title or text")

    offsets = []
    pos = 0
    for p in paras:
        offsets.append((pos, pos + len(p)))
        pos += len(p) + 2
    sentences, n_split = _sentences(body_text, offsets)
    if n_split:
        warnings.append(f"{n_split:,} sentence(s) longer than {SENTENCE_MAX_CHARS:,} characters split at that length")
    source = _collect_source(fm, extra)
    for key, value in source.items():
        if isinstance(value, str) and len(value) > FIELD_MAX_CHARS:
            warnings.append(f"source field {key!r} of {len(value):,} characters cut to {FIELD_MAX_CHARS:,}")
            source[key] = _shorten(value, FIELD_MAX_CHARS)
        elif isinstance(value, list) and (len(value) > 100 or any(len(v) > FIELD_MAX_CHARS for v in value)):
            warnings.append(f"source field {key!r} cut to 100 entries of at most {FIELD_MAX_CHARS:,} characters")
            source[key] = [_shorten(v, FIELD_MAX_CHARS) for v in value[:100]]
    return Document(
        doc_id=path.stem,
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        title=title,
        published=published,
        published_precision=precision,
        date_source=date_source,
        source=source,
        text=body_text,
        extra="\n".join(extra),
        paragraphs=offsets,
        sentences=sentences,
        encoding=encoding,
        warnings=warnings,
    )


def _document_files(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The regular files with a document suffix in ``folder`` (sorted, links followed), and
    the entries with such a suffix that cannot be read, each with the reason. Subfolders
    are not read and not reported."""
    files: list[Path] = []
    unusable: list[tuple[Path, str]] = []
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() not in SUFFIXES:
            continue
        try:
            st = p.stat()
        except OSError as exc:
            if not p.is_symlink():
                unusable.append((p, f"cannot be read: {exc.strerror or exc}"))
            elif exc.errno == errno.ELOOP:
                unusable.append((p, "is a symbolic link loop"))
            else:
                unusable.append((p, f"is a dangling symbolic link (to {os.readlink(p)})"))
            continue
        if stat.S_ISDIR(st.st_mode):
            continue
        if not stat.S_ISREG(st.st_mode):
            unusable.append((p, "is not a regular file (a device, pipe or socket)"))
            continue
        files.append(p)
    return files, unusable


def load_corpus(path: str | Path = "seeds", *, today: _dt.date | None = None) -> Corpus:
    """Read every document in a corpus folder.

    Parameters
    ----------
    path : path-like
        The corpus folder (default ``seeds``). Files with suffixes ``.txt``,
        ``.md``, ``.html`` and ``.htm`` are read, in sorted order; subfolders are not.
    today : datetime.date, optional
        Upper bound for inferred dates.

    Returns
    -------
    Corpus
        The documents that could be read, and in ``warnings`` one line per problem:
        ``"<file>: skipped: <reason>"`` for each file that could not be read (including
        symbolic-link loops, dangling links and entries that are not regular files), and
        ``"<file>: <warning>"`` for a document read with a problem (an unusable date …).

    Raises
    ------
    CorpusError
        The folder does not exist, is not a folder, or holds no readable document.
    """
    folder = Path(path)
    if not folder.exists():
        raise CorpusError(f"corpus folder {folder} does not exist")
    if not folder.is_dir():
        raise CorpusError(f"corpus path {folder} is not a folder")
    docs: list[Document] = []
    warnings: list[str] = []

    def warn(msg: str) -> None:
        msg = " ".join(msg.splitlines())  # one line per file and reason
        logger.warning(msg)
        warnings.append(msg)

    files, unusable = _document_files(folder)
    if not files and not unusable:
        raise CorpusError(f"corpus folder {folder} holds no documents (*{', *'.join(SUFFIXES)})")
    for f, reason in unusable:
        warn(f"{f}: skipped: {reason}")
    seen: dict[str, Path] = {}
    for f in files:
        try:
            doc = read_document(f, today=today)
        except DocumentError as exc:
            warn(f"{f}: skipped: {exc}")
            continue
        if doc.doc_id in seen:
            warn(f"{f}: skipped: document id {doc.doc_id!r} already used by {seen[doc.doc_id]}")
            continue
        seen[doc.doc_id] = f
        for w in doc.warnings:
            warn(f"{f}: {w}")
        docs.append(doc)
    if not docs:
        raise CorpusError(f"corpus folder {folder} holds no readable documents:\n  " + "\n  ".join(warnings))
    return Corpus(path=folder, documents=docs, warnings=warnings)
