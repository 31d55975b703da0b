"""The English strings files (locale/en/strings*.txt, read by scripts/translations_en.py): one
translation per Chinese message. The same message translated twice, differently, in two files
silently took whichever file sorted last (the jobs menu read "My assignments")."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "translations_en", ROOT / "scripts" / "translations_en.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_one_translation() -> None:
    english = _script().load()
    assert english["我的任务"] == "My jobs"
    assert english["volunteer::我的任务"] == "My assignments"
    assert english["campaign::进行中"] == "Open" and english["进行中"] == "Running"


def test_a_message_translated_twice_differently_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _script()
    (tmp_path / "strings-a.txt").write_text("进行中|Running\n", encoding="utf-8")
    (tmp_path / "strings.txt").write_text("进行中|Open\n", encoding="utf-8")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    with pytest.raises(SystemExit, match="translated twice"):
        module.load()
    (tmp_path / "strings.txt").write_text("进行中|Running\n", encoding="utf-8")
    assert module.load() == {"进行中": "Running"}


def test_the_english_page_check_finds_chinese_text_and_read_attributes() -> None:
    """The checker every English-page test relies on (tests.english.chinese_left) must see
    Chinese in text, in read attributes and in confirmations, and leave data and scripts out."""
    from tests.english import chinese_left

    html = (
        '<p title="提示">Hello 你好，<b>马秀英</b></p><button data-fpa-confirm="确定吗？">OK</button>'
        "<script>var x = '脚本';</script><option>简体中文</option>"
    )
    assert chinese_left(html, ["马秀英"]) == ["你好，", "提示", "确定吗？"]
    assert chinese_left("<p>All English</p>", []) == []


PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_the_catalogue_has_every_message_translated() -> None:
    """The committed catalogue (makemessages, then scripts/translations_en.py) leaves no message
    without its English, and no message holds a written-out escape such as \\u201c: xgettext
    keeps a Python string's escape as it is written, so the message in the catalogue never
    matches the string the code asks for, and the page stays in Chinese (a confirmation did)."""
    import re

    text = PO.read_text(encoding="utf-8")
    pairs = re.findall(
        r'^msgid "(.+)"\n(?:msgid_plural "(?:.*)"\n)?msgstr(?:\[0\])? "(.*)"$', text, re.M
    )
    assert len(pairs) > 4000
    untranslated = [msgid for msgid, msgstr in pairs if not msgstr]
    assert untranslated == []
    escaped = [msgid for msgid, _ in pairs if re.search(r"\\\\u[0-9a-fA-F]{4}", msgid)]
    assert escaped == []
