"""Pure volunteer rules (no ORM): ages, star levels, verification codes, the reason of a match."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core.codes import CODE_ALPHABET, CODE_LENGTH, new_code, normalise_code
from fpa.core.masking import mask_name
from fpa.core.typing_aids import Text

ADULT_AGE = 18  # under 18: a guardian's consent
SENSITIVE_AGE = 14  # under 14: sensitive personal information (PIPL art. 28)
MIN_AGE = 8
# Star levels by confirmed hours (measure 13 practice): 1-5 stars.
STAR_THRESHOLDS = (Decimal(100), Decimal(300), Decimal(600), Decimal(1000), Decimal(1500))
MAX_HOURS_PER_RECORD = Decimal(24)
CONSENT_PURPOSE = "volunteer_application"  # its consent texts in fpa.core.consent
# Certificate codes are fpa.core.codes (one mechanism with the member card and the online
# member application's reference); named here for the callers that read them from the rules.
__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "mask_name", "new_code", "normalise_code"]


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def stars_for(hours: Decimal) -> int:
    """0 below 100 h; 1 star at 100 h … 5 stars at 1,500 h."""
    return sum(1 for threshold in STAR_THRESHOLDS if hours >= threshold)


def star_label(stars: int) -> str:
    if not stars:
        return gettext("未评星")
    return "★" * stars + gettext("（%(stars)s星）") % {"stars": stars}


PLACE_LABELS = {0: _("同村（社区）"), 1: _("同乡镇（街道）"), 2: _("同县（区）")}


# A need filed at a township (not a village): its own township is the nearest ring.
TOWNSHIP_PLACE_LABELS = {0: _("同乡镇（街道）"), 1: _("同乡镇（街道）"), 2: _("同县（区）")}


def match_reason(
    *,
    place: int,
    skills_matched: list[str],
    skills_wanted: int,
    available: bool,
    load: int,
    labels: Mapping[int, Text] | None = None,
) -> str:
    """Why a volunteer ranks where it does, in the words staff read."""
    parts = [str((labels or PLACE_LABELS).get(place, gettext("本辖区")))]
    if skills_wanted:
        if skills_matched:
            parts.append(
                gettext("具备所需技能：%(skills)s") % {"skills": "、".join(skills_matched)}
            )
        else:
            parts.append(gettext("不具备所需技能"))
    parts.append(gettext("时间可安排") if available else gettext("服务时间不符"))
    parts.append(
        gettext("当前承担%(load)s项结对/任务") % {"load": load}
        if load
        else gettext("当前无结对或任务")
    )
    return "；".join(str(p) for p in parts)
