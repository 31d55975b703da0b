"""Volunteer pages: the public application and certificate check, the staff pages, the portal.
Refused cases: anonymous, another township, another role, the volunteer on every other page."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from fpa.volunteers import services
from fpa.volunteers.models import HoursRecord, Volunteer
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN
from tests.test_scope_walk import ROUTES, dummy_url
from tests.volunteers_helpers import active, apply, id_for, service

TODAY = datetime.date.today


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def application(**overrides):
    data = {
        "association": str(Association.objects.get(code=DAZHUANG).pk),
        "name": "赵报名",
        "id_number": id_for(30),
        "phone": "13655550001",
        "skills": [],
        "on_weekends": "on",
        "consent_version": "1",
        "agree": "on",
        "website": "",
    }
    data.update(overrides)
    return data


# --- public ---------------------------------------------------------------------------------------


def test_public_application_needs_no_login_and_records_consent(client, yongjing):
    page = client.get("/volunteers/apply/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "报名同意书（第1版）" in body and "身份证号码" in body
    number = id_for(30)
    response = client.post("/volunteers/apply/", application(id_number="  " + number.lower()))
    assert response.status_code == 200
    assert "报名已提交" in response.content.decode()
    volunteer = Volunteer.objects.get()
    assert volunteer.consent.version == 1 and volunteer.on_weekends
    assert volunteer.id_number.reveal_unchecked() == number


def test_public_application_without_consent_changes_nothing(client, yongjing):
    response = client.post("/volunteers/apply/", application(agree=""))
    assert response.status_code == 200
    assert "此字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "\uff11\uff12\uff13", "身份证号码应为18位"),
        ("phone", "NaN", ""),
        ("name", "x" * 5000, ""),
        ("association", "999999999", ""),
        ("consent_version", "1e6", ""),
    ],
)
def test_public_application_bad_input_is_explained_not_500(client, yongjing, field, value, message):
    response = client.post("/volunteers/apply/", application(**{field: value}))
    assert response.status_code == 200
    assert 'class="invalid-feedback' in response.content.decode() or "alert-danger" in (
        response.content.decode()
    )
    if message:
        assert message in response.content.decode()
    assert not Volunteer.objects.exists()


def test_duplicate_application_is_refused_with_a_message(client, yongjing):
    number = id_for(30)
    client.post("/volunteers/apply/", application(id_number=number))
    response = client.post("/volunteers/apply/", application(id_number=number, name="又一次"))
    assert "不能重复报名" in response.content.decode()
    assert Volunteer.objects.count() == 1


def test_honeypot_answers_like_success_and_stores_nothing(client, yongjing):
    response = client.post("/volunteers/apply/", application(website="http://spam.example"))
    assert "报名已提交" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_applications_are_rate_limited_per_address(client, yongjing):
    for _ in range(5):
        client.post("/volunteers/apply/", application(id_number=id_for(30)))
    response = client.post("/volunteers/apply/", application(id_number=id_for(30)))
    assert response.status_code == 429
    assert "过于频繁" in response.content.decode()
    assert Volunteer.objects.count() == 5


def test_minor_application_needs_the_guardian(client, yongjing):
    response = client.post("/volunteers/apply/", application(id_number=id_for(15)))
    assert "监护人" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_verify_page_shows_name_hours_stars_issuer_only(client, yongjing, township):
    volunteer = active(township, DAZHUANG, name="李证明", address="大庄村一社")
    services.hours_record(
        actor=township, service=service(township, LIUJIAXIA), volunteer=volunteer, hours="5"
    )
    cert = services.certificate_issue(actor=township, volunteer=volunteer)
    response = client.get("/volunteers/verify/", {"code": cert.code.lower()})
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "真实有效" in body and "李证明" in body and "5.0 小时" in body and "刘家峡镇计生协" in body
    )
    for private in ("大庄村一社", volunteer.phone.masked, volunteer.id_number.masked, "大庄村"):
        assert private not in body
    missing = client.get("/volunteers/verify/", {"code": "ABCD-EFGH-JKLM-NPQR"})
    assert "未找到" in missing.content.decode()
    junk = client.get("/volunteers/verify/", {"code": "<script>" * 100})
    assert junk.status_code == 200 and "<script>" not in junk.content.decode()


# --- staff pages ----------------------------------------------------------------------------------


def test_staff_flow_vet_sign_hours_certificate(client_for, yongjing, township):
    volunteer = apply(DAZHUANG, name="钱流程")
    client = client_for(township)
    url = f"/volunteers/{volunteer.pk}/"
    assert "录入考察" in client.get(url).content.decode()
    response = client.post(
        f"{url}vet/", {"passed": "1", "vetted_on": TODAY().isoformat(), "notes": "面谈合格"}
    )
    assert response.status_code == 302
    response = client.post(
        f"{url}agreement/",
        {
            "term_start": TODAY().isoformat(),
            "term_end": (TODAY() + datetime.timedelta(days=365)).isoformat(),
            "content": "陪伴",
            "safety_measures": "结伴",
            "signed_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE
    task = service(township, LIUJIAXIA)
    response = client.post(
        f"/volunteers/services/{task.pk}/hours/",
        {"volunteer": volunteer.pk, "hours": "\uff14.\uff15", "note": ""},
    )
    assert response.status_code == 302
    assert HoursRecord.objects.get().hours == 4.5
    response = client.post(f"{url}certificate/")
    cert_url = response["Location"]
    page = client.get(cert_url).content.decode()
    assert (
        "志愿服务证明" in page and "钱流程" in page and "4.5" in page and "data-fpa-print" in page
    )


def test_forms_explain_bad_input_and_change_nothing(client_for, yongjing, township):
    volunteer = active(township, DAZHUANG)
    client = client_for(township)
    before = AuditEvent.objects.count()
    for path, data in [
        ("training/", {"course": "急救", "hours": "NaN", "completed_on": "2024-01-01"}),
        (
            "insurance/",
            {
                "insurer": "人保",
                "policy_number": "1",
                "valid_from": "2025-01-01",
                "valid_to": "2024-01-01",
            },
        ),
        ("status/", {"to_status": "vetted", "effective_date": "2024-01-01", "reason": "x"}),
        ("agreement/", {"term_start": "2024-01-01", "term_end": "1e6"}),
    ]:
        response = client.post(f"/volunteers/{volunteer.pk}/{path}", data)
        assert response.status_code == 200, path
        assert "invalid-feedback" in response.content.decode() or "alert-danger" in (
            response.content.decode()
        )
    assert AuditEvent.objects.count() == before


def test_reveal_is_audited_and_needs_a_reason(client_for, yongjing, township):
    volunteer = active(township, DAZHUANG)
    client = client_for(township)
    url = f"/volunteers/{volunteer.pk}/reveal/phone/"
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "电话联系"})
    assert volunteer.phone.reveal_unchecked() in response.content.decode()
    row = AuditEvent.objects.get(action="reveal")
    assert row.reason == "电话联系" and row.object_id == str(volunteer.pk)
    assert (
        client.post(f"/volunteers/{volunteer.pk}/reveal/address/", {"reason": "看看"}).status_code
        == 404
    )
    # A name is revealed only for a child (it is masked only then).
    assert (
        client.post(f"/volunteers/{volunteer.pk}/reveal/name/", {"reason": "看看"}).status_code
        == 404
    )


def test_a_child_is_masked_on_pages_and_the_name_revealed_with_a_reason(
    client_for, yongjing, township
):
    child = apply(DAZHUANG, name="王小明", age=12, address="大庄村某号")
    client = client_for(township)
    for url in ("/volunteers/", f"/volunteers/{child.pk}/"):
        body = client.get(url).content.decode()
        assert "王小明" not in body and "王**" in body
        assert "大庄村某号" not in body
    response = client.post(f"/volunteers/{child.pk}/reveal/name/", {"reason": "核对身份"})
    assert "王小明" in response.content.decode()
    assert AuditEvent.objects.filter(action="reveal", changes__field="name").count() == 1


def test_other_township_and_other_roles_are_refused(
    client_for, yongjing, township2, finance, auditor, county
):
    volunteer = active(county, DAZHUANG, name="本镇志愿者甲")
    foreign = client_for(township2)
    assert foreign.get(f"/volunteers/{volunteer.pk}/").status_code == 404
    assert (
        foreign.post(f"/volunteers/{volunteer.pk}/reveal/phone/", {"reason": "越权"}).status_code
        == 404
    )
    assert "本镇志愿者甲" not in foreign.get("/volunteers/").content.decode()
    for user in (finance, auditor):
        client = client_for(user)
        assert client.get("/volunteers/").status_code == 403
        assert client.get(f"/volunteers/{volunteer.pk}/").status_code == 403
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_anonymous_is_sent_to_sign_in(client, yongjing):
    for url in ("/volunteers/", "/volunteers/me/", "/volunteers/match/", "/volunteers/teams/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_forged_ids_in_forms_do_not_reach_another_township(
    client_for, yongjing, township, township2
):
    mine = active(township, DAZHUANG)
    theirs = active(township2, SHANGQUAN)
    task = service(township, LIUJIAXIA)
    client = client_for(township)
    response = client.post(f"/volunteers/services/{task.pk}/assign/", {"volunteer": theirs.pk})
    assert response.status_code == 302
    assert not task.assignments.exists()
    client.post(f"/volunteers/services/{task.pk}/assign/", {"volunteer": mine.pk})
    assert list(task.assignments.values_list("volunteer", flat=True)) == [mine.pk]
    response = client.post("/volunteers/pair/", {"volunteer": theirs.pk, "need": 999999})
    assert response.status_code == 404


def test_match_page_ranks_with_reasons_and_pairs(client_for, yongjing, township):
    from fpa.families import services as family_services
    from tests.test_volunteers_services import make_family

    family = make_family(township)
    need = family_services.need_raise(actor=township, family=family, description="需要心理疏导")
    active(township, DAZHUANG, name="同村心理", skills=("counselling",))
    active(township, "622923100202", name="邻村")
    client = client_for(township)
    assert "需要心理疏导" in client.get("/volunteers/match/").content.decode()
    body = client.get(
        "/volunteers/match/", {"need": need.pk, "skills": ["counselling"]}
    ).content.decode()
    assert body.index("同村心理") < body.index("邻村")
    assert "具备所需技能：心理咨询" in body and "同乡镇（街道）" in body
    first = Volunteer.objects.get(name="同村心理")
    response = client.post("/volunteers/pair/", {"volunteer": first.pk, "need": need.pk})
    assert response.status_code == 302
    assert first.pairings.get().family == family
    family_page = client.get(f"/families/{family.pk}/").content.decode()
    assert "同村心理" in family_page and "志愿服务" in family_page
    assert client.get("/volunteers/match/", {"need": "abc"}).status_code == 404
    assert client.get("/volunteers/match/", {"need": "9" * 40}).status_code == 404


def test_teams_pages(client_for, yongjing, township, township2):
    client = client_for(township)
    response = client.post(
        "/volunteers/teams/",
        {
            "association": Association.objects.get(code=LIUJIAXIA).pk,
            "level": "brigade",
            "name": "刘家峡镇大队",
        },
    )
    assert response.status_code == 302
    team_url = response["Location"]
    member = active(township, DAZHUANG, name="队员甲")
    client.post(team_url, {"volunteer": member.pk, "leader": "on"})
    body = client.get(team_url).content.decode()
    assert "队员甲" in body and "队长：队员甲" in body
    assert client_for(township2).get(team_url).status_code == 404
    refused = client.post(
        "/volunteers/teams/",
        {"association": Association.objects.get(code=DAZHUANG).pk, "level": "corps", "name": "错"},
    )
    assert "总队应设在" in refused.content.decode()


def test_lists_do_not_grow_in_queries(
    client_for, yongjing, township, django_assert_max_num_queries
):
    client = client_for(township)

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        v = active(township, DAZHUANG)
        services.hours_record(
            actor=township, service=service(township, LIUJIAXIA), volunteer=v, hours="1"
        )
    urls = [
        "/volunteers/",
        "/volunteers/services/",
        "/volunteers/renewals/",
        "/volunteers/teams/",
        "/volunteers/hours/pending/",
    ]
    few = {url: count(url) for url in urls}
    for _ in range(27):
        v = active(township, DAZHUANG)
        services.hours_record(
            actor=township, service=service(township, LIUJIAXIA), volunteer=v, hours="1"
        )
    many = {url: count(url) for url in urls}
    assert few == many


# --- the portal -----------------------------------------------------------------------------------


@pytest.fixture
def portal_world(yongjing, township, volunteer):
    me = active(township, DAZHUANG, name="我自己")
    services.volunteer_link_account(actor=township, volunteer=me, user=volunteer)
    other = active(township, DAZHUANG, name="别人乙")
    task = service(township, LIUJIAXIA, title="本人任务")
    services.assignment_create(actor=township, service=task, volunteer=me)
    other_task = service(township, LIUJIAXIA, title="别人任务")
    services.hours_record(actor=township, service=other_task, volunteer=other, hours="7")
    theirs = services.certificate_issue(actor=township, volunteer=other)
    return {"me": me, "other": other, "task": task, "their_certificate": theirs}


def test_portal_shows_own_tasks_and_takes_hours(client_for, portal_world, volunteer, township):
    client = client_for(volunteer)
    body = client.get("/volunteers/me/").content.decode()
    assert "我自己" in body and "本人任务" in body
    assert "别人乙" not in body and "别人任务" not in body
    assignment = portal_world["me"].assignments.get()
    bad = client.post("/volunteers/me/", {"assignment": assignment.pk, "hours": "1e6"})
    assert (
        bad.status_code == 200
        and not HoursRecord.objects.filter(volunteer=portal_world["me"]).exists()
    )
    response = client.post("/volunteers/me/", {"assignment": assignment.pk, "hours": "3"})
    assert response.status_code == 302
    record = HoursRecord.objects.get(volunteer=portal_world["me"])
    assert record.status == "submitted"
    # Someone else's task cannot be chosen.
    other_assignment = services.assignment_create(
        actor=township,
        service=service(township, LIUJIAXIA, title="第三"),
        volunteer=portal_world["other"],
    )
    client.post("/volunteers/me/", {"assignment": other_assignment.pk, "hours": "3"})
    assert not HoursRecord.objects.filter(
        volunteer=portal_world["other"], service__title="第三"
    ).exists()


def test_volunteer_sees_own_certificate_not_others(client_for, portal_world, volunteer, township):
    client = client_for(volunteer)
    services.hours_record(
        actor=township,
        service=service(township, LIUJIAXIA),
        volunteer=portal_world["me"],
        hours="2",
    )
    mine = services.certificate_issue(actor=township, volunteer=portal_world["me"])
    assert client.get(f"/volunteers/certificates/{mine.pk}/").status_code == 200
    theirs = portal_world["their_certificate"]
    assert client.get(f"/volunteers/certificates/{theirs.pk}/").status_code == 404


# Pages open to every signed-in user (their own profile, the home page, families they contact).
SELF_PAGES = {
    "dashboard:home",
    "accounts:profile",
    "accounts:otp_setup",
    "accounts:otp_verify",
    "accounts:tokens",
    "families:mine",
    "leftbehind:mine",  # the left-behind people one looks after as their contact person (none here)
    "core:job_list",  # 我的任务: only the user's own background jobs
    # the user's own inbox and its settings (another user's message is 404:
    # tests/test_notifications_views.py)
    "notifications:inbox",
    "notifications:preferences",
    # the field app's shell and its session token: the app then says who may work offline (a
    # volunteer who is a contact person does); the data comes only through /api/v1/field/
    "field:app",
    "field:session",
    "notifications:read_all",
}


def test_volunteer_is_refused_every_other_page(client_for, portal_world, volunteer):
    client = client_for(volunteer)
    allowed = {
        "volunteers:portal",
        "volunteers:certificate",
        "volunteers:apply",
        "volunteers:verify",
    }
    opened = []
    for route in ROUTES:
        declaration = route.declaration
        if route.name in allowed or declaration.public:
            continue
        url = dummy_url(route)
        response = client.get(url)
        if declaration.capability == "account.self" and not route.kwargs:
            assert response.status_code in {200, 302, 405}, (route.name, response.status_code)
            opened.append(route.name)
            continue
        assert response.status_code in {403, 404, 405}, (route.name, response.status_code)
    assert set(opened) <= SELF_PAGES
    nav = client.get("/volunteers/me/").content.decode()
    assert "我的志愿服务" in nav and "特殊家庭" not in nav and ">志愿者<" not in nav


def test_staff_enter_edit_and_link(client_for, yongjing, township, volunteer):
    client = client_for(township)
    dazhuang = Association.objects.get(code=DAZHUANG)
    number = id_for(45)
    response = client.post(
        "/volunteers/new/",
        {
            "association": dazhuang.pk,
            "name": "吴纸质",
            "id_number": number,
            "phone": "13655550002",
            "skills": [],
        },
    )
    assert response.status_code == 302
    person = Volunteer.objects.get(name="吴纸质")
    edit = client.get(f"/volunteers/{person.pk}/edit/")
    assert edit.status_code == 200 and number not in edit.content.decode()
    response = client.post(
        f"/volunteers/{person.pk}/edit/",
        {"name": "吴纸质", "occupation": "护士", "version": person.version, "phone": ""},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.occupation == "护士" and person.phone.reveal_unchecked() == "13655550002"
    stale = client.post(
        f"/volunteers/{person.pk}/edit/",
        {"name": "吴纸质", "occupation": "医生", "version": person.version - 1},
    )
    assert "已被他人修改" in stale.content.decode()
    services.volunteer_vet(actor=township, volunteer=person, passed=True, notes="可以")
    assert client.post(f"/volunteers/{person.pk}/link/", {"user": volunteer.pk}).status_code == 302
    person.refresh_from_db()
    assert person.user == volunteer


def test_service_pages(client_for, yongjing, township, township2):
    client = client_for(township)
    response = client.post(
        "/volunteers/services/new/",
        {
            "association": Association.objects.get(code=LIUJIAXIA).pk,
            "title": "义诊",
            "date": TODAY().isoformat(),
            "hours": "NaN",
        },
    )
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    response = client.post(
        "/volunteers/services/new/",
        {
            "association": Association.objects.get(code=LIUJIAXIA).pk,
            "title": "义诊",
            "date": TODAY().isoformat(),
            "hours": "3",
            "risky": "on",
            "skills": [],
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    body = client.get(url).content.decode()
    assert "义诊" in body and "有风险" in body and "不含往返路途时间" in body
    assert client_for(township2).get(url).status_code == 404
    person = active(township, DAZHUANG, name="无保险")
    response = client.post(f"{url}assign/", {"volunteer": person.pk}, follow=True)
    assert "没有有效的意外保险" in response.content.decode()
