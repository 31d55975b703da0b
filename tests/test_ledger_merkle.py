"""RFC 6962 Merkle trees: the published Certificate Transparency vectors, and every (m, n) up to
64 against the RFC's own recursion."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fpa.transparency import merkle

# The CT reference leaves and roots (certificate-transparency / transparency-dev merkle tests).
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CONSISTENCY = [
    (
        2,
        8,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
N = 64
BIG = [hashlib.sha256(f"leaf {i}".encode()).digest()[: i % 40] for i in range(N)]


def leaf_node(leaves):
    """A node function over a list of leaves, as the store answers it (complete aligned nodes)."""

    def node(level: int, index: int) -> bytes:
        return merkle.mth(leaves[index << level : (index + 1) << level])

    return node


def test_hash_prefixes():
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    a, b = b"a" * 32, b"b" * 32
    assert merkle.node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle.node_hash(a, b) != merkle.node_hash(b, a)


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_published_roots(size):
    assert merkle.mth(LEAVES[:size]).hex() == ROOTS[size]
    assert merkle.root(LEAVES[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_published_inclusion_proofs(index, size, expected):
    assert [h.hex() for h in merkle.path(index, LEAVES[:size])] == expected
    assert [h.hex() for h in merkle.inclusion_proof_from(index, size, leaf_node(LEAVES))] == (
        expected
    )
    leaf = merkle.leaf_hash(LEAVES[index])
    proof = [bytes.fromhex(h) for h in expected]
    assert merkle.verify_inclusion(index, size, leaf, proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("first", "second", "expected"), CONSISTENCY)
def test_published_consistency_proofs(first, second, expected):
    assert [h.hex() for h in merkle.proof(first, LEAVES[:second])] == expected
    got = merkle.consistency_proof_from(first, second, leaf_node(LEAVES))
    assert [h.hex() for h in got] == expected
    proof = [bytes.fromhex(h) for h in expected]
    first_root, second_root = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    assert merkle.verify_consistency(first, second, first_root, second_root, proof)


def test_every_inclusion_proof_up_to_64():
    node = leaf_node(BIG)
    for n in range(1, N + 1):
        root = merkle.mth(BIG[:n])
        assert merkle.root(BIG[:n]) == root
        assert merkle.range_hash(0, n, node) == root
        for m in range(n):
            reference = merkle.path(m, BIG[:n])
            assert merkle.inclusion_proof_from(m, n, node) == reference
            leaf = merkle.leaf_hash(BIG[m])
            assert merkle.verify_inclusion(m, n, leaf, reference, root)
            # Wrong index, size, leaf or root, or a mangled path: all refused.
            assert not merkle.verify_inclusion(m, n, merkle.leaf_hash(b"other"), reference, root)
            if n > 1:
                assert not merkle.verify_inclusion((m + 1) % n, n, leaf, reference, root)
                assert not merkle.verify_inclusion(m, n, leaf, reference[:-1], root)
                assert not merkle.verify_inclusion(m, n, leaf, [*reference, root], root)
                flipped = [bytes([reference[0][0] ^ 1]) + reference[0][1:], *reference[1:]]
                assert not merkle.verify_inclusion(m, n, leaf, flipped, root)
            # A size whose path has another length is refused (the same length may verify:
            # the signed checkpoint binds the size to the root).
            if len(merkle.inclusion_ranges(m, n + 1)) != len(reference):
                assert not merkle.verify_inclusion(m, n + 1, leaf, reference, root)


def test_every_consistency_proof_up_to_64():
    node = leaf_node(BIG)
    roots = [merkle.mth(BIG[:n]) for n in range(N + 1)]
    for n in range(1, N + 1):
        for m in range(1, n + 1):
            reference = merkle.proof(m, BIG[:n])
            assert merkle.consistency_proof_from(m, n, node) == reference
            assert merkle.verify_consistency(m, n, roots[m], roots[n], reference)
            if m < n:
                assert not merkle.verify_consistency(m, n, roots[m], roots[n], reference[:-1])
                assert not merkle.verify_consistency(m, n, roots[m - 1], roots[n], reference)
                assert not merkle.verify_consistency(m, n, roots[m], roots[n - 1], reference)
                assert not merkle.verify_consistency(
                    m, n, roots[m], roots[n], [*reference, roots[0]]
                )
                bad = [bytes([reference[-1][0] ^ 1]) + reference[-1][1:]]
                assert not merkle.verify_consistency(m, n, roots[m], roots[n], reference[:-1] + bad)
        assert merkle.verify_consistency(0, n, roots[0], roots[n], [])
        assert not merkle.verify_consistency(0, n, roots[0], roots[n], [roots[1]])


def test_degenerate_and_malformed_inputs():
    r4, r5 = merkle.mth(BIG[:4]), merkle.mth(BIG[:5])
    assert merkle.verify_consistency(4, 4, r4, r4, [])
    assert not merkle.verify_consistency(4, 4, r4, r5, [])
    assert not merkle.verify_consistency(5, 4, r5, r4, merkle.proof(4, BIG[:5]))
    assert not merkle.verify_consistency(4, 5, r4, r5, [])
    assert not merkle.verify_consistency(4, 5, r4[:31], r5, merkle.proof(4, BIG[:5]))
    assert not merkle.verify_inclusion(-1, 4, merkle.leaf_hash(BIG[0]), [], r4)
    assert not merkle.verify_inclusion(4, 4, merkle.leaf_hash(BIG[0]), [], r4)
    assert not merkle.verify_inclusion(0, 4, b"short", merkle.path(0, BIG[:4]), r4)
    for bad in [(0, 0), (5, 5), (-1, 3)]:
        with pytest.raises(ValueError):
            merkle.inclusion_ranges(*bad)
    for bad in [(0, 3), (4, 3)]:
        with pytest.raises(ValueError):
            merkle.consistency_ranges(*bad)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 3000), data=st.data())
def test_ranges_cover_large_trees(n, data):
    """Large sizes: the proofs from aligned covers verify against the bottom-up root."""
    leaves = [i.to_bytes(4, "big") for i in range(n)]
    hashes = [merkle.leaf_hash(x) for x in leaves]
    cache: dict[tuple[int, int], bytes] = {}

    def node(level: int, index: int) -> bytes:
        if (level, index) not in cache:
            cache[(level, index)] = merkle.root_from_leaf_hashes(
                hashes[index << level : (index + 1) << level]
            )
        return cache[(level, index)]

    root = merkle.root_from_leaf_hashes(hashes)
    m = data.draw(st.integers(0, n - 1))
    assert merkle.verify_inclusion(m, n, hashes[m], merkle.inclusion_proof_from(m, n, node), root)
    first = data.draw(st.integers(1, n))
    first_root = merkle.root_from_leaf_hashes(hashes[:first])
    proof = merkle.consistency_proof_from(first, n, node)
    assert merkle.verify_consistency(first, n, first_root, root, proof)


@given(start=st.integers(0, 2**40), length=st.integers(1, 2**20))
def test_aligned_cover_is_a_partition(start, length):
    cover = merkle.aligned_cover(start, start + length)
    position = start
    for level, index in cover:
        assert index << level == position
        position += 1 << level
    assert position == start + length
