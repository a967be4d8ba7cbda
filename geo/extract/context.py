"""The per-document context the rules read: text, normalised text, segmentation, cues.

:func:`document_context` normalises a document's text, segments it and marks the
work-plan sections (at least as many plan cues as report cues) and the speech
paragraphs (``蔡奇强调，要…``); :class:`DocContext` also caches the dates found in
each clause.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from geo.dates import ResolvedDate, date_matches, explicit_years, find_dates, month_of, period_end
from geo.extract.lexicon import (
    DATE_HINT_RE,
    PLAN_CUE_RE,
    PLAN_DOCUMENT_RE,
    REPORT_CUE_RE,
    REVIEW_HEADING_RE,
    SPEECH_RE,
)
from geo.extract.normalise import normalise_text
from geo.extract.segment import Segmentation, segment

__all__ = ["DocContext", "document_context", "sentence_text"]


@dataclass
class DocContext:
    """What the rules read of one document.

    Attributes
    ----------
    doc_id, text : str
        The document id and its text as written.
    norm : str
        The normalised text (same length as ``text``).
    published : datetime.date or None
        Publication date (start of its period when ``published_precision`` is coarser).
    published_precision : str
    seg : Segmentation
        Segmentation of ``norm``.
    plan_sections : set of int
        Sections that read as a work plan (a clause opening with a plan verb is a forecast).
    plan_document_sections : set of int
        The sections of a work-plan document (``工作要点``, ``行动计划``, ``实施方案`` in its title
        or first heading) other than those headed as a review (``回顾``, ``完成情况``): every
        statement without a marker of its own is a forecast there.
    speech_paragraphs : set of int
        Paragraphs opening with a speech directive (``强调，要``).
    cue_norm : str
        ``norm`` with the names that hold a modality marker blanked (``将台站`` holds ``将``),
        set by :func:`geo.extract.events.events_in`; empty until then (see :meth:`cue_text`).
    """

    doc_id: str
    text: str
    norm: str
    published: _dt.date | None
    published_precision: str
    seg: Segmentation
    plan_sections: set[int]
    plan_document_sections: set[int]
    speech_paragraphs: set[int]
    _dates: dict = field(default_factory=dict)
    _years: dict | None = None
    _candidates: list | None = None
    memo: dict = field(default_factory=dict)
    cue_norm: str = ""

    def cue_text(self, start: int, end: int) -> str:
        """``norm[start:end]`` as the modality cues read it: with the names that hold a
        marker blanked (:attr:`cue_norm`), so that a station named 将台 is no forecast."""
        return (self.cue_norm or self.norm)[start:end]

    @property
    def candidates(self) -> list[tuple[str, str, int, int]]:
        """The suffix-rule names of the text (:func:`geo.extract.names.suffix_candidates`), cached."""
        if self._candidates is None:
            from geo.extract.names import suffix_candidates

            self._candidates = suffix_candidates(self.norm)
        return self._candidates

    @property
    def year_of(self) -> dict:
        """``(month, day) -> year`` that the text writes out (used only without a publication
        date, see :func:`geo.dates.explicit_years`)."""
        if self._years is None:
            self._years = explicit_years(self.norm) if self.published is None else {}
        return self._years

    @property
    def known_by(self) -> _dt.date | None:
        """The date by which the document was certainly published: its publication date, or
        the end of its publication year (month) when only that is known."""
        if self.published is None or self.published_precision not in ("year", "month"):
            return self.published
        return period_end(self.published, self.published_precision)

    @property
    def report_month(self) -> ResolvedDate | None:
        """The month of publication as a date (precision ``month``, basis ``'reported'``):
        the date of a fact the text dates only by its report (publication known to the day)."""
        if self.published is None:
            return None
        rd = self.memo.get("report_month")
        if rd is None:
            rd = self.memo["report_month"] = month_of(self.published, "reported")
        return rd

    def dates(self, start: int, end: int, modality: str) -> list[tuple[int, int, ResolvedDate]]:
        """Cached :func:`geo.dates.find_dates` of ``norm[start:end]``."""
        key = (start, end, modality)
        found = self._dates.get(key)
        if found is None:
            text = self.norm[start:end]
            mkey = (start, end)
            matches = self._dates.get(mkey)
            if matches is None:
                matches = date_matches(text) if DATE_HINT_RE.search(text) else []
                self._dates[mkey] = matches
            found = (
                find_dates(
                    text,
                    self.published,
                    modality=modality,
                    published_precision=self.published_precision,
                    year_of=self.year_of,
                    matches=matches,
                )
                if matches
                else []
            )
            self._dates[key] = found
        return found

    @property
    def pub_latest(self) -> _dt.date | None:
        """The latest date the publication can be: the end of its period for coarse dates."""
        if self.published is None:
            return None
        if self.published_precision in ("day", "reported", "unknown", ""):
            return self.published
        return period_end(self.published, self.published_precision)


def _doc_attr(doc: Any, name: str, default: Any = None) -> Any:
    return getattr(doc, name, default) if not isinstance(doc, dict) else doc.get(name, default)


def document_context(doc: Any) -> DocContext:
    """Normalise, segment and read the cues of a document.

    Parameters
    ----------
    doc : geo.corpus.Document or dict
        Needs ``text``, ``doc_id``, ``published`` (date or ISO text) and optionally
        ``published_precision``.

    Returns
    -------
    DocContext
    """
    text = _doc_attr(doc, "text", "") or ""
    norm = normalise_text(text)
    published = _doc_attr(doc, "published")
    if isinstance(published, str):
        published = _dt.date.fromisoformat(published[:10])
    seg = segment(norm)
    plan_cues: Counter[int] = Counter()
    report_cues: Counter[int] = Counter()
    speech: set[int] = set()
    for pi, (ps, pe) in enumerate(seg.paragraphs):
        ptext = norm[ps:pe]
        sec = seg.sections[pi]
        plan_cues[sec] += len(PLAN_CUE_RE.findall(ptext))
        report_cues[sec] += len(REPORT_CUE_RE.findall(ptext))
        if SPEECH_RE.search(ptext[:60]):
            speech.add(pi)
    # a work-plan section: at least as many plan cues as report cues
    plan_sections = {s for s, v in plan_cues.items() if v > 0 and v >= report_cues[s]}
    plan_document: set[int] = set()
    title = normalise_text(str(_doc_attr(doc, "title", "") or ""))
    first = norm[seg.paragraphs[0][0] : seg.paragraphs[0][1]] if seg.paragraphs and 0 in seg.headings else ""
    if PLAN_DOCUMENT_RE.search(title) or PLAN_DOCUMENT_RE.search(first):
        review = {seg.sections[pi] for pi in seg.headings if REVIEW_HEADING_RE.search(norm[slice(*seg.paragraphs[pi])])}
        plan_document = set(seg.sections) - review
    return DocContext(
        doc_id=str(_doc_attr(doc, "doc_id", "")),
        text=text,
        norm=norm,
        published=published,
        published_precision=_doc_attr(doc, "published_precision", "day") or "day",
        seg=seg,
        plan_sections=plan_sections,
        plan_document_sections=plan_document,
        speech_paragraphs=speech,
    )


def sentence_text(ctx: DocContext, si: int) -> str:
    """The text (as written, stripped) of sentence ``si`` of a document."""
    s, e = ctx.seg.sentences[si]
    return ctx.text[s:e].strip()
