"""The staff's lists: donations, grants, journal entries; the grants waiting for a user's step
(separation of duties; payment only once it can be made) and the applications refused; the
objections holding a grant; a grant's attachments; what a grant application may name."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from fpa.core.pagination import Page, keyset_page
from fpa.core.scope import covering_paths, in_scope
from fpa.families.models import Family
from fpa.fund.models import (
    Donation,
    Feedback,
    Grant,
    GrantAttachment,
    JournalEntry,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User


# --- staff lists ---------------------------------------------------------------------------------


def donation_list(
    *, user: User, query: str = "", after: str | None = None, before: str | None = None
) -> Page:
    rows = Donation.objects.visible_to(user).select_related("restricted_purpose", "entry", "fund")
    if query:
        rows = rows.filter(Q(receipt_number__icontains=query) | Q(donor_name__icontains=query))
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


@dataclass(frozen=True)
class FigureFilter:
    """The grants behind one report figure (`grant_figures`): an area, a figure, the dates."""

    area: Association
    figure: str
    first: datetime.date
    last: datetime.date


def grant_list(
    *,
    user: User,
    status: str = "",
    mine: bool = False,
    step: str = "",
    figure: FigureFilter | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """Grants in scope; `mine`: only those waiting for this user's step (`grants_at_my_step`);
    `step`: only those at one step (`STEP_STATUSES`: "pay" is approved in either order);
    `figure`: only those behind a report figure (`grants_behind`)."""
    rows = grants_at_my_step(user=user) if mine else Grant.objects.visible_to(user)
    rows = rows.select_related("category", "township", "association", "entry", "family")
    if status:
        rows = rows.filter(status=status)
    if step in STEP_STATUSES:
        rows = rows.filter(status__in=STEP_STATUSES[step])
    if figure is not None:
        rows = rows.filter(
            _figure_condition(figure.figure, figure.first, figure.last),
            association__path__under=figure.area.path,
        )
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


# --- the annual work report's figures ------------------------------------------------------------

# Expense accounts of the chart (fund migration 0003): 慰问救助, 圆梦微心愿.
RELIEF, WISHES = "5101", "5108"
REPORT_FIGURES = ("households", "relief", "wishes")


def _figure_condition(figure: str, first: datetime.date, last: datetime.date) -> Q:
    """Grants paid in [first, last] (paid, or paid and closed) counted by `figure`: the
    households helped (family grants), 慰问救助 or 圆梦微心愿 grants."""
    paid = Q(status__in=(Grant.Status.PAID, Grant.Status.CLOSED), paid_on__range=(first, last))
    if figure == "households":
        return paid & Q(target=Grant.Target.FAMILY, family__isnull=False)
    if figure == "relief":
        return paid & Q(category__code=RELIEF)
    if figure == "wishes":
        return paid & Q(category__code=WISHES)
    return Q(pk__in=[])


@dataclass(frozen=True)
class GrantFigures:
    households: int = 0
    relief_amount: Decimal = Decimal(0)
    wishes: int = 0
    wishes_amount: Decimal = Decimal(0)


def grant_figures(
    *, user: User, area: Association, first: datetime.date, last: datetime.date
) -> GrantFigures:
    """Households helped, 慰问救助 money, 圆梦微心愿 count and money, of the grants of the area's
    subtree paid in [first, last]: one query."""
    row = (
        Grant.objects.visible_to(user)
        .filter(association__path__under=area.path)
        .aggregate(
            households=Count(
                "family", distinct=True, filter=_figure_condition("households", first, last)
            ),
            relief=Sum("amount", filter=_figure_condition("relief", first, last)),
            wishes=Count("pk", filter=_figure_condition("wishes", first, last)),
            wishes_amount=Sum("amount", filter=_figure_condition("wishes", first, last)),
        )
    )
    return GrantFigures(
        households=row["households"] or 0,
        relief_amount=row["relief"] or Decimal(0),
        wishes=row["wishes"] or 0,
        wishes_amount=row["wishes_amount"] or Decimal(0),
    )


def grants_behind(
    *, user: User, area: Association, figure: str, first: datetime.date, last: datetime.date
) -> QuerySet[Grant]:
    return (
        Grant.objects.visible_to(user)
        .filter(association__path__under=area.path)
        .filter(_figure_condition(figure, first, last))
    )


def open_objections(grant: Grant) -> QuerySet[Feedback]:
    """The objections to `grant` not answered yet, whether published or not: each holds the
    next step (payment of a grant noticed first, closing of a grant paid first)."""
    return Feedback.objects.filter(
        grant=grant, kind=Feedback.Kind.OBJECTION, replied_at__isnull=True
    )


def _payable(today: datetime.date) -> Q:
    """Finance can pay it now: approved in the pay-first order, or noticed first with the notice
    period over and every objection answered."""
    objection = Feedback.objects.filter(
        grant=OuterRef("pk"), kind=Feedback.Kind.OBJECTION, replied_at__isnull=True
    )
    return Q(status=Grant.Status.APPROVED) | (
        Q(status=Grant.Status.NOTICE, notice_until__lt=today) & ~Q(Exists(objection))
    )


# The statuses of each step, the capability that takes it and who has handled the grant before
# (separation of duties: the applicant, the reviewer and the approver may not take a later step
# of the same grant). The to-do counts and `?mine=1` read this one table.
STEP_STATUSES: dict[str, tuple[str, ...]] = {
    "review": (Grant.Status.SUBMITTED,),
    "approve": (Grant.Status.REVIEWED,),
    "pay": (Grant.Status.APPROVED, Grant.Status.NOTICE),
}
STEPS = (
    ("review", "fund.review", ("applicant",)),
    ("approve", "fund.approve", ("applicant", "reviewed_by")),
    ("pay", "fund.pay", ("applicant", "reviewed_by", "approved_by")),
)


def _step_condition(step: str, today: datetime.date) -> Q:
    return _payable(today) if step == "pay" else Q(status__in=STEP_STATUSES[step])


def grants_at_my_step(*, user: User) -> QuerySet[Grant]:
    """The grants in scope whose next step this user can take now: the status matches a
    capability the user holds, the user has not handled the grant before (they could not act on
    it), and for payment the grant can actually be paid (`_payable`)."""
    today = timezone.localdate()
    condition = Q(pk__in=[])
    for step_name, capability, handled_by in STEPS:
        if user.has_capability(capability):
            step = _step_condition(step_name, today)
            for role in handled_by:
                step &= ~Q(**{role: user}) | Q(**{f"{role}__isnull": True})
            condition |= step
    return Grant.objects.visible_to(user).filter(condition)


def grants_returned_to(*, user: User, days: int = 30, size: int = 5) -> list[Grant]:
    """The user's own applications refused in the last `days`, newest first, with the reason."""
    since = timezone.now() - datetime.timedelta(days=days)
    return list(
        Grant.objects.visible_to(user)
        .filter(applicant=user, status=Grant.Status.REJECTED, updated_at__gte=since)
        .order_by("-updated_at", "-id")[:size]
    )


def entry_list(*, user: User, after: str | None = None, before: str | None = None) -> Page:
    rows = (
        JournalEntry.objects.visible_to(user)
        .select_related("category", "reverses", "fund")
        .prefetch_related("lines__account", "lines__restriction")
    )
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


def waiting_for(*, user: User) -> dict[str, int]:
    """How many grants wait for this user's step, per step ("review", "approve", "pay"; those
    the user has handled before are not counted: they cannot take the next step of those, nor
    grants in their notice or held by an objection). One grouped query."""
    counts: dict[str, int] = {
        step: 0 for step, capability, _ in STEPS if user.has_capability(capability)
    }
    step_of = {status: step for step, statuses in STEP_STATUSES.items() for status in statuses}
    rows = grants_at_my_step(user=user).values_list("status").annotate(n=Count("id"))
    for status, n in rows.order_by():
        counts[step_of[status]] = counts.get(step_of[status], 0) + n
    return counts


def attachments_of(grant: Grant) -> list[GrantAttachment]:
    """A grant's files, oldest first (the grant was loaded in the user's scope)."""
    return list(GrantAttachment.objects.filter(grant=grant).select_related("uploaded_by"))


def grant_choices(user: User) -> tuple[QuerySet[Family], QuerySet[Association]]:
    """What a grant application may name: the active families and the associations the user
    sees."""
    families = (
        Family.objects.visible_to(user)
        .filter(status=Family.Status.ACTIVE)
        .select_related("association")
        .order_by("association__code", "pk")
    )
    return families, Association.objects.visible_to(user).order_by("path")


# --- a grant's next step, as its page shows it --------------------------------------------------

# status: (step, capability, who has handled the grant and may not take this step, label)
_NEXT: dict[str, tuple[str, str, tuple[str, ...]]] = {
    Grant.Status.SUBMITTED: ("review", "fund.review", ("applicant",)),
    Grant.Status.REVIEWED: ("approve", "fund.approve", ("applicant", "reviewed_by")),
    Grant.Status.NOTICE: ("pay", "fund.pay", ("applicant", "reviewed_by", "approved_by")),
    Grant.Status.APPROVED: ("pay", "fund.pay", ("applicant", "reviewed_by", "approved_by")),
    Grant.Status.PAID: ("close", "fund.approve", ()),
}
OTHERS_SHOWN = 5


@dataclass(frozen=True)
class NextStep:
    """What happens next to a grant and whether `user` can do it now. `allowed` is True only
    when the service would accept the step from this user today (the page offers the button
    only then); otherwise `reason` says why not and `others` who can (separation of duties)."""

    step: str  # "review", "approve", "pay", "close"; "" when the grant is closed or refused
    allowed: bool = False
    reason: str = ""
    others: tuple[str, ...] = ()


def next_step(*, user: User, grant: Grant) -> NextStep:
    """The next step of `grant` for `user` (see NextStep); the same rules as the services."""
    if grant.status not in _NEXT:
        return NextStep(step="")
    step, capability, handled_by = _NEXT[grant.status]
    handled = {getattr(grant, f"{role}_id") for role in handled_by} - {None}
    where = grant.association if step == "review" else grant.fund.association
    today = timezone.localdate()
    if step == "pay" and grant.status == Grant.Status.NOTICE and grant.in_notice(today):
        return NextStep(step, reason=_notice_reason(grant, "pay"))
    if step == "close" and grant.in_notice(today):
        return NextStep(step, reason=_notice_reason(grant, "close"))
    waits = step in ("pay", "close") and grant.status != Grant.Status.APPROVED
    if waits and open_objections(grant).exists():
        return NextStep(step, reason=_objection_reason(step))
    may = user.has_capability(capability) and in_scope(user, where)
    if may and user.pk not in handled:
        return NextStep(step, allowed=True)
    others = tuple(str(u) for u in _holders(capability, where.path, exclude={*handled, user.pk}))
    if may:
        role = next(r for r in handled_by if getattr(grant, f"{r}_id") == user.pk)
        reason = gettext("您是本申请的%(role)s，按职责分离不能再%(step)s。") % {
            "role": ROLE_LABELS[role](),
            "step": STEP_LABELS[step](),
        }
    else:
        reason = gettext("此步骤由其他有权限的人员办理。")
    if not others:
        reason += gettext("目前没有其他可以办理的人员，请联系县级管理员增设账号或授权。")
    return NextStep(step, reason=reason, others=others)


ROLE_LABELS = {
    "applicant": lambda: gettext("申请人"),
    "reviewed_by": lambda: gettext("审核人"),
    "approved_by": lambda: gettext("审批人"),
}
STEP_LABELS = {
    "review": lambda: gettext("审核"),
    "approve": lambda: gettext("审批"),
    "pay": lambda: gettext("支付"),
    "close": lambda: gettext("办结"),
}


def _notice_reason(grant: Grant, step: str) -> str:
    date = f"{grant.notice_until:%Y-%m-%d}"
    if step == "pay":
        return gettext("公示期至 %(date)s 结束，公示期满后方可支付。") % {"date": date}
    return gettext("公示期至 %(date)s 结束，期满后方可办结。") % {"date": date}


def _objection_reason(step: str) -> str:
    if step == "pay":
        return gettext("公示期内收到的异议尚未答复，答复后方可支付。")
    return gettext("尚有异议未答复，答复后方可办结。")


def waiting_on(grant: Grant) -> list[int]:
    """Who may take `grant`'s next step now, as `next_step` finds the others (capability, scope,
    separation of duties), every one of them: the recipients of the step's notification. None
    while the step must wait (a notice running) or for the closing step."""
    if grant.status not in (Grant.Status.SUBMITTED, Grant.Status.REVIEWED, Grant.Status.APPROVED):
        return []
    step, capability, handled_by = _NEXT[grant.status]
    where = grant.association if step == "review" else grant.fund.association
    handled = {getattr(grant, f"{role}_id") for role in handled_by}
    return [user.pk for user in _holders(capability, where.path, exclude=handled, limit=None)]


def _holders(
    capability: str, path: str, *, exclude: set[int | None], limit: int | None = OTHERS_SHOWN
) -> list[User]:
    """Active accounts that hold `capability` and whose scope covers `path` (their home
    association is it or above it), except `exclude`: at most `limit`."""
    from fpa.accounts.models import User
    from fpa.accounts.roles import roles_granting

    return list(
        User.objects.filter(
            is_active=True,
            roles__role__in=roles_granting(capability),
            home_association__path__in=covering_paths(path),
        )
        .exclude(pk__in=[pk for pk in exclude if pk is not None])
        .distinct()
        .order_by("pk")[:limit]
    )


@dataclass(frozen=True)
class HistoryRow:
    """One step a grant has been through, for its page."""

    label: str
    when: datetime.date | datetime.datetime | None
    who: str = ""
    note: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime.datetime)


def grant_history(grant: Grant) -> list[HistoryRow]:
    """The steps `grant` has been through, in order, with their dates (from the grant's own
    columns: each step writes its actor and time there, and the audit trail holds the rest)."""
    rows = [HistoryRow(pgettext("grant step", "提交申请"), grant.created_at, str(grant.applicant))]
    refused = grant.status == Grant.Status.REJECTED
    if grant.reviewed_by_id:
        at_review = refused and not grant.approved_by_id
        rows.append(
            HistoryRow(
                gettext("乡镇审核"),
                grant.reviewed_at,
                str(grant.reviewed_by),
                gettext("不通过") if at_review else gettext("通过"),
            )
        )
    if grant.approved_by_id:
        rows.append(
            HistoryRow(
                gettext("县级审批"),
                grant.approved_at,
                str(grant.approved_by),
                gettext("不批准") if refused else gettext("批准"),
            )
        )
    noticed_first = grant.notice_until is not None and (
        grant.paid_on is None or grant.paid_on > grant.notice_until
    )
    if noticed_first and grant.approved_at is not None:
        rows.append(
            HistoryRow(
                gettext("公示"),
                timezone.localdate(grant.approved_at),
                note=gettext("至 %(date)s") % {"date": f"{grant.notice_until:%Y-%m-%d}"},
            )
        )
    if grant.paid_by_id:
        rows.append(HistoryRow(gettext("财务支付"), grant.paid_on, str(grant.paid_by)))
        if not noticed_first and grant.notice_until is not None:
            rows.append(
                HistoryRow(
                    gettext("公示"),
                    grant.paid_on,
                    note=gettext("至 %(date)s") % {"date": f"{grant.notice_until:%Y-%m-%d}"},
                )
            )
    if grant.closed_at is not None:
        rows.append(HistoryRow(gettext("办结"), grant.closed_at))
    return rows
