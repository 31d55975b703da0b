"""Writes of the healthy-family creation: nominate, correct, review (township), award (county),
reopen a refusal, change the publication consent. Atomic, scoped, audited and versioned; each
status change leaves a `NominationStep`.

Who may act is decided here whoever calls (a page, a test, the demo): a village's staff (or staff
above it) nominate with `activity.edit`; the township or a level above reviews and the county or
a level above awards, both with `activity.approve` and inside their subtree.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core import consent
from fpa.core.audit import audit_create, audit_update, changed_since, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, validate, within
from fpa.core.models import ConsentText
from fpa.core.scope import in_scope, require, require_in_scope
from fpa.core.text import TextError, clean_text
from fpa.healthyfamilies import rules
from fpa.healthyfamilies.models import Nomination, NominationStep
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

Status = Nomination.Status
EDITABLE = ("year", "household_name", "members_count", "address", "reason")
NO_CONSENT_TEXT = gettext_noop("尚未设置健康家庭公开户名同意书，暂不能登记同意公开。")
DUPLICATE = gettext_noop("本年度该户已被提名（户名和住址相同），请勿重复提名。")


# --- who may act ----------------------------------------------------------------------------------


def _at_level(user: User | None, association: Association, kinds: tuple[str, ...]) -> bool:
    home = user.home_association if user is not None else None
    return home is not None and home.kind in kinds and in_scope(user, association)


def may_review(user: User, association: Association) -> bool:
    """The township above the village, or a level above it, with `activity.approve`."""
    return user.has_capability("activity.approve") and _at_level(user, association, rules.REVIEWERS)


def may_award(user: User, association: Association) -> bool:
    """The county above the village, or a level above it, with `activity.approve`."""
    return user.has_capability("activity.approve") and _at_level(user, association, rules.AWARDERS)


def _require_level(actor: User, association: Association, kinds: tuple[str, ...], why: str) -> None:
    require(actor, "activity.approve")
    home = actor.home_association
    if home is None or home.kind not in kinds:
        raise NotAllowed(why)
    require_in_scope(actor, association)


# --- shared checks --------------------------------------------------------------------------------


def _require_village(association: Association) -> None:
    if association.kind != Association.Kind.VILLAGE or not association.is_current:
        raise ServiceError(gettext("请选择在用的村（社区）计生协。"), field="association")


def _check_fields(nomination: Nomination) -> None:
    """The rules of a nomination's own fields, after `validate` has normalised them."""
    if len(nomination.household_name) < 2:
        raise ServiceError(gettext("请填写户名（户主姓名）。"), field="household_name")
    count = nomination.members_count
    if count is None or not rules.MEMBERS_MIN <= count <= rules.MEMBERS_MAX:
        raise ServiceError(
            gettext("家庭人口应在%(min)s至%(max)s人之间。")
            % {"min": rules.MEMBERS_MIN, "max": rules.MEMBERS_MAX},
            field="members_count",
        )
    if not nomination.address:
        raise ServiceError(gettext("请填写住址。"), field="address")
    if len(nomination.reason) < rules.REASON_MIN:
        raise ServiceError(
            gettext("提名理由至少写%(min)s个字。") % {"min": rules.REASON_MIN}, field="reason"
        )
    within(nomination.reason, rules.REASON_MAX, field="reason")


def _check_year(year: Any) -> int:
    try:
        number = int(year)
    except (TypeError, ValueError) as exc:
        raise ServiceError(gettext("请选择提名年度。"), field="year") from exc
    problem = rules.year_problem(number, timezone.localdate().year)
    if problem:
        raise ServiceError(problem, field="year")
    return number


def _duplicate() -> ServiceError:
    return ServiceError(gettext(DUPLICATE), field="household_name", code="duplicate")


def _check_duplicate(nomination: Nomination) -> None:
    same = Nomination.objects.filter(
        association=nomination.association,
        year=nomination.year,
        household_name=nomination.household_name,
        address=nomination.address,
    ).exclude(pk=nomination.pk)
    if same.exists():
        raise _duplicate()


def _line(value: str | None, *, field: str, limit: int) -> str:
    """One line of free text as stored (fpa.core.text: trimmed, invisible characters refused),
    at most `limit` characters. Opinions are saved with `update_fields`, past `validate`."""
    try:
        cleaned = clean_text(value or "")
    except TextError as exc:
        raise ServiceError(str(exc), field=field) from exc
    return within(cleaned, limit, field=field)


def _text(value: str | None, *, field: str, minimum: int, limit: int, missing: str) -> str:
    cleaned = _line(value, field=field, limit=limit)
    if len(cleaned) < minimum:
        raise ServiceError(missing, field=field)
    return cleaned


def _agreed(consent_version: int | None) -> ConsentText:
    return consent.agreed(rules.CONSENT_PURPOSE, consent_version, missing=gettext(NO_CONSENT_TEXT))


def _lock(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update().select_related("association").get(pk=nomination.pk)
    )


def _check_version(locked: Nomination, expected: int | None) -> None:
    if expected is not None and int(expected) != locked.version:
        check_version(locked.version, expected, changed_since(locked, int(expected)))


def _step(actor: User, nomination: Nomination, from_status: str, note: str) -> None:
    NominationStep.objects.create(
        nomination=nomination,
        from_status=from_status,
        to_status=nomination.status,
        note=note[:400],
        recorded_by=actor,
    )


def _move(actor: User, locked: Nomination, status: str, note: str, **extra: Any) -> Nomination:
    """Change the status (and `extra` fields), one step and one audit row."""
    before = snapshot(locked, ["status", "version", *extra])
    from_status = locked.status
    locked.status = status
    locked.version += 1
    for key, value in extra.items():
        setattr(locked, key, value)
    locked.save(update_fields=["status", "version", "updated_at", *extra])
    _step(actor, locked, from_status, note)
    audit_update(
        actor=actor, obj=locked, before=before, scope_path=locked.association.path, reason=note
    )
    return locked


# --- writes ---------------------------------------------------------------------------------------


@transaction.atomic
def nomination_create(
    *,
    actor: User,
    association: Association,
    year: int,
    household_name: str,
    members_count: int,
    address: str,
    reason: str,
    publish_name: bool = False,
    consent_version: int | None = None,
) -> Nomination:
    """A village's nomination of a family for `year`. With `publish_name` the family agreed to the
    current publication consent text (version `consent_version`, which staff showed it)."""
    require(actor, "activity.edit")
    require_in_scope(actor, association)
    _require_village(association)
    nomination = Nomination(
        association=association,
        year=_check_year(year),
        household_name=household_name or "",
        members_count=members_count,
        address=address or "",
        reason=reason or "",
        consent=_agreed(consent_version) if publish_name else None,
        nominated_on=timezone.localdate(),
        nominated_by=actor,
    )
    validate(nomination, exclude=["place_key", "consent"], unique=False)
    _check_fields(nomination)
    _check_duplicate(nomination)
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError as exc:  # the same household sent twice at once
        raise _duplicate() from exc
    nomination.place_key = f"{association.code}-{nomination.pk:012d}"
    nomination.save(update_fields=["place_key"])
    _step(actor, nomination, "", gettext("提名"))
    audit_create(actor=actor, obj=nomination, scope_path=association.path)
    return nomination


@transaction.atomic
def nomination_update(
    *, actor: User, nomination: Nomination, expected_version: int | None = None, **data: Any
) -> Nomination:
    """Correct a nomination before the township has reviewed it (its village stays)."""
    require(actor, "activity.edit")
    locked = _lock(nomination)
    require_in_scope(actor, locked.association)
    _check_version(locked, expected_version)
    if locked.status != Status.NOMINATED:
        raise ServiceError(gettext("乡镇审核后不能再修改提名。"), field="status")
    before = snapshot(locked, (*EDITABLE, "version"))
    for key in EDITABLE:
        if key in data:
            setattr(locked, key, data[key] if data[key] is not None else "")
    if locked.year != before["year"]:
        locked.year = _check_year(locked.year)
    validate(locked, exclude=["place_key", "consent"], unique=False)
    _check_fields(locked)
    _check_duplicate(locked)
    if snapshot(locked, EDITABLE) == {k: v for k, v in before.items() if k != "version"}:
        return locked
    locked.version += 1
    try:
        with transaction.atomic():
            locked.save(update_fields=[*EDITABLE, "version", "updated_at"])
    except IntegrityError as exc:
        raise _duplicate() from exc
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked


@transaction.atomic
def nomination_set_consent(
    *,
    actor: User,
    nomination: Nomination,
    publish: bool,
    consent_version: int | None = None,
    note: str = "",
) -> Nomination:
    """The family agrees (on the current text) or withdraws its consent to publish its name, at
    any stage: a withdrawal takes the name off the public list at once."""
    require(actor, "activity.edit")
    locked = _lock(nomination)
    require_in_scope(actor, locked.association)
    if publish == locked.published:
        raise ServiceError(
            gettext("该户已同意公开户名。") if publish else gettext("该户尚未同意公开户名。"),
            field="publish",
        )
    text: ConsentText | None = None
    if publish:
        agreed = _agreed(consent_version)
        text = agreed
        note = _line(note, field="note", limit=rules.OPINION_MAX)
        label = gettext("同意公开户名（同意书第%(version)s版）") % {"version": agreed.version}
    else:
        note = _text(
            note,
            field="note",
            minimum=rules.OPINION_MIN,
            limit=rules.OPINION_MAX,
            missing=gettext("请填写撤回同意的说明。"),
        )
        label = gettext("撤回公开户名同意")
    before = snapshot(locked, ["consent", "version"])
    locked.consent = text
    locked.version += 1
    locked.save(update_fields=["consent", "version", "updated_at"])
    summary = f"{label}：{note}" if note else label
    _step(actor, locked, locked.status, summary)
    audit_update(
        actor=actor, obj=locked, before=before, scope_path=locked.association.path, reason=summary
    )
    return locked


@transaction.atomic
def nomination_review(
    *,
    actor: User,
    nomination: Nomination,
    recommend: bool,
    opinion: str,
    expected_version: int | None = None,
    reviewed_on: datetime.date | None = None,
) -> Nomination:
    """推荐 or 不推荐, with the township's opinion."""
    locked = _lock(nomination)
    _require_level(
        actor, locked.association, rules.REVIEWERS, gettext("提名须由乡镇或以上计生协审核。")
    )
    _check_version(locked, expected_version)
    if locked.status != Status.NOMINATED:
        raise ServiceError(gettext("只能审核“已提名”的提名。"), field="status")
    opinion = _text(
        opinion,
        field="opinion",
        minimum=rules.OPINION_MIN,
        limit=rules.OPINION_MAX,
        missing=gettext("请填写乡镇意见。"),
    )
    status = Status.RECOMMENDED if recommend else Status.NOT_RECOMMENDED
    return _move(
        actor,
        locked,
        status,
        opinion,
        review_opinion=opinion,
        reviewed_on=reviewed_on or timezone.localdate(),
        reviewed_by=actor,
    )


@transaction.atomic
def nomination_award(
    *,
    actor: User,
    nomination: Nomination,
    award: bool,
    opinion: str = "",
    document: str = "",
    expected_version: int | None = None,
    decided_on: datetime.date | None = None,
) -> Nomination:
    """命名 or 不命名 by the county, after the township recommended the family; not naming it
    needs the reason."""
    locked = _lock(nomination)
    _require_level(
        actor, locked.association, rules.AWARDERS, gettext("命名须由县级或以上计生协决定。")
    )
    _check_version(locked, expected_version)
    if locked.status != Status.RECOMMENDED:
        raise ServiceError(gettext("只能对乡镇已推荐的提名作出命名决定。"), field="status")
    opinion = _text(
        opinion,
        field="opinion",
        minimum=0 if award else rules.OPINION_MIN,
        limit=rules.OPINION_MAX,
        missing=gettext("不予命名须填写县级意见。"),
    )
    document = _line(document, field="document", limit=rules.DOCUMENT_MAX)
    status = Status.AWARDED if award else Status.NOT_AWARDED
    note = opinion or (gettext("命名") if award else "")
    if award and document:
        note = f"{note}（{document}）"
    return _move(
        actor,
        locked,
        status,
        note,
        decision_opinion=opinion,
        decision_document=document if award else "",
        decided_on=decided_on or timezone.localdate(),
        decided_by=actor,
    )


@transaction.atomic
def nomination_reopen(
    *, actor: User, nomination: Nomination, reason: str, expected_version: int | None = None
) -> Nomination:
    """A 不推荐 given by mistake or overtaken by events: the township (or above) puts the
    nomination back to 已提名 with the reason; the refusal stays in the steps and the audit."""
    locked = _lock(nomination)
    _require_level(
        actor, locked.association, rules.REVIEWERS, gettext("提名须由乡镇或以上计生协重新打开。")
    )
    _check_version(locked, expected_version)
    if locked.status != Status.NOT_RECOMMENDED:
        raise ServiceError(gettext("只有乡镇未推荐的提名可以重新打开。"), field="status")
    reason = _text(
        reason,
        field="reason",
        minimum=rules.OPINION_MIN,
        limit=rules.OPINION_MAX,
        missing=gettext("请填写重新打开的原因。"),
    )
    note = gettext("重新打开：%(reason)s") % {"reason": reason}
    return _move(
        actor,
        locked,
        Status.NOMINATED,
        note,
        review_opinion="",
        reviewed_on=None,
        reviewed_by=None,
    )
