"""Demo contact points: the demo county and township accounts each keep villages of the demo
township, with visits this month and last, and findings in each state."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fpa.cadres import services
from fpa.cadres.models import ContactPoint, Visit
from fpa.core.demo import DemoCast
from fpa.organizations.models import Association


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    county, township = cast.county, cast.township
    if ContactPoint.objects.exists():
        return {}
    town = township.home_association
    villages = list(
        Association.objects.filter(parent=town, kind=Association.Kind.VILLAGE).order_by("code")[:4]
    )
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    for cadre, chosen in ((county, villages[:2]), (township, villages[1:4])):
        for n, village in enumerate(chosen):
            point = services.point_assign(
                actor=county, cadre=cadre, association=village, start_date=start
            )
            if n == len(chosen) - 1:
                continue  # one point each not visited: the overview shows it
            visit = services.visit_log(
                actor=cadre,
                point=point,
                visited_on=today - datetime.timedelta(days=2 + n),
                method=Visit.Method.VILLAGE,
                summary="与村计生协专干座谈，了解计生特殊家庭联系人落实和暖心家园活动情况。",
                findings=["两户特殊家庭联系人手机号码未更新", "暖心家园活动室缺少桌椅"],
            )
            first, second = visit.findings.order_by("id")
            services.finding_solve(actor=cadre, finding=first, outcome="已当场核实并更新号码")
            if n == 0:
                services.finding_pass_on(actor=cadre, finding=second, passed_to="乡镇政府")
    return {"contact points": ContactPoint.objects.count(), "visits": Visit.objects.count()}
