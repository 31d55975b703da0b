"""The online member application (入会申请 on the public page) and what follows it: the same
pending queue as walk-in applications, consent, honeypot and rate limit, the duplicate answer that
tells nothing, the reference code's status page; the council approval with its meeting date and
resolution number; reopening a refusal and applying again; the printable member card and its
public check. Refused cases: another township, a village role, other roles, anonymous."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from fpa.core import consent
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.qr import qr_data_uri
from fpa.members import rules, services
from fpa.members.models import Member, StatusChange
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN
from tests.members_helpers import apply, member, new_id_number

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today
DOCUMENT = "刘计协理〔2026〕7号"  # noqa: RUF001 (the brackets of a document number)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db: Any) -> Any:
    cache.clear()
    yield
    cache.clear()


def village_pk(code: str = DAZHUANG) -> int:
    return Association.objects.get(code=code).pk


def form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "association": str(village_pk()),
        "kind": "individual",
        "name": "网上申请人",
        "id_number": new_id_number("F"),
        "phone": "13812345678",
        "consent_version": "1",
        "agree": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def join(client: Client, **overrides: Any) -> Any:
    return client.post(reverse("members:join"), form(**overrides))


def error_text(response: Any) -> str:
    """The messages shown under the fields (what the applicant reads)."""
    html = response.content.decode()
    out = []
    for chunk in html.split('class="invalid-feedback d-block">')[1:]:
        out.append(chunk.split("</div>", 1)[0])
    return " ".join(out)


# --- the application --------------------------------------------------------------------------


def test_the_public_page_offers_villages_with_their_township_and_the_consent_text(
    client: Client, yongjing: Any
) -> None:
    page = client.get(reverse("members:join"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "入会申请同意书（第1版）" in html and "承认协会章程" in html
    assert ">刘家峡镇 · 大庄村委会</option>" in html  # the village labelled with its township
    assert "团体会员" not in html  # a citizen applies for themself
    assert 'class="fpa-honeypot"' in html


def test_an_online_application_lands_in_the_villages_pending_queue(
    client: Client, client_for: Any, village: Any, township: Any, township2: Any
) -> None:
    number = new_id_number("M")
    response = join(client, id_number=" " + number.lower(), name="赵 网申")
    assert response.status_code == 200
    applied = Member.objects.get()
    assert applied.association.code == DAZHUANG and applied.status == Member.Status.PENDING
    assert applied.online and applied.consent is not None and applied.consent.version == 1
    assert applied.consent.purpose == rules.CONSENT_PURPOSE
    assert applied.id_number.reveal_unchecked() == number and applied.sex == "M"
    assert applied.name == "赵 网申" and applied.approved_by is None
    html = response.content.decode()
    assert applied.reference and applied.reference in html and "入会申请已提交" in html
    # the same queue as walk-in applications: the village and its township see it, marked online
    for user in (village, township):
        queue = client_for(user).get(reverse("members:pending")).content.decode()
        assert "赵 网申" in queue and "网上申请" in queue
    assert "赵 网申" not in client_for(township2).get(reverse("members:pending")).content.decode()
    row = AuditEvent.objects.get(object_type="members.member", object_id=str(applied.pk))
    assert row.actor is None and row.reason == "网上入会申请"
    assert row.scope_path == applied.association.path
    assert number not in str(row.changes)  # the trail keeps the number masked


def test_the_honeypot_answers_like_success_and_stores_nothing(
    client: Client, yongjing: Any
) -> None:
    response = join(client, website="http://spam.example")
    assert response.status_code == 200 and "入会申请已提交" in response.content.decode()
    assert not Member.objects.exists()
    assert not AuditEvent.objects.filter(object_type="members.member").exists()


def test_applications_are_rate_limited_per_address(client: Client, yongjing: Any) -> None:
    for _ in range(5):
        assert join(client).status_code == 200
    response = join(client)
    assert response.status_code == 429 and "过于频繁" in response.content.decode()
    assert Member.objects.count() == 5
    other = Client(REMOTE_ADDR="10.9.9.9")  # another address is counted apart
    assert join(other).status_code == 200
    assert Member.objects.count() == 6


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "62292319850101002", "身份证号码应为18位，现为17位"),
        ("id_number", "622923198501010021", "校验"),
        ("id_number", "\uff11\uff12\uff13", "身份证号码应为18位"),
        ("id_number", "", "必填"),
        ("phone", "12345", ""),
        ("name", "x" * 5000, ""),
        ("association", str(10**9), ""),
        ("kind", "group", ""),
        ("consent_version", "1e6", ""),
        ("agree", "", "必填"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_written(
    client: Client, yongjing: Any, field: str, value: str, message: str
) -> None:
    response = join(client, **{field: value})
    html = response.content.decode()
    assert response.status_code == 200
    assert "invalid-feedback" in html or "alert-danger" in html
    if message:
        assert message in html
    assert not Member.objects.exists()
    assert not AuditEvent.objects.filter(object_type="members.member").exists()


def test_a_township_or_county_association_cannot_be_chosen_online(
    client: Client, yongjing: Any
) -> None:
    township = Association.objects.get(code=LIUJIAXIA)
    join(client, association=str(township.pk))
    assert not Member.objects.exists()
    with pytest.raises(ServiceError, match="村（社区）"):
        services.member_apply_online(
            association=township,
            kind="individual",
            name="直接调用",
            id_number=new_id_number(),
            phone="13812345678",
            consent_version=1,
        )


def test_an_outdated_consent_version_is_refused(client: Client, yongjing: Any) -> None:
    consent.publish(
        actor=None, purpose=rules.CONSENT_PURPOSE, body="第二版入会申请同意书，内容有更新。"
    )
    response = join(client, consent_version="1")
    assert "同意书已更新" in response.content.decode()
    assert not Member.objects.exists()
    page = client.get(reverse("members:join")).content.decode()
    assert "入会申请同意书（第2版）" in page
    join(client, consent_version="2")
    assert Member.objects.get().consent.version == 2


def test_a_duplicate_gets_one_message_that_does_not_tell_membership(
    client: Client, village: Any, township: Any
) -> None:
    pending_number, active_number, lapsed_number = (new_id_number() for _ in range(3))
    apply(village, DAZHUANG, id_number=pending_number)
    member(village, DAZHUANG, approver=township, id_number=active_number, name="在册会员")
    lapsed = member(village, DAZHUANG, approver=township, id_number=lapsed_number)
    services.member_change_status(
        actor=village, member=lapsed, status="lapsed", effective_date=TODAY(), reason="未登记"
    )
    before = Member.objects.count()
    messages = {error_text(join(client, id_number=n)) for n in (pending_number, active_number)}
    messages.add(error_text(join(client, id_number=lapsed_number)))
    assert len(messages) == 1, messages  # the same words whatever the person is
    (message,) = messages
    assert "无法在网上受理" in message
    for telling in ("在册", "待审批", "失效", "已是", "大庄村", "刘家峡镇", "会员证"):
        assert telling not in message, telling
    assert Member.objects.count() == before


def test_a_refused_applicant_may_apply_again(client: Client, village: Any, township: Any) -> None:
    number = new_id_number()
    join(client, id_number=number)
    first = Member.objects.get()
    services.member_reject(actor=village, member=first, reason="材料不全")
    response = join(client, id_number=number)
    assert "入会申请已提交" in response.content.decode()
    second = Member.objects.exclude(pk=first.pk).get()
    assert second.status == Member.Status.PENDING and second.reference != first.reference
    first.refresh_from_db()
    assert first.status == Member.Status.REJECTED  # the refusal stays as history
    # while the new application is pending, a third one is refused
    assert "无法在网上受理" in error_text(join(client, id_number=number))
    assert Member.objects.count() == 2


# --- the status page ----------------------------------------------------------------------------


def test_the_status_page_shows_a_masked_name_and_the_decision(
    client: Client, village: Any, township: Any
) -> None:
    number = new_id_number()
    join(client, id_number=number, name="钱多多", phone="13899990000")
    applied = Member.objects.get()
    url = reverse("members:join_status")
    html = client.get(url, {"code": applied.reference.lower().replace("-", " ")}).content.decode()
    assert "钱**" in html and "钱多多" not in html and "待审批" in html
    for private in (number, "13899990000", applied.id_number.masked, applied.phone.masked):
        assert private not in html
    services.member_reject(actor=village, member=applied, reason="不符合条件：秘密原因")
    html = client.get(url, {"code": applied.reference}).content.decode()
    assert "未批准" in html and "秘密原因" not in html and "重新申请" in html
    missing = client.get(url, {"code": "ABCD-EFGH-JKLM-NPQR"}).content.decode()
    assert "没有找到" in missing
    junk = client.get(url, {"code": "<script>" * 50})
    assert junk.status_code == 200 and "<script><script>" not in junk.content.decode()


def test_the_status_page_is_rate_limited(client: Client, yongjing: Any) -> None:
    url = reverse("members:join_status")
    for _ in range(30):
        client.get(url, {"code": "ABCD-EFGH-JKLM-NPQR"})
    assert client.get(url, {"code": "ABCD-EFGH-JKLM-NPQR"}).status_code == 429


# --- the council's approval ---------------------------------------------------------------------


def council(**overrides: Any) -> dict[str, str]:
    data = {"council_meeting_on": TODAY().isoformat(), "council_resolution": DOCUMENT}
    data.update(overrides)
    return data


def test_approval_records_the_meeting_and_resolution_shown_and_audited(
    client_for: Any, village: Any, township: Any
) -> None:
    applied = apply(village, DAZHUANG, applied_on=TODAY() - datetime.timedelta(days=20))
    meeting = TODAY() - datetime.timedelta(days=3)
    client = client_for(township)
    assert client.get(reverse("members:approve", args=[applied.pk])).status_code == 200
    response = client.post(
        reverse("members:approve", args=[applied.pk]),
        council(council_meeting_on=meeting.isoformat()),
    )
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == Member.Status.ACTIVE
    assert applied.council_meeting_on == meeting and applied.council_resolution == DOCUMENT
    assert applied.approved_on == meeting  # the meeting decided: it is the approval date
    assert applied.card_number == f"{DAZHUANG}-00001" and applied.card_code
    page = client.get(reverse("members:detail", args=[applied.pk])).content.decode()
    assert meeting.isoformat() in page and DOCUMENT in page and "打印会员证" in page
    row = AuditEvent.objects.filter(object_id=str(applied.pk), action="update").latest("id")
    assert row.changes["council_meeting_on"][1] == meeting.isoformat()
    assert row.changes["council_resolution"] == ["", DOCUMENT]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"council_meeting_on": ""}, "必填"),
        ({"council_resolution": ""}, "必填"),
        ({"council_resolution": " "}, ""),
        ({"council_meeting_on": "2999-01-01"}, "不能晚于今天"),
        ({"council_meeting_on": "2020-01-01"}, "不能早于申请日期"),
        ({"council_meeting_on": "not a date"}, ""),
        ({"council_resolution": "号" * 61}, ""),
    ],
)
def test_approval_without_a_valid_meeting_date_or_resolution_is_refused(
    client_for: Any, village: Any, township: Any, data: dict[str, str], message: str
) -> None:
    applied = apply(village, DAZHUANG)
    response = client_for(township).post(
        reverse("members:approve", args=[applied.pk]), council(**data)
    )
    assert response.status_code == 200
    if message:
        assert message in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == Member.Status.PENDING and applied.card_number is None


def test_the_service_takes_the_meeting_and_resolution_together(village: Any, township: Any) -> None:
    applied = apply(village, DAZHUANG)
    with pytest.raises(ServiceError, match="同时填写"):
        services.member_approve(actor=township, member=applied, council_meeting_on=TODAY())
    with pytest.raises(ServiceError, match="同时填写"):
        services.member_approve(actor=township, member=applied, council_resolution=DOCUMENT)
    with pytest.raises(ServiceError, match="理事会会议日期"):
        services.member_approve(
            actor=township,
            member=applied,
            council_meeting_on=TODAY() + datetime.timedelta(days=1),
            council_resolution=DOCUMENT,
        )
    applied.refresh_from_db()
    assert applied.status == Member.Status.PENDING


def test_approval_is_refused_to_another_township_and_other_roles(
    client: Client, client_for: Any, village: Any, township2: Any, finance: Any
) -> None:
    applied = apply(village, DAZHUANG)
    url = reverse("members:approve", args=[applied.pk])
    assert client_for(township2).post(url, council()).status_code == 404
    assert client_for(finance).post(url, council()).status_code == 403
    response = client.post(url, council())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    applied.refresh_from_db()
    assert applied.status == Member.Status.PENDING


# --- reopening a refusal ------------------------------------------------------------------------


def test_the_township_reopens_a_refusal_with_a_reason_audited(
    client_for: Any, village: Any, township: Any
) -> None:
    applied = apply(village, DAZHUANG)
    services.member_reject(actor=village, member=applied, reason="录错了")
    client = client_for(township)
    page = client.get(reverse("members:detail", args=[applied.pk])).content.decode()
    assert 'id="reopen-form"' in page and "data-fpa-confirm" in page
    url = reverse("members:reopen", args=[applied.pk])
    assert client.post(url, {"reason": ""}).status_code == 302  # refused with a message
    applied.refresh_from_db()
    assert applied.status == Member.Status.REJECTED
    client.post(url, {"reason": "理事会实际已同意，录入有误"})
    applied.refresh_from_db()
    assert applied.status == Member.Status.PENDING and applied.rejection_reason == ""
    change = StatusChange.objects.filter(member=applied).first()
    assert change is not None and change.to_status == "pending" and "录入有误" in change.reason
    row = AuditEvent.objects.filter(object_id=str(applied.pk), action="update").latest("id")
    assert row.actor == township and "录入有误" in row.reason
    assert row.changes["status"] == ["rejected", "pending"]


def test_reopening_is_refused_to_a_village_role_and_another_township(
    client_for: Any, village: Any, township: Any, township2: Any
) -> None:
    applied = apply(village, DAZHUANG)
    services.member_reject(actor=village, member=applied, reason="不符合条件")
    url = reverse("members:reopen", args=[applied.pk])
    page = client_for(village).get(reverse("members:detail", args=[applied.pk]))
    assert 'id="reopen-form"' not in page.content.decode()
    client_for(village).post(url, {"reason": "村里想重新打开"})
    assert client_for(township2).post(url, {"reason": "外镇"}).status_code == 404
    with pytest.raises(NotAllowed):
        services.member_reopen(actor=village, member=applied, reason="村里想重新打开")
    with pytest.raises(NotAllowed):
        services.member_reopen(actor=township2, member=applied, reason="外镇")
    applied.refresh_from_db()
    assert applied.status == Member.Status.REJECTED
    assert not AuditEvent.objects.filter(object_id=str(applied.pk), reason__contains="打开")


def test_reopening_is_refused_once_the_person_applied_again(
    client: Client, village: Any, township: Any
) -> None:
    number = new_id_number()
    first = apply(village, DAZHUANG, id_number=number)
    services.member_reject(actor=village, member=first, reason="材料不全")
    join(client, id_number=number)
    with pytest.raises(ServiceError, match="身份证号码重复"):
        services.member_reopen(actor=township, member=first, reason="录错了")
    first.refresh_from_db()
    assert first.status == Member.Status.REJECTED


# --- the member card and its public check -------------------------------------------------------


def test_the_card_page_prints_the_card_with_the_qr_of_its_check(
    client_for: Any, village: Any, township: Any
) -> None:
    one = member(village, DAZHUANG, approver=township, name="孙会员")
    client = client_for(village)
    html = client.get(reverse("members:card", args=[one.pk])).content.decode()
    check_path = reverse("members:check", args=[one.card_code])
    assert 'id="member-card"' in html and one.card_number in html and "孙会员" in html
    assert f'data-check-path="{check_path}"' in html
    source = html.split('id="card-qr" src="', 1)[1].split('"', 1)[0]
    assert source == qr_data_uri("http://testserver" + check_path)  # it opens the check
    assert "fpa/member-card.css" in html and 'id="photo-box"' not in html
    with_photo = client.get(reverse("members:card", args=[one.pk]), {"photo": "1"})
    assert 'id="photo-box"' in with_photo.content.decode()


def test_the_card_page_is_refused_out_of_scope_and_to_other_roles(
    client: Client, client_for: Any, village: Any, township: Any, township2: Any, finance: Any
) -> None:
    one = member(village, DAZHUANG, approver=township)
    url = reverse("members:card", args=[one.pk])
    assert client_for(township2).get(url).status_code == 404
    assert client_for(finance).get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    pending = apply(village, DAZHUANG)
    html = client_for(village).get(reverse("members:card", args=[pending.pk])).content.decode()
    assert 'id="not-printable"' in html and 'id="member-card"' not in html


def test_the_public_check_shows_only_masked_name_association_and_status(
    client: Client, village: Any, township: Any
) -> None:
    number = new_id_number()
    one = member(
        village, DAZHUANG, approver=township, name="李四海", id_number=number, address="秘密住址"
    )
    response = client.get(reverse("members:check", args=[one.card_code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "该会员证有效" in html and "李**" in html and "在册" in html
    assert one.association.name in html
    for private in ("李四海", number, one.id_number.masked, one.phone.masked, "秘密住址"):
        assert private not in html
    assert one.card_number not in html  # nothing else: not even the card number
    typed = one.card_code.lower().replace("-", " ")  # however it is typed back
    assert client.get(reverse("members:check", args=[typed])).status_code == 200
    services.member_change_status(
        actor=village, member=one, status="withdrawn", effective_date=TODAY(), reason="退会"
    )
    html = client.get(reverse("members:check", args=[one.card_code])).content.decode()
    assert "已失效" in html and "已退会" in html


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKLM-NPQR", "0000-0000-0000-0000", "x", "A" * 200])
def test_a_forged_card_code_is_a_404(client: Client, village: Any, code: str) -> None:
    member(village, DAZHUANG)
    assert client.get(reverse("members:check", args=[code])).status_code == 404


def test_the_public_check_is_rate_limited(client: Client, village: Any) -> None:
    one = member(village, DAZHUANG)
    url = reverse("members:check", args=[one.card_code])
    for _ in range(30):
        client.get(url)
    assert client.get(url).status_code == 429


def test_a_transferred_card_no_longer_checks_valid_and_the_new_card_does(
    client: Client, village: Any, township: Any, township2: Any
) -> None:
    moving = member(village, DAZHUANG, approver=township)
    transfer = services.transfer_request(
        actor=village,
        member=moving,
        to_association=Association.objects.get(code=SHANGQUAN),
        reason="迁居",
    )
    new = services.transfer_accept(actor=township2, transfer=transfer)
    assert new.card_code and new.card_code != moving.card_code
    old_page = client.get(reverse("members:check", args=[moving.card_code])).content.decode()
    assert "已失效" in old_page and "已转出" in old_page
    assert (
        "该会员证有效"
        in client.get(reverse("members:check", args=[new.card_code])).content.decode()
    )


def test_the_front_door_links_the_member_application(client: Client, yongjing: Any) -> None:
    html = client.get("/").content.decode()
    assert reverse("members:join") in html and reverse("members:join_status") in html
    assert client.get(reverse("members:join")).status_code == 200
