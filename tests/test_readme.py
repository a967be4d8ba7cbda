"""The README is true: its first lines are the two setup commands and its API example runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_first_lines_are_the_two_commands():
    block = re.search(r"```sh\n(.*?)```", README, re.S)[1].splitlines()
    assert block[0].startswith("make atlas")
    assert block[1].startswith("make test")
    assert README.index("make atlas") < 200
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^atlas:", make, re.M)
    assert re.search(r"^test:", make, re.M)


def test_python_api_example_runs(tmp_path, capsys, monkeypatch):
    from geo import api

    monkeypatch.setattr(api, "_current", None)  # the example's load_corpus stays in this test
    section = README.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "mentions," in out
    assert "under_construction" in out
    assert "open 2023-09-26" in out
    assert "nodes" in out
    assert "燕郊" in out
    assert (tmp_path / "out" / "roads.gpkg").exists()


def test_install_section_gives_the_two_lines_a_user_types():
    section = README.split("## Install as a package", 1)[1].split("\n## ", 1)[0]
    lines = re.search(r"```sh\n(.*?)```", section, re.S)[1].splitlines()
    assert len(lines) == 2
    assert "pip install ." in lines[0]
    assert "npm ci" in lines[0]  # the wheel vendors node_modules' pinned files
    assert "geo build" in lines[1]


def test_every_command_and_its_exit_codes_are_documented():
    from geo.cli import build_parser

    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"`geo {name}" in section, name
    for code in ("**0**", "**1**", "**2**"):
        assert code in section
