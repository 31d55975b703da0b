"""Enrolment by rule: "every active special-family parent aged 48 or more at the policy start".

`rule_preview` reads the people the rule selects and sorts them into added / already in / left
out (with the reason), with counts and one page of one group; `rule_enrol` writes the added ones,
all in one transaction with one audit row each. Both read the registry in primary-key order in
batches (`.iterator()`), and the write inserts each batch below the ORM (`fpa.core.bulk`), so
memory stays flat in the number of people. Running a rule twice adds nobody: the enrolments of
the year are looked up per batch by `subject_key`, and a unique constraint backs it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import bulk
from fpa.core.audit import audit_created_rows
from fpa.core.errors import ServiceError
from fpa.core.masking import mask_name
from fpa.core.scope import load_in_scope, require, require_in_scope
from fpa.insurance import rules
from fpa.insurance.models import Enrolment, PolicyYear
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

BATCH = 2000
PAGE = 50
GROUPS = ("added", "already", "left_out")


@dataclass
class Candidate:
    source: str
    key: str
    pk: int
    name: str
    association_id: int
    family_id: int | None
    has_id: bool
    birth_date: datetime.date | None
    sex: str
    deceased: bool
    reason: str = ""


@dataclass
class Preview:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    reasons: dict[str, int] = field(default_factory=dict)
    group: str = "added"
    page: int = 1
    rows: list[Candidate] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pages(self) -> int:
        return max(1, -(-self.counts.get(self.group, 0) // PAGE))


def _area(actor: User, rule: rules.Rule) -> Association:
    home = actor.home_association
    if not rule.area:
        if home is None:
            raise ServiceError(gettext("请选择范围。"), field="area")
        return home
    area = Association.objects.filter(code=rule.area).first()
    if area is None:
        raise ServiceError(gettext("所选协会不存在或不在您的管辖范围内。"), field="area")
    require_in_scope(actor, area)
    return area


def _birth_filters(prefix: str, rule: rules.Rule, start: datetime.date) -> Q:
    q = Q()
    if rule.age_min is not None:
        q &= Q(**{f"{prefix}birth_date__lte": rules.born_on_or_before(start, int(rule.age_min))})
    if rule.age_max is not None:
        latest_excluded = rules.born_on_or_before(start, int(rule.age_max) + 1)
        q &= Q(**{f"{prefix}birth_date__gt": latest_excluded})
    if rule.sex:
        q &= Q(**{f"{prefix}sex": rule.sex})
    return q


def _people(
    actor: User, rule: rules.Rule, area: Association, start: datetime.date
) -> QuerySet[Any, Any]:
    from fpa.families.models import Family, Person

    rows = Person.objects.visible_to(actor).filter(family__association__path__under=area.path)
    if rule.source == "parents":
        rows = rows.filter(role__in=[Person.Role.MOTHER, Person.Role.FATHER])
    if rule.family_kind:
        rows = rows.filter(family__kind=rule.family_kind)
    if rule.active_only:
        rows = rows.filter(family__status=Family.Status.ACTIVE, deceased_on__isnull=True)
    return rows.filter(_birth_filters("", rule, start)).values_list(
        "pk",
        "name",
        "family__association_id",
        "family_id",
        "id_number_hash",
        "birth_date",
        "sex",
        "deceased_on",
    )


def _members(
    actor: User, rule: rules.Rule, area: Association, start: datetime.date
) -> QuerySet[Any, Any]:
    from fpa.members.models import Member

    rows = Member.objects.visible_to(actor).filter(association__path__under=area.path)
    rows = rows.exclude(kind=Member.Kind.GROUP)
    if rule.member_kind:
        rows = rows.filter(kind=rule.member_kind)
    if rule.active_only:
        rows = rows.filter(status=Member.Status.ACTIVE)
    else:
        rows = rows.filter(status__in=[*Member.LIVE, Member.Status.DECEASED])
    return rows.filter(_birth_filters("", rule, start)).values_list(
        "pk", "name", "association_id", "pk", "id_number_hash", "birth_date", "sex", "status"
    )


def _volunteers(
    actor: User, rule: rules.Rule, area: Association, start: datetime.date
) -> QuerySet[Any, Any]:
    from fpa.volunteers.models import Volunteer

    rows = Volunteer.objects.visible_to(actor).filter(association__path__under=area.path)
    if rule.active_only:
        rows = rows.filter(status=Volunteer.Status.ACTIVE)
    return rows.filter(_birth_filters("", rule, start)).values_list(
        "pk", "name", "association_id", "pk", "id_number_hash", "birth_date", "sex", "status"
    )


SOURCES: dict[str, tuple[str, Callable[..., QuerySet[Any, Any]]]] = {
    "parents": (Enrolment.Source.PERSON, _people),
    "people": (Enrolment.Source.PERSON, _people),
    "members": (Enrolment.Source.MEMBER, _members),
    "volunteers": (Enrolment.Source.VOLUNTEER, _volunteers),
}


def _check(actor: User, policy_year: PolicyYear, rule: rules.Rule) -> PolicyYear:
    require(actor, "insurance.manage")
    policy: PolicyYear = load_in_scope(PolicyYear, actor, pk=policy_year.pk)
    if rule.source not in rules.SOURCE_CODES:
        raise ServiceError(gettext("请选择人员来源。"), field="source")
    for name in ("age_min", "age_max"):
        value = getattr(rule, name)
        if value is not None and not 0 <= int(value) <= 120:
            raise ServiceError(gettext("年龄应在0到120之间。"), field=name)
    if rule.sex not in ("", "M", "F"):
        raise ServiceError(gettext("性别取值不正确。"), field="sex")
    return policy


def rule_check(*, actor: User, policy_year: PolicyYear, rule: rules.Rule) -> PolicyYear:
    """Refuse at once what `rule_enrol` would refuse (a view does, before starting the job)."""
    return _check(actor, policy_year, rule)


def _batches(actor: User, policy: PolicyYear, rule: rules.Rule) -> Iterator[list[Candidate]]:
    """The selected people in primary-key order, a batch at a time, each sorted into its group."""
    source, query = SOURCES[rule.source]
    area = _area(actor, rule)
    rows = query(actor, rule, area, policy.starts_on).order_by("pk")
    product = policy.product
    batch: list[Candidate] = []

    def classify(chunk: list[Candidate]) -> list[Candidate]:
        keys = [c.key for c in chunk]
        known = dict(
            Enrolment.objects.filter(policy_year=policy, subject_key__in=keys).values_list(
                "subject_key", "status"
            )
        )
        for c in chunk:
            status = known.get(c.key)
            if status == Enrolment.Status.ENROLLED:
                c.reason = "already"
                continue
            c.reason = rules.left_out_reason(
                has_id=c.has_id,
                birth=c.birth_date,
                deceased=c.deceased,
                removed=status == Enrolment.Status.REMOVED,
                start=policy.starts_on,
                min_age=product.min_age,
                max_age=product.max_age,
            )
        return chunk

    for pk, name, association_id, family_id, id_hash, birth, sex, state in rows.iterator(
        chunk_size=BATCH
    ):
        batch.append(
            Candidate(
                source=source,
                key=f"{source}:{pk}",
                pk=pk,
                name=name,
                association_id=association_id,
                family_id=family_id if source == Enrolment.Source.PERSON else None,
                has_id=bool(id_hash),
                birth_date=birth,
                sex=sex or "",
                deceased=_deceased(source, state),
            )
        )
        if len(batch) >= BATCH:
            yield classify(batch)
            batch = []
    if batch:
        yield classify(batch)


def _deceased(source: str, state: Any) -> bool:
    """A person's `deceased_on` is a date; a member's or a volunteer's state is their status."""
    if source == Enrolment.Source.PERSON:
        return state is not None
    return bool(state == "deceased")


def group_of(candidate: Candidate) -> str:
    if candidate.reason == "already":
        return "already"
    return "left_out" if candidate.reason else "added"


def rule_preview(
    *, actor: User, policy_year: PolicyYear, rule: rules.Rule, group: str = "added", page: int = 1
) -> Preview:
    """Counts of who would be added, who is already in and who is left out (by reason), and
    page `page` of `group`. Reads no protected value."""
    policy = _check(actor, policy_year, rule)
    preview = Preview(group=group if group in GROUPS else "added", page=max(1, int(page)))
    first = (preview.page - 1) * PAGE
    for chunk in _batches(actor, policy, rule):
        for c in chunk:
            kind = group_of(c)
            if kind == preview.group and first <= preview.counts[kind] < first + PAGE:
                preview.rows.append(c)
            preview.counts[kind] += 1
            if kind == "left_out":
                preview.reasons[c.reason] = preview.reasons.get(c.reason, 0) + 1
    return preview


def _identity(source: str, pks: list[int]) -> dict[int, tuple[Any, Any]]:
    """(name, ID number) of a batch, decrypted only now, for the enrolments' protected copies."""
    from fpa.families.models import Person
    from fpa.members.models import Member
    from fpa.volunteers.models import Volunteer

    models: dict[str, Any] = {
        Enrolment.Source.PERSON: Person,
        Enrolment.Source.MEMBER: Member,
        Enrolment.Source.VOLUNTEER: Volunteer,
    }
    model = models[source]
    return {
        pk: (name, number)
        for pk, name, number in model.objects.filter(pk__in=pks).values_list(
            "pk", "name", "id_number"
        )
    }


def rule_enrol(
    *,
    actor: User,
    policy_year: PolicyYear,
    rule: rules.Rule,
    on_batch: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Enrol everyone the rule adds, in one transaction, one audit row each. `on_batch(read,
    written)` reports progress (and may raise to cancel: everything rolls back)."""
    policy = _check(actor, policy_year, rule)
    today = timezone.localdate()
    if today > policy.ends_on:
        raise ServiceError(gettext("该保险年度已结束，不能再参保。"), field="policy_year")
    start = max(policy.starts_on, today)
    read = written = 0
    counts = dict.fromkeys(GROUPS, 0)
    with transaction.atomic():
        PolicyYear.objects.select_for_update().filter(pk=policy.pk).first()
        for chunk in _batches(actor, policy, rule):
            read += len(chunk)
            for c in chunk:
                counts[group_of(c)] += 1
            adding = [c for c in chunk if not c.reason]
            written += _write(actor, policy, adding, start, today)
            if on_batch is not None:
                on_batch(read, written)
    return {**counts, "written": written}


def _write(
    actor: User,
    policy: PolicyYear,
    adding: list[Candidate],
    start: datetime.date,
    today: datetime.date,
) -> int:
    if not adding:
        return 0
    identity = _identity(adding[0].source, [c.pk for c in adding])
    ids = bulk.reserve_ids(Enrolment, len(adding))
    paths = dict(
        Association.objects.filter(pk__in={c.association_id for c in adding}).values_list(
            "pk", "path"
        )
    )
    rows = []
    for pk, c in zip(ids, adding, strict=True):
        name, number = identity[c.pk]
        rows.append(
            {
                "id": pk,
                "policy_year_id": policy.pk,
                "association_id": c.association_id,
                "source": c.source,
                "subject_key": c.key,
                "person_id": c.pk if c.source == Enrolment.Source.PERSON else None,
                "family_id": c.family_id,
                "member_id": c.pk if c.source == Enrolment.Source.MEMBER else None,
                "volunteer_id": c.pk if c.source == Enrolment.Source.VOLUNTEER else None,
                "name": name,
                "id_number": number,
                "birth_date": c.birth_date,
                "sex": c.sex,
                "covered_from": start,
                "covered_to": policy.ends_on,
                "enrolled_on": today,
                "by_rule": True,
                "enrolled_by_id": actor.pk,
            }
        )
    bulk.insert(Enrolment, rows)
    audit_created_rows(
        actor=actor,
        groups=[
            (
                Enrolment,
                ((row, paths[row["association_id"]], mask_name(row["name"])) for row in rows),
                ("created_at", "updated_at"),
            )
        ],
    )
    return len(rows)
