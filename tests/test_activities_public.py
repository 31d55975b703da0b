"""The public activity pages (no account) and the staff's publishing of a summary: the calendar of
upcoming public activities by township, the published summaries and their photos.

What must never happen: personal data on a public page, an activity not marked public on the
calendar, an unpublished or withdrawn summary shown, a photo with recognisable faces and no
consent served, a summary with a phone or ID number published. Refused: anonymous, other roles
and another township on the staff's page; forged ids; stale versions."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from fpa.activities import selectors, services
from fpa.activities.models import Activity, ActivityPhoto
from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from tests.activities_helpers import held, plan, site
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA, content

pytestmark = pytest.mark.django_db
TEXT = "5月29日，刘家峡镇计生协在文化广场开展会员活动日宣传，发放资料一百余份。"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def jpeg(color: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, format="JPEG")
    return buffer.getvalue()


def photo(actor: Any, activity: Activity, **flags: Any) -> ActivityPhoto:
    made = services.photo_add(actor=actor, owner=activity, upload=jpeg(), **flags)
    assert isinstance(made, ActivityPhoto)
    return made


def published(actor: Any, code: str = LIUJIAXIA, **data: Any) -> Activity:
    activity = held(actor, code, **data)
    return services.summary_publish(actor=actor, activity=activity, text=TEXT)


# --- the calendar ---------------------------------------------------------------------------------


def test_the_calendar_lists_upcoming_public_activities_by_township_without_personal_data(
    client: Client, township: Any, township2: Any
) -> None:
    home = site(
        township,
        LIUJIAXIA,
        name="刘家峡镇会员之家",
        contact_name="王联系",
        contact_phone="13912340000",
    )
    plan(township, LIUJIAXIA, days=3, title="公开的讲座", public=True, site=home)
    plan(township, LIUJIAXIA, days=3, title="内部的培训", public=False)
    plan(township, LIUJIAXIA, days=-3, title="上周的公开活动", public=True)  # ended
    plan(township2, YANGUOXIA, days=5, title="盐锅峡的义诊", public=True)
    cancelled = plan(township, LIUJIAXIA, days=4, title="取消的公开活动", public=True)
    services.activity_cancel(actor=township, activity=cancelled, reason="天气原因")
    page = client.get(reverse("activities:calendar"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "公开的讲座" in html and "盐锅峡的义诊" in html and "刘家峡镇会员之家" in html
    for hidden in ("内部的培训", "上周的公开活动", "取消的公开活动"):
        assert hidden not in html
    assert "13912340000" not in html and "139****0000" not in html  # the site's contact
    assert "王联系" not in html
    groups = selectors.public_calendar().groups
    assert [g.area.code for g in groups] == [LIUJIAXIA, YANGUOXIA]


def test_the_calendar_filters_by_township_and_ignores_a_forged_one(
    client: Client, township: Any, township2: Any
) -> None:
    plan(township, LIUJIAXIA, days=3, title="刘家峡的活动", public=True)
    plan(township2, YANGUOXIA, days=3, title="盐锅峡的活动", public=True)
    html = client.get(reverse("activities:calendar"), {"township": YANGUOXIA}).content.decode()
    assert "盐锅峡的活动" in html and "刘家峡的活动" not in html
    for forged in ("999999999", "<script>", "x" * 500, DAZHUANG):
        page = client.get(reverse("activities:calendar"), {"township": forged})
        assert page.status_code == 200 and "刘家峡的活动" in page.content.decode()


def test_a_village_activity_is_listed_under_its_township(client: Client, village: Any) -> None:
    plan(village, DAZHUANG, days=2, title="大庄村的宣传", public=True)
    calendar = selectors.public_calendar()
    assert [g.area.code for g in calendar.groups] == [LIUJIAXIA]
    assert [t.code for t in calendar.townships] == [LIUJIAXIA]


def test_the_calendar_query_count_does_not_grow(
    client: Client, township: Any, django_assert_max_num_queries: Any
) -> None:
    plan(township, LIUJIAXIA, days=2, public=True)
    with django_assert_max_num_queries(6):
        client.get(reverse("activities:calendar"))
    for n in range(20):
        plan(township, LIUJIAXIA, days=2 + n / 10, public=True, title=f"活动{n}")
    with django_assert_max_num_queries(6):
        assert "活动19" in client.get(reverse("activities:calendar")).content.decode()


def test_the_front_door_links_the_calendar_and_the_news(client: Client, yongjing: Any) -> None:
    html = client.get("/").content.decode()
    assert reverse("activities:calendar") in html and reverse("activities:news_list") in html


# --- publishing a summary -------------------------------------------------------------------------


def test_a_published_summary_is_public_and_audited(client: Client, township: Any) -> None:
    activity = published(township, title="5·29宣传")
    page = client.get(reverse("activities:news", args=[activity.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and TEXT in html and "5·29宣传" in html
    assert 'id="news-participants">15<' in html  # 10 members and 5 youth: a count, not people
    listing = client.get(reverse("activities:news_list")).content.decode()
    assert "5·29宣传" in listing
    row = AuditEvent.objects.filter(object_type="activities.activity").latest("id")
    assert row.reason == "发布活动简讯" and row.changes["summary_published"] == [False, True]


def test_an_unpublished_or_withdrawn_summary_is_a_404(client: Client, township: Any) -> None:
    activity = held(township, LIUJIAXIA, title="未公开的活动")
    path = reverse("activities:news", args=[activity.pk])
    assert client.get(path).status_code == 404
    services.summary_publish(actor=township, activity=activity, text=TEXT)
    assert client.get(path).status_code == 200
    activity.refresh_from_db()
    services.summary_withdraw(actor=township, activity=activity, version=activity.version)
    missing = client.get(path)
    assert missing.status_code == 404 and "未找到" in missing.content.decode()
    assert "未公开的活动" not in client.get(reverse("activities:news_list")).content.decode()
    assert client.get(reverse("activities:news", args=[10**9])).status_code == 404


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("太短了", "简讯至少写10个字"),
        ("字" * 3001, "最多3000个字"),
        (TEXT + "联系电话13912345678。", "不能有电话号码或身份证号码"),
        (TEXT + "联系电话１３９ １２３４ ５６７８。", "不能有电话号码或身份证号码"),  # noqa: RUF001
        (TEXT + "身份证622923198501010026。", "不能有电话号码或身份证号码"),
    ],
)
def test_a_bad_summary_is_refused(township: Any, text: str, message: str) -> None:
    activity = held(township, LIUJIAXIA)
    with pytest.raises(ServiceError) as caught:
        services.summary_publish(actor=township, activity=activity, text=text)
    assert message in caught.value.message
    activity.refresh_from_db()
    assert not activity.summary_published and activity.public_summary == ""


def test_only_a_held_activity_in_scope_may_be_published(
    township: Any, township2: Any, auditor: Any
) -> None:
    planned = plan(township, LIUJIAXIA, days=2)
    with pytest.raises(ServiceError) as caught:
        services.summary_publish(actor=township, activity=planned, text=TEXT)
    assert caught.value.code == "state"
    done = held(township, LIUJIAXIA)
    for outsider in (township2, auditor):
        with pytest.raises(NotAllowed):
            services.summary_publish(actor=outsider, activity=done, text=TEXT)
    with pytest.raises(Conflict):
        services.summary_publish(actor=township, activity=done, text=TEXT, version=done.version + 5)


# --- photos ---------------------------------------------------------------------------------------


def test_chosen_photos_are_served_and_others_are_not(client: Client, township: Any) -> None:
    activity = held(township, LIUJIAXIA)
    chosen = photo(township, activity, caption="宣传现场")
    other = photo(township, activity, caption="未选的照片")
    services.summary_publish(
        actor=township, activity=activity, text=TEXT, photo_ids=[str(chosen.pk)]
    )
    html = client.get(reverse("activities:news", args=[activity.pk])).content.decode()
    assert "宣传现场" in html and "未选的照片" not in html
    path = reverse("activities:news_photo", args=[activity.pk, chosen.pk])
    for query in ("", "?size=thumb"):
        served = client.get(path + query)
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        assert served["X-Content-Type-Options"] == "nosniff"
        assert content(served)[:2] == b"\xff\xd8"
    hidden = client.get(reverse("activities:news_photo", args=[activity.pk, other.pk]))
    assert hidden.status_code == 404
    # a photo of another activity under this one's address
    elsewhere = photo(township, published(township), caption="别处")
    services.photo_set_public(actor=township, photo=elsewhere, public=True)
    wrong = reverse("activities:news_photo", args=[activity.pk, elsewhere.pk])
    assert client.get(wrong).status_code == 404
    # withdrawn: nothing of it is served
    activity.refresh_from_db()
    services.summary_withdraw(actor=township, activity=activity)
    assert client.get(path).status_code == 404


def test_republishing_replaces_the_photo_choice(township: Any) -> None:
    activity = held(township, LIUJIAXIA)
    first, second = photo(township, activity), photo(township, activity)
    services.summary_publish(actor=township, activity=activity, text=TEXT, photo_ids=[first.pk])
    services.summary_publish(actor=township, activity=activity, text=TEXT, photo_ids=[second.pk])
    assert [p.pk for p in selectors.public_photos(Activity.objects.get(pk=activity.pk))] == [
        second.pk
    ]
    row = AuditEvent.objects.filter(object_type="activities.activity").latest("id")
    assert row.changes["public_photos"] == [[first.pk], [second.pk]]


def test_a_photo_with_faces_and_no_consent_is_never_public(client: Client, township: Any) -> None:
    activity = held(township, LIUJIAXIA)
    faces = photo(township, activity, caption="合影", faces=True)
    with pytest.raises(ServiceError) as caught:
        services.summary_publish(actor=township, activity=activity, text=TEXT, photo_ids=[faces.pk])
    assert "未取得肖像同意" in caught.value.message
    activity.refresh_from_db()
    assert not activity.summary_published
    services.summary_publish(actor=township, activity=activity, text=TEXT)
    # even a row marked public by some other way is not served (defence in depth)
    ActivityPhoto.objects.filter(pk=faces.pk).update(public=True)
    path = reverse("activities:news_photo", args=[activity.pk, faces.pk])
    assert client.get(path).status_code == 404
    assert "合影" not in client.get(reverse("activities:news", args=[activity.pk])).content.decode()
    # with the consent recorded, it may be chosen
    consented = photo(township, activity, caption="同意的合影", faces=True, faces_consent=True)
    activity.refresh_from_db()
    services.summary_publish(actor=township, activity=activity, text=TEXT, photo_ids=[consented.pk])
    served = client.get(reverse("activities:news_photo", args=[activity.pk, consented.pk]))
    assert served.status_code == 200


@pytest.mark.parametrize("ids", [["x"], [10**9], list(range(1, 12))])
def test_forged_photo_ids_are_refused(township: Any, ids: list[Any]) -> None:
    activity = held(township, LIUJIAXIA)
    with pytest.raises(ServiceError) as caught:
        services.summary_publish(actor=township, activity=activity, text=TEXT, photo_ids=ids)
    assert caught.value.field == "photos"


# --- the staff's page -----------------------------------------------------------------------------


def test_the_staff_publish_and_withdraw_on_their_page(client_for: Any, township: Any) -> None:
    activity = held(township, LIUJIAXIA)
    chosen = photo(township, activity, caption="宣传现场")
    faces = photo(township, activity, caption="合影", faces=True)
    staff = client_for(township)
    path = reverse("activities:news_edit", args=[activity.pk])
    page = staff.get(path).content.decode()
    assert f'id="photo-{chosen.pk}"' in page and f'id="photo-{faces.pk}"' not in page
    assert "未取得肖像同意，不能公开" in page
    posted = staff.post(
        path, {"public_summary": TEXT, "photos": [chosen.pk], "version": activity.version}
    )
    assert posted.status_code == 302 and posted["Location"] == path
    activity.refresh_from_db()
    assert activity.summary_published and activity.public_summary == TEXT
    # the faces photo forged into the POST: refused by the form, nothing changes
    forged = staff.post(
        path, {"public_summary": TEXT, "photos": [faces.pk], "version": activity.version}
    )
    assert forged.status_code == 200
    assert not ActivityPhoto.objects.get(pk=faces.pk).public
    # a stale version: a clear message, nothing changes
    stale = staff.post(path, {"public_summary": TEXT + "改", "photos": [], "version": 1})
    assert "已被他人修改" in stale.content.decode()
    withdraw = reverse("activities:news_withdraw", args=[activity.pk])
    staff.post(withdraw, {"version": activity.version, "reason": "内容有误"})
    activity.refresh_from_db()
    assert not activity.summary_published
    row = AuditEvent.objects.filter(object_type="activities.activity").latest("id")
    assert row.reason == "内容有误"


def test_the_staff_page_says_a_planned_activity_cannot_be_published(
    client_for: Any, township: Any
) -> None:
    activity = plan(township, LIUJIAXIA, days=2)
    html = client_for(township).get(reverse("activities:news_edit", args=[activity.pk]))
    assert "活动开展后才能发布简讯" in html.content.decode()


@pytest.mark.parametrize("name", ["activities:news_edit", "activities:news_withdraw"])
def test_the_staff_pages_are_refused_outside_scope_and_role(
    client: Client,
    client_for: Any,
    township: Any,
    township2: Any,
    finance: Any,
    auditor: Any,
    name: str,
) -> None:
    activity = published(township)
    path = reverse(name, args=[activity.pk])
    data = {"version": activity.version}
    anonymous = client.post(path, data)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(township2).post(path, data).status_code == 404
    assert client_for(finance).post(path, data).status_code == 403
    assert client_for(auditor).post(path, data).status_code == 403
    activity.refresh_from_db()
    assert activity.summary_published


def test_the_news_list_query_count_does_not_grow(
    client: Client, township: Any, django_assert_max_num_queries: Any
) -> None:
    published(township)
    with django_assert_max_num_queries(4):
        client.get(reverse("activities:news_list"))
    for n in range(10):
        published(township, title=f"简讯{n}")
    with django_assert_max_num_queries(4):
        assert "简讯9" in client.get(reverse("activities:news_list")).content.decode()
