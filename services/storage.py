"""Where backup files live: a local directory or S3-compatible object storage.

Objects appear whole or not at all: a reader never sees a partial one. Keys are built from ids
only (`backup_key`) and checked, so no key can reach outside the storage root.
"""

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse
from uuid import UUID, uuid4

import boto3
from botocore.exceptions import ClientError

CHUNK_SIZE = 1 << 20
# Lowercase segments of letters, digits, '.', '_' and '-', not starting with a dot: no "..",
# no absolute path, no backslash.
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


def backup_key(account_id: UUID, backup_id: UUID) -> str:
    return f"accounts/{account_id}/backups/{backup_id}.zip"


def import_key(account_id: UUID, import_id: UUID) -> str:
    """An uploaded file waiting for its import (a backup ZIP or a CSV)."""
    return f"accounts/{account_id}/imports/{import_id}.upload"


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise ValueError(f"{key!r} is not a storage key")
    return key


class Storage(Protocol):
    async def put_file(self, key: str, local_path: Path) -> None:
        """Stores the file, which the caller no longer changes; the object appears only once
        complete."""

    async def get_file(self, key: str, local_path: Path) -> None:
        """The object as a file at `local_path`, which the caller only reads and then removes;
        FileNotFoundError when there is none."""

    def open_stream(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; FileNotFoundError when there is none."""

    async def size(self, key: str) -> int:
        """In bytes; FileNotFoundError when there is no such object."""

    async def delete(self, key: str) -> None:
        """Removes the object if it exists."""

    async def exists(self, key: str) -> bool: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put_file(self, key: str, local_path: Path) -> None:
        await asyncio.to_thread(self._put_file, self._path(key), local_path)

    @staticmethod
    def _put_file(path: Path, local_path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file beside the target, made durable, then renamed over it: a rename
        # within one directory is atomic, so the key holds either nothing or the whole file.
        temp = path.parent / f".tmp-{uuid4()}"
        try:
            _link_or_copy(local_path, temp)
            with temp.open("rb") as written:
                os.fsync(written.fileno())
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_directory(path.parent)

    async def get_file(self, key: str, local_path: Path) -> None:
        await asyncio.to_thread(_link_or_copy, self._path(key), local_path)

    async def open_stream(self, key: str) -> AsyncIterator[bytes]:
        file = await asyncio.to_thread(self._path(key).open, "rb")
        try:
            while chunk := await asyncio.to_thread(file.read, CHUNK_SIZE):
                yield chunk
        finally:
            file.close()

    async def size(self, key: str) -> int:
        stat = await asyncio.to_thread(self._path(key).stat)
        return stat.st_size

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)


def _link_or_copy(source: Path, target: Path) -> None:
    """A second name for the file where both are on one file system (the work dir usually is):
    nothing to copy. Neither name is written to afterwards."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _fsync_directory(directory: Path) -> None:
    """Makes the rename itself durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class S3Storage:
    """Objects under `s3://bucket/prefix`. boto3 blocks, so every call runs in a thread.
    Credentials and endpoint default to boto3's own configuration (AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, AWS_DEFAULT_REGION...)."""

    def __init__(
        self,
        url: str,
        *,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str | None = None,
    ) -> None:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"{url!r} is not an s3://bucket/prefix URL")
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        # A client is thread-safe: one serves every call.
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put_file(self, key: str, local_path: Path) -> None:
        # S3 publishes an object, multipart or not, only when its upload completes.
        await asyncio.to_thread(
            self._client.upload_file, str(local_path), self.bucket, self._key(key)
        )

    async def get_file(self, key: str, local_path: Path) -> None:
        with _missing_as_file_not_found(key):
            await asyncio.to_thread(
                self._client.download_file, self.bucket, self._key(key), str(local_path)
            )

    async def open_stream(self, key: str) -> AsyncIterator[bytes]:
        with _missing_as_file_not_found(key):
            response = await asyncio.to_thread(
                self._client.get_object, Bucket=self.bucket, Key=self._key(key)
            )
        body = response["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK_SIZE):
                yield chunk
        finally:
            body.close()

    async def size(self, key: str) -> int:
        with _missing_as_file_not_found(key):
            head = await asyncio.to_thread(
                self._client.head_object, Bucket=self.bucket, Key=self._key(key)
            )
        return int(head["ContentLength"])

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=self._key(key))

    async def exists(self, key: str) -> bool:
        try:
            await self.size(key)
        except FileNotFoundError:
            return False
        return True


_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


@contextmanager
def _missing_as_file_not_found(key: str) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        if error.response["Error"]["Code"] in _MISSING:
            raise FileNotFoundError(f"No object {key!r}") from error
        raise


def storage_from_settings(storage_url: str | None, storage_dir: Path) -> Storage:
    """S3 when a URL is configured, else the local directory."""
    if storage_url:
        return S3Storage(storage_url)
    return LocalStorage(storage_dir)
