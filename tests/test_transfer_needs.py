"""A moved record's open needs change hands on acceptance (fpa.core.transfers.hand_over_open_needs,
called from each kind's acceptance hook): an owner who can no longer open the record is cleared
for the receiver to assign, one who still can keeps it, closed needs stay as history; audited in
both subtrees inside the acceptance; a declined transfer changes nothing."""

from __future__ import annotations

import pytest

from fpa.core.models import AuditEvent
from fpa.families import services as family_services
from fpa.families.models import Need
from fpa.families.services import transfers
from fpa.migrants.services import needs as migrant_needs
from fpa.migrants.services import transfers as migrant_transfers
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.migrants_helpers import migrant
from tests.transfers_helpers import assoc, family_in, offer

pytestmark = pytest.mark.django_db


def _family_with_needs(township, county):
    family = family_in(township, DAZHUANG)  # with one open need nobody owns
    mine = family_services.need_raise(
        actor=township, family=family, description="协调住院护理", owner=township
    )
    county_owned = family_services.need_raise(
        actor=township, family=family, description="申请扶助金", owner=county
    )
    closed = family_services.need_raise(
        actor=township, family=family, description="办理证明", owner=township
    )
    family_services.need_update(actor=township, need=closed, status="resolved", result="已开具")
    return family, mine, county_owned, closed


def test_acceptance_hands_the_open_needs_to_the_receiver(township, township2, county):
    family, mine, county_owned, closed = _family_with_needs(township, county)
    unowned = Need.objects.get(family=family, description="就医陪护")
    transfer = offer(township, family, SHANGQUAN)
    before = AuditEvent.objects.filter(object_type="families.need").count()
    transfers.family_transfer_accept(actor=township2, transfer=transfer)
    for need in (mine, county_owned, closed, unowned):
        need.refresh_from_db()
    # The sending township's account can no longer open the family: its open need is cleared.
    assert mine.owner is None and mine.status == "open"
    # The county still sees the family where it now is: it keeps its need.
    assert county_owned.owner == county
    # History stays as it was, and the unowned need is untouched.
    assert closed.owner == township and closed.status == "resolved"
    assert unowned.owner is None
    # The receiver now sees every need of the family (the open ones to act on).
    visible = set(
        Need.objects.visible_to(township2).filter(family=family).values_list("pk", flat=True)
    )
    assert visible == {mine.pk, county_owned.pk, closed.pk, unowned.pk}
    assert not Need.objects.visible_to(township).filter(family=family).exists()
    # One audit row in each subtree for the need that changed hands, none for the others.
    rows = AuditEvent.objects.filter(object_type="families.need").order_by("pk")[before:]
    assert [r.object_id for r in rows] == [str(mine.pk), str(mine.pk)]
    assert {r.scope_path for r in rows} == {
        transfer.from_association.path,
        transfer.to_association.path,
    }
    assert all(r.changes["owner"][1] is None and r.actor_id == township2.pk for r in rows)


def test_a_declined_transfer_leaves_the_needs_with_the_sender(township, township2, county):
    family, mine, _county_owned, _closed = _family_with_needs(township, county)
    transfer = offer(township, family, SHANGQUAN)
    transfers.family_transfer_decline(actor=township2, transfer=transfer, reason="不在本村")
    mine.refresh_from_db()
    assert mine.owner == township
    assert not Need.objects.visible_to(township2).filter(family=family).exists()


def test_a_migrants_open_needs_change_hands_too(township, township2, county):
    record = migrant(township, DAZHUANG)
    mine = migrant_needs.need_raise(
        actor=township, migrant=record, description="子女入学咨询", owner=township
    )
    county_owned = migrant_needs.need_raise(
        actor=township, migrant=record, description="就业信息", owner=county
    )
    transfer = migrant_transfers.migrant_transfer_offer(
        actor=township,
        migrant=record,
        to_association=assoc(SHANGQUAN),
        reason="到外镇务工",
    )
    migrant_transfers.migrant_transfer_accept(actor=township2, transfer=transfer)
    mine.refresh_from_db()
    county_owned.refresh_from_db()
    assert mine.owner is None and mine.status == "open"
    assert county_owned.owner == county
    assert AuditEvent.objects.filter(
        object_type="migrants.need", object_id=str(mine.pk), scope_path=transfer.to_association.path
    ).exists()
