"""The activity pages: the list (filters, sort, keyset pages, Excel export), the plan form (new
and edit), an activity's page with the steps offered in its state, the highlights sent up, the
to-do kinds, the menu and the demo data; and the refusals (anonymous, other roles, another
township's activity, forged ids, bad dates)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from fpa.activities import selectors, services
from fpa.activities.models import Activity, Category, Policy, Theme
from fpa.core.todo import todos_for
from tests.activities_helpers import assoc, held, plan, site, when
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, content, follow_job
from tests.test_excel_engine import fullwidth, read_back

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def local(moment: datetime.datetime) -> str:
    """A moment as the datetime-local box sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def plan_post(**overrides: Any) -> dict[str, Any]:
    start, end = when(days=3)
    data: dict[str, Any] = {
        "association": assoc(DAZHUANG).pk,
        "title": "青春健康进校园",
        "category": Category.objects.get(code="youth").pk,
        "theme": Theme.objects.get(code="youth_health").pk,
        "setting": "school",
        "starts_at": local(start),
        "ends_at": local(end),
        "place": "大庄小学",
        "partners": "大庄小学",
        "target_groups": "五、六年级学生",
        "cost": "300",
    }
    data.update(overrides)
    return data


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_the_scope_and_links_each_activity(
    client_for: Any, village: Any, township: Any, township2: Any, county: Any
) -> None:
    mine = held(village, DAZHUANG, title="大庄村宣传")
    theirs = held(township2, YANGUOXIA, title="盐锅峡镇宣传")
    page = client_for(township).get("/activities/").content.decode()
    assert f'href="/activities/{mine.pk}/"' in page and "大庄村宣传" in page
    assert "盐锅峡镇宣传" not in page
    page = client_for(county).get("/activities/").content.decode()
    assert f'href="/activities/{theirs.pk}/"' in page and f'href="/activities/{mine.pk}/"' in page
    assert 'href="/activities/new/"' in page and 'href="/activities/highlights/"' in page
    # The sibling township sees none of 刘家峡镇's.
    page = client_for(township2).get("/activities/").content.decode()
    assert "大庄村宣传" not in page


def test_the_list_filters(client_for: Any, village: Any, township: Any) -> None:
    a = held(village, DAZHUANG, title="甲宣传", category="publicity")
    b = plan(village, DAZHUANG, title="乙讲座", category="youth", theme="youth_health", days=5)
    c = held(township, LIUJIAXIA, title="丙义诊", category="health", theme=None)
    services.activity_summarise(
        actor=township, activity=c, summary="义诊服务群众一百余人次，效果很好。", highlight=True
    )
    client = client_for(township)

    def shown(**query: Any) -> set[int]:
        response = client.get("/activities/", query)
        assert response.status_code == 200
        return {row.pk for row in response.context["page"].items}

    assert shown() == {a.pk, b.pk, c.pk}
    assert shown(status="done") == {a.pk, c.pk}
    assert shown(status="planned") == {b.pk}
    assert shown(category="youth") == {b.pk}
    assert shown(theme="youth_health") == {b.pk}
    assert shown(highlight="on") == {c.pk}
    assert shown(q="义诊") == {c.pk}
    assert shown(code=DAZHUANG) == {a.pk, b.pk}
    assert shown(year=YEAR) == shown() and shown(year=YEAR - 3) == set()
    # An invalid filter is left out; the others still apply.
    assert shown(year="abc", category="youth") == {b.pk}
    assert shown(status="nonsense") == {a.pk, b.pk, c.pk}
    # Another township's area: nothing, and a message.
    response = client.get("/activities/", {"code": SHANGQUAN})
    assert response.context["page"].items == [] and response.context["foreign"]
    assert "不在您的管辖范围内" in response.content.decode()
    # The htmx partial: the rows only.
    partial = client.get("/activities/", {"q": "义诊"}, headers={"HX-Request": "true"})
    assert "<form" not in partial.content.decode().split("data-activities-export")[0]
    assert "丙义诊" in partial.content.decode()


def test_the_list_sorts_and_pages_by_keyset(client_for: Any, village: Any, township: Any) -> None:
    made = [
        held(village, DAZHUANG, title=f"活动{n:02d}", members=n + 1, youth=0, days=-1 - n)
        for n in range(7)
    ]
    # By participants, most first; then pages of 3 through the cursors, forward and back.
    page = selectors.activity_page(user=township, sort="participants", size=3)
    assert [a.pk for a in page.items] == [m.pk for m in reversed(made[-3:])]
    seen = [a.pk for a in page.items]
    while page.next_cursor:
        page = selectors.activity_page(
            user=township, sort="participants", size=3, after=page.next_cursor
        )
        seen += [a.pk for a in page.items]
    assert seen == [m.pk for m in reversed(made)]
    back = selectors.activity_page(
        user=township, sort="participants", size=3, before=str(page.items[0].pk)
    )
    assert [a.pk for a in back.items] == [m.pk for m in reversed(made[1:4])]
    # By title and by date (newest first is the default).
    titles = [a.title for a in selectors.activity_page(user=township, sort="title").items]
    assert titles == sorted(titles)
    newest = selectors.activity_page(user=township).items
    assert [a.pk for a in newest] == [m.pk for m in made]
    oldest = selectors.activity_page(user=township, sort="oldest").items
    assert [a.pk for a in oldest] == [m.pk for m in reversed(made)]
    # The page: a forged cursor gives the first page; another township's id too.
    client = client_for(township)
    response = client.get("/activities/", {"sort": "title", "after": "99999999999999999999"})
    assert len(response.context["page"].items) == 7
    response = client.get("/activities/", {"sort": "participants", "after": str(made[6].pk)})
    assert [a.pk for a in response.context["page"].items] == [m.pk for m in reversed(made[:6])]


def test_the_list_does_not_grow_in_queries(
    client_for: Any, village: Any, township: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        held(village, DAZHUANG, title=f"宣传{n}", members=n + 1)
    client = client_for(township)
    client.get("/activities/")  # the area options are read once per worker and kept
    for query in ({}, {"sort": "participants"}, {"status": "done", "code": DAZHUANG}):
        with django_assert_max_num_queries(12):
            response = client.get("/activities/", query)
        assert len(response.context["page"].items) == 30


def test_the_excel_export_has_the_filtered_rows(
    client_for: Any, village: Any, township: Any, township2: Any
) -> None:
    a = held(village, DAZHUANG, title="导出甲", members=12, youth=8)
    services.media_add(
        actor=village,
        activity=a,
        outlet="tv",
        name="永靖电视台",
        published_on=timezone.localdate(),
    )
    plan(village, DAZHUANG, title="导出乙", days=4)
    held(township2, YANGUOXIA, title="外镇导出")
    client = client_for(township)
    response = client.get("/activities/export/", {"status": "done"})
    # Read back with an independent reader (python-calamine: openpyxl is not a dependency).
    rows = read_back(content(follow_job(client, response)), "活动")
    header = list(rows[0])
    assert header[:4] == ["编号", "主办协会", "协会编码", "活动名称"]
    assert len(rows) == 2  # the header and 导出甲 only: done, in the township
    row = dict(zip(header, rows[1], strict=True))
    assert row["编号"] == a.pk and row["活动名称"] == "导出甲" and row["协会编码"] == DAZHUANG
    assert row["会员"] == 12 and row["青少年"] == 8 and row["参加人数合计"] == 20
    assert row["媒体报道（篇）"] == 1 and row["状态"] == "已开展" and row["类别"] == "宣传教育"
    assert isinstance(row["开始时间"], datetime.datetime)
    # Out of scope: no job, a message.
    response = client.get("/activities/export/", {"code": SHANGQUAN})
    assert response.status_code == 302 and response["Location"] == "/activities/"


def test_highlights_sent_up_newest_first(
    client_for: Any, village: Any, township: Any, county: Any
) -> None:
    older = held(village, DAZHUANG, title="较早的亮点", days=-10)
    newer = held(village, DAZHUANG, title="较新的亮点", days=-2)
    own = held(township, LIUJIAXIA, title="镇本级亮点", days=-1)
    plain = held(village, DAZHUANG, title="普通活动")
    for activity in (older, newer, own):
        services.activity_summarise(
            actor=township, activity=activity, summary="活动效果好，群众满意度高。", highlight=True
        )
    services.activity_summarise(actor=village, activity=plain, summary="按计划完成了本次宣传活动。")
    page = client_for(township).get("/activities/highlights/")
    assert [a.pk for a in page.context["page"].items] == [newer.pk, older.pk]
    text = page.content.decode()
    assert "镇本级亮点" not in text and "普通活动" not in text
    page = client_for(county).get("/activities/highlights/")
    assert [a.pk for a in page.context["page"].items] == [own.pk, newer.pk, older.pk]


# --- the plan form ------------------------------------------------------------------------------


def test_plan_an_activity_through_the_form(client_for: Any, township: Any) -> None:
    home = site(township, LIUJIAXIA)
    client = client_for(township)
    page = client.get("/activities/new/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "data-fpa-picker" in text and 'type="datetime-local"' in text and "怎么做" in text
    response = client.post("/activities/new/", plan_post(site=home.pk, place=""))
    activity = Activity.objects.get(title="青春健康进校园")
    assert response.status_code == 302 and response["Location"] == f"/activities/{activity.pk}/"
    assert activity.association.code == DAZHUANG and activity.site == home
    assert activity.setting == "school" and str(activity.cost) == "300.00"
    assert activity.status == Activity.Status.PLANNED and activity.created_by == township


def test_the_plan_form_explains_bad_input_and_changes_nothing(
    client_for: Any, township: Any, township2: Any
) -> None:
    theirs = site(township2, YANGUOXIA, name="外镇会员之家")
    client = client_for(township)
    start, _end = when(days=3)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"ends_at": local(start - datetime.timedelta(hours=1))}, "ends_at", "结束时间不能早于"),
        ({"starts_at": "2026-13-45T99:00"}, "starts_at", "有效的日期和时间"),
        ({"site": theirs.pk}, "site", ""),
        ({"association": assoc(YANGUOXIA).pk}, "association", "管辖范围"),
        ({"title": "长" * 101}, "title", ""),
        ({"cost": "-5"}, "cost", ""),
        ({"place": "", "setting": "community"}, "place", "请选择阵地或填写地点"),
    ]
    for change, field, message in cases:
        response = client.post("/activities/new/", plan_post(**change))
        assert response.status_code == 200, change
        errors = response.context["form"].errors
        assert field in errors, (change, errors)
        if message:
            assert message in " ".join(errors[field]), errors
    assert not Activity.objects.exists()
    # Full-width digits in the cost are folded.
    client.post("/activities/new/", plan_post(cost=fullwidth("120")))
    assert str(Activity.objects.get().cost) == "120.00"


def test_edit_keeps_the_organiser_and_refuses_a_stale_form(
    client_for: Any, village: Any, township: Any
) -> None:
    activity = plan(village, DAZHUANG, days=3)
    client = client_for(township)
    page = client.get(f"/activities/{activity.pk}/edit/")
    assert page.status_code == 200 and "5·29会员活动日宣传" in page.content.decode()
    data = plan_post(title="改过的名称", association=assoc(LIUJIAXIA).pk, version=activity.version)
    response = client.post(f"/activities/{activity.pk}/edit/", data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "改过的名称" and activity.association.code == DAZHUANG
    # The same (now stale) version again: refused with a message, nothing saved.
    data["title"] = "再改一次"
    response = client.post(f"/activities/{activity.pk}/edit/", data)
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "改过的名称"


# --- the activity's page ------------------------------------------------------------------------


def test_the_page_shows_every_field_and_the_steps_of_its_state(
    client_for: Any, village: Any, township: Any
) -> None:
    later = plan(
        village,
        DAZHUANG,
        days=2,
        partners="县妇幼保健院",
        target_groups="育龄群众",
        co_organisers=[assoc(LIUJIAXIA)],
    )
    page = client_for(village).get(f"/activities/{later.pk}/").content.decode()
    for text in (
        "5·29会员活动日宣传",
        "大庄村",
        "宣传教育",
        "5·29会员活动日",
        "村委会广场",
        "县妇幼保健院",
        "育龄群众",
        "刘家峡镇",
        "计划中",
    ):
        assert text in page, text
    assert "活动尚未开始" in page and 'data-step="hold"' not in page
    assert (
        'id="photos"' in page
    )  # the photos of the activity (fpa/templates/activities/photo_gallery.html)
    assert f'action="/activities/{later.pk}/cancel/"' in page
    assert f'action="/activities/{later.pk}/signin/open/"' in page
    assert f'action="/activities/{later.pk}/approve/"' not in page  # the organiser itself
    # The township above it may approve; once started it may be held.
    page = client_for(township).get(f"/activities/{later.pk}/").content.decode()
    assert f'action="/activities/{later.pk}/approve/"' in page
    started = plan(village, DAZHUANG, days=-1)
    page = client_for(village).get(f"/activities/{started.pk}/").content.decode()
    assert 'data-step="hold"' in page and "activity-counts.js" in page
    # Where the township asks for approval, not before it.
    Policy.objects.create(association=assoc(LIUJIAXIA), approval_required=True)
    page = client_for(village).get(f"/activities/{started.pk}/").content.decode()
    assert "须经上级审批后才能开展" in page and 'data-step="hold"' not in page
    # Held: counts, summary and media are offered; the totals are shown.
    done = held(township, LIUJIAXIA, members=7, youth=3, days=-3)
    page = client_for(township).get(f"/activities/{done.pk}/").content.decode()
    for step in ("summarise", "counts", "media"):
        assert f'data-step="{step}"' in page, step
    assert "data-total>10<" in page and 'data-step="cancel"' not in page


def test_an_auditor_reads_the_page_and_is_offered_no_step(
    client_for: Any, village: Any, auditor: Any
) -> None:
    activity = plan(village, DAZHUANG, days=-1)
    page = client_for(auditor).get(f"/activities/{activity.pk}/")
    assert page.status_code == 200
    assert '<form method="post" action="/activities/' not in page.content.decode()
    assert not page.context["steps"].any


# --- refusals -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client: Any, village: Any) -> None:
    activity = plan(village, DAZHUANG)
    for url in (
        "/activities/",
        "/activities/new/",
        "/activities/highlights/",
        "/activities/export/",
        f"/activities/{activity.pk}/",
        f"/activities/{activity.pk}/edit/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    response = client.post(f"/activities/{activity.pk}/hold/", {"members": "3"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED


def test_other_roles_are_refused(
    client_for: Any, village: Any, finance: Any, volunteer: Any, auditor: Any
) -> None:
    activity = plan(village, DAZHUANG)
    for user in (finance, volunteer):
        client = client_for(user)
        for url in ("/activities/", "/activities/new/", f"/activities/{activity.pk}/"):
            assert client.get(url).status_code == 403, (user, url)
    # The auditor reads but does not plan or edit.
    client = client_for(auditor)
    assert client.get("/activities/new/").status_code == 403
    assert client.get(f"/activities/{activity.pk}/edit/").status_code == 403
    assert client.post("/activities/new/", plan_post()).status_code == 403


def test_another_townships_activity_is_not_found(
    client_for: Any, village: Any, township2: Any
) -> None:
    activity = plan(village, DAZHUANG, days=-1)
    client = client_for(township2)
    for url in (f"/activities/{activity.pk}/", f"/activities/{activity.pk}/edit/"):
        assert client.get(url).status_code == 404, url
    for step in ("hold", "counts", "summary", "cancel", "media", "volunteers", "approve"):
        response = client.post(f"/activities/{activity.pk}/{step}/", {"reason": "外镇"})
        assert response.status_code == 404, step
    assert client.post(f"/activities/{activity.pk}/signin/open/").status_code == 404
    assert client.get("/activities/99999999/").status_code == 404
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED and not activity.signin_open


# --- to-dos, menu, demo -------------------------------------------------------------------------


def test_the_todo_kinds_count_and_link(client_for: Any, village: Any, township: Any) -> None:
    Policy.objects.create(association=assoc(LIUJIAXIA), approval_required=True)
    waiting = plan(village, DAZHUANG, days=3)
    started = plan(village, DAZHUANG, days=-1, title="已开始未登记")
    plan(township, LIUJIAXIA, days=3, title="镇本级计划")  # its own: approved above it
    todos = {t.key: t for t in todos_for(township)}
    assert todos["activities.approval"].count == 2  # waiting and started, both in 大庄村
    assert todos["activities.to_hold"].count == 1
    assert todos["activities.approval"].url.endswith("/activities/?todo=approval")
    client = client_for(township)
    rows = client.get("/activities/", {"todo": "approval"}).context["page"].items
    assert {a.pk for a in rows} == {waiting.pk, started.pk}
    rows = client.get("/activities/", {"todo": "hold"}).context["page"].items
    assert [a.pk for a in rows] == [started.pk]
    # The village approves nothing; without a rule nothing waits for approval.
    assert "activities.approval" not in {t.key for t in todos_for(village)}
    Policy.objects.all().delete()
    assert "activities.approval" not in {t.key for t in todos_for(township)}


def test_the_menu_has_the_activities(client_for: Any, township: Any, finance: Any) -> None:
    assert 'href="/activities/"' in client_for(township).get("/").content.decode()
    assert 'href="/activities/"' not in client_for(finance).get("/").content.decode()


def test_demo_data_loads_through_the_services(db: Any, settings: Any, tmp_path: Any) -> None:
    from django.core.management import call_command

    from fpa.accounts.models import User

    settings.VAR_DIR = str(tmp_path)
    call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    assert Activity.objects.count() >= 12
    townships = set(Activity.objects.values_list("association__path", flat=True))
    assert any(LIUJIAXIA in p for p in townships) and any(YANGUOXIA in p for p in townships)
    statuses = set(Activity.objects.values_list("status", flat=True))
    assert {"planned", "approved", "held", "cancelled"} <= statuses
    assert Activity.objects.filter(risky=True, status="held").exclude(insurance_note="").exists()
    assert Activity.objects.filter(campaign__isnull=False).count() >= 3
    assert Activity.objects.filter(volunteer_service__isnull=False).exists()
    county = User.objects.get(username="demo-county")
    figures = selectors.figures(user=county, association=assoc("622923"), year=YEAR)
    assert figures.get("sites") == 3 and figures.get("experts", "") == 2
    from fpa.activities import tallies

    assert tallies.differences() == {}
