"""Storage for the tests: one that fails every write, S3 through moto, and the round trip
every backend must pass."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import boto3
import pytest

from services import storage
from services.storage import (
    LocalStorage,
    S3Storage,
    Storage,
    WrittenFile,
    backup_key,
    new_entry,
)

KEY_ID, SECRET, REGION = "testing", "testing", "us-east-1"
# The backup keys of the tests' own settings and of the processes they start.
BACKUP_KEYS = new_entry("test-1")


@contextlib.contextmanager
def storage_that_cannot_write(tmp_path: Path) -> Iterator[None]:
    """Storage whose root is a regular file, so that storing or fetching any file fails."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    configured = storage.current()
    storage.use(LocalStorage(blocked), configured.keyring)
    try:
        yield
    finally:
        storage.use(configured.inner, configured.keyring)


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        region_name=REGION,
    )


def s3_storage(url: str, endpoint: str) -> S3Storage:
    return S3Storage(
        url, endpoint_url=endpoint, access_key_id=KEY_ID, secret_access_key=SECRET, region=REGION
    )


@dataclass(frozen=True)
class Payload:
    path: Path
    data: bytes


async def read_all(store: Storage, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.open_stream(key)])


async def round_trip(store: Storage, payload: Payload) -> str:
    """Every operation of the interface on a new key, missing keys included; the payload is
    stored again at the end, under the key returned."""
    key = backup_key(uuid4(), uuid4())
    assert not await store.exists(key)
    await store.put_file(key, payload.path)
    assert await store.exists(key)
    assert key in await store.list_keys()
    assert await store.size(key) == len(payload.data)
    assert await read_all(store, key) == payload.data
    fetched = payload.path.with_name("fetched.zip")
    await store.get_file(key, fetched)
    assert await asyncio.to_thread(fetched.read_bytes) == payload.data
    fetched.unlink()
    await store.delete(key)
    assert not await store.exists(key)
    await store.delete(key)
    with pytest.raises(FileNotFoundError):
        await store.size(key)
    with pytest.raises(FileNotFoundError):
        await read_all(store, key)
    with pytest.raises(FileNotFoundError):
        await store.get_file(key, fetched)
    # A file the store made, written in chunks, then stored: the same payload.
    written = payload.path.with_name("written.zip")
    await asyncio.to_thread(write_in_chunks, store.create_file(written), payload.data)
    await store.put_file(key, written)
    assert await read_all(store, key) == payload.data
    written.unlink()
    return key


def write_in_chunks(file: WrittenFile, data: bytes, chunk_size: int = 1 << 20) -> None:
    try:
        for start in range(0, len(data), chunk_size):
            file.write(data[start : start + chunk_size])
    finally:
        file.close()


@contextlib.asynccontextmanager
async def plaintext_rewritten(key: str, scratch: Path) -> AsyncIterator[Path]:
    """The stored file's plaintext at a path the test may change, then stored (sealed) again:
    a file as a faulty export would have written it."""
    path = scratch / f"plaintext-{uuid4()}"
    await storage.current().get_file(key, path)
    yield path
    await storage.current().put_file(key, path)
    path.unlink()


def flip_stored_byte(key: str, offset: int) -> None:
    """Alters one byte of the sealed file in local storage, as someone with access to the
    storage could; `offset` counts from the end when negative."""
    path = storage.current().inner.root / key  # type: ignore[attr-defined]
    content = bytearray(path.read_bytes())
    content[offset] ^= 0x01
    path.write_bytes(bytes(content))
