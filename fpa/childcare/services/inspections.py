"""Inspections scored against the checklist, and the checklist itself.

An inspection stores one row per checklist item with the item's code, text and maximum as they
were that day: a later change of the checklist (an item reworded, its maximum changed, retired,
a new item added) leaves every earlier inspection exactly as it was scored.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext

from fpa.childcare import rules
from fpa.childcare.models import ChecklistItem, Inspection, InspectionScore, Institution
from fpa.childcare.services.common import (
    EDIT,
    check_fresh,
    home_of,
    lock,
    may_manage_checklist,
    require_inspector,
    required_text,
    working_date,
)
from fpa.core.audit import audit_create, audit_record, audit_update, diff, snapshot
from fpa.core.errors import NotAllowed, ServiceError, validate, within
from fpa.core.models import AuditEvent
from fpa.core.scope import require

if TYPE_CHECKING:
    from fpa.accounts.models import User

CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
# Each item's score and the note of what was deducted: {item pk: (score, note)}.
Scores = Mapping[int, tuple[Any, str]]


@transaction.atomic
def inspection_record(
    *,
    actor: User,
    institution: Institution,
    inspected_on: datetime.date | None,
    inspectors: str,
    scores: Scores,
    notes: str = "",
) -> Inspection:
    """检查: the township or the county scores every active checklist item (each at most its
    maximum); the total and the maximum total are kept with the inspection."""
    home = require_inspector(actor, institution.association)
    institution = lock(institution)  # its status now, not as the caller loaded it
    if institution.status == Institution.Status.CLOSED:
        raise ServiceError(gettext("已停业的机构不能登记检查。"))
    inspected_on = working_date(inspected_on, field="inspected_on", label=gettext("检查日期"))
    items = list(ChecklistItem.objects.filter(active=True).order_by("sort", "id"))
    if not items:
        raise ServiceError(gettext("尚未设置检查项目，请先由县级计生协设置检查项目。"))
    unknown = set(scores) - {item.pk for item in items}
    if unknown:
        raise ServiceError(gettext("检查项目已变更，请刷新页面后重新填写。"), field="scores")
    rows = [_scored(item, scores.get(item.pk)) for item in items]
    inspection = Inspection(
        institution=institution,
        association=home,
        inspected_on=inspected_on,
        inspectors=required_text(
            inspectors, field="inspectors", label=gettext("检查人员"), limit=200
        ),
        total=sum((row.score for row in rows), Decimal("0")),
        max_total=sum((row.max_score for row in rows), Decimal("0")),
        notes=within((notes or "").strip(), 5000, field="notes"),
        recorded_by=actor,
    )
    validate(inspection, exclude=["recorded_by"])
    inspection.save()
    for row in rows:
        row.inspection = inspection
    InspectionScore.objects.bulk_create(rows)
    changes = {key: [None, value] for key, value in snapshot(inspection).items()}
    changes["scores"] = [None, {row.code: str(row.score) for row in rows}]
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=inspection,
        changes=changes,
        scope_path=institution.association.path,
        reason="托育机构检查",
    )
    return inspection


def _scored(item: ChecklistItem, given: tuple[Any, str] | None) -> InspectionScore:
    field = f"score_{item.pk}"
    if given is None:
        raise ServiceError(
            gettext("请为“%(item)s”打分。") % {"item": item.text}, field=field, code="score"
        )
    raw, note = given
    try:
        value = rules.score(raw, item.max_score)
    except rules.RuleError as exc:
        raise ServiceError(f"{item.text}：{exc}", field=field, code="score") from exc
    row = InspectionScore(
        item=item,
        code=item.code,
        text=item.text,
        max_score=item.max_score,
        score=value,
        note=within((note or "").strip(), 300, field=f"note_{item.pk}"),
        sort=item.sort,
    )
    validate(row, exclude=["inspection", "item"], unique=False)
    return row


def _require_checklist_manager(actor: User) -> None:
    require(actor, EDIT)
    if not may_manage_checklist(actor):
        raise NotAllowed(gettext("检查项目由县级及以上计生协设置。"))


def _max_score(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(gettext("满分应为数字。"), field="max_score") from exc
    if not number.is_finite() or not Decimal("1") <= number <= rules.MAX_SCORE:
        raise ServiceError(gettext("满分应在1至100分之间。"), field="max_score")
    if number != number.quantize(rules.SCORE_STEP):
        raise ServiceError(gettext("满分最多保留一位小数。"), field="max_score")
    return number.quantize(rules.SCORE_STEP)


@transaction.atomic
def checklist_item_add(
    *, actor: User, code: str, text: str, max_score: Any, sort: int = 0
) -> ChecklistItem:
    """A new item of the checklist (county level and above)."""
    _require_checklist_manager(actor)
    code = (code or "").strip().lower()
    if not CODE.match(code):
        raise ServiceError(
            gettext("代码应为2至30个小写英文字母、数字或下划线，以字母开头。"), field="code"
        )
    if ChecklistItem.objects.filter(code=code).exists():
        raise ServiceError(gettext("该代码已被其他检查项目使用。"), field="code")
    item = ChecklistItem(
        code=code,
        text=required_text(text, field="text", label=gettext("检查内容"), limit=200),
        max_score=_max_score(max_score),
        sort=sort or 0,
    )
    validate(item)
    item.save()
    audit_create(
        actor=actor, obj=item, scope_path=home_of(actor).path, reason="设置托育机构检查项目"
    )
    return item


@transaction.atomic
def checklist_item_update(
    *,
    actor: User,
    item: ChecklistItem,
    text: str,
    max_score: Any,
    sort: int,
    active: bool,
    version: int | None = None,
) -> ChecklistItem:
    """Reword, rescore, reorder or retire an item; inspections already made keep their copy."""
    _require_checklist_manager(actor)
    item = lock(item)
    check_fresh(item, item.version, version)
    before = snapshot(item, ["text", "max_score", "sort", "active", "version"])
    item.text = required_text(text, field="text", label=gettext("检查内容"), limit=200)
    item.max_score = _max_score(max_score)
    item.sort = sort or 0
    item.active = bool(active)
    validate(item)
    if not diff(before, snapshot(item, before.keys())):
        return item
    item.version += 1
    item.save()
    audit_update(actor=actor, obj=item, before=before, scope_path=home_of(actor).path)
    return item
