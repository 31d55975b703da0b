"""The fast form renderer writes exactly what Django's widget templates write, for every widget
kind the project's forms use, including values and labels that need escaping; the widgets it does
not handle go to Django's templates."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from fpa.core.form_renderer import FastWidgetRenderer
from fpa.organizations.models import Association

NASTY = "a<b>\"c'&d 张三"


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="帮助")
    optional = forms.CharField(required=False)
    number = forms.IntegerField(min_value=0)
    decimal = forms.DecimalField(max_digits=8, decimal_places=2)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField()
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=[("", "—"), ("a", NASTY), ("b", gettext_lazy("状态"))])
    grouped = forms.ChoiceField(
        choices=[("组<1>", [("x", "X"), ("y", mark_safe("<b>Y</b>"))]), ("z", "Z")]
    )
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")], required=False)
    maybe = forms.NullBooleanField()
    note = forms.CharField(widget=forms.Textarea)
    pick = forms.ChoiceField(widget=forms.RadioSelect, choices=[("p", "P"), ("q", "Q")])
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))


VALUES = {
    "text": NASTY,
    "optional": "",
    "number": "12",
    "decimal": "3.50",
    "day": datetime.date(2026, 12, 3),
    "email": "a@b.cn",
    "secret": 'p"w<',
    "hidden": NASTY,
    "agree": "on",
    "choice": "a",
    "grouped": "y",
    "many": ["1", "2"],
    "maybe": "true",
    "note": NASTY,
    "pick": "q",
    "search": "",
}


def html_of(form: forms.Form, renderer: object, css: bool) -> list[str]:
    form.renderer = renderer
    out = []
    for field in form:
        attrs = {"class": "form-control is-invalid", "disabled": False} if css else None
        out.append(str(field.as_widget(attrs=attrs)))
    return out


@pytest.mark.parametrize("bound", [False, True])
@pytest.mark.parametrize("css", [False, True])
def test_every_widget_renders_as_django_renders_it(bound: bool, css: bool) -> None:
    def form() -> forms.Form:
        return Everything(VALUES if bound else None, initial={"number": 7, "day": None})

    fast, django = (
        html_of(form(), FastWidgetRenderer(), css),
        html_of(form(), DjangoTemplates(), css),
    )
    assert fast == django
    joined = "".join(fast)
    assert "&lt;b&gt;&quot;c&#x27;&amp;d" in joined or not bound  # the nasty value, escaped
    assert "<b>" not in joined.replace("<b>Y</b>", "")  # nothing unescaped but the safe label


@pytest.mark.django_db
def test_model_choices_render_as_django_renders_them() -> None:
    class Pick(forms.Form):
        association = forms.ModelChoiceField(Association.objects.order_by("pk")[:5])

    first = Association.objects.order_by("pk").first()
    data = {"association": str(first.pk)} if first else None
    assert html_of(Pick(data), FastWidgetRenderer(), True) == html_of(
        Pick(data), DjangoTemplates(), True
    )


def test_the_project_uses_the_fast_renderer() -> None:
    assert isinstance(forms.Form().renderer, FastWidgetRenderer)


def test_inputs_and_selects_never_reach_the_template_engine() -> None:
    from fpa.core.form_renderer import INPUT_TEMPLATES, OPTION_TEMPLATE, SELECT_TEMPLATE

    class Strict(FastWidgetRenderer):
        def get_template(self, template_name: str):  # type: ignore[no-untyped-def]
            assert template_name not in INPUT_TEMPLATES | {SELECT_TEMPLATE, OPTION_TEMPLATE}
            return super().get_template(template_name)

    html = html_of(Everything(VALUES), Strict(), True)  # the textarea and radio go to templates
    assert len(html) == len(Everything.base_fields) and "<textarea" in "".join(html)
