"""schemathesis over every operation of /schema/openapi.json, against a real `haven serve`.

Every generated request, valid (positive) and invalid (negative), must get an answer that is not
a 5xx and that matches the OpenAPI document: status code, content type, headers, body schema.
(The loop is by hand: schemathesis' pytest plugin does not load under pytest 9.)

One check is left out: ``positive_data_acceptance``. The schema types ``kind`` and ``topic`` as
strings because their values come from the index (``/api/v1/taxonomy``), so a schema-valid but
unknown value is rightly a 400 naming the parameter.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.hardening.conftest import EXAMPLES, SOAK, Server, failed, tried


@pytest.fixture(scope="module")
def operations(shared_server: Server) -> list[Any]:
    schema = schemathesis.openapi.from_url(shared_server.base + "/schema/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_has_every_api_operation(operations: list[Any]) -> None:
    paths = {op.path for op in operations}
    assert {"/api/v1/search", "/api/v1/resources", "/api/v1/resources/{resource_id}", "/api/v1/regions",
            "/api/v1/taxonomy"} <= paths, paths  # fmt: skip


def _conforms(operation: Any, mode: GenerationMode, base: str) -> Any:
    kind = f"schemathesis: {operation.method.upper()} {operation.path} ({mode.value})"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=max(EXAMPLES // 5, 25), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: Any) -> None:
        tried(kind)
        try:
            case.call_and_validate(base_url=base, excluded_checks=[positive_data_acceptance])
        except Exception:
            failed(kind)
            raise

    return check


@pytest.mark.timeout(3000 if SOAK else 300)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_conforms(operations: list[Any], shared_server: Server, mode: GenerationMode) -> None:
    for operation in operations:
        try:
            _conforms(operation, mode, shared_server.base)()
        except Unsatisfiable:
            # Only an invalid request can be impossible to generate: for an operation that takes
            # nothing, or only a free-form path segment (any text is an id that may not exist).
            assert mode == GenerationMode.NEGATIVE, operation.label
            free = [p for p in operation.iter_parameters()]
            assert all(p.location == "path" for p in free), operation.label
            if free:
                _unknown_paths_answer_404(operation, shared_server.base)


#: Path segments no resource has: unknown, too long, a NUL, Hangul, an emoji.
ODD_SEGMENTS = ["no-such-id", "x" * 65, "\x00", "상담", "\U0001f600"]


def _unknown_paths_answer_404(operation: Any, base: str) -> None:
    """Requests schemathesis cannot generate as invalid, sent by hand: each gets a documented 404."""
    kind = f"schemathesis: {operation.method.upper()} {operation.path} (odd path segments)"
    for segment in ODD_SEGMENTS:
        tried(kind)
        case = operation.Case(path_parameters={p.name: segment for p in operation.iter_parameters()})
        response = case.call_and_validate(base_url=base, excluded_checks=[positive_data_acceptance])
        assert response.status_code == 404, (segment, response.status_code)
