"""Claims: reported against an enrolment in force on the day of the event, documents attached,
submitted to the insurer, paid or refused, closed (`insurance.edit`, in the claim's scope)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import uploads
from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import ServiceError, validate, within
from fpa.core.scope import require, require_in_scope
from fpa.insurance.models import Claim, ClaimDocument, Enrolment, Settings
from fpa.insurance.services.common import bump, locked

if TYPE_CHECKING:
    from fpa.accounts.models import User

MAX_DOCUMENTS = 20
CLAIM_CARE_KIND = "insurance_claim"  # 保险理赔, seeded by fpa/families/migrations/0002
CARES_BY_KIND = {Claim.Kind.HOSPITAL: ["hospital"], Claim.Kind.DEATH: ["end_of_life"]}


def _check_day(day: datetime.date, field: str, earliest: datetime.date | None = None) -> None:
    if day > timezone.localdate():
        raise ServiceError(gettext("日期不能晚于今天。"), field=field)
    if earliest is not None and day < earliest:
        raise ServiceError(
            gettext("日期不能早于%(day)s。") % {"day": earliest.isoformat()}, field=field
        )


def _care_log(actor: User, claim: Claim) -> None:
    """The family's care log says that a claim was reported (保险理赔, 保险保障)."""
    from fpa.families.models import CareKind
    from fpa.families.services import care_log

    if claim.family is None:
        return
    kind = CareKind.objects.get(code=CLAIM_CARE_KIND)
    claim.care_record = care_log(
        actor=actor,
        family=claim.family,
        kind=kind,
        occurred_on=claim.reported_on,
        services=["insurance"],
        cares=CARES_BY_KIND.get(claim.kind, []),  # type: ignore[call-overload]
        notes=gettext("报案：%(kind)s，出险日期%(day)s。")
        % {"kind": claim.get_kind_display(), "day": claim.event_on.isoformat()},
    )
    claim.save(update_fields=["care_record"])


@transaction.atomic
def claim_report(
    *,
    actor: User,
    enrolment: Enrolment,
    event_on: datetime.date,
    kind: str,
    description: str,
) -> Claim:
    """Report a claim for an insured person; refused unless the enrolment was in force on the
    day of the event. A family person's claim writes the family's care-log entry."""
    require(actor, "insurance.edit")
    require_in_scope(actor, enrolment.association)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    _check_day(event_on, "event_on")
    if not enrolment.in_force_on(event_on):
        raise ServiceError(
            gettext(
                "%(day)s该人员不在保障期内（本年度保障期间%(start)s至%(end)s%(removed)s），"
                "不能报案。"
            )
            % {
                "day": event_on.isoformat(),
                "start": enrolment.covered_from.isoformat(),
                "end": enrolment.covered_to.isoformat(),
                "removed": gettext("，%(day)s已退保") % {"day": enrolment.removed_on.isoformat()}
                if enrolment.removed_on
                else "",
            },
            field="event_on",
        )
    if kind not in Claim.Kind.values:
        raise ServiceError(gettext("请选择出险类别。"), field="kind")
    text = within((description or "").strip(), 2000, field="description")
    if not text:
        raise ServiceError(gettext("请填写出险经过。"), field="description")
    claim = Claim(
        enrolment=enrolment,
        association=enrolment.association,
        family=enrolment.family,
        event_on=event_on,
        kind=kind,
        description=text,
        reported_on=timezone.localdate(),
        reported_by=actor,
    )
    validate(claim)
    claim.save()
    audit_create(actor=actor, obj=claim, scope_path=claim.association.path)
    _care_log(actor, claim)
    return claim


def _step(
    actor: User, claim: Claim, version: int | None, *status: str
) -> tuple[Claim, dict[str, Any]]:
    require(actor, "insurance.edit")
    require_in_scope(actor, claim.association)
    row = locked(claim, version)
    if row.status not in status:
        raise ServiceError(
            gettext("该理赔当前为“%(status)s”，不能进行此操作。")
            % {"status": row.get_status_display()},
            field="status",
        )
    return row, snapshot(row)


def _save(actor: User, row: Claim, before: dict[str, Any]) -> Claim:
    bump(row)
    validate(row)
    row.save()
    audit_update(actor=actor, obj=row, before=before, scope_path=row.association.path)
    return row


@transaction.atomic
def claim_submit(
    *, actor: User, claim: Claim, submitted_on: datetime.date, version: int | None = None
) -> Claim:
    """Sent to the insurer: from this day the insurer's answer is awaited (overdue after the
    configured number of days)."""
    row, before = _step(actor, claim, version, Claim.Status.REPORTED)
    _check_day(submitted_on, "submitted_on", row.event_on)
    row.status, row.submitted_on = Claim.Status.SUBMITTED, submitted_on
    row.due_on = submitted_on + datetime.timedelta(days=Settings.current().overdue_days)
    return _save(actor, row, before)


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(gettext("请填写正确的赔付金额。"), field="amount_paid") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal(10**9):
        raise ServiceError(gettext("赔付金额应大于零，最多两位小数。"), field="amount_paid")
    return amount


@transaction.atomic
def claim_decide(
    *,
    actor: User,
    claim: Claim,
    outcome: str,
    decided_on: datetime.date,
    amount_paid: Any = None,
    refusal_reason: str = "",
    version: int | None = None,
) -> Claim:
    """The insurer's answer: paid (amount and date) or refused (reason and date)."""
    row, before = _step(actor, claim, version, Claim.Status.SUBMITTED)
    _check_day(decided_on, "decided_on", row.submitted_on)
    if outcome == Claim.Status.PAID:
        row.amount_paid = _amount(amount_paid)
    elif outcome == Claim.Status.REFUSED:
        reason = within((refusal_reason or "").strip(), 300, field="refusal_reason")
        if not reason:
            raise ServiceError(gettext("请填写拒赔原因。"), field="refusal_reason")
        row.refusal_reason = reason
    else:
        raise ServiceError(gettext("请选择赔付或拒赔。"), field="outcome")
    row.status, row.decided_on = outcome, decided_on
    return _save(actor, row, before)


@transaction.atomic
def claim_close(*, actor: User, claim: Claim, version: int | None = None) -> Claim:
    row, before = _step(actor, claim, version, Claim.Status.PAID, Claim.Status.REFUSED)
    row.status, row.closed_on = Claim.Status.CLOSED, timezone.localdate()
    return _save(actor, row, before)


@transaction.atomic
def claim_document_add(*, actor: User, claim: Claim, upload: Any) -> ClaimDocument:
    """Attach one checked file (PDF or image, `fpa.core.uploads.clean_document`), stored under a
    random name outside every URL; a closed claim takes no more files."""
    require(actor, "insurance.edit")
    require_in_scope(actor, claim.association)
    row = Claim.objects.select_for_update().get(pk=claim.pk)
    if row.status == Claim.Status.CLOSED:
        raise ServiceError(gettext("该理赔已结案，不能再上传材料。"), field="file")
    count = ClaimDocument.objects.filter(claim=row).count()
    if count >= MAX_DOCUMENTS:
        raise ServiceError(
            gettext("每件理赔最多%(count)s份材料。") % {"count": MAX_DOCUMENTS}, field="file"
        )
    name = getattr(upload, "name", "") or ""
    try:
        checked = uploads.clean_document(upload)
    except uploads.UploadError as exc:
        raise ServiceError(f"{uploads.display_name(name)}{exc}", field="file") from exc
    stored = default_storage.save(
        uploads.random_name(f"insurance/claims/{row.pk}", checked.extension),
        ContentFile(checked.data),
    )
    try:
        document = ClaimDocument(
            claim=row,
            file=stored,
            # The client's file name is never kept: the file is named by the claim.
            original_name=gettext("理赔材料%(n)s.%(ext)s")
            % {"n": count + 1, "ext": checked.extension},
            content_type=checked.content_type,
            size=len(checked.data),
            uploaded_by=actor,
        )
        document.save()
        audit_create(actor=actor, obj=document, scope_path=row.association.path)
    except BaseException:
        default_storage.delete(stored)
        raise
    return document
