"""Activities as iCalendar (RFC 5545).

The same event, with the same UID and SEQUENCE, goes into an employee's feed, into the
.ics download of one activity and into the invitations sent by e-mail, so a calendar
program that saw it once recognises every later version as the same meeting.

One writer, `_EventWriter`, writes the events of all three as text. Built as icalendar
components they took about 1 ms each, most of the time of a year-long feed of 3 400
events (bench/RESULTS.md); as text, a few hundredths of that. The format rules this
takes are few and kept in `_text` (RFC 5545 3.3.11), `_param` (3.2 with RFC 6868) and
`_fold` (3.1). The icalendar library still writes the VTIMEZONE components, which need
the zone database, and the tests read every calendar back with icalendar and vobject.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Timezone
from icalendar.timezone import tzid_from_tzinfo

from activities.models import Activity, ActivityKind, ActivityStatus
from dictionaries.models import ActivityPriority

PRODID = "-//Spotkania//CRM schedule//EN"

# RFC 5545 3.8.1.9: 1 is the highest priority, 5 medium, 9 the lowest (0: undefined).
ICAL_PRIORITY_HIGH, ICAL_PRIORITY_NORMAL, ICAL_PRIORITY_LOW = 1, 5, 9

STATUSES = {
    ActivityStatus.PLANNED: "CONFIRMED",
    ActivityStatus.ENDED: "CONFIRMED",  # it took place
    ActivityStatus.CANCELLED: "CANCELLED",
}


def activity_uid(activity_id: int) -> str:
    """Stable for the life of the activity (keep SPOTKANIA_CALENDAR_DOMAIN stable too)."""
    return f"activity-{activity_id}@{settings.SPOTKANIA_CALENDAR_DOMAIN}"


@dataclass(frozen=True, slots=True)
class Person:
    """An employee or contact person as an event names them."""

    pk: int
    name: str
    email: str


@dataclass(slots=True)
class CalendarEntry:
    """What one event says of an activity, as plain values: a year-long feed loads them
    from rows (schedule.selectors.calendar_entries) without building model instances;
    `of` takes them from an activity already loaded. What the event makes of them is
    `_EventWriter`'s, for both.

    Times are to the second, as iCalendar writes them; `created` and `modified` (the
    activity's created_at and updated_at) already as RFC 5545's UTC text, which the
    database writes for the feed. Not frozen: thousands are made for a feed, and a frozen
    dataclass sets each field through object.__setattr__ (twice the time)."""

    pk: int
    version: int
    created: str
    modified: str
    kind: str
    status: str
    subject: str
    start: datetime
    end: datetime
    time_zone: str
    all_day: bool
    place: str
    notes: str
    customer: str
    priority_id: int
    category: str | None
    leader: Person
    employees: tuple[Person, ...]
    contact_persons: tuple[Person, ...]

    @classmethod
    def of(cls, activity: Activity) -> CalendarEntry:
        """Needs the activity's customer, leader, employees and contact persons loaded
        (see schedule.selectors.feed_activities)."""
        return cls(
            pk=activity.pk,
            version=activity.version,
            created=_utc(activity.created_at),
            modified=_utc(activity.updated_at),
            kind=activity.kind,
            status=activity.status,
            subject=activity.subject,
            start=activity.start.replace(microsecond=0),
            end=activity.end.replace(microsecond=0),
            time_zone=activity.time_zone,
            all_day=activity.all_day,
            place=activity.place,
            notes=activity.notes,
            customer=activity.customer.name,
            priority_id=activity.priority_id,
            category=activity.category.name if activity.category is not None else None,
            leader=_person(activity.leader),
            employees=tuple(map(_person, activity.employees.all())),
            contact_persons=tuple(map(_person, activity.contact_persons.all())),
        )


def _person(person) -> Person:
    return Person(pk=person.pk, name=person.full_name, email=person.email)


class PriorityScale:
    """Maps the dictionary of priorities onto iCalendar's 1 to 9: the default entry is
    medium (5), entries placed after it are high (1), entries before it low (9). The
    seeded Low/Normal/High come in that order; one query for the whole calendar."""

    def __init__(self) -> None:
        priorities = list(ActivityPriority.objects.only("id", "position", "is_default"))
        default = next((p for p in priorities if p.is_default), None)
        if default is None:
            self.levels = {p.pk: 0 for p in priorities}
            return
        default_key = (default.position, default.pk)

        def level(key: tuple[int, int]) -> int:
            if key == default_key:
                return ICAL_PRIORITY_NORMAL
            return ICAL_PRIORITY_HIGH if key > default_key else ICAL_PRIORITY_LOW

        self.levels = {p.pk: level((p.position, p.pk)) for p in priorities}

    def of(self, priority_id: int) -> int:
        return self.levels.get(priority_id, 0)


# --- RFC 5545 text -----------------------------------------------------------------------

# Control characters other than tab and line breaks are allowed neither in TEXT nor in
# parameter values (RFC 5545 3.3.11, 3.1): dropped rather than sent to break a parser.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _line_breaks(value: str) -> str:
    """CR LF and a lone CR as LF, other control characters dropped."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, a line
    break as \\n."""
    if not value.isprintable():  # one quick test, as line breaks and controls are rare
        value = _line_breaks(value)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def _param(value: str) -> str:
    """A parameter value (RFC 5545 3.2), always quoted, with RFC 6868's escapes of ^, "
    and line breaks (a quoted value may hold anything else, ; , : included)."""
    value = value.replace("^", "^^").replace('"', "^'")
    if not value.isprintable():
        value = _line_breaks(value).replace("\n", "^n")
    return f'"{value}"'


_LIMIT = 75  # octets per line, CRLF excluded (RFC 5545 3.1)


def _fold(line: str) -> str:
    """A content line folded into lines of at most 75 octets, each continuation starting
    with a space. A cut never falls inside a UTF-8 character nor, for the sake of
    clients that unfold poorly, between a backslash (or RFC 6868 ^) and what it escapes."""
    if len(line) <= _LIMIT and line.isascii():
        return line
    data = line.encode()
    if len(data) <= _LIMIT:
        return line
    parts = []
    begin, room = 0, _LIMIT
    while len(data) - begin > room:
        cut = begin + room
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: inside a character
            cut -= 1
        mark = data[cut - 1]
        if mark in b"\\^":  # an odd run of them ends in an escape: keep it whole
            run = 1
            while cut - run - 1 >= begin and data[cut - run - 1] == mark:
                run += 1
            if run % 2:
                cut -= 1
        parts.append(data[begin:cut])
        begin, room = cut, _LIMIT - 1  # the leading space counts
    parts.append(data[begin:])
    return b"\r\n ".join(parts).decode()


def _local(m: datetime) -> str:
    """A DATE-TIME as the wall-clock time of its zone, for a TZID parameter (RFC 5545
    3.3.5, form 3). Four of these per event: %-formatting takes half the time of an
    f-string of six fields."""
    fields = (m.year, m.month, m.day, m.hour, m.minute, m.second)
    return "%04d%02d%02dT%02d%02d%02d" % fields  # noqa: UP031


def _utc(moment: datetime) -> str:
    """A DATE-TIME in UTC (form 2), to the second."""
    return _local(moment.astimezone(UTC)) + "Z"


def _date(m: datetime) -> str:
    return "%04d%02d%02d" % (m.year, m.month, m.day)  # noqa: UP031


# --- events and calendars ----------------------------------------------------------------


class _EventWriter:
    """Writes the VEVENT of an entry. Whatever the events of one calendar share (labels,
    the priority scale, the URL pattern, the zones, and the lines naming a person or the
    categories, which recur in event after event) is made once, here: a translation or a
    reverse() per event would cost more than writing the event.

    `internal=False` leaves out the notes: invitations also go to the customer's contact
    persons, and notes are the sales team's own (a discount limit, an opinion)."""

    def __init__(self, *, base_url: str | None, internal: bool) -> None:
        self.internal = internal
        self.priorities = PriorityScale()
        self.kinds = {kind: str(label) for kind, label in ActivityKind.choices}
        self.customer_label = _("Customer")
        self.persons_label = _("Contact persons")
        self.uid_suffix = activity_uid(0).removeprefix("activity-0")
        # A UID line that cannot pass 75 octets, whatever the id (up to 19 digits), is
        # written without _fold.
        longest_uid = f"UID:{activity_uid(2**63 - 1)}"
        self.uid_fits = longest_uid.isascii() and len(longest_uid) <= _LIMIT
        self.url_parts: tuple[str, str] | None = None
        if base_url:
            # Activity.get_absolute_url() once, with a placeholder id: reverse() costs as
            # much as writing a whole event.
            placeholder = "2147483647"
            path = Activity(pk=int(placeholder)).get_absolute_url()
            before, _found, after = path.rpartition(placeholder)
            self.url_parts = (f"{base_url.rstrip('/')}{before}", after)
        self.tzids: dict[str, str | None] = {}
        self.zones: dict[str, zoneinfo.ZoneInfo] = {}
        self.first: date | None = None
        self.last: date | None = None
        # Lines that depend on nothing but their key, as written the first time.
        self.attendees: dict[tuple[Person, bool], str] = {}
        self.invitees: dict[Person, str] = {}
        self.organizers: dict[Person, str] = {}
        self.closing: dict[tuple[str, int, str, str | None], str] = {}
        self.starts: dict[str, tuple[str | None, str | None, bool]] = {}

    def tzid(self, time_zone: str) -> str | None:
        """The TZID of a zone, None for UTC and its aliases (written with a Z)."""
        if time_zone not in self.tzids:
            tzid = tzid_from_tzinfo(self.zone(time_zone))
            self.tzids[time_zone] = None if tzid == "UTC" else tzid
        return self.tzids[time_zone]

    def zone(self, time_zone: str) -> zoneinfo.ZoneInfo:
        zone = self.zones.get(time_zone)
        if zone is None:
            zone = self.zones[time_zone] = zoneinfo.ZoneInfo(time_zone)
        return zone

    def event(self, entry: CalendarEntry) -> str:
        """The entry's VEVENT, its content lines joined by CRLF. Lines that carry names,
        text or settings are folded; the others (dates, numbers, keywords) are short by
        shape. A feed writes thousands of these: each step here costs a year-long feed
        about a millisecond, so lines are joined once and the checks made per writer."""
        modified = entry.modified
        uid = f"UID:activity-{entry.pk}{self.uid_suffix}"
        lines = [
            f"BEGIN:VEVENT\r\n{uid if self.uid_fits else _fold(uid)}\r\n"
            f"SEQUENCE:{entry.version}\r\nDTSTAMP:{modified}\r\nCREATED:{entry.created}"
            f"\r\nLAST-MODIFIED:{modified}",
            _fold(f"SUMMARY:{_text(entry.subject)}"),
        ]
        time_zone = entry.time_zone
        zone = self.zones.get(time_zone) or self.zone(time_zone)
        start = entry.start.astimezone(zone)
        if entry.all_day:
            # DATE values; DTEND is exclusive, as the model stores it.
            end = entry.end.astimezone(zone)
            lines.append(f"DTSTART;VALUE=DATE:{_date(start)}\r\nDTEND;VALUE=DATE:{_date(end)}")
        else:
            starts = self.starts.get(time_zone) or self.start_lines(time_zone)
            end = entry.end.astimezone(zone)
            if starts[0] is None:  # UTC
                lines.append(f"DTSTART:{_utc(start)}\r\nDTEND:{_utc(end)}")
            elif starts[2]:
                lines.append(f"{starts[0]}{_local(start)}\r\n{starts[1]}{_local(end)}")
            else:
                lines += [_fold(starts[0] + _local(start)), _fold(starts[1] + _local(end))]
            day = start.date()
            if self.first is None or day < self.first:
                self.first = day
            if self.last is None or day > self.last:
                self.last = day
        if entry.place:
            lines.append(_fold(f"LOCATION:{_text(entry.place)}"))
        if self.url_parts:
            url = f"{self.url_parts[0]}{entry.pk}{self.url_parts[1]}"
            lines.append(_fold(f"DESCRIPTION:{self.description(entry, url)}"))
            lines.append(_fold(f"URL:{url}"))
        else:
            lines.append(_fold(f"DESCRIPTION:{self.description(entry, None)}"))
        key = (entry.status, entry.priority_id, entry.kind, entry.category)
        closing = self.closing.get(key)
        if closing is None:
            closing = self.closing[key] = self.closing_lines(entry)
        lines.append(closing)
        leader = entry.leader
        if leader.email:
            lines.append(self.organizers.get(leader) or self.organizer(leader))
        for employee in entry.employees:
            if employee.email:
                lines.append(self.attendee(employee, chair=employee.pk == leader.pk))
        for person in entry.contact_persons:
            if person.email:
                lines.append(self.invitees.get(person) or self.invitee(person))
        # Transparency: a cancelled activity leaves the time free.
        if entry.status == ActivityStatus.CANCELLED:
            lines.append("TRANSP:TRANSPARENT\r\nEND:VEVENT")
        else:
            lines.append("TRANSP:OPAQUE\r\nEND:VEVENT")
        return "\r\n".join(lines)

    def start_lines(self, time_zone: str) -> tuple[str | None, str | None, bool]:
        """The beginnings of a timed event's DTSTART and DTEND lines in this zone (None for
        UTC, written with a Z), and whether the lines fit unfolded whatever the time."""
        tzid = self.tzid(time_zone)
        if tzid is None:
            found: tuple[str | None, str | None, bool] = (None, None, True)
        else:
            start, end = f"DTSTART;TZID={tzid}:", f"DTEND;TZID={tzid}:"
            fits = start.isascii() and len(start) + len("20260101T000000") <= _LIMIT
            found = (start, end, fits)
        self.starts[time_zone] = found
        return found

    def closing_lines(self, entry: CalendarEntry) -> str:
        """STATUS, PRIORITY and CATEGORIES, which depend on four fields only."""
        names = [self.kinds.get(entry.kind, entry.kind)]
        if entry.category is not None:
            names.append(entry.category)
        return (
            f"STATUS:{STATUSES.get(entry.status, 'CONFIRMED')}\r\n"
            f"PRIORITY:{self.priorities.of(entry.priority_id)}\r\n"
            + _fold(f"CATEGORIES:{','.join(map(_text, names))}")
        )

    def organizer(self, leader: Person) -> str:
        line = self.organizers.get(leader)
        if line is None:
            line = _fold(f"ORGANIZER;CN={_param(leader.name)}:mailto:{leader.email}")
            self.organizers[leader] = line
        return line

    def attendee(self, employee: Person, *, chair: bool) -> str:
        line = self.attendees.get((employee, chair))
        if line is None:
            role = "CHAIR" if chair else "REQ-PARTICIPANT"
            line = _fold(
                f"ATTENDEE;CN={_param(employee.name)};CUTYPE=INDIVIDUAL;ROLE={role}"
                f";PARTSTAT=ACCEPTED:mailto:{employee.email}"
            )
            self.attendees[employee, chair] = line
        return line

    def invitee(self, person: Person) -> str:
        line = self.invitees.get(person)
        if line is None:
            line = _fold(
                f"ATTENDEE;CN={_param(person.name)};CUTYPE=INDIVIDUAL"
                f";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
                f":mailto:{person.email}"
            )
            self.invitees[person] = line
        return line

    def description(self, entry: CalendarEntry, url: str | None) -> str:
        """The DESCRIPTION's value, as TEXT (escaped): the customer, the contact persons,
        the notes for internal calendars, the link."""
        lines = [f"{self.customer_label}: {entry.customer}"]
        if entry.contact_persons:
            persons = ", ".join([p.name for p in entry.contact_persons])
            if persons:
                lines.append(f"{self.persons_label}: {persons}")
        if self.internal and entry.notes:
            lines += ["", entry.notes]
        if url:
            lines += ["", url]
        value = "\n".join(lines)
        if value.replace("\n", " ").isprintable():
            # No line break but ours and no control character: _text without its
            # clean-up, which would otherwise run for every event (ours are line breaks).
            value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            return value.replace("\n", "\\n")
        return _text(value)

    def timezones(self) -> list[str]:
        """A VTIMEZONE for each zone the events written so far named, covering those
        events only: a 70-year history of every zone would make the feed many times
        larger for nothing."""
        if self.first is None or self.last is None:
            return []
        first, last = self.first - timedelta(days=366), self.last + timedelta(days=366)
        tzids = sorted({tzid for tzid in self.tzids.values() if tzid is not None})
        return [_vtimezone(tzid, first, last) for tzid in tzids]


@functools.lru_cache(maxsize=256)
def _vtimezone(tzid: str, first: date, last: date) -> str:
    """A VTIMEZONE, written once a process for each zone and span: icalendar takes about
    1 ms to build one (2 ms the first time), and a feed's span changes once a day. It
    depends on nothing else (the zone database is read once a process, as zoneinfo
    caches it)."""
    return Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical().decode().rstrip()


@dataclass(frozen=True)
class CalendarText:
    """A VCALENDAR, written. `to_ical()` as icalendar's Calendar names it."""

    content: bytes

    def to_ical(self) -> bytes:
        return self.content


def calendar_of_entries(
    entries: Iterable[CalendarEntry],
    *,
    name: str | None = None,
    method: str | None = None,
    base_url: str | None = None,
    internal: bool = True,
) -> CalendarText:
    """A VCALENDAR of these entries, with a VTIMEZONE for every zone they use.
    `internal=False` for anything sent outside the company (see _EventWriter)."""
    writer = _EventWriter(base_url=base_url, internal=internal)
    events = [writer.event(entry) for entry in entries]
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        head.append(f"METHOD:{method}")
    if name:
        head.append(_fold(f"X-WR-CALNAME:{_text(name)}"))
    lines = head + writer.timezones() + events + ["END:VCALENDAR", ""]
    return CalendarText("\r\n".join(lines).encode())


def calendar_of(
    activities: Iterable[Activity],
    *,
    name: str | None = None,
    method: str | None = None,
    base_url: str | None = None,
    internal: bool = True,
) -> CalendarText:
    """A VCALENDAR of these activities, loaded as schedule.selectors.feed_activities
    loads them (the .ics download, invitations)."""
    return calendar_of_entries(
        map(CalendarEntry.of, activities),
        name=name,
        method=method,
        base_url=base_url,
        internal=internal,
    )
