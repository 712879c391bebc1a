"""Calendar feeds and .ics downloads, parsed back by vobject (an independent parser)."""

import time as clock
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import vobject
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import ActivityStatus
from activities.tests.factories import ActivityFactory, add_participant
from customers.tests.factories import ContactPersonFactory
from dictionaries.models import ActivityCategory, ActivityPriority
from employees.tests.factories import EmployeeFactory
from schedule import services
from schedule.models import CalendarFeed
from schedule.tests.conftest import WARSAW, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _long_feed_window(settings):
    """The fixed dates below (e.g. the DST change of March 2026) stay in the feed."""
    settings.SPOTKANIA_FEED_MONTHS_BACK = 120


@pytest.fixture
def feed(employee):
    return services.calendar_feed_regenerate(employee=employee)


def fetch(client, token):
    return client.get(reverse("schedule:feed", args=[token]), headers={"Accept-Language": "en"})


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return vobject.readOne(response.content.decode())


def events_by_uid(calendar):
    return {str(e.uid.value): e for e in calendar.vevent_list}


def test_feed_is_public_and_holds_every_field(client, employee, feed, customer, contact):
    high = ActivityPriority.objects.get(name_en="High")
    category = ActivityCategory.objects.get(name_en="Trade negotiations")
    colleague = EmployeeFactory(first_name="Piotr", last_name="Lis", email="piotr@example.com")
    meeting = ActivityFactory(
        subject="Contract renewal",
        customer=customer,
        leader=employee,
        start=at("2026-06-10", 10),
        end=at("2026-06-10", 11, 30),
        time_zone="Europe/Warsaw",
        place="Warszawa, ul. Prosta 1",
        priority=high,
        category=category,
        notes="Bring the draft.",
        version=3,
    )
    add_participant(meeting, colleague)
    meeting.contact_persons.set([contact])
    contact.email = "jan@hydro.example"
    contact.save()

    response = fetch(client, feed.token)  # no login: calendar programs have none
    assert b"DTSTART;TZID=Europe/Warsaw:20260610T100000" in response.content
    calendar = parse(response)
    event = events_by_uid(calendar)[f"activity-{meeting.pk}@spotkania.local"]
    assert event.summary.value == "Contract renewal"
    assert event.sequence.value == "3"
    assert event.dtstart.value == at("2026-06-10", 10)
    assert event.dtstart.value.utcoffset() == timedelta(hours=2)
    assert event.dtend.value == at("2026-06-10", 11, 30)
    assert event.location.value == "Warszawa, ul. Prosta 1"
    assert "Hydro-Tech Sp. z o.o." in event.description.value
    assert "Jan Kowalski" in event.description.value
    assert "Bring the draft." in event.description.value
    assert event.status.value == "CONFIRMED"
    assert event.priority.value == "1"
    assert event.categories.value == ["Meeting", "Trade negotiations"]
    assert event.organizer.value == f"mailto:{employee.email}"
    assert event.organizer.params["CN"] == ["Anna Nowak"]
    attendees = {a.value: a.params for a in event.attendee_list}
    assert set(attendees) == {
        f"mailto:{employee.email}",
        "mailto:piotr@example.com",
        "mailto:jan@hydro.example",
    }
    assert attendees[f"mailto:{employee.email}"]["ROLE"] == ["CHAIR"]
    assert attendees["mailto:jan@hydro.example"]["CN"] == ["Jan Kowalski"]
    assert event.dtstamp.value == meeting.updated_at.replace(microsecond=0)
    assert event.url.value.endswith(f"/activities/{meeting.pk}/")
    assert [tz.tzid.value for tz in calendar.vtimezone_list] == ["Europe/Warsaw"]


def test_a_dst_week_stays_at_ten_local_on_both_sides_of_the_change(client, employee, feed):
    # Clocks go forward in Warsaw on Sunday 2026-03-29 at 02:00.
    days = [date(2026, 3, 26) + timedelta(days=i) for i in range(6)]
    for day in days:
        ActivityFactory(
            leader=employee,
            subject=f"Daily {day}",
            start=datetime(day.year, day.month, day.day, 10, tzinfo=WARSAW),
            end=datetime(day.year, day.month, day.day, 11, tzinfo=WARSAW),
        )
    calendar = parse(fetch(client, feed.token))
    starts = sorted(e.dtstart.value for e in calendar.vevent_list)
    assert [s.astimezone(WARSAW).hour for s in starts] == [10] * 6
    # vobject read the offsets from our VTIMEZONE: +01:00 before the change, +02:00 after.
    assert [s.utcoffset() for s in starts] == [timedelta(hours=1)] * 3 + [timedelta(hours=2)] * 3
    assert [s.astimezone(zoneinfo.ZoneInfo("UTC")).hour for s in starts] == [9, 9, 9, 8, 8, 8]


def test_an_all_day_activity_is_dates_with_an_exclusive_end(client, employee, feed):
    ActivityFactory(
        leader=employee,
        subject="Trade fair",
        start=at("2026-05-12", 0),
        end=at("2026-05-14", 0),  # 12 and 13 May
        all_day=True,
    )
    event = parse(fetch(client, feed.token)).vevent
    assert event.dtstart.value == date(2026, 5, 12)
    assert not isinstance(event.dtstart.value, datetime)
    assert event.dtend.value == date(2026, 5, 14)
    assert event.dtstart.params.get("VALUE") == ["DATE"]


def test_cancelled_is_cancelled_and_foreign_or_unscheduled_are_absent(client, employee, feed):
    cancelled = ActivityFactory(
        leader=employee, start=at("2026-06-01", 9), status=ActivityStatus.CANCELLED
    )
    ActivityFactory(leader=employee, start=at("2026-06-02", 9), in_schedule=False)
    ActivityFactory(leader=EmployeeFactory(), start=at("2026-06-03", 9))
    events = parse(fetch(client, feed.token)).vevent_list
    assert [e.uid.value for e in events] == [f"activity-{cancelled.pk}@spotkania.local"]
    assert events[0].status.value == "CANCELLED"


def test_old_activities_fall_out_of_the_feed(client, employee, feed, settings):
    from django.utils import timezone

    settings.SPOTKANIA_FEED_MONTHS_BACK = 3
    now = timezone.now()
    ActivityFactory(leader=employee, subject="Old", start=now - timedelta(days=200))
    ActivityFactory(leader=employee, subject="Recent", start=now - timedelta(days=30))
    ActivityFactory(leader=employee, subject="Future", start=now + timedelta(days=400))
    events = parse(fetch(client, feed.token)).vevent_list
    assert sorted(e.summary.value for e in events) == ["Future", "Recent"]


def test_unknown_token_is_a_bare_404(client, feed):
    response = fetch(client, "x" * 43)
    assert response.status_code == 404
    assert response.content == b""


def test_revoked_token_answers_404(client, employee, feed):
    assert fetch(client, feed.token).status_code == 200
    services.calendar_feed_revoke(employee=employee)
    assert fetch(client, feed.token).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_regenerating_replaces_the_token(client, employee, feed):
    old = feed.token
    new = services.calendar_feed_regenerate(employee=employee).token
    assert new != old and len(new) >= 43
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200


def test_feed_queries_do_not_grow_with_activities(client, employee, feed):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert fetch(client, feed.token).status_code == 200
        return len(queries)

    ActivityFactory(leader=employee, start=at("2026-06-01", 9))
    few = count()
    for day in range(2, 12):
        a = ActivityFactory(leader=employee, start=at(f"2026-06-{day:02d}", 9))
        add_participant(a, EmployeeFactory())
        a.contact_persons.add(ContactPersonFactory(customer=a.customer))
    assert count() == few <= 6


def test_feed_of_500_activities_is_quick(client, employee, feed):
    customer = ActivityFactory(leader=employee, start=at("2026-01-01", 9)).customer
    contact = customer.contact_persons.first()
    start = at("2026-06-01", 8)
    for i in range(499):
        a = ActivityFactory(
            leader=employee, customer=customer, start=start + timedelta(hours=3 * i)
        )
        a.contact_persons.set([contact])
    began = clock.perf_counter()
    calendar = parse(fetch(client, feed.token))
    elapsed = clock.perf_counter() - began
    assert len(calendar.vevent_list) >= 499
    print(f"feed of {len(calendar.vevent_list)} activities: {elapsed:.3f} s")
    assert elapsed < 5, elapsed


def test_ics_download_of_one_activity(logged_in, employee):
    activity = ActivityFactory(leader=employee, start=at("2026-06-10", 10), subject="Visit")
    response = logged_in.get(reverse("schedule:activity_ics", args=[activity.pk]))
    assert response["Content-Disposition"] == (f'attachment; filename="activity-{activity.pk}.ics"')
    calendar = parse(response)
    assert calendar.method.value == "PUBLISH"
    assert calendar.vevent.uid.value == f"activity-{activity.pk}@spotkania.local"
    assert calendar.vevent.summary.value == "Visit"


def test_ics_download_needs_login_and_a_known_activity(client, logged_in):
    assert logged_in.get(reverse("schedule:activity_ics", args=[999999])).status_code == 404
    logged_in.logout()
    response = client.get(reverse("schedule:activity_ics", args=[1]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_detail_page_links_the_ics(logged_in, employee):
    activity = ActivityFactory(leader=employee)
    body = logged_in.get(activity.get_absolute_url()).content.decode()
    assert reverse("schedule:activity_ics", args=[activity.pk]) in body


class TestFeedSettingsPage:
    url = reverse("schedule:feed_settings")

    def test_create_show_regenerate_and_revoke(self, logged_in, employee):
        body = logged_in.get(self.url).content.decode()
        assert 'id="no-feed"' in body
        logged_in.post(self.url, {"action": "regenerate"})
        first = CalendarFeed.objects.get(employee=employee).token
        body = logged_in.get(self.url).content.decode()
        assert f"/schedule/feed/{first}.ics" in body
        logged_in.post(self.url, {"action": "regenerate"})
        second = CalendarFeed.objects.get(employee=employee).token
        assert second != first
        response = logged_in.post(self.url, {"action": "revoke"}, follow=True)
        assert "switched off" in response.content.decode()
        assert not CalendarFeed.objects.filter(employee=employee).exists()

    def test_a_user_without_employee_is_sent_to_the_team(self, admin_client):
        response = admin_client.get(self.url)
        assert response.status_code == 302
        assert response["Location"] == reverse("schedule:team")
