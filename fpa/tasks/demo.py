"""Demo data placeholder; filled below."""

from __future__ import annotations

from fpa.core.demo import DemoCast


def seed(cast: DemoCast) -> dict[str, int]:
    return {}
