"""Storage in an S3-compatible bucket, through boto3."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from services.storage.base import CHUNK_SIZE, WrittenFile, check_key


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

    def create_file(self, path: Path) -> WrittenFile:
        # Uploaded from the page cache: nothing of it needs to reach the disk.
        return path.open("wb")

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

    async def list_keys(self) -> list[str]:
        return await asyncio.to_thread(self._list_keys)

    def _list_keys(self) -> list[str]:
        prefix = f"{self.prefix}/" if self.prefix else ""
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        return [item["Key"][len(prefix) :] for page in pages for item in page.get("Contents", [])]

    async def check_ready(self) -> None:
        await asyncio.to_thread(self._client.head_bucket, Bucket=self.bucket)

    async def sweep_temporary(self, older_than: datetime) -> int:
        # A killed upload leaves no object but its parts, billed until aborted.
        return await asyncio.to_thread(self._abort_uploads, older_than)

    def _abort_uploads(self, older_than: datetime) -> int:
        pages = self._client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else ""
        )
        aborted = 0
        for page in pages:
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < older_than:
                    self._client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    aborted += 1
        return aborted


_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


def is_unavailable(error: BaseException) -> bool:
    """An error of S3's client library: the service or the network failed."""
    return isinstance(error, BotoCoreError | ClientError)


@contextmanager
def _missing_as_file_not_found(key: str) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        if error.response["Error"]["Code"] in _MISSING:
            raise FileNotFoundError(f"No object {key!r}") from error
        raise
