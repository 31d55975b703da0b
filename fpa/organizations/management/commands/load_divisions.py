"""Load a division file (code,name,level,parent_code; .csv or .csv.gz) into the association tree."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fpa.core.errors import ServiceError
from fpa.organizations.divisions import DATASETS, DivisionFileError, read_file
from fpa.organizations.services import divisions_load


class Command(BaseCommand):
    help = "Load or update the association tree from a division-code file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path, nargs="?", help="a division file (.csv or .csv.gz)")
        carried = parser.add_mutually_exclusive_group()
        carried.add_argument(
            "--yongjing", action="store_true", help="the carried 2023 file of 永靖县 (154 units)"
        )
        carried.add_argument(
            "--national",
            action="store_true",
            help="the carried 2023 file of the whole country (665,276 units)",
        )
        parser.add_argument("--valid-from", default="2023-01-01", help="date the codes take effect")
        parser.add_argument(
            "--close-missing",
            action="store_true",
            help="close associations under the file's roots that the file no longer lists",
        )

    def handle(
        self,
        *args: Any,
        path: Path | None,
        yongjing: bool,
        national: bool,
        valid_from: str,
        close_missing: bool,
        **kw: Any,
    ) -> None:
        path = _source(path, yongjing=yongjing, national=national)
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            effective = datetime.date.fromisoformat(valid_from)
        except ValueError as exc:
            raise CommandError("--valid-from must be YYYY-MM-DD") from exc
        started = time.perf_counter()
        try:
            rows = read_file(path)
            result = divisions_load(rows=rows, valid_from=effective, close_missing=close_missing)
        except DivisionFileError as exc:
            raise CommandError("The file was refused, nothing was loaded:\n" + str(exc)) from exc
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(rows)} rows in {elapsed:.1f}s: {result.created} created, "
                f"{result.renamed} renamed, {result.moved} moved, {result.closed} closed, "
                f"{result.unchanged} unchanged"
            )
        )


def _source(path: Path | None, *, yongjing: bool, national: bool) -> Path:
    """The file named on the command line, or a carried one (`--yongjing`, `--national`)."""
    chosen = [name for name, on in (("yongjing", yongjing), ("national", national)) if on]
    if path is not None and chosen:
        raise CommandError(f"Give a file or --{chosen[0]}, not both.")
    if chosen:
        return DATASETS[chosen[0]]
    if path is None:
        raise CommandError("Give a division file, or --yongjing or --national for a carried one.")
    return path
