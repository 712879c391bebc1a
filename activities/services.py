"""The rules of CRM activities, shared by the pages and the API.

Every write runs in one transaction: an activity and its follow-up are saved together or
not at all. Rules that a form would also check are checked here, once, and reported as a
`ValidationError` whose keys are field names, so pages and API can show them per field.
"""

from __future__ import annotations

import itertools
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import (
    ACTIVITY_HISTORY,
    Activity,
    ActivityKind,
    ActivityStatus,
    Participation,
)
from customers.models import ContactPerson, Customer
from dictionaries.models import ActivityCategory, ActivityPriority, Currency
from dictionaries.money import MAX_AMOUNT, Money
from dictionaries.selectors import currency_of, default_priority
from employees.models import Employee
from employees.roles import is_crm_admin
from employees.selectors import team_employee_ids
from schedule.conflicts import Clash, Span, check_clashes
from schedule.invitations import CANCEL, REQUEST, InvitationReport, invitations_send_on_commit
from spotkania import limits
from spotkania.versions import Change, StaleVersion, changes_between, label_of, show

DEFAULT_LENGTH = {
    ActivityKind.MEETING: timedelta(hours=1),
    ActivityKind.CONTACT: timedelta(minutes=15),
    ActivityKind.TASK: timedelta(hours=1),
}

FOLLOW_UP_UNITS = ("hours", "days", "weeks")
MAX_FOLLOW_UP_VALUE = 1000


@dataclass(frozen=True)
class FollowUp:
    """ "Schedule the next contact/meeting in": N hours/days/weeks, or at a chosen time."""

    value: int | None = None
    unit: str | None = None
    at: datetime | None = None
    kind: str | None = None


@dataclass
class ActivityInput:
    """What a user enters for an activity; the services turn it into a valid `Activity`.

    `start`/`end` are aware datetimes. For an all-day activity only their dates in
    `time_zone` count, and `end` names the last day (inclusive), as a person would say it.
    """

    kind: str
    subject: str
    customer: Customer | None
    contact_persons: list[ContactPerson]
    employees: list[Employee]
    start: datetime | None
    end: datetime | None = None
    leader: Employee | None = None
    time_zone: str = "Europe/Warsaw"
    all_day: bool = False
    place: str = ""
    notes: str = ""
    priority: ActivityPriority | None = None
    category: ActivityCategory | None = None
    in_schedule: bool = True
    expected_cost: Money | None = None
    actual_cost: Money | None = None


class Errors:
    """Collects per-field messages so that one save reports every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _zone(name: str, errors: Errors) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors.add("time_zone", _("Unknown time zone: %(zone)s.") % {"zone": name})
        return None


def _local_midnight(day, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _sensible_time(field: str, value: datetime | None, errors: Errors) -> bool:
    """Within the years every part of the product handles, and a wall-clock time that
    exists in its zone (02:30 on the night the clocks go forward does not)."""
    if value is None:
        return True
    if not limits.year_in_range(value):
        errors.add(field, str(limits.YEAR_MESSAGE))
        return False
    if limits.nonexistent_wall_time(value):
        errors.add(
            field,
            _("This time does not exist in %(zone)s (the clocks change then).")
            % {"zone": value.tzinfo},
        )
        return False
    return True


def _normalize_time_frame(
    data: ActivityInput, zone: zoneinfo.ZoneInfo, errors: Errors
) -> tuple[datetime, datetime] | None:
    if data.start is None:
        errors.add("start", _("Enter the start."))
        return None
    if timezone.is_naive(data.start) or (data.end is not None and timezone.is_naive(data.end)):
        raise ValueError("activity times must be aware datetimes")
    if not _sensible_time("start", data.start, errors) or not _sensible_time(
        "end", data.end, errors
    ):
        return None
    if data.all_day:
        first = data.start.astimezone(zone).date()
        last = data.end.astimezone(zone).date() if data.end is not None else first
        if last < first:
            errors.add("end", _("The end cannot be before the start."))
            return None
        return _local_midnight(first, zone), _local_midnight(last + timedelta(days=1), zone)
    end = data.end if data.end is not None else data.start + DEFAULT_LENGTH[data.kind]
    if end < data.start:
        errors.add("end", _("The end cannot be before the start."))
        return None
    return data.start, end


def _check_money(
    field: str, money: Money | None, errors: Errors, *, kept: str | None = None
) -> Currency | None:
    """Checks an amount and returns its currency. `kept` is the currency the activity
    already has: like a deactivated priority (rule 5), it stays valid on that activity."""
    if money is None:
        return None
    if money.amount.is_nan() or money.amount.is_infinite():
        errors.add(field, _("Enter a number."))
        return None
    if money.amount < 0:
        errors.add(field, _("A cost cannot be negative."))
    if money.amount > MAX_AMOUNT:
        errors.add(field, _("The amount is too large (at most %(max)s).") % {"max": MAX_AMOUNT})
    if not money.currency:
        errors.add(field, _("Choose the currency of the amount."))
        return None
    currency = currency_of(money.currency)
    if currency is not None and not currency.is_active and currency.code != kept:
        currency = None
    if currency is None:
        errors.add(field, _("%(code)s is not an active currency.") % {"code": money.currency})
        return None
    # normalize() drops trailing zeros (12.50 -> 12.5), so only significant places count;
    # unlike quantize() it cannot fail on a huge amount.
    exponent = money.amount.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > currency.minor_unit:
        errors.add(
            field,
            _("%(code)s amounts have at most %(places)d decimal places.")
            % {"code": currency.code, "places": currency.minor_unit},
        )
    return currency


def _stored_amount(field: str, money: Money | None, errors: Errors) -> Decimal | None:
    """The amount as its column stores it (12.5000 -> 12.50), once it passed the checks."""
    if money is None:
        return None
    if field in errors.by_field:
        return money.amount
    # Exact: the checks above allow no more places than the currency has, and no active
    # currency has more than the column (dictionaries.services.currency_add).
    return money.amount.quantize(
        Decimal(1).scaleb(-settings.MONEY_DECIMAL_PLACES), rounding=ROUND_HALF_UP
    )


def _newly_inactive(people, current: Activity | None, relation: str) -> list:
    """Inactive people that the save would add. Like a deactivated dictionary entry, a
    former employee or contact person stays on the activities they were already on."""
    inactive = [p for p in people if not p.is_active]
    if inactive and current is not None:
        already = set(getattr(current, relation).values_list("pk", flat=True))
        inactive = [p for p in inactive if p.pk not in already]
    return inactive


def _validate(data: ActivityInput, *, current: Activity | None, errors: Errors) -> dict:
    """Checks every rule of the spec and returns the model field values to write."""
    values: dict = {}
    if data.kind not in ActivityKind.values:
        errors.add("kind", _("Choose a kind: meeting, contact or task."))
    subject = (data.subject or "").strip()
    if not subject:
        errors.add("subject", _("Enter a subject."))
    values["subject"] = subject

    if data.customer is None:
        errors.add("customer", _("Choose the customer."))
    elif not data.customer.is_active and (
        current is None or current.customer_id != data.customer.pk
    ):
        errors.add("customer", _("This customer is inactive."))

    if not data.contact_persons:
        errors.add("contact_persons", _("Choose at least one contact person."))
    elif data.customer is not None:
        strangers = [p for p in data.contact_persons if p.customer_id != data.customer.pk]
        if strangers:
            errors.add(
                "contact_persons",
                _("%(names)s does not belong to %(customer)s.")
                % {
                    "names": ", ".join(p.full_name for p in strangers),
                    "customer": data.customer.name,
                },
            )
    former = _newly_inactive(data.contact_persons, current, "contact_persons")
    if former:
        errors.add(
            "contact_persons",
            _("%(names)s: no longer a contact person here (inactive).")
            % {"names": ", ".join(p.full_name for p in former)},
        )

    employees = list(dict.fromkeys(data.employees))
    if data.leader is not None and data.leader not in employees:
        # The leader takes part by definition.
        employees.insert(0, data.leader)
    if not employees:
        errors.add("employees", _("Choose at least one employee."))
    inactive = _newly_inactive(employees, current, "employees")
    if inactive:
        errors.add(
            "employees",
            _("%(names)s no longer works here (inactive).")
            % {"names": ", ".join(e.full_name for e in inactive)},
        )
    values["employees"] = employees
    values["leader"] = data.leader or (employees[0] if employees else None)

    zone = _zone(data.time_zone, errors)
    if zone is not None:
        frame = _normalize_time_frame(data, zone, errors)
        if frame is not None:
            values["start"], values["end"] = frame

    priority = data.priority or default_priority()
    if priority is None:
        errors.add("priority", _("Choose a priority."))
    elif not priority.is_active and (current is None or current.priority_id != priority.pk):
        errors.add("priority", _("This priority is no longer in use."))
    values["priority"] = priority
    category = data.category
    if (
        category is not None
        and not category.is_active
        and (current is None or current.category_id != category.pk)
    ):
        errors.add("category", _("This category is no longer in use."))
    values["category"] = category

    values["expected_cost_currency"] = _check_money(
        "expected_cost",
        data.expected_cost,
        errors,
        kept=current.expected_cost_currency_id if current else None,
    )
    values["actual_cost_currency"] = _check_money(
        "actual_cost",
        data.actual_cost,
        errors,
        kept=current.actual_cost_currency_id if current else None,
    )
    values["expected_cost"] = _stored_amount("expected_cost", data.expected_cost, errors)
    values["actual_cost"] = _stored_amount("actual_cost", data.actual_cost, errors)

    values.update(
        kind=data.kind,
        customer=data.customer,
        time_zone=data.time_zone,
        all_day=data.all_day,
        place=data.place or "",
        notes=data.notes or "",
        in_schedule=data.in_schedule,
    )
    return values


def _check_follow_up(follow_up: FollowUp | None, start: datetime | None, errors: Errors) -> None:
    """Checks "Schedule the next contact/meeting in" against the activity's `start`."""
    if follow_up is None:
        return
    if follow_up.kind is not None and follow_up.kind not in ActivityKind.values:
        errors.add("follow_up", _("Choose a kind: meeting, contact or task."))
    if follow_up.at is not None:
        if timezone.is_naive(follow_up.at):
            raise ValueError("follow-up time must be aware")
        if not _sensible_time("follow_up", follow_up.at, errors):
            return
        if start is not None and follow_up.at < start:
            errors.add("follow_up", _("The next contact cannot be before this activity starts."))
        return
    if follow_up.unit not in FOLLOW_UP_UNITS:
        errors.add("follow_up", _("Choose hours, days or weeks."))
    if follow_up.value is None or not 1 <= follow_up.value <= MAX_FOLLOW_UP_VALUE:
        errors.add(
            "follow_up",
            _("Enter a whole number from 1 to %(max)d.") % {"max": MAX_FOLLOW_UP_VALUE},
        )


def follow_up_start(activity: Activity, follow_up: FollowUp) -> datetime:
    """When the follow-up starts: hours are elapsed time; days and weeks are calendar days
    in the activity's own time zone, so 10:00 stays 10:00 across a daylight-saving change.
    """
    if follow_up.at is not None:
        start = follow_up.at
    elif follow_up.unit == "hours":
        # Elapsed time: added in UTC (aware arithmetic in a local zone keeps the wall
        # clock instead, and an activity just built from a form holds a local start).
        start = activity.start.astimezone(UTC) + timedelta(hours=follow_up.value)
    else:
        days = follow_up.value * (7 if follow_up.unit == "weeks" else 1)
        # Aware datetime + timedelta is wall-clock arithmetic in Python: the local hour
        # stays and the UTC offset is recomputed for the new date.
        start = activity.local_start + timedelta(days=days)
    start = start.astimezone(activity.zone)
    if activity.all_day:
        start = _local_midnight(start.date(), activity.zone)
    return start


def _save_row(activity: Activity) -> None:
    """Saves the activity's row alone: its history entry is written with its links."""
    activity.skip_history_when_saving = True
    try:
        activity.save()
    finally:
        del activity.skip_history_when_saving


def _links_create(
    activities: list[Activity], *, contact_persons, employees, history: list[_HistoryEntry]
) -> None:
    """Writes who takes part in new activities that share their people (an activity and
    its follow-up): one INSERT per relation for all of them. Each activity's ONE history
    entry, holding its links, is added to `history`, for `_history_write` to write with
    the save's other entries.

    Left to itself django-simple-history would add an entry per relation set (a new
    activity would show its participants as a later change), and write each entry with
    two reads per relation (the row's excluded fields, then its links). Each employee's
    link carries the activity's times (Participation)."""
    people = Activity.contact_persons.through
    person_links = [
        people(activity=a, contactperson=p) for a in activities for p in contact_persons
    ]
    employee_links = []
    for activity in activities:
        times = Participation.copies_of(activity)
        employee_links += [Participation(activity=activity, employee=e, **times) for e in employees]
    people.objects.bulk_create(person_links)
    Participation.objects.bulk_create(employee_links)
    for activity in activities:
        links = {
            "contact_persons": [link for link in person_links if link.activity_id == activity.pk],
            "employees": [link for link in employee_links if link.activity_id == activity.pk],
        }
        history.append(_history_entry(activity, "+", links))


def _save_changed(
    activity: Activity, contact_persons, employees, *, history: list[_HistoryEntry]
) -> None:
    """Saves an activity that exists and who takes part in it; its ONE history entry, as
    `_links_create` adds for a new one (the links `set()` kept are read when written)."""
    activity.skip_history_when_saving = True  # also for the set()s' m2m_changed
    try:
        activity.save()
        activity.contact_persons.set(contact_persons)
        activity.employees.set(employees, through_defaults=Participation.copies_of(activity))
    finally:
        del activity.skip_history_when_saving
    history.append(_history_entry(activity, "~", None))


@dataclass
class _HistoryEntry:
    """A history entry (HistoricalActivity, not yet saved) and the links it records:
    through-model rows by relation name, or None to read them when it is written."""

    record: models.Model
    links: dict[str, list] | None


def _history_model():
    """HistoricalActivity. (`Activity.history` builds a new manager class at every use.)"""
    return Activity._meta.apps.get_model("activities", "HistoricalActivity")


def _history_entry(activity: Activity, history_type: str, links) -> _HistoryEntry:
    """What `HistoricalRecords.create_historical_record` would write, taken now."""
    record = _history_model()(
        history_date=getattr(activity, "_history_date", timezone.now()),
        history_type=history_type,
        history_user=ACTIVITY_HISTORY.get_history_user(activity),
        history_change_reason=ACTIVITY_HISTORY.get_change_reason_for_object(
            activity, history_type, None
        ),
        **{
            field.attname: getattr(activity, field.attname)
            for field in ACTIVITY_HISTORY.fields_included(activity)
        },
    )
    return _HistoryEntry(record, links)


def _history_write(history: list[_HistoryEntry]) -> None:
    """Writes the entries of one save (an activity and its follow-up): one INSERT for the
    entries and one per relation for copies of their links, however many there are.

    The copies hold every column of the through model, as django-simple-history's own
    would (Participation's copied times included); links made by this save are taken as
    they were written, others are read once per relation. The entries get their ids from
    the INSERT (RETURNING, on PostgreSQL and SQLite >= 3.35); without one, bulk_create
    below refuses the unsaved entry rather than writing copies that point nowhere."""
    if not history:
        return
    model = _history_model()
    records = model.objects.bulk_create([e.record for e in history])
    for field in model._history_m2m_fields:
        through = field.remote_field.through
        columns = [f.attname for f in through._meta.fields]
        unread = [e.record.id for e in history if e.links is None]
        read: dict[int, list] = {pk: [] for pk in unread}
        if unread:
            for row in through.objects.filter(**{f"{field.m2m_field_name()}_id__in": unread}):
                read[getattr(row, field.m2m_column_name())].append(row)
        copies = ACTIVITY_HISTORY.m2m_models[field]
        copies.objects.bulk_create(
            copies(history=record, **{c: getattr(row, c) for c in columns})
            for entry, record in zip(history, records, strict=True)
            for row in (read[record.id] if entry.links is None else entry.links[field.name])
        )


def _check_schedule(
    saved: list[Activity], *, employees: list, ignore_conflicts: bool, user=None
) -> list[Clash]:
    """Rule 7's schedule must not double-book an employee: a scheduled, not cancelled
    activity may not overlap another of a participating employee, unless the setting
    SPOTKANIA_SCHEDULE_CONFLICTS is "warn" and the caller chose to save anyway.

    `saved` are the activities one save wrote, links included, in order (an activity and
    its follow-up), all with `employees`. Each is checked as if alone, before it was
    written: against the schedule as it was and what the save wrote before it (a
    follow-up meets its own activity). All in one query; the first refused raises
    ScheduleConflict, and the transaction leaves nothing written.

    `ignore_conflicts` defaults to True because a caller without a person to ask (the demo
    data, an import) can only go on; pages and the API pass False to warn their user first.
    Under "refuse" it makes no difference. Returns the overlaps the save may make: those
    of the first activity and, a clash being mutual, the follow-up when the two overlap
    (visible to whoever saves: they created it)."""
    positions, spans = [], []
    for i, activity in enumerate(saved):
        if activity.in_schedule and activity.status != ActivityStatus.CANCELLED:
            positions.append(i)
            spans.append(Span(activity.start, activity.end, frozenset(a.pk for a in saved[i:])))
    found: list[list[Clash]] = [[] for _ in saved]
    checked = check_clashes(
        employee_ids=[e.pk for e in employees], spans=spans, ignore=ignore_conflicts, user=user
    )
    for i, clashes in zip(positions, checked, strict=True):
        found[i] = clashes
    first = saved[0]
    overlaps = list(found[0])
    for successor, clashes in zip(saved[1:], found[1:], strict=True):
        overlaps.extend(
            replace(
                clash,
                activity_id=successor.pk,
                subject=successor.subject,
                start=successor.start,
                end=successor.end,
                all_day=successor.all_day,
                visible=True,
            )
            for clash in clashes
            if clash.activity_id == first.pk
        )
    return overlaps


@transaction.atomic
def activity_create(
    *,
    data: ActivityInput,
    created_by=None,
    follow_up: FollowUp | None = None,
    ignore_conflicts: bool = True,
    invitations: InvitationReport | None = None,
    clashes: list[Clash] | None = None,
) -> Activity:
    """Saves a new activity and, when asked, its follow-up, in one transaction.

    `created_by` must lead it or take part, or manage a team of one of its employees, or
    be an administrator (`may_act_for`; PermissionError otherwise); None is the system
    (imports from a shell, the demo data), which may plan anything.
    `invitations`, when given, asks for invitations to be e-mailed once the save commits.
    `clashes`, when given, receives the overlaps the save was let through with (see
    `_report_clashes`), so that a caller can name them without looking again.
    """
    errors = Errors()
    values = _validate(data, current=None, errors=errors)
    _check_follow_up(follow_up, values.get("start"), errors)
    errors.raise_if_any()
    employees = values.pop("employees")
    # After the checks: with no employee chosen, "choose one" says more than a refusal.
    _refuse_if_planned_for_others(created_by, employees)
    activity = Activity(**values, created_by=created_by)
    activity.clean_fields(exclude=_RELATIONS_CHECKED_ABOVE)
    _save_row(activity)
    saved = [activity]
    if follow_up is not None:
        saved.append(_follow_up_create(activity, follow_up, created_by=created_by))
    history: list[_HistoryEntry] = []
    _links_create(saved, contact_persons=data.contact_persons, employees=employees, history=history)
    found = _check_schedule(
        saved, employees=employees, ignore_conflicts=ignore_conflicts, user=created_by
    )
    _history_write(history)
    _report_clashes(clashes, found)
    if invitations is not None:
        invitations_send_on_commit(activity_id=activity.pk, method=REQUEST, report=invitations)
    return activity


# Lengths, digits and choices are checked by the model's field validators; relations were
# checked by _validate() on the objects themselves (no second query per foreign key).
_RELATIONS_CHECKED_ABOVE = [
    "customer",
    "leader",
    "priority",
    "category",
    "expected_cost_currency",
    "actual_cost_currency",
    "previous",
    "created_by",
]


def may_act_for(*, user, employee_ids: Iterable[int]) -> bool:
    """Whether `user` may plan or change an activity of these employees (its leader and
    those taking part): when one of them is the user's own employee or a member of a team
    they manage (sub-teams included), or the user is an administrator. The one rule of
    creating (`activity_create`) and changing (`activity_may_change`). `employee_ids` is
    read only up to the first that qualifies (an iterator may put off a query)."""
    if is_crm_admin(user):
        return True
    ids = team_employee_ids(user)
    return any(pk in ids for pk in employee_ids)


def activity_may_change(*, user, activity: Activity) -> bool:
    """Whether `user` may edit, end, cancel, delete or follow up `activity`: its leader and
    the employees taking part; the managers of their teams (sub-teams included); an
    administrator (`may_act_for`). Seeing an activity (SPOTKANIA_ALL_ACTIVITIES_VISIBLE)
    is not enough."""
    # The leader first: their id is on the row, the others need the links.
    participants = itertools.chain((activity.leader_id,), (e.pk for e in activity.employees.all()))
    return may_act_for(user=user, employee_ids=participants)


def activity_may_reopen(*, user, activity: Activity) -> bool:
    return user is not None and (
        user.has_perm("activities.reopen_activity")
        and activity_may_change(user=user, activity=activity)
    )


def _refuse_if_not_allowed(user, activity: Activity) -> None:
    """`user` None is the system (imports, demo data, commands), which may do anything."""
    if user is not None and not activity_may_change(user=user, activity=activity):
        raise PermissionError(_("You may not change this activity."))


def _refuse_if_planned_for_others(user, employees: list[Employee]) -> None:
    """A new activity (and its follow-up) of `employees`, its leader among them, must be
    one `user` may change once saved (`may_act_for`): nobody plans a meeting, and sends
    its invitations, in the name of employees outside their teams. `user` None is the
    system, as for `_refuse_if_not_allowed`."""
    if user is not None and not may_act_for(user=user, employee_ids=(e.pk for e in employees)):
        raise PermissionError(
            _(
                "You may plan an activity only if you lead it or take part in it, or for "
                "employees of the teams you manage."
            )
        )


def _locked(activity: Activity) -> Activity:
    """Re-reads the row under a lock, so two simultaneous clicks make one result."""
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _refuse_if_ended(activity: Activity) -> None:
    if activity.status == ActivityStatus.ENDED:
        raise ValidationError(
            _("This activity has ended and is read-only. Reopen it to change it."),
            code="ended",
        )


# The fields of the form compared when a save on a stale version is refused.
_COMPARED_FIELDS = (
    "kind",
    "subject",
    "customer",
    "leader",
    "start",
    "end",
    "time_zone",
    "all_day",
    "place",
    "notes",
    "priority",
    "category",
    "in_schedule",
    "expected_cost",
    "expected_cost_currency",
    "actual_cost",
    "actual_cost_currency",
)


def _refuse_if_stale(activity: Activity, data: ActivityInput, expected_version: int | None):
    """Optimistic locking: `expected_version` is the version the user read. When the (locked)
    row has moved on, nothing is saved and StaleVersion lists what differs between the
    saved activity and the submission."""
    if expected_version is None or expected_version == activity.version:
        return
    values = _validate(data, current=activity, errors=Errors())
    changes = changes_between(activity, values, _COMPARED_FIELDS)
    participants = (("contact_persons", data.contact_persons), ("employees", values["employees"]))
    for name, yours in participants:
        theirs = list(getattr(activity, name).all())
        if {o.pk for o in theirs} != {o.pk for o in yours}:
            changes.append(Change(name, label_of(Activity, name), show(theirs), show(yours)))
    raise StaleVersion(current_version=activity.version, changes=changes)


# A change of these is a move: participants are sent the new invitation.
_INVITATION_FIELDS = ("start", "end", "all_day", "time_zone", "place")


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    data: ActivityInput,
    updated_by=None,
    follow_up: FollowUp | None = None,
    ignore_conflicts: bool = True,
    invitations: InvitationReport | None = None,
    expected_version: int | None = None,
    clashes: list[Clash] | None = None,
) -> Activity:
    """Saves changes to a planned or cancelled activity (an ended one is locked).

    `invitations`, when given, sends the updated invitation after commit if the meeting
    moved (time or place); other changes do not bother the participants.
    `expected_version`, when given, refuses (StaleVersion) a save based on an older version.
    `clashes`: as for `activity_create`.
    """
    _refuse_if_not_allowed(updated_by, activity)
    activity = _locked(activity)
    _refuse_if_ended(activity)
    _refuse_if_stale(activity, data, expected_version)
    errors = Errors()
    values = _validate(data, current=activity, errors=errors)
    _check_follow_up(follow_up, values.get("start"), errors)
    if follow_up is not None and Activity.objects.filter(previous=activity).exists():
        errors.add("follow_up", _("This activity already has a follow-up."))
    errors.raise_if_any()
    # Not handed over to employees outside the user's teams: planning them anew by edit.
    _refuse_if_planned_for_others(updated_by, values["employees"])
    moved = any(getattr(activity, name) != values[name] for name in _INVITATION_FIELDS)
    employees = values.pop("employees")
    for name, value in values.items():
        setattr(activity, name, value)
    activity.version += 1
    activity.clean_fields(exclude=_RELATIONS_CHECKED_ABOVE)
    history: list[_HistoryEntry] = []
    _save_changed(activity, data.contact_persons, employees, history=history)
    saved = [activity]
    if follow_up is not None:  # checked above: it has none, and it is locked
        saved.append(_follow_up_create(activity, follow_up, created_by=updated_by))
        _links_create(
            saved[1:], contact_persons=data.contact_persons, employees=employees, history=history
        )
    found = _check_schedule(
        saved, employees=employees, ignore_conflicts=ignore_conflicts, user=updated_by
    )
    _history_write(history)
    _report_clashes(clashes, found)
    if invitations is not None and moved:
        invitations_send_on_commit(activity_id=activity.pk, method=REQUEST, report=invitations)
    return activity


@transaction.atomic
def follow_up_schedule(
    *,
    activity: Activity,
    follow_up: FollowUp,
    created_by=None,
    ignore_conflicts: bool = True,
    user=None,
) -> Activity:
    """Creates the next activity ("Schedule the next contact/meeting in") exactly once.

    `user`, when given, must be allowed to change `activity` (the pages and the API pass
    it; a save that schedules a follow-up has checked it already).

    The follow-up copies customer, contact persons, employees, leader, subject, category,
    priority, place, schedule flag, length and expected cost; it is planned, has no actual
    cost and links back to its predecessor. A second call for the same activity is refused
    (and the database's one-to-one link would refuse it too).
    """
    _refuse_if_not_allowed(user, activity)
    activity = _locked(activity)
    errors = Errors()
    _check_follow_up(follow_up, activity.start, errors)
    if Activity.objects.filter(previous=activity).exists():
        errors.add("follow_up", _("This activity already has a follow-up."))
    errors.raise_if_any()
    employees = list(activity.employees.all())
    contact_persons = list(activity.contact_persons.all())
    successor = _follow_up_create(activity, follow_up, created_by=created_by)
    history: list[_HistoryEntry] = []
    _links_create(
        [successor], contact_persons=contact_persons, employees=employees, history=history
    )
    _check_schedule(
        [successor], employees=employees, ignore_conflicts=ignore_conflicts, user=created_by
    )
    _history_write(history)
    return successor


def _follow_up_create(activity: Activity, follow_up: FollowUp, *, created_by) -> Activity:
    """Writes the row of the follow-up of an activity known to have none, locked or
    created in this transaction. Its links and history entry are the caller's to write
    (with those of `activity` when both are new: one INSERT per relation) and then its
    schedule to check (`_check_schedule`)."""
    start = follow_up_start(activity, follow_up)
    if activity.all_day:
        days = (activity.local_end.date() - activity.local_start.date()).days
        end = _local_midnight(start.date() + timedelta(days=days), activity.zone)
    else:
        end = start + activity.duration
    priority = activity.priority
    if not priority.is_active:
        priority = default_priority() or priority
    category = activity.category if activity.category and activity.category.is_active else None
    successor = Activity(
        kind=follow_up.kind or activity.kind,
        subject=activity.subject,
        customer=activity.customer,
        leader=activity.leader,
        start=start,
        end=end,
        time_zone=activity.time_zone,
        all_day=activity.all_day,
        place=activity.place,
        priority=priority,
        category=category,
        in_schedule=activity.in_schedule,
        expected_cost=activity.expected_cost,
        expected_cost_currency=activity.expected_cost_currency,
        status=ActivityStatus.PLANNED,
        previous=activity,
        created_by=created_by,
    )
    _save_row(successor)
    return successor


def _report_clashes(report: list[Clash] | None, found: list[Clash]) -> None:
    """The overlaps a save was let through with (policy "warn", `ignore_conflicts`): those
    of the activity itself, its own follow-up included, in the order of `find_clashes`
    (by start; the follow-up after what starts with it)."""
    if report is not None:
        report.extend(sorted(found, key=lambda clash: clash.start))


def _transition(
    activity: Activity, *, allowed_from: Iterable[str], to: str, message: str
) -> Activity:
    activity = _locked(activity)
    if activity.status not in allowed_from:
        raise ValidationError(message, code="status")
    activity.status = to
    activity.ended_at = timezone.now() if to == ActivityStatus.ENDED else None
    activity.version += 1
    activity.save(update_fields=["status", "ended_at", "version", "updated_at"])
    return activity


@transaction.atomic
def activity_end(*, activity: Activity, user=None, actual_cost: Money | None = None) -> Activity:
    """Marks a planned activity as held ("Zakończone"); it becomes read-only."""
    _refuse_if_not_allowed(user, activity)
    if actual_cost is not None:
        errors = Errors()
        currency = _check_money("actual_cost", actual_cost, errors)
        errors.raise_if_any()
        locked = _locked(activity)
        if locked.status == ActivityStatus.PLANNED:
            locked.actual_cost, locked.actual_cost_currency = actual_cost.amount, currency
            locked.save(update_fields=["actual_cost", "actual_cost_currency", "updated_at"])
    return _transition(
        activity,
        allowed_from=[ActivityStatus.PLANNED],
        to=ActivityStatus.ENDED,
        message=_("Only a planned activity can be ended."),
    )


@transaction.atomic
def activity_cancel(
    *, activity: Activity, user=None, invitations: InvitationReport | None = None
) -> Activity:
    """Cancels a planned activity; `invitations` sends the participants a CANCEL."""
    _refuse_if_not_allowed(user, activity)
    activity = _transition(
        activity,
        allowed_from=[ActivityStatus.PLANNED],
        to=ActivityStatus.CANCELLED,
        message=_("Only a planned activity can be cancelled."),
    )
    if invitations is not None:
        invitations_send_on_commit(activity_id=activity.pk, method=CANCEL, report=invitations)
    return activity


@transaction.atomic
def activity_reopen(*, activity: Activity, user) -> Activity:
    """Makes an ended or cancelled activity planned again; it needs its own permission."""
    if user is None or not user.has_perm("activities.reopen_activity"):
        raise PermissionError(_("You may not reopen activities."))
    _refuse_if_not_allowed(user, activity)
    return _transition(
        activity,
        allowed_from=[ActivityStatus.ENDED, ActivityStatus.CANCELLED],
        to=ActivityStatus.PLANNED,
        message=_("Only an ended or cancelled activity can be reopened."),
    )


@transaction.atomic
def activity_delete(*, activity: Activity, user=None) -> None:
    """Deletes an activity that has not ended; its follow-up stays, unlinked."""
    _refuse_if_not_allowed(user, activity)
    activity = _locked(activity)
    _refuse_if_ended(activity)
    activity.delete()
