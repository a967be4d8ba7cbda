"""Find development-set text copied into the project.

The development set (``../shared/devset/docs``) measures how the extractor does on news nobody
tuned it to, so none of its sentences may appear in the repository — not even with a name
swapped. This tool lists every run of ``--min`` or more CJK characters (and digits) in the
lines a branch adds (``git diff BASE``) that also occurs in a development-set document, after
traditional -> simplified conversion on both sides. Text that is also in the project's own corpus
(``seeds/``, real articles the project may quote) is not counted: some seeds and development-set
articles report the same event in the same words.

Usage::

    python tools/devset_leaks.py                       # lines added since main
    python tools/devset_leaks.py --base HEAD~3 --min 8
    python tools/devset_leaks.py --all                 # every tracked text file

Exit status 1 when something is found, 0 otherwise, 2 when the development set is absent.
A hit is not always a leak: a real name or a status phrase (``主体结构施工``) is shared by any
two articles on the subject; read each one.
"""

from __future__ import annotations

import argparse
import functools
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

_RUN_RE = re.compile(r"[\u3400-\u9fff\uff10-\uff19\d，、]+")


@functools.cache
def _converter() -> Callable[[str], str] | None:
    try:
        import opencc
    except ImportError:  # the check still works on simplified text
        return None
    return opencc.OpenCC("t2s").convert  # type: ignore[no-any-return]


def _to_simplified(text: str) -> str:
    convert = _converter()
    return text if convert is None else str(convert(text))


def _added_lines(repo: Path, base: str) -> list[tuple[str, str]]:
    diff = subprocess.run(
        ["git", "-C", str(repo), "diff", "--unified=0", base, "--", "."],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    out: list[tuple[str, str]] = []
    path = ""
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else line[4:]
        elif line.startswith("+") and not line.startswith("+++"):
            out.append((path, line[1:]))
    return out


def _tracked_lines(repo: Path) -> list[tuple[str, str]]:
    files = subprocess.run(
        ["git", "-C", str(repo), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    out: list[tuple[str, str]] = []
    for name in files:
        p = repo / name
        # generated outputs (layers/, maps/) quote the seeds, not the development set
        if p.suffix not in {".py", ".md", ".yaml", ".yml", ".txt"} or name.startswith(("layers/", "maps/")):
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out.extend((name, line) for line in text.splitlines())
    return out


def find_leaks(
    lines: list[tuple[str, str]], corpus: str, *, min_chars: int, allowed: str = ""
) -> list[tuple[str, str]]:
    """Runs of at least ``min_chars`` characters of ``lines`` found in ``corpus``.

    Parameters
    ----------
    lines : list of (path, text)
        The text to check, with the file each line is in.
    corpus : str
        The development-set text, already converted to simplified characters.
    min_chars : int, keyword-only
        Shortest shared run that counts.
    allowed : str, keyword-only
        Text the project may quote (its own corpus, simplified); a window found there is not a leak.

    Returns
    -------
    list of (path, run)
        Each maximal run of the line that contains a shared window, once per path.
    """
    seen: set[tuple[str, str]] = set()
    found: list[tuple[str, str]] = []
    for path, line in lines:
        if not _RUN_RE.search(line):
            continue
        for run in _RUN_RE.findall(_to_simplified(line)):
            if len(run) < min_chars or (path, run) in seen:
                continue
            windows = (run[i : i + min_chars] for i in range(len(run) - min_chars + 1))
            if any(w in corpus and w not in allowed for w in windows):
                seen.add((path, run))
                found.append((path, run))
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--devset", type=Path, default=None, help="default: ../shared/devset beside the checkout")
    ap.add_argument("--base", default="main", help="git revision the added lines are counted from")
    ap.add_argument("--all", action="store_true", help="check every tracked text file, not a diff")
    ap.add_argument("--min", dest="min_chars", type=int, default=10, help="shortest shared run (characters)")
    args = ap.parse_args(argv)
    devset = args.devset or args.repo.resolve().parent / "shared" / "devset"
    docs = sorted((devset / "docs").glob("*.txt"))
    if not docs:
        print(f"{devset}: no development set here (docs/*.txt)", file=sys.stderr)
        return 2
    corpus = _to_simplified("\n".join(p.read_text(encoding="utf-8") for p in docs))
    seeds = sorted((args.repo / "seeds").glob("*"))
    allowed = _to_simplified("\n".join(p.read_text(encoding="utf-8", errors="replace") for p in seeds if p.is_file()))
    lines = _tracked_lines(args.repo) if args.all else _added_lines(args.repo, args.base)
    found = find_leaks(lines, corpus, min_chars=args.min_chars, allowed=allowed)
    for path, run in found:
        print(f"{path}: {run}")
    print(f"{len(found)} shared run(s) of ≥ {args.min_chars} characters in {len(lines)} line(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
