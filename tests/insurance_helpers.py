"""Products, policy years, enrolments and claims made through the real services, for the
insurance tests (and the scope walk's `insurance_world`)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fpa.accounts.models import User
from fpa.core.idnumbers import synthesize
from fpa.families import services as family_services
from fpa.families.models import Family, Person
from fpa.insurance import services
from fpa.insurance.models import Claim, ClaimDocument, Enrolment, PolicyYear, Product
from fpa.organizations.models import Association

_sequence = iter(range(1, 10**6))
MOTHER_BIRTH = datetime.date(1970, 5, 6)


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def today() -> datetime.date:
    return timezone.localdate()


def id_number(birth: datetime.date, sex: str = "F") -> str:
    n = next(_sequence) % 480 + 10
    return synthesize("622923", birth, 2 * n + (1 if sex == "M" else 0))


def family(
    actor: Any,
    code: str,
    *,
    mother_birth: datetime.date = MOTHER_BIRTH,
    father_birth: datetime.date | None = datetime.date(1968, 2, 3),
    name: str = "张桂兰",
    kind: str = Family.Kind.BEREAVED,
) -> Family:
    people: list[dict[str, Any]] = [
        {"role": "mother", "name": name, "id_number": id_number(mother_birth, "F")}
    ]
    if father_birth is not None:
        people.append(
            {"role": "father", "name": "李建国", "id_number": id_number(father_birth, "M")}
        )
    people.append({"role": "child", "name": "李明", "death_date": datetime.date(2019, 3, 2)})
    return family_services.family_register(
        actor=actor, association=assoc(code), kind=kind, people=people, address="三社"
    )


def parent(family: Family, role: str = "mother") -> Person:
    return Person.objects.select_related("family__association").get(family=family, role=role)


def product(actor: Any, code: str = "622923", **overrides: Any) -> Product:
    values: dict[str, Any] = {
        "insurer": "人保财险临夏分公司",
        "name": "计生家庭意外伤害保险",
        "kind": Product.Kind.ACCIDENT,
        "premium": "100",
        "min_age": 18,
        "max_age": 80,
        "cover_items": [{"item": "意外身故", "amount": "50000"}],
    }
    values.update(overrides)
    return services.product_create(actor=actor, association=assoc(code), **values)


def policy_year(actor: Any, item: Product | None = None, **overrides: Any) -> PolicyYear:
    values: dict[str, Any] = {
        "year": today().year,
        "policy_number": "PZAA2024622923000001",
        "fund_share": Decimal("60"),
        "government_share": Decimal("40"),
        "self_share": Decimal("0"),
    }
    values.update(overrides)
    return services.policy_year_create(actor=actor, product=item or product(actor), **values)


def enrol(actor: Any, year: PolicyYear, person: Person, **extra: Any) -> Enrolment:
    extra.setdefault("covered_from", year.starts_on)
    return services.enrolment_add(actor=actor, policy_year=year, person=person, **extra)


def report(actor: Any, enrolment: Enrolment, **overrides: Any) -> Claim:
    values: dict[str, Any] = {
        "event_on": today(),
        "kind": Claim.Kind.HOSPITAL,
        "description": "骑车摔伤，住院治疗五天",
    }
    values.update(overrides)
    return services.claim_report(actor=actor, enrolment=enrolment, **values)


def insurance_world(actor: User, township_code: str, village_code: str) -> dict[Any, Any]:
    """For the scope walk: a product owned by the township (made by the county's `county`
    account, which alone may manage products) with this year's policy, a family person of
    `village_code` enrolled in it, a claim and its document; all invisible from another
    township. Returns the declared models' objects under "models", and the object of each page
    that loads its own (as `activity_world` does)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    county = User.objects.get(username="county")
    item = product(county, code=township_code, name=f"{township_code}镇级补充保险")
    year = policy_year(county, item)
    household = family(actor, village_code, name="参保母亲")
    enrolment = enrol(actor, year, parent(household))
    claim = report(actor, enrolment)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("a.pdf", pdf, content_type="application/pdf")
    document = services.claim_document_add(actor=actor, claim=claim, upload=upload)
    # The county's pages load their object themselves (only county staff may open them).
    by_route: dict[str, Any] = {
        "models": {
            Product: item,
            PolicyYear: year,
            Enrolment: enrolment,
            Claim: claim,
            ClaimDocument: document,
        }
    }
    by_route |= {f"insurance:{name}": item for name in ("product_edit", "year_new")}
    by_route |= {f"insurance:{name}": year for name in ("year_edit", "rule", "premium")}
    by_route["insurance:reveal"] = {"pk": enrolment.pk, "field": "id_number"}
    by_route["insurance:claim_reveal"] = {"pk": claim.pk, "field": "description"}
    return by_route
