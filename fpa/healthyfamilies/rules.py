"""Pure rules of the healthy-family creation (健康家庭创建, plan measure 8), no ORM: which years
take nominations, the limits of a nomination's fields, who reviews and who awards, and how the
public list names a household."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

CONSENT_PURPOSE = "healthy_family_publication"  # its consent texts in fpa.core.consent
FIRST_YEAR = 2023  # the reform plan's year: nothing is nominated for an earlier year
REASON_MIN = 10
REASON_MAX = 1000
OPINION_MIN = 2
OPINION_MAX = 300
MEMBERS_MIN = 1
MEMBERS_MAX = 30
DOCUMENT_MAX = 60  # a naming document's number (命名文号)
# What the public list says of a family that did not agree to publish its name.
ANONYMOUS = gettext_noop("某户（未公开姓名）")

# The levels whose staff review a village's nomination (the township or above) and award (the
# county or above): association kinds, as fpa.organizations.models.Association.Kind spells them.
REVIEWERS = ("township", "county", "prefecture", "province")
AWARDERS = ("county", "prefecture", "province")


def nomination_years(today_year: int) -> tuple[int, ...]:
    """The years a nomination may be made for: this year, and last year until its list is done."""
    return tuple(y for y in (today_year, today_year - 1) if y >= FIRST_YEAR)


def year_problem(year: int | None, today_year: int) -> str | None:
    """Why `year` cannot take a nomination now, or None."""
    if year in nomination_years(today_year):
        return None
    return gettext("提名年度只能是今年（%(this)s年）或上一年（%(last)s年）。") % {
        "this": today_year,
        "last": today_year - 1,
    }


def list_years(today_year: int) -> list[int]:
    """The years a list or a count may show, newest first."""
    return list(range(today_year, FIRST_YEAR - 1, -1))


def public_name(household_name: str, published: bool) -> str:
    """The household as the public list shows it: its name only with the family's consent."""
    return household_name if published else gettext(ANONYMOUS)
