"""The care log, needs, supports, holiday campaigns and care photos; a contact person's families."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action
from fpa.core.scope import in_scope, scoped_view
from fpa.families import forms, selectors, services
from fpa.families.models import (
    Campaign,
    CareKind,
    CarePhoto,
    CareRecord,
    Family,
    Need,
)
from fpa.families.views.common import (
    FAMILY,
    LIST_LIMIT,
    _form_page,
)
from fpa.organizations import selectors as org_selectors

# --- care log, needs, supports ----------------------------------------------------------------

NEED_ALIASES = {
    "description": "need_description",
    "owner": "need_owner",
    "due_date": "need_due_date",
}


@scoped_view(capability="account.self", **FAMILY)
def care_add(request: HttpRequest, pk: Family) -> HttpResponse:
    family, user = pk, signed_in_user(request)
    form = forms.CareForm(
        request.POST or None, request.FILES or None, owners=selectors.need_owners(user, family)
    )
    return form_action(
        request,
        form,
        call=lambda form: _log_care(user, family, form.cleaned_data),
        done=gettext("帮扶记录已保存。"),
        then=("families:detail", family.pk),
        page=lambda: _form_page(
            request, form, gettext("记录帮扶：%(name)s") % {"name": family.head_name}, family
        ),
        on_error=lambda form, exc: exc.add_to(form, NEED_ALIASES),
    )


@transaction.atomic  # the record, the need it raises and its photos, or none of them
def _log_care(user: User, family: Family, data: dict[str, Any]) -> CareRecord:
    record = services.care_log(
        actor=user,
        family=family,
        kind=data["kind"],
        occurred_on=data["occurred_on"],
        services=data["services"],
        cares=data["cares"],
        notes=data["notes"],
    )
    if data["need_description"]:
        services.need_raise(
            actor=user,
            family=family,
            description=data["need_description"],
            owner=data["need_owner"],
            due_date=data["need_due_date"],
            raised_in=record,
        )
    if data["photos"]:
        services.care_photos_add(actor=user, record=record, photos=data["photos"])
    return record


@scoped_view(capability="account.self", model=Need, as_="need")
def need_update(request: HttpRequest, need: Need) -> HttpResponse:
    family = need.family
    form = forms.NeedUpdateForm(
        request.POST or None, initial={"status": need.status, "result": need.result}
    )
    note = gettext("诉求：%(description)s") % {"description": need.description}
    title = gettext("办理诉求：%(name)s") % {"name": family.head_name}
    return form_action(
        request,
        form,
        call=lambda form: services.need_update(
            actor=signed_in_user(request), need=need, **form.cleaned_data
        ),
        done=gettext("诉求状态已更新。"),
        then=("families:detail", family.pk),
        page=lambda: _form_page(request, form, title, family, note=note),
    )


@scoped_view(capability="family.edit", **FAMILY, as_="family")
def support_add(request: HttpRequest, family: Family) -> HttpResponse:
    form = forms.SupportForm(request.POST or None, initial={"start_date": timezone.localdate()})
    title = gettext("添加保障：%(name)s") % {"name": family.head_name}
    return form_action(
        request,
        form,
        call=lambda form: services.support_add(
            actor=signed_in_user(request), family=family, **form.cleaned_data
        ),
        done=lambda support: gettext("已添加%(kind)s。") % {"kind": support.get_kind_display()},
        then=("families:detail", family.pk),
        page=lambda: _form_page(request, form, title, family),
    )


# --- a contact person's work, and what is overdue ----------------------------------------------


@scoped_view(capability="account.self")
def mine(request: HttpRequest) -> HttpResponse:
    due = selectors.my_due(user=signed_in_user(request))
    return render(request, "families/mine.html", {"due": due})


# --- campaigns and rates ----------------------------------------------------------------------

VISITS = (CareKind.Mode.HOME_VISIT, CareKind.Mode.MEETING)


@scoped_view(capability="family.view")
def campaigns(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    can_edit = user.has_capability("family.edit")
    form = forms.CampaignForm(
        request.POST or None, associations=org_selectors.association_choices(user=user)
    )
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(gettext("您的角色无权进行此操作。"))
    return form_action(
        request,
        form,
        call=lambda form: services.campaign_create(actor=user, **form.cleaned_data),
        done=lambda campaign: gettext("已创建活动：%(name)s。") % {"name": campaign.name},
        then=lambda campaign: ("families:campaign_detail", campaign.pk),
        page=lambda: render(
            request,
            "families/campaigns.html",
            {"form": form, "items": selectors.campaigns(user=user), "can_edit": can_edit},
        ),
    )


@scoped_view(capability="family.view", model=Campaign, as_="campaign")
def campaign_detail(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    progress = selectors.campaign_progress(
        user=signed_in_user(request), campaign=campaign, visits=VISITS, limit=LIST_LIMIT
    )
    total, done, todo = progress.total, progress.done, progress.todo
    context = {
        "campaign": campaign,
        "total": total,
        "done": done,
        "share": round(100 * done / total, 1) if total else None,
        "todo": todo[:LIST_LIMIT],
        "cut": len(todo) > LIST_LIMIT,
        "limit": LIST_LIMIT,
    }
    return render(request, "families/campaign_detail.html", context)


# --- care photos ------------------------------------------------------------------------------
# Served only here, to whoever may open the family (staff in scope, its current contacts): the
# files are in MEDIA_ROOT under VAR_DIR, which no URL and no static-file server exposes.


@scoped_view(capability="account.self", model=CareRecord)
def care_photos_add(request: HttpRequest, pk: CareRecord) -> HttpResponse:
    record, user = pk, signed_in_user(request)
    family = record.family
    if not (
        (user.has_capability("family.edit") and in_scope(user, family.association))
        or selectors.is_contact(user, family)
    ):
        raise PermissionDenied(gettext("只有管辖范围内的工作人员或该家庭的联系人可以上传照片。"))
    already = record.photos.count()
    form = forms.CarePhotoForm(request.POST or None, request.FILES or None, already=already)
    note = gettext("%(date)s %(kind)s，已有 %(count)s 张照片。") % {
        "date": f"{record.occurred_on:%Y-%m-%d}",
        "kind": record.kind.name,
        "count": already,
    }
    title = gettext("上传帮扶照片：%(name)s") % {"name": family.head_name}
    return form_action(
        request,
        form,
        call=lambda form: services.care_photos_add(
            actor=user, record=record, photos=form.cleaned_data["photos"]
        ),
        done=lambda added: gettext("已上传 %(count)s 张照片。") % {"count": len(added)},
        then=reverse("families:detail", args=[family.pk]) + f"#care-{record.pk}",  # the record
        page=lambda: _form_page(request, form, title, family, note=note),
    )


@scoped_view(capability="account.self", model=CarePhoto, as_="photo")
@require_safe
def care_photo(request: HttpRequest, photo: CarePhoto) -> FileResponse:
    """The stored (re-encoded) photo, or its thumbnail with ?size=thumb."""
    thumb = request.GET.get("size") == "thumb"
    name = photo.thumb_name if thumb else photo.file_name
    content_type = "image/jpeg" if thumb else photo.content_type
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404(gettext("照片文件不存在。")) from exc
    response = FileResponse(handle, content_type=content_type)
    stem = f"care-photo-{photo.pk}" + ("-thumb" if thumb else "")
    extension = "png" if content_type == "image/png" else "jpg"
    response["Content-Disposition"] = f'inline; filename="{stem}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
