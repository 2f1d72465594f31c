"""YAML loading that remembers where every key and item came from.

PyYAML's parser (libyaml, in C, when available) composes a node tree with a start mark on every
node; the plain data is constructed from that tree, and the tree is kept, so a validation error found
later (by pydantic, by the linter) can be reported as ``file:line:column``.

Two YAML 1.1 habits of PyYAML are turned off, because they surprise rubric authors: only
``true``/``false`` are booleans (``title: no`` stays the text "no"), and a key written twice in one
mapping is an error at the second one (PyYAML would silently keep the last).

Hostile or broken files are bounded while they are parsed, not afterwards: libyaml (C) scans and parses,
and a subclass of PyYAML's composer builds the node tree from its events, counting as it goes -- the
file's size (``max_bytes``, before parsing), the aliases used (:data:`MAX_ALIASES`), the nesting depth
and the number of nodes *as expanded* through aliases (:data:`MAX_DEPTH`, :data:`MAX_NODES`: a
400-byte "billion laughs" stops at its first expansions), and an alias inside its own anchor (a cycle).
Each limit is one line at the alias or node that crossed it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roadmap_ci.errors import InvalidInput, Place
from roadmap_ci.safeio import read_text

MAX_BYTES = 1024 * 1024  # a rubric or .roadmap-ci.yml larger than this is refused unread
MAX_ALIASES = 1000  # alias uses per document
MAX_DEPTH = 100  # nesting, counting what aliases bring in
MAX_NODES = 100_000  # nodes once aliases are expanded

_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


@dataclass
class YamlDoc:
    """A loaded YAML document: plain Python data plus the marked node tree it came from."""

    path: Path
    data: Any
    tree: Any

    def place(self, loc: tuple[Any, ...] = (), at_key: bool = False) -> Place:
        """The place of the deepest node of ``loc`` that exists (1-based line and column).

        ``at_key`` points at the last key itself rather than its value (for "unknown key" errors).
        """
        return locate(self.tree, loc, str(self.path), at_key)


def _key_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _child(node: Any, key: Any) -> tuple[Any, Any] | None:
    """(key node, value node) of ``key`` in a mapping node, or (None, item) in a sequence node."""
    import yaml

    if isinstance(node, yaml.SequenceNode) and isinstance(key, int):
        return (None, node.value[key]) if 0 <= key < len(node.value) else None
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == _key_text(key):
                return k, v
    return None


def locate(tree: Any, loc: tuple[Any, ...], file: str, at_key: bool = False) -> Place:
    import yaml

    node = tree
    mark = getattr(tree, "start_mark", None)
    for i, key in enumerate(loc):
        found = _child(node, key)
        if found is None:
            break
        key_node, child = found
        # point at the value when it is a scalar, at the key otherwise
        use_key = key_node is not None and (not isinstance(child, yaml.ScalarNode) or (at_key and i == len(loc) - 1))
        mark = (key_node if use_key else child).start_mark
        node = child
    if mark is None:
        return Place(file)
    return Place(file, mark.line + 1, mark.column + 1)


@functools.cache
def _loader_class(guarded: bool = True) -> type:
    """``guarded``: compose through :class:`GuardedComposer` (any document that has anchors); without
    anchors nothing can expand or cycle, and libyaml's own composer (C) builds the tree."""
    import yaml
    from yaml.composer import Composer, ComposerError
    from yaml.events import AliasEvent

    parser = yaml.cyaml.CParser if yaml.__with_libyaml__ else yaml.parser.Parser
    scanner = () if parser is not yaml.parser.Parser else (yaml.reader.Reader, yaml.scanner.Scanner)

    class GuardedComposer(Composer):
        """PyYAML's composer, counting aliases, depth and expanded nodes as each node is composed."""

        def compose_document(self) -> Any:
            self._aliases = 0
            self._nodes = 0
            self._open: set[str] = set()  # anchors whose node is being composed
            self._weights: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, height)
            self._heights: list[int] = []  # per open node: the tallest child so far
            return super().compose_document()

        def _refuse(self, problem: str, mark: Any) -> None:
            raise ComposerError(None, None, problem, mark)

        def _add(self, nodes: int, height: int, mark: Any) -> None:
            self._nodes += nodes
            if self._nodes > MAX_NODES:
                self._refuse(f"more than {MAX_NODES:,} values once aliases are expanded", mark)
            if len(self._heights) + height > MAX_DEPTH:
                self._refuse(f"nested deeper than {MAX_DEPTH} levels (aliases included)", mark)
            if self._heights:
                self._heights[-1] = max(self._heights[-1], height)

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, AliasEvent):
                self.get_event()
                anchor = event.anchor
                if anchor in self._open:
                    self._refuse(f"alias *{anchor} is inside its own anchor (a cycle)", event.start_mark)
                if anchor not in self.anchors:
                    self._refuse(f"found undefined alias *{anchor}", event.start_mark)
                self._aliases += 1
                if self._aliases > MAX_ALIASES:
                    self._refuse(f"more than {MAX_ALIASES} aliases", event.start_mark)
                self._add(*self._weights[anchor], event.start_mark)
                return self.anchors[anchor]
            if len(self._heights) >= MAX_DEPTH:
                self._refuse(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
            anchor = getattr(event, "anchor", None)
            before = self._nodes
            if anchor is not None:
                self._open.add(anchor)
            self._heights.append(0)
            node = super().compose_node(parent, index)
            height = 1 + self._heights.pop()
            self._open.discard(anchor)  # type: ignore[arg-type]
            self._add(1, height, event.start_mark)
            if anchor is not None:
                self._weights[anchor] = (self._nodes - before, height)
            return node

    bases: tuple[type, ...] = (GuardedComposer, parser, *scanner, yaml.constructor.SafeConstructor,
                               yaml.resolver.Resolver)
    if not guarded:
        bases = (parser, *scanner, yaml.constructor.SafeConstructor, yaml.resolver.Resolver)
        if parser is yaml.parser.Parser:
            bases = (Composer, *bases)

    class Loader(*bases):  # type: ignore[misc, valid-type]
        """Safe loading with libyaml's parser (and the guarded composer when asked); YAML 1.2 booleans only."""

        def __init__(self, stream: str) -> None:
            for base in bases:
                base.__init__(self, *((stream,) if base in (parser, *scanner) else ()))  # type: ignore[misc]

    base = yaml.SafeLoader
    resolvers = {}
    for first, entries in base.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in entries if tag != "tag:yaml.org,2002:bool"]
        resolvers[first] = kept
    Loader.yaml_implicit_resolvers = resolvers
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _YAML12_BOOL, list("tTfF"))
    return Loader


def _plain(loader: Any, node: Any, path: Path, depth: int = 0) -> Any:
    """Plain Python data from a node (dates and date-times as ISO text for pydantic)."""
    import yaml

    if depth >= MAX_DEPTH:  # the composer's check, for documents libyaml composed (no anchors)
        raise InvalidInput(f"invalid YAML: nested deeper than {MAX_DEPTH} levels", _place(path, node))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # merge keys (<<)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _plain(loader, key_node, path, depth + 1)
            if isinstance(key, dict | list):
                raise InvalidInput("a mapping key must be a plain value", _place(path, key_node))
            key = _key_text(key)
            if key in out:
                raise InvalidInput(f"duplicate key {key!r} (it was already set above)", _place(path, key_node))
            out[key] = _plain(loader, value_node, path, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(loader, item, path, depth + 1) for item in node.value]
    try:
        value = loader.construct_object(node)
    except yaml.YAMLError:
        raise
    except Exception as exc:  # PyYAML's constructors on hostile scalars: 2026-13-45, `!!float ''`, ...
        shown = str(node.value)[:40]
        reason = " ".join(str(exc).split())
        if reason.startswith("offset must be a timedelta"):  # datetime's words for a UTC offset past ±24:00
            reason = "its UTC offset must be within ±24:00"
        elif len(reason) > 90:  # cut at a word, never mid-word
            reason = reason[:90].rsplit(" ", 1)[0] + " …"
        kind = "date and time" if str(node.tag).endswith(":timestamp") else "value"
        raise InvalidInput(f"invalid {kind} {shown!r}: {reason}", _place(path, node)) from None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _place(path: Path, node: Any) -> Place:
    return Place(str(path), node.start_mark.line + 1, node.start_mark.column + 1)


def load_yaml(path: Path, what: str = "YAML file", max_bytes: int = MAX_BYTES) -> YamlDoc:
    """Load one YAML document; syntax errors and crossed limits become one line with the place."""
    import yaml

    text = read_text(path, what, max_bytes)
    loader = _loader_class("&" in text)(text)  # no '&': no anchor, so no alias can expand or cycle
    try:
        tree = loader.get_single_node()
        data = None if tree is None else _plain(loader, tree, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        if mark is not None:
            raise InvalidInput(f"invalid YAML: {problem}", Place(str(path), mark.line + 1, mark.column + 1)) from None
        raise InvalidInput(f"invalid YAML: {problem}", Place(str(path))) from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"invalid YAML: {' '.join(str(exc).split())}", Place(str(path))) from None
    finally:
        loader.dispose()
    if data is None:
        raise InvalidInput(f"empty {what}", Place(str(path), 1, 1))
    return YamlDoc(path=path, data=data, tree=tree)
