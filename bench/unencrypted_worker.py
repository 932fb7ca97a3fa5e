"""What a benchmark worker imports to store backups as they are, unencrypted: the one way to
time the same backup with encryption off in the same run. Never a product setting."""

from pathlib import Path

from server import worker  # noqa: F401  (settings, the broker and the actors, as the product's)
from services import storage


class _StoredAsIs(storage.EncryptedStorage):
    def scratch(self, path: Path) -> storage.ScratchFile:
        return storage.PlainScratch(path)

    async def put_file(self, key: str, local_path: Path) -> None:
        await self.inner.put_file(key, local_path)


_configured = storage.current()
# The process's storage, swapped after the product's start-up chose it.
storage._current = _StoredAsIs(_configured.inner, _configured.keyring)
