import factory
from faker import Faker

from customers.models import ContactPerson, Customer

fake = Faker("pl_PL")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"K{n:05d}")
    name = factory.Faker("company", locale="pl_PL")
    tax_id = ""
    email = factory.Faker("company_email", locale="pl_PL")


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    customer = factory.SubFactory(CustomerFactory)
    first_name = factory.Faker("first_name", locale="pl_PL")
    last_name = factory.Faker("last_name", locale="pl_PL")
    email = factory.Faker("email", locale="pl_PL")
