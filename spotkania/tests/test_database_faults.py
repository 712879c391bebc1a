"""Database faults (issue 8): a failing connection answers a clean 503 (page or JSON) and
the app recovers by itself once the database is back."""

import time
from unittest import mock

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from api.models import ApiToken

POSTGRES = connection.vendor == "postgresql"


def test_page_answers_503_when_the_database_fails(logged_in, caplog):
    with mock.patch(
        "activities.views.activities_to_count", side_effect=OperationalError("server closed")
    ):
        response = logged_in.get("/activities/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert 'id="database-unavailable"' in html
    assert "Nothing was saved" in html
    assert "server closed" not in html  # no internals shown
    assert any("Database unavailable" in r.message for r in caplog.records)


def test_api_answers_503_json_when_the_database_fails(client, employee, caplog):
    token = ApiToken.issue(user=employee.user, name="t")[1]
    with mock.patch(
        "api.endpoints.activities.activities_to_count", side_effect=OperationalError("gone")
    ):
        response = client.get(
            "/api/v1/activities",
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        )
    assert response.status_code == 503
    assert response.json() == {"detail": mock.ANY}
    assert "try again" in response.json()["detail"]
    assert any("Database unavailable" in r.message for r in caplog.records)


@pytest.mark.django_db
def test_fault_outside_a_view_is_a_503_in_production(settings, employee):
    """The session is read by a middleware, before any view: handler500 answers 503."""
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(employee.user)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("terminating connection"),
    ):
        response = client.get("/activities/")
    assert response.status_code == 503
    assert 'id="database-unavailable"' in response.content.decode()


def test_polish_page_is_translated_where_the_catalogue_has_it(client, employee):
    client.force_login(employee.user)
    client.cookies["django_language"] = "pl"
    with mock.patch("activities.views.activities_to_count", side_effect=OperationalError("x")):
        response = client.get("/activities/")
    assert response.status_code == 503
    assert '<html lang="pl">' in response.content.decode()


def _call(handler: WSGIHandler, path: str, token: str) -> int:
    """One request through the WSGI handler, as gunicorn makes it: request_started and
    request_finished fire (Django's test client switches off their connection checks)."""
    environ = RequestFactory().get(path, HTTP_AUTHORIZATION=f"Bearer {token}").environ
    statuses = []
    body = handler(environ, lambda status, headers: statuses.append(status))
    b"".join(body)
    body.close()
    return int(statuses[0].split()[0])


@pytest.mark.skipif(
    not POSTGRES, reason="SQLite is a file, not a server: it has no connection to kill"
)
@pytest.mark.django_db(transaction=True)
def test_after_the_connection_is_killed_the_next_request_recovers(employee):
    ActivityFactory()
    token = ApiToken.issue(user=employee.user, name="t")[1]
    handler = WSGIHandler()
    assert _call(handler, "/api/v1/activities", token) == 200
    connection.ensure_connection()
    old_pid = connection.connection.info.backend_pid

    _kill(old_pid)  # from another connection, as a database restart would

    assert _call(handler, "/api/v1/activities", token) == 200
    assert connection.connection.info.backend_pid != old_pid


def _kill(pid: int) -> None:
    """Ends a backend as a restart would, and waits until it is gone (a restart is over
    before the next request): pg_terminate_backend only signals it."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(500):
            found = admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if found.fetchone() is None:
                return
            time.sleep(0.01)
    raise AssertionError(f"backend {pid} did not exit")


@pytest.mark.skipif(
    not POSTGRES, reason="SQLite is a file, not a server: it has no connection to kill"
)
@pytest.mark.django_db(transaction=True)
def test_a_request_that_meets_a_dead_connection_gets_503_and_the_next_one_recovers(employee):
    """Without the health check (a connection that dies in the middle of a request), the
    request answers a clean 503; the next one reconnects."""
    token = ApiToken.issue(user=employee.user, name="t")[1]
    handler = WSGIHandler()
    assert _call(handler, "/api/v1/activities", token) == 200
    connection.ensure_connection()
    connection.health_check_enabled = False  # the check ran before the database died
    try:
        _kill(connection.connection.info.backend_pid)
        assert _call(handler, "/api/v1/activities", token) == 503
        assert _call(handler, "/api/v1/activities", token) == 200
    finally:
        connection.health_check_enabled = True


@pytest.mark.django_db
def test_a_fault_half_way_through_a_save_leaves_no_half_written_activity(
    client, employee, customer, contact
):
    """The database fails after the activity is written but before its follow-up: the
    answer is 503 and the transaction leaves neither the activity nor an orphan."""
    token = ApiToken.issue(user=employee.user, name="t")[1]
    body = {
        "subject": "Half way",
        "customer": customer.pk,
        "contact_persons": [contact.pk],
        "employees": [employee.pk],
        "start": "2026-03-10T10:00:00+01:00",
        "follow_up": {"in": {"value": 1, "unit": "weeks"}},
    }
    with mock.patch(
        "activities.services._follow_up_create",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.post(
            "/api/v1/activities",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 503
    assert not Activity.objects.filter(subject="Half way").exists()
