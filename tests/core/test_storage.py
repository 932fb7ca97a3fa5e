import asyncio
import errno
import os
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from services import storage
from services.core.clock import now
from services.storage import LocalStorage, S3Storage, backup_key, write_behind
from tests.support.start_up import loaded_at_start
from tests.support.storage import Payload, round_trip, s3_client, s3_storage, write_in_chunks


async def test_local_round_trip(tmp_path: Path, payload: Payload) -> None:
    root = tmp_path / "storage"
    key = await round_trip(LocalStorage(root), payload)
    assert await asyncio.to_thread((root / key).read_bytes) == payload.data
    # No temporary file is left beside the object.
    assert await asyncio.to_thread(os.listdir, (root / key).parent) == [Path(key).name]


async def test_local_put_is_never_seen_half_written(tmp_path: Path, payload: Payload) -> None:
    storage = LocalStorage(tmp_path / "storage")
    key = backup_key(uuid4(), uuid4())
    target = tmp_path / "storage" / key
    seen: set[int] = set()
    # The copy runs in a thread; the loop watches the key meanwhile.
    put = asyncio.create_task(storage.put_file(key, payload.path))
    while not put.done():
        if target.exists():
            seen.add(target.stat().st_size)
        await asyncio.sleep(0)
    await put
    assert seen <= {len(payload.data)}
    assert await asyncio.to_thread(target.read_bytes) == payload.data


def test_a_local_file_goes_to_disk_as_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced_at: list[int] = []
    fsync = os.fsync

    def watched_fsync(descriptor: int) -> None:
        synced_at.append(os.fstat(descriptor).st_size)
        fsync(descriptor)

    monkeypatch.setattr(os, "fsync", watched_fsync)
    size = 4 * write_behind.SYNC_BYTES
    write_in_chunks(LocalStorage(tmp_path).create_file(tmp_path / "scratch"), b"x" * size)
    # Synced while it was written: storing it then has only the rest left to sync.
    assert synced_at and min(synced_at) < size


def test_a_failed_write_behind_fails_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_fsync(descriptor: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    file = LocalStorage(tmp_path).create_file(tmp_path / "scratch")
    with pytest.raises(OSError, match="I/O error"):
        write_in_chunks(file, b"x" * 2 * write_behind.SYNC_BYTES)


async def test_local_put_of_a_missing_file_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "storage")
    key = backup_key(uuid4(), uuid4())
    with pytest.raises(FileNotFoundError):
        await storage.put_file(key, tmp_path / "absent.zip")
    assert await asyncio.to_thread(os.listdir, (tmp_path / "storage" / key).parent) == []


@pytest.mark.parametrize(
    "key", ["../escape.zip", "a/../../b.zip", "/etc/passwd", "a//b", ".hidden", "a\\b", "", "A.zip"]
)
async def test_keys_cannot_leave_the_root(tmp_path: Path, payload: Payload, key: str) -> None:
    storage = LocalStorage(tmp_path / "storage")
    with pytest.raises(ValueError, match="not a storage key"):
        await storage.put_file(key, payload.path)
    with pytest.raises(ValueError, match="not a storage key"):
        await storage.exists(key)


async def test_s3_round_trip(s3_endpoint: str, bucket: str, payload: Payload) -> None:
    key = await round_trip(s3_storage(f"s3://{bucket}/crm/backups", s3_endpoint), payload)
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)
    assert [item["Key"] for item in listed["Contents"]] == [f"crm/backups/{key}"]


async def test_s3_without_a_prefix(s3_endpoint: str, bucket: str, payload: Payload) -> None:
    storage = s3_storage(f"s3://{bucket}", s3_endpoint)
    key = backup_key(uuid4(), uuid4())
    await storage.put_file(key, payload.path)
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)
    assert [item["Key"] for item in listed["Contents"]] == [key]
    with pytest.raises(ValueError, match="not a storage key"):
        await storage.put_file("../other-bucket-key", payload.path)


def test_storage_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    local = storage.from_settings(None, tmp_path)
    assert isinstance(local, LocalStorage) and local.root == tmp_path
    s3 = storage.from_settings("s3://bucket/prefix", tmp_path)
    assert isinstance(s3, S3Storage) and (s3.bucket, s3.prefix) == ("bucket", "prefix")
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        storage.from_settings("gs://bucket", tmp_path)


async def test_readiness_checks_the_storage_can_be_written(
    tmp_path: Path, s3_endpoint: str, bucket: str
) -> None:
    await LocalStorage(tmp_path / "not yet created").check_ready()
    await s3_storage(f"s3://{bucket}/prefix", s3_endpoint).check_ready()

    occupied = tmp_path / "a file"
    occupied.write_text("not a directory")
    with pytest.raises(OSError):
        await LocalStorage(occupied).check_ready()
    with pytest.raises(ClientError):
        await s3_storage("s3://no-such-bucket/prefix", s3_endpoint).check_ready()


async def test_s3_aborts_the_uploads_that_killed_processes_left(
    s3_endpoint: str, bucket: str
) -> None:
    storage = s3_storage(f"s3://{bucket}/crm", s3_endpoint)
    client = s3_client(s3_endpoint)
    client.create_multipart_upload(Bucket=bucket, Key=f"crm/{backup_key(uuid4(), uuid4())}")
    client.create_multipart_upload(Bucket=bucket, Key="elsewhere/not-ours.zip")

    # (moto dates every upload in 2010: how recent ones are spared is the local test's.)
    assert await storage.sweep_temporary(now() + timedelta(minutes=1)) == 1
    left = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert [upload["Key"] for upload in left] == ["elsewhere/not-ours.zip"]


def test_only_an_s3_storage_loads_s3s_client_library() -> None:
    assert loaded_at_start(("boto3", "botocore")) == []


def test_s3s_errors_and_the_disks_say_the_storage_is_unavailable() -> None:
    missing = ClientError({"Error": {"Code": "503", "Message": "Slow Down"}}, "PutObject")
    assert storage.is_unavailable(missing)
    assert storage.is_unavailable(EndpointConnectionError(endpoint_url="http://s3.invalid"))
    assert storage.is_unavailable(PermissionError("read-only file system"))
    assert not storage.is_unavailable(ValueError("not a storage error"))
