"""The expert and trainer pool (专家和师资: list, new, edit, an expert's page with the activities
taught, the audited phone reveal) and the 青春健康同伴社 (list, new, edit, a club's page with the
activities held at its site)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors, services
from fpa.activities.forms.pool import ClubFilterForm, ClubForm, ExpertFilterForm, ExpertForm
from fpa.activities.models import Expert, PeerClub
from fpa.activities.services.settings import may_configure
from fpa.activities.views.sites import AREA_KINDS, HOLDER_KINDS, _area, _clears, _version
from fpa.core.actions import form_action
from fpa.core.reveal import reveal_response
from fpa.core.scope import scoped_view
from fpa.organizations import selectors as org_selectors


def _valid(form: Any) -> dict[str, Any]:
    """The valid fields of a bound filter form (an invalid one is left out)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return dict(form.cleaned_data)


# --- experts ------------------------------------------------------------------------------------


def _expert(request: HttpRequest, pk: int) -> Expert:
    try:
        return selectors.expert_detail(user=signed_in_user(request), pk=pk)
    except (Expert.DoesNotExist, ValueError) as exc:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。")) from exc


@scoped_view(capability="activity.view")
def expert_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ExpertFilterForm(
        request.GET or None, specialties=selectors.specialties(include_retired=True)
    )
    data = _valid(form)
    area, foreign = _area(request)
    page = selectors.expert_page(
        user=user,
        under=area,
        specialty=data.get("specialty") or "",
        q=data.get("q") or "",
        state=data.get("state", "active") if "state" in request.GET else "active",
        sort=data.get("sort") or "name",
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "refused": bool(form.errors),
        "can_edit": user.has_capability("activity.edit"),
        "can_configure": may_configure(user),
    }
    return render(request, "activities/expert_list.html", context)


def _expert_page(
    request: HttpRequest, form: Any, title: str, expert: Expert | None
) -> HttpResponse:
    context = {"form": form, "title": title, "expert": expert, "version": expert and expert.version}
    return render(request, "activities/expert_form.html", context)


@scoped_view(capability="activity.edit")
def expert_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ExpertForm(
        request.POST or None,
        associations=org_selectors.association_choices(user=user, kinds=HOLDER_KINDS),
        specialties=selectors.specialties(),
        initial={"active": True},
    )
    del form.fields["active"]  # a new expert is in the pool

    def save(form: ExpertForm) -> Expert:
        data = dict(form.cleaned_data)
        data["phone"] = data.get("phone") or None
        return services.expert_add(
            actor=user,
            association=data.pop("association"),
            specialties=data.pop("specialties"),
            **data,
        )

    return form_action(
        request,
        form,
        call=save,
        done=lambda e: gettext("已加入专家和师资库：%(name)s。") % {"name": e.name},
        then=lambda e: ("activities:expert", e.pk),
        page=lambda: _expert_page(request, form, gettext("添加专家/师资"), None),
    )


@scoped_view(capability="activity.edit")
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    expert = _expert(request, pk)
    user = signed_in_user(request)
    current = [s.pk for s in expert.specialties.all()]
    offered = selectors.specialties(include_retired=True).filter(Q(active=True) | Q(pk__in=current))
    initial = {
        name: getattr(expert, name)
        for name in ("name", "organisation", "title", "qualifications", "active")
    }
    initial["specialties"] = current
    form = ExpertForm(request.POST or None, associations=None, specialties=offered, initial=initial)
    if expert.phone:
        form.fields["phone"].help_text = gettext("现为 %(phone)s；不修改请留空，填写“-”删除。") % {
            "phone": expert.phone
        }
    version = _version(request)

    def save(form: ExpertForm) -> Expert:
        data = dict(form.cleaned_data)
        if not data["phone"]:
            if _clears(request, "phone"):
                data["phone"] = None
            else:
                data.pop("phone")
        return services.expert_update(
            actor=user,
            expert=expert,
            version=version,
            specialties=data.pop("specialties"),
            **data,
        )

    return form_action(
        request,
        form,
        call=save,
        done=gettext("已保存。"),
        then=("activities:expert", expert.pk),
        page=lambda: _expert_page(
            request, form, gettext("修改专家/师资：%(name)s") % {"name": expert.name}, expert
        ),
    )


@scoped_view(capability="activity.view")
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    expert = _expert(request, pk)
    user = signed_in_user(request)
    context = {
        "expert": expert,
        "specialties": list(expert.specialties.all()),
        "activities": selectors.expert_activity_page(
            user=user,
            expert=expert,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        ),
        "can_edit": user.has_capability("activity.edit"),
        "can_reveal": user.has_capability("personal.reveal"),
    }
    return render(request, "activities/expert_detail.html", context)


@require_POST
@scoped_view(capability="activity.view")
def expert_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The full phone number, with a reason (personal.reveal; audited)."""
    expert = _expert(request, pk)
    return reveal_response(
        request, expert, field, allowed=("phone",), scope_path=expert.association.path
    )


# --- peer clubs ---------------------------------------------------------------------------------


def _club(request: HttpRequest, pk: int) -> PeerClub:
    try:
        return selectors.peer_club_detail(user=signed_in_user(request), pk=pk)
    except (PeerClub.DoesNotExist, ValueError) as exc:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。")) from exc


@scoped_view(capability="activity.view")
def club_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ClubFilterForm(request.GET or None)
    data = _valid(form)
    area, foreign = _area(request)
    page = selectors.peer_club_page(
        user=user,
        under=area,
        q=data.get("q") or "",
        state=data.get("state", "active") if "state" in request.GET else "active",
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "refused": bool(form.errors),
        "can_edit": user.has_capability("activity.edit"),
        "can_configure": may_configure(user),
    }
    return render(request, "activities/club_list.html", context)


def _club_page(request: HttpRequest, form: Any, title: str, club: PeerClub | None) -> HttpResponse:
    context = {"form": form, "title": title, "club": club, "version": club and club.version}
    return render(request, "activities/club_form.html", context)


@scoped_view(capability="activity.edit")
def club_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ClubForm(
        request.POST or None,
        associations=org_selectors.association_choices(user=user, kinds=HOLDER_KINDS),
        sites=selectors.club_site_choices(user=user),
        initial={"active": True, "members": 0},
    )
    del form.fields["active"]

    def save(form: ClubForm) -> PeerClub:
        data = dict(form.cleaned_data)
        return services.peer_club_add(actor=user, association=data.pop("association"), **data)

    return form_action(
        request,
        form,
        call=save,
        done=lambda c: gettext("已登记同伴社：%(school)s。") % {"school": c.school},
        then=lambda c: ("activities:club", c.pk),
        page=lambda: _club_page(request, form, gettext("登记青春健康同伴社"), None),
    )


@scoped_view(capability="activity.edit")
def club_edit(request: HttpRequest, pk: int) -> HttpResponse:
    club = _club(request, pk)
    user = signed_in_user(request)
    sites = selectors.club_site_choices(user=user)
    if club.site_id:
        sites = sites | selectors.sites(user=user).filter(pk=club.site_id)
    initial = {
        "school": club.school,
        "site": club.site_id,
        "members": club.members,
        "founded_on": club.founded_on,
        "active": club.active,
    }
    form = ClubForm(request.POST or None, associations=None, sites=sites, initial=initial)
    version = _version(request)
    return form_action(
        request,
        form,
        call=lambda form: services.peer_club_update(
            actor=user, club=club, version=version, **form.cleaned_data
        ),
        done=gettext("已保存。"),
        then=("activities:club", club.pk),
        page=lambda: _club_page(
            request, form, gettext("修改同伴社：%(school)s") % {"school": club.school}, club
        ),
    )


@scoped_view(capability="activity.view")
def club_detail(request: HttpRequest, pk: int) -> HttpResponse:
    club = _club(request, pk)
    user = signed_in_user(request)
    activities = None
    if club.site_id:
        activities = selectors.site_activity_page(
            user=user,
            site=club.site,  # type: ignore[arg-type]
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
    context = {
        "club": club,
        "activities": activities,
        "site_visible": club.site_id is not None
        and selectors.sites(user=user).filter(pk=club.site_id).exists(),
        "can_edit": user.has_capability("activity.edit"),
    }
    return render(request, "activities/club_detail.html", context)
