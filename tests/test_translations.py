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
