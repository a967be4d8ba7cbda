"""Stand-ins the extraction tests share.

Test modules import these from here (never from each other or from conftest).
"""

from __future__ import annotations

import datetime as dt


class Doc:
    """A minimal document: the attributes :func:`geo.extract.extract` reads; the publication
    precision is ``day``, or ``unknown`` without a publication date."""

    def __init__(self, doc_id: str, published: dt.date | None, text: str):
        self.doc_id = doc_id
        self.published = published
        self.published_precision = "day" if published else "unknown"
        self.text = text
        self.title = ""
