from datetime import timedelta

import factory
from django.utils import timezone

from activities.models import Activity, ActivityKind, Participation
from customers.tests.factories import ContactPersonFactory, CustomerFactory
from dictionaries.models import ActivityPriority
from employees.tests.factories import EmployeeFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    """A planned meeting with one employee (the leader) and one contact person.

    Writes the model directly: for tests that need data, not the rules (those go
    through `activities.services`)."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    kind = ActivityKind.MEETING
    subject = factory.Sequence(lambda n: f"Meeting {n}")
    customer = factory.SubFactory(CustomerFactory)
    leader = factory.SubFactory(EmployeeFactory)
    start = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0))
    end = factory.LazyAttribute(lambda a: a.start + timedelta(hours=1))
    priority = factory.LazyFunction(lambda: ActivityPriority.objects.get(is_default=True))

    @factory.post_generation
    def participants(obj, create, extracted, **kwargs):
        if not create:
            return
        add_participant(obj, obj.leader)
        obj.contact_persons.add(ContactPersonFactory(customer=obj.customer))


def add_participant(activity: Activity, employee) -> None:
    """Adds an employee to an activity as the services do: the link carries its times."""
    activity.employees.add(employee, through_defaults=Participation.copies_of(activity))
