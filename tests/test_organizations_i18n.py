"""The organisation network's pages in English (the second UI language): the tree, the
association list and detail, the association forms (new, rename, contact details, close), staff
(list, detail, forms, reveal, import, export), filings (list, missing, submit, review), the
composition and the council and congress seats. Each page renders, for the county administrator
and for a township user, with its key English strings and no Chinese left in its chrome once the
data (association, staff and seat names, addresses, notes and reasons typed by users, the Chinese
column headers of the import file) is taken out. Chinese stays the default, and another township's
association or staff member is a 404 in English too."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fpa.core.excel.writer import INSTRUCTIONS
from fpa.core.idnumbers import synthesize
from fpa.organizations import excel as staff_excel
from fpa.organizations import services
from fpa.organizations.models import (
    Association,
    AssociationChange,
    BodySeat,
    Filing,
    StaffMember,
    Training,
)
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA, login, open_job_page, staff_in
from tests.english import (  # noqa: F401 (the autouse fixture)
    chinese_left,
    data_words,
    default_language_afterwards,
    english,
)
from tests.test_excel_engine import xlsx

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def person(n: int) -> str:
    """A valid ID number (synthetic) for an import row."""
    return synthesize("622923", datetime.date(1980, 1, 1), n)


def data_values() -> list[str]:
    """The Chinese data a page may show: names and other values typed by users or seeded."""
    from fpa.accounts.models import User

    values: set[str] = set()
    for field in ("name", "division_name", "address"):
        values.update(Association.objects.values_list(field, flat=True))
    for change in AssociationChange.objects.all():
        values.update(str(v) for v in (*change.before.values(), *change.after.values()))
        values.add(change.note)
    values.update(StaffMember.objects.values_list("name", flat=True))
    for field in ("course", "organiser", "certificate_number"):
        values.update(Training.objects.values_list(field, flat=True))
    values.update(Filing.objects.values_list("note", flat=True))
    values.update(Filing.objects.values_list("return_reason", flat=True))
    values.update(BodySeat.objects.values_list("name", flat=True))
    values.update(v for v in User.objects.values_list("full_name", flat=True) if v)
    for column in staff_excel.STAFF_SHEET.columns:  # the file format: headers and labels
        values.add(column.header)
        values.update(getattr(column.parse, "labels", ()))
    values.add(INSTRUCTIONS)  # the template's instructions sheet, named on the import page
    values.add("永靖县计划生育协会")  # the footer names the association
    values.update(["错行", "导入专干"])  # values typed in the tests below
    return data_words(values)


def leftover(html: str) -> list[str]:
    """The Chinese left on a page once the data is removed (tests.english)."""
    return chinese_left(html, data_values())


def page(client: Client, url: str, *expected: str, method: str = "get", **data: Any) -> str:
    response = open_job_page(client, getattr(client, method)(url, data or None))
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert 'lang="en"' in html, url
    for phrase in expected:
        assert phrase in html, (url, phrase)
    assert leftover(html) == [], (url, leftover(html))
    return html


def fragment(client: Client, url: str, *expected: str, method: str = "get", **extra: Any) -> str:
    """An htmx answer (no page around it): the same check without the <html lang>."""
    response = getattr(client, method)(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert "<html" not in html
    for phrase in expected:
        assert phrase in html, (url, phrase)
    assert leftover(html) == [], (url, leftover(html))
    return html


@pytest.fixture
def world(county: Any, township: Any, village: Any) -> dict[str, Any]:
    """刘家峡镇 with an enterprise association and a park merged into it, a renamed village,
    contact details; 大庄村 with a staff member presiding over daily work (training, a returned
    filing and one waiting for 刘家峡镇), one who left; 刘家峡镇's own filing waiting for the
    county; council and congress seats, one stepped down."""
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    dazhuang = Association.objects.get(code=DAZHUANG)
    enterprise = services.association_create(
        actor=county,
        parent=liujiaxia,
        kind=Association.Kind.ENTERPRISE,
        name="刘家峡镇某电站计生协",
        address="刘家峡镇电站路1号",
    )
    park = services.association_create(
        actor=county, parent=liujiaxia, kind=Association.Kind.PARK, name="刘家峡镇小园区计生协"
    )
    services.association_close(
        actor=county,
        association=park,
        effective_date=TODAY,
        merged_into=enterprise,
        note="园区撤并",
    )
    villages = Association.objects.filter(parent=liujiaxia, kind="village")
    renamed = villages.exclude(pk=dazhuang.pk).first()
    services.association_rename(
        actor=county,
        association=renamed,
        name="刘家峡镇新名村计生协",
        effective_date=TODAY,
        note="县政发2025年1号文",
        expected_version=renamed.version,
    )
    services.association_set_contact(
        actor=county,
        association=liujiaxia,
        address="刘家峡镇人民政府院内",
        public_phone="0930-8812345",
        expected_version=liujiaxia.version,
    )
    head = staff_in(village, DAZHUANG, name="大庄专干", presides_daily_work=True)
    services.training_record(
        actor=village,
        staff=head,
        course="特殊家庭帮扶培训",
        organiser="县计生协",
        start_date=TODAY - datetime.timedelta(days=30),
        hours=8,
        certificate_number="培2025-001",
    )
    gone = staff_in(
        village,
        DAZHUANG,
        name="离任联络员",
        post="liaison",
        employment="part_time",
        term_end=datetime.date(2027, 12, 31),
    )
    services.staff_end_term(actor=village, staff=gone, left_on=TODAY, reason="调动")
    returned = services.filing_submit(actor=village, association=dazhuang, person=head)
    services.filing_return(actor=township, filing=returned, reason="请附任职文件")
    pending = services.filing_submit(
        actor=village, association=dazhuang, person=head, note="已附任职文件"
    )
    chief = staff_in(township, LIUJIAXIA, name="刘镇秘书长", post="secretary_general")
    for_county = services.filing_submit(actor=township, association=liujiaxia, person=chief)
    seats = [
        services.seat_add(
            actor=township,
            association=liujiaxia,
            body=body,
            name=name,
            source=source,
            term_year=TODAY.year - 1,
            sex=sex,
        )
        for body, name, source, sex in (
            ("council", "甲理事", "worker", "F"),
            ("congress", "乙代表", "grassroots_member", "M"),
            ("standing_council", "丙理事", "official", ""),
        )
    ]
    services.seat_end(actor=township, seat=seats[2], ended_on=TODAY)
    return {
        "enterprise": enterprise,
        "park": park,
        "head": head,
        "gone": gone,
        "pending": pending,
        "for_county": for_county,
        "chief": chief,
    }


def test_network_pages_in_english_for_the_county(county, world):
    client = english(county)
    page(client, reverse("organizations:tree"), "Association network", "List & search")
    fragment(
        client,
        reverse("organizations:children", args=[county.home_association.code]),
        "Expand ",
        "sub-associations: ",
        "Township association",
    )
    fragment(
        client,
        reverse("organizations:children", args=[LIUJIAXIA]),
        "Enterprise association",
        "Village (community) association",
    )
    page(client, reverse("organizations:list"), "Associations", "All kinds", "Include closed")
    html = page(
        client,
        reverse("organizations:list") + "?q=刘家峡&include_closed=on",
        "In use",
        "Closed ",
        "Industrial park association",
    )
    assert world["park"].name in html
    fragment(
        client,
        reverse("organizations:list") + "?q=园区&include_closed=on",
        "Closed ",
        HTTP_HX_REQUEST="true",
    )
    page(
        client,
        reverse("organizations:detail", args=[LIUJIAXIA]),
        "Township association",
        "Sub-associations (",
        "Add sub-association",
        "Contact details",
        "Office phone",
        "Council &amp; congress composition",
        "Grassroots share",
        "Filing (person presiding over daily work)",
        "Secretary-general",
    )
    page(
        client,
        reverse("organizations:detail", args=[DAZHUANG]),
        "Presides over daily work",
        "Reason for returning: ",
        "Returned",
        "Pending review",
        "since ",
    )
    page(
        client,
        reverse("organizations:detail", args=[world["park"].code]),
        "Closed on ",
        "Merged into",
        "Effective",
    )
    renamed = Association.objects.get(name="刘家峡镇新名村计生协")
    page(
        client,
        reverse("organizations:detail", args=[renamed.code]),
        "Division",
        "Rename</a>",
        "Renamed",
    )
    page(
        client,
        reverse("organizations:create_child", args=[LIUJIAXIA]),
        "Set up an association under",
        "Founded on",
        "Enterprise association",
    )
    page(
        client,
        reverse("organizations:rename", args=[LIUJIAXIA]),
        "Rename: ",
        "New name",
        "Effective date",
        "Note (document number etc.)",
    )
    page(client, reverse("organizations:contact", args=[LIUJIAXIA]), "Contact details: ")
    page(
        client,
        reverse("organizations:close", args=[world["enterprise"].code]),
        "Close or merge: ",
        "Date of closing / merger",
        "Merged into (for a merger)",
        "cannot be restored",
    )


def test_staff_pages_in_english_for_the_county(county, world):
    client = english(county)
    head, gone = world["head"], world["gone"]
    page(client, reverse("organizations:staff_list"), "Staff", "Include former staff", "Term start")
    html = page(
        client,
        reverse("organizations:staff_detail", args=[head.pk]),
        "Year of birth",
        "ID number",
        "Reveal",
        "Reason for viewing",
        ", presiding over daily work",
        "Training record",
        "Add a training record",
        "Leave the post",
        "Hours",
        "Organised by",
        "Certificate number",
    )
    assert "Full-time officer" in html  # the post, a lazy choice label
    page(
        client,
        reverse("organizations:staff_detail", args=[gone.pk]),
        "Left the post on ",
        "from 2023-01-01 to 2027-12-31",
        "Liaison",
        "Part-time",
        "No training records yet.",
    )
    fragment(
        client,
        reverse("organizations:staff_reveal", args=[head.pk, "phone"]),
        head.phone.reveal_unchecked(),
        method="post",
        data={"reason": "核对联系方式"},
    )
    page(
        client,
        reverse("organizations:staff_create", args=[DAZHUANG]),
        "Register a staff member: ",
        "Term start",
        "Term end",
        "Presides over daily work",
        "Secretary-general",
        "Seconded",
    )
    page(
        client,
        reverse("organizations:staff_edit", args=[head.pk]),
        "Edit: ",
        "leave empty to keep it",
    )
    page(client, reverse("organizations:staff_end", args=[head.pk]), "Date of leaving", "Reason")
    page(
        client,
        reverse("organizations:training_add", args=[head.pk]),
        "Training record: ",
        "Course",
        "Training date",
        "Hours",
    )
    page(client, reverse("organizations:staff_export"), "Export staff", "Export (masked)")
    page(client, reverse("organizations:staff_import"), "Import staff")


def test_filing_and_seat_pages_in_english_for_the_county(county, auditor, world):
    client = english(county)
    page(client, reverse("organizations:filing_list"), "Filings", "Pending review", "Returned")
    page(client, reverse("organizations:filing_list") + "?status=returned", "请附任职文件")
    page(client, reverse("organizations:filing_missing"), "Associations with a missing or stale")
    page(
        client,
        reverse("organizations:filing_review", args=[world["for_county"].pk]),
        "Review the filing: ",
        "Person presiding over daily work",
        "Secretary-general",
        "Decision",
        "Accept the filing",
        "Reason for returning",
        "Submit",
    )
    page(
        client,
        reverse("organizations:composition") + f"?code={LIUJIAXIA}",
        "Council & congress composition: ",  # a blocktranslate: not escaped
        "Reform plan measure 14",
        "Own level",
        "Own level and all below, total",
        "Sub-associations",
        "Council grassroots share",
        "Grassroots member",
    )
    page(client, reverse("organizations:composition"), "Sub-associations", "Council members")
    page(
        client,
        reverse("organizations:seats", args=[LIUJIAXIA]),
        "Council & congress: ",
        "Members&#x27; congress",
        "Standing council",
        "Stepped down ",
        "Step down",
        "Term year",
        "Source",
        "female",
    )
    html = page(  # a role that reads the seats without changing them
        english(auditor), reverse("organizations:seats", args=[LIUJIAXIA]), "In office"
    )
    assert "Step down<" not in html


def test_township_pages_in_english(township, world):
    client = english(township)
    page(client, reverse("organizations:tree"), "Association network", "Missing filings")
    html = page(client, reverse("organizations:detail", args=[LIUJIAXIA]), "Sub-associations (")
    assert "Close / merge" in html  # a township may change its own network
    page(client, reverse("organizations:staff_list"), "Staff")
    page(client, reverse("organizations:staff_detail", args=[world["chief"].pk]), "Reveal")
    page(
        client,
        reverse("organizations:filing_submit", args=[LIUJIAXIA]),
        "Submit a filing: ",
        "Person presiding over daily work",
    )
    page(
        client, reverse("organizations:filing_list") + "?to_review=1", "To review", "Pending review"
    )
    page(
        client,
        reverse("organizations:filing_review", args=[world["pending"].pk]),
        "Review the filing: ",
        "Accept the filing",
    )
    page(client, reverse("organizations:filing_missing"), "Associations with a missing or stale")
    page(client, reverse("organizations:composition"), "Own level", "Sub-associations")
    page(client, reverse("organizations:seats", args=[LIUJIAXIA]), "Step down", "Add")
    page(client, reverse("organizations:staff_export"), "Export staff")
    page(client, reverse("organizations:staff_import"), "Import staff")


def test_form_errors_and_flash_messages_in_english(county, township, world):
    client = english(county)
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    page(
        client,
        reverse("organizations:rename", args=[LIUJIAXIA]),
        "The new name is the same as the old one.",
        method="post",
        name=liujiaxia.name,
        effective_date=TODAY.isoformat(),
        version=liujiaxia.version,
    )
    page(
        client,
        reverse("organizations:rename", args=[LIUJIAXIA]),
        "Effective date is out of the plausible range.",
        method="post",
        name="刘家峡镇计生协（新）",
        effective_date="1900-01-01",
        version=liujiaxia.version,
    )
    page(
        client,
        reverse("organizations:create_child", args=[LIUJIAXIA]),
        "cannot be set up under",
        method="post",
        kind="member_group",
        name="错行",
    )
    page(
        client,
        reverse("organizations:contact", args=[LIUJIAXIA]),
        "An office phone has only digits",
        method="post",
        address="",
        public_phone="电话",
        version=Association.objects.get(code=LIUJIAXIA).version,
    )
    head = world["head"]
    services.staff_update(actor=township, staff=head, name="导入专干")
    page(
        client,
        reverse("organizations:staff_edit", args=[head.pk]),
        "Someone else changed this record (Name)",
        method="post",
        name="大庄专干",
        post="officer",
        employment="full_time",
        term_start="2023-01-01",
        version=1,
    )
    page(
        client,
        reverse("organizations:staff_create", args=[DAZHUANG]),
        "Start of the term is out of the plausible range.",
        method="post",
        name="错行",
        post="officer",
        employment="full_time",
        term_start="1900-01-01",
    )
    response = client.post(
        reverse("organizations:training_add", args=[head.pk]),
        {"course": "错行", "start_date": TODAY.isoformat(), "hours": "2"},
        follow=True,
    )
    html = response.content.decode()
    assert "Training record added." in html and leftover(html) == [], leftover(html)
    page(
        client,
        reverse("organizations:filing_submit", args=[LIUJIAXIA]),
        "Choose a current staff member of this association.",
        method="post",
        person=str(head.pk),  # a staff member of 大庄村, not of 刘家峡镇
    )
    page(
        client,
        reverse("organizations:filing_review", args=[world["for_county"].pk]),
        "Returning a filing needs a reason.",
        method="post",
        decision="return",
        return_reason="",
    )
    page(
        client,
        reverse("organizations:seats", args=[LIUJIAXIA]),
        "The term year must be between 1980 and",
        method="post",
        body="council",
        name="错行",
        source="worker",
        term_year=TODAY.year + 5,
    )
    seat = BodySeat.objects.filter(ended_on__isnull=True).first()
    response = client.post(
        reverse("organizations:seat_end", args=[seat.pk]), {"ended_on": "x"}, follow=True
    )
    html = response.content.decode()
    assert "Enter a valid date of leaving." in html and leftover(html) == [], leftover(html)
    assert BodySeat.objects.get(pk=seat.pk).ended_on is None


def test_import_in_english(township, world):
    client = english(township)
    header = [c.header for c in staff_excel.STAFF_SHEET.columns]
    rows = [
        [YANGUOXIA, "错行", person(901), None, "专干", "专职", "2024-01-01", None],
        [world["park"].code, "错行", person(902), None, "专干", "专职", "2024-01-01", None],
        [DAZHUANG, "错行", person(903), None, "专干", "专职", "2024-01-01", "2023-01-01"],
    ]
    html = page(
        client,
        reverse("organizations:staff_import"),
        "The association code does not exist or is outside your scope.",
        "This association is closed: no staff can be imported into it.",
        method="post",
        file=SimpleUploadedFile("staff.xlsx", xlsx([header, *rows], sheet="x")),
    )
    assert "The end of the term cannot be before its start." in html
    assert StaffMember.objects.filter(name="错行").count() == 0


def test_chinese_stays_the_default(county, world):
    client = login(Client(), county)
    html = client.get(reverse("organizations:detail", args=[LIUJIAXIA])).content.decode()
    assert 'lang="zh-hans"' in html
    assert "下级协会（" in html and "设立下级协会" in html
    assert "Sub-associations" not in html
    html = client.get(reverse("organizations:seats", args=[LIUJIAXIA])).content.decode()
    assert "卸任" in html and "届次" in html and "Step down" not in html
    html = client.get(
        reverse("organizations:staff_detail", args=[world["gone"].pk])
    ).content.decode()
    assert f"已于 {TODAY:%Y-%m-%d} 离任。" in html and "兼职" in html


def test_another_townships_association_is_404_in_english(township2, village, client, world):
    client2 = english(township2)
    for url in (
        reverse("organizations:detail", args=[LIUJIAXIA]),
        reverse("organizations:staff_detail", args=[world["head"].pk]),
        reverse("organizations:filing_review", args=[world["pending"].pk]),
        reverse("organizations:seats", args=[LIUJIAXIA]),
    ):
        response = client2.get(url)
        assert response.status_code == 404, url
        html = response.content.decode()
        assert 'lang="en"' in html and world["head"].name not in html
    html = client2.get(reverse("organizations:staff_list")).content.decode()
    assert world["head"].name not in html and "No matching staff." in html
    # Another role: a village may not rename its own association, in English too.
    response = english(village).get(reverse("organizations:rename", args=[DAZHUANG]))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'lang="en"' in html
    # Anonymous: to the sign-in page.
    response = client.get(reverse("organizations:detail", args=[LIUJIAXIA]))
    assert response.status_code == 302 and "login" in response["Location"]
