"""The caller's inbox over /api/v1/notifications: the list (unread filter, kind, keyset pages),
one message, mark read, mark all read, and the choices per kind (read, update).

Who may call: every signed-in account (capability "account.self"), for its own messages only;
another account's message is 404 like one that does not exist. Anonymous: 401. Errors are the
platform's JSON errors (`fpa.core.api_errors.ERRORS`, documented on every operation).
"""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.core.api_errors import with_errors
from fpa.notifications import kinds, selectors, services
from fpa.notifications.models import Message
from fpa.notifications.sending import Choice

MAX_ID = 2**63 - 1
router = Router(tags=["notifications"], auth=[BearerToken("account.self"), Session("account.self")])


class LineOut(Schema):
    label: str
    count: int | None = None
    url: str = ""


class MessageOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    reason: str
    url: str
    lines: list[LineOut]
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    read: bool

    @staticmethod
    def resolve_kind_label(obj: Message) -> str:
        return kinds.label_of(obj.kind)

    @staticmethod
    def resolve_lines(obj: Message) -> list[dict[str, object]]:
        return [
            {
                "label": kinds.label_of(line["key"]) if line.get("key") else line.get("label", ""),
                "count": line.get("count"),
                "url": line.get("url", ""),
            }
            for line in obj.lines
            if isinstance(line, dict)
        ]

    @staticmethod
    def resolve_read(obj: Message) -> bool:
        return obj.read_at is not None


class MessagePage(Schema):
    items: list[MessageOut]
    unread: int
    next: str | None
    previous: str | None


class InboxFiltersIn(Schema):
    unread: bool | None = Field(None, description="true 只列未读；false 只列已读")
    kind: str = Field("", max_length=80, description="消息类型，如 reports.returned")
    oldest_first: bool = False
    after: str | None = Field(None, max_length=20)
    before: str | None = Field(None, max_length=20)
    size: int = Field(30, ge=1, le=100)


class ReadAllIn(Schema):
    kind: str = Field("", max_length=80, description="只标记这一类；不填为全部")


class ReadAllOut(Schema):
    marked: int
    unread: int


class PreferenceIO(Schema):
    kind: str = Field(..., max_length=80)
    label: str = Field("", description="只读")
    todo: bool = Field(False, description="只读：待办类（默认并入每日汇总）")
    sms: bool
    email: bool
    digest: bool = Field(..., description="并入每日汇总，不逐条发送短信和邮件")


class PreferencesIn(Schema):
    items: list[PreferenceIO] = Field(..., max_length=200)


def _message(request: HttpRequest, pk: int) -> Message:
    if not 0 < pk <= MAX_ID:
        raise Http404
    message = selectors.message_get(user=signed_in_user(request), pk=pk)
    if message is None:
        raise Http404
    return message


def _preferences(request: HttpRequest) -> list[dict[str, object]]:
    return [
        {
            "kind": row.key,
            "label": row.label,
            "todo": row.todo,
            "sms": row.choice.sms,
            "email": row.choice.email,
            "digest": row.choice.digest,
        }
        for row in selectors.preferences_of(user=signed_in_user(request))
    ]


@router.get("/notifications/preferences", response=with_errors(list[PreferenceIO]))
def notification_preferences(request: HttpRequest) -> list[dict[str, object]]:
    """Each kind of message that can reach the caller, with the caller's choice."""
    return _preferences(request)


@router.put(
    "/notifications/preferences",
    response=with_errors(list[PreferenceIO]),
    description="""Store the choices of the kinds listed (others keep theirs). A kind that
cannot reach the caller: 400 with field `kind`; nothing is stored then.""",
)
def notification_preferences_update(
    request: HttpRequest, payload: PreferencesIn
) -> list[dict[str, object]]:
    services.preferences_save(
        actor=signed_in_user(request),
        choices={
            item.kind: Choice(sms=item.sms, email=item.email, digest=item.digest)
            for item in payload.items
        },
    )
    return _preferences(request)


@router.get("/notifications", response=with_errors(MessagePage))
def notification_list(request: HttpRequest, filters: Query[InboxFiltersIn]) -> dict[str, object]:
    """The caller's messages, newest first (one keyset page)."""
    user = signed_in_user(request)
    state = "" if filters.unread is None else ("unread" if filters.unread else "read")
    page = selectors.inbox(
        user=user,
        filters=selectors.InboxFilters(state=state, kind=filters.kind),
        sort="oldest" if filters.oldest_first else "",
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return {
        "items": page.items,
        "unread": selectors.unread_count(user=user),
        "next": page.next_cursor,
        "previous": page.prev_cursor,
    }


@router.post("/notifications/read-all", response=with_errors(ReadAllOut))
def notification_read_all(request: HttpRequest, payload: ReadAllIn) -> dict[str, int]:
    user = signed_in_user(request)
    marked = services.messages_mark_all_read(actor=user, kind=payload.kind)
    return {"marked": marked, "unread": selectors.unread_count(user=user)}


@router.get("/notifications/{message_id}", response=with_errors(MessageOut))
def notification_detail(request: HttpRequest, message_id: int) -> Message:
    """One of the caller's messages (reading it here does not mark it read)."""
    return _message(request, message_id)


@router.post("/notifications/{message_id}/read", response=with_errors(MessageOut))
def notification_read(request: HttpRequest, message_id: int) -> Message:
    return services.message_mark_read(
        actor=signed_in_user(request), message=_message(request, message_id)
    )
