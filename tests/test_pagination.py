"""Keyset pagination takes its cursors straight from the query string and must survive forgeries."""

from fpa.core.pagination import keyset_page
from fpa.organizations.models import Association
from tests.conftest import LIUJIAXIA


def test_a_forged_cursor_gives_the_first_page(yongjing):
    villages = Association.objects.filter(parent__code=LIUJIAXIA)
    first = keyset_page(villages, key="id", size=5)
    for forged in (
        "abc",
        "1 OR 1=1",
        "9" * 40,
        "-1",
        "\uff11\uff12",
    ):  # the last: full-width digits
        page = keyset_page(villages, key="id", after=forged, size=5)
        assert [a.pk for a in page.items] == [a.pk for a in first.items], forged
        assert page.prev_cursor is None
    assert keyset_page(villages, key="path", before="x" * 300, size=5).items == first.items


def test_a_real_cursor_pages_on(yongjing):
    villages = Association.objects.filter(parent__code=LIUJIAXIA)
    first = keyset_page(villages, key="id", size=5)
    second = keyset_page(villages, key="id", after=first.next_cursor, size=5)
    assert first.items[-1].pk < second.items[0].pk
    back = keyset_page(villages, key="id", before=second.prev_cursor, size=5)
    assert back.items == first.items
