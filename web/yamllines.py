"""Which line of an org chart's YAML an issue is about, so the editor shows it there.

The loader names places by key path (``units[planning].head``, ``people[3].unit``,
``posts.chief``) because paths stay right while a file is edited; the editor needs lines.
This walks PyYAML's node tree, which still knows where every key and item started.
"""

from __future__ import annotations

import re

import yaml

_LINE = re.compile(r"^line (\d+)")
_TOKEN = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")


def _segments(where: str) -> list[tuple[str, str]]:
    """``units[planning].head`` -> [("key", "units"), ("item", "planning"), ("key", "head")]."""
    return [("item", m[1]) if m[1] is not None else ("key", m[2]) for m in _TOKEN.finditer(where)]


def _item(node: yaml.SequenceNode, wanted: str) -> yaml.Node | None:
    for item in node.value:
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                if getattr(key, "value", None) == "id" and getattr(value, "value", None) == wanted:
                    return item
    if wanted.isdigit() and int(wanted) < len(node.value):
        return node.value[int(wanted)]  # type: ignore[no-any-return]
    return None


def _key(node: yaml.MappingNode, wanted: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key, value in node.value:
        if getattr(key, "value", None) == wanted:
            return key, value
    return None


def line_of(text: str, where: str) -> int | None:
    """The 1-based line ``where`` points at (the deepest part of the path that exists)."""
    match = _LINE.match(where)
    if match:
        return int(match[1])
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for kind, name in _segments(where):
        if kind == "key" and isinstance(node, yaml.MappingNode):
            pair = _key(node, name)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif kind == "item" and isinstance(node, yaml.SequenceNode):
            item = _item(node, name)
            if item is None:
                break
            line, node = item.start_mark.line + 1, item
        elif kind == "item" and isinstance(node, yaml.MappingNode):  # deputies[0] on a mapping
            break
        else:
            break
    return line
