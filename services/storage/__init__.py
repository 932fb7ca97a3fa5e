"""Where backup files live: a local directory or S3-compatible object storage, chosen once at
start-up, every file encrypted at rest under the configured keys (`encrypted`).

Objects appear whole or not at all: a reader never sees a partial one. Keys are built from ids
only (`backup_key`) and checked, so no key can reach outside the storage root.
"""

from pathlib import Path

from services.storage.base import Storage, backup_key, check_key, import_key
from services.storage.encrypted import EncryptedStorage, Rewrapped
from services.storage.keyring import Keyring, UnknownKey, new_entry
from services.storage.local import LocalStorage
from services.storage.s3 import S3Storage
from services.storage.scratch import sweep_work_dir
from services.storage.sealed import Tampered

_current: EncryptedStorage | None = None


def from_settings(storage_url: str | None, storage_dir: Path) -> Storage:
    """S3 when a URL is configured, else the local directory."""
    if storage_url:
        return S3Storage(storage_url)
    return LocalStorage(storage_dir)


def use(storage: Storage, keyring: Keyring) -> None:
    """Select the process's storage and its keys at start-up."""
    global _current
    _current = EncryptedStorage(storage, keyring)


def current() -> EncryptedStorage:
    if _current is None:
        raise RuntimeError("services.storage.use() has not been called")
    return _current


__all__ = [
    "EncryptedStorage",
    "Keyring",
    "LocalStorage",
    "Rewrapped",
    "S3Storage",
    "Storage",
    "Tampered",
    "UnknownKey",
    "backup_key",
    "check_key",
    "current",
    "from_settings",
    "import_key",
    "new_entry",
    "sweep_work_dir",
    "use",
]
