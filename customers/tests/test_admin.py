"""The admin of customers: searchable, contact persons inline, NIP normalised as on the pages."""

import pytest
from django.urls import reverse

from customers.models import Customer
from customers.tests.factories import CustomerFactory


@pytest.mark.django_db
def test_customer_changelist_searches_by_nip(admin_client):
    CustomerFactory(name="Hydro-Tech", tax_id="5260001246")
    CustomerFactory(name="Zeta Bud")

    response = admin_client.get(reverse("admin:customers_customer_changelist"), {"q": "526000"})

    assert response.status_code == 200
    assert "Hydro-Tech" in response.content.decode()
    assert "Zeta Bud" not in response.content.decode()


@pytest.mark.django_db
def test_customer_change_page_shows_contact_persons_inline(admin_client, contact):
    url = reverse("admin:customers_customer_change", args=[contact.customer.pk])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert 'name="contact_persons-0-last_name"' in response.content.decode()
    assert 'value="Kowalski"' in response.content.decode()


@pytest.mark.django_db
def test_admin_stores_nip_normalised(admin_client):
    data = {
        "code": "A-1",
        "name": "Admin Added",
        "tax_id": "PL 526-000-12-46",
        "address": "",
        "email": "",
        "phone": "",
        "is_active": "on",
        "contact_persons-TOTAL_FORMS": "0",
        "contact_persons-INITIAL_FORMS": "0",
    }

    response = admin_client.post(reverse("admin:customers_customer_add"), data)

    assert response.status_code == 302
    assert Customer.objects.get(code="A-1").tax_id == "5260001246"


@pytest.mark.django_db
def test_contact_person_changelist_loads(admin_client, contact):
    response = admin_client.get(reverse("admin:customers_contactperson_changelist"))

    assert response.status_code == 200
    assert "Kowalski" in response.content.decode()
