"""`path__under`: the subtree filter behind every scoped read.

A materialised path ("/62/6229/622923/622923100/") makes "this association and everything below
it" one prefix condition on one indexed column. The SQL differs per database so that the index is
used on both: SQLite compares with a half-open range on its binary collation; PostgreSQL matches
LIKE 'prefix%' against a varchar_pattern_ops index (range comparisons under a linguistic collation
would not follow byte order).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Lookup


@models.CharField.register_lookup
class Under(Lookup):
    lookup_name = "under"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        if not prefix.endswith("/"):
            raise ValueError("path prefixes end with '/'")
        if connection.vendor == "postgresql":
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return f"{lhs} LIKE %s", [*lhs_params, escaped + "%"]
        upper = prefix[:-1] + chr(ord("/") + 1)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, *lhs_params, upper]
