"""Load a division file (code,name,level,parent_code; .csv or .csv.gz) into the association tree.

The work is the background job kind `organizations.load_divisions`: run here with progress lines,
or enqueued with `--background`."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fpa.core.job_console import describe, enqueue_as_system, run_in_foreground
from fpa.organizations.divisions import DATASETS
from fpa.organizations.jobs import LOAD_DIVISIONS


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
        parser.add_argument(
            "--background",
            action="store_true",
            help="enqueue the load as a background job (run by `manage.py run_worker`) and print "
            "its id",
        )

    def handle(
        self,
        *args: Any,
        path: Path | None,
        yongjing: bool,
        national: bool,
        valid_from: str,
        close_missing: bool,
        background: bool,
        **kw: Any,
    ) -> None:
        path = _source(path, yongjing=yongjing, national=national)
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            effective = datetime.date.fromisoformat(valid_from)
        except ValueError as exc:
            raise CommandError("--valid-from must be YYYY-MM-DD") from exc
        params = {
            "path": str(path.resolve()),
            "valid_from": effective.isoformat(),
            "close_missing": close_missing,
        }
        if background:
            job = enqueue_as_system(
                LOAD_DIVISIONS,
                title=f"load_divisions {path.name}",
                params=params,
                reason="manage.py load_divisions --background",
            )
            self.stdout.write(describe(job))
            return
        started = time.perf_counter()
        result = run_in_foreground(LOAD_DIVISIONS, params, self.stdout)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{result['rows']} rows in {elapsed:.1f}s: {result['created']} created, "
                f"{result['renamed']} renamed, {result['moved']} moved, {result['closed']} closed, "
                f"{result['unchanged']} unchanged"
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
