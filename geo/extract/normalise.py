"""Length-preserving text normalisation for matching.

:func:`normalise_text` converts traditional characters to simplified (OpenCC ``t2s``,
phrase-level where that keeps the length, else per character), full-width digits,
letters and punctuation to half-width, dash variants to ``-`` and ASCII letters to
lower case, one character for one character: an offset into the normalised text is
an offset into the original. :class:`MatchView` removes quotation marks for matching
and maps offsets back. OpenCC is imported on the first text with traditional-looking
characters, not with this module.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["PINYIN_ARTIFACT_RE", "QUOTES_RE", "MatchView", "normalise_text", "pinyin_view"]

_HALF = {}
for _cp in range(0xFF01, 0xFF5F):
    _HALF[_cp] = chr(_cp - 0xFEE0)
_HALF[0x3000] = " "
for _c in "—–―‒－﹣⸺":
    _HALF[ord(_c)] = "-"
_HALF[ord("·")] = "·"
_HALF[ord("〇")] = "〇"
for _cp in range(ord("A"), ord("Z") + 1):
    _HALF[_cp] = chr(_cp + 32)
for _cp in range(ord("Ａ"), ord("Ｚ") + 1):
    _HALF[_cp] = chr(_cp - 0xFEE0 + 32)
# keep CJK full stop/comma forms the splitter relies on: normalise ASCII-like ones only
_HALF_CHARS: dict[str, str] = {chr(k): v for k, v in _HALF.items() if len(v) == 1 and chr(k) != v}
#: Any character :data:`_HALF_CHARS` changes. Replacing the matches of one character class is
#: about 3x faster than ``str.translate`` on Chinese text, where few characters change and
#: ``translate`` looks every character up in its table.
_HALF_RE = re.compile("[" + "".join(re.escape(c) for c in sorted(_HALF_CHARS)) + "]")
_half_of = _HALF_CHARS.__getitem__

_T2S_CHAR: dict[str, str] = {}
#: The characters of :data:`_T2S_CHAR` that t2s changes.
_T2S_CHANGED: set[str] = set()


@functools.lru_cache(maxsize=1)
def _opencc() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


def _t2s_chars(text: str) -> dict[int, str]:
    """Per-character t2s mapping for the characters of ``text`` that change (1:1 only)."""
    chars = set(text)
    # membership, not set.difference: that walks the whole table (thousands of characters)
    new = [c for c in chars if c not in _T2S_CHAR and ord(c) >= 0x3400]
    if new:
        cc = _opencc()
        for c in new:
            try:
                out = cc.convert(c)
            except UnicodeError:  # a lone surrogate: OpenCC reads UTF-8 only
                out = c
            _T2S_CHAR[c] = out if len(out) == 1 else c
            if _T2S_CHAR[c] != c:
                _T2S_CHANGED.add(c)
    return {ord(c): _T2S_CHAR[c] for c in chars.intersection(_T2S_CHANGED)}


_CHANGING: dict[str, Any] = {"chars": frozenset(), "re": None}


def _changing_re(table: dict[int, str]) -> re.Pattern[str]:
    """A pattern of every character known to change under t2s (recompiled only when a
    document brings new ones): in a text it matches exactly that text's changing characters."""
    chars = {chr(k) for k in table}
    if _CHANGING["re"] is None or not chars <= _CHANGING["chars"]:
        known = frozenset(_CHANGING["chars"] | chars | _T2S_CHANGED)
        _CHANGING["chars"] = known
        _CHANGING["re"] = re.compile("[" + "".join(re.escape(c) for c in sorted(known)) + "]")
    return _CHANGING["re"]


#: A line with its line break: the unit converted on its own (a phrase never spans lines).
_LINE_RE = re.compile(r"[^\n]*\n?")


def _t2s_lines(text: str, table: dict[int, str]) -> str:
    """Phrase-level t2s of every line that has a character t2s changes, 1:1 verified.

    OpenCC converts each such line whole (its phrase dictionary sees the whole context); a
    line whose conversion changes its length, or that OpenCC cannot encode (a lone
    surrogate), falls back to the per-character ``table``. Lines without a changing
    character are kept as they are.
    """
    changing = _changing_re(table)
    cc = _opencc()
    parts: list[str] = []
    for line in _LINE_RE.findall(text):
        if changing.search(line) is None:
            parts.append(line)
            continue
        try:
            conv = str(cc.convert(line))
        except ValueError:  # a UnicodeEncodeError among them (a lone surrogate)
            conv = ""
        if len(conv) != len(line):
            logger.debug("t2s phrase conversion changed the length; per-character fallback")
            conv = line.translate(table)
        parts.append(conv)
    return "".join(parts)


def normalise_text(text: str) -> str:
    """Normalise text for matching, preserving its length.

    Traditional characters are converted to simplified with OpenCC ``t2s``, line by line;
    phrase-level conversion is used when it keeps the line's length (verified), otherwise
    the per-character conversion (always 1:1). Full-width digits, letters and punctuation become half-width,
    dash variants become ``-``, ASCII letters lower case.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        Same length as ``text``: ``normalise_text(t)[i]`` corresponds to ``t[i]``.
    """
    table = _t2s_chars(text)
    if table:
        text = _t2s_lines(text, table)
    out = _HALF_RE.sub(lambda m: _half_of(m.group()), text)
    assert len(out) == len(text)
    return out


#: Quotation marks, removed for matching (:class:`MatchView`) and from names.
QUOTES_RE = re.compile('[“”"‘’「」『』]')


#: A pinyin reading a mirror site inserted after a character (``區(qū)``, ``運(yùn)``): tone-marked
#: Latin letters in brackets right after a Chinese character. Removed for matching.
PINYIN_ARTIFACT_RE = re.compile(
    r"(?<=[\u4e00-\u9fff])\((?=[a-z]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)"
)


class MatchView:
    """Normalised text without mirror-site pinyin insertions (and optionally without
    quotation marks), mapping offsets back.

    ``北運(yùn)河`` is matched as ``北运河``; the mention's offsets still span the original
    text. Quote stripping is off by default: a quoted name (``“平谷区—蓟州—兴隆”公交专线``)
    is matched inside its quotes, as the seed key annotates it.
    """

    __slots__ = ("_q", "text")

    def __init__(self, norm: str, *, strip_quotes: bool = False) -> None:
        removed: list[int] = []
        if "(" in norm:
            for m in PINYIN_ARTIFACT_RE.finditer(norm):
                removed.extend(range(m.start(), m.end()))
        if strip_quotes:
            removed.extend(m.start() for m in QUOTES_RE.finditer(norm))
            removed.sort()
        if removed:
            gone = set(removed)
            self.text = "".join(c for i, c in enumerate(norm) if i not in gone)
            self._q = [p - j for j, p in enumerate(removed)]
        else:
            self.text = norm
            self._q = []

    def orig(self, i: int) -> int:
        """Original offset of match-text character ``i``."""
        if not self._q:
            return i
        return i + bisect.bisect_right(self._q, i)


def pinyin_view(text: str) -> MatchView | None:
    """A :class:`MatchView` of ``text`` without its mirror-site pinyin insertions, or ``None``
    when it has none (the text then reads as it is)."""
    if "(" in text and PINYIN_ARTIFACT_RE.search(text):
        return MatchView(text)
    return None
