"""YAML loading that remembers where every key and item came from.

PyYAML's parser (libyaml, in C, when available) composes a node tree with a start mark on every
node; the plain data is constructed from that tree, and the tree is kept, so a validation error found
later (by pydantic, by the linter) can be reported as ``file:line:column``.

Two YAML 1.1 habits of PyYAML are turned off, because they surprise rubric authors: only
``true``/``false`` are booleans (``title: no`` stays the text "no"), and a key written twice in one
mapping is an error at the second one (PyYAML would silently keep the last).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roadmap_ci.errors import InvalidInput, Place, read_text

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
def _loader_class() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """Safe loading; YAML 1.2 booleans only."""

    resolvers = {}
    for first, entries in base.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in entries if tag != "tag:yaml.org,2002:bool"]
        resolvers[first] = kept
    Loader.yaml_implicit_resolvers = resolvers
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _YAML12_BOOL, list("tTfF"))
    return Loader


def _plain(loader: Any, node: Any, path: Path) -> Any:
    """Plain Python data from a node (dates and date-times as ISO text for pydantic)."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # merge keys (<<)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _plain(loader, key_node, path)
            if isinstance(key, dict | list):
                raise InvalidInput("a mapping key must be a plain value", _place(path, key_node))
            key = _key_text(key)
            if key in out:
                raise InvalidInput(f"duplicate key {key!r} (it was already set above)", _place(path, key_node))
            out[key] = _plain(loader, value_node, path)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(loader, item, path) for item in node.value]
    value = loader.construct_object(node)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _place(path: Path, node: Any) -> Place:
    return Place(str(path), node.start_mark.line + 1, node.start_mark.column + 1)


def load_yaml(path: Path, what: str = "YAML file") -> YamlDoc:
    """Load one YAML document; syntax errors become one line with the place."""
    import yaml

    text = read_text(path, what)
    loader = _loader_class()(text)
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
