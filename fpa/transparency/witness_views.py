"""The system administrator's page of witnesses (capability ``ledger.witnesses``): the list, the
newest cosignature and the last submission's outcome of each, adding and removing them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.transparency import cosign, selectors
from fpa.transparency.models import Checkpoint, Witness


class AddForm(forms.Form):
    label = forms.CharField(label=_("见证单位"), max_length=100, required=False)
    verifier_key = forms.CharField(label=_("见证人公钥"), max_length=300)
    url = forms.CharField(label=_("见证人网址"), max_length=300)
    reason = forms.CharField(label=_("说明"), max_length=500, required=False)


class RemoveForm(forms.Form):
    witness = forms.IntegerField(min_value=1)
    reason = forms.CharField(label=_("移除原因"), max_length=500)


@scoped_view(capability="ledger.witnesses")
def witness_admin(request: HttpRequest) -> HttpResponse:
    form = AddForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: cosign.add_witness(
            actor=signed_in_user(request),
            verifier_key=form.cleaned_data["verifier_key"],
            url=form.cleaned_data["url"],
            label=form.cleaned_data["label"],
            reason=form.cleaned_data["reason"],
        ),
        done=lambda witness: (
            gettext("见证人 %(name)s 已添加，最新检查点已提交给它。") % {"name": witness.name}
        ),
        then="transparency:witness_admin",
        page=lambda: _page(request, form),
    )


def _page(request: HttpRequest, form: AddForm) -> HttpResponse:
    witnesses = selectors.all_witnesses()
    latest = cosign.latest_cosignatures(witnesses)
    newest = Checkpoint.objects.order_by("-id").first()
    rows = [
        {
            "witness": witness,
            "cosignature": latest.get(witness.pk),
            "covers_latest": bool(
                newest and witness.pk in latest and latest[witness.pk].checkpoint_id == newest.pk
            ),
        }
        for witness in witnesses
    ]
    return render(
        request,
        "transparency/witness_admin.html",
        {"rows": rows, "form": form, "newest": newest},
    )


@scoped_view(capability="ledger.witnesses")
@require_POST
def witness_remove(request: HttpRequest) -> HttpResponse:
    """The witness is named in the form (witnesses belong to no association: no scope)."""
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请写明原因（至少 5 个字）。"))
        return redirect("transparency:witness_admin")
    witness = get_object_or_404(Witness, pk=form.cleaned_data["witness"])
    try:
        cosign.remove_witness(
            actor=signed_in_user(request), witness=witness, reason=form.cleaned_data["reason"]
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("见证人 %(name)s 已移除。") % {"name": witness.name})
    return redirect("transparency:witness_admin")
