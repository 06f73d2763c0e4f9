"""Reading an org chart's YAML safely: bytes to text, text to a node tree, nothing else.

An org chart is edited by hand and pasted or uploaded on the admin page, so its text is
untrusted. Everything here refuses, with the file and line, before any cost grows with a
hostile input:

- more than ``MAX_BYTES`` (a 5,000-person chart is about 320 kB);
- bytes that are not UTF-8 (the byte offset and line of the first bad byte);
- NUL, other control characters, bidirectional-text controls and lone surrogates anywhere,
  in the text itself or produced by a YAML escape such as ``"\\0"`` or ``"\\ud800"``
  (the rule of ``approvals/text.py``);
- anchors (``&name``) and aliases (``*name``): the format never needs them, and aliases
  nested in aliases (the "billion laughs" bomb) make a few kB expand without bound;
- nesting deeper than ``MAX_DEPTH`` mappings and lists (the format needs four: the file,
  ``units``, a unit, its ``deputies``); PyYAML composes recursively and would otherwise
  overflow Python's stack at about a thousand levels;
- more than ``MAX_NODES`` keys, values and items (pure-Python PyYAML reads dense text such
  as ``[a,a,a,...]`` at ~100 kB/s, so bytes alone do not bound the time);
- a single value longer than ``MAX_SCALAR`` characters.

PyYAML's own errors (syntax, a date that is no date) become issues with a line as well, so
a caller only ever sees ``OrgChartError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from approvals import text as textrules
from approvals.errors import Issue, OrgChartError

MAX_BYTES = 500_000
MAX_NODES = 50_000  # keys, values and items: about 5,000 people; PyYAML reads ~60,000 a second
MAX_DEPTH = 8
MAX_SCALAR = 1_000

_COLLECTION_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)


class _Refused(Exception):
    """Raised inside the composer; carries the issue out through PyYAML's frames."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(str(issue))
        self.issue = issue


def _at(line: int, column: int | None = None) -> str:
    """An issue's ``where`` for a place in the file; the admin page shows that line."""
    return f"line {line}" if column is None else f"line {line}, column {column}"


def decode(data: bytes, source: str) -> str:
    """The file's text, or OrgChartError naming the line and byte offset of the first byte
    that is not UTF-8 (a file saved as GBK/GB 18030 by an older editor, most often)."""
    if len(data) > MAX_BYTES:
        raise OrgChartError(source, [_too_big(len(data))])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        issue = Issue(_at(line), None, f"not UTF-8 text (byte {exc.start}, value "
                      f"0x{data[exc.start]:02x}); save the file as UTF-8 (in most editors: "
                      "Save As, encoding UTF-8)")
        raise OrgChartError(source, [issue]) from exc


def _too_big(size: int) -> Issue:
    """``size`` may be MAX_BYTES + 1 only: a file is not read past the limit."""
    return Issue("(file)", None, f"the file is larger than {MAX_BYTES:,} bytes, the most an org "
                                 "chart may have; split a very large organization in two")


def check_text(text: str, source: str) -> None:
    """Size and characters of the whole text, before PyYAML reads any of it."""
    size = len(text.encode("utf-8", "surrogatepass")) if len(text) * 4 > MAX_BYTES else 0
    if size > MAX_BYTES:
        raise OrgChartError(source, [_too_big(size)])
    bad = textrules.first_bad(text)
    if bad is not None:
        index, reason = bad
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        issue = Issue(_at(line, column), None, f"the file contains {reason}, "
                      f"{textrules.describe(text[index])}; delete it (it is invisible in most "
                      "editors: retype the line)")
        raise OrgChartError(source, [issue])


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors, aliases, deep nesting and bad scalars as the
    node tree is composed, so nothing grows before the refusal."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(Issue(_mark(event), None, "anchors (&name) and aliases (*name) are "
                                 "not accepted in an org chart; write each value out in full"))
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(Issue(_mark(event), None, f"more than {MAX_NODES:,} keys, values and "
                                 "list items; split a very large organization in two"))
        if isinstance(event, yaml.ScalarEvent):
            _check_scalar(event)
        if not isinstance(event, _COLLECTION_STARTS):
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(Issue(_mark(event), None, f"nested more than {MAX_DEPTH} levels "
                                     "deep; an org chart needs four (file, units, a unit, its "
                                     "deputies): check the indentation and brackets"))
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _mark(event: yaml.Event) -> str:
    mark = event.start_mark
    return "(file)" if mark is None else _at(mark.line + 1, mark.column + 1)


def _check_scalar(event: yaml.ScalarEvent) -> None:
    """A value after YAML escapes are applied: ``"\\0"`` or ``"\\ud800"`` in quotes gets past
    the check of the raw text, and a lone surrogate saved here would break every page
    showing the chart."""
    value = event.value
    if len(value) > MAX_SCALAR:
        raise _Refused(Issue(_mark(event), None, f"a value of {len(value):,} characters; "
                             f"names, ids and titles have at most {MAX_SCALAR:,}"))
    reason = textrules.problem(value)
    if reason is not None:
        raise _Refused(Issue(_mark(event), value[:60], f"this value {reason}"))


def compose(text: str, source: str) -> tuple[Any, list[Issue]]:
    """The constructed document (None for an empty file) and the duplicate-key issues.

    The node tree is composed before values are constructed: PyYAML silently keeps the last
    of two equal keys, and only the node tree still knows where both were (line, key path)."""
    check_text(text, source)
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(text)  # reads the first characters already
        node = loader.get_single_node()
        if node is None:
            return None, []
        duplicates = list(_duplicate_keys(node, ""))
        return loader.construct_document(node), duplicates
    except _Refused as exc:
        raise OrgChartError(source, [exc.issue]) from None
    except yaml.YAMLError as exc:
        raise OrgChartError(source, [_syntax_issue(exc, text)]) from exc
    except (ValueError, OverflowError) as exc:  # a date-looking value that is no date: 2021-02-30
        issue = Issue("(file)", None, f"not valid YAML: {exc}; quote values that look like dates")
        raise OrgChartError(source, [issue]) from exc
    finally:
        if loader is not None:
            loader.dispose()


def _syntax_issue(exc: yaml.YAMLError, text: str) -> Issue:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        where = _at(mark.line + 1, mark.column + 1)
    elif isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
        where = _at(text.count("\n", 0, exc.position) + 1)
    else:
        where = "(file)"
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{context}, {problem}" if context else problem
    return Issue(where, None, f"not valid YAML: {detail}; check the indentation (spaces, not "
                              "tabs) and put text containing ': ' or ' #' in quotes")


def _duplicate_keys(node: yaml.Node, path: str) -> Iterator[Issue]:
    """Every key given twice in one mapping (the tree has no aliases, so it is a tree)."""
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            where, line = join(path, key), key_node.start_mark.line + 1
            if key in first_line:
                yield Issue(where, None, f"key given twice (lines {first_line[key]} and {line}); "
                                         "YAML would keep only the last, so delete or rename one")
            first_line.setdefault(key, line)
            yield from _duplicate_keys(value_node, where)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, item_path(path, index, _node_id(item)))


def _node_id(node: yaml.Node) -> str | None:
    """The text ``id`` of a mapping node, so paths read the same as in the loader's checks."""
    pairs = node.value if isinstance(node, yaml.MappingNode) else []
    return next((v.value for k, v in pairs if isinstance(k, yaml.ScalarNode) and k.value == "id"
                 and isinstance(v, yaml.ScalarNode) and v.tag == "tag:yaml.org,2002:str"), None)


def join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def item_path(path: str, index: int, item_id: object) -> str:
    usable = isinstance(item_id, str) and item_id.strip()
    return f"{path}[{item_id}]" if usable else f"{path}[{index}]"
