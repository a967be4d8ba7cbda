"""Network analyses: accessibility, cross-border links, structure and scenarios.

Every public function returns plain data (pandas / geopandas tables, dicts) whose ``summary``
parts are JSON-serialisable (unreachable travel times are ``None`` there, ``inf``/``NaN`` in
tables — never 0).
"""

from geo.analysis import accessibility, crossborder, scenarios, structure

__all__ = ["accessibility", "crossborder", "scenarios", "structure"]
