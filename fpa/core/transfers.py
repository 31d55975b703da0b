"""Two-way transfer of a record between associations (跨协会移交): one mechanism for every module.

The sending association offers a record (a member, a special family, a migrant...) to a receiving
association anywhere in the deployment; the receiving side accepts (the record moves, with its
history) or declines with a reason (it stays); the sender may withdraw the offer while it waits.
Both ends see the transfer and its outcome, and both ends' audit trails show every step.

The parts:

* `TransferBase`: the abstract model (from/to association, status, reason, who and when), with
  `TransferQuerySet.visible_to` seeing a transfer from either end's subtree, and
  `one_open_per(field, name=...)`, the constraint of one waiting transfer per record.
* `TransferKind`: what differs between modules, declared once per module (the concrete model, the
  field naming the record, how to lock it, the capabilities, what may be offered and to whom, and
  `on_accept`, the hook that moves the record).
* Services `offer`, `accept`, `decline`, `cancel`: atomic, audited on both sides' subtrees.
* Selectors `transfer_lists`, `transfer_get`, `transfer_history`, `incoming_count`.
* `fpa.core.transfer_pages`: the forms and pages every module shows, on the shared templates
  `core/transfers.html`, `core/transfer_detail.html`, `core/transfer_offer.html` and the partial
  `core/_transfer_history.html` for the record's own page.

Both sides acting at once: every decision locks the transfer row, checks that it still waits, and
moves it out of "requested" with a conditional UPDATE (status = requested) whose row count must be
one. Whatever the database's locking, a second accept, or an accept racing a cancel, finds the
transfer decided and is refused with `texts.decided`; the record is moved once or not at all.

Wiring a new kind (a migrant, say) takes about thirty lines::

    # models.py
    class MigrantTransfer(TransferBase):
        migrant = models.ForeignKey(Migrant, on_delete=models.PROTECT, related_name="transfers")
        objects = TransferQuerySet.as_manager()

        class Meta(TransferBase.Meta):
            constraints = [one_open_per("migrant", name="mig_transfer_one_open")]

        @property
        def subject_name(self) -> str:
            return self.migrant.name

    # services/transfers.py
    def _move(actor, transfer, migrant):
        migrant.association = transfer.to_association
        migrant.save(update_fields=["association", "updated_at"])
        audit_update(...)  # both paths, as fpa.families.services.transfers does
        return migrant

    MIGRANTS = TransferKind(
        model=MigrantTransfer,
        subject_field="migrant",
        offer_capability="migrant.edit",
        accept_capability="migrant.edit",
        lock=lambda pk: Migrant.objects.select_for_update().get(pk=pk),
        check_receiver=holder_check(HOLDER_KINDS, gettext_noop("...")),
        on_accept=_move,
    )

    # views: transfer_pages.lists_page / detail_page / offer_page with a `TransferPages` naming
    # the URL names, the titles and the summary the receiving side may read before it accepts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, Self, TypeVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from fpa.core.actors import Actor, HasPath, Viewer
from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.errors import ServiceError, within
from fpa.core.models import AuditEvent, TimeStampedModel
from fpa.core.pagination import Page, sorted_page
from fpa.core.scope import ScopedQuerySet, require, require_in_scope, scope_path_of
from fpa.core.text import LineField, TextError, clean_text


class Association(HasPath, Protocol):
    """An association as transfers need it (core imports no app: `organizations.Association`)."""

    @property
    def pk(self) -> Any: ...

    @property
    def kind(self) -> str: ...

    @property
    def is_current(self) -> bool: ...


User = Actor
_T = TypeVar("_T", bound="TransferBase")
_S = TypeVar("_S", bound=models.Model)

REASON_MAX = 300


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REFUSED = "refused", _("已拒绝")
    CANCELLED = "cancelled", _("已撤回")


class TransferQuerySet(ScopedQuerySet[_T]):
    """A transfer is seen by both ends: the sending association's subtree and the receiving one's.
    What the receiving side may read of the record before it accepts is the pages' concern (a
    summary without personal numbers)."""

    def visible_to(self, user: Viewer) -> Self:
        path = scope_path_of(user)
        if path is None:
            return self.none()
        return self.filter(
            models.Q(from_association__path__under=path)
            | models.Q(to_association__path__under=path)
        )

    def waiting(self) -> Self:
        return self.filter(status=TransferStatus.REQUESTED)


class TransferBase(TimeStampedModel):
    """The fields every transfer has. A concrete model adds the FK to its record and the
    constraint `one_open_per(<that field>)`."""

    Status = TransferStatus

    from_association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("转出协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("转入协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    reason = LineField(_("移交原因"), max_length=REASON_MAX)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_on = models.DateField(_("申请日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)
    refusal_reason = LineField(_("拒绝原因"), max_length=REASON_MAX, blank=True)

    scope_field = "from_association__path"

    class Meta:
        abstract = True
        ordering = ["-requested_on", "-id"]

    @property
    def is_open(self) -> bool:
        return self.status == TransferStatus.REQUESTED

    @property
    def subject_name(self) -> str:
        """How the record is named in lists (each concrete model says)."""
        return str(getattr(self, "pk", ""))


def one_open_per(subject_field: str, *, name: str) -> models.UniqueConstraint:
    """At most one waiting transfer per record: the database refuses a second one even when two
    offers are made at the same moment."""
    return models.UniqueConstraint(
        fields=[subject_field], condition=models.Q(status="requested"), name=name
    )


# --- the kind of a transfer -----------------------------------------------------------------------


@dataclass(frozen=True)
class TransferTexts:
    """The messages of one kind (gettext_noop: translated when raised)."""

    already_open: str = gettext_noop("该记录已有待接收的移交申请。")
    decided: str = gettext_noop("该移交申请已处理。")
    reason_missing: str = gettext_noop("请填写移交原因。")
    same_association: str = gettext_noop("接收协会不能是该记录现在所属的协会。")
    refusal_missing: str = gettext_noop("请填写拒绝接收的原因。")
    cancel_missing: str = gettext_noop("请填写撤回原因。")
    moved_meanwhile: str = gettext_noop("该记录已不在转出协会，不能接收。")
    not_movable: str = gettext_noop("该记录当前不能移交。")


def holder_check(kinds: Iterable[str], message: str) -> Callable[[Association], None]:
    """A receiver check: a current association of one of `kinds`, else `message`."""
    allowed = frozenset(kinds)

    def check(association: Association) -> None:
        if association.kind not in allowed or not association.is_current:
            raise ServiceError(gettext(message), field="to_association")

    return check


def _no_check(subject: Any) -> None:
    return None


@dataclass(frozen=True)
class TransferKind(Generic[_T, _S]):
    """What a module declares once. `lock(pk)` returns the record locked for update with its
    association; `check_offer(record)` raises a ServiceError when the record may not be offered
    (and `check_accept`, by default the same, when it may no longer be taken);
    `check_receiver(association)` when the association may not hold such records;
    `on_accept(actor, transfer, record)` moves the record and returns what the caller shows (the
    record, or a new one); fields of the transfer it sets are named in `accept_fields`."""

    model: type[_T]
    subject_field: str
    offer_capability: str
    accept_capability: str
    lock: Callable[[int], _S]
    on_accept: Callable[[Any, _T, _S], Any]
    check_receiver: Callable[[Any], None]
    check_offer: Callable[[_S], None] = _no_check
    check_accept: Callable[[_S], None] | None = None
    association_of: Callable[[_S], Any] = field(default=lambda record: record.association)
    on_offer: Callable[[_T, _S], None] | None = None
    accept_fields: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    texts: TransferTexts = TransferTexts()

    @property
    def subject_id_field(self) -> str:
        return f"{self.subject_field}_id"

    def subject_id(self, transfer: _T) -> int:
        return int(getattr(transfer, self.subject_id_field))


# --- services -------------------------------------------------------------------------------------


def one_line(value: str | None, *, field: str, limit: int) -> str:
    """Free text of one line as stored (trimmed, spaces collapsed), or a clear error on `field`
    for a control character or a text over `limit` characters."""
    try:
        text = clean_text((value or "").strip())
    except TextError as exc:
        raise ServiceError(str(exc), field=field) from exc
    return within(text, limit, field=field)


def _reason(reason: str | None, missing: str) -> str:
    text = one_line(reason, field="reason", limit=REASON_MAX)
    if len(text) < 2:
        raise ServiceError(gettext(missing), field="reason")
    return text


def _audit_other_end(actor: User, transfer: TransferBase, created: bool = False) -> None:
    """The receiving subtree's auditors see each step too (no personal data of the record)."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=transfer,
        changes={
            "status": [None, transfer.status],
            "to_association": [None, transfer.to_association.code],
        },
        scope_path=transfer.to_association.path,
    )


@transaction.atomic
def offer(
    kind: TransferKind[_T, _S],
    *,
    actor: User,
    subject: _S,
    to_association: Association,
    reason: str,
    **extra: Any,
) -> _T:
    """The sending association offers the record to the receiving one; nothing changes for the
    record until the receiving side accepts. `extra` are the concrete model's own fields."""
    require(actor, kind.offer_capability)
    locked = kind.lock(subject.pk)
    here = kind.association_of(locked)
    require_in_scope(actor, here)
    kind.check_offer(locked)
    kind.check_receiver(to_association)
    if to_association.pk == here.pk:
        raise ServiceError(gettext(kind.texts.same_association), field="to_association")
    reason = _reason(reason, kind.texts.reason_missing)
    waiting = kind.model.objects.filter(  # type: ignore[attr-defined]
        **{kind.subject_field: locked, "status": TransferStatus.REQUESTED}
    )
    if waiting.exists():
        raise ServiceError(gettext(kind.texts.already_open), field=kind.subject_field)
    transfer = kind.model(
        **{kind.subject_field: locked},
        from_association=here,
        to_association=to_association,
        reason=reason,
        requested_by=actor,
        requested_on=timezone.localdate(),
        **extra,
    )
    if kind.on_offer is not None:
        kind.on_offer(transfer, locked)
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:  # an offer made at the same moment won
        raise ServiceError(gettext(kind.texts.already_open), field=kind.subject_field) from exc
    audit_create(actor=actor, obj=transfer, scope_path=here.path)
    _audit_other_end(actor, transfer, created=True)
    return transfer


def _lock_transfer(kind: TransferKind[_T, _S], transfer: _T) -> _T:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join, and the
    # associations need no lock.
    locked: _T = (
        kind.model.objects.select_for_update(of=("self",))  # type: ignore[attr-defined]
        .select_related("from_association", "to_association")
        .get(pk=transfer.pk)
    )
    return locked


def _claim(kind: TransferKind[_T, _S], transfer: _T, status: str, actor: User) -> None:
    """Move the transfer out of "requested", or refuse: the conditional UPDATE is what makes two
    decisions at once impossible, whatever the database's row locks."""
    if transfer.status != TransferStatus.REQUESTED:
        raise ServiceError(gettext(kind.texts.decided), field="status")
    today = timezone.localdate()
    claimed = kind.model.objects.filter(  # type: ignore[attr-defined]
        pk=transfer.pk, status=TransferStatus.REQUESTED
    ).update(status=status, decided_by=actor, decided_on=today, updated_at=timezone.now())
    if claimed != 1:
        raise ServiceError(gettext(kind.texts.decided), field="status")
    transfer.status, transfer.decided_on = status, today
    transfer.decided_by = actor  # type: ignore[assignment]  # the account model, as an Actor


@transaction.atomic
def accept(kind: TransferKind[_T, _S], *, actor: User, transfer: _T) -> Any:
    """The receiving association takes the record: `kind.on_accept` moves it. Returns what the
    hook returns."""
    require(actor, kind.accept_capability)
    locked = _lock_transfer(kind, transfer)
    require_in_scope(actor, locked.to_association)
    if locked.status != TransferStatus.REQUESTED:
        raise ServiceError(gettext(kind.texts.decided), field="status")
    kind.check_receiver(locked.to_association)
    subject = kind.lock(kind.subject_id(locked))
    if kind.association_of(subject).pk != locked.from_association_id:
        raise ServiceError(gettext(kind.texts.moved_meanwhile), field=kind.subject_field)
    (kind.check_accept or kind.check_offer)(subject)
    before = snapshot(locked, ["status", "decided_on", *kind.accept_fields])
    _claim(kind, locked, TransferStatus.ACCEPTED, actor)
    result = kind.on_accept(actor, locked, subject)
    if kind.accept_fields:
        locked.save(update_fields=[*kind.accept_fields, "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.from_association.path)
    _audit_other_end(actor, locked)
    return result


def _close(
    kind: TransferKind[_T, _S], actor: User, transfer: _T, status: str, reason: str, missing: str
) -> _T:
    if transfer.status != TransferStatus.REQUESTED:
        raise ServiceError(gettext(kind.texts.decided), field="status")
    reason = _reason(reason, missing)
    before = snapshot(transfer, ["status", "decided_on", "refusal_reason"])
    _claim(kind, transfer, status, actor)
    transfer.refusal_reason = reason
    transfer.save(update_fields=["refusal_reason", "updated_at"])
    audit_update(
        actor=actor, obj=transfer, before=before, scope_path=transfer.from_association.path
    )
    _audit_other_end(actor, transfer)
    return transfer


@transaction.atomic
def decline(kind: TransferKind[_T, _S], *, actor: User, transfer: _T, reason: str) -> _T:
    """The receiving association refuses, with a reason the sender reads; the record stays."""
    require(actor, kind.accept_capability)
    locked = _lock_transfer(kind, transfer)
    require_in_scope(actor, locked.to_association)
    return _close(kind, actor, locked, TransferStatus.REFUSED, reason, kind.texts.refusal_missing)


@transaction.atomic
def cancel(kind: TransferKind[_T, _S], *, actor: User, transfer: _T, reason: str) -> _T:
    """The sending association withdraws an offer that still waits."""
    require(actor, kind.offer_capability)
    locked = _lock_transfer(kind, transfer)
    require_in_scope(actor, locked.from_association)
    return _close(kind, actor, locked, TransferStatus.CANCELLED, reason, kind.texts.cancel_missing)


# --- selectors ------------------------------------------------------------------------------------


def _base(kind: TransferKind[_T, _S], user: Viewer) -> models.QuerySet[_T]:
    queryset: models.QuerySet[_T] = kind.model.objects.visible_to(user)  # type: ignore[attr-defined]
    return queryset.select_related(
        kind.subject_field, "from_association", "to_association", *kind.related
    )


def transfer_lists(
    kind: TransferKind[_T, _S], *, user: Viewer, size: int = 200
) -> dict[str, list[_T]]:
    """What waits on the user's side: incoming (to accept or decline) and outgoing (waiting on
    the other side), oldest first; and the 50 latest decided."""
    path = scope_path_of(user)
    if path is None:
        return {"incoming": [], "outgoing": [], "done": []}
    base = _base(kind, user)
    waiting = base.filter(status=TransferStatus.REQUESTED).order_by("requested_on", "id")
    return {
        "incoming": list(waiting.filter(to_association__path__under=path)[:size]),
        "outgoing": list(waiting.filter(from_association__path__under=path)[:size]),
        "done": list(base.exclude(status=TransferStatus.REQUESTED).order_by("-id")[:50]),
    }


def incoming(kind: TransferKind[_T, _S], *, user: Viewer) -> models.QuerySet[_T]:
    """Transfers waiting for the user's subtree to accept or decline."""
    path = scope_path_of(user)
    if path is None:
        return kind.model.objects.none()  # type: ignore[attr-defined,no-any-return]
    return _base(kind, user).filter(
        status=TransferStatus.REQUESTED, to_association__path__under=path
    )


def incoming_count(kind: TransferKind[_T, _S], *, user: Viewer) -> int:
    return incoming(kind, user=user).count()


def transfer_get(kind: TransferKind[_T, _S], *, user: Viewer, pk: int) -> _T:
    """A transfer the user's subtree sends or receives (`DoesNotExist` otherwise)."""
    found: _T = _base(kind, user).get(pk=pk)
    return found


def transfer_history(
    kind: TransferKind[_T, _S], *, user: Viewer, subject: models.Model
) -> list[_T]:
    """A record's transfers, newest first (its page's history panel)."""
    return list(_base(kind, user).filter(**{kind.subject_field: subject}).order_by("-id")[:50])


def moved_on(transfer: TransferBase) -> datetime.date | None:
    """The day the record moved: the day the receiving side accepted."""
    return transfer.decided_on if transfer.status == TransferStatus.ACCEPTED else None


# --- the lists: filters, sorts, pages, export -----------------------------------------------------

INCOMING = "incoming"
OUTGOING = "outgoing"
# The sort keys a list accepts (anything else is refused by the form): label, the column (an
# annotation of `_sortable` for the decided date and the status) and whether it runs newest first.
# Every sort breaks ties on the id, in the same direction, so that pages never skip or repeat.
SORTS: dict[str, tuple[Any, str, bool]] = {
    "requested_desc": (_("申请日期（新→旧）"), "requested_on", True),
    "requested": (_("申请日期（旧→新）"), "requested_on", False),
    "decided_desc": (_("处理日期（新→旧）"), "sort_decided_desc", True),
    "decided": (_("处理日期（旧→新）"), "sort_decided", False),
    "status": (_("状态（待接收在前）"), "sort_status", False),
}
DEFAULT_SORT = "requested_desc"
# Waiting transfers have no decided date: they come after the decided ones in both directions.
_NEVER_FIRST = datetime.date(1, 1, 1)
_NEVER_LAST = datetime.date(9999, 12, 31)
_STATUS_RANK = (
    TransferStatus.REQUESTED,
    TransferStatus.ACCEPTED,
    TransferStatus.REFUSED,
    TransferStatus.CANCELLED,
)


@dataclass(frozen=True)
class TransferFilters:
    """What a transfer list (and its export) is filtered by; each empty value: no filter.
    `direction` is INCOMING (received by the user's subtree) or OUTGOING (sent by it); `other`
    the code of the association at the other end (or at either end, without a direction)."""

    direction: str = ""
    status: str = ""
    requested_from: datetime.date | None = None
    requested_to: datetime.date | None = None
    decided_from: datetime.date | None = None
    decided_to: datetime.date | None = None
    other: str = ""

    def as_params(self) -> dict[str, str]:
        """The filters as JSON (a background export's parameters)."""
        return {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in self.__dict__.items()
            if value
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> TransferFilters:
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            value = params.get(name) or ""
            if name.endswith(("_from", "_to")):
                values[name] = datetime.date.fromisoformat(value) if value else None
            else:
                values[name] = str(value)
        return cls(**values)


def _sortable(queryset: models.QuerySet[_T]) -> models.QuerySet[_T]:
    """The sort columns that are not fields: the decided date with the waiting transfers last,
    either way, and the status in the order of its life (waiting first)."""
    annotated: models.QuerySet[_T] = queryset.annotate(  # type: ignore[assignment]
        sort_decided=Coalesce(
            "decided_on", models.Value(_NEVER_LAST), output_field=models.DateField()
        ),
        sort_decided_desc=Coalesce(
            "decided_on", models.Value(_NEVER_FIRST), output_field=models.DateField()
        ),
        sort_status=models.Case(
            *(models.When(status=s, then=models.Value(i)) for i, s in enumerate(_STATUS_RANK)),
            default=models.Value(len(_STATUS_RANK)),
            output_field=models.IntegerField(),
        ),
    )
    return annotated


def transfer_rows(
    kind: TransferKind[_T, _S], *, user: Viewer, filters: TransferFilters
) -> models.QuerySet[_T]:
    """The transfers the user's subtree sent or received, filtered (unordered; sortable by the
    keys of SORTS)."""
    path = scope_path_of(user)
    if path is None:
        return kind.model.objects.none()  # type: ignore[attr-defined,no-any-return]
    rows = _base(kind, user)
    here_receives = models.Q(to_association__path__under=path)
    here_sends = models.Q(from_association__path__under=path)
    if filters.direction == INCOMING:
        rows = rows.filter(here_receives)
    elif filters.direction == OUTGOING:
        rows = rows.filter(here_sends)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.requested_from:
        rows = rows.filter(requested_on__gte=filters.requested_from)
    if filters.requested_to:
        rows = rows.filter(requested_on__lte=filters.requested_to)
    if filters.decided_from:
        rows = rows.filter(decided_on__gte=filters.decided_from)
    if filters.decided_to:
        rows = rows.filter(decided_on__lte=filters.decided_to)
    if filters.other:
        sender, receiver = (
            models.Q(from_association__code=filters.other),
            models.Q(to_association__code=filters.other),
        )
        if filters.direction == INCOMING:
            rows = rows.filter(sender)
        elif filters.direction == OUTGOING:
            rows = rows.filter(receiver)
        else:
            rows = rows.filter(sender | receiver)
    return _sortable(rows)


def sort_of(sort: str) -> tuple[str, bool]:
    """(column, newest first) of a sort key; an unknown key sorts as the default."""
    _label, key, descending = SORTS.get(sort) or SORTS[DEFAULT_SORT]
    return key, descending


def transfer_page(
    kind: TransferKind[_T, _S],
    *,
    user: Viewer,
    filters: TransferFilters,
    sort: str = DEFAULT_SORT,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    """One keyset page of `transfer_rows` in the chosen order (fpa.core.pagination)."""
    key, descending = sort_of(sort)
    return sorted_page(
        transfer_rows(kind, user=user, filters=filters),
        key=key,
        descending=descending,
        after=after,
        before=before,
        size=size,
    )


def transfers_for_export(
    kind: TransferKind[_T, _S], *, user: Viewer, filters: TransferFilters, sort: str
) -> models.QuerySet[_T]:
    """The list's rows for a workbook, in the list's order."""
    key, descending = sort_of(sort)
    order = [f"-{key}", "-id"] if descending else [key, "id"]
    return transfer_rows(kind, user=user, filters=filters).order_by(*order)


# --- what follows the record on acceptance --------------------------------------------------------


def hand_over_open_needs(
    actor: User,
    transfer: TransferBase,
    needs: models.QuerySet[Any],
    *,
    may_own: Callable[[Any], bool],
) -> list[int]:
    """Call from a kind's `on_accept`, after the record has moved: the record's open needs
    (诉求, status in the model's OPEN_STATUSES) go with it. Their `association`, when the model
    has one, becomes the receiver; their `owner`, when it has one, stays only if `may_own(owner)`
    (the module's rule for an owner, checked against the moved record), and is cleared otherwise
    for the receiving side to assign. Closed needs stay as they were (history). Each change is
    audited in both subtrees, inside the acceptance's transaction. Returns the needs changed.

    A needs model with neither field (its scope follows the record) has nothing to hand over."""
    model = needs.model
    names = {f.name for f in model._meta.get_fields()}
    has_association, has_owner = "association" in names, "owner" in names
    if not (has_association or has_owner):
        return []
    open_statuses = getattr(model, "OPEN_STATUSES", ("open", "in_progress"))
    rows = needs.filter(status__in=open_statuses).select_for_update(of=("self",)).order_by("pk")
    if has_owner:
        rows = rows.select_related("owner")
    receiver = transfer.to_association
    sender_path = transfer.from_association.path
    why = gettext("跨协会移交：诉求随记录转入%(association)s") % {
        "association": getattr(receiver, "name", "")
    }
    verdicts: dict[Any, bool] = {}
    changed: list[int] = []
    for need in rows:
        fields: list[str] = []
        if has_association and need.association_id != receiver.pk:
            fields.append("association")
        owner = need.owner if has_owner else None
        if owner is not None:
            if owner.pk not in verdicts:
                verdicts[owner.pk] = bool(owner.is_active and may_own(owner))
            if not verdicts[owner.pk]:
                fields.append("owner")
        if not fields:
            continue
        before = snapshot(need, fields)
        if "association" in fields:
            need.association = receiver
        if "owner" in fields:
            need.owner = None
        need.save(update_fields=[*fields, "updated_at"])
        audit_update(actor=actor, obj=need, before=before, scope_path=sender_path, reason=why)
        audit_update(actor=actor, obj=need, before=before, scope_path=receiver.path, reason=why)
        changed.append(need.pk)
    return changed


# --- the lists' background export -----------------------------------------------------------------

EXPORT_JOB = "transfers.export"


def _register_export_job() -> None:
    """The export job of every transfer list: registered with the engine (which every module
    holding transfers imports, a worker included); the work lives in fpa.core.transfer_pages."""
    from fpa.core.jobs import Progress, register

    @register(EXPORT_JOB)
    def export_transfers(job: Any, progress: Progress) -> dict[str, Any] | None:
        from fpa.core.transfer_pages import run_export_job

        return run_export_job(job, progress)


_register_export_job()
