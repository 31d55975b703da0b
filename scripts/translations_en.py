"""Fill locale/en/LC_MESSAGES/django.po from locale/en/strings.txt (the source language is
Chinese). Run after `manage.py makemessages -l en`, then `manage.py compilemessages`."""

from __future__ import annotations

import re
from pathlib import Path

STRINGS = Path(__file__).resolve().parent.parent / "locale" / "en" / "strings.txt"
EN = dict(
    line.split("|", 1)
    for line in STRINGS.read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
)


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
    text = path.read_text()

    def fill(match: re.Match[str]) -> str:
        msgid = match.group(1)
        return f'msgid "{msgid}"\nmsgstr "{EN.get(msgid, "")}"'

    text = re.sub(r'msgid "(.+)"\nmsgstr ""', fill, text)
    text = text.replace("#, fuzzy\n", "", 1)
    path.write_text(text)
    missing = [m for m in re.findall(r'msgid "(.+)"\nmsgstr ""', text)]
    print(f"{len(EN)} translations; {len(missing)} msgids without one")


if __name__ == "__main__":
    main()
