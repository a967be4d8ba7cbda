"""Segmentation of normalised text into paragraphs, sentences and clauses.

Paragraphs broken in the middle of a sentence are rejoined; short unterminated
paragraphs are headings, which open sections (a work-plan section is recognised per
section, see :mod:`geo.extract.context`). Sentences end at ``。！？``; clauses at
``，；：`` (a comma inside a number such as ``1,200`` does not split, nor a stray comma
right before an enumeration comma, ``甲路,、乙路``). A "sentence" longer
than :data:`geo.schema.SENTENCE_MAX_CHARS` (a page without punctuation) is split at that
length, so the work per sentence, and every quote, stays bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.corpus import trim_span
from geo.extract.scan import scan_fast
from geo.schema import SENTENCE_MAX_CHARS

__all__ = ["Clause", "Segmentation", "segment"]

_TERMINAL = '。！？!?；;：:…”"’)）】」』'
_SENT_END_RE = re.compile(r"[。！？!?]+[”\"’」』)）]*")
#: A separator right before an enumeration comma (``甲路,、乙路``, a stray comma of a mirror
#: site) does not end a clause: the list goes on.
#: A colon between digits is a time of day (``6:00``, ``22：30``), not a separator.
_CLAUSE_SEP_RE = scan_fast(r"(?:[，；;]|(?<!\d)[：:]|[：:](?!\d{2})|,(?!\d{3})|(?<!\d),)(?![ \t]*、)")
_HEADING_MAX = 30
#: A line ending with one of these continues on the next line (``将于明年通车的`` /
#: ``某某线``): the two are one paragraph.
_CONNECTIVE_END = frozenset("的和与及、，,之")


@dataclass(slots=True)
class Clause:
    """A clause: offsets into the text and the sentence and paragraph it belongs to."""

    start: int
    end: int
    sentence: int  # index into Segmentation.sentences
    paragraph: int  # index into Segmentation.paragraphs


@dataclass(slots=True)
class Segmentation:
    """Paragraphs, sentences and clauses of a text (offsets), with sections and headings.

    Attributes
    ----------
    paragraphs, sentences : list of (int, int)
        Logical paragraphs (broken ones rejoined) and sentences.
    clauses : list of Clause
        In text order; ``clause_starts`` holds their start offsets (for bisection).
    sections : list of int
        Paragraph index -> section index (a run of headings opens a section).
    headings : set of int
        Indices of the paragraphs that are headings.
    """

    paragraphs: list[tuple[int, int]]  # logical paragraphs (rejoined)
    sentences: list[tuple[int, int]]
    clauses: list[Clause]
    clause_starts: list[int]
    sections: list[int]  # paragraph index -> section index
    headings: set[int]  # paragraph indices that are headings


def _raw_paragraphs(text: str) -> list[tuple[int, int]]:
    out = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        s, e = trim_span(text, m.start(), m.end())
        if e > s:
            out.append((s, e))
    return out


def _bounded(ends: list[int], start: int) -> list[int]:
    """Sentence ends with extra cuts so that no sentence is longer than SENTENCE_MAX_CHARS."""
    out: list[int] = []
    prev = start
    for e in ends:
        while e - prev > SENTENCE_MAX_CHARS:
            prev += SENTENCE_MAX_CHARS
            out.append(prev)
        out.append(e)
        prev = e
    return out


def segment(text: str) -> Segmentation:
    """Segment normalised text into paragraphs, sentences and clauses.

    Parameters
    ----------
    text : str
        Normalised text (:func:`geo.extract.normalise.normalise_text`).

    Returns
    -------
    Segmentation
    """
    raw = _raw_paragraphs(text)
    paragraphs: list[tuple[int, int]] = []
    headings: set[int] = set()
    for s, e in raw:
        if paragraphs:
            ps, pe = paragraphs[-1]
            prev_len = pe - ps
            broken = text[pe - 1] not in _TERMINAL and prev_len > _HEADING_MAX
            if (broken and (len(paragraphs) - 1) not in headings) or text[pe - 1] in _CONNECTIVE_END:
                # a sentence broken across a paragraph break (or a line ending in 的/和/与…)
                paragraphs[-1] = (ps, e)
                headings.discard(len(paragraphs) - 1)
                if e - ps <= _HEADING_MAX and text[e - 1] not in _TERMINAL:
                    headings.add(len(paragraphs) - 1)
                continue
        paragraphs.append((s, e))
        if e - s <= _HEADING_MAX and text[e - 1] not in _TERMINAL:
            headings.add(len(paragraphs) - 1)
    sections: list[int] = []
    sec = 0
    for i in range(len(paragraphs)):
        if i in headings and (i == 0 or i - 1 not in headings):
            sec += 1
        sections.append(sec)
    sentences: list[tuple[int, int]] = []
    clauses: list[Clause] = []
    for pi, (ps, pe) in enumerate(paragraphs):
        pos = ps
        ends = [m.end() for m in _SENT_END_RE.finditer(text, ps, pe)]
        if not ends or ends[-1] < pe:
            ends.append(pe)
        ends = _bounded(ends, ps)
        for se in ends:
            ss = pos
            while ss < se and text[ss].isspace():
                ss += 1
            pos = se
            if ss >= se:
                continue
            si = len(sentences)
            sentences.append((ss, se))
            cpos = ss
            for cm in _CLAUSE_SEP_RE.finditer(text, ss, se):
                if cm.start() > cpos:
                    clauses.append(Clause(cpos, cm.start(), si, pi))
                cpos = cm.end()
            if cpos < se:
                clauses.append(Clause(cpos, se, si, pi))
    return Segmentation(paragraphs, sentences, clauses, [c.start for c in clauses], sections, headings)
