"""Which fund: the public one, the user's, the one over an association; what is available in it
and in a restricted pool."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from fpa.core.errors import ServiceError
from fpa.fund.models import (
    ZERO,
    Account,
    Balance,
    Fund,
    RestrictedPool,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- funds ---------------------------------------------------------------------------------------


def fund_public(code: str | None = None) -> Fund | None:
    """The fund published under `code` (an association code), or the top-most fund."""
    funds = Fund.objects.select_related("association")
    if code:
        return funds.filter(association__code=code).first()
    return funds.order_by("association__depth", "pk").first()


def fund_list(*, user: User) -> list[Fund]:
    return list(Fund.objects.visible_to(user).select_related("association").order_by("pk"))


def fund_for_user(*, user: User) -> Fund | None:
    """The fund a staff member works with: the one over their home association."""
    home = user.home_association
    if home is None:
        return None
    codes = [code for code in home.path.strip("/").split("/") if code]
    funds = Fund.objects.filter(association__code__in=codes).select_related("association")
    return max(funds, key=lambda f: f.association.depth, default=None)


def fund_of(association: Association) -> Fund:
    """The fund that covers an association: its own, or the nearest ancestor's."""
    codes = [code for code in association.path.strip("/").split("/") if code]
    funds = {
        f.association.code: f
        for f in Fund.objects.select_related("association").filter(association__code__in=codes)
    }
    for code in reversed(codes):
        if code in funds:
            return funds[code]
    raise ServiceError(gettext("该协会及其上级尚未设立生育关怀基金。"))


def township_of(association: Association) -> Association:
    codes = [code for code in association.path.strip("/").split("/") if code]
    township = Association.objects.filter(code__in=codes, kind=Association.Kind.TOWNSHIP).first()
    return township or association


def available(fund: Fund) -> Decimal:
    """Money not tied to a purpose: all assets less every restricted pool."""
    assets = sum(
        Balance.objects.filter(fund=fund, account__kind=Account.Kind.ASSET).values_list(
            "amount", flat=True
        ),
        ZERO,
    )
    pools = sum(RestrictedPool.objects.filter(fund=fund).values_list("amount", flat=True), ZERO)
    return assets - pools


def pool_of(fund: Fund, purpose: Account) -> Decimal:
    row = RestrictedPool.objects.filter(fund=fund, purpose=purpose).first()
    return row.amount if row else ZERO
