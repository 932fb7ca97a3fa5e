"""Receiving one file from a multipart/form-data body, streamed to disk as it arrives.

Starlette's `request.form()` spools file parts to the system's temporary directory and bounds
only the text fields (`max_part_size`); here the file goes straight into the work directory,
beside where it is used, and anything but the one file and a few short text fields is refused.
The body's total size is capped by the route (`Route(max_body_size=...)`), which overrides the
app-wide cap for that route only.
"""

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

MAX_FIELD_BYTES = 1_024


class MalformedUpload(ValueError):
    """The request is not the multipart form this route takes."""


@dataclass
class ReceivedFile:
    path: Path
    # As the client named it; never used as a path.
    file_name: str
    fields: dict[str, str] = field(default_factory=dict)


class _Parts:
    """python-multipart's callbacks: the file part's data is queued for writing, short text
    fields are kept."""

    def __init__(self, file_field: str, text_fields: Collection[str]) -> None:
        self.file_field = file_field
        self.text_fields = text_fields
        self.file_name: str | None = None
        self.fields: dict[str, str] = {}
        self.to_write: list[bytes] = []
        self.ended = False
        self._headers: dict[bytes, bytes] = {}
        self._header = b""
        self._value = b""
        self._field: str | None = None
        self._text = bytearray()

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._headers = {}
        self._text = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header.lower()] = self._value
        self._header = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            if name != self.file_field or self.file_name is not None:
                raise MalformedUpload(f"Send one file, in the field `{self.file_field}`.")
            self.file_name = options[b"filename"].decode("utf-8", "replace")
            self._field = None
        elif name in self.text_fields and name not in self.fields:
            self._field = name
        else:
            raise MalformedUpload(f"Unexpected form field {name[:40]!r}.")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._field is None:
            self.to_write.append(data[start:end])
            return
        self._text += data[start:end]
        if len(self._text) > MAX_FIELD_BYTES:
            raise MalformedUpload(f"The field `{self._field}` is too long.")

    def _part_end(self) -> None:
        if self._field is not None:
            try:
                self.fields[self._field] = self._text.decode()
            except UnicodeDecodeError:
                raise MalformedUpload(f"The field `{self._field}` is not UTF-8.") from None

    def _end(self) -> None:
        self.ended = True


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise MalformedUpload("Send the file as multipart/form-data.")
    return options[b"boundary"]


async def _stream_into(request: Request, parts: _Parts, file: IO[bytes]) -> str:
    """Writes the file part into `file`; returns the file's name as the client gave it."""
    try:
        parser = MultipartParser(_boundary(request), parts.callbacks())  # type: ignore[arg-type]
        async for chunk in request.stream():
            parser.write(chunk)
            if parts.to_write:
                data = b"".join(parts.to_write)
                parts.to_write.clear()
                await asyncio.to_thread(file.write, data)
        parser.finalize()
    except FormParserError as error:
        raise MalformedUpload(f"The multipart body is malformed: {error}") from None
    if not parts.ended:
        raise MalformedUpload("The multipart body ended before its closing boundary.")
    if parts.file_name is None:
        raise MalformedUpload(f"No file: send it in the field `{parts.file_field}`.")
    return parts.file_name


@contextlib.asynccontextmanager
async def receive_file(
    request: Request, directory: Path, file_field: str, text_fields: Collection[str] = ()
) -> AsyncIterator[ReceivedFile]:
    """The body's one file, in a file of `directory` that is deleted on exit."""
    descriptor, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=directory)
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            parts = _Parts(file_field, text_fields)
            file_name = await _stream_into(request, parts, file)
        yield ReceivedFile(path, file_name, parts.fields)
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)
