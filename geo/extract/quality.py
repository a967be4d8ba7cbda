"""Score an extraction against a hand-made answer key (the seed-key format).

The key format is the one of ``tests/data/seed_key.yaml`` (rules in
``tests/data/SEED_KEY_GUIDE.md``)::

    documents:
      <doc id>:
        mentions: [{feature, surface}, ...]
        events:   [{feature, status, modality, date, precision, quote}, ...]
        claims:   [{value, unit, counted, ...}, ...]

A user who annotates a few documents of their own in this format can measure the
extractor on them with :func:`score_against_key`; the project's seed-key test and
``benchmarks/bench_extract_quality.py`` use it.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from typing import Any

from geo.extract.normalise import normalise_text
from geo.extract.records import Extraction

__all__ = ["score_against_key"]


def _norm_surface(text: str) -> str:
    return "".join(normalise_text(text).split())


def _date_text(date: _dt.date | None, length: int) -> str:
    return date.isoformat()[:length] if date else ""


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def score_against_key(extraction: Extraction, key: dict[str, Any]) -> dict[str, Any]:
    """Precision and recall of an extraction against a key.

    Mentions are matched as multisets of (doc, feature, surface) (surfaces compared after
    :func:`geo.extract.normalise_text` and whitespace removal, so entity/width artefacts do
    not count). Events are deduplicated per document on (feature, status, modality, date,
    precision) as the key is, then matched one-to-one on (doc, feature, status, modality,
    date truncated to the key's date text). Claims are matched on (doc, value in base
    units: ``亿元`` x 1e8, ``万元`` x 1e4).

    Parameters
    ----------
    extraction : Extraction
    key : dict
        The parsed key (``{"documents": {doc_id: {...}}}``); documents of the extraction
        that are not in the key are ignored.

    Returns
    -------
    dict
        ``mention_precision``, ``mention_recall``, ``event_precision``, ``event_recall``,
        ``claim_precision``, ``claim_recall`` (floats), ``counts`` (``(true positives,
        predicted, gold)`` per kind) and the lists ``missed_mentions``,
        ``spurious_mentions``, ``missed_events``, ``spurious_events``.
    """
    docs = key.get("documents") or {}

    gold_m = Counter(
        (d, m["feature"], _norm_surface(m["surface"])) for d, doc in docs.items() for m in doc.get("mentions") or []
    )
    pred_m = Counter(
        (m.doc_id, m.feature_id, _norm_surface(m.surface)) for m in extraction.mentions if m.doc_id in docs
    )
    tp_m = sum((gold_m & pred_m).values())

    pred_e: dict[tuple, Any] = {}
    for e in extraction.events:
        if e.doc_id in docs:
            pred_e.setdefault((e.doc_id, e.feature_id, e.status, e.modality, e.date, e.precision), e)
    unmatched = list(pred_e)
    tp_e = 0
    missed_e = []
    gold_events = [(d, ev) for d, doc in docs.items() for ev in doc.get("events") or []]
    for d, ev in gold_events:
        date_text = str(ev.get("date") or "")
        hit = next(
            (
                k
                for k in unmatched
                if k[0] == d
                and k[1] == ev["feature"]
                and k[2] == ev["status"]
                and k[3] == ev["modality"]
                and _date_text(k[4], len(date_text)) == date_text
            ),
            None,
        )
        if hit is None:
            missed_e.append((d, ev["feature"], ev["status"], ev["modality"], date_text))
        else:
            unmatched.remove(hit)
            tp_e += 1

    mult = {"亿元": 1e8, "万元": 1e4}
    gold_c = Counter(
        (d, round(float(c["value"]) * mult.get(str(c.get("unit")), 1.0), 3))
        for d, doc in docs.items()
        for c in doc.get("claims") or []
    )
    pred_c = Counter((c.doc_id, round(c.value, 3)) for c in extraction.claims if c.doc_id in docs)
    tp_c = sum((gold_c & pred_c).values())

    return {
        "mention_precision": _ratio(tp_m, sum(pred_m.values())),
        "mention_recall": _ratio(tp_m, sum(gold_m.values())),
        "event_precision": _ratio(tp_e, len(pred_e)),
        "event_recall": _ratio(tp_e, len(gold_events)),
        "claim_precision": _ratio(tp_c, sum(pred_c.values())),
        "claim_recall": _ratio(tp_c, sum(gold_c.values())),
        "counts": {
            "mentions": (tp_m, sum(pred_m.values()), sum(gold_m.values())),
            "events": (tp_e, len(pred_e), len(gold_events)),
            "claims": (tp_c, sum(pred_c.values()), sum(gold_c.values())),
        },
        "missed_mentions": sorted((gold_m - pred_m).elements()),
        "spurious_mentions": sorted((pred_m - gold_m).elements()),
        "missed_events": missed_e,
        "spurious_events": [(k[0], k[1], k[2], k[3], str(k[4]), k[5]) for k in unmatched],
    }
