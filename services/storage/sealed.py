"""The sealed file format: a stored file encrypted under its own data key.

    header  MAGIC, version (1 byte), chunk size (4 bytes), key id length (1 byte), key id,
            the data key wrapped by that key-encryption key (nonce, AES-256-GCM ciphertext, tag)
    body    the plaintext in chunks of `chunk size` bytes, each sealed by AES-256-GCM under the
            data key, the last one (possibly empty) flagged final

A chunk's nonce is its position (11 bytes) and whether it is the last (1 byte), as in the
STREAM construction: a data key seals one file only, so no nonce repeats, and a chunk moved,
dropped, repeated or cut off, or a file ending early, fails its tag. Re-wrapping a file to a new
key-encryption key rewrites the header only: the body does not depend on it.
"""

import io
import os
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.storage.base import WrittenFile
from services.storage.buffers import FixedBuffer
from services.storage.keyring import Keyring

MAGIC = b"CRMSEAL"
VERSION = 1
# What a new file is sealed in (a file's header says its own): a writer holds one chunk and
# its sealed copy, a reader one chunk opened, and a worker's memory is bounded (100 MB).
CHUNK_SIZE = 1 << 18
TAG_SIZE = 16
NONCE_SIZE = 12
_FIXED = struct.Struct(f">{len(MAGIC)}sBIB")  # magic, version, chunk size, key id length
_WRAPPED_SIZE = NONCE_SIZE + 32 + TAG_SIZE
# Every chunk's tag also covers the format it was written in.
_CHUNK_AAD = MAGIC + bytes([VERSION])


class Tampered(ValueError):
    """A stored file is not as it was sealed: altered, cut off, or never sealed."""


@dataclass(frozen=True)
class Header:
    chunk_size: int
    key_id: str
    wrapped_key: bytes

    def encode(self) -> bytes:
        key_id = self.key_id.encode()
        fixed = _FIXED.pack(MAGIC, VERSION, self.chunk_size, len(key_id))
        return fixed + key_id + self.wrapped_key

    def data_key(self, keyring: Keyring) -> bytes:
        kek = AESGCM(keyring.key(self.key_id))
        nonce, sealed = self.wrapped_key[:NONCE_SIZE], self.wrapped_key[NONCE_SIZE:]
        try:
            return kek.decrypt(nonce, sealed, _wrap_aad(self.key_id))
        except InvalidTag:
            raise Tampered("The file's data key does not unwrap: the header was altered.") from None


def _wrap_aad(key_id: str) -> bytes:
    return MAGIC + bytes([VERSION]) + key_id.encode()


def wrap(data_key: bytes, keyring: Keyring, chunk_size: int = CHUNK_SIZE) -> Header:
    """A header sealing `data_key` under the keyring's current key."""
    key_id = keyring.current_id
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(keyring.key(key_id)).encrypt(nonce, data_key, _wrap_aad(key_id))
    return Header(chunk_size=chunk_size, key_id=key_id, wrapped_key=nonce + sealed)


def parse_header(data: bytes | bytearray) -> tuple[Header, int] | None:
    """The header at the start of `data` and its length; None while `data` is too short to
    hold it; Tampered when `data` does not start as a sealed file."""
    if len(data) < _FIXED.size:
        if not MAGIC.startswith(data[: len(MAGIC)]):
            raise Tampered("The file is not sealed (encrypted).")
        return None
    magic, version, chunk_size, id_length = _FIXED.unpack_from(data)
    if magic != MAGIC:
        raise Tampered("The file is not sealed (encrypted).")
    if version != VERSION or not 0 < chunk_size <= 64 << 20:
        raise Tampered("The file's header is not one this version reads.")
    end = _FIXED.size + id_length + _WRAPPED_SIZE
    if len(data) < end:
        return None
    key_id = data[_FIXED.size : _FIXED.size + id_length].decode("ascii", errors="replace")
    return Header(chunk_size, key_id, bytes(data[end - _WRAPPED_SIZE : end])), end


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(NONCE_SIZE - 1, "big") + (b"\x01" if final else b"\x00")


def seal(source: BinaryIO, target: BinaryIO, keyring: Keyring) -> None:
    """Writes `source` sealed under a fresh data key to `target`; memory holds two chunks."""
    sealer = Sealer(target, keyring)
    shutil.copyfileobj(source, sealer, CHUNK_SIZE)
    sealer.finish()


class Sealer:
    """A file being sealed as it is written, under a fresh data key: what is written reaches
    `target` only encrypted. A chunk is sealed once more bytes follow it (only then is it known
    not to be the last); `finish` seals the last one, and `close` finishes and closes
    `target`. A chunk is gathered, and sealed, in two buffers kept for the whole file
    (`buffers`)."""

    def __init__(self, target: WrittenFile, keyring: Keyring) -> None:
        self._target = target
        data_key = AESGCM.generate_key(bit_length=256)
        header = wrap(data_key, keyring)
        self._cipher = AESGCM(data_key)
        self._plain = FixedBuffer(header.chunk_size)
        self._sealed = memoryview(bytearray(header.chunk_size + TAG_SIZE))
        self._index = 0
        self._finished = False
        target.write(header.encode())

    def write(self, data: bytes | memoryview) -> int:
        rest = written = memoryview(data).cast("B")
        while rest:
            if self._plain.full:
                # Full, and more follows: not the last chunk.
                self._seal(final=False)
            rest = rest[self._plain.fill(rest) :]
        return len(written)

    def flush(self) -> None:
        """Sealed chunks reach the target; the last one waits for `finish`."""
        self._target.flush()

    def finish(self) -> None:
        if not self._finished:
            self._seal(final=True)
            self._finished = True

    def close(self) -> None:
        self.finish()
        self._target.close()

    def __enter__(self) -> "Sealer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _seal(self, final: bool) -> None:
        plain = self._plain.take()
        sealed = self._sealed[: len(plain) + TAG_SIZE]
        self._cipher.encrypt_into(_nonce(self._index, final), plain, _CHUNK_AAD, sealed)
        self._target.write(sealed)
        self._index += 1


class Opener:
    """Opens a sealed file fed in pieces of any size: `feed` returns the plaintext of every
    chunk known not to be the last, `finish` the last one. Tampered as soon as a chunk fails."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self.buffer = bytearray()
        self.cipher: AESGCM | None = None
        self.record_size = 0
        self.index = 0

    def feed(self, data: bytes) -> bytes:
        self.buffer += data
        if self.cipher is None and not self._read_header():
            return b""
        opened = []
        # A chunk followed by more bytes is not the last.
        while len(self.buffer) > self.record_size:
            opened.append(self._open(bytes(self.buffer[: self.record_size]), final=False))
            del self.buffer[: self.record_size]
        return b"".join(opened)

    def finish(self) -> bytes:
        if self.cipher is None:
            raise Tampered("The file is cut off: its header is incomplete.")
        if len(self.buffer) < TAG_SIZE:
            raise Tampered("The file is cut off: its last chunk is missing.")
        return self._open(bytes(self.buffer), final=True)

    def _read_header(self) -> bool:
        parsed = parse_header(self.buffer)
        if parsed is None:
            return False
        header, length = parsed
        self.cipher = AESGCM(header.data_key(self.keyring))
        self.record_size = header.chunk_size + TAG_SIZE
        del self.buffer[:length]
        return True

    def _open(self, record: bytes, final: bool) -> bytes:
        assert self.cipher is not None
        plain = _open_chunk(self.cipher, self.index, record, final)
        self.index += 1
        return plain


def _open_chunk(cipher: AESGCM, index: int, record: bytes, final: bool) -> bytes:
    try:
        return cipher.decrypt(_nonce(index, final), record, _CHUNK_AAD)
    except InvalidTag:
        ending = "the file is cut off or " if final else ""
        raise Tampered(
            f"Chunk {index + 1} of the file fails its check: {ending}it was altered."
        ) from None


class SealedFile(io.RawIOBase):
    """A sealed file read as its plaintext, with seeks: only the chunks read are opened (each
    checked by its tag), so a reader of a few places of a large file decrypts a few chunks.
    Closing also closes `source`."""

    def __init__(self, source: BinaryIO, keyring: Keyring) -> None:
        super().__init__()
        self._source = source
        parsed = parse_header(source.read(4096))
        if parsed is None:
            raise Tampered("The file is cut off: its header is incomplete.")
        header, self._body_start = parsed
        self._cipher = AESGCM(header.data_key(keyring))
        self._chunk_size = header.chunk_size
        sealed_size = source.seek(0, io.SEEK_END)
        self._size = plaintext_size(sealed_size, self._body_start, self._chunk_size)
        self._last = max(0, -(-self._size // self._chunk_size) - 1)
        self._position = 0
        self._opened: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        start = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, start + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: Any) -> int:
        """Fills `buffer` across chunks, short only at the end: readers such as ZipFile take
        a short read for a cut-off file."""
        filled = 0
        while filled < len(buffer) and self._position < self._size:
            index, within = divmod(self._position, self._chunk_size)
            chunk = self._chunk(index)[within : within + len(buffer) - filled]
            buffer[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
            self._position += len(chunk)
        return filled

    def _chunk(self, index: int) -> bytes:
        if self._opened is None or self._opened[0] != index:
            record_size = self._chunk_size + TAG_SIZE
            self._source.seek(self._body_start + index * record_size)
            record = self._source.read(record_size)
            self._opened = index, _open_chunk(self._cipher, index, record, index == self._last)
        return self._opened[1]

    def close(self) -> None:
        if not self.closed:
            self._source.close()
        super().close()


def open_chunks(source: BinaryIO, keyring: Keyring, read_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The plaintext of a sealed file, chunk by chunk."""
    opener = Opener(keyring)
    while data := source.read(read_size):
        if opened := opener.feed(data):
            yield opened
    yield opener.finish()


def plaintext_size(sealed_size: int, header_size: int, chunk_size: int) -> int:
    """The plaintext's length, from the sealed file's: every chunk adds a tag, and the last
    chunk, present even when empty, is the only one shorter than the rest."""
    body = sealed_size - header_size
    records = -(-body // (chunk_size + TAG_SIZE))
    return body - records * TAG_SIZE
