"""The log's Ed25519 signing key and the C2SP signed-note encoding of keys and signatures.

A signed-note key hash (key id) is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 ||
public key), 0x01 being the signature type of Ed25519. The verifier key that we publish is
``<name>+<key id hex>+<base64(0x01 || public key)>``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ED25519_TYPE = b"\x01"
COSIGNATURE_TYPE = b"\x04"  # C2SP tlog-cosignature: a witness's cosignature/v1 key


def key_hash(name: str, public_key: bytes, key_type: bytes = ED25519_TYPE) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + key_type + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    return (
        f"{name}+{key_hash(name, public_key).hex()}+"
        f"{base64.b64encode(ED25519_TYPE + public_key).decode()}"
    )


def parse_verifier_key(vkey: str, key_type: bytes = ED25519_TYPE) -> tuple[str, bytes, bytes]:
    """(name, key id, raw public key) of a signed-note verifier key string of ``key_type``
    (the log's Ed25519 key, or a witness's cosignature/v1 key); ValueError if malformed."""
    name, _, rest = vkey.strip().partition("+")
    hash_hex, _, key_b64 = rest.partition("+")
    if not name or any(c.isspace() for c in name):
        raise ValueError("a verifier key is <name>+<key id hex>+<base64 key>")
    raw = base64.b64decode(key_b64, validate=True)  # binascii.Error is a ValueError
    if len(raw) != 33 or raw[:1] != key_type:
        raise ValueError(f"not a signed-note Ed25519 verifier key of type 0x{key_type.hex()}")
    public = raw[1:]
    if bytes.fromhex(hash_hex) != key_hash(name, public, key_type):
        raise ValueError("the verifier key's hash does not match its name and key")
    return name, key_hash(name, public, key_type), public


@dataclass(frozen=True)
class SigningKey:
    name: str
    private: Ed25519PrivateKey

    @property
    def public_bytes(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def key_id(self) -> bytes:
        return key_hash(self.name, self.public_bytes)

    @property
    def vkey(self) -> str:
        return verifier_key(self.name, self.public_bytes)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def new_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_private() -> Ed25519PrivateKey:
    seed = os.environ.get("FPA_LEDGER_KEY")
    if seed:
        raw = base64.b64decode(seed)
        if len(raw) != 32:
            raise ImproperlyConfigured("FPA_LEDGER_KEY must be a base64 32-byte Ed25519 seed.")
        return Ed25519PrivateKey.from_private_bytes(raw)
    path = settings.FPA_LEDGER_KEY_FILE
    if not path or not Path(path).exists():
        raise ImproperlyConfigured(
            "No ledger signing key: run `manage.py generate_ledger_key` (FPA_LEDGER_KEY_FILE) "
            "or set FPA_LEDGER_KEY."
        )
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 private key.")
    return key


@lru_cache(maxsize=1)
def _cached(name: str, source: str) -> SigningKey:
    return SigningKey(name=name, private=_load_private())


def signing_key() -> SigningKey:
    name = settings.FPA_LEDGER_ORIGIN
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise ImproperlyConfigured("FPA_LEDGER_ORIGIN must be non-empty, without spaces or '+'.")
    source = os.environ.get("FPA_LEDGER_KEY") or settings.FPA_LEDGER_KEY_FILE
    return _cached(name, source)


def trusted_public_keys() -> dict[bytes, tuple[str, bytes]]:
    """Key id -> (name, public key) of every key whose checkpoints verify: the current one and
    the retired ones in FPA_LEDGER_TRUSTED_KEYS."""
    current = signing_key()
    keys = {current.key_id: (current.name, current.public_bytes)}
    for vkey in settings.FPA_LEDGER_TRUSTED_KEYS:
        name, kid, public = parse_verifier_key(vkey)
        keys[kid] = (name, public)
    return keys


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
