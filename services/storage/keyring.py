"""The key-encryption keys that wrap each stored file's data key.

A key is written `id:key`, the key 32 random bytes in URL-safe base64; several keys are
separated by commas or new lines, the first being current. New files are wrapped by the
current key; the others only unwrap the files stored under them, until they are re-wrapped."""

import base64
import re
import secrets
from dataclasses import dataclass

KEY_BYTES = 32
# A key's id is written into every file it wraps: short, printable, unambiguous.
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class UnknownKey(LookupError):
    """A file was wrapped by a key that is not configured."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, text: str) -> "Keyring":
        """From `id:key` entries separated by commas or new lines (blank lines and lines
        starting with # are skipped); ValueError saying what is wrong, never showing a key."""
        entries = [
            entry.strip()
            for entry in re.split(r"[,\n]", text)
            if entry.strip() and not entry.strip().startswith("#")
        ]
        if not entries:
            raise ValueError("no key given")
        keys: dict[str, bytes] = {}
        for number, entry in enumerate(entries, start=1):
            key_id, key = _parse_entry(entry, number)
            if key_id in keys:
                raise ValueError(f"key id {key_id!r} is given twice")
            keys[key_id] = key
        return cls(current_id=next(iter(keys)), keys=keys)

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise UnknownKey(
                f"The file's key {key_id!r} is not among the configured backup keys."
            ) from None


def _parse_entry(entry: str, number: int) -> tuple[str, bytes]:
    key_id, colon, encoded = entry.partition(":")
    if not colon or not KEY_ID_PATTERN.match(key_id):
        raise ValueError(f"entry {number} is not id:key (id of letters, digits, '.', '_', '-')")
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        key = base64.b64decode(padded, altchars=b"-_", validate=True)
    except ValueError:
        raise ValueError(f"key {key_id!r} is not URL-safe base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"key {key_id!r} is not {KEY_BYTES} bytes")
    return key_id, key


def new_entry(key_id: str) -> str:
    """A fresh `id:key` line."""
    if not KEY_ID_PATTERN.match(key_id):
        raise ValueError(f"{key_id!r} is not a key id (letters, digits, '.', '_', '-')")
    encoded = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")
    return f"{key_id}:{encoded}"
