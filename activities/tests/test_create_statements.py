"""Saving a meeting with its follow-up in fewer statements (issue 7), the rules unchanged.

The history entries of a save are written together at its end: each holds what
django-simple-history's own `create_historical_record` would have written, in one INSERT
for the entries and one per relation for the copies of their links. The conflict check
asks the visibility rule only about clashes it cannot answer from the employees the user
may see, and looks for the overlaps of an activity and its follow-up in one query."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import ACTIVITY_HISTORY, Activity
from activities.selectors import visible_activities
from activities.services import (
    FollowUp,
    activity_create,
    activity_update,
    follow_up_schedule,
)
from activities.tests.factories import ActivityFactory, add_participant
from activities.tests.test_services import meeting_input
from customers.tests.factories import ContactPersonFactory
from employees.models import Team
from employees.selectors import visible_employee_ids
from employees.tests.factories import EmployeeFactory, UserFactory
from schedule.conflicts import find_clashes

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


def written(entry) -> tuple:
    """An entry's fields (but its own id and time) and the copies of its links (but their
    own ids), as comparable values."""
    fields = {
        f.attname: getattr(entry, f.attname)
        for f in type(entry)._meta.fields
        if f.attname not in ("history_id", "history_date")
    }
    links = {}
    for field in type(entry)._history_m2m_fields:
        copies = ACTIVITY_HISTORY.m2m_models[field]
        own = ("m2m_history_id", "history_id")
        columns = [f.attname for f in copies._meta.fields if f.attname not in own]
        links[field.name] = sorted(copies.objects.filter(history=entry).values_list(*columns))
    return fields, links


def as_simple_history_writes_it(activity: Activity, history_type: str) -> tuple:
    """The oracle: the entry django-simple-history writes for the activity as it is now."""
    ACTIVITY_HISTORY.create_historical_record(activity, history_type)
    return written(activity.history.latest())


def only_entry(activity: Activity):
    entries = list(activity.history.all())
    assert len(entries) == 1
    return entries[0]


@pytest.fixture
def people(customer, contact, employee):
    colleague = EmployeeFactory(first_name="Piotr", last_name="Zieliński")
    other = ContactPersonFactory(customer=customer, first_name="Ewa", last_name="Lis")
    return {"contact_persons": [contact, other], "employees": [employee, colleague]}


def test_a_meeting_and_its_follow_up_have_one_entry_each_with_their_links(
    customer, contact, employee, user, people
):
    activity = activity_create(
        data=meeting_input(customer, contact, employee, **people),
        created_by=user,
        follow_up=FollowUp(value=2, unit="days"),
    )
    successor = activity.next

    for saved in (activity, successor):
        entry = only_entry(saved)
        assert entry.history_type == "+"
        mine = written(entry)
        assert mine[1]["employees"] and mine[1]["contact_persons"]
        assert mine == as_simple_history_writes_it(saved, "+")


def test_a_change_with_a_new_follow_up_records_the_links_it_kept(
    customer, contact, employee, people
):
    activity = activity_create(data=meeting_input(customer, contact, employee))
    later = datetime(2026, 3, 28, 9, tzinfo=WARSAW)

    activity_update(
        activity=activity,
        data=meeting_input(customer, contact, employee, start=later, end=None, **people),
        follow_up=FollowUp(value=1, unit="weeks"),
    )

    change = activity.history.latest()
    assert change.history_type == "~"
    mine = written(change)
    assert len(mine[1]["employees"]) == 2 and len(mine[1]["contact_persons"]) == 2
    assert mine == as_simple_history_writes_it(Activity.objects.get(pk=activity.pk), "~")
    successor = Activity.objects.get(previous=activity)
    assert written(only_entry(successor)) == as_simple_history_writes_it(successor, "+")


def test_a_follow_up_scheduled_later_has_its_entry(customer, contact, employee, people):
    activity = activity_create(data=meeting_input(customer, contact, employee, **people))
    successor = follow_up_schedule(activity=activity, follow_up=FollowUp(value=3, unit="hours"))
    assert written(only_entry(successor)) == as_simple_history_writes_it(successor, "+")
    assert successor.start - activity.start == timedelta(hours=3)


def test_the_service_saves_a_meeting_and_its_follow_up_in_11_statements(
    customer, contact, employee, people
):
    data = meeting_input(customer, contact, employee, **people)
    with CaptureQueriesContext(connection) as queries:
        activity_create(data=data, follow_up=FollowUp(value=7, unit="days"))
    # Savepoint (the test's transaction), default priority, the two activities' rows,
    # their links (one INSERT per kind, for both), the overlaps of both, the entries and
    # their links (three), release. No currency here: no cost.
    assert len(queries) == 11, [q["sql"] for q in queries]
    overlaps = [q for q in queries if 'FROM "activities_participation"' in q["sql"]]
    assert len(overlaps) == 1


def test_clashes_are_marked_visible_exactly_as_the_visibility_rule_says():
    """Sales (managed by mgr) holds emp; the outsider is in no team. At 10:00 emp, the
    outsider, both, and the outsider in a meeting mgr booked are busy."""
    sales = Team.objects.create(name="Sales")
    users = {}
    for role in ("employee", "manager", "administrator"):
        users[role] = UserFactory(username=role)
        users[role].groups.add(Group.objects.get(name=role))
    emp = EmployeeFactory(user=users["employee"], team=sales)
    mgr = EmployeeFactory(user=users["manager"], team=sales)
    sales.manager = mgr
    sales.save()
    outsider = EmployeeFactory()
    ten = datetime(2026, 3, 27, 10, tzinfo=WARSAW)
    ActivityFactory(leader=emp, start=ten)
    ActivityFactory(leader=outsider, start=ten)
    add_participant(ActivityFactory(leader=outsider, start=ten), emp)
    ActivityFactory(leader=outsider, start=ten, created_by=users["manager"])

    marks = {}
    for role, user in users.items():
        clashes = find_clashes(
            employee_ids=[emp.pk, outsider.pk],
            start=ten,
            end=ten + timedelta(minutes=30),
            user=user,
        )
        assert len(clashes) == 5  # one per employee of each activity
        rule = set(visible_activities(user).values_list("pk", flat=True))
        assert {(c.activity_id, c.visible) for c in clashes} == {
            (c.activity_id, c.activity_id in rule) for c in clashes
        }
        marks[role] = {c.activity_id: c.visible for c in clashes}
    assert marks["administrator"] == dict.fromkeys(marks["administrator"], True)
    assert list(marks["employee"].values()).count(False) == 2  # the outsider's and mgr's
    assert list(marks["manager"].values()).count(False) == 1  # the outsider's own


def test_clashes_of_the_users_own_employees_cost_one_query(employee, user):
    ten = datetime(2026, 3, 27, 10, tzinfo=WARSAW)
    taken = ActivityFactory(start=ten)
    add_participant(taken, employee)
    visible_employee_ids(user)  # read once a request (the API keeps it with the token)

    with CaptureQueriesContext(connection) as queries:
        (clash,) = find_clashes(
            employee_ids=[employee.pk], start=ten, end=ten + timedelta(hours=1), user=user
        )

    assert len(queries) == 1
    assert clash.activity_id == taken.pk and clash.visible
