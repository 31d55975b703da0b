"""The idioms every module uses once: the scope predicate, `scoped_view(as_=...)`, and the form
view flow `form_action` (fpa.core.scope, fpa.core.actions)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as config_urls
from fpa.core.actions import form_action
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.excel.pages import ExportKind, ExportPage, export_page
from fpa.core.models import Job
from fpa.core.scope import in_scope, path_is_under, require_in_scope, scoped_view
from fpa.families import jobs as family_jobs
from fpa.families.excel import FAMILY_SHEET
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA

# --- the scope predicate ----------------------------------------------------------------------


def test_path_is_under_needs_the_whole_segment():
    assert path_is_under("/62/6229/622923/", "/62/6229/")
    assert path_is_under("/62/6229/", "/62/6229/")
    assert not path_is_under("/62/62291/", "/62/6229/")  # a longer code is not a child
    assert not path_is_under("/62/", "/62/6229/")
    assert not path_is_under("/62/6229/", "")  # no root, nothing under it


def test_in_scope_answers_for_the_users_subtree(township, township2, county):
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    village = Association.objects.get(code=DAZHUANG)  # a village of 刘家峡镇
    yanguoxia = Association.objects.get(code=YANGUOXIA)
    assert in_scope(township, liujiaxia) and in_scope(township, village)
    assert not in_scope(township, yanguoxia)  # another township
    assert not in_scope(township, county.home_association)  # the parent is not below
    assert in_scope(county, yanguoxia)
    assert not in_scope(AnonymousUser(), liujiaxia)
    assert not in_scope(township, None)
    township.is_active = False
    assert not in_scope(township, liujiaxia)


def test_require_in_scope_raises_outside(township):
    require_in_scope(township, Association.objects.get(code=DAZHUANG))
    with pytest.raises(NotAllowed):
        require_in_scope(township, Association.objects.get(code=YANGUOXIA))


def test_association_is_under(yongjing):
    village = Association.objects.get(code=DAZHUANG)
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    assert village.is_under(liujiaxia) and village.is_under(yongjing)
    assert liujiaxia.is_under(liujiaxia)
    assert not liujiaxia.is_under(village)
    assert not village.is_under(Association.objects.get(code=YANGUOXIA))
    assert not village.is_under(None)


# --- scoped_view(as_=...) ---------------------------------------------------------------------


@scoped_view(capability="org.view", model=Association, kwarg="code", field="code", as_="unit")
def unit_view(request: HttpRequest, unit: Association) -> HttpResponse:
    return HttpResponse(f"{unit.code}:{unit.name}")


# --- form_action -----------------------------------------------------------------------------


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


CALLS: list[str] = []


def _save(form: NameForm) -> str:
    name = form.cleaned_data["name"]
    if name == "refused":
        raise ServiceError("名称已被占用。", field="name")
    if name == "general":
        raise ServiceError("今天不能保存。")
    CALLS.append(name)
    return name.upper()


@scoped_view(capability="org.view")
def name_view(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST or None)
    return form_action(
        request,
        form,
        call=_save,
        done=lambda result: f"已保存 {result}",
        then=lambda result: "/done/",
        page=lambda: _page(form),
    )


def _page(form: forms.Form) -> HttpResponse:
    errors = {name: list(messages) for name, messages in form.errors.items()}
    return HttpResponse(f"page {errors if form.is_bound else ''}")


def _custom_error(form: forms.Form, exc: ServiceError) -> None:
    form.add_error(None, f"自定义：{exc.message}")


@scoped_view(capability="org.view")
def fixed_view(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST or None)
    return form_action(
        request,
        form,
        call=_save,
        done="完成。",
        then=("fixed-done", "x"),
        page=lambda: _page(form),
        on_error=_custom_error,
    )


# --- export_page -----------------------------------------------------------------------------

EXPORT = ExportPage(
    title="导出测试",
    intro="默认打码。",
    full_intro="含完整信息。",
    kinds=(
        ExportKind("1", family_jobs.EXPORT, FAMILY_SHEET, "导出（打码）", all_label="含已结束"),
        ExportKind("masked-only", family_jobs.EXPORT, FAMILY_SHEET, "只打码", full=False),
    ),
    import_capability="family.edit",
    imports=(("families:import", "从Excel导入"),),
)


@scoped_view(capability="family.view")
def export_view(request: HttpRequest) -> HttpResponse:
    return export_page(request, EXPORT)


urlpatterns = [
    path("export/", export_view),
    *config_urls.urlpatterns,  # the sign-in page, for the anonymous redirect
    path("unit/<str:code>/", unit_view),
    path("name/", name_view),
    path("fixed/", fixed_view),
    path("fixed-done/<str:tail>/", fixed_view, name="fixed-done"),
]


@pytest.mark.urls(__name__)
def test_scoped_view_passes_the_object_under_its_name(client, client_for, township):
    signed_in = client_for(township)
    assert signed_in.get(f"/unit/{DAZHUANG}/").content.decode().startswith(f"{DAZHUANG}:")
    # Another township's unit is a 404, like one that does not exist; so is a forged code.
    assert signed_in.get(f"/unit/{YANGUOXIA}/").status_code == 404
    assert signed_in.get("/unit/999999999999/").status_code == 404
    # Anonymous: to the sign-in page, nothing loaded.
    response = client.get(f"/unit/{DAZHUANG}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.urls(__name__)
def test_form_action_get_and_invalid_show_the_page(client_for, township):
    CALLS.clear()
    signed_in = client_for(township)
    assert signed_in.get("/name/").content == b"page "
    response = signed_in.post("/name/", {"name": "x" * 11})
    assert response.status_code == 200 and "'name': [" in response.content.decode()
    assert CALLS == []


@pytest.mark.urls(__name__)
def test_form_action_success_messages_and_redirects(client_for, township):
    CALLS.clear()
    signed_in = client_for(township)
    response = signed_in.post("/name/", {"name": "ok"})
    assert response.status_code == 302 and response["Location"] == "/done/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已保存 OK"]
    signed_in = client_for(township)
    response = signed_in.post("/fixed/", {"name": "fine"})
    assert response.status_code == 302 and response["Location"] == "/fixed-done/x/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["完成。"]
    assert CALLS == ["ok", "fine"]


@pytest.mark.urls(__name__)
def test_form_action_puts_a_refusal_on_the_form(client_for, township):
    CALLS.clear()
    signed_in = client_for(township)
    on_field = signed_in.post("/name/", {"name": "refused"})
    assert on_field.status_code == 200
    assert "'name': ['名称已被占用。']" in on_field.content.decode()
    general = signed_in.post("/name/", {"name": "general"})
    assert "'__all__': ['今天不能保存。']" in general.content.decode()
    custom = signed_in.post("/fixed/", {"name": "refused"})
    assert "自定义：名称已被占用。" in custom.content.decode()
    assert not list(get_messages(custom.wsgi_request))
    assert CALLS == []


@pytest.mark.urls(__name__)
def test_form_action_is_refused_to_another_role_and_anonymous(client, client_for, volunteer):
    CALLS.clear()
    assert client_for(volunteer).post("/name/", {"name": "ok"}).status_code == 403
    assert client.post("/name/", {"name": "ok"}).status_code == 302  # to the sign-in page
    assert CALLS == []


def _jobs() -> list[tuple[str, bool, bool | None, str]]:
    return [
        (job.kind, job.params["reveal"], job.params.get("all"), job.params["reason"])
        for job in Job.objects.order_by("id")
    ]


@pytest.mark.urls(__name__)
def test_export_page_shows_the_kinds_and_the_full_export(client_for, township):
    page = client_for(township).get("/export/").content.decode()
    assert "导出测试" in page and "默认打码。" in page and "含完整信息。" in page
    assert 'name="download" value="1"' in page and 'name="download" value="masked-only"' in page
    assert page.count('name="reveal"') == 1  # only the first kind is offered in full
    assert "从Excel导入" in page  # township staff hold family.edit


@pytest.mark.urls(__name__)
def test_export_page_starts_masked_and_full_jobs(client_for, township):
    signed_in = client_for(township)
    response = signed_in.get("/export/", {"download": "1", "all": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    signed_in.get("/export/", {"download": "masked-only", "all": "1"})
    signed_in.post("/export/", {"reveal": "1", "download": "1", "reason": "核对名单"})
    # A full export of a kind that is not offered in full stays masked.
    signed_in.post("/export/", {"reveal": "1", "download": "masked-only", "reason": "核对"})
    assert _jobs() == [
        (family_jobs.EXPORT, False, True, ""),
        (family_jobs.EXPORT, False, None, ""),
        (family_jobs.EXPORT, True, False, "核对名单"),
        (family_jobs.EXPORT, False, None, ""),
    ]


@pytest.mark.urls(__name__)
def test_export_page_refuses_a_bad_reason_without_starting(client_for, township):
    signed_in = client_for(township)
    too_long = signed_in.post("/export/", {"reveal": "1", "download": "1", "reason": "长" * 201})
    assert too_long.status_code == 200 and "导出原因不能超过200个字。" in too_long.content.decode()
    missing = signed_in.post("/export/", {"reveal": "1", "download": "1", "reason": " "})
    assert "请填写导出完整信息的原因。" in missing.content.decode()
    assert _jobs() == []


@pytest.mark.urls(__name__)
def test_export_page_is_refused_without_the_capabilities(client, client_for, finance):
    assert client_for(finance).get("/export/", {"download": "1"}).status_code == 403
    assert client.get("/export/", {"download": "1"}).status_code == 302  # to the sign-in page
    assert _jobs() == []
