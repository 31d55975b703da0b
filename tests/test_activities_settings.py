"""The settings page of the activities: who may open it (county level or above, holding
`activity.approve`), the four configurable lists (add, rename, reorder, retire, restore; never
deleted, codes never change), the shared lists edited only from the top of the tree, and the
approval rule of the user's own association with its effect on the activities below."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fpa.accounts.roles import Role
from fpa.activities import selectors, services
from fpa.activities.models import Activity, Category, Policy, SiteKind, Theme
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from tests.activities_helpers import plan, site
from tests.conftest import DAZHUANG, LIUJIAXIA, make_user
from tests.fund_helpers import family_in
from tests.test_excel_engine import fullwidth

pytestmark = pytest.mark.django_db
SETTINGS = "activities:settings"


def warm_home_families(county: Any, township: Any) -> Any:
    """A 暖心家园 of 刘家峡镇 serving one family of 大庄村."""
    home = site(township, LIUJIAXIA, kind="warm_home", name="暖心家园")
    family = family_in(county, DAZHUANG, name="马秀英", n=41)
    return services.site_set_families(actor=township, site=home, families=[family])


def names(model: Any) -> list[str]:
    return [item.name for item in model.objects.order_by("sort", "id")]


# --- who may open it ------------------------------------------------------------------------------


def test_only_county_level_approvers_open_the_settings(
    client: Any,
    client_for: Any,
    county: Any,
    township: Any,
    village: Any,
    finance: Any,
    auditor: Any,
) -> None:
    url = reverse(SETTINGS)
    page = client_for(county).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("活动类别", "活动主题", "阵地类型", "专长", "下级活动须经审批"):
        assert label in html
    assert 'data-list="category"' in html and "宣传教育" in html
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert "settings/theme/add/" in html and 'name="approval_required"' in html
    # a township holds activity.approve but is below the county: it reads, with no form
    read_only = client_for(township).get(url)
    assert read_only.status_code == 200
    html = read_only.content.decode()
    assert "data-read-only" in html and "宣传教育" in html
    assert "<form" not in html.split("<main")[1].split("</main>")[0]
    # the others lack activity.approve
    for user in (village, finance, auditor):
        assert client_for(user).get(url).status_code == 403, user
    # every writing URL refuses them too, and changes nothing
    theme = Theme.objects.get(code="may29")
    posts = [
        (reverse("activities:settings_item_add", args=["theme"]), {"theme-name": "新主题"}),
        (reverse("activities:settings_item_edit", args=["theme", theme.pk]), {"name": "改"}),
        (reverse("activities:settings_item_move", args=["theme", theme.pk]), {"direction": "up"}),
        (reverse("activities:settings_item_active", args=["theme", theme.pk]), {}),
        (url, {"approval_required": "on"}),
    ]
    for user in (township, village):
        for post_url, data in posts:
            assert client_for(user).post(post_url, data).status_code == 403, post_url
    with pytest.raises(NotAllowed):
        services.list_item_add(actor=township, kind="theme", name="新主题")
    with pytest.raises(NotAllowed):
        services.policy_set(actor=village, approval_required=True)
    theme.refresh_from_db()
    assert theme.name == "5·29会员活动日" and theme.active
    assert not Policy.objects.exists()
    assert not Theme.objects.filter(name="新主题").exists()


# --- the lists ------------------------------------------------------------------------------------


def test_a_county_adds_renames_reorders_retires_and_restores(client_for: Any, county: Any) -> None:
    client = client_for(county)
    added = client.post(
        reverse("activities:settings_item_add", args=["theme"]),
        {"theme-name": "全民健身日", "theme-code": "fitness_day"},
    )
    assert added.status_code == 302 and added["Location"] == reverse(SETTINGS)
    fitness = Theme.objects.get(code="fitness_day")
    assert fitness.active and names(Theme)[-1] == "全民健身日"
    auto = services.list_item_add(actor=county, kind="category", name="心理关爱")
    assert auto.code.startswith("x") and len(auto.code) == 9
    # rename: the code stays; a name already used is refused
    client.post(
        reverse("activities:settings_item_edit", args=["theme", fitness.pk]),
        {"name": "全民健身日（8月8日）"},
    )
    fitness.refresh_from_db()
    assert fitness.name == "全民健身日(8月8日)" and fitness.code == "fitness_day"
    clash = client.post(
        reverse("activities:settings_item_edit", args=["theme", fitness.pk]),
        {"name": "世界人口日"},
    )
    assert clash.status_code == 200 and "已有同名" in clash.content.decode()
    # move up twice, then down once
    for direction in ("up", "up", "down"):
        client.post(
            reverse("activities:settings_item_move", args=["theme", fitness.pk]),
            {"direction": direction},
        )
    listed = names(Theme)
    assert listed.index("全民健身日(8月8日)") == len(listed) - 2
    # the forms offer it in that order
    assert [t.name for t in selectors.themes()][-2] == "全民健身日(8月8日)"
    # retire: no longer offered, old records keep it; restore
    client.post(reverse("activities:settings_item_active", args=["theme", fitness.pk]), {})
    fitness.refresh_from_db()
    assert not fitness.active and fitness not in selectors.themes()
    assert Theme.objects.filter(pk=fitness.pk).exists()  # never deleted
    again = client.post(
        reverse("activities:settings_item_add", args=["theme"]),
        {"theme-name": "全民健身日(8月8日)"},
    )
    assert again.status_code == 302
    assert Theme.objects.filter(name="全民健身日(8月8日)").count() == 1  # refused: restore it
    client.post(
        reverse("activities:settings_item_active", args=["theme", fitness.pk]), {"active": "on"}
    )
    fitness.refresh_from_db()
    assert fitness.active
    changes = AuditEvent.objects.filter(object_type="activities.theme", object_id=str(fitness.pk))
    assert changes.filter(action="create").count() == 1
    assert changes.filter(action="update").count() >= 5


def test_bad_list_input_is_refused_with_a_message(county: Any) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "theme", "name": ""}, "请填写名称"),
        ({"kind": "theme", "name": "主" * 51}, "50"),
        ({"kind": "theme", "name": "新主题", "code": "Bad Code!"}, "代码只能包含"),
        ({"kind": "theme", "name": "新主题", "code": "may29"}, "已被使用"),
        (
            {"kind": "theme", "name": fullwidth("5") + "·" + fullwidth("29") + "会员活动日"},
            "已有同名",
        ),  # full-width folded
        ({"kind": "nothing", "name": "新"}, "没有这个列表"),
    ]
    before = Theme.objects.count()
    for data, message in cases:
        with pytest.raises(ServiceError) as exc:
            services.list_item_add(actor=county, **data)
        assert message in exc.value.message, data
    assert Theme.objects.count() == before
    with pytest.raises(ServiceError):
        services.list_item_move(actor=county, kind="theme", pk=1, direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(ServiceError):
        services.list_item_update(actor=county, kind="theme", pk=99999, name="无")


def test_the_last_active_item_of_a_list_stays(county: Any) -> None:
    items = list(Category.objects.order_by("sort"))
    for item in items[:-1]:
        services.list_item_set_active(actor=county, kind="category", pk=item.pk, active=False)
    with pytest.raises(ServiceError) as exc:
        services.list_item_set_active(actor=county, kind="category", pk=items[-1].pk, active=False)
    assert "最后一个" in exc.value.message
    assert list(selectors.categories()) == [items[-1]]


def test_a_retired_kind_stays_on_its_sites_and_is_not_offered_for_new_ones(
    client_for: Any, county: Any, township: Any
) -> None:
    yard = site(township, LIUJIAXIA, kind="culture_yard", name="人口文化大院")
    kind = SiteKind.objects.get(code="culture_yard")
    services.list_item_set_active(actor=county, kind="site_kind", pk=kind.pk, active=False)
    new_form = client_for(township).get(reverse("activities:site_new")).content.decode()
    assert "人口文化大院" not in new_form
    edit_form = client_for(township).get(reverse("activities:site_edit", args=[yard.pk]))
    assert "人口文化大院" in edit_form.content.decode()
    yard.refresh_from_db()
    assert yard.kind == kind


def test_serving_families_is_switched_off_only_when_no_site_lists_any(
    county: Any, township: Any
) -> None:
    home = warm_home_families(county, township)
    kind = home.kind
    with pytest.raises(ServiceError) as exc:
        services.list_item_update(
            actor=county, kind="site_kind", pk=kind.pk, name=kind.name, serves_families=False
        )
    assert exc.value.field == "serves_families"
    services.site_set_families(actor=township, site=home, families=[])
    services.list_item_update(
        actor=county, kind="site_kind", pk=kind.pk, name=kind.name, serves_families=False
    )
    kind.refresh_from_db()
    assert not kind.serves_families


def test_a_province_configures_too_and_its_rule_shows_below(
    client_for: Any, county: Any, yongjing: Any
) -> None:
    """County level or above: the province of the tree (甘肃省 "62") opens the page as well; its
    rule binds the county below, whose page says so."""
    province = make_user("province", "62", Role.COUNTY_ADMIN)
    done = client_for(province).post(
        reverse("activities:settings_item_add", args=["theme"]), {"theme-name": "省里的主题"}
    )
    assert done.status_code == 302 and Theme.objects.filter(name="省里的主题").exists()
    services.policy_set(actor=province, approval_required=True)
    assert Policy.objects.get().association.code == "62"
    county_page = client_for(county).get(reverse(SETTINGS)).content.decode()
    assert "甘肃省" in county_page and "已要求其下级活动须经审批" in county_page
    # the county's own activities now wait for the province
    own = plan(county, "622923")
    with pytest.raises(ServiceError):
        services.activity_hold(actor=county, activity=own, members=5)


# --- the approval rule ---------------------------------------------------------------------------


def test_the_rule_asks_approval_below_the_county_and_not_of_its_own(
    client_for: Any, county: Any, township: Any, village: Any
) -> None:
    response = client_for(county).post(reverse(SETTINGS), {"approval_required": "on"})
    assert response.status_code == 302
    policy = Policy.objects.get()
    assert policy.association.code == "622923" and policy.approval_required
    assert AuditEvent.objects.filter(object_type="activities.policy", action="create").exists()
    page = client_for(county).get(reverse(SETTINGS)).content.decode()
    assert (
        'name="approval_required"' in page
        and "checked" in page.split('name="approval_required"')[1].split(">")[0]
    )
    # a village's activity waits for approval; the county's own does not (nobody is above it)
    below = plan(village, DAZHUANG)
    with pytest.raises(ServiceError) as exc:
        services.activity_hold(actor=village, activity=below, members=5)
    assert exc.value.code == "unapproved"
    services.activity_approve(actor=township, activity=below)
    services.activity_hold(actor=village, activity=below, members=5)
    own = plan(county, "622923")
    services.activity_hold(actor=county, activity=own, members=5)
    own.refresh_from_db()
    assert own.status == Activity.Status.HELD
    # switched off again: audited as an update
    client_for(county).post(reverse(SETTINGS), {})
    policy.refresh_from_db()
    assert not policy.approval_required
    assert AuditEvent.objects.filter(object_type="activities.policy", action="update").exists()
    assert Association.objects.get(code=LIUJIAXIA)  # the tree is untouched
