"""Reads of the special-family registry: who sees which family, search, the visit schedule and
coverage, and that their query counts do not grow with the number of families."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fpa.families import selectors, services
from fpa.families.models import (
    CareRecord,
    Contact,
    Family,
    FamilyScopedQuerySet,
    Need,
    Person,
    StatusChange,
    Support,
)
from tests import insurance_helpers as insurance
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, make_user
from tests.test_api import fullwidth
from tests.test_families_services import (
    HONGLIU,
    assign,
    assoc,
    care_kind,
    child,
    days_ago,
    father,
    mother,
    register,
    today,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def ids(queryset: Any) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def page_ids(page: Any) -> list[int]:
    return [f.pk for f in page.items]


def log(actor: Any, family: Family, kind: str, day: datetime.date) -> CareRecord:
    return services.care_log(actor=actor, family=family, kind=care_kind(kind), occurred_on=day)


def at(year: int, month: int, day: int) -> Any:
    return time_machine.travel(
        datetime.datetime(year, month, day, 10, 0, tzinfo=SHANGHAI), tick=False
    )


# --- who sees which family ------------------------------------------------------------------------


@pytest.fixture
def spread(township, township2) -> dict[str, Family]:
    return {
        "dazhuang": register(township, code=DAZHUANG),
        "hongliu": register(township, code=HONGLIU),
        "liujiaxia": register(township, code=LIUJIAXIA),
        "shangquan": register(township2, code=SHANGQUAN),
    }


def test_staff_see_their_subtree(spread, county, township, township2, village):
    every = {f.pk for f in spread.values()}
    assert ids(Family.objects.visible_to(county)) == every
    assert ids(Family.objects.visible_to(township)) == every - {spread["shangquan"].pk}
    assert ids(Family.objects.visible_to(township2)) == {spread["shangquan"].pk}
    assert ids(Family.objects.visible_to(village)) == {spread["dazhuang"].pk}
    assert ids(Person.objects.visible_to(village)) == ids(spread["dazhuang"].people.all())


def test_a_volunteer_sees_only_the_families_they_currently_look_after(
    spread, township, township2, volunteer
):
    assert ids(Family.objects.visible_to(volunteer)) == set()
    first = assign(township, spread["hongliu"], user=volunteer)
    assign(township2, spread["shangquan"], user=volunteer)  # outside their home village
    assign(township, spread["dazhuang"], name="别的联系人")
    assert ids(Family.objects.visible_to(volunteer)) == {
        spread["hongliu"].pk,
        spread["shangquan"].pk,
    }
    log(volunteer, spread["hongliu"], "phone_call", today())
    assert CareRecord.objects.visible_to(volunteer).count() == 1
    services.contact_end(actor=township, contact=first, end_date=today())
    assert ids(Family.objects.visible_to(volunteer)) == {spread["shangquan"].pk}
    assert CareRecord.objects.visible_to(volunteer).count() == 0
    assert Person.objects.visible_to(volunteer).filter(family=spread["hongliu"]).count() == 0


def test_the_set_form_and_the_wide_scope_form_see_the_same_rows(
    spread, county, township, township2, village, volunteer, monkeypatch
):
    """visible_to names the families as a set (subtree UNION looked after) for a county and
    below, and as `subtree OR looks after` for a province or the country; both must give the
    same rows for every family model, whoever asks."""
    province = make_user("province_admin", "62", "county_admin")
    assign(township2, spread["shangquan"], user=village)  # a village cadre looks after a family
    assign(township, spread["hongliu"], user=volunteer)  # of the neighbouring township
    care = log(village, spread["shangquan"], "phone_call", today())
    services.need_raise(actor=township, family=spread["dazhuang"], description="修缮房屋")
    models = (Family, Person, Contact, CareRecord, Need, Support, StatusChange)
    users = (province, county, township, township2, village, volunteer)

    def seen() -> dict[tuple[str, str], set[int]]:
        return {
            (m.__name__, u.username): ids(m.objects.visible_to(u)) for m in models for u in users
        }

    narrow = seen()
    monkeypatch.setattr(FamilyScopedQuerySet, "WIDE_SCOPE_DEPTH", 99)
    assert seen() == narrow
    assert narrow["Family", "village"] == {spread["dazhuang"].pk, spread["shangquan"].pk}
    assert narrow["CareRecord", "village"] == {care.pk}
    assert narrow["Family", "province_admin"] == {f.pk for f in spread.values()}
    assert narrow["Family", "volunteer"] == {spread["hongliu"].pk}


@pytest.mark.parametrize("persona", ["finance", "auditor", "sysadmin", "secadmin", "auditadmin"])
def test_roles_without_family_view_see_no_family(request, spread, township, persona):
    user = request.getfixturevalue(persona)
    services.need_raise(actor=township, family=spread["dazhuang"], description="修缮房屋")
    for model in (Family, Person, Contact, CareRecord, Need, Support, StatusChange):
        assert not model.objects.visible_to(user).exists(), model


def test_an_inactive_account_sees_nothing(spread, township, sysadmin):
    from fpa.accounts.services import user_update

    user_update(actor=sysadmin, user=township, full_name="", phone=None, is_active=False)
    assert not Family.objects.visible_to(township).exists()


# --- the list -------------------------------------------------------------------------------------


def test_family_list_search_by_name_pinyin_and_initials(township, township2):
    zhang = register(township, people=[mother(name="张桂兰")])
    liu = register(township, code=HONGLIU, people=[mother(name="刘秀英")])
    register(township2, code=SHANGQUAN, people=[mother(name="张桂芳")])

    def found(query: str, user: Any = township) -> list[int]:
        return page_ids(selectors.family_list(user=user, query=query))

    assert found("") == [zhang.pk, liu.pk]
    assert found("张桂") == [zhang.pk]
    assert found("秀英") == [liu.pk]
    assert found("zgl") == [zhang.pk]
    assert found("ZGL") == [zhang.pk]
    assert found("zhanggui") == [zhang.pk]
    assert found("zhang gui lan") == [zhang.pk]
    assert found(fullwidth("LXY")) == [liu.pk]  # as a Chinese input method types it
    assert found("wang") == []
    assert found("张桂", township2) != [zhang.pk]


def test_family_list_filters(township, volunteer):
    a = register(township)
    b = register(township, code=HONGLIU)
    c = register(township)
    services.family_change_status(
        actor=township, family=c, status="moved_out", effective_date=today(), reason="迁出"
    )
    assign(township, b, user=volunteer)

    def listed(**kwargs: Any) -> list[int]:
        return page_ids(selectors.family_list(user=township, **kwargs))

    assert listed() == [a.pk, b.pk]
    assert listed(status="") == [a.pk, b.pk, c.pk]
    assert listed(status="moved_out") == [c.pk]
    assert listed(association=assoc(HONGLIU)) == [b.pk]
    assert listed(association=assoc(LIUJIAXIA)) == [a.pk, b.pk]
    assert listed(ids=[b.pk, c.pk]) == [b.pk]
    assert listed(ids=[]) == []
    assert listed(mine=True) == []
    assert page_ids(selectors.family_list(user=volunteer, mine=True)) == [b.pk]
    first = selectors.family_list(user=township, status="", size=2)
    assert page_ids(first) == [a.pk, b.pk]
    second = selectors.family_list(user=township, status="", size=2, after=first.next_cursor)
    assert page_ids(second) == [c.pk]
    assert second.next_cursor is None


# --- the family page ------------------------------------------------------------------------------


def test_family_detail_and_the_payment_decision(township, county):
    family = register(
        township,
        people=[mother(birth=datetime.date(1970, 1, 1)), father(), child()],
        registered_on=datetime.date(2020, 5, 1),
    )
    services.rate_set(
        actor=county, kind="bereaved", monthly_amount=Decimal("800"), valid_from=days_ago(30)
    )
    services.rate_set(
        actor=county,
        kind="bereaved",
        monthly_amount=Decimal("999"),
        valid_from=today() + datetime.timedelta(days=30),
    )
    assign(township, family, name="村干部甲")
    log(township, family, "routine_visit", days_ago(3))
    detail = selectors.family_detail(user=township, family=family)
    assert [p.role for p in detail["people"]] == ["child", "father", "mother"]
    assert [c.name for c in detail["contacts"]] == ["村干部甲"]
    assert detail["decision"].eligible
    assert detail["decision"].monthly_amount == Decimal("800.00")
    kinds = [kind for _, kind, _ in detail["timeline"]]
    assert kinds[0] == "care"
    assert kinds[-1] == "registered"


def test_payment_decision_on_the_day_before_and_on_the_49th_birthday(township):
    with at(2026, 3, 14):
        family = register(township, people=[mother(birth=datetime.date(1977, 3, 15)), child()])
        people = list(family.people.all())
        before = selectors.payment_decision(family=family, people=people)
        assert not before.eligible
        assert before.eligible_from == datetime.date(2026, 3, 15)
    with at(2026, 3, 15):
        on_the_day = selectors.payment_decision(family=family, people=people)
        assert on_the_day.eligible
        assert on_the_day.monthly_amount == Decimal("590.00")


# --- the visit schedule ---------------------------------------------------------------------------


def overdue(family: Family, day: datetime.date | None = None) -> list[str]:
    (due,) = selectors.schedule(families=[Family.objects.get(pk=family.pk)], today=day)
    return due.overdue


@pytest.fixture
def cadre_family(township) -> Family:
    """A family with a village-cadre contact: a call every 7 days, a meeting every 30 days and 4
    home visits a year."""
    family = register(township, registered_on=days_ago(200))
    assign(township, family, name="村干部", role="village_cadre", start_date=days_ago(200))
    return family


def test_a_call_is_overdue_after_eight_days_without_one(township, cadre_family):
    log(township, cadre_family, "phone_call", days_ago(8))
    assert "电话联系（每7天）" in overdue(cadre_family)


def test_a_call_three_days_ago_is_not_overdue(township, cadre_family):
    log(township, cadre_family, "phone_call", days_ago(3))
    assert "电话联系（每7天）" not in overdue(cadre_family)
    assert "电话联系（每7天）" in overdue(cadre_family, today() + datetime.timedelta(days=5))


def test_a_meeting_counts_as_contact_and_is_due_every_thirty_days(township, cadre_family):
    assert set(overdue(cadre_family)) >= {"电话联系（每7天）", "见面联系（每30天）"}
    log(township, cadre_family, "birthday", days_ago(31))
    assert "见面联系（每30天）" in overdue(cadre_family)
    log(township, cadre_family, "counselling", days_ago(2))
    assert "见面联系（每30天）" not in overdue(cadre_family)
    assert "电话联系（每7天）" not in overdue(cadre_family)


def test_a_family_without_current_contacts_has_no_rules(township):
    family = register(township, registered_on=days_ago(400))
    contact = assign(township, family, name="临时联系人", start_date=days_ago(300))
    assert overdue(family)
    services.contact_end(actor=township, contact=contact, end_date=today())
    assert overdue(family) == []


@pytest.mark.parametrize(("visits", "late"), [(1, True), (2, False)])
def test_home_visits_are_due_pro_rata_by_quarter(township, visits, late):
    with at(2026, 7, 1):
        family = register(township, registered_on=datetime.date(2026, 1, 5))
        assign(township, family, name="村干部", start_date=datetime.date(2026, 1, 5))
        log(township, family, "routine_visit", datetime.date(2025, 12, 20))  # last year
        for day in [datetime.date(2026, 3, 1), datetime.date(2026, 5, 20)][:visits]:
            log(township, family, "festival_visit", day)
        log(township, family, "birthday", datetime.date(2026, 6, 1))  # a meeting, not a visit
        (due,) = selectors.schedule(families=[Family.objects.get(pk=family.pk)])
        assert due.home_visits_this_year == visits
        assert ("入户走访（今年1/4次）" in due.overdue) is late
        assert any(o.startswith("入户走访") for o in due.overdue) is late
    # A quarter earlier only one visit was due.
    (june,) = selectors.schedule(families=[family], today=datetime.date(2026, 6, 30))
    assert not any(o.startswith("入户走访") for o in june.overdue)


def visits_due(family: Family, day: datetime.date) -> list[str]:
    return [o for o in overdue(family, day) if o.startswith("入户走访")]


def test_home_visits_count_from_the_quarter_a_family_was_registered_in(township):
    family = register(township, registered_on=datetime.date(2026, 8, 10))
    assign(township, family, name="家庭医生", role="family_doctor")
    assert visits_due(family, datetime.date(2026, 9, 30)) == []
    assert visits_due(family, datetime.date(2026, 10, 1)) == ["入户走访（今年0/4次）"]
    older = register(township, registered_on=datetime.date(2025, 8, 10))
    assign(township, older, name="家庭医生", role="family_doctor")
    assert visits_due(older, datetime.date(2026, 3, 31)) == []
    assert visits_due(older, datetime.date(2026, 4, 1)) == ["入户走访（今年0/4次）"]


def test_the_strictest_rule_of_the_current_contacts_applies(township):
    family = register(township, registered_on=datetime.date(2026, 1, 10))
    assign(township, family, name="家庭医生", role="family_doctor")
    ten_days_on = datetime.date(2026, 1, 20)
    assert overdue(family, ten_days_on) == []  # a doctor: home visits only
    assign(township, family, name="志愿者", role="member_or_volunteer")
    assert overdue(family, ten_days_on) == ["电话联系（每7天）"]
    assign(township, family, name="村干部", role="village_cadre")
    assert overdue(family, datetime.date(2026, 2, 25)) == [
        "电话联系（每7天）",
        "见面联系（每30天）",
    ]
    assert overdue(family, datetime.date(2026, 4, 1)) == [
        "电话联系（每7天）",
        "见面联系（每30天）",
        "入户走访（今年0/4次）",
    ]


def test_my_due_lists_a_contacts_families_most_overdue_first(township, volunteer):
    fine = register(township, registered_on=days_ago(100))
    late = register(township, registered_on=days_ago(100))
    register(township, registered_on=days_ago(100))  # not theirs
    for family in (fine, late):
        assign(township, family, user=volunteer, start_date=days_ago(100))
    log(volunteer, fine, "routine_visit", days_ago(1))
    due = selectors.my_due(user=volunteer)
    assert [d.family.pk for d in due] == [late.pk, fine.pk]
    assert len(due[0].overdue) > len(due[1].overdue)


# --- coverage -------------------------------------------------------------------------------------


@pytest.fixture
def small_tree(county, township, township2) -> dict[str, Family]:
    """Four active families under 刘家峡镇 (three in villages, one at the township), one moved
    out, one in 盐锅峡镇."""
    families = {
        "full": register(township, code=DAZHUANG),
        "expired": register(township, code=DAZHUANG),
        "hongliu": register(township, code=HONGLIU),
        "township": register(township, code=LIUJIAXIA),
        "gone": register(township, code=DAZHUANG),
        "elsewhere": register(township2, code=SHANGQUAN),
    }

    def support(family: Family, kind: str, start: datetime.date, end: Any = None) -> None:
        services.support_add(
            actor=township if family is not families["elsewhere"] else township2,
            family=family,
            kind=kind,
            provider="卫生院",
            start_date=start,
            end_date=end,
        )

    full = families["full"]
    assign(township, full, name="联系人")
    support(full, Support.Kind.DOCTOR, days_ago(100), today())
    support(full, Support.Kind.GREEN_CHANNEL, days_ago(100))
    # Insured: a person of the family enrolled in a policy year in force today (计生保险).
    this_year = insurance.policy_year(county)
    insurance.enrol(township, this_year, insurance.parent(full))
    services.need_raise(actor=township, family=full, description="申请临时救助")
    expired = families["expired"]
    support(expired, Support.Kind.DOCTOR, days_ago(500), days_ago(1))  # an expired contract
    next_year = insurance.policy_year(county, this_year.product, year=today().year + 1)
    insurance.enrol(township, next_year, insurance.parent(expired))  # not yet in force
    ended = assign(township, expired, name="已调离")
    services.contact_end(actor=township, contact=ended, end_date=today())
    hongliu = families["hongliu"]
    assign(township, hongliu, name="联系人")
    support(hongliu, Support.Kind.DOCTOR, days_ago(10))
    # A support record of kind insurance is still kept and shown, but no longer counted.
    support(hongliu, Support.Kind.INSURANCE, days_ago(10))
    need = services.need_raise(actor=township, family=hongliu, description="已经办好")
    services.need_update(actor=township, need=need, status="resolved", result="已办结")
    gone = families["gone"]
    support(gone, Support.Kind.DOCTOR, days_ago(10))
    services.family_change_status(
        actor=township, family=gone, status="moved_out", effective_date=today(), reason="迁出"
    )
    support(families["elsewhere"], Support.Kind.DOCTOR, days_ago(10))
    return families


def measures(c: Any) -> tuple[int, ...]:
    return (
        c.families,
        c.with_contacts,
        c.with_doctor,
        c.with_green_channel,
        c.insured,
        c.open_needs,
    )


def test_coverage_per_child_and_in_total(small_tree, township):
    total, children = selectors.coverage(user=township, root=assoc(LIUJIAXIA))
    assert total.association.code == LIUJIAXIA
    assert measures(total) == (4, 2, 2, 1, 1, 1)
    by_code = {c.association.code: c for c in children}
    assert len(by_code) == 14
    assert measures(by_code[DAZHUANG]) == (2, 1, 1, 1, 1, 1)
    assert measures(by_code[HONGLIU]) == (1, 1, 1, 0, 0, 0)
    assert all(
        measures(c) == (0,) * 6 for code, c in by_code.items() if code not in {DAZHUANG, HONGLIU}
    )
    assert by_code[DAZHUANG].doctor_share == 50.0
    assert by_code[HONGLIU].contacts_share == 100.0
    assert not by_code[HONGLIU].full_coverage  # no green channel
    assert total.insured_share == 25.0
    empty = next(c for code, c in by_code.items() if code not in {DAZHUANG, HONGLIU})
    assert empty.doctor_share is None
    assert not empty.full_coverage


def test_coverage_rolls_villages_up_into_townships(small_tree, county, township2):
    total, children = selectors.coverage(user=county, root=assoc("622923"))
    by_code = {c.association.code: c for c in children}
    assert measures(total) == (5, 2, 3, 1, 1, 1)
    assert measures(by_code[LIUJIAXIA]) == (4, 2, 2, 1, 1, 1)
    assert measures(by_code[YANGUOXIA]) == (1, 0, 1, 0, 0, 0)
    assert sum(c.families for c in children) == 5
    # Another township's staff count nothing of 刘家峡镇.
    theirs, their_children = selectors.coverage(user=township2, root=assoc(LIUJIAXIA))
    assert measures(theirs) == (0,) * 6
    assert their_children == []


def test_coverage_click_through(small_tree, township, township2):
    root = assoc(LIUJIAXIA)

    def families(measure: str, has: bool, user: Any = township) -> set[int]:
        return set(selectors.coverage_family_ids(user=user, root=root, measure=measure, has=has))

    f = {name: family.pk for name, family in small_tree.items()}
    assert families("with_doctor", True) == {f["full"], f["hongliu"]}
    assert families("with_doctor", False) == {f["expired"], f["township"]}
    assert families("with_contacts", False) == {f["expired"], f["township"]}
    assert families("open_needs", True) == {f["full"]}
    assert families("insured", True) == {f["full"]}
    assert families("with_doctor", False, township2) == set()
    assert families("families", True) == set()  # not a measure
    listed = selectors.family_list(user=township, ids=sorted(families("with_doctor", False)))
    assert {x.pk for x in listed.items} == {f["expired"], f["township"]}


def test_visited_on_schedule_coverage_agrees_with_the_overdue_lists(township, township2):
    """The coverage page decides "on schedule" from SQL aggregates; the overdue lists from
    `schedule`. Both apply one rule, so they must agree family by family."""
    with at(2026, 7, 15):
        day = today()
        made = {
            "no contact": register(township, registered_on=datetime.date(2026, 1, 5)),
            "all done": register(township, registered_on=datetime.date(2026, 1, 5)),
            "late call": register(township, code=HONGLIU, registered_on=datetime.date(2026, 1, 5)),
            "few visits": register(township, registered_on=datetime.date(2026, 1, 5)),
            "doctor only": register(township, registered_on=datetime.date(2026, 6, 1)),
        }
        for name in ("all done", "late call", "few visits"):
            assign(township, made[name], name="村干部", start_date=datetime.date(2026, 1, 5))
        assign(township, made["doctor only"], name="医生", role="family_doctor")
        for name in ("all done", "few visits"):
            log(township, made[name], "phone_call", day - datetime.timedelta(days=2))
            log(township, made[name], "routine_visit", day - datetime.timedelta(days=10))
        log(township, made["late call"], "phone_call", day - datetime.timedelta(days=9))
        for month in (2, 4):
            log(township, made["all done"], "festival_visit", datetime.date(2026, month, 1))
            log(township, made["late call"], "festival_visit", datetime.date(2026, month, 1))
        expected = {f.pk for f in made.values() if not overdue(f, day)}
        # A doctor registered in June owes one home visit by the end of June (pro rata).
        assert {made["no contact"].pk, made["all done"].pk} == expected
        root = assoc(LIUJIAXIA)
        on = set(
            selectors.coverage_family_ids(user=township, root=root, measure="on_schedule", has=True)
        )
        off = set(
            selectors.coverage_family_ids(
                user=township, root=root, measure="on_schedule", has=False
            )
        )
        assert on == expected
        assert off == {f.pk for f in made.values()} - expected
        total, children = selectors.coverage(user=township, root=root)
        assert (total.families, total.on_schedule, total.schedule_share) == (5, 2, 40.0)
        by_code = {c.association.code: c for c in children}
        assert (by_code[HONGLIU].families, by_code[HONGLIU].on_schedule) == (1, 0)
        # Another township sees none of it.
        assert (
            selectors.coverage_family_ids(
                user=township2, root=root, measure="on_schedule", has=True
            )
            == []
        )


# --- query counts ---------------------------------------------------------------------------------


def grow(actor: Any, count: int) -> None:
    for i in range(count):
        family = register(
            actor,
            code=DAZHUANG if i % 2 else HONGLIU,
            people=[mother(), child()],
            registered_on=days_ago(100),
        )
        assign(actor, family, name="联系人", role="village_cadre" if i % 3 else "family_doctor")
        log(actor, family, "phone_call" if i % 2 else "routine_visit", days_ago(i % 20))
        services.support_add(
            actor=actor, family=family, kind="doctor", provider="卫生院", start_date=days_ago(5)
        )
        if i % 4 == 0:
            services.need_raise(actor=actor, family=family, description="诉求")


SCHEDULE_QUERIES = 2
COVERAGE_QUERIES = 2  # the children, then one grouped query over the families


def test_schedule_query_count_does_not_grow(township, django_assert_num_queries):
    for count in (3, 27):
        grow(township, count)
        families = list(Family.objects.visible_to(township).select_related("association"))
        with django_assert_num_queries(SCHEDULE_QUERIES):
            due = selectors.schedule(families=families)
        assert len(due) == len(families)
    assert len(due) == 30


def test_coverage_query_count_does_not_grow(township, django_assert_num_queries):
    root = assoc(LIUJIAXIA)
    for count in (3, 27):
        grow(township, count)
        fresh = type(township).objects.get(pk=township.pk)
        with django_assert_num_queries(COVERAGE_QUERIES):
            total, _ = selectors.coverage(user=fresh, root=root)
    assert total.families == 30
    assert total.with_doctor == 30
