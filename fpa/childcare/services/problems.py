"""Problems found at an inspection, tracked to closure (销号).

待整改 → (the institution's association's staff record the rectification) → 已整改待复查 →
(the inspecting level verifies) → 已销号, or back to 待整改 with the reason (and, if given, a new
deadline). Each step is a `ProblemStep` row and an audit row.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.childcare.models import Inspection, Problem, ProblemStep
from fpa.childcare.services.common import (
    DEADLINE_DAYS,
    EDIT,
    check_fresh,
    home_of,
    lock,
    require_verifier,
    required_text,
    working_date,
)
from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import ServiceError, validate, within
from fpa.core.scope import require, require_in_scope

if TYPE_CHECKING:
    from fpa.accounts.models import User

STATE_FIELDS = ["status", "rectification", "rectified_on", "closed_on", "deadline", "version"]


def _check_deadline(deadline: datetime.date | None, start: datetime.date) -> datetime.date:
    if deadline is None:
        raise ServiceError(gettext("请填写整改期限。"), field="deadline")
    if deadline < start:
        raise ServiceError(
            gettext("整改期限不能早于%(day)s。") % {"day": start.isoformat()}, field="deadline"
        )
    if deadline > start + datetime.timedelta(days=DEADLINE_DAYS):
        raise ServiceError(gettext("整改期限不能超过一年。"), field="deadline")
    return deadline


@transaction.atomic
def problem_add(
    *, actor: User, inspection: Inspection, description: str, deadline: datetime.date | None
) -> Problem:
    """A problem found at an inspection, recorded by the inspecting level (or above)."""
    require(actor, EDIT)
    require_in_scope(actor, inspection.association)
    problem = Problem(
        inspection=inspection,
        institution=inspection.institution,
        description=required_text(
            description, field="description", label=gettext("问题描述"), limit=500
        ),
        deadline=_check_deadline(deadline, inspection.inspected_on),
    )
    validate(problem)
    problem.save()
    audit_create(
        actor=actor,
        obj=problem,
        scope_path=inspection.institution.association.path,
        reason="托育机构检查发现问题",
    )
    return problem


def _step(actor: User, problem: Problem, action: str, on: datetime.date, note: str) -> None:
    step = ProblemStep(
        problem=problem,
        action=action,
        on=on,
        note=note,
        by=actor,
        by_association=home_of(actor),
    )
    validate(step, exclude=["problem", "by", "by_association"], unique=False)
    step.save()


def _finish(actor: User, problem: Problem, before: dict[str, object], reason: str = "") -> None:
    validate(problem, unique=False)
    problem.version += 1
    problem.save()
    audit_update(
        actor=actor,
        obj=problem,
        before=before,
        scope_path=problem.institution.association.path,
        reason=reason,
    )


@transaction.atomic
def problem_rectify(
    *,
    actor: User,
    problem: Problem,
    rectification: str,
    rectified_on: datetime.date | None,
    version: int | None = None,
) -> Problem:
    """报整改: the staff of the institution's association (or above) say what was done."""
    require(actor, EDIT)
    require_in_scope(actor, problem.institution.association)
    problem = lock(problem)
    check_fresh(problem, problem.version, version)
    if problem.status != Problem.Status.OPEN:
        raise ServiceError(gettext("只有待整改的问题可以报整改。"))
    text = required_text(
        rectification, field="rectification", label=gettext("整改情况"), limit=2000
    )
    day = working_date(rectified_on, field="rectified_on", label=gettext("整改完成日期"))
    if day < problem.inspection.inspected_on:
        raise ServiceError(gettext("整改完成日期不能早于检查日期。"), field="rectified_on")
    before = snapshot(problem, STATE_FIELDS)
    problem.rectification = text
    problem.rectified_on = day
    problem.status = Problem.Status.SUBMITTED
    _finish(actor, problem, before)
    _step(actor, problem, ProblemStep.Action.RECTIFIED, day, problem.rectification)
    return problem


@transaction.atomic
def problem_close(
    *,
    actor: User,
    problem: Problem,
    on: datetime.date | None = None,
    note: str = "",
    version: int | None = None,
) -> Problem:
    """复查销号: the inspecting level (or above) verifies the rectification and closes it."""
    require_verifier(actor, problem)
    problem = lock(problem)
    check_fresh(problem, problem.version, version)
    if problem.status != Problem.Status.SUBMITTED:
        raise ServiceError(gettext("只有已整改待复查的问题可以销号。"))
    day = working_date(on or timezone.localdate(), field="on", label=gettext("销号日期"))
    if problem.rectified_on and day < problem.rectified_on:
        raise ServiceError(gettext("销号日期不能早于整改完成日期。"), field="on")
    note = within((note or "").strip(), 500, field="note")
    before = snapshot(problem, STATE_FIELDS)
    problem.status = Problem.Status.CLOSED
    problem.closed_on = day
    _finish(actor, problem, before, reason=note)
    _step(actor, problem, ProblemStep.Action.CLOSED, day, note)
    return problem


@transaction.atomic
def problem_return(
    *,
    actor: User,
    problem: Problem,
    reason: str,
    deadline: datetime.date | None = None,
    version: int | None = None,
) -> Problem:
    """退回重改: the rectification is not enough; the problem is 待整改 again, with the reason
    and, if given, a new deadline (from today, within a year)."""
    require_verifier(actor, problem)
    problem = lock(problem)
    check_fresh(problem, problem.version, version)
    if problem.status != Problem.Status.SUBMITTED:
        raise ServiceError(gettext("只有已整改待复查的问题可以退回。"))
    text = required_text(reason, field="reason", label=gettext("退回原因"), limit=500)
    today = timezone.localdate()
    before = snapshot(problem, STATE_FIELDS)
    if deadline is not None:
        problem.deadline = _check_deadline(deadline, today)
    problem.status = Problem.Status.OPEN
    problem.rectified_on = None
    _finish(actor, problem, before, reason=text)
    _step(actor, problem, ProblemStep.Action.RETURNED, today, text)
    return problem
