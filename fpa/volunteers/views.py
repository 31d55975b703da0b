"""The volunteer pages: the public application and certificate check, the staff registry (vetting,
agreements, status, trainings, insurance, services and hours, certificates, matching and pairing,
teams, Excel) and the volunteer's own portal.

Staff pages need `volunteer.view`/`volunteer.edit` in scope. The portal needs `volunteer.portal`
and shows the signed-in volunteer's own record only. A certificate page is declared with
`account.self` and `model=Certificate`: its queryset admits staff in scope and the volunteer whose
certificate it is, nobody else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.models import User
from fpa.accounts.roles import Role
from fpa.core import jobs, ratelimit
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.excel.pages import import_page
from fpa.core.scope import public_view, scoped_view
from fpa.core.services import protected_reveal
from fpa.families.models import Need
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.volunteers import excel as volunteer_excel
from fpa.volunteers import forms, rules, selectors, services
from fpa.volunteers import jobs as volunteer_jobs
from fpa.volunteers.models import (
    Assignment,
    Certificate,
    HoursRecord,
    Pairing,
    Service,
    Team,
    Volunteer,
)

VOLUNTEER = {"model": Volunteer}
APPLY_LIMIT = 5  # applications per address per hour
APPLY_WINDOW = 3600
VERIFY_LIMIT = 30  # code checks per address per 10 minutes
VERIFY_WINDOW = 600
PROTECTED = ("id_number", "phone", "guardian_phone")


def _holders(user: Any) -> QuerySet:
    return org_selectors.association_choices(user=user, kinds=services.HOLDERS)


def _volunteers(user: Any) -> QuerySet:
    return (
        Volunteer.objects.visible_to(user)
        .active()
        .select_related("association")
        .order_by("association__path", "name", "pk")
    )


def _page(request: HttpRequest, form: Any, title: str, volunteer: Any = None, **extra: Any) -> Any:
    context = {"form": form, "title": title, "volunteer": volunteer, **extra}
    return render(request, "volunteers/form.html", context)


# --- public ---------------------------------------------------------------------------------------


@public_view
def apply(request: HttpRequest) -> HttpResponse:
    """报名: no sign-in. Rate-limited per address, with a honeypot field, and the consent text
    in its current version, which the application records."""
    consent = services.current_consent()
    public = Association.objects.current().filter(kind__in=services.HOLDERS).order_by("path")
    form = forms.ApplicationForm(
        request.POST or None, associations=public, initial={"consent_version": consent.version}
    )
    if request.method == "POST":
        if ratelimit.exceeded("volunteer-apply", limit=APPLY_LIMIT, window=APPLY_WINDOW):
            return render(
                request,
                "volunteers/apply.html",
                {"form": form, "consent": consent, "limited": True},
                status=429,
            )
        if form.is_bot():  # answered like a success, stored nowhere
            return render(request, "volunteers/applied.html", {"name": ""})
        if form.is_valid():
            data = dict(form.cleaned_data)
            for key in ("agree", "website"):
                data.pop(key)
            try:
                volunteer = services.volunteer_apply(actor=None, **data)
            except ServiceError as exc:
                exc.add_to(form, {"consent": "agree"})
            else:
                return render(
                    request,
                    "volunteers/applied.html",
                    {"name": volunteer.display_name, "association": volunteer.association},
                )
    return render(request, "volunteers/apply.html", {"form": form, "consent": consent})


@public_view
def verify(request: HttpRequest) -> HttpResponse:
    """The public check of a certificate: name, hours, star level and issuer, nothing else."""
    code = (request.GET.get("code") or "")[:64]
    context: dict[str, Any] = {"code": code}
    if code:
        if ratelimit.exceeded("volunteer-verify", limit=VERIFY_LIMIT, window=VERIFY_WINDOW):
            return render(request, "volunteers/verify.html", {"limited": True}, status=429)
        found = selectors.certificate_verify(code)
        context.update(checked=True, found=found)
        if found:
            context["star_label"] = rules.star_label(found.stars)
    return render(request, "volunteers/verify.html", context)


# --- the registry ---------------------------------------------------------------------------------


@scoped_view(capability="volunteer.view")
def volunteer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    code = (request.GET.get("code") or "").strip()[:32]
    area = org_selectors.association_choices(user=user).filter(code=code).first() if code else None
    page = selectors.volunteer_list(
        user=user,
        status=data.get("status", ""),
        association=area,
        query=data.get("q", ""),
        skill=data.get("skill"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    foreign = bool(code) and area is None
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "area": area,
        "foreign": foreign,
        "can_edit": user.has_capability("volunteer.edit"),
        "pending": selectors.pending_hours(user=user).count(),
        "renewals": selectors.renewals_due(user=user).count(),
    }
    return render(request, "volunteers/list.html", context)


@scoped_view(capability="volunteer.edit")
def volunteer_new(request: HttpRequest) -> HttpResponse:
    """Staff enter a paper application (the applicant signed the current consent text)."""
    consent = services.current_consent()
    form = forms.ProfileForm(request.POST or None, associations=_holders(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_apply(
                actor=request.user, consent_version=consent.version, **form.cleaned_data
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(
                request, gettext("已登记报名：%(name)s。") % {"name": volunteer.display_name}
            )
            return redirect("volunteers:detail", pk=volunteer.pk)
    note = gettext("请确认报名人已签署第%(version)s版报名同意书。") % {"version": consent.version}
    return _page(request, form, gettext("录入志愿者报名"), note=note)


@scoped_view(capability="volunteer.view", **VOLUNTEER)
def detail(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer, user = pk, request.user
    data = selectors.volunteer_detail(volunteer=volunteer)
    today = timezone.localdate()
    context = {
        "v": volunteer,
        **data,
        "today": today,
        "can_edit": user.has_capability("volunteer.edit"),
        "can_reveal": user.has_capability("personal.reveal"),
        "star_label": rules.star_label(data["stars"]),
        "insured_today": any(i.covers(today) for i in data["insurances"]),
        "link_form": forms.LinkForm(accounts=_volunteer_accounts(user)),
    }
    return render(request, "volunteers/detail.html", context)


@require_POST
@scoped_view(capability="volunteer.view", **VOLUNTEER)
def reveal(request: HttpRequest, pk: Volunteer, field: str) -> HttpResponse:
    """The full ID number or phone, or the name of a child under 14: audited, with a reason."""
    volunteer = pk
    plain: tuple[str, ...] = ()
    if field == "name" and volunteer.is_child:
        plain = ("name",)
    elif field not in PROTECTED:
        return HttpResponse(gettext("字段不存在。"), status=404)
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(gettext("请填写查看原因。"), status=400)
    try:
        value = protected_reveal(
            actor=request.user,
            obj=volunteer,
            field=field,
            reason=form.cleaned_data["reason"],
            scope_path=volunteer.association.path,
            plain_fields=plain,
        )
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "families/_revealed.html", {"value": value})


@scoped_view(capability="volunteer.edit", **VOLUNTEER)
def edit(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer = pk
    initial = {
        "association": volunteer.association_id,
        "name": volunteer.name,
        "address": volunteer.address,
        "occupation": volunteer.occupation,
        "skills": list(volunteer.skills.all()),
        "on_weekdays": volunteer.on_weekdays,
        "on_weekends": volunteer.on_weekends,
        "in_evenings": volunteer.in_evenings,
        "guardian_name": volunteer.guardian_name,
        "guardian_relation": volunteer.guardian_relation,
        "guardian_consent_on": volunteer.guardian_consent_on,
    }
    form = forms.ProfileForm(
        request.POST or None, associations=_holders(request.user), initial=initial
    )
    # The ID number and the association are not changed here (a different person is a new
    # application); an empty phone keeps the stored one.
    for name in ("id_number", "association", "phone", "guardian_phone"):
        form.fields[name].required = False
    form.fields["id_number"].disabled = True
    form.fields["association"].disabled = True
    form.fields["phone"].help_text = gettext("现为 %(phone)s；不修改请留空。") % {
        "phone": volunteer.phone
    }
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for name in ("id_number", "association"):
            data.pop(name)
        for name in ("phone", "guardian_phone"):
            if not data[name]:
                data.pop(name)
        skills = data.pop("skills")
        try:
            services.volunteer_update(
                actor=request.user,
                volunteer=volunteer,
                version=int(request.POST.get("version") or 0) or None,
                skills=skills,
                **data,
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("volunteers:detail", pk=volunteer.pk)
    return _page(
        request,
        form,
        gettext("修改志愿者信息：%(name)s") % {"name": volunteer.display_name},
        volunteer,
        version=volunteer.version,
    )


def _action(
    request: HttpRequest,
    volunteer: Volunteer,
    form: Any,
    title: str,
    call: Any,
    done: str,
    note: str = "",
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, done)
            return redirect("volunteers:detail", pk=volunteer.pk)
    return _page(request, form, title, volunteer, note=note)


@scoped_view(capability="volunteer.edit", **VOLUNTEER)
def vet(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer = pk
    form = forms.VetForm(request.POST or None)
    return _action(
        request,
        volunteer,
        form,
        gettext("考察：%(name)s") % {"name": volunteer.display_name},
        lambda d: services.volunteer_vet(actor=request.user, volunteer=volunteer, **d),
        gettext("已录入考察结果。"),
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER)
def agreement(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer = pk
    today = timezone.localdate()
    initial = {
        "term_start": today,
        "term_end": today.replace(year=today.year + 1)
        if (today.month, today.day) != (2, 29)
        else today.replace(year=today.year + 1, day=28),
        "signed_on": today,
    }
    form = forms.AgreementForm(request.POST or None, initial=initial)
    return _action(
        request,
        volunteer,
        form,
        gettext("签订志愿服务协议：%(name)s") % {"name": volunteer.display_name},
        lambda d: services.agreement_sign(actor=request.user, volunteer=volunteer, **d),
        gettext("已登记协议。"),
        note=gettext("首次签订协议后志愿者转为“在册服务”；到期前60天列入续签提醒。"),
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER)
def status(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer = pk
    form = forms.StatusForm(request.POST or None, initial={"effective_date": timezone.localdate()})
    return _action(
        request,
        volunteer,
        form,
        gettext("变更状态：%(name)s") % {"name": volunteer.display_name},
        lambda d: services.volunteer_change_status(actor=request.user, volunteer=volunteer, **d),
        gettext("已变更状态。"),
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER)
def training(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer = pk
    form = forms.TrainingForm(request.POST or None)
    return _action(
        request,
        volunteer,
        form,
        gettext("登记培训：%(name)s") % {"name": volunteer.display_name},
        lambda d: services.training_add(actor=request.user, volunteer=volunteer, **d),
        gettext("已登记培训。"),
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER)
def insurance(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer = pk
    form = forms.InsuranceForm(request.POST or None)
    return _action(
        request,
        volunteer,
        form,
        gettext("登记意外保险：%(name)s") % {"name": volunteer.display_name},
        lambda d: services.insurance_add(actor=request.user, volunteer=volunteer, **d),
        gettext("已登记保险。"),
    )


def _volunteer_accounts(user: Any) -> QuerySet:
    return (
        User.objects.visible_to(user)
        .filter(is_active=True, roles__role=Role.VOLUNTEER, volunteer__isnull=True)
        .order_by("username")
    )


@require_POST
@scoped_view(capability="volunteer.edit", **VOLUNTEER)
def link(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer = pk
    form = forms.LinkForm(request.POST, accounts=_volunteer_accounts(request.user))
    if form.is_valid():
        try:
            services.volunteer_link_account(
                actor=request.user, volunteer=volunteer, user=form.cleaned_data["user"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已关联账号。"))
    else:
        messages.error(request, gettext("请选择要关联的志愿者账号。"))
    return redirect("volunteers:detail", pk=volunteer.pk)


@require_POST
@scoped_view(capability="volunteer.edit", **VOLUNTEER)
def certificate_issue(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer = pk
    try:
        certificate = services.certificate_issue(actor=request.user, volunteer=volunteer)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("volunteers:detail", pk=volunteer.pk)
    return redirect("volunteers:certificate", pk=certificate.pk)


@scoped_view(capability="account.self", model=Certificate)
def certificate(request: HttpRequest, pk: Certificate) -> HttpResponse:
    """The printable certificate (print to PDF from the browser)."""
    cert = pk
    context = {
        "cert": cert,
        "volunteer": cert.volunteer,
        "star_label": rules.star_label(cert.stars),
        "verify_url": request.build_absolute_uri("/volunteers/verify/"),
    }
    return render(request, "volunteers/certificate.html", context)


@scoped_view(capability="volunteer.view")
def renewals(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.renewals_due(user=request.user)[:501])
    context = {
        "rows": rows[:500],
        "cut": len(rows) > 500,
        "today": timezone.localdate(),
        "days": selectors.RENEWAL_DAYS,
    }
    return render(request, "volunteers/renewals.html", context)


# --- services and hours ---------------------------------------------------------------------------


@scoped_view(capability="volunteer.view")
def service_list(request: HttpRequest) -> HttpResponse:
    page = selectors.service_list(
        user=request.user, after=request.GET.get("after"), before=request.GET.get("before")
    )
    context = {"page": page, "can_edit": request.user.has_capability("volunteer.edit")}
    return render(request, "volunteers/services.html", context)


@scoped_view(capability="volunteer.edit")
def service_new(request: HttpRequest) -> HttpResponse:
    form = forms.ServiceForm(request.POST or None, associations=_holders(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(
                request, gettext("已登记服务活动：%(title)s。") % {"title": service.title}
            )
            return redirect("volunteers:service", pk=service.pk)
    return _page(request, form, gettext("登记志愿服务活动"), note=forms.TRAVEL_NOTE)


@scoped_view(capability="volunteer.view", model=Service)
def service_detail(request: HttpRequest, pk: Service) -> HttpResponse:
    service, user = pk, request.user
    data = selectors.service_detail(service=service)
    context = {
        "service": service,
        **data,
        "can_edit": user.has_capability("volunteer.edit"),
        "assign_form": forms.AssignForm(volunteers=_volunteers(user)),
        "hours_form": forms.HoursForm(volunteers=_volunteers(user)),
        "travel_note": forms.TRAVEL_NOTE,
        "past": service.date <= timezone.localdate(),
    }
    return render(request, "volunteers/service_detail.html", context)


@require_POST
@scoped_view(capability="volunteer.edit", model=Service)
def assign(request: HttpRequest, pk: Service) -> HttpResponse:
    service = pk
    form = forms.AssignForm(request.POST, volunteers=_volunteers(request.user))
    if form.is_valid():
        try:
            services.assignment_create(
                actor=request.user, service=service, volunteer=form.cleaned_data["volunteer"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已安排。"))
    else:
        messages.error(request, gettext("请选择在册服务的志愿者。"))
    return redirect("volunteers:service", pk=service.pk)


@require_POST
@scoped_view(capability="volunteer.edit", model=Service)
def hours_record(request: HttpRequest, pk: Service) -> HttpResponse:
    service = pk
    form = forms.HoursForm(request.POST, volunteers=_volunteers(request.user))
    if form.is_valid():
        try:
            services.hours_record(actor=request.user, service=service, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已登记并确认服务时长。"))
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("volunteers:service", pk=service.pk)


@scoped_view(capability="volunteer.edit")
def pending(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.pending_hours(user=request.user)[:501])
    return render(request, "volunteers/pending.html", {"rows": rows[:500], "cut": len(rows) > 500})


@require_POST
@scoped_view(capability="volunteer.edit", model=HoursRecord)
def hours_confirm(request: HttpRequest, pk: HoursRecord) -> HttpResponse:
    form = forms.ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.hours_confirm(
                actor=request.user, record=pk, confirm=form.cleaned_data["decision"] == "confirm"
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已处理。"))
    return redirect("volunteers:pending")


# --- matching and pairing -------------------------------------------------------------------------


def _target(request: HttpRequest) -> tuple[Any, Any, Association | None]:
    """The need (?need=) or the service (?service=) to match, loaded inside the scope."""
    source = request.POST if request.method == "POST" else request.GET
    for name, queryset in (
        ("need", Need.objects.visible_to(request.user).select_related("family__association")),
        ("service", Service.objects.visible_to(request.user).select_related("association")),
    ):
        raw = (source.get(name) or "").strip()
        if raw:
            if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
                raise Http404
            obj = queryset.filter(pk=int(raw)).first()
            if obj is None:
                raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
            place = obj.family.association if name == "need" else obj.association
            return (obj if name == "need" else None, obj if name == "service" else None, place)
    return None, None, None


@scoped_view(capability="volunteer.edit")
def match(request: HttpRequest) -> HttpResponse:
    """Suggested volunteers for a family's need or an activity, with the reason of each rank."""
    if not request.user.has_capability("family.view") and request.GET.get("need"):
        raise PermissionDenied(gettext("您的角色无权查看家庭诉求。"))
    need, service, place = _target(request)
    if service is not None and not request.GET.get("skills"):
        form = forms.MatchForm(initial={"skills": list(service.skills.all())})
        wanted = list(service.skills.all())
        when: list[str] = []
    else:
        form = forms.MatchForm(request.GET or None)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        wanted, when = list(data.get("skills") or []), list(data.get("when") or [])
    rows = []
    if place is not None:
        rows = selectors.suggestions(user=request.user, place=place, skills=wanted, when=when)
    context = {
        "form": form,
        "need": need,
        "service": service,
        "place": place,
        "rows": rows,
        "open_needs": [] if place is not None else _open_needs(request.user),
    }
    return render(request, "volunteers/match.html", context)


def _open_needs(user: Any) -> list[Need]:
    if not user.has_capability("family.view"):
        return []
    return list(
        Need.objects.visible_to(user)
        .filter(status__in=[Need.Status.OPEN, Need.Status.IN_PROGRESS])
        .select_related("family__association")
        .order_by("-id")[:50]
    )


@scoped_view(capability="volunteer.edit")
def pair(request: HttpRequest) -> HttpResponse:
    """POST: pair a volunteer with the family of a need (GET goes to the matching page)."""
    if request.method != "POST":
        return redirect("volunteers:match")
    form = forms.PairForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请求无效。"))
        return redirect("volunteers:match")
    data = form.cleaned_data
    need = Need.objects.visible_to(request.user).select_related("family__association")
    need = need.filter(pk=data["need"]).first()
    volunteer = Volunteer.objects.visible_to(request.user).filter(pk=data["volunteer"]).first()
    if need is None or volunteer is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
    try:
        services.pairing_create(
            actor=request.user,
            volunteer=volunteer,
            family=need.family,
            start_date=timezone.localdate(),
            note=data["note"] or f"诉求：{need.description[:100]}",
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(f"/volunteers/match/?need={need.pk}")
    messages.success(request, gettext("已结对：%(name)s。") % {"name": volunteer.display_name})
    return redirect("volunteers:detail", pk=volunteer.pk)


@require_POST
@scoped_view(capability="volunteer.edit", model=Pairing)
def pairing_end(request: HttpRequest, pk: Pairing) -> HttpResponse:
    pairing = pk
    form = forms.EndForm(request.POST)
    if form.is_valid():
        try:
            services.pairing_end(
                actor=request.user, pairing=pairing, end_date=form.cleaned_data["end_date"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已结束结对。"))
    else:
        messages.error(request, gettext("请填写结束日期。"))
    return redirect("volunteers:detail", pk=pairing.volunteer_id)


# --- teams ----------------------------------------------------------------------------------------


@scoped_view(capability="volunteer.view")
def teams(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_edit = user.has_capability("volunteer.edit")
    form = forms.TeamForm(request.POST or None, associations=_holders(user))
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(gettext("您的角色无权进行此操作。"))
        if form.is_valid():
            try:
                team = services.team_create(actor=user, **form.cleaned_data)
            except ServiceError as exc:
                exc.add_to(form)
            else:
                messages.success(request, gettext("已成立%(team)s。") % {"team": team})
                return redirect("volunteers:team", pk=team.pk)
    context = {"teams": selectors.team_list(user=user), "form": form, "can_edit": can_edit}
    return render(request, "volunteers/teams.html", context)


@scoped_view(capability="volunteer.view", model=Team)
def team_detail(request: HttpRequest, pk: Team) -> HttpResponse:
    team, user = pk, request.user
    candidates = _volunteers(user).filter(association__path__under=team.association.path)
    form = forms.MemberForm(request.POST or None, volunteers=candidates)
    if request.method == "POST":
        if not user.has_capability("volunteer.edit"):
            raise PermissionDenied(gettext("您的角色无权进行此操作。"))
        if form.is_valid():
            try:
                services.team_add_member(actor=user, team=team, **form.cleaned_data)
            except ServiceError as exc:
                exc.add_to(form)
            else:
                messages.success(request, gettext("已加入队伍。"))
                return redirect("volunteers:team", pk=team.pk)
    members = team.members.select_related("association").order_by("association__path", "pk")
    context = {
        "team": team,
        "members": list(members),
        "form": form,
        "can_edit": user.has_capability("volunteer.edit"),
    }
    return render(request, "volunteers/team_detail.html", context)


# --- the volunteer's portal -----------------------------------------------------------------------


@scoped_view(capability="volunteer.portal")
def portal(request: HttpRequest) -> HttpResponse:
    data = selectors.portal(user=request.user)
    volunteer = data["volunteer"]
    form = None
    if volunteer is not None:
        open_tasks = Assignment.objects.filter(
            pk__in=[a.pk for a in data["open_tasks"] if a.service.date <= data["today"]]
        ).select_related("service")
        form = forms.SubmitHoursForm(request.POST or None, assignments=open_tasks)
        if request.method == "POST" and form.is_valid():
            try:
                services.hours_submit(
                    actor=request.user,
                    assignment=form.cleaned_data["assignment"],
                    hours=form.cleaned_data["hours"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                exc.add_to(form)
            else:
                messages.success(request, gettext("已提交，待组织单位确认。"))
                return redirect("volunteers:portal")
    context = {**data, "form": form, "star_label": rules.star_label(data.get("stars", 0))}
    return render(request, "volunteers/portal.html", context)


# --- Excel ----------------------------------------------------------------------------------------


@scoped_view(capability="volunteer.edit")
def import_volunteers(request: HttpRequest) -> HttpResponse:
    return import_page(request, volunteer_excel.VOLUNTEER_IMPORT)


@scoped_view(capability="volunteer.edit")
def import_hours(request: HttpRequest) -> HttpResponse:
    return import_page(request, volunteer_excel.HOURS_IMPORT)


@scoped_view(capability="volunteer.view")
def export(request: HttpRequest) -> HttpResponse:
    """GET: the page; ?download=volunteers|hours: the masked workbook; POST reveal=1 with a
    reason: volunteers in full (personal.reveal only, audited)."""
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    can_reveal = user.has_capability("personal.reveal")
    what = source.get("download", "")
    if request.method == "POST" or what in ("volunteers", "hours"):
        reveal = request.method == "POST" and source.get("reveal") == "1"
        if reveal and not can_reveal:
            raise PermissionDenied(gettext("您没有导出完整个人信息的权限。"))
        try:
            if what == "hours":
                job = exports.start_export(
                    kind=volunteer_jobs.HOURS_EXPORT,
                    actor=user,
                    title=exports.export_title(volunteer_excel.HOURS_SHEET),
                )
            else:
                job = exports.start_export(
                    kind=volunteer_jobs.EXPORT,
                    actor=user,
                    title=exports.export_title(volunteer_excel.VOLUNTEER_SHEET, reveal=reveal),
                    reveal=reveal,
                    reason=(source.get("reason") or "")[:500],
                )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(jobs.job_url(job))
    context = {"can_reveal": can_reveal, "can_import": user.has_capability("volunteer.edit")}
    return render(request, "volunteers/export.html", context)
