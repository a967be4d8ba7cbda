"""PostGIS export against a real PostgreSQL + PostGIS server started here (Debian's postgresql-15-postgis-3).

The fixture runs ``initdb`` and ``pg_ctl`` in a temporary folder (as the ``postgres`` system
user when the tests run as root, since PostgreSQL refuses to run as root), listening only on a
unix socket in that folder, and stops the server afterwards. Without the server binaries the
tests fail in CI (``CI`` or ``GEO_REQUIRE_POSTGIS=1`` set, as ``.ci/run`` does) and skip
elsewhere.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import geo
from geo.cli import main
from geo.errors import ExportError

psycopg = pytest.importorskip("psycopg")

from geo import postgis  # noqa: E402


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@pytest.fixture(scope="module")
def dsn():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl and glob.glob("/usr/share/postgresql/*/extension/postgis.control")):
        msg = "PostgreSQL/PostGIS server binaries not found (apt-get install postgresql-15-postgis-3)"
        if os.environ.get("CI") or os.environ.get("GEO_REQUIRE_POSTGIS") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="geo-pg-"))
    data = folder / "data"

    def run(*cmd: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *cmd] if root else list(cmd)
        subprocess.run(full, check=True, capture_output=True, timeout=120)

    if root:
        shutil.chown(folder, "postgres", "postgres")
    folder.chmod(0o700)
    run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
    opts = f"-c listen_addresses='' -c unix_socket_directories='{folder}' -c fsync=off -p 54329"
    run(pg_ctl, "-D", str(data), "-o", opts, "-w", "-t", "60", "-l", str(folder / "server.log"), "start")
    try:
        yield f"postgresql://postgres@/postgres?host={folder}&port=54329"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def layers():
    return geo.layers_as_of("2026-01-01")


@pytest.fixture(scope="module")
def exported(dsn, layers):
    return postgis.export_postgis(layers, dsn, as_of=None)


def _q(dsn: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query, params or None)
        return cur.fetchall()


def test_every_layer_round_trips(dsn, layers, exported):
    assert "jjj_atlas.rail" in exported
    assert "jjj_atlas.status_periods" in exported
    back = postgis.read_postgis(dsn)
    assert list(back) == list(layers)
    for name, gdf in layers.items():
        got = back[name].set_index("id")
        want = gdf.set_index("id")
        assert sorted(got.index) == sorted(want.index), name
        for fid in want.index:
            for col in want.columns:
                if col == "geometry":
                    assert got.loc[fid, "geometry"].equals_exact(want.loc[fid, "geometry"], 0), (name, fid)
                    continue
                w, g = geo.schema.decode_property(want.loc[fid, col]), geo.schema.decode_property(got.loc[fid, col])
                if isinstance(w, float) and isinstance(g, float):
                    assert g == pytest.approx(w), (name, fid, col)
                else:
                    assert g == w, (name, fid, col)


def test_tables_have_srid_4326_and_spatial_indexes(dsn, exported):
    srids = _q(dsn, "SELECT f_table_name, srid FROM geometry_columns WHERE f_table_schema = 'jjj_atlas'")
    assert {t for t, _ in srids} >= set(geo.schema.LAYER_NAMES)
    assert {s for _, s in srids} == {4326}
    idx = _q(
        dsn, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'jjj_atlas' AND indexdef LIKE '%gist%'"
    )
    assert {n for n, _ in idx} >= {f"{t}_geom_gist" for t in geo.schema.LAYER_NAMES}
    # a spatial query a QGIS user would run: stations within 2 km of 燕郊站
    near = _q(
        dsn,
        "SELECT s.id FROM jjj_atlas.stations s, jjj_atlas.stations y WHERE y.id = 'station-jt-yanjiao' "
        "AND ST_DWithin(s.geom::geography, y.geom::geography, 2000) ORDER BY s.id",
    )
    assert ("station-jt-yanjiao",) in near


@pytest.mark.parametrize("day", ["2022-06-30", "2023-06-30"])
def test_status_as_of_in_sql_equals_the_layers(dsn, exported, day):
    sql_status = dict(_q(dsn, "SELECT feature_id, status FROM jjj_atlas.status_as_of(%s::date)", (day,)))
    py_status = {r["id"]: r["status"] for gdf in geo.layers_as_of(day).values() for r in gdf.to_dict("records")}
    assert sql_status == py_status
    jt = "open" if day >= "2022-12-30" else "under_construction"
    assert sql_status["jingtang-intercity"] == jt
    # normalised tables: events with their citations
    rows = _q(
        dsn,
        "SELECT e.status, e.modality, c.doc_id FROM jjj_atlas.events e JOIN jjj_atlas.citations c USING (event_id) "
        "WHERE e.feature_id = 'metro-line-22' AND e.status = 'opened'",
    )
    assert rows
    assert {m for _, m, _ in rows} == {"expected"}


def test_failed_export_leaves_the_previous_tables(dsn, layers, exported):
    before = _q(dsn, "SELECT count(*) FROM jjj_atlas.rail")[0][0]
    bad = {k: v.copy() for k, v in layers.items()}
    bad["rail"] = bad["rail"].copy()
    bad["rail"].loc[1, "id"] = bad["rail"].loc[0, "id"]  # duplicate primary key: the INSERT fails
    bad["rail"] = bad["rail"].iloc[:3]
    with pytest.raises(ExportError, match="previous tables kept"):
        postgis.export_postgis(bad, dsn)
    assert _q(dsn, "SELECT count(*) FROM jjj_atlas.rail")[0][0] == before
    assert _q(dsn, "SELECT count(*) FROM jjj_atlas.status_as_of('2023-06-30')")[0][0] > 200


def test_hostile_text_is_data(dsn, layers):
    """A name with quotes and SQL stays a value; an odd schema name is refused."""
    evil = {"rail": layers["rail"].iloc[:2].copy()}
    evil["rail"].loc[0, "name_zh"] = "x'); DROP TABLE jjj_atlas.rail; --"
    postgis.export_postgis(evil, dsn, schema="hostile_test")
    assert _q(dsn, "SELECT name_zh FROM hostile_test.rail ORDER BY id")[0][0].startswith("x'); DROP")
    with pytest.raises(geo.UsageError, match="identifier"):
        postgis.export_postgis(evil, dsn, schema="bad; schema")


def test_cli_export_and_layers_from_postgis(dsn, exported, tmp_path, capsys):
    assert main(["export", "--format", "postgis", "--dsn", dsn, "--layers", "rail,stations", "--status", "open"]) == 0
    out = capsys.readouterr().out
    assert "jjj_atlas.rail" in out
    assert main(["layers", "--from-postgis", dsn, "--out", str(tmp_path / "back")]) == 0
    assert sorted(p.name for p in (tmp_path / "back").glob("*.geojson")) == ["rail.geojson", "stations.geojson"]
    assert main(["export", "--format", "postgis", "--dsn", "postgresql://nobody@/x?host=/nonexistent"]) == 1
    assert "cannot connect" in capsys.readouterr().err
