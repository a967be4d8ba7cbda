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


def test_python_api_example_runs(tmp_path, capsys):
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
