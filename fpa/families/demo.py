"""Deterministic synthetic special families for the demo (`make run`), made through the services.

Everything is made up: faker zh_CN names, valid-but-synthetic ID numbers with the 622923 prefix
(`fpa.core.idnumbers.synthesize`), phone numbers in the 139 range, generated photos. Six families
live in 刘家峡镇 (four in 大庄村, so that demo-village has work and demo-volunteer is the contact of
two of them), two in 盐锅峡镇 (so that the sibling township has its own). One family has no
contact yet, so that the coverage page has a gap to show. Dates are relative to the day of seeding;
every choice comes from random.Random(2023).
"""

from __future__ import annotations

import datetime
import io
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from faker import Faker
from PIL import Image, ImageDraw

from fpa.core.demo import DemoCast
from fpa.core.idnumbers import synthesize
from fpa.families import services
from fpa.families.models import FIVE_CARES, FOUR_SERVICES, CareKind, ContactRole, Family, Support
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

SEED = 2023
REGION = "622923"
LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"
DAZHUANG = "622923100201"

SERVICE_CODES = [code for code, _ in FOUR_SERVICES]
CARE_CODES = [code for code, _ in FIVE_CARES]
DEATH_CAUSES = ["疾病", "意外事故", "溺水", "交通事故"]
DISABILITIES = ["肢体残疾", "智力残疾", "精神残疾", "视力残疾"]
NEEDS = [
    "希望协调办理住院绿色通道",
    "房屋漏雨，申请危房改造",
    "申请为老人办理意外伤害保险",
    "希望有人定期陪伴就医",
    "咨询特别扶助金发放时间",
]
DEMO_NOTES = "（演示数据）走访时家中情况稳定，已转达关心。"


class _Ids:
    """Synthetic ID numbers, each used once (the register refuses a duplicate)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, birth: datetime.date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            number = synthesize(REGION, birth, sequence)
            if number not in self.used:
                self.used.add(number)
                return number


def _day(rng: random.Random, start: datetime.date, span_days: int) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(0, max(1, span_days)))


def _phone(rng: random.Random) -> str:
    return f"139{rng.randrange(0, 10**8):08d}"


def seed_families(
    *, county: User, townships: dict[str, User], village: User, volunteer: User
) -> dict[str, int]:
    """Families, their contacts, supports, care records, needs and one campaign. `townships` maps
    township codes to the township staff accounts; `village` is 大庄村's staff account and
    `volunteer` a volunteer of 大庄村, made the contact of two families there."""
    rng = random.Random(SEED)  # noqa: S311  deterministic demo data, not security
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    ids = _Ids(rng)
    today = timezone.localdate()
    liujiaxia_staff, yanguoxia_staff = townships[LIUJIAXIA], townships[YANGUOXIA]
    dazhuang = Association.objects.get(code=DAZHUANG)
    others = list(
        Association.objects.filter(parent__code=LIUJIAXIA, kind=Association.Kind.VILLAGE)
        .exclude(code=DAZHUANG)
        .order_by("code")[:2]
    )
    yanguoxia_villages = list(
        Association.objects.filter(parent__code=YANGUOXIA, kind=Association.Kind.VILLAGE).order_by(
            "code"
        )[:2]
    )
    # (where, who registers it, kind)
    plan = [
        (dazhuang, village, Family.Kind.BEREAVED),
        (dazhuang, village, Family.Kind.DISABLED_CHILD),
        (dazhuang, village, Family.Kind.BEREAVED),
        (dazhuang, village, Family.Kind.COMPLICATION),
        *[(v, liujiaxia_staff, Family.Kind.BEREAVED) for v in others],
        *[(v, yanguoxia_staff, Family.Kind.DISABLED_CHILD) for v in yanguoxia_villages],
    ]
    families = [_family(where, actor, kind, rng, fake, ids, today) for where, actor, kind in plan]
    roles = {r.code: r for r in ContactRole.objects.all()}
    kinds = {k.code: k for k in CareKind.objects.all()}
    contacts = 0
    for index, (family, (where, actor, _)) in enumerate(zip(families, plan, strict=True)):
        if index == 3:
            continue  # one 大庄村 family still without a contact: the coverage page shows the gap
        start = min(today, family.registered_on + datetime.timedelta(days=rng.randrange(3, 30)))
        cadre_user = village if where == dazhuang else None
        services.contact_assign(
            actor=actor,
            family=family,
            role=roles["village_cadre"],
            name="" if cadre_user else fake.name(),
            user=cadre_user,
            phone=None if cadre_user else _phone(rng),
            start_date=start,
        )
        contacts += 1
        if where == dazhuang and index < 2:
            services.contact_assign(
                actor=actor,
                family=family,
                role=roles["member_or_volunteer"],
                name="",
                user=volunteer,
                start_date=start,
            )
            contacts += 1
        if where.parent is not None and where.parent.code == LIUJIAXIA and index % 2 == 0:
            services.contact_assign(
                actor=liujiaxia_staff,
                family=family,
                role=roles["township_cadre"],
                name=fake.name(),
                phone=_phone(rng),
                start_date=start,
            )
            contacts += 1
    supports = sum(
        _supports(family, actor, rng, today)
        for family, (_, actor, _) in zip(families, plan, strict=True)
    )
    campaign_start = today - datetime.timedelta(days=45)
    care = needs = photos = 0
    for index, (family, (where, actor, _)) in enumerate(zip(families, plan, strict=True)):
        loggers = [actor]
        if where == dazhuang and index < 2:
            loggers.append(volunteer)
        for _ in range(rng.randrange(2, 5)):
            occurred = max(family.registered_on, _day(rng, today - datetime.timedelta(300), 300))
            code = rng.choice(["routine_visit", "phone_call", "routine_visit", "counselling"])
            services.care_log(
                actor=rng.choice(loggers),
                family=family,
                kind=kinds[code],
                occurred_on=occurred,
                services=rng.sample(SERVICE_CODES, rng.randrange(1, 3)),
                cares=rng.sample(CARE_CODES, rng.randrange(0, 3)),
                notes=DEMO_NOTES if rng.random() < 0.5 else "",
            )
            care += 1
        if index != 2:  # the campaign's visit, done for all but one family
            occurred = max(family.registered_on, _day(rng, campaign_start, 40))
            record = services.care_log(
                actor=rng.choice(loggers),
                family=family,
                kind=kinds["festival_visit"],
                occurred_on=min(occurred, today),
                services=["visit"],
                cares=["visiting"],
            )
            care += 1
            if index == 0:
                for hue in (0, 1):
                    services.care_photo_add(actor=actor, record=record, photo=_photo(rng, hue))
                    photos += 1
        if index in (0, 1, 4, 6):
            need = services.need_raise(
                actor=actor,
                family=family,
                description=NEEDS[index % len(NEEDS)],
                owner=actor,
                due_date=today + datetime.timedelta(days=rng.randrange(-10, 40)),
            )
            needs += 1
            if index == 4:
                services.need_update(
                    actor=actor, need=need, status="resolved", result="已协调解决并回访。"
                )
    services.campaign_create(
        actor=liujiaxia_staff,
        association=Association.objects.get(code=LIUJIAXIA),
        name=f"{today.year}年暖心行动节日走访",
        start_date=campaign_start,
        end_date=today + datetime.timedelta(days=15),
    )
    return {
        "families": len(families),
        "contacts": contacts,
        "supports": supports,
        "care_records": care,
        "needs": needs,
        "care_photos": photos,
        "campaigns": 1,
    }


def _family(
    where: Association,
    actor: User,
    kind: str,
    rng: random.Random,
    fake: Faker,
    ids: _Ids,
    today: datetime.date,
) -> Family:
    mother_birth = _day(rng, datetime.date(1958, 1, 1), 365 * 17)
    father_birth = mother_birth - datetime.timedelta(days=rng.randrange(0, 365 * 4))
    child_birth = mother_birth + datetime.timedelta(days=365 * rng.randrange(22, 30))
    surname = fake.last_name()
    child: dict[str, Any] = {
        "role": "child",
        "name": surname + fake.first_name(),
        "id_number": ids.make(child_birth, rng.choice("MF")) if rng.random() < 0.6 else "",
    }
    if kind == Family.Kind.BEREAVED:
        child["death_date"] = _day(rng, child_birth + datetime.timedelta(days=365 * 8), 365 * 10)
        child["death_cause"] = rng.choice(DEATH_CAUSES)
        child["death_date"] = min(child["death_date"], today - datetime.timedelta(days=400))
    elif kind == Family.Kind.DISABLED_CHILD:
        child["disability_grade"] = rng.randrange(1, 4)
        child["disability_type"] = rng.choice(DISABILITIES)
        child["disability_certificate"] = f"6229231{rng.randrange(0, 10**8):08d}"
        child["confirmed_by"] = "永靖县残疾人联合会"
    people = [
        {
            "role": "mother",
            "name": fake.name_female(),
            "id_number": ids.make(mother_birth, "F"),
            "phone": _phone(rng),
            "marital_status": "married",
            "hukou": rng.choice(["rural", "rural", "unified"]),
        },
        {
            "role": "father",
            "name": surname + fake.first_name_male(),
            "id_number": ids.make(father_birth, "M"),
            "phone": _phone(rng) if rng.random() < 0.5 else "",
            "marital_status": "married",
            "hukou": "rural",
        },
        child,
    ]
    village_name = where.name.removesuffix("计生协").removesuffix("村委会")
    return services.family_register(
        actor=actor,
        association=where,
        kind=kind,
        address=f"{village_name}{rng.randrange(1, 9)}社{rng.randrange(1, 80)}号",
        registered_on=today - datetime.timedelta(days=rng.randrange(200, 1500)),
        notes="（演示数据）" if rng.random() < 0.5 else "",
        people=people,
    )


def _supports(family: Family, actor: User, rng: random.Random, today: datetime.date) -> int:
    made = 0
    start = min(today, family.registered_on + datetime.timedelta(days=rng.randrange(5, 60)))
    offers = [
        (Support.Kind.DOCTOR, 0.85, {"provider": "村卫生室", "reference": "签约医生"}),
        (Support.Kind.GREEN_CHANNEL, 0.6, {"provider": "永靖县人民医院"}),
        (
            Support.Kind.INSURANCE,
            0.5,
            {"provider": "中国人寿永靖支公司", "product": "计生特殊家庭综合保险"},
        ),
    ]
    for kind, chance, data in offers:
        if rng.random() < chance:
            services.support_add(actor=actor, family=family, kind=kind, start_date=start, **data)
            made += 1
    return made


def _photo(rng: random.Random, hue: int) -> bytes:
    """A generated picture (sky, hills, a house): no real person, no metadata."""
    width, height = 640, 480
    image = Image.new("RGB", (width, height), (150 + 40 * hue, 200, 235))
    draw = ImageDraw.Draw(image)
    ground = height * 2 // 3
    draw.polygon([(0, ground), (220, 170), (430, ground)], fill=(96, 140, 90))
    draw.polygon([(260, ground), (470, 200), (width, ground)], fill=(120, 160, 100))
    draw.rectangle([0, ground, width, height], fill=(186, 160, 120))
    x = 120 + rng.randrange(0, 300)
    draw.rectangle([x, ground - 90, x + 140, ground], fill=(236, 228, 210))
    draw.polygon(
        [(x - 15, ground - 90), (x + 70, ground - 150), (x + 155, ground - 90)], fill=(176, 48, 58)
    )
    draw.rectangle([x + 55, ground - 50, x + 85, ground], fill=(120, 80, 50))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_families(
        county=cast.county, townships=cast.townships, village=cast.village, volunteer=cast.volunteer
    )
