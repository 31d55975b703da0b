from __future__ import annotations

import re

from django import template
from django.template import Context

register = template.Library()


@register.simple_tag(takes_context=True)
def fund_caps(context: Context) -> frozenset[str]:
    """The signed-in user's capabilities, computed once per page."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return frozenset()
    return user.capabilities


_DIGITS = re.compile("[0-9\uff10-\uff19Xx]{5,}")


@register.filter
def public_text(text: str) -> str:
    """Free text typed by the public, as published: any run of five or more digits (a phone or
    ID number someone typed in) is replaced by asterisks."""
    return _DIGITS.sub(lambda m: "*" * len(m.group()), text or "")


@register.simple_tag
def public_fund_code() -> str:
    """The code of the top-most published fund ("" when none): the public ledger page links to
    its journal, code tables and lookup."""
    from fpa.fund.selectors import fund_public

    fund = fund_public()
    return fund.code if fund is not None else ""
