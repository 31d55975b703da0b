"""Help inside the app (帮助): the user guide rendered on the server, and where each page's help is.

**The guide.** `docs/user-guide.md` (settings.FPA_USER_GUIDE, by default under BASE_DIR: the
repository's own file, read in place, so a clone and the production layout find it without
collectstatic) is rendered with markdown-it-py: CommonMark plus tables, raw HTML off (a `<b>` or a
`<script>` in the text is shown as text), links checked by markdown-it (no `javascript:`), no
`style=` (a table column's alignment becomes a Bootstrap class: the CSP refuses inline styles). A
code span that is a local address (`/volunteers/apply/`) becomes a link to it.

**Anchors.** Each `##` and `###` heading gets an id, the slug of its text without the leading
ordinal and the bracketed notes ("七、计生特殊家庭（暖心行动）" -> "计生特殊家庭"), so
renumbering the chapters or rewording a note moves no link. A `###` title used more than once
("Excel导入导出") is prefixed with its chapter's slug ("会员-excel导入导出"), every time, so
that adding a second one renames the first and the registry test fails loudly instead of a
link silently moving. A chapter is a page of its own, `/help/<chapter>/`; a `###` anchor is
`/help/<chapter>/#<anchor>`.

**Cache.** Rendered once per process and kept; the file's mtime and size (checked with one
`stat` per use) make it render again after an edit, without a restart.

**Where each page's help is.** Each app names, on its AppConfig, `help_sections =
"fpa.families.help.SECTIONS"`: URL name (`request.resolver_match.view_name`) -> anchor, where a
name may end in `*` ("families:*": every page of the module; the longest pattern wins, an exact
name first) and an anchor may be a pair (for signed-in users, for visitors) when one address
serves both (`/`). `howto_hints = "fpa.families.help.HOWTO"`: URL name -> the short "怎么做" hint
shown at the top of that page's form (`{% howto %}`). Core imports no app and reads them through
the registry, as it reads the to-do kinds; `tests/test_help.py` checks that every anchor exists.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from fpa.core.links import link
from fpa.core.typing_aids import Text

logger = logging.getLogger(__name__)

# "七、", "十五、": the chapter's number (zero too), left out of its anchor.
ORDINAL = re.compile(r"^[〇零一二三四五六七八九十百]+、\s*")
# A bracketed note: "（改革方案第17条）", "（暖心行动）".
NOTE = re.compile(r"[（(][^（）()]*[）)]")
# Runs of anything but letters and digits (Chinese characters are letters).
NOT_WORD = re.compile(r"[\W_]+")
LOCAL_PATH = re.compile(r"/[A-Za-z0-9_./-]*")
ALIGN = {"text-align:left": "text-start", "text-align:center": "text-center"}
ALIGN["text-align:right"] = "text-end"


class GuideMissing(Exception):
    """The guide's file cannot be read."""


@dataclass(frozen=True)
class Heading:
    anchor: str
    title: str
    level: int  # 2 (a chapter) or 3
    chapter: str  # the anchor of its chapter (itself for a chapter)
    url: str  # /help/<chapter>/ or /help/<chapter>/#<anchor>


@dataclass(frozen=True)
class Chapter:
    heading: Heading
    html: str  # rendered from the guide: raw HTML off, so safe to show
    subheadings: tuple[Heading, ...]

    @property
    def anchor(self) -> str:
        return self.heading.anchor

    @property
    def title(self) -> str:
        return self.heading.title


@dataclass(frozen=True)
class Guide:
    title: str
    intro: str  # what comes before the first chapter, rendered
    chapters: tuple[Chapter, ...]
    anchors: Mapping[str, Heading]  # every ## and ### heading

    def chapter(self, anchor: str) -> Chapter | None:
        return next((c for c in self.chapters if c.anchor == anchor), None)


def slug(text: str) -> str:
    """The anchor of a heading: lower case, without the leading ordinal and the bracketed
    notes, every run of punctuation and spaces one "-"."""
    text = NOTE.sub(" ", ORDINAL.sub("", text.strip()))
    return NOT_WORD.sub("-", text.lower()).strip("-") or "section"


def guide_path() -> Path:
    configured = getattr(settings, "FPA_USER_GUIDE", None)
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "docs" / "user-guide.md"


# --- rendering --------------------------------------------------------------------------------


def _plain(inline: Token) -> str:
    """A heading's text without its Markdown (`**`, backquotes)."""
    return "".join(
        child.content for child in inline.children or () if child.type in {"text", "code_inline"}
    ).strip()


def _code_inline(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    content = tokens[idx].content
    code = f"<code>{escape(content)}</code>"
    if LOCAL_PATH.fullmatch(content) and "//" not in content:
        return f'<a href="{escape(env["prefix"] + content[1:])}">{code}</a>'
    return code


def _table_open(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    return '<div class="table-responsive"><table class="table table-sm table-bordered w-auto">\n'


def _table_close(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    return "</table></div>\n"


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.add_render_rule("code_inline", _code_inline)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


def _headings(tokens: list[Token]) -> list[tuple[int, str, int]]:
    """(token index, title, level) of every ## and ### heading."""
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in {"h2", "h3"}:
            found.append((index, _plain(tokens[index + 1]), int(token.tag[1])))
    return found


def render(text: str, prefix: str = "/") -> Guide:
    """The guide from its Markdown; `prefix` is the site's script prefix (for addresses)."""
    md = _markdown()
    env: dict[str, Any] = {"prefix": prefix}
    tokens = md.parse(text, env)
    for token in tokens:  # alignment as a class, never style=
        style = token.attrGet("style")
        if token.type in {"th_open", "td_open"} and style:
            token.attrs.pop("style", None)
            token.attrSet("class", ALIGN.get(str(style), ""))
    headings = _headings(tokens)
    counts: dict[str, int] = {}
    for _index, title, _level in headings:
        counts[slug(title)] = counts.get(slug(title), 0) + 1
    anchors: dict[str, Heading] = {}
    chapter = ""  # the anchor of the chapter being read
    for index, title, level in headings:
        anchor = slug(title)
        if level == 3 and chapter and counts[anchor] > 1:
            anchor = f"{chapter}-{anchor}"
        unique, number = anchor, 2
        while unique in anchors:  # the same title twice in one chapter: numbered, in order
            unique, number = f"{anchor}-{number}", number + 1
        if level == 2:
            chapter = unique
            url = reverse("core:help_section", args=[unique])
        else:  # at its heading on its chapter's page (or the whole guide's, before any chapter)
            page = reverse("core:help_section", args=[chapter]) if chapter else link("core:help")
            url = f"{page}#{quote(unique)}"
        tokens[index].attrSet("id", unique)
        anchors[unique] = Heading(unique, title, level, chapter or unique, url)

    title = ""
    starts = [index for index, _title, level in headings if level == 2]
    head = tokens[: starts[0]] if starts else tokens
    for index, token in enumerate(head):
        if token.type == "heading_open" and token.tag == "h1" and not title:
            title = _plain(head[index + 1])
            head = head[:index] + head[index + 3 :]
            break
    intro = md.renderer.render(head, md.options, env)
    chapters = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(tokens)
        heading = anchors[str(tokens[start].attrGet("id"))]
        subheadings = tuple(
            h for h in anchors.values() if h.level == 3 and h.chapter == heading.anchor
        )
        html = md.renderer.render(tokens[start:end], md.options, env)
        chapters.append(Chapter(heading, html, subheadings))
    return Guide(title=title, intro=intro, chapters=tuple(chapters), anchors=anchors)


_lock = threading.Lock()
_cached: tuple[tuple[str, int, int, str], Guide] | None = None


def guide() -> Guide:
    """The rendered guide: once per process, again when the file changes (mtime or size)."""
    global _cached
    path = guide_path()
    try:
        stat = path.stat()
    except OSError as exc:
        logger.error("the user guide cannot be read: %s", path)
        raise GuideMissing(str(path)) from exc
    key = (str(path), stat.st_mtime_ns, stat.st_size, get_script_prefix())
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    with _lock:
        cached = _cached
        if cached is not None and cached[0] == key:
            return cached[1]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            logger.error("the user guide cannot be read: %s", path)
            raise GuideMissing(str(path)) from exc
        rendered = render(text, key[3])
        _cached = (key, rendered)
        return rendered


# --- where each page's help is ----------------------------------------------------------------

Anchor = str | tuple[str, str]  # one anchor, or (for signed-in users, for visitors)

# Core's own pages (core imports no app; the apps declare theirs on their AppConfig).
CORE_SECTIONS: dict[str, Anchor] = {
    "core:help": "帮助与说明",
    "core:help_section": "帮助与说明",
    "core:audit_list": "审计日志",
    "core:job_*": "后台任务",
}

# The hint of every import page (each module's import uses the same steps).
IMPORT_HOWTO = gettext_lazy(
    "先下载导入模板，按“填写说明”逐行填写后上传。上传后平台只检查、不写入，列出每一处问题"
    "（第几行、哪一列）；看过检查结果再点“确认导入”：全部写入或全部不写入，重复上传不会重复登记。"
)


@functools.cache
def help_sections() -> dict[str, Anchor]:
    """Every app's URL name (or pattern) -> anchor, with core's own."""
    found: dict[str, Anchor] = dict(CORE_SECTIONS)
    for config in apps.get_app_configs():
        path = getattr(config, "help_sections", None)
        if not path:
            continue
        for name, anchor in import_string(path).items():
            if name in found:
                raise ValueError(f"help section declared twice: {name}")
            found[name] = anchor
    return found


@functools.cache
def howto_hints() -> dict[str, Text]:
    """Every app's URL name -> its form's short hint."""
    found: dict[str, Text] = {}
    for config in apps.get_app_configs():
        path = getattr(config, "howto_hints", None)
        if not path:
            continue
        for name, hint in import_string(path).items():
            if name in found:
                raise ValueError(f"howto hint declared twice: {name}")
            found[name] = hint
    return found


def registered_anchors() -> set[str]:
    """Every anchor the registry names (both of a pair)."""
    found: set[str] = set()
    for anchor in help_sections().values():
        found.update((anchor,) if isinstance(anchor, str) else anchor)
    return found


def anchor_for(view_name: str | None, *, signed_in: bool) -> str | None:
    """The anchor of the page `view_name`: its own entry, else the longest matching pattern."""
    if not view_name:
        return None
    registry = help_sections()
    entry = registry.get(view_name)
    if entry is None:
        patterns = [p for p in registry if "*" in p and fnmatchcase(view_name, p)]
        if not patterns:
            return None
        entry = registry[max(patterns, key=len)]
    if isinstance(entry, tuple):
        return entry[0] if signed_in else entry[1]
    return entry


def heading_for(view_name: str | None, *, signed_in: bool) -> Heading | None:
    anchor = anchor_for(view_name, signed_in=signed_in)
    if anchor is None:
        return None
    try:
        return guide().anchors.get(anchor)
    except GuideMissing:
        return None


def help_url(view_name: str | None, *, signed_in: bool) -> str:
    """Where the help link of the page `view_name` goes: its section, or the whole guide."""
    heading = heading_for(view_name, signed_in=signed_in)
    return heading.url if heading is not None else link("core:help")
