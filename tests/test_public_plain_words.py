"""The public receipt check and the public grant page speak to a citizen (issue 12, item 2): the
page says in plain Chinese what was checked, what it means and what to do when it does not match,
and links the public ledger guide; the ledger's own words (叶子, 字节编码, 包含证明, 检查点 ...)
appear only inside the "技术细节" <details>, with the proof link. The proof stays reachable."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from fpa.fund import services
from tests.conftest import DAZHUANG
from tests.english import TAG, default_language_afterwards, english  # noqa: F401
from tests.fund_helpers import county_fund, family_in, give, paid_grant

pytestmark = pytest.mark.django_db

JARGON = ("叶子", "叶编码", "字节编码", "包含证明", "检查点", "默克尔", "哈希", "Merkle", "RFC")
DETAILS = re.compile(r"<details\b.*?</details>", re.S)
MAIN = re.compile(r"<main\b.*?</main>", re.S)


def main_text(html: str) -> tuple[str, str]:
    """The visible text of <main> outside any <details>, and the <details> markup."""
    main = MAIN.search(html)
    assert main is not None
    body = main.group(0)
    details = "".join(DETAILS.findall(body))
    return TAG.sub(" ", DETAILS.sub(" ", body)), details


@pytest.fixture
def fund(county: Any) -> Any:
    return county_fund(county)


def receipt_page(client: Any, donation: Any) -> str:
    code = donation.fund.association.code
    response = client.get(reverse("fund:public_receipt", args=[code, donation.receipt_number]))
    assert response.status_code == 200
    return response.content.decode()


def grant_page(client: Any, grant: Any) -> str:
    code = grant.fund.association.code
    response = client.get(reverse("fund:public_grant", args=[code, grant.number]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_receipt_check_is_explained_in_plain_words(
    client: Any, fund: Any, finance: Any
) -> None:
    donation = give(finance, fund, "88.00")
    assert donation.entry.leaf_index is not None  # the ledger is on: the proof is offered
    html = receipt_page(client, donation)
    text, details = main_text(html)
    assert [w for w in JARGON if w in text] == []
    # what was checked, what it means, what to do when it does not match
    assert "查验了什么" in text and "只能往后添加，不能修改或删除" in text
    assert "查验结果不对怎么办" in text and "联系开具票据的计生协会" in text
    assert f'href="{reverse("transparency:home")}"' in html
    # the technical words and the proof are kept, behind 技术细节
    assert "技术细节" in details and "包含证明" in details and "检查点" in details
    proof = reverse("transparency:leaf", kwargs={"index": str(donation.entry.leaf_index)})
    assert proof in details and 'id="proof-link"' in details


def test_a_reversed_receipt_says_what_reversed_means(client: Any, fund: Any, finance: Any) -> None:
    donation = give(finance, fund, "66.00")
    services.entry_reverse(actor=finance, entry=donation.entry, reason="重复登记")
    text, _details = main_text(receipt_page(client, donation))
    assert "金额相反的记录抵消，原记录仍然保留" in text
    assert [w for w in JARGON if w in text] == []


def test_the_grant_page_has_no_bare_proof_link(
    client: Any, fund: Any, finance: Any, village: Any, township: Any, county: Any
) -> None:
    give(finance, fund)
    grant = paid_grant(village, township, county, finance, family_in(township, DAZHUANG))
    entry = grant.entry
    assert entry is not None and entry.leaf_index is not None
    html = grant_page(client, grant)
    text, details = main_text(html)
    assert [w for w in JARGON if w in text] == []
    assert (
        "已写入协会的公开账本" in text and "“监督评价”中反映" in text
    )  # where to complain, after the notice too
    assert f'href="{reverse("transparency:home")}"' in html
    assert "技术细节" in details and "包含证明" in details
    proof = reverse("transparency:leaf", kwargs={"index": str(entry.leaf_index)})
    assert proof in details
    assert proof not in DETAILS.sub("", html)  # the proof link only behind 技术细节


def test_the_pages_in_english_have_the_same_shape(
    fund: Any, finance: Any, village: Any, township: Any, county: Any
) -> None:
    donation = give(finance, fund, "88.00")
    text, details = main_text(receipt_page(english(), donation))
    assert "What was checked" in text and "inclusion proof" not in text
    assert "Technical details" in details and "inclusion proof" in details
