"""The round's results as a workbook (shared engine, fpa.core.excel): one row per township, its
rank, each indicator's points and the total. Export only; the columns follow the scheme."""

from __future__ import annotations

from typing import IO, Any

from fpa.assessment.models import Round
from fpa.assessment.selectors import Result
from fpa.core import excel


def _points(position: int) -> Any:
    def read(result: Result) -> Any:
        return result.lines[position].points

    return read


def results_sheet(round_: Round, results: list[Result]) -> excel.Sheet:
    indicators = [line.indicator for line in results[0].lines] if results else []
    columns = [
        excel.Column("排名", "rank", export=lambda r: r.rank, kind=excel.NUMBER, width=6),
        excel.Column("乡镇编码", "code", required=True, export=lambda r: r.township.code),
        excel.Column("乡镇", "name", export=lambda r: r.township.name, width=18),
        *[
            excel.Column(
                f"{i.position}. {i.name}（{i.weight}分）"[:60],
                f"indicator_{i.pk}",
                export=_points(index),
                kind=excel.NUMBER,
                width=12,
            )
            for index, i in enumerate(indicators)
        ],
        excel.Column("总分", "total", export=lambda r: r.total, kind=excel.NUMBER, width=10),
    ]
    return excel.Sheet(title="考核得分", columns=tuple(columns), key=("code",))


def write(handle: IO[bytes], round_: Round, results: list[Result]) -> int:
    return excel.write_workbook(handle, results_sheet(round_, results), results)
