"""Insurance pages: who may open them (refused: another township, another role, anonymous),
the policy year's roster and export, enrolment by rule through preview and job, claims from
report to payment with a document, the overdue filter, and bounded query counts."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import python_calamine
import time_machine

from fpa.core.models import AuditEvent
from fpa.families.models import CareRecord
from fpa.insurance import services
from fpa.insurance.models import Claim, ClaimDocument, Enrolment
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, content, follow_job
from tests.insurance_helpers import enrol, family, parent, policy_year, product, report, today

pytestmark = pytest.mark.django_db

HONGLIU = "622923100202"  # another village of 刘家峡镇

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(county, township, township2, village):
    """A county product and year; an enrolled mother with a claim in 大庄村 (ours) and one in
    上泉村 (another township's)."""
    year = policy_year(county)
    ours = enrol(village, year, parent(family(village, DAZHUANG)))
    theirs = enrol(township2, year, parent(family(township2, SHANGQUAN, name="外镇母亲")))
    return {
        "year": year,
        "ours": ours,
        "theirs": theirs,
        "our_claim": report(village, ours),
        "their_claim": report(township2, theirs),
    }


def test_pages_open_for_staff_in_scope(client_for, world, county, township, village, auditor):
    for user in (county, township, village, auditor):
        client = client_for(user)
        for url in (
            "/insurance/",
            f"/insurance/years/{world['year'].pk}/",
            f"/insurance/enrolments/{world['ours'].pk}/",
            f"/insurance/claims/{world['our_claim'].pk}/",
            "/insurance/claims/",
        ):
            assert client.get(url).status_code == 200, (user, url)
        family_page = client.get(f"/insurance/families/{world['ours'].family_id}/")
        # The family page reads the family registry: not for an auditor (no family.view).
        assert family_page.status_code == (404 if user is auditor else 200)


def test_another_township_gets_404_on_our_records(client_for, world, township2):
    client = client_for(township2)
    for url in (
        f"/insurance/enrolments/{world['ours'].pk}/",
        f"/insurance/claims/{world['our_claim'].pk}/",
        f"/insurance/families/{world['ours'].family_id}/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/insurance/claims/{world['our_claim'].pk}/submit/", {"submitted_on": today()}
    )
    assert response.status_code == 404
    assert Claim.objects.get(pk=world["our_claim"].pk).status == Claim.Status.REPORTED


def test_other_roles_and_anonymous_are_refused(client, client_for, world, finance, volunteer):
    for user in (finance, volunteer):
        assert client_for(user).get("/insurance/").status_code == 403
        assert client_for(user).get("/insurance/claims/").status_code == 403
    response = client.get("/insurance/claims/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_township_cannot_manage_products_or_run_rules(client_for, world, township, auditor):
    year = world["year"].pk
    for user in (township, auditor):
        client = client_for(user)
        assert client.get("/insurance/products/new/").status_code == 403
        assert client.get(f"/insurance/years/{year}/rule/").status_code == 403
        assert client.post(f"/insurance/years/{year}/premium/").status_code == 403
    assert client_for(auditor).get(f"/insurance/years/{year}/enrol/").status_code == 403


def test_roster_shows_only_the_township_people_masked(client_for, world, township, county):
    page = client_for(township).get(f"/insurance/years/{world['year'].pk}/")
    assert [e.pk for e in page.context["page"].items] == [world["ours"].pk]
    html = page.content.decode()
    assert "张桂兰" not in html and "张**" in html
    everyone = client_for(county).get(f"/insurance/years/{world['year'].pk}/")
    assert {e.pk for e in everyone.context["page"].items} == {
        world["ours"].pk,
        world["theirs"].pk,
    }
    foreign = client_for(township).get(f"/insurance/years/{world['year'].pk}/", {"code": SHANGQUAN})
    assert foreign.context["foreign"] and not foreign.context["page"].items


def test_roster_export_masked_and_full_audited(client_for, world, county):
    client = client_for(county)
    url = f"/insurance/years/{world['year'].pk}/export/"
    rows = _sheet(follow_job(client, client.post(url)), "参保人员清单")
    assert rows[0][:3] == ["被保险人姓名", "证件类型", "证件号码"]
    assert len(rows) == 3 and all("*" in row[2] for row in rows[1:])
    refused = client.post(url, {"reveal": "on"})  # a full export needs a reason
    assert refused.status_code == 302 and "/jobs/" not in refused["Location"]
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    full = _sheet(
        follow_job(client, client.post(url, {"reveal": "on", "reason": "投保"})), "参保人员清单"
    )
    number = world["ours"].id_number.reveal_unchecked()
    assert number in {row[2] for row in full[1:]}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == before + 1


def _sheet(response: Any, name: str) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content(response)))
    return book.get_sheet_by_name(name).to_python()


def test_enrol_by_rule_preview_then_confirm_as_a_job(client_for, county, township):
    year = policy_year(county)
    for _ in range(3):
        family(township, DAZHUANG)
    family(township, HONGLIU, mother_birth=datetime.date(1935, 1, 1))  # above the product's 80
    client = client_for(county)
    url = f"/insurance/years/{year.pk}/rule/"
    rule = {"source": "parents", "sex": "F", "active_only": "on", "code": LIUJIAXIA}
    page = client.get(url, rule)
    preview = page.context["preview"]
    assert preview.counts == {"added": 3, "already": 0, "left_out": 1}
    assert "不在产品的投保年龄内" in page.content.decode()
    left = client.get(url, {**rule, "group": "left_out"}).context["preview"]
    assert len(left.rows) == 1
    response = client.post(url, rule)
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    assert Enrolment.objects.filter(policy_year=year, by_rule=True).count() == 3
    again = client.get(url, rule).context["preview"]
    assert again.counts == {"added": 0, "already": 3, "left_out": 1}
    client.post(url, rule)
    assert Enrolment.objects.filter(policy_year=year).count() == 3


def test_rule_for_a_foreign_area_previews_nothing(client_for, county, township2, township):
    year = policy_year(county)
    family(township, DAZHUANG)
    response = client_for(township).get(f"/insurance/years/{year.pk}/rule/")
    assert response.status_code == 403  # township staff do not hold insurance.manage


def test_village_reports_a_claim_and_runs_it_to_paid(client_for, county, village, uploads_dir):
    year = policy_year(county)
    enrolment = enrol(village, year, parent(family(village, DAZHUANG)))
    client = client_for(village)
    response = client.post(
        f"/insurance/enrolments/{enrolment.pk}/claim/",
        {"event_on": today().isoformat(), "kind": "accident", "description": "摔伤"},
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/insurance/claims/{claim.pk}/"
    assert CareRecord.objects.filter(family=enrolment.family, kind__code="insurance_claim").exists()
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        f"/insurance/claims/{claim.pk}/documents/",
        {"file": SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")},
    )
    document = ClaimDocument.objects.get()
    download = client.get(f"/insurance/documents/{document.pk}/")
    assert download.status_code == 200 and content(download) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    client.post(f"/insurance/claims/{claim.pk}/submit/", {"submitted_on": today().isoformat()})
    client.post(
        f"/insurance/claims/{claim.pk}/decide/",
        {"outcome": "paid", "decided_on": today().isoformat(), "amount_paid": "1500"},
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and str(claim.amount_paid) == "1500.00"
    page = client.get(f"/insurance/claims/{claim.pk}/").content.decode()
    assert "摔伤" not in page  # the description is sensitive: masked until revealed


def test_claim_outside_the_cover_is_refused_on_the_form(client_for, county, village):
    year = policy_year(county)
    enrolment = enrol(village, year, parent(family(village, DAZHUANG)))
    services.enrolment_remove(
        actor=village, enrolment=enrolment, removed_on=enrolment.covered_from, reason="迁出"
    )
    response = client_for(village).post(
        f"/insurance/enrolments/{enrolment.pk}/claim/",
        {"event_on": today().isoformat(), "kind": "accident", "description": "摔伤"},
    )
    assert response.status_code == 200 and "不在保障期内" in response.content.decode()
    assert not Claim.objects.exists()


def test_document_of_another_township_is_404(client_for, county, village, township2, uploads_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    claim = report(village, enrol(village, policy_year(county), parent(family(village, DAZHUANG))))
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    document = services.claim_document_add(actor=village, claim=claim, upload=upload)
    assert client_for(township2).get(f"/insurance/documents/{document.pk}/").status_code == 404


def test_overdue_filter_lists_unanswered_claims(client_for, world, township, village):
    claim = services.claim_submit(actor=village, claim=world["our_claim"], submitted_on=today())
    with time_machine.travel(today() + datetime.timedelta(days=40), tick=False):
        page = client_for(township).get("/insurance/claims/", {"state": "overdue"})
        assert [c.pk for c in page.context["page"].items] == [claim.pk]
        assert "超期" in page.content.decode()
    page = client_for(township).get("/insurance/claims/", {"state": "overdue"})
    assert not page.context["page"].items


def test_claims_export_is_a_job(client_for, world, township):
    client = client_for(township)
    rows = _sheet(follow_job(client, client.get("/insurance/claims/", {"export": "xlsx"})), "理赔")
    assert rows[0][0] == "编号" and [int(r[0]) for r in rows[1:]] == [world["our_claim"].pk]


def test_roster_and_claims_query_counts_are_flat(
    client_for, county, village, django_assert_max_num_queries, django_assert_num_queries
):
    year = policy_year(county)
    first = enrol(village, year, parent(family(village, DAZHUANG)))
    report(village, first)
    client = client_for(county)
    urls = (f"/insurance/years/{year.pk}/", "/insurance/claims/", "/insurance/")
    for url in urls:
        client.get(url)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as small:
            assert client.get(url).status_code == 200
        counts[url] = len(small.captured_queries)
    for _ in range(4):
        report(village, enrol(village, year, parent(family(village, DAZHUANG))))
    policy_year(county, product(county, name="第二个产品"))
    for url in urls:
        with django_assert_num_queries(counts[url]):
            assert client.get(url).status_code == 200
