"""Backup and restore of every configured database, the media files and a manifest.

``manage.py backup DIR`` and ``manage.py restore DIR`` parse their arguments and call ``backup`` and
``restore`` here (docs/operations.md, "Backup and restore").

A backup folder holds::

    manifest.json            what the backup is and how to check it (below)
    db/<alias>.sqlite3       SQLite: a copy made with the online backup API (one read transaction)
    db/<alias>.dump          PostgreSQL: ``pg_dump -Fc`` of an exported snapshot
    media/...                the uploaded files (care photos) under MEDIA_ROOT

Every figure of the manifest (tables and their row counts, applied migrations, the ledger's tree
size and root hash, the audit row count) is read from the same snapshot that is written, so the
figures and the data agree even while the site keeps writing. No key is ever written: the manifest
names the key ids the data needs, each with a check value (an HMAC of a fixed text under the key)
that tells whether the key loaded at restore time is the same key, and reveals nothing of it.

Every configured database alias is covered, whatever its tables: nothing here lists tables.

Modules: `common` (the manifest's figures and keys, helpers), `taking` (``backup``),
`restoring` (``restore`` and its checks).
"""

from fpa.core.backup.common import (
    FORMAT,
    KEY_CHECK_TEXT,
    MANIFEST,
    MIGRATIONS_TABLE,
    BackupError,
    Say,
    _run,
    aliases,
    backup_parts,
    figures,
    key_check_value,
    pg_tool,
    sha256_file,
)
from fpa.core.backup.restoring import (
    check_files,
    check_keys,
    check_schema,
    check_targets,
    read_manifest,
    restore,
)
from fpa.core.backup.taking import (
    backup,
)

__all__ = [
    "FORMAT",
    "KEY_CHECK_TEXT",
    "MANIFEST",
    "MIGRATIONS_TABLE",
    "BackupError",
    "Say",
    "_run",
    "aliases",
    "backup",
    "backup_parts",
    "check_files",
    "check_keys",
    "check_schema",
    "check_targets",
    "figures",
    "key_check_value",
    "pg_tool",
    "read_manifest",
    "restore",
    "sha256_file",
]
