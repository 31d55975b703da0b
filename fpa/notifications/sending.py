"""Writing messages into inboxes and sending them by SMS and e-mail, in the background.

`notify` is the one way a message is written (the event listener and the daily sweep call it):
the guard checks its words, the recipients' preferences decide the channels, and a `Delivery`
row per channel is queued. `deliver` is the django-tasks task that sends one delivery; a failed
attempt waits `retry_seconds * 2 ** (attempts - 1)` before the next one, up to `max_attempts`;
the worker runs the retry when its backend can defer a task, and `send_notifications` (a
management command run by cron) sends whatever is due in any case. Every attempt is logged.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import default_task_backend, task

from fpa.core import events
from fpa.notifications import guard, kinds, sms
from fpa.notifications.models import Delivery, Message, Preference

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_SECONDS = 60
CLAIM_SECONDS = 300  # a delivery being sent is not picked up again for this long


def max_attempts() -> int:
    return int(getattr(settings, "FPA_NOTIFY_MAX_ATTEMPTS", MAX_ATTEMPTS))


def retry_seconds() -> float:
    return float(getattr(settings, "FPA_NOTIFY_RETRY_SECONDS", RETRY_SECONDS))


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4, 8 … times the base."""
    return datetime.timedelta(seconds=retry_seconds() * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Choice:
    sms: bool = False
    email: bool = False
    digest: bool = False


def stored_choices(rows: Iterable[Preference]) -> dict[tuple[int, str], Choice]:
    """The choices stored in these preference rows, by (user id, kind)."""
    return {
        (row.user_id, row.kind): Choice(sms=row.sms, email=row.email, digest=row.digest)
        for row in rows
    }


def choices_of(user_ids: Iterable[int], kind_keys: Iterable[str]) -> dict[tuple[int, str], Choice]:
    """The stored choices of these users for these kinds (one query); `choice` fills the gaps."""
    return stored_choices(
        Preference.objects.filter(user_id__in=list(user_ids), kind__in=list(kind_keys))
    )


def choice(stored: dict[tuple[int, str], Choice], user_id: int, kind: str) -> Choice:
    return stored.get((user_id, kind)) or Choice(digest=kinds.default_digest(kind))


@dataclass
class Outgoing:
    """One message to write: to whom, of what kind, in which words."""

    recipient: int
    kind: str
    title: str
    url: str = ""
    reason: str = ""
    lines: list[dict[str, Any]] = field(default_factory=list)
    dedupe: str = ""
    held: bool | None = None  # None: as the recipient chose for the kind


def safe_words(kind: str, title: str, reason: str, url: str) -> tuple[str, str]:
    """The words to write: as given when the guard lets them pass; otherwise (logged) the kind's
    name and a plain pointer to the platform, so the recipient still learns that something
    waits without the words that were refused."""
    try:
        guard.check(title, reason, url, kind=kind)
    except guard.SensitiveContent:
        return gettext("%(kind)s（详情请登录平台查看）") % {"kind": kinds.label_of(kind)}, ""
    return title, reason


def notify(items: Sequence[Outgoing]) -> list[Message]:
    """Write the messages (active recipients only; a `dedupe` key already used by the recipient
    is skipped) and queue their SMS and e-mail. A bounded number of queries whatever the number
    of messages: users, choices, existing keys, and one insert each for messages and deliveries."""
    if not items:
        return []
    users = {
        u.pk: u
        for u in get_user_model()
        .objects.prefetch_related(None)
        .select_related(None)
        .filter(pk__in={i.recipient for i in items}, is_active=True)
    }
    stored = choices_of(users, {i.kind for i in items})
    keys = {i.dedupe for i in items if i.dedupe}
    used = (
        set(
            Message.objects.filter(dedupe__in=keys, recipient_id__in=users).values_list(
                "recipient_id", "dedupe"
            )
        )
        if keys
        else set()
    )
    planned: list[tuple[Message, Choice]] = []
    for item in items:
        if item.recipient not in users or (item.recipient, item.dedupe) in used:
            continue
        chosen = choice(stored, item.recipient, item.kind)
        held = chosen.digest if item.held is None else item.held
        title, reason = safe_words(item.kind, item.title, item.reason, item.url)
        message = Message(
            recipient_id=item.recipient,
            kind=item.kind[:80],
            title=title[:200],
            url=item.url[:300] if item.url.startswith("/") else "",
            reason=reason[:1000],
            lines=item.lines,
            held=held,
            dedupe=item.dedupe[:100],
        )
        if item.dedupe:
            used.add((item.recipient, item.dedupe))
        planned.append((message, chosen))
    with transaction.atomic():
        written = Message.objects.bulk_create([m for m, _ in planned])
        deliveries = [
            d
            for message, chosen in zip(written, (c for _, c in planned), strict=True)
            if not message.held
            for d in _deliveries(message, users[message.recipient_id], chosen)
        ]
        created = Delivery.objects.bulk_create(deliveries)
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: enqueue(ids))
    return written


def _deliveries(message: Message, user: Any, chosen: Choice) -> list[Delivery]:
    found = []
    if chosen.sms and user.phone:
        found.append(
            Delivery(message=message, channel=Delivery.Channel.SMS, destination=user.phone.masked)
        )
    if chosen.email and user.email:
        name, _, domain = user.email.partition("@")
        found.append(
            Delivery(
                message=message,
                channel=Delivery.Channel.EMAIL,
                destination=f"{name[:1]}***@{domain}"[:100],
            )
        )
    return found


def enqueue(ids: Iterable[int]) -> None:
    for pk in ids:
        deliver.enqueue(pk)


# --- sending ----------------------------------------------------------------------------------


@task()
def deliver(delivery_id: int) -> str:
    """Send one delivery now (if it is due and not being sent); queue its retry when the
    backend can defer a task."""
    status = attempt(delivery_id)
    if status == Delivery.Status.PENDING and default_task_backend.supports_defer:
        due = Delivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True)
        deliver.using(run_after=due.first()).enqueue(delivery_id)
    return status


def attempt(delivery_id: int, now: datetime.datetime | None = None) -> str:
    """One attempt: claim the row (another worker's claim or a row not yet due: skipped), send
    through its channel, record the outcome. Returns the delivery's status, "" when skipped."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + datetime.timedelta(seconds=CLAIM_SECONDS))
    if not claimed:
        return ""
    delivery = Delivery.objects.select_related("message", "message__recipient").get(pk=delivery_id)
    attempts = delivery.attempts + 1
    try:
        _send(delivery)
    except Exception as exc:  # any gateway failure is retried, and logged
        error = f"{type(exc).__name__}: {exc}"[:500]
        failed = attempts >= max_attempts()
        status = Delivery.Status.FAILED if failed else Delivery.Status.PENDING
        Delivery.objects.filter(pk=delivery_id).update(
            attempts=attempts,
            last_error=error,
            status=status,
            next_attempt_at=now + backoff(attempts),
        )
        logger.warning(
            "notification delivery %s (%s to %s) attempt %s failed%s: %s",
            delivery_id,
            delivery.channel,
            delivery.destination,
            attempts,
            " for good" if failed else "",
            error,
        )
        return status
    Delivery.objects.filter(pk=delivery_id).update(
        attempts=attempts, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    logger.info(
        "notification delivery %s (%s to %s) sent at attempt %s",
        delivery_id,
        delivery.channel,
        delivery.destination,
        attempts,
    )
    return Delivery.Status.SENT


def _send(delivery: Delivery) -> None:
    message, user = delivery.message, delivery.message.recipient
    if not user.is_active:
        raise RuntimeError("recipient account is inactive")
    if delivery.channel == Delivery.Channel.SMS:
        if not user.phone:
            raise RuntimeError("recipient has no phone number")
        # The platform sends the account holder's own message to their own phone: the clear
        # number leaves only towards the gateway, never into a page, a log or the delivery row.
        sms.backend().send(
            phone=user.phone.reveal_unchecked(),
            text=sms_text(message),
            reference=str(delivery.pk),
        )
        return
    if not user.email:
        raise RuntimeError("recipient has no e-mail address")
    send_mail(
        subject=message.title,
        message=email_text(message),
        from_email=getattr(settings, "FPA_NOTIFY_FROM_EMAIL", None),
        recipient_list=[user.email],
    )


def _absolute(url: str) -> str:
    site = str(getattr(settings, "FPA_SITE_URL", "") or "").rstrip("/")
    return f"{site}{url}" if url else site


def sms_text(message: Message) -> str:
    return gettext("%(title)s。详情请登录计生协综合服务平台查看。") % {"title": message.title}


def email_text(message: Message) -> str:
    parts = [message.title]
    if message.reason:
        parts.append(message.reason)
    for line in message.lines:
        count = f"：{line['count']}" if line.get("count") is not None else ""
        parts.append(f"· {line.get('label', '')}{count} {_absolute(line.get('url', ''))}".rstrip())
    if message.url:
        parts.append(_absolute(message.url))
    parts.append(gettext("此邮件由计生协综合服务平台自动发送，请勿回复。"))
    return "\n\n".join(parts)


def send_due(now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Attempt every pending delivery that is due (the command `send_notifications`)."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcome = {"sent": 0, "pending": 0, "failed": 0, "skipped": 0}
    for pk in due:
        status = attempt(pk, now)
        outcome[status or "skipped"] += 1
    return outcome


# --- events -----------------------------------------------------------------------------------


def on_event(event: events.Event) -> None:
    """The listener (registered in the app's ready()): each event becomes a message for each
    recipient. A failure here is logged, never raised into the work that published it."""
    try:
        notify(
            [
                Outgoing(
                    recipient=pk,
                    kind=event.kind,
                    title=event.title,
                    url=event.url,
                    reason=event.reason,
                )
                for pk in event.recipients
            ]
        )
    except Exception:
        logger.exception("notification of event %s failed", event.kind)
