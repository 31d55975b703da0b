"""Deterministic synthetic members for the demo (`make run`), made through the services.

Everything is made up (faker zh_CN names, synthetic ID numbers with the 622923 prefix). 刘家峡镇's
villages get active members of each type (approved with the council meeting and resolution
number), a few applications waiting for the council (two of them sent online, with the member
application's consent text), one refused application (to reopen), a member
group with its leader and a re-registration campaign; 盐锅峡镇 gets its own members and one
transfer request into 大庄村, so that demo-township has an incoming transfer to accept. The
township council of 刘家峡镇 changes in 2025 (officials replaced by grassroots members and
volunteers), so that the year-over-year composition report has something to show.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from faker import Faker

from fpa.core import consent
from fpa.core.demo import DemoCast
from fpa.core.errors import ServiceError
from fpa.core.idnumbers import synthesize
from fpa.members import rules, services
from fpa.members.models import Member
from fpa.organizations import services as org_services
from fpa.organizations.models import Association, BodySeat

if TYPE_CHECKING:
    from fpa.accounts.models import User

SEED = 2023
DEMO_CONSENT = (
    "（演示数据）本人自愿申请加入计划生育协会，承认协会章程，同意计生协为审批入会和登记会员的"
    "目的使用本人的姓名、身份证号码和联系电话。"
)
LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"
DAZHUANG = "622923100201"
KINDS = ["individual", "individual", "resident", "resident", "migrant"]


def seed_members(*, county: User, townships: dict[str, User], village: User) -> dict[str, int]:
    rng, fake = random.Random(SEED), Faker("zh_CN")  # noqa: S311 - demo data, not secrets
    fake.seed_instance(SEED)
    today = timezone.localdate()
    counter = iter(range(1, 10_000))

    def make(
        actor: User, approver: User, code: str, *, approve: bool = True, **extra: Any
    ) -> Member:
        n = next(counter)
        sex = rng.choice("MF")
        birth = datetime.date(rng.randrange(1950, 2003), rng.randrange(1, 13), rng.randrange(1, 29))
        applied = services.member_apply(
            actor=actor,
            association=Association.objects.get(code=code),
            kind=extra.pop("kind", rng.choice(KINDS)),
            name=fake.name_male() if sex == "M" else fake.name_female(),
            id_number=synthesize("622923", birth, 2 * n + (1 if sex == "M" else 0)),
            phone=f"139{rng.randrange(10**7, 10**8)}",
            address=f"{Association.objects.get(code=code).division_name}{rng.randrange(1, 99)}号",
            applied_on=today - datetime.timedelta(days=rng.randrange(30, 900)),
            **extra,
        )
        if not approve:
            return applied
        meeting = min(today, applied.applied_on + datetime.timedelta(days=rng.randrange(5, 40)))
        return services.member_approve(
            actor=approver,
            member=applied,
            council_meeting_on=meeting,
            council_resolution=f"计协理〔{meeting.year}〕{n}号",  # noqa: RUF001 (document no.)
        )

    township, township2 = townships[LIUJIAXIA], townships[YANGUOXIA]
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    villages = list(liujiaxia.children.filter(kind="village").order_by("code")[:4])
    people = [make(village, township, DAZHUANG) for _ in range(12)]
    for other in villages[1:]:
        people += [make(township, township, other.code) for _ in range(5)]
    pending = [make(village, township, DAZHUANG, approve=False) for _ in range(3)]
    online = _online_applications(village_code=DAZHUANG, fake=fake, rng=rng)
    refused = make(village, township, DAZHUANG, approve=False)
    services.member_reject(actor=village, member=refused, reason="（演示数据）未参加入会谈话")
    group_member = services.member_apply(
        actor=village,
        association=Association.objects.get(code=DAZHUANG),
        kind=Member.Kind.GROUP,
        name="大庄村种植专业合作社",
        contact_name=fake.name(),
        phone="13900001234",
    )
    services.member_approve(actor=township, member=group_member)
    group = services.group_create(
        actor=village, association=Association.objects.get(code=DAZHUANG), name="大庄村第一会员小组"
    )
    for person in people[:6]:
        services.group_assign(actor=village, member=person, group=group)
    people[0].refresh_from_db()
    services.group_set_leader(actor=village, group=group, leader=people[0])
    yanguoxia = Association.objects.get(code=YANGUOXIA)
    their_village = yanguoxia.children.filter(kind="village").order_by("code").first()
    assert their_village is not None  # the real divisions have villages
    theirs = [make(township2, township2, their_village.code) for _ in range(6)]
    services.transfer_request(
        actor=township2,
        member=theirs[0],
        to_association=Association.objects.get(code=DAZHUANG),
        reason="随子女迁居大庄村",
    )
    services.reregistration_start(
        actor=township,
        association=liujiaxia,
        name=f"{today.year}年会员重新登记",
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=50),
    )
    seats = _council_change(county, liujiaxia, fake)
    return {
        "members": len(people) + len(theirs) + 1,
        "applications": len(pending),
        "online_applications": online,
        "member_seats_2025": seats,
    }


def _online_applications(*, village_code: str, fake: Faker, rng: random.Random) -> int:
    """Two applications sent on the public page (入会申请), waiting in 大庄村's queue; the consent
    text they agree to is the member application's current one (installed by the members' data
    migration, published here if a database lacks it)."""
    try:
        text = consent.current(rules.CONSENT_PURPOSE)
    except ServiceError:
        text = consent.publish(actor=None, purpose=rules.CONSENT_PURPOSE, body=DEMO_CONSENT)
    village = Association.objects.get(code=village_code)
    for n in range(2):
        birth = datetime.date(1990 + n, 3 + n, 9 + n)
        services.member_apply_online(
            association=village,
            kind="individual",
            name=fake.name(),
            id_number=synthesize("622923", birth, 900 + n),
            phone=f"137{rng.randrange(10**7, 10**8)}",
            consent_version=text.version,
        )
    return 2


def _council_change(county: User, association: Association, fake: Faker) -> int:
    officials = BodySeat.objects.filter(
        association=association, body="council", source="official", ended_on__isnull=True
    ).order_by("id")[:3]
    for seat in officials:
        org_services.seat_end(actor=county, seat=seat, ended_on=datetime.date(2025, 1, 15))
    sources = ["grassroots_member", "grassroots_member", "volunteer", "worker"]
    for source in sources:
        org_services.seat_add(
            actor=county,
            association=association,
            body="council",
            name=fake.name(),
            source=source,
            term_year=2025,
        )
    return len(sources)


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_members(county=cast.county, townships=cast.townships, village=cast.village)
