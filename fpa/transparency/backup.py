"""The ledger's part of a backup (registered on the app as `backup_part`; fpa.core.backup calls it
without knowing the ledger): its tree size and root hash and the keys that signed its checkpoints
in the manifest, the signing key's public half among the keys a restore needs, and
`verify_ledger` after a restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import router

from fpa.transparency import merkle
from fpa.transparency.keys import signing_key, trusted_public_keys
from fpa.transparency.models import Checkpoint, LogLeaf
from fpa.transparency.verify import verify_log

NAME = "ledger"


def figures(
    cursor: Any, alias: str, counts: dict[str, int], quote: Callable[[str], str]
) -> dict[str, Any] | None:
    """The ledger's figures on the alias that holds it, read through `cursor` (the snapshot's or
    the restored database's): tree size, root hash, the keys that signed checkpoints."""
    if router.db_for_write(LogLeaf) != alias or LogLeaf._meta.db_table not in counts:
        return None
    cursor.execute(f'SELECT leaf_hash FROM {quote(LogLeaf._meta.db_table)} ORDER BY "index"')  # noqa: S608
    hashes = [bytes(row[0]) for row in cursor.fetchall()]
    out: dict[str, Any] = {
        "tree_size": len(hashes),
        "root_hash": merkle.root_from_leaf_hashes(hashes).hex(),
    }
    if Checkpoint._meta.db_table in counts:
        cursor.execute(
            f"SELECT DISTINCT key_name, key_id FROM {quote(Checkpoint._meta.db_table)} "  # noqa: S608
            "ORDER BY key_name, key_id"
        )
        out["checkpoint_keys"] = [
            {"name": name, "key_id": key_id} for name, key_id in cursor.fetchall()
        ]
    return out


def keys_needed() -> dict[str, Any]:
    """The public verifier key, never the private key."""
    return {"ledger_signing_key": signing_key().vkey}


def key_problems(manifest: dict[str, Any]) -> list[str]:
    trusted = {kid.hex() for kid in trusted_public_keys()}
    problems = []
    for db in manifest["databases"].values():
        for key in (db.get(NAME) or {}).get("checkpoint_keys", []):
            if key["key_id"] not in trusted:
                problems.append(
                    f"ledger key {key['name']}+{key['key_id']} signed checkpoints but is neither "
                    "the signing key nor in FPA_LEDGER_TRUSTED_KEYS"
                )
    return problems


def verify() -> tuple[list[str], str]:
    """`verify_ledger` on the restored database: (problems, the line said when it passes)."""
    report = verify_log()
    problems = [] if report.ok else [f"verify_ledger: {f}" for f in report.findings[:10]]
    return problems, f"verify_ledger: OK, {report.leaves} entries, {report.checkpoints} checkpoints"


def ledger_key_ready() -> None:
    """/readyz: the ledger's signing key is loaded and signs."""
    signing_key().sign(b"readyz")
