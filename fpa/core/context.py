"""Who is acting and from where, for the audit trail; set per request by
RequestContextMiddleware."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "fpa_request", default=None
)


def set_current(info: RequestInfo | None) -> contextvars.Token[RequestInfo | None]:
    return _current.set(info)


def reset(token: contextvars.Token[RequestInfo | None]) -> None:
    _current.reset(token)


def current_ip() -> str | None:
    info = _current.get()
    return info.ip if info else None
