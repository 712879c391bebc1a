"""The OpenAPI document declares every answer the API gives (issue 16, item 9).

The suite-wide check lives in the root conftest (`_api_answers_are_documented`, by way
of api/tests/contract.py); these tests show that it can fail and that the answers the
issue found undocumented are declared now.
"""

import pytest

from api.api import api
from api.tests.contract import undocumented


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema()


def responses(document, method, path):
    return {int(code) for code in document["paths"][path][method]["responses"]}


def test_the_check_names_an_undeclared_answer():
    problem = undocumented("DELETE", "/api/v1/customers/12", 418)
    assert problem is not None and "418" in problem
    assert undocumented("DELETE", "/api/v1/customers/12", 204) is None
    # No operation of the document: not the check's business.
    assert undocumented("GET", "/api/v1/no-such-thing", 404) is None
    assert undocumented("PUT", "/api/v1/customers/12", 405) is None


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("post", "/api/v1/auth/token", 400),
        ("post", "/api/v1/auth/token", 413),
        ("post", "/api/v1/auth/token", 415),
        ("post", "/api/v1/auth/token", 429),
        ("delete", "/api/v1/customers/{customer_id}", 403),
        ("delete", "/api/v1/contacts/{contact_id}", 403),
        ("patch", "/api/v1/activities/{activity_id}", 415),
        ("get", "/api/v1/activities", 503),
    ],
)
def test_answers_found_undocumented_are_declared(document, method, path, status):
    assert status in responses(document, method, path)


def test_every_operation_with_a_body_declares_the_parser_and_guard_answers(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = responses(document, method, path)
            assert 503 in declared, (method, path)
            if "requestBody" in operation:
                assert {400, 413, 415, 422} <= declared, (method, path)
                assert list(operation["requestBody"]["content"]) == ["application/json"]
            if operation.get("security"):
                assert 401 in declared, (method, path)
