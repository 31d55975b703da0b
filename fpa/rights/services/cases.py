"""Rights cases from receipt to closure (权益维护).

受理 → 已转办 (referred to a department) / 办理中 (a follow-up recorded) → 办结 (with the
result) → the person's satisfaction (满意 / 基本满意 / 不满意); a dissatisfied person's case is
taken up again (重新办理, with the reason and a new deadline) and closed again later. Each step is
a timeline row (`Step`) and an audit row; a closed case changes only by being taken up again.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import NotAllowed, ServiceError, validate, within
from fpa.families.models import Family
from fpa.organizations.models import Association
from fpa.rights.models import Case, CaseKind, Step
from fpa.rights.services.common import (
    RECEIVERS,
    check_deadline,
    check_fresh,
    default_days,
    lock,
    not_before,
    require_editor,
    require_open,
    required_text,
    step_add,
    working_date,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

CLAIM_LIMIT = 2000
RESULT_LIMIT = 2000
NOTE_LIMIT = 2000
STATE_FIELDS = [
    "status",
    "department",
    "referred_on",
    "deadline",
    "result",
    "closed_on",
    "satisfaction",
    "rated_on",
    "reopened",
    "version",
]
# What `case_update` may change on an open case.
EDITABLE = ("kind", "channel", "received_on", "person_name", "phone", "id_number", "deadline")


def _family_in_scope(actor: User, family: Family | None) -> Family | None:
    if family is None:
        return None
    if not Family.objects.visible_to(actor).filter(pk=family.pk).exists():
        raise NotAllowed(gettext("该家庭不存在或不在您的管辖范围内。"))
    return family


def _kind(kind: CaseKind | None, *, current: CaseKind | None = None) -> CaseKind:
    if kind is None:
        raise ServiceError(gettext("请选择诉求类别。"), field="kind")
    if not kind.active and kind != current:
        raise ServiceError(gettext("该诉求类别已停用。"), field="kind")
    return kind


def _optional(value: str | None) -> str | None:
    return (value or "").strip() or None


@transaction.atomic
def case_receive(
    *,
    actor: User,
    association: Association,
    kind: CaseKind | None,
    channel: str,
    received_on: datetime.date | None,
    claim: str,
    person_name: str = "",
    family: Family | None = None,
    phone: str = "",
    id_number: str = "",
    deadline: datetime.date | None = None,
) -> Case:
    """受理: a claim received by `association` (in the actor's scope), of a special family (in
    the actor's scope) or of any person. The deadline defaults to the kind's time limit."""
    require_editor(actor, association)
    if association.kind not in RECEIVERS:
        raise ServiceError(gettext("会员小组不能受理权益维护案件。"), field="association")
    family = _family_in_scope(actor, family)
    kind = _kind(kind)
    day = working_date(received_on, field="received_on", label=gettext("受理日期"))
    name = (person_name or "").strip() or (family.head_name if family is not None else "")
    if not name:
        raise ServiceError(gettext("请填写当事人姓名。"), field="person_name")
    if deadline is None:
        deadline = day + datetime.timedelta(days=default_days(kind))
    case = Case(
        association=association,
        family=family,
        person_name=name,
        phone=_optional(phone),
        id_number=_optional(id_number),
        channel=channel,
        received_on=day,
        received_by=actor,
        kind=kind,
        claim=required_text(claim, field="claim", label=gettext("诉求内容"), limit=CLAIM_LIMIT),
        deadline=check_deadline(deadline, day),
    )
    validate(case)
    case.save()
    audit_create(actor=actor, obj=case, scope_path=association.path, reason="权益维护受理")
    step_add(actor, case, Step.Action.RECEIVED, day)
    return case


def _finish(actor: User, case: Case, before: dict[str, Any], reason: str = "") -> None:
    validate(case, unique=False)
    case.version += 1
    case.save()
    audit_update(
        actor=actor, obj=case, before=before, scope_path=case.association.path, reason=reason
    )


def _open_locked(actor: User, case: Case, version: int | None) -> Case:
    require_editor(actor, case.association)
    case = lock(case)
    check_fresh(case, version)
    require_open(case)
    return case


@transaction.atomic
def case_update(*, actor: User, case: Case, version: int | None = None, **changes: Any) -> Case:
    """Correct an open case: kind, how and when it was received, the person, the deadline."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ServiceError(gettext("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    case = _open_locked(actor, case, version)
    before = snapshot(case, [*EDITABLE, "version"])
    if "kind" in changes:
        case.kind = _kind(changes["kind"], current=case.kind)
    if "channel" in changes:
        case.channel = changes["channel"]
    if "received_on" in changes:
        case.received_on = working_date(
            changes["received_on"], field="received_on", label=gettext("受理日期")
        )
    if "person_name" in changes:
        case.person_name = (changes["person_name"] or "").strip()
        if not case.person_name:
            raise ServiceError(gettext("请填写当事人姓名。"), field="person_name")
    for name in ("phone", "id_number"):
        if name in changes:
            setattr(case, name, _optional(changes[name]))
    if "deadline" in changes:
        case.deadline = changes["deadline"]
    check_deadline(case.deadline, case.received_on)
    _finish(actor, case, before)
    return case


@transaction.atomic
def case_refer(
    *,
    actor: User,
    case: Case,
    department: str,
    referred_on: datetime.date | None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """转办: the department the case was referred to, and when (a case may be referred again,
    to another department: the timeline keeps each)."""
    case = _open_locked(actor, case, version)
    text = required_text(department, field="department", label=gettext("转办部门"), limit=100)
    day = working_date(referred_on, field="referred_on", label=gettext("转办日期"))
    not_before(day, case.received_on, field="referred_on", label=gettext("转办日期"))
    note = within((note or "").strip(), NOTE_LIMIT, field="note")
    before = snapshot(case, STATE_FIELDS)
    case.department, case.referred_on = text, day
    case.status = Case.Status.REFERRED
    _finish(actor, case, before, reason=note)
    step_add(actor, case, Step.Action.REFERRED, day, f"{text}{'：' + note if note else ''}")
    return case


@transaction.atomic
def case_follow_up(
    *,
    actor: User,
    case: Case,
    on: datetime.date | None,
    note: str,
    version: int | None = None,
) -> Step:
    """跟进: what was done on a day. A case just received is then 办理中."""
    case = _open_locked(actor, case, version)
    day = working_date(on, field="on", label=gettext("跟进日期"))
    not_before(day, case.received_on, field="on", label=gettext("跟进日期"))
    text = required_text(note, field="note", label=gettext("跟进情况"), limit=NOTE_LIMIT)
    before = snapshot(case, STATE_FIELDS)
    if case.status == Case.Status.RECEIVED:
        case.status = Case.Status.IN_PROGRESS
    _finish(actor, case, before)
    step = step_add(actor, case, Step.Action.FOLLOW_UP, day, text)
    audit_create(actor=actor, obj=step, scope_path=case.association.path, reason="权益维护跟进")
    return step


@transaction.atomic
def case_close(
    *,
    actor: User,
    case: Case,
    result: str,
    closed_on: datetime.date | None,
    version: int | None = None,
) -> Case:
    """办结: the result and the day; the person's satisfaction is asked afterwards."""
    case = _open_locked(actor, case, version)
    text = required_text(result, field="result", label=gettext("办理结果"), limit=RESULT_LIMIT)
    day = working_date(closed_on, field="closed_on", label=gettext("办结日期"))
    not_before(day, case.received_on, field="closed_on", label=gettext("办结日期"))
    before = snapshot(case, STATE_FIELDS)
    case.result, case.closed_on = text, day
    case.status = Case.Status.CLOSED
    _finish(actor, case, before)
    step_add(actor, case, Step.Action.CLOSED, day, text)
    return case


@transaction.atomic
def case_rate(
    *,
    actor: User,
    case: Case,
    satisfaction: str,
    rated_on: datetime.date | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """满意度回访: asked once after the case is closed (again after it is closed again)."""
    require_editor(actor, case.association)
    case = lock(case)
    check_fresh(case, version)
    if case.status != Case.Status.CLOSED:
        raise ServiceError(
            gettext("案件办结后才能登记满意度。"), field="satisfaction", code="state"
        )
    if case.satisfaction:
        raise ServiceError(gettext("本次办结已登记满意度。"), field="satisfaction", code="state")
    if satisfaction not in Case.Satisfaction.values:
        raise ServiceError(gettext("请选择满意度。"), field="satisfaction")
    day = working_date(
        rated_on or timezone.localdate(), field="rated_on", label=gettext("回访日期")
    )
    assert case.closed_on is not None  # a closed case has its day (a constraint)
    not_before(day, case.closed_on, field="rated_on", label=gettext("回访日期"))
    note = within((note or "").strip(), 500, field="note")
    before = snapshot(case, STATE_FIELDS)
    case.satisfaction, case.rated_on = satisfaction, day
    _finish(actor, case, before, reason=note)
    label = str(Case.Satisfaction(satisfaction).label)
    step_add(actor, case, Step.Action.RATED, day, f"{label}{'：' + note if note else ''}")
    return case


@transaction.atomic
def case_reopen(
    *,
    actor: User,
    case: Case,
    reason: str,
    deadline: datetime.date | None = None,
    version: int | None = None,
) -> Case:
    """重新办理: a closed case whose person is not satisfied is taken up again, with the reason
    and a new deadline (by default the kind's time limit from today). The earlier result stays
    on the timeline."""
    require_editor(actor, case.association)
    case = lock(case)
    check_fresh(case, version)
    if case.status != Case.Status.CLOSED:
        raise ServiceError(gettext("只有已办结的案件可以重新办理。"), code="state")
    if case.satisfaction != Case.Satisfaction.DISSATISFIED:
        raise ServiceError(
            gettext("当事人表示不满意的案件才能重新办理，请先登记满意度。"), code="state"
        )
    text = required_text(reason, field="reason", label=gettext("重新办理的原因"), limit=500)
    today = timezone.localdate()
    before = snapshot(case, STATE_FIELDS)
    case.deadline = check_deadline(
        deadline or today + datetime.timedelta(days=default_days(case.kind)), today
    )
    case.status = Case.Status.REOPENED
    case.result, case.closed_on = "", None
    case.satisfaction, case.rated_on = "", None
    case.reopened += 1
    _finish(actor, case, before, reason=text)
    step_add(actor, case, Step.Action.REOPENED, today, text)
    return case
