"""健康家庭创建 (plan measure 8), the services: a village nominates, the township recommends or
not, the county names or not; every rule and every refusal (outside the scope, another
township, a village or a township deciding above its level, a wrong year, a stale version, a
reopened refusal), each refusal changing nothing; consent to publish recorded with its text's
version; the to-do counts; the counts per township in one query; the demo seeder.

`nominate` is the helper the other healthy-family test files import."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from fpa.core import consent
from fpa.core.demo import DemoCast
from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.todo import todos_for
from fpa.healthyfamilies import demo, rules, selectors, services
from fpa.healthyfamilies.models import Nomination, NominationStep
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA
from tests.test_excel_engine import fullwidth

pytestmark = pytest.mark.django_db
HONGLIU = "622923100202"  # another village of 刘家峡镇
THIS_YEAR = timezone.localdate().year
REASON = "家庭和睦，坚持定期体检，积极参加健康讲座。"
_sequence = iter(range(1, 10**6))


def nominate(actor: Any, code: str = DAZHUANG, **overrides: Any) -> Nomination:
    """A nomination made through the real service (a new household each time)."""
    n = next(_sequence)
    data: dict[str, Any] = {
        "year": THIS_YEAR,
        "household_name": f"张{n}户",
        "members_count": 4,
        "address": f"{n}号",
        "reason": REASON,
    }
    data.update(overrides)
    return services.nomination_create(
        actor=actor, association=Association.objects.get(code=code), **data
    )


def recommended(village: Any, township: Any, **overrides: Any) -> Nomination:
    n = nominate(village, **overrides)
    return services.nomination_review(
        actor=township, nomination=n, recommend=True, opinion="同意推荐"
    )


def awarded(village: Any, township: Any, county: Any, **overrides: Any) -> Nomination:
    n = recommended(village, township, **overrides)
    return services.nomination_award(actor=county, nomination=n, award=True, document="永计协1号")


def consent_version() -> int:
    return consent.current(rules.CONSENT_PURPOSE).version


def fresh(n: Nomination) -> Nomination:
    return Nomination.objects.get(pk=n.pk)


def audits(n: Nomination, action: str = "update") -> Any:
    return AuditEvent.objects.filter(
        object_type="healthyfamilies.nomination", object_id=str(n.pk), action=action
    ).order_by("id")


# --- the pure rules -------------------------------------------------------------------------------


def test_nominations_take_this_year_and_last_year_only() -> None:
    assert rules.year_problem(2026, 2026) is None and rules.year_problem(2025, 2026) is None
    assert "2026" in str(rules.year_problem(2027, 2026)) and rules.year_problem(2024, 2026)
    assert rules.year_problem(None, 2026)
    # nothing before the reform plan's year
    assert rules.nomination_years(2023) == (2023,)
    assert rules.list_years(2025) == [2025, 2024, 2023]


def test_the_public_name_needs_the_familys_consent() -> None:
    assert rules.public_name("王五", True) == "王五"
    assert rules.public_name("王五", False) == "某户（未公开姓名）"


# --- nominating -----------------------------------------------------------------------------------


def test_a_village_nominates_a_family_audited_with_its_first_step(village: Any) -> None:
    n = nominate(village, household_name="李 四", address="大庄村3号")
    assert n.status == Nomination.Status.NOMINATED and n.version == 1
    assert n.nominated_by == village and n.nominated_on == timezone.localdate()
    assert n.place_key == f"{DAZHUANG}-{n.pk:012d}" and not n.published
    assert n.public_name == "某户（未公开姓名）"
    row = audits(n, "create").get()
    assert row.action == "create" and row.changes["household_name"] == [None, "李 四"]
    assert row.scope_path == Association.objects.get(code=DAZHUANG).path
    step = NominationStep.objects.get(nomination=n)
    assert (step.from_status, step.to_status, step.recorded_by) == ("", "nominated", village)


def test_consent_to_publish_is_recorded_with_the_texts_version(village: Any) -> None:
    text = consent.current(rules.CONSENT_PURPOSE)  # installed by the app's data migration
    assert text.version == 1 and "撤回" in text.body
    n = nominate(village, publish_name=True, consent_version=text.version)
    assert n.published and n.consent == text and n.public_name == n.household_name


def test_an_outdated_or_missing_consent_version_is_refused_and_nothing_is_made(
    village: Any,
) -> None:
    consent.publish(
        actor=None, purpose=rules.CONSENT_PURPOSE, body="第二版公开户名同意书，可以撤回。"
    )
    for version in (1, None):
        with pytest.raises(ServiceError) as caught:
            nominate(village, publish_name=True, consent_version=version)
        assert caught.value.field == "consent" and "同意书已更新" in caught.value.message
    assert not Nomination.objects.exists()
    agreed = nominate(village, publish_name=True, consent_version=2).consent
    assert agreed is not None and agreed.version == 2


def test_a_village_cannot_nominate_outside_its_scope(village: Any, township: Any) -> None:
    for code in (HONGLIU, SHANGQUAN):
        with pytest.raises(NotAllowed, match="不在您的管辖范围内"):
            nominate(village, code)
    # the township nominates for any of its villages, never for another township's
    assert nominate(township, HONGLIU).association.code == HONGLIU
    with pytest.raises(NotAllowed):
        nominate(township, SHANGQUAN)
    assert Nomination.objects.count() == 1


def test_only_a_current_village_is_nominated(township: Any) -> None:
    with pytest.raises(ServiceError, match="村（社区）") as caught:
        nominate(township, LIUJIAXIA)
    assert caught.value.field == "association"
    Association.objects.filter(code=HONGLIU).update(valid_to=datetime.date(2024, 1, 1))
    with pytest.raises(ServiceError):
        nominate(township, HONGLIU)
    assert not Nomination.objects.exists()


def test_a_role_without_the_edit_capability_cannot_nominate(auditor: Any, finance: Any) -> None:
    for actor in (auditor, finance):
        with pytest.raises(NotAllowed, match="无权"):
            nominate(actor)
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("year", [THIS_YEAR + 1, THIS_YEAR - 2, 1999, fullwidth("202") + "x", None])
def test_a_wrong_year_is_refused(village: Any, year: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        nominate(village, year=year)
    assert caught.value.field == "year"
    assert not Nomination.objects.exists()


def test_last_year_is_still_open(village: Any) -> None:
    assert nominate(village, year=THIS_YEAR - 1).year == THIS_YEAR - 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "很好的家庭", "至少写10个字"),
        ("reason", "好" * 1001, "最多1000个字"),
        ("members_count", 0, "家庭人口"),
        ("members_count", 31, "家庭人口"),
        ("household_name", "张", "户名"),
        ("household_name", "张\u202e三", "改变文字方向"),
        ("address", "", "不能为空"),
        ("address", "大庄村\x00号", "控制字符"),
    ],
)
def test_field_rules_give_a_clear_message_and_change_nothing(
    village: Any, field: str, value: Any, message: str
) -> None:
    with pytest.raises(ServiceError, match=message) as caught:
        nominate(village, **{field: value})
    assert caught.value.field == field
    assert (
        not Nomination.objects.exists()
        and not AuditEvent.objects.filter(object_type="healthyfamilies.nomination").exists()
    )


def test_full_width_names_are_folded(village: Any) -> None:
    n = nominate(village, household_name=fullwidth("WANG") + "\u3000" + fullwidth("Wu"))
    assert n.household_name == "WANG Wu"


def test_the_same_household_is_nominated_once_a_year(village: Any) -> None:
    nominate(village, household_name="王五", address="大庄村8号")
    with pytest.raises(ServiceError, match="已被提名") as caught:
        nominate(village, household_name="王五", address="大庄村8号")
    assert caught.value.code == "duplicate"
    assert nominate(village, household_name="王五", address="大庄村8号", year=THIS_YEAR - 1)
    assert nominate(village, household_name="王五", address="大庄村9号")  # another family
    assert Nomination.objects.count() == 3


# --- correcting -----------------------------------------------------------------------------------


def test_the_village_corrects_a_nomination_before_the_review(village: Any, township: Any) -> None:
    n = nominate(village)
    n = services.nomination_update(
        actor=village, nomination=n, expected_version=1, members_count=5, address="大庄村10号"
    )
    assert (n.members_count, n.address, n.version) == (5, "大庄村10号", 2)
    row = audits(n).get()
    assert row.changes["members_count"] == [4, 5]
    # nothing changed: no new version, no audit row
    services.nomination_update(actor=village, nomination=n, expected_version=2, members_count=5)
    assert fresh(n).version == 2
    with pytest.raises(ServiceError) as caught:
        services.nomination_update(actor=village, nomination=n, year=THIS_YEAR + 1)
    assert caught.value.field == "year" and fresh(n).year == THIS_YEAR
    services.nomination_review(actor=township, nomination=n, recommend=True, opinion="同意")
    with pytest.raises(ServiceError, match="审核后不能再修改"):
        services.nomination_update(actor=village, nomination=n, members_count=6)
    assert fresh(n).members_count == 5


def test_a_stale_correction_is_refused_and_names_what_changed(village: Any) -> None:
    n = nominate(village)
    services.nomination_update(actor=village, nomination=n, expected_version=1, address="新址1号")
    with pytest.raises(Conflict, match="住址"):
        services.nomination_update(actor=village, nomination=n, expected_version=1, members_count=2)
    assert fresh(n).members_count == 4


# --- review, award, reopen ----------------------------------------------------------------------


def test_the_township_recommends_then_the_county_names(
    village: Any, township: Any, county: Any
) -> None:
    n = nominate(village)
    n = services.nomination_review(
        actor=township, nomination=n, recommend=True, opinion="事迹突出", expected_version=1
    )
    assert n.status == "recommended" and n.review_opinion == "事迹突出"
    assert n.reviewed_by == township and n.version == 2
    n = services.nomination_award(
        actor=county,
        nomination=n,
        award=True,
        document="永计协〔2026〕3号",  # noqa: RUF001
        expected_version=2,
    )
    assert n.status == "awarded" and n.decided_by == county and n.decision_document
    steps = [s.to_status for s in selectors.nomination_steps(nomination=n)]
    assert steps == ["nominated", "recommended", "awarded"]
    assert [a.changes["status"] for a in audits(n)] == [
        ["nominated", "recommended"],
        ["recommended", "awarded"],
    ]


def test_the_county_may_decline_with_its_opinion(village: Any, township: Any, county: Any) -> None:
    n = recommended(village, township)
    with pytest.raises(ServiceError, match="不予命名须填写"):
        services.nomination_award(actor=county, nomination=n, award=False, opinion=" ")
    n = services.nomination_award(
        actor=county, nomination=n, award=False, opinion="名额已满", document="忽略"
    )
    assert n.status == "not_awarded" and n.decision_document == ""


def test_a_township_cannot_review_another_townships_nomination(
    village: Any, township2: Any
) -> None:
    n = nominate(village)
    with pytest.raises(NotAllowed, match="不在您的管辖范围内"):
        services.nomination_review(actor=township2, nomination=n, recommend=True, opinion="同意")
    assert fresh(n).status == "nominated" and fresh(n).version == 1


def test_a_village_can_neither_review_nor_award(village: Any, township: Any) -> None:
    n = nominate(village)
    with pytest.raises(NotAllowed, match="无权"):
        services.nomination_review(actor=village, nomination=n, recommend=True, opinion="同意")
    n = services.nomination_review(actor=township, nomination=n, recommend=True, opinion="同意")
    with pytest.raises(NotAllowed, match="无权"):
        services.nomination_award(actor=village, nomination=n, award=True)
    assert fresh(n).status == "recommended"


def test_a_township_cannot_award(village: Any, township: Any) -> None:
    n = recommended(village, township)
    with pytest.raises(NotAllowed, match="县级或以上"):
        services.nomination_award(actor=township, nomination=n, award=True)
    assert fresh(n).status == "recommended"


def test_the_county_may_review_in_place_of_a_township(village: Any, county: Any) -> None:
    n = nominate(village)
    n = services.nomination_review(actor=county, nomination=n, recommend=True, opinion="同意")
    assert n.status == "recommended"


def test_steps_must_come_in_order(village: Any, township: Any, county: Any) -> None:
    n = nominate(village)
    with pytest.raises(ServiceError, match="乡镇已推荐"):
        services.nomination_award(actor=county, nomination=n, award=True)
    with pytest.raises(ServiceError, match="请填写乡镇意见"):
        services.nomination_review(actor=township, nomination=n, recommend=True, opinion="")
    with pytest.raises(ServiceError, match="改变文字方向"):
        services.nomination_review(
            actor=township, nomination=n, recommend=True, opinion="同意\u202e推荐"
        )
    with pytest.raises(ServiceError, match="最多300个字"):
        services.nomination_review(actor=township, nomination=n, recommend=True, opinion="好" * 301)
    n = services.nomination_review(actor=township, nomination=n, recommend=True, opinion="同意")
    with pytest.raises(ServiceError, match="只能审核"):
        services.nomination_review(actor=township, nomination=n, recommend=False, opinion="反悔")
    with pytest.raises(ServiceError, match="只有乡镇未推荐"):
        services.nomination_reopen(actor=township, nomination=n, reason="重新审核")
    assert fresh(n).status == "recommended" and fresh(n).version == 2


def test_a_stale_decision_is_refused(village: Any, township: Any, county: Any) -> None:
    n = nominate(village)
    services.nomination_update(actor=village, nomination=n, expected_version=1, reason=REASON * 2)
    with pytest.raises(Conflict, match="提名理由"):
        services.nomination_review(
            actor=township, nomination=n, recommend=True, opinion="同意", expected_version=1
        )
    assert fresh(n).status == "nominated"


def test_a_declined_nomination_is_reopened_by_the_township_with_a_reason(
    village: Any, township: Any, township2: Any
) -> None:
    n = nominate(village)
    n = services.nomination_review(
        actor=township, nomination=n, recommend=False, opinion="材料不全"
    )
    assert n.status == "not_recommended"
    # refused: no reason, a village, another township
    with pytest.raises(ServiceError, match="重新打开的原因"):
        services.nomination_reopen(actor=township, nomination=n, reason=" ")
    with pytest.raises(NotAllowed):
        services.nomination_reopen(actor=village, nomination=n, reason="已补充材料")
    with pytest.raises(NotAllowed):
        services.nomination_reopen(actor=township2, nomination=n, reason="已补充材料")
    assert fresh(n).status == "not_recommended"
    n = services.nomination_reopen(actor=township, nomination=n, reason="已补充材料")
    assert n.status == "nominated" and n.review_opinion == "" and n.reviewed_by is None
    last = selectors.nomination_steps(nomination=n)[-1]
    assert last.note == "重新打开：已补充材料" and last.from_status == "not_recommended"
    # and it is reviewed again
    n = services.nomination_review(actor=township, nomination=n, recommend=True, opinion="同意")
    assert n.status == "recommended"


# --- consent after the nomination ----------------------------------------------------------------


def test_consent_is_withdrawn_at_any_stage_and_given_later(
    village: Any, township: Any, county: Any
) -> None:
    n = awarded(village, township, county, publish_name=True, consent_version=consent_version())
    with pytest.raises(ServiceError, match="撤回同意的说明"):
        services.nomination_set_consent(actor=village, nomination=n, publish=False)
    n = services.nomination_set_consent(
        actor=village, nomination=n, publish=False, note="户主要求不公开"
    )
    assert not n.published and n.status == "awarded"
    row = audits(n).last()
    assert row is not None and "撤回" in row.reason and row.changes["consent"][1] is None
    with pytest.raises(ServiceError, match="尚未同意"):
        services.nomination_set_consent(actor=village, nomination=n, publish=False, note="再撤")
    n = services.nomination_set_consent(
        actor=village, nomination=n, publish=True, consent_version=consent_version()
    )
    assert n.published


def test_consent_changes_stay_in_scope(village: Any, township2: Any, auditor: Any) -> None:
    n = nominate(village)
    for actor in (township2, auditor):
        with pytest.raises(NotAllowed):
            services.nomination_set_consent(
                actor=actor, nomination=n, publish=True, consent_version=consent_version()
            )
    assert not fresh(n).published


# --- to-do and counts -----------------------------------------------------------------------------


def test_the_to_do_counts_what_waits_for_each_level(
    village: Any, township: Any, township2: Any, county: Any
) -> None:
    nominate(village)
    nominate(village)
    recommended(village, township)
    assert selectors.awaiting_review(user=township).count() == 2
    assert selectors.awaiting_award(user=township).count() == 0
    assert selectors.awaiting_review(user=county).count() == 0  # the county awards
    assert selectors.awaiting_award(user=county).count() == 1
    assert selectors.awaiting_review(user=township2).count() == 0
    assert selectors.awaiting_review(user=village).count() == 0
    kinds = {t.key: t for t in todos_for(township)}
    review = kinds["healthyfamilies.review"]
    assert review.count == 2 and review.url == "/healthy-families/?year=&status=nominated"
    assert "healthyfamilies.award" in {t.key for t in todos_for(county)}
    assert not {k for k in (t.key for t in todos_for(village)) if k.startswith("healthy")}


def test_counts_per_township_come_from_one_grouped_query(
    village: Any,
    township: Any,
    township2: Any,
    county: Any,
    django_assert_num_queries: Any,
) -> None:
    awarded(village, township, county)
    nominate(village)
    nominate(township, HONGLIU)
    nominate(township2, SHANGQUAN)
    nominate(village, year=THIS_YEAR - 1)  # another year: not counted
    with django_assert_num_queries(1):
        table = selectors.township_counts(selectors.nominations_in(user=county, year=THIS_YEAR))
    assert [(r.code, r.total) for r in table.rows] == [(LIUJIAXIA, 3), (YANGUOXIA, 1)]
    assert table.rows[0].of("awarded") == 1 and table.rows[0].of("nominated") == 2
    assert table.totals == {"awarded": 1, "nominated": 3} and table.total == 4
    # a township counts its own villages only
    own = selectors.township_counts(selectors.nominations_in(user=township, year=THIS_YEAR))
    assert [r.code for r in own.rows] == [LIUJIAXIA]


# --- demo -----------------------------------------------------------------------------------------


def test_the_demo_seeder_fills_every_stage(village: Any, township: Any, county: Any) -> None:
    cast = DemoCast(
        county=county,
        finance=None,
        township=township,
        townships={LIUJIAXIA: township},
        village=village,
        volunteer=None,
    )
    made = demo.seed(cast)
    assert made["nominations"] == 8 and made["awarded"] == 5
    statuses = set(Nomination.objects.values_list("status", flat=True))
    assert statuses == {"nominated", "recommended", "not_recommended", "awarded"}
    county_code = Association.objects.get(code="622923")
    names = [e.household for e in selectors.public_list(county=county_code, year=THIS_YEAR - 1)]
    assert len(names) == 4 and "某户（未公开姓名）" in names
