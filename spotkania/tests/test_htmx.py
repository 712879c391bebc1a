"""Every list page answers htmx the same way (spotkania.htmx.render_page)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("activities:list", (), b'id="activity-table"'),
    ("customers:list", (), b"<table"),
]


@pytest.mark.parametrize(("name", "args", "marker"), PAGES)
def test_htmx_swap_gets_the_fragment_and_history_restore_the_page(
    logged_in, customer, name, args, marker
):
    from activities.tests.factories import ActivityFactory

    ActivityFactory(customer=customer)
    url = reverse(name, args=args)

    swap = logged_in.get(url, HTTP_HX_REQUEST="true")
    assert marker in swap.content
    assert b"<nav" not in swap.content
    assert "HX-Request" in swap["Vary"]

    restore = logged_in.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert b"<nav" in restore.content
    assert marker in restore.content


def test_dictionary_page_swaps_its_entries(admin_client):
    url = reverse("dictionaries:list", args=["priorities"])
    swap = admin_client.get(url, HTTP_HX_REQUEST="true")
    assert b"<nav" not in swap.content and b"Normal" in swap.content


@pytest.fixture(autouse=True)
def _all_activities_visible(settings):
    """These tests are about what the pages and the API do with activities of any
    employee; who may see which is tested in activities/tests/test_access.py."""
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True
