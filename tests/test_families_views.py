"""The special-family pages: registry and search, registration, the family's page with its audited
reveals, edits, status, people, contacts and hand-over, care log and needs, supports, a contact
person's own list, overdue contacts, the three coverages, campaigns and rates.

Every page is checked for its scope (the sibling township gets 404 for a 刘家峡镇 family, finance and
the auditor 403 or 404, anonymous users the sign-in page), a contact person sees only the families
they look after, and the lists cost the same number of queries however many rows they show."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.accounts.roles import Role
from fpa.core.idnumbers import synthesize
from fpa.core.models import AuditEvent
from fpa.families import services
from fpa.families.models import (
    Campaign,
    CareKind,
    CareRecord,
    Contact,
    ContactRole,
    Family,
    Need,
    PaymentRate,
    Person,
    StatusChange,
    Support,
)
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, make_user

HONGLIU = "622923100202"  # another village of 刘家峡镇
QUERY_LIMIT = 45
MOTHER_BIRTH = datetime.date(1968, 5, 6)  # over 49: the payment decision is about the child
SECRETS = {
    "notes": "家庭备注之机密内容",
    "health": "母亲患抑郁症之机密",
    "cause": "车祸身亡之机密原因",
    "care": "走访时谈及之机密情况",
}

_sequence = itertools.count(1)


def fullwidth(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def new_id(birth: datetime.date = MOTHER_BIRTH, sex: str = "F") -> str:
    n = next(_sequence) % 480 + 10
    return synthesize("622923", birth, 2 * n + (1 if sex == "M" else 0))


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def text(response: Any) -> str:
    return response.content.decode()


def register(
    actor: Any,
    code: str = DAZHUANG,
    mother: str = "张桂兰",
    kind: str = Family.Kind.BEREAVED,
    **extra: Any,
) -> Family:
    child: dict[str, Any] = {"role": "child", "name": "李明"}
    if kind == Family.Kind.BEREAVED:
        child.update(death_date=datetime.date(2019, 3, 2), death_cause=extra.pop("cause", ""))
    else:
        child.update(disability_grade=2, disability_type=extra.pop("disability", "肢体残疾"))
    return services.family_register(
        actor=actor,
        association=assoc(code),
        kind=kind,
        address="大庄村三社",
        registered_on=extra.pop("registered_on", days_ago(90)),
        people=[
            {
                "role": "mother",
                "name": mother,
                "id_number": new_id(),
                "phone": f"1377777{next(_sequence):04d}",
                "health_notes": extra.pop("health", ""),
            },
            child,
        ],
        **extra,
    )


def assign(actor: Any, family: Family, user: Any = None, role: str = "village_cadre", **extra):
    return services.contact_assign(
        actor=actor,
        family=family,
        role=ContactRole.objects.get(code=role),
        name=extra.pop("name", ""),
        user=user,
        start_date=extra.pop("start_date", days_ago(60)),
        **extra,
    )


def log(actor: Any, family: Family, kind: str = "routine_visit", **extra: Any) -> CareRecord:
    return services.care_log(
        actor=actor,
        family=family,
        kind=CareKind.objects.get(code=kind),
        occurred_on=extra.pop("occurred_on", today()),
        **extra,
    )


def support(actor: Any, family: Family, kind: str = Support.Kind.DOCTOR) -> Support:
    return services.support_add(
        actor=actor, family=family, kind=kind, provider="大庄村卫生室", start_date=days_ago(30)
    )


def counts() -> dict[str, int]:
    models = [Family, Person, Contact, CareRecord, Need, Support, StatusChange, Campaign]
    return {
        **{m.__name__: m.objects.count() for m in models},
        "audit": AuditEvent.objects.exclude(action=AuditEvent.Action.LOGIN).count(),
    }


def register_payload(**overrides: Any) -> dict[str, Any]:
    data = {
        "association": str(assoc(DAZHUANG).pk),
        "kind": "bereaved",
        "address": "大庄村一社",
        "registered_on": today().isoformat(),
        "one_child_only": "on",
        "mother_name": "王秀英",
        "mother_id_number": new_id(),
        "mother_phone": "13912340001",
        "mother_marital_status": "married",
        "mother_hukou": "rural",
        "father_name": "刘德福",
        "father_id_number": new_id(datetime.date(1966, 1, 2), "M"),
        "father_phone": "",
        "father_marital_status": "married",
        "father_hukou": "rural",
        "child_name": "刘强",
        "child_id_number": "",
        "child_death_date": "2018-08-08",
        "child_death_cause": "疾病",
        "child_disability_type": "",
        "child_disability_grade": "",
        "child_disability_certificate": "",
        "child_confirmed_by": "永靖县卫生健康局",
    }
    data.update(overrides)
    return data


@pytest.fixture
def flat_queries(django_assert_max_num_queries, django_assert_num_queries) -> Callable[..., Any]:
    """`flat_queries(client, url, grow)`: the page costs the same number of queries (and no more
    than QUERY_LIMIT) before and after `grow()` adds rows to it."""

    def check(client: Client, url: str, grow: Callable[[], None]) -> Any:
        assert client.get(url).status_code == 200  # warm the session
        with django_assert_max_num_queries(QUERY_LIMIT) as small:
            assert client.get(url).status_code == 200
        grow()
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(url)
        assert response.status_code == 200
        return response

    return check


# --- registration -------------------------------------------------------------------------------


def test_register_a_family_on_one_page(client_for, township):
    client = client_for(township)
    page = client.get("/families/new/")
    assert page.status_code == 200
    assert "盐锅峡" not in text(page)
    data = register_payload()
    response = client.post("/families/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    family = Family.objects.get()
    assert response["Location"] == f"/families/{family.pk}/"
    assert (family.association.code, family.kind, family.head_name) == (
        DAZHUANG,
        "bereaved",
        "王秀英",
    )
    people = {p.role: p for p in family.people.all()}
    assert set(people) == {"mother", "father", "child"}
    assert people["mother"].id_number.reveal_unchecked() == data["mother_id_number"]
    assert people["mother"].birth_date == MOTHER_BIRTH
    assert people["child"].death_cause == "疾病"
    detail = client.get(response["Location"])
    assert "已登记 王秀英 家庭。" in text(detail)
    assert "失独家庭" in text(detail)  # the kind is shown on the family's own page
    assert detail.context["decision"].eligible


def test_wrong_id_number_is_refused_on_its_field_then_the_right_one_goes_through(
    client_for, township
):
    client = client_for(township)
    before = counts()
    good = new_id()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post("/families/new/", register_payload(mother_id_number=wrong))
    assert response.status_code == 200
    assert response.context["form"].errors["mother_id_number"] == [
        "身份证号码校验位不正确，请核对。"
    ]
    assert "身份证号码校验位不正确" in text(response)
    assert counts() == before
    response = client.post("/families/new/", register_payload(mother_id_number="62292319"))
    assert response.context["form"].errors["mother_id_number"] == ["身份证号码应为18位，现为8位。"]
    response = client.post("/families/new/", register_payload(mother_id_number=good))
    assert response.status_code == 302
    assert Family.objects.count() == before["Family"] + 1


def test_full_width_id_number_is_accepted(client_for, township):
    number = new_id()
    response = client_for(township).post(
        "/families/new/", register_payload(mother_id_number=fullwidth(number[:-1] + number[-1]))
    )
    assert response.status_code == 302
    mother = Person.objects.get(role="mother")
    assert mother.id_number.reveal_unchecked() == number


def test_duplicate_parent_id_is_refused_and_nothing_is_written(client_for, township):
    existing = register(township, mother="赵玉梅")
    number = existing.people.get(role="mother").id_number.reveal_unchecked()
    before = counts()
    client = client_for(township)
    response = client.post("/families/new/", register_payload(father_id_number=number))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "father_id_number" in errors
    assert "身份证号码重复" in errors["father_id_number"][0]
    assert "赵玉梅" in errors["father_id_number"][0]  # the actor may see the other family
    assert counts() == before
    # The same number twice on the one page.
    same = new_id()
    response = client.post(
        "/families/new/", register_payload(mother_id_number=same, child_id_number=same)
    )
    assert response.context["form"].errors["child_id_number"] == ["同一身份证号码不能填写两次。"]
    assert counts() == before


def test_register_refuses_a_foreign_association_and_checks_the_child(client_for, township):
    client = client_for(township)
    before = counts()
    foreign = register_payload(association=str(assoc(SHANGQUAN).pk))
    response = client.post("/families/new/", foreign)
    assert response.context["form"].errors["association"] == [
        "所选协会不存在或不在您的管辖范围内。"
    ]
    response = client.post("/families/new/", register_payload(child_death_date=""))
    assert response.context["form"].errors["child_death_date"] == ["失独家庭请填写子女死亡日期。"]
    response = client.post(
        "/families/new/", register_payload(kind="disabled_child", child_death_date="")
    )
    assert response.context["form"].errors["child_disability_grade"] == [
        "伤残家庭请选择子女残疾等级。"
    ]
    response = client.post("/families/new/", register_payload(father_name=""))
    assert response.context["form"].errors["father_name"] == ["填写了父亲的信息，请填写父亲姓名。"]
    assert counts() == before


def test_register_refusals(client, client_for, township2, finance, auditor, volunteer):
    assert client.get("/families/new/").status_code == 302
    for user in (finance, auditor, volunteer):
        assert client_for(user).get("/families/new/").status_code == 403
        assert client_for(user).post("/families/new/", register_payload()).status_code == 403
    response = client_for(township2).post("/families/new/", register_payload())
    assert "association" in response.context["form"].errors
    assert not Family.objects.exists()


# --- list and search ----------------------------------------------------------------------------


def test_list_search_filters_and_hides_the_kind(client_for, township, township2):
    bereaved = register(township, mother="刘秀珍", cause=SECRETS["cause"])
    disabled = register(township, code=HONGLIU, mother="马兰花", kind=Family.Kind.DISABLED_CHILD)
    moved = register(township, mother="刘春梅")
    services.family_change_status(
        actor=township, family=moved, status="moved_out", effective_date=today(), reason="迁往兰州"
    )
    register(township2, code=SHANGQUAN, mother="刘外镇")
    client = client_for(township)

    def names(params: dict[str, str]) -> list[str]:
        response = client.get("/families/", params)
        assert response.status_code == 200
        return [f.head_name for f in response.context["page"].items]

    assert sorted(names({})) == ["刘秀珍", "马兰花"]
    assert names({"q": "刘"}) == ["刘秀珍"]
    assert names({"q": "liuxiuzhen"}) == ["刘秀珍"]
    assert names({"q": "lxz"}) == ["刘秀珍"]
    assert names({"q": fullwidth("MLH")}) == ["马兰花"]  # full-width initials
    assert names({"status": "moved_out"}) == ["刘春梅"]
    assert sorted(names({"status": "all"})) == ["刘春梅", "刘秀珍", "马兰花"]
    assert names({"code": HONGLIU}) == ["马兰花"]
    assert names({"code": SHANGQUAN}) == []
    page = text(client.get("/families/"))
    for word in ("失独", "伤残", SECRETS["cause"], "肢体残疾", "刘外镇"):
        assert word not in page
    assert page.count("计生特殊家庭</td>") == 2
    fragment = client.get("/families/", {"q": "马"}, headers={"HX-Request": "true"})
    assert "<html" not in text(fragment)
    assert f"/families/{disabled.pk}/" in text(fragment)
    assert f"/families/{bereaved.pk}/" not in text(fragment)


def test_list_pages_by_keyset(client_for, village):
    for i in range(55):
        register(village, mother=f"测试母亲{i:02d}")
    client = client_for(village)
    first = client.get("/families/")
    assert len(first.context["page"].items) == 50
    after = first.context["page"].next_cursor
    assert after
    second = client.get("/families/", {"after": after})
    assert len(second.context["page"].items) == 5


def test_list_refusals(client, client_for, finance, auditor, volunteer, township):
    family = register(township)
    assign(township, family, user=volunteer)
    assert client.get("/families/").status_code == 302
    for user in (finance, auditor, volunteer):  # a contact person does not get the whole list
        assert client_for(user).get("/families/").status_code == 403


# --- the family's page and its reveals ----------------------------------------------------------


@pytest.fixture
def secret_family(township):
    family = register(township, cause=SECRETS["cause"], health=SECRETS["health"])
    services.family_update(actor=township, family=family, notes=SECRETS["notes"])
    log(township, family, notes=SECRETS["care"], services=["comfort"], cares=["daily_life"])
    return Family.objects.get(pk=family.pk)


def test_sensitive_values_are_not_in_the_pages_until_revealed(client_for, township, secret_family):
    client = client_for(township)
    family = secret_family
    mother = family.people.get(role="mother")
    number = mother.id_number.reveal_unchecked()
    listing = text(client.get("/families/"))
    detail = text(client.get(f"/families/{family.pk}/"))
    for page in (listing, detail):
        for secret in (*SECRETS.values(), number, mother.phone.reveal_unchecked()):
            assert secret not in page
    assert str(mother.id_number) in detail  # masked
    assert "（已隐藏）" in detail
    assert "精神慰藉" in detail and "日常生活关怀" in detail
    assert "失独家庭" not in listing and "失独家庭" in detail

    reveals = [
        (f"/families/people/{mother.pk}/reveal/health_notes/", SECRETS["health"]),
        (f"/families/people/{mother.pk}/reveal/id_number/", number),
        (
            f"/families/people/{family.people.get(role='child').pk}/reveal/death_cause/",
            SECRETS["cause"],
        ),
        (f"/families/{family.pk}/reveal/", SECRETS["notes"]),
        (f"/families/care/{family.care_records.get().pk}/reveal/", SECRETS["care"]),
    ]
    for url, secret in reveals:
        assert client.get(url).status_code == 405
        refused = client.post(url, {"reason": ""})
        assert refused.status_code == 400
        assert secret not in text(refused)
        response = client.post(url, {"reason": "核对慰问材料"}, headers={"HX-Request": "true"})
        assert response.status_code == 200, url
        assert secret in text(response)
        assert "已记录查看" in text(response)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).order_by("id")
    assert [(e.changes["field"], e.reason) for e in events] == [
        ("health_notes", "核对慰问材料"),
        ("id_number", "核对慰问材料"),
        ("death_cause", "核对慰问材料"),
        ("notes", "核对慰问材料"),
        ("notes", "核对慰问材料"),
    ]
    assert all(e.actor == township and e.scope_path == family.association.path for e in events)
    for event in events:
        assert not any(secret in str(event.changes) for secret in SECRETS.values())
    assert (
        client.post(f"/families/people/{mother.pk}/reveal/name/", {"reason": "核对"}).status_code
        == 404
    )


def test_reveal_refusals(client_for, township2, finance, secret_family):
    mother = secret_family.people.get(role="mother")
    url = f"/families/people/{mother.pk}/reveal/id_number/"
    assert client_for(township2).post(url, {"reason": "越权查看"}).status_code == 404
    assert client_for(finance).post(url, {"reason": "越权查看"}).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


def test_detail_shows_decision_contacts_supports_needs_and_history(client_for, township, volunteer):
    family = register(township, kind=Family.Kind.DISABLED_CHILD)
    assign(township, family, user=volunteer, phone="13900001111")
    old = assign(township, family, name="前任联系人", start_date=days_ago(100))
    services.contact_end(actor=township, contact=old, end_date=days_ago(10))
    support(township, family)
    services.need_raise(actor=township, family=family, description="希望协助办理住院报销")
    response = client_for(township).get(f"/families/{family.pk}/")
    page = text(response)
    decision = response.context["decision"]
    assert decision.eligible and decision.monthly_amount == Decimal("460.00")
    assert "每人每月 <b>460.00</b> 元" in page
    assert "139****1111" in page and "13900001111" not in page
    assert [c.name for c in response.context["current_contacts"]] == ["volunteer"]
    assert [c.name for c in response.context["past_contacts"]] == ["前任联系人"]
    assert "家庭医生签约" in page and "大庄村卫生室" in page
    assert "希望协助办理住院报销" in page
    kinds = [kind for _, kind, _ in response.context["timeline"]]
    assert {"registered", "contact", "support", "need"} <= set(kinds)
    assert "伤残家庭" in page and "肢体残疾" not in page
    # The masked ID hides the birth date; neither the date nor the 49th birthday gives it back.
    mother = family.people.get(role="mother")
    for shown in (mother.birth_date, decision.eligible_from):
        assert shown.strftime("%Y-%m-%d") not in page
        assert shown.strftime("%m-%d") not in page


def test_detail_refusals(client, client_for, township, township2, finance, auditor, village):
    family = register(township, code=HONGLIU)
    url = f"/families/{family.pk}/"
    assert client_for(township2).get(url).status_code == 404
    assert client_for(village).get(url).status_code == 404  # 大庄村 staff, a 红柳村 family
    for user in (finance, auditor):
        assert client_for(user).get(url).status_code == 404
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_detail_query_count_does_not_grow_with_the_records(
    client_for, township, volunteer, flat_queries
):
    family = register(township)
    assign(township, family, user=volunteer)
    for _ in range(3):
        log(township, family, notes="情况")
    services.need_raise(actor=township, family=family, description="诉求一")

    def grow() -> None:
        for i in range(27):
            log(township, family, kind="phone_call", notes=f"电话{i}", services=["visit"])
        for i in range(5):
            services.need_raise(actor=township, family=family, description=f"诉求{i}")
            assign(township, family, name=f"联系人{i}")
            support(township, family, kind=Support.Kind.INSURANCE)

    response = flat_queries(client_for(township), f"/families/{family.pk}/", grow)
    assert len(response.context["care"]) == 30


# --- a contact person ---------------------------------------------------------------------------


def test_a_volunteer_contact_sees_their_family_logs_care_and_nothing_else(
    client_for, township, volunteer
):
    mine = register(township, health=SECRETS["health"])
    other = register(township, mother="其他家庭")
    assign(township, mine, user=volunteer)
    client = client_for(volunteer)
    page = client.get(f"/families/{mine.pk}/")
    assert page.status_code == 200
    assert "记录帮扶" in text(page) and "指定联系人" not in text(page)
    assert SECRETS["health"] not in text(page)
    mother = mine.people.get(role="mother")
    revealed = client.post(
        f"/families/people/{mother.pk}/reveal/health_notes/", {"reason": "上门前了解情况"}
    )
    assert revealed.status_code == 200 and SECRETS["health"] in text(revealed)
    assert AuditEvent.objects.get(action=AuditEvent.Action.REVEAL).actor == volunteer
    response = client.post(
        f"/families/{mine.pk}/care/new/",
        {
            "kind": CareKind.objects.get(code="phone_call").pk,
            "occurred_on": today(),
            "services": ["comfort"],
        },
    )
    assert response.status_code == 302
    record = CareRecord.objects.get(family=mine)
    assert (record.recorded_by, record.contact.user, record.services) == (
        volunteer,
        volunteer,
        ["comfort"],
    )
    for url in (
        f"/families/{other.pk}/",
        f"/families/{other.pk}/care/new/",
        f"/families/people/{other.people.get(role='mother').pk}/reveal/phone/",
    ):
        response = client.post(url, {"reason": "越权"}) if "reveal" in url else client.get(url)
        assert response.status_code == 404, url
    for url in (
        "/families/",
        "/families/coverage/",
        "/families/overdue/",
        "/families/roster/",
        f"/families/{mine.pk}/edit/",
        f"/families/{mine.pk}/contacts/new/",
    ):
        assert client.get(url).status_code == 403, url
    home = text(client.get("/"))
    assert "我的联系家庭" in home and "张桂兰" in home
    assert home.index("我的联系家庭") < home.index("我的账号")


def test_home_has_no_family_card_for_non_contacts(client_for, township):
    assert "我的联系家庭" not in text(client_for(township).get("/"))


def test_mine_lists_the_most_overdue_first(client_for, township, volunteer, flat_queries):
    late = register(township, mother="超期家庭", registered_on=days_ago(90))
    fresh = register(township, mother="按时家庭", registered_on=days_ago(90))
    for family in (late, fresh):
        assign(township, family, user=volunteer)
    log(township, fresh, kind="phone_call", occurred_on=days_ago(1))
    log(township, fresh, kind="routine_visit", occurred_on=days_ago(2))
    client = client_for(volunteer)
    response = client.get("/families/mine/")
    assert [d.family.head_name for d in response.context["due"]] == ["超期家庭", "按时家庭"]
    assert "超期：电话联系（每7天）" in text(response)

    def grow() -> None:
        for i in range(10):
            assign(township, register(township, mother=f"新家庭{i}"), user=volunteer)

    response = flat_queries(client, "/families/mine/", grow)
    assert len(response.context["due"]) == 12


# --- edits, status, people ----------------------------------------------------------------------


def test_stale_edit_is_refused(client_for, township, village):
    family = register(township)
    client = client_for(township)
    form = client.get(f"/families/{family.pk}/edit/").context["form"]
    version = form.initial["version"]
    services.family_update(actor=village, family=family, address="大庄村五社")  # someone else
    data = {
        "kind": "bereaved",
        "address": "大庄村二社",
        "registered_on": family.registered_on.isoformat(),
        "one_child_only": "on",
        "version": version,
    }
    response = client.post(f"/families/{family.pk}/edit/", data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors and errors[0].startswith("该记录已被他人修改")
    assert "住址" in errors[0]
    family.refresh_from_db()
    assert family.address == "大庄村五社"
    data["version"] = family.version
    assert client.post(f"/families/{family.pk}/edit/", data).status_code == 302
    family.refresh_from_db()
    assert family.address == "大庄村二社"


def test_edit_keeps_hidden_notes_unless_typed_or_cleared(client_for, township, secret_family):
    family = secret_family
    client = client_for(township)
    page = client.get(f"/families/{family.pk}/edit/")
    assert SECRETS["notes"] not in text(page)
    data = {
        "kind": "bereaved",
        "address": "新住址",
        "registered_on": family.registered_on.isoformat(),
        "one_child_only": "on",
        "notes": "",
        "version": family.version,
    }
    assert client.post(f"/families/{family.pk}/edit/", data).status_code == 302
    family.refresh_from_db()
    assert (family.address, family.notes) == ("新住址", SECRETS["notes"])
    data.update(version=family.version, clear_notes="on")
    assert client.post(f"/families/{family.pk}/edit/", data).status_code == 302
    family.refresh_from_db()
    assert family.notes == ""


def test_status_change_records_history(client_for, township, volunteer):
    family = register(township)
    contact = assign(township, family, user=volunteer)
    client = client_for(township)
    url = f"/families/{family.pk}/status/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "moved_out", "effective_date": today(), "reason": ""})
    assert "reason" in response.context["form"].errors
    response = client.post(
        url, {"status": "moved_out", "effective_date": today(), "reason": "随子女迁往兰州"}
    )
    assert response.status_code == 302
    change = StatusChange.objects.get(family=family)
    assert (change.from_status, change.to_status, change.reason, change.recorded_by) == (
        "active",
        "moved_out",
        "随子女迁往兰州",
        township,
    )
    contact.refresh_from_db()
    assert contact.end_date == today()
    detail = text(client.get(f"/families/{family.pk}/"))
    assert "在册 → 迁出：随子女迁往兰州" in detail
    response = client.post(
        url, {"status": "moved_out", "effective_date": today(), "reason": "再次迁出"}
    )
    assert response.context["form"].errors["status"] == ["新状态与当前状态相同。"]


def test_person_add_and_edit(client_for, township):
    family = register(township)
    client = client_for(township)
    father_id = new_id(datetime.date(1965, 3, 3), "M")
    url = f"/families/{family.pk}/people/new/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"role": "father", "name": "李建国", "id_number": father_id, "death_cause": "x"}
    )
    assert response.context["form"].errors["death_cause"] == ["仅子女填写此项。"]
    response = client.post(url, {"role": "father", "name": "李建国", "id_number": father_id})
    assert response.status_code == 302
    father = family.people.get(role="father")
    assert father.sex == "M"
    mother = family.people.get(role="mother")
    response = client.post(url, {"role": "mother", "name": "第二位母亲"})
    assert response.context["form"].errors["role"] == ["父亲、母亲各只能登记一位。"]
    edit = f"/families/people/{mother.pk}/edit/"
    page = client.get(edit)
    assert mother.id_number.reveal_unchecked() not in text(page)
    version = page.context["form"].initial["version"]
    response = client.post(edit, {"name": "张桂兰", "id_number": father_id, "version": version})
    assert "身份证号码重复" in response.context["form"].errors["id_number"][0]
    response = client.post(
        edit, {"name": "张桂兰", "phone": "13811112222", "health_notes": "", "version": version}
    )
    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.phone.reveal_unchecked() == "13811112222"
    assert mother.id_number is not None  # blank kept it


def test_edit_pages_refusals(client, client_for, township, township2, finance, volunteer):
    family = register(township)
    assign(township, family, user=volunteer)
    mother = family.people.get(role="mother")
    urls = [
        f"/families/{family.pk}/edit/",
        f"/families/{family.pk}/status/",
        f"/families/{family.pk}/people/new/",
        f"/families/{family.pk}/contacts/new/",
        f"/families/{family.pk}/supports/new/",
        f"/families/people/{mother.pk}/edit/",
    ]
    before = counts()
    for url in urls:
        assert client_for(township2).get(url).status_code == 404, url
        assert client_for(township2).post(url, {"name": "越权"}).status_code == 404, url
        assert client_for(finance).get(url).status_code == 403, url
        assert client_for(volunteer).get(url).status_code == 403, url  # the contact may not edit
        assert client.get(url).status_code == 302
    assert client_for(township2).get(f"/families/{family.pk}/care/new/").status_code == 404
    assert client_for(finance).get(f"/families/{family.pk}/care/new/").status_code == 404
    assert counts() == before


# --- contacts -----------------------------------------------------------------------------------


def test_contact_add_offers_accounts_in_scope_only_and_contact_end(
    client_for, township, township2, volunteer
):
    family = register(township)
    client = client_for(township)
    url = f"/families/{family.pk}/contacts/new/"
    page = client.get(url)
    offered = set(page.context["form"].fields["user"].queryset)
    assert volunteer in offered and township2 not in offered
    role = ContactRole.objects.get(code="member_or_volunteer").pk
    response = client.post(url, {"role": role, "user": township2.pk, "start_date": today()})
    assert response.context["form"].errors["user"] == ["所选账号不存在或不在您的管辖范围内。"]
    response = client.post(url, {"role": role, "start_date": today()})
    assert response.context["form"].errors["name"] == ["请选择平台账号或填写联系人姓名。"]
    response = client.post(
        url, {"role": role, "name": "外部志愿者", "phone": "12345", "start_date": today()}
    )
    assert "phone" in response.context["form"].errors
    assert not Contact.objects.exists()
    response = client.post(url, {"role": role, "user": volunteer.pk, "start_date": today()})
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.user, contact.name) == (volunteer, "volunteer")
    assert client_for(volunteer).get(f"/families/{family.pk}/").status_code == 200
    end = f"/families/contacts/{contact.pk}/end/"
    assert client.get(end).status_code == 405
    assert client_for(township2).post(end, {"end_date": today()}).status_code == 404
    assert client_for(volunteer).post(end, {"end_date": today()}).status_code == 403
    response = client.post(end, {"end_date": today()}, follow=True)
    assert "的联系工作已结束" in text(response)
    contact.refresh_from_db()
    assert contact.end_date == today()
    assert client_for(volunteer).get(f"/families/{family.pk}/").status_code == 404


def test_reassign_moves_every_family_in_one_post(client_for, township, township2, volunteer):
    successor = make_user("successor", DAZHUANG, Role.VOLUNTEER)
    families = [register(township, mother=f"家庭{i}") for i in range(3)]
    for family in families:
        assign(township, family, user=volunteer)
    client = client_for(township)
    page = client.get("/families/reassign/")
    assert list(page.context["form"].fields["from_user"].queryset) == [volunteer]
    assert township2 not in page.context["form"].fields["to_user"].queryset
    response = client.post(
        "/families/reassign/", {"from_user": volunteer.pk, "to_user": township2.pk, "on": today()}
    )
    assert response.context["form"].errors["to_user"] == ["所选账号不存在或不在您的管辖范围内。"]
    response = client.post("/families/reassign/", {"from_user": volunteer.pk, "on": today()})
    assert response.context["form"].errors["to_user"] == ["请选择接替人账号或填写接替人姓名。"]
    response = client.post(
        "/families/reassign/",
        {"from_user": volunteer.pk, "to_user": successor.pk, "on": today()},
        follow=True,
    )
    assert "已将 volunteer 联系的 3 户家庭移交给 successor。" in text(response)
    for family in families:
        current = Contact.objects.get(family=family, end_date__isnull=True)
        assert current.user == successor
    assert not Contact.objects.filter(user=volunteer, end_date__isnull=True).exists()
    for user in (volunteer,):
        assert client_for(user).get("/families/reassign/").status_code == 403


# --- care log and needs -------------------------------------------------------------------------


def test_care_log_with_services_and_cares(client_for, township):
    family = register(township)
    client = client_for(township)
    url = f"/families/{family.pk}/care/new/"
    page = client.get(url)
    assert "精神慰藉" in text(page) and "临终关怀" in text(page)
    kind = CareKind.objects.get(code="festival_visit")
    response = client.post(
        url,
        {
            "kind": kind.pk,
            "occurred_on": today(),
            "services": ["comfort", "visit"],
            "cares": ["daily_life", "visiting"],
            "notes": "送去米面油",
        },
    )
    assert response.status_code == 302
    record = CareRecord.objects.get()
    assert (record.kind, record.services, record.cares) == (
        kind,
        ["comfort", "visit"],
        ["daily_life", "visiting"],
    )
    response = client.post(
        url, {"kind": kind.pk, "occurred_on": today() + datetime.timedelta(days=1)}
    )
    assert response.context["form"].errors["occurred_on"] == ["日期不能晚于今天。"]
    response = client.post(url, {"kind": kind.pk, "occurred_on": today(), "services": ["bogus"]})
    assert "services" in response.context["form"].errors
    assert CareRecord.objects.count() == 1


def test_need_raised_with_care_then_resolved(client_for, township, village):
    family = register(township)
    client = client_for(township)
    url = f"/families/{family.pk}/care/new/"
    owners = set(client.get(url).context["form"].fields["need_owner"].queryset)
    assert owners == {township, village}
    kind = CareKind.objects.get(code="routine_visit").pk
    response = client.post(url, {"kind": kind, "occurred_on": today(), "need_owner": village.pk})
    assert response.context["form"].errors["need_description"]
    response = client.post(
        url,
        {
            "kind": kind,
            "occurred_on": today(),
            "need_description": "希望帮助联系养老院",
            "need_owner": village.pk,
            "need_due_date": today() + datetime.timedelta(days=30),
        },
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.owner, need.raised_in, need.status) == (village, CareRecord.objects.get(), "open")
    update = f"/families/needs/{need.pk}/"
    assert client.get(update).status_code == 200
    response = client.post(update, {"status": "resolved", "result": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["result"] == ["办结时请填写办理结果。"]
    need.refresh_from_db()
    assert need.status == "open"
    response = client.post(update, {"status": "resolved", "result": "已入住县养老院"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.status, need.result, need.closed_on) == ("resolved", "已入住县养老院", today())
    detail = text(client.get(f"/families/{family.pk}/"))
    assert "已办结 1 项" in detail and "已入住县养老院" in detail
    assert client_for(village).get(update).status_code == 200
    assert (
        client_for(make_user("t2", "622923101", Role.TOWNSHIP_STAFF)).get(update).status_code == 404
    )


def test_support_add(client_for, township):
    family = register(township)
    client = client_for(township)
    url = f"/families/{family.pk}/supports/new/"
    data = {
        "kind": "insurance",
        "provider": "人保财险",
        "product": "计生家庭意外伤害保险",
        "premium": "100",
        "cover_amount": "50000",
        "start_date": today(),
        "end_date": days_ago(1),
    }
    response = client.post(url, data)
    assert response.context["form"].errors["end_date"] == ["截止日期不能早于开始日期。"]
    data["end_date"] = today() + datetime.timedelta(days=365)
    assert client.post(url, data).status_code == 302
    assert Support.objects.get().product == "计生家庭意外伤害保险"


# --- overdue and roster -------------------------------------------------------------------------


def test_overdue_lists_families_and_their_contacts(client_for, township, volunteer, flat_queries):
    late = register(township, mother="超期家庭")
    assign(township, late, user=volunteer)
    fresh = register(township, mother="按时家庭")
    assign(township, fresh, user=volunteer)
    log(township, fresh, kind="phone_call")
    log(township, fresh, kind="routine_visit")
    client = client_for(township)
    response = client.get("/families/overdue/")
    assert [d.family.head_name for d in response.context["due"]] == ["超期家庭"]
    page = text(response)
    assert "电话联系（每7天）" in page and "村干部联系人：volunteer" in page
    assert "按时家庭" not in page

    def grow() -> None:
        for i in range(8):
            assign(township, register(township, code=HONGLIU, mother=f"新家庭{i}"), name=f"联系{i}")

    response = flat_queries(client, "/families/overdue/", grow)
    assert len(response.context["due"]) == 9
    assert client_for(township).get("/families/overdue/", {"code": YANGUOXIA}).context["foreign"]


def test_overdue_is_bounded(client_for, township, monkeypatch):
    from fpa.families.views import reports

    monkeypatch.setattr(reports, "LIST_LIMIT", 2)
    for i in range(3):
        assign(township, register(township, mother=f"家庭{i}"), name="联系人")
    response = client_for(township).get("/families/overdue/")
    assert response.context["cut"] and response.context["checked"] == 2
    assert "仅检查了前 2 户" in text(response)


def test_roster_is_families_by_current_contacts(client_for, township, volunteer, flat_queries):
    family = register(township, mother="名册家庭")
    assign(township, family, user=volunteer, phone="13900002222")
    register(township, code=HONGLIU, mother="无人联系")
    client = client_for(township)
    page = text(client.get("/families/roster/", {"code": DAZHUANG}))
    assert "名册家庭" in page and "无人联系" not in page
    # The contact person's phone in full for staff who may see personal values (audited).
    assert "村干部联系人：volunteer 13900002222" in page
    page = text(client.get("/families/roster/"))
    assert "无人联系" in page and "未落实联系人" in page
    assert "fpa-print-landscape" in page and "data-fpa-print" in page
    for word in ("失独", "伤残"):
        assert word not in page

    def grow() -> None:
        for i in range(6):
            assign(township, register(township, mother=f"新家庭{i}"), name=f"联系{i}")

    flat_queries(client, "/families/roster/", grow)


# --- coverage -----------------------------------------------------------------------------------


def test_coverage_numbers_and_click_through(client_for, township):
    with_doctor = register(township, mother="有医生")
    without = register(township, mother="无医生")
    support(township, with_doctor)
    assign(township, with_doctor, name="联系人甲")
    client = client_for(township)
    response = client.get("/families/coverage/")
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["code"] == DAZHUANG)
    coverage = row["coverage"]
    assert (coverage.families, coverage.with_doctor, coverage.doctor_share) == (2, 1, 50.0)
    assert (coverage.with_contacts, coverage.contacts_share) == (1, 50.0)
    assert response.context["total"]["coverage"].doctor_share == 50.0
    page = text(response)
    assert "50.0%" in page
    has = f"/families/?code={DAZHUANG}&amp;measure=with_doctor&amp;has=1"
    missing = f"/families/?code={DAZHUANG}&amp;measure=with_doctor&amp;has=0"
    assert has in page and missing in page
    assert '<script src="/static/vendor/echarts/echarts.min.js" defer></script>' in page
    assert '<script src="/static/fpa/coverage-chart.js" defer></script>' in page
    assert 'id="coverage-data"' in page
    assert not re.search(r"<script[^>]+src=\"https?://", page)  # no CDN

    def listed(params: str) -> list[int]:
        return [f.pk for f in client.get("/families/?" + params).context["page"].items]

    assert listed(f"code={DAZHUANG}&measure=with_doctor&has=1") == [with_doctor.pk]
    assert listed(f"code={DAZHUANG}&measure=with_doctor&has=0") == [without.pk]
    assert listed(f"code={LIUJIAXIA}&measure=with_contacts&has=0") == [without.pk]
    assert listed(f"code={HONGLIU}&measure=with_doctor&has=0") == []
    # Visited on schedule: the family with a contact (a call weekly) has had none, so it is late;
    # the one without contacts has no visit rule to be late on.
    assert "按时走访" in page
    assert "measure=on_schedule&amp;has=0" in page
    assert listed(f"code={DAZHUANG}&measure=on_schedule&has=0") == [with_doctor.pk]
    assert listed(f"code={DAZHUANG}&measure=on_schedule&has=1") == [without.pk]
    assert "未按计划联系走访" in text(
        client.get(f"/families/?code={DAZHUANG}&measure=on_schedule&has=0")
    )
    drilled = client.get("/families/coverage/", {"code": DAZHUANG})
    assert drilled.context["total"]["coverage"].families == 2
    assert drilled.context["rows"] == []


def test_coverage_refusals_and_foreign_code(client, client_for, township, finance, auditor):
    register(township)
    response = client_for(township).get("/families/coverage/", {"code": YANGUOXIA})
    assert response.status_code == 200
    assert response.context["area"] is None and "盐锅峡" not in text(response)
    for user in (finance, auditor):
        assert client_for(user).get("/families/coverage/").status_code == 403
    assert client.get("/families/coverage/").status_code == 302


def test_coverage_query_count_is_flat(client_for, county, township, flat_queries):
    register(township)

    def grow() -> None:
        for code in (DAZHUANG, HONGLIU):
            for i in range(4):
                family = register(township, code=code, mother=f"家庭{code[-1]}{i}")
                support(township, family)
                assign(township, family, name="联系人")

    flat_queries(client_for(county), "/families/coverage/", grow)


def test_list_query_count_is_flat(client_for, township, flat_queries):
    register(township)

    def grow() -> None:
        for i in range(12):
            register(township, code=HONGLIU if i % 2 else DAZHUANG, mother=f"家庭{i}")

    response = flat_queries(client_for(township), "/families/", grow)
    assert len(response.context["page"].items) == 13


# --- campaigns and rates ------------------------------------------------------------------------


def test_campaign_progress(client_for, township, township2, village, finance):
    visited = register(township, mother="已走访")
    called = register(township, mother="仅电话")
    register(township, code=HONGLIU, mother="外村家庭")
    log(township, visited, kind="festival_visit", occurred_on=days_ago(2))
    log(township, visited, kind="routine_visit", occurred_on=days_ago(40))
    log(township, called, kind="phone_call", occurred_on=days_ago(1))
    log(township, called, kind="routine_visit", occurred_on=days_ago(40))  # before the campaign
    client = client_for(township)
    data = {
        "association": assoc(DAZHUANG).pk,
        "name": "端午节走访慰问",
        "start_date": days_ago(7),
        "end_date": today(),
    }
    assert client_for(finance).post("/families/campaigns/", data).status_code == 403
    response = client.post("/families/campaigns/", data)
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    page = client.get(f"/families/campaigns/{campaign.pk}/")
    context = page.context
    assert (context["total"], context["done"], context["share"]) == (2, 1, 50.0)
    assert [f.head_name for f in context["todo"]] == ["仅电话"]
    assert "已走访 <b>1</b> / 2 户" in text(page)
    assert "端午节走访慰问" in text(client.get("/families/campaigns/"))
    assert client_for(township2).get(f"/families/campaigns/{campaign.pk}/").status_code == 404
    assert client_for(finance).get(f"/families/campaigns/{campaign.pk}/").status_code == 403
    data["end_date"] = days_ago(10)
    response = client.post("/families/campaigns/", data)
    assert response.context["form"].errors["end_date"] == ["结束日期不能早于开始日期。"]
    assert client_for(village).get(f"/families/campaigns/{campaign.pk}/").status_code == 200
    hongliu = make_user("hongliu", HONGLIU, Role.VILLAGE_STAFF)
    assert client_for(hongliu).get(f"/families/campaigns/{campaign.pk}/").status_code == 404


def test_a_county_campaign_is_every_townships_work_each_seeing_its_own_families(
    client_for, county, township, township2
):
    register(township, mother="刘家峡家庭")
    register(county, code=SHANGQUAN, mother="盐锅峡家庭")
    campaign = services.campaign_create(
        actor=county,
        association=assoc("622923"),
        name="春节走访慰问",
        start_date=days_ago(7),
        end_date=today(),
    )
    for user, own, other in (
        (township, "刘家峡家庭", "盐锅峡家庭"),
        (township2, "盐锅峡家庭", "刘家峡家庭"),
    ):
        client = client_for(user)
        assert "春节走访慰问" in text(client.get("/families/campaigns/"))
        page = client.get(f"/families/campaigns/{campaign.pk}/")
        assert page.context["total"] == 1
        assert own in text(page) and other not in text(page)
    # A township's own campaign stays its own.
    local = services.campaign_create(
        actor=township,
        association=assoc(LIUJIAXIA),
        name="刘家峡镇中秋走访",
        start_date=days_ago(3),
        end_date=today(),
    )
    assert client_for(township2).get(f"/families/campaigns/{local.pk}/").status_code == 404
    assert "刘家峡镇中秋走访" not in text(client_for(township2).get("/families/campaigns/"))


def test_rates_are_set_by_county_admins(client_for, county, township, finance):
    data = {
        "kind": "bereaved",
        "monthly_amount": "800",
        "valid_from": "2025-01-01",
        "note": "省定标准",
    }
    assert client_for(township).get("/families/rates/").status_code == 200
    assert "590.00" in text(client_for(township).get("/families/rates/"))
    assert client_for(township).post("/families/rates/", data).status_code == 403
    assert client_for(finance).get("/families/rates/").status_code == 403
    response = client_for(county).post("/families/rates/", data)
    assert response.status_code == 302
    rate = PaymentRate.objects.get(kind="bereaved", valid_from=datetime.date(2025, 1, 1))
    assert rate.monthly_amount == Decimal("800.00")
    response = client_for(county).post("/families/rates/", {**data, "monthly_amount": "0"})
    assert "monthly_amount" in response.context["form"].errors


# --- every page refuses ---------------------------------------------------------------------------

STAFF_PAGES = [
    "/families/",
    "/families/new/",
    "/families/overdue/",
    "/families/coverage/",
    "/families/roster/",
    "/families/reassign/",
    "/families/campaigns/",
    "/families/rates/",
]


def test_staff_pages_refuse_other_roles_and_anonymous(
    client, client_for, township, finance, auditor, volunteer
):
    assign(township, register(township), user=volunteer)
    for url in STAFF_PAGES:
        assert client_for(township).get(url).status_code == 200, url
        for user in (finance, auditor, volunteer):
            assert client_for(user).get(url).status_code == 403, (url, user.username)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/families/mine/").status_code == 302
    assert client_for(finance).get("/families/mine/").context["due"] == []


def test_family_pages_refuse_the_sibling_township_and_other_roles(
    client, client_for, township, township2, finance, auditor
):
    family = register(township, notes="备注")
    contact = assign(township, family, name="联系人", phone="13900003333")
    record = log(township, family, notes="情况")
    need = services.need_raise(actor=township, family=family, description="诉求")
    campaign = services.campaign_create(
        actor=township,
        association=assoc(DAZHUANG),
        name="活动",
        start_date=today(),
        end_date=today(),
    )
    mother = family.people.get(role="mother")
    gets = [
        f"/families/{family.pk}/",
        f"/families/{family.pk}/edit/",
        f"/families/{family.pk}/status/",
        f"/families/{family.pk}/people/new/",
        f"/families/{family.pk}/contacts/new/",
        f"/families/{family.pk}/care/new/",
        f"/families/{family.pk}/supports/new/",
        f"/families/people/{mother.pk}/edit/",
        f"/families/needs/{need.pk}/",
        f"/families/campaigns/{campaign.pk}/",
    ]
    posts = [
        f"/families/{family.pk}/reveal/",
        f"/families/people/{mother.pk}/reveal/phone/",
        f"/families/contacts/{contact.pk}/reveal/phone/",
        f"/families/care/{record.pk}/reveal/",
        f"/families/contacts/{contact.pk}/end/",
    ]
    before = counts()
    for url in gets + posts:
        method = "post" if url in posts else "get"
        assert getattr(client_for(township), method)(
            url, {"reason": "本镇核对", "end_date": "x"}
        ).status_code in {200, 302}, url
        assert getattr(client_for(township2), method)(url, {"reason": "越权"}).status_code == 404, (
            url
        )
        for user in (finance, auditor):
            status = getattr(client_for(user), method)(url, {"reason": "越权"}).status_code
            assert status in {403, 404}, (url, user.username, status)
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    after = counts()
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    reveals = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL)
    assert {e.actor for e in reveals} == {township}


def test_the_area_filter_names_villages_with_their_township(client_for, township, county):
    """One query of (code, name, kind, parent name): a village reads "刘家峡镇计生协 · 大庄村委会计生协", a
    township its own name; the chosen one is selected; another township's villages are absent."""
    html = client_for(township).get(f"/families/?code={DAZHUANG}").content.decode()
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', html))
    assert options[LIUJIAXIA] == "刘家峡镇计生协"
    assert options[DAZHUANG] == "刘家峡镇计生协 · 大庄村委会计生协"
    assert re.search(f'<option value="{DAZHUANG}" selected[ >]', html)
    assert SHANGQUAN not in options and YANGUOXIA not in options  # not in this scope
    as_county = client_for(county).get("/families/coverage/").content.decode()
    assert re.search(f'<option value="{SHANGQUAN}"[^>]*>盐锅峡镇计生协 · ', as_county)
