"""Enrolling and removing one insured person (`insurance.edit`, in the person's scope)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import ServiceError, validate, within
from fpa.core.protected import Protected
from fpa.core.scope import load_in_scope, require, require_in_scope
from fpa.insurance import rules
from fpa.insurance.models import Enrolment, PolicyYear
from fpa.insurance.services.common import bump, locked

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.families.models import Family, Person
    from fpa.members.models import Member
    from fpa.organizations.models import Association
    from fpa.volunteers.models import Volunteer


@dataclass
class Subject:
    """A person from one of the registries, as an enrolment needs them."""

    source: str
    key: str
    association: Association
    name: str
    id_number: Protected | None
    birth_date: datetime.date | None
    sex: str
    deceased: bool
    person: Person | None = None
    family: Family | None = None
    member: Member | None = None
    volunteer: Volunteer | None = None


def subject_of(
    *,
    person: Person | None = None,
    member: Member | None = None,
    volunteer: Volunteer | None = None,
) -> Subject:
    if person is not None:
        return Subject(
            source=Enrolment.Source.PERSON,
            key=f"person:{person.pk}",
            association=person.family.association,
            name=person.name,
            id_number=person.id_number,
            birth_date=person.birth_date,
            sex=person.sex,
            deceased=person.deceased_on is not None,
            person=person,
            family=person.family,
        )
    if member is not None:
        return Subject(
            source=Enrolment.Source.MEMBER,
            key=f"member:{member.pk}",
            association=member.association,
            name=member.name,
            id_number=member.id_number,
            birth_date=member.birth_date,
            sex=member.sex,
            deceased=member.status == "deceased",
            member=member,
        )
    if volunteer is not None:
        return Subject(
            source=Enrolment.Source.VOLUNTEER,
            key=f"volunteer:{volunteer.pk}",
            association=volunteer.association,
            name=volunteer.name,
            id_number=volunteer.id_number,
            birth_date=volunteer.birth_date,
            sex=volunteer.sex,
            deceased=False,
            volunteer=volunteer,
        )
    raise ServiceError(gettext("请选择要参保的人员。"), field="subject")


def _cover_start(policy: PolicyYear, covered_from: datetime.date | None) -> datetime.date:
    """From the policy start, or from today for a person added during the year; a date given
    explicitly (a late entry of an enrolment the insurer already has) must lie in the year."""
    today = timezone.localdate()
    start = covered_from or max(policy.starts_on, today)
    if not policy.starts_on <= start <= policy.ends_on:
        raise ServiceError(
            gettext("保障起始日期应在保险期间（%(start)s至%(end)s）内。")
            % {"start": policy.starts_on, "end": policy.ends_on},
            field="covered_from",
        )
    return start


def _check_subject(policy: PolicyYear, subject: Subject) -> None:
    product = policy.product
    reason = rules.left_out_reason(
        has_id=bool(subject.id_number),
        birth=subject.birth_date,
        deceased=subject.deceased,
        removed=False,
        start=policy.starts_on,
        min_age=product.min_age,
        max_age=product.max_age,
    )
    if reason:
        raise ServiceError(str(rules.LEFT_OUT[reason]), field="subject")


@transaction.atomic
def enrolment_add(
    *,
    actor: User,
    policy_year: PolicyYear,
    person: Person | None = None,
    member: Member | None = None,
    volunteer: Volunteer | None = None,
    covered_from: datetime.date | None = None,
) -> Enrolment:
    """Enrol one person in `policy_year` (one the actor sees). A person removed earlier in the
    same year is enrolled again on the same row; one already enrolled is refused."""
    require(actor, "insurance.edit")
    policy: PolicyYear = load_in_scope(PolicyYear, actor, pk=policy_year.pk)
    subject = subject_of(person=person, member=member, volunteer=volunteer)
    require_in_scope(actor, subject.association)
    _check_subject(policy, subject)
    start = _cover_start(policy, covered_from)
    today = timezone.localdate()
    existing = (
        Enrolment.objects.select_for_update()
        .filter(policy_year=policy, subject_key=subject.key)
        .first()
    )
    if existing is not None and existing.status == Enrolment.Status.ENROLLED:
        raise ServiceError(gettext("该人员已在本年度参保。"), field="subject")
    if existing is not None:
        before = snapshot(existing)
        existing.status = Enrolment.Status.ENROLLED
        existing.covered_from, existing.covered_to = start, policy.ends_on
        existing.enrolled_on, existing.removed_on, existing.removed_reason = today, None, ""
        bump(existing)
        existing.save()
        audit_update(actor=actor, obj=existing, before=before, scope_path=subject.association.path)
        return existing
    enrolment = Enrolment(
        policy_year=policy,
        association=subject.association,
        source=subject.source,
        subject_key=subject.key,
        person=subject.person,
        family=subject.family,
        member=subject.member,
        volunteer=subject.volunteer,
        name=subject.name,
        id_number=subject.id_number,  # type: ignore[misc]
        birth_date=subject.birth_date,
        sex=subject.sex,
        covered_from=start,
        covered_to=policy.ends_on,
        enrolled_on=today,
        enrolled_by=actor,
    )
    validate(enrolment, exclude=["id_number_hash"])
    enrolment.save()
    audit_create(actor=actor, obj=enrolment, scope_path=subject.association.path)
    return enrolment


@transaction.atomic
def enrolment_remove(
    *,
    actor: User,
    enrolment: Enrolment,
    removed_on: datetime.date,
    reason: str,
    version: int | None = None,
) -> Enrolment:
    """Take one person off the policy from `removed_on` (cover ends the day before)."""
    require(actor, "insurance.edit")
    require_in_scope(actor, enrolment.association)
    row = locked(enrolment, version)
    if row.status != Enrolment.Status.ENROLLED:
        raise ServiceError(gettext("该人员已退保。"), field="removed_on")
    reason = within((reason or "").strip(), 200, field="reason")
    if not reason:
        raise ServiceError(gettext("请填写退保原因。"), field="reason")
    if not row.covered_from <= removed_on <= row.covered_to + datetime.timedelta(days=1):
        raise ServiceError(gettext("退保日期应在保障期间内。"), field="removed_on")
    before = snapshot(row)
    row.status = Enrolment.Status.REMOVED
    row.removed_on, row.removed_reason = removed_on, reason
    bump(row)
    row.save()
    audit_update(actor=actor, obj=row, before=before, scope_path=row.association.path)
    return row


def load_subject(actor: User, source: str, pk: Any) -> dict[str, Any]:
    """The registry row named by (source, pk), inside the actor's scope, as keyword arguments of
    `enrolment_add` (a 404 for anything else, as everywhere)."""
    from fpa.families.models import Person
    from fpa.members.models import Member
    from fpa.volunteers.models import Volunteer

    models: dict[str, Any] = {
        Enrolment.Source.PERSON: (Person, "person"),
        Enrolment.Source.MEMBER: (Member, "member"),
        Enrolment.Source.VOLUNTEER: (Volunteer, "volunteer"),
    }
    if source not in models:
        raise ServiceError(gettext("请选择人员来源。"), field="source")
    model, name = models[source]
    return {name: load_in_scope(model, actor, pk=pk)}
