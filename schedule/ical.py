"""Activities as iCalendar (RFC 5545), built with the icalendar library.

The same event, with the same UID and SEQUENCE, goes into an employee's feed, into the
.ics download of one activity and into the invitations sent by e-mail, so a calendar
program that saw it once recognises every later version as the same meeting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from activities.models import Activity, ActivityStatus
from dictionaries.models import ActivityPriority

PRODID = "-//Spotkania//CRM schedule//EN"

# RFC 5545 3.8.1.9: 1 is the highest priority, 5 medium, 9 the lowest (0: undefined).
ICAL_PRIORITY_HIGH, ICAL_PRIORITY_NORMAL, ICAL_PRIORITY_LOW = 1, 5, 9

STATUSES = {
    ActivityStatus.PLANNED: "CONFIRMED",
    ActivityStatus.ENDED: "CONFIRMED",  # it took place
    ActivityStatus.CANCELLED: "CANCELLED",
}


def activity_uid(activity: Activity) -> str:
    """Stable for the life of the activity (keep SPOTKANIA_CALENDAR_DOMAIN stable too)."""
    return f"activity-{activity.pk}@{settings.SPOTKANIA_CALENDAR_DOMAIN}"


class PriorityScale:
    """Maps the dictionary of priorities onto iCalendar's 1 to 9: the default entry is
    medium (5), entries placed after it are high (1), entries before it low (9). The
    seeded Low/Normal/High come in that order; one query for the whole calendar."""

    def __init__(self) -> None:
        default = ActivityPriority.objects.filter(is_default=True).first()
        self.default_key = (default.position, default.pk) if default else None

    def of(self, priority: ActivityPriority) -> int:
        if self.default_key is None:
            return 0
        key = (priority.position, priority.pk)
        if key == self.default_key:
            return ICAL_PRIORITY_NORMAL
        return ICAL_PRIORITY_HIGH if key > self.default_key else ICAL_PRIORITY_LOW


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = vText(value)
    return address


def _description(activity: Activity, url: str | None, *, internal: bool) -> str:
    lines = [f"{_('Customer')}: {activity.customer.name}"]
    persons = ", ".join(p.full_name for p in activity.contact_persons.all())
    if persons:
        lines.append(f"{_('Contact persons')}: {persons}")
    if internal and activity.notes:
        lines += ["", activity.notes]
    if url:
        lines += ["", url]
    return "\n".join(lines)


def activity_event(
    activity: Activity,
    *,
    priorities: PriorityScale,
    base_url: str | None = None,
    internal: bool = True,
) -> Event:
    """One VEVENT. Needs the activity's customer, priority, category, leader, employees
    and contact persons loaded (see schedule.selectors.feed_activities).

    `internal=False` leaves out the notes: invitations also go to the customer's contact
    persons, and notes are the sales team's own (a discount limit, an opinion)."""
    event = Event()
    event.add("uid", activity_uid(activity))
    event.add("sequence", activity.version)
    event.add("dtstamp", activity.updated_at)
    event.add("created", activity.created_at)
    event.add("last-modified", activity.updated_at)
    event.add("summary", activity.subject)
    if activity.all_day:
        # DATE values; DTEND is exclusive, as the model stores it.
        event.add("dtstart", activity.local_start.date())
        event.add("dtend", activity.local_end.date())
    else:
        event.add("dtstart", activity.local_start)
        event.add("dtend", activity.local_end)
    if activity.place:
        event.add("location", activity.place)
    url = f"{base_url.rstrip('/')}{activity.get_absolute_url()}" if base_url else None
    event.add("description", _description(activity, url, internal=internal))
    if url:
        event.add("url", url)
    event.add("status", STATUSES.get(activity.status, "CONFIRMED"))
    event.add("priority", priorities.of(activity.priority))
    categories = [str(activity.get_kind_display())]
    if activity.category is not None:
        categories.append(activity.category.name)
    event.add("categories", categories)
    leader = activity.leader
    if leader.email:
        event.add("organizer", _address(leader.email, leader.full_name))
    for employee in activity.employees.all():
        if employee.email:
            event.add(
                "attendee",
                _address(
                    employee.email,
                    employee.full_name,
                    cutype="INDIVIDUAL",
                    role="CHAIR" if employee.pk == activity.leader_id else "REQ-PARTICIPANT",
                    partstat="ACCEPTED",
                ),
            )
    for person in activity.contact_persons.all():
        if person.email:
            event.add(
                "attendee",
                _address(
                    person.email,
                    person.full_name,
                    cutype="INDIVIDUAL",
                    role="REQ-PARTICIPANT",
                    partstat="NEEDS-ACTION",
                    rsvp="TRUE",
                ),
            )
    # Transparency: a cancelled activity leaves the time free.
    event.add("transp", "TRANSPARENT" if activity.status == ActivityStatus.CANCELLED else "OPAQUE")
    return event


def calendar_of(
    activities: Iterable[Activity],
    *,
    name: str | None = None,
    method: str | None = None,
    base_url: str | None = None,
    internal: bool = True,
) -> Calendar:
    """A VCALENDAR of these activities, with a VTIMEZONE for every zone they use.
    `internal=False` for anything sent outside the company (see activity_event)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    priorities = PriorityScale()
    first: date | None = None
    last: date | None = None
    for activity in activities:
        calendar.add_component(
            activity_event(activity, priorities=priorities, base_url=base_url, internal=internal)
        )
        if not activity.all_day:
            day = activity.local_start.date()
            first = day if first is None or day < first else first
            last = day if last is None or day > last else last
    if first is not None:
        # The zone's transitions around the events only: a 70-year history of every
        # zone would make the feed many times larger for nothing.
        calendar.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
        )
    return calendar
