"""Document-derived text on the maps: escaping, links, numbers, popups, search entries.

Every string that comes from a document or a gazetteer record (names, quotes, titles,
document ids, URLs) passes through this module before it reaches the page as HTML:

* :func:`escape` HTML-escapes text for popups, tooltips, legends and the search index.
  The page's JavaScript inserts these escaped strings as HTML; text it builds itself
  (feature list, labels, downloads) it sets with ``textContent`` or writes as JSON.
* :func:`safe_label` additionally turns braces into character references, for the few
  labels that must go through a folium/branca element (layer and group names): branca
  re-parses every macro's output as Jinja2 template source, so no ``{{``, ``{%`` or
  ``{#`` may survive into it.
* :func:`js_string` writes a JavaScript string literal that is safe in a ``<script>``
  element *and* inside a macro's output (no braces).
* :func:`js_json` / :func:`script_text` make JSON data and JavaScript code safe to sit in
  a ``<script>`` element; such data travel only in :class:`geo.maps.page.Raw` elements,
  which are never templated.
* :func:`linkify` escapes text and turns its ``http``/``https`` URLs (only those) into
  links with ``rel="noopener noreferrer"``; :func:`safe_url` checks one URL.
* :func:`format_number` writes a claimed quantity with its unit (``160万人次``, ``81.2 km``).
* :func:`popup_head`, :func:`popup_body`, :func:`status_line`, :func:`search_entry`,
  :func:`doc_label` and :func:`documents_html` build a feature's popup and search entry
  with human-readable kinds, statuses and events (:mod:`geo.maps.styles`) and documents
  by title and date (:func:`documents_from`).
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from geo.dates import iso_date
from geo.maps.styles import (
    ACCURACY_LABELS,
    EVENT_LABELS,
    KIND_LABELS,
    PLACEMENT_LABELS,
    PRECISION_LABELS,
    STATUS_NAMES,
    Pair,
)
from geo.schema import APPROXIMATE_ACCURACY, as_list, decode_property, is_missing

__all__ = [
    "GAZETTEER_DOC",
    "doc_label",
    "documents_from",
    "documents_html",
    "escape",
    "format_number",
    "js_json",
    "js_string",
    "linkify",
    "pair_html",
    "placement_html",
    "popup_body",
    "popup_head",
    "safe_label",
    "safe_url",
    "script_text",
    "search_entry",
    "short",
    "status_line",
    "zh",
]

#: The ``doc_id`` of facts recorded in the gazetteer (``known_events``): their quote names the source.
GAZETTEER_DOC = "gazetteer"
#: Documents listed in a popup at most (the rest are counted).
_MAX_DOCS = 12


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


def zh(text: Any) -> str:
    """Escaped Chinese text marked ``lang="zh"`` (for fonts and screen readers)."""
    return f'<span lang="zh">{escape(text)}</span>' if text not in (None, "") else ""


def pair_html(pair: Pair | None, fallback: Any = "") -> str:
    """Escaped ``en 中文`` of a display pair, the Chinese part marked ``lang="zh"``."""
    if pair is None:
        return escape(fallback)
    en, cn = pair
    return f"{escape(en)} {zh(cn)}".strip()


# --------------------------------------------------------------------------- links and numbers

#: An http(s) URL in running text: ends at whitespace, quotes, brackets or CJK punctuation.
_URL = re.compile(r"https?://[^\s<>\"'()\[\]{}\u2026\u3000-\u303f\uff08\uff09\uff0c\uff1b\uff1a\uff01\uff1f]+", re.I)


def safe_url(url: Any) -> str | None:
    """``url`` if it is an absolute ``http``/``https`` URL with a host, else ``None``."""
    if not isinstance(url, str) or len(url) > 2000:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"[\s<>\"']", url):
        return None
    return url


def _link(url: str, text: str | None = None) -> str:
    return f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(text if text else url)}</a>'


def linkify(text: Any) -> str:
    """Escaped ``text`` with its ``http``/``https`` URLs as links (``rel="noopener noreferrer"``).

    Any other scheme (``javascript:``, ``data:`` ...) stays plain text.
    """
    if text is None:
        return ""
    s = str(text)
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(s):
        url = m.group(0).rstrip(".,;:!?")
        end = m.start() + len(url)
        out.append(escape(s[pos : m.start()]))
        ok = safe_url(url)
        out.append(_link(ok) if ok else escape(url))
        pos = end
    out.append(escape(s[pos:]))
    return "".join(out)


def format_number(value: Any, unit: Any = None) -> str:
    """A claimed quantity with its unit, as a reader expects it (escaped HTML).

    Whole numbers lose their ``.0`` and get thousands separators; with a Chinese unit,
    10,000 and more are also written in 万 (``160万人次 (1,600,000)``); ASCII units are
    spaced (``81.2 km``, ``30 min``), ``%`` is not. Non-numbers are escaped as they are.
    """
    unit_s = "" if unit is None or is_missing(unit) else str(unit)
    try:
        x = float(value)
        ok = math.isfinite(x) and not isinstance(value, bool)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        return escape(f"{value} {unit_s}".strip())
    digits = f"{x:,.0f}" if x == round(x) else f"{x:,.2f}".rstrip("0").rstrip(".")
    cjk = bool(re.search(r"[^\x00-\x7f]", unit_s))
    if cjk and abs(x) >= 10_000:
        wan = x / 10_000
        wan_s = f"{wan:,.0f}" if wan == round(wan) else f"{wan:,.2f}".rstrip("0").rstrip(".")
        return escape(f"{wan_s}万{unit_s} ({digits})")
    if unit_s in ("%", "‰") or cjk:
        return escape(f"{digits}{unit_s}")
    return escape(f"{digits} {unit_s}".strip())


# --------------------------------------------------------------------------- documents


def _doc_info(doc_id: Any, documents: Mapping[str, Any] | None) -> dict[str, Any]:
    info = (documents or {}).get(str(doc_id))
    if isinstance(info, str):
        return {"title": info}
    if isinstance(info, Mapping):
        return dict(info)
    if info is not None:
        return {k: getattr(info, k, None) for k in ("title", "published")}
    return {}


def doc_label(doc_id: Any, documents: Mapping[str, Any] | None) -> str:
    """Escaped label of a document: its title, date and outlet, linked to its URL if known.

    Parameters
    ----------
    doc_id : str or None
        Document id; the id itself is shown only when nothing else is known (and kept in
        the element's ``title``). ``'gazetteer'`` labels a fact recorded in the gazetteer,
        whose quote names the public source.
    documents : mapping, optional
        ``doc_id`` -> title string, dict with ``title``/``published``/``url``/``outlet`` (as
        from :func:`documents_from`) or an object with those attributes
        (:class:`geo.corpus.Document`). Only ``http``/``https`` URLs become links.
    """
    if doc_id is None or doc_id == "":
        return ""
    if str(doc_id) == GAZETTEER_DOC:
        return '<span class="ga-doc">gazetteer record, public source quoted 地名库记录</span>'
    info = _doc_info(doc_id, documents)
    title, published = info.get("title"), info.get("published")
    parts = []
    if title:
        parts.append(f"《{zh(title)}》")
    if published:
        parts.append(escape(iso_date(published)))
    if info.get("outlet"):
        parts.append(zh(info["outlet"]))
    if not parts:
        parts.append(f"document {escape(doc_id)}")
    text = " ".join(parts)
    url = safe_url(info.get("url"))
    if url:
        text += " " + _link(url, "source ↗")
    return f'<span class="ga-doc" title="{escape(doc_id)}">{text}</span>'


def documents_html(doc_ids: Iterable[Any], documents: Mapping[str, Any] | None) -> str:
    """Escaped list of the documents a feature is cited in (titles, dates, links)."""
    ids = [str(d) for d in doc_ids if d not in (None, "")]
    if not ids:
        return ""
    more = f'<li class="ga-doc">… and {len(ids) - _MAX_DOCS} more</li>' if len(ids) > _MAX_DOCS else ""
    items = "".join(f"<li>{doc_label(d, documents)}</li>" for d in ids[:_MAX_DOCS])
    return f'<div class="ga-h">Documents {zh("文献")} ({len(ids)})</div><ul class="ga-docs">{items}{more}</ul>'


def documents_from(extraction: Any = None, corpus: Any = None) -> dict[str, dict[str, Any]]:
    """``doc_id -> {title, published, precision, outlet, url}`` for popups, from an extraction and/or a corpus.

    Parameters
    ----------
    extraction : geo.extract.Extraction, optional
        Its ``documents`` mapping gives publication dates.
    corpus : geo.corpus.Corpus or iterable of documents, optional
        Gives titles, publication dates and the source fields (outlet, url); a URL is
        kept only if it is ``http``/``https``.
    """
    docs: dict[str, dict[str, Any]] = {}
    for doc_id, published in (getattr(extraction, "documents", None) or {}).items():
        docs[str(doc_id)] = {"published": published}
    for doc in getattr(corpus, "documents", None) or (corpus or []):
        doc_id = getattr(doc, "doc_id", None)
        if doc_id is None:
            continue
        source = getattr(doc, "source", None) or {}
        if not isinstance(source, Mapping):
            source = {}
        docs.setdefault(str(doc_id), {}).update(
            title=getattr(doc, "title", None),
            published=getattr(doc, "published", None),
            precision=getattr(doc, "published_precision", None),
            outlet=source.get("outlet") or source.get("author"),
            url=safe_url(source.get("url")),
        )
    return docs


# --------------------------------------------------------------------------- popups


def popup_head(props: Mapping[str, Any]) -> str:
    """Escaped popup heading: Chinese name (or id), English name, a provisional badge."""
    badge = ""
    if props.get("provisional") is True:
        badge = (
            '<div class="ga-badge ga-provisional">provisional: found in documents, not yet in the gazetteer '
            f"{zh('临时要素')}</div>"
        )
    return (
        f'<div class="ga-name" lang="zh">{escape(props.get("name_zh") or props.get("id"))}</div>'
        f'<div class="ga-en">{escape(props.get("name_en"))}</div>{badge}'
    )


def _accuracy_html(accuracy: Any) -> str:
    label = pair_html(ACCURACY_LABELS.get(str(accuracy)), accuracy)
    if accuracy == "unlocated":
        label += ' <span class="ga-flag">(location unknown: the outline is its county, not its place)</span>'
    elif accuracy in APPROXIMATE_ACCURACY:
        label += ' <span class="ga-flag">(position not exact)</span>'
    return label


def _event_html(ev: Mapping[str, Any], documents: Mapping[str, Any] | None) -> str:
    modality = str(ev.get("modality") or "actual")
    when = ev.get("date_text") or iso_date(ev.get("date")) or "undated"
    precision = str(ev.get("precision") or "")
    cites = [c for c in as_list(ev.get("citations")) if isinstance(c, Mapping)]
    if not cites:
        cites = [{"quote": ev.get("quote"), "doc_id": ev.get("doc_id")}]
    more = f' <span class="ga-doc">(+{len(cites) - 3} more sources)</span>' if len(cites) > 3 else ""
    superseded = ev.get("superseded_by")
    reported_on = ""
    prec: Pair | None
    if precision == "month" and ev.get("date_basis") == "reported":
        prec = PRECISION_LABELS["reported_month"]  # undated in the text: the report's month
        # the first report of it: the day the timeline counts it from
        first = iso_date(ev.get("effective_date"))
        reported_on = f", {escape(first)}" if first else ""
    else:
        prec = PRECISION_LABELS.get(precision)
    prec_html = f' <span class="ga-prec">({pair_html(prec, precision)}{reported_on})</span>' if precision else ""
    quotes = "".join(
        f'<q lang="zh">{linkify(short(c.get("quote")))}</q>{doc_label(c.get("doc_id"), documents)}' for c in cites[:3]
    )
    return (
        f'<li class="ga-ev ga-{escape(modality)}"><b>{escape(when)}</b>{prec_html} '
        f"{pair_html(EVENT_LABELS.get(str(ev.get('status'))), ev.get('status'))}"
        f"{' · expected ' + zh('预期') if modality != 'actual' else ''}"
        f"{f' · superseded by a later forecast ({escape(superseded)})' if superseded else ''}"
        f"{quotes}{more}</li>"
    )


def placement_html(placement: Any, documents: Mapping[str, Any] | None) -> str:
    """Escaped "where the text places it" of a provisional feature (``placement``), or ``''``.

    ``placement`` (:func:`geo.extract.provisional.provisional_features`) gives the county
    names, the level (:data:`geo.maps.styles.PLACEMENT_LABELS`) and the quote that places
    it, with its document.
    """
    placement = decode_property(placement)
    if not isinstance(placement, Mapping):
        return ""
    names = [str(n) for n in as_list(placement.get("names")) if n]
    level = str(placement.get("level") or "")
    where = f"in {zh('、'.join(names))}" if names else "in the study area"
    how = PLACEMENT_LABELS.get(level)
    out = where + (f" ({pair_html(how)})" if how else "")
    if placement.get("quote"):
        out += (
            f'<div class="ga-source"><q lang="zh">{linkify(short(placement.get("quote")))}</q>'
            f"{doc_label(placement.get('doc_id'), documents)}</div>"
        )
    return out


def popup_body(props: Mapping[str, Any], documents: Mapping[str, Any] | None) -> str:
    """Escaped popup HTML below the status line: kind, accuracy, source, aliases, timeline, claims, documents.

    Parameters
    ----------
    props : mapping
        Decoded feature properties (:func:`geo.schema.decode_property`).
    documents : mapping, optional
        See :func:`doc_label`.
    """
    rows = [
        (f"Kind {zh('类型')}", pair_html(KIND_LABELS.get(str(props.get("kind"))), props.get("kind"))),
        (f"Accuracy {zh('精度')}", _accuracy_html(props.get("accuracy"))),
        (f"Geometry {zh('几何来源')}", linkify(props.get("geometry_source"))),
    ]
    placed = placement_html(props.get("placement"), documents)
    if placed:
        rows.append((f"Placed {zh('定位')}", placed))
    aliases = [a for a in as_list(props.get("aliases")) if a]
    if aliases:
        rows.append((f"Also {zh('别名')}", zh("、".join(str(a) for a in aliases[:12]))))
    parts = ['<table class="ga-tab">']
    parts += [f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows]
    parts.append("</table>")
    timeline = [ev for ev in as_list(props.get("timeline")) if isinstance(ev, Mapping)]
    if timeline:
        timeline = sorted(timeline, key=lambda ev: iso_date(ev.get("date")) or "")
        parts.append(f'<div class="ga-h">Timeline {zh("时间线")}</div><ol class="ga-tl">')
        parts += [_event_html(ev, documents) for ev in timeline]
        parts.append("</ol>")
    claims = [c for c in as_list(props.get("claims")) if isinstance(c, Mapping)]
    if claims:
        parts.append(f'<div class="ga-h">Claims {zh("数据")}</div><ul class="ga-cl">')
        for c in claims:
            counted = c.get("counted")
            qualifier = c.get("qualifier")
            parts.append(
                f"<li><b>{zh(qualifier) + ' ' if qualifier not in (None, '') else ''}"
                f"{format_number(c.get('value'), c.get('unit'))}</b>"
                f"{(' ' + zh(counted)) if counted not in (None, '', True, False) else ''}"
                f'<q lang="zh">{linkify(short(c.get("quote")))}</q>{doc_label(c.get("doc_id"), documents)}</li>'
            )
        parts.append("</ul>")
    parts.append(documents_html(as_list(props.get("docs")), documents))
    return "".join(parts)


def status_line(
    status: str,
    date: str | None,
    as_of: str | None,
    *,
    inherited: str | None = None,
    source: Mapping[str, Any] | None = None,
    documents: Mapping[str, Any] | None = None,
) -> str:
    """Escaped popup line ``Status as of <date>: <status> (since <date>, as its line <name>)``.

    Parameters
    ----------
    status, date : str
        The status and the date it holds since.
    as_of : str, optional
        The map date.
    inherited : str, optional
        Name of the line whose status the feature takes (``status_source.inherited_from``).
    source : mapping, optional
        The deciding event (``status_source``): its quote and document are cited.
    documents : mapping, optional
        See :func:`doc_label`.
    """
    when = f" as of {escape(as_of)}" if as_of else ""
    since = [f"since {escape(date)}"] if date else []
    if inherited:
        since.append(f"as its line {zh(inherited)}")
    label = pair_html(STATUS_NAMES.get(status), status)
    cite = ""
    if isinstance(source, Mapping) and source.get("quote") and status != "unknown":
        cite = (
            f'<div class="ga-source">Source {zh("依据")}: <q lang="zh">{linkify(short(source.get("quote")))}</q>'
            f"{doc_label(source.get('doc_id'), documents)}</div>"
        )
    extra = f" ({', '.join(since)})" if since else ""
    return f'<div class="ga-status ga-st-{escape(status)}">Status{when}: <b>{label}</b>{extra}{cite}</div>'


def search_entry(props: Mapping[str, Any], layer: str, also: Iterable[Any] = ()) -> tuple[str, str, str]:
    """``(escaped label, escaped lower-case haystack, secondary haystack)`` of a feature for search.

    The haystack joins the Chinese and English names, the aliases and the id with
    U+0001; the secondary haystack the names in ``also`` (a station's lines), so that
    searching a line also lists its stations, after the line itself.
    """
    names = [props.get("name_zh"), props.get("name_en"), *as_list(props.get("aliases")), props.get("id")]
    names = [str(n) for n in names if n]
    label = f"{props.get('name_zh') or props.get('id')}"
    if props.get("name_en"):
        label += f" — {props.get('name_en')}"
    label = escape(label) + f' <span class="ga-kind">{escape(layer)}</span>'
    second = [str(n) for n in also if n]
    return label, escape("\u0001".join(names).lower()), escape("\u0001".join(second).lower())
