"""search/yaml_file.py: libyaml reads the data as the Python parser does, and never reports errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from search import yaml_file
from search.yaml_file import DataLoader, Problem, YamlFile, load_data_yaml
from tests.conftest import DATA


def _positions(node: yaml.Node) -> list[tuple[int, int]]:
    out = [(node.start_mark.line, node.start_mark.column)]
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out += _positions(key) + _positions(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            out += _positions(item)
    return out


@pytest.mark.parametrize("path", sorted(DATA.rglob("*.yaml")), ids=lambda p: str(p.relative_to(DATA)))
def test_libyaml_reads_every_data_file_as_the_python_parser_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast, node, data = yaml_file._fast_node(text)
    assert fast, f"{path} was not read by libyaml"
    loader = DataLoader(text)
    try:
        slow_node = loader.get_single_node()
        slow = loader.construct_document(slow_node)
    finally:
        loader.dispose()
    assert data == slow
    assert node is not None and _positions(node) == _positions(
        slow_node
    )  # so every line reported is the same


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\n", "aliases (*name) are not allowed"),
        ("a: [1, 2\nb: 3\n", "YAML syntax error"),
        ("when: 2026-02-30\n", "cannot be read as a date"),
    ],
)
def test_what_libyaml_cannot_take_is_reported_by_the_python_parser(
    tmp_path: Path, text: str, message: str
) -> None:
    assert not yaml_file._fast_node(text)[0]
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    YamlFile(path, "f.yaml", problems)
    assert len(problems) == 1 and message in str(problems[0]) and problems[0].line is not None, problems
    with pytest.raises(yaml.YAMLError):
        load_data_yaml(text)
