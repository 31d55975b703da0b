"""Public comments and objections are held for review; numbers are masked before storage; the
reviewer sees registry matches; the writer follows the status; public pages never render markup
typed by the public as tags."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from fpa.core.errors import Conflict, ServiceError
from fpa.core.masking import mask_numbers_in_text
from fpa.core.models import AuditEvent
from fpa.fund import services
from fpa.fund.models import Feedback
from tests.conftest import DAZHUANG
from tests.fund_helpers import county_fund, family_in, give

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def fund(county):
    return county_fund(county)


def feedback_url(fund):
    return reverse("fund:public_feedback", args=[fund.association.code])


def submit(client, fund, text):
    response = client.post(feedback_url(fund), {"c-rating": "4", "c-text": text})
    assert response.status_code == 302, response.content
    return Feedback.objects.order_by("-id").first()


def test_a_comment_is_held_until_published_and_the_writer_follows_it(client, fund, county):
    item = submit(client, fund, "希望公开年度报告")
    assert item.status == "held" and item.receipt
    other = type(client)()
    assert "希望公开年度报告" not in other.get(feedback_url(fund)).content.decode()
    own = client.get(feedback_url(fund)).content.decode()
    assert "我提交的意见" in own and "待审核" in own and "希望公开年度报告" in own
    status_url = reverse("fund:public_feedback_status", args=[fund.association.code, item.receipt])
    assert "待审核" in other.get(status_url).content.decode()  # the link works anywhere
    services.feedback_publish(actor=county, feedback=item)
    assert "希望公开年度报告" in other.get(feedback_url(fund)).content.decode()
    assert "已公开" in other.get(status_url).content.decode()
    event = AuditEvent.objects.filter(object_id=str(item.pk), reason="审核通过").get()
    assert "published" in str(event.changes)


def test_refusal_and_take_down_need_a_reason_that_the_writer_sees(client, fund, county):
    held = submit(client, fund, "意见甲")
    with pytest.raises(ServiceError):
        services.feedback_refuse(actor=county, feedback=held, reason=" ")
    services.feedback_refuse(actor=county, feedback=held, reason="含有他人隐私")
    page = client.get(feedback_url(fund)).content.decode()
    assert "未通过" in page and "含有他人隐私" in page
    assert "意见甲" not in type(client)().get(feedback_url(fund)).content.decode()
    published = submit(client, fund, "意见乙")
    services.feedback_publish(actor=county, feedback=published)
    with pytest.raises(Conflict):
        services.feedback_refuse(actor=county, feedback=published, reason="晚了")
    services.feedback_take_down(actor=county, feedback=published, reason="言语不当")
    page = client.get(feedback_url(fund)).content.decode()
    assert "已撤下" in page and "言语不当" in page
    reasons = set(AuditEvent.objects.filter(action="update").values_list("reason", flat=True))
    assert {"含有他人隐私", "言语不当"} <= reasons


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("电话１３９１２３４５６７８", "电话139****5678"),
        ("手机 139 1234 5678 回访", "手机 139****5678 回访"),
        ("身份证622923-19900101-0026", "身份证622923********0026"),
        ("号码 6 2 2 9 2 3 1 9 9 0 0 1 0 1 0 0 2 6", "号码 622923********0026"),
        ("座机0930-1234567", "座机0930-***4567"),
        ("2024年捐了1000元，编号YJZ-2024-00012", "2024年捐了1000元，编号YJZ-2024-00012"),
    ],
)
def test_numbers_are_masked_before_storage(client, fund, typed, stored):
    assert mask_numbers_in_text(typed) == stored
    assert submit(client, fund, typed).text == stored


def test_the_reviewer_is_warned_of_registry_names_and_addresses(
    client, fund, county, township, client_for
):
    family = family_in(township, DAZHUANG, name="受助母亲甲")
    family.address = "大庄村8号"
    family.save(update_fields=["address"])
    submit(client, fund, "受助母亲甲住在大庄村8号，家里其实不困难")
    submit(client, fund, "公示很及时")
    page = client_for(county).get(reverse("fund:feedback") + "?held=1").content.decode()
    assert "内容含有姓名“受助母亲甲”，与特殊家庭成员登记的姓名相同。" in page
    assert "内容含有住址“大庄村8号”，与特殊家庭成员登记的住址相符。" in page
    assert page.count("alert-warning") == 2
    # the writer never sees the warning
    assert "登记的" not in client.get(feedback_url(fund)).content.decode()


def test_warnings_read_a_bounded_number_of_queries(
    client, fund, county, client_for, django_assert_max_num_queries, settings
):
    settings.FPA_FUND_FEEDBACK_LIMIT = 100
    for i in range(15):
        submit(client, fund, f"第{i}条意见，提到大庄村{i}号和某人")
    staff = client_for(county)
    with django_assert_max_num_queries(30):
        assert staff.get(reverse("fund:feedback") + "?held=1").status_code == 200


def test_review_is_refused_to_other_townships_roles_and_anonymous(
    client, fund, township2, volunteer, client_for
):
    item = submit(client, fund, "待审意见")
    url = reverse("fund:feedback_review", args=[item.pk])
    assert client_for(township2).post(url, {"action": "publish"}).status_code == 404
    assert client_for(volunteer).post(url, {"action": "publish"}).status_code in (403, 404)
    assert client_for(volunteer).get(reverse("fund:feedback")).status_code == 403
    assert client.post(url, {"action": "publish"}).status_code in (200, 302, 403)
    item.refresh_from_db()
    assert item.status == "held"


def test_an_unknown_receipt_is_a_404(client, fund):
    url = reverse("fund:public_feedback_status", args=[fund.association.code, "nope"])
    assert client.get(url).status_code == 404


def test_public_pages_never_render_markup_typed_by_the_public(client, fund, finance, county):
    donation = give(finance, fund, donor_name=SCRIPT + ATTRIBUTE)
    comment = submit(client, fund, SCRIPT + ATTRIBUTE)
    services.feedback_publish(actor=county, feedback=comment)
    services.feedback_reply(actor=county, feedback=comment, reply=ATTRIBUTE)
    code = fund.association.code
    pages = [
        reverse("fund:public_home", args=[code]),
        reverse("fund:public_donations", args=[code]),
        reverse("fund:public_receipt", args=[code, donation.receipt_number]),
        feedback_url(fund),
        reverse("fund:public_notices", args=[code]),
        reverse("fund:public_feedback_status", args=[code, comment.receipt]),
        reverse("transparency:home"),
        reverse("volunteers:verify") + "?code=" + ATTRIBUTE,
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script>alert(1)" not in body and "<img src=x" not in body, url
    body = client.get(feedback_url(fund)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # shown as text, escaped
