"""YAML loading that remembers where every key and item came from.

ruamel.yaml's round-trip loader keeps line/column marks on every mapping and sequence, so a
validation error found later (by pydantic, by the linter) can be reported as ``file:line:column``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roadmap_ci.errors import InvalidInput, Place, read_text


@dataclass
class YamlDoc:
    """A loaded YAML document: plain Python data plus the marked tree it came from."""

    path: Path
    data: Any
    tree: Any

    def place(self, loc: tuple[Any, ...] = (), at_key: bool = False) -> Place:
        """The place of the deepest node of ``loc`` that exists (1-based line and column).

        ``at_key`` points at the last key itself rather than its value (for "unknown key" errors).
        """
        return locate(self.tree, loc, str(self.path), at_key)


def _plain(node: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap | dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq | list):
        return [_plain(v) for v in node]
    if hasattr(node, "isoformat"):  # dates and date-times stay as ISO text for pydantic
        return node.isoformat()
    if type(node).__module__.startswith("ruamel"):
        # scalar subclasses (ScalarFloat, ScalarBoolean, TaggedScalar...) -> builtins
        for kind in (bool, int, float, str):
            if isinstance(node, kind):
                return kind(node)
        return str(node)
    return node


def locate(tree: Any, loc: tuple[Any, ...], file: str, at_key: bool = False) -> Place:
    line = col = None
    node = tree
    for i, key in enumerate(loc):
        last = i == len(loc) - 1
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(key, int) and isinstance(node, list):
                line, col = lc.item(key)
                node = node[key]
            elif isinstance(node, dict) and key in node:
                # point at the value when it is a scalar, at the key otherwise
                child = node[key]
                use_key = hasattr(child, "lc") or (at_key and last)
                line, col = lc.key(key) if use_key else lc.value(key)
                node = child
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    if line is None:
        lc = getattr(tree, "lc", None)
        if lc is not None:
            line, col = lc.line, lc.col
    if line is None:
        return Place(file)
    return Place(file, line + 1, col + 1)


def load_yaml(path: Path, what: str = "YAML file") -> YamlDoc:
    """Load one YAML document; syntax errors become one line with the place."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    text = read_text(path, what)
    yaml = YAML(typ="rt")
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        if mark is not None:
            raise InvalidInput(f"invalid YAML: {problem}", Place(str(path), mark.line + 1, mark.column + 1)) from None
        raise InvalidInput(f"invalid YAML: {problem}", Place(str(path))) from None
    except YAMLError as exc:
        raise InvalidInput(f"invalid YAML: {' '.join(str(exc).split())}", Place(str(path))) from None
    if tree is None:
        raise InvalidInput(f"empty {what}", Place(str(path), 1, 1))
    return YamlDoc(path=path, data=_plain(tree), tree=tree)
