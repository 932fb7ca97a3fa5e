"""Encryption of small secrets at rest, under keys derived from SECRET_KEY."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.core import environment


def _key(purpose: str) -> bytes:
    """A key that serves `purpose` alone: HKDF's `info` separates the keys, so what one purpose
    encrypts or hashes no other purpose can use, and SECRET_KEY itself is never used as a key."""
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        environment.current().secret
    )


def cipher(purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(purpose)))


def keyed_digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under `purpose`'s key, in hex (64 characters)."""
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()
