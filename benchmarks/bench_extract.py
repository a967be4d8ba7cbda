"""Benchmark geo.extract on synthetic documents.

Generates documents from templates filled with real gazetteer names, random dates and
figures (some in traditional characters and full-width digits), runs :func:`geo.extract.extract`
on one core and prints characters and bytes (UTF-8) per second. Target: >= 1 MB/s.

Usage::

    .venv/bin/python benchmarks/bench_extract.py [--docs 1000] [--seed 0] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import time

from geo.extract import extract, normalise_text
from geo.gazetteer import Feature, Gazetteer, load_gazetteer

logger = logging.getLogger(__name__)

_SENTENCES = [
    "{a}已于{m}月份开工建设，{b}将于{y}年建成通车；{c}年底前开工，{d}年内完成路基建设。",
    "{a}、{b}前期工作扎实推进。{c}与{d}对接工程{y}年开工建设。",
    "今年以来，交通一体化建设稳步推进。{a}开通运营、{b}加速建设、开通多条跨界公交。",
    "{a}正在加快建设；{b}于今年{m}月{d2}日完工通车，日客运量约{n}万人次。",
    "推进{a}建设，加快建设{b}、{c}、{d}等。",
    "{a}加快建设，这是首条跨区域线路，预计{y}年年底建成通车后，将成为重要通勤通道。",
    "已建成与{a}连通的高速公路{k}条、主干路{k2}条、跨{b}桥梁{k}座，总投资{n}亿元。",
    "近日，{a}正式开诊，{b}投入使用，{c}主体结构封顶，{d}已经完成总工程量的{p}%。",
    "{a}于去年{m}月开放以来，推行智能终端自助办事新模式，814路公交同步调整。",
    "会议听取了{a}、{b}建设计划汇报，强调要加紧建设{c}，确保{y}年实现{d}建成通车。",
]
_FILLER = (
    "围绕强化科技创新、行政办公、商务服务、文化旅游四大功能，推进政策清单、任务清单、项目清单落地，"
    "努力创造高质量发展的新样板，持续优化营商环境，推动公共服务共建共享。"
)


def make_documents(gazetteer, n: int, *, seed: int = 0) -> list:
    """Synthetic documents: templates with real feature names and random dates/figures."""
    from types import SimpleNamespace

    from opencc import OpenCC

    s2t = OpenCC("s2t")
    rng = random.Random(seed)
    names = sorted(
        {f.name_zh for f in gazetteer.features.values() if f.kind not in ("admin",)}
        | {a for f in gazetteer.features.values() for a in f.aliases[:2] if len(a) >= 3}
    )
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    docs = []
    for i in range(n):
        published = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(6 * 365))
        paras = []
        for _ in range(rng.randint(6, 12)):
            sentences = []
            for _ in range(rng.randint(2, 5)):
                t = rng.choice(_SENTENCES)
                sentences.append(
                    t.format(
                        a=rng.choice(names),
                        b=rng.choice(names),
                        c=rng.choice(names),
                        d=rng.choice(names),
                        y=published.year + rng.randint(-2, 3),
                        m=rng.randint(1, 12),
                        d2=rng.randint(1, 28),
                        n=rng.randint(2, 900),
                        k=rng.randint(2, 9),
                        k2=rng.randint(2, 9),
                        p=rng.randint(10, 95),
                    )
                )
            sentences.append(_FILLER)
            paras.append("".join(sentences))
        text = "\n\n".join(paras)
        if i % 10 == 0:
            text = s2t.convert(text)  # traditional characters
        if i % 7 == 0:
            text = text.translate(full)  # full-width digits
        docs.append(
            SimpleNamespace(
                doc_id=f"bench-{i:05d}", published=published, published_precision="day", text=text, title=""
            )
        )
    return docs


def _fallback_gazetteer() -> Gazetteer:
    names = [
        ("metro-line-22", "北京地铁22号线", "metro_line", ("平谷线",)),
        ("jingtang-intercity", "京唐城际铁路", "rail_line", ("京唐铁路",)),
        ("road-changtong", "厂通路", "road", ()),
        ("road-anshi", "安石路", "road", ()),
        ("bridge-wangjiabai", "王家摆大桥", "bridge", ()),
        ("expressway-chengping", "承平高速", "expressway", ()),
    ]
    return Gazetteer(Feature(id=i, name_zh=n, name_en=i, kind=k, theme="rail", aliases=a) for i, n, k, a in names)


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    try:
        gaz = load_gazetteer()
    except Exception as exc:  # the benchmark still runs on a tiny gazetteer
        logger.warning("package gazetteer unavailable (%s); using a small built-in one", exc)
        gaz = _fallback_gazetteer()
    docs = make_documents(gaz, args.docs, seed=args.seed)
    chars = sum(len(d.text) for d in docs)
    nbytes = sum(len(d.text.encode("utf-8")) for d in docs)
    normalise_text("預熱")  # load OpenCC outside the timing
    best = float("inf")
    result = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = extract(docs, gaz)
        best = min(best, time.perf_counter() - t0)
    out = {
        "documents": len(docs),
        "characters": chars,
        "bytes_utf8": nbytes,
        "seconds": round(best, 3),
        "chars_per_second": round(chars / best),
        "mb_per_second": round(nbytes / best / 1e6, 2),
        "mentions": len(result.mentions),
        "events": len(result.events),
        "claims": len(result.claims),
        "unknowns": len(result.unknowns),
    }
    for k, v in out.items():
        print(f"{k:>18}: {v}")
    print("target >= 1 MB/s:", "met" if out["mb_per_second"] >= 1.0 else "NOT met")
    return out


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main()
