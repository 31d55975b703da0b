"""Pages of the key-work assessment: the schemes and rounds, a scheme's indicators, a round's
results (ranking once visible), a township's score sheet (printable on A4) with its
self-assessment, scoring, appeal and answer forms, the Excel export and the public results."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.assessment import excel as assessment_excel
from fpa.assessment import forms, selectors, services
from fpa.assessment import jobs as assessment_jobs  # noqa: F401 (the freeze's result view)
from fpa.assessment.models import Indicator, Round, Scheme
from fpa.assessment.registry import registered_indicators
from fpa.core.actions import form_action, form_errors, post_action
from fpa.core.errors import ServiceError
from fpa.core.jobs import job_url
from fpa.core.scope import public_view, scoped_view
from fpa.organizations.models import Association

INVALID = gettext  # marks the invalid-form messages below for extraction


def _scheme(user: User, pk: int) -> Scheme:
    found = selectors.scheme_get(user=user, pk=pk)
    if found is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
    return found


def _round(user: User, pk: int) -> Round:
    found = selectors.round_get(user=user, pk=pk)
    if found is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
    return found


def _township(user: User, round_: Round, code: str) -> Association:
    for township in selectors.townships_visible(user=user, round_=round_):
        if township.code == code:
            return township
    raise Http404(gettext("记录不存在或不在您的管辖范围内。"))


# --- schemes --------------------------------------------------------------------------------------


@require_safe
@scoped_view(capability="assessment.view")
def scheme_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    year = (request.GET.get("year") or "").strip()
    schemes = selectors.schemes_for(user=user)
    rounds = selectors.rounds_for(user=user)
    if year.isdigit():
        schemes = schemes.filter(year=int(year))
        rounds = rounds.filter(scheme__year=int(year))
    order = request.GET.get("sort") == "oldest"
    context = {
        "schemes": list(schemes.order_by("year" if order else "-year")[:50]),
        "rounds": list(rounds[:50]),
        "year": year,
        "sort": "oldest" if order else "newest",
        "form": forms.SchemeForm(initial={"year": timezone.localdate().year}),
        "can_manage": user.has_capability("assessment.manage"),
    }
    return render(request, "assessment/list.html", context)


@scoped_view(capability="assessment.manage")
def scheme_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.SchemeForm(request.POST or None)
    county = user.home_association
    if county is None or county.kind != Association.Kind.COUNTY:
        messages.error(request, gettext("考核方案由县级计生协制定。"))
        return redirect("assessment:list")
    return form_action(
        request,
        form,
        call=lambda f: services.scheme_create(
            actor=user, county=county, year=f.cleaned_data["year"], title=f.cleaned_data["title"]
        ),
        done=gettext("考核方案已建立，请添加指标。"),
        then=lambda scheme: ("assessment:scheme", scheme.pk),
        page=lambda: render(request, "assessment/scheme_new.html", {"form": form}),
    )


def _scheme_context(user: User, scheme: Scheme, form: Any = None) -> dict[str, Any]:
    registry = registered_indicators()
    indicators = list(scheme.indicators.select_related("scorer"))
    can_manage = selectors.may_manage(user, scheme)
    return {
        "scheme": scheme,
        "indicators": [(i, registry.get(i.computed_key)) for i in indicators],
        "total_weight": sum(i.weight for i in indicators),
        "rounds": list(scheme.rounds.order_by("-id")),
        "can_manage": can_manage,
        "editable": can_manage and not scheme.rounds.exclude(phase=Round.Phase.OPEN).exists(),
        "form": form
        or (forms.IndicatorForm(scorers=selectors.scorer_choices(scheme)) if can_manage else None),
        "round_form": forms.RoundForm(initial={"cutoff": selectors.default_cutoff(scheme.year)}),
    }


@require_safe
@scoped_view(capability="assessment.view")
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    scheme = _scheme(user, pk)
    return render(request, "assessment/scheme.html", _scheme_context(user, scheme))


def _indicator_fields(form: forms.IndicatorForm, scheme: Scheme) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    scorer_id = data.pop("scorer", None)
    data.pop("version", None)
    data["scorer"] = selectors.scorer_get(scheme, scorer_id) if scorer_id is not None else None
    if data.get("target") is None:
        data.pop("target")
    return data


@scoped_view(capability="assessment.manage")
def indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    scheme = _scheme(user, pk)
    form = forms.IndicatorForm(request.POST or None, scorers=selectors.scorer_choices(scheme))
    return form_action(
        request,
        form,
        call=lambda f: services.indicator_save(
            actor=user, scheme=scheme, **_indicator_fields(f, scheme)
        ),
        done=gettext("指标已添加。"),
        then=("assessment:scheme", scheme.pk),
        page=lambda: render(request, "assessment/scheme.html", _scheme_context(user, scheme, form)),
    )


@scoped_view(capability="assessment.manage")
def indicator_edit(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    user = signed_in_user(request)
    scheme = _scheme(user, pk)
    found = scheme.indicators.filter(pk=indicator).first()
    if found is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
    initial = {
        name: getattr(found, name)
        for name in ("area", "name", "weight", "kind", "computed_key", "target", "rule")
    }
    initial.update(evidence=found.evidence, scorer=found.scorer_id, position=found.position)
    initial["version"] = found.version
    form = forms.IndicatorForm(
        request.POST or None, initial=initial, scorers=selectors.scorer_choices(scheme)
    )
    return form_action(
        request,
        form,
        call=lambda f: services.indicator_save(
            actor=user,
            scheme=scheme,
            indicator=found,
            version=f.cleaned_data.get("version"),
            **_indicator_fields(f, scheme),
        ),
        done=gettext("指标已修改。"),
        then=("assessment:scheme", scheme.pk),
        page=lambda: render(
            request, "assessment/indicator.html", {"form": form, "scheme": scheme, "i": found}
        ),
    )


@require_POST
@scoped_view(capability="assessment.manage")
def scheme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    scheme = _scheme(user, pk)
    return post_action(
        request,
        forms.VersionForm(request.POST),
        call=lambda f: services.scheme_publish(
            actor=user, scheme=scheme, version=f.cleaned_data.get("version")
        ),
        done=gettext("考核方案已发布，乡镇可以查看。"),
        then=("assessment:scheme", scheme.pk),
        invalid=form_errors,
    )


@scoped_view(capability="assessment.manage")
def round_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    scheme = _scheme(user, pk)
    form = forms.RoundForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda f: services.round_create(
            actor=user,
            scheme=scheme,
            title=f.cleaned_data["title"],
            cutoff=f.cleaned_data["cutoff"],
        ),
        done=gettext("考核轮次已建立。"),
        then=lambda round_: ("assessment:round", round_.pk),
        page=lambda: render(
            request, "assessment/scheme.html", {**_scheme_context(user, scheme), "round_form": form}
        ),
    )


# --- rounds ---------------------------------------------------------------------------------------


@require_safe
@scoped_view(capability="assessment.view")
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    round_ = _round(user, pk)
    ranking = selectors.ranking_visible(user, round_)
    townships = (
        services.townships_of(round_.scheme.county)
        if ranking
        else selectors.townships_visible(user=user, round_=round_)
    )
    results = selectors.results(round_=round_, townships=townships)
    sort = request.GET.get("sort") or "rank"
    if sort == "code":
        results.sort(key=lambda r: r.township.code)
    own = {t.pk for t in selectors.townships_visible(user=user, round_=round_)}
    context = {
        "round": round_,
        "results": results,
        "ranking": ranking,
        "own": own,
        "sort": sort,
        "phases": Round.Phase.choices,
        "can_manage": selectors.may_manage(user, round_),
        "appeals": selectors.round_appeals(user=user, round_=round_),
    }
    return render(request, "assessment/round.html", context)


def _round_post(request: HttpRequest, pk: int, call: Any, done: str) -> HttpResponse:
    user = signed_in_user(request)
    round_ = _round(user, pk)
    return post_action(
        request,
        forms.PublishForm(request.POST),
        call=lambda f: call(user, round_, f.cleaned_data),
        done=done,
        then=("assessment:round", round_.pk),
        invalid=form_errors,
    )


@require_POST
@scoped_view(capability="assessment.manage")
def round_advance(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_post(
        request,
        pk,
        lambda user, r, data: services.round_advance(
            actor=user, round_=r, version=data.get("version")
        ),
        gettext("考核轮次已进入下一阶段。"),
    )


@require_POST
@scoped_view(capability="assessment.manage")
def round_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the freeze as a background job and show its progress (the job page comes back to
    the round when it is done)."""
    user = signed_in_user(request)
    round_ = _round(user, pk)
    form = forms.VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("assessment:round", round_.pk)
    try:
        job = services.round_freeze_start(
            actor=user, round_=round_, version=form.cleaned_data.get("version")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("assessment:round", round_.pk)
    return redirect(job_url(job))


@require_POST
@scoped_view(capability="assessment.manage")
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_post(
        request,
        pk,
        lambda user, r, data: services.round_publish(
            actor=user, round_=r, public=data["public"], version=data.get("version")
        ),
        gettext("公开设置已保存。"),
    )


@require_safe
@scoped_view(capability="assessment.view")
def export(request: HttpRequest, pk: int) -> FileResponse:
    """The results as a workbook: every township once the ranking is visible, else the user's
    own."""
    user = signed_in_user(request)
    round_ = _round(user, pk)
    townships = (
        services.townships_of(round_.scheme.county)
        if selectors.ranking_visible(user, round_)
        else selectors.townships_visible(user=user, round_=round_)
    )
    results = selectors.results(round_=round_, townships=townships)
    handle = io.BytesIO()
    count = assessment_excel.write(handle, round_, results)
    services.export_audit(actor=user, round_=round_, rows=count)
    handle.seek(0)
    name = f"{round_.scheme.year}-assessment-{round_.pk}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)


# --- a township's score sheet ---------------------------------------------------------------------


@require_safe
@scoped_view(capability="assessment.view")
def sheet(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    user = signed_in_user(request)
    round_ = _round(user, pk)
    township = _township(user, round_, code)
    live = request.GET.get("live") == "1"
    result = selectors.sheet(user=user, round_=round_, township=township, live=live)
    own = user.has_capability("assessment.self") and township.pk in {
        t.pk for t in selectors.townships_visible(user=user, round_=round_)
    }
    context = {
        "round": round_,
        "township": township,
        "result": result,
        "live": live,
        "may_self": own and round_.phase == Round.Phase.SELF,
        "may_appeal": own and round_.phase == Round.Phase.APPEAL,
        "scoring": round_.phase == Round.Phase.SCORING,
        "scorable": {
            line.indicator.pk
            for line in result.lines
            if selectors.may_score_line(user, line, township)
        },
        "may_answer": selectors.may_manage(user, round_) and round_.phase == Round.Phase.APPEAL,
        "show_points": round_.results_visible or selectors.may_manage(user, round_),
        "today": timezone.localdate(),
    }
    return render(request, "assessment/sheet.html", context)


def _indicator_of(round_: Round, pk: int) -> Indicator:
    found = round_.scheme.indicators.filter(pk=pk).first()
    if found is None:
        raise ServiceError(gettext("指标不存在。"))
    return found


def _sheet_post(request: HttpRequest, pk: int, code: str, form: Any, call: Any, done: str) -> Any:
    user = signed_in_user(request)
    round_ = _round(user, pk)
    township = _township(user, round_, code)

    def run(f: Any) -> Any:
        return call(user, round_, township, _indicator_of(round_, f.cleaned_data["indicator"]), f)

    return post_action(
        request,
        form,
        call=run,
        done=done,
        then=("assessment:sheet", round_.pk, township.code),
        invalid=form_errors,
    )


@require_POST
@scoped_view(capability="assessment.self")
def self_assess(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    return _sheet_post(
        request,
        pk,
        code,
        forms.ScoreForm(request.POST),
        lambda user, r, t, i, f: services.self_assess(
            actor=user,
            round_=r,
            indicator=i,
            township=t,
            score=f.cleaned_data["score"],
            note=f.cleaned_data["note"],
            version=f.cleaned_data.get("version"),
        ),
        gettext("自评已保存。"),
    )


@require_POST
@scoped_view(capability="assessment.score")
def score(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    return _sheet_post(
        request,
        pk,
        code,
        forms.ScoreForm(request.POST),
        lambda user, r, t, i, f: services.score_give(
            actor=user,
            round_=r,
            indicator=i,
            township=t,
            score=f.cleaned_data["score"],
            note=f.cleaned_data["note"],
            version=f.cleaned_data.get("version"),
        ),
        gettext("评分已保存。"),
    )


@require_POST
@scoped_view(capability="assessment.self")
def appeal(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    return _sheet_post(
        request,
        pk,
        code,
        forms.AppealForm(request.POST),
        lambda user, r, t, i, f: services.appeal_file(
            actor=user, round_=r, indicator=i, township=t, reason=f.cleaned_data["reason"]
        ),
        gettext("申诉已提交，请等待县级答复。"),
    )


@require_POST
@scoped_view(capability="assessment.manage")
def appeal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = selectors.appeal_get(user=user, pk=pk)
    if found is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
    return post_action(
        request,
        forms.AnswerForm(request.POST),
        call=lambda f: services.appeal_answer(
            actor=user,
            appeal=found,
            answer=f.cleaned_data["answer"],
            new_score=f.cleaned_data.get("new_score"),
            version=f.cleaned_data.get("version"),
        ),
        done=gettext("申诉已答复。"),
        then=("assessment:sheet", found.round_id, found.association.code),
        invalid=form_errors,
    )


# --- public ---------------------------------------------------------------------------------------


@require_safe
@public_view
def public(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """A county's published final results of a year: township names, totals and ranks only."""
    county = selectors.public_county(code)
    if county is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
    published = []
    for round_ in selectors.public_rounds(county, year):
        townships = services.townships_of(round_.scheme.county)
        published.append((round_, selectors.results(round_=round_, townships=townships)))
    return render(
        request,
        "assessment/public.html",
        {"county": county, "year": year, "published": published},
    )
