"""The iCalendar writer (schedule.ical): its calendars read back by icalendar and vobject,
property by property against the icalendar-built calendars it replaced (`before`, below)."""

from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar, Event, vCalAddress, vText

from activities.models import ActivityStatus
from activities.tests.factories import ActivityFactory, add_participant
from customers.tests.factories import ContactPersonFactory
from dictionaries.models import ActivityCategory, ActivityPriority
from employees.tests.factories import EmployeeFactory
from schedule import ical, selectors, services
from schedule.ical import CalendarEntry, calendar_of, calendar_of_entries
from schedule.tests.conftest import at

pytestmark = pytest.mark.django_db

# Everything RFC 5545 escapes in TEXT, line breaks of three kinds, and more than ASCII.
HOSTILE = 'Wycena; rabat 5%, "VIP" \\ C:\\Dane\\nowy\nDruga linia\r\nTrzecia\rźdźbło 🎉 ^ :'
POLISH = "Zażółć gęślą jaźń, Łódź; Świętokrzyskie. "
UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def activities(employee, customer):
    """Activities with every kind of value an event holds, the hostile included."""
    colleague = EmployeeFactory(first_name='Zoë "Zo"', last_name="O'Brien^Łęcka")
    no_email = EmployeeFactory(first_name="Bez", last_name="Poczty", email="")
    meeting = ActivityFactory(
        subject=HOSTILE,
        customer=customer,
        leader=employee,
        start=at("2026-06-10", 10),
        end=at("2026-06-10", 11, 30),
        place=HOSTILE,
        notes=HOSTILE,
        priority=ActivityPriority.objects.get(name_en="High"),
        category=ActivityCategory.objects.get(name_en="Trade negotiations"),
        version=7,
    )
    add_participant(meeting, colleague)
    add_participant(meeting, no_email)
    meeting.contact_persons.add(
        ContactPersonFactory(customer=customer, first_name="Jan;", last_name="Kowalski, Jr."),
        ContactPersonFactory(customer=customer, email=""),
    )
    all_day = ActivityFactory(
        leader=employee,
        start=at("2026-05-12", 0),
        end=at("2026-05-14", 0),
        all_day=True,
        status=ActivityStatus.CANCELLED,
        priority=ActivityPriority.objects.get(name_en="Low"),
    )
    in_utc = ActivityFactory(
        leader=no_email, start=at("2026-03-29", 1, 30, zone=UTC), time_zone="UTC", notes=POLISH
    )
    add_participant(in_utc, employee)
    in_new_york = ActivityFactory(
        leader=employee,
        start=at("2026-11-01", 9, zone=NEW_YORK),
        time_zone="America/New_York",
        notes=POLISH * 12,
        status=ActivityStatus.ENDED,
    )
    return [meeting, all_day, in_utc, in_new_york]


def loaded(activities):
    """The activities as the feed and the .ics download load them."""
    return list(
        selectors.feed_activities().filter(pk__in=[a.pk for a in activities]).order_by("pk")
    )


def read_back(content: bytes) -> dict:
    """What icalendar reads from a calendar: its own properties, each VEVENT's by UID and
    each VTIMEZONE by TZID, as {name: sorted [(value as icalendar writes it, params)]}."""

    def properties(component):
        found = defaultdict(list)
        for name, value in component.property_items(recursive=False):
            if name in ("BEGIN", "END"):
                continue
            params = tuple(sorted(value.params.items())) if hasattr(value, "params") else ()
            found[name].append((value.to_ical(), params))
        return {name: sorted(values) for name, values in found.items()}

    calendar = Calendar.from_ical(content)
    result = {"VCALENDAR": properties(calendar)}
    for event in calendar.walk("VEVENT"):
        result[str(event["UID"])] = properties(event)
    for zone in calendar.walk("VTIMEZONE"):
        result[str(zone["TZID"])] = zone.to_ical()
    return result


def physical_lines(content: bytes) -> list[bytes]:
    assert content.endswith(b"\r\n")
    lines = content[:-2].split(b"\r\n")
    assert not any(b"\n" in line or b"\r" in line for line in lines), "a bare CR or LF"
    return lines


@pytest.mark.parametrize("internal", [True, False])
def test_the_calendar_means_what_the_icalendar_built_one_meant(activities, internal):
    options = {"name": "Spotkania: Anna Nowak", "base_url": "https://crm.example/"}
    now = calendar_of(loaded(activities), internal=internal, **options).to_ical()
    then = before(loaded(activities), internal=internal, **options).to_ical()
    assert read_back(now) == read_back(then)
    assert set(read_back(now)) == {
        "VCALENDAR",
        "Europe/Warsaw",
        "America/New_York",
        *(f"activity-{a.pk}@spotkania.local" for a in activities),
    }


def test_feed_entries_read_as_rows_equal_those_of_the_loaded_activities(activities):
    chosen = selectors.feed_activities().filter(pk__in=[a.pk for a in activities])
    rows = selectors.calendar_entries(chosen.order_by("pk"))
    assert rows == [CalendarEntry.of(a) for a in loaded(activities)]
    meeting = rows[0]
    assert len(meeting.employees) == 3 and len(meeting.contact_persons) == 3  # one by the factory
    assert meeting.category == "Trade negotiations"


def test_vobject_reads_every_text_back_unchanged(activities):
    meeting = activities[0]
    name = f"Spotkania: {HOSTILE}"
    content = calendar_of(loaded(activities), name=name, base_url="https://crm.example/").to_ical()
    calendar = vobject.readOne(content.decode())
    events = {e.uid.value: e for e in calendar.vevent_list}
    event = events[f"activity-{meeting.pk}@spotkania.local"]
    # Line breaks of every kind come back as \n: iCalendar has no other.
    expected = HOSTILE.replace("\r\n", "\n").replace("\r", "\n")
    # An X- property is TEXT too (RFC 5545 3.8.8.2); icalendar wrote it unescaped, and
    # a line break in it stopped the feed.
    assert calendar.x_wr_calname.value == f"Spotkania: {expected}"
    assert event.summary.value == expected
    assert event.location.value == expected
    assert event.description.value.split("\n\n")[1] == expected
    assert event.categories.value == ["Meeting", "Trade negotiations"]
    assert event.priority.value == "1"
    assert event.sequence.value == "7"
    names = {a.params["CN"][0] for a in event.attendee_list}
    assert {"Anna Nowak", "Jan; Kowalski, Jr.", "Zoë ^'Zo^' O'Brien^^Łęcka"} <= names
    assert "Bez Poczty" not in names  # no address, no attendee
    # vobject leaves RFC 6868 alone; icalendar decodes it:
    attendees = Calendar.from_ical(content).walk("VEVENT")[0]["ATTENDEE"]
    assert {str(a.params["CN"]) for a in attendees} >= {'Zoë "Zo" O\'Brien^Łęcka'}


def test_text_is_escaped_as_rfc_5545_says(employee):
    activity = ActivityFactory(leader=employee, subject='a,b;c\\d\ne "f" :g')
    content = calendar_of(loaded([activity])).to_ical()
    assert b'SUMMARY:a\\,b\\;c\\\\d\\ne "f" :g\r\n' in content


def test_a_literal_backslash_n_stays_a_backslash_and_an_n(employee):
    # icalendar read "\N" in the text as a line break: C:\Nowy became "C:" and "owy".
    activity = ActivityFactory(leader=employee, subject="C:\\Nowy\\new")
    content = calendar_of(loaded([activity])).to_ical()
    assert b"SUMMARY:C:\\\\Nowy\\\\new\r\n" in content
    assert vobject.readOne(content.decode()).vevent.summary.value == "C:\\Nowy\\new"
    assert Calendar.from_ical(content).walk("VEVENT")[0]["SUMMARY"] == "C:\\Nowy\\new"


def test_control_characters_are_dropped(employee):
    # (PostgreSQL refuses NUL in text: that one is checked on the writer alone.)
    activity = ActivityFactory(leader=employee, subject="bell\x07 escape\x1b tab\tend")
    event = vobject.readOne(calendar_of(loaded([activity])).to_ical().decode()).vevent
    assert event.summary.value == "bell escape tab\tend"
    assert ical._text("null\x00 end") == "null end"


def test_long_polish_lines_fold_at_75_octets_between_characters(employee):
    activity = ActivityFactory(leader=employee, subject=POLISH * 4, notes=POLISH * 40)
    content = calendar_of(loaded([activity])).to_ical()
    lines = physical_lines(content)
    assert max(len(line) for line in lines) == 75
    for line in lines:
        assert len(line) <= 75
        line.decode()  # no character split across lines
    event = vobject.readOne(content.decode()).vevent
    assert event.summary.value == POLISH * 4  # 164 characters, the column holds 200
    assert event.description.value.split("\n\n")[1] == POLISH * 40
    assert Calendar.from_ical(content).walk("VEVENT")[0]["SUMMARY"] == POLISH * 4


@pytest.mark.parametrize("offset", range(8))
@pytest.mark.parametrize("escaped", [",", "\\", "\n", "ą\\"])
def test_a_fold_never_splits_an_escape(employee, offset, escaped):
    # "SUMMARY:" and 64 + offset letters put the escape across the 75th octet.
    subject = "x" * (64 + offset) + escaped * 3 + "y" * 80
    activity = ActivityFactory(leader=employee, subject=subject)
    content = calendar_of(loaded([activity])).to_ical()
    for line in physical_lines(content):
        assert len(line) <= 75
        backslashes = len(line) - len(line.rstrip(b"\\"))
        assert backslashes % 2 == 0, line
    assert vobject.readOne(content.decode()).vevent.summary.value == subject


def test_the_feed_is_crlf_lines_and_names_its_zones_once(client, employee, activities, settings):
    settings.SPOTKANIA_FEED_MONTHS_BACK = 120
    feed = services.calendar_feed_regenerate(employee=employee)
    response = client.get(reverse("schedule:feed", args=[feed.token]))
    lines = physical_lines(response.content)
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    assert all(len(line) <= 75 for line in lines)
    assert lines.count(b"TZID:Europe/Warsaw") == 1
    assert b"TZID:UTC" not in response.content
    # The event in UTC is written with a Z, no TZID.
    in_utc = activities[2]
    start = in_utc.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode()
    assert b"DTSTART:" + start in lines


def test_without_activities_the_calendar_is_empty_but_valid():
    content = calendar_of_entries([], name="Spotkania: Nikt").to_ical()
    calendar = vobject.readOne(content.decode())
    assert not hasattr(calendar, "vevent_list") or not calendar.vevent_list
    assert icalendar.Calendar.from_ical(content)["X-WR-CALNAME"] == "Spotkania: Nikt"


# --- the calendars as icalendar built them, until November 2026 ---------------------------


def before(activities, *, name=None, method=None, base_url=None, internal=True):
    default = ActivityPriority.objects.filter(is_default=True).first()
    default_key = (default.position, default.pk)

    def priority(p):
        key = (p.position, p.pk)
        return 5 if key == default_key else 1 if key > default_key else 9

    def address(email, name, **params):
        result = vCalAddress(f"mailto:{email}")
        result.params["CN"] = vText(name)
        for key, value in params.items():
            result.params[key.replace("_", "-").upper()] = vText(value)
        return result

    calendar = Calendar()
    calendar.add("prodid", "-//Spotkania//CRM schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    first = last = None
    for activity in activities:
        event = Event()
        event.add("uid", f"activity-{activity.pk}@spotkania.local")
        event.add("sequence", activity.version)
        event.add("dtstamp", activity.updated_at)
        event.add("created", activity.created_at)
        event.add("last-modified", activity.updated_at)
        event.add("summary", activity.subject)
        if activity.all_day:
            event.add("dtstart", activity.local_start.date())
            event.add("dtend", activity.local_end.date())
        else:
            event.add("dtstart", activity.local_start)
            event.add("dtend", activity.local_end)
        if activity.place:
            event.add("location", activity.place)
        url = f"{base_url.rstrip('/')}{activity.get_absolute_url()}" if base_url else None
        lines = [f"Customer: {activity.customer.name}"]
        persons = ", ".join(p.full_name for p in activity.contact_persons.all())
        if persons:
            lines.append(f"Contact persons: {persons}")
        if internal and activity.notes:
            lines += ["", activity.notes]
        if url:
            lines += ["", url]
        event.add("description", "\n".join(lines))
        if url:
            event.add("url", url)
        cancelled = activity.status == ActivityStatus.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("priority", priority(activity.priority))
        categories = [str(activity.get_kind_display())]
        if activity.category is not None:
            categories.append(activity.category.name)
        event.add("categories", categories)
        if activity.leader.email:
            event.add("organizer", address(activity.leader.email, activity.leader.full_name))
        for employee in activity.employees.all():
            if employee.email:
                role = "CHAIR" if employee.pk == activity.leader_id else "REQ-PARTICIPANT"
                event.add(
                    "attendee",
                    address(
                        employee.email,
                        employee.full_name,
                        cutype="INDIVIDUAL",
                        role=role,
                        partstat="ACCEPTED",
                    ),
                )
        for person in activity.contact_persons.all():
            if person.email:
                event.add(
                    "attendee",
                    address(
                        person.email,
                        person.full_name,
                        cutype="INDIVIDUAL",
                        role="REQ-PARTICIPANT",
                        partstat="NEEDS-ACTION",
                        rsvp="TRUE",
                    ),
                )
        event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
        calendar.add_component(event)
        if not activity.all_day:
            day = activity.local_start.date()
            first = day if first is None or day < first else first
            last = day if last is None or day > last else last
    if first is not None:
        calendar.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
        )
    return calendar
