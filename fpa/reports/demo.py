"""Demo reports (`make run`), filed through the services so the report pages are not empty.

刘家峡镇's monthly special-family report: the month before last accepted by the county, last
month's opened as a draft (figures derived, ready to submit); 大庄村's accepted by the township;
the 暖心行动 report of the last quarter returned to 刘家峡镇 with a reason (a notice on its
staff's home page).
盐锅峡镇 has not started (late in 下级上报). Figures typed by hand are made up.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fpa.core.demo import DemoCast
from fpa.organizations.models import Association
from fpa.reports import services
from fpa.reports.fields import MONTH, QUARTER, last_complete
from fpa.reports.kinds import MONTHLY_SPECIAL, WARMTH

LIUJIAXIA = "622923100"


def _warmth(n: int) -> dict[str, str]:
    return {key: str(n + i % 5) for i, key in enumerate(WARMTH.keys)}


def seed_reports(*, county: Any, township: Any, village: Any) -> dict[str, int]:
    today = timezone.localdate()
    home = Association.objects.get(code=LIUJIAXIA)
    last = last_complete(MONTH, today)
    before = last.previous()
    made = 0
    if village is not None and village.home_association is not None:
        below = services.report_open(
            actor=village,
            association=village.home_association,
            kind=MONTHLY_SPECIAL,
            period=last,
        )
        services.report_submit(actor=village, report=below)
        services.report_accept(actor=township, report=below)
        made += 1
    earlier = services.report_open(
        actor=township, association=home, kind=MONTHLY_SPECIAL, period=before
    )
    services.report_submit(actor=township, report=earlier)
    services.report_accept(actor=county, report=earlier)
    services.report_open(actor=township, association=home, kind=MONTHLY_SPECIAL, period=last)
    quarter = services.report_open(
        actor=township, association=home, kind=WARMTH, period=last_complete(QUARTER, today)
    )
    services.report_submit(actor=township, report=quarter, values=_warmth(6))
    services.report_return(
        actor=county, report=quarter, reason="（演示）走访慰问户数与台账不一致，请核对后重报"
    )
    return {"reports": made + 3}


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_reports(county=cast.county, township=cast.township, village=cast.village)
