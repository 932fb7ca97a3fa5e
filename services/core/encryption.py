"""Encryption of small secrets at rest, under keys derived from SECRET_KEY."""

import base64

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.core import environment


def cipher(purpose: str) -> Fernet:
    """A Fernet cipher whose key serves `purpose` alone: HKDF's `info` separates the keys, so
    what one purpose encrypts no other purpose can decrypt, and SECRET_KEY itself is never used
    as a key."""
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        environment.current().secret
    )
    return Fernet(base64.urlsafe_b64encode(key))
