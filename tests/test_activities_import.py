"""Sites and activities imported from Excel (issue 13, item 11): template, dry run with row and
column messages, commit, the same file again, a changed row, scope, full-width input, formulas,
risky and future rows, the figures; refused roles and another village."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fpa.activities import excel_import, selectors
from fpa.activities.models import Activity, Policy, Site
from fpa.core.models import AuditEvent
from tests.activities_helpers import assoc, site
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, content
from tests.test_excel_engine import Formula, fullwidth, read_back, xlsx

SITE_HEADER = [c.header for c in excel_import.SITE_SHEET.columns]
ACTIVITY_HEADER = [c.header for c in excel_import.ACTIVITY_IMPORT_SHEET.columns]
SITES_URL = "/activities/import/sites/"
ACTIVITIES_URL = "/activities/import/"


def site_row(code: str = DAZHUANG, name: str = "大庄村会员之家", **extra: Any) -> list[Any]:
    values = {
        "协会编码": code,
        "阵地类型": "会员之家",
        "名称": name,
        "地址": "大庄村委会",
        "开放时间": "周一至周五 9:00-17:00",
        "联系人": "张管理",
        "联系电话": "13611112222",
        "状态": "运行中",
        "启用日期": "2024-05-29",
        **extra,
    }
    return [values.get(h) for h in SITE_HEADER]


def past(days: int = 3, hour: int = 9) -> str:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return f"{day.isoformat()} {hour:02d}:00"


def activity_row(
    code: str = DAZHUANG, title: str = "5·29会员活动日宣传", **extra: Any
) -> list[Any]:
    values = {
        "协会编码": code,
        "活动名称": title,
        "类别": "宣传教育",
        "主题": "5·29会员活动日",
        "形式": "进社区",
        "开始时间": past(),
        "结束时间": past(hour=11),
        "地点": "村委会广场",
        "状态": "计划中",
        **extra,
    }
    return [values.get(h) for h in ACTIVITY_HEADER]


def sites_file(*rows: list[Any]) -> bytes:
    return xlsx([SITE_HEADER, *rows], sheet="服务阵地")


def activities_file(*rows: list[Any]) -> bytes:
    return xlsx([ACTIVITY_HEADER, *rows], sheet="活动")


def upload(client: Any, url: str, data: bytes) -> Any:
    """Upload, then follow to the dry-run job's page (the report, the confirm button)."""
    return client.post(url, {"file": SimpleUploadedFile("a.xlsx", data)}, follow=True)


def confirm(client: Any, url: str, response: Any) -> str:
    done = client.post(url, {"token": response.context["token"]})
    assert done.status_code == 302 and done["Location"].startswith("/jobs/")
    return client.get(done["Location"]).content.decode()


def state() -> tuple[Any, ...]:
    return (
        list(Site.objects.order_by("id").values_list("name", "status", "version")),
        list(Activity.objects.order_by("id").values_list("title", "status", "members")),
        AuditEvent.objects.count(),
    )


# --- pages and refusals ---------------------------------------------------------------------------


def test_templates_have_the_headers(client_for, township):
    client = client_for(township)
    for url, header in ((SITES_URL, SITE_HEADER), (ACTIVITIES_URL, ACTIVITY_HEADER)):
        page = client.get(url)
        assert page.status_code == 200 and "上传并检查" in page.content.decode()
        rows = read_back(content(client.get(url, {"download": "template"})))
        assert rows[0] == header


def test_links_on_the_lists_only_for_editors(client_for, township, auditor):
    assert (
        "/activities/import/sites/"
        in client_for(township).get("/activities/sites/").content.decode()
    )
    assert 'href="/activities/import/"' in client_for(township).get("/activities/").content.decode()
    assert (
        "/activities/import/sites/"
        not in client_for(auditor).get("/activities/sites/").content.decode()
    )


def test_refused_roles(client, client_for, finance, auditor):
    for url in (SITES_URL, ACTIVITIES_URL):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
        assert client_for(finance).get(url).status_code == 403
        assert client_for(auditor).get(url).status_code == 403
        refused = client_for(finance).post(url, {"file": SimpleUploadedFile("a.xlsx", b"x")})
        assert refused.status_code == 403


def test_a_village_cannot_import_into_another_village_or_its_township(village):
    data = sites_file(site_row(SHANGQUAN), site_row(LIUJIAXIA, name="镇会员之家"))
    before = state()
    report = excel_import.SiteImporter(actor=village).commit(data)
    text = "\n".join(report.messages)
    assert not report.committed
    assert "第2行「协会编码」" in text and "第3行「协会编码」" in text
    assert "不在您的管辖范围内" in text
    assert state() == before


# --- sites ----------------------------------------------------------------------------------------


def test_sites_dry_run_commit_again_and_update(client_for, township, uploads_dir):
    client = client_for(township)
    data = sites_file(
        site_row(),
        site_row(
            fullwidth(LIUJIAXIA),
            name="刘家峡镇人口文化大院",
            阵地类型="culture_yard",
            联系电话=fullwidth("13622223333"),
            启用日期="２０２３年３月１日",
        ),
    )
    before = state()
    response = upload(client, SITES_URL, data)
    report = response.context["report"]
    assert report.ok, report.messages
    assert (report.created, report.updated) == (2, 0)
    page = response.content.decode()
    assert "13611112222" not in page and "136****2222" in page  # the phone masked
    assert state() == before  # the dry run wrote nothing
    assert 'href="/activities/sites/"' in confirm(client, SITES_URL, response)
    yard = Site.objects.get(name="刘家峡镇人口文化大院")
    assert yard.association.code == LIUJIAXIA and yard.kind.code == "culture_yard"
    assert yard.opened_on == datetime.date(2023, 3, 1)
    assert yard.contact_phone.reveal_unchecked() == "13622223333"
    # The same file again changes nothing.
    after = state()
    report = upload(client, SITES_URL, data).context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert state() == after
    # A changed row updates the site through the service (version, audit).
    changed = sites_file(site_row(状态="已关闭", 关闭日期="2025-01-02"))
    response = upload(client, SITES_URL, changed)
    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0), report.messages
    confirm(client, SITES_URL, response)
    home = Site.objects.get(name="大庄村会员之家")
    assert home.status == Site.Status.CLOSED and home.closed_on == datetime.date(2025, 1, 2)
    assert home.version == 2
    assert AuditEvent.objects.count() == after[2] + 1


def test_sites_bad_rows_are_reported_and_nothing_written(township):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data = sites_file(
        site_row(SHANGQUAN),
        site_row(name="坏类型", 阵地类型="飞机场"),
        site_row(name="坏状态", 状态="开着"),
        site_row(name="缺日期", 启用日期=None),
        site_row(name="未来日期", 启用日期=tomorrow),
        site_row(name="坏日期", 启用日期="2024-02-30"),
        site_row(name="坏电话", 联系电话="123"),
        site_row(name="x" * 101),
        site_row(name="公式", 地址=Formula('=HYPERLINK("http://x.invalid","点")', "点")),
        site_row(),
    )
    before = state()
    report = excel_import.SiteImporter(actor=township).dry_run(data)
    text = "\n".join(report.messages)
    assert "第2行「协会编码」" in text
    assert "第3行「阵地类型」" in text and "飞机场" in text and "会员之家" in text
    assert "第4行「状态」" in text
    assert "第5行「启用日期」" in text and "运行中的阵地请填写启用日期" in text
    assert "第6行「启用日期」" in text and "不能晚于今天" in text
    assert "第7行「启用日期」" in text and "日期不存在" in text
    assert "第8行「联系电话」" in text
    assert "第9行「名称」" in text
    assert "第10行「地址」" in text  # a formula is refused, never evaluated
    assert not report.ok and report.created == 1
    assert not excel_import.SiteImporter(actor=township).commit(data).committed
    assert state() == before


# --- activities -----------------------------------------------------------------------------------


def test_activities_plan_hold_again_and_figures(client_for, township, uploads_dir):
    client = client_for(township)
    home = site(township, DAZHUANG, name="大庄村会员之家")
    start = timezone.localdate() - datetime.timedelta(days=3)
    year = start.year
    dazhuang = assoc(DAZHUANG)
    count_before = selectors.activity_count(user=township, association=dazhuang, year=year)
    data = activities_file(
        activity_row(
            title="计划的活动", 开始时间=fullwidth(past(days=-5)), 结束时间=past(days=-5, hour=11)
        ),
        activity_row(
            title="已开展的活动",
            阵地="大庄村会员之家",
            地点=None,
            状态="已开展",
            会员=fullwidth("12"),
            青少年=8,
            **{"发放资料（份）": 200},
            活动总结="活动在会员之家举行，发放宣传资料二百份。",
        ),
    )
    response = upload(client, ACTIVITIES_URL, data)
    report = response.context["report"]
    assert report.ok, report.messages
    assert report.created == 2
    assert Activity.objects.count() == 0
    confirm(client, ACTIVITIES_URL, response)
    planned = Activity.objects.get(title="计划的活动")
    assert planned.status == Activity.Status.PLANNED and planned.category.code == "publicity"
    assert timezone.localtime(planned.starts_at).hour == 9
    held = Activity.objects.get(title="已开展的活动")
    assert held.status == Activity.Status.SUMMARISED and held.site == home
    assert (held.members, held.youth, held.materials, held.participants) == (12, 8, 200, 20)
    assert (
        selectors.activity_count(user=township, association=dazhuang, year=year) == count_before + 1
    )
    # The same file again changes nothing.
    after = state()
    report = upload(client, ACTIVITIES_URL, data).context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2), report.messages
    assert state() == after
    # A changed row: the held one's counts corrected; the planned one stays as it is.
    changed = activities_file(
        activity_row(title="计划的活动", 开始时间=past(days=-5), 结束时间=past(days=-5, hour=11)),
        activity_row(
            title="已开展的活动",
            阵地="大庄村会员之家",
            地点=None,
            状态="已开展",
            会员=15,
            青少年=8,
            **{"发放资料（份）": 200},
        ),
    )
    report = excel_import.ActivityImporter(actor=township).commit(changed)
    assert report.committed and report.updated == 1 and report.unchanged == 1, report.messages
    held.refresh_from_db()
    assert held.members == 15 and held.summary.startswith("活动在会员之家")  # empty cell keeps it
    assert selectors.people_served(user=township, association=dazhuang, year=year) >= 23


def test_activity_rows_refused_with_row_and_column(township):
    data = activities_file(
        activity_row(SHANGQUAN),
        activity_row(title="坏类别", 类别="吃饭"),
        activity_row(title="坏时间", 开始时间="2024-05-29"),
        activity_row(title="倒过来", 开始时间=past(hour=11), 结束时间=past(hour=9)),
        activity_row(
            title="未开始",
            开始时间=past(days=-2),
            结束时间=past(days=-2, hour=11),
            状态="已开展",
            会员=3,
        ),
        activity_row(title="有风险", 有人身风险="是", 状态="已开展", 会员=3),
        activity_row(title="没人", 状态="已开展"),
        activity_row(title="没有的阵地", 阵地="月球基地"),
        activity_row(title="计划有人数", 会员=5),
        activity_row(title="公式", 地点=Formula("=1+1", 2)),
        activity_row(title="坏人数", 状态="已开展", 会员="-3"),
    )
    before = state()
    report = excel_import.ActivityImporter(actor=township).dry_run(data)
    text = "\n".join(report.messages)
    assert "第2行「协会编码」" in text
    assert "第3行「类别」" in text and "吃饭" in text
    assert "第4行「开始时间」" in text and "2024-05-29 09:00" in text
    assert "第5行「结束时间」" in text
    assert "第6行「状态」" in text and "尚未开始" in text
    assert "第7行「有人身风险」" in text and "意外险" in text
    assert "第8行「会员」" in text
    assert "第9行「阵地」" in text and "月球基地" in text
    assert "第10行「会员」" in text
    assert "第11行「地点」" in text
    assert "第12行「会员」" in text
    assert not report.ok and report.created == 0
    assert not excel_import.ActivityImporter(actor=township).commit(data).committed
    assert state() == before


def test_held_row_awaiting_approval_is_refused(county, township):
    Policy.objects.create(association=assoc("622923"), approval_required=True)
    data = activities_file(activity_row(状态="已开展", 会员=3))
    report = excel_import.ActivityImporter(actor=township).dry_run(data)
    assert "第2行「状态」" in "\n".join(report.messages) and "审批" in "\n".join(report.messages)
    # Planned, it passes: approval happens on the platform.
    planned = excel_import.ActivityImporter(actor=township).commit(activities_file(activity_row()))
    assert planned.committed and Activity.objects.count() == 1


def test_a_village_imports_its_own_activities_only(village):
    data = activities_file(activity_row(), activity_row(SHANGQUAN, title="别村"))
    report = excel_import.ActivityImporter(actor=village).commit(data)
    assert not report.committed and "第3行「协会编码」" in "\n".join(report.messages)
    assert Activity.objects.count() == 0
    report = excel_import.ActivityImporter(actor=village).commit(activities_file(activity_row()))
    assert report.committed and Activity.objects.get().association.code == DAZHUANG


def test_a_planned_activity_marked_held_by_a_second_file(township):
    dazhuang = assoc(DAZHUANG)
    year = (timezone.localdate() - datetime.timedelta(days=3)).year
    first = excel_import.ActivityImporter(actor=township).commit(activities_file(activity_row()))
    assert first.committed and Activity.objects.get().status == Activity.Status.PLANNED
    before = selectors.activity_count(user=township, association=dazhuang, year=year)
    held = activities_file(activity_row(状态="已开展", 会员=6, 留守人员=4))
    report = excel_import.ActivityImporter(actor=township).commit(held)
    assert report.committed and report.updated == 1, report.messages
    activity = Activity.objects.get()
    assert activity.status == Activity.Status.HELD and activity.participants == 10
    assert selectors.activity_count(user=township, association=dazhuang, year=year) == before + 1
    # Back to planned is refused, and nothing changes.
    again = excel_import.ActivityImporter(actor=township).commit(activities_file(activity_row()))
    assert not again.committed and "改回计划中" in "\n".join(again.messages)
    assert Activity.objects.get().status == Activity.Status.HELD
