"""The expert and trainer pool (专家和师资) and the 青春健康同伴社 pages: lists with filters and
bounded queries, phones masked with the audited reveal, new and edit, the activities taught or
held at a club's site; and the refusals (anonymous, finance, another township, the auditor
writing, bad input)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fpa.activities import services
from fpa.activities.models import Expert, PeerClub, Specialty
from fpa.core.models import AuditEvent
from tests.activities_helpers import assoc, held, plan, site
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA
from tests.test_excel_engine import fullwidth

pytestmark = pytest.mark.django_db
PHONE = "13987654321"


def specialty(code: str) -> Specialty:
    return Specialty.objects.get(code=code)


def expert(actor: Any, code: str = LIUJIAXIA, **data: Any) -> Expert:
    values: dict[str, Any] = {"name": "张医生", "organisation": "永靖县妇幼保健院"}
    values.update(data)
    chosen = values.pop("specialties", [specialty("reproductive")])
    return services.expert_add(actor=actor, association=assoc(code), specialties=chosen, **values)


def expert_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "association": assoc(LIUJIAXIA).pk,
        "name": "李老师",
        "organisation": "刘家峡中学",
        "title": "高级教师",
        "specialties": [specialty("youth_trainer").pk, specialty("psychology").pk],
        "qualifications": "青春健康师资培训合格证（2024年）",
        "phone": PHONE,
        "active": "on",
    }
    data.update(overrides)
    return data


def club_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "association": assoc(LIUJIAXIA).pk,
        "school": "刘家峡中学",
        "site": "",
        "members": "24",
        "founded_on": "2023-09-01",
        "active": "on",
    }
    data.update(overrides)
    return data


# --- experts -------------------------------------------------------------------------------------


def test_the_expert_list_filters_masks_phones_and_counts_activities(
    client_for: Any, township: Any, township2: Any, village: Any
) -> None:
    doctor = expert(township, phone=PHONE)
    trainer = expert(township, name="王老师", specialties=[specialty("youth_trainer")])
    expert(township2, YANGUOXIA, name="外乡专家")
    gone = expert(township, name="离开的专家")
    services.expert_update(actor=township, expert=gone, version=gone.version, active=False)
    held(village, DAZHUANG, experts=[doctor])
    plan(township, LIUJIAXIA, experts=[doctor])
    client = client_for(township)
    page = client.get(reverse("activities:experts"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "张医生" in html and "王老师" in html
    assert "外乡专家" not in html and "离开的专家" not in html
    assert "139****4321" in html and PHONE not in html
    assert {e.name: e.taught for e in page.context["page"].items} == {"张医生": 2, "王老师": 0}
    only = client.get(reverse("activities:experts"), {"specialty": "youth_trainer"})
    assert [e.name for e in only.context["page"].items] == ["王老师"]
    everyone = client.get(reverse("activities:experts"), {"state": ""})
    assert len(everyone.context["page"].items) == 3
    by_taught = client.get(reverse("activities:experts"), {"sort": "taught"})
    assert by_taught.context["page"].items[0] == doctor
    searched = client.get(reverse("activities:experts"), {"q": "妇幼"})
    assert {e.name for e in searched.context["page"].items} == {"张医生", "王老师"}
    assert trainer.pk in {e.pk for e in searched.context["page"].items}
    foreign = client.get(reverse("activities:experts"), {"code": YANGUOXIA})
    assert not foreign.context["page"].items and "不在您的管辖范围内" in foreign.content.decode()
    bad = client.get(reverse("activities:experts"), {"specialty": "nonsense"})
    assert bad.status_code == 200 and "部分筛选条件无效" in bad.content.decode()


def test_the_expert_list_query_count_is_bounded(
    client_for: Any, township: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(township)
    expert(township)
    client.get(reverse("activities:experts"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("activities:experts"))
    for n in range(25):
        expert(township, name=f"专家{n}", specialties=[specialty("legal"), specialty("eugenics")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("activities:experts"))


def test_an_expert_is_added_edited_and_shows_the_activities_taught(
    client_for: Any, township: Any, village: Any, county: Any
) -> None:
    client = client_for(township)
    assert client.get(reverse("activities:expert_new")).status_code == 200
    response = client.post(reverse("activities:expert_new"), expert_form(name="李　老师"))
    assert response.status_code == 302
    created = Expert.objects.get()
    assert created.name == "李 老师" and created.active
    assert {s.code for s in created.specialties.all()} == {"youth_trainer", "psychology"}
    assert response["Location"] == reverse("activities:expert", args=[created.pk])
    taught = held(village, DAZHUANG, title="青春健康进校园", experts=[created])
    page = client.get(reverse("activities:expert", args=[created.pk])).content.decode()
    assert "青春健康进校园" in page and reverse("activities:detail", args=[taught.pk]) in page
    assert "139****4321" in page and PHONE not in page
    edited = client.post(
        reverse("activities:expert_edit", args=[created.pk]),
        expert_form(
            name="李老师",
            phone="",
            specialties=[specialty("legal").pk],
            active="",
            version=created.version,
        ),
    )
    assert edited.status_code == 302
    created.refresh_from_db()
    assert not created.active
    assert created.phone.reveal_unchecked() == PHONE  # empty keeps it
    assert [s.code for s in created.specialties.all()] == ["legal"]
    # the reveal: audited, with a reason
    url = reverse("activities:expert_reveal", args=[created.pk, "phone"])
    shown = client_for(county).post(url, {"reason": "联系授课"})
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    assert AuditEvent.objects.filter(action="reveal", object_type="activities.expert").count() == 1
    assert client_for(county).post(url, {}).status_code == 400


def test_bad_expert_input_changes_nothing(client_for: Any, township: Any) -> None:
    client = client_for(township)
    for change, message in (
        ({"specialties": []}, "专长"),
        ({"specialties": ["999999"]}, ""),
        ({"phone": "0000"}, "电话号码格式不正确"),
        ({"name": ""}, ""),
        ({"qualifications": "证" * 2001}, "2000"),
        ({"association": assoc(YANGUOXIA).pk}, "不在您的管辖范围内"),
    ):
        response = client.post(reverse("activities:expert_new"), expert_form(**change))
        assert response.status_code == 200, change
        assert message in response.content.decode(), change
    assert not Expert.objects.exists()


# --- peer clubs -----------------------------------------------------------------------------------


def test_a_club_is_registered_listed_and_shows_the_activities_at_its_site(
    client_for: Any, township: Any, village: Any, township2: Any
) -> None:
    base = site(township, LIUJIAXIA, kind="youth_base", name="青春健康教育基地")
    client = client_for(township)
    assert client.get(reverse("activities:club_new")).status_code == 200
    response = client.post(
        reverse("activities:club_new"), club_form(site=base.pk, members=fullwidth("30"))
    )
    assert response.status_code == 302
    club = PeerClub.objects.get()
    assert club.members == 30 and club.site == base
    held(village, DAZHUANG, title="同伴教育课", site=base, category="youth", theme="youth_health")
    page = client.get(reverse("activities:club", args=[club.pk])).content.decode()
    assert "同伴教育课" in page and "青春健康教育基地" in page
    listed = client.get(reverse("activities:clubs")).content.decode()
    assert "刘家峡中学" in listed and f'data-club="{club.pk}"' in listed
    edited = client.post(
        reverse("activities:club_edit", args=[club.pk]),
        club_form(members="12", active="", site="", version=club.version),
    )
    assert edited.status_code == 302
    club.refresh_from_db()
    assert club.members == 12 and not club.active and club.site is None
    assert client.get(reverse("activities:clubs")).context["page"].items == []
    assert len(client.get(reverse("activities:clubs"), {"state": ""}).context["page"].items) == 1
    assert (
        "还没有登记阵地" in client.get(reverse("activities:club", args=[club.pk])).content.decode()
    )
    # another township's site cannot be chosen
    other = site(township2, YANGUOXIA, name="外乡阵地")
    refused = client.post(reverse("activities:club_new"), club_form(site=other.pk))
    assert refused.status_code == 200 and PeerClub.objects.count() == 1


def test_bad_club_input_changes_nothing(client_for: Any, township: Any) -> None:
    client = client_for(township)
    for change in (
        {"members": "-1"},
        {"members": "abc"},
        {"members": "100000000"},
        {"founded_on": "2023-02-30"},
        {"school": ""},
    ):
        response = client.post(reverse("activities:club_new"), club_form(**change))
        assert response.status_code == 200, change
    assert not PeerClub.objects.exists()


def test_the_club_list_query_count_is_bounded(
    client_for: Any, township: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(township)
    base = site(township, LIUJIAXIA, kind="youth_base")
    services.peer_club_add(actor=township, association=assoc(LIUJIAXIA), school="甲校", site=base)
    client.get(reverse("activities:clubs"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("activities:clubs"))
    for n in range(20):
        services.peer_club_add(
            actor=township, association=assoc(LIUJIAXIA), school=f"学校{n}", site=base
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("activities:clubs"))


# --- refusals ------------------------------------------------------------------------------------


def test_pool_pages_refuse_anonymous_finance_and_another_township(
    client: Any, client_for: Any, township: Any, township2: Any, finance: Any, auditor: Any
) -> None:
    doctor = expert(township, phone=PHONE)
    club = services.peer_club_add(actor=township, association=assoc(LIUJIAXIA), school="甲校")
    urls = [
        reverse("activities:experts"),
        reverse("activities:expert_new"),
        reverse("activities:expert", args=[doctor.pk]),
        reverse("activities:expert_edit", args=[doctor.pk]),
        reverse("activities:clubs"),
        reverse("activities:club_new"),
        reverse("activities:club", args=[club.pk]),
        reverse("activities:club_edit", args=[club.pk]),
    ]
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"], url
        assert client_for(finance).get(url).status_code == 403, url
    other = client_for(township2)
    for name, pk in (
        ("activities:expert", doctor.pk),
        ("activities:expert_edit", doctor.pk),
        ("activities:club", club.pk),
        ("activities:club_edit", club.pk),
    ):
        assert other.get(reverse(name, args=[pk])).status_code == 404, name
    assert (
        other.post(
            reverse("activities:expert_reveal", args=[doctor.pk, "phone"]), {"reason": "看看"}
        ).status_code
        == 404
    )
    reader = client_for(auditor)
    assert reader.get(reverse("activities:expert", args=[doctor.pk])).status_code == 200
    assert (
        reader.post(
            reverse("activities:expert_reveal", args=[doctor.pk, "phone"]), {"reason": "看看"}
        ).status_code
        == 403
    )
    assert reader.post(reverse("activities:expert_new"), expert_form()).status_code == 403
    assert (
        reader.post(
            reverse("activities:club_edit", args=[club.pk]), club_form(version=club.version)
        ).status_code
        == 403
    )
    assert Expert.objects.count() == 1 and PeerClub.objects.get().members == 0
