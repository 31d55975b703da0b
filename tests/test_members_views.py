"""Member pages: the main flow, refused cases (another township, another role, anonymous), bad
input, masking, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fpa.core.models import AuditEvent
from fpa.members import services
from fpa.members.models import Member, Transfer
from fpa.organizations.models import Association
from fpa.organizations.services import seat_add
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, content, follow_job
from tests.members_helpers import apply, member, new_id_number

pytestmark = pytest.mark.django_db
COUNCIL = {
    "council_meeting_on": timezone.localdate().isoformat(),
    "council_resolution": "刘计协理〔2026〕3号",  # noqa: RUF001 (a document number)
}


def test_apply_approve_and_card_number_through_the_pages(client_for, village, township):
    # given the village officer fills in the application form
    client = client_for(village)
    number = new_id_number("M")
    response = client.post(
        reverse("members:apply"),
        {
            "association": Association.objects.get(code=DAZHUANG).pk,
            "kind": "individual",
            "name": "张三",
            "id_number": number,
            "phone": "13912340000",
            "address": "大庄村2号",
            "applied_on": timezone.localdate().isoformat(),
        },
    )
    created = Member.objects.get(name="张三")
    assert response.status_code == 302 and created.status == "pending"
    # the detail page shows masked values only
    page = client.get(reverse("members:detail", args=[created.pk])).content.decode()
    assert number not in page and "13912340000" not in page and "待审批" in page
    # when the township (parent) approves on the pending page
    township_client = client_for(township)
    assert "张三" in township_client.get(reverse("members:pending")).content.decode()
    response = township_client.post(reverse("members:approve", args=[created.pk]), COUNCIL)
    # then a card number shows, with the council's meeting date and resolution number
    body = township_client.get(response["Location"]).content.decode()
    assert f"{DAZHUANG}-00001" in body and "在册" in body
    assert "刘计协理〔2026〕3号" in body and timezone.localdate().isoformat() in body  # noqa: RUF001


def test_form_errors_are_shown_in_chinese_and_change_nothing(client_for, village):
    client = client_for(village)
    base = {
        "association": Association.objects.get(code=DAZHUANG).pk,
        "kind": "individual",
        "name": "李四",
        "applied_on": timezone.localdate().isoformat(),
    }
    for bad in ("11010519491231002Y", "NaN", "1e6", "9" * 40):
        response = client.post(reverse("members:apply"), {**base, "id_number": bad})
        assert response.status_code == 200
        assert "身份证" in response.content.decode() or "最多" in response.content.decode()
    response = client.post(reverse("members:apply"), base)  # individual without an ID
    assert "个人会员须填写身份证号码" in response.content.decode()
    future = {**base, "id_number": new_id_number(), "applied_on": "2999-01-01"}
    assert "1980年至今天" in client.post(reverse("members:apply"), future).content.decode()
    assert not Member.objects.exists()


def test_forged_association_in_the_form_is_refused(client_for, village):
    foreign = Association.objects.get(code=SHANGQUAN)
    response = client_for(village).post(
        reverse("members:apply"),
        {
            "association": foreign.pk,
            "kind": "individual",
            "name": "越权",
            "id_number": new_id_number(),
            "applied_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200 and not Member.objects.exists()


def test_another_township_cannot_open_or_approve(client_for, village, township2):
    applied = apply(village, DAZHUANG, name="本村申请人")
    client = client_for(township2)
    assert client.get(reverse("members:detail", args=[applied.pk])).status_code == 404
    assert client.post(reverse("members:approve", args=[applied.pk])).status_code == 404
    assert "本村申请人" not in client.get(reverse("members:list"), {"status": ""}).content.decode()
    applied.refresh_from_db()
    assert applied.status == "pending"


def test_the_county_may_see_but_not_decide_for_a_village(client_for, village, county):
    applied = apply(village, DAZHUANG)
    client = client_for(county)
    assert client.get(reverse("members:detail", args=[applied.pk])).status_code == 200
    response = client.post(reverse("members:approve", args=[applied.pk]), COUNCIL)
    assert "本协会或其上级协会" in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == "pending"


@pytest.mark.parametrize("persona", ["volunteer", "finance", "auditor", "sysadmin"])
def test_other_roles_are_refused(client_for, village, persona, request):
    one = member(village, DAZHUANG)
    client = client_for(request.getfixturevalue(persona))
    for url in (
        reverse("members:list"),
        reverse("members:apply"),
        reverse("members:detail", args=[one.pk]),
        reverse("members:counts"),
        reverse("members:export"),
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(client, village):
    one = member(village, DAZHUANG)
    for url in (reverse("members:list"), reverse("members:detail", args=[one.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_reveal_needs_a_reason_and_is_audited(client_for, village):
    number = new_id_number()
    one = member(village, DAZHUANG, id_number=number)
    client = client_for(village)
    url = reverse("members:reveal", args=[one.pk, "id_number"])
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "核实身份"})
    assert number in response.content.decode()
    assert AuditEvent.objects.filter(action="reveal", object_id=str(one.pk)).count() == 1


def test_transfer_through_the_pages(client_for, village, township, township2):
    moving = member(village, DAZHUANG, name="迁出会员", address="大庄村秘密地址")
    sender = client_for(township)
    response = sender.post(
        reverse("members:transfer", args=[moving.pk]), {"to_code": SHANGQUAN, "reason": "迁居"}
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    # the receiving township sees the needed fields only, and not the member's record
    receiver = client_for(township2)
    body = receiver.get(reverse("members:transfer_detail", args=[transfer.pk])).content.decode()
    assert "迁出会员" in body and "大庄村秘密地址" not in body and "139****" not in body
    assert receiver.get(reverse("members:detail", args=[moving.pk])).status_code == 404
    assert "迁出会员" in receiver.get(reverse("members:transfers")).content.decode()
    # the sender cannot accept its own request
    assert (
        sender.post(
            reverse("members:transfer_detail", args=[transfer.pk]), {"decision": "accept"}
        ).status_code
        == 403
    )
    # the receiver accepts
    response = receiver.post(
        reverse("members:transfer_detail", args=[transfer.pk]), {"decision": "accept"}, follow=True
    )
    assert f"{SHANGQUAN}-00001" in response.content.decode()
    moving.refresh_from_db()
    assert moving.status == "transferred"


def test_transfer_form_rejects_bad_codes(client_for, village):
    moving = member(village, DAZHUANG)
    client = client_for(village)
    for code, message in (
        ("abc", "数字"),
        ("999999999999", "没有这个编码"),
        (DAZHUANG, "现在所属"),
    ):
        response = client.post(
            reverse("members:transfer", args=[moving.pk]), {"to_code": code, "reason": "迁居"}
        )
        assert message in response.content.decode()
    assert not Transfer.objects.exists()


def test_refusing_needs_a_reason(client_for, village, township2):
    moving = member(village, DAZHUANG)
    transfer = services.transfer_request(
        actor=village,
        member=moving,
        to_association=Association.objects.get(code=SHANGQUAN),
        reason="迁居",
    )
    client = client_for(township2)
    url = reverse("members:transfer_detail", args=[transfer.pk])
    assert "请填写拒绝接收的原因" in client.post(url, {"decision": "refuse"}).content.decode()
    client.post(url, {"decision": "refuse", "reason": "不在本村居住"})
    transfer.refresh_from_db()
    assert transfer.status == "refused"


def test_status_change_page(client_for, village):
    one = member(village, DAZHUANG)
    client = client_for(village)
    url = reverse("members:status", args=[one.pk])
    assert (
        "原因"
        in client.post(
            url, {"status": "withdrawn", "effective_date": "2024-01-01"}
        ).content.decode()
    )
    client.post(url, {"status": "withdrawn", "effective_date": "2024-01-01", "reason": "本人申请"})
    one.refresh_from_db()
    assert one.status == "withdrawn"


def test_groups_and_campaign_pages(client_for, village, township):
    client = client_for(village)
    response = client.post(
        reverse("members:groups"),
        {"association": Association.objects.get(code=DAZHUANG).pk, "name": "第一小组"},
    )
    assert response.status_code == 302
    one = member(village, DAZHUANG)
    group = one.association.member_groups.get()
    client.post(reverse("members:group", args=[one.pk]), {"group": group.pk, "leader": "on"})
    group.refresh_from_db()
    assert group.leader_id == one.pk
    today = timezone.localdate()
    response = client_for(township).post(
        reverse("members:campaigns"),
        {
            "association": Association.objects.get(code=LIUJIAXIA).pk,
            "name": "重新登记",
            "start_date": today.isoformat(),
            "end_date": (today + datetime.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    client.post(url, {"card_number": one.card_number})
    body = client.get(url).content.decode()
    assert "100.0%" in body
    assert "不存在" in client.post(url, {"card_number": "X" * 500}, follow=True).content.decode()


def test_counts_page_rolls_up_and_refuses_foreign_codes(client_for, village, township):
    for _ in range(2):
        member(village, DAZHUANG, kind="migrant")
    client = client_for(township)
    body = client.get(reverse("members:counts")).content.decode()
    assert "其中流动人口会员 <b>2</b>" in body
    body = client.get(reverse("members:counts"), {"code": YANGUOXIA}).content.decode()
    assert "不在您的管辖范围内" in body


def test_list_query_count_does_not_grow(client_for, village, django_assert_max_num_queries):
    client = client_for(village)
    for _ in range(3):
        member(village, DAZHUANG)
    client.get(reverse("members:list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("members:list"))
    for _ in range(27):
        member(village, DAZHUANG)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("members:list"))
    assert response.content.decode().count("members/") >= 30


def test_counts_and_composition_query_counts_do_not_grow(
    client_for, county, township, village, django_assert_max_num_queries
):
    client = client_for(county)
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    seat_add(
        actor=county,
        association=liujiaxia,
        name="甲",
        body="council",
        source="worker",
        term_year=2023,
    )
    member(village, DAZHUANG)
    pages = (reverse("members:counts"), reverse("members:composition"))
    counts = []
    for url in pages:
        client.get(url)
        with django_assert_max_num_queries(20) as captured:
            client.get(url)
        counts.append(len(captured.captured_queries))
    for i in range(10):
        member(village, DAZHUANG)
        seat_add(
            actor=county,
            association=liujiaxia,
            name=f"乙{i}",
            body="congress",
            source="volunteer",
            term_year=2024,
        )
    for url, before in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(before):
            client.get(url)


def test_composition_page_and_bad_years(client_for, county):
    client = client_for(county)
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    seat_add(
        actor=county,
        association=liujiaxia,
        name="甲",
        body="council",
        source="grassroots_member",
        term_year=2024,
    )
    body = client.get(reverse("members:composition"), {"year": "2025"}).content.decode()
    assert "刘家峡镇" in body and "100.0%" in body
    for bad in ("abc", "1e6", "NaN", "99999", "1900", "\uff13\uff10\uff12\uff15"):
        response = client.get(reverse("members:composition"), {"year": bad})
        assert response.status_code == 200 and "年份" in response.content.decode()
    response = follow_job(
        client, client.get(reverse("members:composition"), {"year": "2025", "download": "xlsx"})
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert content(response)[:2] == b"PK"


def test_composition_refuses_foreign_codes(client_for, township):
    body = (
        client_for(township)
        .get(reverse("members:composition"), {"code": YANGUOXIA})
        .content.decode()
    )
    assert "不在您的管辖范围内" in body and "盐锅峡镇计生协" not in body
