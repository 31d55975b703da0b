"""Errors that services raise for the user to read. Views show them on the form; the API returns
them as structured JSON ({"error": {"code", "message", "fields"}})."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext


class ServiceError(Exception):
    code = "invalid"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        about: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Which part of the call the error is about, when the field alone does not say (a
        # family's registration: the person, by role, whose ID number is a duplicate).
        self.about = about
        if code:
            self.code = code

    def add_to(self, form: Any, aliases: dict[str, str] | None = None) -> None:
        """Show the message on the form: on its field when the form has one (`aliases` maps a
        service's field name to the form's), otherwise above the form."""
        field = (aliases or {}).get(self.field or "", self.field)
        form.add_error(field if field in form.fields else None, self.message)


class ServiceErrors(ServiceError):
    """Problems with several items of one bulk call, each as (position in the call, error)."""

    def __init__(self, errors: list[tuple[int, ServiceError]]) -> None:
        first = errors[0][1]
        super().__init__(first.message, field=first.field, code=first.code, about=first.about)
        self.errors = errors


class NotAllowed(ServiceError):
    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    """Someone else saved the record since this user opened it."""

    code = "conflict"
    status = 409


def check_version(current: int, expected: int | None, changed: list[str] | None = None) -> None:
    if expected is not None and int(expected) != current:
        if changed:
            raise Conflict(
                gettext(
                    "该记录已被他人修改（对方修改了：%(fields)s），您的保存未生效。"
                    "请刷新页面查看最新内容后再修改。"
                )
                % {"fields": "、".join(changed)}
            )
        raise Conflict(
            gettext("该记录已被他人修改，您的保存未生效。请刷新页面查看最新内容后再修改。")
        )


def validate(instance: Any, exclude: list[str] | None = None, *, unique: bool = True) -> None:
    """`full_clean()` with the first problem raised as a ServiceError for the form or the API.

    `unique=False` skips the unique and constraint checks (a query each): for services that check
    them for a whole batch in one query."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude, validate_unique=unique, validate_constraints=unique)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ServiceError(messages[0], field=field) from exc


def not_future(day: datetime.date | None, *, field: str) -> None:
    """A date a service is given may not be later than today (a missing one is the form's to
    refuse)."""
    from django.utils import timezone

    if day is not None and day > timezone.localdate():
        raise ServiceError(gettext("日期不能晚于今天。"), field=field)


def within(value: str, limit: int, *, field: str) -> str:
    """`value` when it is at most `limit` characters; otherwise a clear error on `field` (never a
    silent cut: what the user wrote is kept or refused, not shortened)."""
    if len(value) > limit:
        raise ServiceError(
            gettext("最多%(max)d个字，现有%(count)d个字。") % {"max": limit, "count": len(value)},
            field=field,
        )
    return value
