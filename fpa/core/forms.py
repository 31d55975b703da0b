"""Helpers for the modules' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet


def limit_choices(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Offer only `queryset` (already scoped to the user) in the model choice field `name`; a
    posted value outside it is refused as an invalid choice."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    field.queryset = queryset
