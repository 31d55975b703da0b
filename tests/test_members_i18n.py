"""The member pages in English (the second UI language): every page renders with the key English
strings and no Chinese left in its chrome once the data (names, association names, addresses,
reasons typed by users, the Chinese column headers of the import file) is taken out. Chinese stays
the default, the workbooks stay Chinese, and a member of another township is a 404 in English."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fpa.core.excel.writer import INSTRUCTIONS
from fpa.members import excel as member_excel
from fpa.members import services
from fpa.members.models import (
    Member,
    MemberGroup,
    Reregistration,
    StatusChange,
    Transfer,
)
from fpa.organizations.models import Association, BodySeat
from fpa.organizations.services import seat_add
from tests.conftest import (
    DAZHUANG,
    LIUJIAXIA,
    SHANGQUAN,
    YANGUOXIA,
    content,
    follow_job,
    login,
    open_job_page,
)
from tests.english import (  # noqa: F401 (the autouse fixture)
    chinese_left,
    data_words,
    default_language_afterwards,
    english,
)
from tests.members_helpers import apply, member, new_id_number
from tests.test_excel_engine import read_back, xlsx

pytestmark = pytest.mark.django_db


def data_values() -> list[str]:
    """The Chinese data a page may show: names and other values typed by users or seeded."""
    from fpa.accounts.models import User

    values: set[str] = set()
    values.update(Association.objects.values_list("name", flat=True))
    for field in ("name", "address", "political_status", "serves", "contact_name"):
        values.update(Member.objects.values_list(field, flat=True))
    values.update(Member.objects.values_list("rejection_reason", flat=True))
    values.update(MemberGroup.objects.values_list("name", flat=True))
    values.update(Reregistration.objects.values_list("name", flat=True))
    values.update(StatusChange.objects.values_list("reason", flat=True))
    values.update(Transfer.objects.values_list("reason", flat=True))
    values.update(Transfer.objects.values_list("refusal_reason", flat=True))
    values.update(BodySeat.objects.values_list("name", flat=True))
    values.update(v for v in User.objects.values_list("full_name", flat=True) if v)
    for column in member_excel.MEMBER_SHEET.columns:  # the file format: headers and labels
        values.add(column.header)
        values.update(getattr(column.parse, "labels", ()))
    values.add(INSTRUCTIONS)  # the template's instructions sheet, named on the import page
    values.update(
        ["永靖县计划生育协会", "“待审批”", "“在册”", "导入会员", "错行"]
    )  # footer, file values
    return data_words(values)


def leftover(html: str) -> list[str]:
    """The Chinese left on a page once the data is removed (tests.english)."""
    return chinese_left(html, data_values())


def page(client: Client, url: str, *expected: str, method: str = "get", **data: Any) -> str:
    response = open_job_page(client, getattr(client, method)(url, data or None))
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert 'lang="en"' in html
    for phrase in expected:
        assert phrase in html, (url, phrase)
    assert leftover(html) == [], (url, leftover(html))
    return html


@pytest.fixture
def world(county: Any, township: Any, village: Any) -> dict[str, Any]:
    """大庄村 with an active member in a group, a pending application, a status change, a
    transfer to 上泉村 (another township) waiting, a re-registration and congress seats."""
    one = member(village, DAZHUANG, name="马会员", political_status="群众", serves="留守老人")
    pending = apply(village, DAZHUANG, name="杨申请")
    gone = member(village, DAZHUANG, name="何退会")
    services.member_change_status(
        actor=village,
        member=gone,
        status="withdrawn",
        effective_date=timezone.localdate(),
        reason="本人申请退会",
    )
    group = services.group_create(
        actor=village, association=Association.objects.get(code=DAZHUANG), name="第一小组"
    )
    one = services.group_assign(actor=village, member=one, group=group)
    services.group_set_leader(actor=village, group=group, leader=one)
    moving = member(village, DAZHUANG, name="迁出会员")
    transfer = services.transfer_request(
        actor=village,
        member=moving,
        to_association=Association.objects.get(code=SHANGQUAN),
        reason="迁居",
    )
    today = timezone.localdate()
    campaign = services.reregistration_start(
        actor=township,
        association=Association.objects.get(code=LIUJIAXIA),
        name="2026年会员重新登记",
        start_date=today,
        end_date=today + datetime.timedelta(days=30),
    )
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    for body, source in (("council", "worker"), ("congress", "grassroots_member")):
        seat_add(
            actor=county,
            association=liujiaxia,
            name="甲代表",
            body=body,
            source=source,
            term_year=today.year - 1,
        )
    return {
        "member": one,
        "pending": pending,
        "gone": gone,
        "transfer": transfer,
        "campaign": campaign,
    }


def test_member_pages_in_english(village, township, world):
    client = english(village)
    one = world["member"]
    page(client, reverse("members:list"), "Members", "Member card number", "Member group")
    html = page(
        client,
        reverse("members:detail", args=[one.pk]),
        "Member card number",
        "Political affiliation",
        "Status change",
        "Transfers",
        "Change status",
    )
    assert "Individual member" in html
    page(
        client,
        reverse("members:detail", args=[world["pending"].pk]),
        "(issued on approval)",
        "Council approval",
        "Reject",
    )
    page(client, reverse("members:detail", args=[world["gone"].pk]), "Withdrawn")
    page(client, reverse("members:apply"), "Membership application", "Association applied to")
    page(client, reverse("members:edit", args=[one.pk]), "Edit member", "Leave empty to keep it")
    page(client, reverse("members:reject", args=[world["pending"].pk]), "Reason for rejection")
    page(client, reverse("members:status", args=[one.pk]), "Change member status", "For a transfer")
    page(client, reverse("members:transfer", args=[one.pk]), "Receiving association code")
    page(client, reverse("members:group", args=[one.pk]), "Member group", "Group leader")
    page(client, reverse("members:pending"), "Applications waiting for approval", "Approve")
    page(client, reverse("members:counts"), "Member counts", "migrant members", "Total")
    page(client, reverse("members:transfers"), "Member transfers", "waiting for the other side")
    page(
        client,
        reverse("members:transfer_detail", args=[world["transfer"].pk]),
        "Transfer request",
        "Sending association",
        "Withdraw the request",
    )
    page(client, reverse("members:groups"), "Member group", "Create a member group")
    page(
        client,
        reverse("members:campaign_detail", args=[world["campaign"].pk]),
        "and below",
        "Confirm re-registration",
    )
    page(client, reverse("members:export"), "Export members", "Export (masked)")
    page(client, reverse("members:import"), "Import members", "Upload and check")


def test_township_pages_in_english(township, world):
    client = english(township)
    page(client, reverse("members:campaigns"), "Member re-registration", "Start a re-registration")
    html = page(
        client,
        reverse("members:composition") + f"?code={LIUJIAXIA}&year={timezone.localdate().year}",
        "Congress and council composition by year",
        "Members\u2019 congress delegates",
        "Council members",
        "Grassroots share",
    )
    assert "(own level)" in html or "total" in html
    page(client, reverse("members:counts") + f"?code={LIUJIAXIA}", "Member counts", "Total")


def test_the_receiving_side_in_english(township2, world):
    client = english(township2)
    page(
        client,
        reverse("members:transfer_detail", args=[world["transfer"].pk]),
        "Receiving association",
        "Reason for refusal (required to refuse)",
        "Accept",
        "Refuse",
    )
    html = page(
        client,
        reverse("members:transfer_detail", args=[world["transfer"].pk]),
        "Please give the reason for refusing.",
        method="post",
        decision="refuse",
    )
    assert world["transfer"].member.name in html


def test_form_errors_and_flash_messages_in_english(village, world):
    client = english(village)
    one = world["member"]
    html = page(
        client,
        reverse("members:transfer", args=[one.pk]),
        "The association code should be digits.",
        method="post",
        to_code="abc",
        reason="迁居",
    )
    assert "Transfer" in html
    page(
        client,
        reverse("members:transfer", args=[one.pk]),
        "The receiving association cannot be the member\u2019s current association.",
        method="post",
        to_code=DAZHUANG,
        reason="迁居",
    )
    council = {
        "council_meeting_on": timezone.localdate().isoformat(),
        "council_resolution": "R-2026-3",
    }
    response = client.post(
        reverse("members:approve", args=[world["pending"].pk]), council, follow=True
    )
    html = response.content.decode()
    assert "Membership approved; member card number" in html and leftover(html) == []
    response = client.post(
        reverse("members:apply"),
        {
            "association": Association.objects.get(code=DAZHUANG).pk,
            "kind": "individual",
            "name": "新申请",
            "id_number": new_id_number(),
            "applied_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    html = response.content.decode()
    assert "registered; waiting for council approval." in html and leftover(html) == []


def test_composition_bad_year_in_english(township, world):
    page(
        english(township),
        reverse("members:composition") + "?year=abc",
        "The year should have four digits, for example 2025.",
    )


def test_import_in_english(village, world):
    client = english(village)
    header = [c.header for c in member_excel.MEMBER_SHEET.columns]
    values = {c.field: "" for c in member_excel.MEMBER_SHEET.columns}
    bad = dict(values, association=YANGUOXIA, name="错行", kind="个人会员", applied_on="2024-02-30")
    data = xlsx([header, [bad[c.field] for c in member_excel.MEMBER_SHEET.columns]], sheet="x")
    html = page(
        client,
        reverse("members:import"),
        "nothing was written",
        "This date does not exist: 2024-2-30.",
        method="post",
        file=SimpleUploadedFile("members.xlsx", data),
    )
    issues = re.findall(r"<li>(Row 2[^<]*)</li>", html)
    assert "Row 2, “身份证号码”: Required: must not be empty." in issues, issues
    good = dict(
        values,
        association=DAZHUANG,
        name="导入会员",
        kind="个人会员",
        id_number=new_id_number(),
        applied_on=timezone.localdate().isoformat(),
    )
    data = xlsx([header, [good[c.field] for c in member_excel.MEMBER_SHEET.columns]], sheet="x")
    html = page(
        client,
        reverse("members:import"),
        "Check passed: 1 rows; 1 will be added",
        "Confirm import (register 1, change 0)",
        method="post",
        file=SimpleUploadedFile("members.xlsx", data),
    )
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = client.post(reverse("members:import"), {"token": token}, follow=True)
    assert "Import done: 1 members registered, 0 changed, 0 unchanged." in response.content.decode()


def test_the_workbooks_stay_chinese_in_english(village, township, world):
    client = english(village)
    response = follow_job(client, client.get(reverse("members:export") + "?download=1"))
    rows = read_back(content(response))
    assert rows[0][0] == member_excel.MEMBER_SHEET.columns[0].header == "协会编码"
    client = english(township)
    response = follow_job(
        client,
        client.get(
            reverse("members:composition") + f"?code={LIUJIAXIA}&year={timezone.localdate().year}"
            "&download=xlsx"
        ),
    )
    assert response.status_code == 200
    rows = read_back(content(response))
    text = " ".join(str(c) for row in rows for c in row if c)
    assert "本级" in text or "合计" in text
    assert "own level" not in text and "total" not in text.lower()


def test_chinese_stays_the_default(village, world):
    client = login(Client(), village)
    html = client.get(reverse("members:detail", args=[world["member"].pk])).content.decode()
    assert 'lang="zh-hans"' in html
    assert "会员证号" in html and "Member card number" not in html
    html = client.get(reverse("members:import")).content.decode()
    assert "上传并检查" in html and "Upload and check" not in html


def test_another_townships_member_is_404_in_english(township2, world):
    client = english(township2)
    response = client.get(reverse("members:detail", args=[world["member"].pk]))
    assert response.status_code == 404
    assert 'lang="en"' in response.content.decode()
    html = client.get(reverse("members:list") + f"?code={DAZHUANG}").content.decode()
    assert "The selected association does not exist or is outside your scope." in html
    assert world["member"].name not in html
