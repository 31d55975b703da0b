"""Fill locale/en/LC_MESSAGES/django.po from locale/en/strings*.txt (the source language is
Chinese). Run after `manage.py makemessages -l en --no-wrap`, then `manage.py compilemessages`.

One `中文|English` a line. A message with a context (pgettext, `{% translate "…" context "c" %}`)
is written `c::中文|English`; a plural (`{% blocktranslate count %}`) is `中文|one||other`.
Every entry is set from the strings files, so msgmerge's fuzzy guesses never reach the .mo."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "locale" / "en"
PO = ROOT / "LC_MESSAGES" / "django.po"


def load() -> dict[str, str]:
    english: dict[str, str] = {}
    for path in sorted(ROOT.glob("strings*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and "|" in line:
                key, value = line.split("|", 1)
                if english.get(key, value) != value:
                    raise SystemExit(f"{path.name}: {key!r} is translated twice, differently")
                english[key] = value
    return english


ENTRY = re.compile(
    r'^(?:msgctxt "(?P<ctx>.*)"\n)?msgid "(?P<id>.+)"\n'
    r'(?:msgid_plural "(?P<plural>.*)"\nmsgstr\[0\] ".*"\nmsgstr\[1\] ".*"|msgstr ".*")$',
    re.M,
)


def main() -> None:
    english = load()
    text = PO.read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    if re.search(r'^msgid ""\n"', body, re.M):
        raise SystemExit("django.po has wrapped messages: run makemessages with --no-wrap")
    head = head.replace("#, fuzzy\n", "", 1)
    missing: list[str] = []
    blocks = []
    for block in body.split("\n\n"):
        match = ENTRY.search(block)
        if match is None:
            blocks.append(block)
            continue
        ctx, msgid = match.group("ctx"), match.group("id")
        text = _unescape(msgid)
        key = f"{ctx}::{text}" if ctx else text
        value = _escape(english.get(key, ""))
        if not value:
            missing.append(key)
        # msgmerge's guesses (#, fuzzy and the previous msgid) are dropped: the strings decide.
        comments = [
            line
            for line in block[: match.start()].splitlines()
            if not line.startswith("#|") and line != "#, fuzzy"
        ]
        comments = [
            line.replace("fuzzy, ", "").replace(", fuzzy", "") if line.startswith("#,") else line
            for line in comments
        ]
        prefix = f'msgctxt "{ctx}"\n' if ctx else ""
        if match.group("plural") is not None:
            one, _, other = value.partition("||")
            entry = (
                f'{prefix}msgid "{msgid}"\nmsgid_plural "{match.group("plural")}"\n'
                f'msgstr[0] "{one}"\nmsgstr[1] "{other or one}"'
            )
        else:
            entry = f'{prefix}msgid "{msgid}"\nmsgstr "{value}"'
        blocks.append("\n".join([*comments, entry]))
    PO.write_text(head + "\n\n" + "\n\n".join(blocks), encoding="utf-8")
    print(f"{len(english)} translations; {len(missing)} msgids without one")
    for key in missing:
        print("  missing:", key)


def _escape(text: str) -> str:
    """A translation as a PO string literal body."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _unescape(literal: str) -> str:
    """A PO string literal body (as makemessages writes msgids) as the text itself."""
    return literal.replace('\\"', '"').replace("\\\\", "\\")


if __name__ == "__main__":
    main()
