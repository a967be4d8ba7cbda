"""Document-derived text on the maps: escaping, popups, tooltips, search entries.

Every string that comes from a document or a gazetteer record (names, quotes, titles,
document ids) passes through this module before it reaches the page:

* :func:`escape` HTML-escapes text for popups, tooltips, legends and the search index.
  The page's JavaScript only ever inserts these escaped strings.
* :func:`safe_label` additionally turns braces into character references, for the few
  labels that must go through a folium/branca element (layer and group names): branca
  re-parses every macro's output as Jinja2 template source, so no ``{{``, ``{%`` or
  ``{#`` may survive into it.
* :func:`js_string` writes a JavaScript string literal that is safe in a ``<script>``
  element *and* inside a macro's output (no braces).
* :func:`js_json` / :func:`script_text` make JSON data and JavaScript code safe to sit in
  a ``<script>`` element; such data travel only in :class:`geo.maps.page.Raw` elements,
  which are never templated.
* :func:`popup_head`, :func:`popup_body`, :func:`status_line`, :func:`search_entry` and
  :func:`doc_label` build the escaped HTML of a feature's popup and search entry;
  :func:`documents_from` collects document titles and dates for them.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from geo.dates import iso_date
from geo.maps.styles import STATUS_LABELS
from geo.schema import APPROXIMATE_ACCURACY, as_list

__all__ = [
    "doc_label",
    "documents_from",
    "escape",
    "js_json",
    "js_string",
    "popup_body",
    "popup_head",
    "safe_label",
    "script_text",
    "search_entry",
    "short",
    "status_line",
]


def escape(value: Any) -> str:
    """HTML-escape any value, quotes included (``None`` -> empty string)."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def safe_label(value: Any) -> str:
    """HTML-escaped text for a folium/branca element (layer names, group names).

    Such text ends up inside a macro's output, which branca parses again as Jinja2
    source; braces become character references so that no ``{{``, ``{%`` or ``{#``
    survives to the template engine, while the browser still shows them.
    """
    return escape(value).replace("{", "&#123;").replace("}", "&#125;")


def js_string(text: str) -> str:
    """A JavaScript string literal of ``text`` safe inside ``<script>`` and inside a macro's output.

    As Jinja2's ``tojson`` (``<``, ``>``, ``&`` and ``'`` as ``\\u`` escapes) and braces
    as ``\\u007b``/``\\u007d``, so the literal holds no template syntax when branca
    re-parses the macro output; JavaScript reads the same string.
    """
    return (
        json.dumps(str(text))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("{", "\\u007b")
        .replace("}", "\\u007d")
    )


def js_json(obj: Any) -> str:
    """JSON safe to embed in a ``<script>`` element (no ``<``, ``>``, ``&`` or U+2028/9)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def script_text(js: str) -> str:
    """JavaScript made safe to sit inside a ``<script>`` element (no ``</script``, no ``<!--``)."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.I).replace("<!--", "<\\!--")


def short(text: Any, n: int = 280) -> str:
    """``text`` with whitespace collapsed, cut to ``n`` characters (ending in ``…``)."""
    s = "" if text is None else re.sub(r"\s+", " ", str(text)).strip()
    return s if len(s) <= n else s[: n - 1] + "…"


def doc_label(doc_id: Any, documents: Mapping[str, Any] | None) -> str:
    """Escaped label of a document: its id, and title (and date) if known.

    Parameters
    ----------
    doc_id : str or None
        Document id.
    documents : mapping, optional
        ``doc_id`` -> title string, dict with ``title``/``published`` or an object with
        those attributes (:class:`geo.corpus.Document`).
    """
    if doc_id is None:
        return ""
    info = (documents or {}).get(str(doc_id))
    title = published = None
    if isinstance(info, str):
        title = info
    elif isinstance(info, Mapping):
        title, published = info.get("title"), info.get("published")
    elif info is not None:
        title, published = getattr(info, "title", None), getattr(info, "published", None)
    label = f'<span class="ga-doc">[{escape(doc_id)}]</span>'
    if title:
        label += f" {escape(title)}"
    if published:
        label += f" ({escape(iso_date(published))})"
    return label


def popup_head(props: Mapping[str, Any]) -> str:
    """Escaped popup heading: Chinese name (or id) and English name."""
    return (
        f'<div class="ga-name">{escape(props.get("name_zh") or props.get("id"))}</div>'
        f'<div class="ga-en">{escape(props.get("name_en"))}</div>'
    )


def _accuracy_note(accuracy: Any) -> str:
    if accuracy == "unlocated":
        return ' <span class="ga-flag">(location unknown: drawn as the county it is in)</span>'
    if accuracy in APPROXIMATE_ACCURACY:
        return ' <span class="ga-flag">(position approximate)</span>'
    return ""


def popup_body(props: Mapping[str, Any], documents: Mapping[str, Any] | None) -> str:
    """Escaped popup HTML below the status line: kind, accuracy, source, aliases, timeline, claims.

    Parameters
    ----------
    props : mapping
        Decoded feature properties (:func:`geo.schema.decode_property`).
    documents : mapping, optional
        See :func:`doc_label`.
    """
    rows = [
        ("Kind 类型", escape(props.get("kind"))),
        ("Accuracy 精度", escape(props.get("accuracy")) + _accuracy_note(props.get("accuracy"))),
        ("Geometry 几何来源", escape(props.get("geometry_source"))),
    ]
    aliases = [a for a in as_list(props.get("aliases")) if a]
    if aliases:
        rows.append(("Also 别名", escape("、".join(str(a) for a in aliases[:12]))))
    parts = ['<table class="ga-tab">']
    parts += [f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows]
    parts.append("</table>")
    timeline = [ev for ev in as_list(props.get("timeline")) if isinstance(ev, Mapping)]
    if timeline:
        timeline = sorted(timeline, key=lambda ev: iso_date(ev.get("date")) or "")
        parts.append('<div class="ga-h">Timeline 时间线</div><ol class="ga-tl">')
        for ev in timeline:
            modality = ev.get("modality") or "actual"
            when = ev.get("date_text") or iso_date(ev.get("date"))
            cites = [c for c in as_list(ev.get("citations")) if isinstance(c, Mapping)]
            if not cites:
                cites = [{"quote": ev.get("quote"), "doc_id": ev.get("doc_id")}]
            more = f' <span class="ga-doc">(+{len(cites) - 3} more)</span>' if len(cites) > 3 else ""
            superseded = ev.get("superseded_by")
            parts.append(
                f'<li class="ga-ev ga-{escape(modality)}"><b>{escape(when)}</b>'
                f' <span class="ga-prec">({escape(ev.get("precision"))})</span> '
                f"{escape(ev.get('status'))}{' · expected 预期' if modality != 'actual' else ''}"
                f"{f' · superseded ({escape(superseded)})' if superseded else ''}"
                + "".join(
                    f"<q>{escape(short(c.get('quote')))}</q>{doc_label(c.get('doc_id'), documents)}" for c in cites[:3]
                )
                + f"{more}</li>"
            )
        parts.append("</ol>")
    claims = [c for c in as_list(props.get("claims")) if isinstance(c, Mapping)]
    if claims:
        parts.append('<div class="ga-h">Claims 数据</div><ul class="ga-cl">')
        for c in claims:
            counted = c.get("counted")
            parts.append(
                f"<li><b>{escape(c.get('value'))} {escape(c.get('unit'))}</b>"
                f"{(' ' + escape(counted)) if counted not in (None, '', True, False) else ''}"
                f"<q>{escape(short(c.get('quote')))}</q>{doc_label(c.get('doc_id'), documents)}</li>"
            )
        parts.append("</ul>")
    return "".join(parts)


def status_line(status: str, date: str | None, as_of: str | None) -> str:
    """Escaped popup line ``Status as of <date>: <label> (since <date>)``."""
    when = f" as of {escape(as_of)}" if as_of else ""
    since = f" (since {escape(date)})" if date else ""
    label = escape(STATUS_LABELS.get(status, status))
    return f'<div class="ga-status ga-st-{escape(status)}">Status{when}: <b>{label}</b>{since}</div>'


def search_entry(props: Mapping[str, Any], layer: str) -> tuple[str, str]:
    """``(escaped label, escaped lower-case haystack)`` of a feature for the search index.

    The haystack joins the Chinese and English names, the aliases and the id with U+0001.
    """
    names = [props.get("name_zh"), props.get("name_en"), *as_list(props.get("aliases")), props.get("id")]
    names = [str(n) for n in names if n]
    label = f"{props.get('name_zh') or props.get('id')}"
    if props.get("name_en"):
        label += f" — {props.get('name_en')}"
    label += f" · {layer}"
    return escape(label), escape("\u0001".join(names).lower())


def documents_from(extraction: Any = None, corpus: Any = None) -> dict[str, dict[str, Any]]:
    """``doc_id -> {title, published}`` for popups, from an extraction and/or a corpus.

    Parameters
    ----------
    extraction : geo.extract.Extraction, optional
        Its ``documents`` mapping gives publication dates.
    corpus : geo.corpus.Corpus or iterable of documents, optional
        Gives titles and publication dates.
    """
    docs: dict[str, dict[str, Any]] = {}
    for doc_id, published in (getattr(extraction, "documents", None) or {}).items():
        docs[str(doc_id)] = {"published": published}
    for doc in getattr(corpus, "documents", None) or (corpus or []):
        doc_id = getattr(doc, "doc_id", None)
        if doc_id is not None:
            docs.setdefault(str(doc_id), {}).update(
                title=getattr(doc, "title", None), published=getattr(doc, "published", None)
            )
    return docs
