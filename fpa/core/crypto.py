"""Keys for protected personal fields: AES-256-GCM for the value, HMAC-SHA256 for the search hash.

The key material is JSON, from the environment variable FPA_FIELD_KEYS or the file named by the
FPA_KEY_FILE setting (never in git):

    {"active": "k2", "keys": {"k1": "<base64 32 bytes>", "k2": "<base64 32 bytes>"},
     "hash_key": "<base64 32 bytes>"}

Every ciphertext names its key id, so old values stay readable after a new key becomes active and
`manage.py rotate_field_keys` re-encrypts them at leisure. The hash key is not rotated this way: the
hash must stay stable for duplicate detection (rotating it means re-hashing every row).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"


class DecryptionError(Exception):
    """A stored value that no configured key opens (wrong key, edited ciphertext)."""


@dataclass(frozen=True)
class Keyring:
    active: str
    keys: dict[str, bytes]
    hash_key: bytes

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(12)
        sealed = _aead(self.keys[self.active]).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{PREFIX}:{self.active}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: str) -> str:
        try:
            prefix, key_id, payload = token.split(":", 2)
            raw = base64.b64decode(payload)
            key = self.keys[key_id]
        except (ValueError, KeyError) as exc:
            raise DecryptionError("unknown key or malformed value") from exc
        if prefix != PREFIX:
            raise DecryptionError(f"unknown format {prefix!r}")
        try:
            return _aead(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except Exception as exc:  # InvalidTag: tampered or wrong context
            raise DecryptionError("value does not authenticate") from exc

    def key_id_of(self, token: str) -> str:
        return token.split(":", 2)[1]

    def blind_index(self, plaintext: str, *, purpose: str) -> str:
        mac = _hmac(self.hash_key).copy()  # the keyed state, without hashing the key again
        mac.update(f"{purpose}\x00{plaintext}".encode())
        return mac.hexdigest()


@functools.lru_cache(maxsize=16)
def _aead(key: bytes) -> AESGCM:
    """One cipher object per key: building it costs as much as sealing a short value."""
    return AESGCM(key)


@functools.lru_cache(maxsize=4)
def _hmac(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)


def _decode(value: str, what: str) -> bytes:
    key = base64.b64decode(value)
    if len(key) != 32:
        raise ImproperlyConfigured(f"{what} must be 32 bytes, base64-encoded.")
    return key


def parse_keyring(document: str) -> Keyring:
    data = json.loads(document)
    keys = {kid: _decode(value, f"key {kid}") for kid, value in data["keys"].items()}
    if data["active"] not in keys:
        raise ImproperlyConfigured("the active field key is not among the keys.")
    return Keyring(active=data["active"], keys=keys, hash_key=_decode(data["hash_key"], "hash_key"))


@functools.cache
def keyring() -> Keyring:
    document = os.environ.get("FPA_FIELD_KEYS")
    if not document and settings.FPA_KEY_FILE and Path(settings.FPA_KEY_FILE).exists():
        document = Path(settings.FPA_KEY_FILE).read_text()
    if not document:
        raise ImproperlyConfigured(
            "No field keys: set FPA_FIELD_KEYS or create the key file with "
            "`manage.py generate_field_keys`."
        )
    return parse_keyring(document)


def new_keyring_document(previous: str | None = None) -> str:
    """A key document with a fresh active key; an existing document keeps its old keys."""
    data = json.loads(previous) if previous else {"keys": {}}
    key_id = f"k{len(data['keys']) + 1}"
    data["keys"][key_id] = base64.b64encode(secrets.token_bytes(32)).decode()
    data["active"] = key_id
    data.setdefault("hash_key", base64.b64encode(secrets.token_bytes(32)).decode())
    return json.dumps(data, indent=2)
