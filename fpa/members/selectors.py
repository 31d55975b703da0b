"""Reads of the member register, always through the user's scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext

from fpa.core.names import is_ascii_query, normalize_query
from fpa.core.pagination import Page, keyset_page
from fpa.core.scope import in_scope
from fpa.members import rules, tallies
from fpa.members.models import (
    Confirmation,
    Member,
    MemberGroup,
    MemberTally,
    Reregistration,
    StatusChange,
    Transfer,
)
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.volunteers.models import Volunteer

if TYPE_CHECKING:
    from fpa.accounts.models import User


def member_search(queryset: QuerySet[Member], query: str) -> QuerySet[Member]:
    """Names by Chinese substring, by pinyin prefix or initials, or a card number prefix."""
    query = normalize_query(query)[:50]
    if not query:
        return queryset
    if is_ascii_query(query):
        key = query.replace(" ", "").lower()
        return queryset.filter(Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key))
    if query[:1].isdigit():
        return queryset.filter(card_number__startswith=query)
    return queryset.filter(name__contains=query)


def member_list(
    *,
    user: User,
    association: Association | None = None,
    status: str = Member.Status.ACTIVE,
    kind: str = "",
    query: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    """A page of members of the scope (or of one association's subtree), newest first."""
    queryset = Member.objects.visible_to(user).select_related("association", "group")
    if association is not None:
        queryset = queryset.filter(association__path__under=association.path)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    found = member_search(queryset, query)
    return keyset_page(found, key="id", after=after, before=before, size=size, descending=True)


def member_detail(*, user: User, member: Member) -> dict[str, Any]:
    return {
        "changes": list(
            StatusChange.objects.visible_to(user)
            .filter(member=member)
            .select_related("recorded_by")
        ),
        "transfers": list(
            Transfer.objects.visible_to(user)
            .filter(Q(member=member) | Q(new_member=member))
            .select_related("from_association", "to_association")
            .order_by("-id")
        ),
        "groups": list(
            MemberGroup.objects.visible_to(user).filter(
                association=member.association, dissolved_on__isnull=True
            )
        ),
    }


def volunteer_count(*, user: User, association: Association) -> int:
    """Active volunteers (status 在册服务) registered in the subtree."""
    return members_behind(user=user, association=association, figure="volunteers").count()


@dataclass
class Counts:
    association: Association | None
    name: str
    figures: dict[str, int] = field(default_factory=dict)
    volunteers: int = 0


def counts(*, user: User, association: Association) -> Counts:
    """Active members of a subtree: total, by sex, by type (migrants included), from tallies."""
    rows = MemberTally.objects.visible_to(user).filter(association__path__under=association.path)
    return Counts(
        association=association,
        name=association.name,
        figures=tallies.summary(rows),
        volunteers=volunteer_count(user=user, association=association),
    )


def members_behind(*, user: User, association: Association, figure: str) -> QuerySet[Any]:
    """The records one `counts` figure counts (a frozen report keeps their ids): the active
    members of the subtree ("total"; "male"; a type), or its active volunteers ("volunteers")."""
    if figure == "volunteers":
        return Volunteer.objects.visible_to(user).filter(
            association__path__under=association.path, status=Volunteer.Status.ACTIVE
        )
    rows = Member.objects.visible_to(user).filter(
        association__path__under=association.path, status=Member.Status.ACTIVE
    )
    if figure == "male":
        return rows.filter(sex="M")
    if figure in Member.Kind.values:
        return rows.filter(kind=figure)
    return rows if figure == "total" else rows.none()


def counts_by_child(*, user: User, association: Association) -> list[Counts]:
    """The same figures for each child of `association` (rolled up over its subtree) and a row
    for members held by `association` itself; one grouped query over the tallies."""
    children = org_selectors.association_children(user=user, parent=association)
    rows = (
        MemberTally.objects.visible_to(user)
        .filter(association__path__under=association.path)
        .values("association__path", "kind", "sex")
        .annotate(n=Sum("count"))
    )
    base = association.path
    buckets: dict[str, dict[str, int]] = {c.path: _empty() for c in children}
    own = _empty()
    for row in rows:
        path = row["association__path"]
        if path == base:
            bucket = own
        else:
            bucket = buckets.setdefault(base + path[len(base) :].split("/", 1)[0] + "/", _empty())
        _add(bucket, row["kind"], row["sex"], row["n"] or 0)
    out = [Counts(association=c, name=c.name, figures=buckets[c.path]) for c in children]
    if own["total"]:
        out.insert(
            0,
            Counts(
                association=None,
                name=gettext("%(name)s（本级）") % {"name": association.name},
                figures=own,
            ),
        )
    return out


def _empty() -> dict[str, int]:
    return {"total": 0, "male": 0, "female": 0, **{k: 0 for k in Member.Kind.values}}


def _add(bucket: dict[str, int], kind: str, sex: str, n: int) -> None:
    bucket["total"] += n
    bucket[kind] = bucket.get(kind, 0) + n
    if sex == "M":
        bucket["male"] += n
    elif sex == "F":
        bucket["female"] += n


def pending_list(*, user: User, size: int = 200) -> list[Member]:
    """Applications waiting for a decision, in the scope, oldest first (bounded)."""
    return list(
        applications(user=user).select_related("association").order_by("applied_on", "id")[:size]
    )


def applications(*, user: User) -> QuerySet[Member]:
    """Membership applications in the scope waiting for the council's decision."""
    return Member.objects.visible_to(user).filter(status=Member.Status.PENDING)


def sees_member_of(user: User, transfer: Transfer) -> bool:
    """Whether the user may read the member's record: the sending side always; the receiving side
    only after it accepted (and then it reads its own new record)."""
    return in_scope(user, transfer.from_association)


def transfer_summary(transfer: Transfer) -> dict[str, Any]:
    """What the receiving side needs to decide: no ID number, phone or address."""
    member = transfer.member
    return {
        "name": member.name,
        "sex": member.get_sex_display() if member.sex else "",
        "kind": member.get_kind_display(),
        "birth_year": member.birth_date.year if member.birth_date else None,
        "card_number": member.card_number,
        "from": transfer.from_association.name,
        "to": transfer.to_association.name,
        "reason": transfer.reason,
        "requested_on": transfer.requested_on,
    }


def group_list(*, user: User, association: Association | None = None) -> list[MemberGroup]:
    queryset = (
        MemberGroup.objects.visible_to(user)
        .select_related("association", "leader")
        .annotate(size=Count("members", filter=Q(members__status=Member.Status.ACTIVE)))
    )
    if association is not None:
        queryset = queryset.filter(association__path__under=association.path)
    return list(queryset.order_by("association__path", "name")[:500])


def campaign_list(*, user: User) -> list[Reregistration]:
    return list(
        Reregistration.objects.visible_to(user)
        .select_related("association")
        .order_by("-start_date", "-id")[:200]
    )


def campaign_progress(*, user: User, campaign: Reregistration) -> list[dict[str, Any]]:
    """Per child association of the user's view of the campaign: members to confirm (active or
    lapsed by this campaign) and confirmed. Two grouped queries."""
    root = campaign.association
    home = user.home_association
    if home is not None and home.is_under(root) and home.pk != root.pk:
        root = home  # a township sees its own villages of a county campaign
    children = org_selectors.association_children(user=user, parent=root)
    members = Member.objects.visible_to(user).filter(association__path__under=root.path)
    active = (
        members.filter(status=Member.Status.ACTIVE)
        .values("association__path")
        .annotate(n=Count("id"))
    )
    done = (
        Confirmation.objects.visible_to(user)
        .filter(campaign=campaign, member__association__path__under=root.path)
        .values("member__association__path")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, Any]] = {
        c.path: {"association": c, "active": 0, "confirmed": 0} for c in children
    }
    own: dict[str, Any] = {"association": root, "active": 0, "confirmed": 0}

    def bucket(path: str) -> dict[str, Any]:
        if path == root.path:
            return own
        child = root.path + path[len(root.path) :].split("/", 1)[0] + "/"
        return table.setdefault(child, {"association": None, "active": 0, "confirmed": 0})

    for row in active:
        bucket(row["association__path"])["active"] += row["n"]
    for confirmed in done:
        bucket(confirmed["member__association__path"])["confirmed"] += confirmed["n"]
    out = [entry for entry in table.values() if entry["association"] is not None]
    if own["active"] or own["confirmed"]:
        out.insert(0, own)
    for entry in out:
        entry["share"] = (
            round(100 * entry["confirmed"] / entry["active"], 1) if entry["active"] else None
        )
    return out


def open_groups(*, user: User, association: Association) -> QuerySet[MemberGroup]:
    """The association's member groups that are not dissolved (the user sees them)."""
    return MemberGroup.objects.visible_to(user).filter(
        association=association, dissolved_on__isnull=True
    )


def member_get(*, user: User, pk: int) -> Member:
    """The member inside the user's scope (Member.DoesNotExist otherwise, like a missing id)."""
    return Member.objects.visible_to(user).select_related("association", "group").get(pk=pk)


def member_by_card(*, user: User, card_number: str) -> Member | None:
    return (
        Member.objects.visible_to(user)
        .select_related("association")
        .filter(card_number=card_number)
        .first()
    )


def transfer_get(*, user: User, pk: int) -> Transfer:
    """A transfer the user's subtree sends or receives (Transfer.DoesNotExist otherwise)."""
    transfer: Transfer = (
        Transfer.objects.visible_to(user)
        .select_related("member", "from_association", "to_association")
        .get(pk=pk)
    )
    return transfer


def current_association(code: str) -> Association | None:
    """A current association by code, anywhere (a transfer may go to any county)."""
    return Association.objects.current().filter(code=code).first()


# --- the public pages: the online application and the member card's check ---------------------


def online_villages() -> QuerySet[Association]:
    """The village associations a citizen may apply to online (no scope: anyone may apply to
    any of them), with their township for the label, in tree order."""
    return (
        Association.objects.current()
        .filter(kind__in=rules.ONLINE_HOLDERS)
        .select_related("parent")
        .order_by("path")
    )


@dataclass(frozen=True)
class PublicApplication:
    """What the status page of an online application shows: nothing that identifies the person
    beyond a masked name."""

    name: str
    association: str
    applied_on: datetime.date
    state: str  # "pending", "approved" or "refused"
    decided_on: datetime.date | None


def application_status(reference: str) -> PublicApplication | None:
    """The online application with this reference code, or None (unknown, forged, mistyped)."""
    code = rules.normalise_code(reference)
    if not code:
        return None
    found = (
        Member.objects.filter(reference=code, online=True)
        .select_related("association")
        .only("name", "status", "applied_on", "approved_on", "association__name")
        .first()
    )
    if found is None:
        return None
    decided: datetime.date | None = None
    if found.status == Member.Status.PENDING:
        state = "pending"
    elif found.status == Member.Status.REJECTED:
        state = "refused"
        last = found.status_changes.filter(to_status=Member.Status.REJECTED).first()
        decided = last.effective_date if last else None
    else:
        state, decided = "approved", found.approved_on
    return PublicApplication(
        name=rules.mask_name(found.name),
        association=found.association.name,
        applied_on=found.applied_on,
        state=state,
        decided_on=decided,
    )


@dataclass(frozen=True)
class CardCheck:
    """The public check of a member card: valid or not, the masked name, the association and the
    member's status, nothing else."""

    valid: bool
    name: str
    association: str
    status: str


def card_check(code: str) -> CardCheck | None:
    """The card with this check code, or None (a forged or mistyped code)."""
    normalised = rules.normalise_code(code)
    if not normalised:
        return None
    found = (
        Member.objects.filter(card_code=normalised)
        .select_related("association")
        .only("name", "status", "association__name")
        .first()
    )
    if found is None:
        return None
    return CardCheck(
        valid=found.status == Member.Status.ACTIVE,
        name=rules.mask_name(found.name),
        association=found.association.name,
        status=found.get_status_display(),
    )
