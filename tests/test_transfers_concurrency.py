"""Both sides acting on one transfer at the same moment, on PostgreSQL (real row locks): two
accepts and a withdrawal race; exactly one wins and the family moves once or not at all.

Skipped on SQLite (one writer at a time: nothing to race; the sequential cases with stale copies
are in test_transfers_engine.py); run with DATABASE_URL=postgres://... and FPA_EXPECT_POSTGRES=1,
where a skip is an error.
"""

from __future__ import annotations

import pytest

from fpa.core.errors import ServiceError
from fpa.families.models import FamilyTransfer
from fpa.families.services import transfers
from tests.conftest import DAZHUANG, SHANGQUAN, race, require_postgres
from tests.transfers_helpers import family_in, offer


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    require_postgres()


def fresh(transfer: FamilyTransfer) -> FamilyTransfer:
    return FamilyTransfer.objects.get(pk=transfer.pk)


def test_two_accepts_and_a_cancel_at_the_same_moment_one_wins(yongjing, township, township2):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    copies = [fresh(transfer) for _ in range(3)]
    results, errors = race(
        [
            lambda: transfers.family_transfer_accept(actor=township2, transfer=copies[0]),
            lambda: transfers.family_transfer_accept(actor=township2, transfer=copies[1]),
            lambda: transfers.family_transfer_cancel(
                actor=township, transfer=copies[2], reason="家庭不搬了"
            ),
        ]
    )
    assert len(results) == 1 and len(errors) == 2, errors
    assert all(isinstance(e, ServiceError) and "已处理" in e.message for e in errors)
    family.refresh_from_db()
    if fresh(transfer).status == "accepted":
        assert family.association.code == SHANGQUAN and family.version == 2
    else:
        assert fresh(transfer).status == "cancelled"
        assert family.association.code == DAZHUANG and family.version == 1
