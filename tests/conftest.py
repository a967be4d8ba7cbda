"""Shared fixtures and test data builders (test modules never import each other)."""

from __future__ import annotations

# --------------------------------------------------------------------------- network fixtures


# --------------------------------------------------------------------------- maps fixtures


# --------------------------------------------------------------------------- pipeline fixtures
