"""The rule of who sees which activity has two shapes (activities.selectors
.visible_activities): one for pages, one for counting. They must be the same set."""

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from activities.selectors import (
    ActivityFilters,
    activities_to_count,
    activity_counts,
    activity_list,
    visible_page_ids,
)
from activities.tests.factories import ActivityFactory, add_participant
from customers.tests.factories import CustomerFactory
from employees.models import Team
from employees.tests.factories import EmployeeFactory, UserFactory
from spotkania.paging import bounded_count, rows_by_ids


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


@pytest.mark.django_db
def test_a_page_merged_from_an_employees_links_and_creations_is_the_lists_page():
    """visible_page_ids: the newest of the employee's links and of what they created,
    merged, are the rows of the list's pages, in order: ties of start broken by id, an
    activity both joined and created listed once, deep pages too."""
    customer, other_customer = CustomerFactory(), CustomerFactory()
    seller = EmployeeFactory(user=UserFactory())
    colleague = EmployeeFactory(user=UserFactory())
    noon = datetime(2026, 11, 2, 12, tzinfo=ZoneInfo("Europe/Warsaw"))
    for n in range(7):
        at = noon - timedelta(days=n % 3)  # the same start three times: ties
        ActivityFactory(leader=seller, customer=customer, start=at, end=at + timedelta(hours=1))
        ActivityFactory(
            leader=colleague,
            created_by=seller.user,
            customer=customer if n % 2 else other_customer,
            start=at,
            end=at + timedelta(hours=1),
        )
        ActivityFactory(leader=seller, created_by=seller.user, customer=customer, start=at)
        ActivityFactory(leader=colleague, customer=customer, start=at)  # not the seller's
    for customer_id in (None, customer.pk, other_customer.pk):
        page_ids = visible_page_ids(
            filters=ActivityFilters(), user=seller.user, customer_id=customer_id
        )
        expected = list(
            activity_list(
                filters=ActivityFilters(), user=seller.user, customer_id=customer_id
            ).values_list("pk", flat=True)
        )
        listed = activity_list(filters=ActivityFilters(), user=seller.user, customer_id=customer_id)

        def page(start, stop, listed=listed, page_ids=page_ids):
            rows = rows_by_ids(listed, start, stop, page_ids=page_ids, rows_of=list)
            return rows

        assert expected and page(0, 100) == expected
        for start in range(0, len(expected), 4):
            assert page(start, start + 4) == expected[start : start + 4]
        assert page_ids(0, 4) == expected[:4]
    # Filtered, or for a manager: read the general way.
    assert visible_page_ids(filters=ActivityFilters(kind="task"), user=seller.user) is None
    boss = EmployeeFactory(user=UserFactory())
    seller.team = Team.objects.create(name="T", manager=boss)
    seller.save()
    assert visible_page_ids(filters=ActivityFilters(), user=boss.user) is None


@pytest.mark.django_db
def test_deep_pages_are_left_to_the_query(monkeypatch):
    from activities import selectors
    from spotkania import paging

    seller = EmployeeFactory(user=UserFactory())
    ActivityFactory.create_batch(9, leader=seller)
    monkeypatch.setattr(selectors, "MERGED_PAGES_UP_TO", 4)
    page_ids = visible_page_ids(filters=ActivityFilters(), user=seller.user)
    assert page_ids(0, 4) is not None and page_ids(4, 8) is None
    listed = activity_list(filters=ActivityFilters(), user=seller.user)
    expected = list(listed.values_list("pk", flat=True))
    paginator = paging.BoundedPaginator(listed, 4, page_ids=page_ids)
    assert [[a.pk for a in paginator.page(n)] for n in (1, 2, 3)] == [
        expected[:4],
        expected[4:8],
        expected[8:],
    ]


@pytest.mark.django_db
def test_one_employees_list_by_dates_is_read_from_their_links():
    from datetime import date

    from spotkania import paging

    seller = EmployeeFactory(user=UserFactory())
    boss = EmployeeFactory(user=UserFactory())
    seller.team = Team.objects.create(name="T", manager=boss)
    seller.save()
    noon = datetime(2026, 11, 2, 12, tzinfo=ZoneInfo("Europe/Warsaw"))
    for n in range(8):
        at = noon - timedelta(days=n // 2)  # ties of start
        ActivityFactory(leader=seller, start=at, end=at + timedelta(hours=1))
    ActivityFactory(start=noon)  # someone else's
    filters = ActivityFilters(employee=seller.pk, start_from=date(2026, 10, 31))
    for user in (seller.user, boss.user):
        listed = activity_list(filters=filters, user=user)
        expected = list(listed.values_list("pk", flat=True))
        page_ids = visible_page_ids(filters=filters, user=user)
        assert len(expected) == 6 and page_ids(0, 100) == expected
        assert page_ids(2, 5) == expected[2:5]
        assert paging.bounded_count(activities_to_count(filters=filters, user=user)) == (6, False)
    # Filtered by anything else, or by an employee the user may not see: the general way.
    assert visible_page_ids(filters=replace(filters, kind="task"), user=seller.user) is None
    assert visible_page_ids(filters=ActivityFilters(employee=boss.pk), user=seller.user) is None


def _counts(user, customer_id) -> Counter:
    counted: Counter = Counter()
    for kind, status, n in activity_counts(user=user, customer_id=customer_id):
        counted[kind, status] += n
    return +counted


@pytest.mark.django_db
def test_counts_per_kind_and_status_are_those_of_the_page(reopener):
    """activity_counts (the customer page's header and badges) counts an employee's links'
    copies and what they created apart: the same activities as the list, each once."""
    from activities.services import activity_cancel, activity_end

    customer = CustomerFactory()
    seller = EmployeeFactory(user=UserFactory())
    colleague = EmployeeFactory(user=UserFactory())
    boss = EmployeeFactory(user=UserFactory())
    for employee in (seller, colleague):
        employee.team = Team.objects.get_or_create(name="T", manager=boss)[0]
        employee.save()
    activity_end(activity=ActivityFactory(leader=seller, customer=customer, kind="task"))
    activity_cancel(activity=ActivityFactory(leader=seller, customer=customer))
    shared = ActivityFactory(leader=seller, customer=customer, kind="contact")
    add_participant(shared, colleague)  # a manager sees it once
    ActivityFactory(leader=colleague, created_by=seller.user, customer=customer, kind="task")
    ActivityFactory(leader=seller, created_by=seller.user, customer=customer)  # both ways
    ActivityFactory(leader=colleague, customer=customer)  # not the seller's
    ActivityFactory(leader=seller)  # another customer
    for user in (seller.user, colleague.user, boss.user, reopener):
        page = activity_list(filters=ActivityFilters(), user=user, customer_id=customer.pk)
        expected = Counter(page.values_list("kind", "status"))
        assert _counts(user, customer.pk) == expected, user
    assert sum(_counts(seller.user, customer.pk).values()) == 5
    assert sum(_counts(boss.user, customer.pk).values()) == 6
