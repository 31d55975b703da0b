"""What the insurance services share: loading with a row lock and checking the version."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from fpa.core.errors import check_version

_M = TypeVar("_M", bound=models.Model)


def locked(obj: _M, version: int | None) -> _M:
    """The row again, locked, at the version the user saw (a stale save is refused)."""
    fresh: Any = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    check_version(fresh.version, version)
    return fresh  # type: ignore[no-any-return]


def bump(obj: Any) -> None:
    obj.version += 1
