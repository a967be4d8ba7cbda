"""Tests for geo.crs: metric projection and WGS84 / GCJ-02 / BD-09 conversions."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from geo import crs

GEOD = Geod(ellps="WGS84")
STUDY_BBOX = (115.9, 39.4, 118.2, 40.8)  # the core of the study area (geo.config.default_study().bbox holds it)


def _dist_m(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(*(np.asarray(v, float) for v in (lon1, lat1, lon2, lat2)))
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


# Published reference pairs (WGS84 -> GCJ-02 / GCJ-02 -> BD-09), values copied as data only:
# * wandergis/coordtransform, test/app.js (https://github.com/wandergis/coordtransform):
#   wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164]
#   gcj02tobd09(116.404, 39.915)  = [116.41036949371029, 39.92133699351021]
# * DevKitLab "Map Coordinate Converter" (https://www.devkitlab.com/en/tools/coordinate-converter/),
#   example for Tiananmen: WGS84 (116.397428, 39.90923) -> GCJ-02 (116.40367163, 39.91063351),
#   BD-09 (116.4100441, 39.91697286).
WGS_TO_GCJ = [
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    ((116.397428, 39.90923), (116.40367163, 39.91063351)),
]
GCJ_TO_BD = [((116.404, 39.915), (116.41036949371029, 39.92133699351021))]
WGS_TO_BD = [((116.397428, 39.90923), (116.4100441, 39.91697286))]


@pytest.mark.parametrize(("wgs", "gcj"), WGS_TO_GCJ)
def test_wgs84_to_gcj02_matches_published_pairs(wgs, gcj):
    lon, lat = crs.wgs84_to_gcj02(*wgs)
    assert _dist_m(lon, lat, *gcj) < 0.05  # published values agree to ~1 cm


@pytest.mark.parametrize(("wgs", "gcj"), WGS_TO_GCJ)
def test_gcj02_to_wgs84_inverts_published_pairs(wgs, gcj):
    lon, lat = crs.gcj02_to_wgs84(*gcj)
    assert _dist_m(lon, lat, *wgs) < 0.05


@pytest.mark.parametrize(("gcj", "bd"), GCJ_TO_BD)
def test_gcj02_to_bd09_matches_published_pairs(gcj, bd):
    assert _dist_m(*crs.gcj02_to_bd09(*gcj), *bd) < 0.05
    assert _dist_m(*crs.bd09_to_gcj02(*bd), *gcj) < 0.01


@pytest.mark.parametrize(("wgs", "bd"), WGS_TO_BD)
def test_wgs84_to_bd09_matches_published_pairs(wgs, bd):
    assert _dist_m(*crs.wgs84_to_bd09(*wgs), *bd) < 0.05
    assert _dist_m(*crs.bd09_to_wgs84(*bd), *wgs) < 0.05


def _random_points(n=10_000, seed=42):
    rng = np.random.default_rng(seed)
    w, s, e, n_ = STUDY_BBOX
    return rng.uniform(w, e, n), rng.uniform(s, n_, n)


def test_gcj02_shift_magnitude_in_study_area():
    lon, lat = _random_points()
    g_lon, g_lat = crs.wgs84_to_gcj02(lon, lat)
    shift = _dist_m(lon, lat, g_lon, g_lat)
    # around Beijing the obfuscation moves points by a few hundred metres, roughly north-east
    assert shift.min() > 300
    assert shift.max() < 700
    assert np.all(g_lon > lon)
    assert np.all(g_lat > lat)


def test_gcj02_round_trip_sub_centimetre_on_10000_points():
    lon, lat = _random_points()
    back_lon, back_lat = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    err = _dist_m(lon, lat, back_lon, back_lat)
    assert err.shape == (10_000,)
    assert err.max() < 0.01  # brief: < 0.5 m; the fixed-point inverse reaches ~1e-9 m
    # the other direction: GCJ-02 input -> WGS84 -> GCJ-02
    fwd_lon, fwd_lat = crs.wgs84_to_gcj02(*crs.gcj02_to_wgs84(lon, lat))
    assert _dist_m(lon, lat, fwd_lon, fwd_lat).max() < 0.01


def test_bd09_round_trips_on_10000_points():
    lon, lat = _random_points(seed=7)
    err = _dist_m(lon, lat, *crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat)))
    assert err.max() < 0.01
    err = _dist_m(lon, lat, *crs.bd09_to_gcj02(*crs.gcj02_to_bd09(lon, lat)))
    assert err.max() < 0.01
    # BD-09 differs from GCJ-02 by roughly 0.0065/0.006 degrees (~800 m near Beijing)
    shift = _dist_m(*crs.wgs84_to_gcj02(lon, lat), *crs.wgs84_to_bd09(lon, lat))
    assert shift.min() > 500
    assert shift.max() < 1100


@pytest.mark.parametrize(
    "func",
    [
        crs.wgs84_to_gcj02,
        crs.gcj02_to_wgs84,
        crs.gcj02_to_bd09,
        crs.bd09_to_gcj02,
        crs.wgs84_to_bd09,
        crs.bd09_to_wgs84,
    ],
)
def test_outside_china_passes_through(func):
    lon = np.array([2.3522, -74.006, 139.6917, 151.2093, 116.4])  # Paris, New York, Tokyo, Sydney, far south
    lat = np.array([48.8566, 40.7128, 35.6895, -33.8688, -10.0])
    out_lon, out_lat = func(lon, lat)
    np.testing.assert_array_equal(out_lon, lon)
    np.testing.assert_array_equal(out_lat, lat)
    assert func(2.3522, 48.8566) == (2.3522, 48.8566)


def test_in_china_box():
    assert crs.in_china(116.4, 39.9) is True
    assert crs.in_china(139.7, 35.7) is False
    np.testing.assert_array_equal(crs.in_china([116.4, 0.0], [39.9, 0.0]), [True, False])


def test_scalar_and_array_equivalence_and_shapes():
    lon, lat = _random_points(n=50, seed=3)
    arr_lon, arr_lat = crs.wgs84_to_gcj02(lon, lat)
    for i in range(0, 50, 7):
        s_lon, s_lat = crs.wgs84_to_gcj02(lon[i], lat[i])
        assert isinstance(s_lon, float)
        assert isinstance(s_lat, float)
        assert s_lon == pytest.approx(arr_lon[i], abs=1e-12)
        assert s_lat == pytest.approx(arr_lat[i], abs=1e-12)
        b_lon, b_lat = crs.gcj02_to_wgs84(arr_lon[i], arr_lat[i])
        w_lon, w_lat = crs.gcj02_to_wgs84(arr_lon, arr_lat)
        assert b_lon == pytest.approx(w_lon[i], abs=1e-11)
        assert b_lat == pytest.approx(w_lat[i], abs=1e-11)
    # 2-D input keeps its shape; lists are accepted; scalars broadcast
    grid_lon, grid_lat = crs.wgs84_to_bd09(lon.reshape(5, 10), lat.reshape(5, 10))
    assert grid_lon.shape == (5, 10)
    assert grid_lat.shape == (5, 10)
    l_lon, _ = crs.wgs84_to_gcj02(list(lon[:3]), list(lat[:3]))
    assert l_lon.shape == (3,)
    b_lon, b_lat = crs.wgs84_to_gcj02([116.5, 116.6], 39.9)
    assert b_lon.shape == b_lat.shape == (2,)
    e_lon, e_lat = crs.gcj02_to_wgs84(np.array([]), np.array([]))
    assert e_lon.shape == (0,)
    assert e_lat.shape == (0,)


def test_transform_and_convert_geometry():
    line = LineString([(116.65, 39.90), (116.80, 39.95), (116.90, 39.97)])
    poly = Polygon(
        [(116.6, 39.8), (116.7, 39.8), (116.7, 39.9), (116.6, 39.9)],
        holes=[[(116.62, 39.82), (116.64, 39.82), (116.64, 39.84)]],
    )
    multi = MultiPolygon([poly, box(117.0, 40.0, 117.1, 40.1)])
    for geom in (Point(116.404, 39.915), line, poly, multi):
        gcj = crs.convert_geometry(geom, src="wgs84", dst="gcj02")
        assert gcj.geom_type == geom.geom_type
        expected = np.column_stack(crs.wgs84_to_gcj02(*shapely.get_coordinates(geom).T))
        np.testing.assert_allclose(shapely.get_coordinates(gcj), expected, atol=1e-12)
        back = crs.convert_geometry(gcj, src="GCJ-02", dst="WGS84")
        np.testing.assert_allclose(shapely.get_coordinates(back), shapely.get_coordinates(geom), atol=1e-9)
        bd_back = crs.convert_geometry(crs.convert_geometry(geom, src="wgs84", dst="bd09"), src="bd_09", dst="wgs84")
        np.testing.assert_allclose(shapely.get_coordinates(bd_back), shapely.get_coordinates(geom), atol=1e-9)
    # Z values are kept
    z = crs.transform_geometry(Point(116.4, 39.9, 42.0), crs.wgs84_to_gcj02)
    assert z.has_z
    assert z.z == 42.0
    # same datum is a no-op; unknown datum raises
    assert crs.convert_geometry(line, src="wgs84", dst="wgs84").equals(line)
    with pytest.raises(ValueError, match="unknown datum"):
        crs.convert_geometry(line, src="wgs84", dst="mars")


def test_convert_geodataframe_sets_crs_and_attrs():
    gpd = pytest.importorskip("geopandas")
    gdf = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[Point(116.4, 39.9), Point(116.7, 39.9)], crs=crs.WGS84)
    gcj = crs.convert_geometry(gdf, src="wgs84", dst="gcj02")
    assert gcj.crs is None
    assert gcj.attrs["coordinate_system"] == "GCJ-02"
    assert list(gcj["name"]) == ["a", "b"]
    assert gdf.geometry.iloc[0].x == 116.4  # input untouched
    assert _dist_m(gcj.geometry.x, gcj.geometry.y, *crs.wgs84_to_gcj02(gdf.geometry.x, gdf.geometry.y)).max() < 1e-6
    back = crs.convert_geometry(gcj, src="gcj02", dst="wgs84")
    assert back.crs == crs.WGS84
    np.testing.assert_allclose(back.geometry.x, gdf.geometry.x, atol=1e-9)
    series = crs.transform_geometry(gdf.geometry, crs.wgs84_to_gcj02)
    assert isinstance(series, gpd.GeoSeries)
    assert series.crs == gdf.crs


def test_metric_length_of_one_degree_latitude():
    # meridian arc from 39.5N to 40.5N on the WGS84 ellipsoid is ~111.05 km
    seg = LineString([(117.0, 39.5), (117.0, 40.5)])
    geodesic = GEOD.geometry_length(seg)
    assert crs.length_m(seg) == pytest.approx(geodesic, rel=1e-4)
    assert 110_900 < crs.length_m(seg) < 111_200
    # 0.5 degree off the central meridian the Gauss-Kruger scale error is still tiny
    seg2 = LineString([(116.5, 39.9), (116.9, 39.9)])
    assert crs.length_m(seg2) == pytest.approx(GEOD.geometry_length(seg2), rel=1e-4)
    arr = crs.length_m(np.array([seg, seg2]))
    assert arr.shape == (2,)
    assert arr[0] == pytest.approx(crs.length_m(seg))


def test_area_km2_and_projection_round_trip():
    cell = box(116.9, 39.9, 117.1, 40.1)
    geodesic_km2 = abs(GEOD.geometry_area_perimeter(cell)[0]) / 1e6
    assert crs.area_km2(cell) == pytest.approx(geodesic_km2, rel=1e-3)
    metric = crs.to_metric(cell)
    minx, miny, _, _ = metric.bounds
    assert 480_000 < minx < 500_000  # EPSG:4548 false easting 500 km
    assert 4_400_000 < miny < 4_450_000
    back = crs.to_wgs84(metric)
    np.testing.assert_allclose(shapely.get_coordinates(back), shapely.get_coordinates(cell), atol=1e-9)


def test_to_metric_geodataframe():
    gpd = pytest.importorskip("geopandas")
    gdf = gpd.GeoDataFrame({"v": [1]}, geometry=[LineString([(117.0, 39.5), (117.0, 40.5)])], crs=crs.WGS84)
    m = crs.to_metric(gdf)
    assert m.crs.to_epsg() == 4548
    assert float(crs.length_m(gdf.geometry).iloc[0]) == pytest.approx(float(m.length.iloc[0]))
    assert crs.to_wgs84(m).crs.to_epsg() == 4326
