"""Dragging an event in the calendar, in a real browser: a drag on a calendar loaded before
someone else's save is refused and reverted; after a reload, two drags in a row move it."""

import zoneinfo
from datetime import datetime

import pytest
from django.db.models import F
from playwright.sync_api import expect

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from employees.tests.factories import EmployeeFactory, UserFactory
from spotkania.tests.browser.people import PASSWORD, log_in

# The live server needs committed data (the root conftest re-seeds the dictionaries).
pytestmark = pytest.mark.django_db(transaction=True)

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
DAY = "2026-03-25"


def at(hour: int) -> datetime:
    return datetime(2026, 3, 25, hour, tzinfo=WARSAW)


@pytest.fixture
def meeting(transactional_db):
    user = UserFactory(username="ewa", password=PASSWORD)
    employee = EmployeeFactory(user=user, first_name="Ewa", last_name="Lis")
    return ActivityFactory(
        leader=employee,
        subject="Contract renewal",
        start=at(10),
        end=at(11),
        time_zone="Europe/Warsaw",
    )


def open_day(page, meeting):
    page.goto(f"/schedule/employee/{meeting.leader_id}/?date={DAY}&view=timeGridDay")
    event = page.locator(".fc-event", has_text="Contract renewal")
    expect(event).to_be_visible()
    return event


def drag_to(page, event, hour: int) -> int:
    """Drags the event so that it starts at `hour`; the status of the move's answer."""
    box = event.bounding_box()
    slot = page.locator(f'td.fc-timegrid-slot-lane[data-time="{hour:02d}:00:00"]').bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 5
    with page.expect_response(lambda r: "/schedule/move/" in r.url) as answer:
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x, y + 10, steps=5)
        page.mouse.move(x, slot["y"] + 5, steps=15)
        page.mouse.up()
    return answer.value.status


def test_a_stale_drag_is_reverted_then_a_reloaded_calendar_moves_twice(page, meeting, shot):
    log_in(page)
    event = open_day(page, meeting)

    # Someone else saves the meeting (not its time) after this calendar was loaded.
    Activity.objects.filter(pk=meeting.pk).update(version=F("version") + 1, place="Kraków")

    assert drag_to(page, event, 13) == 409
    error = page.locator("#schedule-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Someone changed this activity after your calendar was loaded")
    expect(event).to_contain_text("10:00")
    shot("schedule-drag-01-stale")
    meeting.refresh_from_db()
    assert (meeting.start, meeting.version, meeting.place) == (at(10), 2, "Kraków")

    # Reloaded, the calendar has the current version; the answer gives the next one.
    event = open_day(page, meeting)
    assert drag_to(page, event, 13) == 200
    expect(error).to_be_hidden()
    meeting.refresh_from_db()
    assert (meeting.start, meeting.version) == (at(13), 3)

    assert drag_to(page, event, 15) == 200
    expect(error).to_be_hidden()
    meeting.refresh_from_db()
    assert (meeting.start, meeting.version, meeting.place) == (at(15), 4, "Kraków")
    shot("schedule-drag-02-moved-twice")
