"""Contact persons (联系人): assign, end, hand over, and the roster of who looks after whom."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action, post_action
from fpa.core.scope import scoped_view
from fpa.families import forms, selectors, services
from fpa.families.models import (
    Contact,
    Family,
)
from fpa.families.views.common import (
    FAMILY,
    LIST_LIMIT,
    _area,
    _areas,
    _form_page,
)

# --- contacts ---------------------------------------------------------------------------------


@scoped_view(capability="family.edit", **FAMILY, as_="family")
def contact_add(request: HttpRequest, family: Family) -> HttpResponse:
    form = forms.ContactForm(
        request.POST or None, accounts=selectors.assignable_accounts(signed_in_user(request))
    )
    title = gettext("指定联系人：%(name)s") % {"name": family.head_name}
    return form_action(
        request,
        form,
        call=lambda form: services.contact_assign(
            actor=signed_in_user(request),
            family=family,
            role=form.cleaned_data["role"],
            name=form.cleaned_data["name"],
            start_date=form.cleaned_data["start_date"],
            user=form.cleaned_data["user"],
            phone=form.cleaned_data["phone"] or None,
        ),
        done=lambda contact: (
            gettext("已指定联系人 %(name)s（%(role)s）。")
            % {"name": contact.name, "role": contact.role.name}
        ),
        then=("families:detail", family.pk),
        page=lambda: _form_page(request, form, title, family),
    )


@require_POST
@scoped_view(capability="family.edit", model=Contact, as_="contact")
def contact_end(request: HttpRequest, contact: Contact) -> HttpResponse:
    form = forms.ContactEndForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.contact_end(
            actor=signed_in_user(request), contact=contact, end_date=form.cleaned_data["end_date"]
        ),
        done=gettext("%(name)s 的联系工作已结束。") % {"name": contact.name},
        then=("families:detail", contact.family_id),
        invalid=gettext("请填写有效的结束日期。"),
    )


@scoped_view(capability="family.edit")
def reassign(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    leaving = selectors.accounts_with_families(user)
    form = forms.ReassignForm(
        request.POST or None, leaving=leaving, successors=selectors.assignable_accounts(user)
    )

    def done(moved: int) -> str:
        data = form.cleaned_data
        old = data["from_user"].full_name or data["from_user"].username
        new = data["to_name"] or data["to_user"].full_name or data["to_user"].username
        return gettext("已将 %(old)s 联系的 %(count)s 户家庭移交给 %(new)s。") % {
            "old": old,
            "count": moved,
            "new": new,
        }

    return form_action(
        request,
        form,
        call=lambda form: services.contacts_reassign(
            actor=user,
            from_user=form.cleaned_data["from_user"],
            to_user=form.cleaned_data["to_user"],
            on=form.cleaned_data["on"],
            to_name=form.cleaned_data["to_name"],
        ),
        done=done,
        then="families:reassign",
        page=lambda: render(request, "families/reassign.html", {"form": form}),
    )


@scoped_view(capability="family.view")
def roster(request: HttpRequest) -> HttpResponse:
    """联系人名册 (printed landscape): each family's head (phone masked, revealed one by one with
    a reason) and its current contact persons with their real names and their phones, in full for
    users who may see personal values (one audit row for the roster) and masked otherwise."""
    user = signed_in_user(request)
    area, foreign = _area(request)
    families: list[Family] = []
    if area is not None:
        families = selectors.area_families(
            user=user,
            area=area,
            limit=LIST_LIMIT,
            order=("association__path", "head_pinyin", "pk"),
            parents=True,
        )
    shown = families[:LIST_LIMIT]
    contacts = [c for f in shown for c in getattr(f, "current_contacts", [])]
    full_phones = selectors.may_see_contact_phones(user)
    phones: dict[int, str] = {}
    if area is not None and full_phones and contacts:
        phones = services.roster_contact_phones(actor=user, area=area, contacts=contacts)
    rows = [
        {
            "family": family,
            "head": next(iter(getattr(family, "parents", [])), None),
            "contacts": [
                {
                    "role": c.role.name,
                    "name": c.name,
                    "phone": phones.get(c.pk) or (c.phone.masked if c.phone else ""),
                }
                for c in getattr(family, "current_contacts", [])
            ],
        }
        for family in shown
    ]
    context = {
        "area": area,
        "areas": _areas(user),
        "foreign": foreign,
        "rows": rows,
        "cut": len(families) > LIST_LIMIT,
        "limit": LIST_LIMIT,
        "today": timezone.localdate(),
        "full_phones": full_phones,
        "can_reveal": user.has_capability("personal.reveal"),
    }
    return render(request, "families/roster.html", context)
