"""Progress of long work, reported through one hook: library code never prints.

A stage marks its long steps; a front end (the ``geo`` command's progress display)
decides how to show them::

    from geo import progress

    with progress.step("extracting", total=len(corpus)) as s:
        for doc in corpus:
            ...
            s.advance()

    for doc in progress.track(corpus, "extracting"):  # the same, for a loop
        ...

    with progress.step("analyses", total=3):
        progress.stage("network")         # names the next part of the innermost step
        ...
        progress.stage("accessibility")   # ... and counts the previous part as done

Without a hook (the default) nothing is displayed: each finished step is logged at
INFO level on the ``geo.progress`` logger with its duration (``geo -v`` shows them).
A front end installs a callable with :func:`set_hook`; it receives an :class:`Event`
when a step starts, advances or ends. The functions are cheap (no I/O without a hook)
and safe to call from any stage; a hook that raises is logged and removed, so a broken
display never stops the work.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, TypeVar

__all__ = ["Event", "Step", "get_hook", "set_hook", "stage", "step", "track"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Event:
    """What a progress hook receives.

    Attributes
    ----------
    kind : {"start", "advance", "end"}
        A step started, advanced (``completed`` or ``description`` changed), or ended.
    step_id : int
        Identifies the step across its events.
    name : str
        The step's name (e.g. ``"extracting"``).
    description : str
        What the step does right now (the name, or the name and the current stage).
    total : int or None
        Number of units of work, if known.
    completed : int
        Units done so far.
    elapsed_s : float
        Seconds since the step started.
    depth : int
        0 for a top-level step, 1 for a step inside it, ...
    ok : bool
        For ``end``: ``False`` when the step ended with an exception.
    """

    kind: Literal["start", "advance", "end"]
    step_id: int
    name: str
    description: str
    total: int | None
    completed: int
    elapsed_s: float
    depth: int
    ok: bool = True


Hook = Callable[[Event], None]

_hook: Hook | None = None
_ids = itertools.count(1)
_local = threading.local()


def set_hook(hook: Hook | None) -> Hook | None:
    """Install ``hook`` (or remove it with ``None``); returns the previous hook."""
    global _hook
    previous, _hook = _hook, hook
    return previous


def get_hook() -> Hook | None:
    """The installed hook, or ``None``."""
    return _hook


def _stack() -> list[Step]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


class Step:
    """A running step (from :func:`step`); call :meth:`advance` as work gets done."""

    def __init__(self, name: str, total: int | None, depth: int) -> None:
        self.id = next(_ids)
        self.name = name
        self.description = name
        self.total = total
        self.completed = 0
        self.depth = depth
        self.started = time.perf_counter()
        self.staged = False  # stage() was called in this step

    def _emit(self, kind: Literal["start", "advance", "end"], ok: bool = True) -> None:
        global _hook
        hook = _hook
        if hook is None:
            return
        event = Event(
            kind,
            self.id,
            self.name,
            self.description,
            self.total,
            self.completed,
            time.perf_counter() - self.started,
            self.depth,
            ok,
        )
        try:
            hook(event)
        except Exception:  # a broken display must not stop the work
            logger.exception("progress hook failed; progress display turned off")
            _hook = None

    def advance(self, n: int = 1, *, description: str | None = None) -> None:
        """Count ``n`` more units as done (and optionally say what is being done now)."""
        self.completed += n
        if description is not None:
            self.description = f"{self.name}: {description}"
        self._emit("advance")


@contextlib.contextmanager
def step(name: str, *, total: int | None = None) -> Iterator[Step]:
    """Mark a long step: a context manager yielding its :class:`Step`.

    Parameters
    ----------
    name : str
        Short, lower-case, e.g. ``"reading corpus"``.
    total : int, optional
        Units of work (documents, analyses ...), if known.
    """
    stack = _stack()
    s = Step(name, total, len(stack))
    stack.append(s)
    s._emit("start")
    ok = False
    try:
        yield s
        ok = True
    finally:
        stack.remove(s)
        if ok and s.total is not None:
            s.completed = s.total
        s._emit("end", ok)
        logger.info("%s: %s in %.1f s", name, "done" if ok else "failed", time.perf_counter() - s.started)


def track(iterable: Iterable[T], name: str, *, total: int | None = None) -> Iterator[T]:
    """Iterate over ``iterable`` as one step, advancing by one per item.

    ``total`` defaults to ``len(iterable)`` when it has a length.
    """
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    with step(name, total=total) as s:
        for item in iterable:
            yield item
            s.advance()


def stage(description: str) -> None:
    """Name the next part of the innermost running step, counting the previous part as done.

    The first call of a step only names its part; each later call also advances the step
    by one. Does nothing outside a step.
    """
    stack = _stack()
    if not stack:
        return
    s = stack[-1]
    s.advance(1 if s.staged else 0, description=description)
    s.staged = True
