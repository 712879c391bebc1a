import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dictionaries.models import ActivityCategory, ActivityPriority
from employees.models import Employee
from employees.tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_employee_list_and_detail(api, employee):
    EmployeeFactory.create_batch(2)
    body = api.get("employees").json()
    assert body["count"] == 3
    anna = api.get(f"employees/{employee.pk}").json()
    assert anna["user"] == "anna"
    assert anna["calendar_feed_url"] is None
    assert api.get("employees/999999").status_code == 404


def test_employee_list_makes_a_constant_number_of_queries(api, employee):
    api.get("currencies")
    with CaptureQueriesContext(connection) as few:
        api.get("employees", {"page_size": 50})
    EmployeeFactory.create_batch(10, user=None)
    for n in range(5):
        EmployeeFactory(user=UserFactory(username=f"e{n}"))
    with CaptureQueriesContext(connection) as many:
        api.get("employees", {"page_size": 50})
    assert len(many) == len(few)


def test_employee_writes_need_permission(api):
    response = api.post("employees", {"first_name": "Ewa", "last_name": "Lis"})
    assert response.status_code == 403
    assert not Employee.objects.filter(last_name="Lis").exists()


def test_employee_create_and_update_by_an_administrator(admin_api, db):
    UserFactory(username="ewa")
    response = admin_api.post(
        "employees",
        {"first_name": "Ewa", "last_name": "Lis", "user": "ewa", "time_zone": "Europe/London"},
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["user"] == "ewa"
    changed = admin_api.patch(f"employees/{pk}", {"user": None, "is_active": False}).json()
    assert changed["user"] is None and changed["is_active"] is False
    assert changed["time_zone"] == "Europe/London"


def test_employee_validation_names_the_fields(admin_api, db):
    response = admin_api.post(
        "employees",
        {"first_name": "Ewa", "last_name": "", "user": "ghost", "time_zone": "Mars/Base"},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"last_name", "user", "time_zone"}


def test_user_with_permission_may_add_employees(api, employee):
    employee.user.user_permissions.add(Permission.objects.get(codename="add_employee"))
    response = api.post("employees", {"first_name": "Ewa", "last_name": "Lis"})
    assert response.status_code == 201


def test_dictionaries_are_read_in_the_language_of_the_request(api):
    pl = api.as_language("pl").get("dictionaries/categories").json()
    en = api.as_language("en").get("dictionaries/categories").json()
    assert [c["name"] for c in pl] == [c["name_pl"] for c in pl]
    assert [c["name"] for c in en] == [c["name_en"] for c in en]
    assert "Trade negotiations" in [c["name"] for c in en]
    priorities = api.get("dictionaries/priorities").json()
    assert sum(p["is_default"] for p in priorities) == 1


def test_dictionary_writes_are_for_administrators(api):
    assert api.post("dictionaries/categories", {"name_pl": "A", "name_en": "A"}).status_code == 403
    entry = ActivityCategory.objects.first()
    assert api.patch(f"dictionaries/categories/{entry.pk}", {"name_en": "X"}).status_code == 403


def test_dictionary_entry_create_rename_reorder_default(admin_api):
    response = admin_api.post(
        "dictionaries/priorities",
        {"name_pl": "Pilny", "name_en": "Urgent", "is_default": True, "position": 1},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_default"] is True and body["position"] == 1
    assert ActivityPriority.objects.get(is_default=True).name_en == "Urgent"
    renamed = admin_api.patch(f"dictionaries/priorities/{body['id']}", {"name_en": "Critical"})
    assert renamed.json()["name_en"] == "Critical" and renamed.json()["name_pl"] == "Pilny"
    last = admin_api.patch(f"dictionaries/priorities/{body['id']}", {"position": 99}).json()
    assert last["position"] == ActivityPriority.objects.count()
    assert admin_api.patch("dictionaries/priorities/999999", {"name_en": "x"}).status_code == 404


def test_dictionary_validation_and_refusals_are_per_field(admin_api):
    existing = ActivityCategory.objects.first()
    response = admin_api.post(
        "dictionaries/categories", {"name_pl": existing.name_pl, "name_en": ""}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name_pl", "name_en"}
    default = ActivityPriority.objects.get(is_default=True)
    refused = admin_api.patch(f"dictionaries/priorities/{default.pk}", {"is_active": False})
    assert refused.status_code == 422
    assert "is_active" in refused.json()["errors"]
    default.refresh_from_db()
    assert default.is_active


def test_currencies(api):
    body = api.get("currencies").json()
    base = [c for c in body if c["is_base"]]
    assert [c["code"] for c in base] == ["PLN"]
