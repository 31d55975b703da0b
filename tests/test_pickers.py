"""The one association picker (fpa.organizations.pickers): labels, what each option carries for
the township cascade and the pinyin search, the single-choice case, the scope, the query count."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker, area_label
from fpa.organizations.selectors import association_choices
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN


class _Form(forms.Form):
    association = AssociationPicker(Association.objects.none(), label="协会")

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = associations  # type: ignore[attr-defined]


def _pk(code: str) -> str:
    return str(Association.objects.get(code=code).pk)


def _options(html: str) -> dict[str, tuple[str, str]]:
    """value -> (attributes, label) of every option."""
    return {
        value: (attrs, label)
        for value, attrs, label in re.findall(
            r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', html
        )
    }


def test_a_village_reads_with_its_township_and_can_be_found_by_pinyin(county: Any) -> None:
    html = str(_Form(associations=association_choices(user=county))["association"])
    options = _options(html)
    attrs, label = options[_pk(DAZHUANG)]
    assert label == "刘家峡镇计生协 · 大庄村委会计生协"
    assert options[_pk(LIUJIAXIA)][1] == "刘家峡镇计生协"  # a township: its name alone
    assert 'data-path="/62/6229/622923/622923100/622923100201/"' in attrs
    assert 'data-kind="village"' in attrs
    search = re.search(r'data-search="([^"]*)"', attrs)
    assert search is not None
    words = search.group(1).split()
    # its own name and pinyin initials, and its township's: "dzc" or "ljxz" find it
    assert "大庄村委会计生协" in words and "刘家峡镇计生协" in words
    assert any(w.startswith("dzc") for w in words) and any(w.startswith("ljxz") for w in words)
    assert "data-fpa-picker" in html and 'data-fpa-picker-all="全部乡镇"' in html


def test_two_villages_of_the_same_name_stay_apart(county: Any) -> None:
    html = str(_Form(associations=association_choices(user=county))["association"])
    labels = [label for _attrs, label in _options(html).values() if label != "---------"]
    assert len(labels) == len(set(labels)), [x for x in labels if labels.count(x) > 1]


def test_one_choice_is_offered_alone_and_chosen(county: Any) -> None:
    only = association_choices(user=county).filter(code=DAZHUANG)
    html = str(_Form(associations=only)["association"])
    options = _options(html)
    assert list(options) == [_pk(DAZHUANG)]
    assert " selected" in options[_pk(DAZHUANG)][0]


def test_a_choice_outside_the_scope_is_refused_with_a_clear_message(township: Any) -> None:
    form = _Form({"association": _pk(SHANGQUAN)}, associations=association_choices(user=township))
    assert not form.is_valid()
    assert form.errors["association"] == ["所选协会不存在或不在您的管辖范围内。"]
    ok = _Form({"association": _pk(DAZHUANG)}, associations=association_choices(user=township))
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["association"].code == DAZHUANG


def test_the_picker_renders_in_one_query_whatever_the_number_of_units(
    county: Any, django_assert_num_queries: Any
) -> None:
    form = _Form(associations=association_choices(user=county))
    with django_assert_num_queries(1):
        html = str(form["association"])
    assert html.count("<option") > 150


def test_the_area_filter_options_carry_the_same_search_words(client_for: Any, county: Any) -> None:
    html = client_for(county).get("/families/").content.decode()
    select = re.search(r'<select[^>]*name="code"[^>]*>', html)
    assert select is not None and "data-fpa-picker" in select.group(0)
    option = re.search(f'<option value="{DAZHUANG}"([^>]*)>', html)
    assert option is not None and 'data-kind="village"' in option.group(1)
    assert "ljxz" in option.group(1)


def test_area_label_rule() -> None:
    assert area_label("白川村", "village", "刘家峡镇") == "刘家峡镇 · 白川村"
    assert area_label("刘家峡镇", "township", "永靖县") == "刘家峡镇"
    assert area_label("永靖县", "county", None) == "永靖县"
