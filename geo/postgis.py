"""PostGIS export and reader: the layers as tables for QGIS, GeoServer and SQL.

Optional extra ``postgis`` (psycopg 3). ``geo export --format postgis --dsn postgresql://…``
(:func:`export_postgis`, or ``geo.save_layers(fmt="postgis", dsn=…)``) writes, in one
schema (default ``jjj_atlas``):

``<layer>`` (``rail``, ``stations``, ``roads`` … and any analysis layer exported)
    One row per feature: ``id`` (primary key), the layer's properties — lists and objects as
    ``jsonb``, numbers, booleans, text — and ``geom geometry(Geometry, 4326)`` with a GiST
    index ``<layer>_geom_gist``.
``features``
    Every feature of every theme layer: ``id``, ``layer``, ``name_zh``, ``name_en``,
    ``kind``, ``theme``, ``accuracy``, ``geometry_source``, ``parent`` (jsonb), ``status``
    and ``status_date`` as of the export date.
``events``
    The dated timeline of each feature: ``event_id``, ``feature_id``, ``date``,
    ``precision``, ``effective_date`` (from when it counts), ``status``, ``modality``
    (``actual``/``expected``), ``current`` (for forecasts), ``superseded_by``,
    ``published``.
``citations``
    The statements behind each event: ``event_id``, ``doc_id`` (``gazetteer`` for recorded
    public facts), ``quote``, ``start``, ``end``, ``published``.
``status_periods``
    Each feature's status as a step function of the date: ``[valid_from, valid_to)``
    (``NULL`` = open-ended), ``status``, ``status_date``, ``inherited_from`` (a station with no
    history of its own takes the most advanced status of its lines, as the layers do). The
    periods are computed with :func:`geo.timeline.status_as_of` at every date an event
    starts to count, so SQL gives the same status as Python.
``status_as_of(day date)``
    A SQL function returning ``feature_id, status, status_date, inherited_from`` for every
    feature on ``day``::

        SELECT f.id, f.name_zh, s.status
        FROM jjj_atlas.status_as_of('2023-06-30') s JOIN jjj_atlas.features f ON f.id = s.feature_id
        WHERE s.status = 'open';

Re-export replaces every table in **one transaction**: a failure leaves the previous export
intact. All identifiers go through :class:`psycopg.sql.Identifier` and all values through
query parameters; no document text is ever formatted into SQL.

:func:`read_postgis` (``geo layers --from-postgis DSN``) reads the layer tables back as
GeoDataFrames.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import ExportError, UsageError
from geo.layers import existed_before
from geo.schema import (
    JSON_PROPERTIES,
    LAYER_NAMES,
    STATION_STATUS_INHERITANCE,
    as_list,
    decode_property,
    json_value,
)

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_SCHEMA", "export_postgis", "read_postgis", "status_periods"]

#: The schema the tables go to unless another is given.
DEFAULT_SCHEMA = "jjj_atlas"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_DATE_COLUMNS = ("status_date", "first_mentioned", "last_mentioned")
_META = "_geo_layers"  # which tables are layers, in export order


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise UsageError("PostGIS export needs psycopg: pip install 'jjj-atlas[postgis]'") from exc
    return psycopg


def _check_name(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise UsageError(f"{what} {name!r}: use lower-case letters, digits and underscores (a SQL identifier)")
    return name


def _table_name(layer: str) -> str:
    return _check_name(layer.replace("-", "_").replace(".", "_").lower(), "layer name")


def _connect(dsn: str) -> Any:
    psycopg = _psycopg()
    if not isinstance(dsn, str) or not dsn.strip():
        raise UsageError("PostGIS needs a connection string (--dsn postgresql://USER@HOST/DB)")
    try:
        return psycopg.connect(dsn)
    except psycopg.Error as exc:
        raise ExportError(f"cannot connect to PostgreSQL: {str(exc).strip()}") from None


# --------------------------------------------------------------------------- status periods


def _dates(timeline: Sequence[Mapping[str, Any]]) -> list[_dt.date]:
    out = set()
    for ev in timeline:
        for key in ("effective_date", "date"):
            v = ev.get(key)
            if v:
                try:
                    out.add(_dt.date.fromisoformat(str(v)[:10]))
                except ValueError:
                    continue
    return sorted(out)


def status_periods(layers: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Each feature's status as periods ``[valid_from, valid_to)`` (NaT = open-ended).

    Computed with :func:`geo.timeline.status_as_of` at every date one of the feature's events
    starts to count (the status changes only there); a station without a timeline of its own
    takes the most advanced status of its lines (:data:`geo.schema.STATION_STATUS_INHERITANCE`),
    as :func:`geo.layers.build_layers` does; a road or bridge that existed before the corpus
    (``status_source.basis: existing_before``, no timeline) is open from the start.

    Returns
    -------
    pandas.DataFrame
        ``feature_id, valid_from, valid_to, status, status_date, inherited_from``.
    """
    from geo.timeline import status_as_of

    timelines: dict[str, list[dict[str, Any]]] = {}
    kinds: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    initial: dict[str, str] = {}  # status before any event: open for what existed before the corpus
    for name in LAYER_NAMES:
        gdf = layers.get(name)
        if gdf is None:
            continue
        for r in gdf.to_dict("records"):
            fid = str(r["id"])
            timelines[fid] = [dict(e) for e in as_list(r.get("timeline"))]
            kinds[fid] = str(r.get("kind") or "")
            parents[fid] = [str(p) for p in as_list(r.get("parent"))]
            if existed_before(r):
                initial[fid] = "open"

    def own(fid: str) -> list[tuple[_dt.date | None, str, str | None]]:
        tl = timelines[fid]
        steps: list[tuple[_dt.date | None, str, str | None]] = [(None, initial.get(fid, "unknown"), None)]
        for d in _dates(tl):
            res = status_as_of(tl, d)
            date = res.date.isoformat() if isinstance(res.date, _dt.date) else (str(res.date) if res.date else None)
            if (res.status, date) != steps[-1][1:]:
                steps.append((d, res.status, date))
        return steps

    cache = {fid: own(fid) for fid in timelines}
    rank = {s: i for i, s in enumerate(STATION_STATUS_INHERITANCE)}
    rows: list[dict[str, Any]] = []
    for fid in sorted(timelines):
        steps: list[tuple[_dt.date | None, str, str | None, str | None]] = [(d, s, sd, None) for d, s, sd in cache[fid]]
        lines = [p for p in parents[fid] if p in cache]
        if kinds[fid] == "station" and not timelines[fid] and lines:
            cuts = sorted({d for p in lines for d, _, _ in cache[p] if d is not None})
            steps = []
            for d in [None, *cuts]:
                best = None
                for p in lines:
                    st = [x for x in cache[p] if x[0] is None or (d is not None and x[0] <= d)][-1]
                    if st[1] in rank and (best is None or rank[st[1]] > rank[best[1][1]]):
                        best = (p, st)
                step = (d, best[1][1], best[1][2], best[0]) if best else (d, "unknown", None, None)
                if not steps or step[1:] != steps[-1][1:]:
                    steps.append(step)
        for i, (d, s, sd, inh) in enumerate(steps):
            nxt = steps[i + 1][0] if i + 1 < len(steps) else None
            rows.append(
                {
                    "feature_id": fid,
                    "valid_from": d,
                    "valid_to": nxt,
                    "status": s,
                    "status_date": sd,
                    "inherited_from": inh,
                }
            )
    return pd.DataFrame(
        rows, columns=["feature_id", "valid_from", "valid_to", "status", "status_date", "inherited_from"]
    )


# --------------------------------------------------------------------------- export


def _column_type(name: str, values: pd.Series) -> str:
    if name in JSON_PROPERTIES:
        return "jsonb"
    vals = [v for v in values.tolist() if not _missing(v)]
    if not vals:
        return "text"
    if all(isinstance(v, (bool, np.bool_)) for v in vals):
        return "boolean"
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in vals):
        return "bigint"
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) for v in vals):
        return "double precision"
    if any(isinstance(v, (list, tuple, dict, np.ndarray)) for v in vals):
        return "jsonb"
    if name in _DATE_COLUMNS and all(_iso_date(v) is not None for v in vals):
        return "date"
    return "text"


def _missing(v: Any) -> bool:
    if isinstance(v, (list, tuple, dict, np.ndarray)):
        return False
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _iso_date(v: Any) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(str(v))
    except ValueError:
        return None


def _cell(value: Any, kind: str) -> Any:
    from psycopg.types.json import Jsonb

    if kind == "jsonb":
        v = decode_property(value)
        return None if v is None else Jsonb(json_value(v))
    if _missing(value):
        return None
    if kind == "date":
        return _iso_date(value)
    if kind == "boolean":
        return bool(value)
    if kind == "bigint":
        return int(value)
    if kind == "double precision":
        f = float(value)
        return f if np.isfinite(f) else None
    return str(value)


def export_postgis(
    layers: Mapping[str, gpd.GeoDataFrame],
    dsn: str,
    *,
    schema: str = DEFAULT_SCHEMA,
    as_of: _dt.date | None = None,
) -> list[str]:
    """Write layers to PostGIS (see the module docstring for the tables), in one transaction.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        WGS84 layers (the theme layers from :func:`geo.layers.build_layers` give
        ``features``, ``events``, ``citations`` and ``status_periods`` too).
    dsn : str
        libpq connection string or URI (``postgresql://user@host:5432/db``).
    schema : str
        Target schema (created if needed); its tables of a previous export are replaced.
    as_of : datetime.date, optional
        The date the layers' ``status`` is for (recorded in ``_geo_layers``).

    Returns
    -------
    list of str
        Qualified names of the tables written (``schema.table``).

    Raises
    ------
    ExportError
        Connection or database error (nothing is changed then).
    UsageError
        A name that is not a SQL identifier, or a layer not in WGS84.
    """
    psycopg = _psycopg()
    from psycopg import sql

    _check_name(schema, "schema")
    frames: dict[str, gpd.GeoDataFrame] = {}
    for name, gdf in layers.items():
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs("EPSG:4326")
        frames[_table_name(name)] = gdf
    theme = {n: frames[n] for n in LAYER_NAMES if n in frames}
    written: list[str] = []
    S = sql.Identifier(schema)
    with _connect(dsn) as conn:
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(S))
                cur.execute(sql.SQL("DROP FUNCTION IF EXISTS {}.status_as_of(date)").format(S))
                previous = _previous_tables(cur, schema)
                for t in sorted(set(previous) | set(frames) | {"features", "events", "citations", "status_periods"}):
                    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}.{} CASCADE").format(S, sql.Identifier(t)))
                for table, gdf in frames.items():
                    _write_layer(cur, schema, table, gdf)
                    written.append(f"{schema}.{table}")
                if theme:
                    written += _write_normalised(cur, schema, theme)
                cur.execute(sql.SQL("DROP TABLE IF EXISTS {}.{}").format(S, sql.Identifier(_META)))
                cur.execute(
                    sql.SQL("CREATE TABLE {}.{} (ord integer PRIMARY KEY, layer text NOT NULL, as_of date)").format(
                        S, sql.Identifier(_META)
                    )
                )
                cur.executemany(
                    sql.SQL("INSERT INTO {}.{} VALUES (%s, %s, %s)").format(S, sql.Identifier(_META)),
                    [(i, t, as_of) for i, t in enumerate(frames)],
                )
        except psycopg.Error as exc:
            raise ExportError(f"PostGIS export failed, previous tables kept: {str(exc).strip()}") from None
    logger.info("exported %d tables to schema %s", len(written), schema)
    return written


def _previous_tables(cur: Any, schema: str) -> list[str]:
    cur.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s", (schema, _META))
    if cur.fetchone() is None:
        return []
    from psycopg import sql

    cur.execute(sql.SQL("SELECT layer FROM {}.{} ORDER BY ord").format(sql.Identifier(schema), sql.Identifier(_META)))
    return [str(r[0]) for r in cur.fetchall()]


def _write_layer(cur: Any, schema: str, table: str, gdf: gpd.GeoDataFrame) -> None:
    from psycopg import sql

    geom_col = gdf.geometry.name
    cols = [c for c in gdf.columns if c != geom_col]
    if "id" not in cols:
        raise UsageError(f"layer {table} has no id column")
    for c in cols:
        _sql_column(str(c))
    types = {c: ("text" if c == "id" else _column_type(str(c), gdf[c])) for c in cols}
    S, T = sql.Identifier(schema), sql.Identifier(table)
    defs = [
        sql.SQL("{} {}{}").format(
            sql.Identifier(_sql_column(str(c))), sql.SQL(types[c]), sql.SQL(" PRIMARY KEY" if c == "id" else "")
        )
        for c in cols
    ]
    defs.append(sql.SQL("geom geometry(Geometry, 4326)").format())
    cur.execute(sql.SQL("CREATE TABLE {}.{} ({})").format(S, T, sql.SQL(", ").join(defs)))
    names = [sql.Identifier(_sql_column(str(c))) for c in cols] + [sql.Identifier("geom")]
    insert = sql.SQL("INSERT INTO {}.{} ({}) VALUES ({}, ST_SetSRID(ST_GeomFromWKB(%s), 4326))").format(
        S, T, sql.SQL(", ").join(names), sql.SQL(", ").join(sql.Placeholder() * len(cols))
    )
    geoms = gdf.geometry.values
    rows = []
    for rec, g in zip(gdf[cols].to_dict("records"), geoms, strict=True):
        wkb = None if g is None or shapely.is_missing(g) or g.is_empty else shapely.to_wkb(g, output_dimension=2)
        rows.append([*(_cell(rec[c], types[c]) for c in cols), wkb])
    cur.executemany(insert, rows)
    cur.execute(
        sql.SQL("CREATE INDEX {} ON {}.{} USING gist (geom)").format(sql.Identifier(f"{table}_geom_gist"), S, T)
    )
    logger.info("postgis: %s.%s, %d rows", schema, table, len(rows))


def _sql_column(name: str) -> str:
    """A property name as a SQL column (``t_rail_dest-guomao`` stays as it is, quoted)."""
    if not name or len(name) > 63 or "\x00" in name:
        raise UsageError(f"column {name!r} cannot be a SQL column")
    return name


def _write_normalised(cur: Any, schema: str, theme: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    from psycopg import sql
    from psycopg.types.json import Jsonb

    S = sql.Identifier(schema)
    cur.execute(
        sql.SQL(
            "CREATE TABLE {}.features (id text PRIMARY KEY, layer text NOT NULL, name_zh text, name_en text, "
            "kind text, theme text, accuracy text, geometry_source text, parent jsonb, status text, status_date date)"
        ).format(S)
    )
    cur.execute(
        sql.SQL(
            "CREATE TABLE {0}.events (event_id integer PRIMARY KEY, feature_id text NOT NULL REFERENCES "
            "{0}.features(id), date date NOT NULL, precision text, effective_date date, status text NOT NULL, "
            "modality text NOT NULL, current boolean, superseded_by text, published date)"
        ).format(S)
    )
    cur.execute(
        sql.SQL(
            "CREATE TABLE {0}.citations (citation_id integer PRIMARY KEY, event_id integer NOT NULL REFERENCES "
            '{0}.events(event_id), doc_id text, quote text, "start" integer, "end" integer, published date)'
        ).format(S)
    )
    cur.execute(
        sql.SQL(
            "CREATE TABLE {0}.status_periods (feature_id text NOT NULL REFERENCES {0}.features(id), "
            "valid_from date, valid_to date, status text NOT NULL, status_date date, inherited_from text)"
        ).format(S)
    )
    feats: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    cites: list[tuple[Any, ...]] = []
    for layer, gdf in theme.items():
        for r in gdf.to_dict("records"):
            fid = str(r["id"])
            feats.append(
                (
                    fid,
                    layer,
                    *(None if _missing(r.get(k)) else str(r.get(k)) for k in ("name_zh", "name_en", "kind", "theme")),
                    *(None if _missing(r.get(k)) else str(r.get(k)) for k in ("accuracy", "geometry_source")),
                    Jsonb(as_list(r.get("parent"))),
                    None if _missing(r.get("status")) else str(r.get("status")),
                    _iso_date(r.get("status_date")) if not _missing(r.get("status_date")) else None,
                )
            )
            for ev in as_list(r.get("timeline")):
                eid = len(events) + 1
                events.append(
                    (
                        eid,
                        fid,
                        _iso_date(str(ev.get("date"))[:10]),
                        ev.get("precision"),
                        _iso_date(str(ev.get("effective_date"))[:10]) if ev.get("effective_date") else None,
                        ev.get("status"),
                        ev.get("modality"),
                        ev.get("current"),
                        ev.get("superseded_by"),
                        _iso_date(str(ev.get("published"))[:10]) if ev.get("published") else None,
                    )
                )
                for c in ev.get("citations") or []:
                    cites.append(
                        (
                            len(cites) + 1,
                            eid,
                            c.get("doc_id"),
                            c.get("quote"),
                            c.get("start"),
                            c.get("end"),
                            _iso_date(str(c.get("published"))[:10]) if c.get("published") else None,
                        )
                    )
    cur.executemany(sql.SQL("INSERT INTO {}.features VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)").format(S), feats)
    cur.executemany(sql.SQL("INSERT INTO {}.events VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)").format(S), events)
    cur.executemany(sql.SQL("INSERT INTO {}.citations VALUES (%s,%s,%s,%s,%s,%s,%s)").format(S), cites)
    periods = status_periods(theme)
    cur.executemany(
        sql.SQL("INSERT INTO {}.status_periods VALUES (%s,%s,%s,%s,%s,%s)").format(S),
        [
            (
                r.feature_id,
                r.valid_from,
                r.valid_to,
                r.status,
                _iso_date(r.status_date) if isinstance(r.status_date, str) else None,
                r.inherited_from if isinstance(r.inherited_from, str) else None,
            )
            for r in periods.itertuples(index=False)
        ],
    )
    for stmt in (
        "CREATE INDEX ON {}.events (feature_id)",
        "CREATE INDEX ON {}.citations (event_id)",
        "CREATE INDEX ON {}.status_periods (feature_id, valid_from)",
    ):
        cur.execute(sql.SQL(stmt).format(S))
    cur.execute(
        sql.SQL(
            "CREATE FUNCTION {0}.status_as_of(day date) "
            "RETURNS TABLE (feature_id text, status text, status_date date, inherited_from text) "
            "LANGUAGE sql STABLE AS $$ "
            "SELECT p.feature_id, p.status, p.status_date, p.inherited_from FROM {0}.status_periods p "
            "WHERE (p.valid_from IS NULL OR p.valid_from <= day) AND (p.valid_to IS NULL OR day < p.valid_to) "
            "ORDER BY p.feature_id $$"
        ).format(S)
    )
    cur.execute(
        sql.SQL("COMMENT ON FUNCTION {}.status_as_of(date) IS {}").format(
            S,
            sql.Literal(
                "Status of every feature on a date (planned, under_construction, open, suspended, unknown), "
                "as geo.timeline.status_as_of computes it"
            ),
        )
    )
    return [f"{schema}.{t}" for t in ("features", "events", "citations", "status_periods")]


# --------------------------------------------------------------------------- reader


def read_postgis(
    dsn: str, *, schema: str = DEFAULT_SCHEMA, names: Sequence[str] | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Read the layer tables of an export back (EPSG:4326), in export order.

    ``jsonb`` columns come back as Python lists and dicts, dates as ISO text (as in the
    layers), the geometry from ``geom``.
    """
    from psycopg import sql

    _check_name(schema, "schema")
    out: dict[str, gpd.GeoDataFrame] = {}
    with _connect(dsn) as conn, conn.cursor() as cur:
        tables = _previous_tables(cur, schema)
        if not tables:
            raise ExportError(f"schema {schema!r} holds no jjj-atlas export (no {_META} table)")
        wanted = list(names) if names else tables
        missing = [n for n in wanted if n not in tables]
        if missing:
            raise UsageError(f"no layer table {missing} in schema {schema!r}; there are: {', '.join(tables)}")
        for t in wanted:
            cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "ORDER BY ordinal_position",
                (schema, t),
            )
            cols = [r[0] for r in cur.fetchall() if r[0] != "geom"]
            cur.execute(
                sql.SQL("SELECT {}, ST_AsBinary(geom) FROM {}.{} ORDER BY id").format(
                    sql.SQL(", ").join(sql.Identifier(c) for c in cols), sql.Identifier(schema), sql.Identifier(t)
                )
            )
            rows = cur.fetchall()
            data = {c: [_back(r[i]) for r in rows] for i, c in enumerate(cols)}
            geoms = [None if r[-1] is None else shapely.from_wkb(bytes(r[-1])) for r in rows]
            out[t] = gpd.GeoDataFrame(pd.DataFrame(data, columns=cols), geometry=geoms, crs="EPSG:4326")
    return out


def _back(value: Any) -> Any:
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.loads(json.dumps(value))
    return value
