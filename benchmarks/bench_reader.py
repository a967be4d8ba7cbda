"""Reading hostile HTML: geo.corpus against Python's html.parser on the same input.

Run by hand: ``python benchmarks/bench_reader.py`` (about two minutes; figures in
benchmarks/README.md). For each input and size it times ``geo.corpus.read_document`` (the
whole reader: decoding, HTML to text, chrome, sentences) and, as the peer, a plain
``html.parser.HTMLParser`` that only collects text (what the former reader was built on), and
checks that both find the same body text. A linear reader's time grows like the input (x10
size -> ~x10 time); a quadratic one's like its square (x10 -> ~x100).
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.corpus import read_document  # noqa: E402

logger = logging.getLogger("bench_reader")
BODY = "<p>京唐城际铁路开通运营，燕郊站投入使用。</p>"
# input -> (markup of size n, sizes); html.parser's worst case gets smaller sizes to end in minutes
CASES = {
    "nested <div>": (lambda n: "<div>" * n + BODY + "</div>" * n, (10_000, 100_000)),
    "unclosed <a": (lambda n: BODY + "<a" * n, (5_000, 50_000)),
    "unclosed <!--": (lambda n: BODY + "<!--" * n, (5_000, 50_000)),
    "unclosed <p attributes": (lambda n: BODY + "<p " * n, (2_000, 20_000)),
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def peer_text(markup: str) -> str:
    p = _Text()
    p.feed(markup)
    p.close()
    return "".join(p.parts)


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    folder = Path(tempfile.mkdtemp())
    for name, (make, sizes) in CASES.items():
        for n in sizes:
            markup = make(n)
            path = folder / "doc.html"
            path.write_text(markup, encoding="utf-8")
            t_geo, doc = timed(read_document, path)
            t_peer, text = timed(peer_text, markup)
            agree = "京唐城际铁路开通运营，燕郊站投入使用。" in doc.text and "京唐城际铁路开通运营" in text
            logger.info(
                "%-24s n=%7s %9s chars  geo.corpus %7.3f s  html.parser %7.3f s  ratio %6.0fx  agree %s",
                name,
                f"{n:,}",
                f"{len(markup):,}",
                t_geo,
                t_peer,
                t_peer / max(t_geo, 1e-6),
                agree,
            )
    # the seeds' HTML: the same body text as the peer (whitespace aside), and the speed on real pages
    for seed in sorted((ROOT / "seeds").iterdir()):
        raw = seed.read_text(encoding="utf-8")
        if not re.search(r"<(p|div)\b", raw):
            continue
        t_geo, doc = timed(read_document, seed)
        t_peer, text = timed(peer_text, raw)
        flat = re.sub(r"\s+", "", text)
        missing = [p for p in doc.text.split("\n\n") if re.sub(r"\s+", "", p) not in flat]
        logger.info(
            "seed %s: %s chars  geo.corpus %.4f s  html.parser %.4f s  paragraphs not in the peer's text: %d",
            seed.name,
            f"{len(raw):,}",
            t_geo,
            t_peer,
            len(missing),
        )


if __name__ == "__main__":
    main()
