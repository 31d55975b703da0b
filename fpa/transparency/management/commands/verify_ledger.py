"""Re-derive the verifiable ledger and check it against its sources and signed checkpoints."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fpa.transparency.verify import verify_log


class Command(BaseCommand):
    help = (
        "Check every leaf hash, recompute the leaves from the registered sources, rebuild the "
        "Merkle tree and check every signed checkpoint. Exits non-zero naming the first bad index."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify_log()
        seconds = time.perf_counter() - started
        if not report.ok:
            for finding in report.findings:
                self.stderr.write(f"FAIL: {finding}")
            first = report.findings[0]
            where = f" at index {first.index}" if first.index is not None else ""
            raise CommandError(f"ledger verification failed{where}: {first}")
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {report.leaves} entries, {report.checkpoints} checkpoints, sources "
                f"{', '.join(report.sources) or '(none registered)'}; {seconds:.2f} s"
            )
        )
