"""The ``geo`` command as a user meets it: exit codes per command, names checked first,
skipped files reported by every command, progress on a terminal only, readable tables,
no control characters from documents on the terminal, closed pipes, fast start."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from geo.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GEO = [sys.executable, "-m", "geo"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Seed 001 (the cross-border report), a binary file and a document full of terminal escapes."""
    d = tmp_path_factory.mktemp("corpus")
    shutil.copy(SEEDS / "001_465c5db6c08d56d6.txt", d)
    (d / "broken.txt").write_bytes(b"\x00\x01\x02\xff" * 64)
    (d / "ansi.html").write_text(
        "<html><head><title>\x1b[31m平谷线\x1b[0m 消息</title>"
        '<meta name="publishdate" content="2024-03-01"></head><body><p>发布时间：2024-03-01</p>'
        "<p>北京地铁22号线（平谷线）\x1b]0;owned\x07正在加快建设\x1b[2J。\u009b31m京唐城际铁路已开通运营。</p>"
        "</body></html>\n",
        encoding="utf-8",
    )
    return d


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _columns_align(table: list[str]) -> bool:
    """No cell crosses the gaps between the rule line's dashes, counting display columns
    (a Chinese character is two columns wide): the table looks aligned in a terminal."""
    rule = next(line for line in table if line.strip() and set(line) <= {"-", " "})
    gaps = [i for i, c in enumerate(rule) if c == " "]

    def expand(line: str) -> str:
        return "".join(c * _width(c) for c in line)

    return all(all(g >= len(expand(line)) or expand(line)[g] == " " for g in gaps) for line in table)


# --------------------------------------------------------------------------- start-up and options


def test_help_and_usage_errors_load_no_heavy_library():
    code = (
        "import sys\n"
        "from geo.cli import main\n"
        "for argv in (['--help'], ['timeline', 'x', '--as-of', 'someday'], ['export', '--format', 'csv', "
        "'--bbox', '1,2,3', '-o', 'x']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as e:\n"
        "        assert e.code in (0, 2), e.code\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'geopandas', 'networkx', 'shapely', 'folium') if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"
    assert "someday" in r.stderr


def test_import_geo_is_light_and_still_offers_the_api():
    code = (
        "import sys, geo\n"
        "print('pandas' in sys.modules, 'geopandas' in sys.modules)\n"
        "print(callable(geo.layers_as_of), geo.maps.__name__, geo.GeoError.__name__)\n"
        "print(sorted(geo.__all__) == sorted(n for n in geo.__all__ if hasattr(geo, n)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "False", "True", "geo.maps", "GeoError", "True"]


@pytest.mark.parametrize("argv", [["-v", "list", "layers"], ["list", "layers", "-v"], ["list", "-q", "layers"]])
def test_verbose_and_quiet_go_before_or_after_the_command(argv, capsys):
    assert main(argv) == 0
    assert "rail" in capsys.readouterr().out


def test_no_command_and_bad_options_exit_2(capsys):
    for argv in ([], ["frobnicate"], ["build", "--basemap", "google"], ["export", "-o", "x.geojson"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2, argv
    capsys.readouterr()


# --------------------------------------------------------------------------- exit codes per command


def test_exit_codes_of_every_command(tmp_path, corpus, capsys):
    afile = tmp_path / "README.md"
    afile.write_text("a file", encoding="utf-8")
    missing = str(tmp_path / "missing")
    cases = [
        (["corpus", "--corpus", str(corpus)], 0),
        (["corpus", "--corpus", missing], 1),
        (["build", "--corpus", missing, "--layers", str(tmp_path / "l"), "--no-maps"], 1),
        (["build", "--corpus", str(corpus), "--layers", str(afile), "--no-maps"], 2),
        (["layers", "--corpus", str(corpus), "--out", str(afile / "sub")], 2),
        (["map", "--corpus", str(corpus), "--out", str(afile)], 2),
        (["check"], 0),
        (["extract", "--corpus", str(corpus)], 0),
        (["extract", "--corpus", missing], 1),
        (["timeline", "平谷县城", "--corpus", str(corpus)], 2),
        (["timeline", "平谷线", "--corpus", str(corpus)], 0),
        (["network", "--corpus", str(corpus), "--osm", str(tmp_path / "none.osm")], 2),
        (["network", "--corpus", str(corpus), "-o", str(afile / "net.graphml")], 2),
        (["analyze", "access", "--corpus", missing, "--origins", "燕郊镇x"], 2),  # the name first
        (["analyze", "access", "--corpus", missing, "--destinations", "Atlantis"], 2),
        (["analyze", "access", "--corpus", missing, "--chains", "boat"], 2),
        (["analyze", "scenario", "--corpus", str(corpus)], 2),
        (["analyze", "scenario", "--corpus", missing, "--before", "2024", "--after", "2023"], 2),
        (["analyze", "scenario", "--corpus", missing, "--without", "不存在的线"], 2),
        (["analyze", "crossborder", "--corpus", missing], 1),
        (["export", "--format", "geojson", "-o", str(afile / "x.geojson"), "--corpus", str(corpus)], 2),
        (["export", "--format", "geojson", "--layers", "railz", "-o", str(tmp_path / "x.geojson")], 2),
        (["export", "--format", "geojson", "--within", "火星", "-o", str(tmp_path / "x.geojson")], 2),
        (["list", "origins"], 0),
        (["list", "features", "--theme", "rail"], 0),
    ]
    for argv, code in cases:
        assert main(argv) == code, argv
        err = capsys.readouterr().err
        if code == 2:
            line = err.strip().splitlines()[-1]
            assert line.startswith(f"geo {argv[0]}: error: "), (argv, err)
            assert len(line) <= 300 + len(f"geo {argv[0]}: error: "), line
            assert "Traceback" not in err


def test_name_errors_suggest_and_point_to_the_list(capsys):
    assert main(["analyze", "access", "--origins", "燕郊x"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 燕郊" in err
    assert "geo list origins" in err
    assert main(["analyze", "access", "--destinations", "国贸站x"]) == 2
    err = capsys.readouterr().err
    assert "国贸" in err
    assert len(err.strip()) < 330
    assert main(["timeline", "平谷线路x"]) == 2
    assert "geo list features" in capsys.readouterr().err


def test_file_in_the_way_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    out = tmp_path / "README.md" / "x.geojson"
    assert main(["export", "--format", "geojson", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err
    assert "Errno" not in err


def test_a_closed_pipe_exits_0_quietly():
    for argv in (["extract", "--json"], ["list", "features"]):
        p = subprocess.Popen([*GEO, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        assert p.stdout is not None
        assert p.stdout.read(20)
        p.stdout.close()
        err = p.stderr.read().decode() if p.stderr else ""
        assert p.wait(timeout=120) == 0, err
        assert "Broken pipe" not in err
        assert "Traceback" not in err


# --------------------------------------------------------------------------- skipped files, in one place


@pytest.mark.parametrize(
    "argv",
    [
        ["corpus"],
        ["extract"],
        ["timeline", "平谷线"],
        ["layers", "--out", "{tmp}/layers"],
        ["export", "--format", "geojson", "--layers", "rail", "-o", "{tmp}/rail.geojson"],
        ["analyze", "crossborder"],
        ["network"],
        ["map", "--no-analysis", "--basemap", "none", "--out", "{tmp}/maps"],
    ],
)
def test_every_command_reports_skipped_files(argv, corpus, tmp_path, capsys):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main([*argv, "--corpus", str(corpus)]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "broken.txt" in line]
    assert len(lines) == 1, err
    assert lines[0].startswith("skipped: ")
    assert "binary" in lines[0]
    assert f"geo {argv[0]}: 1 file skipped" in err
    if argv[0] in ("corpus", "extract"):  # cheap enough to run twice
        assert main([*argv, "--corpus", str(corpus), "-q"]) == 0
        assert "broken.txt" not in capsys.readouterr().err


# --------------------------------------------------------------------------- text from documents


def test_control_characters_from_documents_never_reach_the_terminal(corpus, capsys):
    assert main(["corpus", "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\\x1b[31m" in out  # shown, escaped
    assert main(["timeline", "京唐城际", "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "\u009b" not in out  # a C1 control sequence introducer
    assert "“\\x9b31m京唐城际铁路已开通运营。”" in out
    assert main(["extract", "--corpus", str(corpus), "--json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\u009b" not in out
    data = json.loads(out)  # still valid JSON, the text intact
    assert any("\u009b31m" in e["quote"] or "\x1b" in e["quote"] for e in data["events"])


# --------------------------------------------------------------------------- readable output


def test_tables_align_chinese_and_json_only_on_request(capsys):
    assert main(["analyze", "crossborder"]) == 0
    out = capsys.readouterr().out
    assert not out.lstrip().startswith(("{", "["))
    tables = [block.splitlines() for block in out.split("\n\n")[1:]]
    assert tables
    for t in tables:
        assert _columns_align(t)
        assert max(_width(line) for line in t) <= 120
    assert "transport claims (--all-claims for the rest)" in out
    assert main(["analyze", "crossborder", "--json"]) == 0
    transport = json.loads(capsys.readouterr().out)["claims"]
    assert main(["analyze", "crossborder", "--json", "--all-claims"]) == 0
    every = json.loads(capsys.readouterr().out)["claims"]
    assert 0 < len(transport) < len(every)
    assert not any(c["counted"] == "总投资" for c in transport)


def test_access_summary_comes_before_an_aligned_table(capsys):
    argv = ["analyze", "access", "--as-of", "2024-06-30", "--origins", "燕郊", "三河", "--chains", "car", "rail"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    first, table = out.split("\n\n")[:2]
    assert first.startswith("Door-to-door travel time in minutes as of 2024-06-30 from 2 origins")
    lines = table.splitlines()
    assert lines[0].split() == ["origin", "destination", "car", "rail"]
    assert _columns_align(lines)
    assert any(line.startswith("燕郊") and "国贸" in line for line in lines)
    assert "{" not in out  # no raw JSON without --json


def test_scenario_has_a_one_paragraph_summary(capsys):
    assert main(["analyze", "scenario", "--before", "2022-06-30", "--after", "2023-06-30"]) == 0
    out = capsys.readouterr().out
    summary = out.split("\n\n")[0]
    assert summary.startswith("Scenario from 2022-06-30 to 2023-06-30: of ")
    assert "become reachable" in summary
    assert "\n" not in summary.strip()
    assert "unchanged trips not shown; --all-rows shows them" in out


def test_dates_print_at_their_precision_and_quotes_once(capsys):
    assert main(["timeline", "京唐城际", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "  2022 [year] opened (expected)" in out  # not 2022-01-01
    assert "2022-01-01" not in out
    assert out.count("实现京唐(京滨)城际铁路建成通车") == 1  # cited once, with or without its full stop
    assert main(["timeline", "平谷线", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "  2021-06 [month] construction_started" in out
    assert "  2025-12 [month] opened (expected)" in out  # 2025年年底: December
    assert main(["timeline", "厂通路", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "by 2021-12-31 [deadline] construction_started (expected)" in out  # 年底前: a deadline


# --------------------------------------------------------------------------- progress


def _on_a_terminal(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``geo`` with stderr on a pseudo-terminal; (exit code, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    p = subprocess.Popen([*GEO, *argv], stdout=subprocess.PIPE, stderr=slave, cwd=cwd, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    out = p.stdout.read().decode() if p.stdout else ""
    return p.wait(timeout=300), out, b"".join(chunks).decode("utf-8", "replace")


def test_progress_shows_on_a_terminal_only(tmp_path):
    argv = ["layers", "--corpus", str(SEEDS), "--out", str(tmp_path / "layers")]
    code, out, shown = _on_a_terminal(argv, tmp_path)
    assert code == 0, shown
    for step in ("reading corpus", "reading gazetteer", "extracting", "building layers", "writing layers"):
        assert step in shown, shown
    assert "reading corpus" not in out  # progress never goes to stdout
    quick = ["corpus", "--corpus", str(SEEDS)]  # also reports the step "reading corpus"
    code, _, shown = _on_a_terminal(quick, tmp_path)
    assert code == 0
    assert "reading corpus" in shown
    code, _, shown = _on_a_terminal([*quick, "--quiet"], tmp_path)
    assert code == 0
    assert "reading corpus" not in shown
    r = subprocess.run([*GEO, *quick], capture_output=True, text=True, cwd=tmp_path)  # stderr not a terminal
    assert r.returncode == 0
    assert "reading corpus" not in r.stderr
    assert "\x1b[" not in r.stderr


def test_progress_hook_receives_steps_and_a_broken_hook_is_dropped():
    from geo import progress

    events = []
    previous = progress.set_hook(events.append)
    try:
        with progress.step("analyses", total=2):
            progress.stage("network")
            progress.stage("accessibility")
        assert list(progress.track([1, 2, 3], "items")) == [1, 2, 3]
    finally:
        progress.set_hook(previous)
    kinds = [(e.kind, e.name, e.completed) for e in events]
    assert kinds[0] == ("start", "analyses", 0)
    assert ("advance", "analyses", 1) in kinds
    assert ("end", "analyses", 2) in kinds
    assert [e.description for e in events if e.name == "analyses"][2] == "analyses: accessibility"
    assert ("end", "items", 3) in kinds

    def broken(event):
        raise RuntimeError("display gone")

    progress.set_hook(broken)
    try:
        with progress.step("work"):
            pass  # the step runs; the hook is removed
        assert progress.get_hook() is None
    finally:
        progress.set_hook(previous)


# --------------------------------------------------------------------------- outputs as a set


def test_build_swaps_outputs_in_as_a_set_and_cleans_leftovers(tmp_path, corpus, monkeypatch, capsys):
    import time

    from geo.build import verify_outputs

    layers, maps = tmp_path / "layers", tmp_path / "maps"
    layers.mkdir()
    old = layers / ".rail.0123456789ab.tmp.geojson"  # a killed run's temporary file
    old.write_text("partial", encoding="utf-8")
    fresh = layers / ".roads.ba9876543210.tmp.geojson"  # a concurrent run's, in progress
    fresh.write_text("in progress", encoding="utf-8")
    stale_stage = tmp_path / ".layers.staging-0123456789ab"
    stale_stage.mkdir()
    two_hours_ago = time.time() - 7200
    for p in (old, stale_stage):
        os.utime(p, (two_hours_ago, two_hours_ago))
    argv = ["--corpus", str(corpus), "--layers", str(layers), "--maps", str(maps), "--no-analysis"]
    assert main(["build", *argv, "--basemap", "none"]) == 0
    capsys.readouterr()
    assert not old.exists()
    assert fresh.exists()
    assert not stale_stage.exists()
    assert not list(tmp_path.glob(".*staging*"))
    assert verify_outputs(layers) == []
    assert verify_outputs(maps) == []  # the maps and the layers they were built from
    listed = (maps / "MANIFEST.sha256").read_text(encoding="utf-8")
    assert "  atlas.html\n" in listed
    assert "  ../layers/rail.geojson\n" in listed

    before = {p.name: p.read_bytes() for p in layers.iterdir() if p.is_file()}

    def fail(*args, **kwargs):
        from geo.errors import MapError

        raise MapError("simulated failure while writing the maps")

    monkeypatch.setattr("geo.maps.write_all_maps", fail)
    assert main(["build", *argv, "--as-of", "2022-06-30", "--basemap", "none"]) == 1
    assert "simulated failure" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in layers.iterdir() if p.is_file()} == before  # nothing replaced
    assert not list(tmp_path.glob(".*staging*"))

    (layers / "rail.geojson").write_text("edited", encoding="utf-8")
    assert any("rail.geojson: changed since the build" in p for p in verify_outputs(maps))


def test_network_graphml_leaves_no_temporary_file(tmp_path, capsys):
    out = tmp_path / "net" / "net.graphml"
    assert main(["network", "--corpus", str(SEEDS), "-o", str(out)]) == 0
    assert "graphml: " in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == ["net.graphml"]


# --------------------------------------------------------------------------- API: the corpus a session loaded


def test_api_uses_the_corpus_it_loaded_and_defaults_outside_the_project(tmp_path, corpus, monkeypatch):
    import geo
    from geo import api

    monkeypatch.setattr(api, "_current", None)
    monkeypatch.chdir(tmp_path)  # no ./seeds here
    assert geo.default_corpus_path().name == "seeds"
    assert geo.default_corpus_path() != tmp_path / "seeds"
    loaded = geo.load_corpus(corpus)
    assert geo.current_corpus() is loaded
    assert {d.doc_id for d in loaded} == {"001_465c5db6c08d56d6", "ansi"}
    rail = geo.layers_as_of()["rail"].set_index("id")
    docs = {d for ds in rail["docs"] for d in (json.loads(ds) if isinstance(ds, str) else ds or [])}
    assert docs <= {"001_465c5db6c08d56d6", "ansi"}
    assert docs
    t = geo.feature_timeline("平谷线")
    assert set(t["docs"]) <= {"001_465c5db6c08d56d6", "ansi"}
    seeds_t = geo.feature_timeline("平谷线", corpus=SEEDS)  # corpus= for one call
    assert "000_3d649e88ccc955e5" in seeds_t["docs"]
    assert geo.current_corpus() is loaded
    (tmp_path / "seeds").mkdir()
    assert geo.default_corpus_path() == tmp_path / "seeds"
