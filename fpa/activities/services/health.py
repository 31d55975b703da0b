"""Health follow-ups of a person (优生优育, reproductive health, 义诊): sensitive records.

A consultation or a check is a count on its activity; a record of a person exists only when a
follow-up needs one. Its name, phone and details are protected values (encrypted, masked), the
record is visible to the staff who made it and to the superiors holding `health.sensitive`
(`HealthCase.objects.visible_to`), and reading a value in full goes through the audited reveal.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.activities.models import Activity, HealthCase, HealthFollowUp
from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import ServiceError, check_version, validate
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

MAX_FOLLOW_UP_DAYS = 366


def _text(value: str, *, field: str, minimum: int = 2, limit: int = 2000) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise ServiceError(gettext("请填写%(n)s个字以上。") % {"n": minimum}, field=field)
    if len(value) > limit:
        raise ServiceError(gettext("最多%(n)s个字。") % {"n": limit}, field=field)
    return value


@transaction.atomic
def case_create(
    *,
    actor: User,
    association: Association,
    kind: str,
    person_name: str,
    details: str,
    follow_up_on: datetime.date,
    phone: str = "",
    referral: str = "",
    activity: Activity | None = None,
) -> HealthCase:
    require(actor, "activity.edit")
    require_in_scope(actor, association)
    if activity is not None:
        require_in_scope(actor, activity.association)
        if not association.is_under(activity.association) and not activity.association.is_under(
            association
        ):
            raise ServiceError(gettext("来源活动不属于该协会。"), field="activity")
    today = timezone.localdate()
    if follow_up_on < today - datetime.timedelta(days=30):
        raise ServiceError(gettext("计划随访日期不能早于30天前。"), field="follow_up_on")
    if follow_up_on > today + datetime.timedelta(days=MAX_FOLLOW_UP_DAYS):
        raise ServiceError(gettext("计划随访日期不能晚于一年后。"), field="follow_up_on")
    case = HealthCase(
        association=association,
        activity=activity,
        kind=kind,
        person_name=(person_name or "").strip(),
        phone=(phone or "").strip() or None,
        details=_text(details, field="details"),
        referral=(referral or "").strip() or None,
        follow_up_on=follow_up_on,
        created_by=actor,
    )
    validate(case)
    case.save()
    audit_create(actor=actor, obj=case, scope_path=association.path)
    return case


def _locked(actor: User, case: HealthCase) -> HealthCase:
    case = (
        HealthCase.objects.visible_to(actor)
        .select_for_update()
        .select_related("association")
        .get(pk=case.pk)
    )
    require_in_scope(actor, case.association)
    return case


@transaction.atomic
def follow_up_add(
    *, actor: User, case: HealthCase, on: datetime.date, note: str, next_on: datetime.date | None
) -> HealthFollowUp:
    """Record a follow-up; `next_on` sets the next one (None: closes the case)."""
    require(actor, "activity.edit")
    case = _locked(actor, case)
    if case.status == HealthCase.Status.CLOSED:
        raise ServiceError(gettext("已结案的记录不能再随访。"), code="state")
    if on > timezone.localdate():
        raise ServiceError(gettext("日期不能晚于今天。"), field="on")
    if on < case.created_at.date() - datetime.timedelta(days=1):
        raise ServiceError(gettext("随访日期不能早于登记日期。"), field="on")
    if next_on is not None and next_on <= on:
        raise ServiceError(gettext("下次随访日期应晚于本次。"), field="next_on")
    row = HealthFollowUp(case=case, on=on, note=_text(note, field="note"), recorded_by=actor)
    validate(row)
    row.save()
    before = snapshot(case, ["status", "follow_up_on", "closed_on", "version"])
    if next_on is None:
        case.status, case.closed_on = HealthCase.Status.CLOSED, on
    else:
        case.follow_up_on = next_on
    case.version += 1
    case.save()
    audit_update(actor=actor, obj=case, before=before, scope_path=case.association.path)
    return row


@transaction.atomic
def case_reopen(*, actor: User, case: HealthCase, reason: str, version: int | None = None) -> None:
    require(actor, "activity.edit")
    case = _locked(actor, case)
    check_version(case.version, version)
    if case.status != HealthCase.Status.CLOSED:
        raise ServiceError(gettext("该记录未结案。"), code="state")
    reason = _text(reason, field="reason", limit=300)
    before = snapshot(case, ["status", "closed_on", "version"])
    case.status, case.closed_on = HealthCase.Status.OPEN, None
    case.version += 1
    case.save()
    audit_update(
        actor=actor, obj=case, before=before, scope_path=case.association.path, reason=reason
    )
