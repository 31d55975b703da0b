"""特别扶助金发放花名册: who is paid the special assistance for one month in an area, and how much.

The families are those of the monthly report's register at the month's end
(`reports.in_register_at_end`: registered by its last day and still active by the status changes
dated up to then), of the two kinds the assistance is for (失独, 伤残; complication families are
helped by their own scheme). Each family is decided by `payment_decision` on the month's last day
(the rule of a family's page), with the rate table read once. A qualifying family's payees are its
mother and father (the amount is per person), each unless dead before the month began.

Three queries whatever the number of families: the families (with their association), their
people, the rate table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext

from fpa.accounts.models import User
from fpa.families import reports as family_reports
from fpa.families.models import Family, Person
from fpa.families.selectors.registry import payment_decision, rate_table
from fpa.organizations.models import Association

PAID_KINDS = (Family.Kind.BEREAVED, Family.Kind.DISABLED_CHILD)
PAYEE_ROLES = (Person.Role.MOTHER, Person.Role.FATHER)
MONTHS = 1  # a roster pays one month; the column is kept because the paper form has it


@dataclass(frozen=True)
class Payee:
    """One line of the roster: a parent paid for the month."""

    person_id: int
    family_id: int
    name: str
    role_label: str
    village: str
    village_code: str
    kind_label: str
    standard: Decimal  # per person and month, in force on the month's last day
    months: int = MONTHS

    @property
    def amount(self) -> Decimal:
        return self.standard * self.months


@dataclass(frozen=True)
class Unpaid:
    """A family of the register at the month's end that is not paid this month, and why."""

    family_id: int
    head_name: str
    village: str
    reasons: tuple[str, ...]


@dataclass
class PaymentRoster:
    root: Association
    month: family_reports.Month
    payees: list[Payee] = field(default_factory=list)
    unpaid: list[Unpaid] = field(default_factory=list)
    # The register at the month's end by kind (the monthly report's 失独/伤残 columns).
    in_register: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payees), Decimal("0.00"))

    @property
    def paid_families(self) -> int:
        return len({p.family_id for p in self.payees})

    @property
    def title(self) -> str:
        return "特别扶助金发放花名册"


def _paid(person: Person, month: family_reports.Month) -> bool:
    """A parent is paid for the month unless dead before it began."""
    return person.role in PAYEE_ROLES and (
        person.deceased_on is None or person.deceased_on >= month.first
    )


def payment_roster_for(
    *, user: User, area: Association, month: family_reports.Month
) -> PaymentRoster:
    """The payment roster of `area` (its whole subtree) for `month`, as `user` sees it: payees in
    the order of their village's code, then the family, mother before father."""
    families = family_reports.in_register_at_end(
        Family.objects.visible_to(user).filter(
            association__path__under=area.path, kind__in=PAID_KINDS
        ),
        month,
    )
    people = Person.objects.order_by("role", "pk")  # child, father, mother: re-sorted below
    rows = (
        families.select_related("association")
        .prefetch_related(Prefetch("people", queryset=people, to_attr="members"))
        .order_by("association__path", "head_pinyin", "pk")
    )
    rates = rate_table()
    roster = PaymentRoster(root=area, month=month, in_register={k.value: 0 for k in PAID_KINDS})
    order: dict[str, int] = {role.value: index for index, role in enumerate(PAYEE_ROLES)}
    for family in rows:
        roster.in_register[family.kind] += 1
        members: list[Person] = getattr(family, "members")  # noqa: B009 (the prefetch's to_attr)
        decision = payment_decision(family=family, people=members, rates=rates, on=month.last)
        village = family.association
        reasons: list[str] = list(decision.reasons)
        paid = sorted((p for p in members if _paid(p, month)), key=lambda p: order[p.role])
        if decision.eligible and decision.monthly_amount is None:
            reasons.append(gettext("本月没有适用的特别扶助金标准。"))
        elif decision.eligible and not paid:
            reasons.append(gettext("父母均已亡故。"))
        if reasons:
            roster.unpaid.append(Unpaid(family.pk, family.head_name, village.name, tuple(reasons)))
            continue
        assert decision.monthly_amount is not None  # eligible with a rate: checked above
        for person in paid:
            roster.payees.append(
                Payee(
                    person_id=person.pk,
                    family_id=family.pk,
                    name=person.name,
                    role_label=str(person.get_role_display()),
                    village=village.name,
                    village_code=village.code,
                    kind_label=str(family.get_kind_display()),
                    standard=decision.monthly_amount,
                )
            )
    return roster
