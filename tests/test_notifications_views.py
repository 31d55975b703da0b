"""The inbox pages: the list with filters and sort, one message, mark read, mark all read, the
choices per kind, the navbar's badge; another account's message is 404, an anonymous visitor is
sent to sign in, the list's queries do not grow with its rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fpa.core.models import AuditEvent
from fpa.notifications import selectors
from fpa.notifications.models import Message, Preference
from tests.notifications_helpers import message_for

INBOX = reverse("notifications:inbox")


def test_the_inbox_lists_the_users_own_messages(client_for, township, township2):
    mine = message_for(township, title="本镇月报被退回")
    message_for(township2, title="外镇月报被退回")
    page = client_for(township).get(INBOX)
    assert page.status_code == 200
    body = page.content.decode()
    assert "本镇月报被退回" in body and "外镇月报被退回" not in body
    assert f'data-message="{mine.pk}"' in body
    assert 'id="nav-unread">1' in body  # the navbar badge


def test_filters_and_sort(client_for, township):
    first = message_for(township, title="第一条")
    second = message_for(township, kind="fund.grant_waiting", title="第二条")
    Message.objects.filter(pk=first.pk).update(read_at=second.created_at)
    client = client_for(township)
    unread = client.get(INBOX, {"state": "unread"}).content.decode()
    assert "第二条" in unread and "第一条" not in unread
    read = client.get(INBOX, {"state": "read"}).content.decode()
    assert "第一条" in read and "第二条" not in read
    kind = client.get(INBOX, {"kind": "fund.grant_waiting"}).content.decode()
    assert "第二条" in kind and "第一条" not in kind
    newest = client.get(INBOX).content.decode()
    assert newest.index("第二条") < newest.index("第一条")
    oldest = client.get(INBOX, {"sort": "oldest"}).content.decode()
    assert oldest.index("第一条") < oldest.index("第二条")
    # a bad filter value is ignored, never a 500
    assert client.get(INBOX, {"state": "x", "kind": "<b>", "after": "abc"}).status_code == 200


def test_opening_a_message_marks_it_read(client_for, township):
    message = message_for(township, title="月报被退回", reason="请核对走访次数")
    page = client_for(township).get(reverse("notifications:open", args=[message.pk]))
    assert page.status_code == 200 and "请核对走访次数" in page.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert AuditEvent.objects.filter(object_type="notifications.message").count() == 1


def test_mark_read_and_mark_all_read(client_for, township):
    one, *_ = (message_for(township) for _ in range(3))
    client = client_for(township)
    response = client.post(reverse("notifications:read", args=[one.pk]), {"next": INBOX})
    assert response.status_code == 302 and response["Location"] == INBOX
    assert Message.objects.of(township).unread().count() == 2
    response = client.post(reverse("notifications:read_all"), {"next": "https://evil.invalid/"})
    assert response.status_code == 302 and response["Location"] == INBOX
    assert Message.objects.of(township).unread().count() == 0


def test_the_badge_counts_what_the_inbox_calls_unread(client_for, township, township2):
    """The badge's hand-written SQL (selectors.unread_sql) against the queryset it stands for, as
    messages arrive, are read, belong to someone else, or the account is switched off."""

    def both(user):
        return selectors.unread_count(user=user), Message.objects.of(user).unread().count()

    assert both(township) == (0, 0)
    first, second = message_for(township), message_for(township)
    message_for(township2)
    assert both(township) == (2, 2) and both(township2) == (1, 1)
    Message.objects.filter(pk=first.pk).update(read_at=second.created_at)
    assert both(township) == (1, 1)
    assert 'id="nav-unread">1' in client_for(township).get(INBOX).content.decode()
    township.is_active = False
    assert both(township) == (0, 0)


def test_another_users_message_is_not_found(client_for, township, township2, village):
    theirs = message_for(township2, title="外镇的消息")
    for user in (township, village):
        client = client_for(user)
        assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    client_for(township).post(reverse("notifications:read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("name", ["inbox", "preferences", "read_all"])
def test_anonymous_visitors_are_sent_to_sign_in(client, yongjing, name):
    response = client.get(reverse(f"notifications:{name}"))
    if name == "read_all":
        assert response.status_code == 405
        response = client.post(reverse(f"notifications:{name}"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_anonymous_pages_have_no_badge(client, yongjing):
    assert b"nav-inbox" not in client.get(reverse("accounts:login")).content


def test_inbox_queries_do_not_grow_with_rows(client_for, township, django_assert_max_num_queries):
    client = client_for(township)
    message_for(township)
    with django_assert_max_num_queries(30) as few:
        client.get(INBOX)
    for _ in range(25):
        message_for(township)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(INBOX).status_code == 200


def test_preferences_are_saved_and_shown(client_for, township):
    client = client_for(township)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="sms:fund.grant_waiting"' in body
    assert (
        'name="digest:todo.organizations.filings_to_review" id="id_digest:todo.organizations.filings_to_review" checked'
        in body
    )
    response = client.post(
        reverse("notifications:preferences"),
        {"sms:fund.grant_waiting": "on", "email:reports.returned": "on"},
    )
    assert response.status_code == 302
    stored = {p.kind: (p.sms, p.email, p.digest) for p in Preference.objects.filter(user=township)}
    assert stored["fund.grant_waiting"] == (True, False, False)
    assert stored["reports.returned"] == (False, True, False)
    # the to-do kinds left unticked: single messages now
    assert stored["todo.organizations.filings_to_review"] == (False, False, False)
    assert "没有登记手机号" in client.get(reverse("notifications:preferences")).content.decode()


def test_a_kind_the_role_does_not_have_is_not_offered(client_for, volunteer):
    body = client_for(volunteer).get(reverse("notifications:preferences")).content.decode()
    assert "todo.organizations.filings_to_review" not in body
    assert "reports.returned" in body
