"""The study configuration: one file drives the study area, places, scenarios and map defaults."""

from __future__ import annotations

import pytest

from geo.cli import main
from geo.config import default_study, load_study, use_study
from geo.errors import ConfigError
from geo.io import package_text


@pytest.fixture
def study_file(tmp_path):
    def write(text: str):
        p = tmp_path / "study.yaml"
        p.write_text(text, encoding="utf-8")
        return p

    return write


@pytest.fixture(autouse=True)
def _package_study():
    yield
    use_study(None)


def test_package_study_has_the_documented_defaults():
    s = default_study()
    assert s.bbox == (115.4, 39.1, 118.3, 40.8)
    assert s.origins["燕郊"] == "town-yanjiao"
    assert s.destinations["国贸"] == "dest-guomao"
    assert [sc.id for sc in s.scenarios] == ["jingtang", "changtong", "line22"]
    assert (s.access_destination, s.access_mode) == ("dest-guomao", "car")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("bbox: [115.4, 39.1, 118.3, 40.8]", "bbox: [118.3, 39.1, 115.4, 40.8]"), "not a box"),
        (("bbox: [115.4, 39.1, 118.3, 40.8]", "bbox: [39.1, 115.4, 40.8, 118.3]"), "not a box"),
        (("  access_destination: dest-guomao", "  access_destination: dest-nowhere"), "not a destination"),
        (("  resolution: 8", "  resolution: 99"), "H3 resolution"),
    ],
)
def test_a_bad_study_file_names_the_file_and_the_field(study_file, change, message):
    text = package_text("study.yaml").replace(*change)
    path = study_file(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_study(path)
    assert str(path) in str(info.value)


def test_yaml_aliases_are_refused_in_a_study_file(study_file):
    path = study_file(package_text("study.yaml") + "\nx: &a [1]\ny: *a\n")
    with pytest.raises(ConfigError) as info:
        load_study(path)
    assert "aliases" in str(info.value)


def test_use_study_changes_every_stage_default(study_file):
    text = package_text("study.yaml").replace("bbox: [115.4, 39.1, 118.3, 40.8]", "bbox: [116.6, 39.8, 116.9, 40.0]")
    use_study(study_file(text))
    assert default_study().bbox == (116.6, 39.8, 116.9, 40.0)
    use_study(None)
    assert default_study().bbox == (115.4, 39.1, 118.3, 40.8)


def test_cli_study_option_reaches_the_gazetteer_check(study_file, capsys):
    assert main(["check"]) == 0
    small = study_file(
        package_text("study.yaml").replace("bbox: [115.4, 39.1, 118.3, 40.8]", "bbox: [116.6, 39.8, 116.9, 40.0]")
    )
    assert main(["check", "--study", str(small)]) == 1
    assert "study-area" in capsys.readouterr().out
    missing = small.parent / "missing.yaml"
    assert main(["check", "--study", str(missing)]) == 1
    assert "missing.yaml" in capsys.readouterr().err
