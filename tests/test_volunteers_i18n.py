"""The volunteer pages in English (the second UI language), with the public application form, the
certificate, the public verify page and the volunteer portal: every page renders with the key
English strings and no Chinese left in its chrome once the data (names, association, skill and
team names, the stored consent text, reasons typed by users, the Chinese column headers of the
import files) is taken out. Chinese stays the default, the workbooks stay Chinese, and a volunteer
of another township is a 404 in English."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from fpa.core.excel.writer import INSTRUCTIONS
from fpa.core.models import ConsentText
from fpa.families import services as family_services
from fpa.families.models import Family, Need
from fpa.organizations.models import Association
from fpa.volunteers import excel as volunteer_excel
from fpa.volunteers import services
from fpa.volunteers.models import (
    Agreement,
    HoursRecord,
    Insurance,
    Pairing,
    Service,
    Skill,
    StatusChange,
    Team,
    Training,
    Volunteer,
)
from tests.conftest import DAZHUANG, LIUJIAXIA, content, follow_job, login, open_job_page
from tests.english import (  # noqa: F401 (the autouse fixture)
    CJK,
    chinese_left,
    data_words,
    default_language_afterwards,
    english,
)
from tests.test_excel_engine import read_back, xlsx
from tests.volunteers_helpers import active, apply, id_for, service

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _clean_state(db: Any) -> Any:
    """Fresh rate limits; and LocaleMiddleware leaves the last request's language active."""
    cache.clear()
    yield
    cache.clear()
    translation.deactivate()


def data_values() -> list[str]:
    """The Chinese data a page may show: names and other values typed by users or seeded."""
    from fpa.accounts.models import User

    values: set[str] = set()
    values.update(Association.objects.values_list("name", flat=True))
    values.update(Association.objects.values_list("division_name", flat=True))  # place names
    for field in ("name", "address", "occupation", "guardian_name", "guardian_relation"):
        values.update(Volunteer.objects.values_list(field, flat=True))
    values.update(Volunteer.objects.values_list("vetting_notes", flat=True))
    values.update(v.display_name for v in Volunteer.objects.all())
    values.update(Skill.objects.values_list("name", flat=True))
    values.update(Team.objects.values_list("name", flat=True))
    values.update(Service.objects.values_list("title", flat=True))
    values.update(Service.objects.values_list("description", flat=True))
    values.update(HoursRecord.objects.values_list("note", flat=True))
    values.update(Agreement.objects.values_list("content", flat=True))
    values.update(Agreement.objects.values_list("safety_measures", flat=True))
    values.update(Training.objects.values_list("course", flat=True))
    values.update(Insurance.objects.values_list("insurer", flat=True))
    values.update(Pairing.objects.values_list("note", flat=True))
    values.update(StatusChange.objects.values_list("reason", flat=True))  # stored reasons
    values.update(Family.objects.values_list("head_name", flat=True))
    values.update(Need.objects.values_list("description", flat=True))
    for text in ConsentText.objects.values_list("body", flat=True):  # data: shown as stored
        values.update(line.strip() for line in text.splitlines())
    values.update(v for v in User.objects.values_list("full_name", flat=True) if v)
    for sheet in (volunteer_excel.VOLUNTEER_SHEET, volunteer_excel.HOURS_SHEET):
        values.add(sheet.title)
        for column in sheet.columns:  # the file format: headers and labels
            values.add(column.header)
            values.update(getattr(column.parse, "labels", ()))
    values.add(INSTRUCTIONS)  # the template's instructions sheet, named on the import page
    values.update(["永靖县计划生育协会", "赵报名", "不存在的技能"])  # footer; typed
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
def world(yongjing: Any, township: Any, volunteer: Any) -> dict[str, Any]:
    """大庄村: an applicant, a minor applicant, an active volunteer with skills, training,
    insurance, hours, a certificate, a pairing and a team; a second one linked to the volunteer
    account with an assignment; a family request; a risky service."""
    applicant = apply(DAZHUANG, name="孙报名", occupation="教师")
    minor = apply(DAZHUANG, name="小志愿", age=16)
    child = apply(DAZHUANG, name="童志愿", age=12)
    one = active(township, DAZHUANG, name="周志愿", skills=("counselling",), address="大庄村二社")
    services.training_add(
        actor=township,
        volunteer=one,
        course="心理陪伴培训",
        hours=Decimal("8"),
        completed_on=TODAY(),
        certificate="XL-001",
    )
    services.insurance_add(
        actor=township,
        volunteer=one,
        insurer="人保财险",
        policy_number="P-2026-1",
        valid_from=TODAY() - datetime.timedelta(days=10),
        valid_to=TODAY() + datetime.timedelta(days=300),
    )
    task = service(township, LIUJIAXIA, title="春节走访陪伴", risky=True, description="带慰问品")
    services.hours_record(actor=township, service=task, volunteer=one, hours="6", note="全程")
    certificate = services.certificate_issue(actor=township, volunteer=one)
    from tests.test_volunteers_services import make_family

    family = make_family(township)
    need = family_services.need_raise(actor=township, family=family, description="需要心理疏导")
    services.pairing_create(
        actor=township, volunteer=one, family=family, start_date=TODAY(), note="每周陪伴"
    )
    team = services.team_create(
        actor=township,
        association=Association.objects.get(code=LIUJIAXIA),
        level="brigade",
        name="刘家峡镇大队",
    )
    services.team_add_member(actor=township, team=team, volunteer=one, leader=True)
    me = active(township, DAZHUANG, name="我自己")
    services.volunteer_link_account(actor=township, volunteer=me, user=volunteer)
    later = service(township, LIUJIAXIA, title="本人任务", days_ago=0)
    services.assignment_create(actor=township, service=later, volunteer=me)
    past = service(township, LIUJIAXIA, title="已开展任务", days_ago=2)
    assignment = services.assignment_create(actor=township, service=past, volunteer=me)
    services.hours_submit(actor=volunteer, assignment=assignment, hours="2", note="本人申报")
    return {
        "applicant": applicant,
        "minor": minor,
        "child": child,
        "one": one,
        "me": me,
        "task": task,
        "certificate": certificate,
        "need": need,
        "team": team,
    }


def test_staff_pages_in_english(township, world):
    client = english(township)
    one = world["one"]
    page(client, reverse("volunteers:list"), "Volunteers", "Confirmed hours", "Star level")
    html = page(
        client,
        reverse("volunteers:detail", args=[one.pk]),
        "Basic information",
        "Volunteer agreement",
        "Accident insurance",
        "Valid today",
        "Paired families",
        "Teams and assignments",
        "hours confirmed",
        "Issue a certificate of service",
    )
    assert "Risky" in html and "Active" in html
    page(
        client,
        reverse("volunteers:detail", args=[world["applicant"].pk]),
        "Record vetting",
        "Not vetted yet.",
        "No agreement signed yet.",
    )
    page(client, reverse("volunteers:detail", args=[world["minor"].pk]), "Minor", "Guardian")
    page(
        client,
        reverse("volunteers:detail", args=[world["child"].pk]),
        "Under 14 (sensitive personal information)",
    )
    page(client, reverse("volunteers:new"), "Enter a volunteer application", "consent text")
    page(client, reverse("volunteers:edit", args=[one.pk]), "Edit volunteer", "leave empty")
    page(client, reverse("volunteers:vet", args=[world["applicant"].pk]), "Vetting result")
    page(client, reverse("volunteers:agreement", args=[one.pk]), "Volunteer agreement")
    page(client, reverse("volunteers:status", args=[one.pk]), "Change to", "Resume service")
    page(client, reverse("volunteers:training", args=[one.pk]), "Record training", "Course")
    page(client, reverse("volunteers:insurance", args=[one.pk]), "Record accident insurance")
    page(client, reverse("volunteers:services"), "Volunteer services", "Planned hours", "Risky")
    page(client, reverse("volunteers:service_new"), "New volunteer service", "travel time")
    page(
        client,
        reverse("volunteers:service", args=[world["task"].pk]),
        "Risky: valid accident insurance required",
        "hours planned",
        "Volunteers taking part",
        "Record and confirm service hours",
    )
    page(client, reverse("volunteers:pending"), "Hours awaiting confirmation", "Confirm")
    page(client, reverse("volunteers:match"), "Matching and pairing", "open requests below")
    html = page(
        client,
        reverse("volunteers:match") + f"?need={world['need'].pk}&skills=counselling",
        "Family request:",
        "Suggest again",
        "Has the skills needed",
    )
    assert "Same township (subdistrict)" in html or "Same village (community)" in html
    page(client, reverse("volunteers:renewals"), "Agreement renewals", "No agreements to renew.")
    page(client, reverse("volunteers:teams"), "Volunteer teams", "Found a team", "Brigade")
    page(client, reverse("volunteers:team", args=[world["team"].pk]), "Leader:", "Add a member")
    page(
        client,
        reverse("volunteers:certificate", args=[world["certificate"].pk]),
        "Certificate of service",
        "This is to certify that",
        "Print / save as PDF",
        "(seal)",
    )
    page(client, reverse("volunteers:export"), "Export volunteers (masked)")
    page(client, reverse("volunteers:import"), "Import volunteers", "Upload and check")
    page(client, reverse("volunteers:import_hours"), "Import service hours", "service number")


def test_the_public_pages_in_english(client, world):
    anonymous = english()
    html = page(
        anonymous,
        reverse("volunteers:apply"),
        "Volunteer application",
        "Consent text (version 1)",
        "Submit application",
        "Guardian\u2019s consent (under 18)",
        "I have read and agree",
    )
    consent = ConsentText.objects.get(purpose="volunteer_application", version=1).body
    assert consent.splitlines()[0] in html  # the stored consent text is data: shown as stored
    response = anonymous.post(
        reverse("volunteers:apply"),
        {
            "association": str(Association.objects.get(code=DAZHUANG).pk),
            "name": "赵报名",
            "id_number": id_for(30),
            "phone": "13655550001",
            "consent_version": "1",
            "agree": "on",
            "website": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Application submitted" in html
    assert leftover(html) == []
    code = world["certificate"].code
    html = page(
        anonymous,
        reverse("volunteers:verify") + f"?code={code}",
        "This certificate is genuine",
        "Total service hours",
        "Issued by",
    )
    page(
        anonymous,
        reverse("volunteers:verify") + "?code=ABCD-EFGH-JKLM-NPQR",
        "No certificate has this code",
    )


def test_a_bad_application_is_explained_in_english(world):
    html = page(
        english(),
        reverse("volunteers:apply"),
        "Under 18 a guardian\u2019s consent is required",
        method="post",
        association=str(Association.objects.get(code=DAZHUANG).pk),
        name="钱少年",
        id_number=id_for(15),
        phone="13655550002",
        consent_version="1",
        agree="on",
        website="",
    )
    assert not Volunteer.objects.filter(name="钱少年").exists()
    assert "钱少年" in html


def test_the_portal_in_english(volunteer, world):
    html = page(
        english(volunteer),
        reverse("volunteers:portal"),
        "My volunteering",
        "My assignments",
        "Report service hours",
        "My service hours",
        "Awaiting confirmation",
    )
    assert "hours" in html


def test_flash_messages_and_service_errors_in_english(township, world):
    client = english(township)
    response = client.post(
        reverse("volunteers:teams"),
        {"association": Association.objects.get(code=DAZHUANG).pk, "level": "corps", "name": "错"},
    )
    html = response.content.decode()
    assert "A Corps belongs at:" in html, html[-3000:]
    response = client.post(
        reverse("volunteers:certificate_issue", args=[world["applicant"].pk]), follow=True
    )
    html = response.content.decode()
    assert "no certificate can be issued" in html and leftover(html) == []


def test_the_workbooks_stay_chinese_in_english(township, world):
    client = english(township)
    rows = read_back(
        content(
            follow_job(client, client.get(reverse("volunteers:export") + "?download=volunteers"))
        )
    )
    assert rows[0][0] == volunteer_excel.VOLUNTEER_SHEET.columns[0].header
    assert CJK.search(rows[0][0])
    response = client.get(reverse("volunteers:import") + "?download=template")
    assert response.status_code == 200


def test_import_in_english(township, world):
    client = english(township)
    sheet = volunteer_excel.VOLUNTEER_SHEET
    header = [c.header for c in sheet.columns]
    values = {c.field: "" for c in sheet.columns}
    bad = dict(values, association=DAZHUANG, name="赵报名", skills="不存在的技能")
    data = xlsx([header, [bad[c.field] for c in sheet.columns]], sheet="x")
    html = page(
        client,
        reverse("volunteers:import"),
        "nothing was written",
        "Required: must not be empty.",
        method="post",
        file=SimpleUploadedFile("volunteers.xlsx", data),
    )
    assert "is not recognised; use:" in html


def test_chinese_stays_the_default(township, world):
    client = login(Client(), township)
    html = client.get(reverse("volunteers:detail", args=[world["one"].pk])).content.decode()
    assert 'lang="zh-hans"' in html
    assert "基本信息" in html and "Basic information" not in html
    html = Client().get(reverse("volunteers:apply")).content.decode()
    assert "提交报名" in html and "Submit application" not in html


def test_another_townships_volunteer_is_404_in_english(township2, world):
    client = english(township2)
    response = client.get(reverse("volunteers:detail", args=[world["one"].pk]))
    assert response.status_code == 404
    assert 'lang="en"' in response.content.decode()
    response = client.get(reverse("volunteers:certificate", args=[world["certificate"].pk]))
    assert response.status_code == 404
