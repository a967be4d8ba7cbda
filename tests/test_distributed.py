"""dask.distributed: a real LocalCluster with 2 worker processes; results equal the in-process ones exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.dataset as pads
import pytest

from geo import distributed
from geo import network as gn
from geo.analysis import accessibility as acc
from geo.cli import main
from geo.corpus import load_corpus
from geo.errors import UsageError
from geo.gazetteer import load_gazetteer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def client():
    with distributed.scheduler_client("local:2") as c:
        assert distributed.n_workers(c) == 2
        yield c


def test_scheduler_specs():
    assert distributed.parse_scheduler("local") == ("local", None)
    assert distributed.parse_scheduler("local:3") == ("local", 3)
    assert distributed.parse_scheduler("tcp://10.0.0.5:8786") == ("address", "tcp://10.0.0.5:8786")
    for bad in ("local:0", "loc", "10.0.0.5:8786", "local:x"):
        with pytest.raises(UsageError, match="scheduler"):
            distributed.parse_scheduler(bad)
    assert main(["extract", "--scheduler", "nowhere"]) == 2


def _corpus(tmp_path: Path) -> Path:
    """The seeds plus generated documents, a duplicate id and an unreadable file."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in SEEDS.iterdir():
        (folder / p.name).write_bytes(p.read_bytes())
    names = ["京唐城际铁路", "平谷线", "厂通路", "燕潮大桥", "通燕高速"]
    for i in range(30):
        a, b = names[i % 5], names[(i + 2) % 5]
        (folder / f"gen-{i:03d}.md").write_text(
            f"---\ntitle: 第{i}号通报\ndate: 2023-0{1 + i % 9}-1{i % 10}\n---\n"
            f"{a}于2023年{1 + i % 12}月开通运营。{b}正在建设，预计2026年建成。新建XX{i}大桥一座。\n",
            encoding="utf-8",
        )
    (folder / "gen-003.txt").write_text("重复的文档编号。\n", encoding="utf-8")
    (folder / "broken.md").write_bytes(b"\x00\x01\x02binary")
    return folder


def test_partitioned_extraction_equals_in_process(client, tmp_path):
    folder = _corpus(tmp_path)
    gaz = load_gazetteer()
    local = load_corpus(folder)
    remote = distributed.load_corpus(folder, client=client, partitions=5)
    assert [d.doc_id for d in remote] == [d.doc_id for d in local]
    assert remote.warnings == local.warnings
    assert any("broken.md" in w for w in remote.warnings)
    from geo.extract import extract

    x_local = extract(local, gaz)
    x_remote = distributed.extract(remote, gaz, client=client, partitions=7)
    assert json.dumps(x_remote.to_json(), sort_keys=True, default=str) == json.dumps(
        x_local.to_json(), sort_keys=True, default=str
    )
    assert x_remote.timelines.keys() == x_local.timelines.keys()


def _grid(s: int) -> tuple:
    rng = np.random.default_rng(7)
    idx = np.arange(s * s).reshape(s, s)
    a = np.concatenate([idx[:-1, :].ravel(), idx[:, :-1].ravel()])
    b = np.concatenate([idx[1:, :].ravel(), idx[:, 1:].ravel()])
    u, v = np.concatenate([a, b]), np.concatenate([b, a])
    return gn.csr_from_arrays(u, v, rng.uniform(5, 50, len(u)), s * s), s * s


def test_od_streams_to_partitioned_parquet(client, tmp_path):
    csr, n = _grid(30)
    src, tgt = np.arange(0, n, 3), np.arange(1, n, 5)
    ids = np.array([f"n{i}" for i in range(n)], dtype=object)
    kw = {"block_size": 40, "cutoff": 400.0, "origin_ids": ids, "destination_ids": ids}
    stats = distributed.od_to_parquet(csr, src, tgt, tmp_path / "od", client=client, **kw)
    assert stats["blocks"] == int(np.ceil(len(src) / 40)) == len(list((tmp_path / "od").glob("part-*.parquet")))
    local = distributed.od_to_parquet(csr, src, tgt, tmp_path / "od_local", **kw)
    assert local["rows"] == stats["rows"] > 0
    remote_t = pads.dataset(tmp_path / "od").to_table().to_pandas()
    local_t = pads.dataset(tmp_path / "od_local").to_table().to_pandas()
    assert remote_t.equals(local_t)
    ref = gn.shortest_travel_times(csr, src, tgt, cutoff=400.0, reverse=False, dtype=np.float32)
    r, c = np.nonzero(np.isfinite(ref))
    assert len(remote_t) == len(r)
    got = remote_t.set_index(["origin", "destination"])["time_s"]
    assert np.array_equal(got.loc[list(zip(ids[src[r]], ids[tgt[c]], strict=True))].to_numpy(), ref[r, c])
    # a rerun replaces the dataset whole
    again = distributed.od_to_parquet(csr, src[:10], tgt, tmp_path / "od", client=client, block_size=40)
    assert again["blocks"] == 1
    assert len(list((tmp_path / "od").glob("part-*.parquet"))) == 1


def test_cumulative_opportunities_distributed_equal_in_process(client, toy_network, tmp_path):
    from _netdata import W
    from shapely.geometry import box

    G = toy_network
    area = box(*W(-1000, -1500), *W(22000, 3500))
    kw = {"chains": ["car", "rail"], "thresholds_min": [10, 30], "resolution": 8, "area": area, "block_size": 50}
    local = acc.cumulative_opportunities(G, **kw)
    remote = acc.cumulative_opportunities(G, client=client, od_dir=tmp_path / "pairs", **kw)
    cols = [c for c in local.columns if c.startswith("o_")]
    assert cols == ["o_car_10", "o_car_30", "o_rail_10", "o_rail_30"]
    assert local[cols].equals(remote[cols])
    assert (local["o_car_30"] >= local["o_car_10"]).all()
    assert (local["o_car_10"] >= 1).all()  # a cell reaches itself
    pairs = pads.dataset(tmp_path / "pairs" / "car").to_table().to_pandas()
    within = pairs[pairs["time_s"] <= 30 * 60].groupby("origin").size()
    assert within.reindex(local["h3"]).fillna(0).astype(int).tolist() == local["o_car_30"].tolist()
    weights = dict.fromkeys(local["h3"].iloc[::2], 2.5)
    wl = acc.cumulative_opportunities(G, weights=weights, weight_name="jobs", **kw)
    wr = acc.cumulative_opportunities(G, weights=weights, weight_name="jobs", client=client, **kw)
    assert wl[cols].equals(wr[cols])
    assert wl.attrs["weight"] == "jobs"
    assert wl.attrs["total_weight"] == pytest.approx(2.5 * len(weights))


def test_geo_build_on_a_local_cluster_gives_identical_layers(tmp_path):
    out = tmp_path / "layers"
    assert main(["build", "--scheduler", "local:2", "--no-maps", "--layers", str(out)]) == 0
    committed = ROOT / "layers"
    files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert files
    for rel in files:
        assert (out / rel).read_bytes() == (committed / rel).read_bytes(), f"{rel} differs"


def test_a_big_corpus_is_cut_into_partitions_of_bounded_size(client, tmp_path, monkeypatch, caplog):
    """Without ``partitions=``, a corpus gets four partitions per worker, and more when a
    partition would exceed PARTITION_DOCS documents (a huge partition's result stalls its
    worker); the result still equals the in-process one."""
    import logging

    from geo.extract import extract

    folder = _corpus(tmp_path)
    gaz = load_gazetteer()
    local = load_corpus(folder)
    monkeypatch.setattr(distributed, "PARTITION_DOCS", 1)
    with caplog.at_level(logging.INFO, logger="geo.distributed"):
        x_remote = distributed.extract(local, gaz, client=client)
    assert f"in {len(local)} partitions" in caplog.text
    assert json.dumps(x_remote.to_json(), sort_keys=True, default=str) == json.dumps(
        extract(local, gaz).to_json(), sort_keys=True, default=str
    )
