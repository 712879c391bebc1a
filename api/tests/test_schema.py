"""The OpenAPI document: it builds, it is valid, and no generated request makes a 5xx or
an answer the document does not declare.

Schemathesis generates requests (valid ones and broken ones) for every operation of the
document and sends them through the WSGI application, authenticated with a real token.
The number of examples is bounded and the generation is derandomized, so the run is
deterministic and takes well under a minute.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from api.api import api as ninja_api
from api.tests.conftest import issue_token
from customers.tests.factories import ContactPersonFactory, CustomerFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def test_openapi_document_builds_and_validates(client):
    document = ninja_api.get_openapi_schema()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in [
        "/api/v1/auth/token",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/contacts",
        "/api/v1/contacts/{contact_id}",
        "/api/v1/employees",
        "/api/v1/employees/{employee_id}",
        "/api/v1/dictionaries/priorities",
        "/api/v1/dictionaries/categories/{entry_id}",
        "/api/v1/currencies",
        "/api/v1/activities",
        "/api/v1/activities/{activity_id}",
        "/api/v1/activities/{activity_id}/end",
        "/api/v1/activities/{activity_id}/reopen",
        "/api/v1/activities/{activity_id}/cancel",
    ]:
        assert path in paths, path
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    # Schemathesis refuses documents that do not conform to the OpenAPI specification.
    assert len(list(schema.get_all_operations())) >= 25


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes "old" connections after each request; inside a test's
    transaction that would close the test's own connection (on PostgreSQL). Django's test
    client disconnects the same handlers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def some_data(db):
    # Ids as the database gives them (PostgreSQL's sequences must stay ahead of them).
    customer = CustomerFactory()
    ContactPersonFactory(customer=customer)


@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_a_server_error_or_an_undocumented_answer(
    case, admin_user, some_data, keep_test_connection
):
    # A fresh token for every request: the run also calls DELETE /auth/token.
    token = issue_token(admin_user)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, status_code_conformance],
    )
