"""The rule of who sees which activity has two shapes (activities.selectors
.visible_activities): one for pages, one for counting. They must be the same set."""

import pytest

from activities.selectors import ActivityFilters, activities_to_count, activity_list
from activities.tests.factories import ActivityFactory, add_participant
from customers.tests.factories import CustomerFactory
from employees.models import Team
from employees.tests.factories import EmployeeFactory, UserFactory
from spotkania.paging import bounded_count


def both(user, **kwargs) -> tuple[set, set]:
    filters = ActivityFilters(**kwargs.pop("filters", {}))
    page = activity_list(filters=filters, user=user, **kwargs)
    counted = activity_list(filters=filters, user=user, for_counting=True, **kwargs)
    assert page.count() == counted.count()
    # What the lists count (without visiting the activities when nothing is filtered).
    to_count = activities_to_count(
        filters=filters, user=user, customer_id=kwargs.get("customer_id")
    )
    assert bounded_count(to_count) == (page.count(), False)
    return set(page.values_list("pk", flat=True)), set(counted.values_list("pk", flat=True))


@pytest.mark.django_db
def test_pages_and_counts_see_the_same_activities():
    customer = CustomerFactory()
    seller = EmployeeFactory(user=UserFactory())
    boss = EmployeeFactory(user=UserFactory())
    colleague = EmployeeFactory(
        user=UserFactory(), team=Team.objects.create(name="S", manager=boss)
    )
    led = ActivityFactory(leader=seller, customer=customer)
    joined = ActivityFactory(leader=colleague)
    add_participant(joined, seller)
    booked = ActivityFactory(leader=colleague, created_by=seller.user, kind="task")
    # Created and taken part in: counted once.
    both_ways = ActivityFactory(leader=seller, created_by=seller.user, kind="contact")
    ActivityFactory.create_batch(3)  # nobody's business

    seen, counted = both(seller.user)
    assert seen == counted == {led.pk, joined.pk, booked.pk, both_ways.pk}
    seen, counted = both(boss.user)
    assert seen == counted == {joined.pk, booked.pk}
    seen, counted = both(seller.user, customer_id=customer.pk)
    assert seen == counted == {led.pk}
    # Of one customer, the links are read by (employee, customer); what the user created
    # for others, whatever the customer, still counts.
    seen, counted = both(seller.user, customer_id=booked.customer_id)
    assert seen == counted == {booked.pk}
    seen, counted = both(seller.user, customer_id=joined.customer_id)
    assert seen == counted == {joined.pk}
    seen, counted = both(boss.user, customer_id=customer.pk)
    assert seen == counted == set()
    seen, counted = both(seller.user, filters={"kind": "task"})
    assert seen == counted == {booked.pk}
    # Filtered by an employee the user may see: all of that employee's activities.
    seen, counted = both(boss.user, filters={"employee": colleague.pk})
    assert seen == counted == {joined.pk, booked.pk}
    seen, counted = both(boss.user, filters={"employee": seller.pk})
    assert seen == counted == {joined.pk}  # seller is not in boss's team
    # ...and one the user may not: only those the user may see for another reason.
    seen, counted = both(seller.user, filters={"employee": colleague.pk})
    assert seen == counted == {joined.pk, booked.pk}
    seen, counted = both(seller.user, filters={"employee": colleague.pk}, customer_id=customer.pk)
    assert seen == counted == set()
