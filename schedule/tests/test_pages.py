"""The schedule pages through HTTP: calendar, events, team week, dragging, new from a slot."""

import json
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import ActivityStatus
from activities.tests.factories import ActivityFactory, add_participant
from employees.models import Team
from employees.tests.factories import EmployeeFactory
from schedule.tests.conftest import WARSAW, at

pytestmark = pytest.mark.django_db


def events(client, employee, start="2026-03-23T00:00:00Z", end="2026-03-30T00:00:00Z"):
    url = reverse("schedule:events", args=[employee.pk])
    return client.get(url, {"start": start, "end": end})


class TestEmployeeSchedulePage:
    def test_own_schedule_is_home(self, logged_in, employee):
        response = logged_in.get(reverse("schedule:home"))
        assert response["Location"] == reverse("schedule:employee", args=[employee.pk])

    def test_page_configures_the_calendar_without_inline_script(self, logged_in, employee):
        response = logged_in.get(reverse("schedule:employee", args=[employee.pk]))
        body = response.content.decode()
        assert response.status_code == 200
        assert "vendor/fullcalendar/index.global.min.js" in body
        assert "vendor/fullcalendar/locale-pl.global.min.js" in body
        config = json.loads(
            body.split('<script id="schedule-config" type="application/json">')[1].split(
                "</script>"
            )[0]
        )
        assert config["eventsUrl"] == reverse("schedule:events", args=[employee.pk])
        assert config["locale"] == "en"
        assert config["timeZone"] == "Europe/Warsaw"
        assert reverse("schedule:feed_settings") in body  # own schedule: subscription link
        assert "onclick" not in body and "<script>" not in body

    def test_polish_page_asks_for_the_polish_calendar(self, logged_in, employee):
        logged_in.cookies["django_language"] = "pl"
        body = logged_in.get(reverse("schedule:employee", args=[employee.pk])).content.decode()
        assert '"locale": "pl"' in body

    def test_someone_elses_schedule_has_no_subscription_link(self, logged_in):
        other = EmployeeFactory()
        body = logged_in.get(reverse("schedule:employee", args=[other.pk])).content.decode()
        assert reverse("schedule:feed_settings") not in body

    def test_unknown_employee_is_404_and_anonymous_goes_to_login(self, client, logged_in):
        assert logged_in.get(reverse("schedule:employee", args=[99999])).status_code == 404
        logged_in.logout()
        response = client.get(reverse("schedule:employee", args=[1]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


class TestEvents:
    def test_only_the_visible_range_and_only_scheduled_activities(self, logged_in, employee):
        inside = ActivityFactory(leader=employee, start=at("2026-03-25", 10), subject="In")
        ActivityFactory(leader=employee, start=at("2026-03-31", 10))  # after the range
        ActivityFactory(leader=employee, start=at("2026-03-25", 12), in_schedule=False)
        ActivityFactory(leader=EmployeeFactory(), start=at("2026-03-25", 10))
        data = events(logged_in, employee).json()
        assert [e["id"] for e in data] == [str(inside.pk)]
        event = data[0]
        assert event["start"] == "2026-03-25T10:00:00"
        assert event["end"] == "2026-03-25T11:00:00"
        assert event["url"] == inside.get_absolute_url()
        assert event["editable"] is True
        assert "ev-kind-meeting" in event["classNames"]
        assert event["extendedProps"]["customer"] == inside.customer.name

    def test_a_dst_week_keeps_ten_oclock(self, logged_in, employee):
        for day in range(26, 32):
            ActivityFactory(leader=employee, start=at(f"2026-03-{day}", 10))
        data = events(logged_in, employee, "2026-03-23T00:00:00Z", "2026-04-06T00:00:00Z").json()
        assert [e["start"][11:] for e in data] == ["10:00:00"] * 6
        assert [e["start"][:10] for e in data] == [f"2026-03-{d}" for d in range(26, 32)]

    def test_times_are_in_the_users_zone(self, logged_in, employee):
        employee.time_zone = "Europe/London"
        employee.save()
        ActivityFactory(leader=employee, start=at("2026-03-25", 10))  # Warsaw 10:00
        data = events(logged_in, employee).json()
        assert data[0]["start"] == "2026-03-25T09:00:00"

    def test_status_classes_and_locking(self, logged_in, employee):
        ended = ActivityFactory(
            leader=employee, start=at("2026-03-24", 10), status=ActivityStatus.ENDED
        )
        cancelled = ActivityFactory(
            leader=employee, start=at("2026-03-25", 10), status=ActivityStatus.CANCELLED
        )
        by_id = {e["id"]: e for e in events(logged_in, employee).json()}
        assert "ev-status-ended" in by_id[str(ended.pk)]["classNames"]
        assert by_id[str(ended.pk)]["editable"] is False
        assert "ev-status-cancelled" in by_id[str(cancelled.pk)]["classNames"]

    def test_all_day_events_are_dates_with_exclusive_end(self, logged_in, employee):
        ActivityFactory(
            leader=employee, start=at("2026-03-24", 0), end=at("2026-03-26", 0), all_day=True
        )
        event = events(logged_in, employee).json()[0]
        assert (event["start"], event["end"], event["allDay"]) == (
            "2026-03-24",
            "2026-03-26",
            True,
        )

    def test_query_count_does_not_grow_with_the_range_contents(self, logged_in, employee):
        def count():
            with CaptureQueriesContext(connection) as queries:
                assert events(logged_in, employee).status_code == 200
            return len(queries)

        ActivityFactory(leader=employee, start=at("2026-03-24", 10))
        few = count()
        for day in range(24, 30):
            a = ActivityFactory(leader=employee, start=at(f"2026-03-{day}", 14))
            add_participant(a, EmployeeFactory())
        assert len(events(logged_in, employee).json()) == 7
        assert count() == few

    def test_bad_or_huge_ranges_are_refused(self, logged_in, employee):
        assert events(logged_in, employee, "yesterday", "2026-03-30").status_code == 400
        assert events(logged_in, employee, "2026-03-30", "2026-03-23").status_code == 400
        assert events(logged_in, employee, "2026-01-01", "2026-12-31").status_code == 400


class TestTeamSchedule:
    def test_rows_per_employee_with_their_activities(self, logged_in, employee):
        colleague = EmployeeFactory(first_name="Piotr", last_name="Lis")
        mine = ActivityFactory(leader=employee, start=at("2026-03-25", 10), subject="Mine")
        theirs = ActivityFactory(leader=colleague, start=at("2026-03-26", 10), subject="Theirs")
        url = reverse("schedule:team")
        response = logged_in.get(
            url, {"week": "2026-03-25", "employees": [employee.pk, colleague.pk]}
        )
        rows = {r["employee"].pk: r for r in response.context["rows"]}
        assert rows[employee.pk]["days"][0][0].isoformat() == "2026-03-23"
        assert {d.isoformat(): [a.pk for a in acts] for d, acts in rows[employee.pk]["days"]}[
            "2026-03-25"
        ] == [mine.pk]
        assert [a.pk for _, acts in rows[colleague.pk]["days"] for a in acts] == [theirs.pk]
        body = response.content.decode()
        assert "Mine" in body and "Theirs" in body

    def test_query_count_is_fixed(self, logged_in, employee):
        url = reverse("schedule:team")

        def count():
            with CaptureQueriesContext(connection) as queries:
                logged_in.get(url, {"week": "2026-03-25"})
            return len(queries)

        ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        few = count()
        for day in range(23, 29):
            ActivityFactory(leader=EmployeeFactory(), start=at(f"2026-03-{day}", 9))
        assert count() == few


def move(client, activity, **data):
    return client.post(reverse("schedule:move", args=[activity.pk]), data)


class TestDragToReschedule:
    def test_drag_moves_the_activity_and_bumps_its_version(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        response = move(
            logged_in, activity, start="2026-03-26T14:00:00Z", end="2026-03-26T15:30:00Z"
        )
        assert response.status_code == 200, response.content
        activity.refresh_from_db()
        assert activity.start == at("2026-03-26", 14)
        assert activity.end == at("2026-03-26", 15, 30)
        assert activity.version == 2
        assert response.json()["event"]["start"] == "2026-03-26T14:00:00"

    def test_drop_across_the_dst_change_keeps_the_wall_clock(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-27", 10))
        move(logged_in, activity, start="2026-03-30T10:00:00Z", end="2026-03-30T11:00:00Z")
        activity.refresh_from_db()
        assert activity.start.astimezone(WARSAW).hour == 10
        assert activity.start.astimezone(zoneinfo.ZoneInfo("UTC")).hour == 8

    def test_drop_into_the_all_day_row(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        response = move(logged_in, activity, start="2026-03-27", all_day="1")
        assert response.status_code == 200
        activity.refresh_from_db()
        assert activity.all_day
        assert (activity.start, activity.end) == (at("2026-03-27", 0), at("2026-03-28", 0))

    def test_ended_activity_cannot_move(self, logged_in, employee):
        activity = ActivityFactory(
            leader=employee, start=at("2026-03-25", 10), status=ActivityStatus.ENDED
        )
        response = move(logged_in, activity, start="2026-03-26T10:00:00Z")
        assert response.status_code == 422
        assert "ended" in response.json()["error"]
        activity.refresh_from_db()
        assert activity.start == at("2026-03-25", 10)

    def test_invalid_times_are_refused(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        assert move(logged_in, activity, start="soon").status_code == 422
        response = move(logged_in, activity, start="2026-03-25T12:00:00Z", end="2026-03-25T11:00")
        assert response.status_code == 422
        assert "before the start" in response.json()["error"]
        # 02:30 does not exist in Warsaw on 29 March 2026.
        response = move(logged_in, activity, start="2026-03-29T02:30:00Z")
        assert response.status_code == 422
        activity.refresh_from_db()
        assert activity.start == at("2026-03-25", 10)

    def test_a_clash_is_reported_and_may_be_overridden(self, logged_in, employee):
        ActivityFactory(leader=employee, start=at("2026-03-26", 10), subject="Busy")
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        data = {"start": "2026-03-26T10:30:00Z", "end": "2026-03-26T11:30:00Z"}
        response = move(logged_in, activity, **data)
        assert response.status_code == 409
        assert response.json()["overridable"] is True
        assert "Busy" in response.json()["conflicts"][0]
        activity.refresh_from_db()
        assert activity.start == at("2026-03-25", 10)
        assert move(logged_in, activity, ignore_conflicts="1", **data).status_code == 200

    def test_unknown_activity_and_get_are_refused(self, logged_in):
        assert logged_in.post(reverse("schedule:move", args=[99999])).status_code == 404
        assert logged_in.get(reverse("schedule:move", args=[1])).status_code == 405


class TestDragOnAStaleCalendar:
    """The calendar sends the version its event was loaded with; a drag made after someone
    else saved the activity is refused as the form's save is (optimistic locking)."""

    def someone_else_moves(self, client, activity):
        """A save meanwhile (as another user's would be): the activity moves to 11:00,
        version 2."""
        response = move(client, activity, start="2026-03-25T11:00:00Z", version="1")
        assert response.status_code == 200
        activity.refresh_from_db()
        assert activity.version == 2

    def test_the_events_carry_their_version(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10), version=4)
        (event,) = events(logged_in, employee).json()
        assert event["id"] == str(activity.pk)
        assert event["extendedProps"]["version"] == 4

    def test_a_drag_on_the_version_loaded_before_an_edit_is_refused(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        (event,) = events(logged_in, employee).json()
        self.someone_else_moves(logged_in, activity)

        response = move(
            logged_in,
            activity,
            start="2026-03-26T14:00:00Z",
            end="2026-03-26T15:00:00Z",
            version=str(event["extendedProps"]["version"]),
        )

        assert response.status_code == 409
        body = response.json()
        assert body["stale"] is True
        assert body["version"] == 2
        assert "overridable" not in body
        assert body["error"] == (
            "Someone changed this activity after your calendar was loaded. Reload the "
            "calendar to see the current version."
        )
        activity.refresh_from_db()
        assert (activity.start, activity.end, activity.version) == (
            at("2026-03-25", 11),
            at("2026-03-25", 12),
            2,
        )

    def test_a_stale_drag_is_refused_even_with_ignore_conflicts(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        self.someone_else_moves(logged_in, activity)
        response = move(
            logged_in, activity, start="2026-03-26T14:00:00Z", version="1", ignore_conflicts="1"
        )
        assert response.status_code == 409
        activity.refresh_from_db()
        assert activity.start == at("2026-03-25", 11)

    def test_the_refusal_speaks_polish(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        self.someone_else_moves(logged_in, activity)
        logged_in.cookies["django_language"] = "pl"
        response = move(logged_in, activity, start="2026-03-26T14:00:00Z", version="1")
        assert response.status_code == 409
        assert response.json()["error"].startswith("Ktoś zmienił to działanie")

    def test_a_drag_on_the_current_version_moves_and_answers_the_new_one(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        response = move(
            logged_in,
            activity,
            start="2026-03-26T14:00:00Z",
            end="2026-03-26T15:00:00Z",
            version="1",
        )
        assert response.status_code == 200, response.content
        assert response.json()["event"]["extendedProps"]["version"] == 2
        activity.refresh_from_db()
        assert (activity.start, activity.version) == (at("2026-03-26", 14), 2)

    def test_two_drags_in_a_row_each_with_the_version_the_last_answered(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        (event,) = events(logged_in, employee).json()
        for start in ("2026-03-26T14:00:00Z", "2026-03-27T09:00:00Z"):
            response = move(
                logged_in, activity, start=start, version=str(event["extendedProps"]["version"])
            )
            assert response.status_code == 200, response.content
            event = response.json()["event"]
        activity.refresh_from_db()
        assert (activity.start, activity.version) == (at("2026-03-27", 9), 3)
        assert event["extendedProps"]["version"] == 3

    def test_without_a_version_an_older_page_still_moves(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10), version=7)
        response = move(logged_in, activity, start="2026-03-26T14:00:00Z")
        assert response.status_code == 200
        activity.refresh_from_db()
        assert (activity.start, activity.version) == (at("2026-03-26", 14), 8)

    @pytest.mark.parametrize("version", ["abc", "0", "-1", "1.5"])
    def test_a_version_that_is_no_number_is_refused(self, logged_in, employee, version):
        activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
        response = move(logged_in, activity, start="2026-03-26T14:00:00Z", version=version)
        assert response.status_code == 422
        activity.refresh_from_db()
        assert (activity.start, activity.version) == (at("2026-03-25", 10), 1)


class TestNewMeetingFromASlot:
    def test_form_starts_with_the_chosen_time_and_employee(self, logged_in, employee):
        colleague = EmployeeFactory(team=Team.objects.create(name="Sales", manager=employee))
        response = logged_in.get(
            reverse("activities:create"),
            {"start": "2026-03-27T10:30", "end": "2026-03-27T12:00", "employee": colleague.pk},
        )
        form = response.context["form"]
        body = response.content.decode()
        assert 'value="2026-03-27T10:30"' in body and 'value="2026-03-27T12:00"' in body
        assert form.initial["employees"] == [colleague.pk]
        assert form.initial["leader"] == colleague.pk
        assert form.initial["send_invitations"] is True

    def test_a_slot_of_someone_outside_the_users_teams_is_a_meeting_with_them(
        self, logged_in, employee
    ):
        """Their schedule opens (every activity is visible in this module), but Anna may
        plan only what she leads or takes part in: the form has her lead it."""
        stranger = EmployeeFactory()
        response = logged_in.get(
            reverse("activities:create"), {"start": "2026-03-27T10:30", "employee": stranger.pk}
        )
        form = response.context["form"]
        assert form.initial["employees"] == [employee.pk, stranger.pk]
        assert form.initial["leader"] == employee.pk

    def test_all_day_slot(self, logged_in):
        response = logged_in.get(
            reverse("activities:create"),
            {"start": "2026-03-27", "end": "2026-03-28", "all_day": "1"},
        )
        body = response.content.decode()
        assert 'type="date"' in body and 'value="2026-03-27"' in body
        assert 'value="2026-03-28"' in body

    def test_garbage_is_ignored(self, logged_in):
        response = logged_in.get(
            reverse("activities:create"), {"start": "2026-13-45T99:00", "employee": "x"}
        )
        assert response.status_code == 200


@pytest.fixture(autouse=True)
def _all_activities_visible(settings):
    """These tests are about what the pages and the API do with activities of any
    employee; who may see which is tested in activities/tests/test_access.py."""
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True
