"""Deterministic synthetic rights cases for the demo (`make run`), made through the services.
Everything is made up: names, 136 phone numbers, synthetic ID numbers (fpa.core.idnumbers).

大庄村 received a special family's claim about its allowance (referred, closed on time, the
person satisfied) and a neighbours' dispute now past its deadline; 刘家峡镇 has a medical claim
just received and an elderly-care case closed, found unsatisfying and taken up again; the county
referred a legal-aid case to the county justice bureau; 盐锅峡镇 closed a policy case late.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fpa.core.demo import DemoCast
from fpa.core.idnumbers import synthesize
from fpa.families.models import Family
from fpa.organizations.models import Association
from fpa.rights import services
from fpa.rights.models import Case, CaseKind

COUNTY = "622923"
LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"
DAZHUANG = "622923100201"


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _case(actor: Any, code: str, kind: str, days_ago: int, **data: Any) -> Case:
    values: dict[str, Any] = {
        "association": Association.objects.get(code=code),
        "kind": CaseKind.objects.get(code=kind),
        "channel": Case.Channel.VISIT,
        "received_on": _ago(days_ago),
    }
    values.update(data)
    return services.case_receive(actor=actor, **values)


def seed_rights(*, county: Any, township: Any, other: Any, village: Any) -> dict[str, int]:
    family = Family.objects.filter(association__code=DAZHUANG).order_by("pk").first()
    allowance = _case(
        village,
        DAZHUANG,
        "allowance",
        25,
        family=family,
        person_name="" if family else "（演示）马秀英",
        phone="13670000001",
        claim="（演示数据）反映今年第二季度特别扶助金未按时到账，请求核查。",
    )
    services.case_refer(
        actor=village,
        case=allowance,
        department="（演示）刘家峡镇财政所",
        referred_on=_ago(24),
        note="（演示数据）请核查发放名册。",
    )
    services.case_follow_up(
        actor=township,
        case=allowance,
        on=_ago(20),
        note="（演示数据）镇财政所核实：银行账号变更未同步，已更正并补发。",
    )
    services.case_close(
        actor=township,
        case=allowance,
        result="（演示数据）已补发第二季度特别扶助金，当事人确认到账。",
        closed_on=_ago(18),
    )
    services.case_rate(actor=village, case=allowance, satisfaction="satisfied", rated_on=_ago(17))
    dispute = _case(
        village,
        DAZHUANG,
        "neighbours",
        30,
        channel=Case.Channel.OUTREACH,
        person_name="（演示）何建国",
        phone="13670000002",
        claim="（演示数据）与邻居因宅基地边界发生纠纷，请求调解。",
    )
    services.case_follow_up(
        actor=village,
        case=dispute,
        on=_ago(26),
        note="（演示数据）已联系村调解委员会，约定下周现场调解。",
    )
    _case(
        township,
        LIUJIAXIA,
        "medical",
        3,
        channel=Case.Channel.CALL,
        person_name="（演示）王桂兰",
        phone="13670000003",
        id_number=synthesize("622923", datetime.date(1962, 4, 12), 28),
        claim="（演示数据）住院报销后自付部分较高，咨询计生特殊家庭的医疗帮扶政策。",
    )
    elderly = _case(
        township,
        LIUJIAXIA,
        "elderly",
        40,
        person_name="（演示）李玉梅",
        claim="（演示数据）申请入住镇敬老院，希望优先安排。",
    )
    services.case_close(
        actor=township,
        case=elderly,
        result="（演示数据）已告知入住条件和排队顺序。",
        closed_on=_ago(30),
    )
    services.case_rate(
        actor=township,
        case=elderly,
        satisfaction="dissatisfied",
        rated_on=_ago(28),
        note="（演示数据）认为未考虑其特殊家庭身份。",
    )
    services.case_reopen(
        actor=township,
        case=elderly,
        reason="（演示数据）按计生特殊家庭优先政策重新协调。",
    )
    legal = _case(
        county,
        COUNTY,
        "legal_aid",
        12,
        channel=Case.Channel.LETTER,
        person_name="（演示）张德明",
        claim="（演示数据）子女意外身故后的赔偿纠纷，请求法律援助。",
    )
    services.case_refer(
        actor=county, case=legal, department="（演示）永靖县司法局", referred_on=_ago(11)
    )
    late = _case(
        other,
        YANGUOXIA,
        "policy",
        60,
        channel=Case.Channel.ONLINE,
        person_name="（演示）马福寿",
        claim="（演示数据）询问独生子女父母奖励扶助的申领条件。",
    )
    services.case_close(
        actor=other,
        case=late,
        result="（演示数据）已答复申领条件并协助提交材料。",
        closed_on=_ago(20),
    )
    return {"rights_cases": 6}


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_rights(
        county=cast.county,
        township=cast.township,
        other=cast.townships[YANGUOXIA],
        village=cast.village,
    )
