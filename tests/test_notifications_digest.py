"""The daily sweep: one digest per user listing the to-do centre's counts with links (and the
messages held for it), single messages for the kinds the user chose, idempotent within a day,
and a bounded number of queries per account."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fpa.accounts.roles import Role
from fpa.notifications import digest, kinds, services
from fpa.notifications.models import Delivery, Message
from fpa.notifications.sending import Choice
from tests.conftest import DAZHUANG, LIUJIAXIA, make_user
from tests.notifications_helpers import filing_waiting, message_for

TO_REVIEW = "todo.organizations.filings_to_review"


def digest_of(user):
    return Message.objects.of(user).filter(kind=kinds.DIGEST).get()


def keys_of(user):
    """The to-do kinds listed in the user's digests (other modules' kinds may be there too)."""
    found = Message.objects.of(user).filter(kind=kinds.DIGEST)
    return {line["key"] for message in found for line in message.lines}


def test_the_digest_lists_the_counts_with_links(village, township, county):
    filing_waiting(village, DAZHUANG)
    figures = digest.sweep()
    message = digest_of(township)
    line = next(line for line in message.lines if line["key"] == TO_REVIEW)
    assert line["count"] == 1 and line["url"].endswith("?to_review=1")
    assert f"{len(message.lines)} 类待办" in message.title
    assert message.url == "/"
    # the village submitted it: the filing does not wait for the village
    assert TO_REVIEW not in keys_of(village)
    assert figures["digests"] >= 1 and figures["users"] == 3


def test_running_twice_a_day_writes_nothing_new(village, township):
    filing_waiting(village, DAZHUANG)
    digest.sweep()
    again = digest.sweep()
    assert again["digests"] == 0 and again["singles"] == 0
    assert Message.objects.of(township).filter(kind=kinds.DIGEST).count() == 1


def test_a_kind_chosen_as_single_messages_comes_on_its_own(village, township):
    filing_waiting(village, DAZHUANG)
    services.preferences_save(
        actor=township, choices={TO_REVIEW: Choice(sms=False, email=False, digest=False)}
    )
    figures = digest.sweep()
    (single,) = Message.objects.of(township).filter(kind=TO_REVIEW)
    assert "待审核的备案" in single.title and "1" in single.title
    assert TO_REVIEW not in keys_of(township)
    assert figures["singles"] == 1


def test_held_messages_go_into_the_digest_once(township, sysadmin, settings):
    services.preferences_save(
        actor=township, choices={"reports.returned": Choice(email=True, digest=True)}
    )
    township.email = "township@example.invalid"
    township.save(update_fields=["email"])
    services.preferences_save(actor=township, choices={kinds.DIGEST: Choice(email=True)})
    held = message_for(township, title="月报第9期被退回")
    assert held.held and Delivery.objects.count() == 0
    digest.sweep()
    message = digest_of(township)
    held_lines = [line for line in message.lines if not line["key"]]
    assert [line["label"] for line in held_lines] == ["月报第9期被退回"]
    assert "1 条消息" in message.title
    held.refresh_from_db()
    assert held.digested_at is not None
    # the digest itself goes by e-mail, as chosen for it (sent when its transaction commits)
    assert Delivery.objects.filter(message=message, channel="email").count() == 1


def test_inactive_accounts_are_skipped(village, township):
    filing_waiting(village, DAZHUANG)
    township.is_active = False
    township.save(update_fields=["is_active"])
    figures = digest.sweep()
    assert Message.objects.filter(recipient=township).count() == 0
    assert figures["users"] == 1


def _sweep_queries() -> int:
    Message.objects.filter(kind=kinds.DIGEST).delete()
    with CaptureQueriesContext(connection) as captured:
        digest.sweep()
    return len(captured.captured_queries)


def test_queries_per_account_are_bounded(village, township, county):
    filing_waiting(village, DAZHUANG)
    few = _sweep_queries()
    for n in range(20):
        make_user(f"officer{n}", LIUJIAXIA, Role.TOWNSHIP_STAFF)
    many = _sweep_queries()
    per_account = (many - few) / 20
    # each account costs its to-do counts (one or two small queries per kind it may act on),
    # never a query per message or per line
    print(f"sweep: {few} queries for 3 accounts, {many} for 23: {per_account:.1f} per account")
    assert per_account <= 40, per_account
    for n in range(20):
        officer = Message.objects.filter(recipient__username=f"officer{n}", kind=kinds.DIGEST)
        assert TO_REVIEW in {line["key"] for line in officer.get().lines}


def test_the_command_runs_the_sweep(village, township):
    filing_waiting(village, DAZHUANG)
    out = io.StringIO()
    call_command("notify_daily", stdout=out)
    assert "users 2, digests " in out.getvalue()
    assert digest_of(township).lines
