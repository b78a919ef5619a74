"""Schemathesis against /openapi.json: generated requests to every API operation, a bounded budget.
No answer is a server error, and every status the API gives is one its OpenAPI document declares."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from unsealed.store.archive import Archive
from unsealed.web import create_app

EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


def test_every_answer_is_documented_and_none_is_a_server_error(sample_archive: Archive) -> None:
    # schemathesis' pytest plugin does not load under this pytest; its engine is driven directly
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(sample_archive))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        call()
