"""The healthy-family pages' help: every page of the module points at a section of the user guide
and the nomination form carries its hint. The section is in docs/user-guide.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from fpa.core import help
from fpa.core.help import guide
from fpa.healthyfamilies import urls
from fpa.healthyfamilies.help import HOWTO, SECTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide_with_section(settings: Any) -> Path:
    """The repository's guide, which holds the section (docs/user-guide.md)."""
    path = Path(django_settings.BASE_DIR) / "docs" / "user-guide.md"
    assert "健康家庭创建" in path.read_text(encoding="utf-8")
    settings.FPA_USER_GUIDE = str(path)
    return path


def routes() -> list[str]:
    return [f"healthyfamilies:{pattern.name}" for pattern in urls.urlpatterns]


def test_every_page_of_the_module_has_a_section_that_exists(guide_with_section: Path) -> None:
    anchors = set(guide().anchors)
    names = routes()
    assert len(names) >= 13
    for name in names:
        for signed_in in (True, False):
            anchor = help.anchor_for(name, signed_in=signed_in)
            assert anchor in anchors, (name, anchor)
    assert set(SECTIONS.values()) <= anchors
    assert help.anchor_for("healthyfamilies:review", signed_in=True) == "提名-推荐与命名"
    assert help.anchor_for("healthyfamilies:public_list", signed_in=False) == "命名名单公开"
    assert help.anchor_for("healthyfamilies:counts", signed_in=True) == "各乡镇统计与命名名单"
    assert guide().anchors["健康家庭创建"].level == 2


def test_the_nomination_form_carries_its_hint(
    guide_with_section: Path, client_for: Any, village: Any
) -> None:
    html = client_for(village).get("/healthy-families/new/").content.decode()
    assert str(HOWTO["healthyfamilies:new"]) in html
    section = guide().anchors["提名-推荐与命名"].url
    assert re.search(rf'href="{re.escape(section)}"', html)


def test_the_public_list_links_its_section_for_visitors(
    guide_with_section: Path, client: Any
) -> None:
    html = client.get("/healthy-families/public/").content.decode()
    assert guide().anchors["命名名单公开"].url in html
