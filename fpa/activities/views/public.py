"""The public activity pages (no account): the calendar of upcoming public activities by
township, the published summaries (活动简讯) and their photos; and the staff's page publishing or
withdrawing an activity's summary.

Nothing public shows personal data: an activity's title, time, place, organiser and counts; a
summary's text (refused when it holds a phone or ID number) and the photos chosen for it, of
which a photo with recognisable faces only when the people's consent is recorded. An unpublished
summary, a withdrawn one or a photo not chosen is a 404."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors, services
from fpa.activities.forms.signin import PublishForm, WithdrawForm
from fpa.activities.models import Activity
from fpa.core import uploads
from fpa.core.actions import form_action, form_errors, post_action
from fpa.core.scope import public_view, scoped_view

ACTIVITY: dict[str, Any] = {"model": Activity, "as_": "activity"}
CONTENT_TYPES = {"png": "image/png"}  # everything else stored is a JPEG (fpa.core.uploads)


@public_view
@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    """活动日历: upcoming public activities, grouped by township, a township filter."""
    township = (request.GET.get("township") or "").strip()[:32]
    found = selectors.public_calendar(township=township)
    return render(request, "activities/public_calendar.html", {"calendar": found})


@public_view
@require_safe
def news_list(request: HttpRequest) -> HttpResponse:
    page = selectors.public_news(after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "activities/public_news_list.html", {"page": page})


def _published(pk: Any) -> Activity:
    item = selectors.public_news_item(pk)
    if item is None:
        raise Http404(gettext("该活动简讯不存在或未公开。"))
    return item


@public_view
@require_safe
def news(request: HttpRequest, pk: int) -> HttpResponse:
    item = _published(pk)
    photos = list(selectors.public_photos(item))
    return render(request, "activities/public_news.html", {"item": item, "photos": photos})


@public_view
@require_safe
def news_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A photo of a published summary (?size=thumb: its thumbnail); any other photo is a 404."""
    item = _published(pk)
    found = selectors.public_photo(item, photo)
    if found is None:
        raise Http404(gettext("照片不存在或未公开。"))
    thumb = request.GET.get("size") == "thumb" and bool(found.thumb)
    name = found.thumb if thumb else found.file
    extension = "jpg" if thumb else name.rsplit(".", 1)[-1].lower()
    return uploads.file_response(
        name,
        content_type=CONTENT_TYPES.get(extension, "image/jpeg"),
        filename=f"activity-{item.pk}-photo-{found.pk}{'-thumb' if thumb else ''}.{extension}",
        inline=True,
    )


# --- the staff's page: publish or withdraw ------------------------------------------------------


@scoped_view(capability="activity.edit", **ACTIVITY)
def news_edit(request: HttpRequest, activity: Activity) -> HttpResponse:
    """Write and publish the public summary of a held activity, choosing its photos."""
    user = signed_in_user(request)
    photos = list(selectors.news_photo_choices(user=user, activity=activity))
    initial = {
        "public_summary": activity.public_summary or activity.summary,
        "photos": [p.pk for p in photos if p.public and p.may_be_public],
        "version": activity.version,
    }
    form = PublishForm(request.POST or None, photos=photos, initial=initial)

    def page() -> HttpResponse:
        context = {
            "activity": activity,
            "form": form,
            "photos": photos,
            "withdraw_form": WithdrawForm(initial={"version": activity.version}),
            "done": activity.status in (Activity.Status.HELD, Activity.Status.SUMMARISED),
        }
        return render(request, "activities/public_news_edit.html", context)

    return form_action(
        request,
        form,
        call=lambda form: services.summary_publish(
            actor=user,
            activity=activity,
            text=form.cleaned_data["public_summary"],
            photo_ids=form.cleaned_data["photos"],
            version=form.cleaned_data["version"],
        ),
        done=gettext("活动简讯已公开。"),
        then=("activities:news_edit", activity.pk),
        page=page,
    )


@scoped_view(capability="activity.edit", **ACTIVITY)
@require_POST
def news_withdraw(request: HttpRequest, activity: Activity) -> HttpResponse:
    return post_action(
        request,
        WithdrawForm(request.POST),
        call=lambda form: services.summary_withdraw(
            actor=signed_in_user(request),
            activity=activity,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        done=gettext("活动简讯已撤回，公众不能再看到。"),
        then=("activities:news_edit", activity.pk),
        invalid=form_errors,
    )
