"""On PostgreSQL, a form's choices are read with one plain query, not through a
server-side cursor (DECLARE, FETCH, CLOSE: three round trips, and not allowed behind
PgBouncer's transaction pooling): DISABLE_SERVER_SIDE_CURSORS in settings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@pytest.mark.django_db
def test_a_page_with_choice_filters_opens_no_cursor(logged_in, customer):
    with CaptureQueriesContext(connection) as queries:
        response = logged_in.get(reverse("customers:detail", args=[customer.pk]))
    assert response.status_code == 200
    assert 'name="category"' in response.content.decode()  # a select of a dictionary
    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DECLARE")]
