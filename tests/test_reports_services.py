"""Reports up the chain: the registry and the kinds, derivation against the modules' own figures,
the checks, the workflow (submit, return with a reason, resubmit, accept; refused steps), the
frozen snapshot, the custom kinds and due dates, the to-dos and the events."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from fpa.accounts.roles import Role
from fpa.activities import selectors as activity_selectors
from fpa.core import events
from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.todo import todos_for
from fpa.families import services as family_services
from fpa.families.models import CareKind, Family
from fpa.families.reports import Month
from fpa.families.selectors import monthly_report_for
from fpa.organizations.models import Association
from fpa.reports import checks, selectors, services
from fpa.reports.fields import QUARTER, YEAR, last_complete, parse_period, registered_fields
from fpa.reports.kinds import ANNUAL, MEMBERS, MONTHLY_SPECIAL, ORGANISATION, WARMTH
from fpa.reports.models import CustomField, CustomKind, Report, ReportEvidence, ReportStep
from tests.activities_helpers import held
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, make_user
from tests.reports_helpers import (
    assoc,
    family,
    last_month,
    opened,
    sheet_of,
    stored,
    submitted,
    visit,
)

MONTHLY = MONTHLY_SPECIAL


@pytest.fixture
def heard() -> Any:
    """The events published, as the notifications app would hear them."""
    got: list[events.Event] = []
    handler = events.listen(got.append)
    yield got
    events._handlers.remove(handler)


# --- the registry and the periods ------------------------------------------------------------


def test_installed_modules_derive_their_fields_and_the_rest_is_entered_by_hand() -> None:
    fields = registered_fields()
    assert fields["families.special.total"].derived
    assert fields["projects.youth.events"].derived
    assert fields["members.total"].derived
    assert "warmth.survey.households" not in fields
    assert fields["warmth.visits.routine.households"].derived
    assert not WARMTH.field("warmth.survey.households").derived
    assert WARMTH.field("warmth.survey.households").cumulative
    # every key of every kind has a field (declared by a module or entered by hand)
    for kind in (MONTHLY, WARMTH, ANNUAL, MEMBERS):
        assert all(kind.field(key).label for key in kind.keys)


def test_periods_parse_and_refuse_with_a_message() -> None:
    today = datetime.date(2026, 11, 20)
    assert parse_period(QUARTER, "2026-Q3", today=today).first == datetime.date(2026, 7, 1)
    assert parse_period(QUARTER, "", today=today).key == "2026-Q3"
    assert parse_period(YEAR, "", today=today).key == "2025"
    assert parse_period("month", "\uff12\uff10\uff12\uff16-10", today=today).last == datetime.date(
        2026, 10, 31
    )
    for bad in ("2026-13", "abc", "2027", "1999-01"):
        with pytest.raises(ValueError, match="报告期"):
            parse_period("month" if "-" in bad else YEAR, bad, today=today)


# --- derivation equals the module's own figure -------------------------------------------------


def test_monthly_figures_are_the_families_monthly_report(township, township2) -> None:
    month = last_month()
    mine = [family(township, DAZHUANG) for _ in range(2)]
    family(township, DAZHUANG, Family.Kind.DISABLED_CHILD, registered_on=month.first)
    visit(township, mine[0])
    visit(township, mine[1])
    visit(township2, family(township2, SHANGQUAN))  # another township: never counted
    derived = selectors.derived_figures(
        user=township, kind=MONTHLY, association=assoc(LIUJIAXIA), period=month
    )
    own = monthly_report_for(
        user=township, area=assoc(LIUJIAXIA), month=Month(month.first, month.last)
    ).total
    assert own is not None
    assert derived["families.special.total"].value == own.families == 3
    assert derived["families.special.disabled"].value == own.disabled == 1
    assert derived["families.new.disabled"].value == own.new_disabled == 1
    assert derived["families.care_records"].value == own.care_records == 2
    assert "month=" in derived["families.care_records"].url


def test_activity_figures_are_the_activities_tallies(township) -> None:
    held(township, DAZHUANG, category="youth", members=7, youth=5)
    held(township, LIUJIAXIA, category="youth", members=3, youth=0)
    year = timezone.localtime(timezone.now() - datetime.timedelta(days=1)).year
    period = parse_period(YEAR, str(year), today=timezone.localdate())
    derived = selectors.derived_figures(
        user=township, kind=ANNUAL, association=assoc(LIUJIAXIA), period=period
    )
    figures = activity_selectors.figures(user=township, association=assoc(LIUJIAXIA), year=year)
    assert derived["projects.youth.events"].value == figures.get("activities", "youth") == 2
    assert derived["projects.youth.people"].value == figures.get("people", "youth")
    assert derived["projects.publicity.events"].value == 0


def test_warmth_insurance_claims_are_the_insurance_modules_year_to_date(
    client_for, county, township, village
) -> None:
    """The 暖心行动 report's 保险理赔 comes from `insurance.selectors.claim_figures` from the
    start of the period's year to its end; the claims behind each figure are frozen with it."""
    from fpa.insurance import selectors as insurance_selectors
    from fpa.insurance import services as insurance_services
    from tests import insurance_helpers as ins

    period = last_complete(QUARTER, timezone.localdate())
    inside = period.first + datetime.timedelta(days=10)
    with time_machine.travel(datetime.datetime.combine(inside, datetime.time(10)), tick=False):
        year = ins.policy_year(county, year=inside.year)
        claim = ins.report(
            village, ins.enrol(village, year, ins.parent(ins.family(village, DAZHUANG)))
        )
        claim = insurance_services.claim_submit(actor=village, claim=claim, submitted_on=inside)
        insurance_services.claim_decide(
            actor=village, claim=claim, outcome="paid", decided_on=inside, amount_paid="800.00"
        )
    derived = selectors.derived_figures(
        user=township, kind=WARMTH, association=assoc(LIUJIAXIA), period=period
    )
    own = insurance_selectors.claim_figures(
        user=township,
        root=assoc(LIUJIAXIA),
        first=datetime.date(period.last.year, 1, 1),
        last=period.last,
    )
    assert derived["insurance.claims.cases"].value == own.cases == 1
    assert derived["insurance.claims.amount"].value == own.amount == Decimal("800.00")
    records = derived["insurance.claims.cases"].records
    assert records is not None and list(records()) == [claim.pk]
    assert WARMTH.field("insurance.claims.amount").cumulative
    # Each figure clicks through to the claims behind it (reported, resp. decided, in the dates).
    for key in ("insurance.claims.cases", "insurance.claims.amount"):
        page = client_for(township).get(derived[key].url)
        assert [c.pk for c in page.context["page"].items] == [claim.pk]
        assert 'id="figure-filter"' in page.text
    earlier = derived["insurance.claims.cases"].url.replace(
        f"to={period.last.isoformat()}", f"to={period.first.isoformat()}"
    )
    earlier = earlier.replace(f"from={period.last.year}-01-01", f"from={period.first.isoformat()}")
    assert client_for(township).get(earlier).context["page"].items == []
    # another township's report does not count it
    other = selectors.derived_figures(
        user=county, kind=WARMTH, association=assoc(YANGUOXIA), period=period
    )
    assert other["insurance.claims.cases"].value == 0


def test_warmth_visits_and_psychological_help_come_from_the_care_log(
    client_for, township, township2
) -> None:
    """走访慰问落实 and 心理健康服务 (households, people) from the start of the period's year to its
    end: households with a care record of the kind, and their living people (the child who died
    is not counted); other kinds, last year and another township do not count."""
    period = last_complete(QUARTER, timezone.localdate())
    inside = period.last - datetime.timedelta(days=3)
    last_year = datetime.date(period.last.year - 1, 12, 30)
    kinds = {k.code: k for k in CareKind.objects.all()}

    def log(actor: Any, target: Family, code: str, day: datetime.date) -> None:
        family_services.care_log(actor=actor, family=target, kind=kinds[code], occurred_on=day)

    both = family(township, DAZHUANG)  # mother + the child who died: 1 living person
    log(township, both, "routine_visit", inside)
    log(township, both, "routine_visit", inside - datetime.timedelta(days=1))  # same household
    log(township, both, "counselling", inside)
    festive = family(township, DAZHUANG)
    log(township, festive, "festival_visit", inside)
    log(township, festive, "routine_visit", last_year)  # before the year: not counted
    log(township, festive, "phone_call", inside)  # not a kind of this report
    log(township2, family(township2, SHANGQUAN), "routine_visit", inside)  # another township
    derived = selectors.derived_figures(
        user=township, kind=WARMTH, association=assoc(LIUJIAXIA), period=period
    )
    values = {key: figure.value for key, figure in derived.items() if key.startswith("warmth.")}
    assert values == {
        "warmth.visits.routine.households": 1,
        "warmth.visits.routine.people": 1,
        "warmth.visits.festival.households": 1,
        "warmth.visits.festival.people": 1,
        "warmth.visits.birthday.households": 0,
        "warmth.visits.birthday.people": 0,
        "warmth.visits.hospital.households": 0,
        "warmth.visits.hospital.people": 0,
        "warmth.visits.emergency.households": 0,
        "warmth.visits.emergency.people": 0,
        "warmth.mental.households": 1,
        "warmth.mental.people": 1,
    }
    routine = derived["warmth.visits.routine.households"]
    assert routine.records is not None and list(routine.records()) == [both.pk]
    assert WARMTH.field("warmth.visits.routine.people").cumulative
    # The figure clicks through to the same households; another township sees none of them.
    listed = client_for(township).get(routine.url)
    assert [row.url for row in listed.context["rows"]] == [f"/families/{both.pk}/"]
    assert "日常走访" in listed.text
    foreign = client_for(township2).get(routine.url)
    assert foreign.status_code == 200 and foreign.context["rows"] == []


def test_member_figures_freeze_the_members_behind_them(client_for, township, township2) -> None:
    """The member report's figures come from the tallies; submitted, each keeps the ids of the
    active members it counts, and a type's figure clicks through to the member list."""
    from tests.members_helpers import member

    woman = member(township, DAZHUANG)
    man = member(township, DAZHUANG, sex="M", kind="resident")
    member(township2, SHANGQUAN)  # another township
    hand = {"members.bereaved": "0", "members.childbearing": "1", "members.youth": "0"}
    report = submitted(township, MEMBERS, **hand)
    evidence = {e.key: e for e in ReportEvidence.objects.filter(report=report)}
    assert stored(report)["members.total"] == 2
    assert sorted(evidence["members.total"].record_ids) == sorted([woman.pk, man.pk])
    assert evidence["members.male"].record_ids == [man.pk]
    assert evidence["members.resident"].record_ids == [man.pk]
    assert evidence["members.individual"].record_ids == [woman.pk]
    assert evidence["members.total"].model == "members.member"
    listed = client_for(township).get(evidence["members.resident"].url)
    assert [m.pk for m in listed.context["page"].items] == [man.pk]


def test_annual_and_organisation_figures_come_from_the_modules(
    client_for, county, township, township2, village, finance
) -> None:
    """Fund grants paid in the year (households helped, 慰问救助 money, 圆梦微心愿), volunteer teams
    and current pairings, open sites, villages and enterprise associations: each figure equals
    its module's records in the subtree, keeps them when frozen and clicks through to them."""
    from fpa.activities import services as activity_services
    from fpa.fund import services as fund_services
    from fpa.volunteers import services as volunteer_services
    from tests import fund_helpers as fh
    from tests.activities_helpers import site
    from tests.volunteers_helpers import active

    fund = fh.county_fund(county)
    fh.give(finance, fund, "20000")
    relief = fh.paid_grant(village, township, county, finance, fh.family_in(township, DAZHUANG))
    wish = fh.notice_over(
        fh.approved_grant(
            village, township, county, fh.family_in(township, DAZHUANG, n=31), code="5108"
        )
    )
    wish = fund_services.grant_pay(actor=finance, grant=wish, source_account=fh.acct("1002"))
    fh.grant_for(township2, fh.family_in(township2, SHANGQUAN, n=32))  # not paid, elsewhere
    helper = active(township, DAZHUANG, name="结对志愿")
    volunteer_services.team_create(
        actor=township, association=assoc(LIUJIAXIA), level="brigade", name="镇志愿队"
    )
    volunteer_services.pairing_create(
        actor=township,
        volunteer=helper,
        family=fh.family_in(township, DAZHUANG, n=33),
        start_date=timezone.localdate(),
    )
    home = site(township, DAZHUANG)
    from tests.test_activities_pool import expert

    trainer = expert(county, "622923", name="县讲师")
    retired = expert(township, LIUJIAXIA, name="退库讲师")
    activity_services.expert_update(
        actor=township, expert=retired, version=retired.version, active=False
    )
    site(township, DAZHUANG, kind="youth_base", name="青春健康基地")
    site(township, DAZHUANG, name="筹建中的会员之家", status="planned", opened_on=None)
    year = parse_period(YEAR, str(timezone.localdate().year), today=timezone.localdate())
    derived = selectors.derived_figures(
        user=township, kind=ANNUAL, association=assoc(LIUJIAXIA), period=year
    )
    values = {key: derived[key].value for key in derived if not key.startswith("projects.")}
    assert values["annual.helped.households"] == 2
    assert values["annual.relief.amount"] == relief.amount
    assert (values["annual.wishes"], values["annual.wishes.amount"]) == (1, wish.amount)
    assert (values["volunteers.teams"], values["annual.pairings"]) == (1, 1)
    assert values["annual.bases"] == 1
    assert values["annual.trainers"] == 0  # the county's pool is above 刘家峡镇
    county_figures = selectors.derived_figures(
        user=county, kind=ANNUAL, association=assoc("622923"), period=year
    )
    assert county_figures["annual.trainers"].value == 1  # the retired one is not counted
    trainers = county_figures["annual.trainers"].records
    assert trainers is not None and list(trainers()) == [trainer.pk]
    villages = Association.objects.filter(parent__code=LIUJIAXIA, kind="village").count()
    assert values["annual.villages"] == villages
    organisation = selectors.derived_figures(
        user=township, kind=ORGANISATION, association=assoc(LIUJIAXIA), period=year
    )
    assert (organisation["org.sites"].value, organisation["org.member_homes"].value) == (2, 1)
    records = organisation["org.member_homes"].records
    assert records is not None and list(records()) == [home.pk]
    relief_records = derived["annual.relief.amount"].records
    assert relief_records is not None and list(relief_records()) == [relief.pk]
    # The grants behind a figure, on the grant list; another township's staff see none of them.
    listed = client_for(township).get(derived["annual.wishes"].url)
    assert [g.pk for g in listed.context["page"].items] == [wish.pk]
    assert 'id="figure-filter"' in listed.text
    assert client_for(township2).get(derived["annual.wishes"].url).context["page"].items == []
    # Another township's figures count none of this.
    other = selectors.derived_figures(
        user=county, kind=ANNUAL, association=assoc(YANGUOXIA), period=year
    )
    assert other["annual.helped.households"].value == other["annual.pairings"].value == 0


# --- the checks ----------------------------------------------------------------------------------


def test_a_total_that_is_not_the_sum_of_its_parts_is_refused() -> None:
    values = {key: Decimal(1) for key in MONTHLY.keys}
    values["families.special.total"] = Decimal(5)
    problems = checks.check(MONTHLY, values, derived=set())
    assert [p.key for p in problems] == ["families.special.total"]
    assert "应等于" in problems[0].message and "（3）" in problems[0].message
    assert problems[0].blocking
    values["families.special.total"] = Decimal(3)
    assert checks.check(MONTHLY, values, derived=set()) == []


def test_a_missing_hand_figure_is_named() -> None:
    values: dict[str, Decimal | None] = {key: Decimal(0) for key in WARMTH.keys}
    values["warmth.events"] = None
    problems = checks.check(WARMTH, values, derived=set())
    assert [p.message for p in problems] == ["「服务活动场次」未填写。"]


def _warmth(value: int, **extra: Any) -> dict[str, Any]:
    figures = {key: str(value) for key in WARMTH.keys}
    figures.update(extra)
    return figures


def test_a_cumulative_figure_cannot_fall_below_last_quarter(township, county) -> None:
    today = timezone.localdate()
    year = today.year - 1  # two quarters of one year, both past
    earlier = parse_period(QUARTER, f"{year}-Q2", today=today)
    this = parse_period(QUARTER, f"{year}-Q3", today=today)
    first = services.report_open(
        actor=township, association=assoc(LIUJIAXIA), kind=WARMTH, period=earlier
    )
    services.report_submit(actor=township, report=first, values=_warmth(10))
    services.report_accept(actor=county, report=first)
    report = services.report_open(
        actor=township, association=assoc(LIUJIAXIA), kind=WARMTH, period=this
    )
    with pytest.raises(ServiceError, match="本年累计数，不能少于上期的10"):
        services.report_submit(actor=township, report=report, values=_warmth(9))
    assert Report.objects.get(pk=report.pk).status == "draft"
    services.report_submit(actor=township, report=report, values=_warmth(12))
    # the first quarter of the next year starts again from zero
    fresh = services.report_open(
        actor=township,
        association=assoc(LIUJIAXIA),
        kind=WARMTH,
        period=parse_period(QUARTER, f"{year + 1}-Q1", today=today),
    )
    services.report_submit(actor=township, report=fresh, values=_warmth(1))


def test_subordinates_accepted_figures_must_add_up_to_the_rollup(township, village) -> None:
    period = last_complete(QUARTER, timezone.localdate())
    below = services.report_open(
        actor=village, association=assoc(DAZHUANG), kind=WARMTH, period=period
    )
    services.report_submit(actor=village, report=below, values=_warmth(4))
    services.report_accept(actor=township, report=below)
    report = services.report_open(
        actor=township, association=assoc(LIUJIAXIA), kind=WARMTH, period=period
    )
    sheet = sheet_of(township, report)
    # the roll-up is offered: the township's hand figures start from its villages' sum
    assert {line.value for line in sheet.lines if not line.derived} == {Decimal(4)}
    # the insurance claims are derived (no claim here), not offered from the villages' sum
    assert {line.value for line in sheet.lines if line.derived} == {Decimal(0)}
    with pytest.raises(ServiceError, match="少于下级已审核上报数之和4"):
        services.report_submit(
            actor=township, report=report, values=_warmth(5, **{"warmth.events": "3"})
        )
    services.report_submit(actor=township, report=report, values=_warmth(6))
    assert stored(Report.objects.get(pk=report.pk))["warmth.events"] == 6


def test_bad_typed_figures_are_refused_with_the_field_named(township) -> None:
    report = opened(township, WARMTH)
    for text, message in (("abc", "应为数字"), ("-1", "不能为负数"), ("1.5", "应为整数")):
        with pytest.raises(ServiceError, match=message) as caught:
            services.report_save(actor=township, report=report, values={"warmth.events": text})
        assert caught.value.field == "warmth.events"
    assert stored(report) == {}
    yearly = opened(township, ORGANISATION)  # a hand money field: thousands separators read
    services.report_save(actor=township, report=yearly, values={"org.appropriation": "1,234.50"})
    assert stored(yearly) == {"org.appropriation": Decimal("1234.50")}


# --- the workflow ---------------------------------------------------------------------------------


def test_submit_return_fix_resubmit_accept_keeps_the_history(
    township, county, heard, django_capture_on_commit_callbacks
) -> None:
    visit(township, family(township, DAZHUANG))
    with django_capture_on_commit_callbacks(execute=True):
        report = submitted(township)
    assert report.status == "submitted"
    assert [e.kind for e in heard] == ["reports.submitted"]
    assert county.pk in heard[0].recipients
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(actor=county, report=report, reason="帮扶记录与台账不符，请核对")
    report.refresh_from_db()
    assert report.status == "returned" and report.reason == "帮扶记录与台账不符，请核对"
    returned = heard[-1]
    assert returned.kind == "reports.returned" and township.pk in returned.recipients
    assert returned.reason == "帮扶记录与台账不符，请核对"
    assert "刘家峡" in returned.title and "母亲" not in returned.title
    # the township sees the reason as a notice on its home page
    notices = [n for t in todos_for(township) for n in t.notices]
    assert [n.reason for n in notices] == ["帮扶记录与台账不符，请核对"]
    services.report_submit(actor=township, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(actor=county, report=Report.objects.get(pk=report.pk))
    report.refresh_from_db()
    assert report.status == "accepted" and report.decided_by == county
    actions = list(ReportStep.objects.filter(report=report).values_list("action", "reason"))
    assert actions == [
        ("submit", ""),
        ("return", "帮扶记录与台账不符，请核对"),
        ("submit", ""),
        ("accept", ""),
    ]
    assert heard[-1].kind == "reports.accepted"
    assert (
        AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk)).count()
        >= 5
    )


def test_a_village_cannot_accept_its_own_report(village, township) -> None:
    report = submitted(village)
    with pytest.raises(NotAllowed):
        services.report_accept(actor=village, report=report)  # no report.review either
    # a township staff with the review capability cannot accept its own township's report
    own = submitted(township)
    with pytest.raises(NotAllowed, match="不能审核本级"):
        services.report_accept(actor=township, report=own)
    assert Report.objects.get(pk=own.pk).status == "submitted"


def test_the_submitter_never_accepts_their_own_submission(yongjing, county) -> None:
    # A county user with both roles submits the county's report: a colleague at the county
    # cannot accept it either (the county reviews only what lies below it).
    report = submitted(county)
    colleague = make_user("county2", "622923", Role.COUNTY_ADMIN)
    for actor in (county, colleague):
        with pytest.raises(NotAllowed):
            services.report_accept(actor=actor, report=report)


def test_steps_from_the_wrong_state_conflict(township, county) -> None:
    report = submitted(township)
    with pytest.raises(Conflict):
        services.report_submit(actor=township, report=report)
    services.report_accept(actor=county, report=report)
    for step in (
        lambda: services.report_submit(actor=township, report=report),
        lambda: services.report_accept(actor=county, report=report),
        lambda: services.report_return(actor=county, report=report, reason="再看看"),
        lambda: services.report_save(actor=township, report=report, values={}),
    ):
        with pytest.raises(Conflict):
            step()
    assert Report.objects.get(pk=report.pk).status == "accepted"


def test_a_return_needs_a_reason(township, county) -> None:
    report = submitted(township)
    with pytest.raises(ServiceError, match="请填写退回原因"):
        services.report_return(actor=county, report=report, reason=" ")
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_another_township_another_role_and_anonymous_are_refused(
    township, township2, county, auditor, volunteer
) -> None:
    report = submitted(township)
    with pytest.raises(NotAllowed):
        services.report_return(actor=township2, report=report, reason="不是我的")
    with pytest.raises(NotAllowed):
        services.report_submit(actor=township2, report=opened(township, WARMTH))
    anyone: list[Any] = [auditor, volunteer, None]
    for actor in anyone:
        with pytest.raises(NotAllowed):
            services.report_accept(actor=actor, report=report)
        with pytest.raises(NotAllowed):
            services.report_open(
                actor=actor, association=assoc(LIUJIAXIA), kind=MONTHLY, period=last_month()
            )
    # the county opens only its own association's report, not a township's
    with pytest.raises(NotAllowed, match="本级"):
        services.report_open(
            actor=county, association=assoc(YANGUOXIA), kind=MONTHLY, period=last_month()
        )
    assert Report.objects.get(pk=report.pk).status == "submitted"


# --- frozen ---------------------------------------------------------------------------------------


def test_an_accepted_report_is_frozen_and_the_diff_shows_later_visits(township, county) -> None:
    mine = family(township, DAZHUANG)
    first = visit(township, mine)
    report = submitted(township)
    services.report_accept(actor=county, report=report)
    evidence = ReportEvidence.objects.get(report=report, key="families.care_records")
    assert evidence.record_ids == [first.pk] and evidence.model == "families.carerecord"
    # a later visit dated in the reported month
    visit(township, mine)
    frozen = sheet_of(county, report)
    line = next(x for x in frozen.lines if x.key == "families.care_records")
    assert line.value == 1 and line.live is None  # the figures do not move
    compared = sheet_of(county, report, live=True)
    line = next(x for x in compared.lines if x.key == "families.care_records")
    assert (line.value, line.live, line.changed) == (1, 2, True)
    assert ReportEvidence.objects.get(pk=evidence.pk).record_ids == [first.pk]


# --- the county's settings ----------------------------------------------------------------------


def test_the_county_adds_a_custom_kind_of_hand_fields(county, township) -> None:
    made = services.custom_kind_create(
        actor=county,
        code="door_visits",
        name="入户宣传情况",
        periodicity="month",
        fields=[("入户宣传", "户"), ("发放资料", "份"), ("", "")],
    )
    kind = selectors.kind_get("custom.door_visits")
    assert kind is not None and kind.label == "入户宣传情况" and len(kind.keys) == 2
    assert made.fields.count() == 2
    report = opened(township, kind)
    key = kind.keys[0]
    with pytest.raises(ServiceError, match="未填写"):
        services.report_submit(actor=township, report=report, values={key: "3"})
    services.report_submit(actor=township, report=report, values={k: "3" for k in kind.keys})
    with pytest.raises(NotAllowed):
        services.custom_kind_create(
            actor=township, code="mine", name="乡镇报表", periodicity="month", fields=[("a", "")]
        )
    with pytest.raises(ServiceError, match="代码"):
        services.custom_kind_create(
            actor=county, code="坏代码", name="报表", periodicity="month", fields=[("a", "")]
        )


def test_custom_kinds_apply_to_the_subtree_that_set_them(county, township, township2) -> None:
    """A kind set by one association is offered below it only: not to a neighbour, and a key
    typed by hand from elsewhere is not found."""
    services.custom_kind_create(
        actor=county, code="door", name="入户宣传", periodicity="month", fields=[("入户", "户")]
    )
    neighbour = CustomKind.objects.create(
        association=township2.home_association,
        code="yanguo_only",
        name="盐锅峡专报",
        periodicity="month",
        created_by=township2,
    )
    CustomField.objects.create(kind=neighbour, sort=1, label="项目", unit="个")
    assert "custom.door" in {k.key for k in selectors.kinds(township)}
    assert "custom.yanguo_only" not in {k.key for k in selectors.kinds(township)}
    assert "custom.yanguo_only" in {k.key for k in selectors.kinds(township2)}
    assert selectors.kind_get("custom.yanguo_only", township) is None
    assert selectors.kind_get("custom.yanguo_only", township2) is not None
    province = make_user("province", "62", Role.COUNTY_ADMIN)
    assert not {k.key for k in selectors.kinds(province)} & {"custom.door", "custom.yanguo_only"}


def test_a_retired_custom_kind_is_no_longer_offered_and_its_reports_stay(county, township) -> None:
    made = services.custom_kind_create(
        actor=county, code="door", name="入户宣传", periodicity="month", fields=[("入户", "户")]
    )
    kind = selectors.kind_get("custom.door", township)
    assert kind is not None
    report = opened(township, kind)
    services.report_submit(actor=township, report=report, values={k: "2" for k in kind.keys})
    with pytest.raises(NotAllowed):
        services.custom_kind_set_active(actor=township, kind=made, active=False)
    province = make_user("province", "62", Role.COUNTY_ADMIN)
    with pytest.raises(NotAllowed, match="本级设置"):
        services.custom_kind_set_active(actor=province, kind=made, active=False)
    before = AuditEvent.objects.count()
    services.custom_kind_set_active(actor=county, kind=made, active=False)
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("pk").reason == "停用自定义报表"
    assert "custom.door" not in {k.key for k in selectors.kinds(township)}
    assert selectors.kind_get("custom.door", township) is None  # not offered for a new report
    assert selectors.kind_get(report.kind) is not None  # the filed one still reads
    services.custom_kind_set_active(actor=county, kind=made, active=True)
    assert "custom.door" in {k.key for k in selectors.kinds(township)}


def test_the_county_sets_a_due_date_and_late_reports_are_flagged(county, township) -> None:
    period = last_month()
    services.due_date_set(
        actor=county, kind=MONTHLY, period=period, due_on=period.last + datetime.timedelta(days=1)
    )
    rows = selectors.subordinates(
        user=county, association=assoc("622923"), kind=MONTHLY, period=period
    )
    assert rows and all(r.due_on == period.last + datetime.timedelta(days=1) for r in rows)
    assert all(r.late for r in rows) and all(r.status == "not_started" for r in rows)
    submitted(township)
    rows = selectors.subordinates(
        user=county, association=assoc("622923"), kind=MONTHLY, period=period
    )
    mine = next(r for r in rows if r.association.code == LIUJIAXIA)
    assert mine.status == "submitted" and not mine.late
    with pytest.raises(NotAllowed):
        services.due_date_set(actor=township, kind=MONTHLY, period=period, due_on=period.last)


def test_reports_to_review_are_a_todo_of_the_level_above(township, county) -> None:
    submitted(township)
    todo = {t.key: t.count for t in todos_for(county)}
    assert todo["reports.to_review"] == 1
    assert "reports.to_review" not in {t.key for t in todos_for(township)}


def test_the_demo_files_reports_in_every_state(county, township, village) -> None:
    from fpa.reports.demo import seed_reports

    assert seed_reports(county=county, township=township, village=village) == {"reports": 4}
    states = sorted(Report.objects.values_list("status", flat=True))
    assert states == ["accepted", "accepted", "draft", "returned"]
    assert [n.title for t in todos_for(township) for n in t.notices]


def test_only_the_level_directly_above_reviews(village, township, county) -> None:
    report = submitted(village)
    with pytest.raises(NotAllowed, match="直接下级"):
        services.report_accept(actor=county, report=report)
    services.report_accept(actor=township, report=report)
    assert Report.objects.get(pk=report.pk).status == "accepted"


def test_a_due_date_set_above_moves_the_submitters_to_do(county, township) -> None:
    """The to-do "due within 3 days" / "late" follows the date the county set, not only the
    kind's rule: a date set far ahead takes the report out of the to-dos, one already past makes
    it late."""
    today = timezone.localdate()
    period = last_complete(MONTHLY.periodicity, today)

    def todo() -> dict[str, int]:
        return {t.key: t.count for t in todos_for(township) if t.key.startswith("reports.")}

    services.due_date_set(
        actor=county, kind=MONTHLY, period=period, due_on=today + datetime.timedelta(days=30)
    )
    far = todo()
    services.due_date_set(
        actor=county, kind=MONTHLY, period=period, due_on=today - datetime.timedelta(days=1)
    )
    past = todo()
    assert past.get("reports.late", 0) == far.get("reports.late", 0) + 1
    assert selectors.due_for(assoc(LIUJIAXIA), MONTHLY, period) == today - datetime.timedelta(
        days=1
    )
