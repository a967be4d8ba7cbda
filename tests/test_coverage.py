"""Every feature the seeds name (the gazetteer issue's list) is in the layers, honestly sourced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.schema import ACCURACY

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = [
    "22号线",
    "平谷线",
    "农业创新港站",
    "平谷线东延",
    "京唐城际",
    "京唐铁路",
    "京滨城际",
    "北京城市副中心站",
    "燕郊站",
    "大厂站",
    "香河站",
    "宝坻站",
    "城市副中心站综合交通枢纽",
    "八通线",
    "地铁6号线",
    "地铁7号线",
    "地铁17号线",
    "城际铁路联络线",
    "市郊铁路城市副中心线",
    "京张高铁",
    "京哈高铁",
    "京雄城际",
    "厂通路",
    "安石路",
    "王家摆大桥",
    "神威北大街",
    "通宝路",
    "姚家园路东延",
    "石小路",
    "通燕高速",
    "通燕高速燕郊出口立交枢纽",
    "密涿高速北延",
    "京平高速",
    "承平高速",
    "东六环路",
    "国道109新线高速",
    "西太路",
    "京雄高速",
    "大兴国际机场北线高速",
    "跨界公交",
    "定制快巴",
    "平谷—三河",
    "平谷—蓟州",
    "平谷—兴隆",
    "平谷区—蓟州—兴隆公交专线",
    "潮白河",
    "北运河",
    "大运河",
    "泃河",
    "永定河",
    "杨洼船闸",
    "潮白河吴村",
    "潮白河大套桥",
    "北运河土门楼",
    "潮白河国家森林公园",
    "潮白河森林生态景观带",
    "通州堰",
    "通州区",
    "三河市",
    "大厂回族自治县",
    "香河县",
    "平谷区",
    "蓟州区",
    "兴隆县",
    "燕郊",
    "通州区与北三县一体化高质量发展示范区",
    "燕郊高新区",
    "燕郊北部科学城",
    "运河商务区",
    "行政办公区",
    "环球主题公园",
    "张家湾",
    "台湖",
    "宋庄",
    "中关村通州园",
    "于家务国际种业园区",
    "马坊陆港",
    "平蓟三兴",
    "北京潞河中学三河校区",
    "北京实验学校三河校区",
    "应急管理大学",
    "北京医院三河分院",
    "北大人民医院通州院区",
    "同仁医院通州院区",
    "首师大附中通州校区",
    "人大通州新校区",
    "副中心政务服务中心",
    "大厂一体化办事大厅",
    "副中心剧院",
    "副中心图书馆",
    "副中心博物馆",
    "三大文化设施",
    "国贸",
    "望京",
]


@pytest.fixture(scope="module")
def layer_features():
    out = {}
    for p in (ROOT / "layers").glob("*.geojson"):
        if p.name.startswith("access_"):
            continue
        for f in json.loads(p.read_text(encoding="utf-8"))["features"]:
            out[f["id"]] = (p.stem, f["properties"])
    return out


@pytest.fixture(scope="module")
def gaz(package_gazetteer):
    return package_gazetteer


@pytest.mark.parametrize("name", REQUIRED)
def test_required_feature_is_mapped(name, gaz, layer_features):
    f = gaz.resolve(name)
    assert f.id in layer_features, f"{name} ({f.id}) is not in any layer"
    _, props = layer_features[f.id]
    assert props["accuracy"] in ACCURACY
    assert props["geometry_source"]


def test_planned_lines_are_never_surveyed(layer_features):
    for fid in ("metro-line-22", "metro-line-22-jizhou-extension", "road-shenwei-north", "road-tongbao"):
        assert layer_features[fid][1]["accuracy"] in ("approximate", "schematic"), fid
    for fid, (_, props) in layer_features.items():
        if props["accuracy"] == "surveyed":
            assert "OpenStreetMap" in props["geometry_source"], fid
