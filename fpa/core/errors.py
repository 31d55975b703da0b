"""Errors that services raise for the user to read. Views show them on the form; the API returns
them as structured JSON ({"error": {"code", "message", "fields"}})."""

from __future__ import annotations


class ServiceError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotAllowed(ServiceError):
    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    """Someone else saved the record since this user opened it."""

    code = "conflict"
    status = 409


def check_version(current: int, expected: int | None, changed: list[str] | None = None) -> None:
    if expected is not None and int(expected) != current:
        detail = f"（对方修改了：{'、'.join(changed)}）" if changed else ""
        raise Conflict(
            f"该记录已被他人修改{detail}，您的保存未生效。请刷新页面查看最新内容后再修改。"
        )
