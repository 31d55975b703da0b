"""Deterministic synthetic demo data for Yongjing: staff, filings, council and congress seats.

Everything is made up (faker zh_CN names, valid-but-synthetic ID numbers with the 622923 prefix,
phone numbers in the 139 0000 test-looking range) and goes through the same services as real work.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from faker import Faker

from fpa.core.demo import DemoCast
from fpa.core.idnumbers import synthesize
from fpa.organizations import services
from fpa.organizations.models import Association, BodySeat, StaffMember

SEED = 2023


def synthetic_person(rng: random.Random, fake: Faker, *, sex: str | None = None) -> dict[str, Any]:
    sex = sex or rng.choice("MF")
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 35))
    sequence = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
    name = fake.name_male() if sex == "M" else fake.name_female()
    return {
        "name": name,
        "id_number": synthesize("622923", birth, sequence),
        "phone": f"139{rng.randrange(0, 10**8):08d}",
    }


def seed_network(*, county: Any, townships: dict[str, Any], village: Any) -> dict[str, int]:
    """Staff for every association, filings, seats and a few non-territorial associations.

    `county` is the county admin account; `townships` maps township codes to township staff
    accounts (they review their villages' filings); `village` is a village staff account.
    """
    rng = random.Random(SEED)  # noqa: S311  deterministic demo data, not security
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    root = county.home_association
    associations = list(Association.objects.filter(path__under=root.path).order_by("path"))
    presiding: dict[int, StaffMember] = {}
    for association in associations:
        presiding[association.pk] = _staff_for(association, county, rng, fake)
    _extra_associations(county, townships, rng, fake, presiding)
    _contacts(county, [root, *Association.objects.filter(parent=root, kind="township")], rng)
    filings = _filings(county, townships, presiding, rng)
    seats = _seats(county, associations, rng, fake)
    return {"associations": len(associations), "filings": filings, "seats": seats}


def _contacts(actor: Any, associations: list[Association], rng: random.Random) -> None:
    """Invented office addresses and phones (0930 is the area code of 临夏州) for the front door."""
    for association in associations:
        place = association.division_name or association.name.removesuffix("计生协")
        services.association_set_contact(
            actor=actor,
            association=association,
            address=f"{place}人民政府院内（演示地址）",
            public_phone=f"0930-88{rng.randrange(10000, 99999)}",
        )


def _staff_for(association: Any, actor: Any, rng: random.Random, fake: Faker) -> StaffMember:
    posts = {
        Association.Kind.COUNTY: [
            StaffMember.Post.PRESIDENT,
            StaffMember.Post.EXECUTIVE_VICE_PRESIDENT,
            StaffMember.Post.SECRETARY_GENERAL,
            StaffMember.Post.FULL_TIME_OFFICER,
        ],
        Association.Kind.TOWNSHIP: [
            StaffMember.Post.PRESIDENT,
            StaffMember.Post.EXECUTIVE_VICE_PRESIDENT,
            StaffMember.Post.FULL_TIME_OFFICER,
        ],
    }.get(association.kind, [StaffMember.Post.PRESIDENT, StaffMember.Post.FULL_TIME_OFFICER])
    first = None
    for index, post in enumerate(posts):
        person = synthetic_person(rng, fake)
        employment = (
            StaffMember.Employment.FULL_TIME
            if post == StaffMember.Post.FULL_TIME_OFFICER
            else rng.choice(list(StaffMember.Employment))
        )
        staff = services.staff_create(
            actor=actor,
            association=association,
            post=post,
            employment=employment,
            presides_daily_work=index == 1,
            term_start=datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randrange(0, 900)),
            **person,
        )
        if index == 1 or first is None:
            first = staff
    assert first is not None
    return first


def _extra_associations(
    county: Any, townships: dict[str, Any], rng: random.Random, fake: Faker, presiding: dict
) -> None:
    root = county.home_association
    liujiaxia = Association.objects.get(code="622923100")
    specs = [
        (root, Association.Kind.PARK, "永靖县工业园区计生协"),
        (root, Association.Kind.CHAMBER_JOINT, "永靖县工商联（商会+计生协）"),
        (liujiaxia, Association.Kind.MIGRANT, "刘家峡镇流动人口计生协"),
        (liujiaxia, Association.Kind.PARTY_BRANCH, "刘家峡镇非公企业党支部+计生协"),
        (liujiaxia, Association.Kind.ENTERPRISE, "刘家峡镇某水电企业计生协"),
    ]
    for parent, kind, name in specs:
        created = services.association_create(actor=county, parent=parent, kind=kind, name=name)
        presiding[created.pk] = _staff_for(created, county, rng, fake)
    for village in Association.objects.filter(parent=liujiaxia, kind=Association.Kind.VILLAGE)[:3]:
        services.association_create(
            actor=county,
            parent=village,
            kind=Association.Kind.MEMBER_GROUP,
            name=f"{village.division_name.removesuffix('村委会').removesuffix('居委会')}第一会员小组",
        )


def _filings(county: Any, townships: dict[str, Any], presiding: dict, rng: random.Random) -> int:
    """Townships file with the county; villages of the demo townships file with them. Some are
    left pending, returned or missing, so that the lists have something to show."""
    count = 0
    root = county.home_association
    for association in Association.objects.filter(parent=root).order_by("code"):
        person = presiding.get(association.pk)
        if person is None or rng.random() < 0.15:
            continue  # missing
        township_actor = townships.get(association.code, county)
        filing = services.filing_submit(
            actor=township_actor, association=association, person=person
        )
        count += 1
        if township_actor is not county:
            services.filing_accept(actor=county, filing=filing)
    for code, reviewer in townships.items():
        for village in Association.objects.filter(parent__code=code).order_by("code"):
            person = presiding.get(village.pk)
            roll = rng.random()
            if person is None or roll < 0.2:
                continue
            filing = services.filing_submit(actor=county, association=village, person=person)
            count += 1
            if roll < 0.3:
                services.filing_return(
                    actor=reviewer, filing=filing, reason="请附任职文件，并核对联系电话。"
                )
            elif roll < 0.9:
                services.filing_accept(actor=reviewer, filing=filing)
    return count


def _seats(county: Any, associations: list[Any], rng: random.Random, fake: Faker) -> int:
    count = 0
    weights = {
        BodySeat.Source.GRASSROOTS_MEMBER: 4,
        BodySeat.Source.VOLUNTEER: 2,
        BodySeat.Source.WORKER: 2,
        BodySeat.Source.SOCIAL_SECTOR: 2,
        BodySeat.Source.OFFICIAL: 3,
    }
    sources, source_weights = list(weights), list(weights.values())
    for association in associations:
        if association.kind not in (Association.Kind.COUNTY, Association.Kind.TOWNSHIP):
            continue
        sizes = {
            BodySeat.Body.COUNCIL: rng.randrange(9, 16),
            BodySeat.Body.CONGRESS: rng.randrange(20, 36),
        }
        if association.kind == Association.Kind.COUNTY:
            sizes[BodySeat.Body.STANDING_COUNCIL] = 7
        for body, size in sizes.items():
            for _ in range(size):
                sex = rng.choice("MF")
                services.seat_add(
                    actor=county,
                    association=association,
                    body=body,
                    name=fake.name_male() if sex == "M" else fake.name_female(),
                    sex=sex,
                    source=rng.choices(sources, source_weights)[0],
                    term_year=2023,
                )
                count += 1
    return count


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_network(county=cast.county, townships=cast.townships, village=cast.village)
