"""`manage.py ledger_notice --base-url https://host [--out DIR]`: the newest checkpoint's notice
text (docs/ledger.md, "Posting checkpoints outside the platform"), for a daily timer after
`sign_checkpoint`: printed, or written to DIR/ledger-notice-<date>-<size>.txt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from fpa.transparency.notice import notice_text
from fpa.transparency.services import latest_checkpoint


class Command(BaseCommand):
    help = "Print or save the newest checkpoint's notice text (to post outside the platform)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url", required=True, help="the public address, e.g. https://fpa.example.cn"
        )
        parser.add_argument("--out", type=Path, help="a directory to write the text file into")

    def handle(self, *args: Any, **options: Any) -> None:
        base = str(options["base_url"]).rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        checkpoint = latest_checkpoint()
        if checkpoint is None:
            raise CommandError("no signed checkpoint can be published: the ledger is under review")
        path = reverse("transparency:checkpoint_page", kwargs={"pk": str(checkpoint.pk)})
        text = notice_text(checkpoint, check_url=base + path)
        out: Path | None = options["out"]
        if out is None:
            self.stdout.write(text, ending="")
            return
        out.mkdir(parents=True, exist_ok=True)
        day = timezone.localtime(checkpoint.created_at).date().isoformat()
        target = out / f"ledger-notice-{day}-{checkpoint.tree_size}.txt"
        target.write_text(text, encoding="utf-8")
        self.stdout.write(f"{target}\n")
