"""Schedule pages: an employee's calendar, the team's week, rescheduling by dragging,
calendar feeds and .ics downloads. Thin: parsing here, rules in the services."""

from __future__ import annotations

import hashlib
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.models import Activity, ActivityStatus
from activities.selectors import activity_detail, visible_activities
from employees.models import Employee
from employees.selectors import visible_employees
from schedule import selectors, services
from schedule.conflicts import ScheduleConflict
from schedule.ical import calendar_of, calendar_of_entries
from schedule.invitations import InvitationReport
from spotkania import limits
from spotkania.versions import StaleVersion

# The longest range one request of the calendar may ask for: a month view shows six
# weeks; more than this is not a calendar page but a scrape.
MAX_RANGE = timedelta(days=62)
TEAM_MAX_EMPLOYEES = 30


def report_invitations(request, report: InvitationReport | None) -> None:
    """Tells the user what became of the invitations of a save that succeeded."""
    if report is None:
        return
    if report.error:
        messages.warning(
            request,
            _("Saved, but the invitations could not be sent (%(error)s). Try again later.")
            % {"error": report.error},
        )
    elif report.sent_to:
        messages.info(
            request,
            _("Invitations sent to: %(addresses)s.") % {"addresses": ", ".join(report.sent_to)},
        )


def _own_employee(request) -> Employee | None:
    return getattr(request.user, "employee", None)


def _user_zone() -> zoneinfo.ZoneInfo:
    return timezone.get_current_timezone()


def _wall_clock(value: str, zone) -> datetime | None:
    """A time from the calendar, which runs in UTC mode and therefore speaks the user's
    wall-clock time with a "Z" (or no offset): read it as wall-clock time in `zone`.
    None for anything that is not a real date and time within limits.YEAR bounds."""
    try:
        parsed = parse_datetime(value or "")
    except ValueError:  # well formed but impossible, e.g. 2026-02-30T10:00
        return None
    if parsed is None:
        day = limits.parse_iso_date(value)
        if day is None:
            return None
        parsed = datetime.combine(day, time(0))
    if not limits.year_in_range(parsed):
        return None
    return parsed.replace(tzinfo=None).replace(tzinfo=zone)


# --- pages -----------------------------------------------------------------------------


def schedule_home(request):
    """The user's own schedule; someone who is no employee sees the team."""
    employee = _own_employee(request)
    if employee is None:
        return redirect("schedule:team")
    return redirect("schedule:employee", employee_id=employee.pk)


def employee_schedule(request, employee_id: int):
    """One employee's calendar: day, week, month and list views (FullCalendar)."""
    employee = get_object_or_404(visible_employees(request.user), pk=employee_id)
    zone = _user_zone()
    language = (get_language() or "pl")[:2]
    config = {
        "eventsUrl": reverse("schedule:events", args=[employee.pk]),
        "moveUrl": reverse("schedule:move", args=[0]),
        "newUrl": reverse("activities:create"),
        "employee": employee.pk,
        "locale": language,
        "timeZone": str(zone),
        "initialDate": request.GET.get("date") or timezone.localdate().isoformat(),
        "initialView": request.GET.get("view") or "timeGridWeek",
        "texts": {
            "confirmConflict": _("This overlaps other activities:"),
            "saveAnyway": _("Save anyway?"),
            "moveFailed": _("The activity was not moved."),
            "allDay": _("all day"),
        },
    }
    employees = visible_employees(request.user).filter(is_active=True)
    employees = employees.only("id", "first_name", "last_name")
    context = {
        "nav": "schedule",
        "employee": employee,
        "employees": employees,
        "is_own": _own_employee(request) == employee,
        "config": config,
    }
    return TemplateResponse(request, "schedule/employee_schedule.html", context)


def _event(activity: Activity, zone) -> dict:
    if activity.all_day:
        start = activity.local_start.date().isoformat()
        end = activity.local_end.date().isoformat()
    else:
        start = activity.start.astimezone(zone).replace(tzinfo=None).isoformat()
        end = activity.end.astimezone(zone).replace(tzinfo=None).isoformat()
    return {
        "id": str(activity.pk),
        "title": activity.subject,
        "start": start,
        "end": end,
        "allDay": activity.all_day,
        "url": activity.get_absolute_url(),
        "editable": activity.status == ActivityStatus.PLANNED,
        "classNames": [f"ev-kind-{activity.kind}", f"ev-status-{activity.status}"]
        + ([] if activity.priority.is_default else ["ev-priority-marked"]),
        "extendedProps": {
            "kind": activity.kind,
            "kindLabel": str(activity.get_kind_display()),
            "status": activity.status,
            "statusLabel": str(activity.get_status_display()),
            "priority": activity.priority.name,
            "priorityMarked": not activity.priority.is_default,
            "customer": activity.customer.name,
            "place": activity.place,
            "employees": [e.full_name for e in activity.employees.all()],
            # Sent back with a drag: a move based on an older version is refused.
            "version": activity.version,
        },
    }


@require_GET
def schedule_events(request, employee_id: int):
    """The calendar's events for the visible range only (`start`/`end` as FullCalendar
    sends them), in the user's wall-clock time."""
    employee = get_object_or_404(visible_employees(request.user).only("id"), pk=employee_id)
    zone = _user_zone()
    start = _wall_clock(request.GET.get("start", ""), zone)
    end = _wall_clock(request.GET.get("end", ""), zone)
    if start is None or end is None or end <= start or end - start > MAX_RANGE:
        message = _("Give a start and an end, at most 62 days apart.")
        return JsonResponse({"error": message}, status=400)
    activities = selectors.schedule_activities(employee_ids=[employee.pk], start=start, end=end)
    return JsonResponse([_event(a, zone) for a in activities], safe=False)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def team_schedule(request):
    """Several employees side by side: one row per employee, one column per day of a week.

    Built from a plain table rather than FullCalendar's resource views (not MIT).
    """
    zone = _user_zone()
    day = limits.parse_iso_date(request.GET.get("week")) or timezone.localdate()
    monday = _monday(day)
    days = [monday + timedelta(days=i) for i in range(7)]
    chosen = [pk for pk in map(limits.parse_id, request.GET.getlist("employees")) if pk]
    allowed = visible_employees(request.user).only("id", "first_name", "last_name")
    everyone = list(allowed.filter(is_active=True))
    if chosen:
        employees = list(allowed.filter(pk__in=chosen))[:TEAM_MAX_EMPLOYEES]
    else:
        employees = everyone[:TEAM_MAX_EMPLOYEES]
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
    cells: dict[tuple[int, date], list[Activity]] = {}
    ids = {e.pk for e in employees}
    for activity in selectors.schedule_activities(employee_ids=list(ids), start=start, end=end):
        first = max(activity.start, start).astimezone(zone).date()
        last_moment = min(activity.end, end) - timedelta(microseconds=1)
        last = max(first, last_moment.astimezone(zone).date())
        for participant in activity.employees.all():
            if participant.pk not in ids:
                continue
            current = first
            while current <= last:
                cells.setdefault((participant.pk, current), []).append(activity)
                current += timedelta(days=1)
    rows = [
        {"employee": e, "days": [(d, cells.get((e.pk, d), [])) for d in days]} for e in employees
    ]
    query = "&".join(f"employees={pk}" for pk in chosen)
    context = {
        "nav": "schedule",
        "rows": rows,
        "days": days,
        "today": timezone.localdate(),
        "previous_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "everyone": everyone,
        "chosen": set(chosen),
        "query": query,
        "monday": monday,
        "sunday": days[-1],
    }
    return TemplateResponse(request, "schedule/team_schedule.html", context)


@require_POST
def activity_move(request, pk: int):
    """Drag or resize in the calendar: the same service and checks as the form.

    `version` is the one the event was loaded with (optimistic locking, as the form's):
    when someone saved the activity since, nothing moves. Without it (an older page), no
    check.

    Answers JSON: 200 with the event (carrying its new version); 409 with the clashes
    (`overridable` when the user may repeat the request with `ignore_conflicts=1`) or,
    for a stale version, `stale` and the current `version`; 422 with the messages
    otherwise.
    """
    try:
        activity = activity_detail(pk=pk, user=request.user)
    except Activity.DoesNotExist:
        raise Http404 from None
    all_day = request.POST.get("all_day") in ("1", "true", "on")
    if all_day:
        start = limits.parse_iso_date(request.POST.get("start"))
        end_text = request.POST.get("end") or ""
        end = limits.parse_iso_date(end_text) if end_text else None
        bad = start is None or (end_text and end is None)
    else:
        zone = _user_zone()
        start = _wall_clock(request.POST.get("start", ""), zone)
        end_text = request.POST.get("end") or ""
        end = _wall_clock(end_text, zone) if end_text else None
        bad = start is None or (end_text and end is None)
    if bad:
        return JsonResponse({"error": _("Enter a valid date/time.")}, status=422)
    version_text = request.POST.get("version") or ""
    expected_version = limits.parse_id(version_text) if version_text else None
    if version_text and expected_version is None:
        return JsonResponse({"error": _("The activity was not moved.")}, status=422)
    send = request.POST.get("send_invitations") in ("1", "true", "on")
    report = InvitationReport() if send else None
    try:
        moved = services.activity_reschedule(
            activity=activity,
            start=start,
            end=end,
            all_day=all_day,
            user=request.user,
            ignore_conflicts=request.POST.get("ignore_conflicts") in ("1", "true", "on"),
            invitations=report,
            expected_version=expected_version,
        )
    except StaleVersion as stale:
        message = _(
            "Someone changed this activity after your calendar was loaded. Reload the "
            "calendar to see the current version."
        )
        return JsonResponse(
            {"error": message, "stale": True, "version": stale.current_version}, status=409
        )
    except ScheduleConflict as conflict:
        return JsonResponse(
            {
                "error": _("The activity overlaps other activities in the schedule."),
                "conflicts": [c.message() for c in conflict.clashes],
                "overridable": conflict.overridable,
            },
            status=409,
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=422)
    except PermissionError as error:
        return JsonResponse({"error": str(error)}, status=403)
    body = {"event": _event(selectors.feed_activities().get(pk=moved.pk), _user_zone())}
    if report is not None and report.error:
        body["warning"] = _("Saved, but the invitations could not be sent.")
    return JsonResponse(body)


# --- calendar feeds ----------------------------------------------------------------------


def feed_url(request, feed) -> str | None:
    if feed is None:
        return None
    return request.build_absolute_uri(reverse("schedule:feed", args=[feed.token]))


@require_http_methods(["GET", "POST"])
def feed_settings(request):
    """ "Calendar subscription": the user's secret feed URL, regenerate or revoke it."""
    employee = _own_employee(request)
    if employee is None:
        messages.error(request, _("Only an employee has a schedule to subscribe to."))
        return redirect("schedule:team")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "regenerate":
            services.calendar_feed_regenerate(employee=employee)
            messages.success(
                request,
                _("A new subscription address was created. The previous one no longer works."),
            )
        elif action == "revoke":
            services.calendar_feed_revoke(employee=employee)
            messages.success(request, _("The calendar subscription was switched off."))
        return redirect("schedule:feed_settings")
    feed = getattr(employee, "calendar_feed", None)
    context = {"nav": "schedule", "employee": employee, "feed_url": feed_url(request, feed)}
    return TemplateResponse(request, "schedule/feed_settings.html", context)


def _ics_response(calendar, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@login_not_required
@require_GET
def calendar_feed(request, token: str):
    """The iCalendar feed of one employee. Calendar programs have no session: the secret
    token is the credential, and an unknown or revoked one answers a bare 404.

    Calendar programs poll the feed every few minutes: its ETag is a hash of the body, so
    one that sends it back (If-None-Match) gets 304 Not Modified, without the body, until
    something in the feed changes. The body is still made for that: no cheaper validator
    is sure to change whenever the body does (see `feed_etag`)."""
    feed = selectors.feed_by_token(token=token)
    if feed is None:
        return HttpResponse(status=404, content_type="text/plain")
    since = timezone.now() - timedelta(days=31 * settings.SPOTKANIA_FEED_MONTHS_BACK)
    calendar = calendar_of_entries(
        selectors.employee_feed_entries(employee=feed.employee, since=since),
        name=f"Spotkania: {feed.employee.full_name}",
        base_url=request.build_absolute_uri("/"),
    )
    response = _ics_response(calendar, "spotkania.ics", attachment=False)
    response["Cache-Control"] = "private, max-age=300"
    response["ETag"] = etag = feed_etag(calendar.to_ical())
    return get_conditional_response(request, etag=etag, response=response)


def feed_etag(body: bytes) -> str:
    """A strong ETag of a feed's body (RFC 9110 8.8.3): equal bodies, equal tags, whatever
    process wrote them.

    Derived from the body rather than from what it is made of, because nothing cheaper
    is sure to change with it: a renamed employee, contact person or category, a
    participant added, a dictionary's order, the language asked for, the window moving
    on with the date or a new version of the code or of the zone database change the text
    without leaving a time of change anywhere. SHA-256: 2 ms for a year-long feed of
    3.4 MB, less than the other hashes at hand."""
    return quote_etag(hashlib.sha256(body).hexdigest()[:32])


@require_GET
def activity_ics(request, pk: int):
    """One activity as an .ics file, to import into any calendar program."""
    activity = get_object_or_404(
        visible_activities(request.user, selectors.feed_activities()), pk=pk
    )
    calendar = calendar_of([activity], method="PUBLISH", base_url=request.build_absolute_uri("/"))
    return _ics_response(calendar, f"activity-{activity.pk}.ics", attachment=True)
