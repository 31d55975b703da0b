"""Merkle hash trees exactly as RFC 6962 §2.1 (and RFC 9162 §2.1), as pure functions.

Hashes are SHA-256 and 32 bytes long.

* ``leaf_hash(d) = SHA-256(0x00 || d)``, ``node_hash(l, r) = SHA-256(0x01 || l || r)``.
* ``MTH({}) = SHA-256()``; ``MTH({d0}) = leaf_hash(d0)``; for n > 1, with k the largest power of
  two smaller than n: ``MTH(D[n]) = node_hash(MTH(D[0:k]), MTH(D[k:n]))``.
* ``PATH(m, D[n])`` (the audit path, an inclusion proof) and ``PROOF(m, D[n])`` (a consistency
  proof) as defined in RFC 6962 §2.1.1 and §2.1.2.
* Their verification as RFC 9162 §2.1.3.2 and §2.1.4.2.

The proof *structure* (which subtrees a proof is made of) depends only on (m, n), never on the
data: ``inclusion_ranges`` and ``consistency_ranges`` return the leaf ranges [start, end) whose
subtree hashes make up the proof. A store that can hash any such range quickly (``services``
reads them from a cache of complete aligned subtrees, see ``aligned_cover``) therefore produces
the same proofs as the reference functions over a list of leaves, which the tests check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Range = tuple[int, int]


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    if n < 2:
        raise ValueError("a split needs at least two leaves")
    return 1 << ((n - 1).bit_length() - 1)


# --- The tree head -----------------------------------------------------------------------------


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaves given by their leaf hashes, bottom-up (fast, no recursion).

    Pairing each level left to right and carrying an odd last node up unchanged gives exactly the
    RFC 6962 tree: the left subtree of every node is the largest complete power-of-two subtree.
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    sha = hashlib.sha256
    while len(level) > 1:
        odd = level[-1] if len(level) % 2 else None
        level = [
            sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if odd is not None:
            level.append(odd)
    return level[0]


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over the leaf data."""
    sha = hashlib.sha256
    return root_from_leaf_hashes([sha(b"\x00" + leaf).digest() for leaf in leaves])


def mth(leaves: Sequence[bytes]) -> bytes:
    """MTH written as the RFC's recursion (the reference the fast versions are tested against)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hash(leaves[0])
    k = split_point(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


# --- Proofs as the RFC defines them, over the leaf data (the reference) -------------------------


def path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]), RFC 6962 §2.1.1, written as the RFC's recursion."""
    n = len(leaves)
    if not 0 <= m < n:
        raise ValueError(f"leaf index {m} is not in a tree of {n} leaves")
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]), RFC 6962 §2.1.2, written as the RFC's recursion (0 < m <= n)."""
    n = len(leaves)
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    return _subproof(m, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), mth(leaves[:k])]


# --- The same proofs as ranges, for a store that hashes ranges from a cache ---------------------


def inclusion_ranges(m: int, n: int) -> list[Range]:
    """The leaf ranges whose subtree hashes form PATH(m, D[n]), in proof order."""
    if not 0 <= m < n:
        raise ValueError(f"leaf index {m} is not in a tree of {n} leaves")
    out: list[Range] = []
    start, end = 0, n
    while end - start > 1:
        k = split_point(end - start)
        if m < start + k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start = start + k
    out.reverse()
    return out


def consistency_ranges(m: int, n: int) -> list[Range]:
    """The leaf ranges whose subtree hashes form PROOF(m, D[n]), in proof order."""
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    out: list[Range] = []
    start, end, complete = 0, n, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            m -= k
            start = start + k
            complete = False
    if not complete:
        out.append((start, end))
    out.reverse()
    return out


def aligned_cover(start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) into complete aligned subtrees, left to right, as (level, index).

    The node (level, index) covers leaves [index * 2**level, (index + 1) * 2**level). Every range
    in an RFC 6962 proof starts at a multiple of a power of two at least its length, so its hash
    is the right fold of these nodes: node_hash(a, node_hash(b, c)) for a cover [a, b, c].
    """
    if not 0 <= start < end:
        raise ValueError(f"empty or negative range [{start}, {end})")
    out: list[tuple[int, int]] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        out.append((level, start >> level))
        start += 1 << level
    return out


def fold_cover(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from the hashes of its aligned cover (see ``aligned_cover``)."""
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def range_hash(start: int, end: int, node: Callable[[int, int], bytes]) -> bytes:
    """The subtree hash of [start, end) given a function returning complete aligned node hashes."""
    return fold_cover([node(level, index) for level, index in aligned_cover(start, end)])


def inclusion_proof_from(m: int, n: int, node: Callable[[int, int], bytes]) -> list[bytes]:
    return [range_hash(a, b, node) for a, b in inclusion_ranges(m, n)]


def consistency_proof_from(m: int, n: int, node: Callable[[int, int], bytes]) -> list[bytes]:
    return [range_hash(a, b, node) for a, b in consistency_ranges(m, n)]


# --- Verification, RFC 9162 §2.1.3.2 and §2.1.4.2 -----------------------------------------------


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def root_from_inclusion_proof(
    leaf_index: int, tree_size: int, leaf_hash_: bytes, proof_: Sequence[bytes]
) -> bytes | None:
    """RFC 9162 §2.1.3.2 steps 1-5: the root the proof leads to, or None if it leads nowhere."""
    if not 0 <= leaf_index < tree_size or not _is_hash(leaf_hash_):
        return None
    if not all(_is_hash(p) for p in proof_):
        return None
    fn, sn = leaf_index, tree_size - 1
    r = leaf_hash_
    for p in proof_:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return r


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf_hash_: bytes, proof_: Sequence[bytes], root_: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof_`` show leaf ``leaf_index`` in the tree with ``root_``?"""
    computed = root_from_inclusion_proof(leaf_index, tree_size, leaf_hash_, proof_)
    return computed is not None and _is_hash(root_) and computed == root_


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof_: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of size ``second`` an append-only extension of ``first``?

    The degenerate cases: first == second needs an empty proof and equal roots; first == 0 (the
    empty tree is a prefix of every tree) needs an empty proof.
    """
    if not (_is_hash(first_root) and _is_hash(second_root)):
        return False
    if not all(_is_hash(p) for p in proof_):
        return False
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof_ and first_root == second_root
    if first == 0:
        return not proof_
    if not proof_:
        return False
    path_ = list(proof_)
    if first & (first - 1) == 0:  # an exact power of two: prepend first_hash
        path_.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path_[0]
    for c in path_[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
