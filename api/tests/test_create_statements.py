"""Creating a meeting with its follow-up through the API (issue 7): what the answer, its
headers and the history hold is what a second look at the database would find, yet the
save reads and writes each thing once (measured: 34 statements before, 14 now)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity
from activities.tests.factories import ActivityFactory, add_participant
from customers.tests.factories import ContactPersonFactory
from dictionaries.models import ActivityPriority, Currency
from dictionaries.services import currency_deactivate, dictionary_entry_set_default
from employees.models import Team
from employees.tests.factories import EmployeeFactory
from schedule.conflicts import find_clashes

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(customer, contact, employee):
    return {
        "kind": "meeting",
        "subject": "Oferta na pompy",
        "customer": customer.pk,
        "contact_persons": [contact.pk],
        "employees": [employee.pk],
        "start": "2026-03-10T10:00:00+01:00",
        "end": "2026-03-10T12:00:00+01:00",
        "expected_cost": {"amount": "120.00", "currency": "PLN"},
        "follow_up": {"in": {"value": 7, "unit": "days"}},
    }


def at(body, hour: int, minute: int = 0) -> datetime:
    """That time on the day the body's meeting starts (10:00-12:00)."""
    return datetime.fromisoformat(body["start"]).replace(hour=hour, minute=minute)


def at_hour(hour: int) -> datetime:
    return datetime(2026, 3, 10, hour, tzinfo=ZoneInfo("Europe/Warsaw"))


def header_ids(response) -> list[int]:
    value = response.get("X-Schedule-Conflicts")
    return [int(pk) for pk in value.split(",")] if value else []


def clashes_found_again(activity_id: int, user) -> list[int]:
    """What the endpoint used to compute after the save: another look for overlaps."""
    activity = Activity.objects.get(pk=activity_id)
    clashes = find_clashes(
        employee_ids=list(activity.employees.values_list("pk", flat=True)),
        start=activity.start,
        end=activity.end,
        exclude_id=activity.pk,
        user=user,
    )
    return list(dict.fromkeys(c.activity_id for c in clashes if c.visible))


def test_creating_a_meeting_with_a_follow_up_makes_12_statements(api, body):
    """The bench's request (bench/run.py, create_body). In a test the transaction is a
    savepoint and its release instead of BEGIN and COMMIT: the same count."""
    # The token is looked up once, the default priority and the currencies kept
    # (dictionaries.selectors); a meeting elsewhere in time, not to clash.
    api.post("activities", {**body, "follow_up": None, "start": "2026-01-05T10:00", "end": None})
    with CaptureQueriesContext(connection) as queries:
        response = api.post("activities", body)

    assert response.status_code == 201, response.json()
    statements = [q["sql"].split(" ")[0] for q in queries]
    # The contact persons with their customer, the employees; the transaction; the two
    # activities' rows, their links in one INSERT per kind, the overlaps of both in one
    # query; the two history entries in one INSERT, their links in one per relation. No
    # savepoint of the endpoint's own, nothing read back.
    assert len(queries) == 12, [q["sql"] for q in queries]
    assert statements.count("INSERT") == 7
    assert statements.count("SAVEPOINT") == 1 and statements.count("RELEASE") == 1


def test_the_answer_is_the_detail_of_the_new_activity(api, body, customer, contact, employee):
    """People in the order of the detail (the database's collation), not as sent."""
    people = [
        ContactPersonFactory(customer=customer, first_name=first, last_name=last)
        for first, last in [("Żaneta", "Łukasiewicz"), ("adam", "zieliński"), ("Ola", "Lis")]
    ]
    colleagues = [
        EmployeeFactory(first_name=first, last_name=last)
        for first, last in [("Łucja", "Ćwik"), ("ewa", "nowak"), ("Jan", "Zając")]
    ]
    body["contact_persons"] = [p.pk for p in people] + [contact.pk]
    body["employees"] = [c.pk for c in colleagues] + [employee.pk, colleagues[0].pk]

    response = api.post("activities", body)

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created == api.get(f"activities/{created['id']}").json()
    assert response["ETag"] == api.get(f"activities/{created['id']}")["ETag"]
    assert created["next"] is not None
    assert len(created["employees"]) == 4 and len(created["contact_persons"]) == 4


@pytest.mark.parametrize(
    "change",
    [
        {"follow_up": None},
        {"all_day": True, "start": "2026-05-04T00:00:00", "end": "2026-05-06T00:00:00"},
        {"start": "2026-03-10T10:00:00.250+01:00", "time_zone": "America/Chicago"},
        {"expected_cost": {"amount": "7", "currency": "EUR"}, "in_schedule": False},
        {"follow_up": {"in": {"value": 3, "unit": "hours"}, "kind": "task"}},
    ],
)
def test_every_shape_of_answer_is_the_detail(api, body, change):
    body.update(change)
    response = api.post("activities", body)
    assert response.status_code == 201, response.json()
    assert response.json() == api.get(f"activities/{response.json()['id']}").json()


def test_a_leader_not_among_the_employees_is_placed_as_the_detail_places_them(api, body, employee):
    """The service adds the leader to the employees; where they come in the list is the
    database's to say, so the answer reads the links (one statement more). Anna plans it
    for two employees of her team."""
    team = Team.objects.create(name="Sales", manager=employee)
    first = EmployeeFactory(first_name="Adam", last_name="Ąbel", team=team)
    last = EmployeeFactory(first_name="Zenon", last_name="Żak", team=team)
    body["employees"] = [last.pk]
    body["leader"] = first.pk

    response = api.post("activities", body)

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["leader"] == first.pk
    assert set(created["employees"]) == {first.pk, last.pk}
    assert created == api.get(f"activities/{created['id']}").json()


class TestConflictHeaderFromTheServicesCheck:
    """X-Schedule-Conflicts names what the service's one check found, the same ids in the
    same order as another look after the save would."""

    def test_an_existing_clash(self, api, body, employee):
        existing = ActivityFactory(leader=employee, start=at(body, 10, 30), subject="Busy")
        response = api.post("activities", body)
        assert header_ids(response) == [existing.pk]
        assert header_ids(response) == clashes_found_again(response.json()["id"], employee.user)

    def test_a_follow_up_overlapping_its_activity_is_named_after_what_starts_earlier(
        self, api, body, employee
    ):
        existing = ActivityFactory(leader=employee, start=at(body, 10, 30))
        body["follow_up"] = {"in": {"value": 1, "unit": "hours"}}  # 11:00-13:00

        response = api.post("activities", body)

        created = response.json()
        assert header_ids(response) == [existing.pk, created["next"]]
        assert header_ids(response) == clashes_found_again(created["id"], employee.user)

    def test_a_clash_the_caller_may_not_see_is_not_named(self, api, body, employee):
        colleague = EmployeeFactory()
        hidden = ActivityFactory(leader=colleague, start=at(body, 11))
        seen = ActivityFactory(leader=employee, start=at(body, 11, 30))
        add_participant(seen, colleague)
        body["employees"] = [employee.pk, colleague.pk]

        response = api.post("activities", body)

        assert hidden.pk not in header_ids(response)
        assert header_ids(response) == [seen.pk]
        assert header_ids(response) == clashes_found_again(response.json()["id"], employee.user)

    def test_none_out_of_the_schedule(self, api, body, employee):
        ActivityFactory(leader=employee, start=at(body, 10, 30))
        body["in_schedule"] = False
        response = api.post("activities", body)
        assert response.status_code == 201
        assert "X-Schedule-Conflicts" not in response

    def test_a_patch_that_adds_an_overlapping_follow_up_names_it(self, api, employee):
        activity = ActivityFactory(leader=employee, start=at_hour(10), end=at_hour(12))
        response = api.patch(
            f"activities/{activity.pk}",
            {"subject": "Moved", "follow_up": {"in": {"value": 1, "unit": "hours"}}},
        )
        assert response.status_code == 200, response.json()
        assert header_ids(response) == [response.json()["next"]]
        assert header_ids(response) == clashes_found_again(activity.pk, employee.user)


def test_a_problem_found_by_the_endpoint_leaves_nothing_written(api, body):
    """The service would succeed (the category is optional), but the id sent is unknown:
    the endpoint's own transaction undoes the save."""
    body["category"] = 999_999
    response = api.post("activities", body)
    assert response.status_code == 422, response.json()
    assert "category" in response.json()["errors"]
    assert not Activity.objects.exists()
    assert not Activity.history.exists()


def test_a_new_default_priority_is_used_by_the_next_request(api, body):
    body["follow_up"] = None
    before = ActivityPriority.objects.get(is_default=True)
    assert api.post("activities", body).json()["priority"] == before.pk

    after = ActivityPriority.objects.exclude(pk=before.pk).filter(is_active=True).first()
    # As the configuration page does: the kept dictionaries are forgotten (their cache).
    dictionary_entry_set_default(entry=after)

    assert api.post("activities", body).json()["priority"] == after.pk


def test_a_deactivated_currency_is_refused_by_the_next_request(api, body):
    body.update(follow_up=None, expected_cost={"amount": "5", "currency": "CHF"})
    assert api.post("activities", body).status_code == 201

    currency_deactivate(currency=Currency.objects.get(code="CHF"))

    response = api.post("activities", body)
    assert response.status_code == 422
    assert "expected_cost" in response.json()["errors"]
