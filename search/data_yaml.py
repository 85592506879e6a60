"""YAML as the data files may write it: PyYAML's safe loader without aliases.

An alias (``*name``) repeats a node anchored elsewhere; nested, a few hundred bytes of them
expand to billions of nodes (the "billion laughs"), and `haven validate` or the `--watch`
reloader would spend minutes building them. Haven's data never needs one, so an alias is a
YAML error at the line where it stands.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError

__all__ = ("DataLoader", "load_data_yaml")


class DataLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases where they stand."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(
                None, None, "aliases (*name) are not allowed in Haven's data files: write the value out",
                event.start_mark,
            )  # fmt: skip
        return super().compose_node(parent, index)


def load_data_yaml(text: str | bytes) -> Any:
    """``yaml.safe_load`` without aliases.

    Raises:
        yaml.YAMLError: the text is not YAML, or uses an alias.
    """
    loader = DataLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
