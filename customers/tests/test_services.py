"""The rule of deleting customers, tested through the service."""

import pytest
from django.core.exceptions import ValidationError

from activities.tests.factories import ActivityFactory
from customers.models import ContactPerson, Customer
from customers.services import customer_delete


@pytest.mark.django_db
class TestCustomerDelete:
    def test_customer_without_activities_is_deleted_with_its_contact_persons(self, contact):
        customer = contact.customer

        customer_delete(customer=customer)

        assert not Customer.objects.filter(pk=customer.pk).exists()
        assert not ContactPerson.objects.filter(pk=contact.pk).exists()

    def test_customer_with_activities_is_refused_and_kept_whole(self, customer):
        activity = ActivityFactory(customer=customer)

        with pytest.raises(ValidationError) as exc_info:
            customer_delete(customer=customer)

        assert exc_info.value.code == "customer_has_activities"
        assert "Deactivate the customer instead" in exc_info.value.messages[0]
        assert Customer.objects.filter(pk=customer.pk).exists()
        assert customer.contact_persons.filter(activities=activity).exists()


@pytest.mark.django_db
def test_contact_person_with_activities_is_kept_and_one_without_deleted():
    from customers.services import contact_person_delete
    from customers.tests.factories import ContactPersonFactory

    met = ActivityFactory().contact_persons.get()
    with pytest.raises(ValidationError):
        contact_person_delete(contact_person=met)
    assert ContactPerson.objects.filter(pk=met.pk).exists()

    never_met = ContactPersonFactory()
    contact_person_delete(contact_person=never_met)
    assert not ContactPerson.objects.filter(pk=never_met.pk).exists()
