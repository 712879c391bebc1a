"""The answers every operation of a kind can give, added to the OpenAPI document.

Some statuses come from the layers around the endpoints, not from the endpoints: the
token check (401), the body parser (400 not JSON, 415 not declared JSON, api/parser.py),
the request guards (413 too large, spotkania/guards.py), schema validation (422), and a
database fault (503, spotkania/faults.py). Declaring them on each endpoint by hand left
gaps (issue 16: 400 on /auth/token, 413, 415 were answered but not documented); they are
added here, once, from what the document already says of each operation: its security,
its body and its parameters. An endpoint still declares what it answers itself (403,
404, 409...). `api/tests/test_documented_answers.py` checks every answer the tests see
against the document.
"""

from __future__ import annotations

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}

SHARED = {
    400: "The body is not JSON.",
    401: "No valid token: send `Authorization: Bearer <token>`.",
    413: "The request is larger than the server takes (2.5 MB).",
    415: "The body is not `application/json`.",
    422: "A value does not fit its field: `errors` names each.",
    503: "The database is not available right now; try again (`Retry-After`).",
}


def shared_statuses(operation: dict) -> list[int]:
    statuses = [503]
    if operation.get("security"):
        statuses.append(401)
    if "requestBody" in operation:
        statuses += [400, 413, 415, 422]
    if operation.get("parameters"):
        statuses.append(422)
    return statuses


def add_shared_answers(document: dict) -> dict:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            declared = {int(status) for status in responses}
            for status in shared_statuses(operation):
                if status not in declared:
                    responses[status] = {
                        "description": SHARED[status],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    }
    return document
