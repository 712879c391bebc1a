"""The admin of employees: listed, searchable, added with a login user and a time zone."""

import pytest
from django.urls import reverse

from employees.models import Employee
from employees.tests.factories import EmployeeFactory, UserFactory


@pytest.mark.django_db
def test_employee_changelist_opens_and_lists_employees(admin_client, employee):
    response = admin_client.get(reverse("admin:employees_employee_changelist"))

    assert response.status_code == 200
    assert "Anna Nowak" in response.content.decode()


@pytest.mark.django_db
def test_employee_changelist_searches_by_name_and_login(admin_client, employee):
    EmployeeFactory(first_name="Zbigniew", last_name="Wróbel")
    url = reverse("admin:employees_employee_changelist")

    by_login = admin_client.get(url, {"q": "anna"}).content.decode()
    by_name = admin_client.get(url, {"q": "Wróbel"}).content.decode()

    assert "Anna Nowak" in by_login and "Zbigniew Wróbel" not in by_login
    assert "Zbigniew Wróbel" in by_name and "Anna Nowak" not in by_name


@pytest.mark.django_db
def test_employee_add_page_opens_with_user_autocomplete(admin_client):
    response = admin_client.get(reverse("admin:employees_employee_add"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="admin-autocomplete' in content
    assert '<option value="Europe/Warsaw" selected>' in content


@pytest.mark.django_db
def test_admin_adds_an_employee_linked_to_a_user(admin_client):
    login = UserFactory(username="jan")
    data = {
        "first_name": "Jan",
        "last_name": "Kowalski",
        "email": "jan.kowalski@example.com",
        "user": login.pk,
        "time_zone": "Europe/Berlin",
        "is_active": "on",
    }

    response = admin_client.post(reverse("admin:employees_employee_add"), data)

    assert response.status_code == 302
    employee = Employee.objects.get(last_name="Kowalski")
    assert employee.user == login
    assert employee.time_zone == "Europe/Berlin"


@pytest.mark.django_db
def test_admin_refuses_an_unknown_time_zone(admin_client):
    data = {"first_name": "Jan", "last_name": "Kowalski", "time_zone": "Mars/Olympus"}

    response = admin_client.post(reverse("admin:employees_employee_add"), data)

    assert response.status_code == 200
    assert not Employee.objects.exists()
