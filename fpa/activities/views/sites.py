"""Service sites (阵地): the list with the counts per kind, the Excel export, new and edit, a site's
page (details, activities held there, the families a 暖心家园 serves, photos); and the photos of
sites and activities (upload, serve, flags, public, remove)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors, services
from fpa.activities.forms.sites import (
    FamiliesForm,
    PhotoFlagsForm,
    PhotoForm,
    PublicForm,
    SiteFilterForm,
    SiteForm,
)
from fpa.activities.models import Activity, Site
from fpa.activities.services.photos import kind_of, owner_of
from fpa.activities.services.settings import may_configure
from fpa.core import excel, uploads
from fpa.core.actions import form_action, form_errors, post_action
from fpa.core.reveal import reveal_response
from fpa.core.scope import scoped_view
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

FAMILY_LIMIT = 500  # families a site's form offers at once
HOLDER_KINDS = tuple(k for k in Association.Kind.values if k != Association.Kind.MEMBER_GROUP)
AREA_KINDS = (
    Association.Kind.PROVINCE,
    Association.Kind.PREFECTURE,
    Association.Kind.COUNTY,
    Association.Kind.TOWNSHIP,
    Association.Kind.VILLAGE,
)
THUMB_TYPE = "image/jpeg"


def _content_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower()
    return uploads.CONTENT_TYPES.get("jpeg" if extension == "jpg" else extension, THUMB_TYPE)


SITE_SHEET = excel.Sheet(
    title="服务阵地",
    columns=(
        excel.Column(
            "协会编码",
            "association",
            required=True,
            parse=excel.code(),
            export=lambda s: s.association.code,
            width=16,
        ),
        excel.Column("所属协会", "association_name", export=lambda s: s.association.name, width=22),
        excel.Column("阵地名称", "name", required=True, parse=excel.text(max_length=100), width=22),
        excel.Column("阵地类型", "kind", export=lambda s: s.kind.name, width=18),
        excel.Column("状态", "status", export=lambda s: s.get_status_display(), width=10),
        excel.Column("地址", "address", width=26),
        excel.Column("开放时间", "opening_hours", width=18),
        excel.Column("设施", "facilities", width=30),
        excel.Column("联系人", "contact_name", width=10),
        excel.Column("联系电话", "contact_phone", protected="phone", width=15),
        excel.Column("启用日期", "opened_on", kind=excel.DATE, width=12),
        excel.Column("关闭日期", "closed_on", kind=excel.DATE, width=12),
    ),
    key=("association", "name"),
    related=("association", "kind"),
)


# --- helpers ------------------------------------------------------------------------------------


def _site(request: HttpRequest, pk: int) -> Site:
    try:
        return selectors.site_detail(user=signed_in_user(request), pk=pk)
    except (Site.DoesNotExist, ValueError) as exc:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。")) from exc


def _area(request: HttpRequest) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the scope (default the user's home), and whether a
    code was given that is not in the scope."""
    user = signed_in_user(request)
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return user.home_association, False
    found = org_selectors.association_choices(user=user).filter(code=code).first()
    return found, found is None


def _download_query(request: HttpRequest) -> str:
    """The list's query string for its workbook: the same filters, no page cursor."""
    query = request.GET.copy()
    for name in ("after", "before", "download"):
        query.pop(name, None)
    query["download"] = "xlsx"
    return query.urlencode()


def _filters(request: HttpRequest) -> tuple[SiteFilterForm, dict[str, Any], bool]:
    """The list's filter form, the valid filters (an invalid one is left out, with a notice) and
    whether something was refused."""
    form = SiteFilterForm(request.GET or None, kinds=selectors.site_kinds(include_retired=True))
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = dict(form.cleaned_data)
    filters = {k: data.get(k) or "" for k in ("kind", "status", "q")}
    return form, {**filters, "sort": data.get("sort") or "area"}, bool(form.errors)


# --- the list and the export --------------------------------------------------------------------


@scoped_view(capability="activity.view")
def site_list(request: HttpRequest) -> HttpResponseBase:
    """The list; with `?download=xlsx` the same rows as a workbook (phones masked)."""
    user = signed_in_user(request)
    form, filters, refused = _filters(request)
    area, foreign = _area(request)
    sort = filters.pop("sort")
    if request.GET.get("download") == "xlsx":
        if foreign:
            raise Http404(gettext("所选协会不存在或不在您的管辖范围内。"))
        rows = selectors.sites_for_export(user=user, under=area, **filters)
        return excel.export_response(SITE_SHEET, rows, actor=user)
    page = selectors.site_page(
        user=user,
        under=area,
        sort=sort,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        **filters,
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    counts = selectors.site_counts(user=user, association=area) if area and not foreign else {}
    kinds = [
        k for k in selectors.site_kinds(include_retired=True) if k.active or counts.get(k.code)
    ]
    context = {
        "form": form,
        "page": page,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "refused": refused,
        "counts": [(k, counts.get(k.code, 0)) for k in kinds],
        "total": sum(counts.values()),
        "can_edit": user.has_capability("activity.edit"),
        "can_configure": may_configure(user),
        "download": _download_query(request),
    }
    return render(request, "activities/site_list.html", context)


# --- new and edit -------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: Any, title: str, site: Site | None) -> HttpResponse:
    context = {"form": form, "title": title, "site": site, "version": site and site.version}
    return render(request, "activities/site_form.html", context)


def _site_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["contact_phone"] = data.get("contact_phone") or None
    return data


@scoped_view(capability="activity.edit")
def site_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = SiteForm(
        request.POST or None,
        associations=org_selectors.association_choices(user=user, kinds=HOLDER_KINDS),
        kinds=selectors.site_kinds(),
        initial={"status": Site.Status.OPEN},
    )

    def save(form: SiteForm) -> Site:
        data = _site_data(form.cleaned_data)
        return services.site_create(
            actor=user, association=data.pop("association"), kind=data.pop("kind"), **data
        )

    return form_action(
        request,
        form,
        call=save,
        done=lambda site: gettext("已登记阵地：%(name)s。") % {"name": site.name},
        then=lambda site: ("activities:site", site.pk),
        page=lambda: _form_page(request, form, gettext("登记服务阵地"), None),
    )


@scoped_view(capability="activity.edit")
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site(request, pk)
    user = signed_in_user(request)
    kinds = selectors.site_kinds(include_retired=True).filter(Q(active=True) | Q(pk=site.kind_id))
    initial = {
        name: getattr(site, name)
        for name in ("name", "address", "facilities", "opening_hours", "contact_name")
    }
    initial.update(
        kind=site.kind_id, status=site.status, opened_on=site.opened_on, closed_on=site.closed_on
    )
    form = SiteForm(request.POST or None, associations=None, kinds=kinds, initial=initial)
    if site.contact_phone:
        form.fields["contact_phone"].help_text = gettext(
            "现为 %(phone)s；不修改请留空，填写“-”删除。"
        ) % {"phone": site.contact_phone}
    version = _version(request)

    def save(form: SiteForm) -> Site:
        data = dict(form.cleaned_data)
        if not data["contact_phone"]:
            if _clears(request, "contact_phone"):
                data["contact_phone"] = None
            else:
                data.pop("contact_phone")
        return services.site_update(actor=user, site=site, version=version, **data)

    return form_action(
        request,
        form,
        call=save,
        done=gettext("已保存。"),
        then=("activities:site", site.pk),
        page=lambda: _form_page(
            request, form, gettext("修改阵地：%(name)s") % {"name": site.name}, site
        ),
    )


def _clears(request: HttpRequest, name: str) -> bool:
    """Whether an optional protected field was posted as "-": delete the stored value (an empty
    field keeps it, as it is shown masked)."""
    return unicodedata.normalize("NFKC", request.POST.get(name) or "").strip() == "-"


def _version(request: HttpRequest) -> int | None:
    raw = (request.POST.get("version") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


# --- a site's page ------------------------------------------------------------------------------


@scoped_view(capability="activity.view")
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site(request, pk)
    user = signed_in_user(request)
    can_edit = user.has_capability("activity.edit")
    shows_families = site.kind.serves_families and user.has_capability("family.view")
    context = {
        "site": site,
        "activities": selectors.site_activity_page(
            user=user,
            site=site,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        ),
        "shows_families": shows_families,
        "families": list(selectors.site_families(user=user, site=site)[:FAMILY_LIMIT])
        if shows_families
        else [],
        "families_count": site.families.count() if site.kind.serves_families else 0,
        "can_edit": can_edit,
        "can_reveal": user.has_capability("personal.reveal"),
        **photo_gallery_context(request, site),
    }
    return render(request, "activities/site_detail.html", context)


@require_POST
@scoped_view(capability="activity.view")
def site_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    site = _site(request, pk)
    return reveal_response(
        request, site, field, allowed=("contact_phone",), scope_path=site.association.path
    )


@scoped_view(capability="activity.edit")
def site_families(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the special families a 暖心家园 serves (families of the site's subtree)."""
    site = _site(request, pk)
    user = signed_in_user(request)
    if not site.kind.serves_families:
        raise Http404(gettext("该类型的阵地不登记服务家庭。"))
    offered = selectors.site_family_choices(user=user, site=site, limit=FAMILY_LIMIT)
    cut = len(offered) > FAMILY_LIMIT
    current = list(selectors.site_families(user=user, site=site))
    by_pk = {f.pk: f for f in [*offered[:FAMILY_LIMIT], *current]}
    unnamed = gettext("（未填写）")
    choices = [
        (f.pk, f"{f.head_name or unnamed} · {f.association.name}")
        for f in sorted(by_pk.values(), key=lambda f: (f.association.path, f.head_name, f.pk))
    ]
    form = FamiliesForm(
        request.POST or None,
        choices=choices,
        initial={"families": [str(f.pk) for f in current]},
    )
    return form_action(
        request,
        form,
        call=lambda form: services.site_set_families(
            actor=user, site=site, families=[by_pk[pk] for pk in form.chosen_ids()]
        ),
        done=gettext("已保存服务家庭。"),
        then=("activities:site", site.pk),
        page=lambda: render(
            request,
            "activities/site_families.html",
            {"form": form, "site": site, "cut": cut, "limit": FAMILY_LIMIT},
        ),
    )


# --- photos of sites and activities ------------------------------------------------------------


def photo_gallery_context(request: HttpRequest, owner: Site | Activity) -> dict[str, Any]:
    """What `activities/photo_gallery.html` needs for a site's or an activity's page: the
    photos, their kind, the owner, and the upload form for those who may add photos."""
    user = signed_in_user(request)
    can_edit = user.has_capability("activity.edit") and not (
        isinstance(owner, Activity) and owner.status == Activity.Status.CANCELLED
    )
    return {
        "photos": list(selectors.photos_of(user=user, owner=owner)),
        "photo_kind": kind_of(owner),
        "photo_owner": owner,
        "photo_form": PhotoForm(auto_id="id_photo_%s") if can_edit else None,
        "can_edit_photos": can_edit,
    }


def _owner_url(owner: Site | Activity) -> str:
    name = "activities:site" if isinstance(owner, Site) else "activities:detail"
    return reverse(name, args=[owner.pk]) + "#photos"


def _owner(request: HttpRequest, kind: str, pk: int) -> Site | Activity:
    user = signed_in_user(request)
    try:
        if kind == "site":
            return selectors.site_detail(user=user, pk=pk)
        if kind == "activity":
            return selectors.activity_detail(user=user, pk=pk)
    except (Site.DoesNotExist, Activity.DoesNotExist, ValueError) as exc:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。")) from exc
    raise Http404


def _photo(request: HttpRequest, pk: int) -> Any:
    """The photo `pk` of `?kind=` in the user's scope, else 404 (a forged kind or id too)."""
    kind = request.GET.get("kind", "")
    try:
        return selectors.photo_get(user=signed_in_user(request), kind=kind, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404(gettext("照片不存在或不在您的管辖范围内。")) from exc


@require_POST
@scoped_view(capability="activity.edit")
def photo_add(request: HttpRequest, kind: str, owner: int) -> HttpResponse:
    found = _owner(request, kind, owner)
    user = signed_in_user(request)
    form = PhotoForm(request.POST, request.FILES)
    return post_action(
        request,
        form,
        call=lambda form: services.photo_add(
            actor=user,
            owner=found,
            upload=form.cleaned_data["photo"],
            caption=form.cleaned_data["caption"],
            faces=form.cleaned_data["faces"],
            faces_consent=form.cleaned_data["faces_consent"],
        ),
        done=gettext("照片已上传。"),
        then=_owner_url(found),
        invalid=form_errors,
    )


def _serve(photo: Any, *, thumb: bool) -> FileResponse:
    name = photo.thumb if thumb and photo.thumb else photo.file
    content_type = _content_type(name)
    extension = "png" if content_type == "image/png" else "jpg"
    stem = f"{kind_of(photo)}-photo-{photo.pk}" + ("-thumb" if thumb else "")
    return uploads.file_response(
        name, content_type=content_type, filename=f"{stem}.{extension}", inline=True
    )


@require_safe
@scoped_view(capability="activity.view")
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A stored photo (`?kind=site|activity`), in the user's scope."""
    return _serve(_photo(request, pk), thumb=False)


@require_safe
@scoped_view(capability="activity.view")
def photo_thumb(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(_photo(request, pk), thumb=True)


@require_POST
@scoped_view(capability="activity.edit")
def photo_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = _photo(request, pk)
    form = PhotoFlagsForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.photo_update(
            actor=signed_in_user(request), photo=found, **form.cleaned_data
        ),
        done=gettext("已保存照片信息。"),
        then=_owner_url(owner_of(found)),
        invalid=form_errors,
    )


@require_POST
@scoped_view(capability="activity.edit")
def photo_public(request: HttpRequest, pk: int) -> HttpResponse:
    found = _photo(request, pk)
    form = PublicForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.photo_set_public(
            actor=signed_in_user(request), photo=found, public=form.cleaned_data["public"]
        ),
        done=lambda p: gettext("照片已设为公开。") if p.public else gettext("照片已取消公开。"),
        then=_owner_url(owner_of(found)),
    )


@require_POST
@scoped_view(capability="activity.edit")
def photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    found = _photo(request, pk)
    then = _owner_url(owner_of(found))
    return post_action(
        request,
        forms.Form(request.POST),
        call=lambda form: services.photo_remove(actor=signed_in_user(request), photo=found),
        done=gettext("照片已删除。"),
        then=then,
    )
