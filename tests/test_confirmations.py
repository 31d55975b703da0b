"""Every decision that cannot be taken back asks first and says what will happen (issue 12, item
7): the form, or the button that sends the decision, carries `data-fpa-confirm` with the text
(fpa/static/fpa/app.js asks with it before the form is sent).

Found by construction, so a new decision without a confirmation fails here:
- every POST form of every template (fpa/templates/**/*.html) whose submit button is labelled
  with a decision word, or whose action is a URL named with a decision verb, must carry it;
- every URL of the site named with a decision verb must be the action of such a form, or a form
  page listed in FORM_PAGES (a page with one form, whose template carries the confirmation for
  it), or be listed, with the reason, in REVERSIBLE.
The pages of a form template shared with pages that do not ask (rights 办结/重新办理, the
childcare outcome, the end of a staff member's term, the end of a 三留守 record: each view passes
its text as `confirm`) are rendered and checked too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.conftest import DAZHUANG, LIUJIAXIA
from tests.english import default_language_afterwards  # noqa: F401  (a fixture)

TEMPLATES = Path(__file__).resolve().parent.parent / "fpa" / "templates"

# The words of a decision on a submit button, gathered from the forms that already asked before
# this test (批准, 拒绝, 冲销, 办结, 撤销, 撤回, 删除, 取消, 停用, 卸任, 结束, 重新打开, 不予确认,
# 提交意见, 确认支付, 销号 ...) and from issue 12 (不通过, 撤下, 退回, 结案, 退保, 注销, 终止, 关闭,
# 支付, 冲正, 驳回, 接收, 拒收).
DECISION_WORDS = (
    "批准",
    "拒绝",
    "不予",
    "不通过",
    "撤下",
    "退回",
    "结案",
    "退保",
    "注销",
    "撤销",
    "撤回",
    "删除",
    "终止",
    "关闭",
    "支付",
    "冲正",
    "冲销",
    "销号",
    "驳回",
    "接收",
    "拒收",
    "办结",
    "取消",
    "停用",
    "卸任",
    "结束",
    "重新打开",
    "重新办理",
    "答复",
    "意见",
    "决定",
)

# The verbs of a decision in a URL's name (one of its `_`-separated words).
DECISION_VERBS = frozenset(
    {
        "accept",
        "approve",
        "award",
        "cancel",
        "close",
        "decide",
        "delete",
        "end",
        "outcome",
        "pay",
        "premium",
        "refuse",
        "reject",
        "remove",
        "reopen",
        "return",
        "reverse",
        "review",
        "revoke",
        "take",
        "withdraw",
    }
)

# Decisions taken on a page of their own (a GET shows the form, the POST decides): the URL and
# the template whose form asks. The page is the only form of its template, so the template
# carrying the attribute (when its view passes `confirm`) is what the walk can check; the pages
# of a shared form template are rendered in the tests at the end.
FORM_PAGES = {
    "members:reject": "members/form.html",  # the view passes `confirm`
    "organizations:close": "organizations/form.html",  # the view passes `confirm`
    "organizations:staff_end": "organizations/form.html",  # the view passes `confirm`
    "rights:close": "rights/form.html",  # the view passes `confirm`
    "rights:reopen": "rights/form.html",  # the view passes `confirm`
    "childcare:outcome": "childcare/form.html",  # the view passes `confirm`
    "leftbehind:end": "leftbehind/form.html",  # the view passes `confirm`
    "organizations:filing_review": "organizations/filing_review.html",  # its only form
}

# Named like a decision, but reversible (or not a decision at all): each with the reason.
REVERSIBLE = {
    # 登记开展情况: the counts are corrected on the activity's page (保存更正).
    "activities:hold",
    # 关闭签到 is reopened on the same page (开放签到); the sign-in page still asks (it is the
    # one shown on the projector), the activity page does not.
    "activities:signin_close",
    # a health case reopened is closed again by its next follow-up (结案); the reason is audited.
    "activities:health_case_reopen",
}

# Forms with a decision word that are reversible, by template and button label.
REVERSIBLE_FORMS = {
    # 取消公开 / 设为公开: one toggle, either way at any time.
    ("activities/photo_gallery.html", "取消公开"),
    # 关闭签到 on the activity page: reopened by 开放签到 on the same page (see REVERSIBLE).
    ("activities/activity_detail.html", "关闭签到"),
    # 重新打开 a health case: closed again by a follow-up (see REVERSIBLE).
    ("activities/health_detail.html", "重新打开"),
}

FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)
BUTTON = re.compile(
    r"<button\b(?P<attrs>[^>]*)>(?P<label>.*?)</button>"
    r"|<input\b(?P<input>[^>]*\btype=\"submit\"[^>]*)>",
    re.S | re.I,
)
# the URL names in a form's tag: its action (one or two, when the action depends on the user)
ACTION = re.compile(r"""\{% url ['"](?P<name>[\w:]+)['"]""")
TRANSLATED = re.compile(
    r"""\{% translate ['"]([^'"]+)['"]|\{% blocktranslate[^%]*%\}(.*?)\{% endblocktranslate"""
)
TAGS = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|<[^>]+>", re.S)
CONFIRM = "data-fpa-confirm"


def label_of(raw: str) -> str:
    """A button's words: the texts of its translate tags and its plain text."""
    texts = [m.group(1) or m.group(2) for m in TRANSLATED.finditer(raw)]
    return " ".join([*texts, TAGS.sub(" ", raw)])


def post_forms(text: str) -> Iterator[tuple[int, str, str]]:
    for match in FORM.finditer(text):
        if re.search(r'method="?post', match.group("attrs"), re.I):
            line = text.count("\n", 0, match.start()) + 1
            yield line, match.group("attrs"), match.group("body")


def decision_verb(url_name: str) -> bool:
    return bool(DECISION_VERBS & set(url_name.split(":")[-1].split("_")))


def unconfirmed_decisions(text: str, where: str) -> list[str]:
    """The decision forms of one template that do not ask first, as `where:line label`."""
    missing = []
    for line, attrs, body in post_forms(text):
        form_asks = CONFIRM in attrs
        buttons = [
            (b.group("attrs") or b.group("input") or "", label_of(b.group("label") or ""))
            for b in BUTTON.finditer(body)
        ]
        actions = [
            m.group("name")
            for m in ACTION.finditer(attrs)
            if decision_verb(m.group("name")) and m.group("name") not in REVERSIBLE
        ]
        for button_attrs, label in buttons:
            words = [w for w in DECISION_WORDS if w in label]
            if not words or any(t == where and w in label for t, w in REVERSIBLE_FORMS):
                continue
            if not (form_asks or CONFIRM in button_attrs):
                missing.append(f"{where}:{line} {words[0]} ({label.split()[0]})")
        if actions and not form_asks and not any(CONFIRM in a for a, _ in buttons):
            missing.append(f"{where}:{line} {actions[0]}")
    return missing


def templates() -> Iterator[tuple[str, str]]:
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield str(path.relative_to(TEMPLATES)), path.read_text(encoding="utf-8")


def url_names(resolver: Any = None, namespace: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


# --- the walk -----------------------------------------------------------------------------------


def test_the_walk_finds_the_decision_forms() -> None:
    """The walk is not blind: it finds the known decision forms (so an empty result below means
    they ask, not that nothing was looked at)."""
    found = {
        (where, line)
        for where, text in templates()
        for line, attrs, body in post_forms(text)
        if CONFIRM in attrs or CONFIRM in body
    }
    places = {where for where, _line in found}
    assert len(found) >= 40
    for template in (
        "fund/feedback.html",
        "fund/grant_detail.html",
        "insurance/claim.html",
        "insurance/enrolment.html",
        "insurance/year.html",
        "childcare/_problem.html",
        "rights/form.html",
        "core/transfer_detail.html",
    ):
        assert template in places, template


def test_every_decision_form_asks_before_it_is_sent() -> None:
    missing = [m for where, text in templates() for m in unconfirmed_decisions(text, where)]
    assert missing == [], "\n".join(missing)


def test_every_decision_url_is_asked_for() -> None:
    """Each URL named like a decision is the action of a form the walk checked, a listed form
    page, or listed as reversible; API routes answer programs and are not pages."""
    actions = {
        m.group("name")
        for _where, text in templates()
        for _line, attrs, _body in post_forms(text)
        for m in ACTION.finditer(attrs)
    }
    unexplained = sorted(
        name
        for name in url_names()
        if not name.startswith("api:")
        and decision_verb(name)
        and name not in actions
        and name not in FORM_PAGES
        and name not in REVERSIBLE
    )
    assert unexplained == [], "\n".join(unexplained)
    names = set(url_names())
    for name, template in FORM_PAGES.items():
        assert name in names, name  # the listed page still exists
        assert CONFIRM in (TEMPLATES / template).read_text(encoding="utf-8"), name


# --- the walk fails when a confirmation goes ----------------------------------------------------


@pytest.mark.parametrize(
    ("template", "word"),
    [
        ("fund/feedback.html", "不通过"),
        ("fund/feedback.html", "撤下"),
        ("insurance/claim.html", "结案"),
        ("insurance/enrolment.html", "退保"),
        ("childcare/_problem.html", "退回"),
        ("core/transfer_detail.html", "接收"),
    ],
)
def test_removing_a_confirmation_is_caught(template: str, word: str) -> None:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert unconfirmed_decisions(text, template) == []
    stripped = re.sub(r'\s*data-fpa-confirm="[^"]*"', "", text)
    assert any(word in m for m in unconfirmed_decisions(stripped, template)), word


def test_a_new_decision_form_without_a_confirmation_is_caught() -> None:
    new = (
        '<form method="post" action="{% url \'x:thing\' 1 %}">{% csrf_token %}'
        '<button class="btn" type="submit">{% translate "终止" %}</button></form>'
        '<form method="post" action="{% url \'x:thing_reject\' 1 %}">{% csrf_token %}'
        '<button type="submit">{% translate "提交" %}</button></form>'
        '<form method="post"><button type="submit">{% translate "保存" %}</button></form>'
    )
    assert len(unconfirmed_decisions(new, "new.html")) == 2
    asked = new.replace(
        '<form method="post" action', '<form method="post" data-fpa-confirm="?" action'
    )
    assert unconfirmed_decisions(asked, "new.html") == []


# --- the pages whose confirmation depends on the page -------------------------------------------


def confirmation(html: str) -> str:
    found = re.search(r'<form method="post"[^>]*data-fpa-confirm="([^"]+)"', html)
    return found.group(1) if found else ""


@pytest.mark.django_db
def test_the_rights_close_and_reopen_pages_ask(client_for: Any, township: Any) -> None:
    from fpa.rights import services
    from tests import rights_helpers

    client = client_for(township)
    case = rights_helpers.case(township, DAZHUANG)
    assert "办结后案件不能再修改" in confirmation(
        client.get(reverse("rights:close", args=[case.pk])).content.decode()
    )
    # the other form pages of the module do not ask (refer, edit: they can be redone)
    assert confirmation(client.get(reverse("rights:refer", args=[case.pk])).content.decode()) == ""
    closed = rights_helpers.closed(township, case)
    services.case_rate(actor=township, case=closed, satisfaction="dissatisfied")
    page = client.get(reverse("rights:reopen", args=[case.pk])).content.decode()
    assert "重新办理后案件回到办理中" in confirmation(page)


@pytest.mark.django_db
def test_the_childcare_outcome_page_asks_and_the_recommendation_does_not(
    client_for: Any, township: Any
) -> None:
    from fpa.childcare import services
    from fpa.childcare.models import Recommendation
    from tests.childcare_helpers import institution

    client = client_for(township)
    centre = institution(township, DAZHUANG)
    recommend_page = client.get(reverse("childcare:recommend", args=[centre.pk]))
    assert recommend_page.status_code == 200
    assert confirmation(recommend_page.content.decode()) == ""
    pending = services.recommendation_create(
        actor=township,
        institution=centre,
        year=timezone.localdate().year,
        level=Recommendation.Level.PREFECTURE,
        recommended_on=timezone.localdate(),
    )
    page = client.get(reverse("childcare:outcome", args=[pending.pk])).content.decode()
    assert "评审结果只能登记一次" in confirmation(page)


@pytest.mark.django_db
def test_the_end_of_a_staff_members_term_asks(client_for: Any, county: Any) -> None:
    from tests.conftest import staff_in

    person = staff_in(county, LIUJIAXIA)
    page = client_for(county).get(reverse("organizations:staff_end", args=[person.pk]))
    assert page.status_code == 200
    assert "离任后" in confirmation(page.content.decode())


@pytest.mark.django_db
def test_the_end_of_a_left_behind_record_asks_and_its_edit_does_not(
    client_for: Any, township: Any
) -> None:
    from tests.leftbehind_helpers import person

    found = person(township, DAZHUANG)
    client = client_for(township)
    page = client.get(reverse("leftbehind:end", args=[found.pk]))
    assert page.status_code == 200
    assert "确定结束这条记录吗" in confirmation(page.content.decode())
    edit = client.get(reverse("leftbehind:edit", args=[found.pk]))
    assert edit.status_code == 200
    assert confirmation(edit.content.decode()) == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("default_language_afterwards")
def test_the_confirmations_passed_by_the_views_are_translated(county: Any) -> None:
    from tests.conftest import staff_in
    from tests.english import english

    person = staff_in(county, LIUJIAXIA)
    page = english(county).get(reverse("organizations:staff_end", args=[person.pk]))
    asked = confirmation(page.content.decode())
    assert asked and "离任" not in asked and "?" in asked
