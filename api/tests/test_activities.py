from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity, ActivityStatus
from activities.tests.factories import ActivityFactory, add_participant
from api.schemas import ActivityPage
from customers.tests.factories import ContactPersonFactory, CustomerFactory
from dictionaries.models import ActivityCategory, ActivityPriority
from employees.models import Team
from employees.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def body(customer, contact, employee):
    return {
        "kind": "meeting",
        "subject": "Oferta na pompy",
        "customer": customer.pk,
        "contact_persons": [contact.pk],
        "employees": [employee.pk],
        "start": "2026-03-10T10:00:00+01:00",
        "place": "Kraków, ul. Długa 1",
        "expected_cost": {"amount": "120.50", "currency": "PLN"},
    }


def test_create_returns_the_activity_with_money_and_offsets(api, body, employee):
    response = api.post("activities", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["expected_cost"] == {"amount": "120.50", "currency": "PLN"}
    assert data["actual_cost"] is None
    assert data["start"] == "2026-03-10T10:00:00+01:00"
    assert data["end"] == "2026-03-10T11:00:00+01:00"
    assert data["time_zone"] == "Europe/Warsaw"
    assert data["leader"] == employee.pk
    assert data["status"] == "planned"
    assert data["priority"] == ActivityPriority.objects.get(is_default=True).pk
    assert Activity.objects.get(pk=data["id"]).created_by == employee.user


def test_leader_defaults_to_the_caller_when_taking_part_else_the_first(api, body, employee):
    other = EmployeeFactory(team=Team.objects.create(name="Sales", manager=employee))
    body["employees"] = [other.pk, employee.pk]
    assert api.post("activities", body).json()["leader"] == employee.pk
    body["employees"] = [other.pk]
    assert api.post("activities", body).json()["leader"] == other.pk


def test_naive_times_are_read_in_the_time_zone_sent(api, body):
    body.update(start="2026-07-01T09:00:00", time_zone="America/New_York")
    data = api.post("activities", body).json()
    assert data["start"] == "2026-07-01T09:00:00-04:00"


def test_create_names_every_missing_and_wrong_field(api, customer):
    stranger = ContactPersonFactory()
    response = api.post(
        "activities",
        {
            "subject": " ",
            "customer": customer.pk,
            "contact_persons": [stranger.pk],
            "employees": [],
            "start": "2026-03-10T10:00:00+01:00",
            "end": "2026-03-09T10:00:00+01:00",
            "expected_cost": {"amount": "-1", "currency": "XYZ"},
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"subject", "contact_persons", "employees", "end", "expected_cost"} <= set(errors)
    assert not Activity.objects.exists()


def test_validation_messages_follow_accept_language(api, body):
    body["employees"] = [999999]
    pl = api.as_language("pl").post("activities", body).json()["errors"]["employees"]
    en = api.as_language("en").post("activities", body).json()["errors"]["employees"]
    assert pl != en
    assert "Select a valid choice. That choice is not one of the available choices." in en


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "not a date"}, "start"),
        ({"start": "9999-12-31T23:59:59-14:00"}, "start"),
        ({"customer": "abc"}, "customer"),
        ({"customer": 2**70}, "customer"),
        ({"subject": "x" * 5000}, "subject"),
        ({"subject": "a\x00b"}, "subject"),
        ({"kind": "party"}, "kind"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"expected_cost": {"amount": "1e40", "currency": "PLN"}}, "expected_cost"),
        ({"expected_cost": {"amount": "1.234", "currency": "PLN"}}, "expected_cost"),
        ({"expected_cost": {"amount": "NaN", "currency": "PLN"}}, "expected_cost.amount"),
        ({"expected_cost": {"amount": "5", "currency": "ZZZ"}}, "expected_cost"),
        ({"follow_up": {"in": {"value": 0, "unit": "days"}}}, "follow_up.in.value"),
        ({"follow_up": {}}, "follow_up"),
    ],
)
def test_malformed_input_answers_422_naming_the_field(api, body, change, field):
    body.update(change)
    response = api.post("activities", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Activity.objects.exists()


def test_follow_up_in_days_is_created_with_the_activity(api, body):
    body["follow_up"] = {"in": {"value": 2, "unit": "weeks"}, "kind": "contact"}
    data = api.post("activities", body).json()
    follow_up = api.get(f"activities/{data['next']}").json()
    assert follow_up["previous"] == data["id"]
    assert follow_up["kind"] == "contact"
    assert follow_up["start"] == "2026-03-24T10:00:00+01:00"


def test_follow_up_at_a_datetime(api, body):
    body["follow_up"] = {"at": "2026-04-01T12:00:00+02:00"}
    data = api.post("activities", body).json()
    assert api.get(f"activities/{data['next']}").json()["start"] == "2026-04-01T12:00:00+02:00"


def test_all_day_end_names_the_last_day_both_ways(api, body):
    body.update(all_day=True, start="2026-05-04T00:00:00", end="2026-05-06T00:00:00")
    data = api.post("activities", body).json()
    assert data["start"] == "2026-05-04T00:00:00+02:00"
    assert data["end"] == "2026-05-06T00:00:00+02:00"
    again = api.patch(f"activities/{data['id']}", {"subject": "Targi"}).json()
    assert again["end"] == data["end"]


def test_detail_and_404(api):
    activity = ActivityFactory()
    data = api.get(f"activities/{activity.pk}").json()
    assert data["customer"] == activity.customer_id
    assert len(data["contact_persons"]) == 1
    assert api.get("activities/999999").status_code == 404
    assert api.patch("activities/999999", {"subject": "x"}).status_code == 404
    assert api.delete("activities/999999").status_code == 404
    assert api.post("activities/999999/end").status_code == 404


def test_patch_changes_only_what_is_sent(api, employee):
    activity = ActivityFactory(leader=employee, place="Biuro")
    category = ActivityCategory.objects.first()
    response = api.patch(f"activities/{activity.pk}", {"category": category.pk, "notes": "N"})
    assert response.status_code == 200, response.json()
    activity.refresh_from_db()
    assert (activity.category, activity.notes, activity.place) == (category, "N", "Biuro")
    assert activity.version == 2


def test_patch_moving_the_start_keeps_the_length(api, employee):
    start = datetime(2026, 6, 1, 10, tzinfo=WARSAW)
    activity = ActivityFactory(leader=employee, start=start, end=start + timedelta(minutes=90))
    data = api.patch(f"activities/{activity.pk}", {"start": "2026-06-02T08:00:00+02:00"}).json()
    assert data["end"] == "2026-06-02T09:30:00+02:00"


def test_patch_of_an_ended_activity_answers_409(api, employee):
    activity = ActivityFactory(leader=employee, status=ActivityStatus.ENDED)
    response = api.patch(f"activities/{activity.pk}", {"subject": "Changed"})
    assert response.status_code == 409
    assert response.json()["detail"]
    activity.refresh_from_db()
    assert activity.subject != "Changed"


def test_end_cancel_reopen(api, reopener_api, employee):
    activity = ActivityFactory(leader=employee)
    ended = api.post(
        f"activities/{activity.pk}/end", {"actual_cost": {"amount": "99.99", "currency": "PLN"}}
    )
    assert ended.status_code == 200, ended.json()
    assert ended.json()["status"] == "ended"
    assert ended.json()["actual_cost"] == {"amount": "99.99", "currency": "PLN"}
    assert api.post(f"activities/{activity.pk}/end").status_code == 409
    assert api.post(f"activities/{activity.pk}/cancel").status_code == 409
    assert api.post(f"activities/{activity.pk}/reopen").status_code == 403
    reopened = reopener_api.post(f"activities/{activity.pk}/reopen")
    assert reopened.json()["status"] == "planned"
    assert api.post(f"activities/{activity.pk}/cancel").json()["status"] == "cancelled"


def test_delete(api, employee):
    activity = ActivityFactory(leader=employee)
    assert api.delete(f"activities/{activity.pk}").status_code == 204
    assert not Activity.objects.filter(pk=activity.pk).exists()
    ended = ActivityFactory(leader=employee, status=ActivityStatus.ENDED)
    assert api.delete(f"activities/{ended.pk}").status_code == 409


def test_list_filters_newest_first_and_paginates(api, customer):
    base = datetime(2026, 1, 10, 9, tzinfo=WARSAW)
    old = ActivityFactory(customer=customer, start=base, subject="Stare")
    new = ActivityFactory(customer=customer, start=base + timedelta(days=5), subject="Nowe")
    ActivityFactory(start=base, kind="task")
    body = api.get("activities", {"customer": customer.pk}).json()
    assert [a["id"] for a in body["items"]] == [new.pk, old.pk]
    assert body["count"] == 2
    assert api.get("activities", {"kind": "task"}).json()["count"] == 1
    assert api.get("activities", {"q": "stare"}).json()["items"][0]["id"] == old.pk
    ranged = api.get("activities", {"start_from": "2026-01-11", "start_to": "2026-01-15"})
    assert [a["id"] for a in ranged.json()["items"]] == [new.pk]
    assert api.get("activities", {"employee": new.leader_id}).json()["count"] == 1
    page = api.get("activities", {"page_size": 1, "page": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert api.get("activities", {"page_size": 201}).status_code == 422
    assert api.get("activities", {"start_from": "yesterday"}).status_code == 422


def test_list_makes_a_constant_number_of_queries(api):
    ActivityFactory()
    api.get("currencies")
    with CaptureQueriesContext(connection) as few:
        assert api.get("activities").json()["count"] == 1
    customer = CustomerFactory()
    for _ in range(15):
        a = ActivityFactory(customer=customer, category=ActivityCategory.objects.first())
        add_participant(a, EmployeeFactory())
        a.contact_persons.add(ContactPersonFactory(customer=customer))
    with CaptureQueriesContext(connection) as many:
        assert api.get("activities", {"page_size": 50}).json()["count"] == 16
    assert len(many) == len(few) <= 6


@pytest.fixture(autouse=True)
def _all_activities_visible(settings):
    """These tests are about what the pages and the API do with activities of any
    employee; who may see which is tested in activities/tests/test_access.py."""
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True


def test_list_rows_are_the_detail_of_each_activity_and_match_the_schema(api, customer):
    """The list builds its rows from columns, not through the detail's code or the
    response schema: every row must still be what the detail answers."""
    start = datetime(2026, 5, 4, 9, 30, 0, 123456, tzinfo=WARSAW)
    plain = ActivityFactory(customer=customer, start=start, subject="Zażółć gęślą jaźń")
    for last_name in ("Zięba", "Adamska", "Mazur"):  # listed by name, not by id
        add_participant(plain, EmployeeFactory(last_name=last_name))
        plain.contact_persons.add(ContactPersonFactory(customer=customer, last_name=last_name))
    rich = ActivityFactory(
        customer=customer,
        start=datetime(2026, 5, 1, tzinfo=WARSAW),
        end=datetime(2026, 5, 3, tzinfo=WARSAW),
        all_day=True,
        time_zone="America/New_York",
        category=ActivityCategory.objects.first(),
        expected_cost=Decimal("120.50"),
        expected_cost_currency_id="PLN",
        actual_cost=Decimal("0"),
        actual_cost_currency_id="EUR",
        status=ActivityStatus.ENDED,
    )
    ActivityFactory(customer=customer, previous=rich, start=datetime(2026, 4, 1, tzinfo=WARSAW))

    body = api.get("activities", {"customer": customer.pk}).json()

    ActivityPage.model_validate(body)
    assert [row["id"] for row in body["items"]][:2] == [plain.pk, rich.pk]
    for row in body["items"]:
        assert row == api.get(f"activities/{row['id']}").json()
    first, second = body["items"][:2]
    assert first["start"] == "2026-05-04T09:30:00.123+02:00"  # Django's format: milliseconds
    assert first["subject"] == "Zażółć gęślą jaźń"
    assert len(first["employees"]) == 4 and len(first["contact_persons"]) == 4
    assert second["next"] is not None and second["all_day"] is True


def test_list_of_a_full_page_makes_four_queries_once_the_token_is_known(api):
    ActivityFactory.create_batch(3)
    assert api.get("activities", {"page_size": 2}).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        body = api.get("activities", {"page_size": 2}).json()
    # The page's ids, its rows (spotkania.paging.rows_by_ids), its count, and the
    # employees and contact persons of its rows.
    assert len(queries) == 4, [q["sql"] for q in queries]
    assert body["count"] == 3 and len(body["items"]) == 2


def test_last_page_is_counted_without_a_count_query(api):
    ActivityFactory.create_batch(3)
    with CaptureQueriesContext(connection) as last:
        assert api.get("activities", {"page_size": 2, "page": 2}).json()["count"] == 3
    with CaptureQueriesContext(connection) as beyond:
        beyond_body = api.get("activities", {"page_size": 2, "page": 3}).json()
    assert not any("COUNT(" in q["sql"] for q in last)
    assert beyond_body == {"items": [], "count": 3}
    assert any("COUNT(" in q["sql"] for q in beyond)
