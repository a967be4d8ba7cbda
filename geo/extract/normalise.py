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
_HALF_TABLE = str.maketrans({k: v for k, v in _HALF.items() if len(v) == 1})

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
    new = [c for c in chars.difference(_T2S_CHAR) if ord(c) >= 0x3400]
    if new:
        cc = _opencc()
        for c in new:
            out = cc.convert(c)
            _T2S_CHAR[c] = out if len(out) == 1 else c
            if _T2S_CHAR[c] != c:
                _T2S_CHANGED.add(c)
    return {ord(c): _T2S_CHAR[c] for c in chars.intersection(_T2S_CHANGED)}


@functools.lru_cache(maxsize=1 << 15)
def _t2s_piece(piece: str) -> str:
    """OpenCC ``t2s`` of a text between two of OpenCC's separators (computed once per piece)."""
    return str(_opencc().convert(piece))


def _t2s_phrases(text: str) -> str:
    """``OpenCC('t2s').convert(text)``, piece by piece: OpenCC converts each run between its
    separators on its own, so a run met again (a boilerplate phrase) is not converted again."""
    parts = _opencc().split_chars_re.split(text)
    return "".join(_t2s_piece(p) if i % 2 == 0 and p else p for i, p in enumerate(parts))


_WINDOW = 4
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


def _t2s_windows(text: str, table: dict[int, str]) -> str:
    """Phrase-level t2s on the windows around traditional characters, 1:1 verified.

    Only the runs containing characters that change (plus ``_WINDOW`` characters of
    context each side) go through OpenCC's phrase conversion; a window whose conversion
    changes length falls back to the per-character table.
    """
    positions = [m.start() for m in _changing_re(table).finditer(text)]
    if len(positions) > len(text) // 4:
        windows = [(0, len(text))]  # mostly traditional: one pass
    else:
        windows = []
        for p in positions:
            a, b = max(0, p - _WINDOW), min(len(text), p + _WINDOW + 1)
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], b)
            else:
                windows.append((a, b))
    parts: list[str] = []
    last = 0
    for a, b in windows:
        chunk = text[a:b]
        conv = _t2s_phrases(chunk)
        if len(conv) != len(chunk):
            logger.debug("t2s phrase conversion changed the length; per-character fallback")
            conv = chunk.translate(table)
        parts.append(text[last:a])
        parts.append(conv)
        last = b
    parts.append(text[last:])
    return "".join(parts)


def normalise_text(text: str) -> str:
    """Normalise text for matching, preserving its length.

    Traditional characters are converted to simplified with OpenCC ``t2s``; phrase-level
    conversion is used when it keeps the length (verified), otherwise the per-character
    conversion (always 1:1). Full-width digits, letters and punctuation become half-width,
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
        text = _t2s_windows(text, table)
    out = text.translate(_HALF_TABLE)
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
