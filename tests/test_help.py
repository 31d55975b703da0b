"""Help inside the app: the user guide rendered from docs/user-guide.md (raw HTML off, anchors from
the headings, cached per process), the navbar's help link to the current page's section (the
registry on each AppConfig), and the "怎么做" hints on the main forms."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from fpa.core import help
from fpa.core.help import GuideMissing, guide, guide_path, render, slug
from fpa.core.models import AuditEvent
from tests.test_scope_walk import ROUTES
from tests.test_security_headers import INLINE

ROOT = Path(__file__).resolve().parent.parent

# Pages that need no help of their own: machine answers (JSON, files) and redirects.
WITHOUT_HELP = {
    "core:set_language",
    "core:healthz",
    "core:readyz",
    "core:favicon",
}

TINY = textwrap.dedent(
    """\
    # 小指南

    开头的话。<script>alert("x")</script>

    ## 一、甲章（注释）
    <b onclick="steal()">粗体</b> [链接](javascript:alert(1)) 见 `/volunteers/apply/`。

    ### 导入导出
    甲的导入。

    ### 小节
    一。

    ### 小节
    二。

    ## 二、乙章
    ### 导入导出
    乙的导入。

    | 左 | 右 |
    |:---|---:|
    | 1 | 2 |
    """
)


def section_url(anchor: str) -> str:
    return guide().anchors[anchor].url


def help_link(html: str) -> str:
    """The href of the navbar's help link."""
    found = re.findall(r'<a [^>]*href="([^"]+)" data-fpa-help>', html)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def tiny_guide(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "guide.md"
    path.write_text(TINY, encoding="utf-8")
    settings.FPA_USER_GUIDE = str(path)
    return path


# --- the guide --------------------------------------------------------------------------------


def test_the_guide_is_the_repository_file_found_from_base_dir(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # not the checkout: the path does not depend on the cwd
    assert guide_path() == Path(django_settings.BASE_DIR) / "docs" / "user-guide.md"
    assert guide_path().is_absolute() and guide_path().exists()
    document = guide()
    assert document.title == "用户指南"
    assert len(document.chapters) >= 15
    assert {"登录", "计生特殊家庭", "会员-excel导入导出", "帮助与说明"} <= set(document.anchors)


def test_slugs_drop_the_ordinal_and_the_notes():
    assert slug("七、计生特殊家庭（暖心行动）") == "计生特殊家庭"
    assert slug("八、会员（改革方案第9、14条）") == "会员"
    assert slug("十五、后台任务（我的任务）") == "后台任务"
    assert slug("会员信息、状态与会员小组") == "会员信息-状态与会员小组"
    assert slug("Excel导入导出") == "excel导入导出"
    assert slug("\u3007、平台首页（群众不需要登录）") == "平台首页"  # the ideographic zero


def test_anchors_and_table_of_contents(tiny_guide):
    document = guide()
    assert document.title == "小指南"
    assert [c.anchor for c in document.chapters] == ["甲章", "乙章"]
    first, second = document.chapters
    # A title used twice is prefixed with its chapter, both times; twice in one chapter: numbered.
    assert [h.anchor for h in first.subheadings] == ["甲章-导入导出", "甲章-小节", "甲章-小节-2"]
    assert [h.anchor for h in second.subheadings] == ["乙章-导入导出"]
    for chapter in document.chapters:
        assert f'<h2 id="{chapter.anchor}">' in chapter.html
        for heading in chapter.subheadings:
            assert f'<h3 id="{heading.anchor}">' in chapter.html
            assert heading.chapter == chapter.anchor
            assert unquote(heading.url) == f"/help/{chapter.anchor}/#{heading.anchor}"
    response = Client().get("/help/")
    assert response.status_code == 200
    body = response.content.decode()
    for heading in document.anchors.values():
        assert f'href="{heading.url}"' in body  # the table of contents links every heading
        assert f'id="{heading.anchor}"' in body  # and every heading is on the page
    assert "开头的话" in body


def test_raw_html_and_script_links_are_not_passed_through(tiny_guide):
    for url in ("/help/", reverse("core:help_section", args=["甲章"])):
        response = Client().get(url)
        assert response.status_code == 200
        body = response.content.decode()
        for what in ("inline <script>", "on* handler", "style attribute", "<style> element"):
            assert INLINE[what].search(body) is None, (url, what)
        assert not re.search(r"href=\"\s*javascript:", body, re.I), url
        assert "&lt;b onclick=&quot;steal()&quot;&gt;" in body  # shown as text
        assert "<b " not in body and "<b>" not in body
    body = Client().get("/help/").content.decode()
    assert "&lt;script&gt;alert" in body
    # A local address in a code span links to it; the table's alignment is a class.
    assert '<a href="/volunteers/apply/"><code>/volunteers/apply/</code></a>' in body
    assert '<th class="text-start">' in body and '<td class="text-end">' in body


def test_rendered_once_per_process_until_the_file_changes(tiny_guide):
    first = guide()
    assert guide() is first  # cached: not rendered again
    Client().get("/help/")
    assert guide() is first
    tiny_guide.write_text(TINY.replace("## 二、乙章", "## 二、丙章"), encoding="utf-8")
    stat = tiny_guide.stat()
    os.utime(tiny_guide, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = guide()
    assert second is not first
    assert "丙章" in second.anchors and "乙章" not in second.anchors
    assert guide() is second


def test_a_missing_guide_is_a_clear_message_not_a_500(settings, tmp_path, yongjing):
    settings.FPA_USER_GUIDE = str(tmp_path / "nowhere.md")
    with pytest.raises(GuideMissing):
        guide()
    response = Client().get("/help/")
    assert response.status_code == 503
    assert "帮助文档暂时无法打开" in response.content.decode()
    assert Client().get("/help/登录/").status_code == 503
    # Every other page still renders; its help link falls back to the guide's address.
    page = Client().get("/volunteers/apply/")
    assert page.status_code == 200
    assert help_link(page.content.decode()) == "/help/"


def test_the_production_layout_finds_the_guide(tmp_path):
    """Production settings, started from another directory (as gunicorn under a process manager
    may be): the guide is the checkout's file, not a collected static file."""
    script = (
        "import django; django.setup()\n"
        "from fpa.core.help import guide, guide_path\n"
        "print(guide_path()); print(len(guide().chapters))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FPA_"))} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 64,
        "DJANGO_ALLOWED_HOSTS": "fpa.example",
        "PYTHONPATH": str(ROOT),
        "FPA_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    path, chapters = result.stdout.split()
    assert path == str(ROOT / "docs" / "user-guide.md")
    assert int(chapters) >= 15


# --- the pages --------------------------------------------------------------------------------


def test_anonymous_visitors_read_the_guide_and_each_chapter(db):
    client = Client()
    response = client.get("/help/")
    assert response.status_code == 200
    body = response.content.decode()
    for chapter in guide().chapters:
        assert chapter.title in body
    page = client.get(section_url("平台首页"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="平台首页"' in text and 'id="登录"' not in text  # one chapter, not the guide
    assert guide().chapter("登录").heading.url in text  # its neighbour, "next"
    # A ### anchor is its chapter's page, at that heading.
    jump = client.get(reverse("core:help_section", args=["报名-考察-签约"]))
    assert jump.status_code == 302
    assert jump["Location"] == section_url("报名-考察-签约")
    assert unquote(jump["Location"]).startswith("/help/志愿者/#")


def test_help_pages_refuse_what_they_do_not_serve(db):
    """Refused: an unknown section is a 404, a write is a 405; nothing is recorded."""
    client = Client()
    assert client.get("/help/no-such-chapter/").status_code == 404
    assert client.get("/help/" + "长" * 500 + "/").status_code == 404
    assert client.post("/help/").status_code == 405
    assert client.post(section_url("登录")).status_code == 405
    assert not AuditEvent.objects.exists()


def test_the_help_link_points_at_the_current_pages_section(client_for, township):
    client = client_for(township)
    cases = {
        "/families/new/": "登记与家庭信息",
        "/families/": "计生特殊家庭",
        "/members/import/": "会员-excel导入导出",
        "/fund/grants/": "资助申请流程",
        "/jobs/": "后台任务",
        "/": "工作台与待办",
        "/accounts/profile/": "登录",
        "/help/": "帮助与说明",
    }
    for url, anchor in cases.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert help_link(response.content.decode()) == section_url(anchor), url
    # The link leads to a page that has that heading.
    target = client.get(section_url("登记与家庭信息"))
    assert target.status_code == 200 and 'id="登记与家庭信息"' in target.content.decode()


def test_visitors_get_the_public_sections(county):
    from tests.fund_helpers import county_fund

    county_fund(county)
    client = Client()
    cases = {
        "/": "平台首页",
        "/accounts/login/": "登录",
        "/volunteers/apply/": "报名-考察-签约",
        "/volunteers/verify/": "服务证明与查验",
        "/ledger/": "可验证账本",
        "/fund/public/": "公开页与报表",
        "/fund/public/622923/feedback/": "社会监督",
    }
    for url, anchor in cases.items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert help_link(response.content.decode()) == section_url(anchor), url
    # Signed out on a staff page: sent to sign in, where the help is about signing in.
    response = client.get("/families/new/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert help_link(response.content.decode()) == section_url("登录")


# --- the registry -----------------------------------------------------------------------------


def test_every_registered_anchor_exists_in_the_rendered_guide():
    """A renamed heading fails here (and so does a renamed URL name)."""
    anchors = set(guide().anchors)
    assert help.registered_anchors() <= anchors, help.registered_anchors() - anchors
    names = {route.name for route in ROUTES}
    for key in help.help_sections():
        if "*" in key:
            assert any(re.fullmatch(key.replace("*", ".*"), name) for name in names), key
        else:
            assert key in names, key
    for key in help.howto_hints():
        assert key in names, key
        assert help.heading_for(key, signed_in=True) is not None, key


def test_every_page_has_a_section():
    missing = [
        route.name
        for route in ROUTES
        if route.name not in WITHOUT_HELP and help.anchor_for(route.name, signed_in=True) is None
    ]
    assert missing == []


def test_exact_names_win_over_patterns_and_the_longest_pattern_wins():
    assert help.anchor_for("fund:public_feedback", signed_in=False) == "社会监督"
    assert help.anchor_for("fund:public_grants", signed_in=False) == "公开页与报表"
    assert help.anchor_for("fund:grants", signed_in=True) == "资助申请流程"
    assert help.anchor_for("volunteers:list", signed_in=True) == "志愿者"
    assert help.anchor_for("volunteers:vet", signed_in=True) == "报名-考察-签约"
    assert help.anchor_for("dashboard:home", signed_in=True) == "工作台与待办"
    assert help.anchor_for("dashboard:home", signed_in=False) == "平台首页"
    assert help.anchor_for("nowhere:page", signed_in=True) is None
    assert help.anchor_for(None, signed_in=True) is None


def test_the_markdown_renderer_on_its_own():
    document = render("# T\n\n### 前言\n\n## 章\n正文\n")
    assert document.title == "T"
    assert document.anchors["前言"].url == "/help/#%E5%89%8D%E8%A8%80"  # before any chapter
    assert document.chapter("章") is not None and "正文" in document.chapter("章").html


# --- the "怎么做" hints ------------------------------------------------------------------------

HOWTO = re.compile(r'<details class="fpa-howto[^"]*">(.*?)</details>', re.S)


def howto(html: str) -> str | None:
    found = HOWTO.findall(html)
    assert len(found) <= 1
    return found[0] if found else None


def test_the_main_forms_carry_a_hint_that_links_its_section(client_for, township, yongjing):
    from tests.conftest import LIUJIAXIA

    client = client_for(township)
    pages = {
        "/families/new/": ("families:register", "登记与家庭信息"),
        "/fund/grants/new/": ("fund:grant_new", "资助申请流程"),
        "/members/apply/": ("members:apply", "入会申请与理事会审批"),
        f"/org/a/{LIUJIAXIA}/staff/new/": ("organizations:staff_create", "工作人员与培训"),
        f"/org/a/{LIUJIAXIA}/filing/": ("organizations:filing_submit", "备案"),
        "/families/import/": ("families:import", "计生特殊家庭-excel导入导出"),
        "/volunteers/import/": ("volunteers:import", "志愿者-excel导入导出"),
        "/org/staff/import/": ("organizations:staff_import", "工作人员与培训"),
    }
    for url, (name, anchor) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        hint = howto(response.content.decode())
        assert hint is not None, url
        assert str(help.howto_hints()[name]) in hint, url
        assert f'href="{section_url(anchor)}"' in hint, url
        assert "怎么做" in hint
    # A page without a hint of its own shows none.
    assert howto(client.get("/families/").content.decode()) is None


def test_the_public_application_carries_its_hint_for_visitors(db, yongjing):
    response = Client().get("/volunteers/apply/")
    hint = howto(response.content.decode())
    assert hint is not None
    assert "监护人" in hint and f'href="{section_url("报名-考察-签约")}"' in hint


def test_a_care_record_form_carries_its_hint(client_for, township, township2):
    from tests.conftest import LIUJIAXIA, YANGUOXIA
    from tests.fund_helpers import family_in

    family = family_in(township, LIUJIAXIA)
    client = client_for(township)
    response = client.get(f"/families/{family.pk}/care/new/")
    assert response.status_code == 200
    hint = howto(response.content.decode())
    assert hint is not None and f'href="{section_url("帮扶记录与诉求")}"' in hint
    # Refused: another township's family has no form (404), and no hint comes with it.
    foreign = family_in(township2, YANGUOXIA, n=25)
    refused = client.get(f"/families/{foreign.pk}/care/new/")
    assert refused.status_code == 404 and howto(refused.content.decode()) is None


def test_on_english_pages_the_hint_does_not_name_the_chinese_section(db, yongjing, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/volunteers/apply/").content.decode()
    hint = howto(body)
    assert hint is not None and f'href="{section_url("报名-考察-签约")}"' in hint
    assert "报名、考察、签约" not in hint  # the guide is in Chinese only
    page = client.get("/help/").content.decode()
    assert 'lang="en"' in page and "alert-info" in page  # says the guide is in Chinese only
    assert "alert-info" not in Client().get("/help/").content.decode()
