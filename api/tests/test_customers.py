import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.tests.factories import ActivityFactory
from customers.models import ContactPerson, Customer
from customers.tests.factories import ContactPersonFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_customer_list_searches_and_paginates(api):
    CustomerFactory(name="Alfa Serwis", code="A1")
    CustomerFactory(name="Beta Handel", code="B1")
    CustomerFactory(name="Gamma Serwis", code="G1")
    response = api.get("customers", {"q": "serwis", "page_size": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["name"] for c in body["items"]] == ["Alfa Serwis"]
    second = api.get("customers", {"q": "serwis", "page_size": 1, "page": 2}).json()
    assert [c["name"] for c in second["items"]] == ["Gamma Serwis"]


def test_customer_list_makes_a_constant_number_of_queries(api):
    CustomerFactory.create_batch(2)
    api.get("currencies")  # records the token's use (at most once a minute)
    with CaptureQueriesContext(connection) as few:
        assert api.get("customers", {"page_size": 1}).status_code == 200
    CustomerFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        assert api.get("customers", {"page_size": 20}).status_code == 200
    assert len(many) == len(few) <= 4


def test_customer_create_normalises_the_nip(api):
    response = api.post("customers", {"code": "K1", "name": "Hydro", "tax_id": "PL 526-000-12-46"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tax_id"] == "5260001246"
    assert Customer.objects.get(pk=body["id"]).name == "Hydro"


def test_customer_create_names_every_offending_field_in_polish(api):
    CustomerFactory(code="TAKEN")
    response = api.as_language("pl").post(
        "customers", {"code": "TAKEN", "name": "X", "tax_id": "123", "email": "nope"}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"code", "tax_id", "email"}
    assert "Wprowadź poprawny adres email." in errors["email"]


def test_customer_create_refuses_missing_fields_and_nul_bytes(api):
    response = api.post("customers", {"name": "A\x00B"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["code"] == ["This field is required."]
    assert errors["name"] == ["Null characters are not allowed."]
    assert not Customer.objects.exists()


def test_customer_detail_update_and_404(api, customer):
    assert api.get(f"customers/{customer.pk}").json()["name"] == customer.name
    response = api.patch(f"customers/{customer.pk}", {"phone": "+48 600 100 200"})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.phone == "+48 600 100 200"
    assert customer.name == "Hydro-Tech Sp. z o.o."
    assert api.get("customers/999999").status_code == 404
    assert api.get("customers/99999999999999999999999").status_code == 404
    assert api.patch("customers/999999", {"name": "x"}).status_code == 404


def test_customer_patch_with_an_invalid_field_changes_nothing(api, customer):
    response = api.patch(f"customers/{customer.pk}", {"name": "", "phone": "1"})
    assert response.status_code == 422
    assert "name" in response.json()["errors"]
    customer.refresh_from_db()
    assert customer.phone == ""


def test_customer_delete_without_activities(api, admin_api, customer, contact):
    assert admin_api.delete(f"customers/{customer.pk}").status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not ContactPerson.objects.filter(pk=contact.pk).exists()


def test_customer_delete_with_activities_is_refused_with_a_reason(api, admin_api, customer):
    ActivityFactory(customer=customer)
    response = admin_api.delete(f"customers/{customer.pk}")
    assert response.status_code == 409
    assert "Deactivate" in response.json()["detail"]
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_contacts_of_a_customer(api, customer, contact):
    ContactPersonFactory()  # someone else's
    response = api.get(f"customers/{customer.pk}/contacts")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["items"]] == [contact.pk]
    assert api.get("customers/999999/contacts").status_code == 404


def test_contact_create_update_delete(api, admin_api, customer):
    response = api.post(
        f"customers/{customer.pk}/contacts", {"first_name": "Ewa", "last_name": "Lis"}
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["customer"] == customer.pk
    assert api.get(f"contacts/{pk}").json()["last_name"] == "Lis"
    assert api.patch(f"contacts/{pk}", {"position": "CEO"}).json()["position"] == "CEO"
    assert admin_api.delete(f"contacts/{pk}").status_code == 204
    assert api.get(f"contacts/{pk}").status_code == 404


def test_contact_validation_and_refused_delete(api, admin_api, customer):
    response = api.post(f"customers/{customer.pk}/contacts", {"first_name": "Ewa"})
    assert response.status_code == 422
    assert "last_name" in response.json()["errors"]
    activity = ActivityFactory(customer=customer)
    person = activity.contact_persons.get()
    assert admin_api.delete(f"contacts/{person.pk}").status_code == 409
    assert ContactPerson.objects.filter(pk=person.pk).exists()


def test_an_employee_may_not_delete_customers_or_contact_persons(api, customer, contact):
    assert api.delete(f"customers/{customer.pk}").status_code == 403
    assert api.delete(f"contacts/{contact.pk}").status_code == 403
    assert api.get(f"customers/{customer.pk}").status_code == 200
