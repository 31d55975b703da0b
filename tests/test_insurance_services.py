"""Insurance services: products and policy years, enrolment one by one and by rule, premium
posting through the fund, claims and their care-log entry, the coverage measure."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.http import Http404

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.families import selectors as family_selectors
from fpa.families.models import CareRecord
from fpa.fund.models import Grant
from fpa.insurance import rules, selectors, services
from fpa.insurance.models import Claim, Enrolment
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA
from tests.insurance_helpers import (
    assoc,
    enrol,
    family,
    parent,
    policy_year,
    product,
    report,
    today,
)

pytestmark = pytest.mark.django_db


# --- products and policy years --------------------------------------------------------------------


def test_county_creates_product_and_year_with_matching_shares(county):
    item = product(county)
    year = policy_year(county, item)
    assert year.starts_on == datetime.date(today().year, 1, 1)
    assert year.ends_on == datetime.date(today().year, 12, 31)
    assert year.premium == Decimal("100.00")
    assert item.cover_items == [{"item": "意外身故", "amount": "50000.00"}]
    assert AuditEvent.objects.filter(object_type="insurance.policyyear").count() == 1


def test_shares_must_add_up_to_the_premium(county):
    item = product(county)
    with pytest.raises(ServiceError) as caught:
        policy_year(county, item, fund_share="50", government_share="40")
    assert "应等于每人保费" in caught.value.message
    assert not item.years.exists()


def test_product_refuses_bad_ages_and_start_day(county):
    with pytest.raises(ServiceError, match="最低投保年龄"):
        product(county, min_age=70, max_age=60)
    with pytest.raises(ServiceError, match="起始日"):
        product(county, start_month=2, start_day=30)


def test_township_cannot_manage_products(township):
    with pytest.raises(NotAllowed):
        product(township, code=LIUJIAXIA)


def test_township_sees_county_products_but_not_a_neighbours(county, township, township2):
    product(county, name="县级产品")
    services.product_create(
        actor=county,
        association=assoc(YANGUOXIA),
        insurer="某保险",
        name="盐锅峡镇自有产品",
        kind="other",
        premium="10",
    )
    names = {p.name for p in selectors.products(user=township)}
    assert names == {"县级产品"}
    assert {p.name for p in selectors.products(user=township2)} == {"县级产品", "盐锅峡镇自有产品"}


def test_policy_year_dates_cannot_move_once_people_are_enrolled(county, township):
    year = policy_year(county)
    enrol(township, year, parent(family(township, DAZHUANG)))
    with pytest.raises(ServiceError, match="不能再修改保险期间"):
        services.policy_year_update(
            actor=county, policy_year=year, starts_on=year.starts_on + datetime.timedelta(days=1)
        )
    updated = services.policy_year_update(actor=county, policy_year=year, policy_number="P-2")
    assert updated.policy_number == "P-2"


# --- enrolment one by one ---------------------------------------------------------------------------


def test_village_enrols_and_removes_a_parent(county, village):
    year = policy_year(county)
    mother = parent(family(village, DAZHUANG))
    enrolment = enrol(village, year, mother)
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.family_id == mother.family_id
    assert str(enrolment.name) != "张桂兰"  # masked
    assert enrolment.name.reveal_unchecked() == "张桂兰"
    assert enrolment.id_number.reveal_unchecked() == mother.id_number.reveal_unchecked()
    with pytest.raises(ServiceError, match="已在本年度参保"):
        enrol(village, year, mother)
    removed = services.enrolment_remove(
        actor=village, enrolment=enrolment, removed_on=today(), reason="迁出本县"
    )
    assert removed.status == Enrolment.Status.REMOVED
    again = enrol(village, year, mother)
    assert again.pk == enrolment.pk and again.status == Enrolment.Status.ENROLLED


def test_enrolment_refuses_out_of_age_and_missing_id(county, township):
    year = policy_year(county, product(county, min_age=60))
    with pytest.raises(ServiceError, match="投保年龄"):
        enrol(township, year, parent(family(township, DAZHUANG)))
    child = parent(family(township, DAZHUANG), role="child")
    with pytest.raises(ServiceError, match="身份证"):
        enrol(township, policy_year(county, product(county, name="其他")), child)
    assert not Enrolment.objects.exists()


def test_another_township_cannot_enrol_our_people(county, township, township2):
    year = policy_year(county)
    mother = parent(family(township, DAZHUANG))
    with pytest.raises(NotAllowed):
        enrol(township2, year, mother)
    with pytest.raises(Http404):
        services.load_subject(township2, "person", mother.pk)


def test_auditor_cannot_enrol(county, township, auditor):
    year = policy_year(county)
    with pytest.raises(NotAllowed):
        enrol(auditor, year, parent(family(township, DAZHUANG)))


# --- enrolment by rule ------------------------------------------------------------------------------


@pytest.fixture
def registry(county, township, township2):
    """Parents in 刘家峡镇 of several ages, one without an ID, one deceased, and one family in
    盐锅峡镇 (outside the rule's area)."""
    start = datetime.date(today().year, 1, 1)
    old = family(township, DAZHUANG, mother_birth=start.replace(year=start.year - 55))
    young = family(township, DAZHUANG, mother_birth=start.replace(year=start.year - 40))
    boundary = family(township, LIUJIAXIA, mother_birth=start.replace(year=start.year - 48))
    very_old = family(township, DAZHUANG, mother_birth=datetime.date(1935, 1, 1), father_birth=None)
    elsewhere = family(township2, SHANGQUAN, mother_birth=datetime.date(1960, 1, 1))
    return {"old": old, "young": young, "boundary": boundary, "very_old": very_old, "x": elsewhere}


def mothers_48(area: str = LIUJIAXIA) -> rules.Rule:
    return rules.Rule(source="parents", area=area, sex="F", age_min=48)


def test_rule_preview_sorts_people_into_added_already_and_left_out(county, registry, township):
    year = policy_year(county)
    enrol(township, year, parent(registry["old"]))
    preview = services.rule_preview(actor=county, policy_year=year, rule=mothers_48())
    assert preview.counts == {"added": 1, "already": 1, "left_out": 1}
    assert preview.reasons == {"age": 1}  # born 1935: above the product's 80
    assert [c.pk for c in preview.rows] == [parent(registry["boundary"]).pk]
    left = services.rule_preview(
        actor=county, policy_year=year, rule=mothers_48(), group="left_out"
    )
    assert [c.pk for c in left.rows] == [parent(registry["very_old"]).pk]


def test_rule_enrol_is_idempotent_and_audited(county, registry):
    year = policy_year(county)
    before = AuditEvent.objects.filter(object_type="insurance.enrolment").count()
    result = services.rule_enrol(actor=county, policy_year=year, rule=mothers_48())
    assert result["written"] == 2
    enrolled = Enrolment.objects.filter(policy_year=year)
    assert {e.person_id for e in enrolled} == {
        parent(registry["old"]).pk,
        parent(registry["boundary"]).pk,
    }
    assert all(e.by_rule and e.name.reveal_unchecked() == "张桂兰" for e in enrolled)
    assert AuditEvent.objects.filter(object_type="insurance.enrolment").count() == before + 2
    again = services.rule_enrol(actor=county, policy_year=year, rule=mothers_48())
    assert again["written"] == 0 and again["already"] == 2
    assert Enrolment.objects.filter(policy_year=year).count() == 2


def test_rule_enrol_whole_county_with_all_parents(county, registry):
    year = policy_year(county)
    rule = rules.Rule(source="parents", area="622923")
    result = services.rule_enrol(actor=county, policy_year=year, rule=rule)
    # 5 mothers and 4 fathers; the mother born 1935 is above the product's ages.
    assert result == {"added": 8, "already": 0, "left_out": 1, "written": 8}


def test_rule_outside_scope_and_by_wrong_role_is_refused(county, township, registry):
    year = policy_year(county)
    with pytest.raises(NotAllowed):
        services.rule_preview(actor=township, policy_year=year, rule=mothers_48())
    with pytest.raises(ServiceError):
        services.rule_enrol(actor=county, policy_year=year, rule=rules.Rule(source="cats"))
    assert not Enrolment.objects.exists()


def test_a_cancelled_rule_run_writes_nothing(county, registry):
    year = policy_year(county)

    def stop(read: int, written: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        services.rule_enrol(actor=county, policy_year=year, rule=mothers_48(), on_batch=stop)
    assert not Enrolment.objects.exists()


# --- premium ---------------------------------------------------------------------------------------


def test_premium_posted_as_a_grant_of_the_fund(county, township, registry):
    from tests.fund_helpers import county_fund

    county_fund(county)
    year = policy_year(county)
    services.rule_enrol(actor=county, policy_year=year, rule=mothers_48())
    grant = services.premium_post(actor=county, policy_year=year)
    year.refresh_from_db()
    assert year.grant == grant and year.posted_count == 2
    assert grant.amount == Decimal("120.00")
    assert grant.category.code == "5102"
    assert grant.status == Grant.Status.SUBMITTED
    with pytest.raises(ServiceError, match="不能重复申请"):
        services.premium_post(actor=county, policy_year=year)
    with pytest.raises(NotAllowed):
        services.premium_post(actor=township, policy_year=year)


# --- claims ----------------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2025, 6, 15, 10, 0), tick=False)
def test_claim_for_someone_not_insured_on_the_event_date_is_refused(county, village):
    year = policy_year(county)
    mother = parent(family(village, DAZHUANG))
    # Enrolled during the year: covered from 1 June only.
    enrolment = enrol(village, year, mother, covered_from=datetime.date(2025, 6, 1))
    with pytest.raises(ServiceError, match="不在保障期内"):
        report(village, enrolment, event_on=datetime.date(2025, 5, 31))
    services.enrolment_remove(
        actor=village, enrolment=enrolment, removed_on=datetime.date(2025, 6, 10), reason="退保"
    )
    # The enrolment object passed in is stale (still "enrolled"): the service reads it again.
    with pytest.raises(ServiceError, match="已退保"):
        report(village, enrolment, event_on=datetime.date(2025, 6, 12))
    assert not Claim.objects.exists()
    assert not CareRecord.objects.filter(kind__code="insurance_claim").exists()


def test_claim_writes_the_family_care_log_and_runs_to_paid(county, village):
    year = policy_year(county)
    mother = parent(family(village, DAZHUANG))
    enrolment = enrol(village, year, mother)
    claim = report(village, enrolment)
    record = CareRecord.objects.get(kind__code="insurance_claim")
    assert record.family_id == mother.family_id and claim.care_record == record
    assert record.services == ["insurance"] and record.cares == ["hospital"]
    claim = services.claim_submit(actor=village, claim=claim, submitted_on=today())
    with pytest.raises(ServiceError, match="赔付金额"):
        services.claim_decide(
            actor=village, claim=claim, outcome="paid", decided_on=today(), amount_paid="-1"
        )
    claim = services.claim_decide(
        actor=village, claim=claim, outcome="paid", decided_on=today(), amount_paid="3200.50"
    )
    assert claim.status == Claim.Status.PAID
    claim = services.claim_close(actor=village, claim=claim)
    assert claim.status == Claim.Status.CLOSED
    figures = selectors.claim_figures(
        user=county, root=assoc("622923"), first=today(), last=today()
    )
    assert (figures.cases, figures.amount) == (1, Decimal("3200.50"))
    other = selectors.claim_figures(user=county, root=assoc(YANGUOXIA), first=today(), last=today())
    assert (other.cases, other.amount) == (0, Decimal("0.00"))


def test_refusal_needs_a_reason_and_a_stale_step_is_refused(county, village):
    claim = report(village, enrol(village, policy_year(county), parent(family(village, DAZHUANG))))
    claim = services.claim_submit(actor=village, claim=claim, submitted_on=today())
    with pytest.raises(ServiceError, match="拒赔原因"):
        services.claim_decide(actor=village, claim=claim, outcome="refused", decided_on=today())
    with pytest.raises(ServiceError):
        services.claim_submit(actor=village, claim=claim, submitted_on=today(), version=1)


def test_another_township_cannot_touch_our_claim(county, village, township2):
    claim = report(village, enrol(village, policy_year(county), parent(family(village, DAZHUANG))))
    with pytest.raises(NotAllowed):
        services.claim_submit(actor=township2, claim=claim, submitted_on=today())
    assert not selectors.claims(user=township2, filters=selectors.ClaimFilters(state="all"))


def test_overdue_claims_after_the_configured_days(county, village, township):
    claim = report(village, enrol(village, policy_year(county), parent(family(village, DAZHUANG))))
    services.claim_submit(actor=village, claim=claim, submitted_on=today())
    assert not selectors.overdue_claims(user=township).exists()
    with time_machine.travel(today() + datetime.timedelta(days=31), tick=False):
        assert list(selectors.overdue_claims(user=township)) == [claim]
        services.settings_update(actor=county, overdue_days=60)
        assert not selectors.overdue_claims(user=township).exists()


def test_claim_document_is_checked(county, village, uploads_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    claim = report(village, enrol(village, policy_year(county), parent(family(village, DAZHUANG))))
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ServiceError, match="无法识别"):
        services.claim_document_add(actor=village, claim=claim, upload=bad)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    good = SimpleUploadedFile("诊断证明.pdf", pdf, content_type="application/pdf")
    document = services.claim_document_add(actor=village, claim=claim, upload=good)
    assert document.content_type == "application/pdf" and document.original_name == "理赔材料1.pdf"


# --- coverage ----------------------------------------------------------------------------------------


def test_coverage_insured_comes_from_enrolments_in_force(county, township, registry):
    root = assoc(LIUJIAXIA)
    total, _children = family_selectors.coverage(user=township, root=root)
    assert total.insured == 0
    year = policy_year(county)
    services.rule_enrol(actor=county, policy_year=year, rule=mothers_48())
    total, children = family_selectors.coverage(user=township, root=root)
    assert (total.families, total.insured) == (4, 2)
    by_code = {c.association.code: c.insured for c in children}
    assert by_code[DAZHUANG] == 1
    not_insured = family_selectors.coverage_family_ids(
        user=township, root=root, measure="insured", has=False
    )
    assert set(not_insured) == {registry["young"].pk, registry["very_old"].pk}
    # Not in force after the policy year ends.
    with time_machine.travel(year.ends_on + datetime.timedelta(days=1), tick=False):
        assert family_selectors.coverage(user=township, root=root)[0].insured == 0
