"""What the English-page tests share: a client that asks for English, and the Chinese left on a
page once its data (names, places, the Excel format, typed values) is taken out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.conftest import login

CJK = re.compile(r"[\u4e00-\u9fff]")
TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S)
# The attributes whose text a person reads or hears: placeholders, labels for screen readers,
# tooltips, image texts and the confirmation asked before a decision.
READ_ATTRIBUTES = re.compile(r'(?:placeholder|aria-label|title|alt|data-fpa-confirm)="([^"]*)"')


@pytest.fixture(autouse=True)
def default_language_afterwards() -> Iterator[None]:
    """LocaleMiddleware leaves the last request's language active in the thread: tests that run
    after these ones in the same worker call services directly and expect Chinese. (A test module
    imports this fixture to have it.)"""
    yield
    translation.deactivate()


def english(user: Any = None) -> Client:
    """A client (signed in as `user`, or a visitor) whose pages come in English."""
    client = Client() if user is None else login(Client(), user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def chinese_left(html: str, data: Iterable[str]) -> list[str]:
    """The Chinese left in the visible text and read attributes of a page once `data` (longest
    first) is removed; the language switch's own name is not counted."""
    text = TAG.sub(" ", html)
    text = f"{text} {' '.join(READ_ATTRIBUTES.findall(html))}"
    for value in data:
        text = text.replace(value, " ")
    text = text.replace("简体中文", " ")
    return sorted({m.strip() for m in re.findall(r"\S*[\u4e00-\u9fff]+\S*", text)})


def data_words(values: Iterable[str | None]) -> list[str]:
    """The values that hold Chinese, longest first (so a name is removed before a part of it)."""
    return sorted((v for v in values if v and CJK.search(v)), key=len, reverse=True)
