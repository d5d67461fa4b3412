"""The one YAML loader of the project: YAML 1.2 semantics, as the Pulumi CLI (Go, yaml.v3) reads its files.

PyYAML implements YAML 1.1, where ``NO`` and ``on`` are booleans and ``2026-03-01`` is a date; the CLI
keeps all three as strings, so a stack file read with PyYAML hands a program different config than
``pulumi preview`` would. This module reads stack files, ``Pulumi.yaml`` and landing-zone config files
with ruamel.yaml's YAML 1.2 safe loader and adds the checks a file from an untrusted source needs:

- duplicate keys are errors (yaml.v3 refuses them too);
- explicit tags (``!!binary``, ``!!python/...``, ``!custom``) are refused: config is plain data;
- aliases may not expand past `MAX_NODES` nodes, so a small "billion laughs" file fails at once
  instead of exhausting memory when the value is later walked or serialised;
- every error names the file, the line and the key path (``landingZone.network.spokes[1]``).

Timestamps stay strings, as yaml.v3 leaves them when decoding into an untyped value. An integer
written with a leading zero (``017``, ``-0_17``) is octal, as yaml.v3 reads it (``resolve.go``:
``strconv.ParseInt(plain, 0, 64)`` after dropping underscores; "Octals from the 1.1 spec, spelled as
0777, are still decoded by default in v3"), where plain YAML 1.2 would read decimal 17.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
)

#: Most nodes a document may hold once every alias is expanded. A real stack file has a few thousand.
MAX_NODES = 200_000
#: Largest file read, in characters: far beyond any config, far below anything that strains memory.
MAX_CHARS = 5_000_000


class YamlError(ValueError):
    """A YAML file could not be read as plain YAML 1.2 data. ``str()`` names file, line and key path."""

    def __init__(self, source: str, message: str, line: int | None = None, path: str = "") -> None:
        self.source = source
        self.line = line
        self.path = path
        self.reason = message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {path + ': ' if path else ''}{message}")


#: yaml.v3's 1.1-style octal (``0777``): Go's ``ParseInt(s, 0, 64)`` reads a leading zero as base 8.
_LEGACY_OCTAL = re.compile(r"[-+]?0[0-7]+")


class _Constructor(SafeConstructor):
    """The safe constructor, with timestamps left as the strings they were written as (yaml.v3 does this)."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        return self.construct_scalar(node)

    def construct_yaml_int(self, node: Any) -> Any:
        plain = str(self.construct_scalar(node)).replace("_", "")
        if _LEGACY_OCTAL.fullmatch(plain):
            return int(plain, 8)
        return super().construct_yaml_int(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    yaml.allow_duplicate_keys = False
    yaml.Constructor = _Constructor
    return yaml


@dataclass
class _Frame:
    """One open mapping or sequence while walking parse events."""

    kind: str  # "map" or "seq"
    label: str  # this collection's key path
    anchor: str | None
    size: int = 1
    index: int = 0
    expect_key: bool = True
    key: str | None = None
    keys: set[str] = field(default_factory=set)


def _child_path(parent: str, frame: _Frame) -> str:
    if frame.kind == "seq":
        return f"{parent}[{frame.index}]"
    key = frame.key or ""
    return f"{parent}.{key}" if parent else key


class _EventChecker:
    """Walks parse events: refuses tags, complex and duplicate keys, unknown aliases and alias bombs.

    Counts every node the document holds once aliases are expanded (an alias counts the size of
    what it points to), and stops as soon as the count passes `MAX_NODES`.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.stack: list[_Frame] = []
        self.anchors: dict[str, int] = {}
        self.total = 0

    def run(self, events: Iterable[Any]) -> None:
        for event in events:
            if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                self._close()
            elif isinstance(event, NodeEvent):
                self._node(event)

    def _count(self, size: int, event: Any, path: str) -> None:
        self.total += size
        if self.stack:
            self.stack[-1].size += size
        if self.total > MAX_NODES:
            message = f"document expands to more than {MAX_NODES} nodes (excessive aliasing)"
            raise YamlError(self.source, message, _line(event), path)

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            self.anchors[frame.anchor] = frame.size
        if self.stack:
            self.stack[-1].size += frame.size
            _advance(self.stack[-1])

    def _node(self, event: Any) -> None:
        parent = self.stack[-1] if self.stack else None
        is_key = parent is not None and parent.kind == "map" and parent.expect_key
        path = parent.label if parent is not None else ""
        if parent is not None and not is_key:
            path = _child_path(parent.label, parent)
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, AliasEvent):
            raise YamlError(self.source, f"explicit tag {tag!s} is not allowed: write plain values", _line(event), path)
        if is_key:
            assert parent is not None
            self._key(parent, event, path)
        elif isinstance(event, AliasEvent):
            if event.anchor not in self.anchors:
                raise YamlError(self.source, f"alias *{event.anchor} refers to no anchor", _line(event), path)
            self._count(self.anchors[event.anchor], event, path)
            if parent is not None:
                _advance(parent)
        elif isinstance(event, ScalarEvent):
            if event.anchor:
                self.anchors[event.anchor] = 1
            self._count(1, event, path)
            if parent is not None:
                _advance(parent)
        elif isinstance(event, CollectionStartEvent):
            self.total += 1
            kind = "map" if isinstance(event, MappingStartEvent) else "seq"
            self.stack.append(_Frame(kind, path, event.anchor))

    def _key(self, parent: _Frame, event: Any, path: str) -> None:
        if not isinstance(event, ScalarEvent):
            raise YamlError(self.source, "a mapping key must be a plain scalar", _line(event), path)
        key = str(event.value)
        if key in parent.keys:
            where = _child_path(path, _keyed(parent, key))
            raise YamlError(self.source, f"duplicate key '{key}'", _line(event), where)
        parent.keys.add(key)
        parent.key = key
        parent.expect_key = False
        self._count(1, event, path)


def _line(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _keyed(frame: _Frame, key: str) -> _Frame:
    return _Frame("map", frame.label, None, key=key)


def _advance(frame: _Frame) -> None:
    if frame.kind == "seq":
        frame.index += 1
    else:
        frame.expect_key = True


def loads(text: str, source: str = "<string>") -> Any:
    """Parse one YAML 1.2 document from ``text``; ``source`` names it in errors."""
    if len(text) > MAX_CHARS:
        raise YamlError(source, f"file is larger than {MAX_CHARS} characters")
    yaml = _yaml()
    try:
        _EventChecker(source).run(yaml.parse(text))
        return yaml.load(text)
    except YamlError:
        raise
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(part for part in (error.context, error.problem) if part) or type(error).__name__
        raise YamlError(source, f"not valid YAML: {reason}", line) from None
    except YAMLError as error:
        raise YamlError(source, f"not valid YAML: {error}") from None


def load_file(path: str | Path) -> Any:
    """Read and parse a YAML file. Raises YamlError (unreadable, invalid, or not plain data) naming the file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise YamlError(str(file), f"cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise YamlError(str(file), "is not UTF-8 text") from None
    return loads(text, str(file))


__all__ = ["MAX_NODES", "YamlError", "load_file", "loads"]
