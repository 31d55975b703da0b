"""One association picker for every form and filter.

A village reads "乡镇 · 村" everywhere (two villages of the same name, 白川村 or 东风村, stay
apart), each option carries what the browser needs to narrow a long list: `data-path` (the
township filter of the cascade keeps the options under the chosen township) and `data-search`
(name, full pinyin and initials of the unit and of its parent: "bcc" or "baichuan" finds 白川村,
"ljx" everything in 刘家峡镇). app.js adds the township select and the search box to every
`select[data-fpa-picker]`; without script the select works as it is. A picker with a single choice
shows it chosen and nothing else (the user has nothing to pick).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from fpa.core.forms import PICKER_ATTRS
from fpa.organizations.models import Association

# Levels whose name is enough; anything below reads "上级 · 本级".
NAMED_ALONE = frozenset(
    {
        Association.Kind.PROVINCE,
        Association.Kind.PREFECTURE,
        Association.Kind.COUNTY,
        Association.Kind.TOWNSHIP,
    }
)
SCOPE_ERROR = _("所选协会不存在或不在您的管辖范围内。")
# The values every option needs, for a queryset's .values() (one query, no instances).
PICKER_VALUES = (
    "code",
    "name",
    "kind",
    "path",
    "name_pinyin",
    "name_initials",
    "parent__name",
    "parent__name_pinyin",
    "parent__name_initials",
)


def area_label(name: str, kind: str, parent_name: str | None) -> str:
    """刘家峡镇 · 白川村 for a unit below a township, the name alone above."""
    if parent_name and kind not in NAMED_ALONE:
        return f"{parent_name} · {name}"
    return name


def search_key(row: dict[str, Any]) -> str:
    """The words an option is found by, lower-case: names, pinyin, initials, own and parent's."""
    words = [
        row["name"],
        row["name_pinyin"],
        row["name_initials"],
        row.get("parent__name") or "",
        row.get("parent__name_pinyin") or "",
        row.get("parent__name_initials") or "",
    ]
    return " ".join(w for w in words if w).lower()


def option_attrs(row: dict[str, Any]) -> dict[str, str]:
    return {"data-path": row["path"], "data-kind": row["kind"], "data-search": search_key(row)}


def _row(obj: Association) -> dict[str, Any]:
    parent = obj.parent
    return {
        "name": obj.name,
        "kind": obj.kind,
        "path": obj.path,
        "name_pinyin": obj.name_pinyin,
        "name_initials": obj.name_initials,
        "parent__name": parent.name if parent else None,
        "parent__name_pinyin": parent.name_pinyin if parent else None,
        "parent__name_initials": parent.name_initials if parent else None,
    }


class AssociationSelect(forms.Select):
    """A <select> whose options carry data-path and data-search, and which, with one choice only,
    offers that choice alone, chosen."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({**PICKER_ATTRS, **(attrs or {})})

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> Any:
        groups = super().optgroups(name, value, attrs)
        real = [g for g in groups if g[1] and g[1][0]["value"] not in ("", None)]
        if len(real) == 1:  # the only choice: no empty option, and chosen
            option = real[0][1][0]
            option["selected"] = True
            option["attrs"]["selected"] = True
            return [(None, [option], 0)]
        return groups

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if isinstance(instance, Association):
            option["attrs"].update(option_attrs(_row(instance)))
        return option


class _WithParents(ModelChoiceIterator):
    """The choices with each one's parent in the same query (labels and data-search read it),
    whatever queryset the field was given or limited to later."""

    def __init__(self, field: forms.ModelChoiceField) -> None:
        super().__init__(field)
        self.queryset = self.queryset.select_related("parent")


class AssociationPicker(forms.ModelChoiceField):
    """The association field of every form: labels "乡镇 · 村", scoped choices (the caller passes
    the user's queryset), a clear message for a choice outside them."""

    widget = AssociationSelect
    iterator = _WithParents
    default_error_messages = {"invalid_choice": SCOPE_ERROR}

    def __init__(
        self, queryset: QuerySet[Association], *, place_names: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(queryset=queryset.select_related("parent"), **kwargs)
        # Public forms name the places as citizens know them (刘家峡镇 · 大庄村), not the
        # associations (刘家峡镇计生协 · 大庄村委会计生协).
        self.place_names = place_names

    def label_from_instance(self, obj: Association) -> str:
        parent = obj.parent
        if self.place_names:
            return area_label(
                obj.division_name or obj.name,
                obj.kind,
                (parent.division_name or parent.name) if parent else None,
            )
        return area_label(obj.name, obj.kind, parent.name if parent else None)
