"""Rounding of the analyses' written outputs (JSON summaries, CSV tables, layer columns).

Values become plain JSON first (:func:`geo.schema.json_value`: missing and non-finite
numbers are ``None``); this module only adds the rounding that is part of the output.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.schema import json_value

__all__ = ["rounded"]


def _round_json(value: Any, ndigits: int) -> Any:
    if isinstance(value, float):
        return round(value, ndigits)
    if isinstance(value, dict):
        return {k: _round_json(v, ndigits) for k, v in value.items()}
    if isinstance(value, list):
        return [_round_json(v, ndigits) for v in value]
    return value


def rounded(value: Any, ndigits: int) -> Any:
    """A value as written: JSON with its floats rounded, or a frame with its float columns rounded.

    Parameters
    ----------
    value : pandas.DataFrame (or GeoDataFrame), or any value
        A frame: a copy whose float columns are rounded (:meth:`pandas.Series.round`; other
        columns unchanged). Anything else: :func:`geo.schema.json_value` of it (``None`` for
        missing and non-finite numbers), every float rounded (:func:`round`).
    ndigits : int
        Decimal places.

    Returns
    -------
    pandas.DataFrame or JSON value
    """
    if isinstance(value, pd.DataFrame):
        out = value.copy()
        for col in out.columns:
            if pd.api.types.is_float_dtype(out[col]):
                out[col] = out[col].round(ndigits)
        return out
    return _round_json(json_value(value), ndigits)
