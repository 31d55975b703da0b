"""Enrolments and claims imported from Excel: template, dry run with row and column messages,
commit all or nothing, the same file again, scope and refused roles."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fpa.core.models import AuditEvent
from fpa.families.models import CareRecord
from fpa.insurance import excel_import
from fpa.insurance.models import Claim, Enrolment
from tests.conftest import DAZHUANG, SHANGQUAN, content
from tests.insurance_helpers import enrol, family, parent, policy_year, today
from tests.test_excel_engine import read_back, xlsx

pytestmark = pytest.mark.django_db

ENROL_URL = "/insurance/import/enrolments/"
CLAIMS_URL = "/insurance/import/claims/"
ENROL_HEADER = [c.header for c in excel_import.ENROLMENT_SHEET.columns]
CLAIM_HEADER = [c.header for c in excel_import.CLAIM_SHEET.columns]


def upload(client: Any, url: str, data: bytes) -> Any:
    return client.post(url, {"file": SimpleUploadedFile("a.xlsx", data)}, follow=True)


def confirm(client: Any, url: str, response: Any) -> str:
    done = client.post(url, {"token": response.context["token"]})
    assert done.status_code == 302 and done["Location"].startswith("/jobs/")
    return client.get(done["Location"]).content.decode()


def number(person: Any) -> str:
    return person.id_number.reveal_unchecked()


def state() -> tuple[Any, ...]:
    return (
        list(Enrolment.objects.order_by("id").values_list("subject_key", "status")),
        Claim.objects.count(),
        AuditEvent.objects.count(),
    )


def test_templates_and_refused_roles(client, client_for, township, auditor, finance):
    client_ = client_for(township)
    for url, header in ((ENROL_URL, ENROL_HEADER), (CLAIMS_URL, CLAIM_HEADER)):
        assert client_.get(url).status_code == 200
        assert read_back(content(client_.get(url, {"download": "template"})))[0] == header
        assert client_for(auditor).get(url).status_code == 403
        assert client_for(finance).get(url).status_code == 403
        assert client.get(url).status_code == 302


def test_enrolments_dry_run_commit_and_again(client_for, county, township):
    year = policy_year(county)
    mothers = [parent(family(township, DAZHUANG)) for _ in range(2)]
    rows = [[year.pk, "特殊家庭成员", number(m), None] for m in mothers]
    client = client_for(township)
    checked = upload(client, ENROL_URL, xlsx([ENROL_HEADER, *rows], sheet="参保人员"))
    assert checked.context["report"].created == 2 and not Enrolment.objects.exists()
    confirm(client, ENROL_URL, checked)
    assert Enrolment.objects.filter(policy_year=year).count() == 2
    again = upload(client, ENROL_URL, xlsx([ENROL_HEADER, *rows], sheet="参保人员"))
    report = again.context["report"]
    assert (report.created, report.unchanged) == (0, 2)


def test_bad_rows_write_nothing(client_for, county, township, township2):
    year = policy_year(county)
    ours = parent(family(township, DAZHUANG))
    theirs = parent(family(township2, SHANGQUAN))
    rows = [
        [year.pk, "特殊家庭成员", number(ours), None],
        [year.pk, "特殊家庭成员", number(theirs), None],  # another township's person
        [year.pk + 99, "特殊家庭成员", number(ours), None],  # no such year
        [year.pk, "会员", "123", None],  # not an ID number
        [year.pk, "猫", number(ours), None],  # not a source
    ]
    client = client_for(township)
    before = state()
    checked = upload(client, ENROL_URL, xlsx([ENROL_HEADER, *rows], sheet="参保人员"))
    report = checked.context["report"]
    assert not report.ok
    issues = {(i.row, i.header) for i in report.issues}
    assert {(3, "身份证号码"), (4, "年度编号"), (5, "身份证号码"), (6, "人员来源")} <= issues
    assert (1, None) not in issues
    # Even a commit attempt writes nothing when one row is bad.
    importer = excel_import.EnrolmentImporter(actor=township)
    result = importer.commit(xlsx([ENROL_HEADER, *rows], sheet="参保人员"))
    assert not result.committed
    assert state() == before


def test_claims_import_refuses_uninsured_dates_and_writes_all_or_nothing(
    client_for, county, village
):
    year = policy_year(county)
    mother = parent(family(village, DAZHUANG))
    enrol(village, year, mother)
    good = [year.pk, number(mother), today(), "住院", "住院治疗"]
    before_cover = [
        year.pk,
        number(mother),
        year.starts_on - datetime.timedelta(days=1),
        "其他",
        "x",
    ]
    client = client_for(village)
    before = state()
    checked = upload(client, CLAIMS_URL, xlsx([CLAIM_HEADER, good, before_cover], sheet="理赔报案"))
    report = checked.context["report"]
    assert report.ok  # the cover is the service's rule: checked when writing
    text = confirm(client, CLAIMS_URL, checked)
    assert "不在保障期内" in text
    assert state() == before
    checked = upload(client, CLAIMS_URL, xlsx([CLAIM_HEADER, good], sheet="理赔报案"))
    confirm(client, CLAIMS_URL, checked)
    assert Claim.objects.count() == 1
    assert CareRecord.objects.filter(kind__code="insurance_claim").count() == 1
    again = upload(client, CLAIMS_URL, xlsx([CLAIM_HEADER, good], sheet="理赔报案"))
    assert again.context["report"].unchanged == 1
