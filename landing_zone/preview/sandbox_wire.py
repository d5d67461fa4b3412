"""The byte format between the program's child process and the preview engine: framed JSON, protobuf as bytes.

The child (`sandbox_child`) runs the user's program and is untrusted; the parent (`sandbox`)
decides the verdict. Nothing crosses but these frames, so nothing the program does can run code in
the parent: no pickle, a size cap on every frame, and every decoded value type-checked.

A frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON: an object with a
``kind`` (``registration``, ``update``, ``error``, ``finished``). A `Registration` is sent field by
field, so fields added to it later travel without changes here: protobuf messages as base64 of
their wire bytes with their type name, everything else as JSON.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import struct
from typing import Any, BinaryIO

from google.protobuf import struct_pb2, symbol_database
from google.protobuf.message import DecodeError, Message

from landing_zone.preview.recorder import Registration

#: A frame larger than this is refused: no honest registration comes near it, and it caps the parent's memory.
MAX_FRAME_BYTES = 256 * 1024 * 1024
_HEADER = struct.Struct(">I")
_PROTOBUF_KEY = "__protobuf__"


class WireError(Exception):
    """The child sent something that is not a well-formed frame (a crash mid-write, or a program writing to the channel)."""


def write_frame(fd: int, document: dict[str, Any]) -> None:
    """Write one frame to a file descriptor, whole (the caller serialises writers)."""
    payload = json.dumps(document, separators=(",", ":"), default=_jsonable).encode("utf-8")
    data = _HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_frame(stream: BinaryIO) -> dict[str, Any] | None:
    """Read the next frame; None at a clean end of stream. Raises WireError on anything malformed."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME_BYTES:
        raise WireError(f"a frame of {length} bytes exceeds the {MAX_FRAME_BYTES}-byte limit")
    payload = _read_exactly(stream, length)
    if payload is None:
        raise WireError("the stream ended in the middle of a frame")
    try:
        document = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise WireError(f"a frame is not UTF-8 JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("kind"), str):
        raise WireError("a frame is not an object with a 'kind'")
    return document


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            if remaining == size:
                return None
            raise WireError("the stream ended in the middle of a frame")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def encode_registration(registration: Registration) -> dict[str, Any]:
    """Every field of a Registration as JSON: protobuf messages as their wire bytes."""
    encoded: dict[str, Any] = {}
    for item in dataclasses.fields(registration):
        value = getattr(registration, item.name)
        if isinstance(value, Message):
            encoded[item.name] = {
                _PROTOBUF_KEY: value.DESCRIPTOR.full_name,
                "bytes": base64.b64encode(value.SerializeToString(deterministic=True)).decode("ascii"),
            }
        else:
            encoded[item.name] = value
    return encoded


_STRING_FIELDS = ("urn", "type", "name")


def decode_registration(encoded: Any) -> Registration:
    """Rebuild a Registration from `encode_registration`'s output, checking the types the engine relies on."""
    if not isinstance(encoded, dict):
        raise WireError("a registration is not an object")
    known = {item.name for item in dataclasses.fields(Registration)}
    unknown = set(encoded) - known
    if unknown:
        raise WireError(f"a registration has unknown fields: {sorted(unknown)[:5]}")
    values: dict[str, Any] = {}
    for key, value in encoded.items():
        if isinstance(value, dict) and _PROTOBUF_KEY in value:
            values[key] = _decode_message(value)
        else:
            values[key] = value
    _check_types(values)
    try:
        return Registration(**values)
    except TypeError as error:
        raise WireError(f"a registration is incomplete: {error}") from None


def _check_types(values: dict[str, Any]) -> None:
    """The fields the engine reads must have the types it expects; anything else is a malformed frame."""
    for key in _STRING_FIELDS:
        if not isinstance(values.get(key), str):
            raise WireError(f"a registration's {key!r} is not a string")
    for key in ("inputs_struct", "outputs_struct"):
        if not isinstance(values.get(key), struct_pb2.Struct):
            raise WireError(f"a registration's {key!r} is not a protobuf Struct")
    for key in ("parent", "provider"):
        if values.get(key) is not None and not isinstance(values[key], str):
            raise WireError(f"a registration's {key!r} is not a string")
    for key in ("dependencies", "ignore_changes", "additional_secret_outputs"):
        if key in values and not (isinstance(values[key], list) and all(isinstance(v, str) for v in values[key])):
            raise WireError(f"a registration's {key!r} is not a list of strings")
    dependencies = values.get("property_dependencies", {})
    if not isinstance(dependencies, dict) or not all(
        isinstance(urns, list) and all(isinstance(u, str) for u in urns) for urns in dependencies.values()
    ):
        raise WireError("a registration's 'property_dependencies' is not a map of URN lists")


def _decode_message(value: dict[str, Any]) -> Message:
    type_name, data = value.get(_PROTOBUF_KEY), value.get("bytes")
    if not isinstance(type_name, str) or not isinstance(data, str):
        raise WireError("a protobuf value lacks its type or bytes")
    try:
        message_class = symbol_database.Default().GetSymbol(type_name)
    except KeyError:
        raise WireError(f"unknown protobuf type {type_name!r}") from None
    message = message_class()
    try:
        message.ParseFromString(base64.b64decode(data, validate=True))
    except (DecodeError, ValueError) as error:
        raise WireError(f"a {type_name} value does not parse: {error}") from None
    return message


def _jsonable(value: Any) -> Any:
    """Stack outputs can hold any Python value; anything JSON cannot carry travels as its text."""
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
