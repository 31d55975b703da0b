"""Contacts, the care log and needs of a left-behind person: the care mechanism's services
(`fpa.core.care.services`) with the registry's spec (`PERSON_CARE`). A care record or a contact
assigned or ended refreshes the person's stored schedule in the same transaction."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from fpa.core.care import services as care
from fpa.leftbehind.care import PERSON_CARE
from fpa.leftbehind.models import (
    LeftBehindCare,
    LeftBehindContact,
    LeftBehindNeed,
    LeftBehindPerson,
)
from fpa.leftbehind.services.schedule import refresh_schedule

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.families.models import CareKind, ContactRole


@transaction.atomic
def contact_assign(
    *,
    actor: User,
    person: LeftBehindPerson,
    role: ContactRole,
    name: str,
    start_date: datetime.date,
    user: User | None = None,
    phone: str | None = None,
) -> LeftBehindContact:
    contact: LeftBehindContact = care.contact_assign(
        PERSON_CARE,
        actor=actor,
        subject=person,
        role=role,
        name=name,
        start_date=start_date,
        user=user,
        phone=phone,
    )
    refresh_schedule([person.pk])
    return contact


@transaction.atomic
def contact_end(
    *, actor: User, contact: LeftBehindContact, end_date: datetime.date, reason: str = ""
) -> LeftBehindContact:
    """End a contact on `end_date`, with an optional reason kept on the audit row."""
    ended: LeftBehindContact = care.contact_end(
        PERSON_CARE, actor=actor, contact=contact, end_date=end_date, reason=reason
    )
    refresh_schedule([ended.person_id])
    return ended


@transaction.atomic
def care_log(
    *,
    actor: User,
    person: LeftBehindPerson,
    kind: CareKind,
    occurred_on: datetime.date,
    notes: str = "",
) -> LeftBehindCare:
    record: LeftBehindCare = care.care_log(
        PERSON_CARE, actor=actor, subject=person, kind=kind, occurred_on=occurred_on, notes=notes
    )
    refresh_schedule([person.pk])
    return record


def need_raise(
    *,
    actor: User,
    person: LeftBehindPerson,
    description: str,
    owner: User | None = None,
    due_date: datetime.date | None = None,
    raised_in: LeftBehindCare | None = None,
) -> LeftBehindNeed:
    need: LeftBehindNeed = care.need_raise(
        PERSON_CARE,
        actor=actor,
        subject=person,
        description=description,
        owner=owner,
        due_date=due_date,
        raised_in=raised_in,
    )
    return need


def need_update(
    *, actor: User, need: LeftBehindNeed, status: str, result: str = ""
) -> LeftBehindNeed:
    updated: LeftBehindNeed = care.need_update(
        PERSON_CARE, actor=actor, need=need, status=status, result=result
    )
    return updated


def staff_may_edit(actor: User, person: LeftBehindPerson) -> bool:
    """Whether the actor may change the person's record and contacts (staff in scope, with
    `leftbehind.children` for a child)."""
    return care.staff_may_edit(PERSON_CARE, actor, person)


@transaction.atomic  # the record and the need it raised, or neither
def care_log_with_need(
    *,
    actor: User,
    person: LeftBehindPerson,
    kind: CareKind,
    occurred_on: datetime.date,
    notes: str = "",
    need_description: str = "",
    need_owner: User | None = None,
    need_due_date: datetime.date | None = None,
) -> LeftBehindCare:
    """The care form's one step: a care record and, when described, the need it raised."""
    record = care_log(actor=actor, person=person, kind=kind, occurred_on=occurred_on, notes=notes)
    if need_description:
        need_raise(
            actor=actor,
            person=person,
            description=need_description,
            owner=need_owner,
            due_date=need_due_date,
            raised_in=record,
        )
    return record
