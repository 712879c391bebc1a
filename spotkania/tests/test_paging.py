"""Bounded counting: lists count up to COUNT_LIMIT, so a page costs the same at any size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity
from activities.selectors import activity_values
from activities.tests.factories import ActivityFactory
from api.models import ApiToken
from spotkania import paging


@pytest.fixture
def five_activities(customer):
    return ActivityFactory.create_batch(5, customer=customer)


@pytest.mark.django_db
def test_count_is_exact_up_to_the_limit_and_stops_there(five_activities):
    assert paging.bounded_count(Activity.objects.all(), 5) == (5, False)
    assert paging.bounded_count(Activity.objects.all(), 3) == (3, True)


@pytest.mark.django_db
def test_list_page_counts_at_most_the_limit(logged_in, five_activities, monkeypatch, settings):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 4)
    settings.ACTIVITY_PAGE_SIZE = 2

    page = logged_in.get(reverse("activities:list")).context["page_obj"]

    assert page.paginator.count == 4 and page.paginator.capped
    assert page.paginator.num_pages == 2


@pytest.mark.django_db
def test_api_count_stops_at_the_limit(client, employee, five_activities, monkeypatch):
    """The contract stays {"items": [...], "count": N}; N is exact below the limit."""
    _token, raw = ApiToken.issue(user=employee.user)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/activities", headers=headers).json()["count"] == 5

    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    body = client.get("/api/v1/activities", {"page_size": 2}, headers=headers).json()

    assert body["count"] == 3 and len(body["items"]) == 2


@pytest.fixture(autouse=True)
def _all_activities_visible(settings):
    """These tests are about what the pages and the API do with activities of any
    employee; who may see which is tested in activities/tests/test_access.py."""
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True


@pytest.mark.django_db
def test_a_page_read_by_ids_has_the_same_rows_in_the_same_order(customer):
    """rows_by_ids: ids first, then the rows by id, with the related rows fetched as for
    any page (no query per row)."""
    ActivityFactory.create_batch(9, customer=customer)
    ordered = (
        Activity.objects.select_related("customer")
        .prefetch_related("employees")
        .filter(customer=customer)
        .order_by("-start", "-id")
    )
    expected = list(ordered.values_list("pk", flat=True))

    plain = paging.BoundedPaginator(ordered, 2).page(3)
    by_ids = paging.BoundedPaginator(ordered, 2, ids_first=True).page(3)
    last = paging.BoundedPaginator(ordered, 2, ids_first=True).page(5)

    assert [a.pk for a in by_ids] == [a.pk for a in plain] == expected[4:6]
    assert [a.pk for a in last] == expected[8:]
    assert by_ids.has_next() and not last.has_next()
    orphaned = paging.BoundedPaginator(ordered, 2, orphans=1, ids_first=True)
    assert [a.pk for a in orphaned.page(4)] == expected[6:]  # as Paginator with orphans
    with CaptureQueriesContext(connection) as queries:
        rows = paging.rows_by_ids(ordered, 0, 5)
        names = [(a.customer.name, [e.pk for e in a.employees.all()]) for a in rows]
    assert len(names) == 5 and len(queries) == 3  # ids, rows with customers, employees
    values = paging.rows_by_ids(
        ordered, 1, 3, rows_of=lambda ids: activity_values(ids, ("id", "subject"))
    )
    assert [row["id"] for row in values] == expected[1:3] and "subject" in values[0]
    assert paging.rows_by_ids(ordered, 20, 25) == []
