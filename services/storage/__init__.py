"""Where backup files live: a local directory or S3-compatible object storage, chosen once at
start-up, every file encrypted at rest under the configured keys (`encrypted`).

Objects appear whole or not at all: a reader never sees a partial one. Keys are built from ids
only (`backup_key`) and checked, so no key can reach outside the storage root.
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from services.storage.base import (
    PlainScratch,
    ScratchFile,
    Storage,
    WrittenFile,
    backup_key,
    check_key,
    import_key,
)
from services.storage.buffers import FixedBuffer
from services.storage.encrypted import EncryptedStorage, Rewrapped
from services.storage.keyring import Keyring, UnknownKey, new_entry
from services.storage.local import LocalStorage
from services.storage.scratch import sweep_work_dir
from services.storage.sealed import Tampered

if TYPE_CHECKING:
    from services.storage.s3 import S3Storage

# S3's client library (boto3) is loaded only where S3 is used: it takes about 10 MB of every
# process that loads it, the API's and the workers', against their memory bounds.
S3_MODULE = "services.storage.s3"

_current: EncryptedStorage | None = None


def __getattr__(name: str) -> Any:
    if name == "S3Storage":
        from services.storage.s3 import S3Storage

        return S3Storage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def from_settings(storage_url: str | None, storage_dir: Path) -> Storage:
    """S3 when a URL is configured, else the local directory."""
    if storage_url:
        from services.storage.s3 import S3Storage

        return S3Storage(storage_url)
    return LocalStorage(storage_dir)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the storage could not be used: the disk's errors, and S3's (whose
    errors can only be met where its module was loaded)."""
    s3 = sys.modules.get(S3_MODULE)
    return isinstance(error, OSError) or (s3 is not None and s3.is_unavailable(error))


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
    "FixedBuffer",
    "Keyring",
    "LocalStorage",
    "PlainScratch",
    "Rewrapped",
    "S3Storage",
    "ScratchFile",
    "Storage",
    "Tampered",
    "UnknownKey",
    "WrittenFile",
    "backup_key",
    "check_key",
    "current",
    "from_settings",
    "import_key",
    "is_unavailable",
    "new_entry",
    "sweep_work_dir",
    "use",
]
