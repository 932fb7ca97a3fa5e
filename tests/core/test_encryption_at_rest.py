"""Stored files are sealed: unreadable in storage, refused when altered, and readable across
a change of key."""

import asyncio
import io
import os
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import pytest

from services.storage import (
    EncryptedStorage,
    Keyring,
    LocalStorage,
    Rewrapped,
    Storage,
    Tampered,
    UnknownKey,
    backup_key,
    new_entry,
)
from services.storage.sealed import (
    CHUNK_SIZE,
    MAGIC,
    TAG_SIZE,
    SealedFile,
    Sealer,
    open_chunks,
    parse_header,
    seal,
)
from tests.support.storage import Payload, read_all, round_trip, s3_client, s3_storage

OLD, NEW = new_entry("2026-old"), new_entry("2027-new")


def keyring(*entries: str) -> Keyring:
    return Keyring.parse(",".join(entries))


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "storage")
    endpoint: str = request.getfixturevalue("s3_endpoint")
    return s3_storage(f"s3://{request.getfixturevalue('bucket')}/crm", endpoint)


async def stored_bytes(backend: Storage, key: str) -> bytes:
    return await read_all(backend, key)


async def store_bytes(backend: Storage, key: str, data: bytes, scratch: Path) -> None:
    path = scratch / f"raw-{uuid4()}"
    await asyncio.to_thread(path.write_bytes, data)
    await backend.put_file(key, path)


async def test_files_are_stored_sealed_and_read_plain(backend: Storage, payload: Payload) -> None:
    files = EncryptedStorage(backend, keyring(OLD))
    key = await round_trip(files, payload)
    stored = await stored_bytes(backend, key)
    assert stored.startswith(MAGIC)
    assert payload.data[:64] not in stored
    chunks = -(-len(payload.data) // CHUNK_SIZE)
    header = parse_header(stored)
    assert header is not None and len(stored) == header[1] + len(payload.data) + chunks * TAG_SIZE
    # A fresh data key each time: the same file never seals the same way twice.
    again = backup_key(uuid4(), uuid4())
    await files.put_file(again, payload.path)
    assert (await stored_bytes(backend, again))[header[1] :] != stored[header[1] :]


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, 2 * CHUNK_SIZE + 5])
def test_any_length_seals_and_opens(size: int) -> None:
    data = os.urandom(size)
    sealed = io.BytesIO()
    seal(io.BytesIO(data), sealed, keyring(OLD))
    # Read back in pieces that do not fall on chunk boundaries.
    opened = b"".join(open_chunks(io.BytesIO(sealed.getvalue()), keyring(OLD), read_size=7777))
    assert opened == data


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, 2 * CHUNK_SIZE + 5])
def test_a_file_sealed_as_it_is_written_opens_as_one_sealed_at_once(
    tmp_path: Path, size: int
) -> None:
    data = os.urandom(size)
    path = tmp_path / "sealed"
    with Sealer(path.open("wb"), keyring(OLD)) as sealer:
        # Writes that do not fall on chunk boundaries, as a ZIP's do not.
        for at in range(0, size, 300_001):
            sealer.write(data[at : at + 300_001])
    with path.open("rb") as sealed:
        assert sealed.read(len(MAGIC)) == MAGIC
        sealed.seek(0)
        assert b"".join(open_chunks(sealed, keyring(OLD))) == data


@pytest.mark.parametrize("size", [0, 10, CHUNK_SIZE, 3 * CHUNK_SIZE - 7])
def test_a_sealed_file_reads_back_at_any_place(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "sealed"
    with path.open("wb") as target, io.BytesIO(data) as source:
        seal(source, target, keyring(OLD))
    with SealedFile(path.open("rb"), keyring(OLD)) as file:
        assert file.read() == data
        for at in (0, 1, CHUNK_SIZE - 3, CHUNK_SIZE, size - 5):
            at = max(0, min(at, size))
            file.seek(at)
            assert file.read(10) == data[at : at + 10]
        assert file.seek(-4, io.SEEK_END) == max(0, size - 4)
        assert file.read() == data[max(0, size - 4) :]


def test_a_sealed_file_read_at_a_damaged_place_is_refused(tmp_path: Path) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 100)
    sealed = io.BytesIO()
    seal(io.BytesIO(data), sealed, keyring(OLD))
    path = tmp_path / "sealed"
    path.write_bytes(_flip(len(sealed.getvalue()) - 50)(sealed.getvalue()))
    with SealedFile(path.open("rb"), keyring(OLD)) as file:
        assert file.read(100) == data[:100]
        file.seek(-10, io.SEEK_END)
        with pytest.raises(Tampered, match="Chunk 3 of the file fails its check"):
            file.read()


def _records(sealed: bytes) -> tuple[bytes, list[bytes]]:
    parsed = parse_header(sealed)
    assert parsed is not None
    header, length = parsed
    body, size = sealed[length:], header.chunk_size + TAG_SIZE
    return sealed[:length], [body[at : at + size] for at in range(0, len(body), size)]


def _flip(at: int) -> Callable[[bytes], bytes]:
    def damage(sealed: bytes) -> bytes:
        changed = bytearray(sealed)
        changed[at] ^= 0x01
        return bytes(changed)

    return damage


def _swap_first_two(sealed: bytes) -> bytes:
    header, records = _records(sealed)
    return header + records[1] + records[0] + b"".join(records[2:])


def _drop_second(sealed: bytes) -> bytes:
    header, records = _records(sealed)
    return header + records[0] + b"".join(records[2:])


def _drop_last(sealed: bytes) -> bytes:
    header, records = _records(sealed)
    return header + b"".join(records[:-1])


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "a byte of the body": _flip(len(MAGIC) + 200_000),
    "a byte of the last tag": _flip(-1),
    "the key id": _flip(len(MAGIC) + 6),
    "the wrapped data key": _flip(len(MAGIC) + 6 + len("2026-old") + 3),
    "the magic": _flip(0),
    "two chunks swapped": _swap_first_two,
    "a chunk dropped": _drop_second,
    "the last chunk dropped": _drop_last,
    "cut short": lambda sealed: sealed[:-100],
    "bytes appended": lambda sealed: sealed + b"more",
    "an empty file": lambda sealed: b"",
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
async def test_a_file_altered_in_storage_is_refused(
    backend: Storage, payload: Payload, tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    files = EncryptedStorage(backend, keyring(OLD))
    key = backup_key(uuid4(), uuid4())
    await files.put_file(key, payload.path)
    await store_bytes(backend, key, damage(await stored_bytes(backend, key)), tmp_path)

    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises((Tampered, UnknownKey)):
        await files.get_file(key, work / "fetched.zip")
    # Nothing of it is left for anyone to read.
    assert list(work.iterdir()) == []
    with pytest.raises((Tampered, UnknownKey)):
        await read_all(files, key)


async def test_an_object_replaced_in_the_bucket_is_refused(
    s3_endpoint: str, bucket: str, payload: Payload, tmp_path: Path
) -> None:
    files = EncryptedStorage(s3_storage(f"s3://{bucket}", s3_endpoint), keyring(OLD))
    key = backup_key(uuid4(), uuid4())
    await files.put_file(key, payload.path)
    client = s3_client(s3_endpoint)
    body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    client.put_object(Bucket=bucket, Key=key, Body=_drop_second(body))
    with pytest.raises(Tampered, match="Chunk 2"):
        await files.get_file(key, tmp_path / "fetched.zip")


async def test_old_files_stay_readable_and_rewrap_moves_them_to_the_new_key(
    backend: Storage, payload: Payload, tmp_path: Path
) -> None:
    key = backup_key(uuid4(), uuid4())
    await EncryptedStorage(backend, keyring(OLD)).put_file(key, payload.path)
    rotated = EncryptedStorage(backend, keyring(NEW, OLD))
    assert await read_all(rotated, key) == payload.data
    with pytest.raises(UnknownKey, match="2026-old"):
        await read_all(EncryptedStorage(backend, keyring(NEW)), key)

    body_before = (await stored_bytes(backend, key))[-1000:]
    work = tmp_path / "work"
    work.mkdir()
    assert await rotated.rewrap(key, work) is Rewrapped.REWRAPPED
    stored = await stored_bytes(backend, key)
    header = parse_header(stored)
    assert header is not None and header[0].key_id == "2027-new"
    # Only the header changed: the body was sealed by the data key, which stays.
    assert stored[-1000:] == body_before
    assert await read_all(EncryptedStorage(backend, keyring(NEW)), key) == payload.data
    assert await rotated.rewrap(key, work) is Rewrapped.CURRENT
    assert list(work.iterdir()) == []


async def test_rewrap_all_seals_files_stored_before_encryption_when_asked(
    backend: Storage, payload: Payload, tmp_path: Path
) -> None:
    sealed_key, plain_key = backup_key(uuid4(), uuid4()), backup_key(uuid4(), uuid4())
    await EncryptedStorage(backend, keyring(OLD)).put_file(sealed_key, payload.path)
    await backend.put_file(plain_key, payload.path)
    files = EncryptedStorage(backend, keyring(NEW, OLD))
    with pytest.raises(Tampered, match="not sealed"):
        await read_all(files, plain_key)

    refusing = await files.rewrap_all(tmp_path)
    assert dict(refusing.done) == {Rewrapped.REWRAPPED: 1}
    assert list(refusing.refused) == [plain_key]

    sealing = await files.rewrap_all(tmp_path, seal_plain=True)
    assert dict(sealing.done) == {Rewrapped.CURRENT: 1, Rewrapped.SEALED: 1}
    assert sealing.refused == {}
    assert await read_all(files, plain_key) == payload.data


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no key given"),
        ("nocolon", "not id:key"),
        ("bad id:AAAA", "not id:key"),
        ("k:" + "A" * 10, "not 32 bytes"),
        ("k:!!!!", "not URL-safe base64"),
        (f"{OLD},{OLD}", "given twice"),
    ],
)
def test_keys_that_do_not_parse_say_why(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Keyring.parse(text)


def test_the_first_key_is_current() -> None:
    ring = Keyring.parse(f"# rotated in 2027\n{NEW}\n\n{OLD}\n")
    assert ring.current_id == "2027-new" and set(ring.keys) == {"2027-new", "2026-old"}
