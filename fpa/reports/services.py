"""Writes of the reports up the chain: open a report, save typed figures, submit (the figures
frozen with the records behind them), return with a reason, accept; the county's custom kinds
and due dates. Atomic and audited; the workflow's state machine is `fpa.core.review`.

Who may do what:
- `report.submit`: staff of the association itself open, fill and submit its own report;
- `report.review`: staff of an association strictly above accept or return it (never their own
  association's, never one they submitted themselves: `fpa.core.review`);
- `report.kinds`: the county adds custom kinds and sets due dates.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext

from fpa.core import events, review
from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.errors import Conflict, NotAllowed, ServiceError, check_version, validate, within
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association
from fpa.reports import selectors
from fpa.reports.fields import Period
from fpa.reports.kinds import Kind
from fpa.reports.models import (
    CustomField,
    CustomKind,
    DueDate,
    Report,
    ReportEvidence,
    ReportStep,
    ReportValue,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

SUBMIT, REVIEW, KINDS = "report.submit", "report.review", "report.kinds"
STATE_FIELDS = ["status", "submitted_at", "decided_at", "reason", "version"]
MAX_VALUE = Decimal("99999999999999")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
COUNTY_LEVELS = (Association.Kind.COUNTY, Association.Kind.PREFECTURE, Association.Kind.PROVINCE)


def _home(actor: User) -> Association:
    home = actor.home_association
    if home is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    return home


def _require_own(actor: User, association: Association) -> None:
    """Only the association's own staff fill and submit its report."""
    require(actor, SUBMIT)
    require_in_scope(actor, association)
    if _home(actor).pk != association.pk:
        raise NotAllowed(gettext("只能填报本级计生协的报表。"))


def _lock(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("association").get(pk=report.pk)


def parse_value(text: Any, *, key: str, label: str, money: bool = False) -> Decimal | None:
    """A typed figure: empty is "not filled"; a whole number (or yuan with two decimals), not
    negative. Full-width digits and thousands separators are accepted."""
    raw = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    raw = raw.strip().replace(",", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ServiceError(
            gettext("「%(label)s」应为数字。") % {"label": label}, field=key
        ) from exc
    if not value.is_finite() or value < 0:
        raise ServiceError(gettext("「%(label)s」不能为负数。") % {"label": label}, field=key)
    if value > MAX_VALUE:
        raise ServiceError(gettext("「%(label)s」数值过大。") % {"label": label}, field=key)
    if money:
        if value != value.quantize(Decimal("0.01")):
            raise ServiceError(
                gettext("「%(label)s」最多保留两位小数。") % {"label": label}, field=key
            )
    elif value != value.to_integral_value():
        raise ServiceError(gettext("「%(label)s」应为整数。") % {"label": label}, field=key)
    return value


def parse_values(kind: Kind, typed: Mapping[str, Any]) -> dict[str, Decimal | None]:
    """The hand fields of `kind` among `typed` (derived ones and unknown keys are ignored)."""
    out: dict[str, Decimal | None] = {}
    for key in kind.keys:
        declared = kind.field(key)
        if declared.derived or key not in typed:
            continue
        out[key] = parse_value(
            typed[key], key=key, label=gettext(declared.label), money=declared.money
        )
    return out


@transaction.atomic
def report_open(*, actor: User, association: Association, kind: Kind, period: Period) -> Report:
    """The association's report for the period: the existing one, or a new draft."""
    _require_own(actor, association)
    if association.kind not in selectors.FILERS:
        raise NotAllowed(gettext("该计生协通过其上级计生协上报。"))
    found = Report.objects.filter(association=association, kind=kind.key, period=period.key).first()
    if found is not None:
        return found
    report = Report(
        association=association,
        kind=kind.key,
        period=period.key,
        due_on=selectors.due_for(association, kind, period),
        created_by=actor,
    )
    validate(report, unique=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # opened at the same moment by a colleague
        return Report.objects.get(association=association, kind=kind.key, period=period.key)
    audit_create(actor=actor, obj=report, scope_path=association.path, reason="新建上报报表")
    return report


def _store(report: Report, values: Mapping[str, Decimal | None], source: str) -> None:
    keys = list(values)
    ReportValue.objects.filter(report=report, key__in=keys).delete()
    ReportValue.objects.bulk_create(
        [
            ReportValue(report=report, key=key, value=value, source=source)
            for key, value in values.items()
            if value is not None
        ]
    )


def _kind_of(report: Report) -> Kind:
    kind = selectors.kind_get(report.kind)
    if kind is None:
        raise ServiceError(gettext("该报表已停用。"))
    return kind


@transaction.atomic
def report_save(
    *, actor: User, report: Report, values: Mapping[str, Any], version: int | None = None
) -> Report:
    """保存草稿: the typed figures of a draft or returned report."""
    _require_own(actor, report.association)
    report = _lock(report)
    check_version(report.version, version)
    if not report.editable:
        raise Conflict(gettext("报表已上报，不能修改。"))
    typed = parse_values(_kind_of(report), values)
    before = {"values": {v.key: str(v.value) for v in report.values.all()}}
    _store(report, typed, ReportValue.Source.HAND)
    report.version += 1
    report.save(update_fields=["version", "updated_at"])
    _audit_values(actor, report, before)
    return report


def _audit_values(actor: User, report: Report, before: dict[str, Any]) -> None:
    """One audit row with the figures that changed (key: [before, after])."""
    after = {v.key: str(v.value) for v in report.values.all()}
    changes = {
        key: [before["values"].get(key), after.get(key)]
        for key in set(before["values"]) | set(after)
        if before["values"].get(key) != after.get(key)
    }
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=report,
            changes=changes,
            scope_path=report.association.path,
            reason="上报报表数值",
        )


def _step(actor: User, report: Report, action: str, reason: str = "") -> None:
    ReportStep.objects.create(
        report=report, action=action, by=actor, by_association=_home(actor), reason=reason
    )


def _finish(actor: User, report: Report, before: dict[str, Any], reason: str) -> None:
    report.version += 1
    report.save()
    audit_update(
        actor=actor, obj=report, before=before, scope_path=report.association.path, reason=reason
    )


def _title(report: Report) -> str:
    kind = selectors.kind_get(report.kind)
    period = report.period
    return gettext("%(name)s %(kind)s（%(period)s）") % {
        "name": report.association.name,
        "kind": gettext(kind.label) if kind is not None else report.kind,
        "period": period,
    }


@transaction.atomic
def report_submit(
    *,
    actor: User,
    report: Report,
    values: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> Report:
    """上报: the typed figures saved, the derived ones read from the records now, the checks
    passed; every figure is stored with the records behind each derived one (frozen)."""
    _require_own(actor, report.association)
    report = _lock(report)
    check_version(report.version, version)
    if not report.editable:
        raise Conflict(
            gettext("只有草稿或已退回的报表可以上报（当前状态：%(status)s）。")
            % {"status": report.get_status_display()}
        )
    kind = _kind_of(report)
    period = selectors.period_of(kind, report.period)
    typed = parse_values(kind, values or {})
    stored = {v.key: v.value for v in report.values.filter(source=ReportValue.Source.HAND)}
    merged = {**stored, **typed}
    sheet = selectors.sheet(
        user=actor,
        kind=kind,
        association=report.association,
        period=period,
        report=report,
        typed=merged,
    )
    if sheet.blocking:
        raise ServiceError(
            "；".join(p.message for p in sheet.blocking[:5]), field=sheet.blocking[0].key
        )
    derived = selectors.derived_figures(
        user=actor, kind=kind, association=report.association, period=period
    )
    ReportValue.objects.filter(report=report).delete()
    ReportEvidence.objects.filter(report=report).delete()
    _store(report, {k: Decimal(f.value) for k, f in derived.items()}, ReportValue.Source.DERIVED)
    hand = {line.key: line.value for line in sheet.lines if not line.derived}
    _store(report, hand, ReportValue.Source.HAND)
    ReportEvidence.objects.bulk_create(
        [
            ReportEvidence(
                report=report,
                key=key,
                model=figure.model,
                record_ids=list(figure.records()) if figure.records is not None else [],
                url=figure.url[:300],
            )
            for key, figure in derived.items()
        ]
    )
    before = snapshot(report, STATE_FIELDS)
    review.submit(report, actor)
    _finish(actor, report, before, "上报报表")
    _step(actor, report, review.Action.SUBMIT)
    parent = report.association.parent
    if parent is not None:
        events.publish(
            "reports.submitted",
            recipients=selectors.holders_of(REVIEW, parent),
            title=_title(report),
            url=reverse("reports:detail", args=[report.pk]),
        )
    return report


def _require_reviewer(actor: User, report: Report) -> None:
    """`report.review`, in scope, and the association directly above (`fpa.core.review` then
    refuses one's own association and one's own submission)."""
    require(actor, REVIEW)
    require_in_scope(actor, report.association)
    home = _home(actor)
    if home.pk != report.association_id and report.association.parent_id != home.pk:
        raise NotAllowed(gettext("只能审核直接下级计生协的报表。"))


@transaction.atomic
def report_accept(*, actor: User, report: Report, version: int | None = None) -> Report:
    """审核通过: the report's figures, already frozen at submission, are the accepted ones."""
    _require_reviewer(actor, report)
    report = _lock(report)
    check_version(report.version, version)
    before = snapshot(report, STATE_FIELDS)
    review.accept(report, actor)
    _finish(actor, report, before, "审核通过上报报表")
    _step(actor, report, review.Action.ACCEPT)
    events.publish(
        "reports.accepted",
        recipients=selectors.holders_of(SUBMIT, report.association),
        title=_title(report),
        url=reverse("reports:detail", args=[report.pk]),
    )
    return report


@transaction.atomic
def report_return(
    *, actor: User, report: Report, reason: str, version: int | None = None
) -> Report:
    """退回: back to the association with the reason; it fixes and submits again."""
    _require_reviewer(actor, report)
    report = _lock(report)
    check_version(report.version, version)
    before = snapshot(report, STATE_FIELDS)
    text = review.send_back(report, actor, reason)
    _finish(actor, report, before, text)
    _step(actor, report, review.Action.RETURN, text)
    events.publish(
        "reports.returned",
        recipients=selectors.holders_of(SUBMIT, report.association),
        title=_title(report),
        url=reverse("reports:detail", args=[report.pk]),
        reason=text,
    )
    return report


# --- the county's settings --------------------------------------------------------------------


def _require_county(actor: User) -> Association:
    require(actor, KINDS)
    home = _home(actor)
    if home.kind not in COUNTY_LEVELS:
        raise NotAllowed(gettext("自定义报表和截止日期由县级及以上计生协设置。"))
    return home


@transaction.atomic
def custom_kind_create(
    *,
    actor: User,
    code: str,
    name: str,
    periodicity: str,
    fields: list[tuple[str, str]],
) -> CustomKind:
    """A simple kind of numeric hand fields, (label, unit) each."""
    home = _require_county(actor)
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise ServiceError(
            gettext("代码应为2至30位小写字母、数字或下划线，以字母开头。"), field="code"
        )
    if CustomKind.objects.filter(code=code).exists():
        raise ServiceError(gettext("该代码已被使用。"), field="code")
    rows = [(label.strip(), unit.strip()) for label, unit in fields if label and label.strip()]
    if not rows:
        raise ServiceError(gettext("请至少填写一个指标。"), field="fields")
    if len(rows) > 50:
        raise ServiceError(gettext("指标最多50个。"), field="fields")
    kind = CustomKind(
        association=home,
        code=code,
        name=within((name or "").strip(), 60, field="name"),
        periodicity=periodicity,
        created_by=actor,
    )
    if len(kind.name) < 2:
        raise ServiceError(gettext("请填写报表名称。"), field="name")
    validate(kind)
    kind.save()
    for sort, (label, unit) in enumerate(rows, start=1):
        item = CustomField(
            kind=kind, sort=sort, label=within(label, 60, field="fields"), unit=unit[:10]
        )
        validate(item, exclude=["kind"])
        item.save()
    audit_create(actor=actor, obj=kind, scope_path=home.path, reason="新增自定义报表")
    return kind


@transaction.atomic
def custom_kind_set_active(*, actor: User, kind: CustomKind, active: bool) -> CustomKind:
    """Retire a custom kind (no longer offered for new reports; those filed stay readable in the
    archive) or bring it back. Only the association that set it may."""
    home = _require_county(actor)
    locked = CustomKind.objects.select_for_update().get(pk=kind.pk)
    if locked.association_id != home.pk:
        raise NotAllowed(gettext("只能停用或启用本级设置的自定义报表。"))
    if locked.active == active:
        return locked
    before = snapshot(locked, ["active"])
    locked.active = active
    locked.version += 1
    locked.save(update_fields=["active", "version", "updated_at"])
    audit_update(
        actor=actor,
        obj=locked,
        before=before,
        scope_path=home.path,
        reason="启用自定义报表" if active else "停用自定义报表",
    )
    return locked


@transaction.atomic
def due_date_set(
    *, actor: User, kind: Kind, period: Period, due_on: datetime.date | None
) -> DueDate:
    """The due date of a kind and period for the county's subtree."""
    home = _require_county(actor)
    if due_on is None:
        raise ServiceError(gettext("请填写截止日期。"), field="due_on")
    if due_on < period.first:
        raise ServiceError(gettext("截止日期不能早于报告期开始。"), field="due_on")
    found, created = DueDate.objects.get_or_create(
        association=home,
        kind=kind.key,
        period=period.key,
        defaults={"due_on": due_on, "set_by": actor},
    )
    if created:
        audit_create(actor=actor, obj=found, scope_path=home.path, reason="设置上报截止日期")
        return found
    before = snapshot(found, ["due_on"])
    found.due_on, found.set_by = due_on, actor
    found.save()
    audit_update(actor=actor, obj=found, before=before, scope_path=home.path)
    return found
