"""The association network's pages: tree, list and search, detail, the forms that change the
network, staff, training, filings and composition. Every page is also checked for its scope
(sibling township 404, missing role 403, anonymous to the sign-in page) and for a query count that
does not grow with the rows shown."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.organizations import services
from fpa.organizations.models import (
    Association,
    AssociationChange,
    BodySeat,
    Filing,
    StaffMember,
    Training,
)
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, staff_in


def fullwidth(value: str) -> str:
    """The full-width form that a Chinese input method types."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


HONGLIU = "622923100202"
LIUJIAXIA_VILLAGE = "622923100203"  # 刘家峡村委会
QUERY_LIMIT = 40
FULL_WIDTH = str.maketrans("0123456789X", fullwidth("0123456789X"))


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def text(response: Any) -> str:
    return response.content.decode()


def codes_in(response: Any) -> list[str]:
    return re.findall(r"<code>([^<]+)</code>", text(response))


def pager_link(response: Any, rel: str) -> str | None:
    match = re.search(r'href="(\?[^"]*)" rel="' + rel + '"', text(response))
    return html.unescape(match.group(1)) if match else None


def row_of(response: Any, needle: str) -> str:
    rows = [row for row in text(response).split("<tr>") if needle in row]
    assert len(rows) == 1, f"{needle}: {len(rows)} rows"
    return rows[0]


@pytest.fixture
def flat_queries(django_assert_max_num_queries, django_assert_num_queries) -> Callable[..., Any]:
    """`flat_queries(client, url, grow)`: the page costs the same number of queries (and no more
    than QUERY_LIMIT) before and after `grow()` adds rows to it."""

    def check(client: Client, url: str, grow: Callable[[], None], **kwargs: Any) -> Any:
        assert client.get(url, **kwargs).status_code == 200  # warm the session
        with django_assert_max_num_queries(QUERY_LIMIT) as small:
            assert client.get(url, **kwargs).status_code == 200
        grow()
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(url, **kwargs)
        assert response.status_code == 200
        return response

    return check


def add_migrants(actor: Any, count: int, parent: str = LIUJIAXIA) -> list[Association]:
    return [
        services.association_create(
            actor=actor, parent=assoc(parent), kind=Association.Kind.MIGRANT, name=f"流动协会{i}"
        )
        for i in range(count)
    ]


def add_staff(actor: Any, count: int, code: str = DAZHUANG) -> list[StaffMember]:
    return [staff_in(actor, code) for _ in range(count)]


# --- tree --------------------------------------------------------------------------------------


def test_tree_lists_the_township_villages(client_for, township):
    response = client_for(township).get("/org/")
    assert response.status_code == 200
    page = text(response)
    assert "刘家峡镇计生协" in page
    for name in (
        "大庄村委会计生协",
        "红柳村委会计生协",
        "化工路居委会计生协",
        "刘家峡村委会计生协",
    ):
        assert name in page
    assert page.count('<li id="node-') == 14
    assert "盐锅峡镇计生协" not in page
    assert "上铨村委会计生协" not in page


def test_county_tree_shows_townships_with_child_counts(client_for, county):
    page = text(client_for(county).get("/org/"))
    assert re.search(r"刘家峡镇计生协</a>\s*<span[^>]*>乡镇（街道）计生协 · 下级 14</span>", page)
    assert "盐锅峡镇计生协" in page
    assert "大庄村委会计生协" not in page  # villages come through the fragment


def test_tree_children_fragment(client_for, county, township2):
    client = client_for(county)
    response = client.get(f"/org/a/{LIUJIAXIA}/children/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = text(response)
    assert "<html" not in fragment
    assert "大庄村委会计生协" in fragment
    assert "上铨村委会计生协" not in fragment
    leaf = client.get(f"/org/a/{DAZHUANG}/children/", headers={"HX-Request": "true"})
    assert "没有下级协会。" in text(leaf)
    assert client_for(township2).get(f"/org/a/{LIUJIAXIA}/children/").status_code == 404


def test_tree_refusals(client, client_for, volunteer, township):
    assert client_for(volunteer).get("/org/").status_code == 403
    assert client_for(volunteer).get(f"/org/a/{DAZHUANG}/children/").status_code == 403
    response = client.get(f"/org/a/{LIUJIAXIA}/children/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client_for(township).get("/org/a/622923/children/").status_code == 404


def test_tree_query_count_is_flat(client_for, township, flat_queries):
    add_migrants(township, 3)
    response = flat_queries(client_for(township), "/org/", lambda: add_migrants(township, 27))
    assert text(response).count('<li id="node-') == 14 + 30


def test_children_fragment_query_count_is_flat(client_for, county, flat_queries):
    add_migrants(county, 3)
    response = flat_queries(
        client_for(county),
        f"/org/a/{LIUJIAXIA}/children/",
        lambda: add_migrants(county, 27),
        headers={"HX-Request": "true"},
    )
    assert text(response).count('<li id="node-') == 14 + 30


# --- list and search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("刘家峡", {LIUJIAXIA, LIUJIAXIA_VILLAGE}),
        ("liujiaxia", {LIUJIAXIA, LIUJIAXIA_VILLAGE}),
        ("LiuJiaXia", {LIUJIAXIA, LIUJIAXIA_VILLAGE}),
        ("ljx", {LIUJIAXIA, LIUJIAXIA_VILLAGE}),
        ("ljxz", {LIUJIAXIA}),
        (fullwidth("ljx"), {LIUJIAXIA, LIUJIAXIA_VILLAGE}),  # full-width letters
        ("刘家峡　", {LIUJIAXIA, LIUJIAXIA_VILLAGE}),  # ideographic space
        (fullwidth("622923100201"), {DAZHUANG}),  # full-width digits
        ("大庄", {DAZHUANG}),
    ],
)
def test_list_search(client_for, township, query, expected):
    response = client_for(township).get("/org/list/", {"q": query})
    assert response.status_code == 200
    assert set(codes_in(response)) == expected


def test_list_search_by_code_prefix(client_for, county):
    response = client_for(county).get("/org/list/", {"q": "6229231002"})
    assert set(codes_in(response)) == {f"62292310020{i}" for i in range(1, 6)}
    everything = client_for(county).get("/org/list/", {"q": LIUJIAXIA})
    assert len(codes_in(everything)) == 15
    assert all(code.startswith(LIUJIAXIA) for code in codes_in(everything))


def test_list_search_stays_in_scope(client_for, township2):
    client = client_for(township2)
    for query in ("刘家峡", "liujiaxia", "ljx", LIUJIAXIA, DAZHUANG):
        response = client.get("/org/list/", {"q": query})
        assert codes_in(response) == [], query
        assert "没有符合条件的协会。" in text(response)
    assert SHANGQUAN in codes_in(client.get("/org/list/", {"q": "shangquan"}))


def test_list_htmx_returns_rows_only(client_for, township):
    response = client_for(township).get("/org/list/", {"q": "大庄"}, headers={"HX-Request": "true"})
    assert "<html" not in text(response)
    assert codes_in(response) == [DAZHUANG]


def test_list_filters_kind_and_closed(client_for, township):
    migrant = add_migrants(township, 1)[0]
    client = client_for(township)
    assert codes_in(client.get("/org/list/", {"kind": "migrant"})) == [migrant.code]
    services.association_close(
        actor=township, association=migrant, effective_date=timezone.localdate()
    )
    assert codes_in(client.get("/org/list/", {"kind": "migrant"})) == []
    closed = client.get("/org/list/", {"kind": "migrant", "include_closed": "on"})
    assert codes_in(closed) == [migrant.code]
    assert "停用" in row_of(closed, migrant.code)


def test_keyset_pagination_walks_forward_and_back(client_for, county):
    client = client_for(county)
    expected = list(
        Association.objects.visible_to(county)
        .current()
        .order_by("path")
        .values_list("code", flat=True)
    )
    assert len(expected) > 100
    pages: list[list[str]] = []
    response = client.get("/org/list/")
    while True:
        pages.append(codes_in(response))
        link = pager_link(response, "next")
        if link is None:
            break
        response = client.get("/org/list/" + link)
    assert [len(p) for p in pages[:-1]] == [50] * (len(pages) - 1)
    assert [code for page in pages for code in page] == expected
    assert pager_link(client.get("/org/list/"), "prev") is None
    # Back from the last page, one page at a time.
    for earlier in reversed(pages[:-1]):
        link = pager_link(response, "prev")
        assert link is not None
        response = client.get("/org/list/" + link)
        assert codes_in(response) == earlier
    assert pager_link(response, "prev") is None


def test_list_page_size_is_bounded_and_bad_cursors_ignored(client_for, county):
    client = client_for(county)
    assert len(codes_in(client.get("/org/list/", {"size": "100000"}))) == 50
    long_cursor = client.get("/org/list/", {"after": "/" * 300})
    assert len(codes_in(long_cursor)) == 50
    assert codes_in(long_cursor)[0] == "622923"  # the first page
    autocomplete = client.get("/org/autocomplete/", {"q": "622923"}).json()["results"]
    assert len(autocomplete) == 20


def test_autocomplete_stays_in_scope(client_for, township2, client):
    results = client_for(township2).get("/org/autocomplete/", {"q": "刘家峡"}).json()["results"]
    assert results == []
    assert client.get("/org/autocomplete/", {"q": "刘家峡"}).status_code == 302


def test_list_refusals(client, client_for, volunteer):
    assert client_for(volunteer).get("/org/list/").status_code == 403
    assert client.get("/org/list/")["Location"].startswith("/accounts/login/")


def test_list_query_count_is_flat(client_for, township, flat_queries):
    add_migrants(township, 3)
    response = flat_queries(client_for(township), "/org/list/", lambda: add_migrants(township, 27))
    assert len(codes_in(response)) == 15 + 30


# --- detail ------------------------------------------------------------------------------------


def test_detail_page(client_for, township, county):
    staff = staff_in(county, DAZHUANG, name="张会长", post="president")
    response = client_for(township).get(f"/org/a/{DAZHUANG}/")
    assert response.status_code == 200
    page = text(response)
    assert "大庄村委会计生协" in page
    assert "张会长" in page
    assert f"/org/staff/{staff.pk}/" in page
    assert staff.phone.reveal_unchecked() not in page  # shown masked
    assert "<li>2023-01-01 设立</li>" in page  # the history
    breadcrumb = re.search(r'<ol class="breadcrumb">(.*?)</ol>', page, re.S).group(1)
    assert "刘家峡镇计生协" in breadcrumb
    assert "永靖县计生协" not in breadcrumb  # above the township's scope


def test_detail_refusals(client, client_for, township2, volunteer, village):
    assert client_for(township2).get(f"/org/a/{DAZHUANG}/").status_code == 404
    assert client_for(township2).get("/org/a/nonexistent/").status_code == 404
    assert client_for(village).get(f"/org/a/{LIUJIAXIA}/").status_code == 404  # above its home
    assert client_for(volunteer).get(f"/org/a/{DAZHUANG}/").status_code == 403
    assert client.get(f"/org/a/{DAZHUANG}/").status_code == 302


def test_detail_query_count_is_flat(client_for, township, county, flat_queries):
    add_staff(county, 3)
    response = flat_queries(
        client_for(township), f"/org/a/{DAZHUANG}/", lambda: add_staff(county, 27)
    )
    assert text(response).count("/org/staff/") >= 30


# --- creating, renaming, closing ---------------------------------------------------------------


def test_township_creates_a_migrant_association(client_for, township):
    client = client_for(township)
    assert client.get(f"/org/a/{LIUJIAXIA}/new/").status_code == 200
    response = client.post(
        f"/org/a/{LIUJIAXIA}/new/",
        {"kind": "migrant", "name": "刘家峡镇流动人口计生协", "address": "", "valid_from": ""},
    )
    assert response.status_code == 302
    created = Association.objects.get(name="刘家峡镇流动人口计生协")
    assert response["Location"] == f"/org/a/{created.code}/"
    assert created.parent.code == LIUJIAXIA
    assert created.kind == Association.Kind.MIGRANT


def test_member_group_directly_under_township_is_refused(client_for, township):
    before = Association.objects.count()
    response = client_for(township).post(
        f"/org/a/{LIUJIAXIA}/new/", {"kind": "member_group", "name": "一组"}
    )
    assert response.status_code == 200
    assert "会员小组不能设在乡镇（街道）计生协之下。" in text(response)
    assert Association.objects.count() == before


def test_county_creates_a_park_under_the_county(client_for, county):
    response = client_for(county).post(
        "/org/a/622923/new/", {"kind": "park", "name": "永靖工业园区计生协"}
    )
    assert response.status_code == 302
    park = Association.objects.get(name="永靖工业园区计生协")
    assert park.parent.code == "622923"
    assert park.kind == Association.Kind.PARK


def test_unreasonable_dates_are_refused(client_for, township, village):
    before = Association.objects.count()
    create = client_for(township).post(
        f"/org/a/{LIUJIAXIA}/new/",
        {"kind": "migrant", "name": "老协会", "valid_from": "1900-01-01"},
    )
    assert "成立日期不在合理范围内。" in text(create)
    assert Association.objects.count() == before
    close = client_for(township).post(f"/org/a/{HONGLIU}/close/", {"effective_date": "1900-01-01"})
    assert "撤销/合并日期不在合理范围内。" in text(close)
    assert assoc(HONGLIU).valid_to is None
    staff = staff_in(village, DAZHUANG)
    end = client_for(village).post(f"/org/staff/{staff.pk}/end/", {"left_on": "9999-01-01"})
    assert "离任日期不在合理范围内。" in text(end)
    assert StaffMember.objects.get(pk=staff.pk).left_on is None


def test_create_refusals(client, client_for, township, township2, village):
    before = Association.objects.count()
    data = {"kind": "migrant", "name": "越权协会"}
    assert client_for(township2).post(f"/org/a/{LIUJIAXIA}/new/", data).status_code == 404
    assert client_for(village).post(f"/org/a/{DAZHUANG}/new/", data).status_code == 403
    assert client_for(township).post("/org/a/622923/new/", data).status_code == 404
    assert client.post(f"/org/a/{LIUJIAXIA}/new/", data).status_code == 302
    territorial = client_for(township).post(
        f"/org/a/{LIUJIAXIA}/new/", {"kind": "village", "name": "x"}
    )
    assert territorial.status_code == 200  # not a choice on the form
    assert Association.objects.count() == before


def test_rename_keeps_history_and_refuses_stale_version(client_for, township, village):
    client = client_for(township)
    form = client.get(f"/org/a/{DAZHUANG}/rename/")
    assert form.status_code == 200
    assert 'name="version" value="1"' in text(form)
    data = {
        "name": "大庄社区计生协",
        "effective_date": "2024-03-01",
        "note": "永政发2024年1号",
        "version": "1",
    }
    response = client.post(f"/org/a/{DAZHUANG}/rename/", data)
    assert response.status_code == 302
    detail = client.get(f"/org/a/{DAZHUANG}/")
    assert "大庄村委会计生协 → 大庄社区计生协" in text(detail)

    stale = client_for(township).post(
        f"/org/a/{DAZHUANG}/rename/", {**data, "name": "大庄新村计生协"}
    )
    assert stale.status_code == 200
    assert "该记录已被他人修改" in text(stale)
    fresh = assoc(DAZHUANG)
    assert fresh.name == "大庄社区计生协"
    assert fresh.version == 2
    changes = AssociationChange.objects.filter(
        association=fresh, kind=AssociationChange.Kind.RENAME
    )
    assert list(changes.values_list("before__name", flat=True)) == ["大庄村委会计生协"]


def test_rename_refusals(client_for, township2, village, township):
    data = {"name": "越权名", "effective_date": "2024-03-01", "version": "1"}
    assert client_for(township2).post(f"/org/a/{DAZHUANG}/rename/", data).status_code == 404
    assert client_for(village).post(f"/org/a/{DAZHUANG}/rename/", data).status_code == 403
    odd = client_for(township).post(
        f"/org/a/{DAZHUANG}/rename/", {**data, "effective_date": "1900-01-01"}
    )
    assert "生效日期不在合理范围内。" in text(odd)
    assert assoc(DAZHUANG).name == "大庄村委会计生协"


def test_close_and_merge(client_for, township):
    a, b = add_migrants(township, 2)
    client = client_for(township)
    response = client.post(
        f"/org/a/{a.code}/close/",
        {"effective_date": "2024-03-01", "merged_into": str(b.pk), "note": "合并"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.valid_to == datetime.date(2024, 3, 1)
    assert a.successor == b
    detail = text(client.get(f"/org/a/{a.code}/"))
    assert "已于 2024-03-01 停用" in detail
    assert "并入" in detail

    busy = client.post(f"/org/a/{LIUJIAXIA}/close/", {"effective_date": "2024-03-01"})
    assert busy.status_code == 200
    assert "该协会还有在用的下级协会" in text(busy)
    assert assoc(LIUJIAXIA).valid_to is None


def test_close_refusals(client_for, township, township2, village):
    outside = client_for(township).post(
        f"/org/a/{HONGLIU}/close/",
        {"effective_date": "2024-03-01", "merged_into": str(assoc(SHANGQUAN).pk)},
    )
    assert outside.status_code == 200
    assert "所选协会不存在或不在您的管辖范围内。" in text(outside)
    data = {"effective_date": "2024-03-01"}
    assert client_for(township2).post(f"/org/a/{HONGLIU}/close/", data).status_code == 404
    assert client_for(village).post(f"/org/a/{DAZHUANG}/close/", data).status_code == 403
    assert assoc(HONGLIU).valid_to is None
    assert assoc(DAZHUANG).valid_to is None


# --- staff -------------------------------------------------------------------------------------


def staff_form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "李梅",
        "id_number": synthesize("622923", datetime.date(1985, 7, 9), 124),
        "phone": "13900001234",
        "sex": "",
        "post": "officer",
        "employment": "full_time",
        "term_start": "2023-01-01",
        "term_end": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("622923198507091240", "身份证号码校验位不正确，请核对。"),
        ("622923850709124", "这是15位旧身份证号码，请填写现行的18位号码。"),
        ("62292319850709124", "身份证号码应为18位，现为17位。"),
        ("62292319850230124X", "身份证号码中的出生日期不存在。"),  # 30 February, right check
    ],
)
def test_staff_with_a_wrong_id_number_is_refused(client_for, village, id_number, message):
    response = client_for(village).post(
        f"/org/a/{DAZHUANG}/staff/new/", staff_form(id_number=id_number)
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not StaffMember.objects.exists()


def test_full_width_id_number_is_accepted_and_identity_derived(client_for, village):
    number = synthesize("622923", datetime.date(1985, 7, 9), 124)
    client = client_for(village)
    response = client.post(
        f"/org/a/{DAZHUANG}/staff/new/",
        staff_form(id_number=number.translate(FULL_WIDTH), phone=fullwidth("139 000 01234")),
    )
    assert response.status_code == 302
    staff = StaffMember.objects.get()
    assert response["Location"] == f"/org/staff/{staff.pk}/"
    assert staff.id_number.reveal_unchecked() == number
    assert staff.birth_date == datetime.date(1985, 7, 9)
    assert staff.sex == "F"
    page = text(client.get(f"/org/staff/{staff.pk}/"))
    assert "1985年" in page
    assert "1985-07-09" not in page  # the masked ID hides the birth date; so does the page
    assert "女" in page
    assert number not in page  # masked until revealed with a reason


def test_staff_create_refusals(client, client_for, township2, finance):
    data = staff_form()
    assert client_for(township2).post(f"/org/a/{DAZHUANG}/staff/new/", data).status_code == 404
    assert client_for(finance).post(f"/org/a/{DAZHUANG}/staff/new/", data).status_code == 403
    assert client.post(f"/org/a/{DAZHUANG}/staff/new/", data).status_code == 302
    assert not StaffMember.objects.exists()


def test_two_people_editing_the_same_staff_second_save_is_refused(client_for, township, village):
    staff = staff_in(township, DAZHUANG, name="王五")
    first, second = client_for(township), client_for(village)
    form_a = first.get(f"/org/staff/{staff.pk}/edit/")
    form_b = second.get(f"/org/staff/{staff.pk}/edit/")
    assert 'name="version" value="1"' in text(form_a)
    assert 'name="version" value="1"' in text(form_b)
    base = staff_form(id_number="", phone="", version="1")
    saved = first.post(f"/org/staff/{staff.pk}/edit/", {**base, "name": "王五一"})
    assert saved.status_code == 302
    refused = second.post(f"/org/staff/{staff.pk}/edit/", {**base, "name": "王五二"})
    assert refused.status_code == 200
    assert "已被他人修改" in text(refused)
    assert "对方修改了：姓名" in text(refused)  # read back from the audit trail
    fresh = StaffMember.objects.get(pk=staff.pk)
    assert fresh.name == "王五一"
    assert fresh.version == 2
    # The blank ID number and phone left the stored ones alone.
    assert fresh.id_number == staff.id_number
    assert fresh.phone == staff.phone


def test_staff_edit_refusals(client_for, township2, finance, county):
    staff = staff_in(county, DAZHUANG, name="赵六")
    data = staff_form(id_number="", phone="", version="1", name="改名")
    assert client_for(township2).post(f"/org/staff/{staff.pk}/edit/", data).status_code == 404
    assert client_for(finance).post(f"/org/staff/{staff.pk}/edit/", data).status_code == 403
    assert client_for(township2).get(f"/org/staff/{staff.pk}/").status_code == 404
    assert StaffMember.objects.get(pk=staff.pk).name == "赵六"


def test_end_term(client_for, village, township2):
    staff = staff_in(village, DAZHUANG)
    assert (
        client_for(township2)
        .post(f"/org/staff/{staff.pk}/end/", {"left_on": "2024-03-01"})
        .status_code
        == 404
    )
    client = client_for(village)
    response = client.post(
        f"/org/staff/{staff.pk}/end/", {"left_on": "2024-03-01", "reason": "调动"}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.left_on == datetime.date(2024, 3, 1)
    assert "已于 2024-03-01 离任" in text(client.get(f"/org/staff/{staff.pk}/"))
    again = client.post(f"/org/staff/{staff.pk}/end/", {"left_on": "2024-03-02"})
    assert "此人已离任。" in text(again)
    # Gone from the current list, still there with "all".
    assert staff.name not in text(client.get("/org/staff/"))
    assert staff.name in text(client.get("/org/staff/", {"all": "1"}))


@pytest.mark.parametrize("hours", ["0", "5000"])
def test_training_hours_out_of_range_are_refused(client_for, village, hours):
    staff = staff_in(village, DAZHUANG)
    response = client_for(village).post(
        f"/org/staff/{staff.pk}/training/",
        {"course": "业务培训", "start_date": "2024-03-01", "hours": hours},
    )
    assert response.status_code == 200
    assert "学时应在0到2000之间。" in text(response)
    assert not Training.objects.exists()


def test_training_is_added(client_for, village, finance, township2):
    staff = staff_in(village, DAZHUANG)
    data = {"course": "计生协业务培训", "start_date": "2024-03-01", "hours": "8"}
    assert client_for(finance).post(f"/org/staff/{staff.pk}/training/", data).status_code == 403
    assert client_for(township2).post(f"/org/staff/{staff.pk}/training/", data).status_code == 404
    client = client_for(village)
    assert client.post(f"/org/staff/{staff.pk}/training/", data).status_code == 302
    assert "计生协业务培训" in text(client.get(f"/org/staff/{staff.pk}/"))
    assert Training.objects.get().hours == 8


def test_staff_list_stays_in_scope(client_for, county, township2):
    staff_in(county, DAZHUANG, name="刘家峡人")
    staff_in(county, SHANGQUAN, name="盐锅峡人")
    page = text(client_for(township2).get("/org/staff/"))
    assert "盐锅峡人" in page
    assert "刘家峡人" not in page
    search = text(client_for(county).get("/org/staff/", {"q": "ljxr"}))
    assert "刘家峡人" in search and "盐锅峡人" not in search


def test_staff_list_query_count_is_flat(client_for, township, county, flat_queries):
    add_staff(county, 3)
    response = flat_queries(client_for(township), "/org/staff/", lambda: add_staff(county, 27))
    assert text(response).count("/org/staff/") >= 30


def test_staff_detail_query_count_is_flat(client_for, village, flat_queries):
    staff = staff_in(village, DAZHUANG)

    def train(count: int) -> None:
        for i in range(count):
            services.training_record(
                actor=village,
                staff=staff,
                course=f"培训{i}",
                start_date=datetime.date(2024, 1, 1),
                hours=2,
            )

    train(3)
    response = flat_queries(client_for(village), f"/org/staff/{staff.pk}/", lambda: train(27))
    assert "培训26" in text(response)


# --- filings -----------------------------------------------------------------------------------


@pytest.fixture
def filing(county, township, village) -> Filing:
    """County submits for 大庄村 (a 刘家峡镇 village) through the page."""
    person = staff_in(village, DAZHUANG, name="大庄专干", presides_daily_work=True)
    client = Client()
    from tests.conftest import login

    login(client, county)
    response = client.post(f"/org/a/{DAZHUANG}/filing/", {"person": str(person.pk), "note": ""})
    assert response.status_code == 302
    return Filing.objects.get()


def test_filing_flow(client_for, filing, township, township2, village, county):
    url = f"/org/filings/{filing.pk}/review/"
    assert client_for(village).get(url).status_code == 403  # may submit, may not review
    assert client_for(township2).get(url).status_code == 404
    assert filing.person.name not in text(client_for(township2).get("/org/filings/"))

    not_parent = client_for(county).post(url, {"decision": "accept"})
    assert "只有上一级协会可以审核此备案。" in text(not_parent)

    client = client_for(township)
    assert "审核" in row_of(client.get("/org/filings/", {"to_review": "1"}), "大庄专干")
    no_reason = client.post(url, {"decision": "return", "return_reason": ""})
    assert "退回备案须写明原因。" in text(no_reason)
    assert Filing.objects.get().status == Filing.Status.SUBMITTED

    accepted = client.post(url, {"decision": "accept"})
    assert accepted.status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACCEPTED
    assert filing.reviewed_by == township

    again = client.post(url, {"decision": "accept"})
    assert again.status_code == 200
    assert "该备案已审核，不能重复审核。" in text(again)
    assert Filing.objects.get().status == Filing.Status.ACCEPTED


def test_filing_return_with_reason(client_for, filing, township):
    response = client_for(township).post(
        f"/org/filings/{filing.pk}/review/", {"decision": "return", "return_reason": "请附任职文件"}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.RETURNED
    assert "请附任职文件" in text(client_for(township).get(f"/org/a/{DAZHUANG}/"))


def test_filing_submit_refusals(client, client_for, township2, finance, village):
    person = staff_in(village, DAZHUANG)
    data = {"person": str(person.pk)}
    assert client_for(township2).post(f"/org/a/{DAZHUANG}/filing/", data).status_code == 404
    assert client_for(finance).post(f"/org/a/{DAZHUANG}/filing/", data).status_code == 403
    assert client.post(f"/org/a/{DAZHUANG}/filing/", data).status_code == 302
    other = staff_in(village, DAZHUANG)
    services.staff_end_term(actor=village, staff=other, left_on=datetime.date(2024, 1, 1))
    gone = client_for(village).post(f"/org/a/{DAZHUANG}/filing/", {"person": str(other.pk)})
    assert "请选择本协会在任的工作人员。" in text(gone)
    assert not Filing.objects.exists()


def test_missing_filings_list(client_for, filing, township, village):
    client = client_for(township)
    before = client.get("/org/filings/missing/")
    assert "待审核" in row_of(before, "大庄村委会计生协")
    assert "未备案" in row_of(before, "红柳村委会计生协")
    assert "上铨村委会计生协" not in text(before)

    services.filing_accept(actor=township, filing=filing)
    after = client.get("/org/filings/missing/")
    assert "大庄村委会计生协" not in text(after)
    assert "红柳村委会计生协" in text(after)

    services.staff_end_term(actor=village, staff=filing.person, left_on=timezone.localdate())
    left = client.get("/org/filings/missing/")
    assert "备案人已离任" in row_of(left, "大庄村委会计生协")


def test_a_filed_person_leaving_later_still_counts_as_filed(client_for, filing, township, village):
    services.filing_accept(actor=township, filing=filing)
    next_month = timezone.localdate() + datetime.timedelta(days=30)
    services.staff_end_term(actor=village, staff=filing.person, left_on=next_month)
    assert "大庄村委会计生协" not in text(client_for(township).get("/org/filings/missing/"))


def test_missing_filings_query_count_is_flat(client_for, township, flat_queries):
    add_migrants(township, 3)
    response = flat_queries(
        client_for(township), "/org/filings/missing/", lambda: add_migrants(township, 27)
    )
    assert text(response).count("流动协会") == 30


def test_filing_list_query_count_is_flat(client_for, county, township, village, flat_queries):
    def file(count: int) -> None:
        for _ in range(count):
            person = staff_in(village, DAZHUANG)
            submitted = services.filing_submit(
                actor=county, association=assoc(DAZHUANG), person=person
            )
            services.filing_accept(actor=township, filing=submitted)

    file(3)
    response = flat_queries(client_for(township), "/org/filings/", lambda: file(27))
    assert text(response).count("大庄村委会计生协") == 30


def test_filing_pages_refuse_anonymous_and_roles(client, client_for, volunteer):
    for url in ("/org/filings/", "/org/filings/missing/"):
        assert client.get(url).status_code == 302
        assert client_for(volunteer).get(url).status_code == 403


# --- composition -------------------------------------------------------------------------------


def add_seat(client: Client, code: str, source: str, body: str = "council") -> Any:
    return client.post(
        f"/org/a/{code}/seats/",
        {"body": body, "name": f"代表{source}", "sex": "", "source": source, "term_year": "2023"},
    )


def test_composition_shares(client_for, village, township):
    client = client_for(village)
    for source in ("grassroots_member", "volunteer", "worker", "official"):
        assert add_seat(client, DAZHUANG, source).status_code == 302
    assert BodySeat.objects.count() == 4

    own = text(client_for(township).get("/org/composition/", {"code": DAZHUANG}))
    assert "75.0%" in own

    rolled = client_for(township).get("/org/composition/")
    assert "75.0%" in row_of(rolled, "大庄村委会计生协")
    assert "—" in row_of(rolled, "红柳村委会计生协")
    add_seat(client_for(township), LIUJIAXIA, "official")
    rolled = text(client_for(township).get("/org/composition/"))
    assert "<b>60.0%</b>" in rolled  # 3 grassroots of 5 council seats in the township's subtree
    assert "<b>0.0%</b>" in rolled  # the township's own council: 1 official
    detail = text(client_for(township).get(f"/org/a/{DAZHUANG}/"))
    assert "75.0%" in detail


def test_composition_refusals(client, client_for, township2, finance, village):
    add_seat(client_for(village), DAZHUANG, "volunteer")
    outside = text(client_for(township2).get("/org/composition/", {"code": DAZHUANG}))
    assert "大庄村委会计生协" not in outside
    assert client_for(township2).get(f"/org/a/{DAZHUANG}/seats/").status_code == 404
    assert add_seat(client_for(finance), DAZHUANG, "volunteer").status_code == 403
    assert add_seat(client, DAZHUANG, "volunteer").status_code == 302
    assert BodySeat.objects.count() == 1


def test_composition_query_count_is_flat(client_for, village, township, flat_queries):
    def seats(count: int) -> None:
        for i in range(count):
            services.seat_add(
                actor=village,
                association=assoc(DAZHUANG),
                body="council",
                name=f"理事{i}",
                source="volunteer",
                term_year=2023,
            )

    seats(3)
    add_migrants(township, 3)

    def grow() -> None:
        seats(27)
        add_migrants(township, 27)

    response = flat_queries(client_for(township), "/org/composition/", grow)
    assert "100.0%" in row_of(response, "大庄村委会计生协")


def test_seats_page_query_count_is_flat(client_for, village, flat_queries):
    def seats(count: int) -> None:
        for i in range(count):
            services.seat_add(
                actor=village,
                association=assoc(DAZHUANG),
                body="congress",
                name=f"代表{i}",
                source="grassroots_member",
                term_year=2023,
            )

    seats(3)
    response = flat_queries(client_for(village), f"/org/a/{DAZHUANG}/seats/", lambda: seats(27))
    assert "代表26" in text(response)


def test_sibling_township_cannot_reach_any_page_of_the_other(client_for, county, township2):
    staff = staff_in(county, DAZHUANG)
    client = client_for(township2)
    urls = [
        f"/org/a/{LIUJIAXIA}/",
        f"/org/a/{DAZHUANG}/",
        f"/org/a/{DAZHUANG}/children/",
        f"/org/a/{DAZHUANG}/rename/",
        f"/org/a/{DAZHUANG}/close/",
        f"/org/a/{DAZHUANG}/new/",
        f"/org/a/{DAZHUANG}/staff/new/",
        f"/org/a/{DAZHUANG}/filing/",
        f"/org/a/{DAZHUANG}/seats/",
        f"/org/staff/{staff.pk}/",
        f"/org/staff/{staff.pk}/edit/",
        f"/org/staff/{staff.pk}/end/",
        f"/org/staff/{staff.pk}/training/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert assoc(YANGUOXIA).code in text(client.get(f"/org/a/{YANGUOXIA}/"))


def test_the_filing_list_filters_by_the_status_in_the_link(client_for, county, township, village):
    from fpa.organizations import services as org_services
    from fpa.organizations.models import Association

    person = staff_in(village, DAZHUANG)
    org_services.filing_submit(
        actor=village, association=Association.objects.get(code=DAZHUANG), person=person
    )
    client = client_for(township)
    for word in ("pending", "submitted"):
        html = client.get("/org/filings/", {"status": word}).content.decode()
        assert person.name in html, word
    assert person.name not in client.get("/org/filings/", {"status": "filed"}).content.decode()
    assert person.name not in client.get("/org/filings/", {"status": "accepted"}).content.decode()
