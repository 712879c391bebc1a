"""Pages of customers and their contact persons: thin views over selectors and services."""

from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from activities.forms import ActivityFilterForm
from activities.models import ActivityKind, ActivityStatus
from activities.selectors import (
    ActivityFilters,
    activities_to_count,
    activity_counts,
    activity_table_rows,
    visible_page_ids,
)
from activities.selectors import activity_list as select_activities
from customers.forms import ContactPersonForm, CustomerFilterForm, CustomerForm
from customers.models import ContactPerson, Customer
from customers.selectors import contact_persons_of, customer_search
from customers.services import contact_person_update
from customers.services import customer_delete as delete_customer
from customers.services import customer_update as update_customer
from reports.selectors import cost_report
from spotkania import limits
from spotkania.history import change_history
from spotkania.htmx import render_page, wants_fragment
from spotkania.paging import paginate, query_without_page
from spotkania.versions import StaleVersion

SEARCH_LIMIT = 20
CUSTOMER_PAGE_SIZE = 25
ALL_TAB = "all"
TABS = [ALL_TAB, *ActivityKind.values]


@require_GET
def customer_search_json(request):
    """Active customers matching `q`, for searchable selects: {"results": [{id, text}]}."""
    customers = customer_search(q=limits.parse_search(request.GET.get("q")), active_only=True)
    results = [
        {"id": c.pk, "text": f"{c.name} ({c.code})"}
        for c in customers.only("id", "name", "code")[:SEARCH_LIMIT]
    ]
    return JsonResponse({"results": results})


@require_GET
def customer_list(request):
    """Customers by name, searched over code, name, NIP, e-mail and phone; active only
    unless the user asks for inactive or all."""
    filter_form = CustomerFilterForm(request.GET)
    q, active = filter_form.values()
    customers = customer_search(q=q, active_only=active == CustomerFilterForm.ACTIVE)
    if active == CustomerFilterForm.INACTIVE:
        customers = customers.filter(is_active=False)
    context = {
        "nav": "customers",
        "filter_form": filter_form,
        "page_obj": paginate(request, customers, CUSTOMER_PAGE_SIZE),
        "query": query_without_page(request),
    }
    return render_page(request, "customers/customer_list.html", context, fragment="customer-table")


def _activity_summary(customer_id: int, user) -> dict:
    """Counts of the customer's activities `user` may see, per status and per kind, in one
    query, for the header and the tab badges."""
    by_status = dict.fromkeys(ActivityStatus.values, 0)
    by_kind = dict.fromkeys(ActivityKind.values, 0)
    for kind, status, n in activity_counts(user=user, customer_id=customer_id):
        by_status[status] = by_status.get(status, 0) + n
        by_kind[kind] = by_kind.get(kind, 0) + n
    return {
        "total": sum(by_status.values()),
        "by_status": [(label, by_status[value]) for value, label in ActivityStatus.choices],
        "by_kind": by_kind,
    }


@require_GET
def customer_detail(request, pk: int):
    """The customer card: its data, contact persons and the "All activities" list with a
    tab per kind, filtered and paginated like the list of all activities."""
    customer = get_object_or_404(Customer, pk=pk)
    tab = request.GET.get("tab")
    if tab not in TABS:
        tab = ALL_TAB
    filter_form = ActivityFilterForm(request.GET or None, fixed_kind=tab != ALL_TAB)
    filters = filter_form.to_filters(kind=tab) if tab != ALL_TAB else filter_form.to_filters()
    # Built only if the page is read the general way (spotkania.paging.rows_by_ids).
    activities = SimpleLazyObject(
        lambda: select_activities(filters=filters, customer_id=customer.pk, user=request.user)
    )
    counted = activities_to_count(filters=filters, customer_id=customer.pk, user=request.user)
    context = {
        "nav": "customers",
        "customer": customer,
        "tab": tab,
        "hide_customer": True,
        "filter_form": filter_form,
        "query": query_without_page(request),
    }
    known_count = None
    if not wants_fragment(request):
        summary = _activity_summary(customer.pk, request.user)
        context["summary"] = summary
        context["history"] = change_history(customer)
        context["contact_persons"] = contact_persons_of(customer_id=customer.pk, active_only=False)
        # The cost totals load after the page (customer_costs).
        context["tabs"] = [
            (ALL_TAB, _("All activities"), summary["total"]),
            (ActivityKind.MEETING, _("Meetings"), summary["by_kind"][ActivityKind.MEETING]),
            (ActivityKind.CONTACT, _("Contacts"), summary["by_kind"][ActivityKind.CONTACT]),
            (ActivityKind.TASK, _("Tasks"), summary["by_kind"][ActivityKind.TASK]),
        ]
        # Filtered by nothing but a kind (its tab, or the kind filter of the All tab),
        # the rows are those the summary counted.
        if replace(filters, kind=None) == ActivityFilters():
            known_count = summary["by_kind"][filters.kind] if filters.kind else summary["total"]
    context["page_obj"] = paginate(
        request,
        activities,
        settings.ACTIVITY_PAGE_SIZE,
        count_queryset=counted,
        known_count=known_count,
        page_ids=visible_page_ids(filters=filters, customer_id=customer.pk, user=request.user),
        rows_of=activity_table_rows,
    )
    return render_page(
        request, "customers/customer_detail.html", context, fragment="activity-results"
    )


@require_GET
def customer_costs(request, pk: int):
    """The customer's cost totals in the base currency, all of its activities the user
    may see (not only the filtered ones): a fragment its page loads after itself (htmx),
    since for a customer with thousands of activities they take as long as the rest of
    the page: 40 to 70 ms at 9 000, most of it reading each activity's row for its
    amounts."""
    customer = get_object_or_404(Customer.objects.only("pk"), pk=pk)
    costs = cost_report(
        filters=ActivityFilters(), group_by="customer", customer_id=customer.pk, user=request.user
    )
    return TemplateResponse(request, "reports/_cost_totals.html", {"costs": costs})


@require_http_methods(["GET", "POST"])
def customer_create(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = form.save()
        messages.success(request, _("Customer “%(name)s” was created.") % {"name": customer})
        return redirect(customer)
    context = {"nav": "customers", "form": form, "customer": None}
    return TemplateResponse(request, "customers/customer_form.html", context)


@require_http_methods(["GET", "POST"])
def customer_update(request, pk: int):
    customer = get_object_or_404(Customer, pk=pk)
    form = CustomerForm(request.POST or None, instance=customer)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            customer = update_customer(
                customer=customer,
                values=form.cleaned_data,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as exc:
            stale = exc
            form.offer_version(exc.current_version)
            customer = Customer.objects.get(pk=pk)  # the form changed the instance in memory
        else:
            messages.success(request, _("Customer “%(name)s” was saved.") % {"name": customer})
            return redirect(customer)
    context = {"nav": "customers", "form": form, "customer": customer, "stale": stale}
    return TemplateResponse(request, "customers/customer_form.html", context)


@require_http_methods(["GET", "POST"])
def customer_delete(request, pk: int):
    """GET asks for confirmation; POST deletes, or explains on the customer's page why it
    may not (it has activities), leaving everything in place."""
    customer = get_object_or_404(Customer, pk=pk)
    if not request.user.has_perm("customers.delete_customer"):
        raise PermissionDenied
    if request.method == "POST":
        try:
            delete_customer(customer=customer, user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(customer)
        messages.success(request, _("Customer “%(name)s” was deleted.") % {"name": customer})
        return redirect("customers:list")
    context = {
        "nav": "customers",
        "customer": customer,
        "contact_count": customer.contact_persons.count(),
        "has_activities": customer.activities.exists(),
    }
    return TemplateResponse(request, "customers/customer_confirm_delete.html", context)


@require_http_methods(["GET", "POST"])
def contact_create(request, customer_pk: int):
    customer = get_object_or_404(Customer, pk=customer_pk)
    form = ContactPersonForm(request.POST or None, instance=ContactPerson(customer=customer))
    if request.method == "POST" and form.is_valid():
        contact = form.save()
        messages.success(request, _("Contact person “%(name)s” was added.") % {"name": contact})
        return redirect(customer)
    context = {"nav": "customers", "form": form, "customer": customer, "contact": None}
    return TemplateResponse(request, "customers/contact_form.html", context)


@require_http_methods(["GET", "POST"])
def contact_update(request, pk: int):
    contact = get_object_or_404(ContactPerson.objects.select_related("customer"), pk=pk)
    form = ContactPersonForm(request.POST or None, instance=contact)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_person_update(
                contact_person=contact,
                values=form.cleaned_data,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as exc:
            stale = exc
            form.offer_version(exc.current_version)
        else:
            messages.success(request, _("Contact person “%(name)s” was saved.") % {"name": contact})
            return redirect(contact.customer)
    context = {
        "nav": "customers",
        "form": form,
        "customer": contact.customer,
        "contact": contact,
        "stale": stale,
    }
    return TemplateResponse(request, "customers/contact_form.html", context)
