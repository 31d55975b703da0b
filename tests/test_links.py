"""Addresses reversed once per worker (fpa.core.links, `{% link %}`) and filter options written in
Python (`{% options %}`): the same bytes as `reverse`, `{% url %}` and the template loop they
replace, under any script prefix."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix

from fpa.core.links import link, link_to
from fpa.organizations.selectors import AreaOption

NAMES = ["families:list", "families:coverage", "fund:home", "dashboard:home", "core:job_list"]


def render(source: str, **context: Any) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("name", NAMES)
def test_link_is_reverse(name: str) -> None:
    assert link(name) == reverse(name)
    assert render("{% load fpa %}{% link name %}", name=name) == render("{% url name %}", name=name)


def test_link_to_is_reverse_with_the_key() -> None:
    for key in (1, 42, 918273645, 10**12):
        assert link_to("families:detail", key) == reverse("families:detail", args=[key])


def test_the_script_prefix_is_part_of_the_address() -> None:
    try:
        set_script_prefix("/fpa/")
        assert link("families:list") == "/fpa/families/" == reverse("families:list")
        assert link_to("families:detail", 7) == reverse("families:detail", args=[7])
    finally:
        set_script_prefix("/")
    assert link("families:list") == "/families/"


def test_link_to_refuses_a_name_without_one_key() -> None:
    with pytest.raises((NoReverseMatch, ValueError)):
        link_to("families:list", 3)


LOOP = (
    '{% for a in areas %}<option value="{{ a.code }}"{% if a.code == area.code %} selected'
    "{% endif %}>{{ a.label }}</option>{% endfor %}"
)


@pytest.mark.parametrize("chosen", [None, "620000000001", "<x>"])
def test_options_are_the_template_loop_byte_for_byte(chosen: str | None) -> None:
    areas = [
        AreaOption("620000000001", "刘家峡镇"),
        AreaOption("<x>", 'a "quoted" <b>name</b> & co'),
        AreaOption("620000000002", "盐锅峡镇 · 黄河村"),
    ]
    area = None if chosen is None else AreaOption(chosen, "")
    ours = render("{% load fpa %}{% options areas area.code %}", areas=areas, area=area)
    assert ours == render(LOOP, areas=areas, area=area)
    assert "&lt;b&gt;name&lt;/b&gt; &amp; co" in ours and "<b>" not in ours
    assert ours.count(" selected") == (0 if chosen is None else 1)


def test_options_take_value_label_pairs() -> None:
    html = render("{% load fpa %}{% options pairs 2 %}", pairs=[(1, "一"), (2, "二")])
    assert html == '<option value="1">一</option><option value="2" selected>二</option>'
