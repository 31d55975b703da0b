"""Phone sign-in at an activity: the public page a QR code opens (no account), the service that
counts a phone or a member once, the organiser's QR page with its live count and masked list, the
split used when the activity is marked held, and a member's participation on the member page.

Refused: forged or unknown codes (a 404 page in Chinese), a closed, ended or cancelled sign-in,
bad phones and cards, missing or outdated consent, the honeypot, the rate limit; the organiser's
pages for anonymous visitors, other roles and another township."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fpa.activities import selectors, services
from fpa.activities.models import Activity, SignIn
from fpa.core.errors import ServiceError
from fpa.core.models import AuditEvent
from fpa.core.qr import qr_data_uri
from tests.activities_helpers import plan
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA
from tests.members_helpers import member

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db: Any) -> Any:
    cache.clear()
    yield
    cache.clear()


def opened(actor: Any, code: str = LIUJIAXIA, *, days: float = -0.01, **data: Any) -> Activity:
    """An activity that started a quarter of an hour ago (by default), its sign-in open."""
    activity = plan(actor, code, days=days, **data)
    return services.signin_open(actor=actor, activity=activity)


def wide(text: str) -> str:
    """Digits as a Chinese input method types them (full-width)."""
    return text.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})


def url(activity: Activity) -> str:
    return reverse("activities:signin", args=[activity.signin_code])


def form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "张三丰",
        "phone": PHONE,
        "card": "",
        "consent_version": "1",
        "agree": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def sign(client: Client, activity: Activity, **overrides: Any) -> Any:
    return client.post(url(activity), form(**overrides))


def errors(response: Any) -> str:
    html = response.content.decode()
    return " ".join(
        chunk.split("</div>", 1)[0] for chunk in html.split('invalid-feedback d-block">')[1:]
    )


def count(activity: Activity) -> int:
    activity.refresh_from_db()
    return activity.signins_count


# --- the public page ----------------------------------------------------------------------------


def test_the_page_shows_the_activity_and_the_consent_without_personal_data(
    client: Client, township: Any
) -> None:
    activity = opened(township, place="刘家峡镇文化广场")
    page = client.get(url(activity))
    html = page.content.decode()
    assert page.status_code == 200
    assert activity.title in html and "刘家峡镇文化广场" in html and "刘家峡镇" in html
    assert "活动签到同意书（第1版）" in html and "手机号码加密保存" in html
    assert 'class="fpa-honeypot"' in html and 'name="card"' in html
    assert township.username not in html  # who planned it is not shown


def test_a_sign_in_counts_once_is_audited_with_the_phone_masked(
    client: Client, township: Any
) -> None:
    activity = opened(township)
    response = sign(client, activity)
    assert response.status_code == 200 and "签到成功" in response.content.decode()
    signin = SignIn.objects.get()
    assert signin.activity == activity and signin.name == "张三丰"
    assert signin.phone.reveal_unchecked() == PHONE and signin.member is None
    assert signin.consent.purpose == "activity_signin" and signin.consent.version == 1
    assert count(activity) == 1
    row = AuditEvent.objects.get(object_type="activities.signin")
    assert row.actor is None and row.scope_path == activity.association.path
    assert PHONE not in str(row.changes) and "139****5678" in str(row.changes)


def test_a_second_sign_in_from_one_phone_says_already_and_counts_nothing(
    client: Client, township: Any
) -> None:
    activity = opened(township)
    assert "签到成功" in sign(client, activity).content.decode()
    # the same number typed full-width with spaces and the country code
    again = sign(client, activity, name="另一个名字", phone="+86 " + wide("139 1234 5678"))
    html = again.content.decode()
    assert again.status_code == 200 and "已签到" in html and "不会重复计数" in html
    assert "张三丰" not in html  # the earlier sign-in's name is not told
    assert SignIn.objects.count() == 1 and count(activity) == 1


def test_full_width_digits_are_folded_to_the_stored_number(client: Client, township: Any) -> None:
    activity = opened(township)
    sign(client, activity, phone=wide(PHONE))
    assert SignIn.objects.get().phone.reveal_unchecked() == PHONE


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"phone": "12345"}, "电话号码格式不正确"),
        ({"phone": "abcdefghijk"}, "手机号码只能填写数字"),
        ({"phone": "139-1234-567x"}, "手机号码只能填写数字"),
        ({"phone": "1" * 40}, "32"),  # oversized: the form's length limit
        ({"phone": "", "card": ""}, "请填写手机号码，或填写会员证号"),
        ({"name": ""}, "必填"),
        ({"name": "张"}, "请填写您的姓名"),
        ({"name": "张" * 51}, "50"),
        ({"agree": ""}, "请阅读并勾选同意签到同意书"),
        ({"consent_version": "2"}, "同意书已更新"),
        ({"card": "622923100201-99999", "phone": ""}, "没有找到有效的会员证"),
        ({"card": "x" * 41, "phone": ""}, "40"),
    ],
)
def test_bad_input_gives_a_clear_message_and_stores_nothing(
    client: Client, township: Any, overrides: dict[str, str], field_message: str
) -> None:
    activity = opened(township)
    response = sign(client, activity, **overrides)
    assert response.status_code == 200
    assert field_message in errors(response), errors(response)
    assert not SignIn.objects.exists() and count(activity) == 0


def test_every_problem_of_the_form_shows_at_once(client: Client, township: Any) -> None:
    activity = opened(township)
    shown = errors(sign(client, activity, name="张", phone="123", agree=""))
    for message in ("请填写您的姓名", "电话号码格式不正确", "请阅读并勾选同意签到同意书"):
        assert message in shown, shown


def test_a_forged_consent_version_asks_to_reload(client: Client, township: Any) -> None:
    activity = opened(township)
    response = sign(client, activity, consent_version="x")
    assert "页面已过期" in response.content.decode()
    assert not SignIn.objects.exists()


def test_the_honeypot_answers_like_success_and_stores_nothing(
    client: Client, township: Any
) -> None:
    activity = opened(township)
    response = sign(client, activity, website="http://spam.example")
    assert response.status_code == 200 and "签到成功" in response.content.decode()
    assert not SignIn.objects.exists() and count(activity) == 0
    assert not AuditEvent.objects.filter(object_type="activities.signin").exists()


def test_sign_ins_are_rate_limited_per_address(
    client: Client, township: Any, settings: Any
) -> None:
    settings.FPA_SIGNIN_RATE_LIMIT = (3, 300)
    activity = opened(township)
    for n in range(3):
        assert sign(client, activity, phone=f"1391234560{n}").status_code == 200
    refused = sign(client, activity, phone="13912345699")
    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()
    assert count(activity) == 3
    other = Client(REMOTE_ADDR="10.9.9.9")  # another address is counted apart
    assert "签到成功" in sign(other, activity, phone="13912345699").content.decode()
    assert count(activity) == 4


@pytest.mark.parametrize(
    "code",
    [
        "nonsense",
        "ABCD-EFGH-JKLM-NPQR",  # well formed, no such activity
        "ABCD-EFGH-JKLM-NPQ0",  # a letter outside the alphabet
        "A" * 500,
        "<script>",
    ],
)
def test_a_forged_code_is_a_404_page_in_chinese(client: Client, township: Any, code: str) -> None:
    opened(township)
    path = reverse("activities:signin", args=[code])
    for response in (client.get(path), client.post(path, form())):
        assert response.status_code == 404
        assert "签到码无效" in response.content.decode()
    assert not SignIn.objects.exists()


def test_the_code_is_read_however_it_is_typed(client: Client, township: Any) -> None:
    activity = opened(township)
    assert activity.signin_code
    typed = activity.signin_code.replace("-", "").lower()
    page = client.get(reverse("activities:signin", args=[typed]))
    assert page.status_code == 200 and activity.title in page.content.decode()


def test_a_closed_sign_in_says_so_and_counts_nothing(client: Client, township: Any) -> None:
    activity = opened(township)
    services.signin_close(actor=township, activity=activity)
    page = client.get(url(activity))
    assert page.status_code == 200 and "签到已关闭" in page.content.decode()
    assert 'id="signin-form"' not in page.content.decode()
    refused = sign(client, activity)
    assert refused.status_code == 409 and "签到已关闭" in refused.content.decode()
    assert not SignIn.objects.exists() and count(activity) == 0


def test_a_sign_in_after_the_activity_ended_is_refused(client: Client, township: Any) -> None:
    activity = opened(township)
    with time_machine.travel(activity.ends_at + datetime.timedelta(minutes=1), tick=False):
        refused = sign(client, activity)
        assert refused.status_code == 409 and "签到已关闭" in refused.content.decode()
        with pytest.raises(ServiceError) as caught:
            services.signin_submit(
                code=activity.signin_code or "", name="李四", phone=PHONE, consent_version=1
            )
        assert caught.value.code == "closed"
    assert count(activity) == 0


def test_a_cancelled_activity_takes_no_sign_in(client: Client, township: Any) -> None:
    activity = opened(township, days=0.5)  # not started yet: it can still be cancelled
    services.activity_cancel(actor=township, activity=activity, reason="天气原因")
    refused = sign(client, activity)
    assert refused.status_code == 409 and "已取消" in refused.content.decode()
    assert count(activity) == 0


def test_the_service_refuses_a_malformed_code_before_any_query(
    township: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0), pytest.raises(ServiceError) as caught:
        services.signin_submit(code="not a code", name="李四", phone=PHONE, consent_version=1)
    assert caught.value.code == "unknown"


# --- members --------------------------------------------------------------------------------------


def test_a_member_is_matched_by_phone(client: Client, township: Any) -> None:
    known = member(township, DAZHUANG, phone="13800001111")
    activity = opened(township)
    sign(client, activity, phone="138 0000 1111")
    sign(client, activity, phone="13700002222")
    assert SignIn.objects.get(member__isnull=False).member == known
    assert selectors.signin_split(activity) == {"members": 1, "others": 1}


def test_a_phone_shared_by_two_members_matches_neither(client: Client, township: Any) -> None:
    member(township, DAZHUANG, phone="13800001111")
    member(township, DAZHUANG, phone="13800001111")
    activity = opened(township)
    sign(client, activity, phone="13800001111")
    assert SignIn.objects.get().member is None


@pytest.mark.parametrize("typed", ["number", "number-full-width-no-dash", "check-code"])
def test_a_member_signs_in_with_the_card_alone(client: Client, township: Any, typed: str) -> None:
    known = member(township, DAZHUANG, phone="13800001111")
    assert known.card_number and known.card_code
    card = {
        "number": known.card_number,
        "number-full-width-no-dash": wide(known.card_number.replace("-", "")),
        "check-code": known.card_code.lower(),
    }[typed]
    activity = opened(township)
    response = sign(client, activity, phone="", card=card)
    assert "签到成功" in response.content.decode(), errors(response)
    signin = SignIn.objects.get()
    assert signin.member == known and signin.phone is None
    # the same member again by phone: already signed in, counted once
    again = sign(client, activity, phone="13800001111")
    assert "已签到" in again.content.decode()
    assert count(activity) == 1


def test_a_lapsed_members_card_is_not_accepted(client: Client, township: Any) -> None:
    from fpa.members import services as member_services

    known = member(township, DAZHUANG)
    member_services.member_change_status(
        actor=township,
        member=known,
        status="lapsed",
        effective_date=timezone.localdate(),
        reason="未重新登记",
    )
    activity = opened(township)
    response = sign(client, activity, phone="", card=known.card_number)
    assert "没有找到有效的会员证" in errors(response)
    assert not SignIn.objects.exists()


def test_the_member_page_shows_the_participation(
    client: Client, client_for: Any, township: Any, village: Any
) -> None:
    known = member(township, DAZHUANG, phone="13800001111")
    activity = opened(township, title="青春健康讲座")
    sign(client, activity, phone="13800001111")
    page = client_for(township).get(reverse("members:detail", args=[known.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "参加活动记录" in html and "青春健康讲座" in html
    # the village sees its member's record; the township's activity is named, not linked
    village_html = client_for(village).get(reverse("members:detail", args=[known.pk]))
    assert "青春健康讲座" in village_html.content.decode()
    participation = selectors.member_participation(user=village, member=known)
    assert participation.total == 1 and not participation.rows[0].in_scope
    assert selectors.member_participation(user=township, member=known).rows[0].in_scope


def test_participation_is_empty_for_a_user_who_cannot_see_the_member(
    client: Client, township: Any, township2: Any
) -> None:
    known = member(township, DAZHUANG, phone="13800001111")
    sign(client, opened(township), phone="13800001111")
    assert selectors.member_participation(user=township2, member=known).rows == []


# --- the organiser's page -----------------------------------------------------------------------


def test_the_qr_page_shows_the_code_the_count_and_a_masked_list(
    client: Client, client_for: Any, township: Any
) -> None:
    member(township, DAZHUANG, phone="13800001111")
    activity = opened(township)
    sign(client, activity)
    sign(client, activity, name="李四", phone="13800001111")
    page = client_for(township).get(reverse("activities:signin_qr", args=[activity.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    absolute = "http://testserver" + url(activity)
    assert qr_data_uri(absolute) in html and absolute in html
    assert 'id="signin-count"' in html and 'hx-trigger="every 5s"' in html
    assert "139****5678" in html and PHONE not in html
    assert "张**" in html and "张三丰" not in html
    assert html.count("signin-member") == 1
    assert "其中会员 1 人，其他 1 人" in html
    assert "data-fpa-print" in html


def test_the_count_fragment_polls_while_open_and_stops_when_closed(
    client: Client, client_for: Any, township: Any
) -> None:
    activity = opened(township)
    sign(client, activity)
    staff = client_for(township)
    path = reverse("activities:signin_count", args=[activity.pk])
    fragment = staff.get(path).content.decode()
    assert ">1</span>" in fragment and "every 5s" in fragment
    services.signin_close(actor=township, activity=activity)
    fragment = staff.get(path).content.decode()
    assert ">1</span>" in fragment and "every 5s" not in fragment


def test_the_qr_page_says_when_sign_in_is_not_open(client_for: Any, township: Any) -> None:
    activity = plan(township, LIUJIAXIA, days=-0.01)
    page = client_for(township).get(reverse("activities:signin_qr", args=[activity.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "签到尚未开放" in html
    assert "data:image/svg+xml" not in html


def test_the_qr_page_query_count_does_not_grow(
    client: Client, client_for: Any, township: Any, django_assert_max_num_queries: Any
) -> None:
    activity = opened(township)
    staff = client_for(township)
    path = reverse("activities:signin_qr", args=[activity.pk])
    for n in range(3):
        sign(client, activity, phone=f"1391234560{n}")
    # a fixed bound, not the first count: the session may be touched between the two requests
    with django_assert_max_num_queries(10):
        staff.get(path)
    for n in range(3, 30):
        sign(client, activity, phone=f"139123456{n:02d}")
    with django_assert_max_num_queries(10):
        assert "139****5629" in staff.get(path).content.decode()


@pytest.mark.parametrize("name", ["activities:signin_qr", "activities:signin_count"])
def test_the_organiser_pages_are_refused_outside_scope_and_role(
    client: Client,
    client_for: Any,
    township: Any,
    township2: Any,
    village: Any,
    finance: Any,
    auditor: Any,
    name: str,
) -> None:
    activity = opened(township)
    path = reverse(name, args=[activity.pk])
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(township2).get(path).status_code == 404  # another township
    assert client_for(village).get(path).status_code == 404  # the township's, not the village's
    assert client_for(finance).get(path).status_code == 403
    assert client_for(auditor).get(path).status_code == 403  # may view, not organise
    assert client_for(township).get(reverse(name, args=[10**9])).status_code == 404
    other = opened(township2, YANGUOXIA)
    assert client_for(township).get(reverse(name, args=[other.pk])).status_code == 404


def test_the_county_may_open_a_townships_qr_page(client_for: Any, township: Any, county: Any):
    activity = opened(township)
    assert (
        client_for(county).get(reverse("activities:signin_qr", args=[activity.pk])).status_code
        == 200
    )


def test_the_split_is_zero_without_sign_ins(township: Any) -> None:
    activity = plan(township, LIUJIAXIA)
    assert selectors.signin_split(activity) == {"members": 0, "others": 0}


def test_sign_ins_of_a_held_activity_are_taken_until_it_ends(client: Client, township: Any) -> None:
    activity = opened(township)
    services.activity_hold(actor=township, activity=activity, members=3)
    assert "签到成功" in sign(client, activity).content.decode()
    activity.refresh_from_db()
    assert activity.signins_count == 1 and activity.members == 3  # the counts are the organiser's
    assert activity.ends_at > timezone.now()
