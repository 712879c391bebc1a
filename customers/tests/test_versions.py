"""Optimistic locking (issue 8): a save made on a stale version is refused, on the pages
with a message that shows what changed meanwhile, in the API with 409; nothing is
overwritten. Customers, contact persons and activities, through HTTP."""

import pytest
from django.urls import reverse

from activities import services as activity_services
from activities.tests.factories import ActivityFactory
from activities.tests.test_pages import form_data
from api.tests.conftest import ApiClient, issue_token
from customers.models import ContactPerson, Customer
from customers.services import contact_person_update, customer_update
from customers.tests.factories import ContactPersonFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def customer_form(customer: Customer, **overrides) -> dict:
    data = {
        "code": customer.code,
        "name": customer.name,
        "tax_id": customer.tax_id,
        "address": customer.address,
        "email": customer.email,
        "phone": customer.phone,
        "is_active": "on",
        "version": customer.version,
    }
    data.update(overrides)
    return data


def contact_form(person: ContactPerson, **overrides) -> dict:
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "position": person.position,
        "email": person.email,
        "phone": person.phone,
        "is_active": "on",
        "version": person.version,
    }
    data.update(overrides)
    return data


@pytest.fixture
def api(client, employee):
    return ApiClient(client, issue_token(employee.user))


# --- pages ------------------------------------------------------------------------------


def test_customer_edit_page_carries_the_version(logged_in):
    customer = CustomerFactory(name="Alfa")
    customer_update(customer=customer, values={"name": "Alfa 2"})
    page = logged_in.get(reverse("customers:update", args=[customer.pk]))
    assert 'name="version" value="2"' in page.content.decode()


def test_customer_save_on_a_stale_version_is_refused_showing_the_changes(logged_in):
    customer = CustomerFactory(name="Alfa", phone="111")
    url = reverse("customers:update", args=[customer.pk])
    mine = customer_form(customer, name="Alfa (mine)", phone="111")
    # Meanwhile a colleague renames it.
    customer_update(customer=customer, values={"name": "Alfa (theirs)"}, expected_version=1)

    response = logged_in.post(url, mine)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="stale-version"' in html
    assert "Your changes were not saved" in html
    changes = {c.field: c for c in response.context["stale"].changes}
    assert set(changes) == {"name"}
    assert (changes["name"].theirs, changes["name"].yours) == ("Alfa (theirs)", "Alfa (mine)")
    customer.refresh_from_db()
    assert (customer.name, customer.version) == ("Alfa (theirs)", 2)
    # The form now offers the current version: saving again is a deliberate overwrite.
    assert 'name="version" value="2"' in html


def test_customer_save_again_after_the_refusal_replaces_the_values(logged_in):
    customer = CustomerFactory(name="Alfa")
    url = reverse("customers:update", args=[customer.pk])
    customer_update(customer=customer, values={"name": "Theirs"})
    assert logged_in.post(url, customer_form(customer, name="Mine")).status_code == 200
    response = logged_in.post(url, customer_form(customer, name="Mine", version=2))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.version) == ("Mine", 3)


def test_customer_save_on_the_current_version_raises_it(logged_in):
    customer = CustomerFactory(name="Alfa")
    url = reverse("customers:update", args=[customer.pk])
    response = logged_in.post(url, customer_form(customer, name="Beta"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.version) == ("Beta", 2)


def test_changed_fields_are_named_in_the_users_language(client, employee):
    # The sentences are new msgids (Polish comes with the next catalogue update); the field
    # names are the models' translated verbose names already.
    client.force_login(employee.user)
    client.cookies["django_language"] = "pl"
    customer = CustomerFactory(name="Alfa")
    customer_update(customer=customer, values={"name": "Theirs"})
    response = client.post(
        reverse("customers:update", args=[customer.pk]), customer_form(customer, name="Mine")
    )
    assert response.status_code == 200
    assert "<strong>Nazwa</strong>: Theirs" in response.content.decode()


def test_contact_person_save_on_a_stale_version_is_refused(logged_in, customer):
    person = ContactPersonFactory(customer=customer, position="Buyer")
    url = reverse("customers:contact_update", args=[person.pk])
    mine = contact_form(person, position="Head buyer")
    contact_person_update(contact_person=person, values={"position": "CEO"})

    response = logged_in.post(url, mine)

    assert response.status_code == 200
    changes = {c.field: (c.theirs, c.yours) for c in response.context["stale"].changes}
    assert changes == {"position": ("CEO", "Head buyer")}
    assert "CEO" in response.content.decode()
    person.refresh_from_db()
    assert (person.position, person.version) == ("CEO", 2)


def test_activity_save_on_a_stale_version_is_refused(logged_in, customer, contact, employee):
    activity = ActivityFactory(customer=customer, leader=employee, subject="Offer")
    activity.contact_persons.set([contact])
    page = logged_in.get(reverse("activities:edit", args=[activity.pk]))
    assert 'name="version" value="1"' in page.content.decode()
    mine = form_data(customer, contact, employee, subject="Offer (mine)", version="1")
    # A colleague saves the same activity first.
    theirs = form_data(customer, contact, employee, subject="Offer (theirs)", place="Gdańsk")
    logged_in.post(reverse("activities:edit", args=[activity.pk]), {**theirs, "version": "1"})
    activity.refresh_from_db()
    assert (activity.subject, activity.version) == ("Offer (theirs)", 2)

    response = logged_in.post(reverse("activities:edit", args=[activity.pk]), mine)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="stale-version"' in html
    changes = {c.field: (c.theirs, c.yours) for c in response.context["stale"].changes}
    assert changes["subject"] == ("Offer (theirs)", "Offer (mine)")
    assert changes["place"] == ("Gdańsk", "Warszawa, ul. Prosta 1")
    activity.refresh_from_db()
    assert (activity.subject, activity.place, activity.version) == ("Offer (theirs)", "Gdańsk", 2)


def test_activity_stale_save_does_not_create_a_follow_up(logged_in, customer, contact, employee):
    activity = ActivityFactory(customer=customer, leader=employee)
    activity.contact_persons.set([contact])
    activity_services.activity_cancel(activity=activity)  # version 2
    data = form_data(customer, contact, employee, version="1", follow_up="on")
    response = logged_in.post(reverse("activities:edit", args=[activity.pk]), data)
    assert response.status_code == 200
    assert response.context["stale"] is not None
    assert not type(activity).objects.filter(previous=activity).exists()


# --- API --------------------------------------------------------------------------------


def test_api_customer_get_answers_an_etag(api):
    customer = CustomerFactory()
    response = api.get(f"customers/{customer.pk}")
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_api_customer_patch_with_a_stale_if_match_answers_409_with_the_changes(api):
    customer = CustomerFactory(name="Alfa")
    customer_update(customer=customer, values={"name": "Theirs"})

    response = api.patch(f"customers/{customer.pk}", {"name": "Mine"}, headers={"If-Match": '"1"'})

    assert response.status_code == 409
    body = response.json()
    assert body["version"] == 2
    assert body["changes"] == [
        {"field": "name", "label": "name", "theirs": "Theirs", "yours": "Mine"}
    ]
    assert body["detail"]
    assert response["ETag"] == '"2"'
    customer.refresh_from_db()
    assert customer.name == "Theirs"


def test_api_customer_patch_with_the_current_version_saves(api):
    customer = CustomerFactory(name="Alfa")
    response = api.patch(
        f"customers/{customer.pk}", {"name": "Beta"}, headers={"If-Match": 'W/"1"'}
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    assert response.json()["version"] == 2


def test_api_contact_patch_with_a_stale_version_field_answers_409(api, customer):
    person = ContactPersonFactory(customer=customer, phone="1")
    contact_person_update(contact_person=person, values={"phone": "2"})
    response = api.patch(f"contacts/{person.pk}", {"phone": "3", "version": 1})
    assert response.status_code == 409
    assert response.json()["changes"][0]["field"] == "phone"
    person.refresh_from_db()
    assert person.phone == "2"


def test_api_bad_if_match_is_refused(api):
    customer = CustomerFactory()
    response = api.patch(f"customers/{customer.pk}", {"name": "X"}, headers={"If-Match": "abc"})
    assert response.status_code == 422
    assert "If-Match" in response.json()["errors"]


def test_api_activity_get_etag_and_stale_patch(api, employee):
    activity = ActivityFactory(subject="Offer", leader=employee)
    read = api.get(f"activities/{activity.pk}")
    assert read["ETag"] == '"1"'
    assert api.patch(f"activities/{activity.pk}", {"subject": "Theirs"}).status_code == 200

    response = api.patch(
        f"activities/{activity.pk}", {"subject": "Mine"}, headers={"If-Match": read["ETag"]}
    )

    assert response.status_code == 409
    body = response.json()
    assert body["version"] == 2
    assert {"field": "subject", "label": "subject", "theirs": "Theirs", "yours": "Mine"} in body[
        "changes"
    ]
    activity.refresh_from_db()
    assert (activity.subject, activity.version) == ("Theirs", 2)


def test_api_activity_patch_with_the_version_field(api, employee):
    activity = ActivityFactory(subject="Offer", leader=employee)
    ok = api.patch(f"activities/{activity.pk}", {"subject": "New", "version": 1})
    assert ok.status_code == 200
    assert ok["ETag"] == '"2"'
    stale = api.patch(f"activities/{activity.pk}", {"subject": "Newer", "version": 1})
    assert stale.status_code == 409


@pytest.fixture(autouse=True)
def _all_activities_visible(settings):
    """These tests are about what the pages and the API do with activities of any
    employee; who may see which is tested in activities/tests/test_access.py."""
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True
