"""The employee filter searches employees as the user types instead of listing them all."""

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from employees.tests.factories import EmployeeFactory


@pytest.mark.django_db
def test_search_finds_by_name_and_marks_those_who_left(logged_in):
    EmployeeFactory(first_name="Zofia", last_name="Wrona", user=None)
    EmployeeFactory(first_name="Adam", last_name="Wronski", user=None, is_active=False)
    EmployeeFactory(first_name="Piotr", last_name="Kos", user=None)

    results = logged_in.get(reverse("employees:search"), {"q": "wron"}).json()["results"]

    assert [r["text"] for r in results] == ["Zofia Wrona", "Adam Wronski (inactive)"]
    both = logged_in.get(reverse("employees:search"), {"q": "zofia wrona"}).json()["results"]
    assert [r["text"] for r in both] == ["Zofia Wrona"]


@pytest.mark.django_db
def test_search_needs_a_login(client):
    response = client.get(reverse("employees:search"), {"q": "a"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_filter_lists_only_the_chosen_employee_and_still_filters(admin_client):
    others = EmployeeFactory.create_batch(30, user=None)
    chosen = others[3]
    mine = ActivityFactory(leader=chosen, subject="Meeting of the chosen")
    ActivityFactory(leader=others[4], subject="Meeting of somebody else")

    html = admin_client.get(reverse("activities:list"), {"employee": chosen.pk}).content.decode()

    assert html.count("<option") < 25, "no option per employee (31 of them)"
    assert f'<option value="{chosen.pk}" selected>{chosen.full_name}</option>' in html
    assert 'data-search-url="/profile/employees/search/"' in html
    assert mine.subject in html and "somebody else" not in html
    plain = admin_client.get(reverse("activities:list")).content.decode()
    assert others[5].full_name not in plain
