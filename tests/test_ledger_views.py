"""The public ledger endpoints: no login, no session, constant query counts, proofs that verify,
structured 400s for every kind of bad number."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fpa.transparency import merkle
from fpa.transparency.keys import key_hash, parse_verifier_key, signing_key
from fpa.transparency.models import Checkpoint
from fpa.transparency.services import append_leaf, sign_checkpoint

pytestmark = pytest.mark.django_db


def b(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture
def log():
    data = [f"entry-{i}".encode() for i in range(13)]
    for leaf in data:
        append_leaf(leaf)
    return data


def test_latest_checkpoint_text_and_json(client, log):
    text = client.get("/ledger/checkpoint")
    assert text.status_code == 200
    assert text["Content-Type"].startswith("text/plain")
    assert text["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in text  # no session
    note = text.content.decode()
    assert note.split("\n")[1] == "13"
    data = client.get("/ledger/checkpoint.json").json()
    assert data["note"] == note and data["tree_size"] == 13
    assert b(data["root_hash"]) == merkle.mth(log)
    # The genesis checkpoint (size 0, at the first entry) and one signed on first demand.
    assert list(Checkpoint.objects.order_by("id").values_list("tree_size", flat=True)) == [0, 13]


def test_public_key(client):
    data = client.get("/ledger/public-key.json").json()
    key = signing_key()
    assert b(data["public_key"]) == key.public_bytes
    assert data["key_id"] == key_hash(key.name, key.public_bytes).hex()
    name, kid, public = parse_verifier_key(data["verifier_key"])
    assert (name, kid, public) == (key.name, key.key_id, key.public_bytes)
    assert data["algorithm"] == "Ed25519"


def test_leaves_are_paged(client, log):
    first = client.get("/ledger/leaves.json?start=0&limit=5").json()
    assert [item["index"] for item in first["leaves"]] == [0, 1, 2, 3, 4]
    assert [b(item["data"]) for item in first["leaves"]] == log[:5]
    assert first["next"] == "/ledger/leaves.json?start=5&limit=5"
    last = client.get("/ledger/leaves.json?start=10&limit=5").json()
    assert [item["index"] for item in last["leaves"]] == [10, 11, 12]
    assert last["next"] is None and last["tree_size"] == 13
    assert client.get("/ledger/leaves.json?start=13").json()["leaves"] == []


def test_leaf_with_inclusion_proof(client, log):
    sign_checkpoint()
    data = client.get("/ledger/leaves/6.json").json()
    assert data["tree_size"] == 13 and b(data["data"]) == log[6]
    proof = [b(h) for h in data["inclusion_proof"]]
    assert proof == merkle.path(6, log)
    assert merkle.verify_inclusion(6, 13, merkle.leaf_hash(log[6]), proof, b(data["root_hash"]))
    assert data["checkpoint"]["tree_size"] == 13
    older = client.get("/ledger/leaves/2.json?tree_size=5").json()
    assert [b(h) for h in older["inclusion_proof"]] == merkle.path(2, log[:5])
    assert b(older["root_hash"]) == merkle.mth(log[:5])


def test_leaf_newer_than_the_checkpoint_gets_a_new_checkpoint(client, log):
    sign_checkpoint()
    append_leaf(b"a donation a minute ago")
    data = client.get("/ledger/leaves/13.json").json()
    assert data["tree_size"] == 14 and data["checkpoint"]["tree_size"] == 14
    assert Checkpoint.objects.count() == 3  # genesis, 13, 14
    client.get("/ledger/leaves/13.json")
    assert Checkpoint.objects.count() == 3  # not signed again


def test_consistency_proof(client, log):
    data = client.get("/ledger/consistency.json?first=5&second=13").json()
    proof = [b(h) for h in data["consistency_proof"]]
    assert proof == merkle.proof(5, log)
    assert merkle.verify_consistency(5, 13, merkle.mth(log[:5]), merkle.mth(log), proof)
    latest = client.get("/ledger/consistency.json?first=7").json()
    assert latest["second"] == 13
    assert (
        client.get("/ledger/consistency.json?first=13&second=13").json()["consistency_proof"] == []
    )


def test_checkpoint_list_is_paged(client, log):
    for _ in range(5):
        sign_checkpoint()
    page = client.get("/ledger/checkpoints.json?limit=2").json()
    ids = [cp["id"] for cp in page["checkpoints"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 2
    second = client.get(page["next"]).json()
    assert [cp["id"] for cp in second["checkpoints"]] == [ids[-1] - 1, ids[-1] - 2]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/ledger/leaves/13.json", "index"),
        ("/ledger/leaves/-1.json", "index"),
        ("/ledger/leaves/\uff11.json", "index"),  # full-width digit one
        ("/ledger/leaves/1e6.json", "index"),
        ("/ledger/leaves/NaN.json", "index"),
        ("/ledger/leaves/99999999999999999999.json", "index"),
        ("/ledger/leaves/3.json?tree_size=14", "tree_size"),
        ("/ledger/leaves/3.json?tree_size=2", "index"),
        ("/ledger/leaves/3.json?tree_size=-0", "tree_size"),
        ("/ledger/leaves.json?start=14", "start"),
        ("/ledger/leaves.json?limit=0", "limit"),
        ("/ledger/leaves.json?limit=1001", "limit"),
        ("/ledger/leaves.json?start=%20", "start"),
        ("/ledger/consistency.json", "first"),
        ("/ledger/consistency.json?first=5&second=4", "first"),
        ("/ledger/consistency.json?first=5&second=99", "tree_size"),
        ("/ledger/consistency.json?first=1.5&second=9", "first"),
        ("/ledger/checkpoints.json?limit=0", "limit"),
        ("/ledger/checkpoints.json?before=x", "before"),
    ],
)
def test_bad_numbers_are_structured_400s(client, log, url, field):
    response = client.get(url)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] in {"invalid", "out_of_range", "required"}
    assert field in error["fields"] and error["message"]


def test_only_get(client, log):
    assert client.post("/ledger/leaves.json").status_code == 405
    assert client.post("/ledger/checkpoint.json").status_code == 405


def test_query_counts_do_not_grow_with_the_log(client, log):
    sign_checkpoint()

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = [count(u) for u in ("/ledger/leaves/1.json", "/ledger/leaves.json?limit=3")]
    small += [count("/ledger/consistency.json?first=5&second=13")]
    for i in range(13, 200):
        append_leaf(f"more-{i}".encode())
    sign_checkpoint()
    large = [count(u) for u in ("/ledger/leaves/150.json", "/ledger/leaves.json?limit=30")]
    large += [count("/ledger/consistency.json?first=77&second=200")]
    assert small == large
    assert max(large) <= 6


def test_page_explains_verification_and_links_the_verifier(client, log):
    page = client.get("/ledger/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "如何自己核对" in text and "/ledger/verify_ledger.py" in text
    assert signing_key().vkey in text
    download = client.get("/ledger/verify_ledger.py")
    assert download.status_code == 200
    assert b"def verify_consistency" in b"".join(download.streaming_content)
