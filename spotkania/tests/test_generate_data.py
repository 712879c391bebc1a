"""generate_data: bulk rows that obey the same rules as the services' rows, repeatably."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import CharField, F, Max, TextField
from django.db.models.functions import Length

from activities.models import Activity, ActivityStatus, Participation
from customers.models import ContactPerson, Customer
from dictionaries.models import ExchangeRate
from employees.models import Employee
from spotkania.management.commands.generate_data import generate
from spotkania.management.commands.seed_demo import is_day_off

TODAY = date(2026, 3, 16)
NOW = datetime(2026, 3, 16, 11, 0, tzinfo=UTC)
SMALL = {"activities": 400, "customers": 12, "contacts": 30, "employees": 5}


def _generate(seed: int = 7, **overrides):
    options = {**SMALL, "seed": seed, "today": TODAY, "now": NOW, "progress": False}
    return generate(**{**options, **overrides})


def _snapshot() -> list:
    activities = list(
        Activity.objects.order_by("pk").values_list(
            "pk", "kind", "subject", "customer_id", "leader_id", "start", "end", "status",
            "expected_cost", "expected_cost_currency_id", "actual_cost", "previous_id",
        )
    )  # fmt: skip
    employees = list(Activity.employees.through.objects.order_by("activity_id", "employee_id")
                     .values_list("activity_id", "employee_id"))  # fmt: skip
    people = list(
        ContactPerson.objects.order_by("pk").values_list("pk", "customer_id", "last_name")
    )
    rates = list(
        ExchangeRate.objects.order_by("currency", "date").values_list("currency", "date", "rate")
    )
    return [activities, employees, people, rates]


def _delete_generated() -> None:
    Activity.objects.update(previous=None)
    Activity.objects.all().delete()
    Customer.objects.all().delete()
    Employee.objects.all().delete()
    ExchangeRate.objects.all().delete()


@pytest.mark.django_db
def test_generated_activities_obey_the_rules_of_the_services():
    counts = _generate()

    assert counts["activities"] == Activity.objects.count() == 400
    assert Customer.objects.count() == 12 and ContactPerson.objects.count() == 30
    activities = {a.pk: a for a in Activity.objects.all()}
    team = defaultdict(set)
    for link in Activity.employees.through.objects.all():
        team[link.activity_id].add(link.employee_id)
        # The copies the schedule reads are those the services would write.
        times = Participation.copies_of(activities[link.activity_id])
        copied = (
            link.customer_id,
            link.start,
            link.end,
            link.in_schedule,
            link.kind,
            link.status,
            link.long_running,
        )
        assert copied == tuple(times.values())
    people_customer = dict(ContactPerson.objects.values_list("pk", "customer_id"))
    people = defaultdict(set)
    for activity_id, person_id in Activity.contact_persons.through.objects.values_list(
        "activity_id", "contactperson_id"
    ):
        people[activity_id].add(person_id)
    follow_ups = 0
    for a in activities.values():
        assert a.end >= a.start
        assert a.local_start_date == a.local_start.date()
        assert a.leader_id in team[a.pk], "the leader takes part"
        assert people[a.pk], "every activity names a contact person"
        assert {people_customer[p] for p in people[a.pk]} == {a.customer_id}
        assert (a.expected_cost is None) == (a.expected_cost_currency_id is None)
        assert (a.actual_cost is None) == (a.actual_cost_currency_id is None)
        assert (a.status == ActivityStatus.ENDED) == (a.ended_at is not None)
        if a.end > NOW:
            assert a.status == ActivityStatus.PLANNED, "nothing in the future is over"
        if a.previous_id is not None:
            follow_ups += 1
            before = activities[a.previous_id]
            assert before.customer_id == a.customer_id
            assert before.start < a.start
            assert team[before.pk] == team[a.pk] and people[before.pk] == people[a.pk]
    assert follow_ups > 40, "about a third are follow-ups"
    previous_ids = [a.previous_id for a in activities.values() if a.previous_id]
    assert len(previous_ids) == len(set(previous_ids)), "at most one follow-up each"
    # Three years around `today`, busier customers having more activities.
    starts = sorted(a.start for a in activities.values())
    assert starts[0] >= NOW - timedelta(days=31 * 31) and starts[-1] <= NOW + timedelta(days=190)
    assert {"PLN", "EUR"} <= {a.expected_cost_currency_id for a in activities.values()}
    # Texts the pages would take: within their fields' bounds (spotkania.limits).
    for model in (Customer, ContactPerson, Employee, Activity):
        for field in model._meta.fields:
            if isinstance(field, CharField | TextField) and field.max_length:
                longest = model.objects.aggregate(n=Max(Length(field.name)))["n"]
                assert longest <= field.max_length, (model.__name__, field.name)


@pytest.mark.django_db
def test_every_working_day_of_the_range_has_a_rate():
    _generate()

    days = set(ExchangeRate.objects.filter(currency="EUR").values_list("date", flat=True))
    first = min(days)
    assert first <= TODAY - timedelta(days=30 * 30)
    day = first
    while day <= TODAY + timedelta(days=30 * 5):
        assert (day in days) != is_day_off(day), day
        day += timedelta(days=1)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    _generate(seed=3)
    first = _snapshot()
    _delete_generated()
    _generate(seed=3)
    assert _snapshot() == first
    _delete_generated()
    _generate(seed=4)
    assert _snapshot()[0] != first[0]


@pytest.mark.django_db
def test_bulk_path_rebuilds_every_index_and_foreign_key():
    def constraints() -> set:
        with connection.cursor() as cursor:
            return {
                name
                for table in (
                    Activity._meta.db_table,
                    Activity.employees.through._meta.db_table,
                    Activity.contact_persons.through._meta.db_table,
                )
                for name in connection.introspection.get_constraints(cursor, table)
            }

    before = constraints()
    _generate(bulk_from=1)

    assert constraints() == before
    assert Activity.objects.count() == 400


@pytest.mark.django_db
def test_refuses_a_database_with_activities_unless_forced():
    _generate(activities=20)

    with pytest.raises(CommandError, match="already has activities"):
        call_command("generate_data", activities=20, verbosity=0)
    call_command("generate_data", activities=20, customers=2, employees=2, force=True, verbosity=0)
    assert Activity.objects.count() == 40
    assert Customer.objects.count() == 14


@pytest.mark.django_db
def test_a_range_starting_on_a_working_day_starts_at_its_local_midnight():
    # 2026-11-27 (a Friday): the range's first day, 2023-11-27, is a Monday, whose
    # midnight in Warsaw is 23:00 UTC the day before. It was stamped with the last day's
    # date, and the database refused the all-day activity ending before its start; the
    # creation times of the first two weeks' activities were dates at the range's end.
    today = date(2026, 11, 27)
    _generate(today=today, now=datetime(2026, 11, 27, 11, 0, tzinfo=UTC), activities=3000)

    assert not Activity.objects.filter(end__lt=F("start")).exists()
    assert not Activity.objects.filter(created_at__gt=F("start")).exists()
    first = Activity.objects.order_by("start").first()
    assert first.start >= datetime(2023, 11, 26, 23, 0, tzinfo=UTC)
    assert Activity.objects.order_by("-start").first().start < datetime(2027, 6, 1, tzinfo=UTC)
