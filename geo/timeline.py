"""Per-feature timelines of status events and the status of a feature at a date.

Rules
-----
* **Merging.** Events of one feature with the same status, modality, date and precision are
  one :class:`TimelineEvent` with several citations (one per document statement).
* **Known events.** ``Feature.known_events`` (public facts recorded in the gazetteer, e.g.
  ``{status: opened, date: 2003-12-27, precision: day, source: "..."}``) enter as *actual*
  events with ``doc_id='gazetteer'`` and their source as the quote.
* **Forecasts.** Expected events of one feature and status that disagree on the date are all
  kept. The one stated by the latest-published document is the *current expectation*
  (``current=True``); the others get ``superseded_by='later_forecast'``. An actual event of
  the same status outranks every forecast: those get ``superseded_by='actual'`` and
  ``current=False``. A forecast is never turned into a fact.
* **When an event counts** (``effective_date``):

  - an *actual* event counts from the day it is *known* to have happened:
    the date itself for ``day`` precision, otherwise ``min(end of the period, publication
    date of the reporting document)`` (an opening "in 2022" is certain by 31 December 2022,
    or by the publication date if the article came out earlier); an undated (``reported``)
    statement counts from the publication date;
  - an *expected* event counts from the end of the forecast period (a forecast "in 2022"
    is due by 31 December 2022; ``年底前`` by 31 December).

* **Status at a date** (:func:`status_as_of`): event statuses map to feature statuses
  (planned/early_stage/agreement -> ``planned``; construction_started/under_construction/
  milestone -> ``under_construction``; opened -> ``open``; suspended -> ``suspended``).
  Among the events that count on or before ``as_of`` the most advanced status wins (a stale
  "加快建设" after an opening does not reopen construction); the deciding event is the earliest
  event of that status. ``suspended`` wins when the latest suspension is not followed by an
  opening. Only actual events count unless ``include_expected=True`` (scenario "as
  forecast"), which adds current forecasts not superseded by an actual event of that status.
  No counting event -> ``unknown``.
"""

from __future__ import annotations

import datetime as _dt
import logging
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from geo.dates import format_date, period_end, to_date
from geo.errors import UsageError
from geo.schema import EVENT_STATUSES, EVENT_TO_FEATURE_STATUS, FEATURE_STATUS_RANK, FEATURE_STATUSES

logger = logging.getLogger(__name__)

__all__ = [
    "FEATURE_STATUSES",
    "StatusResult",
    "TimelineEvent",
    "build_timelines",
    "status_as_of",
    "summarise",
    "timeline_to_json",
]

_EVENT_RANK = {s: i for i, s in enumerate(EVENT_STATUSES)}


def _date(value: Any) -> _dt.date | None:
    """:func:`geo.dates.to_date`, with a warning for a value given but not a date."""
    day = to_date(value)
    if day is None and value is not None and value != "":
        logger.warning("cannot parse date %r", value)
    return day


def _precision_of(value: Any, default: str = "day") -> str:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return default
    text = str(value).strip()
    if len(text) == 4:
        return "year"
    if len(text) == 7:
        return "month"
    return default


@dataclass
class TimelineEvent:
    """One (merged) event in a feature's timeline.

    Attributes
    ----------
    feature_id, status, modality : str
    date : datetime.date
        Start of the period (see :class:`geo.dates.ResolvedDate`).
    precision : str
    date_basis : str
        Text the date came from (``'reported'`` = publication date).
    date_end : datetime.date or None
        End of the period when the precision is a period.
    effective_date : datetime.date
        The date from which the event counts in :func:`status_as_of` (see module notes).
    published : datetime.date or None
        Latest publication date among the citations.
    citations : list of dict
        ``{doc_id, start, end, quote, published}``, one per statement, sorted.
    current : bool
        For forecasts: the current expectation (stated by the latest document, not
        overtaken by an actual event). Always True for actual events.
    superseded_by : str or None
        ``'later_forecast'`` or ``'actual'`` for forecasts that are no longer current.
    """

    feature_id: str
    status: str
    modality: str
    date: _dt.date
    precision: str
    date_basis: str
    date_end: _dt.date | None = None
    effective_date: _dt.date | None = None
    published: _dt.date | None = None
    citations: list[dict] = field(default_factory=list)
    current: bool = True
    superseded_by: str | None = None

    @property
    def doc_id(self) -> str:
        """Document of the first citation (earliest publication)."""
        return self.citations[0]["doc_id"] if self.citations else ""

    @property
    def quote(self) -> str:
        """Quote of the first citation."""
        return self.citations[0]["quote"] if self.citations else ""

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in layer properties (dates as ISO ``YYYY-MM-DD``)."""
        return {
            "date": self.date.isoformat(),
            "date_text": format_date(self.date, self.precision),
            "precision": self.precision,
            "status": self.status,
            "modality": self.modality,
            "doc_id": self.doc_id,
            "quote": self.quote,
            "date_basis": self.date_basis,
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "published": self.published.isoformat() if self.published else None,
            "current": self.current,
            "superseded_by": self.superseded_by,
            "citations": [dict(c) for c in self.citations],
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any], feature_id: str = "") -> TimelineEvent:
        """Rebuild from :meth:`to_json` output or any dict with date/status/modality."""
        date = _date(d.get("date"))
        if date is None:
            raise UsageError(f"timeline event without a usable date: {dict(d)!r}")
        precision = str(d.get("precision") or _precision_of(d.get("date")))
        published = _date(d.get("published"))
        date_end = _date(d.get("date_end"))
        modality = str(d.get("modality") or "actual")
        ev = cls(
            feature_id=str(d.get("feature_id") or feature_id),
            status=str(d.get("status")),
            modality=modality,
            date=date,
            precision=precision,
            date_basis=str(d.get("date_basis") or ""),
            date_end=date_end,
            effective_date=_date(d.get("effective_date")),
            published=published,
            citations=[dict(c) for c in d.get("citations") or []]
            or [
                {
                    "doc_id": d.get("doc_id", ""),
                    "quote": d.get("quote", ""),
                    "start": d.get("start"),
                    "end": d.get("end"),
                    "published": published.isoformat() if published else None,
                }
            ],
            current=bool(d.get("current", True)),
            superseded_by=d.get("superseded_by"),
        )
        if ev.effective_date is None:
            ev.effective_date = _effective(ev.date, precision, date_end, modality, published)
        return ev


@dataclass(frozen=True)
class StatusResult:
    """Status of a feature at a date.

    Attributes
    ----------
    status : str
        ``planned``, ``under_construction``, ``open``, ``suspended`` or ``unknown``.
    date : datetime.date or None
        Date of the deciding event (period start; see ``event`` for its precision).
    event : TimelineEvent or dict or None
        The deciding event, in the form it was given.
    """

    status: str
    date: _dt.date | None
    event: Any = None


def _effective(
    date: _dt.date,
    precision: str,
    date_end: _dt.date | None,
    modality: str,
    published: _dt.date | None,
) -> _dt.date:
    if precision == "reported":
        return published or date
    end = period_end(date, precision, date_end)
    if modality == "expected":
        return end
    if precision == "day":
        return date
    if published is not None and published < end:
        return max(published, date)
    return end


# --------------------------------------------------------------------------- building
_EVENT_FIELDS = (
    "feature_id",
    "status",
    "modality",
    "date",
    "precision",
    "date_basis",
    "doc_id",
    "start",
    "end",
    "quote",
    "date_end",
    "published",
)
_get_event_fields = operator.attrgetter(*_EVENT_FIELDS)


def _event_fields(ev: Any) -> dict[str, Any]:
    if isinstance(ev, Mapping):
        return dict(ev)
    try:  # an extracted Event has every field: one attrgetter call
        return dict(zip(_EVENT_FIELDS, _get_event_fields(ev), strict=True))
    except AttributeError:
        return {k: getattr(ev, k, None) for k in _EVENT_FIELDS}


def _event_row(ev: Any) -> tuple:
    """The :data:`_EVENT_FIELDS` of an event or event dict, as a tuple (``None`` when missing)."""
    if isinstance(ev, Mapping):
        return tuple(ev.get(k) for k in _EVENT_FIELDS)
    try:
        return _get_event_fields(ev)
    except AttributeError:
        return tuple(getattr(ev, k, None) for k in _EVENT_FIELDS)


def _day(value: Any) -> _dt.date | None:
    """:func:`_date`, without the call for a value that is already a date (not a datetime)."""
    return value if type(value) is _dt.date else _date(value)


def _known_to_fields(fid: str, known: Mapping[str, Any]) -> dict[str, Any] | None:
    date = _date(known.get("date"))
    if date is None or not known.get("status"):
        logger.warning("known event of %s without date or status: %r", fid, dict(known))
        return None
    precision = str(known.get("precision") or _precision_of(known.get("date")))
    return {
        "feature_id": fid,
        "status": str(known["status"]),
        "modality": "actual",
        "date": date,
        "precision": precision,
        "date_basis": str(known.get("date_basis") or known.get("date")),
        "doc_id": "gazetteer",
        "start": None,
        "end": None,
        "quote": str(known.get("source") or ""),
        "date_end": _date(known.get("date_end")),
        "published": None,
    }


def build_timelines(
    events: Iterable[Any],
    *,
    known_events: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> dict[str, list[TimelineEvent]]:
    """Merge events across documents into one timeline per feature.

    Parameters
    ----------
    events : iterable of geo.extract.Event or dict
        Extracted events (dicts need feature_id, status, modality, date, precision,
        doc_id, quote; optional published, date_end, start, end, date_basis).
    known_events : mapping, optional
        ``feature_id -> [ {status, date, precision, source}, ... ]`` (``Feature.known_events``);
        they become actual events with ``doc_id='gazetteer'``.

    Returns
    -------
    dict of str to list of TimelineEvent
        Sorted by feature id; each timeline sorted by (effective date, date, status,
        modality).
    """
    rows = [_event_row(e) for e in events]
    for fid, knowns in (known_events or {}).items():
        for k in knowns or ():
            known = _known_to_fields(fid, k)
            if known is not None:
                rows.append(_event_row(known))
    # (feature, status, modality, date, precision) -> [(published, doc_id, start, end, quote, date_end, basis)]
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for fid, status, modality, date, precision, basis, doc_id, start, end, quote, date_end, published in rows:
        date = _day(date)
        if date is None or not fid or status not in EVENT_TO_FEATURE_STATUS:
            continue
        key = (fid, status, modality or "actual", date, precision or "day")
        groups[key].append((_day(published), doc_id, start, end, quote, _day(date_end), basis))

    timelines: dict[str, list[TimelineEvent]] = defaultdict(list)
    for (fid, status, modality, date, precision), rs in groups.items():
        if len(rs) > 1:
            rs.sort(key=lambda r: (r[0] or _dt.date.max, str(r[1]), r[2] or 0))
        pubs = [r[0] for r in rs if r[0] is not None]
        citations = []
        seen = set()
        date_end = None
        for published, doc_id, start, end, quote, r_end, _ in rs:
            c = {
                "doc_id": str(doc_id or ""),
                "start": start,
                "end": end,
                "quote": str(quote or ""),
                "published": published.isoformat() if published else None,
            }
            ckey = (c["doc_id"], start, c["quote"])
            if ckey not in seen:
                seen.add(ckey)
                citations.append(c)
            if date_end is None and r_end:
                date_end = r_end
        if modality == "actual":
            # known from the earliest report
            eff = min(_effective(date, precision, date_end, modality, r[0]) for r in rs)
        else:
            eff = _effective(date, precision, date_end, modality, max(pubs) if pubs else None)
        timelines[fid].append(
            TimelineEvent(
                feature_id=fid,
                status=status,
                modality=modality,
                date=date,
                precision=precision,
                # a source that gives the date outranks one that only reports it (``reported``)
                date_basis=str(next((r[6] for r in rs if r[6] and r[6] != "reported"), rs[0][6]) or ""),
                date_end=date_end,
                effective_date=eff,
                published=max(pubs) if pubs else None,
                citations=citations,
            )
        )

    for tl in timelines.values():
        _mark_forecasts(tl)
        tl.sort(key=lambda t: (t.effective_date, t.date, _EVENT_RANK[t.status], t.modality, t.precision))
    return dict(sorted(timelines.items()))


def _mark_forecasts(tl: list[TimelineEvent]) -> None:
    actual_statuses = {t.status for t in tl if t.modality == "actual"}
    by_status: dict[str, list[TimelineEvent]] = defaultdict(list)
    for t in tl:
        if t.modality == "expected":
            by_status[t.status].append(t)
    for status, forecasts in by_status.items():
        if status in actual_statuses:
            for t in forecasts:
                t.current = False
                t.superseded_by = "actual"
            continue
        # the latest document wins; ties: the later forecast date
        best = max(
            forecasts,
            key=lambda t: (t.published or _dt.date.min, t.effective_date, t.date),
        )
        for t in forecasts:
            if t is not best:
                t.current = False
                t.superseded_by = "later_forecast"


def timeline_to_json(timeline: Iterable[TimelineEvent | Mapping[str, Any]]) -> list[dict]:
    """JSON form of a timeline (list of event dicts, as stored in layer properties)."""
    return [t.to_json() if isinstance(t, TimelineEvent) else dict(t) for t in timeline]


# --------------------------------------------------------------------------- status
def _as_events(timeline: Iterable[Any]) -> list[tuple[TimelineEvent, Any]]:
    out = []
    for item in timeline or ():
        if isinstance(item, TimelineEvent):
            ev = item
            if ev.effective_date is None:
                ev.effective_date = _effective(ev.date, ev.precision, ev.date_end, ev.modality, ev.published)
        elif isinstance(item, Mapping):
            try:
                ev = TimelineEvent.from_json(item)
            except ValueError as exc:
                logger.warning("%s", exc)
                continue
        else:
            f = _event_fields(item)
            try:
                ev = TimelineEvent.from_json(f)
            except ValueError as exc:
                logger.warning("%s", exc)
                continue
        if ev.status not in EVENT_TO_FEATURE_STATUS:
            continue
        out.append((ev, item))
    return out


def _eff(ev: TimelineEvent) -> _dt.date:
    """The date from which an event counts (computed when not stored)."""
    if ev.effective_date is not None:
        return ev.effective_date
    return _effective(ev.date, ev.precision, ev.date_end, ev.modality, ev.published)


def status_as_of(
    timeline: Iterable[TimelineEvent | Mapping[str, Any]],
    as_of: _dt.date | str,
    *,
    include_expected: bool = False,
) -> StatusResult:
    """Status of a feature at a date, from its timeline.

    Parameters
    ----------
    timeline : list of TimelineEvent or dict
        A timeline from :func:`build_timelines`, or its JSON form (dicts with ``date``
        ``'YYYY-MM-DD'`` (or ``'YYYY'``/``'YYYY-MM'``), ``precision``, ``status``,
        ``modality``, ``doc_id``, ``quote``, optional ``published``, ``effective_date``,
        ``current``, ``superseded_by``).
    as_of : datetime.date or ISO str
        The date of interest.
    include_expected : bool, default False
        Also count current forecasts due on or before ``as_of`` (scenario "everything opens
        as forecast"). Forecasts overtaken by an actual event of the same status never count.

    Returns
    -------
    StatusResult
        ``status`` in :data:`FEATURE_STATUSES`, the deciding event's date and the event
        itself (as given).
    """
    day = _date(as_of)
    if day is None:
        raise UsageError(f"as_of: cannot parse {as_of!r}")
    evs = _as_events(timeline)
    if include_expected:
        # recompute supersession among the given events (dicts may lack the flags)
        actual_statuses = {e.status for e, _ in evs if e.modality == "actual"}
        latest_forecast: dict[str, TimelineEvent] = {}
        for e, _ in evs:
            if e.modality == "expected" and e.status not in actual_statuses:
                cur = latest_forecast.get(e.status)
                k = (e.published or _dt.date.min, _eff(e), e.date)
                if cur is None or k > (cur.published or _dt.date.min, _eff(cur), cur.date):
                    latest_forecast[e.status] = e
        allowed = {id(e) for e in latest_forecast.values()}
    counted = [
        (e, item)
        for e, item in evs
        if _eff(e) <= day and (e.modality == "actual" or (include_expected and id(e) in allowed))
    ]
    if not counted:
        return StatusResult("unknown", None, None)
    counted.sort(key=lambda pair: (_eff(pair[0]), pair[0].date, _EVENT_RANK[pair[0].status]))
    susp = [p for p in counted if p[0].status == "suspended"]
    progress = [p for p in counted if p[0].status != "suspended"]
    if susp:
        last_susp = susp[-1]
        reopened = [p for p in progress if p[0].status == "opened" and _eff(p[0]) > _eff(last_susp[0])]
        if not reopened:
            return StatusResult("suspended", last_susp[0].date, last_susp[1])
        e, item = reopened[0]
        return StatusResult("open", e.date, item)
    top = max(FEATURE_STATUS_RANK[EVENT_TO_FEATURE_STATUS[e.status]] for e, _ in progress)
    e, item = next(p for p in progress if FEATURE_STATUS_RANK[EVENT_TO_FEATURE_STATUS[p[0].status]] == top)
    return StatusResult(EVENT_TO_FEATURE_STATUS[e.status], e.date, item)


# --------------------------------------------------------------------------- summary
def summarise(
    feature_id: str,
    mentions: Iterable[Any],
    timeline: Iterable[TimelineEvent | Mapping[str, Any]],
    as_of: _dt.date | str,
    *,
    include_expected: bool = False,
) -> dict[str, Any]:
    """Summary of a feature for layer properties.

    Parameters
    ----------
    feature_id : str
    mentions : iterable of geo.extract.Mention
        Mentions of this feature (others are ignored).
    timeline : list of TimelineEvent or dict
    as_of : datetime.date or ISO str
        Date the status is computed for.
    include_expected : bool, default False
        See :func:`status_as_of`.

    Returns
    -------
    dict
        ``status``, ``status_date`` (ISO ``YYYY-MM-DD``, period start), ``status_precision``,
        ``status_source`` (``{doc_id, quote, modality, date}`` of the deciding event or None),
        ``first_mentioned`` / ``last_mentioned`` (ISO publication dates of the earliest and
        latest documents mentioning it), ``mention_count``, ``docs`` (sorted doc ids),
        ``timeline`` (JSON list).
    """
    tl = list(timeline or ())
    res = status_as_of(tl, as_of, include_expected=include_expected)
    ms = [m for m in mentions if getattr(m, "feature_id", feature_id) == feature_id]
    pubs: list[_dt.date] = sorted({p for m in ms if (p := getattr(m, "published", None)) is not None})
    source = None
    precision = None
    if res.event is not None:
        ev = res.event if isinstance(res.event, TimelineEvent) else TimelineEvent.from_json(res.event)
        precision = ev.precision
        source = {
            "doc_id": ev.doc_id,
            "quote": ev.quote,
            "modality": ev.modality,
            "date": format_date(ev.date, ev.precision),
        }
    return {
        "status": res.status,
        "status_date": res.date.isoformat() if res.date else None,
        "status_precision": precision,
        "status_source": source,
        "first_mentioned": pubs[0].isoformat() if pubs else None,
        "last_mentioned": pubs[-1].isoformat() if pubs else None,
        "mention_count": len(ms),
        "docs": sorted({m.doc_id for m in ms}),
        "timeline": timeline_to_json(tl),
    }
