"""Writes of the cadres' contact points: assign a point, end it, log a visit with its findings,
close a finding (solved, or passed on to a department or as a need of the family). Atomic,
scoped, audited.

Who may act is decided here whoever calls: `cadre.assign` (county and township staff) sets and
ends the points of cadres in their subtree, on villages and families in it; a cadre logs the
visits of their own points (`cadre.visit`); a finding is closed by the cadre or by staff who may
assign in its subtree.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.cadres.models import ContactPoint, Finding, Visit
from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, not_future, validate
from fpa.core.scope import in_scope, require, require_in_scope
from fpa.families.models import Family
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.families.models import Need
    from fpa.tasks.models import Measure, Task

# The levels whose staff are the cadres of measure 4.
CADRE_LEVELS = (Association.Kind.COUNTY, Association.Kind.TOWNSHIP)
MAX_FINDINGS = 10  # per visit


def is_cadre(user: User | None) -> bool:
    home = user.home_association if user is not None else None
    return bool(
        user is not None
        and user.is_active
        and home is not None
        and home.kind in CADRE_LEVELS
        and user.has_capability("cadre.visit")
    )


def _dated(day: datetime.date | None, *, field: str) -> datetime.date:
    day = day or timezone.localdate()
    not_future(day, field=field)
    return day


# --- points ---------------------------------------------------------------------------------------


@transaction.atomic
def point_assign(
    *,
    actor: User,
    cadre: User,
    association: Association | None = None,
    family: Family | None = None,
    start_date: datetime.date | None = None,
    note: str = "",
) -> ContactPoint:
    """Make a village, or one family, a contact point of `cadre` (a county or township cadre
    inside the actor's subtree). The village must be inside the cadre's own subtree too."""
    require(actor, "cadre.assign")
    if not is_cadre(cadre) or not in_scope(actor, cadre.home_association):
        raise ServiceError(gettext("请选择本级或下级的县、乡镇干部。"), field="cadre")
    if family is not None:
        if not Family.objects.visible_to(actor).filter(pk=family.pk).exists():
            raise NotAllowed(gettext("该家庭不在您的管辖范围内。"))
        association = family.association
    if association is None:
        raise ServiceError(gettext("请选择联系的村（社区）或家庭。"), field="association")
    if association.kind != Association.Kind.VILLAGE or not association.is_current:
        raise ServiceError(gettext("联系点应为在用的村（社区）计生协。"), field="association")
    require_in_scope(actor, association)
    if not in_scope(cadre, association):
        raise ServiceError(gettext("该村（社区）不在这位干部的工作范围内。"), field="association")
    start = _dated(start_date, field="start_date")
    same = ContactPoint.objects.select_for_update().filter(
        cadre=cadre, association=association, family=family, end_date__isnull=True
    )
    if same.exists():
        raise ServiceError(gettext("该干部已有这个联系点。"), field="association")
    point = ContactPoint(
        cadre=cadre,
        association=association,
        family=family,
        start_date=start,
        note=note,
        assigned_by=actor,
    )
    validate(point)
    point.save()
    audit_create(actor=actor, obj=point, scope_path=association.path)
    return point


@transaction.atomic
def point_end(
    *, actor: User, point: ContactPoint, end_date: datetime.date | None = None
) -> ContactPoint:
    require(actor, "cadre.assign")
    locked = ContactPoint.objects.select_for_update().select_related("association").get(pk=point.pk)
    require_in_scope(actor, locked.association)
    if locked.end_date is not None:
        raise ServiceError(gettext("该联系点已结束。"))
    end = _dated(end_date, field="end_date")
    if end < locked.start_date:
        raise ServiceError(gettext("结束日期不能早于开始日期。"), field="end_date")
    before = snapshot(locked)
    locked.end_date = end
    locked.save(update_fields=["end_date", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked


# --- visits and findings --------------------------------------------------------------------------


@transaction.atomic
def visit_log(
    *,
    actor: User,
    point: ContactPoint,
    visited_on: datetime.date | None,
    method: str,
    summary: str,
    findings: list[str] | None = None,
) -> Visit:
    """The cadre's own visit to their current point, with the problems found (one per line)."""
    require(actor, "cadre.visit")
    locked = ContactPoint.objects.select_for_update().select_related("association").get(pk=point.pk)
    if locked.cadre_id != actor.pk:
        raise NotAllowed(gettext("只能记录本人联系点的走访。"))
    require_in_scope(actor, locked.association)
    if locked.end_date is not None:
        raise ServiceError(gettext("该联系点已结束，不能再记录走访。"))
    if visited_on is None:
        raise ServiceError(gettext("请填写日期。"), field="visited_on")
    not_future(visited_on, field="visited_on")
    if visited_on < locked.start_date:
        raise ServiceError(gettext("走访日期不能早于联系点开始日期。"), field="visited_on")
    if method not in Visit.Method.values:
        raise ServiceError(gettext("请选择走访方式。"), field="method")
    visit = Visit(
        point=locked, visited_on=visited_on, method=method, summary=summary, recorded_by=actor
    )
    validate(visit)  # the summary as stored (fpa.core.text), within its length
    if len(visit.summary) < 5:
        raise ServiceError(gettext("请填写走访情况（至少5个字）。"), field="summary")
    problems = [Finding(text=line) for line in findings or [] if line.strip()]
    if len(problems) > MAX_FINDINGS:
        raise ServiceError(
            gettext("一次走访最多记录%(n)s个问题。") % {"n": MAX_FINDINGS}, field="findings"
        )
    for problem in problems:
        try:
            validate(problem, exclude=["visit"])
        except ServiceError as exc:
            raise ServiceError(exc.message, field="findings") from exc
    visit.save()
    path = locked.association.path
    audit_create(actor=actor, obj=visit, scope_path=path)
    for finding in problems:
        finding.visit = visit
        finding.save()
        audit_create(actor=actor, obj=finding, scope_path=path)
    return visit


def may_close(user: User, finding: Finding) -> bool:
    point = finding.visit.point
    if user.pk == point.cadre_id and user.has_capability("cadre.visit"):
        return in_scope(user, point.association)
    return user.has_capability("cadre.assign") and in_scope(user, point.association)


def _locked_finding(actor: User, finding: Finding, version: int | None) -> Finding:
    locked = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("visit__point__association", "visit__point__family")
        .get(pk=finding.pk)
    )
    if not may_close(actor, locked):
        raise NotAllowed(gettext("您无权处理这个问题。"))
    if version is not None:
        check_version(locked.version, version)
    if locked.status != Finding.Status.RAISED:
        raise ServiceError(gettext("这个问题已处理。"))
    return locked


def _close(
    actor: User,
    locked: Finding,
    status: str,
    outcome: str,
    passed_to: str = "",
    need: Need | None = None,
    task: Task | None = None,
) -> Finding:
    before = snapshot(locked)
    locked.need = need
    locked.task = task
    locked.status = status
    locked.outcome = outcome
    locked.passed_to = passed_to
    locked.closed_on = timezone.localdate()
    locked.closed_by = actor
    locked.version += 1
    validate(locked)
    locked.save()
    audit_update(
        actor=actor, obj=locked, before=before, scope_path=locked.visit.point.association.path
    )
    return locked


def township_of(association: Association) -> Association:
    """The township (or higher) association a contact point's work belongs to: a village's
    parent, or the association itself above village level."""
    if association.kind == Association.Kind.VILLAGE and association.parent_id is not None:
        return Association.objects.get(pk=association.parent_id)
    return association


@transaction.atomic
def finding_to_task(
    *,
    actor: User,
    finding: Finding,
    measure: Measure,
    deadline: datetime.date,
    version: int | None = None,
) -> Task:
    """In one action: the finding becomes a reform task of the point's township (its title the
    finding's text), set by the actor's association and serving `measure` of its plan, and the
    finding is passed on to it. The task book's own rules decide whether the actor may set it
    (`task.manage`, the township in the actor's subtree, the measure, the dates)."""
    from fpa.tasks import services as task_services

    locked = _locked_finding(actor, finding, version)
    point = locked.visit.point
    # The village by name; a family point stays unnamed (the task book is read more widely).
    where = point.association.name
    if point.family_id:
        where = gettext("%(village)s的联系家庭") % {"village": where}
    task = task_services.task_create(
        actor=actor,
        measure=measure,
        title=locked.text,
        association=township_of(point.association),
        start_on=timezone.localdate(),
        deadline=deadline,
        deliverables=gettext("解决干部联系点走访发现的问题：%(text)s") % {"text": locked.text},
        note=gettext("由%(cadre)s%(date)s走访%(where)s发现的问题转来")
        % {
            "cadre": point.cadre.full_name or point.cadre.username,
            "date": locked.visit.visited_on.isoformat(),
            "where": where,
        },
    )
    _close(
        actor,
        locked,
        Finding.Status.PASSED_ON,
        gettext("已转为改革任务"),
        gettext("改革任务"),
        task=task,
    )
    return task


@transaction.atomic
def finding_solve(
    *, actor: User, finding: Finding, outcome: str, version: int | None = None
) -> Finding:
    locked = _locked_finding(actor, finding, version)
    if len((outcome or "").strip()) < 2:
        raise ServiceError(gettext("请填写解决情况。"), field="outcome")
    return _close(actor, locked, Finding.Status.SOLVED, outcome)


@transaction.atomic
def finding_pass_on(
    *, actor: User, finding: Finding, passed_to: str, outcome: str = "", version: int | None = None
) -> Finding:
    """Passed on to a department or unit named in words (e.g. 县卫健局)."""
    locked = _locked_finding(actor, finding, version)
    if len((passed_to or "").strip()) < 2:
        raise ServiceError(gettext("请填写转交的单位。"), field="passed_to")
    return _close(actor, locked, Finding.Status.PASSED_ON, outcome or "", passed_to)


@transaction.atomic
def finding_to_need(
    *,
    actor: User,
    finding: Finding,
    due_date: datetime.date | None = None,
    version: int | None = None,
) -> Need:
    """In one action: the finding of a family point becomes a need of that family (its
    description the finding's text), and the finding is passed on to it. The family module's
    own rules decide whether the actor may raise it."""
    from fpa.families import services as family_services

    locked = _locked_finding(actor, finding, version)
    family = locked.visit.point.family
    if family is None:
        raise ServiceError(gettext("只有联系家庭的问题可以转为家庭需求。"))
    need = family_services.need_raise(
        actor=actor, family=family, description=locked.text, due_date=due_date
    )
    _close(
        actor,
        locked,
        Finding.Status.PASSED_ON,
        gettext("已转为家庭需求"),
        gettext("家庭需求"),
        need=need,
    )
    return need
