"""Helpers for the modules' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

# The attributes that make a <select> the association picker (app.js adds the township select and
# the search box; fpa.organizations.pickers gives each option its data-path and data-search). The
# texts are rendered with the page, so they are translated with it.
PICKER_ATTRS: dict[str, object] = {
    "data-fpa-picker": True,
    "data-fpa-picker-search": _("输入名称或拼音首字母筛选"),
    "data-fpa-picker-all": _("全部乡镇"),
}


def limit_choices(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Offer only `queryset` (already scoped to the user) in the model choice field `name`; a
    posted value outside it is refused as an invalid choice."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    field.queryset = queryset


class ReopenForm(forms.Form):
    """The reason for reopening a refused decision (a membership application, a volunteer
    vetting): required, kept in the status history and the audit trail."""

    reason = forms.CharField(label=_("重新打开的原因"), max_length=280, min_length=2)


class DateInput(forms.DateInput):
    """An HTML date input: the value must be ISO (the zh-hans format would leave it empty)."""

    input_type = "date"

    def __init__(self, attrs: Any = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")
