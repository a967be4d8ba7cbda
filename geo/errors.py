"""The exceptions of jjj-atlas: one base class, one subclass per stage.

Every error the package raises on purpose is a :class:`GeoError`. Each subclass
also derives from the built-in exception a caller would expect (``ValueError``
for bad input, ``FileNotFoundError`` for missing files), so ``except ValueError``
keeps working. The command line reports a :class:`GeoError` as one clean line on
stderr (exit 1; :class:`UsageError` exits 2).
"""

from __future__ import annotations

__all__ = [
    "AnalysisError",
    "ConfigError",
    "CorpusError",
    "DocumentError",
    "ExportError",
    "ExportValidationError",
    "GazetteerError",
    "GeoError",
    "MapError",
    "MissingAssetsError",
    "NetworkError",
    "OSMError",
    "UnknownFeatureError",
    "UsageError",
    "YAMLError",
]


class GeoError(Exception):
    """Base class of every error raised on purpose by jjj-atlas."""


class UsageError(GeoError, ValueError):
    """An argument that cannot be used as given (an unknown name, a malformed date or box)."""


class UnknownFeatureError(UsageError, KeyError):
    """A feature name or id that resolves to no feature, or to several."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ConfigError(GeoError, ValueError):
    """A study configuration or assumptions file that is missing, malformed or inconsistent."""


class YAMLError(GeoError, ValueError):
    """YAML that is malformed, too large or uses anchors/aliases (refused: they can expand
    exponentially)."""


class CorpusError(GeoError, ValueError):
    """The corpus as a whole cannot be read (missing or empty folder)."""


class DocumentError(GeoError, ValueError):
    """One document cannot be read; the reader skips it with a warning naming the file."""


class GazetteerError(GeoError, ValueError):
    """A gazetteer file or record is malformed."""


class NetworkError(GeoError, ValueError):
    """The network cannot be built or routed as asked."""


class OSMError(NetworkError):
    """An OpenStreetMap input that cannot be read or used."""


class AnalysisError(GeoError, ValueError):
    """An analysis cannot run on the inputs given."""


class ExportError(GeoError, ValueError):
    """An export that cannot be written as asked."""


class ExportValidationError(ExportError):
    """A written export file failed its read-back validation."""


class MapError(GeoError, ValueError):
    """A map that cannot be built as asked."""


class MissingAssetsError(MapError, FileNotFoundError):
    """The pinned Leaflet assets needed to inline into an offline map are missing."""


#: Longest message :func:`unknown_name_message` returns (characters).
MAX_NAME_MESSAGE = 300


def unknown_name_message(
    name: str, choices: list[str] | tuple[str, ...], *, what: str = "name", see: str | None = None
) -> str:
    """A short message for an unknown name: "did you mean" the closest choices, and where to look.

    Parameters
    ----------
    name : str
        What the user gave.
    choices : sequence of str
        The valid names (labels, ids, aliases).
    what : str
        What kind of name it is (``"origin"``, ``"feature"`` ...).
    see : str, optional
        Where the full list is, e.g. ``"geo list origins"``.

    Returns
    -------
    str
        At most :data:`MAX_NAME_MESSAGE` characters.
    """
    import difflib

    uniq = sorted({str(c) for c in choices})
    close = difflib.get_close_matches(name, uniq, n=3, cutoff=0.6)
    key = name.strip().lower()
    if key:
        close += [c for c in uniq if (key in c.lower() or c.lower() in key) and c not in close][: 3 - len(close)]
    tail = f" (`{see}` lists them)" if see else ""
    msg = f"unknown {what} {name!r}"
    room = MAX_NAME_MESSAGE - len(tail)
    if close:
        msg += "; did you mean " + ", ".join(close) + "?"
    if uniq and (not close or len(uniq) <= 12):  # as many valid names as fit
        sep = " Valid: " if close else "; valid: "
        shown: list[str] = []
        for c in uniq:
            more = f" … ({len(uniq)} in all)"
            if len(msg) + len(sep) + len(", ".join([*shown, c])) + len(more) > room:
                break
            shown.append(c)
        msg += sep + ", ".join(shown) + (f" … ({len(uniq)} in all)" if len(shown) < len(uniq) else "")
    if len(msg) > room:
        msg = msg[: room - 1] + "…"
    return msg + tail


__all__ += ["MAX_NAME_MESSAGE", "unknown_name_message"]
