"""The registry: list, new, a volunteer's page, reveal, edit, vetting, agreement, status,
trainings, insurance, the account link, certificates and renewals."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core import links
from fpa.core.actions import form_action, post_action
from fpa.core.errors import ServiceError
from fpa.core.forms import ReopenForm
from fpa.core.reveal import reveal_response
from fpa.core.scope import scoped_view
from fpa.organizations import selectors as org_selectors
from fpa.volunteers import forms, rules, selectors, services
from fpa.volunteers.models import (
    Certificate,
    Volunteer,
)
from fpa.volunteers.views.common import (
    PROTECTED,
    VOLUNTEER,
    _action,
    _holders,
    _may_reopen,
    _page,
)

# --- the registry ---------------------------------------------------------------------------------


@scoped_view(capability="volunteer.view")
def volunteer_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
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
    consent = selectors.current_consent()
    form = forms.ProfileForm(request.POST or None, associations=_holders(signed_in_user(request)))
    note = gettext("请确认报名人已签署第%(version)s版报名同意书。") % {"version": consent.version}
    return form_action(
        request,
        form,
        call=lambda form: services.volunteer_apply(
            actor=signed_in_user(request), consent_version=consent.version, **form.cleaned_data
        ),
        done=lambda volunteer: gettext("已登记报名：%(name)s。") % {"name": volunteer.display_name},
        then=lambda volunteer: ("volunteers:detail", volunteer.pk),
        page=lambda: _page(request, form, gettext("录入志愿者报名"), note=note),
    )


@scoped_view(capability="volunteer.view", **VOLUNTEER)
def detail(request: HttpRequest, pk: Volunteer) -> HttpResponse:
    volunteer, user = pk, signed_in_user(request)
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
        "link_form": forms.LinkForm(accounts=selectors.linkable_accounts(user)),
        "can_reopen": volunteer.status == Volunteer.Status.REFUSED and _may_reopen(user),
    }
    return render(request, "volunteers/detail.html", context)


@require_POST
@scoped_view(capability="volunteer.view", **VOLUNTEER, as_="volunteer")
def reveal(request: HttpRequest, volunteer: Volunteer, field: str) -> HttpResponse:
    """The full ID number or phone, or the name of a child under 14: audited, with a reason."""
    plain: tuple[str, ...] = ()
    if field == "name" and volunteer.is_child:
        plain = ("name",)
    return reveal_response(
        request,
        volunteer,
        field,
        allowed=(*PROTECTED, *plain),
        scope_path=volunteer.association.path,
        plain=plain,
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER, as_="volunteer")
def edit(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
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
        request.POST or None, associations=_holders(signed_in_user(request)), initial=initial
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
    user = signed_in_user(request)
    version = int(request.POST.get("version") or 0) or None

    def save(form: forms.ProfileForm) -> Volunteer:
        data = dict(form.cleaned_data)
        for name in ("id_number", "association"):
            data.pop(name)
        for name in ("phone", "guardian_phone"):
            if not data[name]:
                data.pop(name)
        skills = data.pop("skills")
        return services.volunteer_update(
            actor=user, volunteer=volunteer, version=version, skills=skills, **data
        )

    return form_action(
        request,
        form,
        call=save,
        done=gettext("已保存。"),
        then=("volunteers:detail", volunteer.pk),
        page=lambda: _page(
            request,
            form,
            gettext("修改志愿者信息：%(name)s") % {"name": volunteer.display_name},
            volunteer,
            version=volunteer.version,
        ),
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER, as_="volunteer")
def vet(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    form = forms.VetForm(request.POST or None)
    return _action(
        request,
        volunteer,
        form,
        gettext("考察：%(name)s") % {"name": volunteer.display_name},
        lambda d: services.volunteer_vet(actor=signed_in_user(request), volunteer=volunteer, **d),
        gettext("已录入考察结果。"),
    )


@require_POST
@scoped_view(capability="volunteer.edit", **VOLUNTEER, as_="volunteer")
def reopen(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    """A refused vetting back to 待考察 (the township or the county, with a reason)."""
    form = ReopenForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.volunteer_reopen(
            actor=signed_in_user(request), volunteer=volunteer, **form.cleaned_data
        ),
        done=gettext("已重新打开考察，报名回到“已报名待考察”。"),
        then=("volunteers:detail", volunteer.pk),
        invalid=gettext("请填写重新打开的原因。"),
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER, as_="volunteer")
def agreement(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
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
        lambda d: services.agreement_sign(actor=signed_in_user(request), volunteer=volunteer, **d),
        gettext("已登记协议。"),
        note=gettext("首次签订协议后志愿者转为“在册服务”；到期前60天列入续签提醒。"),
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER, as_="volunteer")
def status(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    form = forms.StatusForm(request.POST or None, initial={"effective_date": timezone.localdate()})
    return _action(
        request,
        volunteer,
        form,
        gettext("变更状态：%(name)s") % {"name": volunteer.display_name},
        lambda d: services.volunteer_change_status(
            actor=signed_in_user(request), volunteer=volunteer, **d
        ),
        gettext("已变更状态。"),
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER, as_="volunteer")
def training(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    form = forms.TrainingForm(request.POST or None)
    return _action(
        request,
        volunteer,
        form,
        gettext("登记培训：%(name)s") % {"name": volunteer.display_name},
        lambda d: services.training_add(actor=signed_in_user(request), volunteer=volunteer, **d),
        gettext("已登记培训。"),
    )


@scoped_view(capability="volunteer.edit", **VOLUNTEER, as_="volunteer")
def insurance(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    form = forms.InsuranceForm(request.POST or None)
    return _action(
        request,
        volunteer,
        form,
        gettext("登记意外保险：%(name)s") % {"name": volunteer.display_name},
        lambda d: services.insurance_add(actor=signed_in_user(request), volunteer=volunteer, **d),
        gettext("已登记保险。"),
    )


@require_POST
@scoped_view(capability="volunteer.edit", **VOLUNTEER, as_="volunteer")
def link(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    form = forms.LinkForm(
        request.POST, accounts=selectors.linkable_accounts(signed_in_user(request))
    )
    return post_action(
        request,
        form,
        call=lambda form: services.volunteer_link_account(
            actor=signed_in_user(request), volunteer=volunteer, user=form.cleaned_data["user"]
        ),
        done=gettext("已关联账号。"),
        then=("volunteers:detail", volunteer.pk),
        invalid=gettext("请选择要关联的志愿者账号。"),
    )


@require_POST
@scoped_view(capability="volunteer.edit", **VOLUNTEER, as_="volunteer")
def certificate_issue(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    try:
        certificate = services.certificate_issue(actor=signed_in_user(request), volunteer=volunteer)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("volunteers:detail", pk=volunteer.pk)
    return redirect("volunteers:certificate", pk=certificate.pk)


@scoped_view(capability="account.self", model=Certificate, as_="cert")
def certificate(request: HttpRequest, cert: Certificate) -> HttpResponse:
    """The printable certificate (print to PDF from the browser)."""
    context = {
        "cert": cert,
        "volunteer": cert.volunteer,
        "star_label": rules.star_label(cert.stars),
        "verify_url": request.build_absolute_uri(links.link("volunteers:verify")),
        # The QR code opens the public check with this certificate's code filled in.
        "check_path": links.link("volunteers:verify") + "?" + urlencode({"code": cert.code}),
    }
    return render(request, "volunteers/certificate.html", context)


@scoped_view(capability="volunteer.view")
def renewals(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.renewals_due(user=signed_in_user(request))[:501])
    context = {
        "rows": rows[:500],
        "cut": len(rows) > 500,
        "today": timezone.localdate(),
        "days": selectors.RENEWAL_DAYS,
    }
    return render(request, "volunteers/renewals.html", context)
