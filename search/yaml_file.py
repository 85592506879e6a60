"""A YAML file read for people: parsed data with its node tree kept, so that every problem found in
it names its file and line, and a syntax error points where the broken construct began.

Every data file is read with PyYAML's safe loader without aliases. An alias (``*name``) repeats a
node anchored elsewhere; nested, a few hundred bytes of them expand to billions of nodes (the
"billion laughs"), and `haven validate` or the `--watch` reloader would spend minutes building
them. Haven's data never needs one, so an alias is a YAML error at the line where it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor

__all__ = ("DataLoader", "Problem", "YamlFile", "load_data_yaml", "yaml_problem")


class _Constructing(SafeConstructor):
    """What both loaders construct with: PyYAML's safe constructor, errors at the value's line."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """PyYAML's constructors raise plain Python errors for some well-formed values (a date
        such as ``2026-02-30``, a number too large for a float); they become YAML errors at the
        value's line, so `haven validate` names the file and line instead of failing."""
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            value = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            kind = node.tag.rsplit(":", 1)[-1]
            kind = {"timestamp": "a date", "int": "a number", "float": "a number"}.get(kind, kind)
            raise ConstructorError(
                None, None, f"{value!r} cannot be read as {kind} ({exc})", node.start_mark
            ) from None


class DataLoader(_Constructing, yaml.SafeLoader):
    """The safe loader, refusing aliases where they stand."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            # check_event has read the event into current_event (what peek_event returns; the
            # stubs leave peek_event untyped). This pure-Python loader marks with yaml.Mark.
            mark: yaml.Mark | None = self.current_event.start_mark
            raise ComposerError(
                None, None, "aliases (*name) are not allowed in Haven's data files: write the value out",
                mark,
            )  # fmt: skip
        return super().compose_node(parent, index)


#: PyYAML's binding to libyaml (C), when it was built with it: the data files are read about ten
#: times faster than by the pure-Python parser (`haven validate`, every build, every test that
#: loads the catalog). It is used only for text that parses and holds no alias; anything else is
#: read again by :class:`DataLoader`, whose errors (and their lines) are the ones people see.
_CLoader: type[Any] | None = getattr(yaml, "CSafeLoader", None)
_FastLoader: type[Any] | None = type("_FastLoader", (_Constructing, _CLoader), {}) if _CLoader else None


def _fast_node(text: str) -> tuple[bool, yaml.Node | None, Any]:
    """``(True, node, data)`` read by libyaml, or ``(False, None, None)`` when it cannot be used
    here (not built, an alias, a syntax or construction error: :class:`DataLoader` reports those)."""
    if _FastLoader is None or _CLoader is None:
        return False, None, None
    try:
        # An alias starts with "*": text without one (every data file today) has none to look for.
        if "*" in text and any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=_CLoader)):
            return False, None, None
        loader = _FastLoader(text)
        try:
            node = loader.get_single_node()
            return True, node, loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return False, None, None


def load_data_yaml(text: str | bytes) -> Any:
    """``yaml.safe_load`` without aliases.

    Raises:
        yaml.YAMLError: the text is not YAML, or uses an alias.
    """
    try:
        decoded = text if isinstance(text, str) else text.decode("utf-8")
    except UnicodeDecodeError:
        decoded = ""  # PyYAML says what is wrong with it
    fast, _, data = _fast_node(decoded) if decoded else (False, None, None)
    if fast:
        return data
    loader = DataLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the data, located as precisely as the YAML allows."""

    file: str
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else self.file
        return f"{loc}: {self.where}: {self.message}" if self.where else f"{loc}: {self.message}"


def _open_quote(text: str, found: yaml.Mark) -> yaml.Mark | None:
    """Where a quoted text that swallowed line breaks began, if one ends just before ``found``.

    An unclosed quote runs on to the next quote mark; the parser then fails there, naming the
    enclosing mapping as its context. The quote itself is the construct to point at.
    """
    last: list[yaml.Token] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= found.index:
                break
            last = [*last[-2:], token]
    except yaml.YAMLError:
        pass
    for token in reversed(last):
        quoted = isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
        began: yaml.Mark = token.start_mark
        if quoted and token.end_mark.line > began.line:
            return began
    return None


def yaml_problem(display: str, exc: yaml.MarkedYAMLError, text: str = "") -> Problem:
    """A YAML syntax error located where the broken construct began, and where it was noticed.

    PyYAML detects an unclosed quote or bracket only where the text stops making sense, often
    lines later; its ``context_mark`` is where the construct (the quote, the list …) opened.
    """
    began, found = exc.context_mark, exc.problem_mark
    what = exc.problem or exc.context or "invalid YAML"
    context = (exc.context or "").removeprefix("while ")
    quote = _open_quote(text, found) if text and found is not None else None
    if quote is not None and found is not None:
        began, context = quote, "a quoted text"
    if began is not None and found is not None and began.line != found.line:
        return Problem(
            display,
            began.line + 1,
            "",
            f"YAML syntax error: {what} (detected on line {found.line + 1}, column {found.column + 1}; "
            f"{context} began here, at column {began.column + 1})",
        )
    mark = found or began
    column = f" (column {mark.column + 1})" if mark is not None else ""
    return Problem(display, mark.line + 1 if mark else None, "", f"YAML syntax error: {what}{column}")


class YamlFile:
    """A YAML file parsed to plain data, with its node tree kept for line numbers."""

    def __init__(self, path: Path, display: str, problems: list[Problem]) -> None:
        self.display = display
        self.data: Any = None
        self.node: yaml.Node | None = None
        self.raw = b""
        self.ok = False
        try:
            self.raw = path.read_bytes()
        except FileNotFoundError:
            problems.append(Problem(display, None, "", "file not found"))
            return
        except OSError as exc:
            problems.append(Problem(display, None, "", f"cannot be read ({exc.strerror})"))
            return
        try:
            text = self.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = self.raw[: exc.start].count(b"\n") + 1
            problems.append(Problem(display, line, "", "is not valid UTF-8 text"))
            return
        try:
            fast, self.node, self.data = _fast_node(text)
            if not fast:
                loader = DataLoader(text)
                try:
                    self.node = loader.get_single_node()
                    self.data = loader.construct_document(self.node) if self.node is not None else None
                finally:
                    loader.dispose()
        except yaml.MarkedYAMLError as exc:
            problems.append(yaml_problem(display, exc, text))
            return
        except yaml.YAMLError as exc:
            problems.append(Problem(display, None, "", f"YAML error: {exc}"))
            return
        self.ok = True
        if self.node is not None:
            self._find_duplicate_keys(self.node, problems)

    def _find_duplicate_keys(self, node: yaml.Node, problems: list[Problem]) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        problems.append(
                            Problem(
                                self.display, key.start_mark.line + 1, "", f"key '{key.value}' appears twice"
                            )
                        )
                    seen.add(key.value)
                self._find_duplicate_keys(value, problems)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self._find_duplicate_keys(item, problems)

    def conversion_problem(self, exc: Exception) -> Problem:
        """A msgspec error converting this file's data (``... - at `$.needs.x[0]```), at the line of
        the deepest node its path reaches, in one line."""
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        text, _, where = message.partition(" - at `")
        path: list[str | int] = [
            int(part) if part.isdigit() else part
            for part in re.findall(r"\.([^.\[`]+)|\[(\d+)\]", where)
            for part in part
            if part
        ]
        return Problem(self.display, self.line(path), where.rstrip("`").removeprefix("$."), text)

    def line(self, path: list[str | int]) -> int | None:
        """The line of the deepest node that exists along ``path``."""
        node = self.node
        best = node.start_mark.line + 1 if node is not None else None
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                nxt = node.value[part]
            else:
                nxt = None
            if nxt is None:
                break
            node = nxt
            best = node.start_mark.line + 1
        return best
