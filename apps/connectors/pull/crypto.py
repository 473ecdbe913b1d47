"""Encryption at rest of vendor secrets (Fernet: AES-128-CBC with HMAC-SHA256).

The key comes from the CREDENTIALS_KEY setting (environment variable of the same name) when set,
else it is derived from SECRET_KEY with HKDF-SHA256. CREDENTIALS_KEY may list several keys separated
by commas: the first encrypts, all decrypt, so a key can be rotated without losing stored secrets
(SECRET_KEY_FALLBACKS play the same part for the derived key). Each key is either a ready Fernet key
(``Fernet.generate_key()``) or any passphrase, which is then stretched with HKDF.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# Fixed, public context for HKDF: it separates this key from any other use of SECRET_KEY.
_SALT = b"ai-footprint-ledger/vendor-credentials"
_INFO = b"fernet-key-v1"


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted with the configured keys (they changed)."""


def _fernet_key(material: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(material.encode("ascii"))
        if len(raw) == 32 and len(material) == 44:
            return material.encode("ascii")  # already a Fernet key
    except (binascii.Error, UnicodeEncodeError, ValueError):
        pass
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(material.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in (getattr(settings, "CREDENTIALS_KEY", "") or "").split(",") if k.strip()]
    materials = configured or [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_fernet_key(m)) for m in materials])


def encrypt(secret: str) -> str:
    """The Fernet token (ASCII) of `secret`, for storage."""
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The secret back from its stored token; SecretUnreadable when no configured key opens it."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable(
            "the stored secret cannot be decrypted: the encryption key (CREDENTIALS_KEY or SECRET_KEY) changed; "
            "enter the credential again"
        ) from None
