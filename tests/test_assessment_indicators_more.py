"""The computed indicators the owning modules declare beside the task book's (issue 16): needs
closed on time (families), current filings (organisations), volunteer hours per 1,000 members
(volunteers) and monthly reports submitted on time (reports). Each is built from real records
made through the modules' services in 刘家峡镇, with a record after the round's cut-off and one
in 盐锅峡镇 that must not count, and each reads the owning module's one selector (the same
number as the selector's)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from fpa.assessment.registry import Measure, registered_indicators
from fpa.assessment.rules import ratio
from fpa.families import selectors as family_selectors
from fpa.families import services as family_services
from fpa.members import selectors as member_selectors
from fpa.organizations import selectors as org_selectors
from fpa.organizations import services as org_services
from fpa.organizations.models import Association
from fpa.reports import selectors as report_selectors
from fpa.reports import services as report_services
from fpa.reports.fields import MONTH, period_containing
from fpa.reports.kinds import MONTHLY_SPECIAL
from fpa.volunteers import selectors as volunteer_selectors
from fpa.volunteers import services as volunteer_services
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, staff_in
from tests.fund_helpers import family_in
from tests.members_helpers import member
from tests.volunteers_helpers import active as active_volunteer

pytestmark = pytest.mark.django_db

YEAR = 2026
CUTOFF = datetime.date(2026, 11, 30)
EMPTY = "622923102"  # a township of 永靖县 where nothing is recorded here

NEW_KEYS = (
    "families.needs_closed_on_time",
    "organizations.filings_current",
    "volunteers.hours_per_thousand_members",
    "reports.monthly_on_time",
)


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def on(day: datetime.date) -> Any:
    """Travel to 10 o'clock of `day` (the services stamp their own dates)."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10)), tick=False)


def compute(key: str, user: Any, code: str, cutoff: datetime.date = CUTOFF) -> Measure:
    return registered_indicators()[key].compute(user, assoc(code), YEAR, cutoff)


def parts(measure: Measure) -> tuple[Decimal, Decimal, Decimal]:
    return measure.numerator, measure.denominator, measure.value


def test_the_new_indicators_are_declared_by_their_modules() -> None:
    found = registered_indicators()
    for key in NEW_KEYS:
        indicator = found[key]
        assert indicator.name and indicator.formula and indicator.unit
        assert indicator.default_target > 0
    assert found["volunteers.hours_per_thousand_members"].unit == "小时/千名会员"
    assert found["families.needs_closed_on_time"].compute.__module__ == "fpa.families.indicators"
    assert found["organizations.filings_current"].compute.__module__ == (
        "fpa.organizations.indicators"
    )
    assert found["reports.monthly_on_time"].compute.__module__ == "fpa.reports.indicators"


# --- needs closed on time -------------------------------------------------------------------------


def _need(actor: Any, family: Any, due: datetime.date | None, text: str) -> Any:
    return family_services.need_raise(actor=actor, family=family, description=text, due_date=due)


def _close(actor: Any, need: Any, day: datetime.date) -> None:
    with on(day):
        family_services.need_update(actor=actor, need=need, status="resolved", result="已办结")


def test_needs_closed_on_time(county: Any, township: Any, township2: Any) -> None:
    with on(datetime.date(2026, 3, 1)):
        ours = family_in(township, DAZHUANG, name="诉求母亲甲", n=41)
        theirs = family_in(township2, SHANGQUAN, name="诉求母亲乙", n=42)
        kept = _need(township, ours, datetime.date(2026, 3, 10), "申请临时救助")
        late = _need(township, ours, datetime.date(2026, 3, 10), "协调就医")
        _need(township, ours, datetime.date(2026, 4, 1), "协调住房")  # still open: due, not done
        after = _need(township, ours, datetime.date(2026, 12, 15), "节日慰问")
        _need(township, ours, None, "心理疏导")  # no deadline: nothing to keep
        last_year = _need(township, ours, datetime.date(2025, 12, 20), "去年的诉求")
        elsewhere = _need(township2, theirs, datetime.date(2026, 3, 10), "外镇诉求")
        answered = _need(township, ours, datetime.date(2026, 5, 1), "无法解决的诉求")
    _close(township, kept, datetime.date(2026, 3, 5))
    _close(township, late, datetime.date(2026, 3, 20))
    _close(township, after, datetime.date(2026, 3, 2))  # due after the cut-off: not counted
    _close(township, last_year, datetime.date(2026, 3, 2))
    _close(township2, elsewhere, datetime.date(2026, 3, 5))
    with on(datetime.date(2026, 4, 20)):  # answered as unresolvable (办结) in time: on time
        family_services.need_update(
            actor=township, need=answered, status="closed", result="政策不允许，已答复"
        )

    # due by the cut-off: kept, late, open, answered; closed by the deadline: kept, answered
    measure = compute("families.needs_closed_on_time", county, LIUJIAXIA)
    assert parts(measure) == (2, 4, Decimal("50.00"))
    assert family_selectors.needs_closed_on_time(
        user=county, root=assoc(LIUJIAXIA), year=YEAR, until=CUTOFF
    ) == (2, 4)
    # the whole year counts the need due in December too (closed early: on time)
    whole = compute("families.needs_closed_on_time", county, LIUJIAXIA, datetime.date(2026, 12, 31))
    assert parts(whole) == (3, 5, Decimal("60.00"))
    # 盐锅峡镇 counts its own need only; read as the user sees it: nothing outside their subtree
    assert parts(compute("families.needs_closed_on_time", county, YANGUOXIA)) == (
        1,
        1,
        Decimal("100.00"),
    )
    assert parts(compute("families.needs_closed_on_time", township2, LIUJIAXIA)) == (0, 0, 0)
    assert parts(compute("families.needs_closed_on_time", county, EMPTY)) == (0, 0, 0)


# --- current filings (备案) -----------------------------------------------------------------------


def test_filings_in_force_on_the_cutoff(county: Any, township: Any, township2: Any) -> None:
    liujiaxia = assoc(LIUJIAXIA)
    villages = list(Association.objects.filter(parent=liujiaxia).order_by("code"))
    second, third = [v.code for v in villages if v.code != DAZHUANG][:2]
    with on(datetime.date(2026, 3, 1)):
        # the township files with the county; 大庄村 files with the township
        own = org_services.filing_submit(
            actor=township, association=liujiaxia, person=staff_in(township, LIUJIAXIA)
        )
        org_services.filing_accept(actor=county, filing=own)
        first = org_services.filing_submit(
            actor=county, association=assoc(DAZHUANG), person=staff_in(county, DAZHUANG)
        )
        org_services.filing_accept(actor=township, filing=first)
        # the second village's person leaves before the cut-off: stale by then
        gone = staff_in(county, second)
        stale = org_services.filing_submit(actor=county, association=assoc(second), person=gone)
        org_services.filing_accept(actor=township, filing=stale)
        # 盐锅峡镇 files too: not counted in 刘家峡镇
        theirs = org_services.filing_submit(
            actor=township2, association=assoc(YANGUOXIA), person=staff_in(township2, YANGUOXIA)
        )
        org_services.filing_accept(actor=county, filing=theirs)
        # submitted but never accepted by the cut-off
        org_services.filing_submit(
            actor=county, association=assoc(third), person=staff_in(county, third)
        )
    with on(datetime.date(2026, 10, 1)):
        org_services.staff_end_term(actor=county, staff=gone, left_on=datetime.date(2026, 10, 1))
    with on(datetime.date(2026, 12, 10)):
        # after the cut-off: 大庄村 files its successor (superseding the filing in force on the
        # cut-off), and the third village's filing is accepted
        successor = org_services.filing_submit(
            actor=county, association=assoc(DAZHUANG), person=staff_in(county, DAZHUANG)
        )
        org_services.filing_accept(actor=township, filing=successor)
        pending = org_selectors.filings_to_review(user=township).get()
        org_services.filing_accept(actor=township, filing=pending)
    first.refresh_from_db()
    assert first.status == first.Status.SUPERSEDED

    filers = 1 + len(villages)  # the township and each village below it
    measure = compute("organizations.filings_current", county, LIUJIAXIA)
    assert parts(measure) == (2, filers, ratio(Decimal(2), Decimal(filers), per=Decimal(100)))
    assert org_selectors.filings_current(user=county, root=liujiaxia, on=CUTOFF) == (2, filers)
    # by the year's end the third village's filing is in force too, and 大庄村's successor
    assert org_selectors.filings_current(
        user=county, root=liujiaxia, on=datetime.date(2026, 12, 31)
    ) == (3, filers)
    # before anything was accepted: none
    assert org_selectors.filings_current(
        user=county, root=liujiaxia, on=datetime.date(2026, 2, 1)
    ) == (0, filers)
    # one rule: today, the associations counted as filed are exactly those not listed missing
    with on(datetime.date(2026, 12, 20)):
        filed, due = org_selectors.filings_current(
            user=township, root=liujiaxia, on=datetime.date(2026, 12, 20)
        )
        missing = org_selectors.filings_missing(user=township, size=500).items
    assert (filed, due) == (3, filers)
    assert len(missing) == due - filed
    assert {a.code for a in missing}.isdisjoint({LIUJIAXIA, DAZHUANG, third})
    # read as the user sees it; a township out of sight counts nothing
    assert parts(compute("organizations.filings_current", township2, LIUJIAXIA)) == (0, 0, 0)
    yanguoxia = compute("organizations.filings_current", county, YANGUOXIA)
    assert yanguoxia.numerator == 1


# --- volunteer hours per 1,000 members -----------------------------------------------------------


def _hours(actor: Any, code: str, volunteer: Any, day: datetime.date, hours: str) -> None:
    service = volunteer_services.service_create(
        actor=actor,
        association=assoc(code),
        title="走访陪伴",
        date=day,
        hours=Decimal(hours),
        risky=False,
    )
    volunteer_services.hours_record(actor=actor, service=service, volunteer=volunteer, hours=hours)


def test_volunteer_hours_per_thousand_members(
    county: Any, township: Any, township2: Any, village: Any
) -> None:
    with on(datetime.date(2026, 12, 20)):
        member(village, DAZHUANG, approver=township)
        member(village, DAZHUANG, approver=township)
        member(township2, SHANGQUAN)
        helper = active_volunteer(village, DAZHUANG)
        other = active_volunteer(township2, SHANGQUAN)
        _hours(village, DAZHUANG, helper, datetime.date(2026, 6, 1), "4.5")
        _hours(village, DAZHUANG, helper, datetime.date(2026, 12, 10), "2")  # after the cut-off
        _hours(village, DAZHUANG, helper, datetime.date(2025, 12, 30), "3")  # last year
        _hours(township2, SHANGQUAN, other, datetime.date(2026, 6, 1), "6")  # another township
        measure = compute("volunteers.hours_per_thousand_members", county, LIUJIAXIA)
        members = member_selectors.counts(user=county, association=assoc(LIUJIAXIA))
        hours = volunteer_selectors.confirmed_hours_under(
            user=county, association=assoc(LIUJIAXIA), year=YEAR, until=CUTOFF
        )
        whole_year = volunteer_selectors.confirmed_hours_under(
            user=county, association=assoc(LIUJIAXIA), year=YEAR
        )
        empty = compute("volunteers.hours_per_thousand_members", county, EMPTY)
        hidden = compute("volunteers.hours_per_thousand_members", township2, LIUJIAXIA)
    # 4.5 hours / 2 members * 1000
    assert parts(measure) == (Decimal("4.5"), 2, Decimal("2250.00"))
    assert (hours, members.figures["total"]) == (measure.numerator, measure.denominator)
    assert whole_year == Decimal("6.5")  # the overview page's figure: the whole year
    assert parts(empty) == (0, 0, 0)
    assert parts(hidden) == (0, 0, 0)


# --- monthly reports submitted on time -----------------------------------------------------------


def _monthly(actor: Any, association: Association, month: int, submitted: datetime.date) -> None:
    with on(submitted):
        report = report_services.report_open(
            actor=actor,
            association=association,
            kind=MONTHLY_SPECIAL,
            period=period_containing(MONTH, datetime.date(YEAR, month, 1)),
        )
        report_services.report_submit(actor=actor, report=report)


def test_monthly_reports_submitted_on_time(
    county: Any, township: Any, township2: Any, village: Any
) -> None:
    liujiaxia = assoc(LIUJIAXIA)
    with on(datetime.date(2026, 1, 10)):  # the county gives April's report until 20 May
        report_services.due_date_set(
            actor=county,
            kind=MONTHLY_SPECIAL,
            period=period_containing(MONTH, datetime.date(YEAR, 4, 1)),
            due_on=datetime.date(2026, 5, 20),
        )
    _monthly(township, liujiaxia, 1, datetime.date(2026, 2, 3))  # due 5 February: on time
    _monthly(township, liujiaxia, 2, datetime.date(2026, 3, 10))  # due 5 March: late
    _monthly(village, assoc(DAZHUANG), 3, datetime.date(2026, 4, 2))  # on time
    _monthly(village, assoc(DAZHUANG), 4, datetime.date(2026, 5, 15))  # by the county's date
    _monthly(township, liujiaxia, 11, datetime.date(2026, 12, 1))  # due 5 December: after
    _monthly(township2, assoc(YANGUOXIA), 1, datetime.date(2026, 2, 1))  # another township

    # each filer (the township and its villages) owes December 2025 to October 2026 by the
    # cut-off: 11 reports each, whether opened or not
    filers = 1 + Association.objects.filter(parent=liujiaxia).count()
    due = 11 * filers
    measure = compute("reports.monthly_on_time", county, LIUJIAXIA)
    assert parts(measure) == (3, due, ratio(Decimal(3), Decimal(due), per=Decimal(100)))
    assert report_selectors.monthly_reports_on_time(
        user=county, association=liujiaxia, year=YEAR, until=CUTOFF
    ) == (3, due)
    # the whole year adds November (due 5 December, submitted on 1 December)
    assert report_selectors.monthly_reports_on_time(
        user=county, association=liujiaxia, year=YEAR
    ) == (4, 12 * filers)
    # a village alone
    assert report_selectors.monthly_reports_on_time(
        user=county, association=assoc(DAZHUANG), year=YEAR, until=CUTOFF
    ) == (2, 11)
    # nothing due yet by 4 January (December's report is due on the 5th)
    early = compute("reports.monthly_on_time", county, LIUJIAXIA, datetime.date(2026, 1, 4))
    assert parts(early) == (0, 0, 0)
    assert parts(compute("reports.monthly_on_time", township2, LIUJIAXIA)) == (0, 0, 0)
    yanguoxia = compute("reports.monthly_on_time", county, YANGUOXIA)
    assert yanguoxia.numerator == 1


def test_a_returned_report_submitted_again_after_its_due_date_is_late(
    county: Any, township: Any
) -> None:
    liujiaxia = assoc(LIUJIAXIA)
    _monthly(township, liujiaxia, 1, datetime.date(2026, 2, 3))
    report = report_selectors.report_find(
        user=township, association=liujiaxia, kind=MONTHLY_SPECIAL.key, period="2026-01"
    )
    assert report is not None
    with on(datetime.date(2026, 2, 4)):
        report_services.report_return(actor=county, report=report, reason="数字有误，请核对")
    assert (
        report_selectors.monthly_reports_on_time(
            user=county, association=liujiaxia, year=YEAR, until=datetime.date(2026, 2, 28)
        )[0]
        == 0
    )
    with on(datetime.date(2026, 2, 9)):
        report_services.report_submit(actor=township, report=report)
    assert (
        report_selectors.monthly_reports_on_time(
            user=county, association=liujiaxia, year=YEAR, until=datetime.date(2026, 2, 28)
        )[0]
        == 0
    )
