"""The special-families pages and the Excel import/export pages in English (the second UI
language): every page renders with the key English strings and no Chinese left in its chrome once
the data (names, association names, addresses, seeded role and care-kind names, the Chinese column
headers and sheet labels that are the file format) is taken out. Chinese stays the default, and a
family of another township is a 404 in English as well."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fpa.core.excel.writer import INSTRUCTIONS
from fpa.core.idnumbers import synthesize
from fpa.families import excel as family_excel
from fpa.families import services
from fpa.families.models import (
    Campaign,
    CareKind,
    ContactRole,
    Family,
    Need,
    PaymentRate,
    Person,
    Support,
)
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, follow_job, login, open_job_page
from tests.english import (  # noqa: F401 (the autouse fixture)
    chinese_left,
    data_words,
    default_language_afterwards,
    english,
)
from tests.test_excel_engine import xlsx
from tests.test_families_views import assign, days_ago, log, register, support, today


def data_values() -> list[str]:
    """The Chinese data a page may show: names and other values typed by users or seeded."""
    values: set[str] = set()
    values.update(Association.objects.values_list("name", flat=True))
    values.update(ContactRole.objects.values_list("name", flat=True))
    values.update(CareKind.objects.values_list("name", flat=True))
    values.update(Person.objects.values_list("name", flat=True))
    values.update(Family.objects.values_list("head_name", flat=True))
    values.update(Family.objects.values_list("address", flat=True))
    values.update(Support.objects.values_list("provider", flat=True))
    values.update(Need.objects.values_list("description", flat=True))
    values.update(Campaign.objects.values_list("name", flat=True))
    values.update(PaymentRate.objects.values_list("note", flat=True))
    for column in family_excel.FAMILY_SHEET.columns:  # the file format: headers and labels
        values.add(column.header)
        values.update(getattr(column.parse, "labels", ()))
    values.update(["计生特殊家庭", "永靖县计划生育协会"])  # the footer names the association
    values.add(INSTRUCTIONS)  # the template's instructions sheet, named on the import page
    values.update(["失独", "迁往兰州", "杨桂花", "杨小明"])  # values typed in the tests below
    from fpa.accounts.models import User

    values.update(v for v in User.objects.values_list("full_name", flat=True) if v)
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
def world(township: Any, village: Any) -> dict[str, Any]:
    """刘家峡镇 with a bereaved family (contact, care record, request, support, status history),
    a disabled-child family, a campaign and a payment rate."""
    family = register(township, health="母亲患病", cause="病故", notes="家庭备注")
    contact = assign(township, family, user=village)
    record = log(village, family, services=["comfort"], cares=["daily_life"], notes="情况良好")
    services.need_raise(
        actor=village, family=family, description="希望帮助联系医院", raised_in=record
    )
    support(township, family)
    other = register(township, mother="马秀兰", kind=Family.Kind.DISABLED_CHILD)
    campaign = services.campaign_create(
        actor=township,
        association=Association.objects.get(code=LIUJIAXIA),
        name="2025年春节走访",
        start_date=days_ago(10),
        end_date=today(),
    )
    return {
        "family": family,
        "other": other,
        "contact": contact,
        "person": family.people.get(role=Person.Role.MOTHER),
        "record": record,
        "campaign": campaign,
    }


def test_families_pages_in_english(township, world):
    client = english(township)
    family = world["family"]
    page(client, reverse("families:list"), "Special families", "Head of household", "Coverage")
    page(
        client,
        reverse("families:list") + f"?code={DAZHUANG}&measure=with_doctor&has=0",
        "Active families without a family doctor",
        "Clear filter",
    )
    html = page(
        client,
        reverse("families:detail", args=[family.pk]),
        f"Family of {family.head_name}",
        "Family members",
        "Special-assistance payment",
        "Contact persons",
        "Requests",
        "All records",
        "Bereaved family",
        "Reason for viewing (required)",
        "Emotional comfort",
        "Daily-life care",
    )
    assert "Record assistance" in html and "Change status" in html
    page(
        client, reverse("families:register"), "Register a special family", "Mother\u2019s ID number"
    )
    page(client, reverse("families:edit", args=[family.pk]), "Edit family", "Notes (sensitive)")
    page(client, reverse("families:status", args=[family.pk]), "Change status", "Current status")
    page(client, reverse("families:person_add", args=[family.pk]), "Add family member")
    page(
        client,
        reverse("families:person_edit", args=[world["person"].pk]),
        "Edit Mother",
        "leave empty to keep it",
    )
    page(client, reverse("families:contact_add", args=[family.pk]), "Assign contact person")
    page(client, reverse("families:support_add", args=[family.pk]), "Add support")
    page(client, reverse("families:care_add", args=[family.pk]), "Record assistance", "Five cares")
    page(
        client,
        reverse("families:care_photos_add", args=[world["record"].pk]),
        "Upload care photos",
        "more allowed",
    )
    page(client, reverse("families:overdue") + f"?code={LIUJIAXIA}", "Families with overdue")
    page(
        client,
        reverse("families:coverage") + f"?code={LIUJIAXIA}",
        "the three full coverages",
        "Family doctor",
        "Total",
    )
    page(client, reverse("families:roster") + f"?code={LIUJIAXIA}", "Special families contact")
    page(client, reverse("families:campaigns"), "Festival campaigns", "New campaign", "Create")
    page(
        client,
        reverse("families:campaign_detail", args=[world["campaign"].pk]),
        "Visited <b>",
        "Not yet visited",
    )
    page(client, reverse("families:rates"), "Special-assistance payment rates")
    page(client, reverse("families:reassign"), "Contact handover", "Hand over all families")
    html = page(
        client,
        reverse("families:monthly_report") + f"?code={LIUJIAXIA}",
        "Special families monthly report",
        "Active at month end",
        "Reporting unit:",
    )
    assert f"{today().month}/{today().year}" in html


def test_a_contact_person_sees_my_families_in_english(village, world):
    page(english(village), reverse("families:mine"), "My families", "Last call")


def test_form_errors_and_flash_messages_in_english(township, world):
    client = english(township)
    family = world["family"]
    html = page(
        client,
        reverse("families:status", args=[family.pk]),
        "This field is required.",
        method="post",
        status="moved_out",
    )
    assert "Change status" in html
    response = client.post(
        reverse("families:status", args=[family.pk]),
        {"status": "moved_out", "effective_date": today().isoformat(), "reason": "迁往兰州"},
        follow=True,
    )
    assert "Status changed; the change is recorded." in response.content.decode()
    month = page(
        client,
        reverse("families:monthly_report") + "?month=2026-13",
        "The month should be a number from 1 to 12.",
    )
    assert "2026-13" in month


def test_import_and_export_pages_in_english(township, world):
    client = english(township)
    page(client, reverse("families:export"), "Export special families", "Export (masked)")
    page(client, reverse("families:import"), "Import special families", "Upload and check")
    header = [c.header for c in family_excel.FAMILY_SHEET.columns]
    values = {c.field: "" for c in family_excel.FAMILY_SHEET.columns}
    bad = dict(values, association="", kind="失独", registered_on="2024-02-30")
    data = xlsx([header, [bad[c.field] for c in family_excel.FAMILY_SHEET.columns]], sheet="x")
    html = page(
        client,
        reverse("families:import"),
        "nothing was written",
        "Row 2, “登记日期”: This date does not exist: 2024-2-30.",
        "“失独” is not recognised; use one of: 失独家庭、伤残家庭、手术并发症家庭.",
        method="post",
        file=SimpleUploadedFile("families.xlsx", data),
    )
    assert "Row 2, “协会编码”: Required: must not be empty." in html
    html = page(
        client,
        reverse("families:import"),
        "The file is empty (0 bytes)",
        method="post",
        file=SimpleUploadedFile("empty.xlsx", b""),
    )
    good = dict(
        values,
        association=DAZHUANG,
        kind="伤残家庭",
        mother_name="杨桂花",
        mother_id_number=synthesize("622923", datetime.date(1970, 1, 2), 22),
        child_name="杨小明",
        child_disability_grade="2",
    )
    data = xlsx([header, [good[c.field] for c in family_excel.FAMILY_SHEET.columns]], sheet="x")
    html = page(
        client,
        reverse("families:import"),
        "Check passed: 1 rows; 1 will be added",
        "Confirm import (register 1, change 0)",
        "(sensitive, not shown)",
        method="post",
        file=SimpleUploadedFile("families.xlsx", data),
    )
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = client.post(reverse("families:import"), {"token": token}, follow=True)
    assert (
        "Import done: 1 families registered, 0 changed, 0 unchanged." in response.content.decode()
    )


def test_the_excel_files_stay_chinese_in_english(township, world):
    """Data formats are not translated: headers, sheet names, labels and file names."""
    client = english(township)
    response = client.get(reverse("families:import") + "?download=template")
    assert response.status_code == 200
    assert "%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF" in response["Content-Disposition"]  # 导入模板
    response = follow_job(client, client.get(reverse("families:export") + "?download=1"))
    body = b"".join(response.streaming_content)
    from tests.test_excel_engine import read_back

    rows = read_back(body)
    assert rows[0][: len(["协会编码"])] == ["协会编码"]
    response = follow_job(
        client,
        client.get(reverse("families:monthly_report") + f"?code={LIUJIAXIA}&download=xlsx"),
    )
    body = b"".join(response.streaming_content)
    assert "月末在册户数".encode() in _shared_strings(body)


def _shared_strings(data: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".xml"))


def test_chinese_stays_the_default(township, world):
    client = login(Client(), township)
    html = client.get(reverse("families:detail", args=[world["family"].pk])).content.decode()
    assert 'lang="zh-hans"' in html
    assert "家庭成员" in html and "Family members" not in html
    html = client.get(reverse("families:import")).content.decode()
    assert "上传并检查" in html and "Upload and check" not in html


def test_accept_language_english_is_honoured(township, world):
    client = login(Client(), township)
    html = client.get(reverse("families:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Head of household" in html


def test_another_townships_family_is_404_in_english(township2, world):
    client = english(township2)
    response = client.get(reverse("families:detail", args=[world["family"].pk]))
    assert response.status_code == 404
    assert 'lang="en"' in response.content.decode()
    response = client.get(reverse("families:list") + f"?code={DAZHUANG}")
    html = response.content.decode()
    assert "The selected association does not exist or is outside your scope." in html
    assert world["family"].head_name not in html


def test_a_first_request_in_english_does_not_change_the_file_labels(township):
    """Choice labels are read under no active language: the file format is Chinese."""
    kind = family_excel.FAMILY_SHEET.column("kind").parse
    assert kind.labels == ["失独家庭", "伤残家庭", "手术并发症家庭"]


def test_the_stale_save_message_in_both_languages():
    from fpa.core.errors import Conflict, check_version

    with pytest.raises(Conflict, match="对方修改了：住址"):
        check_version(3, 2, ["住址"])
    with translation.override("en"), pytest.raises(Conflict, match=r"changed this record \(Addr"):
        check_version(3, 2, [str(Family._meta.get_field("address").verbose_name)])
