"""The shortcuts of the year-long feed write what the plain way writes: times read by the
database as text or seconds, people and lines made once, VTIMEZONEs kept."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Timezone

from activities.models import Activity, ActivityStatus
from activities.selectors import participations_overlapping
from activities.tests.factories import ActivityFactory, add_participant
from customers.tests.factories import ContactPersonFactory
from employees.tests.factories import EmployeeFactory
from schedule import ical, selectors
from schedule.ical import CalendarEntry, Person, calendar_of, calendar_of_entries
from schedule.tests.conftest import WARSAW

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def moment(*args, zone=UTC) -> datetime:
    return datetime(*args, tzinfo=zone)


@pytest.fixture
def activities(employee, customer):
    """Times just before a second, a day and a year ends, before 1970, on both sides of a
    change of clocks, in UTC and all day; people shared between activities."""
    colleague = EmployeeFactory(first_name="Łucja", last_name="Ząb")
    contact = ContactPersonFactory(customer=customer, first_name="Jan", last_name="Kowalski")
    made = [
        # 23:59:59.999999 UTC on New Year's Eve is 00:59:59 on 1 January in Warsaw.
        ActivityFactory(
            leader=employee,
            customer=customer,
            start=moment(2025, 12, 31, 23, 59, 59, 999999),
            end=moment(2026, 1, 1, 0, 30, 0, 1),
        ),
        # Before 1970: seconds since then are negative, and still round down.
        ActivityFactory(
            leader=employee,
            customer=customer,
            start=moment(1969, 12, 31, 23, 59, 58, 500000),
            end=moment(1970, 1, 1, 0, 0, 1, 250000),
        ),
        # Warsaw's clocks go forward at 01:00 UTC on 29 March 2026.
        ActivityFactory(
            leader=colleague,
            customer=customer,
            start=moment(2026, 3, 29, 0, 30),
            end=moment(2026, 3, 29, 1, 30),
        ),
        ActivityFactory(
            leader=employee,
            customer=customer,
            start=moment(2026, 11, 1, 9, zone=NEW_YORK),
            end=moment(2026, 11, 1, 10, zone=NEW_YORK),
            time_zone="America/New_York",
            status=ActivityStatus.CANCELLED,
        ),
        ActivityFactory(
            leader=employee,
            customer=customer,
            start=moment(2026, 3, 29, 1, 30, 15),
            end=moment(2026, 3, 29, 2, 45, 59, 999999),
            time_zone="UTC",
        ),
        ActivityFactory(
            leader=employee,
            customer=customer,
            start=moment(2026, 3, 28, zone=WARSAW),
            end=moment(2026, 3, 30, zone=WARSAW),
            all_day=True,
        ),
    ]
    for activity in made:
        add_participant(activity, colleague) if activity.leader != colleague else None
        activity.contact_persons.add(contact)
    add_participant(made[2], employee)
    # Made and changed a hair before a second ends: the text keeps the second.
    Activity.objects.filter(pk=made[0].pk).update(
        created_at=moment(2026, 1, 2, 3, 4, 5, 999999),
        updated_at=moment(2026, 2, 3, 4, 5, 6, 999999),
    )
    return made


def rows(activities):
    chosen = selectors.feed_activities().filter(pk__in=[a.pk for a in activities])
    return selectors.calendar_entries(chosen.order_by("pk"))


def loaded(activities):
    return list(
        selectors.feed_activities().filter(pk__in=[a.pk for a in activities]).order_by("pk")
    )


def test_rows_give_the_entries_of_the_loaded_activities(activities):
    entries = rows(activities)
    assert entries == [CalendarEntry.of(a) for a in loaded(activities)]
    first = entries[0]
    assert (first.created, first.modified) == ("20260102T030405Z", "20260203T040506Z")
    assert first.start == moment(2025, 12, 31, 23, 59, 59)
    assert entries[1].start == moment(1969, 12, 31, 23, 59, 58)
    assert entries[1].end == moment(1970, 1, 1, 0, 0, 1)


def test_a_person_in_many_activities_is_one_person(activities):
    entries = rows(activities)
    leaders = {id(e.leader) for e in entries if e.leader.name == "Anna Nowak"}
    colleagues = {id(p) for e in entries for p in e.employees if p.name == "Łucja Ząb"}
    contacts = {id(p) for e in entries for p in e.contact_persons if p.name == "Jan Kowalski"}
    assert len(leaders) == len(colleagues) == len(contacts) == 1
    assert {id(p) for e in entries for p in e.employees if p.name == "Anna Nowak"} == leaders


@pytest.mark.parametrize("internal", [True, False])
def test_the_feed_from_rows_is_byte_for_byte_the_feed_of_the_loaded_activities(
    activities, internal
):
    options = {"name": "Spotkania: Anna Nowak", "base_url": "https://crm.example/"}
    from_rows = calendar_of_entries(rows(activities), internal=internal, **options).to_ical()
    from_instances = calendar_of(loaded(activities), internal=internal, **options).to_ical()
    assert from_rows == from_instances
    assert b"DTSTART;TZID=Europe/Warsaw:20260101T005959\r\n" in from_rows
    assert b"DTEND;TZID=Europe/Warsaw:20260101T013000\r\n" in from_rows
    assert b"DTSTART;TZID=Europe/Warsaw:19700101T005958\r\n" in from_rows
    assert b"DTEND;TZID=Europe/Warsaw:19700101T010001\r\n" in from_rows
    assert b"DTSTART;TZID=Europe/Warsaw:20260329T013000\r\n" in from_rows  # +01:00
    assert b"DTEND;TZID=Europe/Warsaw:20260329T033000\r\n" in from_rows  # +02:00
    assert b"DTSTART:20260329T013015Z\r\nDTEND:20260329T024559Z\r\n" in from_rows
    assert b"DTSTART;VALUE=DATE:20260328\r\nDTEND;VALUE=DATE:20260330\r\n" in from_rows
    assert b"DTSTAMP:20260203T040506Z\r\nCREATED:20260102T030405Z\r\n" in from_rows


def entry(pk: int, *people: Person, **changes) -> CalendarEntry:
    values = {
        "pk": pk,
        "version": 1,
        "created": "20260101T000000Z",
        "modified": "20260101T000000Z",
        "kind": "meeting",
        "status": ActivityStatus.PLANNED,
        "subject": "Visit",
        "start": moment(2026, 6, 1, 8),
        "end": moment(2026, 6, 1, 9),
        "time_zone": "Europe/Warsaw",
        "all_day": False,
        "place": "",
        "notes": "",
        "customer": "Hydro-Tech",
        "priority_id": 0,
        "category": None,
        "leader": people[0],
        "employees": people,
        "contact_persons": people,
    }
    return CalendarEntry(**(values | changes))


def test_a_line_made_once_is_reused_only_for_the_same_person_and_role():
    anna = Person(pk=1, name="Anna Nowak", email="anna@example.com")
    renamed = Person(pk=1, name="Anna Lis", email="anna@example.com")
    piotr = Person(pk=2, name="Piotr Lis", email="piotr@example.com")
    content = calendar_of_entries(
        [entry(1, anna, piotr), entry(2, piotr, anna), entry(3, renamed)]
    ).to_ical()
    events = content.decode().replace("\r\n ", "").split("BEGIN:VEVENT")[1:]
    assert 'ORGANIZER;CN="Anna Nowak":mailto:anna@example.com' in events[0]
    assert 'ATTENDEE;CN="Anna Nowak";CUTYPE=INDIVIDUAL;ROLE=CHAIR;' in events[0]
    assert 'ATTENDEE;CN="Piotr Lis";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;' in events[0]
    assert 'ORGANIZER;CN="Piotr Lis":mailto:piotr@example.com' in events[1]
    assert 'ATTENDEE;CN="Piotr Lis";CUTYPE=INDIVIDUAL;ROLE=CHAIR;' in events[1]
    assert 'ATTENDEE;CN="Anna Nowak";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;' in events[1]
    assert 'ORGANIZER;CN="Anna Lis"' in events[2] and "Anna Nowak" not in events[2]


def test_status_priority_and_categories_follow_each_entry():
    anna = Person(pk=1, name="Anna Nowak", email="anna@example.com")
    content = calendar_of_entries(
        [
            entry(1, anna, category="Negotiations"),
            entry(2, anna, status=ActivityStatus.CANCELLED, kind="task"),
            entry(3, anna),
        ]
    ).to_ical()
    events = content.decode().split("BEGIN:VEVENT")[1:]
    assert "CATEGORIES:Meeting,Negotiations\r\n" in events[0]
    assert "STATUS:CONFIRMED\r\n" in events[0] and "TRANSP:OPAQUE\r\n" in events[0]
    assert "CATEGORIES:Task\r\n" in events[1]
    assert "STATUS:CANCELLED\r\n" in events[1] and "TRANSP:TRANSPARENT\r\n" in events[1]
    assert "CATEGORIES:Meeting\r\n" in events[2] and "STATUS:CONFIRMED\r\n" in events[2]


def test_a_kept_vtimezone_is_the_one_icalendar_writes_for_that_span():
    first, last = date(2025, 1, 1), date(2027, 6, 30)
    expected = Timezone.from_tzid("Europe/Warsaw", first_date=first, last_date=last).to_ical()
    assert ical._vtimezone("Europe/Warsaw", first, last) == expected.decode().rstrip()
    assert ical._vtimezone("Europe/Warsaw", first, last) is ical._vtimezone(
        "Europe/Warsaw", first, last
    )
    later = ical._vtimezone("Europe/Warsaw", first, date(2028, 6, 30))
    assert later != ical._vtimezone("Europe/Warsaw", first, last)


def test_the_feed_entries_read_by_links_are_those_of_the_feed_activities(employee, customer):
    other = EmployeeFactory()
    mine = ActivityFactory(leader=employee, customer=customer, start=moment(2026, 6, 1, 8))
    add_participant(mine, other)
    mine.contact_persons.add(ContactPersonFactory(customer=customer))
    theirs = ActivityFactory(leader=other, customer=customer, start=moment(2026, 6, 2, 8))
    theirs.contact_persons.add(ContactPersonFactory(customer=customer))
    since = moment(2026, 1, 1)

    entries = selectors.employee_feed_entries(employee=employee, since=since)
    activities = selectors.employee_feed_activities(employee=employee, since=since)
    assert entries == selectors.calendar_entries(activities)
    assert [e.pk for e in entries] == [mine.pk]
    assert {p.pk for p in entries[0].employees} == {employee.pk, other.pk}
    assert len(entries[0].contact_persons) == mine.contact_persons.count() == 2


def test_an_event_naming_many_people_is_written_as_from_the_loaded_activity(employee, customer):
    """Twelve colleagues and ten contact persons, with names that need escaping and
    folding, notes with a lone CR and a control character: the paths that skip work for
    the usual event fall back to the general one."""
    activity = ActivityFactory(
        leader=employee,
        customer=customer,
        notes="Rabat do 5%;\rpotem\x07 ustalenia, \\n dosłownie",
        place="Sala 1, piętro 2",
    )
    activity.contact_persons.clear()
    for number in range(12):
        add_participant(activity, EmployeeFactory(first_name=f'Łucja "{number}"', last_name="Ząb;"))
    for number in range(10):
        activity.contact_persons.add(
            ContactPersonFactory(
                customer=customer, first_name=f"Jan^{number}", last_name="Kowalski,"
            )
        )
    options = {"name": "Spotkania: Anna Nowak", "base_url": "https://crm.example/"}

    entries = rows([activity])
    from_rows = calendar_of_entries(entries, **options).to_ical()
    assert from_rows == calendar_of(loaded([activity]), **options).to_ical()
    assert len(entries[0].employees) == 13 and len(entries[0].contact_persons) == 10
    assert from_rows.count(b"\r\nATTENDEE;") == 23
    assert b"Rabat do 5%\\;\\npotem ustalenia\\, \\\\n dos" in from_rows.replace(b"\r\n ", b"")


def test_an_event_with_no_contact_person_names_none(employee, customer):
    activity = ActivityFactory(leader=employee, customer=customer, all_day=False)
    activity.contact_persons.clear()
    options = {"base_url": "https://crm.example/"}

    entries = rows([activity])
    from_rows = calendar_of_entries(entries, **options).to_ical()
    assert entries[0].contact_persons == ()
    assert from_rows == calendar_of(loaded([activity]), **options).to_ical()
    assert b"Contact persons" not in from_rows and b"NEEDS-ACTION" not in from_rows


def test_all_day_is_a_boolean_whatever_the_driver_gives(activities):
    assert [type(e.all_day) for e in rows(activities)] == [bool] * len(activities)
    assert [e.all_day for e in rows(activities)] == [a.all_day for a in activities]


def test_the_feed_holds_what_overlaps_its_window_long_running_or_not(employee, customer):
    """The feed's links are read as two ranges (activities.selectors
    .overlapping_activity_ids): what they find is what participations_overlapping finds
    for the window without an end."""
    since = moment(2026, 3, 1)

    def made(start, days):
        return ActivityFactory(
            leader=employee, customer=customer, start=start, end=start + timedelta(days=days)
        )

    long_running = made(moment(2026, 1, 1), 70)  # began two months before, ends after
    long_ended = made(moment(2026, 1, 1), 30)  # long, but over before the window
    short_before = made(moment(2026, 2, 27), 3)  # began 2 days before, ends inside
    short_ended = made(moment(2026, 2, 20), 1)
    inside = made(moment(2026, 6, 1), 0)
    far_ahead = made(moment(2999, 12, 31), 0)

    found = {e.pk for e in selectors.employee_feed_entries(employee=employee, since=since)}
    assert found == {long_running.pk, short_before.pk, inside.pk, far_ahead.pk}
    expected = participations_overlapping(
        employee_ids=[employee.pk], start=since, end=moment(3000, 1, 1)
    ).values_list("activity_id", flat=True)
    assert found == set(expected)
    assert long_ended.pk not in found and short_ended.pk not in found
