"""Pages of CRM activities: thin views over the services and selectors."""

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities import services
from activities.forms import ActivityFilterForm, ActivityForm, EndForm, FollowUpForm
from activities.models import Activity, ActivityKind
from activities.selectors import (
    activities_to_count,
    activity_table_rows,
    visible_activity_ids,
    visible_page_ids,
)
from activities.selectors import activity_detail as select_activity
from activities.selectors import activity_list as select_activities
from customers.models import Customer
from customers.selectors import contact_persons_of
from employees.models import Employee
from schedule.conflicts import ScheduleConflict
from schedule.invitations import InvitationReport
from schedule.views import report_invitations
from spotkania import limits
from spotkania.history import change_history
from spotkania.htmx import render_page
from spotkania.paging import paginate, query_without_page
from spotkania.versions import StaleVersion

NEW_TITLES = {
    ActivityKind.MEETING: gettext_lazy("New meeting"),
    ActivityKind.CONTACT: gettext_lazy("New contact"),
    ActivityKind.TASK: gettext_lazy("New task"),
}


def activity_list(request):
    """All activities across customers, newest first, with the shared filters."""
    filter_form = ActivityFilterForm(request.GET or None)
    filters = filter_form.to_filters()
    # Built only if the page is read the general way (spotkania.paging.rows_by_ids).
    activities = SimpleLazyObject(lambda: select_activities(filters=filters, user=request.user))
    counted = activities_to_count(filters=filters, user=request.user)
    context = {
        "nav": "activities",
        "filter_form": filter_form,
        "page_obj": paginate(
            request,
            activities,
            settings.ACTIVITY_PAGE_SIZE,
            count_queryset=counted,
            page_ids=visible_page_ids(filters=filters, user=request.user),
            rows_of=activity_table_rows,
        ),
        "query": query_without_page(request),
    }
    return render_page(request, "activities/activity_list.html", context, fragment="activity-table")


def _get_activity(request, pk: int) -> Activity:
    """The activity if the user may see it; 404 otherwise (its existence is not told)."""
    try:
        return select_activity(pk=pk, user=request.user)
    except Activity.DoesNotExist:
        raise Http404 from None


def _user_employee(request):
    # The reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(request.user, "employee", None)


def _chain_visibility(request, activity: Activity, *, previous: bool = True) -> dict:
    """Whether the user may open the activity this one follows up (unless `previous` is
    False: a page that does not show it) and its follow-up: a page links only to those
    (the others answer 404); one query for both."""
    following = getattr(activity, "next", None)
    next_id = following.pk if following is not None else None
    previous_id = activity.previous_id if previous else None
    visible = visible_activity_ids(user=request.user, ids=[previous_id, next_id])
    return {
        "previous_visible": previous_id in visible,
        "next_visible": next_id in visible,
    }


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _form_page(request, form: ActivityForm, *, title: str, activity: Activity | None, stale=None):
    context = {
        "stale": stale,
        "nav": "activities",
        "form": form,
        "title": title,
        "activity": activity,
        "contact_options": form.contact_options(),
        "checked_contact_ids": form.checked_contact_ids(),
        "customer_chosen": form.selected_customer is not None,
        "read_only": activity is not None and not activity.is_editable,
        "follow_up_errors": [
            e for name in ("follow_up", *ActivityForm.FOLLOW_UP_FIELDS) for e in form[name].errors
        ],
        "conflict": getattr(form, "schedule_conflict", None),
    }
    if activity is not None:
        context.update(_chain_visibility(request, activity, previous=False))
    return TemplateResponse(request, "activities/activity_form.html", context)


def _initial_from_query(request) -> dict:
    """A time and an employee chosen in the schedule (`?start=&end=&employee=&all_day=1`):
    wall-clock ISO values in the form's zone; for all-day, `end` is the last day."""
    initial: dict = {}
    for name in ("start", "end"):
        value = request.GET.get(name, "")
        try:
            parsed = parse_datetime(value) or (
                datetime.combine(parse_date(value), time(0)) if parse_date(value) else None
            )
        except ValueError:
            parsed = None
        if parsed is not None:
            initial[name] = parsed.replace(tzinfo=None)
    if request.GET.get("all_day") == "1":
        initial["all_day"] = True
        for name in ("start", "end"):
            if name in initial:
                initial[name] = initial[name].date()
    if employee_id := limits.parse_id(request.GET.get("employee")):
        employee = Employee.objects.filter(pk=employee_id, is_active=True).first()
        if employee is not None:
            initial["employees"] = [employee.pk]
            initial["leader"] = employee.pk
            own = _user_employee(request)
            if own is not None and not services.may_act_for(
                user=request.user, employee_ids=[employee.pk]
            ):
                # A schedule of someone outside the user's teams (all are visible with
                # SPOTKANIA_ALL_ACTIVITIES_VISIBLE): a meeting with them, led by the user,
                # which the user may plan.
                initial["employees"] = [own.pk, employee.pk]
                initial["leader"] = own.pk
    return initial


def _invitations(form: ActivityForm) -> InvitationReport | None:
    return InvitationReport() if form.cleaned_data.get("send_invitations") else None


@require_http_methods(["GET", "POST"])
def activity_create(request):
    """A new meeting, contact or task (`?kind=`), optionally for a customer (`?customer=`),
    at a time and for an employee picked in the schedule (see `_initial_from_query`)."""
    kind = request.GET.get("kind")
    if kind not in ActivityKind.values:
        kind = ActivityKind.MEETING
    customer = None
    if customer_id := limits.parse_id(request.GET.get("customer")):
        customer = Customer.objects.filter(pk=customer_id).first()
    form = ActivityForm(
        request.POST or None,
        user_employee=_user_employee(request),
        kind=kind,
        customer=customer,
        initial=_initial_from_query(request),
    )
    if request.method == "POST" and form.is_valid():
        follow_up = form.to_follow_up()
        invitations = _invitations(form)
        try:
            activity = services.activity_create(
                data=form.to_input(),
                follow_up=follow_up,
                created_by=request.user,
                ignore_conflicts=form.cleaned_data.get("ignore_conflicts", False),
                invitations=invitations,
            )
        except ScheduleConflict as conflict:
            form.schedule_conflict = conflict
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionError as error:  # planned for employees outside the user's teams
            form.add_error("employees", str(error))
        else:
            _success(request, activity, with_follow_up=follow_up is not None)
            report_invitations(request, invitations)
            return redirect(activity)
    if form.is_bound:
        kind = form.data.get("kind") if form.data.get("kind") in ActivityKind.values else kind
    return _form_page(request, form, title=NEW_TITLES[kind], activity=None)


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    """Edits a planned or cancelled activity; an ended one is shown read-only (rule 3)."""
    activity = _get_activity(request, pk)
    if not services.activity_may_change(user=request.user, activity=activity):
        raise PermissionDenied(_("You may not change this activity."))
    if request.method == "POST" and not activity.is_editable:
        messages.error(
            request, _("This activity has ended and is read-only. Reopen it to change it.")
        )
        return redirect(activity)
    form = ActivityForm(
        request.POST or None, activity=activity, user_employee=_user_employee(request)
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        follow_up = form.to_follow_up()
        invitations = _invitations(form)
        try:
            activity = services.activity_update(
                activity=activity,
                data=form.to_input(),
                follow_up=follow_up,
                updated_by=request.user,
                ignore_conflicts=form.cleaned_data.get("ignore_conflicts", False),
                invitations=invitations,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as exc:
            stale = exc
            form.offer_version(exc.current_version)
        except ScheduleConflict as conflict:
            form.schedule_conflict = conflict
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionError as error:  # handed over to employees outside the teams
            form.add_error("employees", str(error))
        else:
            _success(request, activity, with_follow_up=follow_up is not None)
            report_invitations(request, invitations)
            return redirect(activity)
    title = _("%(kind)s: %(subject)s") % {
        "kind": activity.get_kind_display(),
        "subject": activity.subject,
    }
    return _form_page(request, form, title=title, activity=activity, stale=stale)


def _success(request, activity: Activity, *, with_follow_up: bool) -> None:
    message = _("Saved “%(subject)s”.") % {"subject": activity.subject}
    if with_follow_up:
        successor = Activity.objects.filter(previous=activity).first()
        if successor is not None:
            message += " " + _("The next %(kind)s is planned for %(when)s.") % {
                "kind": successor.get_kind_display().lower(),
                "when": _when(successor.start),
            }
    messages.success(request, message)


@require_GET
def contact_options(request):
    """The contact-person checkboxes of the customer chosen on the form (htmx)."""
    customer_id = limits.parse_id(request.GET.get("customer"))
    persons = list(contact_persons_of(customer_id=customer_id)) if customer_id else []
    context = {
        "contact_options": persons,
        "checked_contact_ids": set(request.GET.getlist("contact_persons")),
        "customer_chosen": customer_id is not None,
    }
    return TemplateResponse(request, "activities/activity_form.html#contact-options", context)


def activity_detail(request, pk: int):
    activity = _get_activity(request, pk)
    context = {
        "nav": "activities",
        "activity": activity,
        "may_change": services.activity_may_change(user=request.user, activity=activity),
        "may_reopen": services.activity_may_reopen(user=request.user, activity=activity),
        "history": change_history(activity),
        "end_form": EndForm(),
        "follow_up_form": FollowUpForm(initial={"kind": activity.kind}),
        **_chain_visibility(request, activity),
    }
    return TemplateResponse(request, "activities/activity_detail.html", context)


def _refused(request, error: Exception) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error))


@require_POST
def activity_end(request, pk: int):
    """Marks the activity as held; an actual cost may be entered at the same time."""
    activity = _get_activity(request, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(activity)
    try:
        services.activity_end(activity=activity, user=request.user, actual_cost=form.to_money())
    except (ValidationError, PermissionError) as error:
        _refused(request, error)
    else:
        messages.success(request, _("The activity has ended. It is now read-only."))
    return redirect(activity)


@require_POST
def activity_cancel(request, pk: int):
    activity = _get_activity(request, pk)
    invitations = InvitationReport() if request.POST.get("send_invitations") else None
    try:
        services.activity_cancel(activity=activity, user=request.user, invitations=invitations)
    except (ValidationError, PermissionError) as error:
        _refused(request, error)
    else:
        messages.success(request, _("The activity was cancelled."))
        report_invitations(request, invitations)
    return redirect(activity)


@require_POST
def activity_reopen(request, pk: int):
    activity = _get_activity(request, pk)
    try:
        services.activity_reopen(activity=activity, user=request.user)
    except (ValidationError, PermissionError) as error:
        _refused(request, error)
    else:
        messages.success(request, _("The activity is planned again."))
    return redirect(activity)


@require_POST
def activity_follow_up(request, pk: int):
    """ "Schedule next contact" from the detail page (rule 6: at most one follow-up)."""
    activity = _get_activity(request, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(activity)
    try:
        successor = services.follow_up_schedule(
            activity=activity,
            follow_up=form.to_follow_up(),
            created_by=request.user,
            user=request.user,
        )
    except (ValidationError, PermissionError) as error:
        _refused(request, error)
        return redirect(activity)
    messages.success(
        request,
        _("The next %(kind)s is planned for %(when)s.")
        % {"kind": successor.get_kind_display().lower(), "when": _when(successor.start)},
    )
    return redirect(successor)
