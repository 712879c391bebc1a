"""The schedule API: an employee's schedule, free/busy, feed URLs, conflicts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity, ActivityStatus
from activities.tests.factories import ActivityFactory, add_participant
from api.tests.conftest import ApiClient, issue_token
from employees.models import Team
from employees.tests.factories import EmployeeFactory, UserFactory
from schedule import services
from schedule.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, employee):
    """Anna, an employee with no special rights, with a Bearer token."""
    return ApiClient(client, issue_token(employee.user))


@pytest.fixture
def anonymous(client):
    return ApiClient(client, None)


@pytest.fixture
def admin_api(client, admin_user):
    return ApiClient(client, issue_token(admin_user))


RANGE = {"start": "2026-03-23T00:00:00+01:00", "end": "2026-03-30T00:00:00+02:00"}


class TestEmployeeSchedule:
    def url(self, employee_id):
        return f"employees/{employee_id}/schedule"

    def test_lists_the_scheduled_activities_in_the_range(self, api, employee):
        inside = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        ActivityFactory(leader=employee, start=at("2026-04-02", 10))
        ActivityFactory(leader=employee, start=at("2026-03-26", 10), in_schedule=False)
        response = api.get(self.url(employee.pk), RANGE)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        item = body["items"][0]
        assert item["id"] == inside.pk
        assert item["start"] == "2026-03-25T10:00:00+01:00"
        assert item["employees"] == [employee.pk]
        # Written from columns, as the activity list is: still what the detail answers.
        assert item == api.get(f"activities/{inside.pk}").json()

    def test_dates_without_offset_are_in_the_callers_zone(self, api, employee):
        ActivityFactory(leader=employee, start=at("2026-03-29", 22, 30))  # till 23:30
        assert (
            api.get(self.url(employee.pk), {"start": "2026-03-29", "end": "2026-03-30"}).json()[
                "count"
            ]
            == 1
        )
        assert (
            api.get(self.url(employee.pk), {"start": "2026-03-30", "end": "2026-03-31"}).json()[
                "count"
            ]
            == 0
        )

    def test_query_count_is_constant(self, api, employee):
        def count():
            with CaptureQueriesContext(connection) as queries:
                assert api.get(self.url(employee.pk), RANGE).status_code == 200
            return len(queries)

        ActivityFactory(leader=employee, start=at("2026-03-24", 10))
        count()  # the token's first use of the minute writes last_used_at
        few = count()
        for day in range(24, 29):
            a = ActivityFactory(leader=employee, start=at(f"2026-03-{day}", 15))
            add_participant(a, EmployeeFactory())
        assert count() == few

    def test_whose_schedule_may_be_opened(self, api, admin_api, employee, settings):
        settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = False  # this module turns it on
        stranger = EmployeeFactory()  # not in Anna's teams
        managed = EmployeeFactory(team=Team.objects.create(name="T", manager=employee))
        ActivityFactory(leader=managed, start=at("2026-03-24", 10))
        assert api.get(self.url(stranger.pk), RANGE).status_code == 404
        assert admin_api.get(self.url(stranger.pk), RANGE).status_code == 200
        assert admin_api.get(self.url(999999), RANGE).status_code == 404
        with CaptureQueriesContext(connection) as queries:
            assert api.get(self.url(managed.pk), RANGE).json()["count"] == 1
        # The activities and their links: whom Anna may see came with her token.
        assert len(queries) == 2

    def test_401_404_and_validation(self, api, anonymous, employee):
        assert anonymous.get(self.url(employee.pk), RANGE).status_code == 401
        assert api.get(self.url(999999), RANGE).status_code == 404
        response = api.get(self.url(employee.pk), {"start": "2026-03-30", "end": "2026-03-23"})
        assert response.status_code == 422
        assert "end" in response.json()["errors"]
        response = api.get(self.url(employee.pk), {"start": "soon"})
        assert response.status_code == 422
        assert set(response.json()["errors"]) == {"start", "end"}
        response = api.get(self.url(employee.pk), {"start": "2026-01-01", "end": "2028-01-01"})
        assert response.status_code == 422


class TestFreeBusy:
    url = "schedule/free-busy"

    def test_merged_busy_periods_without_cancelled_or_unscheduled(self, api, employee):
        other = EmployeeFactory()
        ActivityFactory(leader=employee, start=at("2026-03-25", 10))  # 10-11
        ActivityFactory(leader=employee, start=at("2026-03-25", 10, 30))  # 10:30-11:30
        ActivityFactory(leader=employee, start=at("2026-03-25", 11, 30))  # touches: merged
        ActivityFactory(
            leader=employee, start=at("2026-03-25", 14), status=ActivityStatus.CANCELLED
        )
        ActivityFactory(leader=employee, start=at("2026-03-25", 16), in_schedule=False)
        ActivityFactory(leader=other, start=at("2026-03-26", 9))
        response = api.get(self.url, {**RANGE, "employees": f"{employee.pk},{other.pk}"})
        assert response.status_code == 200
        body = response.json()
        assert [e["id"] for e in body["employees"]] == [employee.pk, other.pk]
        assert body["employees"][0]["busy"] == [
            {"start": "2026-03-25T10:00:00+01:00", "end": "2026-03-25T12:30:00+01:00"}
        ]
        assert body["employees"][1]["busy"] == [
            {"start": "2026-03-26T09:00:00+01:00", "end": "2026-03-26T10:00:00+01:00"}
        ]

    def test_periods_are_clipped_to_the_range(self, api, employee):
        ActivityFactory(leader=employee, start=at("2026-03-22", 23), end=at("2026-03-23", 2))
        body = api.get(self.url, {**RANGE, "employees": str(employee.pk)}).json()
        assert body["employees"][0]["busy"][0]["start"] == "2026-03-23T00:00:00+01:00"

    def test_401_404_and_validation(self, api, anonymous, employee):
        params = {**RANGE, "employees": str(employee.pk)}
        assert anonymous.get(self.url, params).status_code == 401
        assert api.get(self.url, {**RANGE, "employees": "999999"}).status_code == 404
        for bad in ("", "1,x", ",".join(str(i) for i in range(1, 60))):
            response = api.get(self.url, {**RANGE, "employees": bad})
            assert response.status_code == 422, bad
            assert "employees" in response.json()["errors"]
        assert api.get(self.url, {"employees": str(employee.pk)}).status_code == 422


class TestCalendarFeedUrl:
    def test_shown_to_the_employee_themself(self, api, employee):
        feed = services.calendar_feed_regenerate(employee=employee)
        body = api.get(f"employees/{employee.pk}").json()
        assert body["calendar_feed_url"] == f"http://testserver/schedule/feed/{feed.token}.ics"

    def test_hidden_from_colleagues_and_shown_to_administrators(self, client, admin_api, employee):
        feed = services.calendar_feed_regenerate(employee=employee)
        colleague = EmployeeFactory(user=UserFactory(username="piotr"))
        colleague_api = ApiClient(client, issue_token(colleague.user))
        assert colleague_api.get(f"employees/{employee.pk}").json()["calendar_feed_url"] is None
        listed = admin_api.get("employees").json()["items"]
        urls = {e["id"]: e["calendar_feed_url"] for e in listed}
        assert urls[employee.pk].endswith(f"/schedule/feed/{feed.token}.ics")
        assert urls[colleague.pk] is None

    def test_none_without_a_feed(self, api, employee):
        assert api.get(f"employees/{employee.pk}").json()["calendar_feed_url"] is None


class TestConflictsThroughTheApi:
    def body(self, customer, contact, employee, **extra):
        return {
            "kind": "meeting",
            "subject": "Second",
            "customer": customer.pk,
            "contact_persons": [contact.pk],
            "employees": [employee.pk],
            "start": "2026-03-25T10:30:00",
            "end": "2026-03-25T11:30:00",
            **extra,
        }

    def test_warn_saves_by_default_and_names_the_clash_in_a_header(
        self, api, employee, customer, contact
    ):
        existing = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        response = api.post("activities", self.body(customer, contact, employee))
        assert response.status_code == 201
        assert response["X-Schedule-Conflicts"] == str(existing.pk)

    def test_no_header_without_a_clash(self, api, employee, customer, contact):
        response = api.post("activities", self.body(customer, contact, employee))
        assert response.status_code == 201
        assert "X-Schedule-Conflicts" not in response

    def test_asking_first_answers_409_with_the_clashes(self, api, employee, customer, contact):
        ActivityFactory(leader=employee, start=at("2026-03-25", 10), subject="Negotiations")
        response = api.post(
            "activities?ignore_conflicts=false", self.body(customer, contact, employee)
        )
        assert response.status_code == 409
        assert "Negotiations" in response.json()["errors"]["conflicts"][0]
        assert Activity.objects.count() == 1

    def test_refuse_setting_answers_409_always(self, api, employee, customer, contact, settings):
        settings.SPOTKANIA_SCHEDULE_CONFLICTS = "refuse"
        existing = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        response = api.post("activities", self.body(customer, contact, employee))
        assert response.status_code == 409
        assert "Anna Nowak" in response.json()["errors"]["conflicts"][0]
        moved = api.patch(
            f"activities/{existing.pk}?ignore_conflicts=true",
            {"start": "2026-03-25T10:00:00", "end": "2026-03-25T10:45:00"},
        )
        assert moved.status_code == 200  # its own time is no clash

    def test_openapi_documents_the_flags(self, api):
        schema = api.get("openapi.json").json()
        create = schema["paths"]["/api/v1/activities"]["post"]
        names = {p["name"] for p in create["parameters"]}
        assert {"ignore_conflicts", "send_invitations"} <= names
        assert "SPOTKANIA_SCHEDULE_CONFLICTS" in create["description"]
        assert "/api/v1/schedule/free-busy" in schema["paths"]
        assert "/api/v1/employees/{employee_id}/schedule" in schema["paths"]


@pytest.fixture(autouse=True)
def _all_activities_visible(settings):
    """These tests are about what the pages and the API do with activities of any
    employee; who may see which is tested in activities/tests/test_access.py."""
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True
