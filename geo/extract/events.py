"""Status events: the status keyword of a clause goes to its head mention.

Within a clause, ``、`` lists share the predicate that follows them unless each item
carries its own; the head is the last mention before the keyword and the mentions
coordinated with it, or in a verb-first clause the first mention after it. A clause
with a keyword but no mention takes the subject of the previous clause of the same
sentence. Modality comes from explicit markers, a date after publication, work-plan
sections and speech paragraphs; dates from :mod:`geo.dates`, else the publication
date (``reported``).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from itertools import pairwise
from typing import Any

from geo.dates import ResolvedDate, reported
from geo.extract.context import DocContext, document_context
from geo.extract.lexicon import (
    ACTUAL_RE,
    COORD_RE,
    ENDPOINT_RE,
    EXPECTED_RE,
    LEADING_FILLER_RE,
    NATURAL_KINDS,
    NO_EVENT_KINDS,
    PLAN_VERB_RE,
    PURE_DATE_FILLER_RE,
    status_in,
)
from geo.extract.mentions import Matcher, build_matcher, mentions_in
from geo.extract.records import Event, Mention
from geo.extract.segment import Clause
from geo.extract.unknowns import names_other_subject

__all__ = ["events_in", "find_events"]

#: A status keyword found in a segment: (status, start, end).
_Status = tuple[str, int, int]


def _modality(ctx: DocContext, clause: Clause, ctext: str, segtext: str) -> tuple[str, bool]:
    """Modality of a clause segment and whether it was explicit."""
    exp = EXPECTED_RE.search(segtext) or EXPECTED_RE.search(ctext)
    act = ACTUAL_RE.search(segtext) or ACTUAL_RE.search(ctext)
    if act and act.group(0).startswith("已"):
        return "actual", True
    if exp:
        return "expected", True
    if act:
        return "actual", True
    if clause.paragraph in ctx.speech_paragraphs:
        return "expected", False
    stripped = LEADING_FILLER_RE.sub("", ctext.strip())
    if PLAN_VERB_RE.match(stripped) and ctx.seg.sections[clause.paragraph] in ctx.plan_sections:
        return "expected", False
    return "actual", False


def _sentence_lead_date(ctx: DocContext, clause_index: int, modality: str) -> ResolvedDate | None:
    """Date of a pure time-adverbial clause earlier in the same sentence (``今年，…``)."""
    clauses = ctx.seg.clauses
    si = clauses[clause_index].sentence
    j = clause_index - 1
    while j >= 0 and clauses[j].sentence == si:
        c = clauses[j]
        ctext = ctx.norm[c.start : c.end]
        found = ctx.dates(c.start, c.end, modality)
        if found:
            rest = ctext
            for s, e, _ in reversed(found):
                rest = rest[:s] + rest[e:]
            if PURE_DATE_FILLER_RE.match(rest):
                return found[-1][2]
        j -= 1
    return None


def _paragraph_lead_date(ctx: DocContext, clause_index: int, modality: str) -> ResolvedDate | None:
    """Date of a pure time adverbial opening the paragraph (``今年以来，…。A开通运营``)."""
    clauses = ctx.seg.clauses
    pi = clauses[clause_index].paragraph
    j = clause_index
    while j > 0 and clauses[j - 1].paragraph == pi:
        j -= 1
    if j == clause_index or clauses[j].sentence == clauses[clause_index].sentence:
        return None
    c = clauses[j]
    ctext = ctx.norm[c.start : c.end]
    found = ctx.dates(c.start, c.end, modality)
    if not found:
        return None
    rest = ctext
    for s, e, _ in reversed(found):
        rest = rest[:s] + rest[e:]
    return found[-1][2] if PURE_DATE_FILLER_RE.match(rest) else None


def _choose_date(
    ctx: DocContext,
    clause_index: int,
    ctext: str,
    seg_offset: int,
    kw_pos: int,
    modality: str,
) -> ResolvedDate | None:
    clause = ctx.seg.clauses[clause_index]
    found = ctx.dates(clause.start, clause.end, modality)
    if found:
        kw_abs = seg_offset + kw_pos
        before = [f for f in found if f[0] <= kw_abs]
        return (before[-1] if before else found[0])[2]
    lead = _sentence_lead_date(ctx, clause_index, modality)
    if lead is None:
        lead = _paragraph_lead_date(ctx, clause_index, modality)
    if lead is not None:
        return lead
    if ctx.published is None:
        return None
    if ctx.published_precision in ("year", "month"):
        # a document dated only to its year (month) reports the statement at some point of
        # that period: the statement is known by the period's end, not by its first day
        return ResolvedDate(ctx.published, ctx.published_precision, f"reported (publication {ctx.published_precision})")
    return reported(ctx.published)


def _head_mentions(
    segtext: str,
    seg_start: int,
    mentions: list[tuple[int, int, str]],
    kw: tuple[int, int] | None,
) -> list[tuple[int, int, str]]:
    """Mentions a segment's predicate applies to (head + coordinated mentions)."""
    if not mentions:
        return []
    rel = [(s - seg_start, e - seg_start, fid) for s, e, fid in mentions]
    if kw is None:
        idx = len(rel) - 1
        direction = -1
    else:
        before = [i for i, m in enumerate(rel) if m[1] <= kw[0] or m[0] < kw[0]]
        if before:
            idx, direction = before[-1], -1
        else:
            idx, direction = 0, 1
    if kw is not None and direction < 0 and ENDPOINT_RE.match(segtext, rel[idx][1]):
        # 密涿高速北延与京平高速对接工程: the head is a connection target; its conjuncts
        # before it carry the event
        if idx == 0 or not COORD_RE.match(segtext[rel[idx - 1][1] : rel[idx][0]] or "x"):
            return []
        idx -= 1
    chosen = [idx]
    j = idx
    while 0 <= j + direction < len(rel):
        a, b = (rel[j + direction], rel[j]) if direction < 0 else (rel[j], rel[j + direction])
        between = segtext[a[1] : b[0]]
        if not COORD_RE.match(between):
            break
        j += direction
        chosen.append(j)
    return [mentions[i] for i in sorted(chosen)]


def events_in(
    ctx: DocContext,
    mentions: list[Mention],
    kinds: dict[str, str],
    *,
    no_events: frozenset[str] = frozenset(),
) -> list[Event]:
    """The status events of a document context (see :func:`find_events`), in text order.

    Parameters
    ----------
    ctx : DocContext
    mentions : list of Mention
        The document's mentions, in text order.
    kinds : dict of str to str
        Feature id -> kind (:attr:`geo.extract.mentions.Matcher.kinds`).
    no_events : frozenset of str
        Features that never carry an event (:attr:`geo.extract.mentions.Matcher.no_events`).

    Returns
    -------
    list of Event
    """
    seg = ctx.seg
    by_clause: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    any_mention: set[int] = set()
    for m in mentions:
        ci = bisect.bisect_right(seg.clause_starts, m.start) - 1
        if ci < 0:
            continue
        any_mention.add(ci)
        if kinds.get(m.feature_id) not in NO_EVENT_KINDS and m.feature_id not in no_events:
            by_clause[ci].append((m.start, m.end, m.feature_id))
    events: list[Event] = []
    seen: set[tuple] = set()
    last_subject: tuple[int, list[str]] | None = None  # (sentence, feature ids)
    candidate_clauses = sorted(by_clause)
    # clauses without mentions directly following a clause with an event (zero anaphora)
    extra: set[int] = set()
    for ci in candidate_clauses:
        si = seg.clauses[ci].sentence
        j = ci + 1
        while j < len(seg.clauses) and seg.clauses[j].sentence == si:
            if j not in any_mention:
                extra.add(j)
            j += 1
    for ci in sorted(set(candidate_clauses) | extra):
        clause = seg.clauses[ci]
        ctext = ctx.norm[clause.start : clause.end]
        cmentions = by_clause.get(ci, [])
        if not cmentions:
            if last_subject is None or last_subject[0] != clause.sentence:
                continue
            st = status_in(ctext)
            if st is None or not _ZERO_TAIL_RE.match(ctext, st[2]):
                continue  # only a bare predicate (预计2025年年底建成通车) takes the topic
            if names_other_subject(ctext[: st[1]]):
                continue  # 东坝船闸计划2025年通航: a subject the gazetteer does not know, not the topic
            status, ks, ke = st
            modality, _ = _modality(ctx, clause, ctext, ctext)
            rd = _choose_date(ctx, ci, ctext, 0, ks, modality)
            modality = _check_future(ctx, rd, modality)
            for fid in last_subject[1]:
                if _status_allowed(kinds.get(fid), status, ctext[ks:ke]):
                    _add_event(events, seen, ctx, clause, fid, status, modality, rd)
            continue
        # split into 、-segments
        bounds = [clause.start]
        k = ctext.find("、")
        while k >= 0:
            bounds.append(clause.start + k + 1)
            k = ctext.find("、", k + 1)
        bounds.append(clause.end + 1)
        segments: list[tuple[int, int, str, _Status | None]] = []
        for a, b in pairwise(bounds):
            b = min(b - 1, clause.end)
            stext = ctx.norm[a:b]
            segments.append((a, b, stext, status_in(stext)))
        # status for each segment: own, else next with one, else previous with one
        statuses = [s[3] for s in segments]
        resolved = [_segment_status(statuses, i) for i in range(len(segments))]
        subjects: list[str] = []
        for i, (a, b, stext, _own) in enumerate(segments):
            r = resolved[i]
            if r is None:
                continue
            src_i, (status, ks, ke) = r
            segm = [m for m in cmentions if a <= m[0] < b]
            if not segm:
                continue
            kw = (ks, ke) if src_i == i else None
            heads = _head_mentions(stext, a, segm, kw)
            src_a, _, src_text, _ = segments[src_i]
            modality, _ = _modality(ctx, clause, ctext, src_text)
            rd = _choose_date(ctx, ci, ctext, src_a - clause.start, ks, modality)
            modality = _check_future(ctx, rd, modality)
            kw_text = src_text[ks:ke]
            for _, _, fid in heads:
                if not _status_allowed(kinds.get(fid), status, kw_text):
                    continue
                _add_event(events, seen, ctx, clause, fid, status, modality, rd)
                if fid not in subjects:
                    subjects.append(fid)
        if subjects:
            last_subject = (clause.sentence, subjects)
    return events


def _segment_status(statuses: list[_Status | None], i: int) -> tuple[int, _Status] | None:
    """The status segment ``i`` takes: its own, else the next segment's with one, else the
    previous segment's with one; with the index of the segment it comes from."""
    own = statuses[i]
    if own is not None:
        return i, own
    for k in range(i + 1, len(statuses)):
        st = statuses[k]
        if st is not None:
            return k, st
    for k in range(i - 1, -1, -1):
        st = statuses[k]
        if st is not None:
            return k, st
    return None


_ZERO_TAIL_RE = re.compile(r"[\s后了的等。！？!?…]*$")


def _status_allowed(kind: str | None, status: str, keyword: str) -> bool:
    """Whether a status keyword can apply to a feature of this kind."""
    if kind in NATURAL_KINDS:
        return status == "opened" and "通航" in keyword
    return True


def _check_future(ctx: DocContext, rd: ResolvedDate | None, modality: str) -> str:
    """A statement dated after publication is a forecast."""
    latest = ctx.pub_latest
    if rd is not None and latest is not None and modality == "actual" and rd.date > latest:
        return "expected"
    return modality


def _add_event(
    events: list[Event],
    seen: set[tuple],
    ctx: DocContext,
    clause: Clause,
    fid: str,
    status: str,
    modality: str,
    rd: ResolvedDate | None,
) -> None:
    key = (fid, status, modality, rd.date if rd else None, clause.start)
    if key in seen:
        return
    seen.add(key)
    s, e = clause.start, clause.end
    while s < e and ctx.text[s].isspace():
        s += 1
    events.append(
        Event(
            feature_id=fid,
            status=status,
            modality=modality,
            date=rd.date if rd else None,
            precision=rd.precision if rd else "unknown",
            date_basis=rd.basis if rd else "unknown",
            doc_id=ctx.doc_id,
            start=s,
            end=e,
            quote=ctx.text[s:e],
            date_end=rd.end if rd else None,
            published=ctx.known_by,
        )
    )


def find_events(
    doc: Any,
    gazetteer: Any,
    *,
    mentions: list[Mention] | None = None,
    matcher: Matcher | None = None,
) -> list[Event]:
    """Detect status statements about the features mentioned in a document.

    Parameters
    ----------
    doc : geo.corpus.Document
    gazetteer : geo.gazetteer.Gazetteer
    mentions : list of Mention, optional
        Mentions of ``doc`` (found when omitted).
    matcher : optional
        Prebuilt :func:`build_matcher` result.

    Returns
    -------
    list of Event
        In text order.
    """
    matcher = matcher or build_matcher(gazetteer)
    ctx = document_context(doc)
    if mentions is None:
        mentions = mentions_in(ctx, matcher)
    return events_in(ctx, mentions, matcher.kinds, no_events=matcher.no_events)
